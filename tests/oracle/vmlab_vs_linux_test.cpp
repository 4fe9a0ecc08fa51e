// vmlab scenarios that repeat the Linux reference programs (tests/scenario/oracle/NAME.lua
// for tests/oracle/linux/NAME.c) print "key value" lines; every key they print must have
// the value recorded on the real kernel (tests/data/linux/NAME.out).
#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

#include "oracle/linux/reference.hpp"
#include "vmlab/workload/scenario.hpp"

namespace {

class VmlabVsLinux : public ::testing::TestWithParam<std::string> {};

TEST_P(VmlabVsLinux, EveryPrintedFigureMatchesTheRecording) {
    const std::string name = GetParam();
    auto ref = vmlab::test::load_linux_reference(std::string(VMLAB_TEST_DATA) + "/linux/" + name + ".out");
    ASSERT_TRUE(ref) << ref.error().str();
    const std::string script = std::string(VMLAB_TEST_DATA) + "/../scenario/oracle/" + name + ".lua";
    std::ostringstream out;
    auto r = vmlab::run_scenario_file(script, vmlab::ScenarioOptions{}, out);
    ASSERT_TRUE(r) << r.error().str();
    std::istringstream lines(out.str());
    std::string line;
    int compared = 0;
    while (std::getline(lines, line)) {
        const auto sp = line.find(' ');
        ASSERT_NE(sp, std::string::npos) << line;
        const std::string key = line.substr(0, sp), value = line.substr(sp + 1);
        EXPECT_EQ(value, ref->get(key)) << name << ": " << key << " (vmlab vs Linux)";
        ++compared;
    }
    EXPECT_GE(compared, 5);
}

INSTANTIATE_TEST_SUITE_P(Programs, VmlabVsLinux, ::testing::Values("anon_read_write", "fork_cow", "mprotect_segv"));

}  // namespace
