// The kernel's VMA object (vm_area_struct) and what backs it.
#pragma once

#include <cstdint>
#include <memory>
#include <string>

#include "vmlab/core/types.hpp"
#include "vmlab/os/vma.hpp"

namespace vmlab::os {

struct Inode;

struct Vma {
    VirtAddr start{};
    VirtAddr end{};               // exclusive
    VmFlags flags = 0;
    // File offset of `start` in pages; for private anonymous VMAs start >> page shift at
    // creation (as Linux sets vm_pgoff), which decides whether neighbours may merge.
    std::uint64_t pgoff = 0;
    std::shared_ptr<Inode> file;  // file or shmem object; null for private anonymous
    std::uint64_t anon_vma = 0;   // identity of the anon_vma (0 = none yet)
    bool anon_forked = false;     // anon_vma chained to a parent's by fork (not reusable)
    std::string anon_name;        // PR_SET_VMA_ANON_NAME
    std::string special_name;     // "[vdso]", "[vvar]" for mappings an exec plan names
    std::uint64_t min_flt = 0, maj_flt = 0;

    std::uint64_t size() const { return end - start; }
    bool contains(VirtAddr a) const { return start <= a && a < end; }
};

}  // namespace vmlab::os
