// TLB maintenance for the kernel: which CPUs flush what when a mapping changes, and what
// a cross-CPU flush (a shootdown IPI) costs. A CPU that runs the address space flushes
// now (the caller's own CPU locally, others by IPI); a CPU that ran it earlier is marked
// stale and flushes the whole ASID at its next switch-in (Scheduler::load_mm).
#pragma once

#include <cstdint>

#include "vmlab/core/types.hpp"
#include "vmlab/hw/machine.hpp"
#include "vmlab/os/stats.hpp"

namespace vmlab::os {

struct Mm;
struct Thread;
class Scheduler;

class TlbFlush {
public:
    TlbFlush(Machine& machine, const Scheduler& sched, KernelStats& stats, const CostConfig& cost, PageSize page);

    // Flushes [s, e) of mm on every CPU that may cache it. A null caller means the running
    // context (Scheduler::context) if it belongs to mm, else nobody: every flush is local.
    void flush_range(Mm& mm, VirtAddr s, VirtAddr e, Thread* caller);
    void flush_page(Mm& mm, VirtAddr va, Thread* caller) { flush_range(mm, va, va + page_.bytes(), caller); }
    void flush_mm(Mm& mm, Thread* caller);
    // A permission upgrade (write-notify, COW reuse, A/D bits, a stale entry): only the
    // faulting CPU flushes; another CPU holding the old entry takes a spurious fault and
    // flushes then (flush_tlb_fix_spurious_fault).
    void flush_local(Mm& mm, VirtAddr va, Thread* t);

    // Shootdown cycles charged since reset_charge (the current access pays them).
    std::uint64_t charge() const { return charge_; }
    void reset_charge() { charge_ = 0; }

private:
    Machine& machine_;
    const Scheduler& sched_;
    KernelStats& stats_;
    std::uint64_t shootdown_cycles_;
    PageSize page_;
    std::uint64_t charge_ = 0;
};

}  // namespace vmlab::os
