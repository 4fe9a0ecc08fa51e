// OSTEP vm-freespace/malloc.py: a free-list allocator over [base, base+size).
//
// Alloc(n): n is rounded up to -a, then -H is added. The list is searched in its current
// order: FIRST stops at the first fit; BEST (strict <) and WORST (strict >) scan it all, so
// the earliest of equal candidates wins; "searched" counts the entries visited. A split
// keeps the entry's list position, replaced by (addr+n, size-n); an exact fit removes it.
// Free(addr): the chunk is put back by -l: INSERT-BACK appends, INSERT-FRONT prepends, the
// sorted orders append and stable-sort (the new chunk sorts last among equals); then -C
// merges, in one pass in list order, each entry into its predecessor when adjacent.
//
// Random mode: each iteration draws r < P/100; an alloc then draws int(r*range)+1, a free
// int(r*len(live)) over the live pointers in allocation order (with none live, the
// iteration is not counted). The printed pointer is ptr+H there, the raw chunk address in
// -A mode.
#include <algorithm>
#include <map>

#include "compat/ostep/optparse.hpp"
#include "vmlab/compat/ostep.hpp"
#include "vmlab/compat/python_random.hpp"

namespace vmlab::compat::ostep {
namespace {

// Python ints do not overflow; the allocator's sums stay far inside 128 bits.
using Int = __int128;

const std::vector<OptSpec>& specs() {
    static const std::vector<OptSpec> s = {
        {'s', "seed", "seed", OptKind::Int, "0", "the random seed", {}},
        {'S', "size", "heapSize", OptKind::Int, "100", "size of the heap", {"heap-size"}},
        {'b', "baseAddr", "baseAddr", OptKind::Int, "1000", "base address of heap", {"base"}},
        {'H', "headerSize", "headerSize", OptKind::Int, "0", "size of the header", {"header"}},
        {'a', "alignment", "alignment", OptKind::Int, "-1", "align allocated units to size; -1->no align", {"align"}},
        {'p', "policy", "policy", OptKind::String, "BEST", "list search (BEST, WORST, FIRST)", {}},
        {'l', "listOrder", "order", OptKind::String, "ADDRSORT",
         "list order (ADDRSORT, SIZESORT+, SIZESORT-, INSERT-FRONT, INSERT-BACK)", {"order"}},
        {'C', "coalesce", "coalesce", OptKind::Flag, "", "coalesce the free list?", {}},
        {'n', "numOps", "opsNum", OptKind::Int, "10", "number of random ops to generate", {"num"}},
        {'r', "range", "opsRange", OptKind::Int, "10", "max alloc size", {}},
        {'P', "percentAlloc", "opsPAlloc", OptKind::Int, "50", "percent of ops that are allocs", {"percent-alloc"}},
        {'A', "allocList", "opsList", OptKind::String, "", "instead of random, list of ops (+10,-0,etc)", {"ops"}},
        {'c', "compute", "solve", OptKind::Flag, "", "compute answers for me", {"solve"}},
    };
    return s;
}

enum class Policy { Best, Worst, First };
enum class Order { AddrSort, SizeSortUp, SizeSortDown, InsertFront, InsertBack };

struct Chunk {
    Int addr;
    Int size;
};

class Heap {
public:
    Heap(Int size, Int start, Int header, Policy policy, Order order, bool coalesce, Int align)
        : size_(size), header_(header), policy_(policy), order_(order), coalesce_(coalesce), align_(align) {
        free_.push_back({start, size});
    }

    struct Found {
        Int addr;   // -1 when nothing fits
        Int count;  // entries searched
    };

    Result<Found> malloc(Int size) {
        if (align_ != -1) {
            Int left = size % align_;
            if (left < 0) left += align_;  // Python's % takes the divisor's sign (align > 0)
            size += left != 0 ? align_ - left : 0;
        }
        size += header_;
        std::size_t best = free_.size();
        Int best_size = policy_ == Policy::Best ? size_ + 1 : -1;
        Int count = 0;
        for (std::size_t i = 0; i < free_.size(); ++i) {
            const Chunk& e = free_[i];
            ++count;
            if (e.size >= size && ((policy_ == Policy::Best && e.size < best_size) ||
                                   (policy_ == Policy::Worst && e.size > best_size) || policy_ == Policy::First)) {
                best = i;
                best_size = e.size;
                if (policy_ == Policy::First) break;
            }
        }
        if (best == free_.size()) return Found{-1, count};
        const Int addr = free_[best].addr;
        if (best_size > size)
            free_[best] = {addr + size, best_size - size};
        else
            free_.erase(free_.begin() + static_cast<std::ptrdiff_t>(best));
        if (sizemap_.count(addr) != 0)
            return failf("Alloc({}) returned address {} which is still allocated (the Python tool stops "
                         "with an AssertionError)", fmt::format("{}", size), fmt::format("{}", addr));
        sizemap_[addr] = size;
        return Found{addr, count};
    }

