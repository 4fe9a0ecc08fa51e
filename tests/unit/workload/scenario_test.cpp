// The scenario engine: the sandbox and its limits, error locations, expectations, and the
// binding's system calls against the figures Linux gives for the same operations
// (docs/linux-reference.md: 64 read faults map the zero page, RSS 0; 64 write faults
// then give RSS 256 KiB; mmap of length 0 is EINVAL).
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "vmlab/workload/scenario.hpp"

using namespace vmlab;

namespace {

struct Run {
    bool ok = false;
    std::string out;
    Error error;
};

Run run(const std::string& text, ScenarioOptions opt = {}) {
    std::ostringstream os;
    auto r = run_scenario(text, "t.lua", opt, os);
    Run res;
    res.ok = r.has_value();
    res.out = os.str();
    if (!r) res.error = r.error();
    return res;
}

}  // namespace

TEST(Scenario, PrintsAndCountsExpectations) {
    auto r = run("print('hello', 1, true)\nprintf('%d-%s\\n', 7, 'x')\nexpect(1 == 1)\nexpect_eq(2, 2)\n");
    ASSERT_TRUE(r.ok) << r.error.str();
    EXPECT_EQ(r.out, "hello\t1\ttrue\n7-x\n");
}

TEST(Scenario, SyntaxErrorNamesFileAndLine) {
    auto r = run("local a = 1\nlocal b = = 2\n");
    ASSERT_FALSE(r.ok);
    EXPECT_EQ(r.error.where.file, "t.lua");
    EXPECT_EQ(r.error.where.line, 2u);
    EXPECT_NE(r.error.message.find("unexpected symbol"), std::string::npos) << r.error.message;
}

TEST(Scenario, TruncatedScriptIsASyntaxErrorAtItsEnd) {
    auto r = run("for i = 1, 3 do\n  print(i)\n");
    ASSERT_FALSE(r.ok);
    EXPECT_EQ(r.error.where.line, 3u);  // Lua reports the end of the file (line 3, after the last '\n')
    EXPECT_NE(r.error.message.find("'end' expected"), std::string::npos) << r.error.message;
}

TEST(Scenario, EmptyAndBinaryScriptsAreRefused) {
    auto e = run("  \n\n");
    ASSERT_FALSE(e.ok);
    EXPECT_EQ(e.error.str(), "t.lua:1: the scenario is empty");
    auto b = run(std::string("\x1bLua\x54\x00garbage", 12));
    ASSERT_FALSE(b.ok);
    EXPECT_NE(b.error.message.find("binary"), std::string::npos);
}

TEST(Scenario, RuntimeAndArgumentErrorsNameTheCallingLine) {
    auto r = run("local x = nil\n\nlocal y = x.field\n");
    ASSERT_FALSE(r.ok);
    EXPECT_EQ(r.error.where.line, 3u);
    auto a = run("local p = spawn('a')\np:mmap{len=4096, prot='rwz'}\n");
    ASSERT_FALSE(a.ok);
    EXPECT_EQ(a.error.where.line, 2u);
    EXPECT_NE(a.error.message.find("mmap: unknown protection 'rwz'"), std::string::npos) << a.error.message;
    auto f = run("local p = spawn('a')\n\np:madvise(0, 4096, 'dontneeed')\n");
    ASSERT_FALSE(f.ok);
    EXPECT_EQ(f.error.where.line, 3u);
    EXPECT_NE(f.error.message.find("did you mean 'dontneed'"), std::string::npos) << f.error.message;
}

TEST(Scenario, FailedExpectationsStopWithTheirLine) {
    auto r = run("expect(true)\nexpect_eq(1 + 1, 3, 'arithmetic')\nprint('not reached')\n");
    ASSERT_FALSE(r.ok);
    EXPECT_EQ(r.error.str(), "t.lua:2: expectation failed: got 2, expected 3 (arithmetic)");
    EXPECT_EQ(r.out, "");
    // Caught by pcall, it still fails the run.
    auto c = run("pcall(expect, false, 'hidden')\n");
    ASSERT_FALSE(c.ok);
    EXPECT_NE(c.error.message.find("1 expectation(s) failed"), std::string::npos);
}

