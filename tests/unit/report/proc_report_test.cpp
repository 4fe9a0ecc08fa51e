// The /proc views against text printed by the real Linux kernel on this project's machine
// (kernel 6.18, x86-64): the expected strings below were read from /proc/self/maps,
// smaps, smaps_rollup and status of `cat`, with the VMA values typed in from the same
// lines.
#include <gtest/gtest.h>

#include <sstream>

#include "vmlab/report/proc.hpp"

using namespace vmlab;
using namespace vmlab::report;

namespace {

VmaInfo vma(std::uint64_t start, std::uint64_t end, VmFlags flags) {
    VmaInfo v;
    v.start = VirtAddr{start};
    v.end = VirtAddr{end};
    v.flags = flags;
    return v;
}

constexpr VmFlags kRw = vm::kRead | vm::kWrite | vm::kMayRead | vm::kMayWrite | vm::kMayExec;

}  // namespace

TEST(ProcMaps, FileLinePadsThePathToColumn73) {
    VmaInfo v = vma(0x55f3e8fdd000, 0x55f3e8fdf000, vm::kRead | vm::kMayRead | vm::kMayWrite | vm::kMayExec);
    v.backing = VmaBacking::File;
    v.dev_major = 0xfe;
    v.dev_minor = 0;
    v.inode = 247134;
    v.path = "/usr/bin/cat";
    EXPECT_EQ(maps_line(v), "55f3e8fdd000-55f3e8fdf000 r--p 00000000 fe:00 247134                     /usr/bin/cat\n");
    v.offset = 0x2000;
    v.flags |= vm::kExec;
    EXPECT_EQ(maps_line(v), "55f3e8fdd000-55f3e8fdf000 r-xp 00002000 fe:00 247134                     /usr/bin/cat\n");
}

TEST(ProcMaps, AnonymousLineKeepsItsTrailingSpace) {
    EXPECT_EQ(maps_line(vma(0x7f305f015000, 0x7f305f037000, kRw)), "7f305f015000-7f305f037000 rw-p 00000000 00:00 0 \n");
}

TEST(ProcMaps, SpecialNamesAndWideAddresses) {
    VmaInfo heap = vma(0x55f419504000, 0x55f419525000, kRw);
    heap.name = "[heap]";
    EXPECT_EQ(maps_line(heap), "55f419504000-55f419525000 rw-p 00000000 00:00 0                          [heap]\n");
    VmaInfo vsys = vma(0xffffffffff600000, 0xffffffffff601000, vm::kExec);
    vsys.name = "[vsyscall]";
    EXPECT_EQ(maps_line(vsys), "ffffffffff600000-ffffffffff601000 --xp 00000000 00:00 0                  [vsyscall]\n");
    VmaInfo shared = vma(0x7f305f27d000, 0x7f305f284000, vm::kRead | vm::kMayRead | vm::kMayShare | vm::kShared);
    shared.backing = VmaBacking::File;
    shared.path = "/usr/lib/x86_64-linux-gnu/gconv/gconv-modules.cache";
    shared.dev_major = 0xfe;
    shared.inode = 332280;
    EXPECT_EQ(maps_line(shared),
              "7f305f27d000-7f305f284000 r--s 00000000 fe:00 332280                     "
              "/usr/lib/x86_64-linux-gnu/gconv/gconv-modules.cache\n");
}

TEST(ProcMaps, AddressesHaveAtLeastEightDigitsAndAnonNamesAreBracketed) {
    VmaInfo low = vma(0x10000, 0x11000, kRw);
    EXPECT_EQ(maps_line(low), "00010000-00011000 rw-p 00000000 00:00 0 \n");
    low.name = "buffers";
    EXPECT_EQ(maps_name(low), "[anon:buffers]");
    VmaInfo shm = low;
    shm.backing = VmaBacking::Shmem;
    shm.path = "/dev/zero (deleted)";
    EXPECT_EQ(maps_name(shm), "[anon_shmem:buffers]");
    shm.name.clear();
    EXPECT_EQ(maps_name(shm), "/dev/zero (deleted)");
}

