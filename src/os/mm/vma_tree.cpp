#include "os/mm/vma_tree.hpp"

#include <algorithm>

#include "vmlab/core/result.hpp"

namespace vmlab::os {

namespace {
std::uint64_t mix(std::uint64_t z) {
    z += 0x9e3779b97f4a7c15ull;
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}
}  // namespace

VmaTree::~VmaTree() { destroy(root_); }

void VmaTree::destroy(Node* n) {
    while (n) {
        destroy(n->left);
        Node* r = n->right;
        delete n;
        n = r;
    }
}

std::uint64_t VmaTree::prio_for(std::uint64_t key) { return mix(key ^ mix(++seq_)); }

void VmaTree::update(Node* n) {
    std::uint64_t m = n->gap;
    if (n->left) m = std::max(m, n->left->max_gap);
    if (n->right) m = std::max(m, n->right->max_gap);
    n->max_gap = m;
}

VmaTree::Node* VmaTree::merge(Node* a, Node* b) {
    if (!a) return b;
    if (!b) return a;
    if (a->prio > b->prio) {
        a->right = merge(a->right, b);
        update(a);
        return a;
    }
    b->left = merge(a, b->left);
    update(b);
    return b;
}

void VmaTree::split(Node* t, VirtAddr key, Node*& lo, Node*& hi) {
    if (!t) {
        lo = hi = nullptr;
        return;
    }
    if (t->start < key) {
        split(t->right, key, t->right, hi);
        lo = t;
    } else {
        split(t->left, key, lo, t->left);
        hi = t;
    }
    update(t);
}

void VmaTree::set_leftmost_gap(Node* t, std::uint64_t gap) {
    if (t->left)
        set_leftmost_gap(t->left, gap);
    else
        t->gap = gap;
    update(t);
}

VmaTree::Node* VmaTree::leftmost(Node* t) {
    while (t && t->left) t = t->left;
    return t;
}
VmaTree::Node* VmaTree::rightmost(Node* t) {
    while (t && t->right) t = t->right;
    return t;
}
VmaTree::Node* VmaTree::node_of(const Vma* v) { return static_cast<Node*>(const_cast<Vma*>(v)); }

void VmaTree::link(Node* n) {
    VMLAB_ASSERT(n->start < n->end, "empty VMA");
    Node *lo, *hi;
    split(root_, n->start, lo, hi);
    Node* pred = rightmost(lo);
    VMLAB_ASSERT(!pred || pred->end <= n->start, "VMA overlaps its predecessor");
    Node* succ = leftmost(hi);
    VMLAB_ASSERT(!succ || n->end <= succ->start, "VMA overlaps its successor");
    n->gap = n->start.value - (pred ? pred->end.value : 0);
    n->left = n->right = nullptr;
    update(n);
    if (succ) set_leftmost_gap(hi, succ->start - n->end);
    root_ = merge(merge(lo, n), hi);
}

void VmaTree::unlink(Node* n) {
    Node *lo, *mid, *hi;
    split(root_, n->start, lo, mid);
    split(mid, n->start + 1, mid, hi);
    VMLAB_ASSERT(mid == n && !n->left && !n->right, "VMA not in its tree");
    Node* pred = rightmost(lo);
    if (hi) {
        Node* succ = leftmost(hi);
        set_leftmost_gap(hi, succ->start.value - (pred ? pred->end.value : 0));
    }
    root_ = merge(lo, hi);
}

Vma* VmaTree::insert(Vma v) {
    Node* n = new Node(std::move(v));
    n->prio = prio_for(n->start.value);
    link(n);
    ++count_;
    return n;
}

void VmaTree::erase(Vma* v) {
    Node* n = node_of(v);
    unlink(n);
    --count_;
    delete n;
}

void VmaTree::reshape(Vma* v, VirtAddr start, VirtAddr end) {
    Node* n = node_of(v);
    unlink(n);
    n->start = start;
    n->end = end;
    link(n);
}

Vma* VmaTree::find(VirtAddr addr) const {
    Node* res = nullptr;
    for (Node* n = root_; n;) {
        if (n->end > addr) {
            res = n;
            n = n->left;
        } else {
            n = n->right;
        }
    }
    return res;
}

Vma* VmaTree::lookup(VirtAddr addr) const {
    Vma* v = find(addr);
    return (v && v->start <= addr) ? v : nullptr;
}

Vma* VmaTree::prev_of(VirtAddr addr) const {
    Node* res = nullptr;
    for (Node* n = root_; n;) {
        if (n->start < addr) {
            res = n;
            n = n->right;
        } else {
            n = n->left;
        }
    }
    return res;
}

Vma* VmaTree::first_at_or_after(VirtAddr addr) const {
    Node* res = nullptr;
    for (Node* n = root_; n;) {
        if (n->start >= addr) {
            res = n;
            n = n->left;
        } else {
            n = n->right;
        }
    }
    return res;
}

Vma* VmaTree::first() const { return leftmost(root_); }
Vma* VmaTree::last() const { return rightmost(root_); }

bool VmaTree::intersects(VirtAddr lo, VirtAddr hi) const {
    Vma* v = find(lo);
    return v && v->start < hi;
}

std::optional<VmaTree::Gap> VmaTree::search_down(Node* n, std::uint64_t low, std::uint64_t high,
                                                 std::uint64_t length) {
    if (!n || n->max_gap < length) return std::nullopt;
    // Gaps in the right subtree all start at or above n->end.
    if (n->end.value < high) {
        if (auto r = search_down(n->right, low, high, length)) return r;
    }
    const std::uint64_t pred_end = n->start.value - n->gap;
    const std::uint64_t lo = std::max(pred_end, low), hi = std::min(n->start.value, high);
    if (hi > lo && hi - lo >= length) return Gap{VirtAddr{lo}, VirtAddr{hi}};
    // Gaps in the left subtree all end at or below pred_end.
    if (pred_end > low) return search_down(n->left, low, high, length);
    return std::nullopt;
}

std::optional<VmaTree::Gap> VmaTree::search_up(Node* n, std::uint64_t low, std::uint64_t high, std::uint64_t length) {
    if (!n || n->max_gap < length) return std::nullopt;
    const std::uint64_t pred_end = n->start.value - n->gap;
    if (pred_end > low) {
        if (auto l = search_up(n->left, low, high, length)) return l;
    }
    const std::uint64_t lo = std::max(pred_end, low), hi = std::min(n->start.value, high);
    if (hi > lo && hi - lo >= length) return Gap{VirtAddr{lo}, VirtAddr{hi}};
    if (n->end.value < high) return search_up(n->right, low, high, length);
    return std::nullopt;
}

std::optional<VmaTree::Gap> VmaTree::highest_gap(VirtAddr low, VirtAddr high, std::uint64_t length) const {
    if (length == 0 || high <= low || high - low < length) return std::nullopt;
    Node* last = rightmost(root_);
    const std::uint64_t tail_lo = std::max(last ? last->end.value : 0, low.value);
    if (high.value > tail_lo && high.value - tail_lo >= length) return Gap{VirtAddr{tail_lo}, high};
    return search_down(root_, low.value, high.value, length);
}

std::optional<VmaTree::Gap> VmaTree::lowest_gap(VirtAddr low, VirtAddr high, std::uint64_t length) const {
    if (length == 0 || high <= low || high - low < length) return std::nullopt;
    if (auto g = search_up(root_, low.value, high.value, length)) return g;
    Node* last = rightmost(root_);
    const std::uint64_t tail_lo = std::max(last ? last->end.value : 0, low.value);
    if (high.value > tail_lo && high.value - tail_lo >= length) return Gap{VirtAddr{tail_lo}, high};
    return std::nullopt;
}

void VmaTree::for_each(const std::function<void(Vma&)>& fn) const {
    // Iterative in-order walk (the treap's depth is O(log n) but recursion is avoided anyway).
    std::vector<Node*> stack;
    Node* n = root_;
    while (n || !stack.empty()) {
        while (n) {
            stack.push_back(n);
            n = n->left;
        }
        n = stack.back();
        stack.pop_back();
        Node* right = n->right;
        fn(*n);
        n = right;
    }
}

bool VmaTree::check() const {
    bool good = true;
    std::size_t count = 0;
    std::uint64_t prev_end = 0;
    for_each([&](Vma& v) {
        Node* n = node_of(&v);
        ++count;
        if (v.start >= v.end || v.start.value < prev_end) good = false;
        if (n->gap != v.start.value - prev_end) good = false;
        std::uint64_t m = n->gap;
        if (n->left) m = std::max(m, n->left->max_gap);
        if (n->right) m = std::max(m, n->right->max_gap);
        if (n->max_gap != m) good = false;
        if ((n->left && n->left->prio > n->prio) || (n->right && n->right->prio > n->prio)) good = false;
        prev_end = v.end.value;
    });
    return good && count == count_;
}

}  // namespace vmlab::os
