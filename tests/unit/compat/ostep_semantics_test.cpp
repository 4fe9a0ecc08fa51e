// The semantic rules of ../shared/compat/ostep.md, each checked on an input whose answer is
// worked out by hand in the comment (explicit inputs, or the first draws of Python's
// generator, which python_random_test.cpp pins), plus vmlab's additions: long aliases,
// --page-table, --from-dump, and errors where the Python tools crash or loop forever.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <unistd.h>

#include "vmlab/compat/ostep.hpp"

using vmlab::compat::run_ostep;

namespace {

struct Outcome {
    std::string out;
    int status = 0;         // 2 for an Error
    std::string error;      // the Error's text
};

Outcome run(const std::string& sim, const std::vector<std::string>& args) {
    Outcome r;
    auto res = run_ostep(sim, args, r.out);
    if (res) r.status = *res;
    else {
        r.status = 2;
        r.error = res.error().str();
    }
    return r;
}

std::string data(const std::string& name) {
    return std::string(VMLAB_TEST_DATA) + "/ostep/" + name;
}

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

bool contains(const std::string& s, const std::string& part) { return s.find(part) != std::string::npos; }

// The lines of `s` that start with `prefix`.
std::vector<std::string> lines_with(const std::string& s, const std::string& prefix) {
    std::vector<std::string> out;
    std::istringstream in(s);
    std::string l;
    while (std::getline(in, l))
        if (l.rfind(prefix, 0) == 0) out.push_back(l);
    return out;
}

class TempFile {
public:
    explicit TempFile(const std::string& text) {
        path_ = (std::filesystem::temp_directory_path() /
                 ("vmlab-ostep-" + std::to_string(::getpid()) + "-" + std::to_string(counter_++) + ".txt"))
                    .string();
        std::ofstream(path_, std::ios::binary) << text;
    }
    ~TempFile() { std::filesystem::remove(path_); }
    const std::string& path() const { return path_; }

private:
    static inline int counter_ = 0;
    std::string path_;
};

}  // namespace

TEST(OstepSimulators, RegisteredNamesAndAliases) {
    EXPECT_EQ(vmlab::compat::ostep_simulators().names(),
              (std::vector<std::string>{"malloc", "paging-linear-translate", "paging-multilevel-translate",
                                        "paging-policy", "relocation", "segmentation"}));
    for (const char* n : {"relocation.py", "vm-mechanism", "paging-linear", "paging-linear-translate.py", "vm-paging",
                          "paging-multilevel", "vm-smalltables", "vm-beyondphys-policy", "malloc.py"})
        EXPECT_NE(vmlab::compat::find_ostep_simulator(n), nullptr) << n;
    const Outcome r = run("paging-polcy", {});
    EXPECT_EQ(r.status, 2);
    EXPECT_TRUE(contains(r.error, "did you mean 'paging-policy'")) << r.error;
    EXPECT_TRUE(r.out.empty());
}

TEST(OstepRelocation, BaseAndBounds) {
    // base 100, limit 50: VA 0 -> 100, VA 49 -> 149, VA 50 is out of bounds.
    const Outcome r = run("relocation", {"-b", "100", "-l", "50", "--vas", "0,49,50", "-c"});
    EXPECT_EQ(r.status, 0);
    EXPECT_EQ(lines_with(r.out, "  VA"),
              (std::vector<std::string>{"  VA  0: 0x00000000 (decimal:    0) --> VALID: 0x00000064 (decimal:  100)",
                                        "  VA  1: 0x00000031 (decimal:   49) --> VALID: 0x00000095 (decimal:  149)",
                                        "  VA  2: 0x00000032 (decimal:   50) --> SEGMENTATION VIOLATION"}));
    EXPECT_EQ(r.out.substr(0, 10), "\nARG seed ");  // relocation opens with a blank line
}

