// The scenario API's machine part: machine{...}, page_size(), constants, print/printf,
// hex, expect/expect_eq, and the argument helpers shared by the other API files.
#include <cmath>
#include <cstring>

#include "vmlab/core/strings.hpp"
#include "workload/scenario/context.hpp"
#include "workload/scenario/flags.hpp"

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

bool opt_bool(lua_State* L, int idx, bool dflt) { return lua_isnoneornil(L, idx) ? dflt : lua_toboolean(L, idx) != 0; }

int arg_flags(lua_State* L, int idx, const char* fn, const char* name, Result<int> (*parse)(std::string_view), int dflt) {
    if (lua_isnoneornil(L, idx)) return dflt;
    if (lua_type(L, idx) == LUA_TNUMBER) return static_cast<int>(arg_u64(L, idx, fn, name));
    if (lua_type(L, idx) != LUA_TSTRING)
        script_error("{}: '{}' must be a string of names or a number (got {})", fn, name, type_of(L, idx));
    auto v = parse(lua_tostring(L, idx));
    if (!v) script_error("{}: {}", fn, v.error().message);
    return *v;
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

struct KernelKey {
    const char* name;
    std::uint64_t KernelConfig::*field;
};
constexpr KernelKey kKernelKeys[] = {
    {"fault_around_bytes", &KernelConfig::fault_around_bytes},
    {"read_around_bytes", &KernelConfig::read_around_bytes},
    {"stack_rlimit", &KernelConfig::stack_rlimit},
    {"stack_guard_gap_pages", &KernelConfig::stack_guard_gap_pages},
    {"stack_expand_bytes", &KernelConfig::stack_expand_bytes},
    {"mmap_min_addr", &KernelConfig::mmap_min_addr},
    {"mmap_min_gap", &KernelConfig::mmap_min_gap},
    {"max_map_count", &KernelConfig::max_map_count},
    {"memlock_rlimit", &KernelConfig::memlock_rlimit},
    {"data_rlimit", &KernelConfig::data_rlimit},
    {"as_rlimit", &KernelConfig::as_rlimit},
    {"brk_rnd_bytes", &KernelConfig::brk_rnd_bytes},
    {"task_size", &KernelConfig::task_size},
    {"quantum", &KernelConfig::quantum},
};
constexpr const char* kKernelSmallKeys[] = {"nofile_rlimit", "overcommit", "overcommit_ratio", "randomize_va_space",
                                            "mmap_rnd_bits", "stack_rnd_bits", "first_pid"};

void apply_kernel_table(lua_State* L, int t, KernelConfig& k) {
    lua_pushnil(L);
    while (lua_next(L, t) != 0) {
        if (lua_type(L, -2) != LUA_TSTRING) script_error("machine: kernel keys must be names");
        const std::string key = lua_tostring(L, -2);
        bool done = false;
        for (const auto& kk : kKernelKeys)
            if (key == kk.name) {
                k.*kk.field = arg_u64(L, -1, "machine", kk.name);
                done = true;
            }
        if (!done) {
            if (key == "overcommit") {
                if (lua_type(L, -1) == LUA_TSTRING) {
                    const std::string v = lua_tostring(L, -1);
                    if (v == "heuristic") k.overcommit = OvercommitMode::Heuristic;
                    else if (v == "always") k.overcommit = OvercommitMode::Always;
                    else if (v == "never") k.overcommit = OvercommitMode::Never;
                    else script_error("machine: kernel.overcommit must be 'heuristic', 'always' or 'never' (got '{}')", v);
                } else {
                    const auto v = arg_u64(L, -1, "machine", "overcommit");
                    if (v > 2) script_error("machine: kernel.overcommit must be 0, 1 or 2");
                    k.overcommit = static_cast<OvercommitMode>(v);
                }
            } else if (key == "nofile_rlimit") {
                k.nofile_rlimit = static_cast<unsigned>(arg_u64(L, -1, "machine", "nofile_rlimit"));
            } else if (key == "overcommit_ratio") {
                k.overcommit_ratio = static_cast<unsigned>(arg_u64(L, -1, "machine", "overcommit_ratio"));
            } else if (key == "randomize_va_space") {
                k.randomize_va_space = static_cast<unsigned>(arg_u64(L, -1, "machine", "randomize_va_space"));
            } else if (key == "mmap_rnd_bits") {
                k.mmap_rnd_bits = static_cast<unsigned>(arg_u64(L, -1, "machine", "mmap_rnd_bits"));
            } else if (key == "stack_rnd_bits") {
                k.stack_rnd_bits = static_cast<unsigned>(arg_u64(L, -1, "machine", "stack_rnd_bits"));
            } else if (key == "first_pid") {
                k.first_pid = static_cast<Pid>(arg_u64(L, -1, "machine", "first_pid"));
            } else {
                std::vector<std::string> names;
                for (const auto& kk : kKernelKeys) names.emplace_back(kk.name);
                for (const char* n : kKernelSmallKeys) names.emplace_back(n);
                script_error("machine: {}", unknown_name_message("kernel key", key, names));
            }
        }
        lua_pop(L, 1);
    }
}

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

void set_page_globals(lua_State* L, Context& c) {
    // The base page: the smallest page of the paging format, known once the machine exists.
    push_u64(L, c.simulation().kernel().page_size());
    lua_setglobal(L, "PAGE");
}

int l_machine(lua_State* L) {
    Context& c = context(L);
    if (c.started) script_error("machine: the machine must be chosen before the first process is spawned");
    if (!lua_istable(L, 1)) script_error("machine: expects a table, e.g. machine{{preset='x86_64'}}");
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
    auto cfg = resolve_config(req);
    if (!cfg) script_error("machine: {}", cfg.error().str());
    // The resolved config's [kernel] (file and --set) first, the script's kernel{} on top.
    KernelConfig k = cfg->kernel;
    lua_getfield(L, 1, "kernel");
    if (!lua_isnil(L, -1)) {
        if (!lua_istable(L, -1)) script_error("machine: 'kernel' must be a table of kernel settings");
        apply_kernel_table(L, lua_gettop(L), k);
    }
    lua_pop(L, 1);
    if (auto st = k.validate(); !st) script_error("machine: kernel: {}", st.error().message);
    c.config = std::move(*cfg);
    c.kernel_cfg = k;
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

void push_constants(lua_State* L, const char* global, const FlagSet& set) {
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
    push_constants(L, "PROT", prot_flags());
    push_constants(L, "MAP", map_flags());
    push_constants(L, "MADV", madvise_advice());
    push_constants(L, "FADV", fadvise_advice());
    push_constants(L, "MS", msync_flags());
    push_constants(L, "MREMAP", mremap_flags());
    push_constants(L, "O", open_flags());
    push_constants(L, "SIG", signals());
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
