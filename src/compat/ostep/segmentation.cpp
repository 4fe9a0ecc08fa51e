// OSTEP vm-segmentation/segmentation.py: two segments chosen by the top half of the VA.
//
//   VA  [0, asize/2)      seg0, grows up:    valid iff va < len0,        PA = base0 + va
//   VA  [asize/2, asize)  seg1, grows down:  PA = top1 + (va - asize),   valid iff PA >= top1 - len1
//
// -B is seg1's top (what is printed as "Segment 1 base"); internally base1 = top1 - len1.
// The seg1 test is the float comparison va >= asize/2.0 (VA 7 of asize 15 is in seg0).
// Draws, in order: len0, len1 (unless -l/-L), base0 (until base0+len0 < psize), base1 (until
// it fits and does not overlap seg0), then -n VAs unless -A.
#include <algorithm>

#include "compat/ostep/optparse.hpp"
#include "vmlab/compat/ostep.hpp"
#include "vmlab/compat/python_random.hpp"

namespace vmlab::compat::ostep {
namespace {

const std::vector<OptSpec>& specs() {
    static const std::vector<OptSpec> s = {
        {'s', "seed", "seed", OptKind::Int, "0", "the random seed", {}},
        {'A', "addresses", "addresses", OptKind::String, "-1",
         "a set of comma-separated pages to access; -1 means randomly generate", {"vas"}},
        {'a', "asize", "asize", OptKind::String, "1k", "address space size (e.g., 16, 64k, 32m, 1g)", {}},
        {'p', "physmem", "psize", OptKind::String, "16k", "physical memory size (e.g., 16, 64k, 32m, 1g)", {}},
        {'n', "numaddrs", "num", OptKind::Int, "5", "number of virtual addresses to generate", {"num"}},
        {'b', "b0", "base0", OptKind::String, "-1", "value of segment 0 base register", {"base0"}},
        {'l', "l0", "len0", OptKind::String, "-1", "value of segment 0 limit register", {"limit0"}},
        {'B', "b1", "base1", OptKind::String, "-1", "value of segment 1 base register", {"base1"}},
        {'L', "l1", "len1", OptKind::String, "-1", "value of segment 1 limit register", {"limit1"}},
        {'c', "", "solve", OptKind::Flag, "", "compute answers for me", {"solve", "compute"}},
    };
    return s;
}

Result<std::int64_t> draw(PythonRandom& rng, std::int64_t scale) { return py_trunc(scale * rng.random()); }

Result<int> run(const std::vector<std::string>& args, std::string& out) {
    auto parsed = parse_or_help(specs(), args, "segmentation.py", out);
    if (!parsed) return fail(parsed.error());
    if (!*parsed) return 0;  // help printed
    const OptValues& o = **parsed;
    emit(out, "ARG seed {}\nARG address space size {}\nARG phys mem size {}\n\n", o.integer("seed").str(),
         o.string("asize"), o.string("psize"));

    PythonRandom rng;
    rng.seed_magnitude(o.integer("seed").magnitude());
    auto asize_r = convert_size(o.string("asize"));
    if (!asize_r) return fail(asize_r.error());
    auto psize_r = convert_size(o.string("psize"));
    if (!psize_r) return fail(psize_r.error());
    const std::int64_t asize = *asize_r, psize = *psize_r;
    const std::string addresses = o.string("addresses");

    auto abort_if = [&](bool cond, std::string_view msg) {
        if (cond) emit(out, "Error: {}\n", msg);
        return cond;
    };
    if (abort_if(psize <= 4, "must specify a bigger physical memory size")) return 1;
    if (abort_if(asize == 0, "must specify a non-zero address-space size")) return 1;
    if (abort_if(psize <= asize, "physical memory size > address space size (for this simulation)")) return 1;

    std::int64_t v[4];
    const char* names[4] = {"len0", "len1", "base0", "base1"};
    for (int k = 0; k < 4; ++k) {
        auto c = convert_size(o.string(names[k]));
        if (!c) return fail(c.error());
        v[k] = *c;
    }
    std::int64_t len0 = v[0], len1 = v[1], base0 = v[2], base1 = v[3];

    for (std::int64_t* len : {&len0, &len1}) {
        if (*len != -1) continue;
        auto l = py_trunc(asize / 4.0 + (asize / 4.0 * rng.random()));
        if (!l) return fail(l.error());
        *len = *l;
    }
    if (base0 == -1 || base1 == -1) {
        auto twice = mul64(2, asize);
        if (!twice) return fail(twice.error());
        if (abort_if(psize <= *twice,
                     "physical memory must be 2x GREATER than address space size (if randomly generating base "
                     "registers)"))
            return 1;
    }
    // Random placement draws int(psize*r), i.e. every value in [0, psize).
    if (base0 == -1) {
        if (len0 >= psize)
            return failf("a segment 0 limit of {} leaves no room below the physical memory size {} "
                         "(the Python tool loops forever)", len0, psize);
        for (std::int64_t draws = 1;; ++draws) {
            auto b = draw(rng, psize);
            if (!b) return fail(b.error());
            base0 = *b;
            if (static_cast<__int128>(base0) + len0 < psize) break;
            if (draws == kMaxPlacementDraws)
                return failf("no random base fits segment 0 (limit {}) below {} after {} draws (the Python tool "
                             "keeps drawing)", len0, psize, draws);
        }
    }
    if (base1 == -1) {
        // Some b in [0, psize) must satisfy b + len1 < psize and (b > base0 + len0 or
        // b + len1 < base0).
        const __int128 hi = static_cast<__int128>(psize) - 1 - len1;
        const __int128 above = static_cast<__int128>(base0) + len0 + 1;
        const __int128 below = static_cast<__int128>(base0) - len1 - 1;
        const bool room = hi >= 0 && (above <= hi || std::min(hi, below) >= 0);
        if (!room)
            return failf("segment 1 (limit {}) fits nowhere in physical memory of size {} beside segment 0 "
                         "(the Python tool loops forever)", len1, psize);
        for (std::int64_t draws = 1;; ++draws) {
            auto b = draw(rng, psize);
            if (!b) return fail(b.error());
            base1 = *b;
            const __int128 b1 = base1;
            if (b1 + len1 < psize && (b1 > static_cast<__int128>(base0) + len0 || b1 + len1 < base0)) break;
            if (draws == kMaxPlacementDraws)
                return failf("no random base fits segment 1 (limit {}) beside segment 0 after {} draws (the Python "
                             "tool keeps drawing)", len1, draws);
        }
    } else {
        auto b = sub64(base1, len1);
        if (!b) return fail(b.error());
        base1 = *b;
    }

    const __int128 end0 = static_cast<__int128>(base0) + len0;
    if (abort_if(psize < end0 - 1, "seg0 is not in physical memory")) return 1;
    if (abort_if(psize < base1, "seg1 is not in physical memory")) return 1;
    if (abort_if(py_gt(len0, asize / 2.0), "length0 register is too large for this address space")) return 1;
    if (abort_if(py_gt(len1, asize / 2.0), "length1 register is too large for this address space")) return 1;

    auto top1_r = add64(base1, len1);
    if (!top1_r) return fail(top1_r.error());
    const std::int64_t top1 = *top1_r;
    emit(out, "Segment register information:\n\n");
    emit(out, "  Segment 0 base  (grows positive) : 0x{:08x} (decimal {})\n", base0, base0);
    emit(out, "  Segment 0 limit                  : {}\n\n", len0);
    emit(out, "  Segment 1 base  (grows negative) : 0x{:08x} (decimal {})\n", top1, top1);
    emit(out, "  Segment 1 limit                  : {}\n\n", len1);

    // One-sided: a seg1 lying wholly below seg0 is not detected.
    if (abort_if(end0 > base1 && base1 > base0, "segments overlap in physical memory")) return 1;

    std::vector<std::string> list;
    std::vector<std::int64_t> drawn;
    const bool random_vas = addresses == "-1";
    if (random_vas) {
        auto num = int_option(o, "num", "-n");
        if (!num) return fail(num.error());
        for (std::int64_t i = 0; i < *num; ++i) {
            auto va = draw(rng, asize);
            if (!va) return fail(va.error());
            drawn.push_back(*va);
        }
    } else {
        list = py_split(addresses, ',');
    }
    const bool solve = o.flag("solve");
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
        if (vaddr < 0 || vaddr >= asize) {
            emit(out, "Error: virtual address {} cannot be generated in an address space of size {}\n", vaddr,
                 asize);
            return 1;
        }
        if (!solve) {
            emit(out, "  VA {:2d}: 0x{:08x} (decimal: {:4d}) --> PA or segmentation violation?\n", i, vaddr, vaddr);
        } else if (!py_lt(vaddr, asize / 2.0)) {
            const std::int64_t paddr = top1 + (vaddr - asize);
            if (paddr < base1)
                emit(out, "  VA {:2d}: 0x{:08x} (decimal: {:4d}) --> SEGMENTATION VIOLATION (SEG1)\n", i, vaddr, vaddr);
            else
                emit(out, "  VA {:2d}: 0x{:08x} (decimal: {:4d}) --> VALID in SEG1: 0x{:08x} (decimal: {:4d})\n", i,
                     vaddr, vaddr, paddr, paddr);
        } else if (vaddr >= len0) {
            emit(out, "  VA {:2d}: 0x{:08x} (decimal: {:4d}) --> SEGMENTATION VIOLATION (SEG0)\n", i, vaddr, vaddr);
        } else {
            auto paddr = add64(vaddr, base0);
            if (!paddr) return fail(paddr.error());
            emit(out, "  VA {:2d}: 0x{:08x} (decimal: {:4d}) --> VALID in SEG0: 0x{:08x} (decimal: {:4d})\n", i, vaddr,
                 vaddr, *paddr, *paddr);
        }
    }
    out += "\n";
    if (!solve) {
        out += "For each virtual address, either write down the physical address it translates to\n"
               "OR write down that it is an out-of-bounds address (a segmentation violation). For\n"
               "this problem, you should assume a simple address space with two segments: the top\n"
               "bit of the virtual address can thus be used to check whether the virtual address\n"
               "is in segment 0 (topbit=0) or segment 1 (topbit=1). Note that the base/limit pairs\n"
               "given to you grow in different directions, depending on the segment, i.e., segment 0\n"
               "grows in the positive direction, whereas segment 1 in the negative. \n"
               "\n";
    }
    return 0;
}

}  // namespace

VMLAB_REGISTER(ostep_simulators(), "segmentation", "two segments by the top VA bit (vm-segmentation/segmentation.py)",
               OstepSimulator{"segmentation.py", {"vm-segmentation"}, &run});

}  // namespace vmlab::compat::ostep
