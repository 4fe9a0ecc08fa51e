// C++ helpers in the manner of the Linux reference programs' oracle.h (tests/oracle/linux/):
// the same placement inside a PROT_NONE reservation, the same smaps keys, the same signal
// and errno reporting, for the kernel-model tests that check Linux's rules directly. The
// reference programs themselves are reproduced once, as the Lua scenarios of
// tests/scenario/oracle/ (tests/oracle/vmlab_vs_linux_test.cpp).
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "support/linux_reference.hpp"
#include "support/os_fixture.hpp"

namespace vmlab::test {

inline constexpr std::uint64_t KiB = 1024, MiB = 1024 * 1024;

// smaps "VmFlags:" mnemonics by bit (fs/proc/task_mmu.c show_smap_vma_flags).
inline std::string vmflags_string(VmFlags f) {
    static const std::pair<VmFlags, const char*> names[] = {
        {vm::kRead, "rd"},        {vm::kWrite, "wr"},       {vm::kExec, "ex"},        {vm::kShared, "sh"},
        {vm::kMayRead, "mr"},     {vm::kMayWrite, "mw"},    {vm::kMayExec, "me"},     {vm::kMayShare, "ms"},
        {vm::kGrowsDown, "gd"},   {vm::kPfnMap, "pf"},      {vm::kLocked, "lo"},      {vm::kIo, "io"},
        {vm::kSeqRead, "sr"},     {vm::kRandRead, "rr"},    {vm::kDontCopy, "dc"},    {vm::kDontExpand, "de"},
        {vm::kLockOnFault, "lf"}, {vm::kAccount, "ac"},     {vm::kNoReserve, "nr"},   {vm::kHugeTlb, "ht"},
        {vm::kWipeOnFork, "wf"},  {vm::kDontDump, "dd"},    {vm::kSoftDirty, "sd"},   {vm::kMixedMap, "mm"},
        {vm::kHugePage, "hg"},    {vm::kNoHugePage, "nh"},  {vm::kMergeable, "mg"},
    };
    std::string s;
    for (auto& [bit, name] : names)
        if (f & bit) s += (s.empty() ? "" : ",") + std::string(name);
    return s;
}

// A temporary host directory for the files a scenario maps.
struct TempDir {
    std::filesystem::path path;
    TempDir() {
        path = std::filesystem::temp_directory_path() /
               ("vmlab-os-" + std::to_string(::getpid()) + "-" + std::to_string(counter()++));
        std::filesystem::create_directories(path);
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
    static int& counter() {
        static int c = 0;
        return c;
    }
    std::string file(const std::string& name) const { return (path / name).string(); }
};

// oracle.h's file contents: byte i is (i * 7 + i / 4096) & 0xff.
inline std::uint8_t file_byte(std::uint64_t i) { return static_cast<std::uint8_t>((i * 7 + i / kPage) & 0xff); }

inline void write_host_file(const std::string& path, std::uint64_t bytes) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    for (std::uint64_t i = 0; i < bytes; ++i) out.put(static_cast<char>(file_byte(i)));
}

struct Oracle {
    Simulation& sim;
    Kernel& k;
    Pid pid;
    std::map<std::string, std::string> out;
    SigInfo last_signal;

    Oracle(Simulation& s, Pid p) : sim(s), k(s.kernel()), pid(p) {
        EXPECT_TRUE(k.set_signal_disposition(pid, sys::kSigSegv, SigDisposition::Catch).ok());
        EXPECT_TRUE(k.set_signal_disposition(pid, sys::kSigBus, SigDisposition::Catch).ok());
    }

    void put(const std::string& key, const std::string& v) { out[key] = v; }
    void put(const std::string& key, std::int64_t v) { out[key] = std::to_string(v); }

