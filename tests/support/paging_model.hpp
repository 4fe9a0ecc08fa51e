// A reference model of a page table and a random-operation driver, shared by the
// conformance suites of every paging format.
//
// The model is a std::map from page base VA to what should be mapped there (a present
// page or a swap entry, of a given size). It knows nothing about entry bits: it decides on
// its own which operations must succeed (an overlap with a larger page, or smaller pages
// under a new larger page, must fail), which table nodes must exist (one per distinct VA
// prefix above each mapping) and therefore how many frames the tables must use. The
// expected raw leaf is what the format's encoder produces (the encoders themselves are
// checked against the ISA manuals by the per-format unit tests).
//
// Use: construct a PagingModelDriver for a format, call step() many times, check() now
// and then; the MMU suite adds translate()-vs-model checks through model() and table().
#pragma once

#include <gtest/gtest.h>

#include <bit>
#include <cstdio>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "vmlab/core/rng.hpp"
#include "vmlab/hw/paging.hpp"
#include "vmlab/hw/phys_mem.hpp"

namespace vmlab::conformance {

struct ModelEntry {
    PageSize size{};
    unsigned level = 0;
    bool swap = false;            // a swap entry rather than a present page
    PhysAddr pa{};                // present: page base
    LeafAttrs attrs{};            // present: attributes asked for
    std::uint64_t payload = 0;    // swap: payload
    std::uint64_t raw = 0;        // the entry the format encodes for this state
};

class PagingModel {
public:
    explicit PagingModel(const PagingFormat& fmt) : fmt_(fmt) {}

    const std::map<std::uint64_t, ModelEntry>& entries() const { return map_; }

    // The entry covering va, with its base VA.
    std::optional<std::pair<std::uint64_t, ModelEntry>> find(VirtAddr va) const {
        auto it = map_.upper_bound(va.value);
        if (it == map_.begin()) return std::nullopt;
        --it;
        if (va.value - it->first < it->second.size.bytes()) return *it;
        return std::nullopt;
    }

    // Whether a leaf of `size` at va can be written: no larger entry covers va and no
    // smaller entry lies inside [va, va + size). An entry of the same size at va is fine.
    bool can_place(VirtAddr va, PageSize size) const {
        if (auto e = find(va)) {
            if (e->first == va.value && e->second.size == size) return true;
            return false;
        }
        auto it = map_.lower_bound(va.value);
        return it == map_.end() || it->first - va.value >= size.bytes();
    }

    void put(VirtAddr va, const ModelEntry& e) { map_[va.value] = e; }
    void erase(VirtAddr va) { map_.erase(va.value); }
    ModelEntry* at(VirtAddr va) {
        auto it = map_.find(va.value);
        return it == map_.end() ? nullptr : &it->second;
    }

    // Frames the table nodes must use: the root, plus for each entry at level L one node
    // per level 1..L identified by the VA bits above that level's index.
    std::uint64_t implied_table_frames(PageSize frame) const {
        const auto& g = fmt_.geometry();
        std::set<std::pair<unsigned, std::uint64_t>> nodes;
        for (const auto& [va, e] : map_)
            for (unsigned l = 1; l <= e.level; ++l) {
                const unsigned above = g.levels[l - 1].shift;
                nodes.emplace(l, above >= 64 ? 0 : va >> above);
            }
        std::uint64_t frames = frames_of(0, frame);
        for (const auto& n : nodes) frames += frames_of(n.first, frame);
        return frames;
    }

    std::uint64_t frames_of(unsigned level, PageSize frame) const {
        const std::uint64_t bytes = fmt_.geometry().levels[level].table_bytes();
        const std::uint64_t f = (bytes + frame.mask()) >> frame.shift;
        return std::bit_ceil(f);
    }

private:
    const PagingFormat& fmt_;
    std::map<std::uint64_t, ModelEntry> map_;
};

// Memory for a format's conformance run: base frames of the smallest page size, and as
// much RAM as the format can address, up to 256 MiB.
inline PhysMemConfig conformance_memory(const PagingFormat& fmt) {
    const auto& g = fmt.geometry();
    PhysMemConfig c;
    c.frame = g.page_sizes().front();
    const unsigned bits = std::min<unsigned>(g.pa_bits, 28);
    c.bytes = std::uint64_t{1} << bits;
    return c;
}

class PagingModelDriver {
public:
    PagingModelDriver(const PagingFormat& fmt, std::uint64_t seed)
        : fmt_(fmt), mem_(conformance_memory(fmt)), model_(fmt), rng_(seed) {
        const auto& g = fmt.geometry();
        sizes_ = g.page_sizes();
        initial_free_ = mem_.allocator().free_frames();
        auto t = PageTable::create(fmt, mem_);
        EXPECT_TRUE(t.has_value()) << (t ? "" : t.error().str());
        table_ = std::move(*t);
        // Arenas: a few regions, each a few of the largest pages wide, so that operations
        // collide (huge pages over small ones, shared tables) but also spread over the
        // whole address space (both canonical halves, top-level indices far apart).
        const PageSize big = sizes_.back();
        const unsigned va_bits = g.va_bits;
        const std::uint64_t span = std::uint64_t{4} << big.shift;
        for (int i = 0; i < 4; ++i) {
            std::uint64_t base = va_bits >= 64 ? rng_.next() : rng_.next() & ((std::uint64_t{1} << va_bits) - 1);
            if (va_bits < 64 && span >= (std::uint64_t{1} << va_bits)) base = 0;
            base &= ~(span - 1);
            if (va_bits < 64 && base + span > (std::uint64_t{1} << va_bits)) base = 0;
            arenas_.push_back(base);
        }
        arena_span_ = va_bits < 64 ? std::min(span, std::uint64_t{1} << va_bits) : span;
    }

