// Machine-state files (see vmlab/config/state_file.hpp) and the demo address space.
#include "vmlab/config/state_file.hpp"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <sstream>

#include <toml++/toml.h>

#include "config/schema.hpp"
#include "vmlab/core/strings.hpp"
#include "vmlab/hw/mmu.hpp"
#include "vmlab/hw/phys_mem.hpp"

namespace vmlab {
namespace {

using config_detail::location_of;
using config_detail::node_type_name;

// Reads the keys of one table of the state file, rejecting unknown ones.
class TableReader {
public:
    TableReader(const toml::table& t, std::string path, const std::string& origin)
        : t_(t), path_(std::move(path)), origin_(origin) {}

    Location where() const { return location_of(t_.source(), origin_); }

    Status check_keys(const std::vector<std::string>& allowed) const {
        for (const auto& [k, v] : t_) {
            const std::string key(k.str());
            if (std::find(allowed.begin(), allowed.end(), key) != allowed.end()) continue;
            std::string msg = fmt::format("unknown key '{}'", full(key));
            if (auto n = nearest(key, allowed)) msg += fmt::format("; did you mean '{}'?", *n);
            else {
                msg += "; valid keys here:";
                for (std::size_t i = 0; i < allowed.size(); ++i) msg += (i ? ", " : " ") + allowed[i];
            }
            return fail(Error(msg, location_of(k.source(), origin_)));
        }
        return ok();
    }

    // An unsigned integer (TOML integer, or a string in C syntax such as "0x03d4").
    Result<std::optional<std::uint64_t>> uint(const std::string& key, std::uint64_t max = ~std::uint64_t{0}) const {
        const toml::node* n = t_.get(key);
        if (!n) return std::optional<std::uint64_t>{};
        std::uint64_t v = 0;
        if (n->is_integer()) {
            const std::int64_t i = n->as_integer()->get();
            if (i < 0) return bad(*n, key, fmt::format("{} is negative", i));
            v = static_cast<std::uint64_t>(i);
        } else if (n->is_string()) {
            auto p = parse_u64(n->as_string()->get());
            if (!p) return bad(*n, key, p.error().message);
            v = *p;
        } else {
            return bad(*n, key, fmt::format("expected an unsigned integer, not {}", node_type_name(*n)));
        }
        if (v > max) return bad(*n, key, fmt::format("{:#x} is out of range (at most {:#x})", v, max));
        return std::optional<std::uint64_t>{v};
    }

    Result<std::optional<bool>> boolean(const std::string& key) const {
        const toml::node* n = t_.get(key);
        if (!n) return std::optional<bool>{};
        if (!n->is_boolean()) {
            // The CS:APP tables write valid bits as 0/1.
            if (n->is_integer() && (n->as_integer()->get() == 0 || n->as_integer()->get() == 1))
                return std::optional<bool>{n->as_integer()->get() == 1};
            return bad(*n, key, fmt::format("expected true or false, not {}", node_type_name(*n)));
        }
        return std::optional<bool>{n->as_boolean()->get()};
    }

    Result<std::optional<std::string>> string(const std::string& key) const {
        const toml::node* n = t_.get(key);
        if (!n) return std::optional<std::string>{};
        if (!n->is_string()) return bad(*n, key, fmt::format("expected a string, not {}", node_type_name(*n)));
        return std::optional<std::string>{n->as_string()->get()};
    }

    Result<std::optional<PageSize>> page_size(const std::string& key) const {
        const toml::node* n = t_.get(key);
        if (!n) return std::optional<PageSize>{};
        auto ps = config_detail::page_size_codec().read(*n);
        if (!ps) return bad(*n, key, ps.error().message);
        return std::optional<PageSize>{*ps};
    }

    // "rwx", "r-x", "rw", "r": the letters present are granted.
    Result<std::optional<Prot>> prot(const std::string& key) const {
        auto s = string(key);
        if (!s) return fail(s.error());
        if (!*s) return std::optional<Prot>{};
        Prot p{false, false, false, true};
        for (char c : **s) {
            if (c == 'r') p.read = true;
            else if (c == 'w') p.write = true;
            else if (c == 'x') p.exec = true;
            else if (c != '-')
                return bad(*t_.get(key), key, fmt::format("'{}' is not a protection; use letters r, w, x (e.g. \"r-x\")", **s));
        }
        return std::optional<Prot>{p};
    }

