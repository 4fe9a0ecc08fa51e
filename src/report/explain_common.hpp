// What the text and JSON explanations share: the VA split, level names, fault reasons.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "vmlab/hw/machine.hpp"
#include "vmlab/hw/mmu.hpp"

namespace vmlab::explain_detail {

struct SplitField {
    unsigned level = 0;
    std::string name;
    unsigned hi = 0, lo = 0;  // VA bits [hi:lo]
    std::uint64_t value = 0;
};

// The VA cut into the index of each level down to the leaf and the page offset. The leaf
// is the translated page's level when known, else the last level.
struct Split {
    std::vector<SplitField> indices;
    unsigned offset_bits = 0;
    std::uint64_t offset = 0;
};
Split split_va(const PagingGeometry& g, VirtAddr va, std::optional<PageSize> leaf);

std::string level_name(const PagingGeometry& g, unsigned level);
const TlbConfig* tlb_config(const Machine& m, const std::string& name);

// Why a translation faulted, in a sentence, e.g. "the level-2 entry (PD) is not valid:
// nothing is mapped at this address".
std::string fault_reason(const TranslationTrace& t, const Machine& m);

// Hex digits needed for values below 2^bits (at least 1).
unsigned hex_digits(unsigned bits);
// "0x0f" with `digits` digits.
std::string hex(std::uint64_t v, unsigned digits = 1);
// Bits of the machine's largest physical address.
unsigned pa_bits(const Machine& m);
// Digits to show a VA / a PA of this machine.
unsigned va_digits(const Machine& m, VirtAddr va);
unsigned pa_digits(const Machine& m);
// "4 KiB", "64 B", "2 MiB".
std::string size_text(PageSize ps);
// What an entry leads to: "table at 0x2000", "4 KiB page at 0x5000", "invalid", ...
std::string entry_target(const WalkStepTrace& s, const Machine& m);
const char* entry_kind_name(EntryKind k);

}  // namespace vmlab::explain_detail
