// Transcriptions of the file and shared-memory reference programs (tests/oracle/linux/).
#include "linux_ref.hpp"

using namespace vmlab;
using namespace vmlab::test;

namespace {
AccessOutcome rd(Oracle& o, VirtAddr va, Pid who = 0) { return o.sim.access(who ? who : o.pid, va, AccessKind::Read, 1); }
AccessOutcome wr(Oracle& o, VirtAddr va, std::uint8_t v) {
    return o.sim.write(o.pid, va, std::span<const std::uint8_t>(&v, 1));
}
std::int64_t cached_pages(Oracle& o, int fd, std::uint64_t pages) {
    auto m = o.k.mmap(o.pid, VirtAddr{0}, pages * kPage, sys::kProtRead, sys::kMapShared, fd, 0);
    EXPECT_TRUE(m.ok());
    auto v = o.k.mincore(o.pid, *m, pages * kPage);
    std::int64_t n = 0;
    for (auto b : *v) n += b & 1;
    EXPECT_TRUE(o.k.munmap(o.pid, *m, pages * kPage).ok());
    return n;
}
}  // namespace

TEST(LinuxRefOs, SharedAnon) {
    auto sim = make_sim();
    ASSERT_TRUE(sim);
    Kernel& k = sim->kernel();
    Oracle o(*sim, *k.spawn({.name = "shared_anon"}));
    const std::uint64_t n = 64;
    VirtAddr p = o.reserve(n * kPage, 2 * MiB);
    o.map_fixed(p, n * kPage, kRW, sys::kMapShared | sys::kMapAnonymous);
    auto a = o.flt();
    o.write_pages(p, 16, 0x21);
    auto b = o.flt();
    o.put_faults("parent_write16", a, b);
    o.put_smaps("parent_write16", p);
    const Pid c = *k.fork(o.pid);
    o.put_present("child_start", p, n, c);
    a = o.flt(c);
    o.read_pages(p, n, c);
    b = o.flt(c);
    o.put_faults("child_read64", a, b);
    o.put_present("child_read64", p, n, c);
    o.put("child_read64.sees_parent", o.byte_at(p + 3 * kPage, c) == 0x21 && o.byte_at(p + 40 * kPage, c) == 0);
    o.put_smaps("child_read64", p, c);
    a = o.flt(c);
    o.write_pages(p + 32 * kPage, 8, 0x22, c);
    b = o.flt(c);
    o.put_faults("child_write8", a, b);
    ASSERT_TRUE(k.exit_group(c, 0).ok());
    ASSERT_EQ(k.wait(o.pid, c)->pid, c);
    a = o.flt();
    rd(o, p + 32 * kPage);
    b = o.flt();
    o.put_faults("parent_read_child_page", a, b);
    o.put("parent_read_child_page.sees_child", o.byte_at(p + 32 * kPage) == 0x22);
    o.put_present("parent_after_child", p, n);
    o.put_smaps("parent_after_child", p);
    o.check("shared_anon");
}

TEST(LinuxRefOs, FaultAround) {
    auto sim = make_sim();
    ASSERT_TRUE(sim);
    Kernel& k = sim->kernel();
    TempDir dir;
    Oracle o(*sim, *k.spawn({.name = "fault_around"}));
    const int fd = o.make_file(dir, "fault_around.dat", 1024, 0, true);
    o.put("file.cached_pages", cached_pages(o, fd, 1024));
    auto run_case = [&](const std::string& name, std::uint64_t skew, std::uint64_t pages, std::uint64_t file_page,
                        std::vector<std::uint64_t> reads) {
        VirtAddr p = o.reserve(pages * kPage, 2 * MiB, skew * kPage);
        o.map_fixed(p, pages * kPage, sys::kProtRead, sys::kMapPrivate, fd, file_page * kPage);
        for (auto r : reads) {
            auto a = o.flt();
            rd(o, p + r * kPage);
            auto b = o.flt();
            const std::string step = name + ".read" + std::to_string(r);
            o.put(step + ".minflt", static_cast<std::int64_t>(b.min - a.min));
            o.put_present(step, p, pages);
        }
        ASSERT_TRUE(k.munmap(o.pid, p, pages * kPage).ok());
    };
    run_case("aligned", 0, 64, 0, {5, 20, 15, 63, 40});
    run_case("start_mid_window", 3, 64, 0, {0, 16, 29, 45, 61});
    run_case("end_of_vma", 0, 20, 0, {18, 0});
    run_case("file_offset", 0, 32, 5, {0, 16});
    run_case("pmd_end", 504, 32, 0, {6, 8, 31});
    run_case("pmd_mid_window", 500, 32, 0, {0, 12, 28});
    run_case("one_page", 7, 1, 0, {0});
    const int fd2 = o.make_file(dir, "fault_around_cold.dat", 64, 0, false);
    ASSERT_TRUE(k.fadvise(o.pid, fd2, 0, 0, sys::kFadvRandom).ok());
    std::vector<std::uint8_t> buf(kPage);
    for (int i = 0; i < 8; ++i) ASSERT_EQ(*k.pread(o.pid, fd2, buf, i * kPage), kPage);
    o.put("partly_cached.cached_pages", cached_pages(o, fd2, 64));
    VirtAddr p = o.reserve(64 * kPage, 2 * MiB);
    o.map_fixed(p, 64 * kPage, sys::kProtRead, sys::kMapPrivate, fd2, 0);
    auto a = o.flt();
    rd(o, p + 2 * kPage);
    auto b = o.flt();
    o.put_faults("partly_cached.read2", a, b);
    o.put_present("partly_cached.read2", p, 64);
    o.check("fault_around");
}

