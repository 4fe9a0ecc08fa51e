// Explanations of translations, step by step, for `vmlab explain` and the tour: the VA
// split into per-level indices and the offset, each TLB probe, each walk step (page-walk
// cache hit, or the PA of the entry read, its raw value and decoded flags), and the final
// physical address or the fault and why. Text for people, JSON for programs.
#pragma once

#include <string>

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

// A short name of a fault kind for JSON and text: "not-present", "protection", ...
const char* fault_kind_name(FaultKind k);

// "U:rw- K:rw-" for a permission mask.
std::string permissions_text(PermMask m);

}  // namespace vmlab
