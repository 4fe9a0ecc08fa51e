// OSTEP vm-smalltables/paging-multilevel-translate.py: a two-level page table in a 4 KB
// physical memory of 128 pages of 32 bytes.
//
//   VA (15 bits)   14      10 9       5 4      0        PDE / PTE (1 byte)    7   6           0
//                 [ PD index | PT index | offset ]                          [ V |    PFN      ]
//
//   PDE at byte (PDBR << 5) | PD index; PTE at byte (PDE.PFN << 5) | PT index;
//   PA = PTE.PFN << 5 | offset. An unused entry is 0x7f (valid 0, PFN 127).
//
// Generation: the page directory is findFree() (draw int(r*128) until a free page), filled
// with 0x7f. For each of -a pages: a distinct VPN int(r*1024), a data page findFree(), then
// (if the PDE is invalid) a page-table page findFree() filled with 0x7f, then the data page
// is filled with 32 bytes int(r*31). VAs: for each i, if r*100 > 50 or i >= -a the VA is
// int(r*1024*32), else (vpn_i << 5) | int(r*32). vmlab's --from-dump reads the memory (and
// PDBR and VAs) that the Python tool printed instead of generating it.
#include <array>

#include "compat/ostep/optparse.hpp"
#include "vmlab/compat/ostep.hpp"
#include "vmlab/compat/python_random.hpp"
#include "vmlab/core/strings.hpp"