TEST(ProcMaps, ThirtyTwoBitKernelsPadToColumn49) {
    VmaInfo v = vma(0x8048000, 0x8049000, vm::kRead);
    v.name = "[heap]";
    ProcFormat f;
    f.pointer_bytes = 4;
    const std::string line = maps_line(v, f);
    EXPECT_EQ(line.find("[heap]"), 49u) << line;
}

TEST(ProcSmaps, HeapBlockMatchesLinux) {
    VmaReport r;
    r.vma = vma(0x55b43ff73000, 0x55b43ffb5000, kRw | vm::kAccount);
    r.vma.name = "[heap]";
    r.mem.size = r.vma.size();
    r.mem.rss = 44 << 10;
    r.mem.pss_fp = std::uint64_t{44 << 10} << MemCounters::kPssShift;
    r.mem.pss_dirty_fp = r.mem.pss_fp;
    r.mem.private_dirty = 44 << 10;
    r.mem.referenced = 44 << 10;
    r.mem.anonymous = 44 << 10;
    std::ostringstream os;
    write_smaps_vma(os, r);
    EXPECT_EQ(os.str(),
              "55b43ff73000-55b43ffb5000 rw-p 00000000 00:00 0                          [heap]\n"
              "Size:                264 kB\n"
              "KernelPageSize:        4 kB\n"
              "MMUPageSize:           4 kB\n"
              "Rss:                  44 kB\n"
              "Pss:                  44 kB\n"
              "Pss_Dirty:            44 kB\n"
              "Shared_Clean:          0 kB\n"
              "Shared_Dirty:          0 kB\n"
              "Private_Clean:         0 kB\n"
              "Private_Dirty:        44 kB\n"
              "Referenced:           44 kB\n"
              "Anonymous:            44 kB\n"
              "KSM:                   0 kB\n"
              "LazyFree:              0 kB\n"
              "AnonHugePages:         0 kB\n"
              "ShmemPmdMapped:        0 kB\n"
              "FilePmdMapped:         0 kB\n"
              "Shared_Hugetlb:        0 kB\n"
              "Private_Hugetlb:       0 kB\n"
              "Swap:                  0 kB\n"
              "SwapPss:               0 kB\n"
              "Locked:                0 kB\n"
              "THPeligible:           0\n"
              "VmFlags: rd wr mr mw me ac \n");
}

TEST(ProcSmaps, PssKeepsFractionsUntilPrinted) {
    // Three processes share 3 pages: each has Pss 4 kB exactly; one page shared by 3:
    // 1365.33 bytes, printed as 1 kB (rounded down after the shift, as Linux does).
    MemCounters c;
    c.pss_fp = (std::uint64_t{4096} << MemCounters::kPssShift) / 3 * 3;
    EXPECT_EQ(c.pss() >> 10, 3u);  // 4095.99.. bytes: 3 kB
    c.pss_fp = (std::uint64_t{3 * 4096} << MemCounters::kPssShift) / 3;
    EXPECT_EQ(c.pss() >> 10, 4u);
}

TEST(ProcSmaps, VmFlagsInBitOrderWithUnknownBitsAsQuestionMarks) {
    EXPECT_EQ(vmflags_mnemonics(vm::kRead | vm::kWrite | vm::kMayRead | vm::kMayWrite | vm::kMayExec | vm::kLocked |
                                vm::kAccount | vm::kNoHugePage),
              (std::vector<std::string>{"rd", "wr", "mr", "mw", "me", "lo", "ac", "nh"}));
    EXPECT_EQ(vmflags_mnemonics(vm::kShared | vm::kMayShare | vm::kGrowsDown),
              (std::vector<std::string>{"sh", "ms", "gd"}));
    EXPECT_EQ(vmflags_mnemonics(VmFlags{1} << 40), (std::vector<std::string>{"??"}));
}

