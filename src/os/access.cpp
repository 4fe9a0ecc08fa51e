// The first door: user memory accesses, translated by the thread's CPU's MMU, with
// faults handled by the kernel and retried.
#include <cstring>

#include "os/internal.hpp"

namespace vmlab::os {

namespace {
// A fault handler that resolves a fault makes the retry succeed; a few retries cover
// A/D-bit faults after a not-present fault. More means the handler made no progress.
constexpr unsigned kMaxRetries = 8;
}  // namespace

AccessOutcome KernelImpl::access_thread(Thread& t, VirtAddr va, AccessKind kind, std::uint64_t size,
                                        std::uint8_t* data) {
    AccessOutcome out;
    Process& p = *t.proc;
    sched_.switch_in(t.cpu, t);
    sched_.set_context(&t);
    Mmu& mmu = machine_.mmu(t.cpu);
    tlb_.reset_charge();
    std::uint64_t done = 0;
    do {
        const VirtAddr cur = va + done;
        const std::uint64_t chunk = size == 0 ? 0 : std::min(size - done, ps_ - cur.offset_in(page_));
        for (unsigned tries = 0;; ++tries) {
            const Translation tr = mmu.translate(cur, kind, Privilege::User);
            out.cycles += tr.cycles;
            stats_.translation_cycles += tr.cycles;
            if (tr.ok()) {
                if (data && chunk) {
                    if (kind == AccessKind::Write)
                        mem_.write(tr.pa, data + done, chunk);
                    else
                        mem_.read(tr.pa, data + done, chunk);
                }
                break;
            }
            out.cycles += cost_.fault_cycles;
            stats_.fault_cycles += cost_.fault_cycles;
            const FaultResult r = handle_mm_fault(p, &t, cur, kind, tr.fault.kind);
            if (r.status != FaultStatus::Done) {
                out.ok = false;
                out.fault_va = cur;
                out.signal = fault_signal(r, cur);
                if (r.status == FaultStatus::Oom) ++stats_.oom_kills;
                p.cycles += out.cycles;
                out.cycles += tlb_.charge();
                ++p.accesses;
                ++stats_.accesses;
                out.killed = deliver(p, out.signal);
                return out;
            }
            ++out.faults;
            VMLAB_ASSERT(tries < kMaxRetries, "page fault handler made no progress");
        }
        done += chunk;
    } while (done < size);
    p.cycles += out.cycles;
    out.cycles += tlb_.charge();
    ++p.accesses;
    ++stats_.accesses;
    return out;
}

AccessOutcome KernelImpl::access(Tid tid, VirtAddr va, AccessKind kind, std::uint64_t size, void* data) {
    Thread* t = procs_.thread(tid);
    if (!t) {
        Process* p = procs_.process(tid);
        if (p && !p->threads.empty()) t = procs_.thread(p->threads.front());
    }
    if (!t) {
        AccessOutcome out;
        out.ok = false;
        out.fault_va = va;
        return out;
    }
    return access_thread(*t, va, kind, size, static_cast<std::uint8_t*>(data));
}

}  // namespace vmlab::os