TEST(Scenario, UnknownPresetIsAnErrorAtTheMachineCall) {
    auto r = run("\nmachine{preset='x86_46'}\n");
    ASSERT_FALSE(r.ok);
    EXPECT_EQ(r.error.where.line, 2u);
    EXPECT_NE(r.error.message.find("x86_46"), std::string::npos) << r.error.message;
    auto k = run("machine{kernel={fault_around_byte=4096}}\n");
    ASSERT_FALSE(k.ok);
    EXPECT_NE(k.error.message.find("did you mean 'fault_around_bytes'"), std::string::npos) << k.error.message;
    auto late = run("spawn('a')\nmachine{preset='x86_64'}\n");
    ASSERT_FALSE(late.ok);
    EXPECT_EQ(late.error.where.line, 2u);
}

TEST(Scenario, SandboxHasNoFileOrOsAccess) {
    auto r = run("expect_eq(io, nil)\nexpect_eq(os, nil)\nexpect_eq(require, nil)\nexpect_eq(dofile, nil)\n"
                 "expect_eq(loadfile, nil)\nexpect_eq(debug, nil)\nexpect_eq(package, nil)\nexpect_eq(string.dump, nil)\n");
    EXPECT_TRUE(r.ok) << r.error.str();
    auto g = run("collectgarbage('stop')\n");
    ASSERT_FALSE(g.ok);
    EXPECT_EQ(g.error.where.line, 1u);
    auto l = run("local f = load('return 1 + 1')\nexpect_eq(f(), 2)\nlocal ok = load(string.char(27) .. 'Lua')\nexpect_eq(ok, nil)\n");
    EXPECT_TRUE(l.ok) << l.error.str();
    // No global anywhere holds the unrestricted load (which takes binary chunks).
    auto h = run("for k, v in pairs(_G) do expect(v ~= load or k == 'load', k) end\n"
                 "local ok = load(string.char(27) .. 'Lua', 'x', 'b')\nexpect_eq(ok, nil)\n");
    EXPECT_TRUE(h.ok) << h.error.str();
    auto u = run("for k in pairs(_G) do expect(not k:find('vmlab'), k) end\n");
    EXPECT_TRUE(u.ok) << u.error.str();
}

TEST(Scenario, RunawayLoopsStop) {
    ScenarioOptions o;
    o.max_instructions = 2'000'000;
    auto r = run("local n = 0\nwhile true do\n  n = n + 1\nend\n", o);
    ASSERT_FALSE(r.ok);
    EXPECT_EQ(r.error.where.file, "t.lua");
    EXPECT_GE(r.error.where.line, 2u);
    EXPECT_NE(r.error.message.find("instruction limit"), std::string::npos) << r.error.message;
    // pcall cannot keep it alive.
    auto p = run("while true do\n  pcall(function() while true do end end)\nend\n", o);
    ASSERT_FALSE(p.ok);
    EXPECT_NE(p.error.message.find("instruction limit"), std::string::npos) << p.error.message;
}

TEST(Scenario, HugeLuaAllocationsStopAtTheirLine) {
    ScenarioOptions o;
    o.max_memory = 16 << 20;
    auto r = run("local a = 1\nlocal s = string.rep('x', 1 << 30)\n", o);
    ASSERT_FALSE(r.ok);
    EXPECT_EQ(r.error.where.line, 2u);
    EXPECT_NE(r.error.message.find("not enough memory"), std::string::npos) << r.error.message;
    auto t = run("local t = {}\nfor i = 1, 1e9 do\n  t[i] = i\nend\n", o);
    ASSERT_FALSE(t.ok);
    EXPECT_NE(t.error.message.find("not enough memory"), std::string::npos) << t.error.message;
}

TEST(Scenario, RandomNumbersFollowTheSeed) {
    ScenarioOptions a, b;
    a.seed = b.seed = 42;
    const std::string text = "print(math.random(1, 1000000), math.random(1, 1000000))\n";
    EXPECT_EQ(run(text, a).out, run(text, b).out);
    auto r = run("math.randomseed()\n");
    EXPECT_FALSE(r.ok);
}

