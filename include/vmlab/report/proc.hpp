// Process memory reports over the kernel model's plain statistics (os/stats.hpp):
// Linux's /proc/PID/maps, smaps, smaps_rollup and the memory lines of /proc/PID/status,
// byte for byte in the layout of fs/proc/task_mmu.c; a region table in the style of
// macOS vmmap; and a one-line-per-process summary. Every report exists as text and JSON.
//
// Reports never print: they write to the std::ostream the caller gives, or return
// nlohmann::json values. Each report is registered by name in its own file in
// proc_reports() ("maps", "smaps", "smaps_rollup", "status", "vmmap", "summary"), so
// that `vmlab list` and scenarios reach them all by name.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "vmlab/core/registry.hpp"
#include "vmlab/os/process_info.hpp"
#include "vmlab/os/stats.hpp"
#include "vmlab/os/vma.hpp"

namespace vmlab::report {

// Properties of the machine that change how /proc looks.
struct ProcFormat {
    // sizeof(void*) of the kernel: maps pads the pathname column to 25 + 6 * this - 1
    // characters (seq_setwidth in show_vma_header_prefix). 8 on 64-bit ISAs, 4 on i386.
    unsigned pointer_bytes = 8;
    // The base page size: smaps' KernelPageSize and MMUPageSize, status' page counts.
    std::uint64_t page_size = 4096;
};

// Everything a process report may read. `mem` is required; the others may be null
// (a report that needs one of them states what it prints without it).
struct ProcessView {
    const ProcessMemory* mem = nullptr;
    const ProcessInfo* info = nullptr;   // name, state, faults (summary)
    const MmLayout* layout = nullptr;    // start_code/end_code (status: VmExe, VmLib)
    ProcFormat format;
};

// ---- /proc/PID/maps ------------------------------------------------------------------
// One line, with its '\n': "start-end perms offset major:minor inode", then, when the
// VMA has a name, spaces up to the pathname column and the name. An unnamed VMA's line
// keeps the trailing space Linux prints. Addresses and offset are lowercase hex of at
// least 8 digits, device numbers at least 2.
std::string maps_line(const VmaInfo& vma, const ProcFormat& fmt = {});
// The pathname column for a VMA: the file path; "[heap]", "[stack]", "[vdso]"; an
// anonymous name as "[anon:NAME]" (shared anonymous: "[anon_shmem:NAME]"); or "".
std::string maps_name(const VmaInfo& vma);
void write_maps(std::ostream& os, const std::vector<VmaInfo>& vmas, const ProcFormat& fmt = {});

// ---- smaps, smaps_rollup, status -------------------------------------------------------
// One VMA's smaps block: its maps line, Size ... Locked as "%-16s%8lu kB" (KiB, rounded
// down), THPeligible, VmFlags (two-letter mnemonics in bit order, each followed by a
// space).
void write_smaps_vma(std::ostream& os, const VmaReport& v, const ProcFormat& fmt = {});
void write_smaps(std::ostream& os, const ProcessMemory& m, const ProcFormat& fmt = {});
// The "[rollup]" header (first VMA start to last VMA end) and the summed counters with
// Pss_Anon/Pss_File/Pss_Shmem. A process with no VMA prints nothing, as Linux does.
void write_smaps_rollup(std::ostream& os, const ProcessMemory& m, const ProcFormat& fmt = {});
// The memory lines of /proc/PID/status, VmSize to HugetlbPages ("Name:\t%8lu kB").
// VmPeak is not printed (the kernel model does not track the peak VmSize). Without a
// layout, VmExe is the whole executable mapping size and VmLib 0.
void write_status(std::ostream& os, const ProcessView& v);

// The smaps "VmFlags:" mnemonics, e.g. {"rd","wr","mr","mw","me","ac"}.
std::vector<std::string> vmflags_mnemonics(VmFlags flags);

// ---- vmmap ------------------------------------------------------------------------------
// A region of the macOS-vmmap-style table.
struct VmmapRegion {
    std::string type;         // "Stack", "Heap", "mapped file", "shared memory", "VM_ALLOCATE", ...
    VirtAddr start{}, end{};
    std::uint64_t virtual_size = 0, resident = 0, dirty = 0, swapped = 0;  // bytes
    std::string prot, max_prot;  // "rw-", "rwx"
    std::string share_mode;      // "COW", "PRV", "SHM", "NUL"
    std::string detail;          // path or [heap]/[stack]/[anon:name]
    bool writable = false;
};
VmmapRegion vmmap_region(const VmaReport& v);
void write_vmmap(std::ostream& os, const ProcessView& v);

// ---- summary -----------------------------------------------------------------------------
struct ProcessSummary {
    Pid pid = 0;
    std::string name;
    std::string state;  // "running", "zombie"
    std::uint64_t vsz = 0, rss = 0, rss_anon = 0, rss_file = 0, rss_shmem = 0, pss = 0;
    std::uint64_t swap = 0, page_tables = 0;  // bytes
    std::uint64_t minor_faults = 0, major_faults = 0;
};
ProcessSummary summarize(const ProcessView& v);
// A table with one row per process (KiB), headed by column names.
void write_summary_table(std::ostream& os, const std::vector<ProcessSummary>& rows);

// ---- JSON ----------------------------------------------------------------------------------
// Sizes in JSON are bytes; PSS values are bytes rounded down.
nlohmann::json maps_json(const std::vector<VmaInfo>& vmas, const ProcFormat& fmt = {});
nlohmann::json mem_counters_json(const MemCounters& c);
nlohmann::json smaps_json(const ProcessMemory& m, const ProcFormat& fmt = {});
nlohmann::json status_json(const ProcessView& v);
nlohmann::json vmmap_json(const ProcessView& v);
nlohmann::json summary_json(const ProcessSummary& s);
nlohmann::json faults_json(const FaultCounters& f);

// ---- the registry of process reports ---------------------------------------------------------
struct ProcReport {
    void (*text)(std::ostream&, const ProcessView&) = nullptr;
    nlohmann::json (*json)(const ProcessView&) = nullptr;
};
Registry<ProcReport>& proc_reports();

}  // namespace vmlab::report
