// Small string helpers shared by every input parser.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vmlab/core/result.hpp"

namespace vmlab {

// Levenshtein distance (for "did you mean" suggestions).
std::size_t edit_distance(std::string_view a, std::string_view b);

// The candidate nearest to `name`, if it is close enough to be a plausible misspelling.
std::optional<std::string> nearest(std::string_view name, const std::vector<std::string>& candidates);

// "unknown X 'foo'; did you mean 'bar'?" / "...; valid: a, b, c"
std::string unknown_name_message(std::string_view what, std::string_view name,
                                 const std::vector<std::string>& candidates);

// Parses an unsigned integer in C syntax: decimal, 0x hex, 0b binary, 0o octal; '_' and
// ''' are allowed as digit separators. Optional size suffix when `allow_suffix`: K, M, G,
// T (powers of 1024; "KiB"/"MiB"/... and "k"/"m"/"g" accepted). Rejects overflow.
Result<std::uint64_t> parse_u64(std::string_view text, bool allow_suffix = false);

// Human-readable byte count: "4 KiB", "2 MiB", "1.5 GiB", "100 B".
std::string format_bytes(std::uint64_t bytes);

std::string_view trim(std::string_view s);
std::vector<std::string_view> split(std::string_view s, char sep);

}  // namespace vmlab
