// The Lua 5.4 sandbox scenarios run in.
//
// Only the safe parts of the standard library are opened: base (without dofile,
// loadfile, collectgarbage; `load` accepts text chunks only), string (without
// string.dump), table, math (math.randomseed needs a seed: runs are deterministic and
// the generator starts from the run's seed), utf8 and coroutine. There is no io, os,
// package, require or debug: the only way out of the script is the API the scenario
// binding registers.
//
// Limits: an instruction budget and a wall-clock timeout (checked by a count hook, so a
// runaway loop stops with an error naming its line; once exceeded, the hook fires on
// every instruction so that pcall cannot keep the script alive), and a memory budget for
// the Lua heap (an allocation past it fails as "not enough memory", reported at the line
// that asked for it).
#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>

#include <lua.hpp>

#include "vmlab/core/result.hpp"

namespace vmlab::scenario {

struct SandboxLimits {
    std::uint64_t max_instructions = 1'000'000'000;
    std::uint64_t max_memory = 512ull << 20;  // bytes of Lua heap
    double timeout_seconds = 120;
};

class Sandbox {
public:
    Sandbox(const SandboxLimits& limits, std::uint64_t seed);
    ~Sandbox();
    Sandbox(const Sandbox&) = delete;
    Sandbox& operator=(const Sandbox&) = delete;

    lua_State* state() { return L_; }

    // Loads `text` (a text chunk; binary chunks are refused) as the script `path` and runs
    // it. An error comes back with the script's file and line when Lua knows them.
    Status run(std::string_view text, const std::string& path);

    // A Lua error message "chunk:LINE: message" as an Error located at path:LINE.
    Error to_error(std::string message, const std::string& path) const;

    std::uint64_t instructions() const { return instructions_; }

    void* user = nullptr;  // the scenario binding's context

private:
    static void* alloc(void* ud, void* ptr, std::size_t osize, std::size_t nsize);
    static void hook(lua_State* L, lua_Debug* ar);
    void open_libraries(std::uint64_t seed);

    lua_State* L_ = nullptr;
    SandboxLimits limits_;
    std::uint64_t used_ = 0;           // bytes of Lua heap
    std::uint64_t instructions_ = 0;
    bool exhausted_ = false;           // a limit was hit: the hook raises on every instruction
    std::string exhausted_why_;
    std::chrono::steady_clock::time_point start_;
    bool running_ = false;
    long memory_error_line_ = 0;       // line of the allocation that exceeded the budget
    std::string chunk_short_src_;
};

// The sandbox a running Lua state belongs to (stored in the state's extra space).
Sandbox& sandbox_of(lua_State* L);

}  // namespace vmlab::scenario