namespace vmlab::compat {
namespace {

constexpr unsigned kPages = 128, kPageSize = 32, kVaPages = 1024;

bool hex_digit(char c, unsigned& v) {
    if (c >= '0' && c <= '9') v = static_cast<unsigned>(c - '0');
    else if (c >= 'a' && c <= 'f') v = static_cast<unsigned>(c - 'a' + 10);
    else if (c >= 'A' && c <= 'F') v = static_cast<unsigned>(c - 'A' + 10);
    else return false;
    return true;
}

// "611c", "0x611c", "0x611c:" -> 0x611c.
std::optional<std::uint32_t> hex_token(std::string_view t) {
    if (!t.empty() && t.back() == ':') t.remove_suffix(1);
    if (t.substr(0, 2) == "0x" || t.substr(0, 2) == "0X") t.remove_prefix(2);
    if (t.empty() || t.size() > 8) return std::nullopt;
    std::uint32_t v = 0;
    for (char c : t) {
        unsigned d = 0;
        if (!hex_digit(c, d)) return std::nullopt;
        v = v << 4 | d;
    }
    return v;
}

}  // namespace

Result<OstepMemoryDump> parse_ostep_multilevel_dump(std::string_view text, const std::string& origin) {
    OstepMemoryDump d;
    d.bytes.assign(kPages * kPageSize, 0);
    std::array<std::size_t, kPages> seen_at{};  // line of each page; 0 = not seen
    std::size_t pdbr_line = 0;
    std::size_t lineno = 0;
    for (std::string_view line : split(text, '\n')) {
        ++lineno;
        const Location where{origin, lineno};
        const std::string_view t = trim(line);
        if (t.substr(0, 4) == "page") {
            const auto colon = t.find(':');
            if (colon == std::string_view::npos) return fail("page line without ':'", where);
            const std::string_view num_text = trim(t.substr(4, colon - 4));
            auto num = parse_u64(num_text);
            if (!num || *num >= kPages)
                return fail(fmt::format("bad page number '{}' (0..127)", std::string(num_text)), where);
            if (seen_at[*num] != 0)
                return fail(fmt::format("page {} already given on line {}", *num, seen_at[*num]), where);
            seen_at[*num] = lineno;
            std::string hex;
            for (char c : t.substr(colon + 1)) {
                unsigned v = 0;
                if (c == ' ' || c == '\t') continue;
                if (!hex_digit(c, v)) return fail(fmt::format("page {}: '{}' is not a hex digit", *num, c), where);
                hex += c;
            }
            if (hex.size() != 2 * kPageSize)
                return fail(fmt::format("page {}: {} hex digits, expected 64 (32 bytes)", *num, hex.size()), where);
            for (unsigned b = 0; b < kPageSize; ++b) {
                unsigned hi = 0, lo = 0;
                hex_digit(hex[2 * b], hi);
                hex_digit(hex[2 * b + 1], lo);
                d.bytes[*num * kPageSize + b] = static_cast<std::uint8_t>(hi << 4 | lo);
            }
            continue;
        }
        if (t.substr(0, 5) == "PDBR:") {
            const std::string_view rest = trim(t.substr(5));
            const std::string_view num_text = rest.substr(0, rest.find_first_of(" \t"));
            auto num = parse_u64(num_text);
            if (!num || *num >= kPages)
                return fail(fmt::format("bad PDBR '{}' (a page number, 0..127)", std::string(num_text)), where);
            if (pdbr_line != 0 && d.pdbr != static_cast<unsigned>(*num))
                return fail(fmt::format("a second, different PDBR (line {} gave {})", pdbr_line, *d.pdbr), where);
            d.pdbr = static_cast<unsigned>(*num);
            pdbr_line = lineno;
            continue;
        }
        if (t.substr(0, 16) == "Virtual Address ") {
            const std::string_view rest = t.substr(16);
            const std::string_view tok = rest.substr(0, rest.find_first_of(" \t"));
            auto va = hex_token(tok);
            if (!va || *va >= kVaPages * kPageSize)
                return fail(fmt::format("bad virtual address '{}' (15 bits, hex)", std::string(tok)), where);
            d.vas.push_back(*va);
        }
    }
    for (unsigned p = 0; p < kPages; ++p)
        if (seen_at[p] == 0) return fail(fmt::format("page {} is missing (the dump has 128 pages)", p), Location{origin});
    return d;
}

namespace ostep {
namespace {

const std::vector<OptSpec>& specs() {
    static const std::vector<OptSpec> s = {
        {'s', "seed", "seed", OptKind::Int, "0", "the random seed", {}},
        {'a', "allocated", "allocated", OptKind::Int, "64", "number of virtual pages allocated", {}},
        {'n', "addresses", "num", OptKind::Int, "10", "number of virtual addresses to generate", {"num"}},
        {'c', "solve", "solve", OptKind::Flag, "", "compute answers for me", {"compute"}},
        {0, "", "from_dump", OptKind::String, "", "", {"from-dump"}},
        {0, "", "pdbr", OptKind::String, "", "", {"pdbr"}},
        {0, "", "vas", OptKind::String, "", "", {"vas"}},
    };
    return s;
}

class Memory {
public:
    explicit Memory(PythonRandom& rng) : rng_(rng) { bytes_.fill(0); }
    explicit Memory(PythonRandom& rng, const std::vector<std::uint8_t>& bytes) : rng_(rng) {
        std::copy(bytes.begin(), bytes.end(), bytes_.begin());
    }

    std::uint8_t at(unsigned addr) const { return bytes_[addr]; }

    Result<unsigned> find_free() {
        if (used_count_ >= kPages)
            return fail("all 128 physical pages are in use (the Python tool stops with an AssertionError); "
                        "ask for fewer pages with -a");
        unsigned look = static_cast<unsigned>(rng_.random() * kPages);
        while (used_[look]) look = static_cast<unsigned>(rng_.random() * kPages);
        ++used_count_;
        used_[look] = true;
        return look;
    }

    void fill(unsigned page, std::uint8_t v) {
        for (unsigned i = 0; i < kPageSize; ++i) bytes_[page * kPageSize + i] = v;
    }

