// The reference figures, each scenario a transcription of the C program of the
// same name in tests/oracle/linux/, checked against the real kernel's recording.
#include "linux_ref.hpp"

using namespace vmlab;
using namespace vmlab::test;

TEST(LinuxRefOs, AnonReadWrite) {
    auto sim = make_sim();
    ASSERT_TRUE(sim);
    Oracle o(*sim, *sim->kernel().spawn({.name = "anon_read_write"}));
    const std::uint64_t n = 64;
    VirtAddr p = o.anon_pages(n, kRW);
    o.put_smaps("mapped", p);
    auto a = o.flt();
    o.read_pages(p, n);
    auto b = o.flt();
    o.put_faults("read", a, b);
    o.put_smaps("read", p);
    o.put_present("read", p, n);
    a = o.flt();
    o.write_pages(p, n, 1);
    b = o.flt();
    o.put_faults("write", a, b);
    o.put_smaps("write", p);
    a = o.flt();
    o.write_pages(p, n, 2);
    b = o.flt();
    o.put_faults("rewrite", a, b);
    VirtAddr q = o.anon_pages(n, kRW);
    a = o.flt();
    o.write_pages(q, n, 3);
    b = o.flt();
    o.put_faults("write_first", a, b);
    o.put_smaps("write_first", q);
    bool zero = true;
    std::vector<std::uint8_t> buf(n * kPage);
    ASSERT_TRUE(sim->read(o.pid, q, buf).ok);
    for (std::uint64_t i = 0; i < n * kPage; ++i)
        if (i % kPage != 0 && buf[i] != 0) zero = false;
    o.put("write_first.rest_zero", zero);
    o.check("anon_read_write");
}

TEST(LinuxRefOs, ForkCow) {
    auto sim = make_sim();
    ASSERT_TRUE(sim);
    Kernel& k = sim->kernel();
    Oracle o(*sim, *k.spawn({.name = "fork_cow"}));
    const std::uint64_t n = 64, nchild = 16;
    VirtAddr p = o.anon_pages(n, kRW);
    auto a = o.flt();
    o.write_pages(p, n, 1);
    auto b = o.flt();
    o.put_faults("parent_fill", a, b);
    o.put_smaps("parent_fill", p);

    auto child = k.fork(o.pid);
    ASSERT_TRUE(child.ok());
    const Pid c = *child;
    o.put_smaps("child_start", p, c);
    a = o.flt(c);
    o.write_pages(p, nchild, 2, c);
    b = o.flt(c);
    o.put_faults("child_write16", a, b);
    o.put_smaps("child_write16", p, c);

    o.put_smaps("parent_before_write", p);
    std::vector<Pfn> before(n);
    for (std::uint64_t i = 0; i < n; ++i) before[i] = k.page(o.pid, p + i * kPage)->pfn;
    a = o.flt();
    o.write_pages(p, n, 3);
    b = o.flt();
    o.put_faults("parent_write64", a, b);
    std::int64_t copied_child = 0, copied_other = 0;
    for (std::uint64_t i = 0; i < n; ++i) {
        if (k.page(o.pid, p + i * kPage)->pfn == before[i]) continue;
        (i < nchild ? copied_child : copied_other)++;
    }
    o.put("parent_write64.copied", copied_child + copied_other);
    o.put("parent_write64.reused", static_cast<std::int64_t>(n) - copied_child - copied_other);
    o.put("parent_write64.copied_of_child_written", copied_child);
    EXPECT_EQ(k.process(o.pid)->faults.cow_copy, 48u);
    EXPECT_EQ(k.process(o.pid)->faults.cow_reuse, 16u);
    o.put_smaps("parent_write64", p);

    bool ok = true;
    for (std::uint64_t i = 0; i < n; ++i)
        if (o.byte_at(p + i * kPage, c) != (i < nchild ? 2 : 1)) ok = false;
    o.put("child_end.values_ok", ok);
    ASSERT_TRUE(k.exit_group(c, 0).ok());
    auto w = k.wait(o.pid, c);
    ASSERT_TRUE(w.ok());
    EXPECT_EQ(w->pid, c);
    o.put("child.exit_status", w->exit_code);
    o.put_smaps("parent_after_child_exit", p);
    o.check("fork_cow");
}