TEST(Scenario, InvalidSystemCallArgumentsReturnErrno) {
    auto r = run(
        "local p = spawn('a')\n"
        "local a, e, n = p:mmap{len=0}\n"
        "expect_eq(a, nil)\nexpect_eq(e, 'EINVAL')\nexpect_eq(n, 22)\n"
        "local _, e2 = p:munmap(1, 4096)\nexpect_eq(e2, 'EINVAL')\n"
        "local _, e3 = p:mmap{len=1 << 62}\nexpect_eq(e3, 'ENOMEM')\n");
    EXPECT_TRUE(r.ok) << r.error.str();
}

TEST(Scenario, AnonymousPagesFaultLikeLinux) {
    // docs/linux-reference.md anon_read_write: 64 read faults (zero page, RSS 0), then 64
    // write faults (RSS = Private_Dirty = 256 KiB), then none.
    auto r = run(
        "local p = spawn('a')\n"
        "local a = p:mmap{len=64*PAGE, prot='rw-', flags='private|anonymous'}\n"
        "expect_eq(p:touch(a, 64*PAGE, 'read'), 64)\n"
        "expect_eq(p:smaps(a).rss, 0)\n"
        "expect_eq(p:touch(a, 64*PAGE, 'write'), 64)\n"
        "local m = p:smaps(a)\n"
        "expect_eq(m.rss, 256*KiB)\nexpect_eq(m.private_dirty, 256*KiB)\nexpect_eq(m.anonymous, 256*KiB)\n"
        "expect_eq(p:touch(a, 64*PAGE, 'write'), 0)\n"
        "p:write_u64(a + 8, 0x1122334455667788)\n"
        "expect_eq(p:read_u32(a + 12), 0x11223344)\n"
        "expect_eq(p:read_u8(a + 8), 0x88)\n"
        "p:write_string(a + 100, 'vmlab')\nexpect_eq(p:read_string(a + 100), 'vmlab')\n");
    EXPECT_TRUE(r.ok) << r.error.str();
}

