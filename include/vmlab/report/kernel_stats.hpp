// Kernel-wide statistics of a run (os/stats.hpp KernelStats) and the per-CPU MMU figures,
// as text and JSON.
#pragma once

#include <iosfwd>

#include <nlohmann/json.hpp>

#include "vmlab/hw/machine.hpp"
#include "vmlab/os/stats.hpp"

namespace vmlab::report {

// Text: "faults: 64 minor, 0 major (64 zero-page, ...)", shootdowns, context switches,
// page cache, memory in pages, then one line per CPU with translations and TLB hit rate.
void write_kernel_stats(std::ostream& os, const KernelStats& s, const Machine& m);
// Every KernelStats field by its field-list name (faults as an object), and cpus: one
// object per CPU with every MmuStats field (tlbs as an array). Generated from the field
// lists (core/stats.hpp), so a counter has the same name here, in Lua and in CSV.
nlohmann::json kernel_stats_json(const KernelStats& s, const Machine& m);
// The same figures as CSV: a header line of dotted names (faults.minor, ...,
// cpus.0.translations, cpus.0.tlbs.1.hits, ...) and one line of values.
void write_kernel_stats_csv(std::ostream& os, const KernelStats& s, const Machine& m);

}  // namespace vmlab::report
