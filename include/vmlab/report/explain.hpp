// Explanations of translations, step by step, for `vmlab explain` and the tour: the VA
// split into per-level indices and the offset, each TLB probe, each walk step (page-walk
// cache hit, or the PA of the entry read, its raw value and decoded flags), and the final
// physical address or the fault and why. Text for people, JSON for programs. These only
// format: sim/explain_session.hpp runs the translations.
#pragma once

#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "vmlab/hw/machine.hpp"
#include "vmlab/hw/mmu.hpp"

namespace vmlab {

struct ExplainStyle {
    // Show the VA bit by bit (default: when the machine has at most 16 VA bits).
    enum class Binary { Auto, Always, Never } binary = Binary::Auto;
    // Brief: no bit rows, and the TLB probes summed up in one line (the tour).
    bool brief = false;
};

// The explanation of one traced translation on `m` (the machine it ran on: its format,
// TLB configuration and memory, whose byte at the PA is shown when it has contents).
std::string explain_text(const TranslationTrace& t, const Machine& m, const ExplainStyle& style = {});

// The same as JSON. Addresses and raw entries are hex strings ("0x354"): JSON numbers
// cannot hold every 64-bit value. Fields: va, access, privilege, va_bits, split[]
// {level, name, hi, lo, index}, offset {hi, lo, value}, tlb[] {structure, level,
// page_size, set, tag, hit, way}, walked, walk[] {level, name, index, pwc_hit, entry_pa,
// raw, kind, flags, next, page_size, ad_written}, result {ok, pa, page_size, vpn, offset,
// cycles, byte} or {ok: false, fault {kind, level, level_name, reason}}.
nlohmann::json explain_json(const TranslationTrace& t, const Machine& m);

// One mapping of the explained address space (the demo's code, data, huge page, ...).
struct ExplainMapping {
    VirtAddr va{};
    PhysAddr pa{};
    PageSize size{};
    Prot prot;
    std::string what;  // "code", "data", ...
};

// What an explain run produced, for the reports below: where the state came from, the
// translations in the order they were made, and CPU 0's MMU counters after them.
struct ExplainRun {
    std::string state_origin;                  // the state file, "" = the demo address space
    PhysAddr root{};                           // the page-table root
    std::vector<ExplainMapping> mappings;      // the demo's mappings (empty for state files)
    std::vector<TranslationTrace> translations;
    MmuStats stats;
};

// The `vmlab explain` text: the machine, the demo's mappings or the state's origin and
// root, each translation explained, then the MMU's counters (mmu_stats_text).
std::string explain_run_text(const ExplainRun& r, const Machine& m, const ExplainStyle& style = {});
// {machine, state ("demo" or the file), root, translations: [explain_json...], stats: mmu_stats_json}.
nlohmann::json explain_run_json(const ExplainRun& r, const Machine& m);

// One lesson of the translation tour: its title, the sentence it teaches, its translation.
struct TourLesson {
    std::string title;
    std::string lesson;
    TranslationTrace trace;
};
// The tour (`vmlab explain --tour`): the machine, the address space, each lesson numbered
// with its sentence wrapped at 92 columns and its brief explanation, then the MMU's counters.
std::string translation_tour_text(const Machine& m, const std::vector<ExplainMapping>& mappings,
                                  const std::vector<TourLesson>& lessons, const MmuStats& stats);

// The address space, one line per mapping ("    VA 0x400000 -> PA 0x5000  4 KiB  r-x  code").
std::string mappings_text(const std::vector<ExplainMapping>& mappings, const Machine& m);
// The MMU's counters after a run: translations, TLB hits, walks, cycles, one line per TLB
// structure that was used.
std::string mmu_stats_text(const MmuStats& s);
// Every MmuStats field (core/stats.hpp field list) and average_cycles.
nlohmann::json mmu_stats_json(const MmuStats& s);

// A short name of a fault kind for JSON and text: "not-present", "protection", ...
const char* fault_kind_name(FaultKind k);

// "U:rw- K:rw-" for a permission mask.
std::string permissions_text(PermMask m);

}  // namespace vmlab