TEST(OstepRelocation, ErrorsAreStdoutWithStatusOne) {
    // base + limit > psize is reported after the register block.
    const Outcome r = run("relocation", {"-b", "16000", "-l", "1000", "-c"});
    EXPECT_EQ(r.status, 1);
    EXPECT_TRUE(contains(r.out, "  Limit  : 1000\n\nError: address space does not fit into physical memory"));
    EXPECT_TRUE(contains(r.out, "Base + Limit: 17000   Psize: 16384\n"));
    EXPECT_EQ(run("relocation", {"-a", "16k", "-p", "16k"}).status, 1);
}

TEST(OstepRelocation, NoEndlessLoop) {
    // A limit >= psize leaves no random base with base + limit < psize: Python spins forever.
    const Outcome r = run("relocation", {"-l", "16384", "-c"});
    EXPECT_EQ(r.status, 2);
    EXPECT_TRUE(contains(r.error, "loops forever")) << r.error;
}

TEST(OstepRelocation, PlacementGivesUpAfterManyDraws) {
    // Only base 0 fits (psize 1024g, limit psize-1): one draw in 2^40 succeeds.
    const Outcome r = run("relocation", {"-a", "1k", "-p", "1024g", "-l", "1099511627775", "-c"});
    EXPECT_EQ(r.status, 2);
    EXPECT_TRUE(contains(r.error, "after 67108864 draws")) << r.error;
    EXPECT_TRUE(contains(r.out, "ARG phys mem size 1024g\n\n")) << r.out;
}

TEST(OstepSegmentation, SegmentChoiceAndGrowth) {
    // asize 15: the seg1 test is va >= 7.5, so VA 7 is in seg0 (limit 7: violation) and VA 8
    // in seg1: PA = 100 + (8 - 15) = 93 >= 100 - 7: valid. VA 14 -> 99. VA 6 -> seg0 6.
    const Outcome r = run("segmentation", {"-a", "15", "-p", "100", "-b", "0", "-l", "7", "-B", "100", "-L", "7", "-A",
                                       "6,7,8,14", "-c"});
    EXPECT_EQ(r.status, 0);
    EXPECT_EQ(lines_with(r.out, "  VA"),
              (std::vector<std::string>{
                  "  VA  0: 0x00000006 (decimal:    6) --> VALID in SEG0: 0x00000006 (decimal:    6)",
                  "  VA  1: 0x00000007 (decimal:    7) --> SEGMENTATION VIOLATION (SEG0)",
                  "  VA  2: 0x00000008 (decimal:    8) --> VALID in SEG1: 0x0000005d (decimal:   93)",
                  "  VA  3: 0x0000000e (decimal:   14) --> VALID in SEG1: 0x00000063 (decimal:   99)"}));
    EXPECT_TRUE(contains(r.out, "  Segment 1 base  (grows negative) : 0x00000064 (decimal 100)\n"));
    EXPECT_EQ(r.out.substr(0, 9), "ARG seed ");  // no leading blank line
}

TEST(OstepSegmentation, OneSidedOverlapCheck) {
    // seg0 [100, 300) and seg1 [250, 350): base1 250 lies inside seg0 -> error.
    const Outcome a = run("segmentation", {"-b", "100", "-l", "200", "-B", "350", "-L", "100", "-c"});
    EXPECT_EQ(a.status, 1);
    EXPECT_TRUE(contains(a.out, "Error: segments overlap in physical memory\n"));
    // seg1 [500, 600) below seg0 [550, 650) overlaps too, but base1 < base0: not detected.
    const Outcome b = run("segmentation", {"-b", "550", "-l", "100", "-B", "600", "-L", "100", "-A", "0", "-c"});
    EXPECT_EQ(b.status, 0);
    EXPECT_TRUE(contains(b.out, "VALID in SEG0: 0x00000226 (decimal:  550)"));
}

