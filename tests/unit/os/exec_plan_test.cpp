// The exec planner against the real thing: the same binary is started for real under
// ptrace with ASLR off (personality ADDR_NO_RANDOMIZE, as `setarch -R`), stopped right
// after execve and again at its entry point (after ld.so), and its /proc/PID/maps,
// auxv, stat and stack are compared with the plan.
#include <gtest/gtest.h>

#include <elf.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/personality.h>
#include <sys/ptrace.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <sstream>

#include "vmlab/core/rng.hpp"
#include "vmlab/os/abi.hpp"
#include "vmlab/os/exec_plan.hpp"
#include "vmlab/os/kernel_config.hpp"

using namespace vmlab;
namespace fs = std::filesystem;

namespace {

struct MapsLine {
    std::uint64_t start = 0, end = 0;
    std::string perms;
    std::uint64_t offset = 0;
    std::string path;
    bool operator==(const MapsLine&) const = default;
};

std::ostream& operator<<(std::ostream& os, const MapsLine& l) {
    return os << fmt::format("{:x}-{:x} {} {:08x} {}", l.start, l.end, l.perms, l.offset, l.path);
}

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

std::vector<MapsLine> parse_maps(const std::string& text) {
    std::vector<MapsLine> out;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        MapsLine m;
        char perms[8] = {};
        unsigned long s, e, off, ino;
        char dev[16];
        int consumed = 0;
        if (std::sscanf(line.c_str(), "%lx-%lx %7s %lx %15s %lu %n", &s, &e, perms, &off, dev, &ino, &consumed) < 6) continue;
        m.start = s;
        m.end = e;
        m.perms = perms;
        m.offset = off;
        m.path = consumed > 0 && consumed <= static_cast<int>(line.size()) ? line.substr(consumed) : "";
        while (!m.path.empty() && m.path.back() == ' ') m.path.pop_back();
        if (m.path == "[vsyscall]") continue;  // the fixed gate page, not a VMA
        out.push_back(m);
    }
    return out;
}

// What a process looks like at its exec stop and at its entry point.
struct Traced {
    std::string skip;  // non-empty: could not trace (reason)
    std::vector<MapsLine> at_exec, at_entry;
    std::vector<AuxEntry> auxv;
    std::vector<std::uint8_t> stack;  // [sp, stack top)
    std::uint64_t sp = 0, rip = 0, stack_top = 0;
    std::vector<std::string> stat;    // /proc/PID/stat fields, 1-based (index 0 unused)
};

std::vector<std::string> stat_fields(const std::string& text) {
    std::vector<std::string> f = {"", "pid", "comm"};
    auto r = text.rfind(')');
    std::istringstream in(text.substr(r + 2));
    std::string w;
    while (in >> w) f.push_back(w);
    return f;
}

Traced trace_exec(const std::string& path, const std::vector<std::string>& argv, const std::vector<std::string>& envp) {
    Traced t;
    std::vector<char*> av, ev;
    for (auto& a : argv) av.push_back(const_cast<char*>(a.c_str()));
    av.push_back(nullptr);
    for (auto& e : envp) ev.push_back(const_cast<char*>(e.c_str()));
    ev.push_back(nullptr);
    pid_t pid = fork();
    if (pid < 0) {
        t.skip = "fork failed";
        return t;
    }
    if (pid == 0) {
        personality(ADDR_NO_RANDOMIZE);
        if (ptrace(PTRACE_TRACEME, 0, nullptr, nullptr) != 0) _exit(126);
        execve(path.c_str(), av.data(), ev.data());
        _exit(127);
    }
    int st = 0;
    waitpid(pid, &st, 0);
    if (!WIFSTOPPED(st)) {
        t.skip = "the traced child did not stop at exec (ptrace not permitted?)";
        return t;
    }
    const std::string proc = "/proc/" + std::to_string(pid);
    t.at_exec = parse_maps(slurp(proc + "/maps"));
    t.stat = stat_fields(slurp(proc + "/stat"));
    std::string aux = slurp(proc + "/auxv");
    for (std::size_t i = 0; i + 16 <= aux.size(); i += 16) {
        AuxEntry e;
        std::memcpy(&e.type, aux.data() + i, 8);
        std::memcpy(&e.value, aux.data() + i + 8, 8);
        t.auxv.push_back(e);
        if (e.type == AT_NULL) break;
    }
    user_regs_struct regs{};
    ptrace(PTRACE_GETREGS, pid, nullptr, &regs);
    t.sp = regs.rsp;
    t.rip = regs.rip;
    for (const auto& m : t.at_exec)
        if (m.path == "[stack]") t.stack_top = m.end;
    if (t.stack_top > t.sp) {
        t.stack.resize(t.stack_top - t.sp);
        int fd = open((proc + "/mem").c_str(), O_RDONLY);
        if (fd >= 0) {
            if (pread(fd, t.stack.data(), t.stack.size(), static_cast<off_t>(t.sp)) != static_cast<ssize_t>(t.stack.size()))
                t.stack.clear();
            close(fd);
        }
    }
    std::uint64_t entry = 0;
    for (auto& e : t.auxv)
        if (e.type == AT_ENTRY) entry = e.value;
    errno = 0;
    long word = ptrace(PTRACE_PEEKTEXT, pid, reinterpret_cast<void*>(entry), nullptr);
    if (errno == 0 &&
        ptrace(PTRACE_POKETEXT, pid, reinterpret_cast<void*>(entry), reinterpret_cast<void*>((word & ~0xffL) | 0xcc)) == 0 &&
        ptrace(PTRACE_CONT, pid, nullptr, nullptr) == 0) {
        waitpid(pid, &st, 0);
        if (WIFSTOPPED(st) && WSTOPSIG(st) == SIGTRAP) t.at_entry = parse_maps(slurp(proc + "/maps"));
    }
    kill(pid, SIGKILL);
    waitpid(pid, &st, 0);
    if (t.at_exec.empty()) t.skip = "could not read the traced process's maps";
    return t;
}

std::string perms_of(int prot) {
    std::string s = "---p";
    if (prot & sys::kProtRead) s[0] = 'r';
    if (prot & sys::kProtWrite) s[1] = 'w';
    if (prot & sys::kProtExec) s[2] = 'x';
    return s;
}

