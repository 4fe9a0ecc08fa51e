// The memory lines of /proc/PID/status (fs/proc/task_mmu.c task_mem):
//
//   VmSize:\t    3892 kB        "Name:\t", the value in KiB right-justified in 8, " kB"
//
// VmExe is the text segment (end_code - start_code, page-rounded, at most the size of
// the executable mappings) and VmLib the rest of the executable mappings, as Linux
// computes them.
#include <algorithm>
#include <ostream>

#include <fmt/format.h>

#include "vmlab/report/proc.hpp"

namespace vmlab::report {

namespace {

struct StatusLines {
    std::uint64_t text = 0, lib = 0;
};

StatusLines text_and_lib(const ProcessView& v) {
    const std::uint64_t exec = v.mem->vm_exe;
    if (!v.layout) return {exec, 0};
    const std::uint64_t mask = v.format.page_size - 1;
    const std::uint64_t end = (v.layout->end_code.value + mask) & ~mask;
    const std::uint64_t start = v.layout->start_code.value & ~mask;
    const std::uint64_t text = std::min(end > start ? end - start : 0, exec);
    return {text, exec - text};
}

}  // namespace

void write_status(std::ostream& os, const ProcessView& v) {
    const ProcessMemory& m = *v.mem;
    const auto tl = text_and_lib(v);
    std::string out;
    auto line = [&](const char* name, std::uint64_t bytes) {
        fmt::format_to(std::back_inserter(out), "{}:\t{:>8} kB\n", name, bytes >> 10);
    };
    line("VmSize", m.vm_size);
    line("VmLck", m.vm_lck);
    line("VmPin", 0);
    line("VmHWM", m.vm_hwm);
    line("VmRSS", m.vm_rss);
    line("RssAnon", m.rss_anon);
    line("RssFile", m.rss_file);
    line("RssShmem", m.rss_shmem);
    line("VmData", m.vm_data);
    line("VmStk", m.vm_stk);
    line("VmExe", tl.text);
    line("VmLib", tl.lib);
    line("VmPTE", m.vm_pte);
    line("VmSwap", m.vm_swap);
    line("HugetlbPages", 0);
    os << out;
}

nlohmann::json status_json(const ProcessView& v) {
    const ProcessMemory& m = *v.mem;
    const auto tl = text_and_lib(v);
    return {{"pid", m.pid},         {"name", m.name},         {"vm_size", m.vm_size},
            {"vm_lck", m.vm_lck},   {"vm_hwm", m.vm_hwm},     {"vm_rss", m.vm_rss},
            {"rss_anon", m.rss_anon}, {"rss_file", m.rss_file}, {"rss_shmem", m.rss_shmem},
            {"vm_data", m.vm_data}, {"vm_stk", m.vm_stk},     {"vm_exe", tl.text},
            {"vm_lib", tl.lib},     {"vm_pte", m.vm_pte},     {"vm_swap", m.vm_swap}};
}

VMLAB_REGISTER(proc_reports(), "status", "/proc/PID/status: the memory lines (VmSize ... VmSwap)",
               ProcReport{write_status, status_json});

}  // namespace vmlab::report
