// TLB maintenance: local flushes, shootdowns, lazy flushes of CPUs that ran an mm.
#include "os/tlbflush.hpp"

#include "os/internal.hpp"

namespace vmlab::os {

namespace {
// Linux's tlb_single_page_flush_ceiling: beyond this many pages a range flush becomes a
// flush of the whole address space.
constexpr std::uint64_t kFlushCeiling = 33;
}  // namespace

TlbFlush::TlbFlush(Machine& machine, const Scheduler& sched, KernelStats& stats, const CostConfig& cost,
                   PageSize page)
    : machine_(machine), sched_(sched), stats_(stats), shootdown_cycles_(cost.shootdown_cycles), page_(page) {}

void TlbFlush::flush_local(Mm& mm, VirtAddr va, Thread* t) {
    if (!t) t = sched_.context();
    if (!t || sched_.loaded(t->cpu) != &mm) {
        flush_page(mm, va, t);
        return;
    }
    machine_.mmu(t->cpu).flush_va(va, mm.asid);
    ++stats_.local_flushes;
    for (unsigned c = 0; c < sched_.cpu_count(); ++c)
        if (c != t->cpu && sched_.loaded(c) != &mm && mm.used[c]) mm.stale[c] = 1;
}

void TlbFlush::flush_range(Mm& mm, VirtAddr s, VirtAddr e, Thread* caller) {
    Thread* ctx = sched_.context();
    if (!caller && ctx && ctx->proc->mm.get() == &mm) caller = ctx;
    const std::uint64_t ps = page_.bytes();
    const std::uint64_t n = (e - s) / ps;
    const int local = caller ? static_cast<int>(caller->cpu) : -1;
    for (unsigned c = 0; c < sched_.cpu_count(); ++c) {
        if (sched_.loaded(c) == &mm) {
            Mmu& mmu = machine_.mmu(c);
            if (n > kFlushCeiling) {
                mmu.flush_asid(mm.asid);
            } else {
                for (std::uint64_t i = 0; i < n; ++i) mmu.flush_va(s + i * ps, mm.asid);
            }
            if (static_cast<int>(c) == local || !caller) {
                ++stats_.local_flushes;
            } else {
                ++stats_.shootdowns;
                stats_.shootdown_cycles += shootdown_cycles_;
                charge_ += shootdown_cycles_;
                caller->proc->cycles += shootdown_cycles_;
            }
        } else if (mm.used[c]) {
            mm.stale[c] = 1;
        }
    }
}

void TlbFlush::flush_mm(Mm& mm, Thread* caller) {
    // A whole-mm flush is a range flush above the ceiling.
    flush_range(mm, VirtAddr{0}, VirtAddr{(kFlushCeiling + 1) * page_.bytes()}, caller);
}

}  // namespace vmlab::os
