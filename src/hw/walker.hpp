// The hardware page walker, generic over PagingFormat.
//
// A walk for (va, access, privilege) under (root, asid):
//   1. the VA must be canonical for the format (else NonCanonical, no memory read);
//   2. the page-walk caches are probed from the deepest cached level up; a hit at level i
//      gives the level-(i+1) table and the restrictions of levels 0..i;
//   3. from there, one entry per level is read from PhysMem (entry_bytes wide, little
//      endian) and decoded by the format. An entry outside memory is a BusError; an
//      invalid one NotPresent; a reserved encoding ReservedBit. Table entries AND their
//      restrictions (DecodedEntry::allow) into the walk's and, with ad_mode=Hardware on a
//      format whose hardware sets A in table entries (x86), get A set in memory;
//   4. at the leaf, the permission for (privilege, access) must be in allow(tables) &
//      allow(leaf), else Protection (the leaf's A/D are then left untouched). A clear A,
//      or a write to a page whose D is clear, is written back to memory through
//      set_accessed/set_dirty (ad_mode=Hardware) or faults AccessFlag/DirtyBit
//      (ad_mode=Fault). A write to a read-only page with DBM set (AArch64) is allowed in
//      Hardware mode when set_dirty makes the page writable; the TLB then caches the
//      writable, dirty entry;
//   5. the whole page must lie in memory (BusError otherwise), since the TLB entry will
//      answer for every byte of it.
#pragma once

#include <cstdint>
#include <vector>

#include "hw/pwc.hpp"
#include "vmlab/hw/mmu.hpp"
#include "vmlab/hw/paging.hpp"

namespace vmlab {

class PhysMem;

struct WalkOutcome {
    FaultKind fault = FaultKind::None;
    std::uint8_t fault_level = 0;
    PermMask missing = 0;
    PhysAddr base{};          // page base
    PageSize size{};
    PermMask perms = 0;       // effective permissions (tables & leaf), after A/D updates
    bool global = false;
    bool dirty = false;
    unsigned leaf_level = 0;
    std::uint32_t mem_refs = 0;
    std::uint32_t ad_writes = 0;
    int pwc_level = -1;       // the level whose cached entry started the walk, or -1
    std::uint32_t cycles = 0;
};

class Walker {
public:
    Walker(const PagingFormat& fmt, PhysMem& mem, const CostConfig& cost, PageWalkCache& pwc,
           std::uint32_t pwc_hit_cycles);

    // `steps` (optional) receives one record per level visited; a PWC hit is one record
    // (pwc_hit = true) for the deepest cached level, standing for the levels above it.
    WalkOutcome walk(VirtAddr va, AccessKind access, Privilege priv, PhysAddr root, Asid asid,
                     std::vector<WalkStepTrace>* steps) {
        return steps ? walk_impl<true>(va, access, priv, root, asid, steps)
                     : walk_impl<false>(va, access, priv, root, asid, nullptr);
    }

private:
    template <bool Traced>
    WalkOutcome walk_impl(VirtAddr va, AccessKind access, Privilege priv, PhysAddr root, Asid asid,
                          std::vector<WalkStepTrace>* steps);
    // The geometry's levels, flattened for the loop.
    struct Lv {
        std::uint64_t index_mask = 0;
        std::uint8_t shift = 0;
        std::uint8_t entry_bytes = 8;
        bool leaf_allowed = false;
        bool pwc = false;  // this level has a page-walk cache
        PagingFormat::TableShortcut shortcut;  // the format's, copied
    };
    std::vector<Lv> lv_;

    const PagingFormat& fmt_;
    const PagingGeometry& geo_;
    PhysMem& mem_;
    CostConfig cost_;
    PageWalkCache& pwc_;
    std::uint32_t pwc_hit_cycles_;
    std::uint64_t va_mask_;
    bool hw_ad_;
    bool table_a_;
};

}  // namespace vmlab