TEST(LinuxRefOs, FilePrivate) {
    auto sim = make_sim();
    ASSERT_TRUE(sim);
    Kernel& k = sim->kernel();
    TempDir dir;
    Oracle o(*sim, *k.spawn({.name = "file_private"}));
    const std::uint64_t n = 64;
    int fd = o.make_file(dir, "file_private.dat", n, 0, true);
    auto cached = [&] {
        auto m = k.mmap(o.pid, VirtAddr{0}, n * kPage, sys::kProtRead, sys::kMapShared, fd, 0);
        auto v = k.mincore(o.pid, *m, n * kPage);
        std::int64_t c = 0;
        for (auto b : *v) c += b & 1;
        EXPECT_TRUE(k.munmap(o.pid, *m, n * kPage).ok());
        return c;
    };
    o.put("file.cached_pages", cached());
    VirtAddr p = o.reserve(n * kPage, 2 * MiB);
    o.map_fixed(p, n * kPage, kRW, sys::kMapPrivate, fd, 0);
    o.put_smaps("mapped", p);
    auto a = o.flt();
    o.read_pages(p, n);
    auto b = o.flt();
    o.put_faults("read", a, b);
    o.put_present("read", p, n);
    o.put_smaps("read", p);
    std::vector<std::uint8_t> buf(n * kPage);
    ASSERT_TRUE(sim->read(o.pid, p, buf).ok);
    bool same = true;
    for (std::uint64_t i = 0; i < n * kPage; ++i)
        if (buf[i] != file_byte(i)) same = false;
    o.put("read.data_matches_file", same);
    a = o.flt();
    o.write_pages(p, n, 0x5a);
    b = o.flt();
    o.put_faults("write", a, b);
    o.put_smaps("write", p);
    a = o.flt();
    o.write_pages(p, n, 0x5b);
    b = o.flt();
    o.put_faults("rewrite", a, b);
    std::uint8_t c0 = 0;
    ASSERT_TRUE(k.pread(o.pid, fd, std::span<std::uint8_t>(&c0, 1), 0).ok());
    o.put("write.file_byte0_unchanged", c0 == file_byte(0));

    VirtAddr q = o.reserve(n * kPage, 2 * MiB);
    o.map_fixed(q, n * kPage, kRW, sys::kMapPrivate, fd, 0);
    a = o.flt();
    o.write_pages(q, n, 0x5c);
    b = o.flt();
    o.put_faults("write_first", a, b);
    o.put_smaps("write_first", q);
    ASSERT_TRUE(sim->read(o.pid, q, buf).ok);
    same = true;
    for (std::uint64_t i = 0; i < n * kPage; ++i)
        if (i % kPage != 0 && buf[i] != file_byte(i)) same = false;
    o.put("write_first.rest_matches_file", same);
    ASSERT_TRUE(k.munmap(o.pid, p, n * kPage).ok());
    ASSERT_TRUE(k.munmap(o.pid, q, n * kPage).ok());
    o.put("unmapped.cached_pages", cached());
    o.check("file_private");
}

TEST(LinuxRefOs, FileShared) {
    auto sim = make_sim();
    ASSERT_TRUE(sim);
    Kernel& k = sim->kernel();
    TempDir dir;
    Oracle o(*sim, *k.spawn({.name = "file_shared"}));
    const std::uint64_t n = 64;
    int fd = o.make_file(dir, "file_shared.dat", n, 0, true);
    VirtAddr p = o.reserve(n * kPage, 2 * MiB);
    o.map_fixed(p, n * kPage, kRW, sys::kMapShared, fd, 0);
    auto a = o.flt();
    o.write_pages(p, n, 0x11);
    auto b = o.flt();
    o.put_faults("write", a, b);
    o.put_smaps("write", p);
    std::uint8_t c = 0;
    ASSERT_TRUE(k.pread(o.pid, fd, std::span<std::uint8_t>(&c, 1), 5 * kPage).ok());
    o.put("write.read_syscall_sees_write", c == 0x11);
    a = o.flt();
    o.write_pages(p, n, 0x12);
    b = o.flt();
    o.put_faults("rewrite", a, b);
    a = o.flt();
    auto r = k.msync(o.pid, p, n * kPage, sys::kMsSync);
    b = o.flt();
    o.put_errno("msync", r);
    o.put_faults("msync", a, b);
    o.put_smaps("msync", p);
    a = o.flt();
    o.read_pages(p, n);
    b = o.flt();
    o.put_faults("read_after_msync", a, b);
    a = o.flt();
    o.write_pages(p, n, 0x13);
    b = o.flt();
    o.put_faults("write_after_msync", a, b);
    o.put_smaps("write_after_msync", p);
    a = o.flt();
    r = k.msync(o.pid, p, n * kPage, sys::kMsAsync);
    b = o.flt();
    o.put_errno("msync_async", r);
    a = o.flt();
    o.write_pages(p, n, 0x14);
    b = o.flt();
    o.put_faults("write_after_msync_async", a, b);
    o.put_smaps("write_after_msync_async", p);
    ASSERT_TRUE(k.msync(o.pid, p, n * kPage, sys::kMsSync).ok());
    VirtAddr q = o.reserve(n * kPage, 2 * MiB);
    o.map_fixed(q, n * kPage, kRW, sys::kMapShared, fd, 0);
    a = o.flt();
    o.read_pages(q, n);
    b = o.flt();
    o.put_faults("second_read", a, b);
    o.put_present("second_read", q, n);
    o.put("second_read.sees_first_mapping", o.byte_at(q + 7 * kPage) == 0x14);
    o.put_smaps("second_read", q);
    a = o.flt();
    o.write_pages(q, n, 0x15);
    b = o.flt();
    o.put_faults("second_write", a, b);
    o.put_smaps("second_write", q);
    o.put_smaps("second_write_first_mapping", p);
    o.put("second_write.first_mapping_sees_it", o.byte_at(p + 9 * kPage) == 0x15);
    ASSERT_TRUE(k.munmap(o.pid, q, n * kPage).ok());
    ASSERT_TRUE(k.munmap(o.pid, p, n * kPage).ok());
    ASSERT_TRUE(k.pread(o.pid, fd, std::span<std::uint8_t>(&c, 1), 9 * kPage).ok());
    o.put("unmapped.file_has_last_write", c == 0x15);
    o.check("file_shared");
}

