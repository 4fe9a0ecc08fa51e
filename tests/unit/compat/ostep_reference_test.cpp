// Every reference output in tests/data/ostep/ through the library, byte for byte and exit
// status for exit status. NAME.cmd holds the Python command line and the expected status;
// NAME.out the Python tool's stdout (see tests/data/ostep/regenerate.py). Status 2 means
// optparse's usage error or a Python crash: vmlab must return an Error, with the stdout the
// Python tool printed before it.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include "vmlab/compat/ostep.hpp"

namespace fs = std::filesystem;

namespace {

std::string slurp(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

// POSIX shell words as Python's shlex.join writes them: '...' quoting, "'"'"' for a quote.
std::vector<std::string> shell_words(const std::string& line) {
    std::vector<std::string> words;
    std::string cur;
    bool in_word = false;
    for (std::size_t i = 0; i < line.size(); ++i) {
        const char c = line[i];
        if (c == ' ' || c == '\t') {
            if (in_word) words.push_back(cur);
            cur.clear();
            in_word = false;
        } else if (c == '\'') {
            in_word = true;
            auto end = line.find('\'', i + 1);
            if (end == std::string::npos) end = line.size();
            cur += line.substr(i + 1, end - i - 1);
            i = end;
        } else if (c == '"') {
            in_word = true;
            for (++i; i < line.size() && line[i] != '"'; ++i) {
                if (line[i] == '\\' && i + 1 < line.size()) ++i;
                cur += line[i];
            }
        } else if (c == '\\' && i + 1 < line.size()) {
            in_word = true;
            cur += line[++i];
        } else {
            in_word = true;
            cur += c;
        }
    }
    if (in_word) words.push_back(cur);
    return words;
}

struct Case {
    std::string name;
    std::vector<std::string> argv;  // script name, then its arguments
    int status = 0;
};

std::vector<Case> cases_for(const std::string& folder) {
    const fs::path dir = fs::path(VMLAB_TEST_DATA) / "ostep";
    std::vector<Case> out;
    for (const auto& e : fs::directory_iterator(dir)) {
        const std::string name = e.path().stem().string();
        if (e.path().extension() != ".cmd" || name.rfind(folder + "-", 0) != 0) continue;
        std::istringstream in(slurp(e.path()));
        std::string cmd, status;
        std::getline(in, cmd);
        std::getline(in, status);
        Case c{name, shell_words(cmd), 0};
        const std::string prefix = "exit status ";
        EXPECT_EQ(status.rfind(prefix, 0), 0u) << name;
        c.status = std::stoi(status.substr(prefix.size()));
        out.push_back(std::move(c));
    }
    std::sort(out.begin(), out.end(), [](const Case& a, const Case& b) { return a.name < b.name; });
    return out;
}

// The first line where two outputs differ, for a readable failure.
std::string first_difference(const std::string& want, const std::string& got) {
    std::istringstream a(want), b(got);
    std::string la, lb;
    for (int line = 1;; ++line) {
        const bool ha = static_cast<bool>(std::getline(a, la)), hb = static_cast<bool>(std::getline(b, lb));
        if (!ha && !hb) return "outputs differ only in the final newline";
        if (!ha || !hb || la != lb)
            return "line " + std::to_string(line) + ":\n  python: " + (ha ? la : "<end>") + "\n  vmlab:  " +
                   (hb ? lb : "<end>");
    }
}

void run_folder(const std::string& folder, std::size_t at_least) {
    const auto cases = cases_for(folder);
    EXPECT_GE(cases.size(), at_least) << "reference outputs for " << folder << " are missing";
    // paging-policy's -f names files relative to the data directory.
    struct Chdir {
        fs::path saved = fs::current_path();
        Chdir() { fs::current_path(fs::path(VMLAB_TEST_DATA) / "ostep"); }
        ~Chdir() { fs::current_path(saved); }
    } chdir;
    for (const Case& c : cases) {
        ASSERT_FALSE(c.argv.empty()) << c.name;
        std::string out;
        const std::vector<std::string> args(c.argv.begin() + 1, c.argv.end());
        const auto r = vmlab::compat::run_ostep(c.argv[0], args, out);
        const std::string want = slurp(fs::path(VMLAB_TEST_DATA) / "ostep" / (c.name + ".out"));
        if (c.status == 2) {
            EXPECT_FALSE(r.has_value()) << c.name << ": expected an error (exit 2), got status " << (r ? *r : -1);
        } else {
            EXPECT_TRUE(r.has_value()) << c.name << ": " << (r ? "" : r.error().str());
            if (r) {
                EXPECT_EQ(*r, c.status) << c.name;
            }
        }
        EXPECT_TRUE(out == want) << c.name << " (" << c.argv[0] << "): " << first_difference(want, out);
    }
}

}  // namespace

TEST(OstepReference, ShellWords) {
    EXPECT_EQ(shell_words("a 'b c' '' 'd'\"'\"'e'"), (std::vector<std::string>{"a", "b c", "", "d'e"}));
    EXPECT_EQ(shell_words("x ' 1 , 2'"), (std::vector<std::string>{"x", " 1 , 2"}));
}

TEST(OstepReference, Relocation) { run_folder("vm-mechanism", 60); }
TEST(OstepReference, Segmentation) { run_folder("vm-segmentation", 50); }
TEST(OstepReference, Malloc) { run_folder("vm-freespace", 80); }
TEST(OstepReference, PagingLinear) { run_folder("vm-paging", 45); }
TEST(OstepReference, PagingMultilevel) { run_folder("vm-smalltables", 15); }
TEST(OstepReference, PagingPolicy) { run_folder("vm-beyondphys-policy", 80); }
