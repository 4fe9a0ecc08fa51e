#include "vmlab/hw/tlb.hpp"

#include <bit>
#include <limits>

namespace vmlab {

Registry<TlbReplacementFactory>& tlb_replacements() {
    static Registry<TlbReplacementFactory> r("tlb-replacement", "TLB replacement policies");
    return r;
}

void TlbReplState::tree_touch(unsigned set, unsigned way) {
    std::uint8_t* bits = tree.data() + std::size_t(set) * (ways - 1);
    unsigned node = 0, lo = 0, span = ways;
    while (span > 1) {
        span /= 2;
        if (way < lo + span) {  // way in the lower half: the pseudo-LRU side is the upper one
            bits[node] = 1;
            node = 2 * node + 1;
        } else {
            bits[node] = 0;
            node = 2 * node + 2;
            lo += span;
        }
    }
}

unsigned TlbReplState::tree_victim(unsigned set) const {
    const std::uint8_t* bits = tree.data() + std::size_t(set) * (ways - 1);
    unsigned node = 0, lo = 0, span = ways;
    while (span > 1) {
        span /= 2;
        if (bits[node] == 0) {
            node = 2 * node + 1;
        } else {
            node = 2 * node + 2;
            lo += span;
        }
    }
    return lo;
}

unsigned TlbReplState::oldest_stamp(unsigned set) const {
    const std::uint64_t* s = stamp.data() + std::size_t(set) * ways;
    unsigned best = 0;
    for (unsigned w = 1; w < ways; ++w)
        if (s[w] < s[best]) best = w;
    return best;
}

Tlb::Tlb(const TlbConfig& cfg, std::uint64_t seed, unsigned va_bits) : cfg_(cfg) {
    VMLAB_ASSERT(cfg.entries > 0 && !cfg.page_sizes.empty() && cfg.page_sizes.size() <= 8, "invalid TlbConfig");
    ways_ = cfg.ways == 0 ? cfg.entries : cfg.ways;
    VMLAB_ASSERT(cfg.entries % ways_ == 0, "entries not a multiple of ways");
    sets_ = cfg.entries / ways_;
    VMLAB_ASSERT(std::has_single_bit(sets_), "sets not a power of two");
    set_bits_ = static_cast<unsigned>(std::countr_zero(sets_));
    set_mask_ = sets_ - 1;
    va_mask_ = va_bits >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << va_bits) - 1;
    nsizes_ = static_cast<unsigned>(cfg.page_sizes.size());
    for (unsigned s = 0; s < nsizes_; ++s) {
        VMLAB_ASSERT(cfg.page_sizes[s].shift >= 4, "page size below 16 bytes");
        shift_[s] = cfg.page_sizes[s].shift;
    }
    const auto* reg = tlb_replacements().find(cfg.replacement);
    VMLAB_ASSERT(reg != nullptr, "unregistered TLB replacement policy");
    auto params = resolve_params(reg->params, cfg.replacement_params, "the TLB replacement policy");
    VMLAB_ASSERT(params.has_value(), "invalid TLB replacement parameters");
    policy_ = reg->make(*params);
    VMLAB_ASSERT(policy_->check(sets_, ways_).has_value(), "replacement policy rejects this geometry");
    action_ = policy_->hit_action();

    const std::size_t n = std::size_t(sets_) * ways_;
    keys_.assign(n, 0);
    data_.assign(n, Payload{});
    st_.sets = sets_;
    st_.ways = ways_;
    st_.ways_shift = static_cast<unsigned>(std::countr_zero(ways_));
    st_.stamp.assign(n, 0);
    if (std::has_single_bit(ways_) && ways_ > 1) st_.tree.assign(std::size_t(sets_) * (ways_ - 1), 0);
    st_.ref.assign(n, 0);
    st_.rng.reseed(seed);
    stats_.name = cfg.name;
}

Tlb::~Tlb() = default;
Tlb::Tlb(Tlb&&) noexcept = default;
Tlb& Tlb::operator=(Tlb&&) noexcept = default;

int Tlb::size_index(PageSize ps) const {
    for (unsigned s = 0; s < nsizes_; ++s)
        if (shift_[s] == ps.shift) return static_cast<int>(s);
    return -1;
}

int Tlb::lookup(VirtAddr va, Asid asid) {
    ++stats_.lookups;
    for (unsigned s = 0; s < nsizes_; ++s) {
        const int e = find(va, s, asid);
        if (e >= 0) {
            hit(e);
            return e;
        }
    }
    ++stats_.misses;
    return -1;
}

