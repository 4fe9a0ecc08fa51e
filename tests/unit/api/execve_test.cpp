// Kernel::execve: execve's checks on the file (ENOENT, EACCES), a file that is not an ELF
// executable as bad input with the planner's message, and a real exec of /usr/bin/true.
#include <gtest/gtest.h>

#include <unistd.h>

#include <filesystem>
#include <fstream>

#include "support/os_fixture.hpp"
#include "vmlab/os/kernel.hpp"

using namespace vmlab;
using namespace vmlab::test;

namespace {

struct TempDir {
    std::filesystem::path path;
    TempDir() {
        path = std::filesystem::temp_directory_path() / ("vmlab-execve-" + std::to_string(::getpid()));
        std::filesystem::create_directories(path);
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
    std::string file(const std::string& name, const std::string& text, std::filesystem::perms perms) const {
        const auto p = path / name;
        std::ofstream(p) << text;
        std::filesystem::permissions(p, perms);
        return p.string();
    }
};

}  // namespace

TEST(Execve, MissingFileIsEnoent) {
    auto sim = make_sim();
    auto& k = sim->kernel();
    const Pid p = *k.spawn();
    auto r = k.execve(p, "/nonexistent/vmlab/program", {"program"}, {});
    ASSERT_TRUE(r) << r.error().str();
    EXPECT_EQ(r->error, Errno::NoEnt);
    auto e = k.execve(p, "", {}, {});
    ASSERT_TRUE(e);
    EXPECT_EQ(e->error, Errno::NoEnt);
}

TEST(Execve, NotExecutableOrNotARegularFileIsEacces) {
    auto sim = make_sim();
    auto& k = sim->kernel();
    const Pid p = *k.spawn();
    TempDir dir;
    using std::filesystem::perms;
    const std::string plain = dir.file("plain", "#!/bin/sh\n", perms::owner_read | perms::owner_write);
    auto r = k.execve(p, plain, {"plain"}, {});
    ASSERT_TRUE(r) << r.error().str();
    EXPECT_EQ(r->error, Errno::Acces);
    auto d = k.execve(p, dir.path.string(), {"dir"}, {});
    ASSERT_TRUE(d) << d.error().str();
    EXPECT_EQ(d->error, Errno::Acces);
    // The process was left as it was.
    EXPECT_TRUE(k.exists(p));
}

TEST(Execve, AnExecutableThatIsNotElfIsBadInputWithAnOffset) {
    auto sim = make_sim();
    auto& k = sim->kernel();
    const Pid p = *k.spawn();
    TempDir dir;
    using std::filesystem::perms;
    const std::string script = dir.file("script", "not an ELF file at all\n", perms::owner_all);
    auto r = k.execve(p, script, {"script"}, {});
    ASSERT_FALSE(r);
    EXPECT_NE(r.error().str().find(script), std::string::npos) << r.error().str();
    EXPECT_GE(r.error().where.byte_offset, 0) << r.error().str();
}

TEST(Execve, RunsARealProgram) {
    if (!std::filesystem::exists("/usr/bin/true")) GTEST_SKIP() << "no /usr/bin/true";
    auto sim = make_sim();
    auto& k = sim->kernel();
    const Pid p = *k.spawn();
    auto r = k.execve(p, "/usr/bin/true", {"true"}, {"A=1"});
    ASSERT_TRUE(r) << r.error().str();
    ASSERT_TRUE(r->ok()) << errno_name(r->error);
    bool mapped = false;
    for (const auto& m : k.maps(p))
        if (m.path.find("true") != std::string::npos) mapped = true;
    EXPECT_TRUE(mapped);
    const auto layout = k.layout(p);
    ASSERT_TRUE(layout);
    EXPECT_GT(layout->arg_end.value, layout->arg_start.value);
}
