// Statistics of the kernel model: plain structs filled by the kernel; report/ formats them.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "vmlab/core/stats.hpp"
#include "vmlab/os/abi.hpp"
#include "vmlab/os/vma.hpp"

namespace vmlab {

// smaps figures for one VMA or summed over a process (smaps_rollup), in bytes.
// PSS values keep Linux's precision: bytes << kPssShift (fs/proc/task_mmu.c PSS_SHIFT),
// so "Pss: N kB" is pss_fp >> (10 + kPssShift).
struct MemCounters {
    static constexpr unsigned kPssShift = 12;
    std::uint64_t size = 0;           // virtual size
    std::uint64_t rss = 0;            // present pages, the shared zero page excluded
    std::uint64_t pss_fp = 0;
    std::uint64_t pss_dirty_fp = 0;
    std::uint64_t pss_anon_fp = 0;
    std::uint64_t pss_file_fp = 0;
    std::uint64_t pss_shmem_fp = 0;
    std::uint64_t shared_clean = 0;   // pages mapped more than once
    std::uint64_t shared_dirty = 0;
    std::uint64_t private_clean = 0;
    std::uint64_t private_dirty = 0;
    std::uint64_t referenced = 0;     // accessed bit or frame referenced
    std::uint64_t anonymous = 0;      // anonymous pages (incl. COW copies in file mappings)
    std::uint64_t lazyfree = 0;       // MADV_FREE'd pages not yet reused
    std::uint64_t swap = 0;
    std::uint64_t swap_pss_fp = 0;
    std::uint64_t locked_fp = 0;      // PSS of pages in VM_LOCKED VMAs

