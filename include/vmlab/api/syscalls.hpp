// One system-call layer for every front end (Lua scenarios, JSON, Python): the kernel's
// calls by name, each with typed parameters, called with front-end-neutral arguments.
//
// api::call validates everything before the kernel runs: an unknown call or option name
// is an error suggesting the nearest one; a value of the wrong type is an error naming the
// call and the parameter ("mmap: 'len' must be an integer (got string)"). A call that
// reaches the kernel returns what a program would see: a value, an errno, or a signal.
// Nothing is thrown across this interface, and no front end's types appear in it.
//
// Memory accesses (reads, writes, touch, fill) are not system calls: they go through the
// access door (Kernel::access, Simulation::read_uint, ...).
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include <nlohmann/json_fwd.hpp>

#include "vmlab/core/result.hpp"
#include "vmlab/os/abi.hpp"
#include "vmlab/os/abi_names.hpp"

namespace vmlab {
class Kernel;
}

namespace vmlab::api {

// A process or thread: a process's handle has tid == pid.
struct Task {
    Pid pid = 0;
    Tid tid = 0;
    bool operator==(const Task&) const = default;
};

// ---- arguments ---------------------------------------------------------------------------

struct Arg;
using ArgList = std::vector<Arg>;
using ArgMap = std::vector<std::pair<std::string, Arg>>;

// An argument value as a front end hands it over (a Lua value, a JSON value, a Python
// object). `Other` is a value no parameter accepts, named by the front end ("function").
struct Arg {
    struct Other {
        std::string type;
    };
    std::variant<std::monostate, bool, std::int64_t, double, std::string, ArgList, ArgMap, Task, Other> v;

    Arg() = default;
    Arg(bool b) : v(b) {}
    Arg(int i) : v(std::int64_t{i}) {}
    Arg(std::int64_t i) : v(i) {}
    Arg(std::uint64_t u) : v(static_cast<std::int64_t>(u)) {}  // two's complement above 2^63
    Arg(double d) : v(d) {}
    Arg(const char* s) : v(std::string(s)) {}
    Arg(std::string s) : v(std::move(s)) {}
    Arg(ArgList l) : v(std::move(l)) {}
    Arg(ArgMap m) : v(std::move(m)) {}
    Arg(Task t) : v(t) {}
    Arg(Other o) : v(std::move(o)) {}

    bool is_nil() const { return v.index() == 0; }
    // "nil", "boolean", "number", "string", "table", "task" or Other's type.
    std::string type_name() const;
};

// The arguments of one call: positional ones in the parameter order, then named ones (an
// option table, a JSON object). A parameter given both ways takes the named value.
struct Args {
    std::vector<Arg> positional;
    ArgMap named;
};

// ---- the table of calls --------------------------------------------------------------------

enum class Type : std::uint8_t {
    Integer,     // a signed or unsigned integer (a number, or a string "0x10", "64K")
    Address,     // a virtual address (as Integer)
    Length,      // a byte count (as Integer)
    Flags,       // names of `set` joined by '|', or a number
    OneOf,       // one name of `set`, or a number
    Prot,        // a protection: "rw-", PROT_ names, or a number
    Bool,
    String,
    Path,        // a string naming a host file (resolved by Options::host_path)
    Bytes,       // a string of bytes (JSON: also an array of byte values)
    StringList,
    Process,     // a task, or a pid
    Thread,      // a task, or a tid
    Cpu,         // the number of one of the machine's CPUs
};
const char* type_name(Type t);  // "integer", "address", ...

struct Param {
    std::string name;
    Type type = Type::Integer;
    bool required = false;
    Arg dflt;                          // the value when absent (not required)
    const sys::FlagSet* set = nullptr; // Flags and OneOf
    std::string doc;
};

struct CallSpec {
    std::string name;
    bool needs_caller = true;  // made by a process or thread (p:mmap); false: by the machine
    std::vector<Param> params;
    std::string returns;       // what a successful call returns
    std::string doc;

    const Param* param(std::string_view name) const;
};

const std::vector<CallSpec>& calls();        // in a fixed order (by topic)
const CallSpec* find_call(std::string_view name);
std::vector<std::string> call_names();

// ---- results -----------------------------------------------------------------------------

struct Value;
using List = std::vector<Value>;
using Table = std::vector<std::pair<std::string, Value>>;  // field order is the call's

struct Address {
    std::uint64_t value = 0;
    bool operator==(const Address&) const = default;
};
struct Bytes {
    std::string data;
    bool operator==(const Bytes&) const = default;
};

struct Value {
    std::variant<std::monostate, bool, std::int64_t, std::uint64_t, Address, std::string, Bytes, List, Table, Task> v;

    Value() = default;
    template <class T>
    Value(T x) : v(std::move(x)) {}
    bool operator==(const Value&) const = default;
};

// A signal delivered to the caller by the call.
struct Signal {
    SigInfo info;
    VirtAddr fault_addr{};
    bool killed = false;
    bool operator==(const Signal&) const = default;
};

// What the caller sees: a value, an errno, or a signal.
struct Outcome {
    std::variant<Value, Errno, Signal> v;

    bool ok() const { return v.index() == 0; }
    const Value& value() const { return std::get<0>(v); }
    Errno error() const { return v.index() == 1 ? std::get<1>(v) : Errno::None; }
    const Signal* signal() const { return std::get_if<2>(&v); }
};

// ---- calling -----------------------------------------------------------------------------

struct Options {
    // Turns a Path argument into the host path the kernel opens (e.g. relative to the
    // scenario's directory). Empty: paths are used as given.
    std::function<std::string(const std::string&)> host_path;
    // Largest byte count one call may return (pread).
    std::uint64_t max_transfer = 64ull << 20;
};

// Calls `name` as `caller` (ignored by calls that need none; required by the others).
// Errors: unknown call, unknown option, missing or ill-typed argument, and bad input the
// kernel cannot run (an exec of a file that is not a usable ELF executable). Messages
// start with the call's name ("mmap: ...").
Result<Outcome> call(Kernel& kernel, const Task* caller, std::string_view name, const Args& args,
                     const Options& opt = {});

// ---- JSON --------------------------------------------------------------------------------

// A JSON object (named arguments), array (positional) or null (none) as Args. Numbers,
// strings, booleans, arrays and objects map to Arg's alternatives; {"pid": P, "tid": T}
// is a Task. Unknown option names are reported by `call`, as for every front end.
Result<Args> args_from_json(const CallSpec& call, const nlohmann::json& j);
// {"value": V} | {"errno": "ENOMEM", "errno_value": 12} | {"signal": {...}}. Addresses and
// integers are numbers, bytes an array of byte values, tasks {"pid": P, "tid": T}.
nlohmann::json result_to_json(const Outcome& o);
nlohmann::json value_to_json(const Value& v);

}  // namespace vmlab::api
