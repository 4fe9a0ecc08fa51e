#include "vmlab/core/result.hpp"

#include <cstdio>
#include <cstdlib>

namespace vmlab {

std::string Location::str() const {
    std::string s = file;
    if (line) {
        s += fmt::format(":{}", line);
        if (column) s += fmt::format(":{}", column);
    }
    if (record) s += fmt::format("{}record {}", s.empty() ? "" : ": ", record);
    if (byte_offset >= 0) s += fmt::format("{}byte offset {} (0x{:x})", s.empty() ? "" : ": ", byte_offset, byte_offset);
    return s;
}

std::string Error::str() const {
    if (where.empty()) return message;
    return where.str() + ": " + message;
}

Error Error::at(const Location& loc) const {
    Error e = *this;
    if (e.where.empty()) e.where = loc;
    return e;
}

void invariant_failed(const char* func, const char* file, int line, const char* what) {
    std::fprintf(stderr, "vmlab: internal error in %s (%s:%d): %s\n", func, file, line, what);
    std::abort();
}

}  // namespace vmlab
