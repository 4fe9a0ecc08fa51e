// The MMU of one CPU: TLB hierarchy, page-walk caches and the hardware page walker.
//
// translate() returns a physical address or a fault value (never throws). It looks up
// the TLBs level by level; on a miss the walker reads entries from page-table frames in
// PhysMem (after consulting the page-walk caches), updates accessed/dirty bits as the
// format says, checks permissions and fills the TLBs. Each step is charged by the cost
// model. The kernel changes MMU state only through set_root() and the flush calls, as a
// real kernel does (mov cr3 / invlpg / INVPCID, sfence.vma, TLBI).
//
// The TLB hierarchy. Structures serve a path: data accesses (reads, writes) use the Data
// and Unified structures, instruction fetches the Instruction and Unified ones. Levels are
// looked up in order (1 first); all structures of a level are probed together (one lookup
// counted for each of them), and looking up a level costs its latency, the largest
// hit_cycles among them, whether it hits or not. A hit at level k > 1 fills the structures
// of levels < k that hold that page size; a walk fills every level that holds it.
//
// A TLB entry that does not permit the access, or a write hitting an entry whose dirty flag
// is clear, is not used: the MMU walks again (SDM 4.8: the processor sets D through a walk;
// SDM 4.10.4.1 on stale entries), so a fault always reflects the page table as it is, a
// kernel may upgrade permissions without a flush, and AArch64 DBM pages become writable.
// A walk that faults drops the entries of that VA from the path's structures.
//
// The cost of a translation in cycles: the latency of every TLB level looked up, plus for a
// walk the PWC hit latency (when a PWC entry started it), memory_ref_cycles per entry read
// and ad_update_cycles per A/D write-back.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "vmlab/core/result.hpp"
#include "vmlab/core/stats.hpp"
#include "vmlab/core/types.hpp"
#include "vmlab/hw/paging.hpp"