// A small independent model of the VMA list: applies the plan's operations (kernel ones
// only, or all) and merges neighbours as /proc shows them. Like Linux, a private writable
// mapping is charged (VM_ACCOUNT) and stays so after mprotect to read-only, so a RELRO
// range never merges with the read-only segment before it.
std::vector<MapsLine> simulate(const ExecPlan& plan, bool kernel_only) {
    struct Vma {
        MapsLine m;
        bool account = false;
    };
    std::vector<Vma> v;
    const std::uint64_t ps = plan.page_size;
    auto round_up = [&](std::uint64_t x) { return (x + ps - 1) & ~(ps - 1); };
    auto is_file = [](const MapsLine& m) { return !m.path.empty() && m.path[0] != '['; };
    auto cut = [&](std::uint64_t s, std::uint64_t e) {  // remove [s, e), splitting
        std::vector<Vma> out;
        for (auto x : v) {
            if (x.m.end <= s || x.m.start >= e) {
                out.push_back(x);
                continue;
            }
            if (x.m.start < s) {
                Vma lo = x;
                lo.m.end = s;
                out.push_back(lo);
            }
            if (x.m.end > e) {
                Vma hi = x;
                if (is_file(hi.m)) hi.m.offset += e - x.m.start;
                hi.m.start = e;
                out.push_back(hi);
            }
        }
        v = std::move(out);
    };
    for (const auto& op : plan.ops) {
        if (kernel_only && op.actor != ExecActor::Kernel) continue;
        const std::uint64_t s = op.addr.value, e = s + round_up(op.len);
        switch (op.kind) {
            case ExecOpKind::Stack:
            case ExecOpKind::MapFile:
            case ExecOpKind::MapAnon:
            case ExecOpKind::MapSpecial: {
                cut(s, e);
                Vma x;
                x.m = MapsLine{s, e, perms_of(op.prot), op.kind == ExecOpKind::MapFile ? op.offset : 0,
                               op.kind == ExecOpKind::MapAnon ? "" : op.path};
                x.account = (op.prot & sys::kProtWrite) && !(op.flags & sys::kMapShared) && op.kind != ExecOpKind::MapSpecial;
                v.push_back(x);
                break;
            }
            case ExecOpKind::Unmap: cut(s, e); break;
            case ExecOpKind::Protect: {
                std::vector<Vma> inside;
                for (const auto& x0 : v)
                    if (x0.m.start < e && x0.m.end > s) {
                        Vma x = x0;
                        if (x.m.start < s) {
                            if (is_file(x.m)) x.m.offset += s - x.m.start;
                            x.m.start = s;
                        }
                        x.m.end = std::min(x.m.end, e);
                        x.m.perms = perms_of(op.prot);
                        if (op.prot & sys::kProtWrite) x.account = true;
                        inside.push_back(x);
                    }
                cut(s, e);
                for (auto& x : inside) v.push_back(x);
                break;
            }
            case ExecOpKind::Zero: break;
        }
        std::sort(v.begin(), v.end(), [](const Vma& a, const Vma& b) { return a.m.start < b.m.start; });
    }
    std::vector<Vma> merged;
    for (const auto& x : v) {
        if (!merged.empty()) {
            Vma& p = merged.back();
            const bool file = is_file(x.m);
            if (p.m.end == x.m.start && p.m.perms == x.m.perms && p.m.path == x.m.path && p.account == x.account &&
                ((file && p.m.offset + (p.m.end - p.m.start) == x.m.offset) || x.m.path.empty())) {
                p.m.end = x.m.end;
                continue;
            }
        }
        merged.push_back(x);
    }
    std::vector<MapsLine> out;
    for (const auto& x : merged) out.push_back(x.m);
    return out;
}

std::uint64_t aux_value(const std::vector<AuxEntry>& aux, std::uint64_t type) {
    for (const auto& a : aux)
        if (a.type == type) return a.value;
    return ~0ull;
}

// Options whose host-dependent auxv values are those of the traced process.
ExecOptions host_options(const Traced& t) {
    ExecOptions o;
    o.hwcap = aux_value(t.auxv, AT_HWCAP);
    o.hwcap2 = aux_value(t.auxv, AT_HWCAP2);
    o.minsigstksz = aux_value(t.auxv, elf::kAtMinsigstksz);
    o.uid = aux_value(t.auxv, AT_UID);
    o.euid = aux_value(t.auxv, AT_EUID);
    o.gid = aux_value(t.auxv, AT_GID);
    o.egid = aux_value(t.auxv, AT_EGID);
    return o;
}

const std::vector<std::string> kEnv = {"HOME=/nonexistent", "LANG=C", "VMLAB_TEST=exec plan"};

