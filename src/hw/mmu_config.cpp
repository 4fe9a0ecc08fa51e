// Validation of the MMU's configuration structs. Messages name the offending field the way
// the TOML files spell it: TlbConfig/PwcConfig/CostConfig relative to themselves ("ways:
// ..."), MmuConfig from the machine ("mmu.tlb[2].ways: ...").
#include <bit>
#include <set>

#include "vmlab/core/strings.hpp"
#include "vmlab/hw/mmu.hpp"
#include "vmlab/hw/tlb.hpp"

namespace vmlab {
namespace {

constexpr unsigned kMaxTlbEntries = 1u << 20;
constexpr unsigned kMaxPwcEntries = 1u << 12;
constexpr std::uint32_t kMaxCycles = 1'000'000;

Unexpected prefixed(const std::string& prefix, const Error& e) { return fail(Error(prefix + e.message, e.where)); }

}  // namespace

const char* to_string(TlbKind k) {
    switch (k) {
        case TlbKind::Data: return "data";
        case TlbKind::Instruction: return "instruction";
        case TlbKind::Unified: return "unified";
    }
    return "?";
}

Status TlbConfig::validate() const {
    if (name.empty()) return fail("name: a TLB structure needs a name");
    if (level == 0 || level > 16) return failf("level: {} is out of range (1 = looked up first, at most 16)", level);
    if (page_sizes.empty()) return fail("page_sizes: must list at least one page size");
    if (page_sizes.size() > 8) return failf("page_sizes: {} sizes listed; a structure holds at most 8", page_sizes.size());
    for (std::size_t i = 0; i < page_sizes.size(); ++i) {
        if (page_sizes[i].shift < 4 || page_sizes[i].shift > 48)
            return failf("page_sizes[{}]: 2^{} bytes is not a page size (16 B .. 256 TiB)", i, page_sizes[i].shift);
        for (std::size_t j = 0; j < i; ++j)
            if (page_sizes[j] == page_sizes[i])
                return failf("page_sizes: {} is listed twice", format_bytes(page_sizes[i].bytes()));
    }
    if (entries == 0) return fail("entries: must be at least 1");
    if (entries > kMaxTlbEntries) return failf("entries: {} is too many (at most {})", entries, kMaxTlbEntries);
    const unsigned w = ways == 0 ? entries : ways;
    if (entries % w != 0)
        return failf("ways: {} entries cannot be divided into {}-way sets (entries must be a multiple of ways)",
                     entries, w);
    const unsigned sets = entries / w;
    if (!std::has_single_bit(sets))
        return failf("entries: {} entries / {} ways = {} sets; the number of sets must be a power of two", entries, w,
                     sets);
    const auto* policy = tlb_replacements().find(replacement);
    if (!policy)
        return fail("replacement: " +
                    unknown_name_message("TLB replacement policy", replacement, tlb_replacements().names()));
    auto params = resolve_params(policy->params, replacement_params,
                                 fmt::format("TLB replacement policy '{}'", replacement));
    if (!params) return prefixed("replacement_params.", params.error());
    if (auto st = policy->make(*params)->check(sets, w); !st) return prefixed("replacement: ", st.error());
    if (hit_cycles > kMaxCycles) return failf("hit_cycles: {} is out of range (at most {})", hit_cycles, kMaxCycles);
    return ok();
}

Status PwcConfig::validate() const {
    for (std::size_t i = 0; i < entries.size(); ++i)
        if (entries[i] > kMaxPwcEntries)
            return failf("entries[{}]: {} entries is too many (at most {})", i, entries[i], kMaxPwcEntries);
    if (hit_cycles > kMaxCycles) return failf("hit_cycles: {} is out of range (at most {})", hit_cycles, kMaxCycles);
    return ok();
}

Status CostConfig::validate() const {
    const std::pair<const char*, std::uint32_t> fields[] = {{"memory_ref_cycles", memory_ref_cycles},
                                                            {"ad_update_cycles", ad_update_cycles},
                                                            {"fault_cycles", fault_cycles},
                                                            {"shootdown_cycles", shootdown_cycles}};
    for (const auto& [name, v] : fields)
        if (v > kMaxCycles) return failf("{}: {} is out of range (at most {})", name, v, kMaxCycles);
    return ok();
}

Status MmuConfig::validate() const {
    for (std::size_t i = 0; i < tlbs.size(); ++i) {
        if (auto st = tlbs[i].validate(); !st) return prefixed(fmt::format("mmu.tlb[{}].", i), st.error());
        for (std::size_t j = 0; j < i; ++j)
            if (tlbs[j].name == tlbs[i].name)
                return failf("mmu.tlb[{}].name: '{}' is already the name of mmu.tlb[{}]", i, tlbs[i].name, j);
    }
    // On one level, an access kind finds each page size in at most one structure, so that
    // lookups and fills are unambiguous.
    for (std::size_t i = 0; i < tlbs.size(); ++i) {
        for (std::size_t j = 0; j < i; ++j) {
            const auto& a = tlbs[j];
            const auto& b = tlbs[i];
            if (a.level != b.level) continue;
            const bool share = a.kind == b.kind || a.kind == TlbKind::Unified || b.kind == TlbKind::Unified;
            if (!share) continue;
            for (auto ps : b.page_sizes)
                for (auto qs : a.page_sizes)
                    if (ps == qs)
                        return failf(
                            "mmu.tlb[{}].page_sizes: level {} already holds {} pages for {} accesses in mmu.tlb[{}] "
                            "('{}'); give each page size one structure per level and access kind",
                            i, b.level, format_bytes(ps.bytes()),
                            to_string(b.kind == TlbKind::Unified ? a.kind : b.kind), j, a.name);
        }
    }
    if (auto st = pwc.validate(); !st) return prefixed("mmu.pwc.", st.error());
    if (auto st = cost.validate(); !st) return prefixed("mmu.cost.", st.error());
    return ok();
}

}  // namespace vmlab
