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

// ---- names of the constants (os/abi_names.hpp) ---------------------------------------------

#include <sys/resource.h>

#include "vmlab/os/abi_names.hpp"
#include "vmlab/os/kernel.hpp"

TEST(OsAbiNames, FlagNamesParseToLinuxValues) {
    EXPECT_EQ(*sys::parse_flags(sys::map_flags(), "private|anonymous"), MAP_PRIVATE | MAP_ANONYMOUS);
    EXPECT_EQ(*sys::parse_flags(sys::map_flags(), "MAP_SHARED, MAP_FIXED"), MAP_SHARED | MAP_FIXED);
    EXPECT_EQ(*sys::parse_flags(sys::map_flags(), "Private+Anon"), MAP_PRIVATE | MAP_ANONYMOUS);
    EXPECT_EQ(*sys::parse_flags(sys::map_flags(), ""), 0);
    EXPECT_EQ(*sys::parse_flags(sys::map_flags(), "0"), 0);
    EXPECT_EQ(*sys::parse_flags(sys::open_flags(), "O_RDWR|O_CREAT|O_TRUNC"), O_RDWR | O_CREAT | O_TRUNC);
    EXPECT_EQ(*sys::parse_flags(sys::msync_flags(), "ms_async|invalidate"), MS_ASYNC | MS_INVALIDATE);
    EXPECT_EQ(*sys::parse_flags(sys::mremap_flags(), "maymove|fixed"), MREMAP_MAYMOVE | MREMAP_FIXED);
    EXPECT_EQ(*sys::parse_flags(sys::mlockall_flags(), "MCL_CURRENT|MCL_FUTURE"), MCL_CURRENT | MCL_FUTURE);
    EXPECT_EQ(*sys::parse_flags(sys::mlock_flags(), "onfault"), MLOCK_ONFAULT);
    EXPECT_EQ(*sys::parse_one(sys::madvise_advice(), " MADV_DONTNEED "), MADV_DONTNEED);
    EXPECT_EQ(*sys::parse_one(sys::madvise_advice(), "pageout"), MADV_PAGEOUT);
    EXPECT_EQ(*sys::parse_one(sys::fadvise_advice(), "POSIX_FADV_DONTNEED"), POSIX_FADV_DONTNEED);
    EXPECT_EQ(*sys::parse_one(sys::signals(), "SIGSEGV"), SIGSEGV);
    EXPECT_EQ(*sys::parse_one(sys::signals(), "bus"), SIGBUS);
}

TEST(OsAbiNames, ProtectionsAsLettersOrNames) {
    EXPECT_EQ(*sys::parse_prot("rw-"), PROT_READ | PROT_WRITE);
    EXPECT_EQ(*sys::parse_prot("r-x"), PROT_READ | PROT_EXEC);
    EXPECT_EQ(*sys::parse_prot("---"), PROT_NONE);
    EXPECT_EQ(*sys::parse_prot("PROT_READ|PROT_WRITE"), PROT_READ | PROT_WRITE);
    EXPECT_EQ(*sys::parse_prot("none"), PROT_NONE);
    auto bad = sys::parse_prot("rwz");
    ASSERT_FALSE(bad);
    EXPECT_NE(bad.error().message.find("unknown protection 'rwz'"), std::string::npos);
}

TEST(OsAbiNames, UnknownNamesSuggestTheNearest) {
    auto f = sys::parse_flags(sys::map_flags(), "private|anonymous|fixd");
    ASSERT_FALSE(f);
    EXPECT_EQ(f.error().message, "unknown mmap flag 'fixd'; did you mean 'fixed'?");
    auto a = sys::parse_one(sys::madvise_advice(), "dontneeed");
    ASSERT_FALSE(a);
    EXPECT_EQ(a.error().message, "unknown madvise advice 'dontneeed'; did you mean 'dontneed'?");
    // parse_one takes exactly one name.
    EXPECT_FALSE(sys::parse_one(sys::signals(), "segv|bus"));
    auto r = sys::parse_one(sys::rlimits(), "stak");
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().message, "unknown resource 'stak'; did you mean 'stack'?");
}

