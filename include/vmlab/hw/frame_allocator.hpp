// The frame allocator extension point: hands out power-of-two blocks of PhysMem's frames.
// Implementations register a factory by name in frame_allocators() (PhysMemConfig::allocator
// names one); the buddy allocator lives in src/os/page_alloc/buddy.cpp.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <vector>

#include "vmlab/core/registry.hpp"
#include "vmlab/core/stats.hpp"
#include "vmlab/core/types.hpp"

namespace vmlab {

class PhysMem;

struct FragmentationStats {
    std::uint64_t free_frames = 0;
    std::vector<std::uint64_t> free_blocks_per_order;  // index = order
    unsigned largest_free_order = 0;
    // Unusable free space index for order k (Gorman): the fraction of free memory in
    // blocks too small to satisfy an order-k request. Index = order.
    std::vector<double> unusable_index;
};

struct FrameAllocStats {
    std::uint64_t allocs = 0, frees = 0, failures = 0, splits = 0, merges = 0;
};

template <>
struct StatsFields<FrameAllocStats> {
    static constexpr auto fields() {
        using F = FrameAllocStats;
        return std::make_tuple(stat_counter("allocs", &F::allocs, "count", "blocks allocated"),
                               stat_counter("frees", &F::frees, "count", "blocks freed"),
                               stat_counter("failures", &F::failures, "count", "allocations that found no block"),
                               stat_counter("splits", &F::splits, "count", "blocks split into two buddies"),
                               stat_counter("merges", &F::merges, "count", "buddies merged into a larger block"));
    }
};

// A frame allocator over PhysMem. It marks the frames it owns kFrameFree and those never
// handed out kFrameReserved (PhysMem's flags); it knows nothing else about a frame.
class FrameAllocator {
public:
    virtual ~FrameAllocator() = default;
    // Allocates 2^order contiguous frames aligned to 2^order frames, from `zone` or a
    // lower zone (zone index as in PhysMemConfig::zones; -1 = highest). nullopt when full.
    virtual std::optional<Pfn> alloc(unsigned order, int zone = -1) = 0;
    virtual void free(Pfn first, unsigned order) = 0;
    virtual std::uint64_t free_frames() const = 0;
    virtual std::uint64_t free_frames_in_zone(unsigned zone) const = 0;
    virtual FragmentationStats fragmentation() const = 0;
    virtual const FrameAllocStats& stats() const = 0;
    virtual unsigned max_order() const = 0;
};

using FrameAllocatorFactory = std::function<std::unique_ptr<FrameAllocator>(PhysMem&)>;

Registry<FrameAllocatorFactory>& frame_allocators();

}  // namespace vmlab
