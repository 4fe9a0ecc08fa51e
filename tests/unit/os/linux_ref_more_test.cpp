// More transcriptions of tests/oracle/linux/*.c, checked against the real kernel.
#include <sys/stat.h>

#include "linux_ref.hpp"

using namespace vmlab;
using namespace vmlab::test;

namespace {
std::unique_ptr<Simulation> sim_or_die() {
    auto s = make_sim();
    EXPECT_TRUE(s);
    return s;
}
AccessOutcome rd(Oracle& o, VirtAddr va) { return o.sim.access(o.pid, va, AccessKind::Read, 1); }
AccessOutcome wr(Oracle& o, VirtAddr va, std::uint8_t v) {
    return o.sim.write(o.pid, va, std::span<const std::uint8_t>(&v, 1));
}
}  // namespace

TEST(LinuxRefOs, FileSigbus) {
    auto sim = sim_or_die();
    Kernel& k = sim->kernel();
    TempDir dir;
    Oracle o(*sim, *k.spawn({.name = "file_sigbus"}));
    int fd = o.make_file(dir, "file_sigbus.dat", 1, 100, true);
    VirtAddr p = o.reserve(4 * kPage, 2 * MiB);
    o.map_fixed(p, 4 * kPage, kRW, sys::kMapShared, fd, 0);
    auto a = o.flt();
    auto s = rd(o, p + kPage + 50);
    auto b = o.flt();
    o.put_signal("in_file", s, p);
    o.put_faults("in_file", a, b);
    o.put("in_file.value_ok", o.byte_at(p + kPage + 50) == file_byte(kPage + 50));
    s = rd(o, p + kPage + 200);
    o.put_signal("tail_of_last_page", s, p);
    o.put("tail_of_last_page.value", o.byte_at(p + kPage + 200));
    a = o.flt();
    s = rd(o, p + 2 * kPage);
    b = o.flt();
    o.put_signal("page_past_eof", s, p);
    o.put_faults("page_past_eof", a, b);
    s = wr(o, p + 3 * kPage + 5, 1);
    o.put_signal("write_page_past_eof", s, p);
    s = wr(o, p + kPage + 300, 9);
    o.put_signal("write_tail", s, p);
    ASSERT_TRUE(k.msync(o.pid, p, 4 * kPage, sys::kMsSync).ok());
    o.put("write_tail.file_size", static_cast<std::int64_t>(*k.file_size(o.pid, fd)));
    o.put_smaps("shared", p);
    VirtAddr q = o.reserve(4 * kPage, 2 * MiB);
    o.map_fixed(q, 4 * kPage, kRW, sys::kMapPrivate, fd, 0);
    s = rd(o, q + 2 * kPage + 16);
    o.put_signal("private_read_past_eof", s, q);
    s = wr(o, q + 3 * kPage, 1);
    o.put_signal("private_write_past_eof", s, q);
    int fd2 = o.make_file(dir, "file_sigbus_trunc.dat", 4, 0, true);
    VirtAddr t = o.reserve(4 * kPage, 2 * MiB);
    o.map_fixed(t, 4 * kPage, sys::kProtRead, sys::kMapShared, fd2, 0);
    o.read_pages(t, 4);
    o.put_present("before_truncate", t, 4);
    ASSERT_TRUE(k.ftruncate(o.pid, fd2, kPage).ok());
    o.put_present("after_truncate", t, 4);
    s = rd(o, t + 2 * kPage + 1);
    o.put_signal("after_truncate", s, t);
    s = rd(o, t + 10);
    o.put_signal("after_truncate_first_page", s, t);
    o.check("file_sigbus");
    // The host file was not in writable_paths: the simulated writes never reached it.
    struct stat st {};
    ASSERT_EQ(::stat(dir.file("file_sigbus.dat").c_str(), &st), 0);
    EXPECT_EQ(st.st_size, static_cast<off_t>(kPage + 100));
}

