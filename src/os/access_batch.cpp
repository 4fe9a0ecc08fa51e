// The batch door: a sequence of user accesses with the effects of access() called on each
// in turn, at the speed of the MMU's inline first-level TLB hit.
//
// A run is a stretch of the batch with equal tids. Its thread, process and CPU are
// resolved, and the thread switched in, once. Each access of the run that lies within one
// base page is offered to Mmu::translate_hit; a hit has exactly the effects access() would
// have (the MMU's own, one access and its translation cycles for the process and the
// kernel), which are summed in locals and added once the hits stop. Anything else — a
// first-level miss, a fault, an access crossing a page boundary — then goes through
// KernelImpl::access_thread, as access() would call it.
#include "os/internal.hpp"

namespace vmlab {

namespace {

// The thread that access(tid, ...) runs: the thread itself, or for the pid of a process
// whose main thread has exited, its first remaining thread; null when there is none.
os::Thread* resolve(os::KernelImpl& k, Tid tid) {
    os::Thread* t = k.procs_.thread(tid);
    if (!t) {
        os::Process* p = k.procs_.process(tid);
        if (p && !p->threads.empty()) t = k.procs_.thread(p->threads.front());
    }
    return t;
}

}  // namespace

BatchOutcome Kernel::access_batch(std::span<const MemAccess> batch) {
    os::KernelImpl& k = *impl_;
    BatchOutcome res;
    const MemAccess* const a = batch.data();
    const std::size_t n = batch.size();
    const std::uint64_t ps = k.ps_, in_page = ps - 1;
    std::size_t i = 0;
    while (i < n) {
        const Tid tid = a[i].tid;
        os::Thread* t = resolve(k, tid);
        if (!t) {
            // access() reports an unknown or dead thread this way and changes nothing.
            res.stopped = true;
            res.index = i;
            res.outcome.ok = false;
            res.outcome.fault_va = a[i].va;
            return res;
        }
        os::Process& p = *t->proc;
        Mmu& mmu = k.machine_.mmu(t->cpu);
        k.sched_.switch_in(t->cpu, *t);
        k.sched_.set_context(t);
        k.tlb_.reset_charge();
        for (;;) {
            // The hits from i on, then what stopped them: the end of the batch or of the
            // run, or an access for the general path.
            const std::size_t first = i;
            std::uint64_t cycles = 0;
            Translation tr;
            while (i < n && a[i].tid == tid && (a[i].va.value & in_page) + a[i].size <= ps &&
                   mmu.translate_hit(a[i].va, a[i].kind, Privilege::User, tr)) {
                cycles += tr.cycles;
                ++i;
            }
            const std::uint64_t hits = i - first;
            p.cycles += cycles;
            p.accesses += hits;
            k.stats_.accesses += hits;
            k.stats_.translation_cycles += cycles;
            res.completed += hits;
            res.cycles += cycles;
            if (i == n || a[i].tid != tid) break;
            const MemAccess& m = a[i];
            const AccessOutcome o = k.access_thread(*t, m.va, m.kind, m.size, nullptr);
            res.faults += o.faults;
            res.cycles += o.cycles;
            if (!o.ok) {
                res.stopped = true;
                res.index = i;
                res.outcome = o;
                return res;
            }
            ++res.completed;
            ++i;
            // access() switches the thread in before each access; a fault handler that
            // switched the CPU away would be undone here, before the run's next hit.
            if (i < n && a[i].tid == tid) k.sched_.switch_in(t->cpu, *t);
        }
    }
    return res;
}

}  // namespace vmlab
