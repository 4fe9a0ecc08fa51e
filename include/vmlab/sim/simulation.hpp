// One run of vmlab: the machine (physical memory, paging format, CPUs with MMUs), the
// kernel, and the run's seeded random generator. Workloads drive it through the two doors
// a real program has: memory accesses and system calls (kernel()).
//
//     auto sim = Simulation::create(machine_cfg, KernelConfig{}, /*seed=*/1).value();
//     Kernel& k = sim->kernel();
//     Pid p = *k.spawn({.name = "demo"});
//     VirtAddr a = *k.mmap(p, VirtAddr{0}, 64 * 4096, sys::kProtRead | sys::kProtWrite,
//                          sys::kMapPrivate | sys::kMapAnonymous);
//     sim->write_u64(p, a, 42);           // write fault: a zeroed frame
//     std::uint64_t v = 0; sim->read_u64(p, a, v);
#pragma once

#include <cstdint>
#include <memory>

#include "vmlab/core/result.hpp"
#include "vmlab/core/rng.hpp"
#include "vmlab/hw/machine.hpp"
#include "vmlab/os/kernel.hpp"
#include "vmlab/os/kernel_config.hpp"

namespace vmlab {

class Simulation {
public:
    // Validates both configurations (and that they fit together: the kernel's page size
    // is the format's smallest page, which must equal the machine's frame size).
    static Result<std::unique_ptr<Simulation>> create(const MachineConfig& machine,
                                                      const KernelConfig& kernel,
                                                      std::uint64_t seed = 0);
    ~Simulation();

    Machine& machine() { return *machine_; }
    const Machine& machine() const { return *machine_; }
    Kernel& kernel() { return *kernel_; }
    const Kernel& kernel() const { return *kernel_; }
    Rng& rng() { return rng_; }
    std::uint64_t seed() const { return seed_; }

    AccessOutcome access(Tid tid, VirtAddr va, AccessKind kind, std::uint64_t size = 1,
                         void* data = nullptr) {
        return kernel_->access(tid, va, kind, size, data);
    }
    AccessOutcome read(Tid tid, VirtAddr va, std::span<std::uint8_t> out) { return kernel_->read(tid, va, out); }
    AccessOutcome write(Tid tid, VirtAddr va, std::span<const std::uint8_t> in) { return kernel_->write(tid, va, in); }
    // Little-endian integers of `bytes` (1, 2, 4 or 8) bytes.
    AccessOutcome read_uint(Tid tid, VirtAddr va, unsigned bytes, std::uint64_t& out);
    AccessOutcome write_uint(Tid tid, VirtAddr va, unsigned bytes, std::uint64_t value);
    AccessOutcome read_u64(Tid tid, VirtAddr va, std::uint64_t& out) { return read_uint(tid, va, 8, out); }
    AccessOutcome write_u64(Tid tid, VirtAddr va, std::uint64_t v) { return write_uint(tid, va, 8, v); }

private:
    Simulation() = default;
    std::unique_ptr<Machine> machine_;
    Rng rng_;
    std::uint64_t seed_ = 0;
    std::unique_ptr<Kernel> kernel_;
};

}  // namespace vmlab
