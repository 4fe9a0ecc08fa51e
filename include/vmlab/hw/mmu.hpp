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

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "vmlab/core/result.hpp"
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

class Mmu {
public:
    // The format and memory must outlive the MMU. Config must be valid.
    Mmu(const MmuConfig& cfg, const PagingFormat& fmt, PhysMem& mem);
    ~Mmu();
    Mmu(Mmu&&) noexcept;
    Mmu& operator=(Mmu&&) noexcept;

    Translation translate(VirtAddr va, AccessKind access, Privilege priv);
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
    std::unique_ptr<MmuImpl> impl_;
};

}  // namespace vmlab
