// The scenario API's processes and threads: the task handles, their system calls (every
// call of the api/ layer: a method of a handle, or a global for the machine's calls such
// as spawn and schedule), and their memory accesses.
#include <algorithm>
#include <cctype>
#include <cstring>
#include <vector>

#include "vmlab/api/syscalls.hpp"
#include "workload/scenario/context.hpp"

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

void mark_started(lua_State* L) { context(L).started = true; }

constexpr std::uint64_t kMaxTransfer = 64ull << 20;  // bytes one read/pread may return

// ---- system calls, through the api/ layer ---------------------------------------------------

api::Arg to_arg(lua_State* L, int idx, const api::Param* param, int depth);

// A Lua table: a list when it has a sequence part, a map when all its keys are names; any
// other table is a value no parameter takes.
api::Arg table_arg(lua_State* L, int idx, int depth) {
    idx = lua_absindex(L, idx);
    if (depth > 4) return api::Arg(api::Arg::Other{"table"});
    const lua_Integer n = static_cast<lua_Integer>(lua_rawlen(L, idx));
    if (n > 0) {
        api::ArgList l;
        for (lua_Integer i = 1; i <= n; ++i) {
            lua_rawgeti(L, idx, i);
            l.push_back(to_arg(L, -1, nullptr, depth + 1));
            lua_pop(L, 1);
        }
        return api::Arg(std::move(l));
    }
    api::ArgMap m;
    lua_pushnil(L);
    while (lua_next(L, idx) != 0) {
        if (lua_type(L, -2) != LUA_TSTRING) {
            lua_pop(L, 2);
            return api::Arg(api::Arg::Other{"table"});
        }
        m.emplace_back(lua_tostring(L, -2), to_arg(L, -1, nullptr, depth + 1));
        lua_pop(L, 1);
    }
    if (m.empty()) return api::Arg(api::ArgList{});
    return api::Arg(std::move(m));
}

// A Lua value as an argument. A boolean parameter takes Lua's truth of any value.
api::Arg to_arg(lua_State* L, int idx, const api::Param* param, int depth) {
    if (param && param->type == api::Type::Bool && !lua_isnoneornil(L, idx)) return api::Arg(lua_toboolean(L, idx) != 0);
    switch (lua_type(L, idx)) {
        case LUA_TNONE:
        case LUA_TNIL: return {};
        case LUA_TBOOLEAN: return api::Arg(lua_toboolean(L, idx) != 0);
        case LUA_TNUMBER:
            if (lua_isinteger(L, idx)) return api::Arg(static_cast<std::int64_t>(lua_tointeger(L, idx)));
            return api::Arg(static_cast<double>(lua_tonumber(L, idx)));
        case LUA_TSTRING: {
            std::size_t len = 0;
            const char* s = lua_tolstring(L, idx, &len);
            return api::Arg(std::string(s, len));
        }
        case LUA_TTABLE: return table_arg(L, idx, depth);
        case LUA_TUSERDATA:
            if (auto* t = static_cast<TaskRef*>(luaL_testudata(L, idx, kTaskMeta))) return api::Arg(api::Task{t->pid, t->tid});
            [[fallthrough]];
        default: return api::Arg(api::Arg::Other{lua_typename(L, lua_type(L, idx))});
    }
}

