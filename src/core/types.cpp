#include "vmlab/core/types.hpp"

namespace vmlab {

const char* to_string(AccessKind k) {
    switch (k) {
        case AccessKind::Read: return "read";
        case AccessKind::Write: return "write";
        case AccessKind::Execute: return "execute";
    }
    return "?";
}

const char* to_string(Privilege p) {
    switch (p) {
        case Privilege::User: return "user";
        case Privilege::Kernel: return "kernel";
    }
    return "?";
}

}  // namespace vmlab
