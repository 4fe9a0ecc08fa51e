// Every registered process report produces text and JSON for a small process (an
// executable mapping, a heap, a stack) with its info and layout, and survives a process
// with no VMA at all. Instantiated from proc_reports().names().
#include <gtest/gtest.h>

#include <sstream>

#include "vmlab/os/kernel.hpp"
#include "vmlab/report/proc.hpp"

using namespace vmlab;
using namespace vmlab::report;

namespace {

VmaReport region(std::uint64_t start, std::uint64_t end, VmFlags flags, std::uint64_t rss) {
    VmaReport r;
    r.vma.start = VirtAddr{start};
    r.vma.end = VirtAddr{end};
    r.vma.flags = flags;
    r.mem.rss = r.mem.private_dirty = rss;
    return r;
}

constexpr VmFlags kRw = vm::kRead | vm::kWrite | vm::kMayRead | vm::kMayWrite | vm::kMayExec;

ProcessMemory small_process() {
    ProcessMemory m;
    m.pid = 42;
    m.name = "small";
    VmaReport text = region(0x400000, 0x402000, vm::kRead | vm::kExec | vm::kMayRead | vm::kMayExec, 0x1000);
    text.vma.backing = VmaBacking::File;
    text.vma.path = "/bin/small";
    VmaReport heap = region(0x600000, 0x621000, kRw, 0x3000);
    heap.vma.name = "[heap]";
    VmaReport stack = region(0x7ffffffde000, 0x7ffffffff000, kRw | vm::kGrowsDown, 0x2000);
    stack.vma.name = "[stack]";
    m.vmas = {text, heap, stack};
    m.vm_size = 0x2000 + 0x21000 + 0x21000;
    m.vm_rss = 0x6000;
    m.rss_anon = 0x5000;
    m.rss_file = 0x1000;
    return m;
}

class ProcReportConformance : public ::testing::TestWithParam<std::string> {
protected:
    const ProcReport& report() const { return proc_reports().find(GetParam())->make; }
};

TEST_P(ProcReportConformance, TextAndJsonForASmallProcess) {
    const ProcReport& r = report();
    ASSERT_NE(r.text, nullptr);
    ASSERT_NE(r.json, nullptr);
    const ProcessMemory m = small_process();
    ProcessInfo info;
    info.name = "small";
    MmLayout layout;
    layout.start_code = VirtAddr{0x400000};
    layout.end_code = VirtAddr{0x402000};
    for (const ProcessView& v : {ProcessView{&m, nullptr, nullptr, {}}, ProcessView{&m, &info, &layout, {}}}) {
        std::ostringstream os;
        r.text(os, v);
        EXPECT_FALSE(os.str().empty());
        EXPECT_EQ(os.str().back(), '\n') << "text output ends with a newline";
        const nlohmann::json j = r.json(v);
        EXPECT_FALSE(j.is_null());
        EXPECT_NO_THROW((void)j.dump());
    }
}

TEST_P(ProcReportConformance, AnEmptyProcessDoesNotCrash) {
    const ProcReport& r = report();
    ProcessMemory m;
    ProcessView v{&m, nullptr, nullptr, {}};
    std::ostringstream os;
    r.text(os, v);
    EXPECT_NO_THROW((void)r.json(v).dump());
}

std::string param_name(const ::testing::TestParamInfo<std::string>& info) {
    std::string s = info.param;
    for (char& c : s)
        if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
    return s;
}

INSTANTIATE_TEST_SUITE_P(AllReports, ProcReportConformance, ::testing::ValuesIn(proc_reports().names()), param_name);

}  // namespace