TEST(OstepSegmentation, NoEndlessLoop) {
    // psize 2100: seg0 at 0 with limit 500; seg1 (limit 1599) needs b + 1599 < 2100 and b > 500.
    const Outcome r = run("segmentation", {"-a", "1k", "-p", "2100", "-b", "0", "-l", "500", "-L", "1599", "-c"});
    EXPECT_EQ(r.status, 2);
    EXPECT_TRUE(contains(r.error, "loops forever")) << r.error;
    EXPECT_EQ(run("segmentation", {"-l", "20000", "-c"}).status, 2);
}

TEST(OstepMalloc, SplitKeepsPositionAndCountsSearches) {
    // BEST, ADDRSORT: Alloc(10) takes the front of [1000,100); the free puts 1000:10 back,
    // sorted by address; Alloc(5) picks the 10-byte chunk (best fit) after visiting both.
    const Outcome r = run("malloc", {"-A", "+10,-0,+5", "-c"});
    EXPECT_EQ(r.status, 0);
    EXPECT_TRUE(contains(r.out, "ptr[0] = Alloc(10) returned 1000 (searched 1 elements)\n"
                                "Free List [ Size 1 ]: [ addr:1010 sz:90 ]\n\n"
                                "Free(ptr[0])\nreturned 0\n"
                                "Free List [ Size 2 ]: [ addr:1000 sz:10 ][ addr:1010 sz:90 ]\n\n"
                                "ptr[1] = Alloc(5) returned 1000 (searched 2 elements)\n"
                                "Free List [ Size 2 ]: [ addr:1005 sz:5 ][ addr:1010 sz:90 ]\n\n"));
    // SIZESORT+ list [1000:5][1010:90]; BEST Alloc(88) splits the 90 in place to 1098:2,
    // which is not re-sorted before the 5.
    const Outcome s = run("malloc", {"-l", "SIZESORT+", "-A", "+5,+5,-0,+88", "-c"});
    EXPECT_TRUE(contains(s.out, "Free List [ Size 2 ]: [ addr:1000 sz:5 ][ addr:1098 sz:2 ]\n")) << s.out;
}

TEST(OstepMalloc, TiesAndStableSorts) {
    // INSERT-BACK: after the frees the list is [1015:85][1000:5][1010:5]; BEST's strict <
    // keeps the first 5 (1000), WORST's strict > the 85, FIRST the first fit (the 85).
    const std::vector<std::string> ops = {"-l", "INSERT-BACK", "-A", "+5,+5,+5,-0,-2,+5", "-c"};
    auto with = [&](const char* policy) {
        auto a = ops;
        a.insert(a.begin(), {"-p", policy});
        return run("malloc", a).out;
    };
    EXPECT_TRUE(contains(with("BEST"), "ptr[3] = Alloc(5) returned 1000 (searched 3 elements)"));
    EXPECT_TRUE(contains(with("WORST"), "ptr[3] = Alloc(5) returned 1015 (searched 3 elements)"));
    EXPECT_TRUE(contains(with("FIRST"), "ptr[3] = Alloc(5) returned 1015 (searched 1 elements)"));
    // SIZESORT-: equal sizes keep their order and the freed chunk sorts last among them.
    const Outcome d = run("malloc", {"-l", "SIZESORT-", "-S", "15", "-A", "+5,+5,+5,-2,-0", "-c"});
    EXPECT_TRUE(contains(d.out, "Free List [ Size 2 ]: [ addr:1010 sz:5 ][ addr:1000 sz:5 ]\n")) << d.out;
}

TEST(OstepMalloc, CoalescingFollowsListOrder) {
    // ADDRSORT: freeing 0, 1, 2 rebuilds [1000,100) in one piece.
    const Outcome a = run("malloc", {"-C", "-A", "+3,+5,+7,-0,-1,-2", "-c"});
    EXPECT_TRUE(contains(a.out, "Free List [ Size 1 ]: [ addr:1000 sz:100 ]\n"));
    // INSERT-FRONT: the list is [1008:7][1003:5][1000:3][1015:85] -- neighbours in address,
    // never in list order, so nothing merges.
    const Outcome f = run("malloc", {"-C", "-l", "INSERT-FRONT", "-A", "+3,+5,+7,-0,-1,-2", "-c"});
    EXPECT_TRUE(contains(f.out, "Free List [ Size 4 ]: [ addr:1008 sz:7 ][ addr:1003 sz:5 ][ addr:1000 sz:3 ][ addr:1015 sz:85 ]"))
        << f.out;
}

