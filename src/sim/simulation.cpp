#include "vmlab/sim/simulation.hpp"

#include <cstring>

namespace vmlab {

Result<std::unique_ptr<Simulation>> Simulation::create(const MachineConfig& machine, const KernelConfig& kernel,
                                                       std::uint64_t seed) {
    VMLAB_TRY(machine.validate());
    VMLAB_TRY(kernel.validate());
    MachineConfig mc = machine;
    if (mc.mmu.seed == 0) mc.mmu.seed = seed;
    auto m = Machine::create(mc);
    if (!m) return fail(m.error());
    const auto sizes = (*m)->format().geometry().page_sizes();
    if (sizes.empty() || sizes.front() != (*m)->mem().frame_size())
        return failf("the kernel model needs the paging format's base page ({} bytes) to equal the frame size ({} bytes)",
                     sizes.empty() ? 0 : sizes.front().bytes(), (*m)->mem().frame_size().bytes());
    if ((*m)->mem().allocator().free_frames() < 64)
        return failf("the kernel model needs at least 64 free frames of physical memory");
    const std::uint64_t task = kernel.task_size ? kernel.task_size : default_task_size((*m)->format().geometry());
    if (task <= kernel.mmap_min_addr + (1u << 20))
        return failf("the address space of '{}' ({} bytes of user space) is too small for the kernel model "
                     "(mmap_min_addr is {})",
                     mc.paging.format, task, kernel.mmap_min_addr);
    std::unique_ptr<Simulation> sim(new Simulation());
    sim->machine_ = std::move(*m);
    sim->seed_ = seed;
    sim->rng_ = Rng(seed);
    sim->kernel_ = std::make_unique<Kernel>(*sim->machine_, kernel, sim->rng_);
    return sim;
}

Simulation::~Simulation() { kernel_.reset(); }

AccessOutcome Simulation::read_uint(Tid tid, VirtAddr va, unsigned bytes, std::uint64_t& out) {
    std::uint8_t buf[8] = {};
    if (bytes == 0 || bytes > 8) bytes = 8;
    AccessOutcome r = kernel_->read(tid, va, std::span<std::uint8_t>(buf, bytes));
    out = 0;
    for (unsigned i = 0; i < bytes; ++i) out |= std::uint64_t{buf[i]} << (8 * i);
    return r;
}

AccessOutcome Simulation::write_uint(Tid tid, VirtAddr va, unsigned bytes, std::uint64_t value) {
    std::uint8_t buf[8];
    if (bytes == 0 || bytes > 8) bytes = 8;
    for (unsigned i = 0; i < bytes; ++i) buf[i] = static_cast<std::uint8_t>(value >> (8 * i));
    return kernel_->write(tid, va, std::span<const std::uint8_t>(buf, bytes));
}

}  // namespace vmlab