    Result<std::optional<std::vector<std::uint8_t>>> bytes(const std::string& key) const {
        const toml::node* n = t_.get(key);
        if (!n) return std::optional<std::vector<std::uint8_t>>{};
        std::vector<std::uint8_t> out;
        if (const toml::array* a = n->as_array()) {
            for (std::size_t i = 0; i < a->size(); ++i) {
                const toml::node& e = (*a)[i];
                if (!e.is_integer() || e.as_integer()->get() < 0 || e.as_integer()->get() > 255)
                    return bad(e, key, fmt::format("element {} is not a byte (an integer 0..255)", i));
                out.push_back(static_cast<std::uint8_t>(e.as_integer()->get()));
            }
        } else if (n->is_string()) {
            // Hex digits, spaces allowed between bytes: "36 72 f0 1d" or "3672f01d".
            std::string digits;
            for (char c : n->as_string()->get()) {
                if (std::isspace(static_cast<unsigned char>(c))) continue;
                if (!std::isxdigit(static_cast<unsigned char>(c)))
                    return bad(*n, key, fmt::format("'{}' is not a hex digit", c));
                digits += c;
            }
            if (digits.size() % 2) return bad(*n, key, "an odd number of hex digits");
            for (std::size_t i = 0; i < digits.size(); i += 2)
                out.push_back(static_cast<std::uint8_t>(std::stoul(digits.substr(i, 2), nullptr, 16)));
        } else {
            return bad(*n, key, fmt::format("expected an array of bytes or a hex string, not {}", node_type_name(*n)));
        }
        return std::optional<std::vector<std::uint8_t>>{std::move(out)};
    }