TEST(OstepMalloc, HeaderAndAlignment) {
    // -a 4 rounds 3 up to 4, -H 4 adds 4: Alloc(3) takes 8 bytes. In -A mode the printed
    // pointer is the chunk address (header included).
    const Outcome r = run("malloc", {"-H", "4", "-a", "4", "-A", "+3,+5", "-c"});
    EXPECT_TRUE(contains(r.out, "ptr[0] = Alloc(3) returned 1000 (searched 1 elements)\n"
                                "Free List [ Size 1 ]: [ addr:1008 sz:92 ]\n"));
    EXPECT_TRUE(contains(r.out, "ptr[1] = Alloc(5) returned 1008 (searched 1 elements)\n"
                                "Free List [ Size 1 ]: [ addr:1020 sz:80 ]\n"));
}

TEST(OstepMalloc, FreeByIndexQuirks) {
    // An index >= the number of successful allocations is skipped with no dump.
    const Outcome a = run("malloc", {"-A", "+10,-5,+1", "-c"});
    EXPECT_TRUE(contains(a.out, "Invalid Free: Skipping\nptr[1] = Alloc(1)"));
    // A repeated free returns -1.
    const Outcome b = run("malloc", {"-A", "+10,-0,-0", "-c"});
    EXPECT_TRUE(contains(b.out, "Free(ptr[0])\nreturned -1\n"));
    // Freeing the index of a failed allocation (below the count) crashes Python: an error.
    const Outcome c = run("malloc", {"-S", "10", "-A", "+5,+20,+5,-1", "-c"});
    EXPECT_EQ(c.status, 2);
    EXPECT_TRUE(contains(c.out, "ptr[1] = Alloc(20) returned -1 (searched 1 elements)"));
    EXPECT_TRUE(contains(c.error, "allocation failed")) << c.error;
    // Question mode: "List?" in -A mode.
    EXPECT_TRUE(contains(run("malloc", {"-A", "+1"}).out, "ptr[0] = Alloc(1) returned ?\nList?\n\n"));
}

TEST(OstepPagingLinear, Translation) {
    // 32-byte space, 4-byte pages: VPN = va >> 2. Table from a file, VPN 0 -> PFN 5, VPN 7 -> PFN 1.
    TempFile table("0x80000005\n0x00000000\n0x00000000\n0x00000000\n"
                   "0x00000000\n0x00000000\n0x00000000\n0x80000001\n");
    const Outcome r = run("paging-linear-translate",
                      {"-a", "32", "-p", "128", "-P", "4", "--page-table", table.path(), "-A", "0,3,4,31", "-c"});
    EXPECT_EQ(r.status, 0) << r.error;
    EXPECT_EQ(lines_with(r.out, "  VA"),
              (std::vector<std::string>{"  VA 0x00000000 (decimal:        0) --> 00000014 (decimal       20) [VPN 0]",
                                        "  VA 0x00000003 (decimal:        3) --> 00000017 (decimal       23) [VPN 0]",
                                        "  VA 0x00000004 (decimal:        4) -->  Invalid (VPN 1 not valid)",
                                        "  VA 0x0000001f (decimal:       31) --> 00000007 (decimal        7) [VPN 7]"}));
    // An -A VA beyond the table crashes Python (IndexError): an error, after the table.
    const Outcome bad = run("paging-linear-translate",
                        {"-a", "32", "-p", "128", "-P", "4", "--page-table", table.path(), "-A", "32", "-c"});
    EXPECT_EQ(bad.status, 2);
    EXPECT_TRUE(contains(bad.out, "Virtual Address Trace\n"));
    // The table must have asize/pagesize entries.
    EXPECT_EQ(run("paging-linear-translate", {"-a", "64", "-p", "128", "-P", "4", "--page-table", table.path()}).status, 2);
}

