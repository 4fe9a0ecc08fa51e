// The reverse map: for each frame (the head of a block), the (address space, virtual
// address, leaf size) of the leaves that map it. Flat arrays indexed by Pfn: a list head per frame and a pool of
// nodes with a free list (Linux keeps anon_vma chains and the file's i_mmap tree; a
// per-frame list answers the same questions: who maps this page?).
#pragma once

#include <cstdint>
#include <type_traits>
#include <vector>

#include "vmlab/core/result.hpp"
#include "vmlab/core/types.hpp"
#include "vmlab/core/zeroed_array.hpp"

namespace vmlab::os {

struct Mm;

class Rmap {
public:
    explicit Rmap(std::uint64_t frames) : head_(frames) { nodes_.push_back({}); }

    void add(Pfn p, Mm* mm, VirtAddr va, PageSize size) {
        std::uint32_t i = free_;
        if (i) {
            free_ = nodes_[i].next;
        } else {
            i = static_cast<std::uint32_t>(nodes_.size());
            nodes_.push_back({});
        }
        nodes_[i] = Node{mm, va, head_[p.value], size.shift};
        head_[p.value] = i;
    }
    void remove(Pfn p, const Mm* mm, VirtAddr va) {
        std::uint32_t* link = &head_[p.value];
        while (*link) {
            Node& n = nodes_[*link];
            if (n.mm == mm && n.va == va) {
                const std::uint32_t i = *link;
                *link = n.next;
                n = Node{nullptr, VirtAddr{0}, free_, 0};
                free_ = i;
                return;
            }
            link = &n.next;
        }
        VMLAB_ASSERT(false, "rmap entry missing");
    }
    bool empty(Pfn p) const { return head_[p.value] == 0; }
    // Calls fn(Mm*, VirtAddr) or fn(Mm*, VirtAddr, PageSize) for each mapping; fn must not
    // change this frame's list.
    template <class F>
    void for_each(Pfn p, F&& fn) const {
        for (std::uint32_t i = head_[p.value]; i; i = nodes_[i].next) {
            if constexpr (std::is_invocable_v<F&, Mm*, VirtAddr, PageSize>)
                fn(nodes_[i].mm, nodes_[i].va, PageSize::from_shift(nodes_[i].shift));
            else
                fn(nodes_[i].mm, nodes_[i].va);
        }
    }
    // The mappings as a vector (for callers that change the list while walking it).
    std::vector<std::pair<Mm*, VirtAddr>> list(Pfn p) const {
        std::vector<std::pair<Mm*, VirtAddr>> out;
        for_each(p, [&](Mm* mm, VirtAddr va) { out.emplace_back(mm, va); });
        return out;
    }
    std::size_t nodes_in_use() const {
        std::size_t freed = 0;
        for (std::uint32_t i = free_; i; i = nodes_[i].next) ++freed;
        return nodes_.size() - 1 - freed;
    }

private:
    struct Node {
        Mm* mm = nullptr;
        VirtAddr va{};
        std::uint32_t next = 0;
        std::uint8_t shift = 0;  // the leaf's page size
    };
    ZeroedArray<std::uint32_t> head_;
    std::vector<Node> nodes_;  // node 0 is the null sentinel
    std::uint32_t free_ = 0;
};

}  // namespace vmlab::os