    // procAlloc: returns the allocated VPNs in order.
    Result<std::vector<unsigned>> alloc_process(std::int64_t num_pages) {
        auto pd = find_free();
        if (!pd) return fail(pd.error());
        pdbr_ = *pd;
        fill(pdbr_, 0x7f);
        std::array<bool, kVaPages> vpn_used{};
        std::vector<unsigned> vpns;
        for (std::int64_t k = 0; k < num_pages; ++k) {
            unsigned vp = static_cast<unsigned>(rng_.random() * kVaPages);
            while (vpn_used[vp]) vp = static_cast<unsigned>(rng_.random() * kVaPages);
            vpn_used[vp] = true;
            vpns.push_back(vp);
            auto pp = find_free();
            if (!pp) return fail(pp.error());
            const unsigned va = vp << 5;
            const unsigned pde_addr = pdbr_ << 5 | (va & 0x7c00) >> 10;
            unsigned pt_page = bytes_[pde_addr] & 0x7f;
            if ((bytes_[pde_addr] & 0x80) == 0) {
                auto pt = find_free();
                if (!pt) return fail(pt.error());
                pt_page = *pt;
                bytes_[pde_addr] = static_cast<std::uint8_t>(0x80 | pt_page);
                fill(pt_page, 0x7f);
            }
            const unsigned pte_addr = pt_page << 5 | (va & 0x03e0) >> 5;
            VMLAB_ASSERT(bytes_[pte_addr] == 0x7f, "a fresh VPN's PTE is unused");
            bytes_[pte_addr] = static_cast<std::uint8_t>(0x80 | *pp);
            for (unsigned j = 0; j < kPageSize; ++j)
                bytes_[*pp * kPageSize + j] = static_cast<std::uint8_t>(rng_.random() * 31);
        }
        return vpns;
    }

    unsigned pdbr() const { return pdbr_; }
    void set_pdbr(unsigned p) { pdbr_ = p; }

    void dump(std::string& out) const {
        for (unsigned p = 0; p < kPages; ++p) {
            emit(out, "page {:3d}:", p);
            for (unsigned j = 0; j < kPageSize; ++j) emit(out, "{:02x}", bytes_[p * kPageSize + j]);
            out += "\n";
        }
    }

