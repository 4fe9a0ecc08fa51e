// A virtual memory area as user-facing code sees it (/proc/PID/maps, smaps, vmmap).
//
// The kernel keeps its own VMA objects in a balanced tree per address space; these are
// plain copies for reports and tests. vm_flags use Linux's bit values (include/linux/mm.h)
// so that smaps' "VmFlags:" line maps one-to-one.
#pragma once

#include <cstdint>
#include <string>

#include "vmlab/core/types.hpp"

namespace vmlab {

using VmFlags = std::uint64_t;
namespace vm {
inline constexpr VmFlags kRead = 0x00000001;        // rd
inline constexpr VmFlags kWrite = 0x00000002;       // wr
inline constexpr VmFlags kExec = 0x00000004;        // ex
inline constexpr VmFlags kShared = 0x00000008;      // sh
inline constexpr VmFlags kMayRead = 0x00000010;     // mr
inline constexpr VmFlags kMayWrite = 0x00000020;    // mw
inline constexpr VmFlags kMayExec = 0x00000040;     // me
inline constexpr VmFlags kMayShare = 0x00000080;    // ms
inline constexpr VmFlags kGrowsDown = 0x00000100;   // gd
inline constexpr VmFlags kPfnMap = 0x00000400;      // pf
inline constexpr VmFlags kLocked = 0x00002000;      // lo
inline constexpr VmFlags kIo = 0x00004000;          // io
inline constexpr VmFlags kSeqRead = 0x00008000;     // sr
inline constexpr VmFlags kRandRead = 0x00010000;    // rr
inline constexpr VmFlags kDontCopy = 0x00020000;    // dc
inline constexpr VmFlags kDontExpand = 0x00040000;  // de
inline constexpr VmFlags kLockOnFault = 0x00080000; // lf
inline constexpr VmFlags kAccount = 0x00100000;     // ac
inline constexpr VmFlags kNoReserve = 0x00200000;   // nr
inline constexpr VmFlags kHugeTlb = 0x00400000;     // ht
inline constexpr VmFlags kWipeOnFork = 0x02000000;  // wf
inline constexpr VmFlags kDontDump = 0x04000000;    // dd
inline constexpr VmFlags kSoftDirty = 0x08000000;   // sd
inline constexpr VmFlags kMixedMap = 0x10000000;    // mm
inline constexpr VmFlags kHugePage = 0x20000000;    // hg
inline constexpr VmFlags kNoHugePage = 0x40000000;  // nh
inline constexpr VmFlags kMergeable = 0x80000000;   // mg

inline constexpr VmFlags kAccessFlags = kRead | kWrite | kExec;
// Flags that prevent merging with a neighbour (VM_SPECIAL).
inline constexpr VmFlags kSpecial = kIo | kDontExpand | kPfnMap | kMixedMap;
}  // namespace vm

// What backs a VMA.
enum class VmaBacking : std::uint8_t {
    Anonymous,  // private anonymous memory (heap, stack, MAP_ANONYMOUS|MAP_PRIVATE)
    File,       // a host file (or a file created inside the simulation)
    Shmem,      // shared anonymous memory or a memfd (tmpfs-like, no backing store)
};

struct VmaInfo {
    VirtAddr start{};
    VirtAddr end{};            // exclusive
    VmFlags flags = 0;
    VmaBacking backing = VmaBacking::Anonymous;
    std::uint64_t offset = 0;  // file offset of `start` in bytes (anonymous: 0 as /proc shows)
    std::string path;          // maps' pathname column for file/shmem VMAs:
                               // "/usr/lib/x86_64-linux-gnu/libc.so.6", "/dev/zero (deleted)",
                               // "/memfd:name (deleted)"
    std::uint32_t dev_major = 0, dev_minor = 0;
    std::uint64_t inode = 0;
    std::string name;          // "[heap]", "[stack]", "[vdso]", or an anon name; empty otherwise
    std::uint64_t minor_faults = 0, major_faults = 0;  // faults handled in this VMA

    std::uint64_t size() const { return end - start; }
    bool shared() const { return (flags & vm::kMayShare) != 0; }
    // The maps permission column: "r-xp", "rw-s".
    std::string perms() const;
};

}  // namespace vmlab
