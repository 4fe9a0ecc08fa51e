// The Python behaviour the OSTEP front end reproduces: int() and optparse's int conversion
// (Python 3.11 documentation of int() and optparse), the scripts' size suffixes, textwrap's
// line breaking, and optparse's argument syntax and error messages.
#include <gtest/gtest.h>

#include "compat/ostep/optparse.hpp"

using namespace vmlab::compat::ostep;

namespace {

std::optional<std::int64_t> i64(std::string_view s, int base) {
    auto v = PyInt::parse(s, base);
    if (!v) return std::nullopt;
    return v->to_i64();
}

std::optional<std::int64_t> opt_int(std::string_view s) {
    auto v = optparse_int(s);
    if (!v) return std::nullopt;
    return v->to_i64();
}

}  // namespace

TEST(OstepPyInt, DecimalSyntax) {
    EXPECT_EQ(i64("0", 10), 0);
    EXPECT_EQ(i64(" 12 ", 10), 12);
    EXPECT_EQ(i64("\t+5\n", 10), 5);
    EXPECT_EQ(i64("-17", 10), -17);
    EXPECT_EQ(i64("007", 10), 7);
    EXPECT_EQ(i64("1_000", 10), 1000);
    EXPECT_FALSE(i64("1__0", 10));
    EXPECT_FALSE(i64("_1", 10));
    EXPECT_FALSE(i64("1_", 10));
    EXPECT_FALSE(i64("", 10));
    EXPECT_FALSE(i64("  ", 10));
    EXPECT_FALSE(i64("-", 10));
    EXPECT_FALSE(i64("12a", 10));
    EXPECT_FALSE(i64("1 2", 10));
    EXPECT_FALSE(i64("0x10", 10));
    EXPECT_FALSE(i64("1.0", 10));
    EXPECT_FALSE(i64("+-1", 10));
}

TEST(OstepPyInt, OtherBasesAndPrefixes) {
    EXPECT_EQ(i64("0x1f", 16), 31);
    EXPECT_EQ(i64("0X_1F", 16), 31);
    EXPECT_EQ(i64("1f", 16), 31);
    EXPECT_EQ(i64("-0x10", 16), -16);
    EXPECT_FALSE(i64("0x", 16));
    EXPECT_FALSE(i64("0x__1", 16));
    EXPECT_EQ(i64("017", 8), 15);
    EXPECT_EQ(i64("0o17", 8), 15);
    EXPECT_FALSE(i64("08", 8));
    EXPECT_EQ(i64("0b101", 2), 5);
    EXPECT_FALSE(i64("2", 2));
}

TEST(OstepPyInt, BigValues) {
    auto v = PyInt::parse("123456789012345678901234567890", 10);
    ASSERT_TRUE(v);
    EXPECT_EQ(v->str(), "123456789012345678901234567890");
    EXPECT_EQ(v->magnitude(), (std::vector<std::uint32_t>{0x4e3f0ad2, 0xc373e0ee, 0x8ee90ff6, 0x1}));
    EXPECT_FALSE(v->to_i64());
    EXPECT_EQ(i64("-9223372036854775808", 10), INT64_MIN);
    EXPECT_EQ(i64("9223372036854775807", 10), INT64_MAX);
    EXPECT_FALSE(i64("9223372036854775808", 10));
    EXPECT_EQ(PyInt::parse("-1000000000", 10)->str(), "-1000000000");
    EXPECT_EQ(PyInt::parse("-0", 10)->str(), "0");
    EXPECT_FALSE(PyInt::parse("-0", 10)->negative());
    EXPECT_EQ(PyInt(-42).str(), "-42");
    EXPECT_TRUE(PyInt(0).magnitude().empty());
}

TEST(OstepPyInt, OptparseConversion) {
    // optparse._parse_num: 0x -> hex, 0b -> binary (rest or "0"), other leading 0 -> octal.
    EXPECT_EQ(opt_int("0x10"), 16);
    EXPECT_EQ(opt_int("0X10"), 16);
    EXPECT_EQ(opt_int("010"), 8);
    EXPECT_EQ(opt_int("0o17"), 15);
    EXPECT_EQ(opt_int("0"), 0);
    EXPECT_EQ(opt_int("0b101"), 5);
    EXPECT_EQ(opt_int("0b"), 0);
    EXPECT_EQ(opt_int("0B-1"), -1);
    EXPECT_EQ(opt_int("-010"), -10);  // decimal: the sign hides the leading 0
    EXPECT_EQ(opt_int(" 12 "), 12);
    EXPECT_FALSE(opt_int("08"));
    EXPECT_FALSE(opt_int("-0x10"));
    EXPECT_FALSE(opt_int("1.5"));
    EXPECT_FALSE(opt_int(""));
}

