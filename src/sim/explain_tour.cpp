// The translation tour (`vmlab explain --tour`): a small address space on the machine, then a
// cold walk, a TLB hit, a walk shortened by the page-walk caches, a huge page, a protection
// fault and an address the hardware cannot translate, each translated with a trace for
// report/ to explain.
#include <fmt/format.h>

#include "vmlab/core/strings.hpp"
#include "vmlab/sim/explain_session.hpp"

namespace vmlab {
namespace {

const DemoMapping* find_mapping(const LoadedState& s, const std::string& what, unsigned nth = 0) {
    for (const auto& m : s.mappings)
        if (m.what == what && nth-- == 0) return &m;
    return nullptr;
}

std::vector<TourStep> plan(ExplainSession& session) {
    const LoadedState& st = session.state();
    const PagingGeometry& g = session.machine().format().geometry();
    const unsigned levels = g.depth();
    std::vector<TourStep> steps;
    const DemoMapping* data = find_mapping(st, "data");
    const DemoMapping* data2 = find_mapping(st, "data", 1);
    const DemoMapping* ro = find_mapping(st, "read-only data");
    const DemoMapping* huge = find_mapping(st, "huge page");
    if (data) {
        steps.push_back({"A cold translation",
                         fmt::format("Nothing is cached yet: every TLB misses and the walker reads {} page-table "
                                     "entr{}, one per level, from physical memory.",
                                     levels, levels == 1 ? "y" : "ies"),
                         data->va, AccessKind::Read, {}});
        steps.push_back({"The same page again",
                         "The walk filled the TLBs, so another byte of the page is translated by a TLB hit: no "
                         "memory reference at all.",
                         data->va + 8, AccessKind::Read, {}});
    }
    if (data2)
        steps.push_back({"The next page",
                         "A new page misses the TLBs, but the page-walk caches still hold the upper levels' "
                         "entries: the walk starts low in the tree.",
                         data2->va, AccessKind::Write, {}});
    if (huge)
        steps.push_back({fmt::format("A {} page", format_bytes(huge->size.bytes())),
                         "A leaf one level up maps a large page: the walk is one step shorter and one TLB entry "
                         "covers the whole page.",
                         huge->va + (0x12345 % huge->size.bytes()), AccessKind::Read, {}});
    if (ro)
        steps.push_back({"A protection fault",
                         "The page is mapped read-only; a write is refused and the OS gets a fault it would turn "
                         "into SIGSEGV (or copy-on-write).",
                         ro->va, AccessKind::Write, {}});
    if (g.va_bits < 64) {
        const std::uint64_t bad = g.sign_extended ? std::uint64_t{1} << (g.va_bits - 1) : std::uint64_t{1} << g.va_bits;
        steps.push_back({"An address the hardware cannot translate",
                         g.sign_extended
                             ? fmt::format("Only {} VA bits are implemented; the rest must copy bit {}. This one "
                                           "does not, so it faults before any lookup.",
                                           g.va_bits, g.va_bits - 1)
                             : fmt::format("Only {} VA bits are implemented; this address is above them.",
                                           g.va_bits),
                         VirtAddr{bad}, AccessKind::Read, {}});
    }
    return steps;
}

}  // namespace

Result<TranslationTour> run_translation_tour(const ConfigRequest& config) {
    ExplainRequest req;
    req.config = config;
    auto session = ExplainSession::open(req);
    if (!session) return fail(session.error());
    TranslationTour tour{std::move(*session), {}};
    tour.steps = plan(tour.session);
    for (auto& s : tour.steps) s.trace = tour.session.translate(s.va, s.access, Privilege::User);
    return tour;
}

}  // namespace vmlab