void compare_with_real_process(const std::string& path, const std::vector<std::string>& argv,
                               const std::vector<std::string>& envp = kEnv, bool at_entry = true) {
    if (!fs::exists(path)) GTEST_SKIP() << path << " is not installed";
    Traced t = trace_exec(path, argv, envp);
    if (!t.skip.empty()) GTEST_SKIP() << t.skip;
    auto plan = plan_exec(path, argv, envp, host_options(t));
    ASSERT_TRUE(plan) << plan.error().str();

    // Right after execve: exactly the kernel's operations, addresses included.
    EXPECT_EQ(simulate(*plan, true), t.at_exec) << "kernel part of the plan differs from /proc/PID/maps after execve";
    EXPECT_EQ(plan->entry.value, t.rip);
    EXPECT_EQ(plan->stack.sp.value, t.sp);
    EXPECT_EQ(plan->stack.auxv, t.auxv);

    // The initial stack, byte for byte, except the 16 random bytes of AT_RANDOM.
    ASSERT_EQ(plan->stack.bytes.size(), t.stack.size());
    std::vector<std::uint8_t> mine = plan->stack.bytes, real = t.stack;
    const std::uint64_t r = plan->stack.random.value - plan->stack.sp.value;
    ASSERT_LE(r + 16, mine.size());
    std::fill(mine.begin() + r, mine.begin() + r + 16, 0);
    std::fill(real.begin() + r, real.begin() + r + 16, 0);
    EXPECT_TRUE(mine == real) << "stack image differs";

    // mm fields (/proc/PID/stat: 26 startcode, 27 endcode, 28 startstack, 45 start_data,
    // 46 end_data, 47 start_brk, 48-51 arg_start, arg_end, env_start, env_end).
    ASSERT_GE(t.stat.size(), 52u);
    auto field = [&](int i) { return std::stoull(t.stat[i]); };
    EXPECT_EQ(plan->start_code.value, field(26));
    EXPECT_EQ(plan->end_code.value, field(27));
    EXPECT_EQ(plan->stack.sp.value, field(28));
    EXPECT_EQ(plan->start_data.value, field(45));
    EXPECT_EQ(plan->end_data.value, field(46));
    EXPECT_EQ(plan->start_brk.value, field(47));
    EXPECT_EQ(plan->stack.arg_start.value, field(48));
    EXPECT_EQ(plan->stack.arg_end.value, field(49));
    EXPECT_EQ(plan->stack.env_start.value, field(50));
    EXPECT_EQ(plan->stack.env_end.value, field(51));

    if (!at_entry) return;
    // At the entry point, after ld.so: every object's mappings (files, offsets, permissions,
    // and their layout relative to the object's first mapping) and the objects' order.
    ASSERT_FALSE(t.at_entry.empty()) << "did not stop at the entry point";
    const auto planned = simulate(*plan, false);
    auto by_object = [](const std::vector<MapsLine>& maps) {
        std::map<std::string, std::vector<MapsLine>> m;
        std::vector<std::string> order;
        for (const auto& l : maps) {
            if (l.path.empty() || l.path[0] == '[') continue;
            if (!m.count(l.path)) order.push_back(l.path);
            m[l.path].push_back(l);
        }
        for (auto& [p, lines] : m) {
            const std::uint64_t base = lines.front().start;
            for (auto& l : lines) {
                l.start -= base;
                l.end -= base;
            }
        }
        return std::make_pair(m, order);
    };
    auto [mine_obj, mine_order] = by_object(planned);
    auto [real_obj, real_order] = by_object(t.at_entry);
    EXPECT_EQ(mine_order, real_order) << "objects differ or are in another order";
    for (const auto& [p, lines] : real_obj) EXPECT_EQ(mine_obj[p], lines) << "layout of " << p;
    for (const auto& ob : plan->objects) EXPECT_TRUE(real_obj.count(ob.path)) << ob.path << " planned but not mapped";
    // With ASLR off, ld.so's placement is reproduced too (absolute addresses).
    std::vector<MapsLine> real_files, mine_files;
    for (const auto& l : t.at_entry)
        if (!l.path.empty() && l.path[0] != '[') real_files.push_back(l);
    for (const auto& l : planned)
        if (!l.path.empty() && l.path[0] != '[') mine_files.push_back(l);
    EXPECT_EQ(mine_files, real_files);
    // Every planned anonymous range lies inside an anonymous mapping of the same protection
    // (ld.so's later allocations may extend them).
    for (const auto& l : planned) {
        if (!l.path.empty()) continue;
        bool covered = false;
        for (const auto& r2 : t.at_entry)
            if (r2.path.empty() && r2.start <= l.start && r2.end >= l.end && r2.perms == l.perms) covered = true;
        EXPECT_TRUE(covered) << "planned anonymous " << l << " not found";
    }
}

// An independent reader of the stack image: argc, argv, envp, auxv.
struct ParsedStack {
    std::uint64_t argc = 0;
    std::vector<std::string> argv, envp;
    std::vector<AuxEntry> auxv;
};

std::string str_at(const StackImage& st, std::uint64_t addr) {
    EXPECT_GE(addr, st.sp.value);
    EXPECT_LT(addr, st.top.value);
    if (addr < st.sp.value || addr >= st.top.value) return "<outside>";
    const auto* b = st.bytes.data() + (addr - st.sp.value);
    const auto* e = static_cast<const std::uint8_t*>(std::memchr(b, 0, st.bytes.size() - (addr - st.sp.value)));
    return e ? std::string(reinterpret_cast<const char*>(b), reinterpret_cast<const char*>(e)) : "<unterminated>";
}

ParsedStack parse_stack(const StackImage& st) {
    ParsedStack p;
    std::size_t off = 0;
    auto word = [&]() {
        std::uint64_t w = 0;
        if (off + 8 <= st.bytes.size()) std::memcpy(&w, st.bytes.data() + off, 8);
        off += 8;
        return w;
    };
    p.argc = word();
    for (std::uint64_t i = 0; i < p.argc; ++i) p.argv.push_back(str_at(st, word()));
    EXPECT_EQ(word(), 0u) << "argv not NULL-terminated";
    for (std::uint64_t a; (a = word()) != 0 && off < st.bytes.size();) p.envp.push_back(str_at(st, a));
    while (off < st.bytes.size()) {
        AuxEntry e;
        e.type = word();
        e.value = word();
        p.auxv.push_back(e);
        if (e.type == AT_NULL) break;
    }
    return p;
}

std::string write_temp(const std::string& name, const std::string& bytes, bool exec = true) {
    const fs::path p = fs::temp_directory_path() / fmt::format("vmlab_exec_{}_{}", getpid(), name);
    std::ofstream(p, std::ios::binary) << bytes;
    if (exec) fs::permissions(p, fs::perms::owner_all);
    return p.string();
}

template <class T>
void poke(std::string& bytes, std::size_t off, T v) {
    std::memcpy(bytes.data() + off, &v, sizeof v);
}
template <class T>
T peek(const std::string& bytes, std::size_t off) {
    T v;
    std::memcpy(&v, bytes.data() + off, sizeof v);
    return v;
}

const std::string kTrue = "/bin/true";

}  // namespace

TEST(ExecPlan, TrueMatchesTheRealProcess) { compare_with_real_process(kTrue, {kTrue, "a", "bb"}); }

TEST(ExecPlan, LsMatchesTheRealProcess) {
    compare_with_real_process("/usr/bin/ls", {"ls", "-l", "/"}, {"PATH=/usr/bin", "TERM=dumb"});
}

TEST(ExecPlan, CatMatchesTheRealProcessWithAnEmptyEnvironment) {
    compare_with_real_process("/usr/bin/cat", {"cat"}, {});
}

