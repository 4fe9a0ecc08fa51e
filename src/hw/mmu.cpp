// The MMU of one CPU: TLB hierarchy lookup, walks, fills, flushes, statistics, cost.
// The behaviour is described in include/vmlab/hw/mmu.hpp.
#include "vmlab/hw/mmu.hpp"

#include <algorithm>
#include <cstddef>
#include <cstring>

#include "hw/pwc.hpp"
#include "hw/walker.hpp"
#include "vmlab/core/rng.hpp"
#include "vmlab/core/strings.hpp"
#include "vmlab/hw/phys_mem.hpp"
#include "vmlab/hw/tlb.hpp"

namespace vmlab {

static_assert(offsetof(Tlb::Payload, perms) == offsetof(Tlb::Payload, asid) + 2 &&
                  offsetof(Tlb::Payload, flags) == offsetof(Tlb::Payload, asid) + 3,
              "the MMU's fast path reads asid, perms and flags as one 32-bit word");

static_assert(sizeof(Tlb::Payload) == 16 && offsetof(Tlb::Payload, base) == 0 && offsetof(Tlb::Payload, asid) == 8,
              "detail::MmuFastProbe reads payloads as 16-byte records: base at 0, asid at 8");
static_assert(std::uint32_t{Tlb::kGlobal} << 24 == detail::MmuFastProbe::kGlobalBit &&
                  std::uint32_t{Tlb::kDirty} << 24 == detail::MmuFastProbe::kDirtyBit,
              "payload flag bits as the inline hit path reads them");
static_assert(static_cast<unsigned>(TlbHitAction::None) == 0 && static_cast<unsigned>(TlbHitAction::Stamp) == 1,
              "MmuFastProbe::action values");

namespace {
using FastProbe = detail::MmuFastProbe;
constexpr const std::uint32_t* kNeed = FastProbe::kNeed;
static_assert(FastProbe::kNeed[1] == ((std::uint32_t{kPermUW} << 16) | (std::uint32_t{Tlb::kDirty} << 24)) &&
              FastProbe::kNeed[5] == std::uint32_t{kPermKX} << 16);
}  // namespace

const char* to_string(FaultKind k) {
    switch (k) {
        case FaultKind::None: return "none";
        case FaultKind::NotPresent: return "not-present";
        case FaultKind::Protection: return "protection";
        case FaultKind::NonCanonical: return "non-canonical";
        case FaultKind::ReservedBit: return "reserved-bit";
        case FaultKind::AccessFlag: return "access-flag";
        case FaultKind::DirtyBit: return "dirty-bit";
        case FaultKind::BusError: return "bus-error";
    }
    return "?";
}

class MmuImpl {
public:
    MmuImpl(const MmuConfig& cfg, const PagingFormat& fmt, PhysMem& mem);

    template <bool Traced>
    [[gnu::noinline]] Translation translate(VirtAddr va, AccessKind access, Privilege priv, TranslationTrace* tr);

    // How Mmu::translate's inline hit path (include/vmlab/hw/mmu.hpp) hands over: with
    // OtherSizes the path's first probe holds no entry for the VA; General: an entry of
    // another ASID, an entry that does not permit the access, a clean entry on a write, a
    // VA the geometry cannot represent. The hit path changed no TLB state or statistic.
    enum class Fast : std::uint8_t { Hit, OtherSizes, General };
    // Everything the hit path declined: with OtherSizes (the first probe holds no entry
    // for the VA) the path's other probes, then the general path.
    [[gnu::noinline]] Translation general(VirtAddr va, AccessKind access, Privilege priv, Fast why) {
        FastPath& f = *fast_by_access_[static_cast<unsigned>(access)];
        if (why == Fast::OtherSizes && f.n > 1) {
            const std::uint64_t vam = va.value & va_mask_;
            for (unsigned i = 1; i < f.n; ++i) {
                FastProbe& p = f.probes[i];
                const unsigned e = p.probe(vam >> p.shift);
                if (e == kNoWay) continue;
                if (e == kOtherAsid || !usable(p, e, priv, access)) break;
                Translation t;
                record_hit(p, e, va.value, f.cycles, t);
                return t;
            }
        }
        return slow(va, access, priv);
    }
    [[gnu::noinline, gnu::cold]] Translation slow(VirtAddr va, AccessKind access, Privilege priv) {
        return translate<false>(va, access, priv, nullptr);
    }

