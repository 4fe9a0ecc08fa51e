// The scenario API's machine part: machine{...}, page_size(), constants, print/printf,
// hex, expect/expect_eq, and the argument helpers shared by the other API files.
#include <algorithm>
#include <cmath>
#include <cstring>

#include "vmlab/core/strings.hpp"
#include "vmlab/os/abi_names.hpp"
#include "workload/scenario/context.hpp"

namespace vmlab::scenario {

// ---- argument helpers ---------------------------------------------------------------------

namespace {
const char* type_of(lua_State* L, int idx) { return lua_typename(L, lua_type(L, idx)); }
}  // namespace

std::uint64_t arg_u64(lua_State* L, int idx, const char* fn, const char* name) {
    int isnum = 0;
    if (lua_type(L, idx) == LUA_TNUMBER) {
        const lua_Integer v = lua_tointegerx(L, idx, &isnum);
        if (isnum) return static_cast<std::uint64_t>(v);
        const lua_Number d = lua_tonumber(L, idx);
        if (std::isfinite(d) && d >= 0 && d < 18446744073709551616.0 && d == std::floor(d))
            return static_cast<std::uint64_t>(d);
        script_error("{}: '{}' must be an integer (got {})", fn, name, d);
    }
    if (lua_type(L, idx) == LUA_TSTRING) {
        auto v = parse_u64(lua_tostring(L, idx), true);
        if (v) return *v;
        script_error("{}: '{}': {}", fn, name, v.error().message);
    }
    script_error("{}: '{}' must be an integer (got {})", fn, name, type_of(L, idx));
}

std::uint64_t opt_u64(lua_State* L, int idx, const char* fn, const char* name, std::uint64_t dflt) {
    return lua_isnoneornil(L, idx) ? dflt : arg_u64(L, idx, fn, name);
}

std::string arg_string(lua_State* L, int idx, const char* fn, const char* name) {
    if (lua_type(L, idx) != LUA_TSTRING) script_error("{}: '{}' must be a string (got {})", fn, name, type_of(L, idx));
    std::size_t len = 0;
    const char* s = lua_tolstring(L, idx, &len);
    return std::string(s, len);
}

bool field_present(lua_State* L, int t, const char* key) {
    lua_getfield(L, t, key);
    const bool present = !lua_isnil(L, -1);
    lua_pop(L, 1);
    return present;
}

std::uint64_t field_u64(lua_State* L, int t, const char* key, const char* fn, std::uint64_t dflt) {
    lua_getfield(L, t, key);
    const std::uint64_t v = lua_isnil(L, -1) ? dflt : arg_u64(L, -1, fn, key);
    lua_pop(L, 1);
    return v;
}

void push_u64(lua_State* L, std::uint64_t v) { lua_pushinteger(L, static_cast<lua_Integer>(v)); }

int push_errno(lua_State* L, Errno e) {
    lua_pushnil(L);
    lua_pushstring(L, errno_name(e));
    lua_pushinteger(L, static_cast<int>(e));
    return 3;
}

namespace {

// ---- machine{...} -------------------------------------------------------------------------

// A Lua value as TOML value text for apply_override.
std::string toml_value(lua_State* L, int idx, const std::string& key) {
    switch (lua_type(L, idx)) {
        case LUA_TBOOLEAN: return lua_toboolean(L, idx) ? "true" : "false";
        case LUA_TNUMBER:
            if (lua_isinteger(L, idx)) return std::to_string(lua_tointeger(L, idx));
            return fmt::format("{}", lua_tonumber(L, idx));
        case LUA_TSTRING: {
            std::string s = "\"";
            for (const char* p = lua_tostring(L, idx); *p; ++p) {
                if (*p == '"' || *p == '\\') s += '\\';
                s += *p;
            }
            return s + "\"";
        }
        default: script_error("machine: set['{}'] must be a number, string or boolean", key);
    }
}

// A kernel{} value as TOML value text: integral numbers (also written as strings, "64K") as
// integers, a negative one as the 64-bit two's complement (-1 is "unlimited", as for
// setrlimit); other strings and booleans as such.
std::string kernel_value(lua_State* L, int idx, const std::string& key) {
    if (lua_type(L, idx) == LUA_TNUMBER) {
        const std::uint64_t v = arg_u64(L, idx, "machine", key.c_str());
        if (v > static_cast<std::uint64_t>(INT64_MAX)) return fmt::format("\"{:#x}\"", v);
        return std::to_string(v);
    }
    if (lua_type(L, idx) == LUA_TSTRING) {
        // A number written as a string ("0x1000", "64K") is the number; names stay strings.
        if (auto v = parse_u64(lua_tostring(L, idx), true)) {
            if (*v > static_cast<std::uint64_t>(INT64_MAX)) return fmt::format("\"{:#x}\"", *v);
            return std::to_string(*v);
        }
        return toml_value(L, idx, key);
    }
    if (lua_type(L, idx) == LUA_TBOOLEAN) return toml_value(L, idx, key);
    script_error("machine: kernel.{} must be a number, string or boolean (got {})", key, type_of(L, idx));
}

void set_page_globals(lua_State* L, Context& c) {
    // The base page: the smallest page of the paging format, known once the machine exists.
    push_u64(L, c.simulation().kernel().page_size());
    lua_setglobal(L, "PAGE");
}

int l_machine(lua_State* L) {
    Context& c = context(L);
    if (c.started) script_error("machine: the machine must be chosen before the first process is spawned");
    if (!lua_istable(L, 1)) script_error("machine: expects a table, e.g. machine{{preset='x86_64'}}");
    lua_pushnil(L);
    while (lua_next(L, 1) != 0) {
        static const std::vector<std::string> keys = {"preset", "set", "kernel", "cpus", "config", "file"};
        if (lua_type(L, -2) != LUA_TSTRING) script_error("machine: option keys must be names");
        const std::string key = lua_tostring(L, -2);
        if (std::find(keys.begin(), keys.end(), key) == keys.end())
            script_error("machine: {}", unknown_name_message("option", key, {"preset", "set", "kernel", "cpus"}));
        lua_pop(L, 1);
    }
    ConfigRequest req = c.opt.machine;
    lua_getfield(L, 1, "preset");
    if (!lua_isnil(L, -1)) {
        req.preset = arg_string(L, -1, "machine", "preset");
        req.file.clear();
    }
    lua_pop(L, 1);
    for (const char* bad : {"config", "file"})
        if (field_present(L, 1, bad))
            script_error("machine: scenarios cannot read configuration files; pass --config FILE to vmlab run");
    lua_getfield(L, 1, "set");
    if (!lua_isnil(L, -1)) {
        if (!lua_istable(L, -1)) script_error("machine: 'set' must be a table of key = value");
        const int t = lua_gettop(L);
        std::vector<std::string> overrides;
        lua_pushnil(L);
        while (lua_next(L, t) != 0) {
            if (lua_type(L, -2) != LUA_TSTRING) script_error("machine: 'set' keys must be strings like 'machine.cpus'");
            const std::string key = lua_tostring(L, -2);
            overrides.push_back(key + "=" + toml_value(L, -1, key));
            lua_pop(L, 1);
        }
        std::sort(overrides.begin(), overrides.end());  // table order is not deterministic
        // The script's settings first, the command line's --set last (the user's word wins).
        overrides.insert(overrides.end(), c.opt.machine.overrides.begin(), c.opt.machine.overrides.end());
        req.overrides = overrides;
    }
    lua_pop(L, 1);
    if (field_present(L, 1, "cpus")) {
        req.overrides.insert(req.overrides.begin(),
                             fmt::format("machine.cpus={}", field_u64(L, 1, "cpus", "machine", 1)));
    }
    // The script's kernel{} settings are `kernel.KEY=value` overrides read by the
    // configuration schema, applied last: they win over the file and --set.
    std::vector<std::string> kernel_keys;  // "kernel.KEY" set by the script
    lua_getfield(L, 1, "kernel");
    if (!lua_isnil(L, -1)) {
        if (!lua_istable(L, -1)) script_error("machine: 'kernel' must be a table of kernel settings");
        const int t = lua_gettop(L);
        std::vector<std::string> overrides;
        lua_pushnil(L);
        while (lua_next(L, t) != 0) {
            if (lua_type(L, -2) != LUA_TSTRING) script_error("machine: kernel keys must be names");
            const std::string key = lua_tostring(L, -2);
            overrides.push_back("kernel." + key + "=" + kernel_value(L, -1, key));
            lua_pop(L, 1);
        }
        std::sort(overrides.begin(), overrides.end());
        for (const auto& o : overrides) kernel_keys.push_back(o.substr(0, o.find('=')));
        req.overrides.insert(req.overrides.end(), overrides.begin(), overrides.end());
    }
    lua_pop(L, 1);
    auto cfg = resolve_config(req);
    if (!cfg) {
        // A problem with one of the script's kernel{} keys is the script's, not --set's.
        for (const auto& key : kernel_keys)
            if (cfg.error().message.find("'" + key + "'") != std::string::npos)
                script_error("machine: {}", cfg.error().message);
        script_error("machine: {}", cfg.error().str());
    }
    c.config = std::move(*cfg);
    c.sim.reset();
    set_page_globals(L, c);
    return 0;
}

int l_page_size(lua_State* L) {
    push_u64(L, context(L).kernel().page_size());
    return 1;
}

// ---- output ---------------------------------------------------------------------------------

std::string display(lua_State* L, int idx) {
    switch (lua_type(L, idx)) {
        case LUA_TNIL: return "nil";
        case LUA_TBOOLEAN: return lua_toboolean(L, idx) ? "true" : "false";
        case LUA_TNUMBER:
            if (lua_isinteger(L, idx)) {
                const lua_Integer v = lua_tointeger(L, idx);
                if (v > 9 || v < 0) return fmt::format("{} ({:#x})", v, static_cast<std::uint64_t>(v));
                return std::to_string(v);
            }
            return fmt::format("{}", lua_tonumber(L, idx));
        case LUA_TSTRING: return fmt::format("\"{}\"", lua_tostring(L, idx));
        default: return fmt::format("<{}>", lua_typename(L, lua_type(L, idx)));
    }
}

int l_print(lua_State* L) {
    const int n = lua_gettop(L);
    std::string line;
    for (int i = 1; i <= n; ++i) {
        if (i > 1) line += '\t';
        std::size_t len = 0;
        const char* s = luaL_tolstring(L, i, &len);
        line.append(s, len);
        lua_pop(L, 1);
    }
    context(L).print(line);
    return 0;
}

int l_printf(lua_State* L) {
    lua_getglobal(L, "string");
    lua_getfield(L, -1, "format");
    lua_remove(L, -2);
    lua_insert(L, 1);
    if (lua_pcall(L, lua_gettop(L) - 1, 1, 0) != LUA_OK) script_error("printf: {}", lua_tostring(L, -1));
    std::size_t len = 0;
    const char* s = lua_tolstring(L, -1, &len);
    std::string text(s, len);
    // printf prints exactly what it is given: lines end where the format's '\n' are.
    if (!text.empty() && text.back() == '\n') text.pop_back();
    context(L).print(text);
    return 0;
}

int l_hex(lua_State* L) {
    const std::uint64_t v = arg_u64(L, 1, "hex", "value");
    lua_pushstring(L, fmt::format("{:#x}", v).c_str());
    return 1;
}

// ---- expectations ---------------------------------------------------------------------------

int l_expect(lua_State* L) {
    Context& c = context(L);
    if (lua_toboolean(L, 1)) {
        ++c.expectations;
        return 0;
    }
    ++c.failed_expectations;
    const std::string msg = lua_type(L, 2) == LUA_TSTRING ? lua_tostring(L, 2) : "condition is false";
    script_error("expectation failed: {}", msg);
}

int l_expect_eq(lua_State* L) {
    Context& c = context(L);
    if (lua_gettop(L) < 2) script_error("expect_eq: needs two values (actual, expected)");
    if (lua_rawequal(L, 1, 2) || (lua_type(L, 1) == LUA_TNUMBER && lua_type(L, 2) == LUA_TNUMBER && lua_compare(L, 1, 2, LUA_OPEQ))) {
        ++c.expectations;
        return 0;
    }
    ++c.failed_expectations;
    std::string msg = fmt::format("expectation failed: got {}, expected {}", display(L, 1), display(L, 2));
    if (lua_type(L, 3) == LUA_TSTRING) msg += fmt::format(" ({})", lua_tostring(L, 3));
    throw ScriptError(msg);
}

void push_constants(lua_State* L, const char* global, const sys::FlagSet& set) {
    lua_newtable(L);
    for (const auto& [name, value] : set.names) {
        std::string upper = name;
        for (char& ch : upper) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
        lua_pushinteger(L, value);
        lua_setfield(L, -2, upper.c_str());
    }
    lua_setglobal(L, global);
}

}  // namespace

void open_machine_api(lua_State* L) {
    lua_register(L, "machine", guarded<l_machine>);
    lua_register(L, "page_size", guarded<l_page_size>);
    lua_register(L, "print", guarded<l_print>);
    lua_register(L, "printf", guarded<l_printf>);
    lua_register(L, "hex", guarded<l_hex>);
    lua_register(L, "expect", guarded<l_expect>);
    lua_register(L, "expect_eq", guarded<l_expect_eq>);
    push_constants(L, "PROT", sys::prot_flags());
    push_constants(L, "MAP", sys::map_flags());
    push_constants(L, "MADV", sys::madvise_advice());
    push_constants(L, "FADV", sys::fadvise_advice());
    push_constants(L, "MS", sys::msync_flags());
    push_constants(L, "MREMAP", sys::mremap_flags());
    push_constants(L, "O", sys::open_flags());
    push_constants(L, "SIG", sys::signals());
    lua_pushinteger(L, 1 << 10);
    lua_setglobal(L, "KiB");
    lua_pushinteger(L, 1 << 20);
    lua_setglobal(L, "MiB");
    lua_pushinteger(L, 1 << 30);
    lua_setglobal(L, "GiB");
    // PAGE is known once the machine is built; build it now from the command line's choice
    // so that scripts that never call machine{} can use it. machine{} rebuilds it.
    try {
        set_page_globals(L, context(L));
    } catch (const ScriptError&) {
        // Reported again, with the script line, when the script first uses the machine.
    }
}

}  // namespace vmlab::scenario
