// Plain descriptions of a process that reports read without the kernel model: its
// address-space layout (MmLayout). Process states, faults and memory figures are in
// os/stats.hpp. Filled by Kernel::layout, Kernel::process, Kernel::memory.
#pragma once

#include <cstdint>

#include "vmlab/core/types.hpp"
#include "vmlab/os/stats.hpp"

namespace vmlab {

// What the address space looks like from the outside (the fields of mm_struct).
struct MmLayout {
    VirtAddr mmap_base{};
    VirtAddr start_brk{}, brk{};
    VirtAddr start_stack{};     // the initial stack pointer area ("[stack]" is the VMA holding it)
    VirtAddr stack_top{};
    VirtAddr start_code{}, end_code{}, start_data{}, end_data{};
    VirtAddr arg_start{}, arg_end{}, env_start{}, env_end{};
    std::uint64_t task_size = 0;
    Asid asid{};
};

}  // namespace vmlab
