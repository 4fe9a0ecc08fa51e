// "tree-plru": tree pseudo-LRU with ways-1 bits per set (the layout is drawn in
// include/vmlab/hw/tlb.hpp). A hit or fill makes every node on the way's path point to the
// other half; the victim is found by following the bits from the root. Needs a power-of-two
// number of ways.
#include <bit>

#include "vmlab/hw/tlb.hpp"

namespace vmlab {
namespace {

class TreePlru final : public TlbReplacement {
public:
    TlbHitAction hit_action() const override { return TlbHitAction::TreeBits; }
    Status check(unsigned sets, unsigned ways) const override {
        if (!std::has_single_bit(ways))
            return failf("tree-plru needs a power-of-two number of ways (got {})", ways);
        return ok();
    }
    unsigned victim(TlbReplState& st, unsigned set) override { return st.ways == 1 ? 0 : st.tree_victim(set); }
    void on_fill(TlbReplState& st, unsigned set, unsigned way) override {
        if (st.ways > 1) st.tree_touch(set, way);
    }
};

VMLAB_REGISTER(tlb_replacements(), "tree-plru", "tree pseudo-LRU (ways-1 bits per set)",
               [](const ParamValues&) { return std::unique_ptr<TlbReplacement>(new TreePlru); });

}  // namespace
}  // namespace vmlab