    int free(Int addr) {
        const auto it = sizemap_.find(addr);
        if (it == sizemap_.end()) return -1;
        const Chunk c{addr, it->second};
        switch (order_) {
            case Order::InsertBack: free_.push_back(c); break;
            case Order::InsertFront: free_.insert(free_.begin(), c); break;
            case Order::AddrSort:
                free_.push_back(c);
                std::stable_sort(free_.begin(), free_.end(), [](const Chunk& a, const Chunk& b) { return a.addr < b.addr; });
                break;
            case Order::SizeSortUp:
                free_.push_back(c);
                std::stable_sort(free_.begin(), free_.end(), [](const Chunk& a, const Chunk& b) { return a.size < b.size; });
                break;
            case Order::SizeSortDown:
                // sorted(..., reverse=True) keeps equal keys in their original order.
                free_.push_back(c);
                std::stable_sort(free_.begin(), free_.end(), [](const Chunk& a, const Chunk& b) { return a.size > b.size; });
                break;
        }
        if (coalesce_) {
            std::vector<Chunk> merged;
            Chunk cur = free_[0];
            for (std::size_t i = 1; i < free_.size(); ++i) {
                if (free_[i].addr == cur.addr + cur.size) {
                    cur.size += free_[i].size;
                } else {
                    merged.push_back(cur);
                    cur = free_[i];
                }
            }
            merged.push_back(cur);
            free_ = std::move(merged);
        }
        sizemap_.erase(addr);
        return 0;
    }

