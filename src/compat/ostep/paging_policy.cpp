// OSTEP vm-beyondphys-policy/paging-policy.py: page replacement in a cache of -C pages.
//
// Memory is a list; a missing page is always appended at the right end.
//   FIFO   victim = leftmost;                     a hit changes nothing
//   LRU    victim = leftmost;                     a hit moves the page to the right end
//   MRU    victim = rightmost;                    a hit moves the page to the right end
//   RAND   victim = pop(int(r*count))
//   OPT    victim = the page whose next use is farthest (never used again = len(trace));
//          ties go to the LAST such page in the list (the comparison is >=)
//   UNOPT  victim = the page whose next use is nearest; ties go to the first (<)
//   CLOCK  no hand: every access sets ref[p] to 1 on first touch, else adds 1 capped at -b;
//          to evict, probe memory[int(r*count)] repeatedly: ref >= 1 is decremented, ref 0
//          is the victim (whose ref entry is then deleted)
// Random addresses (int(maxpage*r)) are drawn first; RAND and CLOCK draw as they evict.
#include <algorithm>
#include <map>

#include "compat/ostep/optparse.hpp"
#include "vmlab/compat/ostep.hpp"
#include "vmlab/compat/python_random.hpp"

namespace vmlab::compat::ostep {
namespace {

const std::vector<OptSpec>& specs() {
    static const std::vector<OptSpec> s = {
        {'a', "addresses", "addresses", OptKind::String, "-1",
         "a set of comma-separated pages to access; -1 means randomly generate", {}},
        {'f', "addressfile", "addressfile", OptKind::String, "", "a file with a bunch of addresses in it",
         {"trace-file"}},
        {'n', "numaddrs", "numaddrs", OptKind::String, "10",
         "if -a (--addresses) is -1, this is the number of addrs to generate", {"num"}},
        {'p', "policy", "policy", OptKind::String, "FIFO", "replacement policy: FIFO, LRU, OPT, UNOPT, RAND, CLOCK", {}},
        {'b', "clockbits", "clockbits", OptKind::Int, "2", "for CLOCK policy, how many clock bits to use", {}},
        {'C', "cachesize", "cachesize", OptKind::String, "3", "size of the page cache, in pages", {}},
        {'m', "maxpage", "maxpage", OptKind::String, "10",
         "if randomly generating page accesses, this is the max page number", {}},
        {'s', "seed", "seed", OptKind::String, "0", "random number seed", {}},
        {'N', "notrace", "notrace", OptKind::Flag, "", "do not print out a detailed trace", {"no-trace"}},
        {'c', "compute", "solve", OptKind::Flag, "", "compute answers for me", {"solve"}},
    };
    return s;
}

// One element of the script's addrList: an int (random or from -f), or a string from -a
// that the script converts with int() wherever it uses it.
struct Address {
    std::optional<std::int64_t> value;
    std::string text;  // the -a element, for the error message
};

Result<std::int64_t> value_of(const Address& a) {
    if (a.value) return *a.value;
    auto v = py_int(a.text);
    if (!v) return fail(Error("-a: " + v.error().message));
    return *v;
}

std::string list_repr(const std::vector<std::int64_t>& memory) {
    std::string s = "[";
    for (std::size_t i = 0; i < memory.size(); ++i) s += fmt::format("{}{}", i ? ", " : "", memory[i]);
    return s + "]";
}

// The file's lines as Python's text-mode iteration yields them (universal newlines).
std::vector<std::string> file_lines(const std::string& text) {
    std::vector<std::string> lines;
    std::string cur;
    for (std::size_t i = 0; i < text.size(); ++i) {
        const char c = text[i];
        if (c == '\n' || c == '\r') {
            if (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n') ++i;
            lines.push_back(cur + "\n");
            cur.clear();
        } else {
            cur += c;
        }
    }
    if (!cur.empty()) lines.push_back(cur);
    return lines;
}

Result<int> run(const std::vector<std::string>& args, std::string& out) {
    auto parsed = parse_or_help(specs(), args, "paging-policy.py", out);
    if (!parsed) return fail(parsed.error());
    if (!*parsed) return 0;  // help printed
    const OptValues& o = **parsed;
    const bool notrace = o.flag("notrace"), solve = o.flag("solve");
    emit(out, "ARG addresses {}\nARG addressfile {}\nARG numaddrs {}\nARG policy {}\nARG clockbits {}\n",
         o.string("addresses"), o.string("addressfile"), o.string("numaddrs"), o.string("policy"),
         o.integer("clockbits").str());
    emit(out, "ARG cachesize {}\nARG maxpage {}\nARG seed {}\nARG notrace {}\n\n", o.string("cachesize"),
         o.string("maxpage"), o.string("seed"), py_bool(notrace));

    auto numaddrs = py_int(o.string("numaddrs"));
    if (!numaddrs) return fail(Error("-n: " + numaddrs.error().message));
    auto cachesize_r = py_int(o.string("cachesize"));
    if (!cachesize_r) return fail(Error("-C: " + cachesize_r.error().message));
    const auto seed = PyInt::parse(o.string("seed"), 10);
    if (!seed) return failf("-s: invalid literal for int() with base 10: {}", py_repr(o.string("seed")));
    auto maxpage = py_int(o.string("maxpage"));
    if (!maxpage) return fail(Error("-m: " + maxpage.error().message));
    auto clockbits_r = int_option(o, "clockbits", "-b");
    if (!clockbits_r) return fail(clockbits_r.error());
    const std::int64_t cachesize = *cachesize_r, clockbits = *clockbits_r;
    const std::string& policy = o.string("policy");

    PythonRandom rng;
    rng.seed_magnitude(seed->magnitude());

    std::vector<Address> trace;
    const std::string& file = o.string("addressfile");
    if (!file.empty()) {
        auto text = read_text_file(file);
        if (!text) return fail(text.error());
        std::size_t lineno = 0;
        for (const std::string& line : file_lines(*text)) {
            ++lineno;
            auto v = py_int(line);
            if (!v) return fail(v.error().message, Location{file, lineno});
            trace.push_back({*v, {}});
        }
    } else if (o.string("addresses") == "-1") {
        for (std::int64_t i = 0; i < *numaddrs; ++i) {
            auto n = py_trunc(*maxpage * rng.random());
            if (!n) return fail(n.error());
            trace.push_back({*n, {}});
        }
    } else {
        for (std::string& t : py_split(o.string("addresses"), ',')) {
            Address a;
            if (auto v = py_int(t)) a.value = *v;
            a.text = std::move(t);
            trace.push_back(std::move(a));
        }
    }

    if (!solve) {
        emit(out, "Assuming a replacement policy of {}, and a cache of size {} pages,\n", policy, cachesize);
        out += "figure out whether each of the following page references hit or miss\n"
               "in the page cache.\n\n";
        for (const Address& a : trace) {
            auto n = value_of(a);
            if (!n) return fail(n.error());
            emit(out, "Access: {}  Hit/Miss?  State of Memory?\n", *n);
        }
        out += "\n";
        return 0;
    }

    if (!notrace) out += "Solving...\n\n";
    std::string left, right;
    if (policy == "FIFO") {
        left = "FirstIn";
        right = "Lastin ";
    } else if (policy == "LRU" || policy == "MRU") {
        left = "LRU";
        right = "MRU";
    } else if (policy == "OPT" || policy == "RAND" || policy == "UNOPT" || policy == "CLOCK") {
        left = "Left ";
        right = "Right";
    } else {
        emit(out, "Policy {} is not yet implemented\n", policy);
        return 1;
    }

    std::int64_t count = 0, hits = 0, miss = 0;
    std::vector<std::int64_t> memory;
    std::map<std::int64_t, std::int64_t> ref;
    const auto empty_cache = [&] {
        return failf("a cache of {} pages has nothing to evict (the Python tool stops with an IndexError)", cachesize);
    };
    // When is `page` next used after position `at`? len(trace) if never.
    const auto next_use = [&](std::int64_t page, std::size_t at) -> Result<std::size_t> {
        for (std::size_t f = at + 1; f < trace.size(); ++f) {
            auto v = value_of(trace[f]);
            if (!v) return fail(v.error());
            if (*v == page) return f;
        }
        return trace.size();
    };

    for (std::size_t at = 0; at < trace.size(); ++at) {
        auto nv = value_of(trace[at]);
        if (!nv) return fail(nv.error());
        const std::int64_t n = *nv;
        const auto it = std::find(memory.begin(), memory.end(), n);
        const bool hit = it != memory.end();
        if (hit) {
            ++hits;
            if (policy == "LRU" || policy == "MRU") {
                memory.erase(it);
                memory.push_back(n);
            }
        } else {
            ++miss;
        }
        std::int64_t victim = -1;  // the script's sentinel: a replaced page -1 prints as '-'
        if (!hit) {
            if (count == cachesize) {
                if (policy == "FIFO" || policy == "LRU") {
                    if (memory.empty()) return empty_cache();
                    victim = memory.front();
                    memory.erase(memory.begin());
                } else if (policy == "MRU") {
                    if (memory.empty()) return empty_cache();
                    victim = memory.back();
                    memory.pop_back();
                } else if (policy == "RAND") {
                    const auto k = static_cast<std::size_t>(rng.random() * static_cast<double>(count));
                    if (k >= memory.size()) return empty_cache();
                    victim = memory[k];
                    memory.erase(memory.begin() + static_cast<std::ptrdiff_t>(k));
                } else if (policy == "CLOCK") {
                    while (true) {
                        const auto k = static_cast<std::size_t>(rng.random() * static_cast<double>(count));
                        if (k >= memory.size()) return empty_cache();
                        const std::int64_t page = memory[k];
                        auto& r = ref[page];
                        if (r >= 1) {
                            --r;
                        } else {
                            victim = page;
                            memory.erase(memory.begin() + static_cast<std::ptrdiff_t>(k));
                            break;
                        }
                    }
                    ref.erase(victim);
                } else {
                    const bool opt = policy == "OPT";
                    std::int64_t best = opt ? -1 : static_cast<std::int64_t>(trace.size()) + 1;
                    std::ptrdiff_t replace = -1;
                    for (std::int64_t k = 0; k < count; ++k) {
                        auto when = next_use(memory[static_cast<std::size_t>(k)], at);
                        if (!when) return fail(when.error());
                        const auto w = static_cast<std::int64_t>(*when);
                        if (opt ? w >= best : w < best) {
                            replace = static_cast<std::ptrdiff_t>(k);
                            best = w;
                        }
                    }
                    if (memory.empty()) return empty_cache();
                    if (replace < 0) replace = static_cast<std::ptrdiff_t>(memory.size()) - 1;  // pop(-1)
                    victim = memory[static_cast<std::size_t>(replace)];
                    memory.erase(memory.begin() + replace);
                }
            } else {
                ++count;
            }
            memory.push_back(n);
        }
        const auto r = ref.find(n);
        if (r == ref.end()) {
            ref[n] = 1;
        } else if (++r->second > clockbits) {
            r->second = clockbits;
        }
        if (!notrace)
            emit(out, "Access: {}  {} {} -> {:>12} <- {} Replaced:{} [Hits:{} Misses:{}]\n", n, hit ? "HIT " : "MISS",
                 left, list_repr(memory), right, victim == -1 ? std::string("-") : std::to_string(victim), hits, miss);
    }
    out += "\n";
    if (hits + miss == 0)
        return fail("no accesses, so no hit rate (the Python tool stops with a ZeroDivisionError)");
    emit(out, "FINALSTATS hits {}   misses {}   hitrate {:.2f}\n\n", hits, miss,
         (100.0 * static_cast<double>(hits)) / (static_cast<double>(hits) + static_cast<double>(miss)));
    return 0;
}

}  // namespace

VMLAB_REGISTER(ostep_simulators(), "paging-policy", "page replacement (vm-beyondphys-policy/paging-policy.py)",
               OstepSimulator{"paging-policy.py", {"vm-beyondphys-policy"}, &run});

}  // namespace vmlab::compat::ostep