    struct Flt {
        std::uint64_t min = 0, maj = 0;
    };
    Flt flt(Pid p = 0) const {
        auto i = k.process(p ? p : pid);
        return i ? Flt{i->faults.minor, i->faults.major} : Flt{};
    }
    void put_faults(const std::string& step, Flt a, Flt b) {
        put(step + ".minflt", static_cast<std::int64_t>(b.min - a.min));
        put(step + ".majflt", static_cast<std::int64_t>(b.maj - a.maj));
    }

    VirtAddr reserve(std::uint64_t len, std::uint64_t align, std::uint64_t skew = 0) {
        const std::uint64_t total = len + 2 * align + 2 * kPage + skew;
        auto r = k.mmap(pid, VirtAddr{0}, total, sys::kProtNone, kAnonPriv | sys::kMapNoReserve);
        EXPECT_TRUE(r.ok()) << errno_name(r.error);
        const std::uint64_t a = (r->value + kPage + align - 1) & ~(align - 1);
        return VirtAddr{a + skew};
    }
    VirtAddr map_fixed(VirtAddr addr, std::uint64_t len, int prot, int flags, int fd = -1, std::uint64_t off = 0) {
        auto r = k.mmap(pid, addr, len, prot, flags | sys::kMapFixed, fd, off);
        EXPECT_TRUE(r.ok()) << errno_name(r.error);
        return r.ok() ? *r : VirtAddr{0};
    }
    VirtAddr anon_pages(std::uint64_t pages, int prot) {
        VirtAddr p = reserve(pages * kPage, 2 * MiB);
        map_fixed(p, pages * kPage, prot, kAnonPriv);
        EXPECT_TRUE(k.madvise(pid, p, pages * kPage, sys::kMadvNoHugePage).ok());
        return p;
    }
    // A file of `pages` pages plus `tail` bytes with oracle.h's contents, opened O_RDWR;
    // `cached` reads every page once (in the simulation) so that it is in the page cache.
    int make_file(const TempDir& dir, const std::string& name, std::uint64_t pages, std::uint64_t tail, bool cached) {
        const std::string path = dir.file(name);
        write_host_file(path, pages * kPage + tail);
        auto fd = k.open(pid, path, sys::kORdWr);
        EXPECT_TRUE(fd.ok()) << errno_name(fd.error);
        if (cached) {
            std::vector<std::uint8_t> buf(kPage);
            for (std::uint64_t off = 0; off < pages * kPage + tail; off += kPage)
                EXPECT_TRUE(k.pread(pid, *fd, buf, off).ok());
        }
        return *fd;
    }

    const VmaReport* vma_at(const ProcessMemory& m, VirtAddr start) const {
        for (const auto& v : m.vmas)
            if (v.vma.start == start) return &v;
        return nullptr;
    }
    void put_smaps(const std::string& step, VirtAddr start, Pid p = 0) {
        auto m = k.memory(p ? p : pid);
        ASSERT_TRUE(m.has_value());
        const VmaReport* v = vma_at(*m, start);
        if (!v) {
            put(step + ".vma", "none");
            return;
        }
        const MemCounters& c = v->mem;
        auto kb = [](std::uint64_t b) { return static_cast<std::int64_t>(b / 1024); };
        put(step + ".size_kb", kb(c.size));
        put(step + ".rss_kb", kb(c.rss));
        put(step + ".pss_kb", static_cast<std::int64_t>(c.pss_fp >> (10 + MemCounters::kPssShift)));
        put(step + ".shared_clean_kb", kb(c.shared_clean));
        put(step + ".shared_dirty_kb", kb(c.shared_dirty));
        put(step + ".private_clean_kb", kb(c.private_clean));
        put(step + ".private_dirty_kb", kb(c.private_dirty));
        put(step + ".referenced_kb", kb(c.referenced));
        put(step + ".anonymous_kb", kb(c.anonymous));
        put(step + ".lazyfree_kb", kb(c.lazyfree));
        put(step + ".anon_huge_kb", 0);
        put(step + ".swap_kb", kb(c.swap));
        put(step + ".locked_kb", static_cast<std::int64_t>(c.locked_fp >> (10 + MemCounters::kPssShift)));
        put(step + ".vmflags", vmflags_string(v->vma.flags));
    }
    void put_vmflags(const std::string& step, VirtAddr start) {
        auto m = k.memory(pid);
        if (const VmaReport* v = vma_at(*m, start)) put(step + ".vmflags", vmflags_string(v->vma.flags));
    }
    bool present(VirtAddr va, Pid p = 0) const {
        auto i = k.page(p ? p : pid, va);
        return i && i->present;
    }
    void put_present(const std::string& step, VirtAddr p, std::uint64_t pages, Pid who = 0) {
        std::string s;
        for (std::uint64_t i = 0; i < pages;) {
            if (!present(p + i * kPage, who)) {
                ++i;
                continue;
            }
            std::uint64_t j = i;
            while (j + 1 < pages && present(p + (j + 1) * kPage, who)) ++j;
            s += (s.empty() ? "" : ",") + std::to_string(i) + "-" + std::to_string(j);
            i = j + 1;
        }
        put(step + ".present", s.empty() ? "none" : s);
    }
    int vmas_in(VirtAddr lo, VirtAddr hi) const {
        int n = 0;
        for (const auto& v : k.maps(pid))
            if (v.start < hi && v.end > lo) ++n;
        return n;
    }

