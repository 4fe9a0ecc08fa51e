// Kernel: construction, inspection, and the public entry points that forward to KernelImpl
// and its rooms.
#include "vmlab/os/kernel.hpp"

#include <algorithm>
#include <bit>

#include "os/internal.hpp"

namespace vmlab::os {

KernelImpl::KernelImpl(Machine& machine, const KernelConfig& cfg, Rng& rng)
    : machine_(machine),
      mem_(machine.mem()),
      fmt_(machine.format()),
      cfg_(cfg),
      rng_(rng),
      frames_(machine.mem()),
      procs_(cfg.first_pid),
      sched_(machine, stats_, cfg.quantum),
      tlb_(machine, sched_, stats_, machine.config().mmu.cost, machine.mem().frame_size()),
      cache_(machine.mem(), frames_, stats_, machine.mem().frame_size(),
             cfg.read_around_bytes >> machine.mem().frame_size().shift) {
    page_ = mem_.frame_size();
    ps_ = page_.bytes();
    const PagingGeometry& geo = fmt_.geometry();
    task_size_ = cfg_.task_size ? cfg_.task_size : default_task_size(geo);
    task_size_ &= ~(ps_ - 1);
    x86_ = geo.isa == "x86-64";
    const std::uint64_t fa = cfg_.fault_around_bytes >> page_.shift;
    fault_around_pages_ = fa ? std::bit_floor(fa) : 1;
    ptrs_per_pte_ = std::uint64_t{1} << geo.levels.back().bits;
    fault_around_pages_ = std::min(fault_around_pages_, ptrs_per_pte_);
    cost_ = machine.config().mmu.cost;
}

KernelImpl::~KernelImpl() {
    tearing_down_ = true;
    procs_.for_each([&](Process& p) { do_exit(p, 0, 0, nullptr); });
    procs_.clear();
    cache_.clear_paths();
}

AccessOutcome KernelImpl::access_on_cpu(unsigned cpu, VirtAddr va, AccessKind kind, std::uint64_t size, void* data) {
    AccessOutcome out;
    if (cpu >= sched_.cpu_count()) {
        out.ok = false;
        out.fault_va = va;
        return out;
    }
    if (!sched_.current(cpu)) sched_.schedule(cpu, procs_);
    Thread* t = procs_.thread(sched_.current(cpu));
    if (!t) {
        out.ok = false;
        out.fault_va = va;
        return out;
    }
    out = access_thread(*t, va, kind, size, static_cast<std::uint8_t*>(data));
    if (sched_.tick(cpu)) sched_.schedule(cpu, procs_);
    return out;
}

SysStatus KernelImpl::set_affinity(Tid tid, unsigned cpu) {
    Thread* t = procs_.thread(tid);
    if (!t) return Errno::Srch;
    if (cpu >= sched_.cpu_count()) return Errno::Inval;
    sched_.migrate(*t, cpu);
    return {};
}

Tid KernelImpl::schedule(unsigned cpu) {
    if (cpu >= sched_.cpu_count()) return 0;
    return sched_.schedule(cpu, procs_);
}

SysStatus KernelImpl::switch_to(unsigned cpu, Tid tid) {
    if (cpu >= sched_.cpu_count()) return Errno::Inval;
    Thread* t = procs_.thread(tid);
    if (!t) return Errno::Srch;
    if (t->cpu != cpu) return Errno::Inval;
    sched_.switch_in(cpu, *t);
    return {};
}

}  // namespace vmlab::os