    const PagingFormat& format() const { return fmt_; }
    PhysMem& mem() { return mem_; }
    PageTable& table() { return *table_; }
    const PagingModel& model() const { return model_; }
    Rng& rng() { return rng_; }
    std::uint64_t ops() const { return ops_; }

    // A canonical VA inside one of the arenas, aligned to `ps`.
    VirtAddr random_va(PageSize ps) {
        const auto& g = fmt_.geometry();
        const std::uint64_t base = arenas_[rng_.below(arenas_.size())];
        std::uint64_t va = base + (rng_.below(arena_span_ >> ps.shift) << ps.shift);
        if (g.sign_extended && g.va_bits < 64 && ((va >> (g.va_bits - 1)) & 1))
            va |= ~((std::uint64_t{1} << g.va_bits) - 1);
        return VirtAddr{va};
    }

    PhysAddr random_pa(PageSize ps) {
        const auto& g = fmt_.geometry();
        const unsigned bits = std::min<unsigned>(g.pa_bits, 63);
        if (bits <= ps.shift) return PhysAddr{0};
        return PhysAddr{rng_.below(std::uint64_t{1} << (bits - ps.shift)) << ps.shift};
    }

    LeafAttrs random_attrs() {
        LeafAttrs a;
        a.prot.read = true;
        a.prot.write = rng_.below(2);
        a.prot.exec = rng_.below(2);
        a.prot.user = rng_.below(2);
        a.global = rng_.below(2);
        a.accessed = rng_.below(2);
        a.dirty = rng_.below(2);
        a.sw = static_cast<std::uint8_t>(rng_.below(4));
        return a;
    }

    // One random operation applied to the table and the model; failures are reported
    // through GoogleTest with the operation's description.
    void step() {
        ++ops_;
        const auto& g = fmt_.geometry();
        const PageSize ps = sizes_[rng_.below(sizes_.size())];
        const unsigned level = static_cast<unsigned>(g.level_for(ps));
        const unsigned op = static_cast<unsigned>(rng_.below(100));
        // Half the time operate on an existing entry, so that protect/unmap find something.
        VirtAddr va = random_va(ps);
        if (op >= 45 && !model_.entries().empty() && rng_.below(2)) {
            auto it = model_.entries().begin();
            std::advance(it, static_cast<long>(rng_.below(std::min<std::uint64_t>(model_.entries().size(), 64))));
            va = VirtAddr{it->first};
        }
        if (op < 45) {  // map
            const PhysAddr pa = random_pa(ps);
            const LeafAttrs a = random_attrs();
            const bool expect = model_.can_place(va, ps);
            const Status s = table_->map(va, pa, ps, a);
            ASSERT_EQ(s.has_value(), expect) << describe("map", va, ps) << (s ? "" : ": " + s.error().str());
            if (s) model_.put(va, ModelEntry{ps, level, false, pa, a, 0, fmt_.encode_leaf(level, pa, a)});
        } else if (op < 60) {  // protect
            const LeafAttrs a = random_attrs();
            auto cur = model_.find(va);
            const bool expect = cur && !cur->second.swap;
            ASSERT_EQ(table_->protect(va, a), expect) << describe("protect", va, ps);
            if (expect) {
                ModelEntry* e = model_.at(VirtAddr{cur->first});
                e->attrs = a;
                e->raw = fmt_.encode_leaf(e->level, e->pa, a);
            }
        } else if (op < 80) {  // unmap
            auto cur = model_.find(va);
            const PteView v = table_->unmap(va);
            ASSERT_EQ(v.present, cur && !cur->second.swap) << describe("unmap", va, ps);
            if (cur) {
                ASSERT_EQ(v.raw, cur->second.raw) << describe("unmap", va, ps);
                model_.erase(VirtAddr{cur->first});
            }
        } else if (op < 90 && g.swap_payload_bits > 0) {  // set_swap
            va = va.align_down(ps);
            const unsigned pbits = std::min<unsigned>(g.swap_payload_bits, 40);
            const std::uint64_t payload = rng_.below(std::uint64_t{1} << pbits);
            const bool expect = model_.can_place(va, ps);
            const Status s = table_->set_swap(va, ps, payload);
            ASSERT_EQ(s.has_value(), expect) << describe("set_swap", va, ps) << (s ? "" : ": " + s.error().str());
            if (s) model_.put(va, ModelEntry{ps, level, true, {}, {}, payload, fmt_.encode_swap(level, payload)});
        } else {  // test_and_clear_accessed / dirty
            auto cur = model_.find(va);
            const bool present = cur && !cur->second.swap;
            const bool dirty_op = rng_.below(2);
            const bool got = dirty_op ? table_->test_and_clear_dirty(va) : table_->test_and_clear_accessed(va);
            if (!present) {
                ASSERT_FALSE(got) << describe("test_and_clear", va, ps);
            } else {
                ModelEntry* e = model_.at(VirtAddr{cur->first});
                const DecodedEntry d = fmt_.decode(e->level, e->raw);
                const bool was = dirty_op ? d.dirty : d.accessed;
                ASSERT_EQ(got, was) << describe(dirty_op ? "test_and_clear_dirty" : "test_and_clear_accessed", va, ps);
                if (was) e->raw = dirty_op ? fmt_.clear_dirty(e->level, e->raw) : fmt_.clear_accessed(e->level, e->raw);
            }
        }
        check_va(va);
    }

