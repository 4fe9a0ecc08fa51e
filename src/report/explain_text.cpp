// The text explanation of a translation, as a teacher would walk through it:
//
//   VA 0x03d4: read by user on csapp-small (14-bit VA)
//     bits    13 12 11 10  9  8  7  6 |  5  4  3  2  1  0
//              0  0  1  1  1  1  0  1 |  0  1  0  1  0  0
//     PTE[13:6] = 0x0f    offset[5:0] = 0x14
//   TLB
//     level 1  TLB  64 B pages  set 3  tag 0x03  -> hit (way 1)
//   Result
//     PA 0x354  (frame 0x0d + offset 0x14, 64 B page)  1 cycle
//     memory[0x354] = 0x36
#include <algorithm>

#include <fmt/format.h>

#include "report/explain_common.hpp"
#include "vmlab/core/strings.hpp"
#include "vmlab/report/explain.hpp"

namespace vmlab {
namespace explain_detail {

unsigned hex_digits(unsigned bits) { return std::max(1u, (bits + 3) / 4); }

std::string hex(std::uint64_t v, unsigned digits) { return fmt::format("0x{:0{}x}", v, digits); }

unsigned va_digits(const Machine& m, VirtAddr va) {
    // Textbook machines show every bit of the VA (0x03d4); large ones the significant
    // digits (0x400010), all 16 for an address above the VA space (0xffff800000000000).
    const unsigned bits = m.format().geometry().va_bits;
    if (bits <= 16) return hex_digits(bits);
    return 1;
}

unsigned pa_bits(const Machine& m) {
    const std::uint64_t top = m.mem().bytes() - 1;
    unsigned bits = 1;
    while (bits < 64 && (top >> bits) != 0) ++bits;
    return bits;
}

unsigned pa_digits(const Machine& m) {
    const unsigned bits = pa_bits(m);
    return bits <= 16 ? hex_digits(bits) : 1;
}

std::string size_text(PageSize ps) { return format_bytes(ps.bytes()); }

std::string level_name(const PagingGeometry& g, unsigned level) {
    if (level < g.levels.size() && g.levels[level].name && *g.levels[level].name) return g.levels[level].name;
    return fmt::format("level {}", level);
}

const TlbConfig* tlb_config(const Machine& m, const std::string& name) {
    for (const auto& t : m.config().mmu.tlbs)
        if (t.name == name) return &t;
    return nullptr;
}

Split split_va(const PagingGeometry& g, VirtAddr va, std::optional<PageSize> leaf) {
    Split s;
    unsigned last = g.depth() ? g.depth() - 1 : 0;
    if (leaf) {
        for (unsigned l = 0; l < g.depth(); ++l)
            if (g.levels[l].leaf_allowed && g.levels[l].shift == leaf->shift) last = l;
    }
    for (unsigned l = 0; l <= last && l < g.depth(); ++l) {
        const PagingLevel& pl = g.levels[l];
        SplitField f;
        f.level = l;
        f.name = level_name(g, l);
        f.lo = pl.shift;
        f.hi = pl.shift + pl.bits - 1;
        f.value = g.index(l, va);
        s.indices.push_back(f);
    }
    s.offset_bits = g.depth() ? g.levels[last].shift : 0;
    s.offset = s.offset_bits >= 64 ? va.value : (va.value & ((std::uint64_t{1} << s.offset_bits) - 1));
    return s;
}

const char* entry_kind_name(EntryKind k) {
    switch (k) {
        case EntryKind::Invalid: return "invalid";
        case EntryKind::Table: return "table";
        case EntryKind::Leaf: return "leaf";
        case EntryKind::Reserved: return "reserved";
    }
    return "?";
}

std::string entry_target(const WalkStepTrace& s, const Machine& m) {
    const unsigned pd = pa_digits(m);
    switch (s.decoded.kind) {
        case EntryKind::Table: return "table at " + hex(s.decoded.addr, pd);
        case EntryKind::Leaf: return fmt::format("{} page at {}", size_text(s.decoded.size), hex(s.decoded.addr, pd));
        case EntryKind::Invalid: return "not valid";
        case EntryKind::Reserved:
            return std::string("reserved encoding") + (s.decoded.reserved_why ? std::string(": ") + s.decoded.reserved_why : "");
    }
    return "?";
}

std::string fault_reason(const TranslationTrace& t, const Machine& m) {
    const Fault& f = t.result.fault;
    const PagingGeometry& g = m.format().geometry();
    const std::string lname = level_name(g, f.level);
    switch (f.kind) {
        case FaultKind::None: return "";
        case FaultKind::NotPresent:
            return fmt::format("the level-{} entry ({}) is not valid: nothing is mapped at this address; "
                               "the OS gets a page fault",
                               f.level, lname);
        case FaultKind::Protection: {
            PermMask allowed = kPermAll;
            for (const auto& s : t.walk) allowed &= s.decoded.allow;
            std::string need = fmt::format("{} {}", to_string(f.priv), to_string(f.access));
            if (t.walk.empty()) return fmt::format("a {} is not permitted by the page's permissions", need);
            return fmt::format("a {} is not permitted: the page allows {}", need, permissions_text(allowed));
        }
        case FaultKind::NonCanonical: {
            const unsigned b = g.va_bits;
            if (g.sign_extended)
                return fmt::format("not a canonical address: with {}-bit virtual addresses, bits 63..{} must all "
                                   "equal bit {} (no walk is made)",
                                   b, b, b - 1);
            return fmt::format("outside the {}-bit virtual address space: bits 63..{} must be 0 (no walk is made)", b,
                               b);
        }
        case FaultKind::ReservedBit: {
            for (const auto& s : t.walk)
                if (s.decoded.kind == EntryKind::Reserved)
                    return fmt::format("the level-{} entry ({}) has a reserved bit set or an illegal encoding{}",
                                       s.level, level_name(g, s.level),
                                       s.decoded.reserved_why ? std::string(": ") + s.decoded.reserved_why : "");
            return fmt::format("the level-{} entry ({}) has a reserved bit set", f.level, lname);
        }
        case FaultKind::AccessFlag:
            return fmt::format("the accessed flag of the level-{} entry ({}) is clear and this machine leaves "
                               "setting it to the OS (ad_mode = \"fault\")",
                               f.level, lname);
        case FaultKind::DirtyBit:
            return fmt::format("a write to a page whose dirty flag is clear, and this machine leaves setting it to "
                               "the OS (ad_mode = \"fault\")");
        case FaultKind::BusError:
            return fmt::format("the level-{} entry ({}) points outside physical memory ({})", f.level, lname,
                               format_bytes(m.mem().bytes()));
    }
    return "?";
}

}  // namespace explain_detail

using namespace explain_detail;

const char* fault_kind_name(FaultKind k) {
    switch (k) {
        case FaultKind::None: return "none";
        case FaultKind::NotPresent: return "not-present";
        case FaultKind::Protection: return "protection";
        case FaultKind::NonCanonical: return "non-canonical";
        case FaultKind::ReservedBit: return "reserved-bit";
        case FaultKind::AccessFlag: return "access-flag";
        case FaultKind::DirtyBit: return "dirty-bit";
        case FaultKind::BusError: return "bus-error";
    }
    return "?";
}

std::string permissions_text(PermMask m) {
    auto three = [m](Privilege p) {
        std::string s;
        s += (m & perm_bit(p, AccessKind::Read)) ? 'r' : '-';
        s += (m & perm_bit(p, AccessKind::Write)) ? 'w' : '-';
        s += (m & perm_bit(p, AccessKind::Execute)) ? 'x' : '-';
        return s;
    };
    return "U:" + three(Privilege::User) + " K:" + three(Privilege::Kernel);
}

static std::string binary_rows(VirtAddr va, const Split& s, unsigned va_bits) {
    // Two rows, bit numbers and bit values, with '|' between the fields.
    std::string head = "    bits   ", vals = "           ";
    std::vector<unsigned> cuts;  // a bar after this bit (before the next lower one)
    for (const auto& f : s.indices) cuts.push_back(f.lo);
    for (int b = static_cast<int>(va_bits) - 1; b >= 0; --b) {
        head += fmt::format("{:>3}", b);
        vals += fmt::format("{:>3}", (va.value >> b) & 1);
        if (b > 0 && std::find(cuts.begin(), cuts.end(), static_cast<unsigned>(b)) != cuts.end()) {
            head += " |";
            vals += " |";
        }
    }
    return head + "\n" + vals + "\n";
}

std::string explain_text(const TranslationTrace& t, const Machine& m, const ExplainStyle& style) {
    const PagingGeometry& g = m.format().geometry();
    const unsigned vd = va_digits(m, t.va);
    const unsigned pd = pa_digits(m);
    std::string out;
    out += fmt::format("VA {}: {} by {} on {} ({}-bit VA, {})\n", hex(t.va.value, vd), to_string(t.access),
                       to_string(t.priv), m.config().name, g.va_bits, m.format().name());

    const bool ok = t.result.ok();
    const bool non_canonical = t.result.fault.kind == FaultKind::NonCanonical;
    std::optional<PageSize> leaf;
    if (ok) leaf = t.result.size;
    const Split split = split_va(g, t.va, leaf);
    const bool binary = style.binary == ExplainStyle::Binary::Always ||
                        (style.binary == ExplainStyle::Binary::Auto && g.va_bits <= 16 && !style.brief);
    if (!non_canonical) {
        if (binary) out += binary_rows(t.va, split, g.va_bits);
        std::string line = "   ";
        for (const auto& f : split.indices)
            line += fmt::format(" {}[{}:{}] = {}", f.name, f.hi, f.lo, hex(f.value, hex_digits(f.hi - f.lo + 1)));
        line += fmt::format("   offset[{}:0] = {}", split.offset_bits ? split.offset_bits - 1 : 0,
                            hex(split.offset, hex_digits(split.offset_bits)));
        out += line + "\n";
        const unsigned vpn_bits = g.va_bits > split.offset_bits ? g.va_bits - split.offset_bits : 1;
        out += fmt::format("    VPN = {}, page offset = {} ({} pages)\n",
                           hex(t.va.value >> split.offset_bits, g.va_bits <= 16 ? hex_digits(vpn_bits) : 1),
                           hex(split.offset, hex_digits(split.offset_bits)),
                           size_text(PageSize::from_shift(split.offset_bits)));
    }

    if (!t.tlb.empty() && style.brief) {
        // One line: the structure that hit, or the structures that missed.
        const TlbProbe* hit = nullptr;
        std::vector<std::string> missed;
        for (const auto& p : t.tlb) {
            if (p.hit && !hit) hit = &p;
            if (!p.hit && std::find(missed.begin(), missed.end(), p.structure) == missed.end())
                missed.push_back(p.structure);
        }
        if (hit) {
            out += fmt::format("TLB: hit in {} ({} pages, set {}, way {})\n", hit->structure, size_text(hit->size),
                               hit->set, hit->way);
        } else {
            std::string names;
            for (const auto& n : missed) names += (names.empty() ? "" : ", ") + n;
            out += fmt::format("TLB: miss in every structure probed ({})\n", names);
        }
    } else if (!t.tlb.empty()) {
        out += "TLB\n";
        for (const auto& p : t.tlb) {
            const TlbConfig* c = tlb_config(m, p.structure);
            const unsigned level = c ? c->level : 0;
            std::string where = c && c->ways == 0 ? std::string("fully associative") : fmt::format("set {}", p.set);
            out += fmt::format("    level {}  {:<8} {:>7} pages  {}  tag {}  -> {}\n", level, p.structure,
                               size_text(p.size), where, hex(p.tag, 2),
                               p.hit ? fmt::format("hit (way {})", p.way) : std::string("miss"));
        }
    } else if (!non_canonical && m.config().mmu.tlbs.empty()) {
        out += "TLB\n    (this machine has no TLB)\n";
    }

    if (t.walked && !t.walk.empty()) {
        out += "Page walk\n";
        for (const auto& s : t.walk) {
            const std::string name = level_name(g, s.level);
            const unsigned id = s.level < g.depth() ? hex_digits(g.levels[s.level].bits) : 1;
            const unsigned rd = s.level < g.depth() ? g.levels[s.level].entry_bytes * 2u : 16u;
            if (s.pwc_hit) {
                out += fmt::format("    {:<6} index {}  page-walk cache hit -> {}\n", name, hex(s.index, id),
                                   entry_target(s, m));
                continue;
            }
            out += fmt::format("    {:<6} index {}  entry at PA {} = {}  [{}] -> {}\n", name, hex(s.index, id),
                               hex(s.entry_pa.value, pd), hex(s.raw, rd), s.flags, entry_target(s, m));
            if (s.ad_written) {
                const PagingFormat& f = m.format();
                std::uint64_t after = f.set_accessed(s.level, s.raw);
                const bool dirty = t.access == AccessKind::Write && s.decoded.kind == EntryKind::Leaf;
                if (dirty) after = f.set_dirty(s.level, after);
                const bool a_new = !s.decoded.accessed, d_new = dirty && !s.decoded.dirty;
                out += fmt::format("           the walker wrote back {} ({})\n", hex(after, rd),
                                   a_new && d_new ? "accessed and dirty set"
                                   : d_new        ? "dirty set"
                                                  : "accessed set");
            }
        }
    }

    out += "Result\n";
    if (ok) {
        const PageSize ps = t.result.size;
        const std::uint64_t pa = t.result.pa.value;
        out += fmt::format("    PA {}  (frame {} + offset {}, {} page)  {} cycle{}\n", hex(pa, pd),
                           hex(pa >> ps.shift, pa_bits(m) <= 16 ? hex_digits(pa_bits(m) - std::min(pa_bits(m), unsigned(ps.shift))) : 1),
                           hex(pa & ps.mask(), hex_digits(ps.shift)), size_text(ps), t.result.cycles,
                           t.result.cycles == 1 ? "" : "s");
        const PhysMem& mem = m.mem();
        if (mem.contains(t.result.pa) && mem.frame_has_contents(t.result.pa.pfn(mem.frame_size()))) {
            const auto b = static_cast<unsigned>(mem.read_uint(t.result.pa, 1));
            out += fmt::format("    memory[{}] = {}{}\n", hex(pa, pd), hex(b, 2),
                               b >= 0x20 && b < 0x7f ? fmt::format(" '{}'", static_cast<char>(b)) : std::string());
        }
    } else {
        out += fmt::format("    FAULT ({}): {}\n", fault_kind_name(t.result.fault.kind), fault_reason(t, m));
        if (t.result.cycles)
            out += fmt::format("    {} cycle{} spent translating\n", t.result.cycles, t.result.cycles == 1 ? "" : "s");
    }
    return out;
}

}  // namespace vmlab
