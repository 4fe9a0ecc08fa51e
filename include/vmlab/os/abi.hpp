// The Linux user/kernel ABI the kernel model speaks: system-call results with errno
// values, PROT_/MAP_/MADV_/MS_/MREMAP_/O_ flags and signal codes.
//
// Values are Linux's generic ones (x86-64, arm64 and riscv64 share them). They live in
// namespace vmlab::sys with k-prefixed names so that including <sys/mman.h> or <cerrno>
// next to this header never collides with the C macros.
#pragma once

#include <cstdint>
#include <string>

#include "vmlab/core/types.hpp"

namespace vmlab {

using Pid = int;  // a process id (the tgid); a process's main thread has tid == pid
using Tid = int;  // a thread id

// errno values as Linux returns them (asm-generic/errno-base.h, errno.h).
enum class Errno : std::int32_t {
    None = 0,
    Perm = 1,          // EPERM
    NoEnt = 2,         // ENOENT
    Srch = 3,          // ESRCH
    Intr = 4,          // EINTR
    Io = 5,            // EIO
    NxIo = 6,          // ENXIO
    TooBig = 7,        // E2BIG
    NoExec = 8,        // ENOEXEC
    BadF = 9,          // EBADF
    Child = 10,        // ECHILD
    Again = 11,        // EAGAIN
    NoMem = 12,        // ENOMEM
    Acces = 13,        // EACCES
    Fault = 14,        // EFAULT
    Busy = 16,         // EBUSY
    Exist = 17,        // EEXIST
    NoDev = 19,        // ENODEV
    NotDir = 20,       // ENOTDIR
    IsDir = 21,        // EISDIR
    Inval = 22,        // EINVAL
    NFile = 23,        // ENFILE
    MFile = 24,        // EMFILE
    TxtBsy = 26,       // ETXTBSY
    FBig = 27,         // EFBIG
    NoSpc = 28,        // ENOSPC
    RoFs = 30,         // EROFS
    NameTooLong = 36,  // ENAMETOOLONG
    NoSys = 38,        // ENOSYS
    Overflow = 75,     // EOVERFLOW
    OpNotSupp = 95,    // EOPNOTSUPP
};
const char* errno_name(Errno e);     // "EINVAL"
const char* errno_message(Errno e);  // "Invalid argument" (strerror's text)

struct Unit {
    constexpr bool operator==(const Unit&) const = default;
};

// The result of a system call: a value, or the errno Linux would return. Converts from
// either, so a syscall body reads `return Errno::Inval;` or `return addr;`.
template <class T>
struct [[nodiscard]] SysResult {
    T value{};
    Errno error = Errno::None;

    SysResult() = default;
    SysResult(T v) : value(std::move(v)) {}
    SysResult(Errno e) : error(e) {}