TEST(OsAbiNames, ResourceLimitNames) {
    EXPECT_EQ(*sys::parse_one(sys::rlimits(), "RLIMIT_STACK"), static_cast<int>(Rlimit::Stack));
    EXPECT_EQ(*sys::parse_one(sys::rlimits(), "rlimit_nofile"), static_cast<int>(Rlimit::Nofile));
    EXPECT_EQ(*sys::parse_one(sys::rlimits(), "as"), static_cast<int>(Rlimit::As));
    EXPECT_EQ(*sys::parse_one(sys::rlimits(), "Memlock"), static_cast<int>(Rlimit::Memlock));
    EXPECT_EQ(*sys::parse_one(sys::rlimits(), "data"), static_cast<int>(Rlimit::Data));
    EXPECT_EQ(sys::rlimits().names.size(), 5u);
}

TEST(OsAbiNames, EveryNameHasItsLinuxValue) {
    // Each table's canonical names, checked against the C library's constants by name.
    const std::pair<const sys::FlagSet*, std::vector<std::pair<std::string, int>>> expected[] = {
        {&sys::prot_flags(), {{"read", PROT_READ}, {"write", PROT_WRITE}, {"exec", PROT_EXEC}, {"none", PROT_NONE},
                              {"growsdown", PROT_GROWSDOWN}, {"growsup", PROT_GROWSUP}}},
        {&sys::map_flags(), {{"shared", MAP_SHARED}, {"private", MAP_PRIVATE}, {"fixed", MAP_FIXED},
                             {"anonymous", MAP_ANONYMOUS}, {"anon", MAP_ANONYMOUS}, {"populate", MAP_POPULATE},
                             {"noreserve", MAP_NORESERVE}, {"locked", MAP_LOCKED}, {"growsdown", MAP_GROWSDOWN},
                             {"stack", MAP_STACK}, {"hugetlb", MAP_HUGETLB},
                             {"fixed_noreplace", MAP_FIXED_NOREPLACE}, {"shared_validate", MAP_SHARED_VALIDATE}}},
        {&sys::madvise_advice(), {{"normal", MADV_NORMAL}, {"random", MADV_RANDOM}, {"sequential", MADV_SEQUENTIAL},
                                  {"willneed", MADV_WILLNEED}, {"dontneed", MADV_DONTNEED}, {"free", MADV_FREE},
                                  {"remove", MADV_REMOVE}, {"dontfork", MADV_DONTFORK}, {"dofork", MADV_DOFORK},
                                  {"hugepage", MADV_HUGEPAGE}, {"nohugepage", MADV_NOHUGEPAGE},
                                  {"wipeonfork", MADV_WIPEONFORK}, {"cold", MADV_COLD}}},
        {&sys::open_flags(), {{"rdonly", O_RDONLY}, {"wronly", O_WRONLY}, {"rdwr", O_RDWR}, {"creat", O_CREAT},
                              {"excl", O_EXCL}, {"trunc", O_TRUNC}, {"append", O_APPEND}}},
        {&sys::signals(), {{"kill", SIGKILL}, {"bus", SIGBUS}, {"segv", SIGSEGV}, {"chld", SIGCHLD}}},
    };
    for (const auto& [set, names] : expected)
        for (const auto& [name, value] : names) {
            auto v = sys::parse_one(*set, name);
            ASSERT_TRUE(v) << set->what << " " << name;
            EXPECT_EQ(*v, value) << set->what << " " << name;
        }
    EXPECT_STREQ(sys::map_flags().name_of(MAP_ANONYMOUS), "anonymous");
    EXPECT_EQ(sys::signals().name_of(12345), nullptr);
}