TEST(ExecPlan, LdLibraryPathIsSearchedFirstAndOtherClassesSkipped) {
    // A directory with a 32-bit "libc.so.6" (skipped, as ld.so skips ELFCLASS32 files) and
    // a second directory with a real copy: the copy is used.
    const fs::path dir = fs::temp_directory_path() / fmt::format("vmlab_llp_{}", getpid());
    fs::create_directories(dir / "a");
    fs::create_directories(dir / "b");
    std::string libc = slurp("/lib/x86_64-linux-gnu/libc.so.6");
    ASSERT_GT(libc.size(), 64u);
    std::string libc32 = libc;
    libc32[EI_CLASS] = ELFCLASS32;
    std::ofstream(dir / "a" / "libc.so.6", std::ios::binary) << libc32;
    std::ofstream(dir / "b" / "libc.so.6", std::ios::binary) << libc;
    const std::vector<std::string> env = {"LD_LIBRARY_PATH=" + (dir / "a").string() + ":" + (dir / "b").string()};
    auto plan = plan_exec(kTrue, {kTrue}, env, ExecOptions{});
    ASSERT_TRUE(plan) << plan.error().str();
    ASSERT_EQ(plan->objects.size(), 3u);
    EXPECT_EQ(plan->objects[2].path, fs::canonical(dir / "b" / "libc.so.6").string());
    EXPECT_EQ(plan->objects[2].found_via, "LD_LIBRARY_PATH");
    // The real ld.so agrees.
    compare_with_real_process(kTrue, {kTrue}, env);
    fs::remove_all(dir);
}

TEST(ExecPlan, RpathAndRunpathWithOriginAgainstTheRealLoader) {
    if (std::system("command -v gcc >/dev/null 2>&1") != 0) GTEST_SKIP() << "no gcc";
    const fs::path dir = fs::temp_directory_path() / fmt::format("vmlab_rpath_{}", getpid());
    fs::create_directories(dir / "lib1");
    fs::create_directories(dir / "lib2");
    std::ofstream(dir / "f.c") << "int f(void) { return 7; }\nint g[5000];\n";
    std::ofstream(dir / "main.c") << "int f(void);\nint main(void) { return f() == 7 ? 0 : 1; }\n";
    const std::string d = dir.string();
    const std::string cmd =
        "cd '" + d + "' && gcc -shared -fPIC -o lib1/libvmf.so f.c && gcc -shared -fPIC -o lib2/libvmf.so f.c"
        " && gcc -o rpath main.c -L lib1 -lvmf -Wl,--disable-new-dtags,-rpath,'$ORIGIN/lib1'"
        " && gcc -o runpath main.c -L lib2 -lvmf -Wl,--enable-new-dtags,-rpath,'$ORIGIN/lib2'";
    ASSERT_EQ(std::system(cmd.c_str()), 0);
    for (const char* which : {"rpath", "runpath"}) {
        const std::string exe = d + "/" + which;
        auto plan = plan_exec(exe, {exe}, {}, ExecOptions{});
        ASSERT_TRUE(plan) << plan.error().str();
        const ExecObject* lib = nullptr;
        for (const auto& o : plan->objects)
            if (o.name == "libvmf.so") lib = &o;
        ASSERT_NE(lib, nullptr);
        EXPECT_EQ(lib->found_via, std::string(which) == "rpath" ? "DT_RPATH" : "DT_RUNPATH");
        EXPECT_EQ(lib->path, (dir / (std::string(which) == "rpath" ? "lib1" : "lib2") / "libvmf.so").string());
        compare_with_real_process(exe, {exe});
    }
    // LD_LIBRARY_PATH comes before DT_RUNPATH but after DT_RPATH.
    const std::vector<std::string> env = {"LD_LIBRARY_PATH=" + d + "/lib1"};
    auto via = [](const ExecPlan& p) {
        for (const auto& o : p.objects)
            if (o.name == "libvmf.so") return o.found_via;
        return std::string("<not loaded>");
    };
    auto run = plan_exec(d + "/runpath", {"x"}, env, ExecOptions{});
    ASSERT_TRUE(run);
    EXPECT_EQ(via(*run), "LD_LIBRARY_PATH");
    compare_with_real_process(d + "/runpath", {"x"}, env);
    auto rp = plan_exec(d + "/rpath", {"x"}, {"LD_LIBRARY_PATH=" + d + "/lib2"}, ExecOptions{});
    ASSERT_TRUE(rp);
    EXPECT_EQ(via(*rp), "DT_RPATH");
    fs::remove_all(dir);
}

// Runs `path` with ASLR off and returns what it prints.
std::string run_no_aslr(const std::string& path) {
    int fds[2];
    if (pipe(fds) != 0) return {};
    pid_t pid = fork();
    if (pid == 0) {
        personality(ADDR_NO_RANDOMIZE);
        dup2(fds[1], 1);
        close(fds[0]);
        char* const argv[] = {const_cast<char*>(path.c_str()), nullptr};
        char* const envp[] = {nullptr};
        execve(path.c_str(), argv, envp);
        _exit(127);
    }
    close(fds[1]);
    std::string out;
    char buf[4096];
    for (ssize_t n; (n = read(fds[0], buf, sizeof buf)) > 0;) out.append(buf, static_cast<std::size_t>(n));
    close(fds[0]);
    int st;
    waitpid(pid, &st, 0);
    return out;
}

// Static binaries (ET_EXEC and static PIE) built at test time: execve maps them without an
// interpreter; libc's startup protects the RELRO range before main, where the program
// prints its own maps.
TEST(ExecPlan, StaticExecutablesMatchTheRealProcess) {
    if (std::system("command -v gcc >/dev/null 2>&1") != 0) GTEST_SKIP() << "no gcc";
    const fs::path dir = fs::temp_directory_path() / fmt::format("vmlab_static_{}", getpid());
    fs::create_directories(dir);
    std::ofstream(dir / "m.c") << "#include <stdio.h>\nint big[3000];\nint main(void) {\n"
                                  "  FILE* f = fopen(\"/proc/self/maps\", \"r\"); char b[512];\n"
                                  "  while (fgets(b, sizeof b, f)) fputs(b, stdout);\n  return big[5];\n}\n";
    const std::string d = dir.string();
    if (std::system(("cd '" + d + "' && gcc -static -no-pie -o exec m.c 2>/dev/null && gcc -static-pie -o pie m.c 2>/dev/null").c_str()) != 0) {
        fs::remove_all(dir);
        GTEST_SKIP() << "no static libc";
    }
    for (const char* which : {"exec", "pie"}) {
        SCOPED_TRACE(which);
        const std::string exe = d + "/" + which;
        auto plan = plan_exec(exe, {exe}, {}, ExecOptions{});
        ASSERT_TRUE(plan) << plan.error().str();
        ASSERT_EQ(plan->objects.size(), 1u);
        EXPECT_EQ(plan->objects[0].elf.type, std::string(which) == "exec" ? elf::kEtExec : elf::kEtDyn);
        EXPECT_EQ(plan->entry, plan->exe_entry);
        compare_with_real_process(exe, {exe}, {}, false);
        std::vector<MapsLine> real_files, mine_files;
        for (const auto& l : parse_maps(run_no_aslr(exe)))
            if (l.path == plan->path) real_files.push_back(l);
        for (const auto& l : simulate(*plan, false))
            if (l.path == plan->path) mine_files.push_back(l);
        EXPECT_FALSE(real_files.empty());
        EXPECT_EQ(mine_files, real_files);
    }
    fs::remove_all(dir);
}

