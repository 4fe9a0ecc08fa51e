// The recorded behaviour of the real Linux kernel (tests/data/linux/*.out).
//
// RecordedFigures checks that the recordings show what the project's specification
// (issue 3, "Proof against the real kernel") states about Linux; the vmlab scenarios
// are later compared with the same files. LiveKernel re-runs the programs on this machine
// and compares, when the running kernel and file system are the recorded ones.
#include <gtest/gtest.h>

#include <sys/statfs.h>
#include <sys/utsname.h>

#include <cstdlib>
#include <filesystem>
#include <set>

#include "support/linux_reference.hpp"

namespace fs = std::filesystem;
using vmlab::test::LinuxReference;
using vmlab::test::load_linux_reference;

namespace {

const fs::path kData = fs::path(VMLAB_TEST_DATA) / "linux";
const fs::path kPrograms = fs::path(VMLAB_TEST_DATA).parent_path() / "oracle" / "linux";

LinuxReference load(const std::string& name) {
    auto r = load_linux_reference((kData / (name + ".out")).string());
    EXPECT_TRUE(r) << (r ? "" : r.error().str());
    return r ? *r : LinuxReference{};
}

}  // namespace

TEST(LinuxReference, EveryProgramHasAWellFormedRecording) {
    std::set<std::string> programs, recordings;
    for (const auto& e : fs::directory_iterator(kPrograms))
        if (e.path().extension() == ".c") programs.insert(e.path().stem().string());
    for (const auto& e : fs::directory_iterator(kData))
        if (e.path().extension() == ".out") recordings.insert(e.path().stem().string());
    EXPECT_EQ(programs, recordings);
    EXPECT_GE(programs.size(), 15u);
    for (const auto& name : recordings) {
        auto r = load_linux_reference((kData / (name + ".out")).string());
        ASSERT_TRUE(r) << r.error().str();
        EXPECT_EQ(r->name, name);
        EXPECT_EQ(r->machine, "x86_64");
        EXPECT_FALSE(r->fs.empty());
        EXPECT_GT(r->keys.size(), 3u) << name;
    }
}

TEST(LinuxReference, MalformedRecordingIsRejectedWithItsLine) {
    auto path = fs::temp_directory_path() / "vmlab_bad_reference.out";
    {
        std::ofstream o(path);
        o << "# vmlab linux reference: x\n# kernel 1 x86_64\nread.minflt 64\nread.minflt 65\n";
    }
    auto r = load_linux_reference(path.string());
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().where.line, 4u);
    EXPECT_NE(r.error().message.find("duplicate"), std::string::npos);
    {
        std::ofstream o(path);
        o << "# vmlab linux reference: x\n# kernel 1 x86_64\nread minflt 64\n";
    }
    r = load_linux_reference(path.string());
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().where.line, 3u);
    fs::remove(path);
}

// Issue 3: reading then writing 64 anonymous pages takes 64 + 64 faults; RSS is 0 after
// the reads (zero page) and 256 KiB after the writes.
TEST(LinuxReference, AnonymousReadThenWrite) {
    auto r = load("anon_read_write");
    EXPECT_EQ(r.get("read.minflt"), "64");
    EXPECT_EQ(r.get("read.rss_kb"), "0");
    EXPECT_EQ(r.get("write.minflt"), "64");
    EXPECT_EQ(r.get("write.rss_kb"), "256");
    EXPECT_EQ(r.get("write.anonymous_kb"), "256");
    EXPECT_EQ(r.get("rewrite.minflt"), "0");
}

// The child writes 16 of 64 pages (16 faults); the parent then writes all 64: 64 faults,
// of which 48 copy (pages still shared with the child) and 16 reuse.
TEST(LinuxReference, ForkCopyOnWrite) {
    auto r = load("fork_cow");
    EXPECT_EQ(r.get("child_write16.minflt"), "16");
    EXPECT_EQ(r.get("parent_write64.minflt"), "64");
    EXPECT_EQ(r.get("parent_write64.copied"), "48");
    EXPECT_EQ(r.get("parent_write64.reused"), "16");
    EXPECT_EQ(r.get("child_write16.pss_kb"), "160");  // 16 private + 48 shared by 2, x 4 KiB
}

// Reading 64 cached pages of a private file mapping: 4 faults (fault-around of 16
// pages); writing them: 64 faults.
TEST(LinuxReference, PrivateFileMapping) {
    auto r = load("file_private");
    EXPECT_EQ(r.get("read.minflt"), "4");
    EXPECT_EQ(r.get("read.majflt"), "0");
    EXPECT_EQ(r.get("write.minflt"), "64");
    EXPECT_EQ(r.get("write.anonymous_kb"), "256");
    EXPECT_EQ(r.get("write.file_byte0_unchanged"), "1");
}

