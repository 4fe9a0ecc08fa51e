// exec: applying an ExecPlan (os/exec_plan.hpp) to a process, as execve and then ld.so
// would: a new address space, the plan's mappings in order, the initial stack image.
#include <algorithm>

#include "os/internal.hpp"
#include "vmlab/os/exec_plan.hpp"

namespace vmlab {
using namespace os;

namespace {
// Writes bytes into the process's memory as the kernel does (copy_strings): pages are
// faulted in for writing, but the faults are not the process's own.
bool kernel_write(KernelImpl& k, Process& p, Thread* t, VirtAddr va, const std::uint8_t* src, std::uint64_t n) {
    k.uncounted_ = true;
    bool ok = true;
    std::uint64_t done = 0;
    while (done < n && ok) {
        const VirtAddr cur = va + done;
        const std::uint64_t chunk = std::min(n - done, k.ps_ - cur.offset_in(k.page_));
        PteView pte = p.mm->pt->query(cur.align_down(k.page_));
        if (!pte.present || !pte.attrs.prot.write) {
            const FaultResult r = k.handle_mm_fault(p, t, cur, AccessKind::Write,
                                                    pte.present ? FaultKind::Protection : FaultKind::NotPresent);
            if (r.status != FaultStatus::Done) ok = false;
            pte = p.mm->pt->query(cur.align_down(k.page_));
        }
        if (ok && pte.present) k.mem_.write(pte.base + cur.offset_in(k.page_), src + done, chunk);
        done += chunk;
    }
    k.uncounted_ = false;
    return ok;
}
}  // namespace

SysStatus Kernel::exec(Tid caller, const ExecPlan& plan) {
    auto& k = *impl_;
    Thread* t = k.enter(caller);
    if (!t) return Errno::Srch;
    Process& p = *t->proc;
    if (plan.page_size != k.ps_) return Errno::Inval;
    if (plan.stack.top.value > k.task_size_ || plan.mmap_base.value > k.task_size_) return Errno::NoMem;
    for (const auto& op : plan.ops)
        if (op.addr.value > k.task_size_ || op.len > k.task_size_ - op.addr.value) return Errno::NoMem;

    // de_thread: the other threads go; exec_mmap: a fresh mm replaces the old one.
    for (Tid other : std::vector<Tid>(p.threads))
        if (other != t->tid) (void)exit_thread(other, 0);
    auto mm = k.new_mm(&p);
    if (!mm) return Errno::NoMem;
    mm->lim = p.mm->lim;
    k.destroy_mm(std::move(p.mm), t);
    p.mm = std::move(mm);
    Mm& m = *p.mm;
    k.sched_.load_mm(t->cpu, &m);
    k.sched_.set_current(t->cpu, t->tid);
    p.disp.fill(SigDisposition::Default);  // flush_signal_handlers
    m.mmap_base = plan.mmap_base;
    m.stack_top = plan.stack.top;

    // From here on a failure is fatal to the process, as after execve's point of no return.
    auto fatal = [&](Errno e) -> SysStatus {
        k.do_exit(p, 0, sys::kSigSegv, nullptr);
        return e;
    };
    for (const ExecOp& op : plan.ops) {
        switch (op.kind) {
            case ExecOpKind::Stack: {
                Vma v;
                v.start = op.addr;
                v.end = op.addr + op.len;
                v.flags = vm::kRead | vm::kWrite | vm::kMayRead | vm::kMayWrite | vm::kMayExec | vm::kGrowsDown |
                          vm::kAccount | (plan.exec_stack ? vm::kExec : 0);
                v.pgoff = v.start.value >> k.page_.shift;
                if (m.vmas.intersects(v.start, v.end) || !k.vm_enough_memory(k.pages(op.len)))
                    return fatal(Errno::NoMem);
                k.vm_stat_account(m, v.flags, static_cast<std::int64_t>(k.pages(op.len)));
                m.vmas.insert(std::move(v));
                break;
            }
            case ExecOpKind::MapFile: {
                auto fd = open(t->tid, op.path, sys::kORdOnly);
                if (!fd) return fatal(fd.error);
                auto r = mmap(t->tid, op.addr, op.len, op.prot, (op.flags & ~sys::kMapFixedNoReplace) | sys::kMapFixed,
                              *fd, op.offset);
                (void)close(t->tid, *fd);
                if (!r) return fatal(r.error);
                break;
            }
            case ExecOpKind::MapAnon: {
                auto r = mmap(t->tid, op.addr, op.len, op.prot,
                              (op.flags & ~sys::kMapFixedNoReplace) | sys::kMapFixed | sys::kMapAnonymous);
                if (!r) return fatal(r.error);
                break;
            }
            case ExecOpKind::MapSpecial: {
                // The vDSO pages: kernel-provided, contents not modelled (they read as zeros).
                Vma v;
                v.start = op.addr;
                v.end = op.addr + op.len;
                const bool code = op.prot & sys::kProtExec;
                v.flags = code ? (vm::kRead | vm::kExec | vm::kMayRead | vm::kMayWrite | vm::kMayExec | vm::kDontExpand)
                               : (vm::kRead | vm::kMayRead | vm::kIo | vm::kPfnMap | vm::kDontExpand | vm::kDontDump);
                v.pgoff = v.start.value >> k.page_.shift;
                v.special_name = op.path;
                if (m.vmas.intersects(v.start, v.end)) return fatal(Errno::NoMem);
                k.vm_stat_account(m, v.flags, static_cast<std::int64_t>(k.pages(op.len)));
                m.vmas.insert(std::move(v));
                break;
            }
            case ExecOpKind::Protect: {
                auto r = mprotect(t->tid, op.addr, op.len, op.prot);
                if (!r) return fatal(r.error);
                break;
            }
            case ExecOpKind::Unmap: {
                auto r = munmap(t->tid, op.addr, op.len);
                if (!r) return fatal(r.error);
                break;
            }
            case ExecOpKind::Zero: {
                std::vector<std::uint8_t> zeros(op.len, 0);
                auto r = write(t->tid, op.addr, zeros);
                if (!r.ok) return fatal(Errno::Fault);
                break;
            }
        }
    }
    const StackImage& s = plan.stack;
    if (!s.bytes.empty() && !kernel_write(k, p, t, s.sp, s.bytes.data(), s.bytes.size())) return fatal(Errno::Fault);
    m.start_stack = s.sp;
    m.arg_start = s.arg_start;
    m.arg_end = s.arg_end;
    m.env_start = s.env_start;
    m.env_end = s.env_end;
    m.start_brk = m.brk = plan.start_brk;
    m.start_code = plan.start_code;
    m.end_code = plan.end_code;
    m.start_data = plan.start_data;
    m.end_data = plan.end_data;
    // comm: the file name's last component, at most 15 characters (TASK_COMM_LEN - 1).
    std::string name = plan.filename.substr(plan.filename.find_last_of('/') + 1);
    p.name = name.substr(0, 15);
    return {};
}

}  // namespace vmlab
