// The per-process summary: VSZ, RSS split into anonymous/file/shmem, PSS, swap,
// page-table bytes and faults, as a table (KiB) or JSON (bytes).
#include <ostream>

#include <fmt/format.h>

#include "vmlab/core/stats_json.hpp"
#include "vmlab/report/proc.hpp"

namespace vmlab::report {

ProcessSummary summarize(const ProcessView& v) {
    const ProcessMemory& m = *v.mem;
    ProcessSummary s;
    s.pid = m.pid;
    s.name = m.name;
    s.state = "running";
    s.vsz = m.vm_size;
    s.rss = m.vm_rss;
    s.rss_anon = m.rss_anon;
    s.rss_file = m.rss_file;
    s.rss_shmem = m.rss_shmem;
    s.pss = m.total.pss();
    s.swap = m.vm_swap;
    s.page_tables = m.vm_pte;
    if (v.info) {
        if (!v.info->name.empty()) s.name = v.info->name;
        if (v.info->state == ProcState::Zombie) s.state = "zombie";
        s.minor_faults = v.info->faults.minor;
        s.major_faults = v.info->faults.major;
    }
    return s;
}

void write_summary_table(std::ostream& os, const std::vector<ProcessSummary>& rows) {
    std::string out = fmt::format("{:>7} {:<12} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>7} {:>9} {:>7}\n", "PID",
                                  "NAME", "VSZ_KB", "RSS_KB", "ANON_KB", "FILE_KB", "SHMEM_KB", "PSS_KB", "PTE_KB",
                                  "MINFLT", "MAJFLT");
    for (const auto& s : rows)
        fmt::format_to(std::back_inserter(out), "{:>7} {:<12} {:>9} {:>9} {:>9} {:>9} {:>9} {:>9} {:>7} {:>9} {:>7}\n",
                       s.pid, s.name, s.vsz >> 10, s.rss >> 10, s.rss_anon >> 10, s.rss_file >> 10,
                       s.rss_shmem >> 10, s.pss >> 10, s.page_tables >> 10, s.minor_faults, s.major_faults);
    os << out;
}

nlohmann::json summary_json(const ProcessSummary& s) {
    return {{"pid", s.pid},           {"name", s.name},         {"state", s.state},
            {"vsz", s.vsz},           {"rss", s.rss},           {"rss_anon", s.rss_anon},
            {"rss_file", s.rss_file}, {"rss_shmem", s.rss_shmem}, {"pss", s.pss},
            {"swap", s.swap},         {"page_tables", s.page_tables}, {"minor_faults", s.minor_faults},
            {"major_faults", s.major_faults}};
}

nlohmann::json faults_json(const FaultCounters& f) { return stats_json(f); }

namespace {
void summary_text(std::ostream& os, const ProcessView& v) { write_summary_table(os, {summarize(v)}); }
nlohmann::json summary_json_view(const ProcessView& v) { return summary_json(summarize(v)); }
}  // namespace

VMLAB_REGISTER(proc_reports(), "summary", "one line per process: VSZ, RSS (anon/file/shmem), PSS, page tables, faults",
               ProcReport{summary_text, summary_json_view});

}  // namespace vmlab::report
