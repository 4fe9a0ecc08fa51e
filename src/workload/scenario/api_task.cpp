// The scenario API's processes and threads: spawn, and the methods of a task handle
// (system calls, memory accesses, fork/exec/exit/wait, threads and CPUs).
#include <algorithm>
#include <cctype>
#include <cstring>
#include <filesystem>
#include <vector>

#include "vmlab/os/exec_plan.hpp"
#include "workload/scenario/context.hpp"
#include "workload/scenario/flags.hpp"

namespace vmlab::scenario {

void push_task(lua_State* L, Pid pid, Tid tid) {
    auto* t = static_cast<TaskRef*>(lua_newuserdatauv(L, sizeof(TaskRef), 0));
    t->pid = pid;
    t->tid = tid;
    luaL_setmetatable(L, kTaskMeta);
}

TaskRef& arg_task(lua_State* L, int idx, const char* fn) {
    auto* t = static_cast<TaskRef*>(luaL_testudata(L, idx, kTaskMeta));
    if (!t) script_error("{}: expects a process or thread (call it as p:{}(...))", fn, fn);
    return *t;
}

void push_signal(lua_State* L, const AccessOutcome& o) {
    lua_createtable(L, 0, 7);
    lua_pushinteger(L, o.signal.signo);
    lua_setfield(L, -2, "signo");
    lua_pushstring(L, signal_name(o.signal.signo));
    lua_setfield(L, -2, "signal");
    lua_pushinteger(L, o.signal.code);
    lua_setfield(L, -2, "code");
    lua_pushstring(L, si_code_name(o.signal.signo, o.signal.code));
    lua_setfield(L, -2, "code_name");
    push_u64(L, o.signal.addr.value);
    lua_setfield(L, -2, "addr");
    push_u64(L, o.fault_va.value);
    lua_setfield(L, -2, "fault_addr");
    lua_pushboolean(L, o.killed);
    lua_setfield(L, -2, "killed");
    luaL_setmetatable(L, "vmlab.signal");
}

namespace {

Kernel& K(lua_State* L) { return context(L).kernel(); }

int push_status(lua_State* L, const SysStatus& r) {
    if (!r.ok()) return push_errno(L, r.error);
    lua_pushboolean(L, 1);
    return 1;
}
int push_addr(lua_State* L, const SysResult<VirtAddr>& r) {
    if (!r.ok()) return push_errno(L, r.error);
    push_u64(L, r.value.value);
    return 1;
}
// An access's outcome: `values` already pushed on success, or nil + signal.
int push_access(lua_State* L, const AccessOutcome& o, int values) {
    if (o.ok) return values;
    lua_pop(L, values);
    lua_pushnil(L);
    push_signal(L, o);
    return 2;
}

AccessKind arg_kind(lua_State* L, int idx, const char* fn) {
    if (lua_isnoneornil(L, idx)) return AccessKind::Read;
    const std::string k = arg_string(L, idx, fn, "kind");
    if (k == "read" || k == "r") return AccessKind::Read;
    if (k == "write" || k == "w") return AccessKind::Write;
    if (k == "exec" || k == "execute" || k == "x") return AccessKind::Execute;
    script_error("{}: kind must be 'read', 'write' or 'exec' (got '{}')", fn, k);
}

Result<int> parse_map(std::string_view s) { return parse_flags(map_flags(), s); }
Result<int> parse_madv(std::string_view s) { return parse_one(madvise_advice(), s); }
Result<int> parse_fadv(std::string_view s) { return parse_one(fadvise_advice(), s); }
Result<int> parse_ms(std::string_view s) { return parse_flags(msync_flags(), s); }
Result<int> parse_mremap(std::string_view s) { return parse_flags(mremap_flags(), s); }
Result<int> parse_mlock(std::string_view s) { return parse_flags(mlock_flags(), s); }
Result<int> parse_mlockall(std::string_view s) { return parse_flags(mlockall_flags(), s); }
Result<int> parse_open(std::string_view s) { return parse_flags(open_flags(), s); }
Result<int> parse_sig(std::string_view s) { return parse_one(signals(), s); }

void mark_started(lua_State* L) { context(L).started = true; }

// ---- processes ----------------------------------------------------------------------------

int l_spawn(lua_State* L) {
    SpawnOptions o;
    if (lua_type(L, 1) == LUA_TSTRING) {
        o.name = lua_tostring(L, 1);
    } else if (lua_istable(L, 1)) {
        lua_getfield(L, 1, "name");
        if (!lua_isnil(L, -1)) o.name = arg_string(L, -1, "spawn", "name");
        lua_pop(L, 1);
        lua_getfield(L, 1, "stack");
        if (!lua_isnil(L, -1)) o.stack = lua_toboolean(L, -1);
        lua_pop(L, 1);
        o.brk_start = field_u64(L, 1, "brk_start", "spawn", 0);
    } else if (!lua_isnoneornil(L, 1)) {
        script_error("spawn: expects a name or a table {{name=..., stack=..., brk_start=...}}");
    }
    auto r = K(L).spawn(o);
    if (!r.ok()) return push_errno(L, r.error);
    mark_started(L);
    push_task(L, *r, *r);
    return 1;
}

int l_fork(lua_State* L) {
    TaskRef& t = arg_task(L, 1, "fork");
    auto r = K(L).fork(t.tid);
    if (!r.ok()) return push_errno(L, r.error);
    push_task(L, *r, *r);
    return 1;
}

int l_clone(lua_State* L) {
    TaskRef& t = arg_task(L, 1, "clone");
    auto r = K(L).clone_thread(t.tid);
    if (!r.ok()) return push_errno(L, r.error);
    push_task(L, t.pid, *r);
    return 1;
}

int l_exit(lua_State* L) {
    TaskRef& t = arg_task(L, 1, "exit");
    const int status = static_cast<int>(opt_u64(L, 2, "exit", "status", 0));
    // A process handle exits the whole process (exit_group); a thread handle, the thread.
    if (t.tid == t.pid) return push_status(L, K(L).exit_group(t.tid, status));
    return push_status(L, K(L).exit_thread(t.tid, status));
}

int l_wait(lua_State* L) {
    TaskRef& t = arg_task(L, 1, "wait");
    Pid child = -1;
    if (!lua_isnoneornil(L, 2)) {
        if (auto* c = static_cast<TaskRef*>(luaL_testudata(L, 2, kTaskMeta))) child = c->pid;
        else child = static_cast<Pid>(arg_u64(L, 2, "wait", "child"));
    }
    auto r = K(L).wait(t.tid, child);
    if (!r.ok()) return push_errno(L, r.error);
    if (r->pid == 0) {
        lua_pushboolean(L, 0);  // children exist, none has exited (WNOHANG)
        return 1;
    }
    lua_createtable(L, 0, 4);
    lua_pushinteger(L, r->pid);
    lua_setfield(L, -2, "pid");
    lua_pushinteger(L, r->exit_code);
    lua_setfield(L, -2, "exit_code");
    lua_pushinteger(L, r->term_signal);
    lua_setfield(L, -2, "term_signal");
    lua_pushstring(L, r->term_signal ? signal_name(r->term_signal) : "none");
    lua_setfield(L, -2, "signal");
    return 1;
}

int l_kill(lua_State* L) {
    TaskRef& t = arg_task(L, 1, "kill");
    const int sig = arg_flags(L, 2, "kill", "signal", parse_sig, sys::kSigKill);
    return push_status(L, K(L).kill(t.pid, sig));
}

int l_catch(lua_State* L) {
    TaskRef& t = arg_task(L, 1, "catch");
    const int sig = arg_flags(L, 2, "catch", "signal", parse_sig, sys::kSigSegv);
    const bool on = opt_bool(L, 3, true);
    return push_status(L, K(L).set_signal_disposition(t.pid, sig, on ? SigDisposition::Catch : SigDisposition::Default));
}

// "stack", "RLIMIT_STACK", "rlimit_stack" -> Rlimit::Stack.
Rlimit arg_rlimit(lua_State* L, int idx, const char* fn) {
    std::string name = arg_string(L, idx, fn, "resource");
    for (char& ch : name) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
    if (name.rfind("rlimit_", 0) == 0) name = name.substr(7);
    static const std::pair<const char*, Rlimit> names[] = {
        {"stack", Rlimit::Stack}, {"data", Rlimit::Data}, {"as", Rlimit::As},
        {"memlock", Rlimit::Memlock}, {"nofile", Rlimit::Nofile}};
    for (const auto& [n, r] : names)
        if (name == n) return r;
    script_error("{}: unknown resource '{}' (stack, data, as, memlock, nofile)", fn, lua_tostring(L, idx));
}

// setrlimit(resource, value): the soft limit in bytes (descriptors for nofile); -1 = infinity.
int l_setrlimit(lua_State* L) {
    TaskRef& t = arg_task(L, 1, "setrlimit");
    const Rlimit which = arg_rlimit(L, 2, "setrlimit");
    return push_status(L, K(L).setrlimit(t.tid, which, arg_u64(L, 3, "setrlimit", "value")));
}

int l_getrlimit(lua_State* L) {
    TaskRef& t = arg_task(L, 1, "getrlimit");
    auto r = K(L).getrlimit(t.tid, arg_rlimit(L, 2, "getrlimit"));
    if (!r.ok()) return push_errno(L, r.error);
    push_u64(L, *r);
    return 1;
}

int l_set_name(lua_State* L) {
    TaskRef& t = arg_task(L, 1, "set_name");
    const std::string name = arg_string(L, 2, "set_name", "name");
    return push_status(L, K(L).set_name(t.pid, name));
}

std::vector<std::string> string_list(lua_State* L, int idx, const char* fn, const char* name) {
    std::vector<std::string> out;
    if (lua_isnoneornil(L, idx)) return out;
    if (!lua_istable(L, idx)) script_error("{}: '{}' must be a list of strings", fn, name);
    const lua_Integer n = static_cast<lua_Integer>(lua_rawlen(L, idx));
    for (lua_Integer i = 1; i <= n; ++i) {
        lua_rawgeti(L, idx, i);
        if (lua_type(L, -1) != LUA_TSTRING) script_error("{}: '{}' must be a list of strings", fn, name);
        out.emplace_back(lua_tostring(L, -1));
        lua_pop(L, 1);
    }
    return out;
}

int l_exec(lua_State* L) {
    TaskRef& t = arg_task(L, 1, "exec");
    Context& c = context(L);
    const std::string path = c.host_path(arg_string(L, 2, "exec", "path"));
    std::vector<std::string> argv = string_list(L, 3, "exec", "argv");
    if (argv.empty()) argv.push_back(arg_string(L, 2, "exec", "path"));
    const std::vector<std::string> envp = string_list(L, 4, "exec", "envp");
    // execve's own checks: a missing file is ENOENT, one that is not a regular file with
    // an execute bit is EACCES. A file that is not a usable ELF executable is bad input:
    // the planner's message (with the byte offset) stops the script.
    std::error_code ec;
    const auto st = std::filesystem::status(path, ec);
    if (ec || !std::filesystem::exists(st)) return push_errno(L, Errno::NoEnt);
    using std::filesystem::perms;
    if (!std::filesystem::is_regular_file(st) ||
        (st.permissions() & (perms::owner_exec | perms::group_exec | perms::others_exec)) == perms::none)
        return push_errno(L, Errno::Acces);
    Simulation& sim = c.simulation();
    Kernel& k = sim.kernel();
    auto plan = plan_exec(path, argv, envp, exec_options_from(k.config(), k.task_size(), k.page_size(), &sim.rng()));
    if (!plan) script_error("exec: {}", plan.error().str());
    return push_status(L, k.exec(t.tid, *plan));
}

// ---- memory-management system calls --------------------------------------------------------

int l_mmap(lua_State* L) {
    TaskRef& t = arg_task(L, 1, "mmap");
    std::uint64_t addr = 0, len = 0, offset = 0;
    int prot = 0, flags = 0, fd = -1;
    if (lua_istable(L, 2)) {
        addr = field_u64(L, 2, "addr", "mmap", 0);
        if (!field_present(L, 2, "len")) script_error("mmap: 'len' is required");
        len = field_u64(L, 2, "len", "mmap", 0);
        lua_getfield(L, 2, "prot");
        prot = arg_flags(L, -1, "mmap", "prot", parse_prot, sys::kProtRead | sys::kProtWrite);
        lua_pop(L, 1);
        lua_getfield(L, 2, "flags");
        flags = arg_flags(L, -1, "mmap", "flags", parse_map, sys::kMapPrivate | sys::kMapAnonymous);
        lua_pop(L, 1);
        fd = static_cast<int>(static_cast<std::int64_t>(field_u64(L, 2, "fd", "mmap", static_cast<std::uint64_t>(-1))));
        offset = field_u64(L, 2, "offset", "mmap", 0);
    } else {
        addr = opt_u64(L, 2, "mmap", "addr", 0);
        len = arg_u64(L, 3, "mmap", "len");
        prot = arg_flags(L, 4, "mmap", "prot", parse_prot, sys::kProtRead | sys::kProtWrite);
        flags = arg_flags(L, 5, "mmap", "flags", parse_map, sys::kMapPrivate | sys::kMapAnonymous);
        fd = static_cast<int>(static_cast<std::int64_t>(opt_u64(L, 6, "mmap", "fd", static_cast<std::uint64_t>(-1))));
        offset = opt_u64(L, 7, "mmap", "offset", 0);
    }
    return push_addr(L, K(L).mmap(t.tid, VirtAddr{addr}, len, prot, flags, fd, offset));
}

int l_munmap(lua_State* L) {
    TaskRef& t = arg_task(L, 1, "munmap");
    return push_status(L, K(L).munmap(t.tid, VirtAddr{arg_u64(L, 2, "munmap", "addr")}, arg_u64(L, 3, "munmap", "len")));
}

int l_mprotect(lua_State* L) {
    TaskRef& t = arg_task(L, 1, "mprotect");
    const auto addr = arg_u64(L, 2, "mprotect", "addr");
    const auto len = arg_u64(L, 3, "mprotect", "len");
    if (lua_isnoneornil(L, 4)) script_error("mprotect: 'prot' is required");
    const int prot = arg_flags(L, 4, "mprotect", "prot", parse_prot, 0);
    return push_status(L, K(L).mprotect(t.tid, VirtAddr{addr}, len, prot));
}

int l_brk(lua_State* L) {
    TaskRef& t = arg_task(L, 1, "brk");
    push_u64(L, K(L).brk(t.tid, VirtAddr{opt_u64(L, 2, "brk", "addr", 0)}).value);
    return 1;
}

int l_sbrk(lua_State* L) {
    TaskRef& t = arg_task(L, 1, "sbrk");
    const auto inc = static_cast<std::int64_t>(opt_u64(L, 2, "sbrk", "increment", 0));
    return push_addr(L, K(L).sbrk(t.tid, inc));
}

int l_madvise(lua_State* L) {
    TaskRef& t = arg_task(L, 1, "madvise");
    const auto addr = arg_u64(L, 2, "madvise", "addr");
    const auto len = arg_u64(L, 3, "madvise", "len");
    if (lua_isnoneornil(L, 4)) script_error("madvise: 'advice' is required");
    const int advice = arg_flags(L, 4, "madvise", "advice", parse_madv, 0);
    return push_status(L, K(L).madvise(t.tid, VirtAddr{addr}, len, advice));
}

int l_msync(lua_State* L) {
    TaskRef& t = arg_task(L, 1, "msync");
    const auto addr = arg_u64(L, 2, "msync", "addr");
    const auto len = arg_u64(L, 3, "msync", "len");
    const int flags = arg_flags(L, 4, "msync", "flags", parse_ms, sys::kMsSync);
    return push_status(L, K(L).msync(t.tid, VirtAddr{addr}, len, flags));
}

int l_mlock(lua_State* L) {
    TaskRef& t = arg_task(L, 1, "mlock");
    const auto addr = arg_u64(L, 2, "mlock", "addr");
    const auto len = arg_u64(L, 3, "mlock", "len");
    const int flags = arg_flags(L, 4, "mlock", "flags", parse_mlock, 0);
    return push_status(L, K(L).mlock(t.tid, VirtAddr{addr}, len, flags));
}

int l_munlock(lua_State* L) {
    TaskRef& t = arg_task(L, 1, "munlock");
    return push_status(L, K(L).munlock(t.tid, VirtAddr{arg_u64(L, 2, "munlock", "addr")}, arg_u64(L, 3, "munlock", "len")));
}

int l_mlockall(lua_State* L) {
    TaskRef& t = arg_task(L, 1, "mlockall");
    return push_status(L, K(L).mlockall(t.tid, arg_flags(L, 2, "mlockall", "flags", parse_mlockall, sys::kMclCurrent)));
}

int l_munlockall(lua_State* L) {
    TaskRef& t = arg_task(L, 1, "munlockall");
    return push_status(L, K(L).munlockall(t.tid));
}

int l_mremap(lua_State* L) {
    TaskRef& t = arg_task(L, 1, "mremap");
    const auto old_addr = arg_u64(L, 2, "mremap", "old_addr");
    const auto old_len = arg_u64(L, 3, "mremap", "old_len");
    const auto new_len = arg_u64(L, 4, "mremap", "new_len");
    const int flags = arg_flags(L, 5, "mremap", "flags", parse_mremap, 0);
    const auto new_addr = opt_u64(L, 6, "mremap", "new_addr", 0);
    return push_addr(L, K(L).mremap(t.tid, VirtAddr{old_addr}, old_len, new_len, flags, VirtAddr{new_addr}));
}

int l_mincore(lua_State* L) {
    TaskRef& t = arg_task(L, 1, "mincore");
    auto r = K(L).mincore(t.tid, VirtAddr{arg_u64(L, 2, "mincore", "addr")}, arg_u64(L, 3, "mincore", "len"));
    if (!r.ok()) return push_errno(L, r.error);
    lua_createtable(L, static_cast<int>(r->size()), 0);
    for (std::size_t i = 0; i < r->size(); ++i) {
        lua_pushinteger(L, (*r)[i] & 1);
        lua_rawseti(L, -2, static_cast<lua_Integer>(i + 1));
    }
    return 1;
}

int l_set_anon_name(lua_State* L) {
    TaskRef& t = arg_task(L, 1, "set_anon_name");
    const auto addr = arg_u64(L, 2, "set_anon_name", "addr");
    const auto len = arg_u64(L, 3, "set_anon_name", "len");
    const std::string name = arg_string(L, 4, "set_anon_name", "name");
    return push_status(L, K(L).set_anon_name(t.tid, VirtAddr{addr}, len, name));
}

// ---- files ------------------------------------------------------------------------------------

int l_open(lua_State* L) {
    TaskRef& t = arg_task(L, 1, "open");
    Context& c = context(L);
    const std::string path = c.host_path(arg_string(L, 2, "open", "path"));
    const int flags = arg_flags(L, 3, "open", "flags", parse_open, sys::kORdOnly);
    const int mode = static_cast<int>(opt_u64(L, 4, "open", "mode", 0644));
    auto r = K(L).open(t.tid, path, flags, mode);
    if (!r.ok()) return push_errno(L, r.error);
    lua_pushinteger(L, *r);
    return 1;
}

int l_memfd_create(lua_State* L) {
    TaskRef& t = arg_task(L, 1, "memfd_create");
    auto r = K(L).memfd_create(t.tid, arg_string(L, 2, "memfd_create", "name"));
    if (!r.ok()) return push_errno(L, r.error);
    lua_pushinteger(L, *r);
    return 1;
}

int l_close(lua_State* L) {
    TaskRef& t = arg_task(L, 1, "close");
    return push_status(L, K(L).close(t.tid, static_cast<int>(arg_u64(L, 2, "close", "fd"))));
}

constexpr std::uint64_t kMaxTransfer = 64ull << 20;  // bytes one read/pread may return

int l_pread(lua_State* L) {
    TaskRef& t = arg_task(L, 1, "pread");
    const int fd = static_cast<int>(arg_u64(L, 2, "pread", "fd"));
    const auto n = arg_u64(L, 3, "pread", "count");
    const auto off = opt_u64(L, 4, "pread", "offset", 0);
    if (n > kMaxTransfer) script_error("pread: count {} is larger than the {} MiB a scenario may read at once", n, kMaxTransfer >> 20);
    std::vector<std::uint8_t> buf(n);
    auto r = K(L).pread(t.tid, fd, buf, off);
    if (!r.ok()) return push_errno(L, r.error);
    lua_pushlstring(L, reinterpret_cast<const char*>(buf.data()), *r);
    return 1;
}

int l_pwrite(lua_State* L) {
    TaskRef& t = arg_task(L, 1, "pwrite");
    const int fd = static_cast<int>(arg_u64(L, 2, "pwrite", "fd"));
    const std::string data = arg_string(L, 3, "pwrite", "data");
    const auto off = opt_u64(L, 4, "pwrite", "offset", 0);
    auto r = K(L).pwrite(t.tid, fd, {reinterpret_cast<const std::uint8_t*>(data.data()), data.size()}, off);
    if (!r.ok()) return push_errno(L, r.error);
    push_u64(L, *r);
    return 1;
}

int l_ftruncate(lua_State* L) {
    TaskRef& t = arg_task(L, 1, "ftruncate");
    return push_status(L, K(L).ftruncate(t.tid, static_cast<int>(arg_u64(L, 2, "ftruncate", "fd")),
                                         arg_u64(L, 3, "ftruncate", "length")));
}

int l_fsync(lua_State* L) {
    TaskRef& t = arg_task(L, 1, "fsync");
    return push_status(L, K(L).fsync(t.tid, static_cast<int>(arg_u64(L, 2, "fsync", "fd"))));
}

// fadvise(fd, offset, len, advice): posix_fadvise; "dontneed" evicts clean, unmapped pages.
int l_fadvise(lua_State* L) {
    TaskRef& t = arg_task(L, 1, "fadvise");
    const int fd = static_cast<int>(arg_u64(L, 2, "fadvise", "fd"));
    const auto off = arg_u64(L, 3, "fadvise", "offset");
    const auto len = arg_u64(L, 4, "fadvise", "len");
    if (lua_isnoneornil(L, 5)) script_error("fadvise: 'advice' is required");
    const int advice = arg_flags(L, 5, "fadvise", "advice", parse_fadv, 0);
    return push_status(L, K(L).fadvise(t.tid, fd, off, len, advice));
}

// drop_caches(): echo 1 > /proc/sys/vm/drop_caches; returns the number of pages dropped.
int l_drop_caches(lua_State* L) {
    push_u64(L, K(L).drop_caches());
    return 1;
}

int l_file_size(lua_State* L) {
    TaskRef& t = arg_task(L, 1, "file_size");
    auto r = K(L).file_size(t.tid, static_cast<int>(arg_u64(L, 2, "file_size", "fd")));
    if (!r.ok()) return push_errno(L, r.error);
    push_u64(L, *r);
    return 1;
}

// ---- memory accesses ------------------------------------------------------------------------

template <unsigned Bytes>
int l_read_uint(lua_State* L) {
    TaskRef& t = arg_task(L, 1, "read");
    std::uint64_t v = 0;
    const auto o = context(L).simulation().read_uint(t.tid, VirtAddr{arg_u64(L, 2, "read", "addr")}, Bytes, v);
    push_u64(L, v);
    return push_access(L, o, 1);
}

template <unsigned Bytes>
int l_write_uint(lua_State* L) {
    TaskRef& t = arg_task(L, 1, "write");
    const auto addr = arg_u64(L, 2, "write", "addr");
    const auto v = arg_u64(L, 3, "write", "value");
    const auto o = context(L).simulation().write_uint(t.tid, VirtAddr{addr}, Bytes, v);
    lua_pushboolean(L, 1);
    return push_access(L, o, 1);
}

int l_read_bytes(lua_State* L) {
    TaskRef& t = arg_task(L, 1, "read_bytes");
    const auto addr = arg_u64(L, 2, "read_bytes", "addr");
    const auto n = arg_u64(L, 3, "read_bytes", "count");
    if (n > kMaxTransfer) script_error("read_bytes: count {} is larger than the {} MiB a scenario may read at once", n, kMaxTransfer >> 20);
    std::vector<std::uint8_t> buf(n);
    const auto o = K(L).read(t.tid, VirtAddr{addr}, buf);
    lua_pushlstring(L, reinterpret_cast<const char*>(buf.data()), buf.size());
    return push_access(L, o, 1);
}

int l_write_bytes(lua_State* L) {
    TaskRef& t = arg_task(L, 1, "write_bytes");
    const auto addr = arg_u64(L, 2, "write_bytes", "addr");
    const std::string data = arg_string(L, 3, "write_bytes", "data");
    const auto o = K(L).write(t.tid, VirtAddr{addr}, {reinterpret_cast<const std::uint8_t*>(data.data()), data.size()});
    lua_pushboolean(L, 1);
    return push_access(L, o, 1);
}

// A NUL-terminated string, read up to the end of each page at a time (at most `max`).
int l_read_string(lua_State* L) {
    TaskRef& t = arg_task(L, 1, "read_string");
    std::uint64_t addr = arg_u64(L, 2, "read_string", "addr");
    const auto max = opt_u64(L, 3, "read_string", "max", 4096);
    if (max > kMaxTransfer) script_error("read_string: max {} is too large", max);
    Kernel& k = K(L);
    const std::uint64_t page = k.page_size();
    std::string s;
    AccessOutcome o;
    while (s.size() < max) {
        const std::uint64_t chunk = std::min<std::uint64_t>(page - addr % page, max - s.size());
        std::vector<std::uint8_t> buf(chunk);
        o = k.read(t.tid, VirtAddr{addr}, buf);
        if (!o.ok) break;
        auto nul = std::find(buf.begin(), buf.end(), 0);
        s.append(buf.begin(), nul);
        if (nul != buf.end()) break;
        addr += chunk;
    }
    lua_pushlstring(L, s.data(), s.size());
    return push_access(L, o, 1);
}

int l_write_string(lua_State* L) {
    TaskRef& t = arg_task(L, 1, "write_string");
    const auto addr = arg_u64(L, 2, "write_string", "addr");
    std::string data = arg_string(L, 3, "write_string", "text");
    data.push_back('\0');
    const auto o = K(L).write(t.tid, VirtAddr{addr}, {reinterpret_cast<const std::uint8_t*>(data.data()), data.size()});
    lua_pushboolean(L, 1);
    return push_access(L, o, 1);
}

// touch(addr, len [, kind]): one access of one byte per page of [addr, addr+len), in order.
// Returns the number of page faults taken, or nil + the signal of the first failing page.
int l_touch(lua_State* L) {
    TaskRef& t = arg_task(L, 1, "touch");
    const auto addr = arg_u64(L, 2, "touch", "addr");
    const auto len = arg_u64(L, 3, "touch", "len");
    const AccessKind kind = arg_kind(L, 4, "touch");
    Kernel& k = K(L);
    const std::uint64_t page = k.page_size();
    std::uint64_t faults = 0;
    AccessOutcome o;
    for (std::uint64_t va = addr; va < addr + len; va = (va / page + 1) * page) {
        o = k.access(t.tid, VirtAddr{va}, kind, 1);
        faults += o.faults;
        if (!o.ok) break;
    }
    push_u64(L, faults);
    return push_access(L, o, 1);
}

// fill(addr, len, byte): writes real bytes over a range (page by page).
int l_fill(lua_State* L) {
    TaskRef& t = arg_task(L, 1, "fill");
    const auto addr = arg_u64(L, 2, "fill", "addr");
    const auto len = arg_u64(L, 3, "fill", "len");
    const auto byte = static_cast<std::uint8_t>(opt_u64(L, 4, "fill", "byte", 0));
    Kernel& k = K(L);
    const std::uint64_t page = k.page_size();
    std::vector<std::uint8_t> buf(page, byte);
    std::uint64_t faults = 0;
    AccessOutcome o;
    for (std::uint64_t va = addr; va < addr + len;) {
        const std::uint64_t n = std::min(page - va % page, addr + len - va);
        o = k.write(t.tid, VirtAddr{va}, {buf.data(), n});
        faults += o.faults;
        if (!o.ok) break;
        va += n;
    }
    push_u64(L, faults);
    return push_access(L, o, 1);
}

int l_access(lua_State* L) {
    TaskRef& t = arg_task(L, 1, "access");
    const auto addr = arg_u64(L, 2, "access", "addr");
    const auto size = opt_u64(L, 3, "access", "size", 1);
    const AccessKind kind = arg_kind(L, 4, "access");
    const auto o = K(L).access(t.tid, VirtAddr{addr}, kind, size);
    push_u64(L, o.faults);
    return push_access(L, o, 1);
}

// ---- threads and CPUs --------------------------------------------------------------------------

int l_set_cpu(lua_State* L) {
    TaskRef& t = arg_task(L, 1, "set_cpu");
    return push_status(L, K(L).set_affinity(t.tid, static_cast<unsigned>(arg_u64(L, 2, "set_cpu", "cpu"))));
}

int l_cpu(lua_State* L) {
    TaskRef& t = arg_task(L, 1, "cpu");
    lua_pushinteger(L, K(L).cpu_of(t.tid));
    return 1;
}

unsigned arg_cpu(lua_State* L, int idx, const char* fn) {
    const auto cpu = arg_u64(L, idx, fn, "cpu");
    const unsigned n = K(L).cpu_count();
    if (cpu >= n) script_error("{}: cpu {} does not exist (the machine has {} CPU{}; machine{{cpus=N}})", fn, cpu, n, n == 1 ? "" : "s");
    return static_cast<unsigned>(cpu);
}

void push_tid(lua_State* L, Tid tid) {
    if (tid == 0) {
        lua_pushnil(L);
        return;
    }
    push_task(L, K(L).pid_of(tid), tid);
}

int l_cpus(lua_State* L) {
    lua_pushinteger(L, K(L).cpu_count());
    return 1;
}

int l_schedule(lua_State* L) {
    const unsigned cpu = arg_cpu(L, 1, "schedule");
    push_tid(L, K(L).schedule(cpu));
    return 1;
}

int l_current(lua_State* L) {
    const unsigned cpu = arg_cpu(L, 1, "current");
    push_tid(L, K(L).current(cpu));
    return 1;
}

int l_switch_to(lua_State* L) {
    const unsigned cpu = arg_cpu(L, 1, "switch_to");
    TaskRef& t = arg_task(L, 2, "switch_to");
    return push_status(L, K(L).switch_to(cpu, t.tid));
}

// cpu_access(cpu, addr [, size [, kind]]): an access by whichever thread runs on the CPU
// (counted towards its quantum; the CPU switches when the quantum is used up).
int l_cpu_access(lua_State* L) {
    const unsigned cpu = arg_cpu(L, 1, "cpu_access");
    const auto addr = arg_u64(L, 2, "cpu_access", "addr");
    const auto size = opt_u64(L, 3, "cpu_access", "size", 1);
    const AccessKind kind = arg_kind(L, 4, "cpu_access");
    const auto o = K(L).access_on_cpu(cpu, VirtAddr{addr}, kind, size);
    push_u64(L, o.faults);
    return push_access(L, o, 1);
}

// ---- the handle's metatable ----------------------------------------------------------------------

int l_task_index(lua_State* L) {
    TaskRef& t = arg_task(L, 1, "index");
    if (lua_type(L, 2) == LUA_TSTRING) {
        const char* key = lua_tostring(L, 2);
        if (std::strcmp(key, "pid") == 0) {
            lua_pushinteger(L, t.pid);
            return 1;
        }
        if (std::strcmp(key, "tid") == 0) {
            lua_pushinteger(L, t.tid);
            return 1;
        }
        if (std::strcmp(key, "name") == 0) {
            auto info = K(L).process(t.pid);
            lua_pushstring(L, info ? info->name.c_str() : "");
            return 1;
        }
    }
    lua_getfield(L, LUA_REGISTRYINDEX, "vmlab.task.methods");
    lua_pushvalue(L, 2);
    lua_rawget(L, -2);
    return 1;
}

int l_task_tostring(lua_State* L) {
    TaskRef& t = arg_task(L, 1, "tostring");
    if (t.tid == t.pid)
        lua_pushstring(L, fmt::format("process {}", t.pid).c_str());
    else
        lua_pushstring(L, fmt::format("thread {} of process {}", t.tid, t.pid).c_str());
    return 1;
}

int l_task_eq(lua_State* L) {
    auto* a = static_cast<TaskRef*>(luaL_testudata(L, 1, kTaskMeta));
    auto* b = static_cast<TaskRef*>(luaL_testudata(L, 2, kTaskMeta));
    lua_pushboolean(L, a && b && a->tid == b->tid);
    return 1;
}

int l_signal_tostring(lua_State* L) {
    lua_getfield(L, 1, "signal");
    lua_getfield(L, 1, "code_name");
    lua_getfield(L, 1, "addr");
    const std::string s = fmt::format("{} ({}) at {:#x}", lua_tostring(L, -3), lua_tostring(L, -2),
                                      static_cast<std::uint64_t>(lua_tointeger(L, -1)));
    lua_pushstring(L, s.c_str());
    return 1;
}

}  // namespace

// Task methods defined in other files (stats and reports) are added to the same table.
void add_task_methods(lua_State* L, const luaL_Reg* methods) {
    lua_getfield(L, LUA_REGISTRYINDEX, "vmlab.task.methods");
    luaL_setfuncs(L, methods, 0);
    lua_pop(L, 1);
}

void open_task_api(lua_State* L) {
    static const luaL_Reg methods[] = {
        {"fork", guarded<l_fork>},
        {"clone", guarded<l_clone>},
        {"exit", guarded<l_exit>},
        {"wait", guarded<l_wait>},
        {"kill", guarded<l_kill>},
        {"catch", guarded<l_catch>},
        {"set_name", guarded<l_set_name>},
        {"setrlimit", guarded<l_setrlimit>},
        {"getrlimit", guarded<l_getrlimit>},
        {"exec", guarded<l_exec>},
        {"mmap", guarded<l_mmap>},
        {"munmap", guarded<l_munmap>},
        {"mprotect", guarded<l_mprotect>},
        {"brk", guarded<l_brk>},
        {"sbrk", guarded<l_sbrk>},
        {"madvise", guarded<l_madvise>},
        {"msync", guarded<l_msync>},
        {"mlock", guarded<l_mlock>},
        {"munlock", guarded<l_munlock>},
        {"mlockall", guarded<l_mlockall>},
        {"munlockall", guarded<l_munlockall>},
        {"mremap", guarded<l_mremap>},
        {"mincore", guarded<l_mincore>},
        {"set_anon_name", guarded<l_set_anon_name>},
        {"open", guarded<l_open>},
        {"memfd_create", guarded<l_memfd_create>},
        {"close", guarded<l_close>},
        {"pread", guarded<l_pread>},
        {"pwrite", guarded<l_pwrite>},
        {"ftruncate", guarded<l_ftruncate>},
        {"fsync", guarded<l_fsync>},
        {"file_size", guarded<l_file_size>},
        {"fadvise", guarded<l_fadvise>},
        {"read_u8", guarded<l_read_uint<1>>},
        {"read_u16", guarded<l_read_uint<2>>},
        {"read_u32", guarded<l_read_uint<4>>},
        {"read_u64", guarded<l_read_uint<8>>},
        {"write_u8", guarded<l_write_uint<1>>},
        {"write_u16", guarded<l_write_uint<2>>},
        {"write_u32", guarded<l_write_uint<4>>},
        {"write_u64", guarded<l_write_uint<8>>},
        {"read_bytes", guarded<l_read_bytes>},
        {"write_bytes", guarded<l_write_bytes>},
        {"read_string", guarded<l_read_string>},
        {"write_string", guarded<l_write_string>},
        {"touch", guarded<l_touch>},
        {"fill", guarded<l_fill>},
        {"access", guarded<l_access>},
        {"set_cpu", guarded<l_set_cpu>},
        {"cpu", guarded<l_cpu>},
        {nullptr, nullptr},
    };
    lua_newtable(L);
    luaL_setfuncs(L, methods, 0);
    lua_setfield(L, LUA_REGISTRYINDEX, "vmlab.task.methods");

    luaL_newmetatable(L, kTaskMeta);
    lua_pushcfunction(L, guarded<l_task_index>);
    lua_setfield(L, -2, "__index");
    lua_pushcfunction(L, guarded<l_task_tostring>);
    lua_setfield(L, -2, "__tostring");
    lua_pushcfunction(L, l_task_eq);
    lua_setfield(L, -2, "__eq");
    lua_pushstring(L, "vmlab task");
    lua_setfield(L, -2, "__metatable");
    lua_pop(L, 1);

    luaL_newmetatable(L, "vmlab.signal");
    lua_pushcfunction(L, l_signal_tostring);
    lua_setfield(L, -2, "__tostring");
    lua_pop(L, 1);

    lua_register(L, "spawn", guarded<l_spawn>);
    lua_register(L, "cpus", guarded<l_cpus>);
    lua_register(L, "schedule", guarded<l_schedule>);
    lua_register(L, "current", guarded<l_current>);
    lua_register(L, "switch_to", guarded<l_switch_to>);
    lua_register(L, "cpu_access", guarded<l_cpu_access>);
    lua_register(L, "drop_caches", guarded<l_drop_caches>);
}

}  // namespace vmlab::scenario