TEST(Scenario, EvictedHostFilePagesFaultMajorAgain) {
    // A host page read through a mapping is a major fault; after posix_fadvise(DONTNEED)
    // or drop_caches (the page unmapped and clean) the next read is a major fault again.
    const auto dir = std::filesystem::temp_directory_path() / ("vmlab-scenario-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "f.dat", std::ios::binary) << std::string(2 * 4096, 'x');
    ScenarioOptions o;
    o.base_dir = dir.string();
    auto r = run(
        "machine{kernel={read_around_bytes=0}}\n"
        "local p = spawn('a')\n"
        "local fd = p:open('f.dat')\n"
        "local function major_read()\n"
        "  local a = p:mmap{len=PAGE, prot='r--', flags='private', fd=fd}\n"
        "  local b = p:faults().major\n"
        "  expect_eq(p:read_u8(a), 120)\n"
        "  p:munmap(a, PAGE)\n"
        "  return p:faults().major - b\n"
        "end\n"
        "expect_eq(major_read(), 1)\n"
        "expect_eq(major_read(), 0)\n"
        "expect_eq(p:fadvise(fd, 0, 0, 'dontneed'), true)\n"
        "expect_eq(major_read(), 1)\n"
        "expect(drop_caches() >= 1)\n"
        "expect_eq(major_read(), 1)\n"
        "local _, e = p:fadvise(fd, 0, 0, 'nosuch')\n",
        o);
    std::filesystem::remove_all(dir);
    ASSERT_FALSE(r.ok);
    EXPECT_EQ(r.error.where.line, 17u) << r.error.str();
    EXPECT_NE(r.error.message.find("unknown fadvise advice"), std::string::npos) << r.error.str();
}

TEST(Scenario, ExecOfARealBinary) {
    // execve's checks first (ENOENT, EACCES), then the new image: the PIE at
    // ELF_ET_DYN_BASE, ld.so, libc, the vDSO, the stack with argv, comm = basename.
    auto r = run(
        "local p = spawn('sh')\n"
        "local _, e = p:exec('/nonexistent/prog')\nexpect_eq(e, 'ENOENT')\n"
        "_, e = p:exec('/etc')\nexpect_eq(e, 'EACCES')\n"
        "expect_eq(p:exec('/usr/bin/true', {'true', 'x'}, {'A=1'}), true)\n"
        "expect_eq(p.name, 'true')\n"
        "local m = p:maps()\n"
        "expect_eq(m[1].start, 0x555555554000)\nexpect_eq(m[1].name, '/usr/bin/true')\n"
        "expect_eq(m[2].perms, 'r-xp')\nexpect_eq(m[#m].name, '[stack]')\n"
        "local names = {}\nfor _, v in ipairs(m) do names[v.name] = true end\n"
        "expect(names['/usr/lib/x86_64-linux-gnu/libc.so.6'] and names['[vdso]'])\n"
        "local L = p:layout()\n"
        "expect_eq(p:read_string(L.arg_start), 'true')\nexpect_eq(p:read_string(L.env_start), 'A=1')\n");
    EXPECT_TRUE(r.ok) << r.error.str();
    // An executable file that is not ELF: the planner's message, with the byte offset, at
    // the calling line.
    const auto dir = std::filesystem::temp_directory_path() / ("vmlab-scenario-exec-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir);
    std::ofstream(dir / "script") << "#!/bin/sh\necho hi\n";
    std::filesystem::permissions(dir / "script", std::filesystem::perms::owner_all);
    ScenarioOptions o;
    o.base_dir = dir.string();
    auto bad = run("local p = spawn('sh')\n\np:exec('script')\n", o);
    std::filesystem::remove_all(dir);
    ASSERT_FALSE(bad.ok);
    EXPECT_EQ(bad.error.where.line, 3u) << bad.error.str();
    EXPECT_NE(bad.error.message.find("byte offset 0"), std::string::npos) << bad.error.str();
}

TEST(Scenario, SegfaultIsAValue) {
    auto r = run(
        "local p = spawn('a')\n"
        "p:catch('SIGSEGV')\n"
        "local a = p:mmap{len=4*PAGE, prot='r--'}\n"
        "local ok, sig = p:write_u8(a + 2*PAGE + 0x123, 1)\n"
        "expect_eq(ok, nil)\nexpect_eq(sig.signal, 'SIGSEGV')\nexpect_eq(sig.code_name, 'SEGV_ACCERR')\n"
        "expect_eq(sig.addr, a + 0x2123)\n"
        "print(sig)\n");
    ASSERT_TRUE(r.ok) << r.error.str();
    EXPECT_NE(r.out.find("SIGSEGV (SEGV_ACCERR) at 0x"), std::string::npos) << r.out;
}

TEST(Scenario, JsonModeCollectsOutputAndReports) {
    ScenarioOptions o;
    o.json = true;
    auto r = run("local p = spawn('a')\nprint('hi')\nshow('status', p)\n", o);
    ASSERT_TRUE(r.ok) << r.error.str();
    EXPECT_NE(r.out.find("\"output\": [\n    \"hi\"\n  ]"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("\"report\": \"status\""), std::string::npos) << r.out;
}

TEST(Scenario, TourIsShippedAsAnExample) {
    std::ifstream in(std::string(VMLAB_SOURCE_DIR) + "/examples/tour.lua");
    ASSERT_TRUE(in) << "examples/tour.lua is missing";
    std::stringstream ss;
    ss << in.rdbuf();
    EXPECT_EQ(ss.str(), std::string(tour_scenario()));
}

// Kernel settings from the configuration (a file's [kernel] table or --set kernel.*)
// reach the simulated kernel: vm.mmap_min_addr refuses a fixed mapping below it with
// EPERM, as Linux does, and the default (64 KiB) allows one at 64 KiB.
TEST(Scenario, KernelSettingsFromTheConfigurationApply) {
    const std::string script =
        "local p = spawn('k')\n"
        "local a, err = p:mmap{addr=0x10000, len=4096, prot='rw-', flags='private|anonymous|fixed'}\n"
        "print(err or 'ok')\n";
    auto plain = run(script);
    ASSERT_TRUE(plain.ok) << plain.error.str();
    EXPECT_EQ(plain.out, "ok\n");

    ScenarioOptions opt;
    opt.machine.overrides.push_back("kernel.mmap_min_addr=1M");
    auto raised = run(script, opt);
    ASSERT_TRUE(raised.ok) << raised.error.str();
    EXPECT_EQ(raised.out, "EPERM\n");

    auto via_machine = run("machine{preset='x86_64'}\n" + script, opt);
    ASSERT_TRUE(via_machine.ok) << via_machine.error.str();
    EXPECT_EQ(via_machine.out, "EPERM\n");
}

TEST(Scenario, UnknownOptionKeysAreErrorsWithASuggestion) {
    auto r = run("local p = spawn('a')\n\np:mmap{len=PAGE, flag='shared'}\n");
    ASSERT_FALSE(r.ok);
    EXPECT_EQ(r.error.where.line, 3u);
    EXPECT_NE(r.error.message.find("mmap: unknown option 'flag'; did you mean 'flags'?"), std::string::npos)
        << r.error.message;
    auto s = run("spawn{name='a', stak=false}\n");
    ASSERT_FALSE(s.ok);
    EXPECT_NE(s.error.message.find("spawn: unknown option 'stak'; did you mean 'stack'?"), std::string::npos)
        << s.error.message;
    auto res = run("local p = spawn('a')\np:getrlimit('stak')\n");
    ASSERT_FALSE(res.ok);
    EXPECT_NE(res.error.message.find("getrlimit: unknown resource 'stak'; did you mean 'stack'?"), std::string::npos)
        << res.error.message;
    // Every call takes its parameters by name too; options and positions mean the same.
    auto same = run(
        "local p = spawn{name='a', stack=true}\n"
        "local a = p:mmap(0, 2*PAGE, 'rw-', 'private|anonymous')\n"
        "expect_eq(p:munmap{addr=a, len=PAGE}, true)\n"
        "local _, e = p:munmap{addr=1, len=PAGE}\nexpect_eq(e, 'EINVAL')\n"
        "expect_eq(p:getrlimit{resource='RLIMIT_NOFILE'}, 1024)\n");
    EXPECT_TRUE(same.ok) << same.error.str();
}

TEST(Scenario, KernelSettingsOfTheScriptGoThroughTheSchema) {
    // overcommit by name or by number (vm.overcommit_memory); sizes as numbers or strings;
    // -1 is unlimited; the script's kernel{} wins over --set for the same key.
    ScenarioOptions opt;
    opt.machine.overrides.push_back("kernel.stack_rlimit=1M");
    auto r = run(
        "machine{kernel={overcommit=2, stack_rlimit=-1, memlock_rlimit='64K', quantum=1e3}}\n"
        "local p = spawn('a')\n"
        "expect_eq(p:getrlimit('stack'), -1)\nexpect_eq(p:getrlimit('memlock'), 65536)\n"
        "local _, e = p:mmap{len=1 << 46}\nexpect_eq(e, 'ENOMEM')\n",
        opt);
    EXPECT_TRUE(r.ok) << r.error.str();
    auto n = run("machine{kernel={overcommit='never'}}\nlocal p = spawn('a')\n");
    EXPECT_TRUE(n.ok) << n.error.str();
    auto bad = run("\nmachine{kernel={overcommit=3}}\n");
    ASSERT_FALSE(bad.ok);
    EXPECT_EQ(bad.error.where.line, 2u);
    EXPECT_NE(bad.error.message.find("machine: 'kernel.overcommit': 3 is out of range"), std::string::npos)
        << bad.error.message;
    auto name = run("machine{kernel={overcommit='sometimes'}}\n");
    ASSERT_FALSE(name.ok);
    EXPECT_NE(name.error.message.find("'sometimes' is not valid"), std::string::npos) << name.error.message;
    auto opt_key = run("machine{cpu=2}\n");
    ASSERT_FALSE(opt_key.ok);
    EXPECT_NE(opt_key.error.message.find("machine: unknown option 'cpu'; did you mean 'cpus'?"), std::string::npos)
        << opt_key.error.message;
    auto key = run("machine{kernel={max_map_cont=10}}\n");
    ASSERT_FALSE(key.ok);
    EXPECT_NE(key.error.message.find("did you mean 'max_map_count'"), std::string::npos) << key.error.message;
}
