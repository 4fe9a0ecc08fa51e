// The system-call layer: calls by name with typed parameters, validation errors that name
// the call and parameter (with did-you-mean for names), results as values, errno values and
// signals, and JSON in and out.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/os_fixture.hpp"
#include "vmlab/api/syscalls.hpp"
#include "vmlab/os/kernel.hpp"

using namespace vmlab;
using namespace vmlab::test;

namespace {

struct ApiTest : ::testing::Test {
    std::unique_ptr<Simulation> sim = make_sim();
    Kernel& k() { return sim->kernel(); }
    api::Task spawn(const std::string& name = "p") {
        api::Args a;
        a.positional.push_back(api::Arg(name));
        auto r = api::call(k(), nullptr, "spawn", a);
        EXPECT_TRUE(r) << (r ? "" : r.error().str());
        return std::get<api::Task>(r->value().v);
    }
    Result<api::Outcome> call(const api::Task& t, std::string_view name, api::Args a) {
        return api::call(k(), &t, name, a);
    }
    std::string error_of(const api::Task& t, std::string_view name, api::Args a) {
        auto r = call(t, name, std::move(a));
        EXPECT_FALSE(r) << name << " was accepted";
        return r ? "" : r.error().str();
    }
};

api::Args pos(std::vector<api::Arg> v) {
    api::Args a;
    a.positional = std::move(v);
    return a;
}
api::Args named(api::ArgMap m) {
    api::Args a;
    a.named = std::move(m);
    return a;
}

}  // namespace

TEST(ApiTable, EveryCallIsFoundByNameAndDescribesItsParameters) {
    const auto names = api::call_names();
    for (const char* n : {"mmap", "munmap", "mprotect", "brk", "sbrk", "madvise", "msync", "mlock", "munlock",
                          "mlockall", "munlockall", "mremap", "mincore", "set_anon_name", "open", "memfd_create",
                          "close", "pread", "pwrite", "ftruncate", "fsync", "fadvise", "file_size", "fork", "clone",
                          "exit", "wait", "kill", "catch", "setrlimit", "getrlimit", "set_name", "exec", "spawn",
                          "drop_caches", "set_cpu", "cpu", "cpus", "schedule", "current", "switch_to"}) {
        const api::CallSpec* c = api::find_call(n);
        ASSERT_NE(c, nullptr) << n;
        EXPECT_EQ(c->name, n);
        EXPECT_FALSE(c->doc.empty()) << n;
        for (const auto& p : c->params) {
            EXPECT_FALSE(p.doc.empty()) << n << "." << p.name;
            if (p.type == api::Type::Flags || p.type == api::Type::OneOf) {
                EXPECT_NE(p.set, nullptr) << n << "." << p.name;
            }
            if (p.required) {
                EXPECT_TRUE(p.dflt.is_nil()) << n << "." << p.name;
            }
        }
    }
    EXPECT_EQ(api::find_call("mmapp"), nullptr);
    // Memory accesses are not system calls.
    for (const char* n : {"touch", "fill", "read_bytes", "write_bytes", "access"}) EXPECT_EQ(api::find_call(n), nullptr) << n;
    const api::CallSpec* mmap = api::find_call("mmap");
    ASSERT_EQ(mmap->params.size(), 6u);
    EXPECT_EQ(mmap->params[1].name, "len");
    EXPECT_TRUE(mmap->params[1].required);
    EXPECT_EQ(mmap->params[3].set, &sys::map_flags());
    EXPECT_FALSE(api::find_call("spawn")->needs_caller);
    EXPECT_TRUE(api::find_call("fork")->needs_caller);
}

