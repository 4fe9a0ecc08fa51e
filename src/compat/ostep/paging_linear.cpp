// OSTEP vm-paging/paging-linear-translate.py: a linear page table.
//
//   VA   [ VPN | offset ]        offset = pagebits = log2(page size) bits
//   PTE  bit 31 = valid, bits 30..0 = PFN;  PA = PFN << pagebits | offset
//
// VPN = (va & 0xFFFFFFFF & ~pagemask) >> pagebits. Table generation, for each VPN in order:
// if r*100 > 100-used, pick u = int(pages*r); a free frame u is mapped, a used one repeats
// the whole coin flip; otherwise the VPN is invalid. VAs are drawn after the table:
// int(asize*r). vmlab's --page-table FILE reads the table (and, when present, the sizes and
// the VA trace) from what the Python tool printed, instead of drawing it.
#include <cmath>

#include "compat/ostep/optparse.hpp"
#include "vmlab/compat/ostep.hpp"
#include "vmlab/compat/python_random.hpp"
#include "vmlab/core/strings.hpp"

namespace vmlab::compat::ostep {
namespace {

const std::vector<OptSpec>& specs() {
    static const std::vector<OptSpec> s = {
        {'A', "addresses", "addresses", OptKind::String, "-1",
         "a set of comma-separated pages to access; -1 means randomly generate", {"vas"}},
        {'s', "seed", "seed", OptKind::Int, "0", "the random seed", {}},
        {'a', "asize", "asize", OptKind::String, "16k", "address space size (e.g., 16, 64k, 32m, 1g)", {}},
        {'p', "physmem", "psize", OptKind::String, "64k", "physical memory size (e.g., 16, 64k, 32m, 1g)", {}},
        {'P', "pagesize", "pagesize", OptKind::String, "4k", "page size (e.g., 4k, 8k, whatever)", {}},
        {'n', "numaddrs", "num", OptKind::Int, "5", "number of virtual addresses to generate", {"num"}},
        {'u', "used", "used", OptKind::Int, "50", "percent of virtual address space that is used", {}},
        {'v', "", "verbose", OptKind::Flag, "", "verbose mode", {"verbose"}},
        {'c', "", "solve", OptKind::Flag, "", "compute answers for me", {"solve", "compute"}},
        {0, "", "page_table", OptKind::String, "", "", {"page-table"}},
    };
    return s;
}

// What --page-table reads from the Python tool's output.
struct LinearDump {
    std::vector<std::uint32_t> entries;
    std::string asize, psize, pagesize;  // empty when the ARG line is absent
    std::vector<std::string> vas;        // decimal, from the "VA 0x..." trace lines
};

bool starts_with(std::string_view s, std::string_view p) { return s.substr(0, p.size()) == p; }

// "0x8000000c" or "[       3]  0x8000000c" (-v); nullopt if the line is not an entry.
std::optional<std::uint32_t> parse_entry(std::string_view line, std::size_t index, bool& bad_index) {
    std::string_view s = trim(line);
    if (!s.empty() && s[0] == '[') {
        const auto close = s.find(']');
        if (close == std::string_view::npos) return std::nullopt;
        auto n = parse_u64(trim(s.substr(1, close - 1)));
        if (!n) return std::nullopt;
        bad_index = *n != index;
        s = trim(s.substr(close + 1));
    }
    if (!starts_with(s, "0x") && !starts_with(s, "0X")) return std::nullopt;
    auto v = parse_u64(s);
    if (!v || *v > 0xffffffffu) return std::nullopt;
    return static_cast<std::uint32_t>(*v);
}

Result<LinearDump> parse_linear_dump(std::string_view text, const std::string& origin) {
    LinearDump d;
    bool header_seen = false, in_table = false;
    std::size_t lineno = 0;
    for (std::string_view line : split(text, '\n')) {
        ++lineno;
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        const Location where{origin, lineno};
        const std::string_view t = trim(line);
        if (starts_with(t, "ARG address space size ")) d.asize = std::string(trim(t.substr(23)));
        else if (starts_with(t, "ARG phys mem size ")) d.psize = std::string(trim(t.substr(18)));
        else if (starts_with(t, "ARG page size ")) d.pagesize = std::string(trim(t.substr(14)));
        if (starts_with(t, "Page Table")) {
            if (header_seen) return fail("a second page table", where);
            header_seen = in_table = true;
            d.entries.clear();
            continue;
        }
        if (in_table && t.empty()) {
            in_table = false;
            continue;
        }
        if (starts_with(t, "VA ")) {
            std::string_view rest = t.substr(3);
            const auto sp = rest.find(' ');
            auto va = parse_u64(rest.substr(0, sp));
            if (!va) return fail(fmt::format("malformed virtual address {}", py_repr(rest.substr(0, sp))), where);
            d.vas.push_back(std::to_string(*va));
            continue;
        }
        if (in_table || !header_seen) {
            bool bad_index = false;
            const auto e = parse_entry(t, d.entries.size(), bad_index);
            if (!e) {
                if (in_table) return fail(fmt::format("malformed page-table entry {}", py_repr(t)), where);
                continue;
            }
            if (bad_index) return fail(fmt::format("entry for VPN {} expected", d.entries.size()), where);
            d.entries.push_back(*e);
        }
    }
    if (d.entries.empty()) return fail("no page-table entries found", Location{origin});
    return d;
}

Result<int> run(const std::vector<std::string>& args, std::string& out) {
    auto parsed = parse_or_help(specs(), args, "paging-linear-translate.py", out);
    if (!parsed) return fail(parsed.error());
    if (!*parsed) return 0;  // help printed
    const OptValues& o = **parsed;

    std::optional<LinearDump> dump;
    PyInt seed = o.integer("seed");
    std::string asize_s = o.string("asize"), psize_s = o.string("psize"), pagesize_s = o.string("pagesize");
    if (o.given("page_table")) {
        const std::string& path = o.string("page_table");
        auto text = read_text_file(path);
        if (!text) return fail(text.error());
        auto d = parse_linear_dump(*text, path);
        if (!d) return fail(d.error());
        dump = std::move(*d);
        if (!o.given("asize") && !dump->asize.empty()) asize_s = dump->asize;
        if (!o.given("psize") && !dump->psize.empty()) psize_s = dump->psize;
        if (!o.given("pagesize") && !dump->pagesize.empty()) pagesize_s = dump->pagesize;
        if (const auto printed = printed_arg(*text, "ARG seed "); printed && !o.given("seed")) {
            auto v = PyInt::parse(*printed, 10);
            if (!v) return failf("{}: bad 'ARG seed' line: {}", path, py_repr(*printed));
            seed = *v;
        }
    }

    const bool verbose = o.flag("verbose"), solve = o.flag("solve");
    emit(out, "ARG seed {}\nARG address space size {}\nARG phys mem size {}\nARG page size {}\n", seed.str(),
         asize_s, psize_s, pagesize_s);
    emit(out, "ARG verbose {}\nARG addresses {}\n\n", py_bool(verbose), o.string("addresses"));

    PythonRandom rng;
    rng.seed_magnitude(seed.magnitude());
    auto asize_r = convert_size(asize_s);
    if (!asize_r) return fail(asize_r.error());
    auto psize_r = convert_size(psize_s);
    if (!psize_r) return fail(psize_r.error());
    auto pagesize_r = convert_size(pagesize_s);
    if (!pagesize_r) return fail(pagesize_r.error());
    const std::int64_t asize = *asize_r, psize = *psize_r, pagesize = *pagesize_r;

    if (psize <= 1) {
        out += "Error: must specify a non-zero physical memory size.\n";
        return 1;
    }
    if (asize < 1) {
        out += "Error: must specify a non-zero address-space size.\n";
        return 1;
    }
    if (psize <= asize) {
        out += "Error: physical memory size must be GREATER than address space size (for this simulation)\n";
        return 1;
    }
    constexpr std::int64_t kOneG = std::int64_t{1} << 30;
    if (psize >= kOneG || asize >= kOneG) {
        out += "Error: must use smaller sizes (less than 1 GB) for this simulation.\n";
        return 1;
    }
    if (pagesize == 0) return fail("a page size of 0 (the Python tool stops with a ZeroDivisionError)");
    // int(float(a)/float(b)) != a/b: true unless the quotient is integral.
    for (const auto& [big, msg] : {std::pair{asize, "address space must be a multiple of the pagesize"},
                                   std::pair{psize, "physical memory must be a multiple of the pagesize"}}) {
        const double q = static_cast<double>(big) / static_cast<double>(pagesize);
        if (std::trunc(q) != q) {
            emit(out, "Error in argument: {}\n", msg);
            return 1;
        }
    }
    const std::int64_t pages = static_cast<std::int64_t>(static_cast<double>(psize) / static_cast<double>(pagesize));
    const std::int64_t vpages = static_cast<std::int64_t>(static_cast<double>(asize) / static_cast<double>(pagesize));

    const int vabits = static_cast<int>(std::log(static_cast<double>(asize)) / std::log(2.0));
    if (std::pow(2.0, vabits) != static_cast<double>(asize)) {
        out += "Error in argument: address space must be a power of 2\n";
        return 1;
    }
    if (pagesize < 0) return fail("a negative page size (the Python tool stops with a math domain error)");
    const int pagebits = static_cast<int>(std::log(static_cast<double>(pagesize)) / std::log(2.0));
    if (std::pow(2.0, pagebits) != static_cast<double>(pagesize)) {
        out += "Error in argument: page size must be a power of 2\n";
        return 1;
    }
    const std::uint64_t pagemask = (std::uint64_t{1} << pagebits) - 1;
    const std::uint64_t vpnmask = 0xFFFFFFFFu & ~pagemask;

    out += "\n"
           "The format of the page table is simple:\n"
           "The high-order (left-most) bit is the VALID bit.\n"
           "  If the bit is 1, the rest of the entry is the PFN.\n"
           "  If the bit is 0, the page is not valid.\n"
           "Use verbose mode (-v) if you want to print the VPN # by\n"
           "each entry of the page table.\n"
           "\n"
           "Page Table (from entry 0 down to the max size)\n";

    std::vector<std::int64_t> pt;  // PFN, or -1 for an invalid VPN
    auto print_entry = [&](std::int64_t v, std::uint32_t raw) {
        if (verbose) emit(out, "  [{:8d}]  ", v);
        else out += "  ";
        emit(out, "0x{:08x}\n", raw);
    };
    if (dump) {
        if (static_cast<std::int64_t>(dump->entries.size()) != vpages)
            return failf("--page-table: {} holds {} entries; an address space of {} with {}-byte pages has {}",
                         o.string("page_table"), dump->entries.size(), asize, pagesize, vpages);
        for (std::int64_t v = 0; v < vpages; ++v) {
            const std::uint32_t e = dump->entries[static_cast<std::size_t>(v)];
            pt.push_back((e & 0x80000000u) ? static_cast<std::int64_t>(e & 0x7fffffffu) : -1);
            print_entry(v, e);
        }
    } else {
        std::vector<char> used(static_cast<std::size_t>(std::max<std::int64_t>(pages, 0)), 0);
        const auto used_pct = o.integer("used").to_i64();
        if (!used_pct && vpages > 0) return failf("option -u: {} is too large for vmlab", o.integer("used").str());
        const double threshold = 100.0 - static_cast<double>(used_pct.value_or(0));
        for (std::int64_t v = 0; v < vpages; ++v) {
            while (true) {
                if (rng.random() * 100.0 > threshold) {
                    const auto u = static_cast<std::size_t>(static_cast<double>(pages) * rng.random());
                    if (used[u] != 0) continue;
                    used[u] = 1;
                    pt.push_back(static_cast<std::int64_t>(u));
                    print_entry(v, 0x80000000u | static_cast<std::uint32_t>(u));
                } else {
                    pt.push_back(-1);
                    print_entry(v, 0);
                }
                break;
            }
        }
    }
    out += "\n";

    std::vector<std::string> list;
    std::vector<std::int64_t> drawn;
    const std::string& addresses = o.string("addresses");
    bool random_vas = addresses == "-1";
    if (random_vas && dump && !dump->vas.empty()) {
        list = dump->vas;
        random_vas = false;
    } else if (random_vas) {
        auto num = int_option(o, "num", "-n");
        if (!num) return fail(num.error());
        for (std::int64_t i = 0; i < *num; ++i) {
            auto va = py_trunc(asize * rng.random());
            if (!va) return fail(va.error());
            drawn.push_back(*va);
        }
    } else {
        list = py_split(addresses, ',');
    }

    out += "Virtual Address Trace\n";
    const std::size_t n = random_vas ? drawn.size() : list.size();
    for (std::size_t i = 0; i < n; ++i) {
        std::int64_t vaddr = 0;
        if (random_vas) {
            vaddr = drawn[i];
        } else {
            auto va = py_int(list[i]);
            if (!va) return fail(Error("-A: " + va.error().message));
            vaddr = *va;
        }
        if (!solve) {
            emit(out, "  VA 0x{:08x} (decimal: {:8d}) --> PA or invalid address?\n", vaddr, vaddr);
            continue;
        }
        const std::uint64_t bits = static_cast<std::uint64_t>(vaddr);
        const std::uint64_t vpn = (bits & vpnmask) >> pagebits;
        if (vpn >= pt.size())
            return failf("virtual address {} is outside the {}-byte address space: VPN {} has no page-table entry "
                         "(the Python tool stops with an IndexError)", vaddr, asize, vpn);
        if (pt[vpn] < 0) {
            emit(out, "  VA 0x{:08x} (decimal: {:8d}) -->  Invalid (VPN {} not valid)\n", vaddr, vaddr, vpn);
        } else {
            const std::int64_t paddr = (pt[vpn] << pagebits) | static_cast<std::int64_t>(bits & pagemask);
            emit(out, "  VA 0x{:08x} (decimal: {:8d}) --> {:08x} (decimal {:8d}) [VPN {}]\n", vaddr, vaddr, paddr,
                 paddr, vpn);
        }
    }
    out += "\n";
    if (!solve) {
        out += "For each virtual address, write down the physical address it translates to\n"
               "OR write down that it is an out-of-bounds address (e.g., segfault).\n"
               "\n";
    }
    return 0;
}

}  // namespace

VMLAB_REGISTER(ostep_simulators(), "paging-linear-translate",
               "linear page table (vm-paging/paging-linear-translate.py)",
               OstepSimulator{"paging-linear-translate.py", {"paging-linear", "vm-paging"}, &run});

}  // namespace vmlab::compat::ostep
