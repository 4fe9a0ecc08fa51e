// The table of system calls and their dispatch: each entry lists its parameters and binds
// the validated arguments to one Kernel member.
#include "vmlab/api/syscalls.hpp"

#include <algorithm>
#include <cmath>

#include "vmlab/core/strings.hpp"
#include "vmlab/os/kernel.hpp"

namespace vmlab::api {

std::string Arg::type_name() const {
    switch (v.index()) {
        case 0: return "nil";
        case 1: return "boolean";
        case 2:
        case 3: return "number";
        case 4: return "string";
        case 5:
        case 6: return "table";
        case 7: return "task";
        default: return std::get<Other>(v).type;
    }
}

const char* type_name(Type t) {
    switch (t) {
        case Type::Integer: return "integer";
        case Type::Address: return "address";
        case Type::Length: return "length";
        case Type::Flags: return "flags";
        case Type::OneOf: return "one-of";
        case Type::Prot: return "protection";
        case Type::Bool: return "boolean";
        case Type::String: return "string";
        case Type::Path: return "path";
        case Type::Bytes: return "bytes";
        case Type::StringList: return "string-list";
        case Type::Process: return "process";
        case Type::Thread: return "thread";
        case Type::Cpu: return "cpu";
    }
    return "?";
}

const Param* CallSpec::param(std::string_view n) const {
    for (const auto& p : params)
        if (p.name == n) return &p;
    return nullptr;
}

namespace {

// An argument after validation, in the representation its type gives it.
struct Bound {
    bool present = false;  // given by the caller (not the default)
    std::uint64_t u = 0;   // Integer, Address, Length, Flags, OneOf, Prot, Process (pid), Bool
    std::string s;         // String, Path (as given), Bytes
    std::vector<std::string> list;
    Task task;             // Process given as a task
};

class Bindings {
public:
    Bindings(const CallSpec& spec, std::vector<Bound> b) : spec_(spec), b_(std::move(b)) {}
    const Bound& operator[](std::string_view name) const {
        for (std::size_t i = 0; i < spec_.params.size(); ++i)
            if (spec_.params[i].name == name) return b_[i];
        VMLAB_ASSERT(false, "a call's handler names a parameter it does not declare");
    }
    std::uint64_t u(std::string_view n) const { return (*this)[n].u; }
    int i(std::string_view n) const { return static_cast<int>(static_cast<std::int64_t>((*this)[n].u)); }
    VirtAddr va(std::string_view n) const { return VirtAddr{(*this)[n].u}; }
    const std::string& s(std::string_view n) const { return (*this)[n].s; }

private:
    const CallSpec& spec_;
    std::vector<Bound> b_;
};

struct Env {
    Kernel& k;
    Task caller;
    const Options& opt;
};

using Handler = Result<Outcome> (*)(Env&, const Bindings&);

// The calls' specifications (what calls() returns) and, at the same index, their handlers.
struct CallTable {
    std::vector<CallSpec> specs;
    std::vector<Handler> handlers;
};

Outcome ok_value(Value v) { return Outcome{std::move(v)}; }
Outcome status(const SysStatus& r) { return r.ok() ? Outcome{Value(true)} : Outcome{r.error}; }
Outcome addr(const SysResult<VirtAddr>& r) { return r.ok() ? Outcome{Value(Address{r.value.value})} : Outcome{r.error}; }
template <class T>
Outcome number(const SysResult<T>& r) {
    if (!r.ok()) return Outcome{r.error};
    if constexpr (std::is_signed_v<T>) return Outcome{Value(static_cast<std::int64_t>(r.value))};
    else return Outcome{Value(static_cast<std::uint64_t>(r.value))};
}

Param req(std::string name, Type t, std::string doc, const sys::FlagSet* set = nullptr) {
    return Param{std::move(name), t, true, Arg{}, set, std::move(doc)};
}
Param opt(std::string name, Type t, Arg dflt, std::string doc, const sys::FlagSet* set = nullptr) {
    return Param{std::move(name), t, false, std::move(dflt), set, std::move(doc)};
}

// A thread as a result: its task, or nil for none (tid 0, an idle CPU).
Value running(const Kernel& k, Tid tid) {
    if (tid == 0) return Value{};
    return Value(Task{k.pid_of(tid), tid});
}

std::string path_of(const Env& e, const std::string& given) {
    return e.opt.host_path ? e.opt.host_path(given) : given;
}

const CallTable& table() {
    using namespace vmlab::sys;
    static const CallTable table = [] {
        CallTable t;
        auto add = [&](std::string name, bool caller, std::vector<Param> params, std::string returns, std::string doc,
                       Handler h) {
            t.specs.push_back(CallSpec{std::move(name), caller, std::move(params), std::move(returns), std::move(doc)});
            t.handlers.push_back(h);
        };

        // ---- processes ----
        add("spawn", false,
            {opt("name", Type::String, Arg("proc"), "the process's name (comm)"),
             opt("stack", Type::Bool, Arg(true), "give it a stack VMA and a program break, as after exec of an empty binary"),
             opt("brk_start", Type::Address, Arg(0), "where the program break starts; 0 = the default")},
            "task", "a new process with an empty address space",
            [](Env& e, const Bindings& a) -> Result<Outcome> {
                SpawnOptions o;
                o.name = a.s("name");
                o.stack = a.u("stack") != 0;
                o.brk_start = a.u("brk_start");
                auto r = e.k.spawn(o);
                if (!r.ok()) return Outcome{r.error};
                return ok_value(Task{*r, *r});
            });
        add("fork", true, {}, "task", "fork(2): a child process with a copy-on-write copy of the address space",
            [](Env& e, const Bindings&) -> Result<Outcome> {
                auto r = e.k.fork(e.caller.tid);
                if (!r.ok()) return Outcome{r.error};
                return ok_value(Task{*r, *r});
            });
        add("clone", true, {}, "task", "a new thread sharing the caller's address space",
            [](Env& e, const Bindings&) -> Result<Outcome> {
                auto r = e.k.clone_thread(e.caller.tid);
                if (!r.ok()) return Outcome{r.error};
                return ok_value(Task{e.caller.pid, *r});
            });
        add("exit", true, {opt("status", Type::Integer, Arg(0), "exit status")}, "true",
            "a process handle exits the whole process (exit_group), a thread handle the thread",
            [](Env& e, const Bindings& a) -> Result<Outcome> {
                if (e.caller.tid == e.caller.pid) return status(e.k.exit_group(e.caller.tid, a.i("status")));
                return status(e.k.exit_thread(e.caller.tid, a.i("status")));
            });
        add("wait", true, {opt("child", Type::Process, Arg(-1), "the child to wait for; -1 = any")},
            "false (children exist, none has exited) or {pid, exit_code, term_signal, signal}",
            "waitpid(child, WNOHANG): reaps an exited child",
            [](Env& e, const Bindings& a) -> Result<Outcome> {
                auto r = e.k.wait(e.caller.tid, static_cast<Pid>(a.i("child")));
                if (!r.ok()) return Outcome{r.error};
                if (r->pid == 0) return ok_value(false);
                Table tab;
                tab.emplace_back("pid", Value(std::int64_t{r->pid}));
                tab.emplace_back("exit_code", Value(std::int64_t{r->exit_code}));
                tab.emplace_back("term_signal", Value(std::int64_t{r->term_signal}));
                tab.emplace_back("signal", Value(std::string(r->term_signal ? signal_name(r->term_signal) : "none")));
                return ok_value(std::move(tab));
            });
        add("kill", true, {opt("signal", Type::OneOf, Arg(kSigKill), "the signal", &sys::signals())}, "true",
            "kill(2) of the caller's process",
            [](Env& e, const Bindings& a) -> Result<Outcome> { return status(e.k.kill(e.caller.pid, a.i("signal"))); });
        add("catch", true,
            {opt("signal", Type::OneOf, Arg(kSigSegv), "the signal", &sys::signals()),
             opt("on", Type::Bool, Arg(true), "true: catch it; false: the default action")},
            "true", "sets the process's disposition of a signal",
            [](Env& e, const Bindings& a) -> Result<Outcome> {
                return status(e.k.set_signal_disposition(e.caller.pid, a.i("signal"),
                                                         a.u("on") ? SigDisposition::Catch : SigDisposition::Default));
            });
        add("set_name", true, {req("name", Type::String, "the new name")}, "true", "prctl(PR_SET_NAME) of the process",
            [](Env& e, const Bindings& a) -> Result<Outcome> { return status(e.k.set_name(e.caller.pid, a.s("name"))); });
        add("setrlimit", true,
            {req("resource", Type::OneOf, "the limit", &sys::rlimits()),
             req("value", Type::Integer, "the soft limit in bytes (descriptors for nofile); -1 = infinity")},
            "true", "setrlimit(2)",
            [](Env& e, const Bindings& a) -> Result<Outcome> {
                return status(e.k.setrlimit(e.caller.tid, static_cast<Rlimit>(a.i("resource")), a.u("value")));
            });
        add("getrlimit", true, {req("resource", Type::OneOf, "the limit", &sys::rlimits())}, "the soft limit",
            "getrlimit(2)",
            [](Env& e, const Bindings& a) -> Result<Outcome> {
                return number(e.k.getrlimit(e.caller.tid, static_cast<Rlimit>(a.i("resource"))));
            });
        add("exec", true,
            {req("path", Type::Path, "the executable (a host ELF file)"),
             opt("argv", Type::StringList, Arg(ArgList{}), "the arguments; empty = { path }"),
             opt("envp", Type::StringList, Arg(ArgList{}), "the environment")},
            "true", "execve(2) of a host ELF executable, with ld.so's work emulated",
            [](Env& e, const Bindings& a) -> Result<Outcome> {
                std::vector<std::string> argv = a["argv"].list;
                if (argv.empty()) argv.push_back(a.s("path"));
                auto r = e.k.execve(e.caller.tid, path_of(e, a.s("path")), argv, a["envp"].list);
                if (!r) return failf("exec: {}", r.error().str());
                return status(*r);
            });

        // ---- memory management ----
        add("mmap", true,
            {opt("addr", Type::Address, Arg(0), "hint, or the address with MAP_FIXED"),
             req("len", Type::Length, "bytes"),
             opt("prot", Type::Prot, Arg(kProtRead | kProtWrite), "protection"),
             opt("flags", Type::Flags, Arg(kMapPrivate | kMapAnonymous), "mmap flags", &sys::map_flags()),
             opt("fd", Type::Integer, Arg(-1), "file descriptor of a file mapping"),
             opt("offset", Type::Integer, Arg(0), "file offset")},
            "address", "mmap(2)",
            [](Env& e, const Bindings& a) -> Result<Outcome> {
                return addr(e.k.mmap(e.caller.tid, a.va("addr"), a.u("len"), a.i("prot"), a.i("flags"), a.i("fd"),
                                     a.u("offset")));
            });
        add("munmap", true, {req("addr", Type::Address, "start"), req("len", Type::Length, "bytes")}, "true", "munmap(2)",
            [](Env& e, const Bindings& a) -> Result<Outcome> {
                return status(e.k.munmap(e.caller.tid, a.va("addr"), a.u("len")));
            });
        add("mprotect", true,
            {req("addr", Type::Address, "start"), req("len", Type::Length, "bytes"),
             req("prot", Type::Prot, "the new protection")},
            "true", "mprotect(2)",
            [](Env& e, const Bindings& a) -> Result<Outcome> {
                return status(e.k.mprotect(e.caller.tid, a.va("addr"), a.u("len"), a.i("prot")));
            });
        add("brk", true, {opt("addr", Type::Address, Arg(0), "the new break; 0 = query")}, "address",
            "brk(2): the new break, or the old one on failure",
            [](Env& e, const Bindings& a) -> Result<Outcome> {
                return ok_value(Address{e.k.brk(e.caller.tid, a.va("addr")).value});
            });
        add("sbrk", true, {opt("increment", Type::Integer, Arg(0), "bytes (negative shrinks)")}, "address",
            "sbrk(3): the old break",
            [](Env& e, const Bindings& a) -> Result<Outcome> {
                return addr(e.k.sbrk(e.caller.tid, static_cast<std::int64_t>(a.u("increment"))));
            });
        add("madvise", true,
            {req("addr", Type::Address, "start"), req("len", Type::Length, "bytes"),
             req("advice", Type::OneOf, "the advice", &sys::madvise_advice())},
            "true", "madvise(2)",
            [](Env& e, const Bindings& a) -> Result<Outcome> {
                return status(e.k.madvise(e.caller.tid, a.va("addr"), a.u("len"), a.i("advice")));
            });
        add("msync", true,
            {req("addr", Type::Address, "start"), req("len", Type::Length, "bytes"),
             opt("flags", Type::Flags, Arg(kMsSync), "msync flags", &sys::msync_flags())},
            "true", "msync(2)",
            [](Env& e, const Bindings& a) -> Result<Outcome> {
                return status(e.k.msync(e.caller.tid, a.va("addr"), a.u("len"), a.i("flags")));
            });
        add("mlock", true,
            {req("addr", Type::Address, "start"), req("len", Type::Length, "bytes"),
             opt("flags", Type::Flags, Arg(0), "mlock2 flags", &sys::mlock_flags())},
            "true", "mlock2(2)",
            [](Env& e, const Bindings& a) -> Result<Outcome> {
                return status(e.k.mlock(e.caller.tid, a.va("addr"), a.u("len"), a.i("flags")));
            });
        add("munlock", true, {req("addr", Type::Address, "start"), req("len", Type::Length, "bytes")}, "true",
            "munlock(2)",
            [](Env& e, const Bindings& a) -> Result<Outcome> {
                return status(e.k.munlock(e.caller.tid, a.va("addr"), a.u("len")));
            });
        add("mlockall", true, {opt("flags", Type::Flags, Arg(kMclCurrent), "mlockall flags", &sys::mlockall_flags())},
            "true", "mlockall(2)",
            [](Env& e, const Bindings& a) -> Result<Outcome> { return status(e.k.mlockall(e.caller.tid, a.i("flags"))); });
        add("munlockall", true, {}, "true", "munlockall(2)",
            [](Env& e, const Bindings&) -> Result<Outcome> { return status(e.k.munlockall(e.caller.tid)); });
        add("mremap", true,
            {req("old_addr", Type::Address, "start"), req("old_len", Type::Length, "current bytes"),
             req("new_len", Type::Length, "new bytes"),
             opt("flags", Type::Flags, Arg(0), "mremap flags", &sys::mremap_flags()),
             opt("new_addr", Type::Address, Arg(0), "the target with MREMAP_FIXED")},
            "address", "mremap(2)",
            [](Env& e, const Bindings& a) -> Result<Outcome> {
                return addr(e.k.mremap(e.caller.tid, a.va("old_addr"), a.u("old_len"), a.u("new_len"), a.i("flags"),
                                       a.va("new_addr")));
            });
        add("mincore", true, {req("addr", Type::Address, "start"), req("len", Type::Length, "bytes")},
            "a list with 1 (resident) or 0 per page", "mincore(2)",
            [](Env& e, const Bindings& a) -> Result<Outcome> {
                auto r = e.k.mincore(e.caller.tid, a.va("addr"), a.u("len"));
                if (!r.ok()) return Outcome{r.error};
                List l;
                l.reserve(r->size());
                for (std::uint8_t b : *r) l.emplace_back(std::int64_t{b & 1});
                return ok_value(std::move(l));
            });
        add("set_anon_name", true,
            {req("addr", Type::Address, "start"), req("len", Type::Length, "bytes"),
             req("name", Type::String, "shown as [anon:name]")},
            "true", "prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME)",
            [](Env& e, const Bindings& a) -> Result<Outcome> {
                return status(e.k.set_anon_name(e.caller.tid, a.va("addr"), a.u("len"), a.s("name")));
            });

        // ---- files ----
        add("open", true,
            {req("path", Type::Path, "a host file"),
             opt("flags", Type::Flags, Arg(kORdOnly), "open flags", &sys::open_flags()),
             opt("mode", Type::Integer, Arg(0644), "permissions of a created file")},
            "file descriptor", "open(2)",
            [](Env& e, const Bindings& a) -> Result<Outcome> {
                return number(e.k.open(e.caller.tid, path_of(e, a.s("path")), a.i("flags"), a.i("mode")));
            });
        add("memfd_create", true, {req("name", Type::String, "shown as /memfd:name")}, "file descriptor",
            "memfd_create(2)",
            [](Env& e, const Bindings& a) -> Result<Outcome> { return number(e.k.memfd_create(e.caller.tid, a.s("name"))); });
        add("close", true, {req("fd", Type::Integer, "file descriptor")}, "true", "close(2)",
            [](Env& e, const Bindings& a) -> Result<Outcome> { return status(e.k.close(e.caller.tid, a.i("fd"))); });
        add("pread", true,
            {req("fd", Type::Integer, "file descriptor"), req("count", Type::Length, "bytes to read"),
             opt("offset", Type::Integer, Arg(0), "file offset")},
            "bytes", "pread(2)",
            [](Env& e, const Bindings& a) -> Result<Outcome> {
                const std::uint64_t n = a.u("count");
                if (n > e.opt.max_transfer)
                    return failf("pread: count {} is larger than the {} MiB a scenario may read at once", n,
                                 e.opt.max_transfer >> 20);
                std::vector<std::uint8_t> buf(n);
                auto r = e.k.pread(e.caller.tid, a.i("fd"), buf, a.u("offset"));
                if (!r.ok()) return Outcome{r.error};
                return ok_value(Bytes{std::string(reinterpret_cast<const char*>(buf.data()), *r)});
            });
        add("pwrite", true,
            {req("fd", Type::Integer, "file descriptor"), req("data", Type::Bytes, "bytes to write"),
             opt("offset", Type::Integer, Arg(0), "file offset")},
            "bytes written", "pwrite(2)",
            [](Env& e, const Bindings& a) -> Result<Outcome> {
                const std::string& d = a.s("data");
                return number(e.k.pwrite(e.caller.tid, a.i("fd"), {reinterpret_cast<const std::uint8_t*>(d.data()), d.size()},
                                         a.u("offset")));
            });
        add("ftruncate", true, {req("fd", Type::Integer, "file descriptor"), req("length", Type::Length, "new size")},
            "true", "ftruncate(2)",
            [](Env& e, const Bindings& a) -> Result<Outcome> {
                return status(e.k.ftruncate(e.caller.tid, a.i("fd"), a.u("length")));
            });
        add("fsync", true, {req("fd", Type::Integer, "file descriptor")}, "true", "fsync(2)",
            [](Env& e, const Bindings& a) -> Result<Outcome> { return status(e.k.fsync(e.caller.tid, a.i("fd"))); });
        add("fadvise", true,
            {req("fd", Type::Integer, "file descriptor"), req("offset", Type::Integer, "file offset"),
             req("len", Type::Length, "bytes (0 = to the end)"),
             req("advice", Type::OneOf, "the advice", &sys::fadvise_advice())},
            "true", "posix_fadvise(2); dontneed evicts clean, unmapped pages",
            [](Env& e, const Bindings& a) -> Result<Outcome> {
                return status(e.k.fadvise(e.caller.tid, a.i("fd"), a.u("offset"), a.u("len"), a.i("advice")));
            });
        add("file_size", true, {req("fd", Type::Integer, "file descriptor")}, "bytes", "fstat(2)'s st_size",
            [](Env& e, const Bindings& a) -> Result<Outcome> { return number(e.k.file_size(e.caller.tid, a.i("fd"))); });
        add("drop_caches", false, {}, "pages dropped", "echo 1 > /proc/sys/vm/drop_caches",
            [](Env& e, const Bindings&) -> Result<Outcome> { return ok_value(std::uint64_t{e.k.drop_caches()}); });

        // ---- CPUs ----
        add("set_cpu", true, {req("cpu", Type::Integer, "the CPU")}, "true",
            "sched_setaffinity(2) to one CPU: moves the thread to its run queue",
            [](Env& e, const Bindings& a) -> Result<Outcome> {
                return status(e.k.set_affinity(e.caller.tid, static_cast<unsigned>(a.u("cpu"))));
            });
        add("cpu", true, {}, "the CPU", "the CPU whose run queue holds the thread",
            [](Env& e, const Bindings&) -> Result<Outcome> {
                return ok_value(std::int64_t{e.k.cpu_of(e.caller.tid)});
            });
        add("cpus", false, {}, "the number of CPUs", "the machine's CPUs",
            [](Env& e, const Bindings&) -> Result<Outcome> { return ok_value(std::int64_t{e.k.cpu_count()}); });
        add("schedule", false, {req("cpu", Type::Cpu, "the CPU")}, "the task now running, or nil (idle)",
            "switches the CPU to the next runnable thread of its run queue",
            [](Env& e, const Bindings& a) -> Result<Outcome> {
                return ok_value(running(e.k, e.k.schedule(static_cast<unsigned>(a.u("cpu")))));
            });
        add("current", false, {req("cpu", Type::Cpu, "the CPU")}, "the task running, or nil (idle)",
            "the thread the CPU runs",
            [](Env& e, const Bindings& a) -> Result<Outcome> {
                return ok_value(running(e.k, e.k.current(static_cast<unsigned>(a.u("cpu")))));
            });
        add("switch_to", false,
            {req("cpu", Type::Cpu, "the CPU"), req("task", Type::Thread, "a thread on the CPU's run queue")}, "true",
            "switches the CPU to that thread",
            [](Env& e, const Bindings& a) -> Result<Outcome> {
                return status(e.k.switch_to(static_cast<unsigned>(a.u("cpu")), a.i("task")));
            });
        return t;
    }();
    return table;
}

// The index of a call in table(), or -1.
std::ptrdiff_t find_index(std::string_view name) {
    const auto& specs = table().specs;
    for (std::size_t i = 0; i < specs.size(); ++i)
        if (specs[i].name == name) return static_cast<std::ptrdiff_t>(i);
    return -1;
}

// ---- argument validation -------------------------------------------------------------------

Result<std::uint64_t> to_u64(const CallSpec& c, const Param& p, const Arg& a) {
    if (const auto* i = std::get_if<std::int64_t>(&a.v)) return static_cast<std::uint64_t>(*i);
    if (const auto* d = std::get_if<double>(&a.v)) {
        if (std::isfinite(*d) && *d >= 0 && *d < 18446744073709551616.0 && *d == std::floor(*d))
            return static_cast<std::uint64_t>(*d);
        if (std::isfinite(*d) && *d < 0 && *d >= -9223372036854775808.0 && *d == std::floor(*d))
            return static_cast<std::uint64_t>(static_cast<std::int64_t>(*d));
        return failf("{}: '{}' must be an integer (got {})", c.name, p.name, *d);
    }
    if (const auto* s = std::get_if<std::string>(&a.v)) {
        auto v = parse_u64(*s, true);
        if (v) return *v;
        return failf("{}: '{}': {}", c.name, p.name, v.error().message);
    }
    return failf("{}: '{}' must be an integer (got {})", c.name, p.name, a.type_name());
}

Result<Bound> bind(const CallSpec& c, const Param& p, const Arg& a) {
    Bound b;
    b.present = true;
    switch (p.type) {
        case Type::Integer:
        case Type::Address:
        case Type::Length:
        case Type::Cpu: {
            auto v = to_u64(c, p, a);
            if (!v) return fail(v.error());
            b.u = *v;
            return b;
        }
        case Type::Flags:
        case Type::OneOf:
        case Type::Prot: {
            if (std::holds_alternative<std::int64_t>(a.v) || std::holds_alternative<double>(a.v)) {
                auto v = to_u64(c, p, a);
                if (!v) return fail(v.error());
                b.u = static_cast<std::uint64_t>(static_cast<std::int64_t>(static_cast<int>(*v)));
                return b;
            }
            const auto* s = std::get_if<std::string>(&a.v);
            if (!s) return failf("{}: '{}' must be a string of names or a number (got {})", c.name, p.name, a.type_name());
            Result<int> v = p.type == Type::Prot    ? sys::parse_prot(*s)
                            : p.type == Type::OneOf ? sys::parse_one(*p.set, *s)
                                                    : sys::parse_flags(*p.set, *s);
            if (!v) return failf("{}: {}", c.name, v.error().message);
            b.u = static_cast<std::uint64_t>(static_cast<std::int64_t>(*v));
            return b;
        }
        case Type::Bool: {
            const auto* v = std::get_if<bool>(&a.v);
            if (!v) return failf("{}: '{}' must be a boolean (got {})", c.name, p.name, a.type_name());
            b.u = *v ? 1 : 0;
            return b;
        }
        case Type::String:
        case Type::Path: {
            const auto* s = std::get_if<std::string>(&a.v);
            if (!s) return failf("{}: '{}' must be a string (got {})", c.name, p.name, a.type_name());
            b.s = *s;
            return b;
        }
        case Type::Bytes: {
            if (const auto* s = std::get_if<std::string>(&a.v)) {
                b.s = *s;
                return b;
            }
            if (const auto* l = std::get_if<ArgList>(&a.v)) {
                for (const Arg& x : *l) {
                    const auto* i = std::get_if<std::int64_t>(&x.v);
                    if (!i || *i < 0 || *i > 255)
                        return failf("{}: '{}' must be a string or a list of byte values", c.name, p.name);
                    b.s.push_back(static_cast<char>(*i));
                }
                return b;
            }
            return failf("{}: '{}' must be a string (got {})", c.name, p.name, a.type_name());
        }
        case Type::StringList: {
            const auto* l = std::get_if<ArgList>(&a.v);
            if (!l) {
                // An empty option table reads as a map with no entries.
                const auto* m = std::get_if<ArgMap>(&a.v);
                if (m && m->empty()) return b;
                return failf("{}: '{}' must be a list of strings", c.name, p.name);
            }
            for (const Arg& x : *l) {
                const auto* s = std::get_if<std::string>(&x.v);
                if (!s) return failf("{}: '{}' must be a list of strings", c.name, p.name);
                b.list.push_back(*s);
            }
            return b;
        }
        case Type::Thread: {
            if (const auto* t = std::get_if<Task>(&a.v)) {
                b.task = *t;
                b.u = static_cast<std::uint64_t>(static_cast<std::int64_t>(t->tid));
                return b;
            }
            if (!std::holds_alternative<std::int64_t>(a.v))
                return failf("{}: '{}' must be a process or thread (got {})", c.name, p.name, a.type_name());
            b.u = static_cast<std::uint64_t>(std::get<std::int64_t>(a.v));
            return b;
        }
        case Type::Process: {
            if (const auto* t = std::get_if<Task>(&a.v)) {
                b.task = *t;
                b.u = static_cast<std::uint64_t>(static_cast<std::int64_t>(t->pid));
                return b;
            }
            auto v = to_u64(c, p, a);
            if (!v) return fail(v.error());
            b.u = *v;
            return b;
        }
    }
    return failf("{}: '{}': unknown parameter type", c.name, p.name);
}

}  // namespace

const std::vector<CallSpec>& calls() { return table().specs; }

const CallSpec* find_call(std::string_view name) {
    const std::ptrdiff_t i = find_index(name);
    return i < 0 ? nullptr : &table().specs[static_cast<std::size_t>(i)];
}

std::vector<std::string> call_names() {
    std::vector<std::string> out;
    for (const auto& c : table().specs) out.push_back(c.name);
    return out;
}

Result<Outcome> call(Kernel& kernel, const Task* caller, std::string_view name, const Args& args, const Options& opt) {
    const std::ptrdiff_t index = find_index(name);
    if (index < 0) return fail(unknown_name_message("system call", name, call_names()));
    const CallSpec& c = table().specs[static_cast<std::size_t>(index)];
    if (c.needs_caller && !caller) return failf("{}: expects a process or thread (call it as p:{}(...))", c.name, c.name);
    if (args.positional.size() > c.params.size())
        return failf("{}: takes at most {} argument{} (got {})", c.name, c.params.size(), c.params.size() == 1 ? "" : "s",
                     args.positional.size());
    for (const auto& [key, value] : args.named) {
        if (c.param(key)) continue;
        std::vector<std::string> names;
        for (const auto& p : c.params) names.push_back(p.name);
        if (names.empty()) return failf("{}: takes no options (got '{}')", c.name, key);
        return failf("{}: {}", c.name, unknown_name_message("option", key, names));
    }
    std::vector<Bound> bound;
    bound.reserve(c.params.size());
    for (std::size_t i = 0; i < c.params.size(); ++i) {
        const Param& p = c.params[i];
        const Arg* a = nullptr;
        for (const auto& [key, value] : args.named)
            if (key == p.name) a = &value;
        if (!a && i < args.positional.size()) a = &args.positional[i];
        if (!a || a->is_nil()) {
            if (p.required) return failf("{}: '{}' is required", c.name, p.name);
            auto b = bind(c, p, p.dflt);
            VMLAB_ASSERT(b.has_value(), "a parameter's default does not have the parameter's type");
            b->present = false;
            bound.push_back(std::move(*b));
            continue;
        }
        auto b = bind(c, p, *a);
        if (!b) return fail(b.error());
        if (p.type == Type::Cpu && b->u >= kernel.cpu_count()) {
            const unsigned n = kernel.cpu_count();
            return failf("{}: cpu {} does not exist (the machine has {} CPU{})", c.name, b->u, n, n == 1 ? "" : "s");
        }
        bound.push_back(std::move(*b));
    }
    Env env{kernel, caller ? *caller : Task{}, opt};
    return table().handlers[static_cast<std::size_t>(index)](env, Bindings(c, std::move(bound)));
}

}  // namespace vmlab::api
