// The ABI constants must equal the host's C library values (this machine runs Linux).
#include <gtest/gtest.h>

#include <cerrno>
#include <csignal>
#include <fcntl.h>
#include <sys/mman.h>

#include "vmlab/os/abi.hpp"
#include "vmlab/os/kernel_config.hpp"
#include "vmlab/sim/simulation.hpp"
#include "vmlab/os/stats.hpp"
#include "vmlab/os/vma.hpp"
#include "vmlab/hw/paging.hpp"

using namespace vmlab;

TEST(OsAbi, ErrnoValuesAreLinuxs) {
    EXPECT_EQ(static_cast<int>(Errno::Perm), EPERM);
    EXPECT_EQ(static_cast<int>(Errno::NoEnt), ENOENT);
    EXPECT_EQ(static_cast<int>(Errno::BadF), EBADF);
    EXPECT_EQ(static_cast<int>(Errno::Child), ECHILD);
    EXPECT_EQ(static_cast<int>(Errno::Again), EAGAIN);
    EXPECT_EQ(static_cast<int>(Errno::NoMem), ENOMEM);
    EXPECT_EQ(static_cast<int>(Errno::Acces), EACCES);
    EXPECT_EQ(static_cast<int>(Errno::Fault), EFAULT);
    EXPECT_EQ(static_cast<int>(Errno::Busy), EBUSY);
    EXPECT_EQ(static_cast<int>(Errno::Exist), EEXIST);
    EXPECT_EQ(static_cast<int>(Errno::NoDev), ENODEV);
    EXPECT_EQ(static_cast<int>(Errno::IsDir), EISDIR);
    EXPECT_EQ(static_cast<int>(Errno::Inval), EINVAL);
    EXPECT_EQ(static_cast<int>(Errno::MFile), EMFILE);
    EXPECT_EQ(static_cast<int>(Errno::NoSys), ENOSYS);
    EXPECT_EQ(static_cast<int>(Errno::Overflow), EOVERFLOW);
    EXPECT_EQ(static_cast<int>(Errno::OpNotSupp), EOPNOTSUPP);
    EXPECT_STREQ(errno_name(Errno::Inval), "EINVAL");
    EXPECT_STREQ(errno_message(Errno::NoMem), "Cannot allocate memory");
}

TEST(OsAbi, MmapConstantsAreLinuxs) {
    EXPECT_EQ(sys::kProtRead, PROT_READ);
    EXPECT_EQ(sys::kProtWrite, PROT_WRITE);
    EXPECT_EQ(sys::kProtExec, PROT_EXEC);
    EXPECT_EQ(sys::kProtGrowsDown, PROT_GROWSDOWN);
    EXPECT_EQ(sys::kMapShared, MAP_SHARED);
    EXPECT_EQ(sys::kMapPrivate, MAP_PRIVATE);
    EXPECT_EQ(sys::kMapSharedValidate, MAP_SHARED_VALIDATE);
    EXPECT_EQ(sys::kMapFixed, MAP_FIXED);
    EXPECT_EQ(sys::kMapAnonymous, MAP_ANONYMOUS);
    EXPECT_EQ(sys::kMapGrowsDown, MAP_GROWSDOWN);
    EXPECT_EQ(sys::kMapLocked, MAP_LOCKED);
    EXPECT_EQ(sys::kMapNoReserve, MAP_NORESERVE);
    EXPECT_EQ(sys::kMapPopulate, MAP_POPULATE);
    EXPECT_EQ(sys::kMapStack, MAP_STACK);
    EXPECT_EQ(sys::kMapFixedNoReplace, MAP_FIXED_NOREPLACE);
    EXPECT_EQ(sys::kMadvDontNeed, MADV_DONTNEED);
    EXPECT_EQ(sys::kMadvFree, MADV_FREE);
    EXPECT_EQ(sys::kMadvWillNeed, MADV_WILLNEED);
    EXPECT_EQ(sys::kMadvHugePage, MADV_HUGEPAGE);
    EXPECT_EQ(sys::kMadvNoHugePage, MADV_NOHUGEPAGE);
    EXPECT_EQ(sys::kMadvPageOut, MADV_PAGEOUT);
    EXPECT_EQ(sys::kMadvCold, MADV_COLD);
    EXPECT_EQ(sys::kMadvDontFork, MADV_DONTFORK);
    EXPECT_EQ(sys::kMadvWipeOnFork, MADV_WIPEONFORK);
    EXPECT_EQ(sys::kMsAsync, MS_ASYNC);
    EXPECT_EQ(sys::kMsSync, MS_SYNC);
    EXPECT_EQ(sys::kMsInvalidate, MS_INVALIDATE);
    EXPECT_EQ(sys::kMremapMayMove, MREMAP_MAYMOVE);
    EXPECT_EQ(sys::kMremapFixed, MREMAP_FIXED);
    EXPECT_EQ(sys::kMclCurrent, MCL_CURRENT);
    EXPECT_EQ(sys::kMclFuture, MCL_FUTURE);
    EXPECT_EQ(sys::kORdWr, O_RDWR);
    EXPECT_EQ(sys::kOCreat, O_CREAT);
    EXPECT_EQ(sys::kOTrunc, O_TRUNC);
    EXPECT_EQ(sys::kOExcl, O_EXCL);
}

