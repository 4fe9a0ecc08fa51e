// Every registered OSTEP simulator answers --help (exit 0, a usage text) and runs with a
// seed (-s 1: exit 0 and some output), twice identically. Instantiated from
// ostep_simulators().names().
#include <gtest/gtest.h>

#include "vmlab/compat/ostep.hpp"

using namespace vmlab;
using namespace vmlab::compat;

namespace {

class OstepConformance : public ::testing::TestWithParam<std::string> {};

TEST_P(OstepConformance, HelpWorks) {
    std::string out;
    auto rc = run_ostep(GetParam(), {"--help"}, out);
    ASSERT_TRUE(rc.has_value()) << rc.error().str();
    EXPECT_EQ(*rc, 0);
    EXPECT_NE(out.find("Usage"), std::string::npos) << out;
}

TEST_P(OstepConformance, ASeededRunSucceedsAndRepeats) {
    std::string a, b;
    auto rc = run_ostep(GetParam(), {"-s", "1"}, a);
    ASSERT_TRUE(rc.has_value()) << rc.error().str();
    EXPECT_EQ(*rc, 0) << a;
    EXPECT_FALSE(a.empty());
    auto again = run_ostep(GetParam(), {"-s", "1"}, b);
    ASSERT_TRUE(again.has_value());
    EXPECT_EQ(a, b);
}

std::string param_name(const ::testing::TestParamInfo<std::string>& info) {
    std::string s = info.param;
    for (char& c : s)
        if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
    return s;
}

INSTANTIATE_TEST_SUITE_P(AllSimulators, OstepConformance, ::testing::ValuesIn(ostep_simulators().names()), param_name);

}  // namespace