TEST_F(ApiTest, DispatchesByNameWithPositionalAndNamedArguments) {
    const api::Task p = spawn("first");
    EXPECT_EQ(p.pid, p.tid);
    EXPECT_EQ(k().process(p.pid)->name, "first");
    // Positional: mmap(addr, len, prot, flags) with names for flags.
    auto a = call(p, "mmap", pos({api::Arg(0), api::Arg(std::int64_t{2 * 4096}), api::Arg("rw-"), api::Arg("private|anonymous")}));
    ASSERT_TRUE(a) << a.error().str();
    ASSERT_TRUE(a->ok());
    const std::uint64_t va = std::get<api::Address>(a->value().v).value;
    EXPECT_EQ(va % 4096, 0u);
    // Named, with a number given as a string with a suffix; defaults fill the rest.
    auto b = call(p, "mmap", named({{"len", api::Arg("8K")}, {"prot", api::Arg("r--")}}));
    ASSERT_TRUE(b && b->ok());
    const std::uint64_t vb = std::get<api::Address>(b->value().v).value;
    auto maps = k().maps(p.pid);
    bool found = false;
    for (const auto& m : maps)
        if (m.start.value == vb) {
            found = true;
            EXPECT_EQ(m.end.value - m.start.value, 8192u);
            EXPECT_EQ(m.perms(), "r--p");
        }
    EXPECT_TRUE(found);
    auto m = call(p, "mprotect", pos({api::Arg(va), api::Arg(std::int64_t{4096}), api::Arg("PROT_READ")}));
    ASSERT_TRUE(m && m->ok());
    EXPECT_EQ(m->value(), api::Value(true));
    // A call that takes no caller.
    auto d = api::call(k(), nullptr, "drop_caches", {});
    ASSERT_TRUE(d && d->ok());
    EXPECT_TRUE(std::holds_alternative<std::uint64_t>(d->value().v));
    // fork returns a task; wait on a live child says "none has exited".
    auto f = call(p, "fork", {});
    ASSERT_TRUE(f && f->ok());
    const auto child = std::get<api::Task>(f->value().v);
    EXPECT_NE(child.pid, p.pid);
    auto w = call(p, "wait", pos({api::Arg(child)}));
    ASSERT_TRUE(w && w->ok());
    EXPECT_EQ(w->value(), api::Value(false));
    ASSERT_TRUE(call(child, "exit", pos({api::Arg(3)}))->ok());
    auto w2 = call(p, "wait", {});
    ASSERT_TRUE(w2 && w2->ok());
    const auto& tab = std::get<api::Table>(w2->value().v);
    ASSERT_EQ(tab.size(), 4u);
    EXPECT_EQ(tab[0].first, "pid");
    EXPECT_EQ(tab[0].second, api::Value(std::int64_t{child.pid}));
    EXPECT_EQ(tab[1].second, api::Value(std::int64_t{3}));
    EXPECT_EQ(tab[3].second, api::Value(std::string("none")));
    // Resource limits by name.
    ASSERT_TRUE(call(p, "setrlimit", pos({api::Arg("RLIMIT_STACK"), api::Arg(std::int64_t{1 << 20})}))->ok());
    auto g = call(p, "getrlimit", pos({api::Arg("stack")}));
    ASSERT_TRUE(g && g->ok());
    EXPECT_EQ(g->value(), api::Value(std::uint64_t{1 << 20}));
}

TEST_F(ApiTest, ErrnoResultsAreValues) {
    const api::Task p = spawn();
    // mmap of length 0 is EINVAL (Linux); munmap of an unaligned address too.
    auto z = call(p, "mmap", named({{"len", api::Arg(0)}}));
    ASSERT_TRUE(z);
    EXPECT_FALSE(z->ok());
    EXPECT_EQ(z->error(), Errno::Inval);
    auto c = call(p, "close", pos({api::Arg(42)}));
    ASSERT_TRUE(c);
    EXPECT_EQ(c->error(), Errno::BadF);
    // A caller that does not exist.
    const api::Task ghost{4242, 4242};
    auto s = call(ghost, "mmap", named({{"len", api::Arg(4096)}}));
    ASSERT_TRUE(s);
    EXPECT_EQ(s->error(), Errno::Srch);
}

