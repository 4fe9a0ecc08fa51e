// The kernel model: processes, threads, address spaces (mm), system calls with Linux's
// semantics and errno values, the page-fault handler, the page cache, COW fork, rmap,
// and a round-robin scheduler over the machine's CPUs.
//
// The kernel touches the hardware only as a real kernel does: it writes PTEs through the
// PageTable interface (map / unmap / protect / query), flushes TLB entries through each
// CPU's Mmu (local flushes and counted shootdowns), and loads a process's page-table
// root and ASID with Mmu::set_root on a context switch.
//
// System calls name the calling thread (`Tid`; a pid names its main thread) and return
// SysResult: a value, or the errno Linux returns for the same arguments. Nothing here
// prints or throws; impossible internal states stop through VMLAB_ASSERT.
//
// Usually reached through Simulation (os/simulation.hpp), which owns the Machine, the
// Kernel and the run's random generator.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "vmlab/core/result.hpp"
#include "vmlab/core/rng.hpp"
#include "vmlab/core/types.hpp"
#include "vmlab/os/abi.hpp"
#include "vmlab/os/kernel_config.hpp"
#include "vmlab/os/process_info.hpp"
#include "vmlab/os/stats.hpp"
#include "vmlab/os/vma.hpp"

namespace vmlab {

class Machine;
struct ExecPlan;
namespace os {
class KernelImpl;
}

// The outcome of one user access (possibly split at page boundaries).
struct AccessOutcome {
    bool ok = true;             // the whole access completed
    SigInfo signal;             // !ok: the signal delivered (signo 0 if the thread was not runnable)
    VirtAddr fault_va{};        // !ok: the exact address that could not be accessed
    bool killed = false;        // the signal's default action terminated the process
    std::uint32_t faults = 0;   // page faults handled during the access
    std::uint64_t cycles = 0;   // translation + fault + shootdown cycles charged
};

// One access of a batch: access(tid, va, kind, size) without data.
struct MemAccess {
    Tid tid = 0;
    VirtAddr va{};
    AccessKind kind = AccessKind::Read;
    std::uint32_t size = 0;
};

// What a batch did. It stops at the first access that does not complete (a signal, or a
// thread that does not exist); the accesses after it are not made.
struct BatchOutcome {
    std::size_t completed = 0;   // accesses that completed: the batch's first `completed`
    std::uint64_t faults = 0;    // page faults handled, by every access made (the stopping one too)
    std::uint64_t cycles = 0;    // cycles charged to every access made (the stopping one too)
    bool stopped = false;        // an access did not complete; the batch ended there
    std::size_t index = 0;       // stopped: its index (== completed)
    AccessOutcome outcome;       // stopped: its outcome, as access() returns it
};

struct SpawnOptions {
    std::string name = "proc";
    Pid parent = 0;             // 0 = no parent (nobody waits for it)
    // Give the process a stack VMA (grows down, stack_expand_bytes + one page) below the
    // stack top, and a program break, as if it had exec'ed an empty static binary.
    bool stack = true;
    std::uint64_t brk_start = 0;  // 0 = default: ELF_ET_DYN_BASE + 1 MiB (PIE-like)
};

struct WaitResult {
    Pid pid = 0;                // 0 = children exist but none has exited (WNOHANG)
    int exit_code = 0;
    int term_signal = 0;
};

// Resource limits a process can change (setrlimit's soft limits; bytes or descriptors).
enum class Rlimit : std::uint8_t { Stack, Data, As, Memlock, Nofile };

enum class SigDisposition : std::uint8_t {
    Default,  // SIGSEGV/SIGBUS terminate the process (its threads exit, it becomes a zombie)
    Catch,    // recorded and returned to the caller; the process keeps running
};

class Kernel {
public:
    // The machine must outlive the kernel; `rng` provides ASLR offsets.
    Kernel(Machine& machine, const KernelConfig& cfg, Rng& rng);
    ~Kernel();
    Kernel(const Kernel&) = delete;
    Kernel& operator=(const Kernel&) = delete;