    // The low va_bits bits name the page exactly (canonical for sign-extended formats,
    // below 2^va_bits otherwise), so the TLBs may be used. One test for both kinds:
    // v + canon_add_ < 2^va_bits, with canon_add_ = 2^(va_bits-1) when sign-extended
    // (modulo 2^64, that maps [-2^(va_bits-1), 2^(va_bits-1)) onto [0, 2^va_bits)).
    bool representable(VirtAddr va) const { return ((va.value + canon_add_) & ~va_mask_) == 0; }

    void flush_va(VirtAddr va, Asid asid) {
        forget_memos();
        for (auto& t : tlbs_) t.invalidate_va(va, asid);
        pwc_.flush_asid(asid);
    }
    void flush_va_all_asids(VirtAddr va) {
        forget_memos();
        for (auto& t : tlbs_) t.invalidate_va_all_asids(va);
        pwc_.flush_all();
    }
    void flush_asid(Asid asid) {
        forget_memos();
        for (auto& t : tlbs_) t.invalidate_asid(asid);
        pwc_.flush_asid(asid);
    }
    void flush_all() {
        forget_memos();
        for (auto& t : tlbs_) t.invalidate_all();
        pwc_.flush_all();
    }
    void flush_nonglobal() {
        forget_memos();
        for (auto& t : tlbs_) t.invalidate_nonglobal();
        pwc_.flush_all();
    }
    void set_root(PhysAddr root, Asid asid) {
        forget_memos();
        if (!cfg_.pcid) flush_nonglobal();
        root_ = root;
        asid_ = asid;
        set_fast_asid(asid);
    }

    Status insert_tlb_entry(const Mmu::TlbEntryInit& e);
    Result<std::vector<TlbEntryView>> tlb_entries(const std::string& name) const;
    const MmuStats& stats() const;
    void reset_stats();

    MmuConfig cfg_;
    const PagingFormat& fmt_;
    PhysMem& mem_;
    PhysAddr root_{};
    Asid asid_{};

private:
    struct Probe {
        Tlb* tlb = nullptr;
        unsigned s = 0;  // size index within the structure
    };
    struct Level {
        unsigned level = 1;
        std::uint32_t cycles = 0;
        std::uint64_t lookups = 0;
        std::vector<Probe> probes;
        std::vector<unsigned> tlb_indices;  // structures of this level on this path
    };
    struct Path {
        std::vector<Level> levels;
    };
    static constexpr unsigned kMaxFast = 8;
    static constexpr unsigned kNoWay = FastProbe::kNoWay;
    static constexpr unsigned kOtherAsid = FastProbe::kOtherAsid;
    // The first level of a path, flattened for the hit path (n = 0: not used).
    struct FastPath {
        FastProbe probes[kMaxFast];
        unsigned n = 0;
        std::uint32_t cycles = 0;
        std::uint64_t hits() const {
            std::uint64_t n_hits = 0;
            for (unsigned i = 0; i < n; ++i) n_hits += probes[i].hits;
            return n_hits;
        }
    };
    static bool usable(const FastProbe& p, unsigned e, Privilege priv, AccessKind access) {
        const std::uint32_t need = kNeed[static_cast<unsigned>(priv) * 3 + static_cast<unsigned>(access)];
        return (p.word(e) & need) == need;
    }
    // A hit in a first-level probe other than the path's first (the first one's hit is
    // inline in Mmu::translate and does the same).
    static void record_hit(FastProbe& p, unsigned e, std::uint64_t v, std::uint32_t cycles, Translation& t) {
        ++p.hits;  // translations, lookups, TLB hits and cycles are derived in stats()
        if (p.action == static_cast<std::uint8_t>(TlbHitAction::Stamp)) {
            if (p.stamp[e] != *p.clock) p.stamp[e] = ++*p.clock;
        } else if (p.action != static_cast<std::uint8_t>(TlbHitAction::None)) {
            p.repl->touch_entry(static_cast<TlbHitAction>(p.action), e);
        }
        t.pa = PhysAddr{p.base(e) | (v & p.offset_mask)};
        t.size = p.size;
        t.cycles = cycles;
    }

public:
    FastProbe* first_probe(AccessKind a) { return first_probe_[static_cast<unsigned>(a)]; }

private:
    void forget_memos() {
        for (auto& f : fast_)
            for (unsigned i = 0; i < f.n; ++i) f.probes[i].memo_vpn = ~std::uint64_t{0};
    }
    void set_fast_asid(Asid a) {
        for (auto& f : fast_)
            for (unsigned i = 0; i < f.n; ++i) f.probes[i].asid = a.value;
    }

