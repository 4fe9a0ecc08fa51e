// The scheduler: the machine's CPUs, a round-robin run queue per CPU, context switches
// (loading an address space's root and ASID into a CPU's MMU), and ASID allocation.
#pragma once

#include <cstdint>
#include <vector>

#include "vmlab/core/types.hpp"
#include "vmlab/hw/machine.hpp"
#include "vmlab/os/stats.hpp"

namespace vmlab::os {

struct Mm;
struct Thread;
class ProcessTable;

class Scheduler {
public:
    // One CPU per MMU of the machine; a thread runs `quantum` accesses of access_on_cpu
    // before the next one of its run queue gets the CPU.
    Scheduler(Machine& machine, KernelStats& stats, std::uint64_t quantum);

    unsigned cpu_count() const { return static_cast<unsigned>(cpus_.size()); }
    Tid current(unsigned cpu) const { return cpus_[cpu].current; }  // 0 = idle
    Mm* loaded(unsigned cpu) const { return cpus_[cpu].loaded; }    // whose root the MMU holds

    // The thread whose system call or access is running (null outside them).
    Thread* context() const { return ctx_; }
    void set_context(Thread* t) { ctx_ = t; }

    // Puts a new thread on a run queue (CPUs in turn).
    void place(Thread& t);
    // Takes a thread off its run queue; its CPU idles if it was running there.
    void unplace(Thread& t);
    // Moves a thread to another CPU's run queue.
    void migrate(Thread& t, unsigned cpu);
    // Makes t the CPU's current thread and loads its address space.
    void switch_in(unsigned cpu, Thread& t);
    // Loads mm's root and ASID into the CPU's MMU (flushing the ASID when it is shared or
    // the CPU may hold stale entries), or only the pending flush if it is already loaded.
    void load_mm(unsigned cpu, Mm* mm);
    // Marks `tid` as running on the CPU without a context switch (exec's new mm is loaded).
    void set_current(unsigned cpu, Tid tid) { cpus_[cpu].current = tid; }
    // Switches the CPU to the next thread of its run queue; returns it (0 = idle).
    Tid schedule(unsigned cpu, const ProcessTable& procs);
    // Counts an access of the CPU's current thread; true when its quantum is used up.
    bool tick(unsigned cpu) { return ++cpus_[cpu].ticks >= quantum_; }

    // A new address space gets an ASID (or shares ASID 0 and flushes on every switch-in
    // when none is left) and per-CPU masks; a dying one is unloaded everywhere, its ASID
    // flushed on every CPU it ran on and returned.
    void init_mm(Mm& mm);
    void release_mm(Mm& mm);

private:
    struct Cpu {
        Tid current = 0;
        Mm* loaded = nullptr;
        std::vector<Tid> runq;    // threads placed on this CPU, round-robin order
        std::uint64_t ticks = 0;  // accesses in the current quantum
    };
    Machine& machine_;
    KernelStats& stats_;
    std::uint64_t quantum_;
    std::vector<Cpu> cpus_;
    unsigned next_cpu_ = 0;
    std::vector<std::uint16_t> free_asids_;
    Thread* ctx_ = nullptr;
};

}  // namespace vmlab::os