TEST(ProcSmaps, RollupMatchesLinux) {
    ProcessMemory m;
    VmaReport a, b;
    a.vma = vma(0x55e442d0f000, 0x55e442d11000, kRw);
    b.vma = vma(0x7ffd78d15000, 0x7ffd78d36000, kRw);
    m.vmas = {a, b};
    auto kb = [](std::uint64_t k) { return k << 10; };
    auto fp = [](std::uint64_t k) { return (k << 10) << MemCounters::kPssShift; };
    m.total.rss = kb(1764);
    m.total.pss_fp = fp(195) + 100;  // fractions are dropped
    m.total.pss_dirty_fp = fp(112);
    m.total.pss_anon_fp = fp(112);
    m.total.pss_file_fp = fp(83);
    m.total.shared_clean = kb(1612);
    m.total.private_clean = kb(40);
    m.total.private_dirty = kb(112);
    m.total.referenced = kb(1764);
    m.total.anonymous = kb(112);
    std::ostringstream os;
    write_smaps_rollup(os, m);
    EXPECT_EQ(os.str(),
              "55e442d0f000-7ffd78d36000 ---p 00000000 00:00 0                          [rollup]\n"
              "Rss:                1764 kB\n"
              "Pss:                 195 kB\n"
              "Pss_Dirty:           112 kB\n"
              "Pss_Anon:            112 kB\n"
              "Pss_File:             83 kB\n"
              "Pss_Shmem:             0 kB\n"
              "Shared_Clean:       1612 kB\n"
              "Shared_Dirty:          0 kB\n"
              "Private_Clean:        40 kB\n"
              "Private_Dirty:       112 kB\n"
              "Referenced:         1764 kB\n"
              "Anonymous:           112 kB\n"
              "KSM:                   0 kB\n"
              "LazyFree:              0 kB\n"
              "AnonHugePages:         0 kB\n"
              "ShmemPmdMapped:        0 kB\n"
              "FilePmdMapped:         0 kB\n"
              "Shared_Hugetlb:        0 kB\n"
              "Private_Hugetlb:       0 kB\n"
              "Swap:                  0 kB\n"
              "SwapPss:               0 kB\n"
              "Locked:                0 kB\n");
    std::ostringstream empty;
    write_smaps_rollup(empty, ProcessMemory{});
    EXPECT_EQ(empty.str(), "");
}

TEST(ProcStatus, MemoryLinesMatchLinux) {
    ProcessMemory m;
    auto kb = [](std::uint64_t k) { return k << 10; };
    m.vm_size = kb(3892);
    m.vm_hwm = kb(2164);
    m.vm_rss = kb(2164);
    m.rss_anon = kb(156);
    m.rss_file = kb(2008);
    m.vm_data = kb(424);
    m.vm_stk = kb(132);
    m.vm_exe = kb(144 + 1956);
    m.vm_pte = kb(44);
    MmLayout l;
    l.start_code = VirtAddr{0x55f3e8fdf000};
    l.end_code = VirtAddr{0x55f3e8fdf000 + 144 * 1024 - 100};  // page-rounded up
    ProcessView v{&m, nullptr, &l, {}};
    std::ostringstream os;
    write_status(os, v);
    EXPECT_EQ(os.str(),
              "VmSize:\t    3892 kB\n"
              "VmLck:\t       0 kB\n"
              "VmPin:\t       0 kB\n"
              "VmHWM:\t    2164 kB\n"
              "VmRSS:\t    2164 kB\n"
              "RssAnon:\t     156 kB\n"
              "RssFile:\t    2008 kB\n"
              "RssShmem:\t       0 kB\n"
              "VmData:\t     424 kB\n"
              "VmStk:\t     132 kB\n"
              "VmExe:\t     144 kB\n"
              "VmLib:\t    1956 kB\n"
              "VmPTE:\t      44 kB\n"
              "VmSwap:\t       0 kB\n"
              "HugetlbPages:\t       0 kB\n");
    auto j = status_json(v);
    EXPECT_EQ(j["vm_lib"], kb(1956));
    EXPECT_EQ(j["rss_file"], kb(2008));
}

