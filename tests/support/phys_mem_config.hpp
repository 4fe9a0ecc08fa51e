// Physical-memory configurations for tests that build PhysMem directly.
#pragma once

#include <cstdint>

#include "vmlab/hw/phys_mem.hpp"

namespace vmlab::test {

// n MiB of 4 KiB frames in one zone, with the default allocator.
inline PhysMemConfig memory_mib(std::uint64_t n) {
    PhysMemConfig c;
    c.bytes = n << 20;
    return c;
}

}  // namespace vmlab::test