TEST(ExecPlan, StackParsesBack) {
    const std::vector<std::string> argv = {"prog", "", "two words", std::string(300, 'x')};
    const std::vector<std::string> envp = {"A=1", "EMPTY=", "PATH=/bin"};
    ExecOptions o;
    auto plan = plan_exec(kTrue, argv, envp, o);
    ASSERT_TRUE(plan) << plan.error().str();
    const StackImage& st = plan->stack;
    EXPECT_EQ(st.sp.value % 16, 0u);
    EXPECT_EQ(st.top.value, 0x7ffffffff000u);
    EXPECT_EQ(st.bytes.size(), st.top.value - st.sp.value);
    ParsedStack p = parse_stack(st);
    EXPECT_EQ(p.argc, argv.size());
    EXPECT_EQ(p.argv, argv);
    EXPECT_EQ(p.envp, envp);
    EXPECT_EQ(p.auxv, st.auxv);
    ASSERT_FALSE(p.auxv.empty());
    EXPECT_EQ(p.auxv.back().type, AT_NULL);
    EXPECT_EQ(aux_value(p.auxv, AT_PAGESZ), 4096u);
    EXPECT_EQ(aux_value(p.auxv, AT_PHENT), 56u);
    EXPECT_EQ(aux_value(p.auxv, AT_ENTRY), plan->exe_entry.value);
    EXPECT_EQ(aux_value(p.auxv, AT_BASE), plan->objects[1].bias);
    EXPECT_EQ(str_at(st, aux_value(p.auxv, AT_EXECFN)), kTrue);
    EXPECT_EQ(str_at(st, aux_value(p.auxv, AT_PLATFORM)), "x86_64");
    const std::uint64_t rnd = aux_value(p.auxv, AT_RANDOM);
    EXPECT_GE(rnd, st.sp.value);
    EXPECT_LE(rnd + 16, st.top.value);
    // AT_PHDR points at the executable's program headers in its first mapping: the first
    // four bytes there are those of program header 0 in the file.
    const ExecObject& exe = plan->objects[0];
    EXPECT_EQ(aux_value(p.auxv, AT_PHDR), exe.bias + exe.elf.phoff);
    EXPECT_EQ(aux_value(p.auxv, AT_PHNUM), exe.elf.phnum);
    // The strings sit between arg_start and env_end, argv first.
    EXPECT_EQ(str_at(st, st.arg_start.value), "prog");
    EXPECT_EQ(st.env_end.value - st.arg_start.value,
              4 + 1 + 0 + 1 + 9 + 1 + 300 + 1 + 3 + 1 + 6 + 1 + 9 + 1);
    // 8 zero bytes at the very top, below them the filename.
    for (std::size_t i = st.bytes.size() - 8; i < st.bytes.size(); ++i) EXPECT_EQ(st.bytes[i], 0);
    EXPECT_EQ(str_at(st, st.top.value - 8 - kTrue.size() - 1), kTrue);
}

TEST(ExecPlan, EmptyArgvBecomesOneEmptyString) {
    auto plan = plan_exec(kTrue, {}, {}, ExecOptions{});
    ASSERT_TRUE(plan) << plan.error().str();
    ParsedStack p = parse_stack(plan->stack);
    EXPECT_EQ(p.argc, 1u);
    EXPECT_EQ(p.argv, std::vector<std::string>{""});
}

TEST(ExecPlan, ArgumentListTooLong) {
    ExecOptions o;
    auto r = plan_exec(kTrue, {kTrue, std::string(32 * 4096, 'a')}, {}, o);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("MAX_ARG_STRLEN"), std::string::npos) << r.error().message;
    std::vector<std::string> many(100, std::string(30000, 'b'));  // 3 MB > 8 MiB / 4
    r = plan_exec(kTrue, many, {}, o);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().message.find("E2BIG"), std::string::npos) << r.error().message;
}

TEST(ExecPlan, OpsFollowLinuxAndLdSoConventions) {
    auto plan = plan_exec("/usr/bin/ls", {"ls"}, {}, ExecOptions{});
    ASSERT_TRUE(plan) << plan.error().str();
    ASSERT_FALSE(plan->ops.empty());
    EXPECT_EQ(plan->ops.front().kind, ExecOpKind::Stack);
    bool seen_loader = false;
    for (const auto& op : plan->ops) {
        // The kernel's work comes first, then ld.so's.
        if (op.actor == ExecActor::Loader) seen_loader = true;
        else EXPECT_FALSE(seen_loader) << describe(op);
        if (op.kind == ExecOpKind::MapFile || op.kind == ExecOpKind::MapAnon || op.kind == ExecOpKind::Unmap ||
            op.kind == ExecOpKind::Protect) {
            EXPECT_EQ(op.addr.value % 4096, 0u) << describe(op);
            EXPECT_EQ(op.len % 4096, 0u) << describe(op);
        }
        if (op.kind == ExecOpKind::MapFile) {
            EXPECT_EQ(op.offset % 4096, 0u) << describe(op);
        }
    }
    // Each library: one reservation (no MAP_FIXED) with PT_LOAD[0]'s protection first.
    for (const auto& ob : plan->objects) {
        if (ob.role != ExecRole::Library) continue;
        const ExecOp* first = nullptr;
        for (const auto& op : plan->ops)
            if (op.object == ob.path && !first) first = &op;
        ASSERT_NE(first, nullptr);
        EXPECT_EQ(first->kind, ExecOpKind::MapFile);
        EXPECT_EQ(first->flags & sys::kMapFixed, 0);
        EXPECT_EQ(first->prot, ob.elf.segments[ob.elf.loads[0]].prot());
        EXPECT_EQ(first->len, ob.map_end.value - ob.map_start.value);
        EXPECT_EQ(ob.found_via, "ld.so.cache");
    }
    // Load order is breadth-first: ls's DT_NEEDED (libselinux, libc), then libselinux's.
    std::vector<std::string> names;
    for (const auto& ob : plan->objects) names.push_back(fs::path(ob.path).filename().string());
    ASSERT_GE(names.size(), 5u);
    EXPECT_EQ(names[0], "ls");
    EXPECT_EQ(names[1], "ld-linux-x86-64.so.2");
    EXPECT_EQ(names[2], "libselinux.so.1");
    EXPECT_EQ(names[3], "libc.so.6");
    EXPECT_EQ(names[4].rfind("libpcre2-8.so", 0), 0u);
    // The cache is mapped for the search and unmapped at the end.
    EXPECT_EQ(plan->ops.back().kind, ExecOpKind::Unmap);
    EXPECT_EQ(plan->ops.back().what, "ld.so.cache");
}