TEST(LinuxRefOs, MadvDontneed) {
    auto sim = sim_or_die();
    Kernel& k = sim->kernel();
    TempDir dir;
    Oracle o(*sim, *k.spawn({.name = "madv_dontneed"}));
    const std::uint64_t n = 64;
    VirtAddr p = o.anon_pages(n, kRW);
    o.write_pages(p, n, 0xab);
    o.put_smaps("anon_written", p);
    auto a = o.flt();
    auto r = k.madvise(o.pid, p, n * kPage, sys::kMadvDontNeed);
    auto b = o.flt();
    o.put_errno("anon_dontneed", r);
    o.put_faults("anon_dontneed", a, b);
    o.put_smaps("anon_dontneed", p);
    o.put_present("anon_dontneed", p, n);
    a = o.flt();
    o.read_pages(p, n);
    b = o.flt();
    o.put_faults("anon_read", a, b);
    std::vector<std::uint8_t> buf(n * kPage, 1);
    ASSERT_TRUE(sim->read(o.pid, p, buf).ok);
    o.put("anon_read.all_zero", std::all_of(buf.begin(), buf.end(), [](auto c) { return c == 0; }));
    o.put_smaps("anon_read", p);
    o.write_pages(p, n, 0xcd);
    r = k.madvise(o.pid, p + 16 * kPage, 16 * kPage, sys::kMadvDontNeed);
    o.put_errno("anon_dontneed_part", r);
    o.put("anon_dontneed_part.vmas", o.vmas_in(p, p + n * kPage));
    o.put_present("anon_dontneed_part", p, n);
    o.put_smaps("anon_dontneed_part", p);
    int fd = o.make_file(dir, "madv_dontneed.dat", n, 0, true);
    VirtAddr f = o.reserve(n * kPage, 2 * MiB);
    o.map_fixed(f, n * kPage, kRW, sys::kMapPrivate, fd, 0);
    o.write_pages(f, n, 0xee);
    o.put_smaps("private_file_written", f);
    r = k.madvise(o.pid, f, n * kPage, sys::kMadvDontNeed);
    o.put_errno("private_file_dontneed", r);
    o.put_smaps("private_file_dontneed", f);
    a = o.flt();
    o.read_pages(f, n);
    b = o.flt();
    o.put_faults("private_file_read", a, b);
    ASSERT_TRUE(sim->read(o.pid, f, buf).ok);
    bool same = true;
    for (std::uint64_t i = 0; i < n * kPage; ++i)
        if (buf[i] != file_byte(i)) same = false;
    o.put("private_file_read.matches_file", same);
    o.put_smaps("private_file_read", f);
    VirtAddr s = o.reserve(n * kPage, 2 * MiB);
    o.map_fixed(s, n * kPage, kRW, sys::kMapShared, fd, 0);
    o.write_pages(s, n, 0x77);
    r = k.madvise(o.pid, s, n * kPage, sys::kMadvDontNeed);
    o.put_errno("shared_file_dontneed", r);
    o.put_smaps("shared_file_dontneed", s);
    a = o.flt();
    o.read_pages(s, n);
    b = o.flt();
    o.put_faults("shared_file_read", a, b);
    o.put("shared_file_read.keeps_writes", o.byte_at(s + 5 * kPage) == 0x77);
    o.check("madv_dontneed");
}