    void dump(std::string& out) const {
        emit(out, "Free List [ Size {} ]: ", free_.size());
        for (const auto& e : free_) emit(out, "[ addr:{} sz:{} ]", e.addr, e.size);
        out += "\n";
    }

private:
    Int size_, header_;
    Policy policy_;
    Order order_;
    bool coalesce_;
    Int align_;
    std::vector<Chunk> free_;
    std::map<Int, Int> sizemap_;  // allocated address -> size
};

Result<int> run(const std::vector<std::string>& args, std::string& out) {
    auto parsed = parse_or_help(specs(), args, "malloc.py", out);
    if (!parsed) return fail(parsed.error());
    if (!*parsed) return 0;  // help printed
    const OptValues& o = **parsed;
    std::int64_t iv[7];
    const std::pair<const char*, const char*> ints[7] = {{"heapSize", "-S"},   {"baseAddr", "-b"}, {"headerSize", "-H"},
                                                         {"alignment", "-a"},  {"opsNum", "-n"},   {"opsRange", "-r"},
                                                         {"opsPAlloc", "-P"}};
    for (int k = 0; k < 7; ++k) {
        auto v = int_option(o, ints[k].first, ints[k].second);
        if (!v) return fail(v.error());
        iv[k] = *v;
    }
    const Int heap_size = iv[0], base_addr = iv[1], header = iv[2], align = iv[3];
    const std::int64_t ops_num = iv[4], ops_range = iv[5], ops_palloc = iv[6];

    // The allocator's constructor asserts these before anything is printed.
    const std::string& policy_s = o.string("policy");
    const std::string& order_s = o.string("order");
    Policy policy;
    if (policy_s == "BEST") policy = Policy::Best;
    else if (policy_s == "WORST") policy = Policy::Worst;
    else if (policy_s == "FIRST") policy = Policy::First;
    else return failf("unknown policy {} (BEST, WORST or FIRST; the Python tool stops with an AssertionError)", py_repr(policy_s));
    Order order;
    if (order_s == "ADDRSORT") order = Order::AddrSort;
    else if (order_s == "SIZESORT+") order = Order::SizeSortUp;
    else if (order_s == "SIZESORT-") order = Order::SizeSortDown;
    else if (order_s == "INSERT-FRONT") order = Order::InsertFront;
    else if (order_s == "INSERT-BACK") order = Order::InsertBack;
    else
        return failf("unknown list order {} (ADDRSORT, SIZESORT+, SIZESORT-, INSERT-FRONT or INSERT-BACK; the Python "
                     "tool stops with an AssertionError)", py_repr(order_s));
    if (!(align == -1 || align > 0))
        return failf("alignment {} must be -1 or positive (the Python tool stops with an AssertionError)", iv[3]);
    Heap heap(heap_size, base_addr, header, policy, order, o.flag("coalesce"), align);

    const bool solve = o.flag("solve");
    emit(out, "seed {}\nsize {}\nbaseAddr {}\nheaderSize {}\nalignment {}\npolicy {}\nlistOrder {}\ncoalesce {}\n",
         o.integer("seed").str(), iv[0], iv[1], iv[2], iv[3], policy_s, order_s, py_bool(o.flag("coalesce")));
    emit(out, "numOps {}\nrange {}\npercentAlloc {}\nallocList {}\ncompute {}\n\n", ops_num, ops_range, ops_palloc,
         o.string("opsList"), py_bool(solve));

    const double percent = static_cast<double>(ops_palloc) / 100.0;
    PythonRandom rng;
    rng.seed_magnitude(o.integer("seed").magnitude());
    if (!(percent > 0))
        return failf("-P {} must be positive (the Python tool stops with an AssertionError)", ops_palloc);

    std::map<std::int64_t, Int> ptrs;  // successful allocation index -> address
    const std::string& ops = o.string("opsList");
    if (ops.empty()) {
        std::vector<std::int64_t> live;  // allocation indices, in allocation order
        std::int64_t c = 0, j = 0;
        while (j < ops_num) {
            bool printed = false;
            if (rng.random() < percent) {
                auto size = py_trunc(rng.random() * static_cast<double>(ops_range));
                if (!size) return fail(size.error());
                const Int sz = static_cast<Int>(*size) + 1;
                auto found = heap.malloc(sz);
                if (!found) return fail(found.error());
                if (found->addr != -1) {
                    ptrs[c] = found->addr;
                    live.push_back(c);
                }
                emit(out, "ptr[{}] = Alloc({})", c, sz);
                if (solve)
                    emit(out, " returned {} (searched {} elements)\n", found->addr + header, found->count);
                else
                    out += " returned ?\n";
                ++c;
                ++j;
                printed = true;
            } else if (!ptrs.empty()) {
                auto d = py_trunc(rng.random() * static_cast<double>(live.size()));
                if (!d) return fail(d.error());
                const std::size_t di = static_cast<std::size_t>(*d);
                const std::int64_t victim = live[di];
                const int rc = heap.free(ptrs[victim]);
                emit(out, "Free(ptr[{}])\n", victim);
                if (solve) emit(out, "returned {}\n", rc);
                else out += "returned ?\n";
                ptrs.erase(victim);
                live.erase(live.begin() + static_cast<std::ptrdiff_t>(di));
                printed = true;
                ++j;
            }
            if (printed) {
                if (solve) heap.dump(out);
                else out += "List? \n";
                out += "\n";
            }
        }
        return 0;
    }

    std::int64_t c = 0;
    for (const std::string& op : py_split(ops, ',')) {
        if (op.empty()) return fail("-A: empty operation in the list (the Python tool stops with an IndexError)");
        if (op[0] == '+') {
            const auto parts = py_split(op, '+');
            auto size = py_int(parts[1]);
            if (!size) return fail(Error(fmt::format("-A: operation {}: {}", py_repr(op), size.error().message)));
            auto found = heap.malloc(*size);
            if (!found) return fail(found.error());
            if (found->addr != -1) ptrs[c] = found->addr;
            emit(out, "ptr[{}] = Alloc({})", c, *size);
            if (solve) emit(out, " returned {} (searched {} elements)\n", found->addr, found->count);
            else out += " returned ?\n";
            ++c;
        } else if (op[0] == '-') {
            const auto parts = py_split(op, '-');
            auto index = py_int(parts[1]);
            if (!index) return fail(Error(fmt::format("-A: operation {}: {}", py_repr(op), index.error().message)));
            if (*index >= static_cast<std::int64_t>(ptrs.size())) {
                out += "Invalid Free: Skipping\n";
                continue;
            }
            emit(out, "Free(ptr[{}])\n", *index);
            const auto it = ptrs.find(*index);
            if (it == ptrs.end())
                return failf("-A: operation {} frees ptr[{}], whose allocation failed (the Python tool stops with "
                             "a KeyError)", py_repr(op), *index);
            const int rc = heap.free(it->second);
            if (solve) emit(out, "returned {}\n", rc);
            else out += "returned ?\n";
        } else {
            return failf("-A: operation {} must be +Size or -Index (the Python tool stops with a NameError)", py_repr(op));
        }
        if (solve) heap.dump(out);
        else out += "List?\n";
        out += "\n";
    }
    return 0;
}

}  // namespace

VMLAB_REGISTER(ostep_simulators(), "malloc", "free-list allocator (vm-freespace/malloc.py)",
               OstepSimulator{"malloc.py", {"vm-freespace"}, &run});

}  // namespace vmlab::compat::ostep
