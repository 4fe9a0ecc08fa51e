// What the fault handler reports (and the page cache, when it fills a page for a fault).
#pragma once

#include <cstdint>

namespace vmlab::os {

enum class FaultStatus : std::uint8_t { Done, SegvMap, SegvAcc, SegvKernel, Bus, Oom };
struct FaultResult {
    FaultStatus status = FaultStatus::Done;
    bool major = false;
    bool counted = true;  // a handled fault that getrusage counts
};

}  // namespace vmlab::os
