// The kernel's per-frame state: allocation, reference counts, flags, mappings.
#include "os/frame_table.hpp"

namespace vmlab::os {

FrameTable::FrameTable(PhysMem& mem)
    : mem_(mem),
      flags_(mem.frame_count()),
      refcount_(mem.frame_count()),
      mapcount_(mem.frame_count()),
      order_(mem.frame_count()),
      rmap_(mem.frame_count()) {
    auto z = alloc();
    VMLAB_ASSERT(z.has_value(), "no frame for the zero page");
    zero_pfn_ = *z;
    set(zero_pfn_, kPgZero);
    refcount_[zero_pfn_.value] = 1;
}

FrameTable::~FrameTable() {
    refcount_[zero_pfn_.value] = 0;
    free(zero_pfn_);
}

void FrameTable::reset(Pfn head, unsigned order) {
    const std::uint64_t n = std::uint64_t{1} << order;
    for (std::uint64_t i = 0; i < n; ++i) {
        const std::uint64_t f = head.value + i;
        flags_[f] = i ? kPgTail : 0;
        refcount_[f] = 0;
        mapcount_[f] = 0;
        order_[f] = 0;
    }
    if (order) {
        flags_[head.value] = kPgHead;
        order_[head.value] = static_cast<std::uint8_t>(order);
    }
}

std::optional<Pfn> FrameTable::alloc(unsigned order) {
    auto p = mem_.allocator().alloc(order);
    if (!p) return std::nullopt;
    mem_.zero_frames(*p, std::uint64_t{1} << order);
    reset(*p, order);
    return p;
}

void FrameTable::free(Pfn head) {
    VMLAB_ASSERT(!test(head, kPgTail), "freeing a tail frame of a block");
    VMLAB_ASSERT(mapcount_[head.value] == 0 && rmap_.empty(head), "freeing a mapped frame");
    const unsigned order = order_[head.value];
    const std::uint64_t n = std::uint64_t{1} << order;
    if (test(head, kPgAnon)) anon_pages_ -= n;
    if (test(head, kPgShmem)) shmem_pages_ -= n;
    for (std::uint64_t i = 0; i < n; ++i) {
        flags_[head.value + i] = 0;
        order_[head.value + i] = 0;
    }
    mem_.zero_frames(head, n);
    mem_.allocator().free(head, order);
}

void FrameTable::set_shmem(Pfn p) {
    VMLAB_ASSERT(!test(p, kPgShmem), "frame already shmem");
    flags_[p.value] |= kPgShmem;
    shmem_pages_ += frames(p);
}

}  // namespace vmlab::os
