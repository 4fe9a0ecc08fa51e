// The TLB replacement policies: the interface a Tlb calls on fills, the replacement state
// it keeps per structure, and the registry of policies ("tlb-replacement"), one file each
// in src/hw/tlb/.
//
// A hit never calls the policy: each policy declares, at construction, which of a closed
// set of bookkeeping actions a hit performs (TlbHitAction), and the structure applies it
// with a switch. Only fills (a miss in that structure) call the policy object. A policy may
// declare parameters at its registration (ParamSpec); the factory receives them resolved.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <vector>

#include "vmlab/core/registry.hpp"
#include "vmlab/core/result.hpp"
#include "vmlab/core/rng.hpp"

namespace vmlab {

// What a hit (and, by default, a fill) does to the replacement state of its set.
enum class TlbHitAction : std::uint8_t {
    None,      // nothing (FIFO, random)
    Stamp,     // stamp[entry] = ++clock (LRU)
    TreeBits,  // tree-PLRU: every node on the way's path points away from it
    RefBit,    // ref[entry] = 1 (NRU, clock, second chance)
};

// The replacement metadata of one structure. Entry e = set * ways + way.
//
// Tree-PLRU nodes (ways must be a power of two): each set has ways-1 node bits numbered
// as a heap, node 0 the root, node n's children 2n+1 (lower half of n's ways) and 2n+2
// (upper half). A bit of 0 says "the pseudo-LRU way is in the lower half", 1 "in the
// upper half". For 4 ways:
//
//                 node 0            bit 0: go left (lower half)
//               /        \          bit 1: go right (upper half)
//          node 1        node 2
//          /    \        /    \      (a touch of way 1 sets node 0 = 1, node 1 = 0)
//       way 0  way 1  way 2  way 3
struct TlbReplState {
    unsigned sets = 1, ways = 1;
    unsigned ways_shift = 0;  // log2(ways) when ways is a power of two (TreeBits policies)
    std::vector<std::uint64_t> stamp;  // per entry
    std::vector<std::uint8_t> tree;    // per set, ways-1 node bits (TreeBits policies only)
    std::vector<std::uint8_t> ref;     // per entry (RefBit policies only)
    std::uint64_t clock = 0;
    Rng rng;

    void touch(TlbHitAction a, unsigned set, unsigned way) {
        switch (a) {
            case TlbHitAction::None: break;
            case TlbHitAction::Stamp: stamp_entry(set * ways + way); break;
            case TlbHitAction::TreeBits: tree_touch(set, way); break;
            case TlbHitAction::RefBit: ref[std::size_t(set) * ways + way] = 1; break;
        }
    }
    // The same, for entry e = set * ways + way (no division on the hit path).
    void touch_entry(TlbHitAction a, unsigned e) {
        switch (a) {
            case TlbHitAction::None: break;
            case TlbHitAction::Stamp: stamp_entry(e); break;
            case TlbHitAction::TreeBits: tree_touch(e >> ways_shift, e & (ways - 1)); break;
            case TlbHitAction::RefBit: ref[e] = 1; break;
        }
    }
    // LRU: the entry becomes the most recent. Stamps only order the entries of a set, so an
    // entry that already holds the latest stamp keeps it (the order is unchanged).
    void stamp_entry(unsigned e) {
        if (stamp[e] != clock || clock == 0) stamp[e] = ++clock;
    }
    void tree_touch(unsigned set, unsigned way);
    unsigned tree_victim(unsigned set) const;
    // The way with the smallest stamp (ties: lowest way).
    unsigned oldest_stamp(unsigned set) const;
};

// A replacement policy. Called only when a full set needs a victim and after each fill.
class TlbReplacement {
public:
    virtual ~TlbReplacement() = default;
    virtual TlbHitAction hit_action() const = 0;
    // Constraints on the geometry (e.g. tree-PLRU needs a power-of-two number of ways).
    virtual Status check(unsigned sets, unsigned ways) const { return ok(); }
    // The way to evict from a full set.
    virtual unsigned victim(TlbReplState& st, unsigned set) = 0;
    // After a fill into (set, way). Default: the same bookkeeping as a hit.
    virtual void on_fill(TlbReplState& st, unsigned set, unsigned way) { st.touch(hit_action(), set, way); }
};

// Builds a policy from its resolved parameters (every parameter the entry declares, defaults
// filled in: resolve_params over Entry::params and TlbConfig::replacement_params).
using TlbReplacementFactory = std::function<std::unique_ptr<TlbReplacement>(const ParamValues&)>;
Registry<TlbReplacementFactory>& tlb_replacements();

}  // namespace vmlab