TEST(ExecPlan, AslrIsDeterministicPerSeedAndKeepsEachObjectsLayout) {
    auto base = plan_exec(kTrue, {kTrue}, {}, ExecOptions{});
    ASSERT_TRUE(base);
    std::set<std::uint64_t> biases;
    for (std::uint64_t seed = 1; seed <= 8; ++seed) {
        Rng rng(seed), rng2(seed);
        ExecOptions o;
        o.randomize_va_space = 2;
        o.rng = &rng;
        auto a = plan_exec(kTrue, {kTrue}, {}, o);
        o.rng = &rng2;
        auto b = plan_exec(kTrue, {kTrue}, {}, o);
        ASSERT_TRUE(a && b);
        ASSERT_EQ(a->ops.size(), b->ops.size());
        for (std::size_t i = 0; i < a->ops.size(); ++i) EXPECT_EQ(a->ops[i].addr, b->ops[i].addr);
        EXPECT_TRUE(a->stack.bytes == b->stack.bytes);
        const ExecObject& exe = a->objects[0];
        biases.insert(exe.bias);
        // ELF_ET_DYN_BASE + up to 2^28 pages, page aligned.
        EXPECT_GE(exe.bias, 0x555555554000u);
        EXPECT_LT(exe.bias, 0x555555554000u + (1ull << 40));
        EXPECT_EQ(exe.bias % 4096, 0u);
        // mmap_base = TASK_SIZE - (8 MiB + 1 MiB + 16 GiB stack randomization) - rnd.
        const std::uint64_t gap = (8ull << 20) + (256ull << 12) + (0x3fffffull << 12);
        EXPECT_LE(a->mmap_base.value, 0x7ffffffff000u - gap);
        EXPECT_GE(a->mmap_base.value, 0x7ffffffff000u - gap - (1ull << 40));
        // The break: after the bss plus a page, within 1 GiB.
        const std::uint64_t bss_end = (exe.map_end.value + 4095) & ~4095ull;
        EXPECT_GE(a->start_brk.value, bss_end + 4096);
        EXPECT_LT(a->start_brk.value, bss_end + 4096 + (1ull << 30));
        EXPECT_EQ(a->stack.sp.value % 16, 0u);
        EXPECT_LE(a->stack.top.value, 0x7ffffffff000u);
        EXPECT_GE(a->stack.top.value, 0x7ffffffff000u - (0x3fffffull << 12) - 8192 - 4096);
        // Relative layout of each object is the one without ASLR.
        ASSERT_EQ(a->objects.size(), base->objects.size());
        for (std::size_t i = 0; i < a->objects.size(); ++i)
            EXPECT_EQ(a->objects[i].map_end.value - a->objects[i].map_start.value,
                      base->objects[i].map_end.value - base->objects[i].map_start.value);
        // AT_RANDOM is filled from the generator.
        const std::uint64_t r = a->stack.random.value - a->stack.sp.value;
        EXPECT_FALSE(std::all_of(a->stack.bytes.begin() + r, a->stack.bytes.begin() + r + 16, [](auto c) { return c == 0; }));
    }
    EXPECT_GT(biases.size(), 4u);
}

TEST(ExecPlan, LdSoCacheMatchesLdconfig) {
    auto c = read_ld_so_cache("/etc/ld.so.cache");
    if (!c) GTEST_SKIP() << c.error().str();
    FILE* f = popen("ldconfig -p 2>/dev/null || /sbin/ldconfig -p", "r");
    ASSERT_NE(f, nullptr);
    std::vector<std::pair<std::string, std::string>> listed;
    std::size_t count = 0;
    char buf[4096];
    bool header = true;
    while (std::fgets(buf, sizeof buf, f)) {
        std::string l(buf);
        if (header) {
            header = false;
            count = std::stoul(l);  // "660 libs found in cache `/etc/ld.so.cache'"
            continue;
        }
        auto arrow = l.find(" => ");
        auto paren = l.find(" (");
        if (arrow == std::string::npos || paren == std::string::npos) continue;
        std::string key = l.substr(0, paren);
        key.erase(0, key.find_first_not_of(" \t"));
        std::string value = l.substr(arrow + 4);
        while (!value.empty() && (value.back() == '\n' || value.back() == ' ')) value.pop_back();
        listed.emplace_back(key, value);
    }
    pclose(f);
    ASSERT_EQ(c->entries.size(), count);
    ASSERT_EQ(listed.size(), count);
    for (std::size_t i = 0; i < count; ++i) {
        EXPECT_EQ(c->entries[i].key, listed[i].first) << i;
        EXPECT_EQ(c->entries[i].value, listed[i].second) << i;
    }
    EXPECT_EQ(c->lookup("libc.so.6", elf::kEmX86_64), "/lib/x86_64-linux-gnu/libc.so.6");
    EXPECT_EQ(c->lookup("libnonexistent.so.42", elf::kEmX86_64), "");
    EXPECT_EQ(ld_so_cache_flags(elf::kEmX86_64), 0x0303);
}