    bool ok() const { return error == Errno::None; }
    explicit operator bool() const { return ok(); }
    const T& operator*() const { return value; }
    const T* operator->() const { return &value; }
};
using SysStatus = SysResult<Unit>;

// A signal as delivered (the fields of siginfo_t the memory system sets).
struct SigInfo {
    int signo = 0;      // 0 = none
    int code = 0;       // si_code
    VirtAddr addr{};    // si_addr, as Linux fills it (0 for SI_KERNEL)
    constexpr bool operator==(const SigInfo&) const = default;
};
const char* signal_name(int signo);              // "SIGSEGV"
const char* si_code_name(int signo, int code);   // "SEGV_ACCERR"
std::string describe(const SigInfo& s);          // "SIGSEGV (SEGV_ACCERR) at 0x7f..."

namespace sys {

// mmap/mprotect protections
inline constexpr int kProtNone = 0x0;
inline constexpr int kProtRead = 0x1;
inline constexpr int kProtWrite = 0x2;
inline constexpr int kProtExec = 0x4;
inline constexpr int kProtSem = 0x8;
inline constexpr int kProtGrowsDown = 0x01000000;
inline constexpr int kProtGrowsUp = 0x02000000;

// mmap flags
inline constexpr int kMapShared = 0x01;
inline constexpr int kMapPrivate = 0x02;
inline constexpr int kMapSharedValidate = 0x03;
inline constexpr int kMapType = 0x0f;
inline constexpr int kMapFixed = 0x10;
inline constexpr int kMapAnonymous = 0x20;
inline constexpr int kMapGrowsDown = 0x0100;
inline constexpr int kMapDenyWrite = 0x0800;
inline constexpr int kMapExecutable = 0x1000;
inline constexpr int kMapLocked = 0x2000;
inline constexpr int kMapNoReserve = 0x4000;
inline constexpr int kMapPopulate = 0x8000;
inline constexpr int kMapNonBlock = 0x10000;
inline constexpr int kMapStack = 0x20000;
inline constexpr int kMapHugeTlb = 0x40000;
inline constexpr int kMapSync = 0x80000;
inline constexpr int kMapFixedNoReplace = 0x100000;

// madvise advice
inline constexpr int kMadvNormal = 0;
inline constexpr int kMadvRandom = 1;
inline constexpr int kMadvSequential = 2;
inline constexpr int kMadvWillNeed = 3;
inline constexpr int kMadvDontNeed = 4;
inline constexpr int kMadvFree = 8;
inline constexpr int kMadvRemove = 9;
inline constexpr int kMadvDontFork = 10;
inline constexpr int kMadvDoFork = 11;
inline constexpr int kMadvMergeable = 12;
inline constexpr int kMadvUnmergeable = 13;
inline constexpr int kMadvHugePage = 14;
inline constexpr int kMadvNoHugePage = 15;
inline constexpr int kMadvDontDump = 16;
inline constexpr int kMadvDoDump = 17;
inline constexpr int kMadvWipeOnFork = 18;
inline constexpr int kMadvKeepOnFork = 19;
inline constexpr int kMadvCold = 20;
inline constexpr int kMadvPageOut = 21;
inline constexpr int kMadvPopulateRead = 22;
inline constexpr int kMadvPopulateWrite = 23;

// msync flags
inline constexpr int kMsAsync = 1;
inline constexpr int kMsInvalidate = 2;
inline constexpr int kMsSync = 4;

// mremap flags
inline constexpr int kMremapMayMove = 1;
inline constexpr int kMremapFixed = 2;
inline constexpr int kMremapDontUnmap = 4;

// mlock2 / mlockall flags
inline constexpr int kMlockOnFault = 1;
inline constexpr int kMclCurrent = 1;
inline constexpr int kMclFuture = 2;
inline constexpr int kMclOnFault = 4;

// open flags (x86-64 / generic values)
inline constexpr int kORdOnly = 0;
inline constexpr int kOWrOnly = 1;
inline constexpr int kORdWr = 2;
inline constexpr int kOAccMode = 3;
inline constexpr int kOCreat = 0100;
inline constexpr int kOExcl = 0200;
inline constexpr int kOTrunc = 01000;
inline constexpr int kOAppend = 02000;

// posix_fadvise advice
inline constexpr int kFadvNormal = 0;
inline constexpr int kFadvRandom = 1;
inline constexpr int kFadvSequential = 2;
inline constexpr int kFadvWillNeed = 3;
inline constexpr int kFadvDontNeed = 4;
inline constexpr int kFadvNoReuse = 5;

// signals and their si_code values
inline constexpr int kSigKill = 9;
inline constexpr int kSigBus = 7;
inline constexpr int kSigSegv = 11;
inline constexpr int kSigChld = 17;
inline constexpr int kSegvMapErr = 1;
inline constexpr int kSegvAccErr = 2;
inline constexpr int kBusAdrAln = 1;
inline constexpr int kBusAdrErr = 2;
inline constexpr int kBusObjErr = 3;
inline constexpr int kSiKernel = 0x80;
inline constexpr int kSiUser = 0;

}  // namespace sys
}  // namespace vmlab