    const Tlb* find_tlb(const std::string& name) const;
    // Installs the page in every level < `below` of the path that holds its size.
    void fill(Path& path, std::size_t below, VirtAddr va, PageSize size, const Tlb::Payload& p);
    void drop_va(Path& path, VirtAddr va);

    std::uint64_t va_mask_ = ~std::uint64_t{0};
    std::uint64_t canon_add_ = 0;  // see representable()
    unsigned va_bits_ = 64;
    std::vector<Tlb> tlbs_;
    PageWalkCache pwc_;
    Walker walker_;
    Path paths_[2];  // 0 = data, 1 = instruction
    FastPath fast_[2];
    FastPath* fast_by_access_[3] = {&fast_[0], &fast_[0], &fast_[1]};  // indexed by AccessKind
    FastProbe* first_probe_[3] = {&fast_[0].probes[0], &fast_[0].probes[0], &fast_[1].probes[0]};
    MmuStats stats_;
    mutable MmuStats view_;
};

MmuImpl::MmuImpl(const MmuConfig& cfg, const PagingFormat& fmt, PhysMem& mem)
    : cfg_(cfg),
      fmt_(fmt),
      mem_(mem),
      pwc_(cfg.pwc, fmt.geometry().depth()),
      walker_(fmt, mem, cfg.cost, pwc_, cfg.pwc.hit_cycles) {
    VMLAB_ASSERT(cfg.validate().has_value(), "MmuConfig must be valid");
    const auto& geo = fmt.geometry();
    va_bits_ = geo.va_bits;
    va_mask_ = va_bits_ >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << va_bits_) - 1;
    canon_add_ = geo.sign_extended && va_bits_ < 64 ? std::uint64_t{1} << (va_bits_ - 1) : 0;
    const auto sizes = geo.page_sizes();

    Rng seeds(cfg.seed);
    tlbs_.reserve(cfg.tlbs.size());
    for (std::size_t i = 0; i < cfg.tlbs.size(); ++i) {
        for (auto ps : cfg.tlbs[i].page_sizes)
            VMLAB_ASSERT(std::find(sizes.begin(), sizes.end(), ps) != sizes.end(),
                         "TLB page size not supported by the paging format");
        tlbs_.emplace_back(cfg.tlbs[i], seeds.fork(i).next(), va_bits_);
    }
    for (int pi = 0; pi < 2; ++pi) {
        const TlbKind own = pi == 0 ? TlbKind::Data : TlbKind::Instruction;
        unsigned max_level = 0;
        for (const auto& t : cfg.tlbs) max_level = std::max(max_level, t.level);
        for (unsigned lv = 1; lv <= max_level; ++lv) {
            Level L;
            L.level = lv;
            for (std::size_t i = 0; i < cfg.tlbs.size(); ++i) {
                const auto& t = cfg.tlbs[i];
                if (t.level != lv || (t.kind != own && t.kind != TlbKind::Unified)) continue;
                L.cycles = std::max(L.cycles, t.hit_cycles);
                L.tlb_indices.push_back(static_cast<unsigned>(i));
                for (unsigned s = 0; s < tlbs_[i].size_count(); ++s) L.probes.push_back(Probe{&tlbs_[i], s});
            }
            if (!L.probes.empty()) paths_[pi].levels.push_back(std::move(L));
        }
    }
    for (int pi = 0; pi < 2; ++pi) {
        if (paths_[pi].levels.empty() || paths_[pi].levels[0].probes.size() > kMaxFast) continue;
        Level& L = paths_[pi].levels[0];
        FastPath& f = fast_[pi];
        for (const Probe& pr : L.probes) {
            FastProbe& fp = f.probes[f.n++];
            TlbReplState& st = pr.tlb->repl_state_mut();
            fp.keys = pr.tlb->key_array();
            fp.data = reinterpret_cast<const unsigned char*>(pr.tlb->payload_array());
            fp.stamp = st.stamp.data();
            fp.clock = &st.clock;
            fp.repl = &st;
            fp.action = static_cast<std::uint8_t>(pr.tlb->hit_action());
            fp.ways = pr.tlb->ways();
            using Match = FastProbe::Match;
            fp.match = fp.ways == 1 ? Match::Ways1
                       : fp.ways == 2 ? Match::Ways2
                       : fp.ways == 4 ? Match::Ways4
                       : fp.ways == 8 ? Match::Ways8
                                      : Match::Any;
            fp.set_mask = pr.tlb->set_mask();
            fp.size = pr.tlb->size_at(pr.s);
            fp.offset_mask = fp.size.mask();
            fp.s_bits = Tlb::key_of(0, pr.s);
            fp.shift = static_cast<std::uint8_t>(fp.size.shift);
            fp.tlb_index = static_cast<unsigned>(pr.tlb - tlbs_.data());
            fp.va_mask = va_mask_;
            fp.hi_mask = ~va_mask_;
            fp.canon_add = canon_add_;
            fp.cycles = L.cycles;
        }
        f.cycles = L.cycles;
    }
    stats_.pwc_hits_per_level.assign(geo.depth() > 0 ? geo.depth() - 1 : 0, 0);
    for (const auto& t : tlbs_) stats_.tlbs.push_back(t.stats());
}

