// Python int parsing, optparse's argument processing and help page; see optparse.hpp.
#include "compat/ostep/optparse.hpp"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace vmlab::compat::ostep {
namespace {

// str.strip()'s whitespace for ASCII text (int() strips the same characters).
bool py_space(char c) {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f' ||
           (c >= 0x1c && c <= 0x1f);
}

int digit_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'z') return c - 'a' + 10;
    if (c >= 'A' && c <= 'Z') return c - 'A' + 10;
    return 99;
}

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

}  // namespace

PyInt::PyInt(std::int64_t v) {
    neg_ = v < 0;
    std::uint64_t m = neg_ ? 0 - static_cast<std::uint64_t>(v) : static_cast<std::uint64_t>(v);
    while (m != 0) {
        mag_.push_back(static_cast<std::uint32_t>(m));
        m >>= 32;
    }
}

std::optional<PyInt> PyInt::parse(std::string_view s, int base) {
    std::size_t i = 0;
    const std::size_t n = s.size();
    while (i < n && py_space(s[i])) ++i;
    bool neg = false;
    if (i < n && (s[i] == '+' || s[i] == '-')) {
        neg = s[i] == '-';
        ++i;
    }
    if (i + 1 < n && s[i] == '0') {
        const char p = lower(s[i + 1]);
        if ((base == 16 && p == 'x') || (base == 8 && p == 'o') || (base == 2 && p == 'b')) {
            i += 2;
            if (i < n && s[i] == '_') ++i;  // one underscore may follow the prefix
        }
    }
    if (i < n && s[i] == '_') return std::nullopt;
    PyInt r;
    bool any_digit = false;
    char prev = 0;
    for (; i < n; ++i) {
        const char c = s[i];
        if (c == '_') {
            if (prev == '_') return std::nullopt;
            prev = c;
            continue;
        }
        const int d = digit_value(c);
        if (d >= base) break;
        prev = c;
        any_digit = true;
        std::uint64_t carry = static_cast<std::uint64_t>(d);
        for (auto& w : r.mag_) {
            const std::uint64_t t = static_cast<std::uint64_t>(w) * static_cast<std::uint64_t>(base) + carry;
            w = static_cast<std::uint32_t>(t);
            carry = t >> 32;
        }
        if (carry != 0) r.mag_.push_back(static_cast<std::uint32_t>(carry));
    }
    if (!any_digit || prev == '_') return std::nullopt;
    while (i < n && py_space(s[i])) ++i;
    if (i != n) return std::nullopt;
    while (!r.mag_.empty() && r.mag_.back() == 0) r.mag_.pop_back();
    r.neg_ = neg && !r.mag_.empty();
    return r;
}

std::string PyInt::str() const {
    if (mag_.empty()) return "0";
    std::vector<std::uint32_t> m = mag_;
    std::vector<std::uint32_t> chunks;  // base 10^9, least significant first
    while (!m.empty()) {
        std::uint64_t rem = 0;
        for (std::size_t k = m.size(); k-- > 0;) {
            const std::uint64_t cur = (rem << 32) | m[k];
            m[k] = static_cast<std::uint32_t>(cur / 1000000000u);
            rem = cur % 1000000000u;
        }
        chunks.push_back(static_cast<std::uint32_t>(rem));
        while (!m.empty() && m.back() == 0) m.pop_back();
    }
    std::string out = neg_ ? "-" : "";
    out += fmt::format("{}", chunks.back());
    for (std::size_t k = chunks.size() - 1; k-- > 0;) out += fmt::format("{:09}", chunks[k]);
    return out;
}

std::optional<std::int64_t> PyInt::to_i64() const {
    if (mag_.size() > 2) return std::nullopt;
    std::uint64_t m = 0;
    for (std::size_t k = mag_.size(); k-- > 0;) m = (m << 32) | mag_[k];
    if (neg_) {
        if (m > (std::uint64_t{1} << 63)) return std::nullopt;
        return static_cast<std::int64_t>(0 - m);
    }
    if (m >= (std::uint64_t{1} << 63)) return std::nullopt;
    return static_cast<std::int64_t>(m);
}

std::optional<PyInt> optparse_int(std::string_view text) {
    const std::string two{text.substr(0, 2)};
    const std::string low = two.size() == 2 ? std::string{lower(two[0]), lower(two[1])} : two;
    if (low == "0x") return PyInt::parse(text, 16);
    if (low == "0b") {
        const std::string_view rest = text.substr(2);
        return PyInt::parse(rest.empty() ? std::string_view("0") : rest, 2);
    }
    if (!text.empty() && text[0] == '0') return PyInt::parse(text, 8);
    return PyInt::parse(text, 10);
}

