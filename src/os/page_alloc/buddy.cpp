// The binary buddy allocator (Knuth, TAOCP vol. 1 §2.5; Linux mm/page_alloc.c).
//
// Free memory is kept as blocks of 2^k frames aligned to 2^k frames, on one free list per
// (zone, order). An allocation of order k takes the smallest free block of order >= k in
// its zone (falling back to lower zones) and splits it, putting the upper halves back on
// the lists; a freed block merges with its buddy (the block whose frame number differs
// only in bit k) while the buddy is free, of the same order and in the same zone.
//
// Free lists are intrusive: the links live in per-frame arrays that are only written at the
// first frame of a free block, so building tens of GiB of memory touches a handful of
// entries per zone (plus one write of each frame's flags to mark it free).
//
//   order_[pfn] = k + 1  at the first frame of a free block of order k, else 0
//   next_/prev_[pfn]     = frame number + 1 of the neighbours in that block's list (0 = none)
//
// Parameter `max_order`: the largest block order. 0 (the default) = automatic: the larger
// of the order of 1 GiB in frames and log2 of the frame count, so that every page size up
// to 1 GiB can be allocated. A smaller value caps blocks (and so the largest allocation).
#include <algorithm>
#include <bit>

#include "vmlab/hw/phys_mem.hpp"

namespace vmlab {
namespace {

class BuddyAllocator final : public FrameAllocator {
public:
    BuddyAllocator(PhysMem& mem, unsigned max_order) : mem_(mem) {
        const std::uint64_t n = mem.frame_count();
        const unsigned fshift = mem.frame_size().shift;
        const unsigned order_1g = fshift <= 30 ? 30 - fshift : 0;
        const unsigned order_mem = static_cast<unsigned>(std::bit_width(n) - 1);
        max_order_ = max_order != 0 ? max_order : std::max(order_1g, order_mem);

        order_ = ZeroedArray<std::uint8_t>(n);
        next_ = ZeroedArray<std::uint64_t>(n);
        prev_ = ZeroedArray<std::uint64_t>(n);

        const std::uint64_t reserved_frames =
            (mem.config().reserved_bytes + mem.frame_size().mask()) >> mem.frame_size().shift;
        zones_.resize(mem.zone_count());
        for (unsigned z = 0; z < mem.zone_count(); ++z) {
            Zone& zone = zones_[z];
            zone.start = mem.zone_start(z).value;
            zone.end = mem.zone_end(z).value;
            zone.head.assign(max_order_ + 1, 0);
            zone.count.assign(max_order_ + 1, 0);
            std::uint64_t pfn = zone.start;
            for (; pfn < zone.end && pfn < reserved_frames; ++pfn) mem_.set_flag(Pfn{pfn}, kFrameReserved);
            // Carve [pfn, end) into the largest aligned blocks that fit.
            while (pfn < zone.end) {
                unsigned k = pfn == 0 ? max_order_ : std::min<unsigned>(max_order_, std::countr_zero(pfn));
                while ((std::uint64_t{1} << k) > zone.end - pfn) --k;
                for (std::uint64_t i = 0; i < (std::uint64_t{1} << k); ++i) mem_.set_flag(Pfn{pfn + i}, kFrameFree);
                push(zone, pfn, k);
                zone.free += std::uint64_t{1} << k;
                pfn += std::uint64_t{1} << k;
            }
        }
    }

    std::optional<Pfn> alloc(unsigned order, int zone) override {
        VMLAB_ASSERT(zone < static_cast<int>(zones_.size()), "zone index out of range");
        if (order > max_order_) {
            ++stats_.failures;
            return std::nullopt;
        }
        const int top = zone < 0 ? static_cast<int>(zones_.size()) - 1 : zone;
        for (int z = top; z >= 0; --z) {
            Zone& zn = zones_[static_cast<unsigned>(z)];
            if (zn.free < (std::uint64_t{1} << order)) continue;
            unsigned k = order;
            while (k <= max_order_ && zn.head[k] == 0) ++k;
            if (k > max_order_) continue;
            const std::uint64_t pfn = zn.head[k] - 1;
            remove(zn, pfn, k);
            while (k > order) {
                --k;
                push(zn, pfn + (std::uint64_t{1} << k), k);
                ++stats_.splits;
            }
            for (std::uint64_t i = 0; i < (std::uint64_t{1} << order); ++i) mem_.clear_flag(Pfn{pfn + i}, kFrameFree);
            zn.free -= std::uint64_t{1} << order;
            ++stats_.allocs;
            return Pfn{pfn};
        }
        ++stats_.failures;
        return std::nullopt;
    }

