// Page-walk caches (Intel's "paging-structure caches", SDM Vol. 3A 4.10.3; AMD's PWC).
//
// For each upper level i with a cache, entries map (ASID, VA prefix down to level i) to
// what the level-i entry said: the physical address of the level-(i+1) table, and the
// permissions the entries on the way removed (the AND of R/W and U/S, the OR of NX — kept
// as an allow mask). The prefix is the VA (reduced to va_bits) shifted right by level i's
// index shift, so it names the level-0..i indices. Each level is fully associative with
// true LRU replacement. The last level is never cached (its entries are TLB entries).
//
// The walker probes from the deepest cached level up and starts at the level below the
// deepest hit. Entries are tagged like TLB entries (ASID/PCID); table entries are never
// global. Flushes: INVLPG and every TLB invalidation flush the whole paging-structure
// caches of the ASID concerned (SDM 4.10.4.1: INVLPG "invalidates all entries in all
// paging-structure caches associated with the current PCID, regardless of the linear
// addresses to which they correspond").
#pragma once

#include <cstdint>
#include <vector>

#include "vmlab/core/types.hpp"
#include "vmlab/hw/mmu.hpp"

namespace vmlab {

class PageWalkCache {
public:
    struct Hit {
        std::uint64_t next_table = 0;  // PA of the level-(i+1) table
        PermMask allow = kPermAll;     // restrictions accumulated by levels 0..i
    };

    // `depth`: levels of the paging format; caches exist for levels 0 .. depth-2.
    PageWalkCache(const PwcConfig& cfg, unsigned depth);

    bool enabled() const { return deepest_ >= 0; }
    // The deepest level with a cache, or -1.
    int deepest_level() const { return deepest_; }
    bool has_level(unsigned level) const { return level < levels_.size() && !levels_[level].empty(); }
    unsigned capacity(unsigned level) const { return has_level(level) ? unsigned(levels_[level].size()) : 0; }

    // Looks up level `level` for (asid, prefix); a hit refreshes the entry's LRU age.
    bool lookup(unsigned level, std::uint64_t prefix, Asid asid, Hit& out);
    void insert(unsigned level, std::uint64_t prefix, Asid asid, const Hit& h);

    unsigned flush_asid(Asid asid);
    unsigned flush_all();

    unsigned valid_count(unsigned level) const;

private:
    struct Entry {
        std::uint64_t prefix = 0;
        std::uint64_t next = 0;
        std::uint64_t stamp = 0;
        std::uint16_t asid = 0;
        PermMask allow = 0;
        bool valid = false;
    };
    std::vector<std::vector<Entry>> levels_;
    int deepest_ = -1;
    std::uint64_t clock_ = 0;
};

}  // namespace vmlab