std::string py_repr(std::string_view s) {
    const bool has_single = s.find('\'') != std::string_view::npos;
    const bool has_double = s.find('"') != std::string_view::npos;
    const char q = (has_single && !has_double) ? '"' : '\'';
    std::string out(1, q);
    for (unsigned char c : s) {
        if (c == '\\') out += "\\\\";
        else if (c == static_cast<unsigned char>(q)) out += std::string("\\") + q;
        else if (c == '\n') out += "\\n";
        else if (c == '\r') out += "\\r";
        else if (c == '\t') out += "\\t";
        else if (c < 0x20 || c == 0x7f) out += fmt::format("\\x{:02x}", c);
        else out += static_cast<char>(c);
    }
    out += q;
    return out;
}

Result<std::int64_t> py_int(std::string_view text) {
    const auto v = PyInt::parse(text, 10);
    if (!v) return failf("invalid literal for int() with base 10: {}", py_repr(text));
    const auto i = v->to_i64();
    if (!i) return failf("integer {} is too large for vmlab (at most 64 bits)", v->str());
    return *i;
}

Result<std::int64_t> convert_size(std::string_view text) {
    if (text.empty()) return fail("empty size (the Python tool crashes with IndexError)");
    std::int64_t mult = 1;
    std::string_view digits = text;
    switch (text.back()) {
        case 'k': case 'K': mult = 1024; break;
        case 'm': case 'M': mult = 1024 * 1024; break;
        case 'g': case 'G': mult = 1024 * 1024 * 1024; break;
        default: break;
    }
    if (mult != 1) digits = text.substr(0, text.size() - 1);
    auto v = py_int(digits);
    if (!v) return fail(fmt::format("size {}: {}", py_repr(text), v.error().message));
    std::int64_t r = 0;
    if (__builtin_mul_overflow(*v, mult, &r))
        return failf("size {} is too large for vmlab (at most 64 bits)", py_repr(text));
    return r;
}

Result<std::int64_t> py_trunc(double x) {
    if (std::isnan(x)) return fail("cannot convert float NaN to integer");
    if (!(x > -9223372036854775808.0 && x < 9223372036854775808.0))
        return failf("value {} is too large for vmlab (at most 64 bits)", x);
    return static_cast<std::int64_t>(x);
}

bool py_lt(std::int64_t a, double b) { return static_cast<long double>(a) < static_cast<long double>(b); }
bool py_gt(std::int64_t a, double b) { return static_cast<long double>(a) > static_cast<long double>(b); }

const OptValues::Value& OptValues::at(std::string_view dest, OptKind kind) const {
    const auto it = values.find(dest);
    VMLAB_ASSERT(it != values.end(), "ostep option lookup: unknown dest");
    VMLAB_ASSERT(it->second.kind == kind, "ostep option lookup: wrong kind");
    return it->second;
}
bool OptValues::flag(std::string_view dest) const { return at(dest, OptKind::Flag).flag; }
const PyInt& OptValues::integer(std::string_view dest) const { return at(dest, OptKind::Int).integer; }
const std::string& OptValues::string(std::string_view dest) const { return at(dest, OptKind::String).text; }
bool OptValues::given(std::string_view dest) const {
    const auto it = values.find(dest);
    return it != values.end() && it->second.given;
}

namespace {

// One option as optparse sees it: -h/--help first, then the simulator's own.
struct Entry {
    const OptSpec* spec = nullptr;  // nullptr for -h/--help
};

Status store(OptValues& vals, const OptSpec& spec, const std::string& opt, const std::string* value) {
    auto& v = vals.values[spec.dest];
    v.given = true;
    switch (spec.kind) {
        case OptKind::Flag:
            v.flag = true;
            break;
        case OptKind::String:
            v.text = *value;
            break;
        case OptKind::Int: {
            auto i = optparse_int(*value);
            if (!i) return failf("option {}: invalid integer value: {}", opt, py_repr(*value));
            v.integer = std::move(*i);
            break;
        }
    }
    return ok();
}

}  // namespace

