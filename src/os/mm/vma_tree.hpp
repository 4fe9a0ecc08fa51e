// The VMAs of one address space, in a treap keyed by start address and augmented with
// the largest free gap in each subtree, so that lookups, inserts, removals and the
// get_unmapped_area gap searches are all O(log n) (the role Linux's maple tree plays).
//
//     gap(node) = node.start - predecessor.end      (predecessor.end = 0 for the first)
//     max_gap(node) = max(gap(node), max_gap(left), max_gap(right))
//
// Nodes are individually allocated and never move: a Vma* stays valid until that VMA
// is erased. Changing a VMA's bounds goes through reshape() so the gaps stay right.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <vector>

#include "os/mm/vma_struct.hpp"

namespace vmlab::os {

class VmaTree {
public:
    VmaTree() = default;
    ~VmaTree();
    VmaTree(const VmaTree&) = delete;
    VmaTree& operator=(const VmaTree&) = delete;

    std::size_t size() const { return count_; }
    bool empty() const { return count_ == 0; }

    // Linux's find_vma: the first VMA with end > addr (it may start above addr).
    Vma* find(VirtAddr addr) const;
    // The VMA containing addr, or null.
    Vma* lookup(VirtAddr addr) const;
    // The last VMA with start < addr, or null (find_vma_prev's prev for addr).
    Vma* prev_of(VirtAddr addr) const;
    // The first VMA with start >= addr.
    Vma* first_at_or_after(VirtAddr addr) const;
    Vma* next(const Vma* v) const { return first_at_or_after(v->end); }
    Vma* prev(const Vma* v) const { return prev_of(v->start); }
    Vma* first() const;
    Vma* last() const;
    // True when some VMA intersects [lo, hi).
    bool intersects(VirtAddr lo, VirtAddr hi) const;

    // Inserts a copy of v (which must not overlap any VMA); returns the stored VMA.
    Vma* insert(Vma v);
    void erase(Vma* v);
    // Changes a VMA's bounds; the new range must not overlap any other VMA.
    void reshape(Vma* v, VirtAddr start, VirtAddr end);

    // The free gap [lo, hi) (between VMAs, clipped to [low, high)) of at least `length`
    // bytes that lies highest (highest_gap) or lowest (lowest_gap); nullopt when none.
    // Raw gaps, as the maple tree's mas_empty_area(_rev): guard gaps are the caller's.
    struct Gap {
        VirtAddr lo, hi;
    };
    std::optional<Gap> highest_gap(VirtAddr low, VirtAddr high, std::uint64_t length) const;
    std::optional<Gap> lowest_gap(VirtAddr low, VirtAddr high, std::uint64_t length) const;

    // In-order visit of every VMA; the callback must not modify the tree.
    void for_each(const std::function<void(Vma&)>& fn) const;
    // Checks the tree's invariants (ordering, no overlap, gaps, counts); for tests.
    bool check() const;

private:
    struct Node : Vma {
        explicit Node(Vma v) : Vma(std::move(v)) {}
        Node* left = nullptr;
        Node* right = nullptr;
        std::uint64_t prio = 0;
        std::uint64_t gap = 0;
        std::uint64_t max_gap = 0;
    };
    static void update(Node* n);
    static Node* merge(Node* a, Node* b);
    // Splits t into keys < key and keys >= key.
    static void split(Node* t, VirtAddr key, Node*& lo, Node*& hi);
    static void set_leftmost_gap(Node* t, std::uint64_t gap);
    static Node* leftmost(Node* t);
    static Node* rightmost(Node* t);
    static Node* node_of(const Vma* v);
    void destroy(Node* n);
    void link(Node* n);     // inserts a detached node, fixing its gap and its successor's
    void unlink(Node* n);   // detaches a node, fixing its successor's gap
    std::uint64_t prio_for(std::uint64_t key);
    static std::optional<Gap> search_down(Node* n, std::uint64_t low, std::uint64_t high, std::uint64_t length);
    static std::optional<Gap> search_up(Node* n, std::uint64_t low, std::uint64_t high, std::uint64_t length);

    Node* root_ = nullptr;
    std::size_t count_ = 0;
    std::uint64_t seq_ = 0;
};

}  // namespace vmlab::os
