// One TLB structure (set-associative or fully associative, one or several page sizes). The
// replacement policies it calls on fills, and their registry, are in tlb_policy.hpp.
//
// The Mmu owns a hierarchy of these; a Tlb can also be used on its own (TLB studies over a
// stream of (VA, ASID) pairs, tests).
//
// Indexing. A structure holds `entries` entries in sets = entries / ways sets of `ways`
// ways (ways = 0 means fully associative: one set). For a page size S it holds, the
// virtual page number is
//
//     vpn = (va mod 2^va_bits) >> log2(S)          set = vpn mod sets      tag = vpn / sets
//
// A mixed structure (several page sizes) is probed once per size, each size with its own
// VPN and therefore its own set; an entry records which size it maps, so a 2 MiB entry
// never matches a 4 KiB probe. Reducing the VA to va_bits bits is lossless for canonical
// addresses (the bits above are copies of bit va_bits-1, or zero).
//
// Entries are tagged with an ASID; a global entry matches every ASID.
//
// Replacement. A fill goes to the lowest-numbered invalid way of the set; when the set
// is full the structure's policy picks the victim. Policies are registered by name, one
// file each (src/hw/tlb/*.cpp). A hit never calls the policy: each policy declares, at
// construction, which of a closed set of bookkeeping actions a hit performs
// (TlbHitAction), and the structure applies it with a switch. Only fills (a miss in that
// structure) call the policy object.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "vmlab/core/result.hpp"
#include "vmlab/core/types.hpp"
#include "vmlab/hw/mmu.hpp"
#include "vmlab/hw/tlb_policy.hpp"

namespace vmlab {

class Tlb {
public:
    // What an entry maps to. `base` is the page's physical base address.
    struct Payload {
        std::uint64_t base = 0;
        std::uint16_t asid = 0;
        PermMask perms = 0;
        std::uint8_t flags = 0;  // kGlobal | kDirty
    };
    static constexpr std::uint8_t kGlobal = 1, kDirty = 2;

    // `cfg` must be valid (TlbConfig::validate). `seed` feeds the random policy.
    explicit Tlb(const TlbConfig& cfg, std::uint64_t seed = 0, unsigned va_bits = 64);
    ~Tlb();
    Tlb(Tlb&&) noexcept;
    Tlb& operator=(Tlb&&) noexcept;

    const TlbConfig& config() const { return cfg_; }
    const std::string& name() const { return cfg_.name; }
    unsigned sets() const { return sets_; }
    unsigned ways() const { return ways_; }
    unsigned set_bits() const { return set_bits_; }
    unsigned size_count() const { return nsizes_; }
    PageSize size_at(unsigned s) const { return PageSize::from_shift(shift_[s]); }
    int size_index(PageSize ps) const;  // -1 when this structure does not hold ps

    // Where a VA's translation of size index s would live.
    std::uint64_t vpn_of(VirtAddr va, unsigned s) const { return (va.value & va_mask_) >> shift_[s]; }
    unsigned set_of(std::uint64_t vpn) const { return static_cast<unsigned>(vpn & set_mask_); }
    std::uint64_t tag_of(std::uint64_t vpn) const { return vpn >> set_bits_; }

    // The entry (set * ways + way) translating va with size index s for asid, or -1.
    // No side effects (the hot path calls hit() on success).
    int find(VirtAddr va, unsigned s, Asid asid) const {
        const std::uint64_t vpn = vpn_of(va, s);
        const std::uint64_t probe = key(vpn, s);
        const unsigned base = set_of(vpn) * ways_;
        const std::uint64_t* k = keys_.data() + base;
        for (unsigned w = 0; w < ways_; ++w) {
            if (k[w] == probe) {
                const Payload& p = data_[base + w];
                if (p.asid == asid.value || (p.flags & kGlobal)) return static_cast<int>(base + w);
            }
        }
        return -1;
    }
    const Payload& payload(int e) const { return data_[static_cast<unsigned>(e)]; }
    // The flat arrays (entry e = set * ways + way); stable for the structure's lifetime.
    const std::uint64_t* key_array() const { return keys_.data(); }
    const Payload* payload_array() const { return data_.data(); }
    std::uint64_t va_mask() const { return va_mask_; }
    std::uint64_t set_mask() const { return set_mask_; }
    static std::uint64_t key_of(std::uint64_t vpn, unsigned s) { return key(vpn, s); }
    // For the Mmu's first-level fast path, which applies hit() itself (counting its hits
    // in its own counters, added to stats() by the Mmu).
    TlbReplState& repl_state_mut() { return st_; }
    TlbHitAction hit_action() const { return action_; }
    // Records a hit on entry e: replacement bookkeeping and the hit counter.
    void hit(int e) {
        ++stats_.hits;
        if (action_ != TlbHitAction::None) st_.touch_entry(action_, static_cast<unsigned>(e));
    }

    // Probes every size for (va, asid), counts one lookup and, on success, the hit.
    // Returns the entry or -1. For stand-alone use; the Mmu uses find()/hit().
    int lookup(VirtAddr va, Asid asid);

    // Installs a translation of size index s for va. An entry that would match the same
    // lookups is overwritten in place (no eviction); otherwise the lowest invalid way, or
    // the policy's victim. Returns the entry used.
    int insert(VirtAddr va, unsigned s, const Payload& p);
    // Writes entry (set, way) directly (machine-state files). vpn must belong to set.
    void place(unsigned set, unsigned way, std::uint64_t vpn, unsigned s, const Payload& p, bool valid);

    // Removes one entry (not counted as a flush).
    void drop(int e) {
        keys_[static_cast<unsigned>(e)] = 0;
        ++stats_.invalidated;
    }

    // Invalidation; each returns the number of entries removed and counts one flush.
    unsigned invalidate_va(VirtAddr va, Asid asid);  // entries for va tagged asid, and global ones
    unsigned invalidate_va_all_asids(VirtAddr va);
    unsigned invalidate_asid(Asid asid);             // non-global entries of asid
    unsigned invalidate_all();
    unsigned invalidate_nonglobal();

    TlbEntryView entry(unsigned set, unsigned way) const;
    std::vector<TlbEntryView> entries() const;  // valid entries, by set then way
    unsigned valid_count() const;

    // Counters kept by the structure; `lookups` and `misses` are counted by lookup() only
    // (the Mmu counts lookups per level and composes them).
    const TlbStats& stats() const { return stats_; }
    void reset_stats();
    const TlbReplState& repl_state() const { return st_; }

private:
    // key: vpn << 4 | size index << 1 | valid. 0 = invalid. vpn < 2^60 since page shifts >= 4.
    static std::uint64_t key(std::uint64_t vpn, unsigned s) { return (vpn << 4) | (std::uint64_t{s} << 1) | 1u; }
    template <class Pred>
    unsigned invalidate_where(Pred pred);
    unsigned invalidate_key_in_set(std::uint64_t key, unsigned set, bool any_asid, Asid asid, bool keep_global);

    TlbConfig cfg_;
    unsigned sets_ = 1, ways_ = 1, set_bits_ = 0;
    std::uint64_t set_mask_ = 0;
    std::uint64_t va_mask_ = ~std::uint64_t{0};
    unsigned nsizes_ = 0;
    std::uint8_t shift_[8] = {};
    TlbHitAction action_ = TlbHitAction::None;
    std::vector<std::uint64_t> keys_;
    std::vector<Payload> data_;
    TlbReplState st_;
    std::unique_ptr<TlbReplacement> policy_;
    TlbStats stats_;
};

}  // namespace vmlab