TEST(LinuxRefOs, MapPopulate) {
    auto sim = sim_or_die();
    Kernel& k = sim->kernel();
    TempDir dir;
    Oracle o(*sim, *k.spawn({.name = "map_populate"}));
    const std::uint64_t n = 64;
    auto populate = [&](const std::string& step, int prot, int flags, int fd) {
        VirtAddr p = o.reserve(n * kPage, 2 * MiB);
        auto a = o.flt();
        auto m = k.mmap(o.pid, p, n * kPage, prot, flags | sys::kMapFixed | sys::kMapPopulate, fd, 0);
        auto b = o.flt();
        EXPECT_TRUE(m.ok());
        o.put_faults(step, a, b);
        o.put_smaps(step, *m);
        return *m;
    };
    VirtAddr p = populate("anon_rw", kRW, kAnonPriv, -1);
    auto a = o.flt();
    o.write_pages(p, n, 1);
    auto b = o.flt();
    o.put_faults("anon_rw_write", a, b);
    p = populate("anon_ro", sys::kProtRead, kAnonPriv, -1);
    o.put_present("anon_ro", p, n);
    int fd = o.make_file(dir, "map_populate.dat", n, 0, true);
    populate("file_private_rw", kRW, sys::kMapPrivate, fd);
    populate("file_private_ro", sys::kProtRead, sys::kMapPrivate, fd);
    p = populate("file_shared_rw", kRW, sys::kMapShared, fd);
    a = o.flt();
    o.write_pages(p, n, 2);
    b = o.flt();
    o.put_faults("file_shared_rw_write", a, b);
    VirtAddr q = o.anon_pages(n, kRW);
    a = o.flt();
    auto r = k.madvise(o.pid, q, n * kPage, sys::kMadvPopulateRead);
    b = o.flt();
    o.put_errno("madv_populate_read", r);
    o.put_faults("madv_populate_read", a, b);
    o.put_smaps("madv_populate_read", q);
    a = o.flt();
    r = k.madvise(o.pid, q, n * kPage, sys::kMadvPopulateWrite);
    b = o.flt();
    o.put_errno("madv_populate_write", r);
    o.put_faults("madv_populate_write", a, b);
    o.put_smaps("madv_populate_write", q);
    a = o.flt();
    o.write_pages(q, n, 3);
    b = o.flt();
    o.put_faults("madv_populate_write_then_write", a, b);
    o.check("map_populate");
}

TEST(LinuxRefOs, StackGrowth) {
    auto sim = sim_or_die();
    Kernel& k = sim->kernel();
    Oracle o(*sim, *k.spawn({.name = "stack_growth"}));
    auto stack_vma = [&] {
        const VirtAddr sp = k.layout(o.pid)->start_stack;
        for (const auto& v : k.maps(o.pid))
            if (v.start <= sp && sp < v.end) return v;
        ADD_FAILURE() << "no stack VMA";
        return VmaInfo{};
    };
    auto stack_start = [&] { return stack_vma().start; };
    auto stack_rss_kb = [&] {
        auto m = k.memory(o.pid);
        const VmaReport* v = o.vma_at(*m, stack_start());
        return v ? static_cast<std::int64_t>(v->mem.rss / 1024) : -1;
    };
    auto grow = [&](const std::string& step, VirtAddr addr) {
        const VirtAddr before = stack_start();
        const std::int64_t rss0 = stack_rss_kb();
        auto a = o.flt();
        auto s = wr(o, addr, 1);
        auto b = o.flt();
        const VirtAddr after = stack_start();
        o.put_signal(step, s, before);
        o.put_faults(step, a, b);
        o.put(step + ".pages_added", static_cast<std::int64_t>((before - after) / kPage));
        o.put(step + ".rss_added_kb", stack_rss_kb() - rss0);
    };
    VirtAddr s = stack_start();
    o.put_vmflags("stack", s);
    grow("one_byte_below", s - 1);
    s = stack_start();
    grow("hundred_pages_below", s - 100 * kPage + 8);
    s = stack_start();
    const std::uint64_t gap = 256 * kPage;
    const VirtAddr prev_end = s - gap - 2 * kPage;
    auto blk = k.mmap(o.pid, prev_end - kPage, kPage, kRW, kAnonPriv | sys::kMapFixedNoReplace);
    o.put_errno("blocker", blk);
    grow("to_gap_limit", s - 2 * kPage);
    s = stack_start();
    grow("into_gap", s - 1);
    ASSERT_TRUE(k.mprotect(o.pid, *blk, kPage, sys::kProtNone).ok());
    grow("into_gap_prot_none_below", s - 1);
    ASSERT_TRUE(k.munmap(o.pid, *blk, kPage).ok());
    s = stack_start();
    const VirtAddr hint = s - 16 * kPage;
    auto h = k.mmap(o.pid, hint, kPage, sys::kProtRead, kAnonPriv);
    o.put("hint_in_gap.honoured", h.ok() && *h == hint);
    if (h.ok()) {
        ASSERT_TRUE(k.munmap(o.pid, *h, kPage).ok());
    }
    auto fx = k.mmap(o.pid, hint, kPage, sys::kProtRead, kAnonPriv | sys::kMapFixedNoReplace);
    o.put_errno("fixed_in_gap", fx);
    grow("with_fixed_in_gap", s - 1);
    if (fx.ok()) {
        ASSERT_TRUE(k.munmap(o.pid, *fx, kPage).ok());
    }
    s = stack_start();
    const VmaInfo sv = stack_vma();
    ASSERT_TRUE(k.setrlimit(o.pid, Rlimit::Stack, (sv.end - s) + 8 * kPage).ok());
    grow("to_rlimit", s - 8 * kPage);
    s = stack_start();
    grow("past_rlimit", s - 1);
    o.put_vmflags("stack_end", stack_start());
    o.check("stack_growth");
}

