// The Python pieces the OSTEP simulators rely on, re-implemented so that vmlab accepts
// and echoes exactly what the Python tools do:
//
//   PyInt           Python ints of any size (seeds may be large) with int(text, base)
//   optparse_int    optparse's type='int' conversion: 0x.. hex, 0b.. binary, 0.. octal
//   py_int          the scripts' own int(text): base 10, whitespace, sign, underscores
//   convert_size    the scripts' convert(): k/m/g suffixes over int()
//   parse_options   optparse.OptionParser.parse_args: short options (clustered, value
//                   attached or separate), --long=value, --long value, unique prefixes of
//                   long options, "--", interspersed positional arguments, -h/--help
//   format_help     optparse's help page (IndentedHelpFormatter, COLUMNS unset: width 78)
//
// Each simulator also takes vmlab-style long aliases. Aliases match exactly only and are
// never used for prefix matching, so every abbreviation the Python tool accepts resolves
// as it does there.
#pragma once

#include <cstdint>
#include <iterator>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <fmt/format.h>

#include "vmlab/core/result.hpp"

namespace vmlab::compat::ostep {

class PyInt {
public:
    PyInt() = default;
    explicit PyInt(std::int64_t v);

    bool negative() const { return neg_; }
    bool is_zero() const { return mag_.empty(); }
    // |value| as little-endian 32-bit words, without leading zero words (empty for 0).
    const std::vector<std::uint32_t>& magnitude() const { return mag_; }
    // Decimal, as Python's str(int).
    std::string str() const;
    std::optional<std::int64_t> to_i64() const;

    // Python's int(text, base) for base 2, 8, 10 or 16.
    static std::optional<PyInt> parse(std::string_view text, int base);

private:
    bool neg_ = false;
    std::vector<std::uint32_t> mag_;
};

// optparse's type='int' conversion (_parse_num): "0x"/"0X" -> int(v, 16); "0b"/"0B" -> int(v[2:]
// or "0", 2); any other leading "0" -> int(v, 8); otherwise int(v, 10).
std::optional<PyInt> optparse_int(std::string_view text);

// Python's int(text) narrowed to int64. The error reads like Python's ValueError.
Result<std::int64_t> py_int(std::string_view text);

// The scripts' convert(size): a trailing k/K, m/M or g/G multiplies int(rest) by 1024^n;
// otherwise int(size). Python raises on an empty or malformed size; so does this.
Result<std::int64_t> convert_size(std::string_view text);

// Python's int(x) for a float: truncation toward zero. Values beyond int64 are an error
// (Python would continue with a big integer; no OSTEP input needs that).
Result<std::int64_t> py_trunc(double x);

// Exact comparisons of an integer with a double, as Python compares int and float.
bool py_lt(std::int64_t a, double b);
bool py_gt(std::int64_t a, double b);

// Python's repr() of a str (for messages).
std::string py_repr(std::string_view s);

// "True"/"False".
inline const char* py_bool(bool b) { return b ? "True" : "False"; }

template <class... Args>
void emit(std::string& out, fmt::format_string<Args...> f, Args&&... args) {
    fmt::format_to(std::back_inserter(out), f, std::forward<Args>(args)...);
}

enum class OptKind { Flag, Int, String };

struct OptSpec {
    char short_name = 0;           // 's' for -s; 0 when the option has no short form
    std::string long_name;         // the Python tool's long option without "--"; may be empty
    std::string dest;              // the value's key; upper-cased it is the help's metavar
    OptKind kind = OptKind::String;
    std::string default_value;     // text: an Int default goes through optparse_int
    std::string help;              // help line; options without short and long name are
                                   // vmlab-only and are not listed in the Python help page
    std::vector<std::string> aliases;  // vmlab long aliases without "--"
};

class OptValues {
public:
    bool flag(std::string_view dest) const;
    const PyInt& integer(std::string_view dest) const;
    const std::string& string(std::string_view dest) const;
    // True when the option appeared on the command line (not just its default).
    bool given(std::string_view dest) const;

    struct Value {
        OptKind kind = OptKind::String;
        bool flag = false;
        PyInt integer;
        std::string text;
        bool given = false;
    };
    std::map<std::string, Value, std::less<>> values;

private:
    const Value& at(std::string_view dest, OptKind kind) const;
};

struct ParsedArgs {
    OptValues options;
    std::vector<std::string> positional;  // accepted and ignored, as the Python tools do
    bool help = false;                    // -h/--help seen: print format_help, exit 0
};

// optparse's parse_args. Errors carry optparse's message ("no such option: -x", "option -s:
// invalid integer value: 'x'", "-s option requires 1 argument", ...); optparse would print
// the usage and that message to stderr and exit 2.
Result<ParsedArgs> parse_options(const std::vector<OptSpec>& specs, const std::vector<std::string>& args);

// optparse's help page for `prog` (the Python script's name), byte for byte.
std::string format_help(std::string_view prog, const std::vector<OptSpec>& specs);

// What every simulator does first: parse_args, and on -h/--help append the help page for
// `prog` to `out` and return nullopt (the caller then exits 0).
Result<std::optional<OptValues>> parse_or_help(const std::vector<OptSpec>& specs,
                                               const std::vector<std::string>& args, std::string_view prog,
                                               std::string& out);

// Python's textwrap.wrap(text, width) with default settings (used by format_help).
std::vector<std::string> text_wrap(std::string_view text, std::size_t width);

}  // namespace vmlab::compat::ostep

namespace vmlab::compat::ostep {

// Integer arithmetic the Python scripts do on user-supplied values; Python's ints do not
// overflow, vmlab's stop with an error instead of wrapping.
Result<std::int64_t> add64(std::int64_t a, std::int64_t b);
Result<std::int64_t> sub64(std::int64_t a, std::int64_t b);
Result<std::int64_t> mul64(std::int64_t a, std::int64_t b);

// An int option's value narrowed to int64 (error names the option).
Result<std::int64_t> int_option(const OptValues& o, std::string_view dest, std::string_view opt);

// Python's a % b (sign of the divisor) and a // b (floor), b != 0.
std::int64_t py_mod(std::int64_t a, std::int64_t b);

// Python's str.split(',').
std::vector<std::string> py_split(std::string_view s, char sep);

}  // namespace vmlab::compat::ostep

namespace vmlab::compat::ostep {

// The most draws a placement loop makes (relocation's base, segmentation's bases) before
// giving up: the Python tool would keep drawing for minutes or forever (it manages about
// 3 million draws a second; vmlab about 100 million).
inline constexpr std::int64_t kMaxPlacementDraws = std::int64_t{1} << 26;

// A whole file, for the inputs the tools read (-f, --page-table, --from-dump).
Result<std::string> read_text_file(const std::string& path);

}  // namespace vmlab::compat::ostep

namespace vmlab::compat::ostep {

// The value of the first "ARG <name> <value>" line of a tool's printed output, if any
// (`key` is "ARG seed ", ...). Used to take defaults from a dump read back in.
std::optional<std::string> printed_arg(std::string_view text, std::string_view key);

}  // namespace vmlab::compat::ostep