TEST(OstepPagingLinear, PageTableFromThePythonOutput) {
    // The printed solution of -s 0 -c, read back: same sizes, table and VAs, same output.
    const std::string want = slurp(data("vm-paging-001.out"));
    EXPECT_EQ(run("paging-linear-translate", {"--page-table", data("vm-paging-001.out"), "-c"}).out, want);
    // The question (no -c) of the same seed, solved.
    EXPECT_EQ(run("paging-linear", {"--page-table", data("vm-paging-g011.out"), "-c"}).out, want);
    // A verbose table ("[       0]  0x...") reads the same.
    const Outcome v = run("paging-linear-translate", {"-s", "3", "-v", "-c"});
    TempFile f(v.out);
    EXPECT_EQ(run("paging-linear-translate", {"-s", "3", "-v", "-c", "--page-table", f.path()}).out, v.out);
}

TEST(OstepPagingLinear, PageTableErrorsNameTheLine) {
    TempFile f("Page Table (from entry 0 down to the max size)\n  0x80000001\n  0xzz\n\n");
    const Outcome r = run("paging-linear-translate", {"--page-table", f.path(), "-c"});
    EXPECT_EQ(r.status, 2);
    EXPECT_TRUE(contains(r.error, f.path() + ":3:")) << r.error;
    EXPECT_EQ(run("paging-linear-translate", {"--page-table", "/nonexistent/table.txt"}).status, 2);
}

TEST(OstepPagingMultilevel, DumpParsing) {
    auto d = vmlab::compat::parse_ostep_multilevel_dump(slurp(data("vm-smalltables-001.out")), "x");
    ASSERT_TRUE(d) << d.error().str();
    EXPECT_EQ(d->bytes.size(), 4096u);
    EXPECT_EQ(d->pdbr, 108u);
    // "page   0:1b1d05..." and "Virtual Address 0x611c:" as printed.
    EXPECT_EQ(d->bytes[0], 0x1b);
    EXPECT_EQ(d->bytes[1], 0x1d);
    ASSERT_EQ(d->vas.size(), 10u);
    EXPECT_EQ(d->vas[0], 0x611cu);
    EXPECT_EQ(d->vas[1], 0x3da8u);
    // The README's spaced bytes and question-mode VA lines parse too.
    std::string spaced;
    for (int p = 0; p < 128; ++p) spaced += "page " + std::to_string(p) + ": 00 01 02 03 04 05 06 07 08 09 0a 0b 0c 0d 0e 0f"
                                             " 10 11 12 13 14 15 16 17 18 19 1a 1b 1c 1d 1e 1f\n";
    spaced += "Virtual Address 7fff: Translates To What Physical Address (And Fetches what Value)? Or Fault?\n";
    auto s = vmlab::compat::parse_ostep_multilevel_dump(spaced, "spaced");
    ASSERT_TRUE(s) << s.error().str();
    EXPECT_EQ(s->bytes[32 * 127 + 31], 0x1f);
    EXPECT_FALSE(s->pdbr.has_value());
    EXPECT_EQ(s->vas, (std::vector<std::uint32_t>{0x7fff}));
}

