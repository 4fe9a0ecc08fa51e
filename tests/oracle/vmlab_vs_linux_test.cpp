// vmlab scenarios that repeat the Linux reference programs: tests/scenario/oracle/NAME.lua
// does what tests/oracle/linux/NAME.c does, through `vmlab run`'s Lua API, and prints the
// same "step.what value" lines. Every key it prints must have the value recorded on the
// real kernel (tests/data/linux/NAME.out), and every recorded key must be printed unless
// the table below says why vmlab does not model it.
//
// The scenarios run after tests/scenario/oracle/oracle.lua (helpers mirroring oracle.h),
// in a fresh temporary directory: files they create with O_CREAT exist inside the
// simulation only (fully in its page cache, as the C programs' files are after their
// warm-up pass); files a case needs uncached on the host are written by the test first.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <set>
#include <sstream>

#include "support/linux_reference.hpp"
#include "vmlab/workload/scenario.hpp"

namespace {

namespace fs = std::filesystem;

struct Program {
    std::string name;
    // Recorded keys the scenario does not print, each with the reason.
    std::map<std::string, std::string> not_modelled = {};
    // Host files (name -> size in bytes) written with oracle.h's contents before the run.
    std::map<std::string, std::uint64_t> host_files = {};
    // Keys where vmlab is known to differ from Linux (key -> the component at fault and
    // why). Every other key is still compared, and so is a listed key once it agrees with
    // Linux (the test then says the entry is obsolete); the differences are reported as a
    // skip.
    std::map<std::string, std::string> known_differences = {};
};

std::ostream& operator<<(std::ostream& os, const Program& p) { return os << p.name; }

std::string slurp(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// The text as one Lua string literal on a single line.
std::string lua_quote(const std::string& s) {
    std::string q = "\"";
    for (char c : s) {
        switch (c) {
            case '\\': q += "\\\\"; break;
            case '"': q += "\\\""; break;
            case '\n': q += "\\n"; break;
            case '\r': q += "\\r"; break;
            case '\0': q += "\\0"; break;
            default: q += c;
        }
    }
    return q + "\"";
}

struct TempDir {
    fs::path path;
    TempDir() {
        static int counter = 0;
        path = fs::temp_directory_path() /
               ("vmlab-oracle-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
        fs::create_directories(path);
    }
    ~TempDir() {
        std::error_code ec;
        fs::remove_all(path, ec);
    }
};

class VmlabVsLinux : public ::testing::TestWithParam<Program> {};

TEST_P(VmlabVsLinux, EveryFigureMatchesTheRecording) {
    const Program& prog = GetParam();
    auto ref = vmlab::test::load_linux_reference(std::string(VMLAB_TEST_DATA) + "/linux/" + prog.name + ".out");
    ASSERT_TRUE(ref) << ref.error().str();
    const std::string dir = std::string(VMLAB_TEST_DATA) + "/../scenario/oracle/";
    const std::string prelude = slurp(dir + "oracle.lua");
    const std::string script_path = dir + prog.name + ".lua";
    const std::string script = slurp(script_path);
    ASSERT_FALSE(prelude.empty());
    ASSERT_FALSE(script.empty()) << script_path;

    TempDir tmp;
    for (const auto& [file, size] : prog.host_files) {
        std::ofstream f(tmp.path / file, std::ios::binary);
        for (std::uint64_t i = 0; i < size; ++i) f.put(static_cast<char>((i * 7 + i / 4096) & 0xff));
    }
    // The prelude runs on the script's first line, so that messages keep the script's lines.
    const std::string text = "load(" + lua_quote(prelude) + ", '@oracle.lua')() " + script;
    vmlab::ScenarioOptions opt;
    opt.base_dir = tmp.path.string();
    std::ostringstream out;
    auto r = vmlab::run_scenario(text, script_path, opt, out);
    ASSERT_TRUE(r) << r.error().str() << "\noutput so far:\n" << out.str();

    std::istringstream lines(out.str());
    std::string line;
    std::set<std::string> printed;
    std::string differences;
    while (std::getline(lines, line)) {
        const auto sp = line.find(' ');
        ASSERT_NE(sp, std::string::npos) << prog.name << ": not a 'key value' line: " << line;
        const std::string key = line.substr(0, sp), value = line.substr(sp + 1);
        EXPECT_TRUE(printed.insert(key).second) << prog.name << ": " << key << " printed twice";
        if (auto k = prog.known_differences.find(key); k != prog.known_differences.end() && value != ref->get(key)) {
            differences += "\n  " + key + ": vmlab " + value + ", Linux " + ref->get(key) + " (" + k->second + ")";
            continue;
        }
        if (prog.known_differences.count(key))
            std::cerr << prog.name << ": " << key << " now agrees with Linux (an obsolete known difference)\n";
        EXPECT_EQ(value, ref->get(key)) << prog.name << ": " << key << " (vmlab vs Linux)";
    }
    for (const auto& [key, why] : prog.known_differences)
        EXPECT_TRUE(printed.count(key)) << prog.name << ": known difference " << key << " is not printed";
    for (const auto& key : ref->keys) {
        if (printed.count(key)) {
            EXPECT_FALSE(prog.not_modelled.count(key)) << prog.name << ": " << key << " is printed but listed as not modelled";
            continue;
        }
        EXPECT_TRUE(prog.not_modelled.count(key)) << prog.name << ": the scenario does not print " << key;
    }
    EXPECT_GE(printed.size(), 5u);
    if (!differences.empty() && !HasFailure()) GTEST_SKIP() << "known difference:" << differences;
}

const Program kPrograms[] = {
    {.name = "anon_read_write"},
    {.name = "fork_cow"},
    {.name = "mprotect_segv"},
    {.name = "file_private"},
    {.name = "file_shared"},
    {.name = "file_sigbus"},
    {.name = "madv_dontneed"},
    {.name = "map_populate"},
    {.name = "stack_growth"},
    {.name = "brk_growth"},
    {.name = "munmap_hole"},
    {.name = "shared_anon"},
    {.name = "mremap_grow"},
    {.name = "mlock"},
    {.name = "madv_free"},
    {.name = "fault_around", .host_files = {{"fault_around_cold.dat", 64 * 4096}}},
    {.name = "file_readonly"},
    {.name = "errno_args", .not_modelled = {{"mmap_pipe.errno", "the kernel model has no pipes"}}},
    {.name = "file_major",
     .host_files = {{"file_major.dat", 64 * 4096}}},
};

INSTANTIATE_TEST_SUITE_P(Programs, VmlabVsLinux, ::testing::ValuesIn(kPrograms),
                         [](const ::testing::TestParamInfo<Program>& i) { return i.param.name; });

}  // namespace
