// The JSON explanation of a translation (the schema is documented in report/explain.hpp
// and docs/explain.md).
#include "report/explain_common.hpp"
#include "vmlab/report/explain.hpp"

namespace vmlab {

using namespace explain_detail;
using nlohmann::json;

json explain_json(const TranslationTrace& t, const Machine& m) {
    const PagingGeometry& g = m.format().geometry();
    json j;
    j["va"] = hex(t.va.value);
    j["access"] = to_string(t.access);
    j["privilege"] = to_string(t.priv);
    j["machine"] = m.config().name;
    j["format"] = m.format().name();
    j["va_bits"] = g.va_bits;

    const bool ok = t.result.ok();
    std::optional<PageSize> leaf;
    if (ok) leaf = t.result.size;
    json split = json::array();
    if (t.result.fault.kind != FaultKind::NonCanonical) {
        const Split s = split_va(g, t.va, leaf);
        for (const auto& f : s.indices)
            split.push_back({{"level", f.level}, {"name", f.name}, {"hi", f.hi}, {"lo", f.lo}, {"index", f.value}});
        j["offset"] = {{"hi", s.offset_bits ? s.offset_bits - 1 : 0}, {"lo", 0}, {"value", s.offset}};
    }
    j["split"] = split;

    json tlb = json::array();
    for (const auto& p : t.tlb) {
        const TlbConfig* c = tlb_config(m, p.structure);
        json e = {{"structure", p.structure},
                  {"level", c ? c->level : 0},
                  {"page_size", p.size.bytes()},
                  {"set", p.set},
                  {"tag", hex(p.tag)},
                  {"hit", p.hit}};
        e["way"] = p.hit ? json(p.way) : json(nullptr);
        tlb.push_back(e);
    }
    j["tlb"] = tlb;

    j["walked"] = t.walked;
    json walk = json::array();
    for (const auto& s : t.walk) {
        json e = {{"level", s.level},
                  {"name", level_name(g, s.level)},
                  {"index", s.index},
                  {"pwc_hit", s.pwc_hit},
                  {"kind", entry_kind_name(s.decoded.kind)}};
        if (!s.pwc_hit) {
            e["entry_pa"] = hex(s.entry_pa.value);
            e["raw"] = hex(s.raw);
            e["flags"] = s.flags;
            e["ad_written"] = s.ad_written;
        }
        if (s.decoded.kind == EntryKind::Table || s.decoded.kind == EntryKind::Leaf) e["next"] = hex(s.decoded.addr);
        if (s.decoded.kind == EntryKind::Leaf) e["page_size"] = s.decoded.size.bytes();
        if (s.decoded.kind == EntryKind::Reserved && s.decoded.reserved_why) e["reserved_why"] = s.decoded.reserved_why;
        walk.push_back(e);
    }
    j["walk"] = walk;

    json r;
    r["ok"] = ok;
    r["cycles"] = t.result.cycles;
    if (ok) {
        const PageSize ps = t.result.size;
        r["pa"] = hex(t.result.pa.value);
        r["page_size"] = ps.bytes();
        r["vpn"] = hex(t.va.value >> ps.shift);
        r["frame"] = hex(t.result.pa.value >> ps.shift);
        r["offset"] = hex(t.result.pa.value & ps.mask());
        const PhysMem& mem = m.mem();
        if (mem.contains(t.result.pa) && mem.frame_has_contents(t.result.pa.pfn(mem.frame_size())))
            r["byte"] = hex(mem.read_uint(t.result.pa, 1), 2);
        else
            r["byte"] = nullptr;
    } else {
        const Fault& f = t.result.fault;
        r["fault"] = {{"kind", fault_kind_name(f.kind)},
                      {"level", f.level},
                      {"level_name", level_name(g, f.level)},
                      {"reason", fault_reason(t, m)}};
    }
    j["result"] = r;
    return j;
}

}  // namespace vmlab