// A shared file mapping faults on the first write of each page and again after msync.
TEST(LinuxReference, SharedFileMappingWriteMsyncWrite) {
    auto r = load("file_shared");
    EXPECT_EQ(r.get("write.minflt"), "64");
    EXPECT_EQ(r.get("rewrite.minflt"), "0");
    EXPECT_EQ(r.get("msync.private_dirty_kb"), "0");
    EXPECT_EQ(r.get("write_after_msync.minflt"), "64");
}

// mprotect to read-only then a write: SIGSEGV, SEGV_ACCERR, at the exact address.
TEST(LinuxReference, ProtectionFault) {
    auto r = load("mprotect_segv");
    EXPECT_EQ(r.get("write_ro.signal"), "SIGSEGV");
    EXPECT_EQ(r.get("write_ro.si_code"), "SEGV_ACCERR");
    EXPECT_EQ(r.get("write_ro.si_addr_off"), "0x2123");
    EXPECT_EQ(r.get("read_ro.signal"), "none");
    EXPECT_EQ(r.get("noncanonical.si_code"), "SI_KERNEL");
}

// A whole page past the end of the file: SIGBUS (BUS_ADRERR); the partial last page reads.
TEST(LinuxReference, BusErrorPastEndOfFile) {
    auto r = load("file_sigbus");
    EXPECT_EQ(r.get("page_past_eof.signal"), "SIGBUS");
    EXPECT_EQ(r.get("page_past_eof.si_code"), "BUS_ADRERR");
    EXPECT_EQ(r.get("page_past_eof.si_addr_off"), "0x2000");
    EXPECT_EQ(r.get("tail_of_last_page.signal"), "none");
}

// MADV_DONTNEED then reading: zero again, one fault per page, no RSS.
TEST(LinuxReference, DontNeedThenRead) {
    auto r = load("madv_dontneed");
    EXPECT_EQ(r.get("anon_dontneed.rss_kb"), "0");
    EXPECT_EQ(r.get("anon_read.minflt"), "64");
    EXPECT_EQ(r.get("anon_read.all_zero"), "1");
    EXPECT_EQ(r.get("private_file_read.matches_file"), "1");
}

TEST(LinuxReference, UnmappedHoleAndErrnos) {
    auto h = load("munmap_hole");
    EXPECT_EQ(h.get("hole.vmas"), "2");
    EXPECT_EQ(h.get("read_hole.si_code"), "SEGV_MAPERR");
    EXPECT_EQ(h.get("read_hole.si_addr_off"), "0x3010");
    auto e = load("errno_args");
    EXPECT_EQ(e.get("mmap_len_zero.errno"), "EINVAL");
    EXPECT_EQ(e.get("mmap_fixed_noreplace_exact.errno"), "EEXIST");
    EXPECT_EQ(e.get("mmap_shared_write_rdonly_fd.errno"), "EACCES");
    EXPECT_EQ(e.get("munmap_unmapped.errno"), "ok");
    EXPECT_EQ(e.get("mprotect_unmapped.errno"), "ENOMEM");
    EXPECT_EQ(e.get("mremap_unmapped.errno"), "EFAULT");
    auto f = load("file_readonly");
    EXPECT_EQ(f.get("shared_rw.errno"), "EACCES");
}

// Re-runs the programs (once each) and compares with the recordings, when this machine
// runs the recorded kernel and its temporary directory is on the recorded file system.
// The live kernel's counts can move by a fault or two on a loaded machine (a stack page,
// a page-table page), so this comparison is opt-in: VMLAB_LIVE_ORACLE=1 scripts/test.sh.
TEST(LinuxReference, LiveKernelMatchesRecording) {
    const char* live = std::getenv("VMLAB_LIVE_ORACLE");
    if (!live || std::string(live) != "1") GTEST_SKIP() << "set VMLAB_LIVE_ORACLE=1 to compare with the live kernel";
    auto ref = load("anon_read_write");
    struct utsname u;
    uname(&u);
    if (ref.kernel != u.release)
        GTEST_SKIP() << "recorded on kernel " << ref.kernel << ", this machine runs " << u.release;
    if (std::system("command -v gcc >/dev/null 2>&1") != 0) GTEST_SKIP() << "no gcc";
    fs::path work = fs::temp_directory_path() / fs::path("vmlab_oracle_" + std::to_string(getpid()));
    fs::create_directories(work);
    struct statfs sf;
    std::string fstype = statfs(work.c_str(), &sf) != 0 ? "?"
                         : sf.f_type == 0xEF53         ? "ext4"
                         : sf.f_type == 0x01021994     ? "tmpfs"
                                                       : "other";
    if (fstype != ref.fs) {
        fs::remove_all(work);
        GTEST_SKIP() << "recorded on " << ref.fs << ", " << work << " is " << fstype;
    }
    std::string cmd = "ORACLE_RUNS=1 ORACLE_WORKDIR='" + work.string() + "' bash '" +
                      (kPrograms / "run.sh").string() + "' --check >/dev/null";
    int rc = std::system(cmd.c_str());
    fs::remove_all(work);
    EXPECT_EQ(rc, 0) << "tests/oracle/linux/run.sh --check differs from tests/data/linux (run it to see)";
}