    const KernelConfig& config() const;
    Machine& machine();
    std::uint64_t page_size() const;  // the base page size used for every mapping
    std::uint64_t task_size() const;

    // ---- memory accesses (the first door) --------------------------------------------
    // An access by thread `tid` to [va, va+size): split at page boundaries, translated by
    // the thread's CPU's MMU (the thread is switched in if another runs there), faults
    // handled and retried. `data` (optional) receives the bytes read or supplies the
    // bytes written; without it only translation and faults happen (trace replay).
    AccessOutcome access(Tid tid, VirtAddr va, AccessKind kind, std::uint64_t size,
                         void* data = nullptr);
    AccessOutcome read(Tid tid, VirtAddr va, std::span<std::uint8_t> out);
    AccessOutcome write(Tid tid, VirtAddr va, std::span<const std::uint8_t> in);
    // An access by whichever thread the CPU currently runs; counts towards its quantum,
    // after which the CPU switches to the next runnable thread of its run queue.
    AccessOutcome access_on_cpu(unsigned cpu, VirtAddr va, AccessKind kind, std::uint64_t size,
                                void* data = nullptr);
    // The accesses of `batch` in order, each exactly as access(tid, va, kind, size) would
    // make it (page splitting, switch-in, faults, signals, every statistic), stopping after
    // the first that does not complete. First-level TLB hits within one page take the
    // MMU's inline path with the thread resolved once per run of equal tids.
    BatchOutcome access_batch(std::span<const MemAccess> batch);

    // ---- processes and threads ---------------------------------------------------------
    SysResult<Pid> spawn(const SpawnOptions& opt = {});
    SysResult<Pid> fork(Tid caller);
    SysResult<Tid> clone_thread(Tid caller);           // a new thread in the caller's mm
    SysStatus exit_thread(Tid tid, int status = 0);   // the last thread's exit ends the process
    SysStatus exit_group(Tid caller, int status);
    SysResult<WaitResult> wait(Tid caller, Pid child = -1);  // waitpid(child, WNOHANG)
    SysStatus kill(Pid pid, int signo);
    // Replaces the caller's address space with a new program (PT_LOAD segments as
    // private file mappings, bss, stack with argv/envp/auxv, brk after the bss).
    SysStatus exec(Tid caller, const ExecPlan& plan);
    // execve(2) of the host file `path`: a missing file (or path component) is ENOENT, one
    // that is not a regular file or has no execute bit is EACCES; then the exec is planned
    // with this kernel's options and generator (plan_exec) and applied (exec). The outer
    // Result fails only for bad input the simulation cannot run: a file that is not a
    // usable ELF executable (the planner's message, naming the file and byte offset).
    // Everything the process would see is the inner SysStatus.
    Result<SysStatus> execve(Tid caller, const std::string& path, const std::vector<std::string>& argv,
                             const std::vector<std::string>& envp);
    SysStatus set_signal_disposition(Pid pid, int signo, SigDisposition d);
    SysStatus set_name(Pid pid, std::string name);
    // setrlimit/getrlimit of the caller's process (~0 = RLIM_INFINITY); inherited by fork.
    SysStatus setrlimit(Tid caller, Rlimit which, std::uint64_t value);
    SysResult<std::uint64_t> getrlimit(Tid caller, Rlimit which);

