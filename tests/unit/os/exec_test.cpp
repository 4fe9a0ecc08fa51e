// Kernel::exec applies an exec plan: the address space afterwards is the one the real
// process has at its entry point (compared live with a ptraced run of the same binary,
// ASLR off), the initial stack reads back through the MMU, file pages come from the
// host file, and exit releases everything.
#include <gtest/gtest.h>

#include <sys/personality.h>
#include <sys/ptrace.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "support/os_fixture.hpp"
#include "vmlab/os/exec_plan.hpp"

using namespace vmlab;
using namespace vmlab::test;

namespace {

struct Line {
    std::uint64_t start = 0, end = 0;
    std::string perms, path;
    std::uint64_t offset = 0;
    bool operator==(const Line&) const = default;
};
std::ostream& operator<<(std::ostream& os, const Line& l) {
    return os << fmt::format("{:x}-{:x} {} {:08x} {}", l.start, l.end, l.perms, l.offset, l.path);
}

std::vector<Line> parse_maps(const std::string& text) {
    std::vector<Line> out;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        Line l;
        char perms[8] = {};
        unsigned long long s, e, off;
        int name_at = 0;
        if (std::sscanf(line.c_str(), "%llx-%llx %4s %llx %*s %*s %n", &s, &e, perms, &off, &name_at) < 4) continue;
        l.start = s, l.end = e, l.perms = perms, l.offset = off;
        if (name_at > 0 && name_at <= static_cast<int>(line.size())) l.path = line.substr(static_cast<std::size_t>(name_at));
        while (!l.path.empty() && l.path.back() == ' ') l.path.pop_back();
        if (l.path == "[vsyscall]") continue;  // above TASK_SIZE, not part of the model
        if (l.path.empty() || l.path[0] == '[') l.offset = 0;
        out.push_back(l);
    }
    return out;
}

// /proc/PID/maps of `argv` stopped at the executable's entry point, ASLR off; "" if ptrace
// is not available.
std::string real_maps_at_entry(const std::vector<std::string>& argv, const std::vector<std::string>& envp,
                               std::uint64_t entry) {
    const pid_t pid = ::fork();
    if (pid < 0) return {};
    if (pid == 0) {
        ::personality(ADDR_NO_RANDOMIZE);
        ::ptrace(PTRACE_TRACEME, 0, nullptr, nullptr);
        std::vector<char*> a, e;
        for (auto& s : argv) a.push_back(const_cast<char*>(s.c_str()));
        for (auto& s : envp) e.push_back(const_cast<char*>(s.c_str()));
        a.push_back(nullptr);
        e.push_back(nullptr);
        ::execve(argv[0].c_str(), a.data(), e.data());
        ::_exit(127);
    }
    int st = 0;
    std::string maps;
    if (::waitpid(pid, &st, 0) == pid && WIFSTOPPED(st)) {
        errno = 0;
        const long word = ::ptrace(PTRACE_PEEKTEXT, pid, reinterpret_cast<void*>(entry), nullptr);
        if (errno == 0) {
            const long trap = (word & ~0xffL) | 0xcc;  // int3 at the entry point
            ::ptrace(PTRACE_POKETEXT, pid, reinterpret_cast<void*>(entry), reinterpret_cast<void*>(trap));
            ::ptrace(PTRACE_CONT, pid, nullptr, nullptr);
            if (::waitpid(pid, &st, 0) == pid && WIFSTOPPED(st) && WSTOPSIG(st) == SIGTRAP) {
                std::ifstream in("/proc/" + std::to_string(pid) + "/maps");
                maps.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
            }
        }
    }
    ::kill(pid, SIGKILL);
    ::waitpid(pid, &st, 0);
    return maps;
}

std::vector<Line> sim_maps(Kernel& k, Pid pid) {
    std::vector<Line> out;
    for (const auto& v : k.maps(pid)) {
        Line l{v.start.value, v.end.value, v.perms(), v.path.empty() ? v.name : v.path, v.offset};
        if (l.path.empty() || l.path[0] == '[') l.offset = 0;
        out.push_back(l);
    }
    return out;
}

}  // namespace