    void free(Pfn first, unsigned order) override {
        VMLAB_ASSERT(order <= max_order_, "free of a block larger than the maximum order");
        std::uint64_t pfn = first.value;
        const std::uint64_t size = std::uint64_t{1} << order;
        VMLAB_ASSERT((pfn & (size - 1)) == 0, "freed block is not aligned to its order");
        VMLAB_ASSERT(pfn < mem_.frame_count() && size <= mem_.frame_count() - pfn, "freed block outside memory");
        Zone& zn = zones_[mem_.zone_of(first)];
        VMLAB_ASSERT(pfn + size <= zn.end, "freed block crosses a zone boundary");
        for (std::uint64_t i = 0; i < size; ++i) {
            const Pfn p{pfn + i};
            VMLAB_ASSERT(!mem_.has_flag(p, kFrameFree), "double free of a frame");
            VMLAB_ASSERT(!mem_.has_flag(p, kFrameReserved), "free of a reserved frame");
            mem_.set_flag(p, kFrameFree);
        }
        ++stats_.frees;
        zn.free += size;
        unsigned k = order;
        while (k < max_order_) {
            const std::uint64_t buddy = pfn ^ (std::uint64_t{1} << k);
            const std::uint64_t merged = std::min(pfn, buddy);
            if (merged < zn.start || merged + (std::uint64_t{2} << k) > zn.end) break;
            if (order_[buddy] != k + 1) break;
            remove(zn, buddy, k);
            ++stats_.merges;
            pfn = merged;
            ++k;
        }
        push(zn, pfn, k);
    }

    std::uint64_t free_frames() const override {
        std::uint64_t n = 0;
        for (const Zone& z : zones_) n += z.free;
        return n;
    }
    std::uint64_t free_frames_in_zone(unsigned zone) const override { return zones_.at(zone).free; }

    FragmentationStats fragmentation() const override {
        FragmentationStats f;
        f.free_blocks_per_order.assign(max_order_ + 1, 0);
        f.unusable_index.assign(max_order_ + 1, 0.0);
        for (const Zone& z : zones_)
            for (unsigned k = 0; k <= max_order_; ++k) f.free_blocks_per_order[k] += z.count[k];
        for (unsigned k = 0; k <= max_order_; ++k) {
            f.free_frames += f.free_blocks_per_order[k] << k;
            if (f.free_blocks_per_order[k]) f.largest_free_order = k;
        }
        // Unusable free space index (Gorman & Whitcroft): the share of free memory held in
        // blocks smaller than 2^k frames. With no free memory at all, everything counts as
        // unusable (1), as in Linux's unusable_free_index().
        std::uint64_t suitable = 0;  // frames in blocks of order >= k
        for (unsigned k = max_order_ + 1; k-- > 0;) {
            suitable += f.free_blocks_per_order[k] << k;
            f.unusable_index[k] =
                f.free_frames == 0 ? 1.0 : double(f.free_frames - suitable) / double(f.free_frames);
        }
        return f;
    }

    const FrameAllocStats& stats() const override { return stats_; }
    unsigned max_order() const override { return max_order_; }

private:
    struct Zone {
        std::uint64_t start = 0, end = 0;  // frames [start, end)
        std::vector<std::uint64_t> head;   // per order: first block's pfn + 1, 0 = empty
        std::vector<std::uint64_t> count;  // per order: blocks on the list
        std::uint64_t free = 0;
    };

    void push(Zone& z, std::uint64_t pfn, unsigned k) {
        order_[pfn] = static_cast<std::uint8_t>(k + 1);
        prev_[pfn] = 0;
        next_[pfn] = z.head[k];
        if (z.head[k]) prev_[z.head[k] - 1] = pfn + 1;
        z.head[k] = pfn + 1;
        ++z.count[k];
    }

    void remove(Zone& z, std::uint64_t pfn, unsigned k) {
        VMLAB_ASSERT(order_[pfn] == k + 1, "block is not on the free list of its order");
        const std::uint64_t n = next_[pfn], p = prev_[pfn];
        if (p) next_[p - 1] = n;
        else z.head[k] = n;
        if (n) prev_[n - 1] = p;
        order_[pfn] = 0;
        next_[pfn] = prev_[pfn] = 0;
        --z.count[k];
    }

    PhysMem& mem_;
    unsigned max_order_ = 0;
    std::vector<Zone> zones_;
    ZeroedArray<std::uint8_t> order_;
    ZeroedArray<std::uint64_t> next_, prev_;
    FrameAllocStats stats_;
};

const std::vector<ParamSpec>& buddy_params() {
    static const std::vector<ParamSpec> p = {
        ParamSpec::integer("max_order", 0, 0, 62,
                           "largest block order (2^max_order frames); 0 = automatic: enough for 1 GiB pages and for "
                           "the whole memory"),
    };
    return p;
}

std::unique_ptr<FrameAllocator> make_buddy(PhysMem& mem) {
    auto p = resolve_params(buddy_params(), mem.config().allocator_params, "frame allocator 'buddy'");
    VMLAB_ASSERT(p.has_value(), "invalid buddy parameters (PhysMemConfig not validated)");
    return std::make_unique<BuddyAllocator>(mem, static_cast<unsigned>(p->get_int("max_order")));
}

VMLAB_REGISTER(frame_allocators(), "buddy", "binary buddy allocator with zones (Linux-style free lists per order)",
               make_buddy, buddy_params());

}  // namespace
}  // namespace vmlab