    // One byte per page, as oracle.h's read_pages / write_pages; stops at a signal.
    AccessOutcome read_pages(VirtAddr p, std::uint64_t pages, Pid who = 0) {
        AccessOutcome r;
        for (std::uint64_t i = 0; i < pages && r.ok; ++i) r = sim.access(who ? who : pid, p + i * kPage, AccessKind::Read, 1);
        return r;
    }
    AccessOutcome write_pages(VirtAddr p, std::uint64_t pages, std::uint8_t value, Pid who = 0) {
        AccessOutcome r;
        for (std::uint64_t i = 0; i < pages && r.ok; ++i)
            r = sim.write(who ? who : pid, p + i * kPage, std::span<const std::uint8_t>(&value, 1));
        return r;
    }
    std::uint8_t byte_at(VirtAddr va, Pid who = 0) {
        std::uint8_t b = 0;
        auto r = sim.read(who ? who : pid, va, std::span<std::uint8_t>(&b, 1));
        EXPECT_TRUE(r.ok) << describe(r.signal);
        return b;
    }
    void put_signal(const std::string& step, const AccessOutcome& r, VirtAddr base) {
        if (r.ok) {
            put(step + ".signal", "none");
            return;
        }
        put(step + ".signal", signal_name(r.signal.signo));
        put(step + ".si_code", si_code_name(r.signal.signo, r.signal.code));
        const std::int64_t off = static_cast<std::int64_t>(r.signal.addr.value - base.value);
        put(step + ".si_addr_off", fmt::format("{}0x{:x}", off < 0 ? "-" : "", off < 0 ? -off : off));
    }
    template <class T>
    void put_errno(const std::string& step, const SysResult<T>& r) {
        put(step + ".errno", r.ok() ? std::string("ok") : std::string(errno_name(r.error)));
    }

    // Compares every key the scenario produced with the recording, and checks that the
    // recording has no key the scenario left out except `not_modelled`.
    void check(const std::string& program, const std::set<std::string>& not_modelled = {}) const {
        auto ref = load_linux_reference(std::string(VMLAB_TEST_DATA) + "/linux/" + program + ".out");
        ASSERT_TRUE(ref) << ref.error().str();
        for (const auto& [key, v] : out) EXPECT_EQ(v, ref->get(key)) << program << ": " << key;
        for (const auto& key : ref->keys) {
            if (out.count(key) || not_modelled.count(key)) continue;
            ADD_FAILURE() << program << ": the scenario does not produce " << key;
        }
    }
};

}  // namespace vmlab::test