    std::uint64_t pss() const { return pss_fp >> kPssShift; }
    void add(const MemCounters& o);
};

struct VmaReport {
    VmaInfo vma;
    MemCounters mem;
};

// What /proc/PID/status, smaps and smaps_rollup show for one process. Bytes.
struct ProcessMemory {
    Pid pid = 0;
    std::string name;
    std::uint64_t vm_size = 0;    // VmSize (VSZ): total mapped
    std::uint64_t vm_lck = 0;     // VmLck: VM_LOCKED VMAs
    std::uint64_t vm_hwm = 0;     // VmHWM: peak RSS
    std::uint64_t vm_rss = 0;     // VmRSS = RssAnon + RssFile + RssShmem
    std::uint64_t rss_anon = 0;
    std::uint64_t rss_file = 0;
    std::uint64_t rss_shmem = 0;
    std::uint64_t vm_data = 0;    // private writable, non-stack
    std::uint64_t vm_stk = 0;     // stack VMAs
    std::uint64_t vm_exe = 0;     // executable, non-writable
    std::uint64_t vm_pte = 0;     // page-table bytes (every level, root included)
    std::uint64_t vm_swap = 0;
    MemCounters total;            // smaps_rollup
    std::vector<VmaReport> vmas;  // smaps, in address order
};

// Faults, counted where they are handled (per process, per VMA, and kernel-wide).
struct FaultCounters {
    std::uint64_t minor = 0;            // getrusage ru_minflt
    std::uint64_t major = 0;            // ru_majflt: the page had to be read from the host file
    std::uint64_t zero_page = 0;        // anonymous read faults mapping the shared zero page
    std::uint64_t anon_new = 0;         // anonymous write faults that allocated a zeroed frame
    std::uint64_t cow_copy = 0;         // write-protect faults resolved by copying the page
    std::uint64_t cow_reuse = 0;        // ... resolved by reusing it (sole user)
    std::uint64_t file_read = 0;        // read faults on file/shmem pages (do_read_fault)
    std::uint64_t file_cow = 0;         // first write to a private file page (do_cow_fault)
    std::uint64_t shared_write = 0;     // write (or write-notify) faults on shared pages
    std::uint64_t fault_around = 0;     // extra pages mapped by fault-around
    std::uint64_t stack_growth = 0;     // faults that grew a stack VMA
    std::uint64_t spurious = 0;         // A/D-bit faults and stale-TLB faults
    std::uint64_t sigsegv = 0;
    std::uint64_t sigbus = 0;
    void add(const FaultCounters& o);
};

template <>
struct StatsFields<FaultCounters> {
    static constexpr auto fields() {
        using F = FaultCounters;
        return std::make_tuple(
            stat_counter("minor", &F::minor, "count", "faults resolved without reading the host (getrusage ru_minflt)"),
            stat_counter("major", &F::major, "count", "faults that read the page from the host file (ru_majflt)"),
            stat_counter("zero_page", &F::zero_page, "count", "anonymous read faults mapping the shared zero page"),
            stat_counter("anon_new", &F::anon_new, "count", "anonymous write faults that allocated a zeroed frame"),
            stat_counter("cow_copy", &F::cow_copy, "count", "write-protect faults resolved by copying the page"),
            stat_counter("cow_reuse", &F::cow_reuse, "count", "write-protect faults resolved by reusing the page"),
            stat_counter("file_read", &F::file_read, "count", "read faults on file or shmem pages"),
            stat_counter("file_cow", &F::file_cow, "count", "first writes to a private file page"),
            stat_counter("shared_write", &F::shared_write, "count", "write or write-notify faults on shared pages"),
            stat_counter("fault_around", &F::fault_around, "pages", "extra pages mapped by fault-around"),
            stat_counter("stack_growth", &F::stack_growth, "count", "faults that grew a stack VMA"),
            stat_counter("spurious", &F::spurious, "count", "accessed/dirty-bit and stale-TLB faults"),
            stat_counter("sigsegv", &F::sigsegv, "count", "faults that raised SIGSEGV"),
            stat_counter("sigbus", &F::sigbus, "count", "faults that raised SIGBUS"));
    }
};

enum class ProcState : std::uint8_t { Running, Zombie };

struct ProcessInfo {
    Pid pid = 0;
    Pid ppid = 0;
    std::string name;
    ProcState state = ProcState::Running;
    int exit_code = 0;            // exit(status) value, when it exited normally
    int term_signal = 0;          // the signal that killed it, or 0
    std::vector<Tid> threads;
    FaultCounters faults;
    std::uint64_t accesses = 0;   // user accesses made (page pieces counted once)
    std::uint64_t cycles = 0;     // translation + fault + shootdown cycles charged
};

struct KernelStats {
    FaultCounters faults;               // all processes, including exited ones
    std::uint64_t accesses = 0;
    std::uint64_t translation_cycles = 0;
    std::uint64_t fault_cycles = 0;     // CostConfig::fault_cycles per handled or fatal fault
    std::uint64_t shootdowns = 0;       // TLB shootdown IPIs sent to other CPUs
    std::uint64_t shootdown_cycles = 0; // CostConfig::shootdown_cycles per IPI
    std::uint64_t local_flushes = 0;    // TLB flushes on the calling CPU
    std::uint64_t lazy_flushes = 0;     // ASID flushes deferred to the next switch-in
    std::uint64_t context_switches = 0;
    std::uint64_t processes_created = 0;
    std::uint64_t processes_exited = 0;
    std::uint64_t oom_kills = 0;
    // page cache
    std::uint64_t page_cache_pages = 0;     // current
    std::uint64_t page_cache_misses = 0;    // pages read from the host
    std::uint64_t host_bytes_read = 0;
    std::uint64_t writeback_pages = 0;      // dirty pages cleaned (msync, munmap, exit, fsync)
    std::uint64_t host_bytes_written = 0;   // only for writable_paths
    // memory (current, in pages), like /proc/meminfo
    std::uint64_t anon_pages = 0;
    std::uint64_t shmem_pages = 0;
    std::uint64_t page_table_pages = 0;
    std::uint64_t committed_pages = 0;      // Committed_AS
};

template <>
struct StatsFields<KernelStats> {
    static constexpr auto fields() {
        using K = KernelStats;
        return std::make_tuple(
            stat_group("faults", &K::faults, "faults of all processes, exited ones included"),
            stat_counter("accesses", &K::accesses, "count", "user accesses (page pieces counted once)"),
            stat_counter("translation_cycles", &K::translation_cycles, "cycles", "cycles charged for translations"),
            stat_counter("fault_cycles", &K::fault_cycles, "cycles", "cycles charged for handled or fatal faults"),
            stat_counter("shootdowns", &K::shootdowns, "count", "TLB shootdown IPIs sent to other CPUs"),
            stat_counter("shootdown_cycles", &K::shootdown_cycles, "cycles", "cycles charged for shootdown IPIs"),
            stat_counter("local_flushes", &K::local_flushes, "count", "TLB flushes on the calling CPU"),
            stat_counter("lazy_flushes", &K::lazy_flushes, "count", "ASID flushes deferred to the next switch-in"),
            stat_counter("context_switches", &K::context_switches, "count", "context switches"),
            stat_counter("processes_created", &K::processes_created, "count", "processes created"),
            stat_counter("processes_exited", &K::processes_exited, "count", "processes that exited"),
            stat_counter("oom_kills", &K::oom_kills, "count", "processes killed by the OOM killer"),
            stat_gauge("page_cache_pages", &K::page_cache_pages, "pages", "pages in the page cache now"),
            stat_counter("page_cache_misses", &K::page_cache_misses, "pages", "pages read from the host"),
            stat_counter("host_bytes_read", &K::host_bytes_read, "bytes", "bytes read from host files"),
            stat_counter("writeback_pages", &K::writeback_pages, "pages", "dirty pages cleaned"),
            stat_counter("host_bytes_written", &K::host_bytes_written, "bytes", "bytes written to writable host files"),
            stat_gauge("anon_pages", &K::anon_pages, "pages", "anonymous pages now"),
            stat_gauge("shmem_pages", &K::shmem_pages, "pages", "shared-memory pages now"),
            stat_gauge("page_table_pages", &K::page_table_pages, "pages", "page-table pages now"),
            stat_gauge("committed_pages", &K::committed_pages, "pages", "committed address space now (Committed_AS)"));
    }
};

}  // namespace vmlab