namespace vmlab {

Kernel::Kernel(Machine& machine, const KernelConfig& cfg, Rng& rng)
    : impl_(std::make_unique<os::KernelImpl>(machine, cfg, rng)) {}
Kernel::~Kernel() = default;

const KernelConfig& Kernel::config() const { return impl_->cfg_; }
Machine& Kernel::machine() { return impl_->machine_; }
std::uint64_t Kernel::page_size() const { return impl_->ps_; }
std::uint64_t Kernel::task_size() const { return impl_->task_size_; }

AccessOutcome Kernel::access(Tid tid, VirtAddr va, AccessKind kind, std::uint64_t size, void* data) {
    return impl_->access(tid, va, kind, size, data);
}
AccessOutcome Kernel::read(Tid tid, VirtAddr va, std::span<std::uint8_t> out) {
    return impl_->access(tid, va, AccessKind::Read, out.size(), out.data());
}
AccessOutcome Kernel::write(Tid tid, VirtAddr va, std::span<const std::uint8_t> in) {
    return impl_->access(tid, va, AccessKind::Write, in.size(), const_cast<std::uint8_t*>(in.data()));
}


SysResult<Pid> Kernel::spawn(const SpawnOptions& opt) { return impl_->spawn(opt); }
SysResult<Tid> Kernel::clone_thread(Tid caller) { return impl_->clone_thread(caller); }
SysStatus Kernel::exit_thread(Tid tid, int status) { return impl_->exit_thread(tid, status); }
SysStatus Kernel::exit_group(Tid caller, int status) { return impl_->exit_group(caller, status); }
SysResult<WaitResult> Kernel::wait(Tid caller, Pid child) { return impl_->wait(caller, child); }
SysStatus Kernel::kill(Pid pid, int signo) { return impl_->kill(pid, signo); }
SysStatus Kernel::set_signal_disposition(Pid pid, int signo, SigDisposition d) {
    return impl_->set_signal_disposition(pid, signo, d);
}
SysStatus Kernel::set_name(Pid pid, std::string name) { return impl_->set_name(pid, std::move(name)); }
SysStatus Kernel::setrlimit(Tid caller, Rlimit which, std::uint64_t value) {
    return impl_->setrlimit(caller, which, value);
}
SysResult<std::uint64_t> Kernel::getrlimit(Tid caller, Rlimit which) { return impl_->getrlimit(caller, which); }
SysResult<Pid> Kernel::fork(Tid caller) { return impl_->fork(caller); }
SysStatus Kernel::madvise(Tid caller, VirtAddr start, std::uint64_t len_in, int behavior) {
    return impl_->madvise(caller, start, len_in, behavior);
}
SysStatus Kernel::msync(Tid caller, VirtAddr start, std::uint64_t len, int flags) {
    return impl_->msync(caller, start, len, flags);
}
SysResult<std::vector<std::uint8_t>> Kernel::mincore(Tid caller, VirtAddr start, std::uint64_t len) {
    return impl_->mincore(caller, start, len);
}
SysStatus Kernel::set_anon_name(Tid caller, VirtAddr start, std::uint64_t len, std::string name) {
    return impl_->set_anon_name(caller, start, len, std::move(name));
}
SysResult<VirtAddr> Kernel::mmap(Tid caller, VirtAddr addr, std::uint64_t len, int prot, int flags, int fd,
                                 std::uint64_t offset) {
    return impl_->mmap(caller, addr, len, prot, flags, fd, offset);
}
SysStatus Kernel::munmap(Tid caller, VirtAddr addr, std::uint64_t len) { return impl_->munmap(caller, addr, len); }
VirtAddr Kernel::brk(Tid caller, VirtAddr addr) { return impl_->brk(caller, addr); }
SysResult<VirtAddr> Kernel::sbrk(Tid caller, std::int64_t increment) { return impl_->sbrk(caller, increment); }
SysResult<VirtAddr> Kernel::mremap(Tid caller, VirtAddr addr, std::uint64_t old_len, std::uint64_t new_len, int flags,
                                   VirtAddr new_addr) {
    return impl_->mremap(caller, addr, old_len, new_len, flags, new_addr);
}
SysStatus Kernel::mprotect(Tid caller, VirtAddr start, std::uint64_t len, int prot) {
    return impl_->mprotect(caller, start, len, prot);
}
SysStatus Kernel::mlock(Tid caller, VirtAddr addr, std::uint64_t len, int flags) {
    return impl_->mlock(caller, addr, len, flags);
}
SysStatus Kernel::munlock(Tid caller, VirtAddr addr, std::uint64_t len) { return impl_->munlock(caller, addr, len); }
SysStatus Kernel::mlockall(Tid caller, int flags) { return impl_->mlockall(caller, flags); }
SysStatus Kernel::munlockall(Tid caller) { return impl_->munlockall(caller); }
SysResult<int> Kernel::open(Tid caller, const std::string& path, int flags, int mode) {
    return impl_->open(caller, path, flags, mode);
}
SysResult<int> Kernel::memfd_create(Tid caller, const std::string& name) { return impl_->memfd_create(caller, name); }
SysStatus Kernel::close(Tid caller, int fd) { return impl_->close(caller, fd); }
SysResult<std::uint64_t> Kernel::pread(Tid caller, int fd, std::span<std::uint8_t> buf, std::uint64_t offset) {
    return impl_->pread(caller, fd, buf, offset);
}
SysResult<std::uint64_t> Kernel::pwrite(Tid caller, int fd, std::span<const std::uint8_t> buf, std::uint64_t offset) {
    return impl_->pwrite(caller, fd, buf, offset);
}
SysStatus Kernel::ftruncate(Tid caller, int fd, std::uint64_t length) { return impl_->ftruncate(caller, fd, length); }
SysStatus Kernel::fsync(Tid caller, int fd) { return impl_->fsync(caller, fd); }
SysStatus Kernel::fadvise(Tid caller, int fd, std::uint64_t offset, std::uint64_t len, int advice) {
    return impl_->fadvise(caller, fd, offset, len, advice);
}
SysResult<std::uint64_t> Kernel::file_size(Tid caller, int fd) { return impl_->file_size(caller, fd); }
std::uint64_t Kernel::drop_caches() { return impl_->cache_.drop_caches(); }

AccessOutcome Kernel::access_on_cpu(unsigned cpu, VirtAddr va, AccessKind kind, std::uint64_t size, void* data) {
    return impl_->access_on_cpu(cpu, va, kind, size, data);
}
SysStatus Kernel::set_affinity(Tid tid, unsigned cpu) { return impl_->set_affinity(tid, cpu); }
Tid Kernel::schedule(unsigned cpu) { return impl_->schedule(cpu); }
SysStatus Kernel::switch_to(unsigned cpu, Tid tid) { return impl_->switch_to(cpu, tid); }

unsigned Kernel::cpu_count() const { return impl_->sched_.cpu_count(); }

unsigned Kernel::cpu_of(Tid tid) const {
    os::Thread* t = impl_->procs_.thread(tid);
    return t ? t->cpu : 0;
}


Tid Kernel::current(unsigned cpu) const { return cpu < impl_->sched_.cpu_count() ? impl_->sched_.current(cpu) : 0; }



std::vector<Pid> Kernel::pids() const {
    return impl_->procs_.pids();
}

bool Kernel::exists(Pid pid) const { return impl_->procs_.process(pid) != nullptr; }

std::optional<ProcessInfo> Kernel::process(Pid pid) const {
    const os::Process* p = impl_->procs_.process(pid);
    if (!p) return std::nullopt;
    ProcessInfo i;
    i.pid = p->pid;
    i.ppid = p->ppid;
    i.name = p->name;
    i.state = p->state;
    i.exit_code = p->exit_code;
    i.term_signal = p->term_signal;
    i.threads = p->threads;
    i.faults = p->faults;
    i.accesses = p->accesses;
    i.cycles = p->cycles;
    return i;
}

Pid Kernel::pid_of(Tid tid) const {
    os::Thread* t = impl_->procs_.thread(tid);
    return t ? t->proc->pid : 0;
}

std::vector<VmaInfo> Kernel::maps(Pid pid) const {
    std::vector<VmaInfo> out;
    const os::Process* p = impl_->procs_.process(pid);
    if (!p || !p->mm) return out;
    p->mm->vmas.for_each([&](os::Vma& v) { out.push_back(impl_->vma_info(*p->mm, v)); });
    return out;
}

std::optional<ProcessMemory> Kernel::memory(Pid pid) const {
    const os::Process* p = impl_->procs_.process(pid);
    if (!p) return std::nullopt;
    return impl_->memory(*p);
}

std::optional<MmLayout> Kernel::layout(Pid pid) const {
    const os::Process* p = impl_->procs_.process(pid);
    if (!p || !p->mm) return std::nullopt;
    const os::Mm& m = *p->mm;
    MmLayout l;
    l.mmap_base = m.mmap_base;
    l.start_brk = m.start_brk;
    l.brk = m.brk;
    l.start_stack = m.start_stack;
    l.stack_top = m.stack_top;
    l.start_code = m.start_code;
    l.end_code = m.end_code;
    l.start_data = m.start_data;
    l.end_data = m.end_data;
    l.arg_start = m.arg_start;
    l.arg_end = m.arg_end;
    l.env_start = m.env_start;
    l.env_end = m.env_end;
    l.task_size = impl_->task_size_;
    l.asid = m.asid;
    return l;
}

std::optional<Kernel::PageInfo> Kernel::page(Pid pid, VirtAddr va) const {
    const os::Process* p = impl_->procs_.process(pid);
    if (!p || !p->mm) return std::nullopt;
    const PteView pte = p->mm->pt->query(va);
    PageInfo i;
    if (!pte.present) return i;
    const os::FrameTable& frames = impl_->frames_;
    i.present = true;
    i.writable = pte.attrs.prot.write;
    i.dirty = pte.attrs.dirty;
    i.accessed = pte.attrs.accessed;
    i.pfn = pte.base.pfn(impl_->page_);
    i.zero_page = frames.is_zero(i.pfn);
    i.mapcount = frames.mapcount(i.pfn);
    i.refcount = frames.refcount(i.pfn);
    i.anon = frames.test(i.pfn, os::kPgAnon);
    return i;
}

const KernelStats& Kernel::stats() const {
    auto& k = *impl_;
    std::uint64_t tables = 0;
    k.procs_.for_each([&](const os::Process& p) {
        if (p.mm) tables += p.mm->pt->stats().table_frames;
    });
    k.stats_.page_table_pages = tables;
    k.stats_.anon_pages = k.frames_.anon_pages();
    k.stats_.shmem_pages = k.frames_.shmem_pages();
    return k.stats_;
}

std::uint64_t Kernel::free_frames() const { return impl_->mem_.allocator().free_frames(); }

}  // namespace vmlab