    void translate(std::string& out, unsigned va) const {
        const unsigned pde_index = (va & 0x7c00) >> 10;
        const unsigned pde = bytes_[pdbr_ << 5 | pde_index];
        const unsigned pde_valid = pde >> 7, pt = pde & 0x7f;
        emit(out, "  --> pde index:0x{:x} [decimal {}] pde contents:0x{:x} (valid {}, pfn 0x{:02x} [decimal {}])\n",
             pde_index, pde_index, pde, pde_valid, pt, pt);
        if (!pde_valid) {
            out += "      --> Fault (page directory entry not valid)\n";
            return;
        }
        const unsigned pte_index = (va & 0x03e0) >> 5;
        const unsigned pte = bytes_[pt << 5 | pte_index];
        const unsigned pte_valid = pte >> 7, pfn = pte & 0x7f;
        emit(out, "    --> pte index:0x{:x} [decimal {}] pte contents:0x{:x} (valid {}, pfn 0x{:02x} [decimal {}])\n",
             pte_index, pte_index, pte, pte_valid, pfn, pfn);
        if (!pte_valid) {
            out += "      --> Fault (page table entry not valid)\n";
            return;
        }
        const unsigned pa = pfn << 5 | (va & 0x1f);
        emit(out, "      --> Translates to Physical Address 0x{:03x} --> Value: 0x{:02x}\n", pa, bytes_[pa]);
    }

private:
    PythonRandom& rng_;
    std::array<std::uint8_t, kPages * kPageSize> bytes_{};
    std::array<bool, kPages> used_{};
    unsigned used_count_ = 0;
    unsigned pdbr_ = 0;
};

Result<int> run(const std::vector<std::string>& args, std::string& out) {
    auto parsed = parse_or_help(specs(), args, "paging-multilevel-translate.py", out);
    if (!parsed) return fail(parsed.error());
    if (!*parsed) return 0;  // help printed
    const OptValues& o = **parsed;
    auto num = int_option(o, "num", "-n");
    if (!num) return fail(num.error());
    auto allocated = int_option(o, "allocated", "-a");
    if (!allocated) return fail(allocated.error());

    std::optional<OstepMemoryDump> dump;
    PyInt seed = o.integer("seed");
    std::int64_t allocated_n = *allocated, num_n = *num;
    if (o.given("from_dump")) {
        const std::string& path = o.string("from_dump");
        auto text = read_text_file(path);
        if (!text) return fail(text.error());
        auto d = parse_ostep_multilevel_dump(*text, path);
        if (!d) return fail(d.error());
        dump = std::move(*d);
        // The echoed ARG lines default to the dump's own.
        auto printed = [&](const char* dest, std::string_view key) -> Result<std::optional<PyInt>> {
            const auto v = printed_arg(*text, key);
            if (!v || o.given(dest)) return std::optional<PyInt>{};
            auto i = PyInt::parse(*v, 10);
            if (!i || !i->to_i64()) return failf("{}: bad '{}' line", path, trim(key));
            return std::optional<PyInt>{*i};
        };
        auto s = printed("seed", "ARG seed ");
        auto a = printed("allocated", "ARG allocated ");
        auto n = printed("num", "ARG num ");
        for (const auto* r : {&s, &a, &n})
            if (!*r) return fail(r->error());
        if (*s) seed = **s;
        if (*a) allocated_n = *(*a)->to_i64();
        if (*n) num_n = *(*n)->to_i64();
        if (o.given("pdbr")) {
            const auto p = parse_u64(trim(o.string("pdbr")));
            if (!p || *p >= kPages) return failf("--pdbr {}: a page number, 0..127", py_repr(o.string("pdbr")));
            dump->pdbr = static_cast<unsigned>(*p);
        }
        if (!dump->pdbr) return failf("{}: no 'PDBR:' line; give the page directory's page with --pdbr N", path);
    } else if (o.given("pdbr")) {
        return fail("--pdbr goes with --from-dump FILE");
    }
    std::vector<std::uint32_t> given_vas;
    const bool vas_given = o.given("vas");
    if (vas_given) {
        for (const std::string& tok : py_split(o.string("vas"), ',')) {
            auto v = parse_u64(trim(tok));
            if (!v || *v >= kVaPages * kPageSize)
                return failf("--vas: {} is not a virtual address of the 15-bit address space (0..0x7fff)", py_repr(tok));
            given_vas.push_back(static_cast<std::uint32_t>(*v));
        }
    } else if (dump && !dump->vas.empty()) {
        given_vas = dump->vas;
    }

    emit(out, "ARG seed {}\nARG allocated {}\nARG num {}\n\n", seed.str(), allocated_n, num_n);
    PythonRandom rng;
    rng.seed_magnitude(seed.magnitude());

    std::optional<Memory> mem;
    std::vector<unsigned> vpns;
    if (dump) {
        mem.emplace(rng, dump->bytes);
        mem->set_pdbr(*dump->pdbr);
    } else {
        mem.emplace(rng);
        auto v = mem->alloc_process(allocated_n);
        if (!v) return fail(v.error());
        vpns = std::move(*v);
    }
    mem->dump(out);
    emit(out, "\nPDBR: {}  (decimal) [This means the page directory is held in this page]\n\n", mem->pdbr());

    const bool solve = o.flag("solve");
    const bool explicit_vas = vas_given || !given_vas.empty();
    const std::int64_t count = explicit_vas ? static_cast<std::int64_t>(given_vas.size()) : num_n;
    for (std::int64_t i = 0; i < count; ++i) {
        unsigned va = 0;
        if (explicit_vas) {
            va = given_vas[static_cast<std::size_t>(i)];
        } else if (rng.random() * 100 > 50.0 || i >= static_cast<std::int64_t>(vpns.size())) {
            va = static_cast<unsigned>(rng.random() * 1024 * 32);
        } else {
            va = vpns[static_cast<std::size_t>(i)] << 5 | static_cast<unsigned>(rng.random() * 32);
        }
        if (solve) {
            emit(out, "Virtual Address 0x{:04x}:\n", va);
            mem->translate(out, va);
        } else {
            emit(out, "Virtual Address {:04x}: Translates To What Physical Address (And Fetches what Value)? Or Fault?\n",
                 va);
        }
    }
    out += "\n";
    return 0;
}

}  // namespace

VMLAB_REGISTER(ostep_simulators(), "paging-multilevel-translate",
               "two-level page table, 32-byte pages (vm-smalltables/paging-multilevel-translate.py)",
               OstepSimulator{"paging-multilevel-translate.py", {"paging-multilevel", "vm-smalltables"}, &run});

}  // namespace ostep
}  // namespace vmlab::compat
