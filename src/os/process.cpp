// Processes and threads: spawn, clone, exit, wait, kill; the initial address-space layout.
#include <algorithm>

#include "os/internal.hpp"

namespace vmlab {
using namespace os;

ProcessTable::ProcessTable(Pid first_pid) : first_pid_(first_pid), next_pid_(first_pid) {}
ProcessTable::~ProcessTable() = default;

Thread* ProcessTable::thread(Tid tid) const {
    const std::int64_t i = static_cast<std::int64_t>(tid) - first_pid_;
    if (i < 0 || i >= static_cast<std::int64_t>(threads_.size())) return nullptr;
    return threads_[static_cast<std::size_t>(i)].get();
}

Process* ProcessTable::process(Pid pid) const {
    auto it = procs_.find(pid);
    return it == procs_.end() ? nullptr : it->second.get();
}

Process& ProcessTable::add_process(Pid pid) {
    VMLAB_ASSERT(pid >= first_pid_ && pid < next_pid_ && !procs_.contains(pid), "pid not allocated or in use");
    auto p = std::make_unique<Process>();
    p->pid = pid;
    Process& ref = *p;
    procs_[pid] = std::move(p);
    return ref;
}

Thread& ProcessTable::add_thread(Process& p, Tid tid) {
    VMLAB_ASSERT(tid >= first_pid_ && tid < next_pid_, "tid not allocated");
    const auto i = static_cast<std::size_t>(tid - first_pid_);
    if (threads_.size() <= i) threads_.resize(i + 1);
    VMLAB_ASSERT(!threads_[i], "tid in use");
    threads_[i] = std::make_unique<Thread>();
    Thread& t = *threads_[i];
    t.tid = tid;
    t.proc = &p;
    p.threads.push_back(tid);
    return t;
}

void ProcessTable::remove_thread(Tid tid) {
    const std::int64_t i = static_cast<std::int64_t>(tid) - first_pid_;
    VMLAB_ASSERT(i >= 0 && i < static_cast<std::int64_t>(threads_.size()), "no such thread");
    threads_[static_cast<std::size_t>(i)].reset();
}

void ProcessTable::remove_process(Pid pid) { procs_.erase(pid); }

void ProcessTable::clear() { procs_.clear(); }

std::vector<Pid> ProcessTable::pids() const {
    std::vector<Pid> out;
    for (const auto& [pid, p] : procs_) out.push_back(pid);
    return out;
}

Thread* KernelImpl::enter(Tid tid) {
    Thread* t = procs_.thread(tid);
    if (!t) {
        // A pid whose main thread exited still names its process.
        Process* p = procs_.process(tid);
        if (!p || p->threads.empty()) return nullptr;
        t = procs_.thread(p->threads.front());
    }
    sched_.switch_in(t->cpu, *t);
    sched_.set_context(t);
    return t;
}

Process& KernelImpl::new_process(const std::string& name, Pid ppid) {
    const Pid pid = procs_.alloc_pid();
    Process& ref = procs_.add_process(pid);
    ref.ppid = ppid;
    ref.name = name;
    ref.disp.fill(SigDisposition::Default);
    if (Process* parent = procs_.process(ppid)) parent->children.push_back(pid);
    ++stats_.processes_created;
    return ref;
}

Thread& KernelImpl::new_thread(Process& p, Tid tid) {
    Thread& t = procs_.add_thread(p, tid);
    sched_.place(t);
    return t;
}

void KernelImpl::setup_layout(Mm& mm, bool randomize) {
    // Stack top (STACK_TOP, randomized by randomize_stack_top on x86-64: STACK_RND_MASK pages).
    const std::uint64_t stack_rnd_max = randomize ? ((std::uint64_t{1} << cfg_.stack_rnd_bits) - 1) << page_.shift : 0;
    std::uint64_t stack_top = task_size_;
    if (randomize && cfg_.stack_rnd_bits) stack_top -= rng_.below(std::uint64_t{1} << cfg_.stack_rnd_bits) << page_.shift;
    mm.stack_top = VirtAddr{stack_top};
    // mmap_base (arch/x86/mm/mmap.c and mm/util.c): below the stack rlimit, the guard gap
    // and the stack's random range, at least MIN_GAP and at most 5/6 of the space.
    std::uint64_t gap = mm.lim.stack;
    const std::uint64_t pad = cfg_.stack_guard_gap_pages * ps_ + stack_rnd_max;
    if (gap + pad > gap) gap += pad;
    const std::uint64_t gap_min = x86_ ? cfg_.mmap_min_gap : cfg_.mmap_min_gap + stack_rnd_max;
    const std::uint64_t gap_max = task_size_ / 6 * 5;
    gap = std::clamp(gap, std::min(gap_min, gap_max), gap_max);
    std::uint64_t rnd = 0;
    if (randomize && cfg_.mmap_rnd_bits) rnd = rng_.below(std::uint64_t{1} << cfg_.mmap_rnd_bits) << page_.shift;
    std::uint64_t base = task_size_ > gap + rnd ? task_size_ - gap - rnd : task_size_ / 6;
    mm.mmap_base = VirtAddr{page_align(base)};
}

SysResult<Pid> KernelImpl::spawn(const SpawnOptions& opt) {
    if (opt.parent != 0 && !procs_.process(opt.parent)) return Errno::Srch;
    auto mm = new_mm(nullptr);
    if (!mm) return Errno::NoMem;
    Process& p = new_process(opt.name, opt.parent);
    mm->owner = &p;
    p.mm = std::move(mm);
    Mm& m = *p.mm;
    setup_layout(m, cfg_.randomize_va_space >= 1);
    if (opt.stack) {
        // As fs/exec.c leaves it: one page of arguments plus stack_expand below the top.
        const std::uint64_t size = page_align(cfg_.stack_expand_bytes) + ps_;
        if (m.stack_top.value < size + cfg_.mmap_min_addr) {
            do_exit(p, 0, 0, nullptr);
            reap(p);
            return Errno::NoMem;
        }
        Vma v;
        v.start = m.stack_top - size;
        v.end = m.stack_top;
        v.flags = vm::kRead | vm::kWrite | vm::kMayRead | vm::kMayWrite | vm::kMayExec | vm::kGrowsDown | vm::kAccount;
        v.pgoff = v.start.value >> page_.shift;
        stats_.committed_pages += pages(size);
        vm_stat_account(m, v.flags, static_cast<std::int64_t>(pages(size)));
        m.vmas.insert(std::move(v));
        m.start_stack = m.stack_top - ps_;
    }
    // A PIE program's break follows its image at ELF_ET_DYN_BASE (2/3 of the space).
    std::uint64_t brk = opt.brk_start;
    if (brk == 0) brk = page_align(task_size_ / 3 * 2) + (1u << 20);
    brk = page_align(brk);
    if (cfg_.randomize_va_space >= 2 && cfg_.brk_rnd_bytes >= ps_)
        brk += rng_.below(cfg_.brk_rnd_bytes >> page_.shift) << page_.shift;
    m.start_brk = m.brk = VirtAddr{brk};
    m.start_code = m.end_code = m.start_data = m.end_data = VirtAddr{brk};
    new_thread(p, p.pid);
    return p.pid;
}

SysResult<Tid> KernelImpl::clone_thread(Tid caller) {
    Thread* t = enter(caller);
    if (!t) return Errno::Srch;
    const Tid tid = procs_.alloc_pid();
    new_thread(*t->proc, tid);
    return tid;
}

void KernelImpl::exit_mm(Process& p, Thread* caller) {
    if (p.mm) destroy_mm(std::move(p.mm), caller);
}

void KernelImpl::do_exit(Process& p, int code, int signo, Thread* caller) {
    if (p.state == ProcState::Zombie) return;
    for (Tid tid : p.threads) {
        Thread* t = procs_.thread(tid);
        if (!t) continue;
        sched_.unplace(*t);
        procs_.remove_thread(tid);
    }
    p.threads.clear();
    exit_mm(p, nullptr);
    p.fds.clear();
    p.state = ProcState::Zombie;
    p.exit_code = code;
    p.term_signal = signo;
    ++stats_.processes_exited;
    // Orphans are adopted by the run itself (ppid 0): their zombies stay for inspection.
    for (Pid c : p.children)
        if (Process* child = procs_.process(c)) child->ppid = 0;
    p.children.clear();
    (void)caller;
}

void KernelImpl::reap(Process& p) {
    if (Process* parent = procs_.process(p.ppid)) std::erase(parent->children, p.pid);
    procs_.remove_process(p.pid);
}

SysStatus KernelImpl::exit_thread(Tid tid, int status) {
    Thread* t = procs_.thread(tid);
    if (!t) return Errno::Srch;
    Process& p = *t->proc;
    if (p.threads.size() == 1) {
        do_exit(p, status, 0, t);
        return {};
    }
    sched_.unplace(*t);
    std::erase(p.threads, tid);
    procs_.remove_thread(tid);
    return {};
}

SysStatus KernelImpl::exit_group(Tid caller, int status) {
    Thread* t = enter(caller);
    if (!t) return Errno::Srch;
    do_exit(*t->proc, status, 0, t);
    return {};
}

SysResult<WaitResult> KernelImpl::wait(Tid caller, Pid child) {
    Thread* t = enter(caller);
    if (!t) return Errno::Srch;
    Process& p = *t->proc;
    if (p.children.empty()) return Errno::Child;
    if (child > 0 && std::find(p.children.begin(), p.children.end(), child) == p.children.end()) return Errno::Child;
    if (child < -1 || child == 0) return Errno::Inval;  // process groups are not modelled
    for (Pid c : std::vector<Pid>(p.children)) {
        if (child > 0 && c != child) continue;
        Process* cp = procs_.process(c);
        if (!cp || cp->state != ProcState::Zombie) continue;
        WaitResult r{cp->pid, cp->exit_code, cp->term_signal};
        reap(*cp);
        return r;
    }
    return WaitResult{};
}

SysStatus KernelImpl::kill(Pid pid, int signo) {
    if (signo < 0 || signo > 64) return Errno::Inval;
    Process* p = procs_.process(pid);
    if (!p) return Errno::Srch;
    if (signo == 0 || p->state == ProcState::Zombie) return {};
    if (signo != sys::kSigKill && p->disp[static_cast<std::size_t>(signo)] == SigDisposition::Catch) return {};
    do_exit(*p, 0, signo, nullptr);
    return {};
}

SysStatus KernelImpl::set_signal_disposition(Pid pid, int signo, SigDisposition d) {
    Process* p = procs_.process(pid);
    if (!p || p->state == ProcState::Zombie) return Errno::Srch;
    if (signo <= 0 || signo > 64 || signo == sys::kSigKill) return Errno::Inval;
    p->disp[static_cast<std::size_t>(signo)] = d;
    return {};
}

SysStatus KernelImpl::set_name(Pid pid, std::string name) {
    Process* p = procs_.process(pid);
    if (!p) return Errno::Srch;
    p->name = std::move(name);
    return {};
}

namespace {
std::uint64_t* limit_field(Mm& mm, Rlimit which) {
    switch (which) {
        case Rlimit::Stack: return &mm.lim.stack;
        case Rlimit::Data: return &mm.lim.data;
        case Rlimit::As: return &mm.lim.as;
        case Rlimit::Memlock: return &mm.lim.memlock;
        case Rlimit::Nofile: return &mm.lim.nofile;
    }
    return nullptr;
}
}  // namespace

SysStatus KernelImpl::setrlimit(Tid caller, Rlimit which, std::uint64_t value) {
    Thread* t = enter(caller);
    if (!t) return Errno::Srch;
    std::uint64_t* f = limit_field(*t->proc->mm, which);
    if (!f) return Errno::Inval;
    if (which == Rlimit::Nofile && (value < 3 || value > (1u << 20))) return Errno::Inval;  // nr_open
    *f = value;
    return {};
}

SysResult<std::uint64_t> KernelImpl::getrlimit(Tid caller, Rlimit which) {
    Thread* t = enter(caller);
    if (!t) return Errno::Srch;
    std::uint64_t* f = limit_field(*t->proc->mm, which);
    if (!f) return Errno::Inval;
    return *f;
}

bool KernelImpl::deliver(Process& p, const SigInfo& s) {
    if (s.signo == sys::kSigSegv) ++p.faults.sigsegv, ++stats_.faults.sigsegv;
    if (s.signo == sys::kSigBus) ++p.faults.sigbus, ++stats_.faults.sigbus;
    if (s.signo != sys::kSigKill && p.disp[static_cast<std::size_t>(s.signo)] == SigDisposition::Catch) return false;
    do_exit(p, 0, s.signo, nullptr);
    return true;
}

}  // namespace vmlab
