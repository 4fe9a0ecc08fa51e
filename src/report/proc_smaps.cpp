// /proc/PID/smaps and smaps_rollup, as fs/proc/task_mmu.c prints them (show_smap,
// __show_smap, show_smap_vma_flags, show_smaps_rollup). Every figure is
// "Field:" left-justified in 16 columns, the value in KiB right-justified in 8, " kB"
// (Private_Hugetlb's longer name leaves 7 columns). PSS figures carry PSS_SHIFT = 12
// fractional bits and are shifted down before the KiB conversion, as Linux does.
#include <ostream>

#include <fmt/format.h>

#include "vmlab/report/proc.hpp"
#include "report/smaps_fields.hpp"

namespace vmlab::report {

using detail::counters;
using detail::field;
using detail::kShift;

namespace {

struct Mnemonic {
    VmFlags bit;
    const char* name;
};
// In bit order (include/linux/mm.h VM_* values), as show_smap_vma_flags walks them.
constexpr Mnemonic kMnemonics[] = {
    {vm::kRead, "rd"},      {vm::kWrite, "wr"},        {vm::kExec, "ex"},       {vm::kShared, "sh"},
    {vm::kMayRead, "mr"},   {vm::kMayWrite, "mw"},     {vm::kMayExec, "me"},    {vm::kMayShare, "ms"},
    {vm::kGrowsDown, "gd"}, {0x00000200, "um"},        {vm::kPfnMap, "pf"},     {0x00001000, "uw"},
    {vm::kLocked, "lo"},    {vm::kIo, "io"},           {vm::kSeqRead, "sr"},    {vm::kRandRead, "rr"},
    {vm::kDontCopy, "dc"},  {vm::kDontExpand, "de"},   {vm::kLockOnFault, "lf"}, {vm::kAccount, "ac"},
    {vm::kNoReserve, "nr"}, {vm::kHugeTlb, "ht"},      {0x00800000, "sf"},      {0x01000000, "ar"},
    {vm::kWipeOnFork, "wf"}, {vm::kDontDump, "dd"},    {vm::kSoftDirty, "sd"},  {vm::kMixedMap, "mm"},
    {vm::kHugePage, "hg"},  {vm::kNoHugePage, "nh"},   {vm::kMergeable, "mg"},
};

}  // namespace

std::vector<std::string> vmflags_mnemonics(VmFlags flags) {
    std::vector<std::string> out;
    for (unsigned bit = 0; bit < 64; ++bit) {
        const VmFlags b = VmFlags{1} << bit;
        if (!(flags & b)) continue;
        const char* name = "??";
        for (const auto& m : kMnemonics)
            if (m.bit == b) name = m.name;
        out.emplace_back(name);
    }
    return out;
}

void write_smaps_vma(std::ostream& os, const VmaReport& v, const ProcFormat& fmt) {
    std::string out = maps_line(v.vma, fmt);
    field(out, "Size:", v.vma.size());
    field(out, "KernelPageSize:", fmt.page_size);
    field(out, "MMUPageSize:", fmt.page_size);
    counters(out, v.mem, false);
    // Transparent huge pages are not modelled: no VMA is eligible.
    fmt::format_to(std::back_inserter(out), "{:<16}{:>8}\n", "THPeligible:", 0);
    out += "VmFlags: ";
    for (const auto& m : vmflags_mnemonics(v.vma.flags)) {
        out += m;
        out += ' ';
    }
    out += '\n';
    os << out;
}

void write_smaps(std::ostream& os, const ProcessMemory& m, const ProcFormat& fmt) {
    for (const auto& v : m.vmas) write_smaps_vma(os, v, fmt);
}

nlohmann::json mem_counters_json(const MemCounters& c) {
    return {{"size", c.size},
            {"rss", c.rss},
            {"pss", c.pss_fp >> kShift},
            {"pss_dirty", c.pss_dirty_fp >> kShift},
            {"pss_anon", c.pss_anon_fp >> kShift},
            {"pss_file", c.pss_file_fp >> kShift},
            {"pss_shmem", c.pss_shmem_fp >> kShift},
            {"shared_clean", c.shared_clean},
            {"shared_dirty", c.shared_dirty},
            {"private_clean", c.private_clean},
            {"private_dirty", c.private_dirty},
            {"referenced", c.referenced},
            {"anonymous", c.anonymous},
            {"lazyfree", c.lazyfree},
            {"swap", c.swap},
            {"swap_pss", c.swap_pss_fp >> kShift},
            {"locked", c.locked_fp >> kShift}};
}

nlohmann::json smaps_json(const ProcessMemory& m, const ProcFormat& fmt) {
    auto out = nlohmann::json::array();
    for (const auto& v : m.vmas) {
        auto j = maps_json({v.vma}, fmt)[0];
        j["kernel_page_size"] = fmt.page_size;
        j["mmu_page_size"] = fmt.page_size;
        j["counters"] = mem_counters_json(v.mem);
        out.push_back(std::move(j));
    }
    return out;
}

namespace {
void smaps_text(std::ostream& os, const ProcessView& v) { write_smaps(os, *v.mem, v.format); }
nlohmann::json smaps_json_view(const ProcessView& v) { return smaps_json(*v.mem, v.format); }
}  // namespace

VMLAB_REGISTER(proc_reports(), "smaps", "/proc/PID/smaps: per-VMA memory figures", ProcReport{smaps_text, smaps_json_view});


}  // namespace vmlab::report
