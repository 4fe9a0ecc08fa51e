// The scenario API's inspection part: statistics as Lua tables, snapshots and deltas,
// the /proc and vmmap reports (printed through report/), and the task methods that read
// a process's state (faults, memory, smaps of one VMA, maps, one page).
#include <sstream>

#include "vmlab/report/proc.hpp"
#include "vmlab/report/kernel_stats.hpp"
#include "vmlab/core/strings.hpp"
#include "workload/scenario/context.hpp"

namespace vmlab::scenario {

namespace {

Kernel& K(lua_State* L) { return context(L).kernel(); }

void set_int(lua_State* L, const char* key, std::uint64_t v) {
    push_u64(L, v);
    lua_setfield(L, -2, key);
}

// Pushes a JSON object/array/number/string/bool as Lua values.
void push_json(lua_State* L, const nlohmann::json& j) {
    if (j.is_object()) {
        lua_createtable(L, 0, static_cast<int>(j.size()));
        for (auto it = j.begin(); it != j.end(); ++it) {
            push_json(L, it.value());
            lua_setfield(L, -2, it.key().c_str());
        }
    } else if (j.is_array()) {
        lua_createtable(L, static_cast<int>(j.size()), 0);
        lua_Integer i = 1;
        for (const auto& e : j) {
            push_json(L, e);
            lua_rawseti(L, -2, i++);
        }
    } else if (j.is_number_unsigned()) {
        push_u64(L, j.get<std::uint64_t>());
    } else if (j.is_number_integer()) {
        lua_pushinteger(L, j.get<std::int64_t>());
    } else if (j.is_number_float()) {
        lua_pushnumber(L, j.get<double>());
    } else if (j.is_string()) {
        lua_pushstring(L, j.get<std::string>().c_str());
    } else if (j.is_boolean()) {
        lua_pushboolean(L, j.get<bool>());
    } else {
        lua_pushnil(L);
    }
}

report::ProcFormat proc_format(Kernel& k) {
    report::ProcFormat f;
    f.page_size = k.page_size();
    f.pointer_bytes = k.task_size() > (1ull << 32) ? 8 : 4;
    return f;
}

// ---- global functions --------------------------------------------------------------------------

nlohmann::json stats_json(Context& c) {
    Simulation& sim = c.simulation();
    return report::kernel_stats_json(sim.kernel().stats(), sim.machine());
}

int l_stats(lua_State* L) {
    push_json(L, stats_json(context(L)));
    return 1;
}

nlohmann::json process_json(Kernel& k, Pid pid) {
    nlohmann::json j;
    auto info = k.process(pid);
    auto mem = k.memory(pid);
    if (!info || !mem) return j;
    report::ProcessView v{&*mem, &*info, nullptr, proc_format(k)};
    j = report::summary_json(report::summarize(v));
    j["faults"] = report::faults_json(info->faults);
    j["accesses"] = info->accesses;
    j["cycles"] = info->cycles;
    j["totals"] = report::mem_counters_json(mem->total);
    return j;
}

// snapshot(): every figure now, as a plain table {kernel=..., processes={[pid]=...}}.
int l_snapshot(lua_State* L) {
    Context& c = context(L);
    Kernel& k = c.kernel();
    nlohmann::json j;
    j["kernel"] = stats_json(c);
    nlohmann::json procs = nlohmann::json::object();
    for (Pid pid : k.pids()) procs[std::to_string(pid)] = process_json(k, pid);
    j["processes"] = procs;
    push_json(L, j);
    // Process keys as integers, so that snap.processes[p.pid] works.
    lua_getfield(L, -1, "processes");
    lua_newtable(L);
    for (Pid pid : k.pids()) {
        lua_getfield(L, -2, std::to_string(pid).c_str());
        lua_rawseti(L, -2, pid);
    }
    lua_setfield(L, -3, "processes");
    lua_pop(L, 1);
    return 1;
}

// delta(a, b): b - a for every number present in both (recursively); other values from b.
void push_delta(lua_State* L, int a, int b, int depth) {
    if (depth > 16) script_error("delta: tables nested too deeply");
    lua_newtable(L);
    const int out = lua_gettop(L);
    lua_pushnil(L);
    while (lua_next(L, b) != 0) {
        const int vb = lua_gettop(L);
        lua_pushvalue(L, -2);
        lua_gettable(L, a);
        const int va = lua_gettop(L);
        lua_pushvalue(L, vb - 1);  // key
        if (lua_isinteger(L, vb) && lua_isinteger(L, va)) {
            lua_pushinteger(L, lua_tointeger(L, vb) - lua_tointeger(L, va));
        } else if (lua_type(L, vb) == LUA_TNUMBER && lua_type(L, va) == LUA_TNUMBER) {
            lua_pushnumber(L, lua_tonumber(L, vb) - lua_tonumber(L, va));
        } else if (lua_istable(L, vb) && lua_istable(L, va)) {
            push_delta(L, va, vb, depth + 1);
        } else {
            lua_pushvalue(L, vb);
        }
        lua_settable(L, out);
        lua_settop(L, vb - 1);
    }
}

int l_delta(lua_State* L) {
    if (!lua_istable(L, 1) || !lua_istable(L, 2)) script_error("delta: expects two snapshots (tables)");
    push_delta(L, 1, 2, 0);
    return 1;
}

std::vector<std::string> report_names() {
    std::vector<std::string> names = report::proc_reports().names();
    names.push_back("stats");
    return names;
}

// Writes report `name` for the task at idx (every process for "summary" without one).
void render(lua_State* L, const std::string& name, int idx, std::string* text, nlohmann::json* json) {
    Context& c = context(L);
    Kernel& k = c.kernel();
    if (name == "stats") {
        if (text) {
            std::ostringstream os;
            report::write_kernel_stats(os, k.stats(), c.simulation().machine());
            *text = os.str();
        }
        if (json) *json = stats_json(c);
        return;
    }
    const auto* entry = report::proc_reports().find(name);
    if (!entry) script_error("show: {}", unknown_name_message("report", name, report_names()));
    std::vector<Pid> pids;
    if (lua_isnoneornil(L, idx)) {
        if (name != "summary") script_error("show: report '{}' needs a process: show('{}', p)", name, name);
        pids = k.pids();
    } else {
        pids.push_back(arg_task(L, idx, "show").pid);
    }
    std::vector<report::ProcessSummary> rows;
    nlohmann::json arr = nlohmann::json::array();
    std::ostringstream os;
    for (Pid pid : pids) {
        auto mem = k.memory(pid);
        auto info = k.process(pid);
        auto layout = k.layout(pid);
        if (!mem) script_error("show: process {} does not exist", pid);
        report::ProcessView v{&*mem, info ? &*info : nullptr, layout ? &*layout : nullptr, proc_format(k)};
        if (name == "summary") {
            rows.push_back(report::summarize(v));
            arr.push_back(report::summary_json(rows.back()));
        } else {
            entry->make.text(os, v);
            if (json) *json = entry->make.json(v);
        }
    }
    if (name == "summary") {
        report::write_summary_table(os, rows);
        if (json) *json = arr;
    }
    if (text) *text = os.str();
}

int l_report(lua_State* L) {
    const std::string name = arg_string(L, 1, "report", "name");
    std::string text;
    render(L, name, 2, &text, nullptr);
    lua_pushlstring(L, text.data(), text.size());
    return 1;
}

// show(name [, task]): prints a report (in --json mode, adds it to the document's reports).
int l_show(lua_State* L) {
    Context& c = context(L);
    const std::string name = arg_string(L, 1, "show", "name");
    if (c.opt.json) {
        nlohmann::json j;
        render(L, name, 2, nullptr, &j);
        nlohmann::json entry{{"report", name}, {"data", j}};
        if (!lua_isnoneornil(L, 2)) entry["pid"] = arg_task(L, 2, "show").pid;
        c.json_reports.push_back(std::move(entry));
        return 0;
    }
    std::string text;
    render(L, name, 2, &text, nullptr);
    if (!text.empty() && text.back() == '\n') text.pop_back();
    c.print(text);
    return 0;
}

// ---- task methods -------------------------------------------------------------------------------

int l_faults(lua_State* L) {
    TaskRef& t = arg_task(L, 1, "faults");
    auto info = K(L).process(t.pid);
    if (!info) script_error("faults: process {} does not exist", t.pid);
    push_json(L, report::faults_json(info->faults));
    return 1;
}

int l_info(lua_State* L) {
    TaskRef& t = arg_task(L, 1, "info");
    auto info = K(L).process(t.pid);
    if (!info) {
        lua_pushnil(L);
        return 1;
    }
    lua_newtable(L);
    set_int(L, "pid", info->pid);
    set_int(L, "ppid", info->ppid);
    lua_pushstring(L, info->name.c_str());
    lua_setfield(L, -2, "name");
    lua_pushstring(L, info->state == ProcState::Zombie ? "zombie" : "running");
    lua_setfield(L, -2, "state");
    lua_pushinteger(L, info->exit_code);
    lua_setfield(L, -2, "exit_code");
    lua_pushinteger(L, info->term_signal);
    lua_setfield(L, -2, "term_signal");
    lua_createtable(L, static_cast<int>(info->threads.size()), 0);
    for (std::size_t i = 0; i < info->threads.size(); ++i) {
        lua_pushinteger(L, info->threads[i]);
        lua_rawseti(L, -2, static_cast<lua_Integer>(i + 1));
    }
    lua_setfield(L, -2, "threads");
    set_int(L, "accesses", info->accesses);
    set_int(L, "cycles", info->cycles);
    return 1;
}

// memory(): the status figures and the smaps_rollup totals, in bytes.
int l_memory(lua_State* L) {
    TaskRef& t = arg_task(L, 1, "memory");
    Kernel& k = K(L);
    auto mem = k.memory(t.pid);
    if (!mem) script_error("memory: process {} does not exist", t.pid);
    auto layout = k.layout(t.pid);
    report::ProcessView v{&*mem, nullptr, layout ? &*layout : nullptr, proc_format(k)};
    nlohmann::json j = report::status_json(v);
    const nlohmann::json totals = report::mem_counters_json(mem->total);
    for (auto it = totals.begin(); it != totals.end(); ++it) j[it.key()] = it.value();
    j["pss"] = mem->total.pss();
    push_json(L, j);
    return 1;
}

const VmaReport* find_vma(const ProcessMemory& m, std::uint64_t addr) {
    for (const auto& v : m.vmas)
        if (v.vma.start.value <= addr && addr < v.vma.end.value) return &v;
    return nullptr;
}

void push_vma(lua_State* L, const VmaReport& v, const report::ProcFormat& f) {
    nlohmann::json j = report::maps_json({v.vma}, f)[0];
    j["start"] = v.vma.start.value;
    j["end"] = v.vma.end.value;
    const nlohmann::json counters = report::mem_counters_json(v.mem);
    for (auto it = counters.begin(); it != counters.end(); ++it) j[it.key()] = it.value();
    j["vmflags"] = [&] {
        std::string s;
        for (const auto& m : report::vmflags_mnemonics(v.vma.flags)) s += (s.empty() ? "" : ",") + m;
        return s;
    }();
    push_json(L, j);
}

// smaps(addr): the smaps figures (bytes) of the VMA holding addr, or nil.
int l_smaps(lua_State* L) {
    TaskRef& t = arg_task(L, 1, "smaps");
    const auto addr = arg_u64(L, 2, "smaps", "addr");
    Kernel& k = K(L);
    auto mem = k.memory(t.pid);
    if (!mem) script_error("smaps: process {} does not exist", t.pid);
    const VmaReport* v = find_vma(*mem, addr);
    if (!v) {
        lua_pushnil(L);
        return 1;
    }
    push_vma(L, *v, proc_format(k));
    return 1;
}

// maps(): every VMA as a table, in address order.
int l_maps(lua_State* L) {
    TaskRef& t = arg_task(L, 1, "maps");
    Kernel& k = K(L);
    auto mem = k.memory(t.pid);
    if (!mem) script_error("maps: process {} does not exist", t.pid);
    lua_createtable(L, static_cast<int>(mem->vmas.size()), 0);
    lua_Integer i = 1;
    for (const auto& v : mem->vmas) {
        push_vma(L, v, proc_format(k));
        lua_rawseti(L, -2, i++);
    }
    return 1;
}

int l_page(lua_State* L) {
    TaskRef& t = arg_task(L, 1, "page");
    auto p = K(L).page(t.pid, VirtAddr{arg_u64(L, 2, "page", "addr")});
    if (!p) {
        lua_pushnil(L);
        return 1;
    }
    lua_newtable(L);
    lua_pushboolean(L, p->present);
    lua_setfield(L, -2, "present");
    lua_pushboolean(L, p->writable);
    lua_setfield(L, -2, "writable");
    lua_pushboolean(L, p->dirty);
    lua_setfield(L, -2, "dirty");
    lua_pushboolean(L, p->accessed);
    lua_setfield(L, -2, "accessed");
    lua_pushboolean(L, p->zero_page);
    lua_setfield(L, -2, "zero_page");
    lua_pushboolean(L, p->anon);
    lua_setfield(L, -2, "anon");
    set_int(L, "pfn", p->pfn.value);
    set_int(L, "mapcount", p->mapcount);
    set_int(L, "refcount", p->refcount);
    return 1;
}

int l_layout(lua_State* L) {
    TaskRef& t = arg_task(L, 1, "layout");
    auto l = K(L).layout(t.pid);
    if (!l) {
        lua_pushnil(L);
        return 1;
    }
    lua_newtable(L);
    set_int(L, "mmap_base", l->mmap_base.value);
    set_int(L, "start_brk", l->start_brk.value);
    set_int(L, "brk", l->brk.value);
    set_int(L, "start_stack", l->start_stack.value);
    set_int(L, "stack_top", l->stack_top.value);
    set_int(L, "start_code", l->start_code.value);
    set_int(L, "end_code", l->end_code.value);
    set_int(L, "start_data", l->start_data.value);
    set_int(L, "end_data", l->end_data.value);
    set_int(L, "arg_start", l->arg_start.value);
    set_int(L, "arg_end", l->arg_end.value);
    set_int(L, "env_start", l->env_start.value);
    set_int(L, "env_end", l->env_end.value);
    set_int(L, "task_size", l->task_size);
    return 1;
}

}  // namespace

void open_stats_api(lua_State* L) {
    lua_register(L, "stats", guarded<l_stats>);
    lua_register(L, "snapshot", guarded<l_snapshot>);
    lua_register(L, "delta", guarded<l_delta>);
    lua_register(L, "report", guarded<l_report>);
    lua_register(L, "show", guarded<l_show>);
    static const luaL_Reg methods[] = {
        {"faults", guarded<l_faults>}, {"info", guarded<l_info>},     {"memory", guarded<l_memory>},
        {"smaps", guarded<l_smaps>},   {"maps", guarded<l_maps>},     {"page", guarded<l_page>},
        {"layout", guarded<l_layout>}, {nullptr, nullptr},
    };
    add_task_methods(L, methods);
}

}  // namespace vmlab::scenario
