// /proc/PID/smaps_rollup (fs/proc/task_mmu.c show_smaps_rollup): a "[rollup]" header
// line spanning the first VMA's start to the last VMA's end, then the summed smaps
// counters with Pss_Anon, Pss_File and Pss_Shmem.
#include <ostream>

#include <fmt/format.h>

#include "report/smaps_fields.hpp"
#include "vmlab/report/proc.hpp"

namespace vmlab::report {

void write_smaps_rollup(std::ostream& os, const ProcessMemory& m, const ProcFormat& fmt) {
    if (m.vmas.empty()) return;
    VmaInfo header;
    header.start = m.vmas.front().vma.start;
    header.end = m.vmas.back().vma.end;
    header.name = "[rollup]";
    std::string out = maps_line(header, fmt);
    detail::counters(out, m.total, true);
    os << out;
}

namespace {
void rollup_text(std::ostream& os, const ProcessView& v) { write_smaps_rollup(os, *v.mem, v.format); }
nlohmann::json rollup_json_view(const ProcessView& v) {
    nlohmann::json j = mem_counters_json(v.mem->total);
    if (!v.mem->vmas.empty()) {
        j["start"] = fmt::format("{:#x}", v.mem->vmas.front().vma.start.value);
        j["end"] = fmt::format("{:#x}", v.mem->vmas.back().vma.end.value);
    }
    return j;
}
}  // namespace

VMLAB_REGISTER(proc_reports(), "smaps_rollup", "/proc/PID/smaps_rollup: the process's summed smaps figures",
               ProcReport{rollup_text, rollup_json_view});

}  // namespace vmlab::report