TEST(LinuxRefOs, FileMajor) {
    // The recording machine reads ahead 8 MiB (read_ahead_kb = 8192), so one major fault
    // brings the whole 64-page file in.
    KernelConfig kc;
    kc.read_around_bytes = 8 * MiB;
    auto sim = make_sim("x86_64", kc);
    ASSERT_TRUE(sim);
    Kernel& k = sim->kernel();
    TempDir dir;
    Oracle o(*sim, *k.spawn({.name = "file_major"}));
    const std::uint64_t n = 64;
    const int fd = o.make_file(dir, "file_major.dat", n, 0, false);
    auto cold_read = [&](const std::string& step, int advice) {
        ASSERT_TRUE(k.fadvise(o.pid, fd, 0, 0, sys::kFadvDontNeed).ok());
        o.put(step + ".cached_before", cached_pages(o, fd, n));
        VirtAddr p = o.reserve(n * kPage, 2 * MiB);
        o.map_fixed(p, n * kPage, sys::kProtRead, sys::kMapPrivate, fd, 0);
        if (advice >= 0) {
            ASSERT_TRUE(k.madvise(o.pid, p, n * kPage, advice).ok());
        }
        auto a = o.flt();
        o.read_pages(p, n);
        auto b = o.flt();
        o.put_faults(step, a, b);
        o.put(step + ".cached_after", cached_pages(o, fd, n));
        ASSERT_TRUE(k.munmap(o.pid, p, n * kPage).ok());
    };
    cold_read("random", sys::kMadvRandom);
    cold_read("sequential", sys::kMadvSequential);
    cold_read("normal", -1);
    VirtAddr p = o.reserve(n * kPage, 2 * MiB);
    o.map_fixed(p, n * kPage, sys::kProtRead, sys::kMapPrivate, fd, 0);
    auto a = o.flt();
    o.read_pages(p, n);
    auto b = o.flt();
    o.put_faults("cached", a, b);
    o.check("file_major");
}

TEST(LinuxRefOs, FileReadonly) {
    auto sim = make_sim();
    ASSERT_TRUE(sim);
    Kernel& k = sim->kernel();
    TempDir dir;
    Oracle o(*sim, *k.spawn({.name = "file_readonly"}));
    const int w = o.make_file(dir, "file_readonly.dat", 4, 0, true);
    ASSERT_TRUE(k.close(o.pid, w).ok());
    int fd = *k.open(o.pid, dir.file("file_readonly.dat"), sys::kORdOnly);
    o.put_errno("shared_rw", k.mmap(o.pid, VirtAddr{0}, 4 * kPage, kRW, sys::kMapShared, fd, 0));
    VirtAddr s = o.reserve(4 * kPage, 2 * MiB);
    o.put_errno("shared_ro", k.mmap(o.pid, s, 4 * kPage, sys::kProtRead, sys::kMapShared | sys::kMapFixed, fd, 0));
    o.put_vmflags("shared_ro", s);
    o.put_signal("shared_ro_read", rd(o, s + kPage), s);
    o.put_signal("shared_ro_write", wr(o, s + 2 * kPage + 4, 1), s);
    o.put_errno("shared_ro_mprotect_write", k.mprotect(o.pid, s, 4 * kPage, kRW));
    VirtAddr q = o.reserve(4 * kPage, 2 * MiB);
    o.put_errno("private_rw", k.mmap(o.pid, q, 4 * kPage, kRW, sys::kMapPrivate | sys::kMapFixed, fd, 0));
    ASSERT_TRUE(k.close(o.pid, fd).ok());
    auto a = o.flt();
    auto sig = o.write_pages(q, 4, 0x66);
    auto b = o.flt();
    o.put_signal("private_rw_write_after_close", sig, q);
    o.put_faults("private_rw_write_after_close", a, b);
    o.put_smaps("private_rw_write_after_close", q);
    fd = *k.open(o.pid, dir.file("file_readonly.dat"), sys::kORdOnly);
    std::uint8_t c = 0;
    ASSERT_TRUE(k.pread(o.pid, fd, std::span<std::uint8_t>(&c, 1), 0).ok());
    o.put("private_rw.file_unchanged", c == file_byte(0));
    VirtAddr v = o.reserve(4 * kPage, 2 * MiB);
    o.map_fixed(v, 4 * kPage, sys::kProtRead, sys::kMapPrivate, fd, 0);
    o.put_errno("private_ro_mprotect_write", k.mprotect(o.pid, v, 4 * kPage, kRW));
    o.put_vmflags("private_ro_mprotect_write", v);
    o.check("file_readonly");
}
