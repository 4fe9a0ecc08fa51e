// A 2 MiB leaf mapped through the kernel's internal interface: one block of 512 frames is
// one mapping, counted in RSS and smaps by its bytes, translated by the MMU as one page,
// and freed whole by munmap.
#include <gtest/gtest.h>

#include <cstring>

#include "os/internal.hpp"
#include "vmlab/config/config.hpp"

using namespace vmlab;
using namespace vmlab::os;

namespace {

constexpr std::uint64_t k2M = std::uint64_t{2} << 20;

struct HugeLeafFixture : ::testing::Test {
    void SetUp() override {
        auto cfg = load_preset("x86_64");
        ASSERT_TRUE(cfg) << cfg.error().str();
        MachineConfig mc = cfg->machine;
        mc.cpus = 1;
        auto m = Machine::create(mc);
        ASSERT_TRUE(m) << m.error().str();
        machine = std::move(*m);
        k = std::make_unique<KernelImpl>(*machine, KernelConfig{}, rng);
        // A process as spawn makes one, without a stack: an mm, the process, its thread.
        auto mm = k->new_mm(nullptr);
        ASSERT_TRUE(mm);
        p = &k->new_process("huge", 0);
        mm->owner = p;
        p->mm = std::move(mm);
        t = &k->new_thread(*p, p->pid);
        ASSERT_EQ(k->enter(t->tid), t);
    }
    // An anonymous private read/write VMA of [va, va + len).
    Vma* anon_vma(VirtAddr va, std::uint64_t len) {
        const VmFlags f = vm::kRead | vm::kWrite | vm::kMayRead | vm::kMayWrite | vm::kMayExec;
        auto r = k->mmap_region(*p, t, nullptr, va, len, f, va.value >> 12);
        EXPECT_TRUE(r.ok());
        Vma* v = p->mm->vmas.find(va);
        EXPECT_TRUE(v);
        if (v) k->anon_vma_prepare(*p->mm, *v);
        return v;
    }
    // A new anonymous 2 MiB block mapped writable at va.
    Pfn map_huge(Vma& v, VirtAddr va) {
        auto f = k->frames_.alloc(9);
        EXPECT_TRUE(f);
        if (!f) return Pfn{};
        k->frames_.set_anon(*f);
        EXPECT_TRUE(k->map_page(*p->mm, v, va, *f, kPage2M, true, true, true));
        return *f;
    }