Result<ParsedArgs> parse_options(const std::vector<OptSpec>& specs, const std::vector<std::string>& args) {
    ParsedArgs parsed;
    for (const auto& s : specs) {
        OptValues::Value v;
        v.kind = s.kind;
        if (s.kind == OptKind::Int) {
            auto i = optparse_int(s.default_value);
            VMLAB_ASSERT(i.has_value(), "ostep option default is not an integer");
            v.integer = *i;
        } else if (s.kind == OptKind::String) {
            v.text = s.default_value;
        }
        parsed.options.values[s.dest] = v;
    }

    // Long names as optparse knows them ("--help" included), and vmlab's aliases.
    std::vector<std::string> python_longs = {"--help"};
    for (const auto& s : specs)
        if (!s.long_name.empty()) python_longs.push_back("--" + s.long_name);
    auto find_long = [&](const std::string& name) -> const OptSpec* {
        for (const auto& s : specs)
            if (!s.long_name.empty() && "--" + s.long_name == name) return &s;
        return nullptr;
    };
    auto find_alias = [&](const std::string& name) -> const OptSpec* {
        for (const auto& s : specs)
            for (const auto& a : s.aliases)
                if ("--" + a == name) return &s;
        return nullptr;
    };

    // An alias must not change what the Python tool's own spellings mean: it may not be
    // another option's long name, nor an abbreviation of one.
    for (const auto& s : specs)
        for (const auto& a : s.aliases)
            for (const auto& l : python_longs)
                VMLAB_ASSERT(l.rfind("--" + a, 0) != 0 || find_long(l) == &s,
                             "an ostep alias abbreviates another option's Python long name");

    std::vector<std::string> rargs(args.begin(), args.end());
    std::size_t pos = 0;
    auto take = [&](std::string& into) {
        if (pos >= rargs.size()) return false;
        into = rargs[pos++];
        return true;
    };

    while (pos < rargs.size()) {
        const std::string arg = rargs[pos];
        if (arg == "--") {
            ++pos;
            while (pos < rargs.size()) parsed.positional.push_back(rargs[pos++]);
            break;
        }
        if (arg.rfind("--", 0) == 0) {
            ++pos;
            std::string opt = arg;
            bool explicit_value = false;
            std::string value;
            if (const auto eq = arg.find('='); eq != std::string::npos) {
                opt = arg.substr(0, eq);
                value = arg.substr(eq + 1);
                explicit_value = true;
            }
            // optparse's _match_abbrev: an exact name, else the unique long option that
            // starts with it. vmlab's aliases only ever match exactly.
            const OptSpec* spec = nullptr;
            bool is_help = false;
            if (opt == "--help") {
                is_help = true;
            } else if ((spec = find_long(opt)) != nullptr || (spec = find_alias(opt)) != nullptr) {
            } else {
                std::vector<std::string> poss;
                for (const auto& l : python_longs)
                    if (l.rfind(opt, 0) == 0) poss.push_back(l);
                if (poss.empty()) return failf("no such option: {}", opt);
                if (poss.size() > 1) {
                    std::sort(poss.begin(), poss.end());
                    std::string list;
                    for (const auto& p : poss) list += (list.empty() ? "" : ", ") + p;
                    return failf("ambiguous option: {} ({}?)", opt, list);
                }
                opt = poss[0];
                if (opt == "--help") is_help = true;
                else spec = find_long(opt);
            }
            if (is_help || spec->kind == OptKind::Flag) {
                if (explicit_value) return failf("{} option does not take a value", opt);
                if (is_help) {
                    parsed.help = true;
                    return parsed;
                }
                VMLAB_TRY(store(parsed.options, *spec, opt, nullptr));
                continue;
            }
            if (!explicit_value && !take(value)) return failf("{} option requires 1 argument", opt);
            VMLAB_TRY(store(parsed.options, *spec, opt, &value));
            continue;
        }
        if (arg.size() > 1 && arg[0] == '-') {
            ++pos;
            for (std::size_t i = 1; i < arg.size(); ++i) {
                const std::string opt = std::string("-") + arg[i];
                if (arg[i] == 'h') {
                    parsed.help = true;
                    return parsed;
                }
                const OptSpec* spec = nullptr;
                for (const auto& s : specs)
                    if (s.short_name != 0 && s.short_name == arg[i]) spec = &s;
                if (spec == nullptr) return failf("no such option: {}", opt);
                if (spec->kind == OptKind::Flag) {
                    VMLAB_TRY(store(parsed.options, *spec, opt, nullptr));
                    continue;
                }
                std::string value;
                if (i + 1 < arg.size()) {
                    value = arg.substr(i + 1);
                } else if (!take(value)) {
                    return failf("{} option requires 1 argument", opt);
                }
                VMLAB_TRY(store(parsed.options, *spec, opt, &value));
                break;
            }
            continue;
        }
        parsed.positional.push_back(arg);
        ++pos;
    }
    return parsed;
}