void MmuImpl::fill(Path& path, std::size_t below, VirtAddr va, PageSize size, const Tlb::Payload& p) {
    for (std::size_t li = 0; li < below; ++li) {
        for (const Probe& pr : path.levels[li].probes) {
            if (pr.tlb->size_at(pr.s) == size) {
                pr.tlb->insert(va, pr.s, p);
                break;
            }
        }
    }
}

void MmuImpl::drop_va(Path& path, VirtAddr va) {
    for (auto& L : path.levels)
        for (const Probe& pr : L.probes) {
            const int e = pr.tlb->find(va, pr.s, asid_);
            if (e >= 0) pr.tlb->drop(e);
        }
}

template <bool Traced>
Translation MmuImpl::translate(VirtAddr va, AccessKind access, Privilege priv, TranslationTrace* tr) {
    forget_memos();
    ++stats_.translations;
    Translation t;
    if constexpr (Traced) {
        *tr = TranslationTrace{};
        tr->va = va;
        tr->access = access;
        tr->priv = priv;
    }
    auto finish = [&](Translation r) {
        stats_.cycles += r.cycles;
        if (!r.ok()) ++stats_.faults;
        if constexpr (Traced) tr->result = r;
        return r;
    };

    // A VA the geometry cannot represent is for the format to judge, bypassing the TLBs.
    const bool use_tlb = representable(va);
    Path& path = paths_[access == AccessKind::Execute ? 1 : 0];
    const PermMask need = perm_bit(priv, access);

    if (!use_tlb && !fmt_.canonical(va)) {
        t.fault = Fault{FaultKind::NonCanonical, 0, access, priv, 0, va};
        return finish(t);
    }
    bool rewalk = false;
    if (use_tlb) {
        for (std::size_t li = 0; li < path.levels.size(); ++li) {
            Level& L = path.levels[li];
            ++L.lookups;
            t.cycles += L.cycles;
            Tlb* htlb = nullptr;
            int he = -1;
            unsigned hs = 0;
            for (const Probe& pr : L.probes) {
                const int e = pr.tlb->find(va, pr.s, asid_);
                if constexpr (Traced) {
                    const std::uint64_t vpn = pr.tlb->vpn_of(va, pr.s);
                    tr->tlb.push_back(TlbProbe{pr.tlb->name(), pr.tlb->size_at(pr.s), pr.tlb->set_of(vpn),
                                               pr.tlb->tag_of(vpn), e >= 0 && he < 0,
                                               e >= 0 && he < 0 ? int(unsigned(e) % pr.tlb->ways()) : -1});
                }
                if (e >= 0 && he < 0) {
                    htlb = pr.tlb;
                    he = e;
                    hs = pr.s;
                    if constexpr (!Traced) break;
                }
            }
            if (he < 0) continue;
            htlb->hit(he);
            const Tlb::Payload& p = htlb->payload(he);
            const PageSize size = htlb->size_at(hs);
            if ((p.perms & need) && (access != AccessKind::Write || (p.flags & Tlb::kDirty))) {
                ++stats_.tlb_hits;
                if (li > 0) fill(path, li, va, size, p);
                t.pa = PhysAddr{p.base | (va.value & size.mask())};
                t.size = size;
                if constexpr (Traced) tr->tlb_hit_level = static_cast<int>(L.level);
                return finish(t);
            }
            if (!(p.perms & need)) ++stats_.permission_rewalks;
            else ++stats_.dirty_rewalks;
            rewalk = true;
            if constexpr (Traced) tr->rewalk = true;
            break;
        }
    }

    ++stats_.walks;
    WalkOutcome w;
    if constexpr (Traced) {
        tr->walked = true;
        w = walker_.walk(va, access, priv, root_, asid_, &tr->walk);
        tr->pwc_level = w.pwc_level;
    } else {
        w = walker_.walk(va, access, priv, root_, asid_, nullptr);
    }
    stats_.walk_memory_refs += w.mem_refs;
    stats_.ad_updates += w.ad_writes;
    if (pwc_.enabled() && w.fault != FaultKind::NonCanonical) {
        if (w.pwc_level >= 0) {
            ++stats_.pwc_hits;
            ++stats_.pwc_hits_per_level[static_cast<unsigned>(w.pwc_level)];
        } else {
            ++stats_.pwc_misses;
        }
    }
    t.cycles += w.cycles;
    if (w.fault != FaultKind::None) {
        if (rewalk) drop_va(path, va);
        t.fault = Fault{w.fault, w.fault_level, access, priv, w.missing, va};
        return finish(t);
    }
    if (use_tlb) {
        Tlb::Payload p;
        p.base = w.base.value;
        p.asid = asid_.value;
        p.perms = w.perms;
        p.flags = static_cast<std::uint8_t>((w.global ? Tlb::kGlobal : 0) | (w.dirty ? Tlb::kDirty : 0));
        fill(path, path.levels.size(), va, w.size, p);
    }
    t.pa = PhysAddr{w.base.value + (va.value & w.size.mask())};
    t.size = w.size;
    return finish(t);
}

