// "fifo": first in, first out. A fill stamps the entry; hits change nothing; the victim is
// the way filled longest ago (invalidated ways are refilled first, as with every policy).
#include "vmlab/hw/tlb.hpp"

namespace vmlab {
namespace {

class Fifo final : public TlbReplacement {
public:
    TlbHitAction hit_action() const override { return TlbHitAction::None; }
    unsigned victim(TlbReplState& st, unsigned set) override { return st.oldest_stamp(set); }
    void on_fill(TlbReplState& st, unsigned set, unsigned way) override {
        st.stamp[std::size_t(set) * st.ways + way] = ++st.clock;
    }
};

VMLAB_REGISTER(tlb_replacements(), "fifo", "first in, first out (per set)",
               [](const ParamValues&) { return std::unique_ptr<TlbReplacement>(new Fifo); });

}  // namespace
}  // namespace vmlab