TEST(OstepPagingMultilevel, DumpErrorsNameTheLine) {
    std::string text = slurp(data("vm-smalltables-001.out"));
    auto at = [](const vmlab::Result<vmlab::compat::OstepMemoryDump>& r) { return r ? std::string("<ok>") : r.error().str(); };
    // Line 5 is "page   0:...": break a digit.
    std::string bad = text;
    bad[bad.find("page   0:") + 9] = 'g';
    EXPECT_TRUE(contains(at(vmlab::compat::parse_ostep_multilevel_dump(bad, "d.txt")), "d.txt:5:"));
    std::string missing = text;
    missing.erase(missing.find("page   7:"), 74);
    EXPECT_TRUE(contains(at(vmlab::compat::parse_ostep_multilevel_dump(missing, "d.txt")), "page 7 is missing"));
    std::string dup = text + "page   3:" + std::string(64, '0') + "\n";
    EXPECT_TRUE(contains(at(vmlab::compat::parse_ostep_multilevel_dump(dup, "d.txt")), "page 3 already given on line 8"));
    std::string pdbr = text + "PDBR: 200\n";
    EXPECT_TRUE(contains(at(vmlab::compat::parse_ostep_multilevel_dump(pdbr, "d.txt")), "bad PDBR"));
}

TEST(OstepPagingMultilevel, FromDump) {
    // The solution of -s 0 -c read back: same memory, PDBR and VAs, same output.
    const std::string want = slurp(data("vm-smalltables-001.out"));
    EXPECT_EQ(run("paging-multilevel-translate", {"--from-dump", data("vm-smalltables-001.out"), "-c"}).out, want);
    // The question page of seed 0 (VAs without 0x), solved.
    EXPECT_EQ(run("paging-multilevel", {"--from-dump", data("vm-smalltables-g005.out"), "-c"}).out, want);
    // ostep.md's example: PDBR 108, VA 0x611c -> PDE 0xa1 (PT page 33) -> PTE 0xb5 (page 53)
    // -> PA 0x6bc, value 0x08; VA 0x3da8 faults in the PTE.
    const Outcome r = run("paging-multilevel", {"--from-dump", data("vm-smalltables-001.out"), "--pdbr", "108", "--vas",
                                            "0x611c,0x3da8", "-c"});
    EXPECT_TRUE(contains(r.out, "Virtual Address 0x611c:\n"
                                "  --> pde index:0x18 [decimal 24] pde contents:0xa1 (valid 1, pfn 0x21 [decimal 33])\n"
                                "    --> pte index:0x8 [decimal 8] pte contents:0xb5 (valid 1, pfn 0x35 [decimal 53])\n"
                                "      --> Translates to Physical Address 0x6bc --> Value: 0x08\n"
                                "Virtual Address 0x3da8:\n"));
    EXPECT_TRUE(contains(r.out, "      --> Fault (page table entry not valid)\n\n"));
    // A PDBR that points to a data page: PDE 0x1b of page 0 is invalid.
    const Outcome p = run("paging-multilevel", {"--from-dump", data("vm-smalltables-001.out"), "--pdbr", "0", "--vas",
                                            "0", "-c"});
    EXPECT_TRUE(contains(p.out, "pde contents:0x1b (valid 0, pfn 0x1b [decimal 27])\n"
                                "      --> Fault (page directory entry not valid)\n"));
    EXPECT_EQ(run("paging-multilevel", {"--pdbr", "3"}).status, 2);
    EXPECT_EQ(run("paging-multilevel", {"--from-dump", data("vm-smalltables-001.out"), "--vas", "0x8000"}).status, 2);
}

TEST(OstepPagingMultilevel, OutOfPages) {
    const Outcome r = run("paging-multilevel-translate", {"-a", "96", "-s", "3", "-c"});
    EXPECT_EQ(r.status, 2);
    EXPECT_EQ(r.out, "ARG seed 3\nARG allocated 96\nARG num 10\n\n");
    EXPECT_TRUE(contains(r.error, "all 128 physical pages are in use")) << r.error;
}

TEST(OstepPolicy, OptEvictsTheLastOfTheNeverUsedAgain) {
    // At access 4, pages 1, 2, 3 are never used again (next use = 4 for all): >= picks 3.
    const Outcome r = run("paging-policy", {"-a", "1,2,3,4", "-C", "3", "-p", "OPT", "-c"});
    EXPECT_TRUE(contains(r.out, "Access: 4  MISS Left  ->    [1, 2, 4] <- Right Replaced:3 [Hits:0 Misses:4]\n"));
    // UNOPT's < picks the first: 1.
    const Outcome u = run("paging-policy", {"-a", "1,2,3,4", "-C", "3", "-p", "UNOPT", "-c"});
    EXPECT_TRUE(contains(u.out, "Access: 4  MISS Left  ->    [2, 3, 4] <- Right Replaced:1 [Hits:0 Misses:4]\n"));
}

