// One `vmlab explain` run: choose the machine, load its state (a state file, an OSTEP
// memory dump, or the demo address space) and translate addresses in sequence on CPU 0,
// each with its trace. The session only runs: report/explain.hpp formats what it returns
// (the CLI and the tour pass the traces, the state and the MMU's counters to it).
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "vmlab/config/config.hpp"
#include "vmlab/config/state_file.hpp"
#include "vmlab/hw/machine.hpp"
#include "vmlab/hw/mmu.hpp"

namespace vmlab {

struct ExplainRequest {
    ConfigRequest config;            // --preset / --config / --set
    std::string state_file;          // "" = the demo address space
    std::optional<unsigned> pdbr;    // OSTEP dumps: page-directory page number
    bool write = false, exec = false, kernel = false;
    std::vector<std::string> addresses;  // as typed; empty = the state's examples
};

class ExplainSession {
public:
    // Errors (bad address, unknown preset, malformed state file, ...) carry a location.
    static Result<ExplainSession> open(const ExplainRequest& req);

    // Translates every address in turn (a later one can hit the TLB entries an earlier one
    // filled) and returns their traces; mmu_stats() then counts them.
    std::vector<TranslationTrace> run();

    Machine& machine() { return *machine_; }
    const LoadedState& state() const { return state_; }
    const std::vector<VirtAddr>& addresses() const { return addresses_; }
    // The state file the session loaded, "" for the demo address space.
    const std::string& state_origin() const { return state_origin_; }
    // CPU 0's MMU counters (the CPU every translation of the session runs on).
    const MmuStats& mmu_stats() const { return machine_->mmu(0).stats(); }
    // Translates one address with a trace (for callers composing their own report).
    TranslationTrace translate(VirtAddr va, AccessKind access, Privilege priv);

private:
    ExplainSession() = default;
    std::unique_ptr<Machine> machine_;  // declared before state_: the page table goes first
    LoadedState state_;
    std::string state_origin_;          // "" = demo
    std::vector<VirtAddr> addresses_;
    AccessKind access_ = AccessKind::Read;
    Privilege priv_ = Privilege::User;
};

// One step of the translation tour: what it shows, why, and its translation.
struct TourStep {
    std::string title;
    std::string lesson;
    VirtAddr va{};
    AccessKind access = AccessKind::Read;
    TranslationTrace trace;
};

// The translation tour (`vmlab explain --tour`) on the machine `config` chooses: the demo
// address space, then a cold walk, a TLB hit, a walk shortened by the page-walk caches, a
// huge page, a protection fault and an untranslatable address, each translated in turn
// (steps the machine cannot show, e.g. without a larger page size, are left out).
struct TranslationTour {
    ExplainSession session;  // the machine, the demo state and, after the steps, the MMU's counters
    std::vector<TourStep> steps;
};
Result<TranslationTour> run_translation_tour(const ConfigRequest& config);

}  // namespace vmlab
