// The kernel's per-frame state (struct page / folio): page flags, reference and map
// counts, the compound order of a multi-frame block, and the reverse map, as flat arrays
// indexed by Pfn. Also owns the shared zero page. PhysMem keeps only what the hardware
// and the frame allocator need (contents, zones, free/reserved/page-table marks).
//
// A block of 2^order frames (a 2 MiB or 1 GiB leaf) is one unit: its counts, flags and
// rmap live on the head frame; the other frames are marked kPgTail.
#pragma once

#include <cstdint>
#include <optional>

#include "vmlab/core/types.hpp"
#include "vmlab/core/zeroed_array.hpp"
#include "vmlab/hw/phys_mem.hpp"
#include "os/mm/rmap.hpp"

namespace vmlab::os {

// Kernel page flags (Linux's page flags and the PageAnonExclusive-like bits).
enum PageFlag : std::uint16_t {
    kPgAnon = 1u << 0,
    kPgFile = 1u << 1,
    kPgSwapCache = 1u << 2,
    kPgDirty = 1u << 3,
    kPgReferenced = 1u << 4,
    kPgLocked = 1u << 5,
    kPgMlocked = 1u << 6,
    kPgWriteback = 1u << 7,
    kPgZero = 1u << 8,           // the shared zero page
    kPgAnonExclusive = 1u << 9,  // this anon page has one owner
    kPgLazyFree = 1u << 10,      // MADV_FREE'd and clean
    kPgShmem = 1u << 11,         // belongs to a shmem object
    kPgDiverged = 1u << 12,      // file page changed in the simulation, not written to the host
    kPgHead = 1u << 13,          // first frame of a block of order > 0
    kPgTail = 1u << 14,          // other frames of such a block
};

class FrameTable {
public:
    // Takes one frame from mem's allocator for the zero page; mem must outlive the table.
    explicit FrameTable(PhysMem& mem);
    // Returns the zero page. Every other frame must have been freed.
    ~FrameTable();
    FrameTable(const FrameTable&) = delete;
    FrameTable& operator=(const FrameTable&) = delete;

    // A zeroed block of 2^order frames with no flags and counts of zero; nullopt when the
    // allocator has none.
    std::optional<Pfn> alloc(unsigned order = 0);
    // Returns a block (its head) to the allocator. It must be unmapped (mapcount 0, no rmap).
    void free(Pfn head);
    // Reference counting (get_page / put_page): the last put frees the block. The zero
    // page is never counted.
    void get(Pfn p) { ++refcount_[p.value]; }
    void put(Pfn p) {
        if (is_zero(p)) return;
        std::uint32_t& rc = refcount_[p.value];
        VMLAB_ASSERT(rc > 0, "page reference count underflow");
        if (--rc == 0) free(p);
    }
    std::uint32_t refcount(Pfn p) const { return refcount_[p.value]; }
    unsigned order(Pfn head) const { return order_[head.value]; }
    std::uint64_t frames(Pfn head) const { return std::uint64_t{1} << order_[head.value]; }

    std::uint16_t flags(Pfn p) const { return flags_[p.value]; }
    bool test(Pfn p, PageFlag f) const { return (flags_[p.value] & f) != 0; }
    void set(Pfn p, PageFlag f) { flags_[p.value] |= f; }
    void clear(Pfn p, PageFlag f) { flags_[p.value] &= static_cast<std::uint16_t>(~f); }
    // A new anonymous block owned by one process (PageAnon + PageAnonExclusive); counted
    // in anon_pages until freed.
    void set_anon(Pfn p) {
        VMLAB_ASSERT(!test(p, kPgAnon), "frame already anonymous");
        flags_[p.value] |= kPgAnon | kPgAnonExclusive;
        anon_pages_ += frames(p);
    }
    // A page of a shmem object; counted in shmem_pages until freed.
    void set_shmem(Pfn p);
    std::uint64_t anon_pages() const { return anon_pages_; }
    std::uint64_t shmem_pages() const { return shmem_pages_; }

    // A leaf of `size` mapping the block headed by p at (mm, va) appears or goes: map
    // count and rmap. A leaf maps a whole block: size is the block's bytes.
    void add_mapping(Pfn p, Mm* mm, VirtAddr va, PageSize size) {
        ++mapcount_[p.value];
        rmap_.add(p, mm, va, size);
    }
    void remove_mapping(Pfn p, const Mm* mm, VirtAddr va) {
        rmap_.remove(p, mm, va);
        std::uint32_t& mc = mapcount_[p.value];
        VMLAB_ASSERT(mc > 0, "map count underflow");
        --mc;
    }
    // A mapping moved from va to nva (mremap) without changing counts.
    void move_mapping(Pfn p, Mm* mm, VirtAddr va, VirtAddr nva, PageSize size) {
        rmap_.remove(p, mm, va);
        rmap_.add(p, mm, nva, size);
    }
    std::uint32_t mapcount(Pfn p) const { return mapcount_[p.value]; }
    const Rmap& rmap() const { return rmap_; }

    Pfn zero_pfn() const { return zero_pfn_; }
    bool is_zero(Pfn p) const { return p == zero_pfn_; }

private:
    void reset(Pfn head, unsigned order);
    PhysMem& mem_;
    ZeroedArray<std::uint16_t> flags_;
    ZeroedArray<std::uint32_t> refcount_, mapcount_;
    ZeroedArray<std::uint8_t> order_;
    Rmap rmap_;
    Pfn zero_pfn_{};
    std::uint64_t anon_pages_ = 0, shmem_pages_ = 0;  // in base frames
};

}  // namespace vmlab::os