TEST(OsExec, MapsAtEntryMatchTheRealProcess) {
    for (const std::string exe : {"/usr/bin/true", "/usr/bin/ls"}) {
        if (!std::filesystem::exists(exe)) continue;
        auto sim = make_sim();
        ASSERT_TRUE(sim);
        Kernel& k = sim->kernel();
        const std::vector<std::string> argv = {exe, "-l"}, envp = {"LANG=C", "HOME=/nonexistent"};
        auto plan = plan_exec(exe, argv, envp, exec_options_from(k.config(), k.task_size(), k.page_size(), &sim->rng()));
        ASSERT_TRUE(plan) << plan.error().str();
        const Pid p = *k.spawn({.name = "sh"});
        auto r = k.exec(p, *plan);
        ASSERT_TRUE(r.ok()) << errno_name(r.error);
        EXPECT_EQ(k.process(p)->name, std::filesystem::path(exe).filename().string());
        const std::string real = real_maps_at_entry(argv, envp, plan->exe_entry.value);
        if (real.empty()) GTEST_SKIP() << "ptrace is not available";
        // File mappings and the kernel's special mappings are exactly the real ones; each
        // anonymous mapping lies inside a real one of the same protection (ld.so and the
        // libraries' constructors allocate more before the entry point, which a plan does
        // not model).
        const auto mine = sim_maps(k, p), theirs = parse_maps(real);
        auto named = [](const std::vector<Line>& v) {
            std::vector<Line> out;
            for (const auto& l : v)
                if (!l.path.empty() && l.path != "[heap]") out.push_back(l);
            return out;
        };
        EXPECT_EQ(named(mine), named(theirs)) << exe;
        for (const auto& l : mine) {
            if (!l.path.empty()) continue;
            bool covered = false;
            for (const auto& r2 : theirs)
                if (r2.path.empty() && r2.start <= l.start && r2.end >= l.end && r2.perms == l.perms) covered = true;
            EXPECT_TRUE(covered) << exe << ": anonymous " << l << " is not in the real process";
        }
    }
}

TEST(OsExec, StackFileBytesAndExit) {
    const std::string exe = "/usr/bin/true";
    if (!std::filesystem::exists(exe)) GTEST_SKIP() << exe << " is not installed";
    auto sim = make_sim();
    ASSERT_TRUE(sim);
    Kernel& k = sim->kernel();
    const std::uint64_t free0 = k.free_frames();
    auto plan = plan_exec(exe, {"true", "abc"}, {"X=1"}, exec_options_from(k.config(), k.task_size(), k.page_size(), &sim->rng()));
    ASSERT_TRUE(plan);
    const Pid p = *k.spawn({.name = "sh"});
    ASSERT_TRUE(k.exec(p, *plan).ok());
    // argc, argv[0] and argv[1] through the MMU at the initial stack pointer.
    const VirtAddr sp = plan->stack.sp;
    std::uint64_t argc = 0, argv0 = 0, argv1 = 0;
    ASSERT_TRUE(sim->read_u64(p, sp, argc).ok);
    ASSERT_TRUE(sim->read_u64(p, sp + 8, argv0).ok);
    ASSERT_TRUE(sim->read_u64(p, sp + 16, argv1).ok);
    EXPECT_EQ(argc, 2u);
    std::string s;
    for (std::uint64_t a = argv1;; ++a) {
        std::uint64_t c = 0;
        ASSERT_TRUE(sim->read_uint(p, VirtAddr{a}, 1, c).ok);
        if (!c) break;
        s += static_cast<char>(c);
    }
    EXPECT_EQ(s, "abc");
    // The executable's first page is the ELF header of the host file.
    const ExecObject* obj = plan->object(plan->path);
    ASSERT_TRUE(obj);
    std::uint8_t magic[4] = {};
    ASSERT_TRUE(sim->read(p, obj->map_start, magic).ok);
    EXPECT_EQ(std::string(reinterpret_cast<char*>(magic), 4), "\x7f" "ELF");
    // The faults exec's own stack writes took are not the process's.
    EXPECT_EQ(k.layout(p)->start_stack, sp);
    // exit returns every frame (page-cache pages of the mapped files stay cached until
    // they are dropped, as on Linux).
    ASSERT_TRUE(k.exit_group(p, 0).ok());
    k.drop_caches();
    EXPECT_EQ(k.free_frames(), free0);
}