TEST(LinuxRefOs, BrkGrowth) {
    auto sim = sim_or_die();
    Kernel& k = sim->kernel();
    Oracle o(*sim, *k.spawn({.name = "brk_growth"}));
    // glibc's malloc has already extended the break when main() runs.
    ASSERT_TRUE(k.sbrk(o.pid, 33 * kPage).ok());
    auto lay = *k.layout(o.pid);
    const VirtAddr start_brk = lay.start_brk;
    const VirtAddr b0 = k.brk(o.pid, VirtAddr{0});
    const VirtAddr base{(b0.value + kPage - 1) & ~(kPage - 1)};
    ASSERT_EQ(k.brk(o.pid, base), base);
    auto bounds = [&](VirtAddr a) {
        for (const auto& v : k.maps(o.pid))
            if (v.start <= a && a < v.end) return std::pair{v.start, v.end};
        return std::pair{VirtAddr{0}, VirtAddr{0}};
    };
    auto heap_rss_kb = [&](VirtAddr hs) {
        auto m = k.memory(o.pid);
        const VmaReport* v = o.vma_at(*m, hs);
        return v ? static_cast<std::int64_t>(v->mem.rss / 1024) : -1;
    };
    auto [hs, he] = bounds(base - 1);
    o.put("start.heap_end_is_break", he == base);
    const std::int64_t rss0 = heap_rss_kb(hs);
    auto a = o.flt();
    VirtAddr r = k.brk(o.pid, base + 64 * kPage);
    auto b = o.flt();
    o.put("grow64.ok", r == base + 64 * kPage);
    o.put_faults("grow64", a, b);
    std::tie(hs, he) = bounds(base - 1);
    o.put("grow64.heap_end_minus_base_pages", static_cast<std::int64_t>((he - base) / kPage));
    o.put("grow64.rss_added_kb", heap_rss_kb(hs) - rss0);
    a = o.flt();
    o.write_pages(base, 64, 7);
    b = o.flt();
    o.put_faults("grow64_write", a, b);
    o.put("grow64_write.rss_added_kb", heap_rss_kb(hs) - rss0);
    r = k.brk(o.pid, base + 64 * kPage + 100);
    std::tie(hs, he) = bounds(base - 1);
    o.put("unaligned.returned_offset", static_cast<std::int64_t>(r - base));
    o.put("unaligned.heap_end_minus_base_pages", static_cast<std::int64_t>((he - base) / kPage));
    r = k.brk(o.pid, base + 32 * kPage);
    std::tie(hs, he) = bounds(base - 1);
    o.put("shrink.ok", r == base + 32 * kPage);
    o.put("shrink.heap_end_minus_base_pages", static_cast<std::int64_t>((he - base) / kPage));
    o.put("shrink.rss_added_kb", heap_rss_kb(hs) - rss0);
    auto s = rd(o, base + 40 * kPage);
    o.put_signal("shrink_access", s, base);
    r = k.brk(o.pid, base + 64 * kPage);
    a = o.flt();
    bool zero = true;
    for (std::uint64_t i = 32; i < 64; ++i)
        if (o.byte_at(base + i * kPage) != 0) zero = false;
    b = o.flt();
    o.put("regrow.ok", r == base + 64 * kPage);
    o.put("regrow.zero", zero);
    o.put_faults("regrow_read", a, b);
    o.put("regrow.kept_below", o.byte_at(base + 31 * kPage) == 7);
    r = k.brk(o.pid, start_brk - kPage);
    o.put("below_start.unchanged", r == base + 64 * kPage);
    const VirtAddr top = base + 64 * kPage;
    auto blk = k.mmap(o.pid, top + 16 * kPage, kPage, sys::kProtRead, kAnonPriv | sys::kMapFixedNoReplace);
    o.put_errno("blocker", blk);
    r = k.brk(o.pid, top + 15 * kPage);
    o.put("up_to_gap.ok", r == top + 15 * kPage);
    r = k.brk(o.pid, top + 15 * kPage + 1);
    o.put("into_gap.unchanged", r == top + 15 * kPage);
    r = k.brk(o.pid, top + 20 * kPage);
    o.put("over_mapping.unchanged", r == top + 15 * kPage);
    ASSERT_TRUE(k.munmap(o.pid, *blk, kPage).ok());
    r = k.brk(o.pid, top);
    const std::uint64_t vmdata = k.memory(o.pid)->vm_data;
    const std::uint64_t rl = vmdata + 8 * kPage;
    o.put("rlimit_data.brk_part_fits", (top + 8 * kPage - start_brk) + (lay.end_data - lay.start_data) <= rl);
    ASSERT_TRUE(k.setrlimit(o.pid, Rlimit::Data, rl).ok());
    r = k.brk(o.pid, top + 8 * kPage);
    o.put("rlimit_data_exact.ok", r == top + 8 * kPage);
    r = k.brk(o.pid, top + 9 * kPage);
    o.put("rlimit_data_over.unchanged", r == top + 8 * kPage);
    o.put_vmflags("heap", hs);
    o.check("brk_growth");
}