    // The table agrees with the model at va (and at a byte inside the page).
    void check_va(VirtAddr va) {
        const PteView v = table_->query(va);
        const auto cur = model_.find(va);
        if (!cur) {
            ASSERT_FALSE(v.present) << describe("query (unmapped)", va, {});
            ASSERT_FALSE(v.swap.has_value()) << describe("query (unmapped)", va, {});
            return;
        }
        const ModelEntry& e = cur->second;
        ASSERT_EQ(v.level, e.level) << describe("query level", va, e.size);
        ASSERT_EQ(v.raw, e.raw) << describe("query raw", va, e.size);
        if (e.swap) {
            ASSERT_FALSE(v.present) << describe("query swap", va, e.size);
            ASSERT_TRUE(v.swap.has_value()) << describe("query swap", va, e.size);
            ASSERT_EQ(*v.swap, e.payload) << describe("query swap", va, e.size);
        } else {
            ASSERT_TRUE(v.present) << describe("query present", va, e.size);
            ASSERT_EQ(v.base, e.pa) << describe("query base", va, e.size);
            ASSERT_EQ(v.size, e.size) << describe("query size", va, e.size);
        }
    }

    // Every model entry is in the table (query and for_each_leaf), a sample of other VAs
    // are not, and the table frames are exactly what the model implies.
    void check() {
        for (const auto& [va, e] : model_.entries()) {
            check_va(VirtAddr{va});
            check_va(VirtAddr{va + e.size.bytes() - 1});
            if (::testing::Test::HasFatalFailure()) return;
        }
        for (int i = 0; i < 64; ++i) {
            check_va(random_va(sizes_.front()));
            if (::testing::Test::HasFatalFailure()) return;
        }
        std::map<std::uint64_t, PteView> seen;
        table_->for_each_leaf(VirtAddr{0}, VirtAddr{~std::uint64_t{0}},
                              [&](VirtAddr va, const PteView& v) { seen.emplace(va.value, v); });
        ASSERT_EQ(seen.size(), model_.entries().size()) << fmt_.name() << ": for_each_leaf count";
        for (const auto& [va, e] : model_.entries()) {
            auto it = seen.find(va);
            ASSERT_NE(it, seen.end()) << fmt_.name() << ": for_each_leaf misses VA 0x" << std::hex << va;
            ASSERT_EQ(it->second.raw, e.raw) << fmt_.name() << ": for_each_leaf raw at 0x" << std::hex << va;
        }
        ASSERT_EQ(table_->stats().table_frames, model_.implied_table_frames(mem_.frame_size()))
            << fmt_.name() << ": table frames after " << ops_ << " operations";
        ASSERT_EQ(mem_.allocator().free_frames() + table_->stats().table_frames, initial_free_)
            << fmt_.name() << ": frames not accounted for";
    }

    // Destroys the table; every frame it took must be back in the allocator.
    void finish() {
        table_.reset();
        ASSERT_EQ(mem_.allocator().free_frames(), initial_free_) << fmt_.name() << ": table frames leaked";
        for (std::uint64_t p = 0; p < mem_.frame_count(); ++p)
            ASSERT_FALSE(mem_.has_flag(Pfn{p}, kFramePageTable)) << fmt_.name() << ": frame " << p << " still a table";
    }

    std::string describe(const char* op, VirtAddr va, PageSize ps) const {
        char buf[160];
        std::snprintf(buf, sizeof buf, "%s: op %llu %s VA 0x%llx size 2^%u", fmt_.name().c_str(),
                      static_cast<unsigned long long>(ops_), op, static_cast<unsigned long long>(va.value),
                      unsigned(ps.shift));
        return buf;
    }

private:
    const PagingFormat& fmt_;
    PhysMem mem_;
    PagingModel model_;
    Rng rng_;
    std::unique_ptr<PageTable> table_;
    std::vector<PageSize> sizes_;
    std::vector<std::uint64_t> arenas_;
    std::uint64_t arena_span_ = 0;
    std::uint64_t initial_free_ = 0;
    std::uint64_t ops_ = 0;
};

}  // namespace vmlab::conformance