TEST_F(ApiTest, ValidationErrorsNameTheCallAndTheParameter) {
    const api::Task p = spawn();
    // Unknown call and option names suggest the nearest.
    auto u = api::call(k(), &p, "mmapp", {});
    ASSERT_FALSE(u);
    EXPECT_EQ(u.error().str(), "unknown system call 'mmapp'; did you mean 'mmap'?");
    EXPECT_EQ(error_of(p, "mmap", named({{"len", api::Arg(4096)}, {"flag", api::Arg("shared")}})),
              "mmap: unknown option 'flag'; did you mean 'flags'?");
    EXPECT_EQ(error_of(p, "munmap", named({{"adr", api::Arg(0)}, {"len", api::Arg(1)}})),
              "munmap: unknown option 'adr'; did you mean 'addr'?");
    // Unknown names in a flag set.
    EXPECT_EQ(error_of(p, "mmap", named({{"len", api::Arg(4096)}, {"flags", api::Arg("private|anonymous|fixd")}})),
              "mmap: unknown mmap flag 'fixd'; did you mean 'fixed'?");
    EXPECT_EQ(error_of(p, "madvise", pos({api::Arg(0), api::Arg(4096), api::Arg("dontneeed")})),
              "madvise: unknown madvise advice 'dontneeed'; did you mean 'dontneed'?");
    // Types.
    EXPECT_EQ(error_of(p, "munmap", pos({api::Arg("x"), api::Arg(1)})).rfind("munmap: 'addr': ", 0), 0u);
    EXPECT_EQ(error_of(p, "munmap", pos({api::Arg(true), api::Arg(1)})), "munmap: 'addr' must be an integer (got boolean)");
    EXPECT_EQ(error_of(p, "munmap", pos({api::Arg(1.5), api::Arg(1)})), "munmap: 'addr' must be an integer (got 1.5)");
    EXPECT_EQ(error_of(p, "set_name", pos({api::Arg(7)})), "set_name: 'name' must be a string (got number)");
    EXPECT_EQ(error_of(p, "mmap", named({{"len", api::Arg(1)}, {"flags", api::Arg(api::ArgList{})}})),
              "mmap: 'flags' must be a string of names or a number (got table)");
    EXPECT_EQ(error_of(p, "exec", pos({api::Arg("/bin/true"), api::Arg(api::ArgList{api::Arg(1)})})),
              "exec: 'argv' must be a list of strings");
    EXPECT_EQ(error_of(p, "catch", pos({api::Arg("segv"), api::Arg(1)})), "catch: 'on' must be a boolean (got number)");
    // Missing and extra arguments.
    EXPECT_EQ(error_of(p, "mprotect", pos({api::Arg(0), api::Arg(4096)})), "mprotect: 'prot' is required");
    EXPECT_EQ(error_of(p, "mmap", {}), "mmap: 'len' is required");
    EXPECT_EQ(error_of(p, "close", pos({api::Arg(1), api::Arg(2)})), "close: takes at most 1 argument (got 2)");
    EXPECT_EQ(error_of(p, "fork", named({{"x", api::Arg(1)}})), "fork: takes no options (got 'x')");
    // A call made by a process needs one.
    auto n = api::call(k(), nullptr, "fork", {});
    ASSERT_FALSE(n);
    EXPECT_EQ(n.error().str(), "fork: expects a process or thread (call it as p:fork(...))");
    // A transfer larger than the front end allows.
    api::Options o;
    o.max_transfer = 100;
    auto big = api::call(k(), &p, "pread", pos({api::Arg(0), api::Arg(101)}), o);
    ASSERT_FALSE(big);
    EXPECT_EQ(big.error().str(), "pread: count 101 is larger than the 0 MiB a scenario may read at once");
}

TEST_F(ApiTest, PathsResolveThroughTheFrontEndAndBytesRoundTrip) {
    const api::Task p = spawn();
    api::Options o;
    std::string seen;
    o.host_path = [&](const std::string& s) {
        seen = s;
        return std::string("/nonexistent-dir/") + s;
    };
    auto r = api::call(k(), &p, "open", pos({api::Arg("file.txt")}), o);
    ASSERT_TRUE(r);
    EXPECT_EQ(seen, "file.txt");
    EXPECT_EQ(r->error(), Errno::NoEnt);
    auto fd = call(p, "memfd_create", pos({api::Arg("buf")}));
    ASSERT_TRUE(fd && fd->ok());
    const auto f = std::get<std::int64_t>(fd->value().v);
    auto w = call(p, "pwrite", pos({api::Arg(f), api::Arg(std::string("a\0b", 3))}));
    ASSERT_TRUE(w && w->ok());
    EXPECT_EQ(w->value(), api::Value(std::uint64_t{3}));
    auto rd = call(p, "pread", pos({api::Arg(f), api::Arg(3)}));
    ASSERT_TRUE(rd && rd->ok());
    EXPECT_EQ(rd->value(), api::Value(api::Bytes{std::string("a\0b", 3)}));
}

