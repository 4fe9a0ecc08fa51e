// One `vmlab explain` run: choose the machine, load its state (a state file, an OSTEP
// memory dump, or the demo address space), translate addresses in sequence on CPU 0 and
// report each step. The CLI and the tour are thin shells over this.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "vmlab/config/config.hpp"
#include "vmlab/config/state_file.hpp"
#include "vmlab/hw/machine.hpp"
#include "vmlab/report/explain.hpp"

namespace vmlab {

struct ExplainRequest {
    ConfigRequest config;            // --preset / --config / --set
    std::string state_file;          // "" = the demo address space
    std::optional<unsigned> pdbr;    // OSTEP dumps: page-directory page number
    bool write = false, exec = false, kernel = false;
    std::vector<std::string> addresses;  // as typed; empty = the state's examples
    ExplainStyle style;
};

class ExplainSession {
public:
    // Errors (bad address, unknown preset, malformed state file, ...) carry a location.
    static Result<ExplainSession> open(const ExplainRequest& req);

    // Translates every address and returns the explanations (text or JSON), then the
    // MMU's statistics.
    std::string run_text();
    nlohmann::json run_json();

    Machine& machine() { return *machine_; }
    const LoadedState& state() const { return state_; }
    const std::vector<VirtAddr>& addresses() const { return addresses_; }
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
    ExplainStyle style_;
};

// The translation tour (`vmlab explain --tour`) on the machine `config` chooses: the demo
// address space, then a cold walk, a TLB hit, a walk shortened by the page-walk caches, a
// huge page, a protection fault and an untranslatable address, each explained, and the
// MMU's counters.
Result<std::string> translation_tour(const ConfigRequest& config);

// The address space of the demo, one line per mapping ("0x400000  4 KiB  r-x  code ...").
std::string demo_mappings_text(const LoadedState& s, const Machine& m);
// The MMU's counters after a run: translations, TLB hits per structure, walks, cycles.
std::string mmu_stats_text(const MmuStats& s);
nlohmann::json mmu_stats_json(const MmuStats& s);

}  // namespace vmlab