    // ---- memory-management system calls -----------------------------------------------
    SysResult<VirtAddr> mmap(Tid caller, VirtAddr addr, std::uint64_t len, int prot, int flags,
                             int fd = -1, std::uint64_t offset = 0);
    SysStatus munmap(Tid caller, VirtAddr addr, std::uint64_t len);
    SysStatus mprotect(Tid caller, VirtAddr addr, std::uint64_t len, int prot);
    // brk(2) as the system call: returns the new break, or the old one on failure.
    VirtAddr brk(Tid caller, VirtAddr addr);
    // sbrk(3) as glibc implements it over brk(2): the old break, or ENOMEM.
    SysResult<VirtAddr> sbrk(Tid caller, std::int64_t increment);
    SysStatus madvise(Tid caller, VirtAddr addr, std::uint64_t len, int advice);
    SysStatus msync(Tid caller, VirtAddr addr, std::uint64_t len, int flags);
    SysStatus mlock(Tid caller, VirtAddr addr, std::uint64_t len, int flags = 0);  // mlock2
    SysStatus munlock(Tid caller, VirtAddr addr, std::uint64_t len);
    SysStatus mlockall(Tid caller, int flags);
    SysStatus munlockall(Tid caller);
    SysResult<VirtAddr> mremap(Tid caller, VirtAddr old_addr, std::uint64_t old_len,
                               std::uint64_t new_len, int flags, VirtAddr new_addr = VirtAddr{0});
    // One byte per page: bit 0 = resident (page cache for file pages, as Linux reports).
    SysResult<std::vector<std::uint8_t>> mincore(Tid caller, VirtAddr addr, std::uint64_t len);
    // Names an anonymous range (prctl PR_SET_VMA_ANON_NAME): maps shows "[anon:name]".
    SysStatus set_anon_name(Tid caller, VirtAddr addr, std::uint64_t len, std::string name);

    // ---- files ---------------------------------------------------------------------------
    // Opens a host file (read with normal file I/O on first touch of each page). With
    // O_CREAT, a missing file is created on the host only if its path is writable
    // (KernelConfig::writable_paths); otherwise it exists inside the simulation only.
    SysResult<int> open(Tid caller, const std::string& path, int flags, int mode = 0644);
    SysResult<int> memfd_create(Tid caller, const std::string& name);
    SysStatus close(Tid caller, int fd);
    SysResult<std::uint64_t> pread(Tid caller, int fd, std::span<std::uint8_t> buf, std::uint64_t offset);
    SysResult<std::uint64_t> pwrite(Tid caller, int fd, std::span<const std::uint8_t> buf, std::uint64_t offset);
    SysStatus ftruncate(Tid caller, int fd, std::uint64_t length);
    SysStatus fsync(Tid caller, int fd);
    // posix_fadvise: WILLNEED reads the range into the page cache, DONTNEED drops its
    // clean, unmapped pages (so the next touch is a major fault); the others are accepted.
    SysStatus fadvise(Tid caller, int fd, std::uint64_t offset, std::uint64_t len, int advice);
    // echo 1 > /proc/sys/vm/drop_caches: drops every clean, unmapped page-cache page of
    // host files. Returns the number of pages dropped.
    std::uint64_t drop_caches();
    SysResult<std::uint64_t> file_size(Tid caller, int fd);

    // ---- scheduling ------------------------------------------------------------------------
    unsigned cpu_count() const;
    unsigned cpu_of(Tid tid) const;                  // the CPU whose run queue holds the thread
    SysStatus set_affinity(Tid tid, unsigned cpu);   // moves the thread to that run queue
    Tid current(unsigned cpu) const;                 // 0 = idle
    Tid schedule(unsigned cpu);                      // switch to the next runnable thread
    // Switches the CPU to `tid` (which must be on its run queue).
    SysStatus switch_to(unsigned cpu, Tid tid);

    // ---- inspection ------------------------------------------------------------------------
    std::vector<Pid> pids() const;                   // live and zombie processes, ascending
    bool exists(Pid pid) const;
    std::optional<ProcessInfo> process(Pid pid) const;
    Pid pid_of(Tid tid) const;                       // 0 if no such thread
    std::vector<VmaInfo> maps(Pid pid) const;        // /proc/PID/maps
    std::optional<ProcessMemory> memory(Pid pid) const;  // status + smaps
    std::optional<MmLayout> layout(Pid pid) const;
    // The leaf the process's page table holds for va (for explanations and tests).
    struct PageInfo {
        bool present = false;
        bool writable = false, dirty = false, accessed = false;
        bool zero_page = false;
        Pfn pfn{};
        std::uint32_t mapcount = 0, refcount = 0;
        bool anon = false;
    };
    std::optional<PageInfo> page(Pid pid, VirtAddr va) const;
    const KernelStats& stats() const;
    std::uint64_t free_frames() const;               // of the frame allocator

private:
    std::unique_ptr<os::KernelImpl> impl_;
};

}  // namespace vmlab
