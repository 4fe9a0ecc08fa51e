// The kernel model's tunables, named after the Linux sysctls and rlimits they mirror.
// Defaults are those of a stock Linux 6.x x86-64 system (except ASLR, off by default so
// that addresses in examples are stable; turn it on with randomize_va_space = 2).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "vmlab/core/result.hpp"
#include "vmlab/os/abi.hpp"

namespace vmlab {

struct PagingGeometry;

// vm.overcommit_memory
enum class OvercommitMode : std::uint8_t {
    Heuristic = 0,  // refuse only a single request larger than RAM + swap
    Always = 1,     // never refuse
    Never = 2,      // strict: committed <= swap + RAM * overcommit_ratio / 100
};

struct KernelConfig {
    // Fault-around (mm/memory.c fault_around_bytes): on a read fault of a file page, also
    // map up to this many bytes of already-cached pages around it. Rounded down to a
    // power-of-two number of pages; 0 or one page disables it.
    std::uint64_t fault_around_bytes = 65536;
    // Read-around on a major fault of a file mapping (mm/filemap.c do_sync_mmap_readahead,
    // the bdi's ra_pages = 128 KiB): that many bytes centred on the fault are read from
    // the host file into the page cache. 0 = read only the faulting page.
    std::uint64_t read_around_bytes = 131072;

    std::uint64_t stack_rlimit = 8ull << 20;       // RLIMIT_STACK (bytes)
    std::uint64_t stack_guard_gap_pages = 256;     // stack_guard_gap (mm/mmap.c), in pages
    std::uint64_t stack_expand_bytes = 128 << 10;  // initial stack VMA beyond the argument pages (fs/exec.c)
    std::uint64_t mmap_min_addr = 65536;           // vm.mmap_min_addr
    std::uint64_t mmap_min_gap = 128ull << 20;     // mm/util.c MIN_GAP: least room left for the stack
    std::uint64_t max_map_count = 65530;           // vm.max_map_count
    std::uint64_t memlock_rlimit = 8ull << 20;     // RLIMIT_MEMLOCK (bytes)
    std::uint64_t data_rlimit = ~0ull;             // RLIMIT_DATA (bytes; ~0 = unlimited)
    std::uint64_t as_rlimit = ~0ull;               // RLIMIT_AS (bytes; ~0 = unlimited)
    unsigned nofile_rlimit = 1024;                 // RLIMIT_NOFILE

    OvercommitMode overcommit = OvercommitMode::Heuristic;  // vm.overcommit_memory
    unsigned overcommit_ratio = 50;                          // vm.overcommit_ratio (percent)

    // kernel.randomize_va_space: 0 off, 1 stack/mmap base, 2 also the brk start.
    // Random offsets come from the simulation's seeded generator.
    unsigned randomize_va_space = 0;
    unsigned mmap_rnd_bits = 28;    // vm.mmap_rnd_bits: pages of mmap_base randomization
    unsigned stack_rnd_bits = 22;   // x86-64 STACK_RND_MASK: pages of stack-top randomization
    std::uint64_t brk_rnd_bytes = 1ull << 30;   // arch_randomize_brk range (x86-64: 1 GiB)

    // Top of user space. 0 = derived from the paging format (x86-64: 2^47 - 4 KiB,
    // LA57: 2^56 - 4 KiB, AArch64: 2^va_bits, RISC-V SvN: 2^(N-1), i386: 3 GiB).
    std::uint64_t task_size = 0;

    // Scheduler: accesses a thread runs before the CPU's round-robin moves on.
    std::uint64_t quantum = 10000;
    Pid first_pid = 1000;

    // Host paths (files, or directories covering everything below them) to which the
    // page cache may write back: MAP_SHARED stores, pwrite and ftruncate reach the host
    // file only for these. Other files are modified in the simulated page cache only.
    std::vector<std::string> writable_paths;

    Status validate() const;
};

// The top of user space for a paging format, as Linux defines TASK_SIZE for that ISA.
std::uint64_t default_task_size(const PagingGeometry& geo);

}  // namespace vmlab
