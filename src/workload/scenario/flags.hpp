// Names of the Linux ABI constants scenarios use: protections, mmap/madvise/msync/
// mremap/mlock/open flags and signals, by name ("rw-", "private|anonymous",
// "MAP_PRIVATE|MAP_ANONYMOUS", "dontneed") or as numbers.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "vmlab/core/result.hpp"

namespace vmlab::scenario {

struct FlagSet {
    const char* what;    // "mmap flag"
    const char* prefix;  // "MAP_": accepted (and stripped) in front of each name
    std::vector<std::pair<std::string, int>> names;  // lowercase names without the prefix
};

const FlagSet& prot_flags();
const FlagSet& map_flags();
const FlagSet& madvise_advice();
const FlagSet& fadvise_advice();
const FlagSet& msync_flags();
const FlagSet& mremap_flags();
const FlagSet& mlock_flags();
const FlagSet& mlockall_flags();
const FlagSet& open_flags();
const FlagSet& signals();

// "a|b|c" (also ',' or spaces between names), case-insensitive, the prefix optional;
// "" and "0" are 0. Unknown names are an error suggesting the nearest one.
Result<int> parse_flags(const FlagSet& set, std::string_view text);
// A protection: "rwx"-style three letters ("r--", "rw-", "---"), or PROT_ names.
Result<int> parse_prot(std::string_view text);
// One value only (madvise advice, a signal).
Result<int> parse_one(const FlagSet& set, std::string_view text);

}  // namespace vmlab::scenario