TEST(OstepPyInt, ScriptsIntAndSizes) {
    EXPECT_EQ(*py_int(" 42\n"), 42);
    auto bad = py_int("0x10");
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().message, "invalid literal for int() with base 10: '0x10'");
    EXPECT_EQ(*convert_size("16"), 16);
    EXPECT_EQ(*convert_size("1k"), 1024);
    EXPECT_EQ(*convert_size("16K"), 16384);
    EXPECT_EQ(*convert_size("2m"), 2 * 1024 * 1024);
    EXPECT_EQ(*convert_size("1g"), std::int64_t{1} << 30);
    EXPECT_EQ(*convert_size("8G"), std::int64_t{8} << 30);
    EXPECT_EQ(*convert_size("-1k"), -1024);
    EXPECT_EQ(*convert_size("-1"), -1);
    EXPECT_FALSE(convert_size(""));
    EXPECT_FALSE(convert_size("k"));
    EXPECT_FALSE(convert_size("1.5k"));
    EXPECT_FALSE(convert_size("4KB"));
    EXPECT_FALSE(convert_size("99999999999g"));
}

TEST(OstepPyInt, ArithmeticHelpers) {
    EXPECT_EQ(py_mod(-7, 3), 2);
    EXPECT_EQ(py_mod(7, -3), -2);
    EXPECT_EQ(py_mod(7, 3), 1);
    EXPECT_EQ(*py_trunc(-2.9), -2);
    EXPECT_EQ(*py_trunc(2.9), 2);
    EXPECT_FALSE(py_trunc(1e19));
    EXPECT_FALSE(add64(INT64_MAX, 1));
    EXPECT_TRUE(py_lt(7, 7.5));
    EXPECT_FALSE(py_lt(8, 7.5));
    // Exact, not through a rounding conversion of the integer to double.
    EXPECT_TRUE(py_gt(9007199254740993, 9007199254740992.0));
    EXPECT_EQ(py_split("1,,2", ','), (std::vector<std::string>{"1", "", "2"}));
    EXPECT_EQ(py_split("", ','), (std::vector<std::string>{""}));
    EXPECT_EQ(py_repr("a'b"), "\"a'b\"");
    EXPECT_EQ(py_repr("x\n"), "'x\\n'");
}

TEST(OstepTextWrap, BreaksAsTextwrap) {
    // Lines printed by optparse (width 78, help column 24: 54 columns) for malloc.py -h.
    EXPECT_EQ(text_wrap("list order (ADDRSORT, SIZESORT+, SIZESORT-, INSERT-FRONT, INSERT-BACK)", 54),
              (std::vector<std::string>{"list order (ADDRSORT, SIZESORT+, SIZESORT-, INSERT-", "FRONT, INSERT-BACK)"}));
    EXPECT_EQ(text_wrap("a set of comma-separated pages to access; -1 means randomly generate", 54),
              (std::vector<std::string>{"a set of comma-separated pages to access; -1 means", "randomly generate"}));
    EXPECT_EQ(text_wrap("short", 54), (std::vector<std::string>{"short"}));
    EXPECT_EQ(text_wrap("abcdefghij", 4), (std::vector<std::string>{"abcd", "efgh", "ij"}));
    EXPECT_EQ(text_wrap("aa bb", 2), (std::vector<std::string>{"aa", "bb"}));
}

namespace {

const std::vector<OptSpec>& test_specs() {
    static const std::vector<OptSpec> s = {
        {'s', "seed", "seed", OptKind::Int, "0", "the random seed", {}},
        {'a', "asize", "asize", OptKind::String, "1k", "address space size", {}},
        {'n', "addresses", "num", OptKind::Int, "5", "number of addresses", {"num"}},
        {'c', "compute", "solve", OptKind::Flag, "", "compute answers for me", {"solve"}},
        {0, "", "vas", OptKind::String, "", "", {"vas"}},
    };
    return s;
}

std::string error_of(std::vector<std::string> args) {
    auto r = parse_options(test_specs(), args);
    return r ? std::string("<ok>") : r.error().message;
}

}  // namespace

