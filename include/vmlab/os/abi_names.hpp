// Names of the Linux ABI constants front ends accept: protections, mmap/madvise/fadvise/
// msync/mremap/mlock/mlockall/open flags, signals and resource limits, by name ("rw-",
// "private|anonymous", "MAP_PRIVATE|MAP_ANONYMOUS", "dontneed", "RLIMIT_STACK").
// The values are those of vmlab/os/abi.hpp (Rlimit's for the resource names).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "vmlab/core/result.hpp"

namespace vmlab::sys {

// One family of names. Names are lowercase and without the prefix; several names may
// share a value (aliases such as "anon" for "anonymous"), the first is the canonical one.
struct FlagSet {
    const char* what;    // "mmap flag": how errors name a member
    const char* prefix;  // "MAP_": accepted (and stripped) in front of each name
    std::vector<std::pair<std::string, int>> names;

    std::vector<std::string> name_list() const;  // every accepted name, in table order
    const char* name_of(int value) const;        // the first name with that value, or nullptr
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
// setrlimit/getrlimit resources; the values are static_cast<int>(Rlimit::...).
const FlagSet& rlimits();

// "a|b|c" (also ',', '+' or spaces between names), case-insensitive, the prefix optional;
// "" and "0" are 0. An unknown name is an error suggesting the nearest one.
Result<int> parse_flags(const FlagSet& set, std::string_view text);
// A protection: "rwx"-style three letters ("r--", "rw-", "---"), or PROT_ names.
Result<int> parse_prot(std::string_view text);
// Exactly one name (madvise advice, a signal, a resource), surrounding blanks ignored.
Result<int> parse_one(const FlagSet& set, std::string_view text);

}  // namespace vmlab::sys
