// The smaps counter lines shared by smaps and smaps_rollup (fs/proc/task_mmu.c __show_smap).
#pragma once

#include <iterator>
#include <string>

#include <fmt/format.h>

#include "vmlab/os/stats.hpp"

namespace vmlab::report::detail {

constexpr unsigned kShift = MemCounters::kPssShift;

inline void field(std::string& out, const char* name, std::uint64_t bytes) {
    fmt::format_to(std::back_inserter(out), "{:<16}{:>8} kB\n", name, bytes >> 10);
}

// __show_smap: Rss .. Locked.
inline void counters(std::string& out, const MemCounters& c, bool rollup) {
    field(out, "Rss:", c.rss);
    field(out, "Pss:", c.pss_fp >> kShift);
    field(out, "Pss_Dirty:", c.pss_dirty_fp >> kShift);
    if (rollup) {
        field(out, "Pss_Anon:", c.pss_anon_fp >> kShift);
        field(out, "Pss_File:", c.pss_file_fp >> kShift);
        field(out, "Pss_Shmem:", c.pss_shmem_fp >> kShift);
    }
    field(out, "Shared_Clean:", c.shared_clean);
    field(out, "Shared_Dirty:", c.shared_dirty);
    field(out, "Private_Clean:", c.private_clean);
    field(out, "Private_Dirty:", c.private_dirty);
    field(out, "Referenced:", c.referenced);
    field(out, "Anonymous:", c.anonymous);
    field(out, "KSM:", 0);
    field(out, "LazyFree:", c.lazyfree);
    field(out, "AnonHugePages:", 0);
    field(out, "ShmemPmdMapped:", 0);
    field(out, "FilePmdMapped:", 0);
    field(out, "Shared_Hugetlb:", 0);
    fmt::format_to(std::back_inserter(out), "Private_Hugetlb: {:>7} kB\n", 0);
    field(out, "Swap:", c.swap);
    field(out, "SwapPss:", c.swap_pss_fp >> kShift);
    field(out, "Locked:", c.locked_fp >> kShift);
}

}  // namespace vmlab::report::detail