TEST(ExecPlan, BadLdSoCacheIsIgnoredWithANote) {
    const std::string bad = write_temp("badcache", "not a cache at all", false);
    ExecOptions o;
    o.ld_so_cache = bad;
    auto plan = plan_exec(kTrue, {kTrue}, {}, o);
    ASSERT_TRUE(plan) << plan.error().str();
    EXPECT_EQ(plan->objects.back().found_via, "default path");
    ASSERT_FALSE(plan->notes.empty());
    EXPECT_NE(plan->notes[0].find("ignored"), std::string::npos);
    auto direct = read_ld_so_cache(bad);
    ASSERT_FALSE(direct);
    EXPECT_EQ(direct.error().where.file, bad);
    fs::remove(bad);
}

TEST(ExecPlan, SixteenKilobytePagesRejectAFourKilobyteBinary) {
    ExecOptions o;
    o.page_size = 16384;
    o.task_size = 1ull << 47;
    // /bin/true's data segment has p_offset 0x7d70 and p_vaddr 0x8d70: not congruent
    // modulo 16 KiB, so it cannot be mapped with 16 KiB pages.
    auto r = plan_exec(kTrue, {kTrue}, {}, o);
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().where.file, kTrue);
    EXPECT_NE(r.error().message.find("page size 16384"), std::string::npos) << r.error().str();
    EXPECT_GE(r.error().where.byte_offset, 64);
    // ls itself happens to be congruent; its library libselinux is not, and the error says so.
    r = plan_exec("/usr/bin/ls", {"ls"}, {}, o);
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().where.file.find("libselinux"), std::string::npos) << r.error().str();
    EXPECT_NE(r.error().message.find("needed by /usr/bin/ls"), std::string::npos) << r.error().str();
}

TEST(ExecPlan, OptionsAreValidated) {
    ExecOptions o;
    o.page_size = 3000;
    EXPECT_FALSE(plan_exec(kTrue, {kTrue}, {}, o));
    o = ExecOptions{};
    o.randomize_va_space = 2;  // no Rng
    EXPECT_FALSE(plan_exec(kTrue, {kTrue}, {}, o));
    o = ExecOptions{};
    o.task_size = 0x7ffffffff001;
    EXPECT_FALSE(plan_exec(kTrue, {kTrue}, {}, o));
    KernelConfig k;
    k.randomize_va_space = 2;
    Rng rng(3);
    ExecOptions from = exec_options_from(k, 0x7ffffffff000, 4096, &rng);
    EXPECT_EQ(from.stack_guard_gap, 256u * 4096);
    EXPECT_EQ(from.randomize_va_space, 2u);
    EXPECT_TRUE(from.validate());
}

// ---- malformed files ---------------------------------------------------------------------

class ExecPlanBadElf : public ::testing::Test {
protected:
    void SetUp() override {
        good = slurp(kTrue);
        ASSERT_GT(good.size(), 4096u);
    }
    Error expect_error(const std::string& bytes, const std::string& name) {
        const std::string p = write_temp(name, bytes);
        auto r = plan_exec(p, {p}, {}, ExecOptions{});
        fs::remove(p);
        EXPECT_FALSE(r) << name << " was accepted";
        if (r) return Error{};
        EXPECT_EQ(r.error().where.file, p) << r.error().str();
        return r.error();
    }
    std::uint64_t phoff() const { return peek<std::uint64_t>(good, 32); }
    // Byte offset of the first program header of type `type`.
    std::uint64_t ph_of(std::uint32_t type) const {
        const auto n = peek<std::uint16_t>(good, 56);
        for (std::uint16_t i = 0; i < n; ++i)
            if (peek<std::uint32_t>(good, phoff() + i * 56) == type) return phoff() + i * 56;
        return 0;
    }
    std::string good;
};

TEST_F(ExecPlanBadElf, TruncatedFilesAreErrorsNeverCrashes) {
    // Every prefix up to the end of the program headers, and a few beyond.
    const std::uint64_t ph_end = phoff() + peek<std::uint16_t>(good, 56) * 56;
    for (std::uint64_t n = 0; n <= ph_end + 8; n += (n < 80 ? 1 : 7)) {
        const std::string p = write_temp("trunc", good.substr(0, n));
        auto r = plan_exec(p, {p}, {}, ExecOptions{});
        fs::remove(p);
        ASSERT_FALSE(r) << "prefix of " << n << " bytes accepted";
        EXPECT_FALSE(r.error().message.empty());
    }
    Error e = expect_error(good.substr(0, 40), "short");
    EXPECT_NE(e.message.find("truncated"), std::string::npos) << e.str();
    EXPECT_EQ(e.where.byte_offset, 40);
    // Cut inside the segments' file bytes: a PT_LOAD extends past the end.
    e = expect_error(good.substr(0, good.size() / 2), "half");
    EXPECT_NE(e.message.find("past the end"), std::string::npos) << e.str();
}

TEST_F(ExecPlanBadElf, HeaderFieldsAreNamedWithTheirOffsets) {
    std::string b = good;
    b[EI_CLASS] = ELFCLASS32;
    Error e = expect_error(b, "class32");
    EXPECT_EQ(e.where.byte_offset, EI_CLASS);
    EXPECT_NE(e.message.find("ELFCLASS32"), std::string::npos);

    b = good;
    b[EI_DATA] = ELFDATA2MSB;
    EXPECT_EQ(expect_error(b, "msb").where.byte_offset, EI_DATA);

    b = good;
    poke<std::uint16_t>(b, 18, EM_AARCH64);
    e = expect_error(b, "machine");
    EXPECT_EQ(e.where.byte_offset, 18);
    EXPECT_NE(e.message.find("EM_AARCH64"), std::string::npos) << e.message;

    b = good;
    poke<std::uint16_t>(b, 16, ET_REL);
    EXPECT_EQ(expect_error(b, "rel").where.byte_offset, 16);

    b = good;
    poke<std::uint64_t>(b, 32, good.size() - 10);
    e = expect_error(b, "phoff");
    EXPECT_EQ(e.where.byte_offset, 32);
    EXPECT_NE(e.message.find("e_phoff"), std::string::npos);

    b = good;
    poke<std::uint16_t>(b, 56, 0);
    EXPECT_EQ(expect_error(b, "phnum").where.byte_offset, 56);

    b = good;
    poke<std::uint16_t>(b, 54, 32);
    EXPECT_EQ(expect_error(b, "phentsize").where.byte_offset, 54);

    b = "\x7f" "ELF" "\x02\x01\x07";  // ELF64, LSB, EI_VERSION 7
    b.resize(3000, '\x01');
    EXPECT_EQ(expect_error(b, "garbage").where.byte_offset, EI_VERSION);

    e = expect_error("#!/bin/sh\necho hi\n", "script");
    EXPECT_NE(e.message.find("script"), std::string::npos);
    e = expect_error("", "empty");
    EXPECT_EQ(e.where.byte_offset, 0);
}