TEST_F(ApiTest, ArgumentsFromJsonAndResultsToJson) {
    const api::Task p = spawn();
    const api::CallSpec& mmap = *api::find_call("mmap");
    auto args = api::args_from_json(mmap, nlohmann::json::parse(R"({"len": 8192, "prot": "rw-", "flags": "private|anon"})"));
    ASSERT_TRUE(args) << args.error().str();
    EXPECT_EQ(args->named.size(), 3u);
    auto r = call(p, "mmap", *args);
    ASSERT_TRUE(r && r->ok());
    const auto j = api::result_to_json(*r);
    ASSERT_TRUE(j.contains("value"));
    EXPECT_EQ(j["value"].get<std::uint64_t>(), std::get<api::Address>(r->value().v).value);
    // An array is positional; a bad option still gets a did-you-mean.
    auto pos_args = api::args_from_json(*api::find_call("munmap"), nlohmann::json::parse("[0, 4096]"));
    ASSERT_TRUE(pos_args);
    EXPECT_EQ(pos_args->positional.size(), 2u);
    auto bad = api::args_from_json(mmap, nlohmann::json::parse(R"({"lenn": 4096})"));
    ASSERT_TRUE(bad);
    auto e = call(p, "mmap", *bad);
    ASSERT_FALSE(e);
    EXPECT_EQ(e.error().str(), "mmap: unknown option 'lenn'; did you mean 'len'?");
    EXPECT_FALSE(api::args_from_json(mmap, nlohmann::json::parse("42")));
    // Errno, a task, bytes given as byte values.
    auto z = call(p, "mmap", *api::args_from_json(mmap, nlohmann::json::parse(R"({"len": 0})")));
    ASSERT_TRUE(z);
    EXPECT_EQ(api::result_to_json(*z), nlohmann::json::parse(R"({"errno": "EINVAL", "errno_value": 22})"));
    auto w = api::args_from_json(*api::find_call("wait"), nlohmann::json::parse(R"({"child": {"pid": 5, "tid": 5}})"));
    ASSERT_TRUE(w);
    EXPECT_EQ(std::get<api::Task>(w->named[0].second.v), (api::Task{5, 5}));
    auto fd = call(p, "memfd_create", pos({api::Arg("m")}));
    auto pw = api::args_from_json(*api::find_call("pwrite"),
                                  nlohmann::json{{"fd", std::get<std::int64_t>(fd->value().v)}, {"data", {104, 105}}});
    ASSERT_TRUE(pw);
    auto wr = call(p, "pwrite", *pw);
    ASSERT_TRUE(wr && wr->ok());
    auto rd = call(p, "pread", pos({api::Arg(std::get<std::int64_t>(fd->value().v)), api::Arg(2)}));
    ASSERT_TRUE(rd && rd->ok());
    EXPECT_EQ(api::result_to_json(*rd), nlohmann::json::parse(R"({"value": [104, 105]})"));
    EXPECT_EQ(api::value_to_json(api::Value(api::Task{7, 8})), nlohmann::json::parse(R"({"pid": 7, "tid": 8})"));
}

TEST_F(ApiTest, SchedulerCallsCheckTheCpu) {
    const api::Task p = spawn();
    auto n = api::call(k(), nullptr, "cpus", {});
    ASSERT_TRUE(n && n->ok());
    const auto cpus = std::get<std::int64_t>(n->value().v);
    EXPECT_EQ(cpus, static_cast<std::int64_t>(k().cpu_count()));
    auto cur = api::call(k(), nullptr, "current", pos({api::Arg(0)}));
    ASSERT_TRUE(cur && cur->ok());
    auto sw = api::call(k(), nullptr, "switch_to", pos({api::Arg(0), api::Arg(p)}));
    ASSERT_TRUE(sw && sw->ok()) << (sw ? errno_name(sw->error()) : sw.error().str());
    auto now = api::call(k(), nullptr, "current", pos({api::Arg(0)}));
    ASSERT_TRUE(now && now->ok());
    EXPECT_EQ(now->value(), api::Value(p));
    auto bad = api::call(k(), nullptr, "schedule", pos({api::Arg(cpus)}));
    ASSERT_FALSE(bad);
    EXPECT_EQ(bad.error().str(), fmt::format("schedule: cpu {} does not exist (the machine has {} CPU{})", cpus, cpus,
                                             cpus == 1 ? "" : "s"));
    auto t = api::call(k(), nullptr, "switch_to", pos({api::Arg(0), api::Arg("p")}));
    ASSERT_FALSE(t);
    EXPECT_EQ(t.error().str(), "switch_to: 'task' must be a process or thread (got string)");
}

TEST(ApiOutcome, SignalsAreValues) {
    api::Signal s;
    s.info = SigInfo{sys::kSigSegv, sys::kSegvMapErr, VirtAddr{0x1000}};
    s.fault_addr = VirtAddr{0x1008};
    s.killed = true;
    const api::Outcome o{s};
    EXPECT_FALSE(o.ok());
    ASSERT_NE(o.signal(), nullptr);
    EXPECT_EQ(o.error(), Errno::None);
    const auto j = api::result_to_json(o);
    EXPECT_EQ(j["signal"]["signal"], "SIGSEGV");
    EXPECT_EQ(j["signal"]["code_name"], "SEGV_MAPERR");
    EXPECT_EQ(j["signal"]["addr"], 0x1000);
    EXPECT_EQ(j["signal"]["fault_addr"], 0x1008);
    EXPECT_EQ(j["signal"]["killed"], true);
}