TEST(OstepPolicy, LruMovesOnHitFifoDoesNot) {
    const Outcome l = run("paging-policy", {"-a", "1,2,1,3", "-C", "2", "-p", "LRU", "-c"});
    EXPECT_TRUE(contains(l.out, "Access: 1  HIT  LRU ->       [2, 1] <- MRU Replaced:- [Hits:1 Misses:2]\n"
                                "Access: 3  MISS LRU ->       [1, 3] <- MRU Replaced:2 [Hits:1 Misses:3]\n"));
    const Outcome f = run("paging-policy", {"-a", "1,2,1,3", "-C", "2", "-p", "FIFO", "-c"});
    EXPECT_TRUE(contains(f.out, "Access: 1  HIT  FirstIn ->       [1, 2] <- Lastin  Replaced:- [Hits:1 Misses:2]\n"
                                "Access: 3  MISS FirstIn ->       [2, 3] <- Lastin  Replaced:1 [Hits:1 Misses:3]\n"));
    // MRU evicts the rightmost.
    const Outcome m = run("paging-policy", {"-a", "1,2,3", "-C", "2", "-p", "MRU", "-c"});
    EXPECT_TRUE(contains(m.out, "Access: 3  MISS LRU ->       [1, 3] <- MRU Replaced:2 [Hits:0 Misses:3]\n"));
    EXPECT_TRUE(contains(m.out, "\nFINALSTATS hits 0   misses 3   hitrate 0.00\n\n"));
}

TEST(OstepPolicy, ClockProbesAtRandom) {
    // Seed 0 draws 0.844..., 0.757...: both probe memory[int(r*3)] = memory[2] = page 3,
    // whose ref 1 drops to 0 and then makes it the victim.
    const Outcome r = run("paging-policy", {"-a", "1,2,3,4", "-C", "3", "-p", "CLOCK", "-s", "0", "-c"});
    EXPECT_TRUE(contains(r.out, "Access: 4  MISS Left  ->    [1, 2, 4] <- Right Replaced:3 [Hits:0 Misses:4]\n"));
    // RAND pops memory[int(0.844*3)] = page 3 as well.
    const Outcome n = run("paging-policy", {"-a", "1,2,3,4", "-C", "3", "-p", "RAND", "-s", "0", "-c"});
    EXPECT_TRUE(contains(n.out, "Replaced:3 [Hits:0 Misses:4]\n"));
}

TEST(OstepPolicy, QuestionModeAndHeader) {
    const Outcome q = run("paging-policy", {"-a", "3,1", "-p", "LRU"});
    EXPECT_EQ(q.out,
              "ARG addresses 3,1\nARG addressfile \nARG numaddrs 10\nARG policy LRU\nARG clockbits 2\n"
              "ARG cachesize 3\nARG maxpage 10\nARG seed 0\nARG notrace False\n\n"
              "Assuming a replacement policy of LRU, and a cache of size 3 pages,\n"
              "figure out whether each of the following page references hit or miss\n"
              "in the page cache.\n\n"
              "Access: 3  Hit/Miss?  State of Memory?\nAccess: 1  Hit/Miss?  State of Memory?\n\n");
    const Outcome lfu = run("paging-policy", {"-p", "LFU", "-c"});
    EXPECT_EQ(lfu.status, 1);
    EXPECT_TRUE(contains(lfu.out, "Solving...\n\nPolicy LFU is not yet implemented\n"));
}