TEST_F(ExecPlanBadElf, BadProgramHeaders) {
    const std::uint64_t load = ph_of(PT_LOAD);
    ASSERT_NE(load, 0u);
    std::string b = good;
    poke<std::uint64_t>(b, load + 32, peek<std::uint64_t>(good, load + 40) + 1);  // p_filesz > p_memsz
    Error e = expect_error(b, "filesz");
    EXPECT_EQ(e.where.byte_offset, static_cast<std::int64_t>(load + 32));
    EXPECT_NE(e.message.find("p_filesz"), std::string::npos);

    b = good;
    poke<std::uint64_t>(b, load + 8, good.size() + 4096);  // p_offset past the end
    EXPECT_EQ(expect_error(b, "offset").where.byte_offset, static_cast<std::int64_t>(load + 8));

    b = good;
    poke<std::uint64_t>(b, load + 16, 0x123);  // p_vaddr not congruent with p_offset
    EXPECT_EQ(expect_error(b, "vaddr").where.byte_offset, static_cast<std::int64_t>(load + 16));

    // No PT_LOAD at all.
    b = good;
    const auto n = peek<std::uint16_t>(good, 56);
    for (std::uint16_t i = 0; i < n; ++i)
        if (peek<std::uint32_t>(b, phoff() + i * 56) == PT_LOAD) poke<std::uint32_t>(b, phoff() + i * 56, PT_NULL);
    EXPECT_NE(expect_error(b, "noload").message.find("PT_LOAD"), std::string::npos);

    // The last PT_LOAD moved above the user half (p_vaddr stays congruent to p_offset).
    std::uint64_t last_load = 0;
    for (std::uint16_t i = 0; i < peek<std::uint16_t>(good, 56); ++i)
        if (peek<std::uint32_t>(good, phoff() + i * 56) == PT_LOAD) last_load = phoff() + i * 56;
    b = good;
    poke<std::uint64_t>(b, last_load + 16, 0xffff800000000000ull + peek<std::uint64_t>(good, last_load + 16));
    e = expect_error(b, "kernelhalf");
    EXPECT_NE(e.message.find("TASK_SIZE"), std::string::npos) << e.str();
    EXPECT_EQ(e.where.byte_offset, static_cast<std::int64_t>(last_load + 16));

    const std::uint64_t interp = ph_of(PT_INTERP);
    ASSERT_NE(interp, 0u);
    b = good;
    poke<std::uint64_t>(b, interp + 32, 1);
    EXPECT_EQ(expect_error(b, "interplen").where.byte_offset, static_cast<std::int64_t>(interp + 32));
}

TEST_F(ExecPlanBadElf, MissingInterpreterAndLibraryNameTheirPlace) {
    const std::uint64_t interp = ph_of(PT_INTERP);
    const std::uint64_t at = peek<std::uint64_t>(good, interp + 8);
    std::string b = good;
    const std::string fake = "/nonexistent/ld-vmlab.so.2";
    ASSERT_LE(fake.size(), std::strlen(good.data() + at));
    std::memcpy(b.data() + at, fake.c_str(), fake.size() + 1);
    Error e = expect_error(b, "nointerp");
    EXPECT_EQ(e.where.byte_offset, static_cast<std::int64_t>(at));
    EXPECT_NE(e.message.find(fake), std::string::npos) << e.message;
    EXPECT_NE(e.message.find("No such file"), std::string::npos) << e.message;

    // Rename DT_NEEDED "libc.so.6" to "libq.so.6" in the string table.
    b = good;
    const auto pos = b.find(std::string("libc.so.6\0", 10));
    ASSERT_NE(pos, std::string::npos);
    b[pos + 3] = 'q';
    e = expect_error(b, "nolib");
    EXPECT_EQ(e.where.byte_offset, static_cast<std::int64_t>(pos));
    EXPECT_NE(e.message.find("libq.so.6"), std::string::npos) << e.message;
    EXPECT_NE(e.message.find("cannot open shared object file"), std::string::npos);

    // A library that exists but is not an ELF file stops the load, as in ld.so.
    const fs::path dir = fs::temp_directory_path() / fmt::format("vmlab_badlib_{}", getpid());
    fs::create_directories(dir);
    std::ofstream(dir / "libc.so.6") << "this is not an ELF file";
    auto r = plan_exec(kTrue, {kTrue}, {"LD_LIBRARY_PATH=" + dir.string()}, ExecOptions{});
    ASSERT_FALSE(r);
    EXPECT_EQ(r.error().where.file, (dir / "libc.so.6").string());
    fs::remove_all(dir);
}

TEST_F(ExecPlanBadElf, RandomCorruptionNeverCrashes) {
    Rng rng(42);
    const std::uint64_t limit = std::min<std::uint64_t>(good.size(), 8192);
    int accepted = 0;
    for (int i = 0; i < 300; ++i) {
        std::string b = good;
        const int flips = 1 + static_cast<int>(rng.below(8));
        for (int k = 0; k < flips; ++k) {
            const std::uint64_t off = rng.below(i % 2 ? 64 + 13 * 56 : limit);
            b[off] = static_cast<char>(rng.next());
        }
        if (i % 7 == 0) b.resize(rng.below(good.size()));
        const std::string p = write_temp("fuzz", b);
        auto r = plan_exec(p, {p}, {}, ExecOptions{});
        fs::remove(p);
        if (r) {
            ++accepted;
            for (const auto& op : r->ops)
                if (op.kind != ExecOpKind::Zero) {
                    EXPECT_EQ(op.addr.value % 4096, 0u) << describe(op);
                }
        } else {
            EXPECT_FALSE(r.error().message.empty());
        }
    }
    SUCCEED() << accepted << " corrupted files were still plannable";
}
