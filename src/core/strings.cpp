#include "vmlab/core/strings.hpp"

#include <algorithm>
#include <cctype>
#include <limits>

namespace vmlab {

std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> prev(b.size() + 1), cur(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) prev[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        cur[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            const bool same = std::tolower(static_cast<unsigned char>(a[i - 1])) ==
                              std::tolower(static_cast<unsigned char>(b[j - 1]));
            cur[j] = std::min({prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (same ? 0 : 1)});
        }
        std::swap(prev, cur);
    }
    return prev[b.size()];
}

std::optional<std::string> nearest(std::string_view name, const std::vector<std::string>& candidates) {
    std::optional<std::string> best;
    std::size_t best_d = std::numeric_limits<std::size_t>::max();
    for (const auto& c : candidates) {
        const std::size_t d = edit_distance(name, c);
        if (d < best_d) {
            best_d = d;
            best = c;
        }
    }
    // Plausible misspelling: at most a third of the longer name, and at least 1 edit allowed.
    if (best) {
        const std::size_t limit = std::max<std::size_t>(2, std::max(name.size(), best->size()) / 3);
        if (best_d > limit) return std::nullopt;
    }
    return best;
}

std::string unknown_name_message(std::string_view what, std::string_view name,
                                 const std::vector<std::string>& candidates) {
    std::string msg = fmt::format("unknown {} '{}'", what, name);
    if (auto n = nearest(name, candidates)) return msg + fmt::format("; did you mean '{}'?", *n);
    if (!candidates.empty()) {
        msg += "; valid: ";
        for (std::size_t i = 0; i < candidates.size(); ++i) msg += (i ? ", " : "") + candidates[i];
    }
    return msg;
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front()))) s.remove_prefix(1);
    while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back()))) s.remove_suffix(1);
    return s;
}

std::vector<std::string_view> split(std::string_view s, char sep) {
    std::vector<std::string_view> out;
    std::size_t start = 0;
    for (;;) {
        const std::size_t p = s.find(sep, start);
        if (p == std::string_view::npos) {
            out.push_back(s.substr(start));
            return out;
        }
        out.push_back(s.substr(start, p - start));
        start = p + 1;
    }
}

Result<std::uint64_t> parse_u64(std::string_view text, bool allow_suffix) {
    const std::string_view orig = text;
    text = trim(text);
    if (text.empty()) return failf("empty number");
    unsigned base = 10;
    if (text.size() > 2 && text[0] == '0' && (text[1] == 'x' || text[1] == 'X')) base = 16, text.remove_prefix(2);
    else if (text.size() > 2 && text[0] == '0' && (text[1] == 'b' || text[1] == 'B')) base = 2, text.remove_prefix(2);
    else if (text.size() > 2 && text[0] == '0' && (text[1] == 'o' || text[1] == 'O')) base = 8, text.remove_prefix(2);
    std::uint64_t v = 0;
    std::size_t i = 0, digits = 0;
    for (; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '_' || c == '\'') continue;
        unsigned d;
        if (c >= '0' && c <= '9') d = unsigned(c - '0');
        else if (base == 16 && c >= 'a' && c <= 'f') d = unsigned(c - 'a' + 10);
        else if (base == 16 && c >= 'A' && c <= 'F') d = unsigned(c - 'A' + 10);
        else break;
        if (d >= base) return failf("invalid digit '{}' in '{}'", c, orig);
        if (v > (std::numeric_limits<std::uint64_t>::max() - d) / base) return failf("number '{}' is too large", orig);
        v = v * base + d;
        ++digits;
    }
    if (digits == 0) return failf("'{}' is not a number", orig);
    std::string_view rest = text.substr(i);
    if (rest.empty()) return v;
    if (!allow_suffix) return failf("'{}' is not a number", orig);
    std::string r;
    for (char c : rest) r += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    unsigned shift;
    if (r == "k" || r == "kb" || r == "kib") shift = 10;
    else if (r == "m" || r == "mb" || r == "mib") shift = 20;
    else if (r == "g" || r == "gb" || r == "gib") shift = 30;
    else if (r == "t" || r == "tb" || r == "tib") shift = 40;
    else if (r == "b") shift = 0;
    else return failf("unknown size suffix '{}' in '{}' (use K, M, G or T)", rest, orig);
    if (shift && v > (std::numeric_limits<std::uint64_t>::max() >> shift)) return failf("number '{}' is too large", orig);
    return v << shift;
}

std::string format_bytes(std::uint64_t bytes) {
    static const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
    unsigned u = 0;
    std::uint64_t whole = bytes;
    while (whole >= 1024 && u < 6) whole >>= 10, ++u;
    if (u == 0) return fmt::format("{} B", bytes);
    const double exact = double(bytes) / double(std::uint64_t{1} << (10 * u));
    if (exact == double(whole)) return fmt::format("{} {}", whole, units[u]);
    return fmt::format("{:.1f} {}", exact, units[u]);
}

}  // namespace vmlab