TEST(OstepPolicy, CrashesBecomeErrors) {
    const Outcome c0 = run("paging-policy", {"-C", "0", "-c"});
    EXPECT_EQ(c0.status, 2);
    EXPECT_TRUE(contains(c0.error, "nothing to evict")) << c0.error;
    const Outcome none = run("paging-policy", {"-n", "0", "-c"});
    EXPECT_EQ(none.status, 2);
    EXPECT_TRUE(contains(none.out, "Solving...\n\n\n"));
    const Outcome file = run("paging-policy", {"-f", data("traces/blank-line.txt"), "-c"});
    EXPECT_EQ(file.status, 2);
    EXPECT_TRUE(contains(file.error, "blank-line.txt:2:")) << file.error;
}

// vmlab's long options are the same options under friendlier names.
TEST(OstepAliases, SameOutputAsThePythonSpelling) {
    struct Pair {
        const char* sim;
        std::vector<std::string> vmlab, python;
    };
    const std::vector<Pair> pairs = {
        {"relocation", {"--seed", "3", "--asize", "1k", "--physmem", "16k", "--num", "5", "--base", "100", "--limit", "200", "--solve"},
         {"-s", "3", "-a", "1k", "-p", "16k", "-n", "5", "-b", "100", "-l", "200", "-c"}},
        {"segmentation", {"--asize", "128", "--physmem", "512", "--base0", "0", "--limit0", "20", "--base1", "512",
                          "--limit1", "20", "--vas", "0,19,20,108,127", "--solve"},
         {"-a", "128", "-p", "512", "-b", "0", "-l", "20", "-B", "512", "-L", "20", "-A", "0,19,20,108,127", "-c"}},
        {"malloc", {"--policy", "FIRST", "--order", "INSERT-FRONT", "--coalesce", "--header", "4", "--align", "4",
                    "--ops", "+10,+20,-0,+5,-1,-2", "--solve"},
         {"-p", "FIRST", "-l", "INSERT-FRONT", "-C", "-H", "4", "-a", "4", "-A", "+10,+20,-0,+5,-1,-2", "-c"}},
        {"malloc", {"--heap-size", "50", "--base", "0", "--num", "8", "--percent-alloc", "70", "--seed", "2", "--compute"},
         {"-S", "50", "-b", "0", "-n", "8", "-P", "70", "-s", "2", "-c"}},
        {"paging-linear", {"--asize", "32", "--physmem", "128", "--pagesize", "4", "--used", "75", "--verbose",
                           "--vas", "0,1,31", "--solve"},
         {"-a", "32", "-p", "128", "-P", "4", "-u", "75", "-v", "-A", "0,1,31", "-c"}},
        {"paging-multilevel", {"--seed", "5", "--allocated", "32", "--num", "20", "--solve"},
         {"-s", "5", "-a", "32", "-n", "20", "-c"}},
        {"paging-policy", {"--policy", "LRU", "--cachesize", "3", "--addresses", "1,2,3,4,1,2,5", "--clockbits", "1",
                           "--no-trace", "--solve"},
         {"-p", "LRU", "-C", "3", "-a", "1,2,3,4,1,2,5", "-b", "1", "-N", "-c"}},
        {"paging-policy", {"--trace-file", data("traces/belady.txt"), "--seed", "4", "--num", "3", "--compute"},
         {"-f", data("traces/belady.txt"), "-s", "4", "-n", "3", "-c"}},
    };
    for (const auto& p : pairs) {
        const Outcome a = run(p.sim, p.vmlab), b = run(p.sim, p.python);
        EXPECT_EQ(a.status, 0) << p.sim << ": " << a.error;
        EXPECT_EQ(a.out, b.out) << p.sim;
    }
    // relocation's --vas replaces the random VAs: the registers are still drawn first.
    const Outcome v = run("relocation", {"-s", "0", "--vas", "430,265", "-c"});
    const Outcome py = run("relocation", {"-s", "0", "-n", "2", "-c"});
    EXPECT_EQ(v.out, py.out);  // seed 0's first two VAs are 430 and 265 (vm-mechanism-001)
}