TEST(LinuxRefOs, MremapGrow) {
    auto sim = sim_or_die();
    Kernel& k = sim->kernel();
    Oracle o(*sim, *k.spawn({.name = "mremap_grow"}));
    auto fill = [&](VirtAddr p, std::uint64_t pages) {
        for (std::uint64_t i = 0; i < pages; ++i) ASSERT_TRUE(wr(o, p + i * kPage, static_cast<std::uint8_t>(i + 1)).ok);
    };
    auto check_values = [&](VirtAddr p, std::uint64_t pages) {
        for (std::uint64_t i = 0; i < pages; ++i)
            if (o.byte_at(p + i * kPage) != static_cast<std::uint8_t>(i + 1)) return false;
        return true;
    };
    VirtAddr p = o.anon_pages(64, kRW);
    ASSERT_TRUE(k.munmap(o.pid, p + 16 * kPage, 48 * kPage).ok());
    fill(p, 16);
    auto a = o.flt();
    auto r = k.mremap(o.pid, p, 16 * kPage, 64 * kPage, 0);
    auto b = o.flt();
    o.put_errno("in_place", r);
    o.put("in_place.same_address", r.ok() && *r == p);
    o.put_faults("in_place", a, b);
    o.put_smaps("in_place", p);
    a = o.flt();
    bool ok = check_values(p, 16);
    b = o.flt();
    o.put("in_place.data_kept", ok);
    o.put_faults("in_place_read_old", a, b);
    a = o.flt();
    o.write_pages(p + 16 * kPage, 48, 9);
    b = o.flt();
    o.put_faults("in_place_write_new", a, b);
    r = k.mremap(o.pid, p, 64 * kPage, 32 * kPage, 0);
    o.put_errno("shrink", r);
    o.put("shrink.same_address", r.ok() && *r == p);
    o.put_smaps("shrink", p);
    o.put_signal("shrink_access_tail", rd(o, p + 40 * kPage), p);
    VirtAddr q = o.anon_pages(16, kRW);
    fill(q, 16);
    r = k.mremap(o.pid, q, 16 * kPage, 64 * kPage, 0);
    o.put_errno("blocked", r);
    a = o.flt();
    r = k.mremap(o.pid, q, 16 * kPage, 64 * kPage, sys::kMremapMayMove);
    b = o.flt();
    o.put_errno("maymove", r);
    o.put("maymove.moved", r.ok() && *r != q);
    o.put_faults("maymove", a, b);
    o.put_smaps("maymove", *r);
    a = o.flt();
    ok = check_values(*r, 16);
    b = o.flt();
    o.put("maymove.data_kept", ok);
    o.put_faults("maymove_read_old", a, b);
    o.put_signal("maymove_old_address", rd(o, q), q);
    VirtAddr dst = o.reserve(64 * kPage, 2 * MiB);
    const VirtAddr moved = *r;
    a = o.flt();
    r = k.mremap(o.pid, moved, 64 * kPage, 64 * kPage, sys::kMremapMayMove | sys::kMremapFixed, dst);
    b = o.flt();
    o.put_errno("fixed", r);
    o.put("fixed.at_target", r.ok() && *r == dst);
    o.put_faults("fixed", a, b);
    o.put("fixed.data_kept", check_values(dst, 16));
    VirtAddr d2 = o.reserve(64 * kPage, 2 * MiB);
    ASSERT_TRUE(k.munmap(o.pid, d2, 64 * kPage).ok());
    r = k.mremap(o.pid, dst, 64 * kPage, 64 * kPage,
                 sys::kMremapMayMove | sys::kMremapFixed | sys::kMremapDontUnmap, d2);
    o.put_errno("dontunmap", r);
    o.put("dontunmap.data_moved", r.ok() && *r == d2 && check_values(d2, 16));
    o.put_smaps("dontunmap_old", dst);
    a = o.flt();
    auto s = rd(o, dst + 3 * kPage);
    b = o.flt();
    o.put_signal("dontunmap_old_read", s, dst);
    o.put_faults("dontunmap_old_read", a, b);
    o.put("dontunmap_old_read.zero", o.byte_at(dst + 3 * kPage) == 0);
    o.check("mremap_grow");
}

