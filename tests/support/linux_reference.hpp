// Reader for the recorded outputs of the Linux reference programs
// (tests/data/linux/NAME.out, written by tests/oracle/linux/run.sh --record).
//
// Format, one item per line:
//     # vmlab linux reference: NAME          comment lines; "# kernel R M", "# thp ...",
//     # kernel 6.18.44-fc-v470 x86_64        "# page_size P fs F" describe the machine
//     read.minflt 64                         "<step>.<what> <value>": no spaces in either
//
// A vmlab scenario that reproduces program NAME compares its figures with these values
// key by key (values are compared as strings: "64", "SIGSEGV", "0x2123", "EINVAL", "ok").
#pragma once

#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "vmlab/core/result.hpp"

namespace vmlab::test {

struct LinuxReference {
    std::string name;                           // program name from the header
    std::string kernel;                         // `uname -r` of the recording machine
    std::string machine;                        // `uname -m`
    std::string fs;                             // file system the files were created on
    std::map<std::string, std::string> values;  // key -> value
    std::vector<std::string> keys;              // in file order

    // The value of `key`, or "<missing>".
    std::string get(const std::string& key) const {
        auto it = values.find(key);
        return it == values.end() ? std::string("<missing>") : it->second;
    }
};

inline Result<LinuxReference> load_linux_reference(const std::string& path) {
    std::ifstream in(path);
    if (!in) return fail("cannot open", Location{path});
    LinuxReference ref;
    std::string line;
    std::uint64_t no = 0;
    auto where = [&] { return Location{path, no}; };
    while (std::getline(in, line)) {
        ++no;
        if (line.empty()) return fail("empty line", where());
        if (line[0] == '#') {
            const std::string k1 = "# vmlab linux reference: ", k2 = "# kernel ", k3 = "# page_size ";
            if (line.rfind(k1, 0) == 0) ref.name = line.substr(k1.size());
            if (line.rfind(k2, 0) == 0) {
                auto rest = line.substr(k2.size());
                auto sp = rest.find(' ');
                ref.kernel = rest.substr(0, sp);
                if (sp != std::string::npos) ref.machine = rest.substr(sp + 1);
            }
            if (line.rfind(k3, 0) == 0) {
                auto fs = line.find(" fs ");
                if (fs != std::string::npos) ref.fs = line.substr(fs + 4);
            }
            continue;
        }
        auto sp = line.find(' ');
        if (sp == std::string::npos || sp == 0 || sp + 1 == line.size() ||
            line.find(' ', sp + 1) != std::string::npos)
            return fail("expected '<key> <value>'", where());
        std::string key = line.substr(0, sp);
        for (char c : key)
            if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.'))
                return fail(fmt::format("bad character '{}' in key '{}'", c, key), where());
        if (!ref.values.emplace(key, line.substr(sp + 1)).second)
            return fail(fmt::format("duplicate key '{}'", key), where());
        ref.keys.push_back(key);
    }
    if (ref.name.empty() || ref.kernel.empty()) return fail("missing header lines", Location{path});
    return ref;
}

}  // namespace vmlab::test