TEST(OstepOptparse, Defaults) {
    auto r = parse_options(test_specs(), {});
    ASSERT_TRUE(r);
    EXPECT_EQ(r->options.integer("seed").str(), "0");
    EXPECT_EQ(r->options.string("asize"), "1k");
    EXPECT_EQ(r->options.integer("num").str(), "5");
    EXPECT_FALSE(r->options.flag("solve"));
    EXPECT_FALSE(r->options.given("asize"));
    EXPECT_FALSE(r->help);
}

TEST(OstepOptparse, Syntax) {
    auto r = parse_options(test_specs(), {"-s", "3", "--asize=2k", "-cn7", "pos", "--addresses", "-4", "--", "-s", "9"});
    ASSERT_TRUE(r) << r.error().str();
    EXPECT_EQ(r->options.integer("seed").str(), "3");
    EXPECT_EQ(r->options.string("asize"), "2k");
    EXPECT_TRUE(r->options.flag("solve"));
    EXPECT_EQ(r->options.integer("num").str(), "-4");  // a value may start with '-'
    EXPECT_TRUE(r->options.given("asize"));
    EXPECT_EQ(r->positional, (std::vector<std::string>{"pos", "-s", "9"}));

    auto p = parse_options(test_specs(), {"--se", "0x10", "--comp", "-s5", "-s", "6", "-"});
    ASSERT_TRUE(p);
    EXPECT_EQ(p->options.integer("seed").str(), "6");  // the last one wins
    EXPECT_TRUE(p->options.flag("solve"));
    EXPECT_EQ(p->positional, (std::vector<std::string>{"-"}));
}

TEST(OstepOptparse, Help) {
    auto r = parse_options(test_specs(), {"-c", "-h", "-s", "x"});
    ASSERT_TRUE(r);
    EXPECT_TRUE(r->help);  // processed in order: -h before the bad -s
    EXPECT_EQ(error_of({"-s", "x", "-h"}), "option -s: invalid integer value: 'x'");
    EXPECT_TRUE(parse_options(test_specs(), {"--he"})->help);
    EXPECT_TRUE(parse_options(test_specs(), {"-ch"})->help);
}

TEST(OstepOptparse, ErrorsReadAsOptparse) {
    EXPECT_EQ(error_of({"-x"}), "no such option: -x");
    EXPECT_EQ(error_of({"-cx"}), "no such option: -x");
    EXPECT_EQ(error_of({"--nosuch"}), "no such option: --nosuch");
    EXPECT_EQ(error_of({"--a", "1"}), "ambiguous option: --a (--addresses, --asize?)");
    EXPECT_EQ(error_of({"-s"}), "-s option requires 1 argument");
    EXPECT_EQ(error_of({"--se"}), "--seed option requires 1 argument");
    EXPECT_EQ(error_of({"--seed="}), "option --seed: invalid integer value: ''");
    EXPECT_EQ(error_of({"--compute=1"}), "--compute option does not take a value");
    EXPECT_EQ(error_of({"--help=1"}), "--help option does not take a value");
    EXPECT_EQ(error_of({"-n", "1.5"}), "option -n: invalid integer value: '1.5'");
}

TEST(OstepOptparse, AliasesMatchExactlyOnly) {
    auto r = parse_options(test_specs(), {"--num", "9", "--solve", "--vas", "1,2"});
    ASSERT_TRUE(r);
    EXPECT_EQ(r->options.integer("num").str(), "9");
    EXPECT_TRUE(r->options.flag("solve"));
    EXPECT_EQ(r->options.string("vas"), "1,2");
    EXPECT_EQ(error_of({"--sol"}), "no such option: --sol");
    EXPECT_EQ(error_of({"--va", "1"}), "no such option: --va");
}

TEST(OstepOptparse, HelpPage) {
    EXPECT_EQ(format_help("t.py", test_specs()),
              "Usage: t.py [options]\n"
              "\n"
              "Options:\n"
              "  -h, --help            show this help message and exit\n"
              "  -s SEED, --seed=SEED  the random seed\n"
              "  -a ASIZE, --asize=ASIZE\n"
              "                        address space size\n"
              "  -n NUM, --addresses=NUM\n"
              "                        number of addresses\n"
              "  -c, --compute         compute answers for me\n");
}
