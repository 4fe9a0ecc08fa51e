// A machine: the paging format, physical memory and one MMU per CPU; validation of the
// machine-level configuration, including the checks that need the format (page sizes
// the TLBs hold, page-walk-cache levels, frame size, physical address width).
#include "vmlab/hw/machine.hpp"

#include <algorithm>

#include "vmlab/core/rng.hpp"
#include "vmlab/core/strings.hpp"

namespace vmlab {
namespace {

constexpr unsigned kMaxCpus = 1024;

std::string size_list(const std::vector<PageSize>& sizes) {
    std::string s;
    for (std::size_t i = 0; i < sizes.size(); ++i) s += (i ? ", " : "") + format_bytes(sizes[i].bytes());
    return s;
}

Result<std::unique_ptr<PagingFormat>> make_format(const PagingConfig& p) {
    PagingOptions opt;
    opt.va_bits = p.va_bits;
    opt.ad_mode = p.ad_mode;
    return make_paging_format(p.format, opt);
}

// Checks of the MMU and memory against the format.
Status check_against_format(const MachineConfig& m, const PagingFormat& fmt) {
    const auto& geo = fmt.geometry();
    const auto sizes = geo.page_sizes();
    for (std::size_t i = 0; i < m.mmu.tlbs.size(); ++i) {
        const auto& t = m.mmu.tlbs[i];
        for (std::size_t j = 0; j < t.page_sizes.size(); ++j)
            if (std::find(sizes.begin(), sizes.end(), t.page_sizes[j]) == sizes.end())
                return failf("mmu.tlb[{}].page_sizes[{}]: paging format '{}' has no {} pages (it has {})", i, j,
                             fmt.name(), format_bytes(t.page_sizes[j].bytes()), size_list(sizes));
    }
    const std::size_t cacheable = geo.depth() > 0 ? geo.depth() - 1 : 0;
    for (std::size_t i = cacheable; i < m.mmu.pwc.entries.size(); ++i)
        if (m.mmu.pwc.entries[i] != 0)
            return failf(
                "mmu.pwc.entries[{}]: paging format '{}' has {} levels; page-walk caches exist for levels 0..{} "
                "only (the last level's entries are cached by the TLBs)",
                i, fmt.name(), geo.depth(), cacheable ? cacheable - 1 : 0);
    if (!sizes.empty() && m.memory.frame != sizes.front())
        return failf("memory.frame: {} frames do not match the base page size of paging format '{}' ({})",
                     format_bytes(m.memory.frame.bytes()), fmt.name(), format_bytes(sizes.front().bytes()));
    if (geo.pa_bits < 64 && m.memory.bytes > (std::uint64_t{1} << geo.pa_bits))
        return failf("memory.bytes: {} exceeds what paging format '{}' can address ({}-bit physical addresses)",
                     format_bytes(m.memory.bytes), fmt.name(), geo.pa_bits);
    return ok();
}

}  // namespace

Status PagingConfig::validate() const {
    if (!paging_formats().find(format))
        return fail("paging.format: " + unknown_name_message("paging format", format, paging_formats().names()));
    auto f = make_format(*this);
    if (!f) return fail(Error("paging: " + f.error().message, f.error().where));
    return ok();
}

Status MachineConfig::validate() const {
    VMLAB_TRY(paging.validate());
    if (auto st = memory.validate(); !st) {
        const std::string& m = st.error().message;
        return fail(Error(m.rfind("memory", 0) == 0 ? m : "memory." + m, st.error().where));
    }
    if (const auto* alloc = frame_allocators().find(memory.allocator)) {
        auto p = resolve_params(alloc->params, memory.allocator_params,
                                fmt::format("frame allocator '{}'", memory.allocator));
        if (!p) return fail(Error("memory.allocator_params." + p.error().message, p.error().where));
    }
    if (cpus == 0 || cpus > kMaxCpus) return failf("cpus: {} is out of range (1..{})", cpus, kMaxCpus);
    VMLAB_TRY(mmu.validate());
    auto fmt = make_format(paging);
    if (!fmt) return fail(fmt.error());
    return check_against_format(*this, **fmt);
}

Result<std::unique_ptr<Machine>> Machine::create(const MachineConfig& cfg) {
    VMLAB_TRY(cfg.validate());
    auto fmt = make_format(cfg.paging);
    if (!fmt) return fail(fmt.error());
    std::unique_ptr<Machine> m(new Machine());
    m->cfg_ = cfg;
    m->fmt_ = std::move(*fmt);
    m->mem_ = std::make_unique<PhysMem>(cfg.memory);
    // Each CPU's MMU gets its own stream, derived from the machine's seed and its index.
    const Rng base(cfg.mmu.seed);
    m->mmus_.reserve(cfg.cpus);
    for (unsigned cpu = 0; cpu < cfg.cpus; ++cpu) {
        MmuConfig mc = cfg.mmu;
        mc.seed = base.fork(cpu).next();
        m->mmus_.emplace_back(mc, *m->fmt_, *m->mem_);
    }
    return m;
}

}  // namespace vmlab
