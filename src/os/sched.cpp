// The scheduler: run queues, context switches, ASIDs.
#include "os/sched.hpp"

#include <algorithm>

#include "os/internal.hpp"

namespace vmlab::os {

namespace {
constexpr unsigned kMaxAsid = 4095;
}  // namespace

Scheduler::Scheduler(Machine& machine, KernelStats& stats, std::uint64_t quantum)
    : machine_(machine), stats_(stats), quantum_(quantum), cpus_(machine.cpu_count()) {
    for (unsigned a = kMaxAsid; a >= 1; --a) free_asids_.push_back(static_cast<std::uint16_t>(a));
}

void Scheduler::place(Thread& t) {
    t.cpu = next_cpu_++ % static_cast<unsigned>(cpus_.size());
    cpus_[t.cpu].runq.push_back(t.tid);
}

void Scheduler::unplace(Thread& t) {
    if (ctx_ == &t) ctx_ = nullptr;
    Cpu& c = cpus_[t.cpu];
    std::erase(c.runq, t.tid);
    if (c.current == t.tid) {
        c.current = 0;
        c.ticks = 0;
    }
}

void Scheduler::migrate(Thread& t, unsigned cpu) {
    if (t.cpu == cpu) return;
    unplace(t);
    t.cpu = cpu;
    cpus_[cpu].runq.push_back(t.tid);
}

void Scheduler::load_mm(unsigned cpu, Mm* mm) {
    Cpu& c = cpus_[cpu];
    if (c.loaded == mm && !mm->asid_shared) {
        if (mm->stale[cpu]) {
            machine_.mmu(cpu).flush_asid(mm->asid);
            mm->stale[cpu] = 0;
            ++stats_.lazy_flushes;
        }
        return;
    }
    Mmu& mmu = machine_.mmu(cpu);
    mmu.set_root(mm->pt->root(), mm->asid);
    c.loaded = mm;
    if (mm->asid_shared || mm->stale[cpu]) {
        mmu.flush_asid(mm->asid);
        mm->stale[cpu] = 0;
        ++stats_.lazy_flushes;
    }
    mm->used[cpu] = 1;
}

void Scheduler::switch_in(unsigned cpu, Thread& t) {
    Cpu& c = cpus_[cpu];
    if (c.current == t.tid) {
        if (c.loaded != t.proc->mm.get()) load_mm(cpu, t.proc->mm.get());
        return;
    }
    ++stats_.context_switches;
    c.current = t.tid;
    c.ticks = 0;
    load_mm(cpu, t.proc->mm.get());
}

Tid Scheduler::schedule(unsigned cpu, const ProcessTable& procs) {
    Cpu& c = cpus_[cpu];
    if (c.runq.empty()) {
        c.current = 0;
        return 0;
    }
    auto it = std::find(c.runq.begin(), c.runq.end(), c.current);
    const std::size_t next = it == c.runq.end() ? 0 : (static_cast<std::size_t>(it - c.runq.begin()) + 1) % c.runq.size();
    Thread* t = procs.thread(c.runq[next]);
    if (c.current != t->tid) switch_in(cpu, *t);
    c.ticks = 0;
    return t->tid;
}

void Scheduler::init_mm(Mm& mm) {
    mm.used.assign(cpus_.size(), 0);
    mm.stale.assign(cpus_.size(), 0);
    if (!free_asids_.empty()) {
        mm.asid = Asid{free_asids_.back()};
        free_asids_.pop_back();
    } else {
        mm.asid = Asid{0};
        mm.asid_shared = true;
    }
}

void Scheduler::release_mm(Mm& mm) {
    for (unsigned c = 0; c < cpus_.size(); ++c) {
        if (cpus_[c].loaded == &mm) cpus_[c].loaded = nullptr;
        // The ASID will be reused: no CPU may keep entries tagged with it.
        if (mm.used[c]) machine_.mmu(c).flush_asid(mm.asid);
    }
    if (!mm.asid_shared) free_asids_.push_back(mm.asid.value);
}

}  // namespace vmlab::os
