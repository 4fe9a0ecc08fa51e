// "random": the victim is drawn uniformly from the set's ways. Hits change nothing.
//
// Parameter `seed`: 0 (the default) draws from the structure's own generator, seeded from
// MmuConfig::seed (each CPU and structure its own stream, so a run is reproducible);
// another value seeds a generator of this policy alone, the same in every CPU's copy of
// the structure (to replay one victim sequence independently of the machine's seed).
#include <limits>
#include <optional>

#include "vmlab/hw/tlb.hpp"

namespace vmlab {
namespace {

class RandomRepl final : public TlbReplacement {
public:
    explicit RandomRepl(std::uint64_t seed) {
        if (seed != 0) own_.emplace(seed);
    }
    TlbHitAction hit_action() const override { return TlbHitAction::None; }
    unsigned victim(TlbReplState& st, unsigned set) override {
        Rng& rng = own_ ? *own_ : st.rng;
        return static_cast<unsigned>(rng.below(st.ways));
    }
    void on_fill(TlbReplState&, unsigned, unsigned) override {}

private:
    std::optional<Rng> own_;
};

VMLAB_REGISTER(tlb_replacements(), "random", "uniformly random way (seeded from the run's seed)",
               [](const ParamValues& p) {
                   const auto seed = static_cast<std::uint64_t>(p.get_int("seed"));
                   return std::unique_ptr<TlbReplacement>(new RandomRepl(seed));
               },
               {ParamSpec::integer("seed", 0, 0, std::numeric_limits<std::int64_t>::max(),
                                   "seed of this policy's own generator; 0 = derived from machine.mmu.seed")});

}  // namespace
}  // namespace vmlab
