#include "workload/scenario/sandbox.hpp"

#include <cstdlib>
#include <cstring>

#include <fmt/format.h>

namespace vmlab::scenario {

namespace {

constexpr int kHookEvery = 1000;  // instructions between count-hook calls

// collectgarbage restricted to what cannot disturb the run: "count" and "collect".
int safe_collectgarbage(lua_State* L) {
    const char* opt = luaL_optstring(L, 1, "collect");
    if (std::strcmp(opt, "count") == 0) {
        lua_pushnumber(L, lua_gc(L, LUA_GCCOUNT, 0) + lua_gc(L, LUA_GCCOUNTB, 0) / 1024.0);
        return 1;
    }
    if (std::strcmp(opt, "collect") == 0) {
        lua_gc(L, LUA_GCCOLLECT, 0);
        lua_pushinteger(L, 0);
        return 1;
    }
    return luaL_error(L, "collectgarbage('%s') is not available in scenarios (only 'count' and 'collect')", opt);
}

// load(chunk [, chunkname [, mode [, env]]]) with mode forced to text.
int safe_load(lua_State* L) {
    const int top = lua_gettop(L);
    lua_getfield(L, LUA_REGISTRYINDEX, "vmlab.load");
    lua_pushvalue(L, 1);
    if (top >= 2) lua_pushvalue(L, 2); else lua_pushnil(L);
    lua_pushstring(L, "t");
    int n = 4;
    if (top >= 4) {
        lua_pushvalue(L, 4);
        ++n;
    }
    lua_call(L, n - 1, LUA_MULTRET);
    return lua_gettop(L) - top;
}

int safe_randomseed(lua_State* L) {
    if (lua_gettop(L) == 0)
        return luaL_error(L, "math.randomseed needs a seed in scenarios (runs are deterministic; the run's --seed seeds it at start)");
    lua_getfield(L, LUA_REGISTRYINDEX, "vmlab.randomseed");
    lua_insert(L, 1);
    lua_call(L, lua_gettop(L) - 1, LUA_MULTRET);
    return lua_gettop(L);
}

}  // namespace

Sandbox& sandbox_of(lua_State* L) { return **static_cast<Sandbox**>(lua_getextraspace(L)); }

Sandbox::Sandbox(const SandboxLimits& limits, std::uint64_t seed) : limits_(limits) {
    L_ = lua_newstate(&Sandbox::alloc, this);
    VMLAB_ASSERT(L_ != nullptr, "cannot create a Lua state");
    *static_cast<Sandbox**>(lua_getextraspace(L_)) = this;
    open_libraries(seed);
}

Sandbox::~Sandbox() {
    running_ = false;
    lua_close(L_);
}

void Sandbox::open_libraries(std::uint64_t seed) {
    static const luaL_Reg libs[] = {{LUA_GNAME, luaopen_base},         {LUA_STRLIBNAME, luaopen_string},
                                    {LUA_TABLIBNAME, luaopen_table},   {LUA_MATHLIBNAME, luaopen_math},
                                    {LUA_UTF8LIBNAME, luaopen_utf8},   {LUA_COLIBNAME, luaopen_coroutine}};
    for (const auto& lib : libs) {
        luaL_requiref(L_, lib.name, lib.func, 1);
        lua_pop(L_, 1);
    }
    // Base functions that reach files or the collector's knobs.
    for (const char* name : {"dofile", "loadfile"}) {
        lua_pushnil(L_);
        lua_setglobal(L_, name);
    }
    // The original load and math.randomseed stay in the registry, out of the script's reach
    // (a global would let a script call load with binary chunks).
    lua_getglobal(L_, "load");
    lua_setfield(L_, LUA_REGISTRYINDEX, "vmlab.load");
    lua_register(L_, "load", safe_load);
    lua_register(L_, "collectgarbage", safe_collectgarbage);
    lua_getglobal(L_, "string");
    lua_pushnil(L_);
    lua_setfield(L_, -2, "dump");
    lua_pop(L_, 1);
    // Deterministic random numbers: seed from the run's seed; randomseed() needs a value.
    lua_getglobal(L_, "math");
    lua_getfield(L_, -1, "randomseed");
    lua_pushvalue(L_, -1);
    lua_setfield(L_, LUA_REGISTRYINDEX, "vmlab.randomseed");
    lua_pushinteger(L_, static_cast<lua_Integer>(seed));
    lua_call(L_, 1, 0);
    lua_pushcfunction(L_, safe_randomseed);
    lua_setfield(L_, -2, "randomseed");
    lua_pop(L_, 1);
}

void* Sandbox::alloc(void* ud, void* ptr, std::size_t osize, std::size_t nsize) {
    auto* self = static_cast<Sandbox*>(ud);
    const std::size_t old = ptr ? osize : 0;
    if (nsize == 0) {
        self->used_ -= old;
        std::free(ptr);
        return nullptr;
    }
    if (nsize > old && self->used_ + (nsize - old) > self->limits_.max_memory) {
        // Remember where the script was: Lua raises the memory error without a location.
        // Reading the stack does not allocate.
        if (self->running_ && self->memory_error_line_ == 0) {
            lua_Debug ar;
            for (int level = 0; lua_getstack(self->L_, level, &ar); ++level) {
                if (lua_getinfo(self->L_, "Sl", &ar) && ar.currentline > 0 &&
                    self->chunk_short_src_ == ar.short_src) {
                    self->memory_error_line_ = ar.currentline;
                    break;
                }
            }
        }
        return nullptr;
    }
    void* p = std::realloc(ptr, nsize);
    if (p) self->used_ = self->used_ - old + nsize;
    return p;
}

void Sandbox::hook(lua_State* L, lua_Debug* ar) {
    Sandbox& self = sandbox_of(L);
    if (!self.exhausted_) {
        self.instructions_ += kHookEvery;
        if (self.instructions_ > self.limits_.max_instructions) {
            self.exhausted_ = true;
            self.exhausted_why_ = fmt::format("instruction limit of {} exceeded (runaway loop?)", self.limits_.max_instructions);
        } else if (std::chrono::duration<double>(std::chrono::steady_clock::now() - self.start_).count() >
                   self.limits_.timeout_seconds) {
            self.exhausted_ = true;
            self.exhausted_why_ = fmt::format("time limit of {} s exceeded", self.limits_.timeout_seconds);
        }
        if (!self.exhausted_) return;
        // From now on stop at every instruction: a pcall around the loop cannot hide it.
        lua_sethook(L, &Sandbox::hook, LUA_MASKCOUNT, 1);
    }
    lua_getinfo(L, "Sl", ar);
    if (ar->currentline > 0)
        lua_pushfstring(L, "%s:%d: %s", ar->short_src, ar->currentline, self.exhausted_why_.c_str());
    else
        lua_pushstring(L, self.exhausted_why_.c_str());
    lua_error(L);
}

Status Sandbox::run(std::string_view text, const std::string& path) {
    const std::string chunkname = "@" + path;
    // The short source Lua derives from "@path" (truncated from the left when long).
    if (path.size() < LUA_IDSIZE)
        chunk_short_src_ = path;
    else
        chunk_short_src_ = "..." + path.substr(path.size() - (LUA_IDSIZE - 4));

    if (text.size() >= 4 && std::memcmp(text.data(), LUA_SIGNATURE, 4) == 0)
        return fail("precompiled (binary) Lua chunks are not accepted; give the script's source", Location{path, 1});
    bool blank = true;
    for (char c : text)
        if (!(c == ' ' || c == '\t' || c == '\n' || c == '\r')) blank = false;
    if (blank) return fail("the scenario is empty", Location{path, 1});

    if (luaL_loadbufferx(L_, text.data(), text.size(), chunkname.c_str(), "t") != LUA_OK) {
        std::string msg = lua_tostring(L_, -1) ? lua_tostring(L_, -1) : "cannot load the script";
        lua_pop(L_, 1);
        return fail(to_error(std::move(msg), path));
    }
    start_ = std::chrono::steady_clock::now();
    lua_sethook(L_, &Sandbox::hook, LUA_MASKCOUNT, kHookEvery);
    running_ = true;
    memory_error_line_ = 0;
    const int rc = lua_pcall(L_, 0, 0, 0);
    running_ = false;
    lua_sethook(L_, nullptr, 0, 0);
    if (rc == LUA_OK) return ok();
    std::string msg;
    if (rc == LUA_ERRMEM) {
        msg = fmt::format("not enough memory: the scenario's Lua heap limit of {} MiB was reached", limits_.max_memory >> 20);
        if (memory_error_line_ > 0) msg = fmt::format("{}:{}: {}", chunk_short_src_, memory_error_line_, msg);
    } else {
        const char* s = lua_tostring(L_, -1);
        msg = s ? s : "error object is not a string";
    }
    lua_settop(L_, 0);
    return fail(to_error(std::move(msg), path));
}

Error Sandbox::to_error(std::string message, const std::string& path) const {
    // "short_src:LINE: text" for errors raised in the script itself.
    const std::string& src = chunk_short_src_;
    if (message.compare(0, src.size(), src) == 0 && message.size() > src.size() + 1 && message[src.size()] == ':') {
        std::size_t i = src.size() + 1;
        std::uint64_t line = 0;
        const std::size_t digits_start = i;
        while (i < message.size() && message[i] >= '0' && message[i] <= '9') line = line * 10 + (message[i++] - '0');
        if (i > digits_start && i + 1 < message.size() && message[i] == ':' && message[i + 1] == ' ')
            return Error(message.substr(i + 2), Location{path, line});
    }
    return Error(std::move(message), Location{path});
}

}  // namespace vmlab::scenario