namespace vmlab {

class PhysMem;

enum class FaultKind : std::uint8_t {
    None = 0,
    NotPresent,    // an entry on the walk was invalid (level says which)
    Protection,    // the leaf (or a table above it) forbids this access
    NonCanonical,  // the VA is not representable in this format
    ReservedBit,   // a present entry had a reserved bit set / illegal encoding
    AccessFlag,    // A/AF clear and the ISA is configured to fault (AArch64, RISC-V Svade)
    DirtyBit,      // write to a page with D clear, configured to fault (RISC-V Svade)
    BusError,      // a table entry pointed outside physical memory
};
const char* to_string(FaultKind k);

struct Fault {
    FaultKind kind = FaultKind::None;
    std::uint8_t level = 0;      // walk level where it was detected
    AccessKind access = AccessKind::Read;
    Privilege priv = Privilege::User;
    PermMask missing = 0;        // Protection: the permission bit that was needed
    VirtAddr va{};
};

struct Translation {
    PhysAddr pa{};
    PageSize size{};
    Fault fault;
    std::uint32_t cycles = 0;  // translation cost of this access
    bool ok() const { return fault.kind == FaultKind::None; }
};

// ---- configuration ------------------------------------------------------------------

// Which accesses a structure serves: Data = reads and writes, Instruction = fetches.
enum class TlbKind : std::uint8_t { Data, Instruction, Unified };
const char* to_string(TlbKind k);

struct TlbConfig {
    std::string name = "L1D";        // unique within the hierarchy
    unsigned level = 1;              // 1 = first looked up
    TlbKind kind = TlbKind::Data;
    std::vector<PageSize> page_sizes = {kPage4K};  // sizes this structure holds
    unsigned entries = 64;
    unsigned ways = 4;               // 0 = fully associative
    std::string replacement = "lru"; // registered TLB replacement policy
    ParamValues replacement_params;  // the policy's own parameters ([...tlb.replacement_params]); unset = default
    std::uint32_t hit_cycles = 1;
    Status validate() const;
};

struct PwcConfig {
    // entries[i] = entries caching level-i table entries (level 0 = root); a missing or 0
    // entry disables that level's cache. The last level is never cached here.
    std::vector<unsigned> entries = {};
    std::uint32_t hit_cycles = 1;
    Status validate() const;
};

struct CostConfig {
    std::uint32_t memory_ref_cycles = 100;  // one page-table entry read from memory
    std::uint32_t ad_update_cycles = 0;     // extra for a hardware A/D write-back
    std::uint32_t fault_cycles = 1000;      // trapping to the OS (charged by the OS layer)
    std::uint32_t shootdown_cycles = 2000;  // one TLB shootdown IPI (charged by the OS layer)
    Status validate() const;
};

struct MmuConfig {
    std::vector<TlbConfig> tlbs;
    PwcConfig pwc;
    CostConfig cost;
    bool pcid = true;       // tagged TLB entries (PCID/ASID); false = flush on root switch
    std::uint64_t seed = 0; // for random replacement; set by the machine from the run's seed
    Status validate() const;
};

// ---- statistics ---------------------------------------------------------------------

struct TlbStats {
    std::string name;
    // lookups: translations that reached this structure's level on a path it serves;
    // hits: lookups it answered; misses = lookups - hits (including lookups answered by
    // another structure of the same level, e.g. a 2 MiB page for the 4 KiB structure).
    std::uint64_t lookups = 0, hits = 0, misses = 0;
    std::uint64_t fills = 0, evictions = 0;   // evictions: valid entries replaced
    std::uint64_t flushes = 0, invalidated = 0;  // flush operations; entries they removed
};

struct MmuStats {
    std::uint64_t translations = 0;
    std::uint64_t tlb_hits = 0;       // satisfied by some TLB level
    std::uint64_t walks = 0;          // includes the re-walks below
    std::uint64_t dirty_rewalks = 0;  // write hit an entry with D clear (SDM 4.8)
    std::uint64_t permission_rewalks = 0;  // hit an entry that does not permit the access
    std::uint64_t walk_memory_refs = 0;
    std::uint64_t pwc_hits = 0, pwc_misses = 0;  // walks started from a PWC entry / not (PWC on)
    std::uint64_t faults = 0;
    std::uint64_t ad_updates = 0;
    std::uint64_t cycles = 0;         // total translation cycles
    std::vector<TlbStats> tlbs;       // per structure, in configuration order
    std::vector<std::uint64_t> pwc_hits_per_level;  // index = level whose entry was cached
    double average_cycles() const { return translations ? double(cycles) / double(translations) : 0.0; }
};

template <>
struct StatsFields<TlbStats> {
    static constexpr auto fields() {
        using T = TlbStats;
        return std::make_tuple(
            stat_label("name", &T::name, "the structure's name"),
            stat_counter("lookups", &T::lookups, "count", "translations that reached this structure"),
            stat_counter("hits", &T::hits, "count", "lookups it answered"),
            stat_counter("misses", &T::misses, "count", "lookups it did not answer"),
            stat_counter("fills", &T::fills, "count", "entries written"),
            stat_counter("evictions", &T::evictions, "count", "valid entries replaced"),
            stat_counter("flushes", &T::flushes, "count", "flush operations"),
            stat_counter("invalidated", &T::invalidated, "count", "entries removed by flushes"));
    }
};

template <>
struct StatsFields<MmuStats> {
    static constexpr auto fields() {
        using M = MmuStats;
        return std::make_tuple(
            stat_counter("translations", &M::translations, "count", "translations requested"),
            stat_counter("tlb_hits", &M::tlb_hits, "count", "translations satisfied by some TLB level"),
            stat_counter("walks", &M::walks, "count", "page walks, re-walks included"),
            stat_counter("dirty_rewalks", &M::dirty_rewalks, "count", "walks because a write hit an entry with D clear"),
            stat_counter("permission_rewalks", &M::permission_rewalks, "count",
                         "walks because a TLB entry did not permit the access"),
            stat_counter("walk_memory_refs", &M::walk_memory_refs, "count", "page-table entries read from memory"),
            stat_counter("pwc_hits", &M::pwc_hits, "count", "walks started from a page-walk-cache entry"),
            stat_counter("pwc_misses", &M::pwc_misses, "count", "walks the page-walk caches could not shorten"),
            stat_counter("faults", &M::faults, "count", "translations that faulted"),
            stat_counter("ad_updates", &M::ad_updates, "count", "accessed/dirty bits written by the walker"),
            stat_counter("cycles", &M::cycles, "cycles", "translation cycles"),
            stat_group("tlbs", &M::tlbs, "per TLB structure, in configuration order"),
            stat_counter("pwc_hits_per_level", &M::pwc_hits_per_level, "count",
                         "page-walk-cache hits by the level whose entry was cached"));
    }
};

// ---- explanation trace ----------------------------------------------------------------

// A record of one translation, step by step, for `vmlab explain`. Only filled when the
// caller passes a trace; the fast path never touches it.
struct TlbProbe {
    std::string structure;   // TLB name
    PageSize size{};
    std::uint64_t set = 0;
    std::uint64_t tag = 0;
    bool hit = false;
    int way = -1;
};
// One step of a walk. A page-walk-cache hit is a single step (pwc_hit) for the deepest
// cached level, standing for that level and those above it; decoded.addr is then the
// next table and decoded.allow the restrictions accumulated so far; entry_pa/raw are 0.
struct WalkStepTrace {
    unsigned level = 0;
    std::uint64_t index = 0;
    bool pwc_hit = false;    // the entry came from the page-walk cache (no memory read)
    PhysAddr entry_pa{};
    std::uint64_t raw = 0;
    DecodedEntry decoded;
    std::string flags;       // PagingFormat::describe
    bool ad_written = false; // hardware updated A/D in this entry
};
struct TranslationTrace {
    VirtAddr va{};
    AccessKind access = AccessKind::Read;
    Privilege priv = Privilege::User;
    std::vector<TlbProbe> tlb;  // every probe, level by level (each size of a mixed structure)
    int tlb_hit_level = 0;      // level that answered, 0 = none
    bool rewalk = false;        // a TLB entry was found but could not be used (see above)
    bool walked = false;
    int pwc_level = -1;         // the PWC level that started the walk, -1 = none
    std::vector<WalkStepTrace> walk;
    Translation result;
};

// One TLB entry as stored; `vpn` is in units of `size`.
struct TlbEntryView {
    unsigned set = 0, way = 0;
    bool valid = false;
    Vpn vpn{};
    std::uint64_t tag = 0;  // vpn / sets
    PageSize size{};
    PhysAddr base{};
    PermMask perms = 0;
    Asid asid{};
    bool global = false;
    bool dirty = false;
};

// ---- the MMU --------------------------------------------------------------------------

class MmuImpl;
struct TlbReplState;

namespace detail {
// Flag bits of a TLB payload word (asid | perms << 16 | flags << 24).
inline constexpr std::uint32_t kPayloadGlobal = std::uint32_t{1} << 24;
inline constexpr std::uint32_t kPayloadDirty = std::uint32_t{2} << 24;
// The bits of a payload word that must all be set for a hit to serve (priv, access): the
// permission, and for a write the dirty flag. Index = priv * 3 + access.
constexpr std::uint32_t payload_need(unsigned i) {
    return (std::uint32_t{1} << (16 + i)) | (i % 3 == 1 ? kPayloadDirty : 0);
}
inline constexpr std::uint32_t kPayloadNeed[6] = {payload_need(0), payload_need(1), payload_need(2),
                                                  payload_need(3), payload_need(4), payload_need(5)};
// The first probe of a path's first TLB level (one page size of one structure), flattened
// for the inline hit path of Mmu::translate. Built and kept current by MmuImpl (src/hw/
// mmu.cpp), which also uses it for the other first-level probes; user code never touches it.
//   keys:  the structure's packed keys, (vpn << 4) | size index << 1 | valid (Tlb::key_of)
//   data:  its Tlb::Payload array, 16 bytes per entry:
//            bytes 0..7 base | 8..9 asid | 10 perms | 11 flags (kGlobal 1, kDirty 2)
//   entry e = set * ways + way, set = vpn & set_mask.
struct MmuFastProbe {
    enum class Match : std::uint8_t { Ways1, Ways2, Ways4, Ways8, Any };
    static constexpr unsigned kNoWay = ~0u;
    static constexpr unsigned kOtherAsid = kNoWay - 1;
    static constexpr std::uint32_t kGlobalBit = kPayloadGlobal;
    static constexpr std::uint32_t kDirtyBit = kPayloadDirty;
    static constexpr const std::uint32_t* kNeed = kPayloadNeed;

