// /proc/PID/maps, as fs/proc/task_mmu.c prints it (show_vma_header_prefix, show_map_vma):
//
//   55f3e8fdd000-55f3e8fdf000 r--p 00000000 fe:00 247134                     /usr/bin/cat
//   7f305f015000-7f305f037000 rw-p 00000000 00:00 0 
//   |start-end (>= 8 hex)  perms offset    dev   inode |<- pad to 25+6*ptr-1 ->| name
//
// The prefix always ends with a space; a named VMA is padded to the column and gets one
// more space before its name.
#include <ostream>

#include <fmt/format.h>

#include "vmlab/report/proc.hpp"

namespace vmlab::report {

Registry<ProcReport>& proc_reports() {
    static Registry<ProcReport> r("proc-report", "process memory reports (/proc views, vmmap, summary)");
    return r;
}

std::string maps_name(const VmaInfo& vma) {
    const bool anon_name = !vma.name.empty() && vma.name.front() != '[';
    if (!vma.path.empty()) {
        if (anon_name && vma.backing == VmaBacking::Shmem) return "[anon_shmem:" + vma.name + "]";
        return vma.path;
    }
    if (anon_name) return "[anon:" + vma.name + "]";
    return vma.name;
}

std::string maps_line(const VmaInfo& vma, const ProcFormat& fmt) {
    std::string line = fmt::format("{:08x}-{:08x} {} {:08x} {:02x}:{:02x} {} ", vma.start.value, vma.end.value,
                                   vma.perms(), vma.offset, vma.dev_major, vma.dev_minor, vma.inode);
    const std::string name = maps_name(vma);
    if (!name.empty()) {
        const std::size_t width = 25 + 6 * fmt.pointer_bytes - 1;
        if (line.size() < width) line.append(width - line.size(), ' ');
        line += ' ';
        line += name;
    }
    line += '\n';
    return line;
}

void write_maps(std::ostream& os, const std::vector<VmaInfo>& vmas, const ProcFormat& fmt) {
    for (const auto& v : vmas) os << maps_line(v, fmt);
}

nlohmann::json maps_json(const std::vector<VmaInfo>& vmas, const ProcFormat& fmt) {
    auto out = nlohmann::json::array();
    for (const auto& v : vmas) {
        out.push_back({{"start", fmt::format("{:#x}", v.start.value)},
                       {"end", fmt::format("{:#x}", v.end.value)},
                       {"size", v.size()},
                       {"perms", v.perms()},
                       {"offset", v.offset},
                       {"dev", fmt::format("{:02x}:{:02x}", v.dev_major, v.dev_minor)},
                       {"inode", v.inode},
                       {"name", maps_name(v)},
                       {"vmflags", vmflags_mnemonics(v.flags)},
                       {"minor_faults", v.minor_faults},
                       {"major_faults", v.major_faults}});
    }
    return out;
}

namespace {
std::vector<VmaInfo> vmas_of(const ProcessMemory& m) {
    std::vector<VmaInfo> out;
    out.reserve(m.vmas.size());
    for (const auto& r : m.vmas) out.push_back(r.vma);
    return out;
}
void maps_text(std::ostream& os, const ProcessView& v) { write_maps(os, vmas_of(*v.mem), v.format); }
nlohmann::json maps_json_view(const ProcessView& v) { return maps_json(vmas_of(*v.mem), v.format); }
}  // namespace

VMLAB_REGISTER(proc_reports(), "maps", "/proc/PID/maps: one line per VMA", ProcReport{maps_text, maps_json_view});

}  // namespace vmlab::report
