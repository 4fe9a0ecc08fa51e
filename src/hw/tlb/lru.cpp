// "lru": true least-recently-used. Every hit and fill stamps the entry with a per-structure
// counter; the victim is the way with the oldest stamp.
#include "vmlab/hw/tlb.hpp"

namespace vmlab {
namespace {

class Lru final : public TlbReplacement {
public:
    TlbHitAction hit_action() const override { return TlbHitAction::Stamp; }
    unsigned victim(TlbReplState& st, unsigned set) override { return st.oldest_stamp(set); }
};

VMLAB_REGISTER(tlb_replacements(), "lru", "least recently used (exact, per set)",
               [](const ParamValues&) { return std::unique_ptr<TlbReplacement>(new Lru); });

}  // namespace
}  // namespace vmlab
