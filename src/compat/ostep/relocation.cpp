// OSTEP vm-mechanism/relocation.py: base-and-bounds translation.
//
//   VA  [0, asize)  ──(va < limit)──▶  PA = base + va      else SEGMENTATION VIOLATION
//
// Draws, in order: limit = int(asize/4 + asize/4*r) unless -l; base = int(psize*r) until
// base + limit < psize unless -b; then -n VAs int(asize*r) (vmlab's --vas replaces them).
#include "compat/ostep/optparse.hpp"
#include "vmlab/compat/ostep.hpp"
#include "vmlab/compat/python_random.hpp"

namespace vmlab::compat::ostep {
namespace {

const std::vector<OptSpec>& specs() {
    static const std::vector<OptSpec> s = {
        {'s', "seed", "seed", OptKind::Int, "0", "the random seed", {}},
        {'a', "asize", "asize", OptKind::String, "1k", "address space size (e.g., 16, 64k, 32m, 1g)", {}},
        {'p', "physmem", "psize", OptKind::String, "16k", "physical memory size (e.g., 16, 64k, 32m, 1g)", {}},
        {'n', "addresses", "num", OptKind::Int, "5", "number of virtual addresses to generate", {"num"}},
        {'b', "b", "base", OptKind::String, "-1", "value of base register", {"base"}},
        {'l', "l", "limit", OptKind::String, "-1", "value of limit register", {"limit"}},
        {'c', "compute", "solve", OptKind::Flag, "", "compute answers for me", {"solve"}},
        {0, "", "vas", OptKind::String, "", "", {"vas"}},
    };
    return s;
}

Result<int> run(const std::vector<std::string>& args, std::string& out) {
    auto parsed = parse_or_help(specs(), args, "relocation.py", out);
    if (!parsed) return fail(parsed.error());
    if (!*parsed) return 0;  // help printed
    const OptValues& o = **parsed;
    emit(out, "\nARG seed {}\nARG address space size {}\nARG phys mem size {}\n\n", o.integer("seed").str(),
         o.string("asize"), o.string("psize"));

    PythonRandom rng;
    rng.seed_magnitude(o.integer("seed").magnitude());
    auto asize_r = convert_size(o.string("asize"));
    if (!asize_r) return fail(asize_r.error());
    auto psize_r = convert_size(o.string("psize"));
    if (!psize_r) return fail(psize_r.error());
    const std::int64_t asize = *asize_r, psize = *psize_r;

    if (psize <= 1) {
        out += "Error: must specify a non-zero physical memory size.\n";
        return 1;
    }
    if (asize == 0) {
        out += "Error: must specify a non-zero address-space size.\n";
        return 1;
    }
    if (psize <= asize) {
        out += "Error: physical memory size must be GREATER than address space size (for this simulation)\n";
        return 1;
    }

    auto limit_r = convert_size(o.string("limit"));
    if (!limit_r) return fail(limit_r.error());
    auto base_r = convert_size(o.string("base"));
    if (!base_r) return fail(base_r.error());
    std::int64_t limit = *limit_r, base = *base_r;

    if (limit == -1) {
        auto l = py_trunc(asize / 4.0 + (asize / 4.0 * rng.random()));
        if (!l) return fail(l.error());
        limit = *l;
    }
    if (base == -1) {
        // base = int(psize*r) takes every value in [0, psize); the loop ends only if base 0 fits.
        if (limit >= psize)
            return failf("a limit of {} leaves no room for a random base below the physical memory size {} "
                         "(the Python tool loops forever)", limit, psize);
        for (std::int64_t draws = 1;; ++draws) {
            auto b = py_trunc(psize * rng.random());
            if (!b) return fail(b.error());
            base = *b;
            if (base + limit < psize) break;
            if (draws == kMaxPlacementDraws)
                return failf("no random base fits a limit of {} below {} after {} draws (the Python tool keeps "
                             "drawing)", limit, psize, draws);
        }
    }

    emit(out, "Base-and-Bounds register information:\n\n");
    emit(out, "  Base   : 0x{:08x} (decimal {})\n", base, base);
    emit(out, "  Limit  : {}\n\n", limit);

    auto end = add64(base, limit);
    if (!end) return fail(end.error());
    if (*end > psize) {
        out += "Error: address space does not fit into physical memory with those base/bounds values.\n";
        emit(out, "Base + Limit: {}   Psize: {}\n", *end, psize);
        return 1;
    }

    auto num = int_option(o, "num", "-n");
    if (!num) return fail(num.error());
    const bool solve = o.flag("solve");
    const bool given_vas = o.given("vas");
    const std::vector<std::string> vas = given_vas ? py_split(o.string("vas"), ',') : std::vector<std::string>{};
    const std::int64_t count = given_vas ? static_cast<std::int64_t>(vas.size()) : *num;

    out += "Virtual Address Trace\n";
    for (std::int64_t i = 0; i < count; ++i) {
        std::int64_t vaddr = 0;
        if (given_vas) {
            auto v = py_int(vas[static_cast<std::size_t>(i)]);
            if (!v) return fail(Error("--vas: " + v.error().message));
            vaddr = *v;
        } else {
            auto v = py_trunc(asize * rng.random());
            if (!v) return fail(v.error());
            vaddr = *v;
        }
        if (!solve) {
            emit(out, "  VA {:2d}: 0x{:08x} (decimal: {:4d}) --> PA or segmentation violation?\n", i, vaddr, vaddr);
        } else if (vaddr >= limit) {
            emit(out, "  VA {:2d}: 0x{:08x} (decimal: {:4d}) --> SEGMENTATION VIOLATION\n", i, vaddr, vaddr);
        } else {
            auto paddr = add64(vaddr, base);
            if (!paddr) return fail(paddr.error());
            emit(out, "  VA {:2d}: 0x{:08x} (decimal: {:4d}) --> VALID: 0x{:08x} (decimal: {:4d})\n", i, vaddr,
                 vaddr, *paddr, *paddr);
        }
    }
    out += "\n";
    if (!solve) {
        out += "For each virtual address, either write down the physical address it translates to\n"
               "OR write down that it is an out-of-bounds address (a segmentation violation). For\n"
               "this problem, you should assume a simple virtual address space of a given size.\n"
               "\n";
    }
    return 0;
}

}  // namespace

VMLAB_REGISTER(ostep_simulators(), "relocation", "base and bounds (vm-mechanism/relocation.py)",
               OstepSimulator{"relocation.py", {"vm-mechanism"}, &run});

}  // namespace vmlab::compat::ostep