namespace {

bool letter(char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_' ||
           static_cast<unsigned char>(c) >= 0x80;
}

// textwrap's chunks: runs of spaces, and words split after a hyphen that joins letters
// ("comma-" "separated", "INSERT-" "FRONT").
std::vector<std::string> chunks_of(std::string_view text) {
    std::vector<std::string> out;
    std::size_t i = 0;
    while (i < text.size()) {
        std::size_t j = i;
        if (text[i] == ' ') {
            while (j < text.size() && text[j] == ' ') ++j;
            out.emplace_back(text.substr(i, j - i));
            i = j;
            continue;
        }
        std::size_t start = i;
        while (j < text.size() && text[j] != ' ') {
            if (text[j] == '-' && j > start) {
                const bool two_letters = j >= start + 2 && letter(text[j - 1]) && letter(text[j - 2]);
                const bool letter_hyphen_letter = j >= start + 3 && letter(text[j - 1]) &&
                                                  text[j - 2] == '-' && letter(text[j - 3]);
                std::size_t k = j + 1;
                bool ahead = k < text.size() && letter(text[k]);
                if (ahead) {
                    ++k;
                    if (k < text.size() && text[k] == '-') ++k;
                    ahead = k < text.size() && letter(text[k]);
                }
                if ((two_letters || letter_hyphen_letter) && ahead) {
                    out.emplace_back(text.substr(start, j + 1 - start));
                    start = j + 1;
                }
            }
            ++j;
        }
        if (j > start) out.emplace_back(text.substr(start, j - start));
        i = j;
    }
    return out;
}

bool blank(const std::string& s) { return s.find_first_not_of(' ') == std::string::npos; }

}  // namespace