    const std::uint64_t* keys = nullptr;
    const unsigned char* data = nullptr;
    std::uint64_t hits = 0;            // hits answered here since the last reset (added to
                                       // the structure's count by stats())
    std::uint64_t* stamp = nullptr;    // the structure's LRU stamps and clock (Stamp)
    std::uint64_t* clock = nullptr;
    TlbReplState* repl = nullptr;      // its replacement state (other actions)
    std::uint64_t set_mask = 0;
    std::uint64_t offset_mask = 0;
    std::uint64_t s_bits = 0;  // the key's size-index and valid bits
    std::uint64_t va_mask = 0, hi_mask = 0, canon_add = 0;  // see MmuImpl::representable()
    std::uint32_t cycles = 0;  // the level's latency
    // The page (VPN) of the last probe() through the hit path that found an entry, and that
    // entry; ~0 = none. Valid while TLB contents and the ASID stay as they were: MmuImpl
    // forgets it before anything changes them (walks and fills, flushes, set_root,
    // insert_tlb_entry). Hits change neither.
    std::uint64_t memo_vpn = ~std::uint64_t{0};
    unsigned memo_e = 0;
    unsigned ways = 0;
    std::uint16_t asid = 0;    // copy of the MMU's current ASID
    std::uint8_t action = 0;   // TlbHitAction: 0 None, 1 Stamp, others out of line
    Match match = Match::Any;
    std::uint8_t shift = 0;
    PageSize size{};
    unsigned tlb_index = 0;    // which structure (index into the MMU's TLBs)