TEST(LinuxRefOs, MprotectSegv) {
    auto sim = make_sim();
    ASSERT_TRUE(sim);
    Kernel& k = sim->kernel();
    Oracle o(*sim, *k.spawn({.name = "mprotect_segv"}));
    const std::uint64_t n = 4;
    VirtAddr p = o.anon_pages(n, kRW);
    o.write_pages(p, n, 1);
    auto r = k.mprotect(o.pid, p, n * kPage, sys::kProtRead);
    o.put_errno("protect_ro", r);
    o.put_smaps("protect_ro", p);
    auto a = o.flt();
    auto s = sim->access(o.pid, p + 2 * kPage + 0x123, AccessKind::Read, 1);
    auto b = o.flt();
    o.put_signal("read_ro", s, p);
    o.put_faults("read_ro", a, b);
    a = o.flt();
    const std::uint8_t seven = 7;
    s = sim->write(o.pid, p + 2 * kPage + 0x123, std::span<const std::uint8_t>(&seven, 1));
    b = o.flt();
    o.put_signal("write_ro", s, p);
    o.put_faults("write_ro", a, b);
    EXPECT_EQ(s.fault_va, p + 2 * kPage + 0x123);
    o.put("write_ro.value_unchanged", o.byte_at(p + 2 * kPage + 0x123) == 0);
    r = k.mprotect(o.pid, p, n * kPage, kRW);
    o.put_errno("protect_rw", r);
    a = o.flt();
    s = o.write_pages(p, n, 2);
    b = o.flt();
    o.put_signal("write_rw", s, p);
    o.put_faults("write_rw", a, b);
    r = k.mprotect(o.pid, p + kPage, kPage, sys::kProtRead);
    o.put_errno("split", r);
    o.put("split.vmas", o.vmas_in(p, p + n * kPage));
    r = k.mprotect(o.pid, p + kPage, kPage, kRW);
    o.put_errno("merge", r);
    o.put("merge.vmas", o.vmas_in(p, p + n * kPage));
    o.put_smaps("merge", p);
    r = k.mprotect(o.pid, p, n * kPage, sys::kProtNone);
    o.put_errno("protect_none", r);
    a = o.flt();
    s = sim->access(o.pid, p + 3 * kPage + 8, AccessKind::Read, 1);
    b = o.flt();
    o.put_signal("read_none", s, p);
    o.put_faults("read_none", a, b);
    o.put_smaps("protect_none", p);
    ASSERT_TRUE(k.mprotect(o.pid, p, n * kPage, kRW).ok());
    s = sim->access(o.pid, p + kPage + 0x40, AccessKind::Execute, 1);
    o.put_signal("exec_nx", s, p);
    r = k.mprotect(o.pid, p, n * kPage, sys::kProtRead | sys::kProtExec);
    o.put_errno("protect_rx", r);
    s = sim->access(o.pid, p + kPage + 0x40, AccessKind::Execute, 1);
    o.put_signal("exec_rx", s, p);
    s = sim->access(o.pid, VirtAddr{0}, AccessKind::Read, 1);
    o.put_signal("null", s, VirtAddr{0});
    s = sim->access(o.pid, VirtAddr{0xffffffff81000000ull}, AccessKind::Read, 1);
    o.put_signal("kernel_half", s, VirtAddr{0xffffffff81000000ull});
    s = sim->access(o.pid, VirtAddr{0x8000000000000000ull}, AccessKind::Read, 1);
    o.put_signal("noncanonical", s, VirtAddr{0});
    EXPECT_EQ(s.fault_va.value, 0x8000000000000000ull);
    s = sim->access(o.pid, VirtAddr{0x00007ffffffff000ull}, AccessKind::Read, 1);
    o.put_signal("last_user_page", s, VirtAddr{0x00007ffffffff000ull});
    s = sim->access(o.pid, VirtAddr{0x0000800000000000ull}, AccessKind::Read, 1);
    o.put_signal("first_noncanonical", s, VirtAddr{0});
    o.check("mprotect_segv");
}
