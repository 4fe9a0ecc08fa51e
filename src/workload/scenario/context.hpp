// The state of one scenario run shared by the Lua API functions, and the helpers they use
// to read arguments and push results.
//
// API functions never let a Lua error cross C++ frames that own resources: they read
// arguments with the arg_* helpers, which throw ScriptError, and are wrapped by guarded<>,
// which turns the exception into a Lua error at the calling script line once the C++
// frames are gone.
#pragma once

#include <cstdint>
#include <memory>
#include <ostream>
#include <stdexcept>
#include <string>

#include <fmt/format.h>
#include <nlohmann/json.hpp>

#include "vmlab/os/kernel_config.hpp"
#include "vmlab/sim/simulation.hpp"
#include "vmlab/workload/scenario.hpp"
#include "workload/scenario/sandbox.hpp"

namespace vmlab::scenario {

struct ScriptError : std::runtime_error {
    using std::runtime_error::runtime_error;
};
template <class... Args>
[[noreturn]] void script_error(fmt::format_string<Args...> f, Args&&... args) {
    throw ScriptError(fmt::format(f, std::forward<Args>(args)...));
}

struct Context {
    ScenarioOptions opt;
    std::string path;       // the script, as named in messages
    std::string base_dir;   // where relative host paths resolve
    std::ostream* out = nullptr;
    Config config;          // the machine and its kernel ([kernel], --set, the script's kernel{})
    std::unique_ptr<Simulation> sim;
    bool started = false;   // a process exists: the machine can no longer change
    std::uint64_t expectations = 0;
    std::uint64_t failed_expectations = 0;
    nlohmann::json json_output = nlohmann::json::array();   // --json: printed lines
    nlohmann::json json_reports = nlohmann::json::array();  // --json: shown reports

    Simulation& simulation();  // creates it from config/kernel on first use
    Kernel& kernel() { return simulation().kernel(); }
    void print(std::string_view text);  // a line of script output (without '\n')
    std::string host_path(const std::string& p) const;
};

Context& context(lua_State* L);

// A process or thread handle as Lua sees it.
struct TaskRef {
    Pid pid = 0;
    Tid tid = 0;
};
inline constexpr const char* kTaskMeta = "vmlab.task";
void push_task(lua_State* L, Pid pid, Tid tid);
TaskRef& arg_task(lua_State* L, int idx, const char* fn);

// Argument readers (throw ScriptError naming the function and argument).
std::uint64_t arg_u64(lua_State* L, int idx, const char* fn, const char* name);
std::uint64_t opt_u64(lua_State* L, int idx, const char* fn, const char* name, std::uint64_t dflt);
std::string arg_string(lua_State* L, int idx, const char* fn, const char* name);
// Table fields.
bool field_present(lua_State* L, int t, const char* key);
std::uint64_t field_u64(lua_State* L, int t, const char* key, const char* fn, std::uint64_t dflt);

// Pushes a system call's result: the value (by `push_ok`) or nil, "ENAME", number.
int push_errno(lua_State* L, Errno e);
// Pushes a signal description table {signo, signal, code, code_name, addr, killed}.
void push_signal(lua_State* L, const AccessOutcome& o);

void push_u64(lua_State* L, std::uint64_t v);  // as a Lua integer (two's complement above 2^63)

// Runs F, converting a ScriptError into a Lua error located at the calling line.
template <int (*F)(lua_State*)>
int guarded(lua_State* L) {
    int results = 0;
    bool failed = false;
    try {
        results = F(L);
    } catch (const ScriptError& e) {
        lua_pushstring(L, e.what());
        failed = true;
    }
    if (failed) {
        luaL_where(L, 1);
        lua_insert(L, -2);
        lua_concat(L, 2);
        return lua_error(L);
    }
    return results;
}

// Registration of each API part (one file each).
void open_machine_api(lua_State* L);   // machine, kernel config, constants, output, expect
void open_task_api(lua_State* L);      // spawn and the task methods
void open_stats_api(lua_State* L);     // stats, snapshots, reports
// Adds methods to the task handles (called by open_stats_api after open_task_api).
void add_task_methods(lua_State* L, const luaL_Reg* methods);

}  // namespace vmlab::scenario