const Tlb* MmuImpl::find_tlb(const std::string& name) const {
    for (const auto& t : tlbs_)
        if (t.name() == name) return &t;
    return nullptr;
}

Status MmuImpl::insert_tlb_entry(const Mmu::TlbEntryInit& e) {
    forget_memos();
    Tlb* t = const_cast<Tlb*>(find_tlb(e.structure));
    if (!t) {
        std::vector<std::string> names;
        for (const auto& x : tlbs_) names.push_back(x.name());
        return fail("structure: " + unknown_name_message("TLB structure", e.structure, names));
    }
    const int s = t->size_index(e.size);
    if (s < 0) {
        std::string held;
        for (unsigned i = 0; i < t->size_count(); ++i) held += (i ? ", " : "") + format_bytes(t->size_at(i).bytes());
        return failf("size: TLB '{}' does not hold {} pages (it holds {})", e.structure, format_bytes(e.size.bytes()),
                     held);
    }
    if (!e.base.aligned(e.size))
        return failf("base: 0x{:x} is not aligned to the {} page size", e.base.value, format_bytes(e.size.bytes()));
    if (e.set >= 0 && unsigned(e.set) >= t->sets())
        return failf("set: {} is out of range (TLB '{}' has {} sets)", e.set, e.structure, t->sets());
    if (e.way >= 0 && unsigned(e.way) >= t->ways())
        return failf("way: {} is out of range (TLB '{}' has {} ways)", e.way, e.structure, t->ways());
    std::uint64_t vpn = e.vpn.value;
    if (e.set >= 0) {
        if (t->set_bits() + e.size.shift < 64 && e.tag >= (std::uint64_t{1} << (64 - t->set_bits() - e.size.shift)))
            return failf("tag: 0x{:x} is too large", e.tag);
        vpn = (e.tag << t->set_bits()) | unsigned(e.set);
    }
    if (e.size.shift < va_bits_ && (vpn >> (va_bits_ - e.size.shift)) != 0)
        return failf("{}: page 0x{:x} lies beyond the {}-bit virtual address space", e.set >= 0 ? "tag" : "vpn", vpn,
                     va_bits_);
    Tlb::Payload p;
    p.base = e.base.value;
    p.asid = e.asid.value;
    p.perms = e.perms;
    p.flags = static_cast<std::uint8_t>((e.global ? Tlb::kGlobal : 0) | (e.dirty ? Tlb::kDirty : 0));
    const unsigned su = static_cast<unsigned>(s);
    if (e.way >= 0) {
        const unsigned set = e.set >= 0 ? unsigned(e.set) : t->set_of(vpn);
        t->place(set, unsigned(e.way), vpn, su, p, e.valid);
        return ok();
    }
    if (!e.valid) return fail("way: an invalid entry needs an explicit set and way");
    t->insert(Vpn{vpn}.addr(e.size), su, p);
    return ok();
}