std::vector<std::string> text_wrap(std::string_view raw, std::size_t width) {
    std::string text(raw);
    for (auto& c : text)
        if (c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f') c = ' ';
    std::vector<std::string> chunks = chunks_of(text);
    std::reverse(chunks.begin(), chunks.end());
    std::vector<std::string> lines;
    while (!chunks.empty()) {
        std::vector<std::string> cur;
        std::size_t len = 0;
        if (blank(chunks.back()) && !lines.empty()) chunks.pop_back();
        while (!chunks.empty() && len + chunks.back().size() <= width) {
            len += chunks.back().size();
            cur.push_back(std::move(chunks.back()));
            chunks.pop_back();
        }
        if (!chunks.empty() && chunks.back().size() > width) {
            // A word longer than a line is broken, preferably after a hyphen.
            const std::size_t space = width > len ? width - len : 1;
            std::string& chunk = chunks.back();
            std::size_t end = space;
            const auto hyphen = chunk.rfind('-', space - 1);
            if (hyphen != std::string::npos && hyphen > 0 && hyphen < space &&
                chunk.find_first_not_of('-') < hyphen)
                end = hyphen + 1;
            cur.push_back(chunk.substr(0, end));
            chunk = chunk.substr(end);
        }
        if (!cur.empty() && blank(cur.back())) cur.pop_back();
        if (!cur.empty()) {
            std::string line;
            for (const auto& c : cur) line += c;
            lines.push_back(std::move(line));
        }
    }
    return lines;
}

std::string format_help(std::string_view prog, const std::vector<OptSpec>& specs) {
    constexpr std::size_t kWidth = 78, kHelpPosition = 24, kIndent = 2;
    struct Row {
        std::string opts;
        std::string help;
    };
    std::vector<Row> rows = {{"-h, --help", "show this help message and exit"}};
    for (const auto& s : specs) {
        if (s.short_name == 0 && s.long_name.empty()) continue;
        std::string metavar;
        if (s.kind != OptKind::Flag)
            for (char c : s.dest) metavar += (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c;
        std::string opts;
        if (s.short_name != 0) opts = std::string("-") + s.short_name + (metavar.empty() ? "" : " " + metavar);
        if (!s.long_name.empty())
            opts += (opts.empty() ? "" : ", ") + ("--" + s.long_name) + (metavar.empty() ? "" : "=" + metavar);
        rows.push_back({opts, s.help});
    }
    std::size_t max_len = 0;
    for (const auto& r : rows) max_len = std::max(max_len, r.opts.size() + kIndent);
    const std::size_t help_pos = std::min(max_len + 2, kHelpPosition);
    const std::size_t help_width = std::max<std::size_t>(kWidth - help_pos, 11);
    const std::size_t opt_width = help_pos - kIndent - 2;

    std::string out = fmt::format("Usage: {} [options]\n\nOptions:\n", prog);
    for (const auto& r : rows) {
        std::size_t indent_first = 0;
        if (r.opts.size() > opt_width) {
            out += fmt::format("{:{}}{}\n", "", kIndent, r.opts);
            indent_first = help_pos;
        } else {
            out += fmt::format("{:{}}{:<{}}  ", "", kIndent, r.opts, opt_width);
        }
        if (r.help.empty()) {
            if (out.back() != '\n') out += '\n';
            continue;
        }
        const auto lines = text_wrap(r.help, help_width);
        out += fmt::format("{:{}}{}\n", "", indent_first, lines.empty() ? std::string() : lines[0]);
        for (std::size_t k = 1; k < lines.size(); ++k) out += fmt::format("{:{}}{}\n", "", help_pos, lines[k]);
    }
    return out;
}

}  // namespace vmlab::compat::ostep

namespace vmlab::compat::ostep {

Result<std::int64_t> add64(std::int64_t a, std::int64_t b) {
    std::int64_t r = 0;
    if (__builtin_add_overflow(a, b, &r)) return failf("{} + {} is beyond vmlab's 64-bit integers", a, b);
    return r;
}
Result<std::int64_t> sub64(std::int64_t a, std::int64_t b) {
    std::int64_t r = 0;
    if (__builtin_sub_overflow(a, b, &r)) return failf("{} - {} is beyond vmlab's 64-bit integers", a, b);
    return r;
}
Result<std::int64_t> mul64(std::int64_t a, std::int64_t b) {
    std::int64_t r = 0;
    if (__builtin_mul_overflow(a, b, &r)) return failf("{} * {} is beyond vmlab's 64-bit integers", a, b);
    return r;
}

Result<std::int64_t> int_option(const OptValues& o, std::string_view dest, std::string_view opt) {
    const auto v = o.integer(dest).to_i64();
    if (!v) return failf("option {}: {} is too large for vmlab (at most 64 bits)", opt, o.integer(dest).str());
    return *v;
}

std::int64_t py_mod(std::int64_t a, std::int64_t b) {
    std::int64_t r = a % b;
    if (r != 0 && ((r < 0) != (b < 0))) r += b;
    return r;
}

std::vector<std::string> py_split(std::string_view s, char sep) {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (true) {
        const auto p = s.find(sep, start);
        if (p == std::string_view::npos) {
            out.emplace_back(s.substr(start));
            return out;
        }
        out.emplace_back(s.substr(start, p - start));
        start = p + 1;
    }
}

}  // namespace vmlab::compat::ostep

namespace vmlab::compat::ostep {

Result<std::string> read_text_file(const std::string& path) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) return fail("is a directory", Location{path});
    std::ifstream in(path, std::ios::binary);
    if (!in) return fail(fmt::format("cannot open: {}", std::strerror(errno)), Location{path});
    std::ostringstream ss;
    ss << in.rdbuf();
    if (in.bad()) return fail("read error", Location{path});
    return ss.str();
}

}  // namespace vmlab::compat::ostep

namespace vmlab::compat::ostep {

std::optional<std::string> printed_arg(std::string_view text, std::string_view key) {
    std::size_t start = 0;
    while (start <= text.size()) {
        const auto nl = text.find('\n', start);
        std::string_view line = text.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line.substr(0, key.size()) == key) return std::string(line.substr(key.size()));
        if (nl == std::string_view::npos) break;
        start = nl + 1;
    }
    return std::nullopt;
}

Result<std::optional<OptValues>> parse_or_help(const std::vector<OptSpec>& specs,
                                               const std::vector<std::string>& args, std::string_view prog,
                                               std::string& out) {
    auto parsed = parse_options(specs, args);
    if (!parsed) return fail(parsed.error());
    if (parsed->help) {
        out += format_help(prog, specs);
        return std::optional<OptValues>{};
    }
    return std::optional<OptValues>{std::move(parsed->options)};
}

}  // namespace vmlab::compat::ostep