    std::uint32_t word(unsigned e) const {
        std::uint32_t w;
        __builtin_memcpy(&w, data + std::size_t{e} * 16 + 8, sizeof w);
        return w;
    }
    std::uint64_t base(unsigned e) const {
        std::uint64_t b;
        __builtin_memcpy(&b, data + std::size_t{e} * 16, sizeof b);
        return b;
    }
    // The lowest way of k[0..W) holding key, or W: conditional moves from the highest way
    // down, no branch.
    template <unsigned W>
    [[gnu::always_inline]] static unsigned first_match(const std::uint64_t* k, std::uint64_t key) {
        unsigned found = W;
#pragma GCC unroll 8
        for (unsigned i = 0; i < W; ++i) found = k[W - 1 - i] == key ? W - 1 - i : found;
        return found;
    }
    static unsigned first_match_any(const std::uint64_t* k, std::uint64_t key, unsigned ways) {
        unsigned found = ways;
        for (unsigned w = ways; w-- > 0;) found = k[w] == key ? w : found;
        return found;
    }
    // The entry that Tlb::find would return for this page and the current ASID; kNoWay
    // when no entry holds the page's key, kOtherAsid when the first one that does belongs
    // to another ASID (Tlb::find would look further).
    [[gnu::always_inline]] unsigned probe(std::uint64_t vpn) const {
        const std::uint64_t key = (vpn << 4) | s_bits;
        const unsigned first = static_cast<unsigned>(vpn & set_mask) * ways;
        const std::uint64_t* k = keys + first;
        unsigned w;
        switch (match) {
            case Match::Ways1: w = k[0] == key ? 0 : 1; break;
            case Match::Ways2: w = first_match<2>(k, key); break;
            case Match::Ways4: w = first_match<4>(k, key); break;
            case Match::Ways8: w = first_match<8>(k, key); break;
            default: w = first_match_any(k, key, ways); break;
        }
        if (w >= ways) return kNoWay;
        const std::uint32_t wd = word(first + w);
        if (((wd ^ asid) & 0xffff) != 0 && !(wd & kGlobalBit)) return kOtherAsid;
        return first + w;
    }
};
}  // namespace detail

class Mmu {
public:
    // The format and memory must outlive the MMU. Config must be valid.
    Mmu(const MmuConfig& cfg, const PagingFormat& fmt, PhysMem& mem);
    ~Mmu();
    Mmu(Mmu&&) noexcept;
    Mmu& operator=(Mmu&&) noexcept;

    // The first-level hit through the path's first probe is inline (no call); everything
    // else goes to the out-of-line general path. Both give exactly the same results,
    // statistics and TLB state as translate_traced.
    [[gnu::always_inline]] Translation translate(VirtAddr va, AccessKind access, Privilege priv) {
        return first_level(
            va, access, priv, [](const Translation& t) __attribute__((always_inline)) { return t; },
            [&](int why) __attribute__((always_inline)) { return translate_general(va, access, priv, why); });
    }
    // translate()'s inline first-level hit alone, for callers with a slow path of their own
    // (Kernel::access_batch). True: `t` is what translate() returns, with the same effects.
    // False: nothing observable changed, and translate() gives the result (a miss, a walk,
    // a fault) as if this call had not been made.
    [[gnu::always_inline]] bool translate_hit(VirtAddr va, AccessKind access, Privilege priv, Translation& t) {
        return first_level(
            va, access, priv,
            [&](const Translation& hit) __attribute__((always_inline)) {
                t = hit;
                return true;
            },
            [](int) __attribute__((always_inline)) { return false; });
    }
    // Same, recording every step into `trace`.
    Translation translate_traced(VirtAddr va, AccessKind access, Privilege priv, TranslationTrace& trace);

    // Loads a new page-table root (CR3/TTBR0/satp) and the ASID that tags new entries.
    // Without PCID support the TLBs (non-global entries) and PWCs are flushed.
    void set_root(PhysAddr root, Asid asid);
    PhysAddr root() const;
    Asid asid() const;

