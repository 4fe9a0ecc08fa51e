#include "vmlab/os/abi.hpp"

#include <fmt/format.h>

#include "vmlab/os/stats.hpp"
#include "vmlab/os/vma.hpp"

namespace vmlab {

namespace {
struct ErrnoText {
    Errno e;
    const char* name;
    const char* message;
};
constexpr ErrnoText kErrnos[] = {
    {Errno::None, "0", "Success"},
    {Errno::Perm, "EPERM", "Operation not permitted"},
    {Errno::NoEnt, "ENOENT", "No such file or directory"},
    {Errno::Srch, "ESRCH", "No such process"},
    {Errno::Intr, "EINTR", "Interrupted system call"},
    {Errno::Io, "EIO", "Input/output error"},
    {Errno::NxIo, "ENXIO", "No such device or address"},
    {Errno::TooBig, "E2BIG", "Argument list too long"},
    {Errno::NoExec, "ENOEXEC", "Exec format error"},
    {Errno::BadF, "EBADF", "Bad file descriptor"},
    {Errno::Child, "ECHILD", "No child processes"},
    {Errno::Again, "EAGAIN", "Resource temporarily unavailable"},
    {Errno::NoMem, "ENOMEM", "Cannot allocate memory"},
    {Errno::Acces, "EACCES", "Permission denied"},
    {Errno::Fault, "EFAULT", "Bad address"},
    {Errno::Busy, "EBUSY", "Device or resource busy"},
    {Errno::Exist, "EEXIST", "File exists"},
    {Errno::NoDev, "ENODEV", "No such device"},
    {Errno::NotDir, "ENOTDIR", "Not a directory"},
    {Errno::IsDir, "EISDIR", "Is a directory"},
    {Errno::Inval, "EINVAL", "Invalid argument"},
    {Errno::NFile, "ENFILE", "Too many open files in system"},
    {Errno::MFile, "EMFILE", "Too many open files"},
    {Errno::TxtBsy, "ETXTBSY", "Text file busy"},
    {Errno::FBig, "EFBIG", "File too large"},
    {Errno::NoSpc, "ENOSPC", "No space left on device"},
    {Errno::RoFs, "EROFS", "Read-only file system"},
    {Errno::NameTooLong, "ENAMETOOLONG", "File name too long"},
    {Errno::NoSys, "ENOSYS", "Function not implemented"},
    {Errno::Overflow, "EOVERFLOW", "Value too large for defined data type"},
    {Errno::OpNotSupp, "EOPNOTSUPP", "Operation not supported"},
};
const ErrnoText* find_errno(Errno e) {
    for (const auto& t : kErrnos)
        if (t.e == e) return &t;
    return nullptr;
}
}  // namespace

const char* errno_name(Errno e) {
    const auto* t = find_errno(e);
    return t ? t->name : "E?";
}
const char* errno_message(Errno e) {
    const auto* t = find_errno(e);
    return t ? t->message : "Unknown error";
}

const char* signal_name(int signo) {
    switch (signo) {
        case 0: return "none";
        case sys::kSigBus: return "SIGBUS";
        case sys::kSigKill: return "SIGKILL";
        case sys::kSigSegv: return "SIGSEGV";
        case sys::kSigChld: return "SIGCHLD";
        default: return "SIG?";
    }
}

const char* si_code_name(int signo, int code) {
    if (code == sys::kSiKernel) return "SI_KERNEL";
    if (code == sys::kSiUser) return "SI_USER";
    if (signo == sys::kSigSegv) {
        if (code == sys::kSegvMapErr) return "SEGV_MAPERR";
        if (code == sys::kSegvAccErr) return "SEGV_ACCERR";
    }
    if (signo == sys::kSigBus) {
        if (code == sys::kBusAdrAln) return "BUS_ADRALN";
        if (code == sys::kBusAdrErr) return "BUS_ADRERR";
        if (code == sys::kBusObjErr) return "BUS_OBJERR";
    }
    return "?";
}

std::string describe(const SigInfo& s) {
    if (s.signo == 0) return "no signal";
    return fmt::format("{} ({}) at {:#x}", signal_name(s.signo), si_code_name(s.signo, s.code), s.addr.value);
}

std::string VmaInfo::perms() const {
    std::string p = "----";
    if (flags & vm::kRead) p[0] = 'r';
    if (flags & vm::kWrite) p[1] = 'w';
    if (flags & vm::kExec) p[2] = 'x';
    p[3] = (flags & vm::kMayShare) ? 's' : 'p';
    return p;
}

void MemCounters::add(const MemCounters& o) {
    size += o.size;
    rss += o.rss;
    pss_fp += o.pss_fp;
    pss_dirty_fp += o.pss_dirty_fp;
    pss_anon_fp += o.pss_anon_fp;
    pss_file_fp += o.pss_file_fp;
    pss_shmem_fp += o.pss_shmem_fp;
    shared_clean += o.shared_clean;
    shared_dirty += o.shared_dirty;
    private_clean += o.private_clean;
    private_dirty += o.private_dirty;
    referenced += o.referenced;
    anonymous += o.anonymous;
    lazyfree += o.lazyfree;
    swap += o.swap;
    swap_pss_fp += o.swap_pss_fp;
    locked_fp += o.locked_fp;
}

void FaultCounters::add(const FaultCounters& o) {
    minor += o.minor;
    major += o.major;
    zero_page += o.zero_page;
    anon_new += o.anon_new;
    cow_copy += o.cow_copy;
    cow_reuse += o.cow_reuse;
    file_read += o.file_read;
    file_cow += o.file_cow;
    shared_write += o.shared_write;
    fault_around += o.fault_around;
    stack_growth += o.stack_growth;
    spurious += o.spurious;
    sigsegv += o.sigsegv;
    sigbus += o.sigbus;
}

}  // namespace vmlab