TEST(LinuxRefOs, Mlock) {
    auto sim = sim_or_die();
    Kernel& k = sim->kernel();
    Oracle o(*sim, *k.spawn({.name = "mlock"}));
    const std::uint64_t n = 64;
    VirtAddr p = o.anon_pages(n, kRW);
    auto a = o.flt();
    auto r = k.mlock(o.pid, p, n * kPage);
    auto b = o.flt();
    o.put_errno("mlock", r);
    o.put_faults("mlock", a, b);
    o.put_smaps("mlock", p);
    a = o.flt();
    o.write_pages(p, n, 1);
    b = o.flt();
    o.put_faults("mlock_write", a, b);
    r = k.munlock(o.pid, p, n * kPage);
    o.put_errno("munlock", r);
    o.put_smaps("munlock", p);
    VirtAddr q = o.anon_pages(n, kRW);
    a = o.flt();
    r = k.mlock(o.pid, q + 16 * kPage, 16 * kPage);
    b = o.flt();
    o.put_errno("mlock_part", r);
    o.put_faults("mlock_part", a, b);
    o.put("mlock_part.vmas", o.vmas_in(q, q + n * kPage));
    o.put_smaps("mlock_part_middle", q + 16 * kPage);
    o.put_present("mlock_part", q, n);
    r = k.munlock(o.pid, q, n * kPage);
    o.put("munlock_part.vmas", o.vmas_in(q, q + n * kPage));
    VirtAddr z = o.anon_pages(n, sys::kProtRead);
    a = o.flt();
    r = k.mlock(o.pid, z, n * kPage);
    b = o.flt();
    o.put_errno("mlock_ro", r);
    o.put_faults("mlock_ro", a, b);
    o.put_smaps("mlock_ro", z);
    o.put_errno("dontneed_unlocked", k.madvise(o.pid, p, n * kPage, sys::kMadvDontNeed));
    ASSERT_TRUE(k.mlock(o.pid, p, n * kPage).ok());
    o.put_errno("dontneed_locked", k.madvise(o.pid, p, n * kPage, sys::kMadvDontNeed));
    ASSERT_TRUE(k.munmap(o.pid, q, n * kPage).ok());
    o.put_errno("mlock_unmapped", k.mlock(o.pid, q, n * kPage));
    o.check("mlock");
}

