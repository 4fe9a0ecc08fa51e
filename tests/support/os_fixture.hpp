// A simulation on a preset machine for the kernel-model tests.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <string>

#include "vmlab/config/config.hpp"
#include "vmlab/sim/simulation.hpp"

namespace vmlab::test {

inline std::unique_ptr<Simulation> make_sim(const std::string& preset = "x86_64", KernelConfig kc = {},
                                            std::uint64_t seed = 1, unsigned cpus = 0,
                                            std::uint64_t ram = 0) {
    auto cfg = load_preset(preset);
    EXPECT_TRUE(cfg) << (cfg ? "" : cfg.error().str());
    if (!cfg) return nullptr;
    MachineConfig mc = cfg->machine;
    if (cpus) mc.cpus = cpus;
    if (ram) {
        mc.memory.bytes = ram;
        mc.memory.zones.clear();
    }
    auto sim = Simulation::create(mc, kc, seed);
    EXPECT_TRUE(sim) << (sim ? "" : sim.error().str());
    if (!sim) return nullptr;
    return std::move(*sim);
}

inline constexpr std::uint64_t kPage = 4096;
inline constexpr int kRW = sys::kProtRead | sys::kProtWrite;
inline constexpr int kAnonPriv = sys::kMapPrivate | sys::kMapAnonymous;

}  // namespace vmlab::test
