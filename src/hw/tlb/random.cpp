// "random": the victim is drawn uniformly from the set's ways by the structure's own
// generator, seeded from MmuConfig::seed (so a run is reproducible). Hits change nothing.
#include "vmlab/hw/tlb.hpp"

namespace vmlab {
namespace {

class RandomRepl final : public TlbReplacement {
public:
    TlbHitAction hit_action() const override { return TlbHitAction::None; }
    unsigned victim(TlbReplState& st, unsigned set) override { return static_cast<unsigned>(st.rng.below(st.ways)); }
    void on_fill(TlbReplState&, unsigned, unsigned) override {}
};

VMLAB_REGISTER(tlb_replacements(), "random", "uniformly random way (seeded from the run's seed)",
               [] { return std::unique_ptr<TlbReplacement>(new RandomRepl); });

}  // namespace
}  // namespace vmlab
