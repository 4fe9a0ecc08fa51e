// A one-CPU machine over any registered paging format, for tests that check a format's
// semantics through the real hardware walker (A/D handling, permissions, reserved
// encodings, walk lengths). One TLB holds every page size the format supports.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "vmlab/hw/machine.hpp"
#include "vmlab/hw/mmu.hpp"
#include "vmlab/hw/paging.hpp"
#include "vmlab/hw/phys_mem.hpp"

namespace vmlab::test {

struct FormatWalkEnv {
    std::unique_ptr<Machine> machine;
    std::unique_ptr<PageTable> pt;

    FormatWalkEnv(const std::string& format, AdMode ad, unsigned va_bits = 0,
                  std::uint64_t mem_bytes = std::uint64_t{1} << 30) {
        MachineConfig m;
        m.paging.format = format;
        m.paging.va_bits = va_bits;
        m.paging.ad_mode = ad;
        auto fmt = make_paging_format(format, PagingOptions{va_bits, ad});
        if (!fmt) {
            ADD_FAILURE() << fmt.error().str();
            return;
        }
        const auto sizes = (*fmt)->geometry().page_sizes();
        m.memory.bytes = mem_bytes;
        m.memory.frame = sizes.front();
        TlbConfig t;
        t.name = "TLB";
        t.level = 1;
        t.kind = TlbKind::Unified;
        t.page_sizes = sizes;
        t.entries = 64;
        t.ways = 4;
        m.mmu.tlbs = {t};
        auto mc = Machine::create(m);
        if (!mc) {
            ADD_FAILURE() << mc.error().str();
            return;
        }
        machine = std::move(*mc);
        auto p = PageTable::create(machine->format(), machine->mem());
        if (!p) {
            ADD_FAILURE() << p.error().str();
            return;
        }
        pt = std::move(*p);
        mmu().set_root(pt->root(), Asid{1});
    }

    Mmu& mmu() { return machine->mmu(0); }
    PhysMem& mem() { return machine->mem(); }
    const PagingFormat& format() const { return machine->format(); }

    // Maps va to a fresh block of frames of the page's size; returns its base.
    PhysAddr map(VirtAddr va, PageSize size, const LeafAttrs& a) {
        const unsigned order = size.shift - mem().frame_size().shift;
        auto pfn = mem().allocator().alloc(order);
        EXPECT_TRUE(pfn.has_value());
        const PhysAddr pa = pfn->addr(mem().frame_size());
        auto st = pt->map(va, pa, size, a);
        EXPECT_TRUE(st.has_value()) << (st ? "" : st.error().str());
        return pa;
    }
    std::uint64_t leaf_raw(VirtAddr va) { return pt->query(va).raw; }
    std::uint64_t refs() const { return machine->mmu(0).stats().walk_memory_refs; }
};

inline LeafAttrs leaf(bool write, bool exec, bool user, bool accessed = true, bool dirty = true) {
    LeafAttrs a;
    a.prot = Prot{true, write, exec, user};
    a.accessed = accessed;
    a.dirty = dirty;
    return a;
}

}  // namespace vmlab::test