TEST(LinuxRefOs, MadvFree) {
    auto sim = sim_or_die();
    Kernel& k = sim->kernel();
    TempDir dir;
    Oracle o(*sim, *k.spawn({.name = "madv_free"}));
    const std::uint64_t n = 64;
    VirtAddr p = o.anon_pages(n, kRW);
    o.write_pages(p, n, 0x42);
    auto a = o.flt();
    auto r = k.madvise(o.pid, p, n * kPage, sys::kMadvFree);
    auto b = o.flt();
    o.put_errno("free", r);
    o.put_faults("free", a, b);
    o.put_smaps("free", p);
    o.put_present("free", p, n);
    a = o.flt();
    o.read_pages(p, n);
    b = o.flt();
    o.put_faults("read", a, b);
    bool kept = true;
    for (std::uint64_t i = 0; i < n; ++i)
        if (o.byte_at(p + i * kPage) != 0x42) kept = false;
    o.put("read.data_kept", kept);
    o.put_smaps("read", p);
    a = o.flt();
    o.write_pages(p, 16, 0x43);
    b = o.flt();
    o.put_faults("write16", a, b);
    o.put_smaps("write16", p);
    int fd = o.make_file(dir, "madv_free.dat", 4, 0, true);
    VirtAddr f = o.reserve(4 * kPage, 2 * MiB);
    o.map_fixed(f, 4 * kPage, kRW, sys::kMapPrivate, fd, 0);
    o.put_errno("free_file", k.madvise(o.pid, f, 4 * kPage, sys::kMadvFree));
    VirtAddr q = o.anon_pages(n, kRW);
    o.put_errno("free_untouched", k.madvise(o.pid, q, n * kPage, sys::kMadvFree));
    o.put_smaps("free_untouched", q);
    o.check("madv_free");
}

TEST(LinuxRefOs, MunmapHole) {
    auto sim = sim_or_die();
    Kernel& k = sim->kernel();
    Oracle o(*sim, *k.spawn({.name = "munmap_hole"}));
    const std::uint64_t n = 8;
    VirtAddr p = o.anon_pages(n, kRW);
    o.write_pages(p, n, 5);
    const VirtAddr lo = p, hi = p + n * kPage;
    o.put("mapped.vmas", o.vmas_in(lo, hi));
    o.put_errno("hole", k.munmap(o.pid, p + 3 * kPage, 2 * kPage));
    o.put("hole.vmas", o.vmas_in(lo, hi));
    o.put_smaps("hole_low", p);
    o.put_smaps("hole_high", p + 5 * kPage);
    auto a = o.flt();
    auto s = rd(o, p + 3 * kPage + 0x10);
    auto b = o.flt();
    o.put_signal("read_hole", s, p);
    o.put_faults("read_hole", a, b);
    o.put_signal("write_hole", wr(o, p + 4 * kPage + 0xfff, 1), p);
    o.put_signal("read_below_hole", rd(o, p + 2 * kPage + 0xfff), p);
    o.put_signal("read_above_hole", rd(o, p + 5 * kPage), p);
    o.put("neighbours.data_kept", o.byte_at(p + 2 * kPage) == 5 && o.byte_at(p + 5 * kPage) == 5);
    o.put_errno("unmap_hole_again", k.munmap(o.pid, p + 3 * kPage, 2 * kPage));
    auto m = k.mmap(o.pid, p + 3 * kPage, 2 * kPage, kRW, kAnonPriv | sys::kMapFixedNoReplace);
    o.put_errno("remap_hole", m);
    o.put("remap_hole.same_address", m.ok() && *m == p + 3 * kPage);
    o.put("remap_hole.zero", m.ok() && o.byte_at(*m) == 0 && o.byte_at(*m + kPage + 5) == 0);
    o.put("remap_hole.vmas", o.vmas_in(lo, hi));
    o.put_errno("unmap_all", k.munmap(o.pid, p, n * kPage));
    o.put("unmap_all.vmas", o.vmas_in(lo, hi));
    o.put_signal("read_unmapped", rd(o, p), p);
    o.check("munmap_hole");
}