// Positional arguments from `first` on, or one option table (p:mmap{len=PAGE}) whose keys
// name the call's parameters.
api::Args read_args(lua_State* L, const api::CallSpec& c, int first) {
    api::Args args;
    const int top = lua_gettop(L);
    const bool options = top == first && lua_istable(L, first) && !c.params.empty() &&
                         c.params[0].type != api::Type::StringList;
    if (options) {
        lua_pushnil(L);
        while (lua_next(L, first) != 0) {
            if (lua_type(L, -2) != LUA_TSTRING) script_error("{}: option keys must be names", c.name);
            const std::string key = lua_tostring(L, -2);
            args.named.emplace_back(key, to_arg(L, -1, c.param(key), 0));
            lua_pop(L, 1);
        }
        // Table order is not deterministic: report the first unknown key by name.
        std::sort(args.named.begin(), args.named.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
        return args;
    }
    for (int i = first; i <= top; ++i) {
        const std::size_t k = static_cast<std::size_t>(i - first);
        args.positional.push_back(to_arg(L, i, k < c.params.size() ? &c.params[k] : nullptr, 0));
    }
    // Trailing nils are absent arguments.
    while (!args.positional.empty() && args.positional.back().is_nil()) args.positional.pop_back();
    return args;
}

int push_value(lua_State* L, const api::Value& v);

struct PushValue {
    lua_State* L;
    void operator()(std::monostate) const { lua_pushnil(L); }
    void operator()(bool b) const { lua_pushboolean(L, b); }
    void operator()(std::int64_t i) const { lua_pushinteger(L, i); }
    void operator()(std::uint64_t u) const { push_u64(L, u); }
    void operator()(const api::Address& a) const { push_u64(L, a.value); }
    void operator()(const std::string& s) const { lua_pushlstring(L, s.data(), s.size()); }
    void operator()(const api::Bytes& b) const { lua_pushlstring(L, b.data.data(), b.data.size()); }
    void operator()(const api::List& l) const {
        lua_createtable(L, static_cast<int>(l.size()), 0);
        for (std::size_t i = 0; i < l.size(); ++i) {
            push_value(L, l[i]);
            lua_rawseti(L, -2, static_cast<lua_Integer>(i + 1));
        }
    }
    void operator()(const api::Table& t) const {
        lua_createtable(L, 0, static_cast<int>(t.size()));
        for (const auto& [k, x] : t) {
            push_value(L, x);
            lua_setfield(L, -2, k.c_str());
        }
    }
    void operator()(const api::Task& t) const { push_task(L, t.pid, t.tid); }
};

int push_value(lua_State* L, const api::Value& v) {
    std::visit(PushValue{L}, v.v);
    return 1;
}

// The Lua face of every call of the layer: the call's spec is the closure's upvalue.
// Results: the value; nil, "ENAME", errno; or nil and a signal table.
int l_syscall(lua_State* L) {
    const auto* c = static_cast<const api::CallSpec*>(lua_touserdata(L, lua_upvalueindex(1)));
    Context& ctx = context(L);
    api::Task caller;
    if (c->needs_caller) {
        const TaskRef& t = arg_task(L, 1, c->name.c_str());
        caller = api::Task{t.pid, t.tid};
    }
    const api::Args args = read_args(L, *c, c->needs_caller ? 2 : 1);
    api::Options opt;
    opt.host_path = [&ctx](const std::string& p) { return ctx.host_path(p); };
    opt.max_transfer = kMaxTransfer;
    auto r = api::call(ctx.kernel(), c->needs_caller ? &caller : nullptr, c->name, args, opt);
    if (!r) script_error("{}", r.error().str());
    if (const api::Signal* s = r->signal()) {
        AccessOutcome o;
        o.ok = false;
        o.signal = s->info;
        o.fault_va = s->fault_addr;
        o.killed = s->killed;
        lua_pushnil(L);
        push_signal(L, o);
        return 2;
    }
    if (!r->ok()) return push_errno(L, r->error());
    if (c->name == "spawn") mark_started(L);
    return push_value(L, r->value());
}

void register_syscalls(lua_State* L, int methods) {
    for (const api::CallSpec& c : api::calls()) {
        lua_pushlightuserdata(L, const_cast<api::CallSpec*>(&c));
        lua_pushcclosure(L, guarded<l_syscall>, 1);
        if (c.needs_caller) {
            lua_setfield(L, methods, c.name.c_str());
        } else {
            lua_setglobal(L, c.name.c_str());
        }
    }
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

unsigned arg_cpu(lua_State* L, int idx, const char* fn) {
    const auto cpu = arg_u64(L, idx, fn, "cpu");
    const unsigned n = K(L).cpu_count();
    if (cpu >= n) script_error("{}: cpu {} does not exist (the machine has {} CPU{}; machine{{cpus=N}})", fn, cpu, n, n == 1 ? "" : "s");
    return static_cast<unsigned>(cpu);
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
        {nullptr, nullptr},
    };
    lua_newtable(L);
    luaL_setfuncs(L, methods, 0);
    register_syscalls(L, lua_gettop(L));
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

    lua_register(L, "cpu_access", guarded<l_cpu_access>);
}

}  // namespace vmlab::scenario