Result<std::vector<TlbEntryView>> MmuImpl::tlb_entries(const std::string& name) const {
    const Tlb* t = find_tlb(name);
    if (!t) {
        std::vector<std::string> names;
        for (const auto& x : tlbs_) names.push_back(x.name());
        return fail(unknown_name_message("TLB structure", name, names));
    }
    return t->entries();
}

const MmuStats& MmuImpl::stats() const {
    view_ = stats_;
    for (const auto& f : fast_) {
        const std::uint64_t hits = f.hits();
        view_.translations += hits;
        view_.tlb_hits += hits;
        view_.cycles += hits * f.cycles;
    }
    for (std::size_t i = 0; i < tlbs_.size(); ++i) {
        TlbStats s = tlbs_[i].stats();
        s.lookups = 0;
        for (const auto& f : fast_)
            for (unsigned k = 0; k < f.n; ++k)
                if (f.probes[k].tlb_index == i) s.hits += f.probes[k].hits;
        for (int pi = 0; pi < 2; ++pi) {
            const Path& path = paths_[pi];
            for (const auto& L : path.levels)
                for (unsigned ti : L.tlb_indices)
                    if (ti == i) s.lookups += L.lookups + (&L == &path.levels[0] ? fast_[pi].hits() : 0);
        }
        s.misses = s.lookups - s.hits;
        view_.tlbs[i] = s;
    }
    return view_;
}

void MmuImpl::reset_stats() {
    auto per_level = stats_.pwc_hits_per_level.size();
    stats_ = MmuStats{};
    stats_.pwc_hits_per_level.assign(per_level, 0);
    for (auto& f : fast_)
        for (unsigned k = 0; k < f.n; ++k) f.probes[k].hits = 0;
    for (auto& t : tlbs_) {
        t.reset_stats();
        stats_.tlbs.push_back(t.stats());
    }
    for (auto& path : paths_)
        for (auto& L : path.levels) L.lookups = 0;
}

Mmu::Mmu(const MmuConfig& cfg, const PagingFormat& fmt, PhysMem& mem)
    : impl_(std::make_unique<MmuImpl>(cfg, fmt, mem)),
      first_{impl_->first_probe(AccessKind::Read), impl_->first_probe(AccessKind::Write),
             impl_->first_probe(AccessKind::Execute)} {}
Mmu::~Mmu() = default;
Mmu::Mmu(Mmu&&) noexcept = default;
Mmu& Mmu::operator=(Mmu&&) noexcept = default;

static_assert(static_cast<int>(MmuImpl::Fast::OtherSizes) == 1 && static_cast<int>(MmuImpl::Fast::General) == 2,
              "Mmu::kOtherSizes, Mmu::kGeneral");
Translation Mmu::translate_general(VirtAddr va, AccessKind access, Privilege priv, int why) {
    return impl_->general(va, access, priv, static_cast<MmuImpl::Fast>(why));
}
void Mmu::touch_other(detail::MmuFastProbe& p, unsigned e) {
    p.repl->touch_entry(static_cast<TlbHitAction>(p.action), e);
}
Translation Mmu::translate_traced(VirtAddr va, AccessKind access, Privilege priv, TranslationTrace& trace) {
    return impl_->translate<true>(va, access, priv, &trace);
}
void Mmu::set_root(PhysAddr root, Asid asid) { impl_->set_root(root, asid); }
PhysAddr Mmu::root() const { return impl_->root_; }
Asid Mmu::asid() const { return impl_->asid_; }
void Mmu::flush_va(VirtAddr va, Asid asid) { impl_->flush_va(va, asid); }
void Mmu::flush_va_all_asids(VirtAddr va) { impl_->flush_va_all_asids(va); }
void Mmu::flush_asid(Asid asid) { impl_->flush_asid(asid); }
void Mmu::flush_all() { impl_->flush_all(); }
void Mmu::flush_nonglobal() { impl_->flush_nonglobal(); }
Status Mmu::insert_tlb_entry(const TlbEntryInit& e) { return impl_->insert_tlb_entry(e); }
Result<std::vector<TlbEntryView>> Mmu::tlb_entries(const std::string& structure) const {
    return impl_->tlb_entries(structure);
}
const MmuStats& Mmu::stats() const { return impl_->stats(); }
void Mmu::reset_stats() { impl_->reset_stats(); }
const MmuConfig& Mmu::config() const { return impl_->cfg_; }
const PagingFormat& Mmu::format() const { return impl_->fmt_; }

}  // namespace vmlab