    std::string full(const std::string& key) const { return path_.empty() ? key : path_ + "." + key; }

private:
    Unexpected bad(const toml::node& n, const std::string& key, const std::string& msg) const {
        return fail(Error(fmt::format("'{}': {}", full(key), msg), location_of(n.source(), origin_)));
    }
    const toml::table& t_;
    std::string path_;
    const std::string& origin_;
};

#define STATE_GET(var, expr)          \
    auto var##_r = (expr);            \
    if (!var##_r) return fail(var##_r.error()); \
    auto var = *var##_r

Result<std::vector<const toml::table*>> tables_of(const toml::table& doc, const std::string& key,
                                                  const std::string& origin) {
    std::vector<const toml::table*> out;
    const toml::node* n = doc.get(key);
    if (!n) return out;
    const toml::array* a = n->as_array();
    if (!a)
        return fail(Error(fmt::format("'{}' must be an array of tables ([[{}]]), not {}", key, key, node_type_name(*n)),
                          location_of(n->source(), origin)));
    for (const auto& e : *a) {
        if (!e.is_table())
            return fail(Error(fmt::format("'{}' must be an array of tables, but an element is {}", key,
                                          node_type_name(e)),
                              location_of(e.source(), origin)));
        out.push_back(e.as_table());
    }
    return out;
}

Status parse_pages(const toml::table& doc, StateFile& s) {
    auto tables = tables_of(doc, "page", s.origin);
    if (!tables) return fail(tables.error());
    for (std::size_t i = 0; i < tables->size(); ++i) {
        TableReader r(*(*tables)[i], fmt::format("page[{}]", i), s.origin);
        VMLAB_TRY(r.check_keys({"va", "vpn", "pa", "ppn", "size", "prot", "user", "global", "accessed", "dirty"}));
        StatePage p;
        p.where = r.where();
        STATE_GET(va, r.uint("va"));
        STATE_GET(vpn, r.uint("vpn"));
        STATE_GET(pa, r.uint("pa"));
        STATE_GET(ppn, r.uint("ppn"));
        if (va.has_value() == vpn.has_value())
            return fail(Error(fmt::format("'{}': give exactly one of va and vpn", r.full("va")), p.where));
        if (pa.has_value() == ppn.has_value())
            return fail(Error(fmt::format("'{}': give exactly one of pa and ppn", r.full("pa")), p.where));
        p.va = va, p.vpn = vpn, p.pa = pa, p.ppn = ppn;
        STATE_GET(size, r.page_size("size"));
        p.size = size;
        STATE_GET(prot, r.prot("prot"));
        p.attrs.prot = prot.value_or(Prot{true, true, true, true});
        STATE_GET(user, r.boolean("user"));
        p.attrs.prot.user = user.value_or(true);
        STATE_GET(global, r.boolean("global"));
        p.attrs.global = global.value_or(false);
        STATE_GET(accessed, r.boolean("accessed"));
        p.attrs.accessed = accessed.value_or(false);
        STATE_GET(dirty, r.boolean("dirty"));
        p.attrs.dirty = dirty.value_or(false);
        s.pages.push_back(p);
    }
    return ok();
}

Status parse_entries(const toml::table& doc, StateFile& s) {
    auto tables = tables_of(doc, "entry", s.origin);
    if (!tables) return fail(tables.error());
    for (std::size_t i = 0; i < tables->size(); ++i) {
        TableReader r(*(*tables)[i], fmt::format("entry[{}]", i), s.origin);
        VMLAB_TRY(r.check_keys({"va", "level", "raw"}));
        StateEntry e;
        e.where = r.where();
        STATE_GET(va, r.uint("va"));
        STATE_GET(level, r.uint("level", 15));
        STATE_GET(raw, r.uint("raw"));
        if (!va || !level || !raw)
            return fail(Error(fmt::format("'entry[{}]' needs va, level and raw", i), e.where));
        e.va = *va;
        e.level = static_cast<unsigned>(*level);
        e.raw = *raw;
        s.entries.push_back(e);
    }
    return ok();
}

Status parse_tlb(const toml::table& doc, StateFile& s) {
    auto tables = tables_of(doc, "tlb", s.origin);
    if (!tables) return fail(tables.error());
    for (std::size_t i = 0; i < tables->size(); ++i) {
        TableReader r(*(*tables)[i], fmt::format("tlb[{}]", i), s.origin);
        VMLAB_TRY(r.check_keys({"structure", "set", "way", "tag", "va", "vpn", "pa", "ppn", "size", "prot", "user",
                                "global", "dirty", "valid", "asid"}));
        StateTlbEntry t;
        t.where = r.where();
        STATE_GET(structure, r.string("structure"));
        if (!structure) return fail(Error(fmt::format("'tlb[{}]' needs a structure (the TLB's name)", i), t.where));
        t.structure = *structure;
        STATE_GET(set, r.uint("set", 1u << 24));
        STATE_GET(way, r.uint("way", 1u << 24));
        STATE_GET(tag, r.uint("tag"));
        STATE_GET(va, r.uint("va"));
        STATE_GET(vpn, r.uint("vpn"));
        STATE_GET(pa, r.uint("pa"));
        STATE_GET(ppn, r.uint("ppn"));
        t.set = set, t.way = way, t.tag = tag, t.va = va, t.vpn = vpn, t.pa = pa, t.ppn = ppn;
        STATE_GET(valid, r.boolean("valid"));
        t.valid = valid.value_or(true);
        const bool placed = set.has_value() || tag.has_value();
        if (placed && (!set || !tag))
            return fail(Error(fmt::format("'tlb[{}]': a placed entry needs both set and tag", i), t.where));
        if (placed && (va || vpn))
            return fail(Error(fmt::format("'tlb[{}]': give either set/tag or va/vpn, not both", i), t.where));
        if (!placed && way)
            return fail(Error(fmt::format("'tlb[{}]': way needs set and tag", i), t.where));
        if (!placed && va.has_value() == vpn.has_value())
            return fail(Error(fmt::format("'tlb[{}]': give set and tag, or exactly one of va and vpn", i), t.where));
        if (pa && ppn) return fail(Error(fmt::format("'tlb[{}]': give at most one of pa and ppn", i), t.where));
        if (t.valid && !pa && !ppn)
            return fail(Error(fmt::format("'tlb[{}]': a valid entry needs pa or ppn", i), t.where));
        STATE_GET(size, r.page_size("size"));
        t.size = size;
        STATE_GET(prot, r.prot("prot"));
        t.prot = prot.value_or(Prot{true, true, true, true});
        STATE_GET(user, r.boolean("user"));
        t.prot.user = user.value_or(true);
        STATE_GET(global, r.boolean("global"));
        t.global = global.value_or(false);
        STATE_GET(dirty, r.boolean("dirty"));
        t.dirty = dirty.value_or(true);
        STATE_GET(asid, r.uint("asid", 0xffff));
        t.asid = static_cast<std::uint16_t>(asid.value_or(0));
        s.tlb.push_back(t);
    }
    return ok();
}

Status parse_memory(const toml::table& doc, StateFile& s) {
    auto tables = tables_of(doc, "memory", s.origin);
    if (!tables) return fail(tables.error());
    for (std::size_t i = 0; i < tables->size(); ++i) {
        TableReader r(*(*tables)[i], fmt::format("memory[{}]", i), s.origin);
        VMLAB_TRY(r.check_keys({"pa", "bytes", "hex"}));
        StateMemory m;
        m.where = r.where();
        STATE_GET(pa, r.uint("pa"));
        STATE_GET(bytes, r.bytes("bytes"));
        STATE_GET(hexs, r.bytes("hex"));
        if (!pa) return fail(Error(fmt::format("'memory[{}]' needs pa", i), m.where));
        if (bytes.has_value() == hexs.has_value())
            return fail(Error(fmt::format("'memory[{}]': give exactly one of bytes and hex", i), m.where));
        m.pa = *pa;
        m.bytes = bytes ? *bytes : *hexs;
        s.memory.push_back(std::move(m));
    }
    return ok();
}

PermMask perms_of(const Prot& p) {
    PermMask k = 0;
    if (p.read) k |= kPermKR;
    if (p.write) k |= kPermKW;
    if (p.exec) k |= kPermKX;
    return p.user ? static_cast<PermMask>(k | (k >> 3)) : k;
}

PageSize smallest_page(const PagingGeometry& g) {
    return g.levels.empty() ? kPage4K : g.levels.back().leaf_size();
}

}  // namespace

Result<StateFile> parse_state_file(std::string_view text, const std::string& origin) {
    toml::table doc;
    try {
        doc = toml::parse(text, origin);
    } catch (const toml::parse_error& e) {
        return fail(Error(fmt::format("TOML syntax error: {}", e.description()), location_of(e.source(), origin)));
    }
    StateFile s;
    s.origin = origin;
    TableReader top(doc, "", origin);
    VMLAB_TRY(top.check_keys({"machine", "root", "asid", "page", "entry", "tlb", "memory"}));
    STATE_GET(machine, top.string("machine"));
    s.machine = machine.value_or("");
    STATE_GET(root, top.uint("root"));
    s.root = root;
    STATE_GET(asid, top.uint("asid", 0xffff));
    s.asid = static_cast<std::uint16_t>(asid.value_or(0));
    VMLAB_TRY(parse_pages(doc, s));
    VMLAB_TRY(parse_entries(doc, s));
    VMLAB_TRY(parse_tlb(doc, s));
    VMLAB_TRY(parse_memory(doc, s));
    return s;
}

Result<StateFile> load_state_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return fail(Error(fmt::format("cannot open state file '{}'", path)));
    std::ostringstream ss;
    ss << in.rdbuf();
    return parse_state_file(ss.str(), path);
}

Result<LoadedState> apply_state(const StateFile& s, Machine& m, unsigned cpu) {
    if (cpu >= m.cpu_count()) return failf("CPU {} does not exist (the machine has {})", cpu, m.cpu_count());
    const PagingFormat& fmt = m.format();
    const PagingGeometry& g = fmt.geometry();
    PhysMem& mem = m.mem();
    LoadedState out;

    for (const auto& w : s.memory) {
        if (!mem.contains(PhysAddr{w.pa}, w.bytes.size()))
            return fail(Error(fmt::format("memory: {} bytes at PA {:#x} do not fit in physical memory ({})",
                                          w.bytes.size(), w.pa, format_bytes(mem.bytes())),
                              w.where));
        mem.write(PhysAddr{w.pa}, w.bytes.data(), w.bytes.size());
    }

    if (s.root) {
        const std::uint64_t align = std::uint64_t{1} << g.root_align_shift;
        if (*s.root % align)
            return fail(Error(fmt::format("root {:#x} is not aligned to {} bytes", *s.root, align),
                              Location{s.origin, 0, 0, 0, -1}));
        if (!mem.contains(PhysAddr{*s.root}, g.levels.empty() ? 1 : g.levels[0].table_bytes()))
            return fail(Error(fmt::format("root {:#x}: the root table does not fit in physical memory ({})", *s.root,
                                          format_bytes(mem.bytes())),
                              Location{s.origin, 0, 0, 0, -1}));
        out.page_table = std::make_unique<PageTable>(fmt, mem, PhysAddr{*s.root}, false);
    } else {
        auto pt = PageTable::create(fmt, mem);
        if (!pt) return fail(pt.error().at(Location{s.origin, 0, 0, 0, -1}));
        out.page_table = std::move(*pt);
    }

    const PageSize base = smallest_page(g);
    for (const auto& p : s.pages) {
        const PageSize ps = p.size.value_or(base);
        const VirtAddr va{p.va ? *p.va : *p.vpn << ps.shift};
        const PhysAddr pa{p.pa ? *p.pa : *p.ppn << ps.shift};
        if (auto st = out.page_table->map(va, pa, ps, p.attrs); !st)
            return fail(Error(fmt::format("page at VA {:#x}: {}", va.value, st.error().message), p.where));
    }
    for (const auto& e : s.entries) {
        if (e.level >= g.depth())
            return fail(Error(fmt::format("entry: level {} does not exist ({} has levels 0..{})", e.level, fmt.name(),
                                          g.depth() - 1),
                              e.where));
        if (auto st = out.page_table->write_raw(VirtAddr{e.va}, e.level, e.raw); !st)
            return fail(Error(fmt::format("entry at VA {:#x}: {}", e.va, st.error().message), e.where));
    }

    Mmu& mmu = m.mmu(cpu);
    mmu.set_root(out.page_table->root(), Asid{s.asid});

    for (const auto& t : s.tlb) {
        const TlbConfig* tc = nullptr;
        std::vector<std::string> names;
        for (const auto& c : m.config().mmu.tlbs) {
            names.push_back(c.name);
            if (c.name == t.structure) tc = &c;
        }
        if (!tc) return fail(Error("tlb: " + unknown_name_message("TLB structure", t.structure, names), t.where));
        PageSize ps = t.size.value_or(tc->page_sizes.empty() ? base : tc->page_sizes.front());
        Mmu::TlbEntryInit e;
        e.structure = t.structure;
        e.size = ps;
        if (t.set) {
            e.set = static_cast<int>(*t.set);
            e.way = t.way ? static_cast<int>(*t.way) : -1;
            e.tag = *t.tag;
        } else {
            e.vpn = Vpn{t.va ? *t.va >> ps.shift : *t.vpn};
        }
        e.base = PhysAddr{t.pa ? *t.pa : t.ppn ? *t.ppn << ps.shift : 0};
        e.perms = perms_of(t.prot);
        e.asid = Asid{t.asid};
        e.global = t.global;
        e.dirty = t.dirty;
        e.valid = t.valid;
        if (auto st = mmu.insert_tlb_entry(e); !st)
            return fail(Error(fmt::format("tlb entry in '{}': {}", t.structure, st.error().message), t.where));
    }
    return out;
}

Result<LoadedState> build_demo_state(Machine& m, unsigned cpu) {
    if (cpu >= m.cpu_count()) return failf("CPU {} does not exist (the machine has {})", cpu, m.cpu_count());
    const PagingFormat& fmt = m.format();
    const PagingGeometry& g = fmt.geometry();
    PhysMem& mem = m.mem();
    LoadedState out;
    auto pt = PageTable::create(fmt, mem);
    if (!pt) return fail(pt.error());
    out.page_table = std::move(*pt);

    const PageSize base = smallest_page(g);
    const bool hw_ad = fmt.ad_mode() == AdMode::Hardware;
    // Typical user addresses on machines with room for them; otherwise consecutive pages.
    const bool roomy = g.va_bits >= 32;
    auto page_va = [&](std::uint64_t roomy_va, std::uint64_t vpn) {
        return roomy ? VirtAddr{roomy_va} : VirtAddr{vpn << base.shift};
    };

    auto map_one = [&](VirtAddr va, PageSize ps, Prot prot, const std::string& what) -> Result<PhysAddr> {
        const unsigned order = ps.shift > mem.frame_size().shift ? ps.shift - mem.frame_size().shift : 0;
        auto pfn = mem.allocator().alloc(order);
        if (!pfn) return failf("no free {} block of physical memory for the demo's {} page", format_bytes(ps.bytes()), what);
        const PhysAddr pa = pfn->addr(mem.frame_size());
        LeafAttrs a;
        a.prot = prot;
        a.accessed = !hw_ad;
        a.dirty = !hw_ad && prot.write;
        if (auto st = out.page_table->map(va, pa, ps, a); !st) return fail(st.error());
        out.mappings.push_back(DemoMapping{va, pa, ps, prot, what});
        return pa;
    };

    const Prot rx{true, false, true, true}, r{true, false, false, true}, rw{true, true, false, true};
    auto code = map_one(page_va(0x400000, 1), base, rx, "code");
    if (!code) return fail(code.error());
    auto ro = map_one(page_va(0x500000, 2), base, r, "read-only data");
    if (!ro) return fail(ro.error());
    std::vector<PhysAddr> data;
    for (unsigned i = 0; i < 2; ++i) {
        auto d = map_one(page_va(0x600000 + i * base.bytes(), 3 + i), base, rw, "data");
        if (!d) return fail(d.error());
        data.push_back(*d);
    }
    static const char kHello[] = "hello, vmlab";
    const std::uint64_t n = std::min<std::uint64_t>(sizeof kHello - 1, base.bytes());
    mem.write(data[0], kHello, n);

    // The next larger page size, if any, at a VA aligned to it (1 GiB on roomy machines).
    std::optional<PageSize> huge;
    for (int l = static_cast<int>(g.depth()) - 2; l >= 0; --l)
        if (g.levels[l].leaf_allowed) {
            huge = g.levels[l].leaf_size();
            break;
        }
    if (huge && roomy && huge->bytes() * 4 <= mem.bytes()) {
        const std::uint64_t hva = std::max<std::uint64_t>(std::uint64_t{1} << 30, huge->bytes());
        if (hva + huge->bytes() <= (std::uint64_t{1} << (g.va_bits - 1))) {
            auto h = map_one(VirtAddr{hva}, *huge, rw, "huge page");
            if (!h) return fail(h.error());
        }
    }

    // One access into each mapping: the data page at the start of its text.
    for (const auto& mp : out.mappings)
        out.examples.push_back(mp.what == "data" ? mp.va : mp.va + (0x10 % mp.size.bytes()));
    m.mmu(cpu).set_root(out.page_table->root(), Asid{1});
    return out;
}

Result<LoadedState> apply_memory_image(const std::vector<std::uint8_t>& bytes, PhysAddr root, Machine& m,
                                       unsigned cpu) {
    if (cpu >= m.cpu_count()) return failf("CPU {} does not exist (the machine has {})", cpu, m.cpu_count());
    PhysMem& mem = m.mem();
    if (!mem.contains(PhysAddr{0}, bytes.size()))
        return failf("a memory image of {} bytes does not fit in physical memory ({})", bytes.size(),
                     format_bytes(mem.bytes()));
    const PagingGeometry& g = m.format().geometry();
    if (!mem.contains(root, g.levels.empty() ? 1 : g.levels[0].table_bytes()))
        return failf("the page-table root {:#x} lies outside physical memory ({})", root.value, format_bytes(mem.bytes()));
    if (root.value % (std::uint64_t{1} << g.root_align_shift))
        return failf("the page-table root {:#x} is not aligned to {} bytes", root.value,
                     std::uint64_t{1} << g.root_align_shift);
    mem.write(PhysAddr{0}, bytes.data(), bytes.size());
    LoadedState out;
    out.page_table = std::make_unique<PageTable>(m.format(), mem, root, false);
    m.mmu(cpu).set_root(root, Asid{0});
    return out;
}

}  // namespace vmlab