int Tlb::insert(VirtAddr va, unsigned s, const Payload& p) {
    VMLAB_ASSERT(s < nsizes_, "size index out of range");
    const std::uint64_t vpn = vpn_of(va, s);
    const std::uint64_t k = key(vpn, s);
    const unsigned set = set_of(vpn);
    const unsigned base = set * ways_;
    const bool new_global = (p.flags & kGlobal) != 0;
    // An existing entry that the new one would shadow is replaced in place; further
    // duplicates (possible only through place()) are dropped.
    int slot = -1;
    unsigned way = ways_;  // the lowest invalid way (used only when no entry is replaced in place)
    for (unsigned w = 0; w < ways_; ++w) {
        if (keys_[base + w] != k) {
            if (keys_[base + w] == 0 && way == ways_) way = w;
            continue;
        }
        const Payload& old = data_[base + w];
        const bool overlaps = new_global || (old.flags & kGlobal) || old.asid == p.asid;
        if (!overlaps) continue;
        if (slot < 0) {
            slot = static_cast<int>(w);
        } else {
            keys_[base + w] = 0;
            ++stats_.invalidated;
        }
    }
    if (slot >= 0) {
        data_[base + unsigned(slot)] = p;
        policy_->on_fill(st_, set, unsigned(slot));
        ++stats_.fills;
        return static_cast<int>(base + unsigned(slot));
    }
    if (way == ways_) {
        way = policy_->victim(st_, set);
        VMLAB_ASSERT(way < ways_, "replacement policy returned a way out of range");
        ++stats_.evictions;
    }
    keys_[base + way] = k;
    data_[base + way] = p;
    policy_->on_fill(st_, set, way);
    ++stats_.fills;
    return static_cast<int>(base + way);
}

void Tlb::place(unsigned set, unsigned way, std::uint64_t vpn, unsigned s, const Payload& p, bool valid) {
    VMLAB_ASSERT(set < sets_ && way < ways_ && s < nsizes_, "TLB position out of range");
    VMLAB_ASSERT(!valid || set_of(vpn) == set, "VPN does not belong to this set");
    const unsigned e = set * ways_ + way;
    keys_[e] = valid ? key(vpn, s) : 0;
    data_[e] = p;
    if (valid) policy_->on_fill(st_, set, way);
}

template <class Pred>
unsigned Tlb::invalidate_where(Pred pred) {
    unsigned n = 0;
    for (std::size_t e = 0; e < keys_.size(); ++e) {
        if (keys_[e] != 0 && pred(data_[e])) {
            keys_[e] = 0;
            ++n;
        }
    }
    ++stats_.flushes;
    stats_.invalidated += n;
    return n;
}

unsigned Tlb::invalidate_key_in_set(std::uint64_t k, unsigned set, bool any_asid, Asid asid, bool keep_global) {
    unsigned n = 0;
    const unsigned base = set * ways_;
    for (unsigned w = 0; w < ways_; ++w) {
        if (keys_[base + w] != k) continue;
        const Payload& p = data_[base + w];
        const bool global = (p.flags & kGlobal) != 0;
        if (global && keep_global) continue;
        if (any_asid || global || p.asid == asid.value) {
            keys_[base + w] = 0;
            ++n;
        }
    }
    return n;
}

unsigned Tlb::invalidate_va(VirtAddr va, Asid asid) {
    unsigned n = 0;
    for (unsigned s = 0; s < nsizes_; ++s) {
        const std::uint64_t vpn = vpn_of(va, s);
        n += invalidate_key_in_set(key(vpn, s), set_of(vpn), false, asid, false);
    }
    ++stats_.flushes;
    stats_.invalidated += n;
    return n;
}

unsigned Tlb::invalidate_va_all_asids(VirtAddr va) {
    unsigned n = 0;
    for (unsigned s = 0; s < nsizes_; ++s) {
        const std::uint64_t vpn = vpn_of(va, s);
        n += invalidate_key_in_set(key(vpn, s), set_of(vpn), true, Asid{}, false);
    }
    ++stats_.flushes;
    stats_.invalidated += n;
    return n;
}

unsigned Tlb::invalidate_asid(Asid asid) {
    return invalidate_where([&](const Payload& p) { return !(p.flags & kGlobal) && p.asid == asid.value; });
}

unsigned Tlb::invalidate_all() {
    return invalidate_where([](const Payload&) { return true; });
}

unsigned Tlb::invalidate_nonglobal() {
    return invalidate_where([](const Payload& p) { return !(p.flags & kGlobal); });
}

TlbEntryView Tlb::entry(unsigned set, unsigned way) const {
    VMLAB_ASSERT(set < sets_ && way < ways_, "TLB position out of range");
    const unsigned e = set * ways_ + way;
    TlbEntryView v;
    v.set = set;
    v.way = way;
    v.valid = keys_[e] != 0;
    if (v.valid) {
        const unsigned s = static_cast<unsigned>((keys_[e] >> 1) & 7);
        const std::uint64_t vpn = keys_[e] >> 4;
        v.vpn = Vpn{vpn};
        v.tag = tag_of(vpn);
        v.size = size_at(s);
    }
    const Payload& p = data_[e];
    v.base = PhysAddr{p.base};
    v.perms = p.perms;
    v.asid = Asid{p.asid};
    v.global = (p.flags & kGlobal) != 0;
    v.dirty = (p.flags & kDirty) != 0;
    return v;
}

std::vector<TlbEntryView> Tlb::entries() const {
    std::vector<TlbEntryView> out;
    for (unsigned set = 0; set < sets_; ++set)
        for (unsigned way = 0; way < ways_; ++way)
            if (keys_[set * ways_ + way] != 0) out.push_back(entry(set, way));
    return out;
}

unsigned Tlb::valid_count() const {
    unsigned n = 0;
    for (auto k : keys_) n += k != 0;
    return n;
}

void Tlb::reset_stats() {
    const std::string name = stats_.name;
    stats_ = TlbStats{};
    stats_.name = name;
}

}  // namespace vmlab