TEST(Vmmap, SharingModesFollowVmmapDefinitions) {
    VmaReport r;
    r.vma = vma(0x10000, 0x20000, kRw);
    EXPECT_EQ(vmmap_region(r).share_mode, "NUL");  // nothing resident
    r.mem.rss = r.mem.private_dirty = 4096;
    EXPECT_EQ(vmmap_region(r).share_mode, "PRV");
    r.mem.shared_dirty = 4096;  // a page still shared with a forked child
    EXPECT_EQ(vmmap_region(r).share_mode, "COW");
    r.vma.flags |= vm::kShared | vm::kMayShare;
    r.vma.backing = VmaBacking::Shmem;
    EXPECT_EQ(vmmap_region(r).share_mode, "SHM");
    VmaReport f;
    f.vma = vma(0x10000, 0x20000, vm::kRead | vm::kMayRead | vm::kMayWrite | vm::kMayExec);
    f.vma.backing = VmaBacking::File;
    f.vma.path = "/data/f";
    f.mem.rss = f.mem.private_clean = 8192;  // page-cache pages mapped privately
    const auto g = vmmap_region(f);
    EXPECT_EQ(g.share_mode, "COW");
    EXPECT_EQ(g.type, "mapped file");
    EXPECT_EQ(g.prot, "r--");
    EXPECT_EQ(g.max_prot, "rwx");
    EXPECT_EQ(g.detail, "/data/f");
}

TEST(Vmmap, TableSplitsNonWritableAndWritableRegions) {
    ProcessMemory m;
    m.pid = 1000;
    m.name = "demo";
    VmaReport text, stack;
    text.vma = vma(0x400000, 0x401000, vm::kRead | vm::kExec | vm::kMayRead | vm::kMayExec);
    text.vma.backing = VmaBacking::File;
    text.vma.path = "/bin/demo";
    text.mem.rss = text.mem.private_clean = 4096;
    stack.vma = vma(0x7ffffffde000, 0x7ffffffff000, kRw | vm::kGrowsDown);
    stack.vma.name = "[stack]";
    stack.mem.rss = stack.mem.private_dirty = 8192;
    m.vmas = {text, stack};
    std::ostringstream os;
    write_vmmap(os, ProcessView{&m, nullptr, nullptr, {}});
    const std::string s = os.str();
    EXPECT_NE(s.find("==== Non-writable regions for process 1000 (demo)\n"), std::string::npos);
    EXPECT_NE(s.find("mapped file            0000000000400000-0000000000401000 [    4K     4K     0K     0K] r-x/r-x SM=COW  /bin/demo\n"),
              std::string::npos) << s;
    EXPECT_NE(s.find("Stack                  00007ffffffde000-00007ffffffff000 [  132K     8K     8K     0K] rw-/rwx SM=PRV  [stack]\n"),
              std::string::npos) << s;
    EXPECT_LT(s.find("mapped file"), s.find("==== Writable"));
    EXPECT_GT(s.find("Stack "), s.find("==== Writable"));
    EXPECT_NE(s.find("TOTAL                      136K      12K       8K       0K       2\n"), std::string::npos) << s;
}

TEST(ProcReports, EveryReportIsRegisteredWithTextAndJson) {
    EXPECT_EQ(proc_reports().names(),
              (std::vector<std::string>{"maps", "smaps", "smaps_rollup", "status", "summary", "vmmap"}));
    ProcessMemory m;
    m.vmas.push_back(VmaReport{vma(0x10000, 0x11000, kRw), {}});
    ProcessView v{&m, nullptr, nullptr, {}};
    for (const auto& e : proc_reports().entries()) {
        ASSERT_NE(e.make.text, nullptr) << e.name;
        ASSERT_NE(e.make.json, nullptr) << e.name;
        std::ostringstream os;
        e.make.text(os, v);
        EXPECT_FALSE(os.str().empty()) << e.name;
        EXPECT_FALSE(e.make.json(v).is_null()) << e.name;
    }
}

TEST(Summary, TableAndJsonCarryTheSameFigures) {
    ProcessMemory m;
    m.pid = 7;
    m.name = "p";
    m.vm_size = 1 << 20;
    m.vm_rss = m.rss_anon = 256 << 10;
    m.total.pss_fp = std::uint64_t{128 << 10} << MemCounters::kPssShift;
    m.vm_pte = 16 << 10;
    ProcessInfo info;
    info.name = "p";
    info.faults.minor = 64;
    const auto s = summarize(ProcessView{&m, &info, nullptr, {}});
    EXPECT_EQ(s.pss, 128u << 10);
    std::ostringstream os;
    write_summary_table(os, {s});
    EXPECT_NE(os.str().find("      7 p                 1024       256       256         0         0       128      16        64       0\n"),
              std::string::npos) << os.str();
    EXPECT_EQ(summary_json(s)["minor_faults"], 64);
}