TEST(OsAbi, SignalConstantsAreLinuxs) {
    EXPECT_EQ(sys::kSigSegv, SIGSEGV);
    EXPECT_EQ(sys::kSigBus, SIGBUS);
    EXPECT_EQ(sys::kSigKill, SIGKILL);
    EXPECT_EQ(sys::kSegvMapErr, SEGV_MAPERR);
    EXPECT_EQ(sys::kSegvAccErr, SEGV_ACCERR);
    EXPECT_EQ(sys::kBusAdrErr, BUS_ADRERR);
    EXPECT_EQ(sys::kSiKernel, SI_KERNEL);
    EXPECT_EQ(describe(SigInfo{sys::kSigSegv, sys::kSegvAccErr, VirtAddr{0x7000}}),
              "SIGSEGV (SEGV_ACCERR) at 0x7000");
}

TEST(OsAbi, VmaPermsColumn) {
    VmaInfo v;
    v.flags = vm::kRead | vm::kExec | vm::kMayRead;
    EXPECT_EQ(v.perms(), "r-xp");
    v.flags = vm::kRead | vm::kWrite | vm::kShared | vm::kMayShare;
    EXPECT_EQ(v.perms(), "rw-s");
    v.flags = vm::kMayShare;  // a shared mapping made PROT_NONE keeps 's'
    EXPECT_EQ(v.perms(), "---s");
}

TEST(OsKernelConfig, DefaultsValidateAndBadValuesAreNamed) {
    KernelConfig c;
    EXPECT_TRUE(c.validate());
    EXPECT_EQ(c.fault_around_bytes, 65536u);
    EXPECT_EQ(c.stack_rlimit, 8u << 20);
    EXPECT_EQ(c.stack_guard_gap_pages, 256u);
    EXPECT_EQ(c.mmap_min_addr, 65536u);
    c.randomize_va_space = 3;
    auto r = c.validate();
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("randomize_va_space"), std::string::npos);
    c = KernelConfig{};
    c.writable_paths = {"relative/path"};
    EXPECT_FALSE(c.validate());
}

TEST(OsKernelConfig, TaskSizePerIsa) {
    PagingGeometry g;
    g.isa = "x86-64";
    g.va_bits = 48;
    g.sign_extended = true;
    EXPECT_EQ(default_task_size(g), 0x7ffffffff000u);  // arch/x86/include/asm/page_64_types.h
    g.va_bits = 57;
    EXPECT_EQ(default_task_size(g), (1ull << 56) - 4096);
    g.isa = "riscv";
    g.va_bits = 39;
    EXPECT_EQ(default_task_size(g), 1ull << 38);  // Sv39: TASK_SIZE = 256 GiB
    g.isa = "aarch64";
    g.sign_extended = false;
    g.va_bits = 48;
    g.kernel_base = 0xffff000000000000ull;
    EXPECT_EQ(default_task_size(g), 1ull << 48);
    g.isa = "i386";
    g.va_bits = 32;
    g.kernel_base = 0xc0000000ull;
    EXPECT_EQ(default_task_size(g), 0xc0000000u);
}
