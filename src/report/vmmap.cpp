// A region table in the style of macOS vmmap: non-writable regions, then writable ones,
// then a summary per region type.
//
//   REGION TYPE        START - END                      [ VSIZE  RSDNT  DIRTY   SWAP] PRT/MAX SHRMOD  REGION DETAIL
//   mapped file        00007ffff7fc0000-00007ffff7fd0000 [   64K    64K     0K     0K] r--/rwx SM=COW  /data/f
//
// PRT/MAX: the current protection and the most the VMA may be given (VM_MAY* flags).
// SHRMOD, as vmmap defines the sharing modes: NUL nothing resident; SHM a shared mapping;
// COW a private mapping with pages shared with another process or with the page cache
// (a private file mapping's pages not yet copied; copied on the first write); PRV a private mapping whose pages are all its own.
#include <map>
#include <ostream>

#include <fmt/format.h>

#include "vmlab/report/proc.hpp"

namespace vmlab::report {

namespace {

std::string prot_string(bool r, bool w, bool x) {
    std::string s = "---";
    if (r) s[0] = 'r';
    if (w) s[1] = 'w';
    if (x) s[2] = 'x';
    return s;
}

// "16K", "1.5M", "2.0G": KiB below 1 MiB, else one decimal.
std::string size_string(std::uint64_t bytes) {
    if (bytes < (1ull << 20)) return fmt::format("{}K", bytes >> 10);
    if (bytes < (1ull << 30)) return fmt::format("{:.1f}M", static_cast<double>(bytes) / (1 << 20));
    return fmt::format("{:.1f}G", static_cast<double>(bytes) / (1ull << 30));
}

std::string region_type(const VmaInfo& v) {
    if (v.name == "[stack]") return "Stack";
    if (v.name == "[heap]") return "Heap";
    if (v.name == "[vdso]") return "vdso";
    switch (v.backing) {
        case VmaBacking::File: return "mapped file";
        case VmaBacking::Shmem: return "shared memory";
        case VmaBacking::Anonymous: break;
    }
    if ((v.flags & vm::kAccessFlags) == 0) return "VM_ALLOCATE (reserved)";
    return "VM_ALLOCATE";
}

}  // namespace

VmmapRegion vmmap_region(const VmaReport& r) {
    const VmaInfo& v = r.vma;
    const MemCounters& c = r.mem;
    VmmapRegion g;
    g.type = region_type(v);
    g.start = v.start;
    g.end = v.end;
    g.virtual_size = v.size();
    g.resident = c.rss;
    g.dirty = c.shared_dirty + c.private_dirty;
    g.swapped = c.swap;
    g.prot = prot_string(v.flags & vm::kRead, v.flags & vm::kWrite, v.flags & vm::kExec);
    g.max_prot = prot_string(v.flags & vm::kMayRead, v.flags & vm::kMayWrite, v.flags & vm::kMayExec);
    g.writable = (v.flags & vm::kWrite) != 0;
    if (c.rss == 0 && c.swap == 0)
        g.share_mode = "NUL";
    else if (v.shared())
        g.share_mode = "SHM";
    else if (c.shared_clean + c.shared_dirty > 0 || (v.backing == VmaBacking::File && c.rss > c.anonymous))
        g.share_mode = "COW";
    else
        g.share_mode = "PRV";
    g.detail = maps_name(v);
    return g;
}

void write_vmmap(std::ostream& os, const ProcessView& view) {
    const ProcessMemory& m = *view.mem;
    const unsigned digits = view.format.pointer_bytes * 2;
    std::string out;
    auto header = [&] {
        fmt::format_to(std::back_inserter(out), "{:<22} {:<{}} [ VSIZE  RSDNT  DIRTY   SWAP] PRT/MAX SHRMOD  REGION DETAIL\n",
                       "REGION TYPE", "START - END", 2 * digits + 1);
    };
    for (int pass = 0; pass < 2; ++pass) {
        const bool writable = pass == 1;
        fmt::format_to(std::back_inserter(out), "==== {} regions for process {} ({})\n",
                       writable ? "Writable" : "Non-writable", m.pid, m.name);
        header();
        for (const auto& r : m.vmas) {
            const VmmapRegion g = vmmap_region(r);
            if (g.writable != writable) continue;
            fmt::format_to(std::back_inserter(out), "{:<22} {:0{}x}-{:0{}x} [{:>6} {:>6} {:>6} {:>6}] {}/{} SM={}{}{}\n",
                           g.type, g.start.value, digits, g.end.value, digits, size_string(g.virtual_size),
                           size_string(g.resident), size_string(g.dirty), size_string(g.swapped), g.prot,
                           g.max_prot, g.share_mode, g.detail.empty() ? "" : "  ", g.detail);
        }
        out += '\n';
    }
    struct Total {
        std::uint64_t vsize = 0, resident = 0, dirty = 0, swapped = 0, count = 0;
    };
    std::map<std::string, Total> totals;
    Total all;
    for (const auto& r : m.vmas) {
        const VmmapRegion g = vmmap_region(r);
        for (Total* t : {&totals[g.type], &all}) {
            t->vsize += g.virtual_size;
            t->resident += g.resident;
            t->dirty += g.dirty;
            t->swapped += g.swapped;
            t->count += 1;
        }
    }
    fmt::format_to(std::back_inserter(out), "==== Summary for process {} ({})\n", m.pid, m.name);
    fmt::format_to(std::back_inserter(out), "{:<22} {:>8} {:>8} {:>8} {:>8} {:>7}\n", "REGION TYPE", "VSIZE",
                   "RSDNT", "DIRTY", "SWAP", "COUNT");
    auto row = [&](const std::string& name, const Total& t) {
        fmt::format_to(std::back_inserter(out), "{:<22} {:>8} {:>8} {:>8} {:>8} {:>7}\n", name, size_string(t.vsize),
                       size_string(t.resident), size_string(t.dirty), size_string(t.swapped), t.count);
    };
    for (const auto& [name, t] : totals) row(name, t);
    row("TOTAL", all);
    os << out;
}

nlohmann::json vmmap_json(const ProcessView& view) {
    auto regions = nlohmann::json::array();
    for (const auto& r : view.mem->vmas) {
        const VmmapRegion g = vmmap_region(r);
        regions.push_back({{"type", g.type},
                           {"start", fmt::format("{:#x}", g.start.value)},
                           {"end", fmt::format("{:#x}", g.end.value)},
                           {"virtual_size", g.virtual_size},
                           {"resident", g.resident},
                           {"dirty", g.dirty},
                           {"swapped", g.swapped},
                           {"prot", g.prot},
                           {"max_prot", g.max_prot},
                           {"share_mode", g.share_mode},
                           {"detail", g.detail}});
    }
    return {{"pid", view.mem->pid}, {"name", view.mem->name}, {"regions", regions}};
}

VMLAB_REGISTER(proc_reports(), "vmmap", "macOS-vmmap-style region table with sharing modes",
               ProcReport{write_vmmap, vmmap_json});

}  // namespace vmlab::report
