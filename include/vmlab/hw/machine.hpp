// A machine: physical memory, the paging format, and CPUs each with its own MMU.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "vmlab/core/result.hpp"
#include "vmlab/hw/mmu.hpp"
#include "vmlab/hw/paging.hpp"
#include "vmlab/hw/phys_mem.hpp"

namespace vmlab {

struct PagingConfig {
    std::string format = "x86-64-4level";  // registered paging format
    unsigned va_bits = 0;                  // 0 = format default
    AdMode ad_mode = AdMode::Hardware;
    Status validate() const;
};

struct MachineConfig {
    std::string name = "x86_64";           // preset it came from, for reports
    std::string description;
    PagingConfig paging;
    PhysMemConfig memory;
    MmuConfig mmu;
    unsigned cpus = 1;
    Status validate() const;
};

class Machine {
public:
    static Result<std::unique_ptr<Machine>> create(const MachineConfig& cfg);
    const MachineConfig& config() const { return cfg_; }
    PhysMem& mem() { return *mem_; }
    const PhysMem& mem() const { return *mem_; }
    const PagingFormat& format() const { return *fmt_; }
    unsigned cpu_count() const { return static_cast<unsigned>(mmus_.size()); }
    Mmu& mmu(unsigned cpu) { return mmus_.at(cpu); }
    const Mmu& mmu(unsigned cpu) const { return mmus_.at(cpu); }

private:
    Machine() = default;
    MachineConfig cfg_;
    std::unique_ptr<PagingFormat> fmt_;
    std::unique_ptr<PhysMem> mem_;
    std::vector<Mmu> mmus_;
};

}  // namespace vmlab