    // Every flush also empties the page-walk caches of the ASIDs concerned (SDM 4.10.4.1).
    // flush_va removes the global entries of va as well (invlpg, TLBI VAE1), which is safe
    // for INVPCID type 0 / sfence.vma va,asid too, which would keep them.
    void flush_va(VirtAddr va, Asid asid);          // invlpg / INVPCID type 0 / TLBI VAE1
    void flush_va_all_asids(VirtAddr va);           // TLBI VAAE1 / sfence.vma va, x0
    void flush_asid(Asid asid);                     // INVPCID type 1 / TLBI ASIDE1
    void flush_all();                               // incl. global entries
    void flush_nonglobal();                         // mov cr3 without PCID

    // Inserts an entry directly (machine-state files). With set >= 0 the VPN is
    // (tag << log2(sets)) | set and `vpn` is ignored; way -1 lets the policy place it.
    // Errors (unknown structure, size not held, position out of range, unaligned base)
    // name the field.
    struct TlbEntryInit {
        std::string structure;
        int set = -1, way = -1;  // -1 = let the policy place it
        Vpn vpn{};               // in units of `size`
        PageSize size{};
        PhysAddr base{};
        PermMask perms = kPermAll;
        Asid asid{};
        bool global = false;
        bool dirty = true;
        bool valid = true;
        std::uint64_t tag = 0;   // when set >= 0: the raw tag stored in that set/way
    };
    Status insert_tlb_entry(const TlbEntryInit& e);

    // The valid entries of one structure (by set, then way); error for an unknown name.
    Result<std::vector<TlbEntryView>> tlb_entries(const std::string& structure) const;

    const MmuStats& stats() const;
    void reset_stats();
    const MmuConfig& config() const;
    const PagingFormat& format() const;

private:
    static constexpr int kOtherSizes = 1, kGeneral = 2;  // MmuImpl::Fast values
    // The inline part of translate(): on a hit through the path's first probe, returns
    // hit(translation); otherwise miss(why), why = the hint for translate_general.
    template <class Hit, class Miss>
    [[gnu::always_inline]] auto first_level(VirtAddr va, AccessKind access, Privilege priv, Hit&& hit, Miss&& miss)
        -> decltype(miss(0)) {
        detail::MmuFastProbe& p = *first_[static_cast<unsigned>(access)];
        const std::uint32_t need =
            detail::MmuFastProbe::kNeed[static_cast<unsigned>(priv) * 3 + static_cast<unsigned>(access)];
        const std::uint64_t v = va.value;
        int why = kGeneral;
        if (__builtin_expect(((v + p.canon_add) & p.hi_mask) == 0, 1)) {  // representable
            const std::uint64_t vpn = (v & p.va_mask) >> p.shift;
            unsigned e = p.memo_e;
            if (vpn != p.memo_vpn) {
                e = p.probe(vpn);
                if (__builtin_expect(e >= detail::MmuFastProbe::kOtherAsid, 0)) {
                    why = e == detail::MmuFastProbe::kNoWay ? kOtherSizes : kGeneral;
                    return miss(why);
                }
                p.memo_vpn = vpn;
                p.memo_e = e;
            }
            if (__builtin_expect((p.word(e) & need) == need, 1)) {  // usable
                ++p.hits;  // translations, lookups, TLB hits and cycles are derived in stats()
                if (p.action == 1) {
                    // LRU (TlbReplState::stamp_entry; an entry is only hit after a fill
                    // stamped it, so the clock is not 0 here).
                    if (p.stamp[e] != *p.clock) p.stamp[e] = ++*p.clock;
                } else if (p.action != 0) {
                    touch_other(p, e);
                }
                Translation t;
                t.pa = PhysAddr{p.base(e) | (v & p.offset_mask)};
                t.size = p.size;
                t.cycles = p.cycles;
                return hit(t);
            }
        }
        return miss(why);
    }
    // Everything the inline hit path declined: OtherSizes = the first probe holds no entry
    // for the VA, General = anything else (see MmuImpl::general).
    [[gnu::noinline]] Translation translate_general(VirtAddr va, AccessKind access, Privilege priv, int why);
    // The hit action of a policy other than LRU and none (TlbReplState::touch_entry).
    [[gnu::noinline]] static void touch_other(detail::MmuFastProbe& p, unsigned e);

    std::unique_ptr<MmuImpl> impl_;
    detail::MmuFastProbe* first_[3] = {};  // the first probe of each access's path, in *impl_
};

}  // namespace vmlab