    Rng rng{1};
    std::unique_ptr<Machine> machine;
    std::unique_ptr<KernelImpl> k;
    Process* p = nullptr;
    Thread* t = nullptr;
};

TEST_F(HugeLeafFixture, MappedCountedTranslatedAndFreedWhole) {
    const VirtAddr va{0x40000000};  // 2 MiB aligned
    Vma* v = anon_vma(va, k2M);
    ASSERT_TRUE(v);
    PhysMem& mem = machine->mem();
    const Pfn f = map_huge(*v, va);
    ASSERT_EQ(f.value % 512, 0u) << "a 2 MiB block is aligned to 512 frames";

    // One 2 MiB leaf in the page table, one mapping of the block in the rmap.
    const PteView pte = p->mm->pt->query(va + 0x1234);
    ASSERT_TRUE(pte.present);
    EXPECT_EQ(pte.size, kPage2M);
    EXPECT_EQ(pte.base, f.addr(kPage4K));
    EXPECT_EQ(k->frames_.mapcount(f), 1u);
    EXPECT_EQ(k->frames_.refcount(f), 1u);
    int mappings = 0;
    k->frames_.rmap().for_each(f, [&](Mm* mm, VirtAddr at, PageSize size) {
        ++mappings;
        EXPECT_EQ(mm, p->mm.get());
        EXPECT_EQ(at, va);
        EXPECT_EQ(size, kPage2M);
    });
    EXPECT_EQ(mappings, 1);

    // RSS and smaps count the leaf's bytes.
    EXPECT_EQ(p->mm->rss_anon, 512u);
    EXPECT_EQ(k->frames_.anon_pages(), 512u);
    const ProcessMemory pm = k->memory(*p);
    EXPECT_EQ(pm.rss_anon, k2M);
    EXPECT_EQ(pm.vm_rss, k2M);
    ASSERT_EQ(pm.vmas.size(), 1u);
    EXPECT_EQ(pm.vmas[0].mem.rss, k2M);
    EXPECT_EQ(pm.vmas[0].mem.anonymous, k2M);
    EXPECT_EQ(pm.vmas[0].mem.private_dirty, k2M);
    EXPECT_EQ(pm.vmas[0].mem.pss(), k2M);

    // The MMU translates every offset of the 2 MiB page to the block's frames.
    Mmu& mmu = machine->mmu(t->cpu);
    for (std::uint64_t off : {std::uint64_t{0}, std::uint64_t{0x1234}, std::uint64_t{0x100000}, k2M - 8}) {
        const Translation tr = mmu.translate(va + off, AccessKind::Read, Privilege::User);
        ASSERT_TRUE(tr.ok()) << std::hex << off;
        EXPECT_EQ(tr.pa.value, f.addr(kPage4K).value + off) << std::hex << off;
        EXPECT_EQ(tr.size, kPage2M);
    }
    // A user access through the kernel reaches the same bytes without a fault.
    const std::uint64_t magic = 0x1122334455667788ull;
    mem.write(f.addr(kPage4K) + 0x1ff000, &magic, 8);
    std::uint64_t got = 0;
    const AccessOutcome out = k->access(t->tid, va + 0x1ff000, AccessKind::Read, 8, &got);
    EXPECT_TRUE(out.ok);
    EXPECT_EQ(out.faults, 0u);
    EXPECT_EQ(got, magic);

    // munmap zaps the leaf and frees all 512 frames as one block.
    const std::uint64_t free_before = mem.allocator().free_frames();
    EXPECT_EQ(k->do_munmap(*p->mm, va, k2M, t), Errno::None);
    EXPECT_FALSE(p->mm->pt->query(va).present);
    EXPECT_EQ(p->mm->rss(), 0u);
    EXPECT_EQ(k->frames_.anon_pages(), 0u);
    EXPECT_EQ(k->memory(*p).vm_rss, 0u);
    EXPECT_TRUE(k->frames_.rmap().empty(f));
    EXPECT_GE(mem.allocator().free_frames(), free_before + 512);
    for (std::uint64_t i = 0; i < 512; ++i) ASSERT_TRUE(mem.has_flag(f + i, kFrameFree)) << i;
    // The translation is gone from the TLB as well.
    EXPECT_FALSE(mmu.translate(va, AccessKind::Read, Privilege::User).ok());
}

TEST_F(HugeLeafFixture, RssOfHugeAndBasePagesAdds) {
    const VirtAddr va{0x40000000};
    Vma* v = anon_vma(va, 2 * k2M);
    ASSERT_TRUE(v);
    map_huge(*v, va);
    // A 4 KiB page in the second 2 MiB of the same VMA.
    auto small = k->frames_.alloc();
    ASSERT_TRUE(small);
    k->frames_.set_anon(*small);
    ASSERT_TRUE(k->map_page(*p->mm, *v, va + k2M, *small, kPage4K, true, true, true));
    EXPECT_EQ(p->mm->rss_anon, 513u);
    EXPECT_EQ(k->memory(*p).vmas.at(0).mem.rss, k2M + 4096);
    // Unmapping only the 4 KiB page's half leaves the huge leaf whole.
    EXPECT_EQ(k->do_munmap(*p->mm, va + k2M, k2M, t), Errno::None);
    EXPECT_EQ(p->mm->rss_anon, 512u);
    EXPECT_TRUE(p->mm->pt->query(va).present);
}

}  // namespace
