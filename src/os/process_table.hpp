// The process table: processes by pid, threads by tid, pid allocation (pids and tids
// share one number space, from KernelConfig::first_pid up, never reused).
#pragma once

#include <map>
#include <memory>
#include <vector>

#include "vmlab/core/types.hpp"

namespace vmlab::os {

struct Process;
struct Thread;

class ProcessTable {
public:
    explicit ProcessTable(Pid first_pid);
    ~ProcessTable();
    ProcessTable(const ProcessTable&) = delete;
    ProcessTable& operator=(const ProcessTable&) = delete;

    Pid alloc_pid() { return next_pid_++; }
    // A new empty process (no mm, no threads) under a pid from alloc_pid.
    Process& add_process(Pid pid);
    // A new thread of p with a tid from alloc_pid (or p's pid for its main thread).
    Thread& add_thread(Process& p, Tid tid);
    // Forgets a thread (it has left its process's list and its run queue).
    void remove_thread(Tid tid);
    // Forgets a process (reaped).
    void remove_process(Pid pid);
    void clear();

    Thread* thread(Tid tid) const;
    Process* process(Pid pid) const;
    // Calls fn(Process&) for every live or zombie process in pid order; fn must not add
    // or remove processes.
    template <class F>
    void for_each(F&& fn) const {
        for (const auto& [pid, p] : procs_) fn(*p);
    }
    std::vector<Pid> pids() const;

private:
    Pid first_pid_;
    Pid next_pid_;
    std::map<Pid, std::unique_ptr<Process>> procs_;
    std::vector<std::unique_ptr<Thread>> threads_;  // index tid - first_pid
};

}  // namespace vmlab::os
