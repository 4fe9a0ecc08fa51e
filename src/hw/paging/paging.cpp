// The paging-format registry and the generic PageTable over any PagingFormat.
//
// PageTable keeps no shadow of the tree: the entries in simulated physical memory are the
// only truth, read and decoded through the format on every operation. It remembers only
// which table nodes it allocated (to free them), so a node written by write_raw or left by
// an adopted root is never freed by mistake.
//
// Table entries created here grant everything the format lets a table entry grant (x86
// R/W=1 U/S=1 NX=0, as Linux's _PAGE_TABLE), so the permissions of a mapping are those of
// its leaf.
#include "vmlab/hw/paging.hpp"

#include <algorithm>
#include <bit>

#include "vmlab/core/strings.hpp"
#include "vmlab/hw/phys_mem.hpp"

namespace vmlab {

Registry<PagingFormatFactory>& paging_formats() {
    static Registry<PagingFormatFactory> r("paging-format", "page-table formats of real ISAs and textbooks");
    return r;
}

Result<std::unique_ptr<PagingFormat>> make_paging_format(std::string_view name, const PagingOptions& opt) {
    const auto* e = paging_formats().find(name);
    if (!e) return fail(unknown_name_message("paging format", name, paging_formats().names()));
    return e->make(opt);
}

std::vector<PageSize> PagingGeometry::page_sizes() const {
    std::vector<PageSize> out;
    for (const auto& l : levels)
        if (l.leaf_allowed) out.push_back(l.leaf_size());
    std::sort(out.begin(), out.end());
    return out;
}

int PagingGeometry::level_for(PageSize ps) const {
    for (unsigned i = 0; i < levels.size(); ++i)
        if (levels[i].leaf_allowed && levels[i].shift == ps.shift) return static_cast<int>(i);
    return -1;
}

std::string perm_string(PermMask m) {
    std::string s = "U:";
    s += (m & kPermUR) ? 'r' : '-';
    s += (m & kPermUW) ? 'w' : '-';
    s += (m & kPermUX) ? 'x' : '-';
    s += " K:";
    s += (m & kPermKR) ? 'r' : '-';
    s += (m & kPermKW) ? 'w' : '-';
    s += (m & kPermKX) ? 'x' : '-';
    return s;
}

LeafAttrs leaf_attrs_from(const DecodedEntry& d) {
    LeafAttrs a;
    const PermMask m = d.allow;
    a.prot.user = (m & (kPermUR | kPermUW | kPermUX)) != 0;
    if (a.prot.user) {
        a.prot.read = (m & kPermUR) != 0;
        a.prot.write = (m & kPermUW) != 0;
        a.prot.exec = (m & kPermUX) != 0;
    } else {
        a.prot.read = (m & kPermKR) != 0;
        a.prot.write = (m & kPermKW) != 0;
        a.prot.exec = (m & kPermKX) != 0;
    }
    a.global = d.global;
    a.accessed = d.accessed;
    a.dirty = d.dirty;
    a.cache = d.cache;
    a.sw = d.sw;
    return a;
}

std::uint64_t PageTableStats::bytes() const { return table_frames * frame_bytes; }

// ---- PageTable ------------------------------------------------------------------------

PageTable::PageTable(const PagingFormat& fmt, PhysMem& mem, PhysAddr root, bool owned)
    : fmt_(fmt), mem_(mem), root_(root), owned_(owned) {
    const auto& g = fmt_.geometry();
    VMLAB_ASSERT(g.depth() >= 1 && g.depth() <= kMaxDepth, "paging format depth out of range");
    stats_.frame_bytes = mem_.frame_size().bytes();
    table_limit_ = g.pa_bits >= 64 ? 0 : std::uint64_t{1} << g.pa_bits;
    table_zone_ = -1;
    if (table_limit_) {
        const unsigned zc = mem_.zone_count();
        if (mem_.zone_end(zc - 1).addr(mem_.frame_size()).value > table_limit_) {
            table_zone_ = 0;
            for (unsigned z = 0; z < zc; ++z)
                if (mem_.zone_end(z).addr(mem_.frame_size()).value <= table_limit_) table_zone_ = static_cast<int>(z);
        }
    }
}

Result<std::unique_ptr<PageTable>> PageTable::create(const PagingFormat& fmt, PhysMem& mem) {
    std::unique_ptr<PageTable> pt(new PageTable(fmt, mem, PhysAddr{0}, true));
    auto root = pt->alloc_table(0);
    if (!root) return fail(root.error());
    pt->root_ = *root;
    return pt;
}

PageTable::~PageTable() {
    if (!owned_) return;
    for (const auto& [pa, order] : tables_) release_table(PhysAddr{pa}, order);
    tables_.clear();
}

std::uint64_t PageTable::read_entry(PhysAddr pa, unsigned level) const {
    return mem_.read_uint(pa, fmt_.geometry().levels[level].entry_bytes);
}

void PageTable::write_entry(PhysAddr pa, unsigned level, std::uint64_t raw) {
    mem_.write_uint(pa, fmt_.geometry().levels[level].entry_bytes, raw);
}

Result<PhysAddr> PageTable::alloc_table(unsigned level) {
    const auto& lv = fmt_.geometry().levels[level];
    const PageSize frame = mem_.frame_size();
    const std::uint64_t bytes = lv.table_bytes();
    const std::uint64_t frames = (bytes + frame.mask()) >> frame.shift;
    const unsigned order = static_cast<unsigned>(std::bit_width(frames - 1));
    const auto pfn = mem_.allocator().alloc(order, table_zone_);
    if (!pfn)
        return failf("out of physical memory: cannot allocate a {} table ({})", lv.name, format_bytes(bytes));
    const PhysAddr pa = pfn->addr(frame);
    const std::uint64_t n = std::uint64_t{1} << order;
    if (table_limit_ && (pa.value >= table_limit_ || (n << frame.shift) > table_limit_ - pa.value)) {
        mem_.allocator().free(*pfn, order);
        return failf("no free memory below {} for a {} table: {} entries cannot point higher",
                     format_bytes(table_limit_), lv.name, fmt_.name());
    }
    mem_.zero_frames(*pfn, n);
    for (std::uint64_t i = 0; i < n; ++i) mem_.set_flag(*pfn + i, kFramePageTable);
    tables_.emplace(pa.value, static_cast<std::uint8_t>(order));
    stats_.table_frames += n;
    ++stats_.tables_allocated;
    return pa;
}

void PageTable::release_table(PhysAddr pa, unsigned order) {
    const Pfn pfn = pa.pfn(mem_.frame_size());
    const std::uint64_t n = std::uint64_t{1} << order;
    for (std::uint64_t i = 0; i < n; ++i) mem_.clear_flag(pfn + i, kFramePageTable);
    mem_.zero_frames(pfn, n);
    mem_.allocator().free(pfn, order);
    stats_.table_frames -= n;
    ++stats_.tables_freed;
}

PageTable::Walk PageTable::walk(VirtAddr va) const {
    const auto& g = fmt_.geometry();
    Walk w;
    PhysAddr table = root_;
    for (unsigned l = 0;; ++l) {
        const auto& lv = g.levels[l];
        w.level = l;
        w.table[l] = table;
        w.entry[l] = table + g.index(l, va) * lv.entry_bytes;
        w.raw = read_entry(w.entry[l], l);
        w.d = fmt_.decode(l, w.raw);
        if (w.d.kind != EntryKind::Table) return w;
        if (l + 1 >= g.depth() || !mem_.contains(PhysAddr{w.d.addr}, g.levels[l + 1].table_bytes())) {
            w.broken = true;
            return w;
        }
        table = PhysAddr{w.d.addr};
    }
}

PteView PageTable::view_of(unsigned level, PhysAddr entry_pa, std::uint64_t raw, const DecodedEntry& d) const {
    PteView v;
    v.level = level;
    v.entry_pa = entry_pa;
    v.raw = raw;
    v.kind = d.kind;
    if (d.kind == EntryKind::Leaf) {
        v.present = true;
        v.base = PhysAddr{d.addr};
        v.size = d.size;
        v.attrs = leaf_attrs_from(d);
        v.perms = d.allow;
    } else if (d.kind == EntryKind::Invalid) {
        v.swap = fmt_.decode_swap(level, raw);
    }
    return v;
}

PteView PageTable::query(VirtAddr va) const {
    if (!fmt_.canonical(va)) return PteView{};
    const Walk w = walk(va);
    PteView v = view_of(w.level, w.entry[w.level], w.raw, w.d);
    if (w.broken) {
        v.present = false;
        v.kind = EntryKind::Reserved;
    }
    return v;
}

Result<PhysAddr> PageTable::entry_for(VirtAddr va, unsigned level, const char* op) {
    const auto& g = fmt_.geometry();
    PhysAddr table = root_;
    bool created = false;
    for (unsigned l = 0; l < level; ++l) {
        const auto& lv = g.levels[l];
        const PhysAddr e = table + g.index(l, va) * lv.entry_bytes;
        const std::uint64_t raw = read_entry(e, l);
        const DecodedEntry d = fmt_.decode(l, raw);
        const char* why = nullptr;
        if (d.kind == EntryKind::Table) {
            if (!mem_.contains(PhysAddr{d.addr}, g.levels[l + 1].table_bytes()))
                why = "its entry points outside physical memory";
            else {
                table = PhysAddr{d.addr};
                continue;
            }
        } else if (d.kind == EntryKind::Leaf) {
            why = "it lies inside a larger page";
        } else if (d.kind == EntryKind::Reserved) {
            why = "an entry above it has a reserved encoding";
        } else if (raw != 0) {
            why = "a swap entry for a larger page is in the way";
        } else {
            auto next = alloc_table(l + 1);
            if (!next) {
                if (created && free_empty_tables) prune(va, l);
                return fail(next.error());
            }
            write_entry(e, l, fmt_.encode_table(l, *next));
            created = true;
            table = *next;
            continue;
        }
        if (created && free_empty_tables) prune(va, l);
        return failf("{}: cannot reach the {} entry of VA 0x{:x}: {} ({} level)", op, g.levels[level].name, va.value,
                     why, lv.name);
    }
    return table + g.index(level, va) * g.levels[level].entry_bytes;
}

Status PageTable::map(VirtAddr va, PhysAddr pa, PageSize size, const LeafAttrs& attrs) {
    const auto& g = fmt_.geometry();
    const int level = g.level_for(size);
    if (level < 0) return failf("map: {} pages are not supported by {}", format_bytes(size.bytes()), fmt_.name());
    if (!fmt_.canonical(va)) return failf("map: VA 0x{:x} is not canonical for {}", va.value, fmt_.name());
    if (!va.aligned(size)) return failf("map: VA 0x{:x} is not aligned to its page size ({})", va.value, format_bytes(size.bytes()));
    if (!pa.aligned(size)) return failf("map: PA 0x{:x} is not aligned to its page size ({})", pa.value, format_bytes(size.bytes()));
    if (table_limit_ && (pa.value >= table_limit_ || size.bytes() > table_limit_ - pa.value))
        return failf("map: PA 0x{:x} is beyond the {}-bit physical addresses of {}", pa.value, g.pa_bits, fmt_.name());
    const unsigned L = static_cast<unsigned>(level);
    auto e = entry_for(va, L, "map");
    if (!e) return fail(e.error());
    const std::uint64_t raw = read_entry(*e, L);
    if (raw != 0 && fmt_.decode(L, raw).kind == EntryKind::Table)
        return failf("map: a {} table is in the way of the {} page at VA 0x{:x} (unmap the smaller pages first)",
                     L + 1 < g.depth() ? g.levels[L + 1].name : "", format_bytes(size.bytes()), va.value);
    write_entry(*e, L, fmt_.encode_leaf(L, pa, attrs));
    return ok();
}

Status PageTable::set_swap(VirtAddr va, PageSize size, std::uint64_t payload) {
    const auto& g = fmt_.geometry();
    const int level = g.level_for(size);
    if (level < 0) return failf("set_swap: {} pages are not supported by {}", format_bytes(size.bytes()), fmt_.name());
    if (!fmt_.canonical(va)) return failf("set_swap: VA 0x{:x} is not canonical for {}", va.value, fmt_.name());
    if (!va.aligned(size)) return failf("set_swap: VA 0x{:x} is not aligned to {}", va.value, format_bytes(size.bytes()));
    if (g.swap_payload_bits == 0) return failf("set_swap: {} has no room for swap entries", fmt_.name());
    if (g.swap_payload_bits < 64 && (payload >> g.swap_payload_bits) != 0)
        return failf("set_swap: payload 0x{:x} does not fit the {} bits of a {} swap entry", payload,
                     g.swap_payload_bits, fmt_.name());
    const unsigned L = static_cast<unsigned>(level);
    auto e = entry_for(va, L, "set_swap");
    if (!e) return fail(e.error());
    const std::uint64_t raw = read_entry(*e, L);
    if (raw != 0 && fmt_.decode(L, raw).kind == EntryKind::Table)
        return failf("set_swap: a table is in the way of the {} entry at VA 0x{:x}", format_bytes(size.bytes()), va.value);
    write_entry(*e, L, fmt_.encode_swap(L, payload));
    return ok();
}

Status PageTable::write_raw(VirtAddr va, unsigned level, std::uint64_t raw) {
    const auto& g = fmt_.geometry();
    if (level >= g.depth()) return failf("write_raw: level {} does not exist in {} ({} levels)", level, fmt_.name(), g.depth());
    if (!fmt_.canonical(va)) return failf("write_raw: VA 0x{:x} is not canonical for {}", va.value, fmt_.name());
    auto e = entry_for(va, level, "write_raw");
    if (!e) return fail(e.error());
    write_entry(*e, level, raw);
    if (raw == 0 && free_empty_tables) prune(va, level);
    return ok();
}

PteView PageTable::unmap(VirtAddr va) {
    if (!fmt_.canonical(va)) return PteView{};
    const Walk w = walk(va);
    if (w.broken || w.raw == 0) return view_of(w.level, w.entry[w.level], w.raw, w.d);
    PteView before = view_of(w.level, w.entry[w.level], w.raw, w.d);
    write_entry(w.entry[w.level], w.level, 0);
    if (free_empty_tables) prune(va, w.level);
    return before;
}

bool PageTable::protect(VirtAddr va, const LeafAttrs& attrs) {
    if (!fmt_.canonical(va)) return false;
    const Walk w = walk(va);
    if (w.broken || w.d.kind != EntryKind::Leaf) return false;
    write_entry(w.entry[w.level], w.level, fmt_.encode_leaf(w.level, PhysAddr{w.d.addr}, attrs));
    return true;
}

bool PageTable::test_and_clear_accessed(VirtAddr va) {
    if (!fmt_.canonical(va)) return false;
    const Walk w = walk(va);
    if (w.broken || w.d.kind != EntryKind::Leaf) return false;
    if (w.d.accessed) write_entry(w.entry[w.level], w.level, fmt_.clear_accessed(w.level, w.raw));
    return w.d.accessed;
}

bool PageTable::test_and_clear_dirty(VirtAddr va) {
    if (!fmt_.canonical(va)) return false;
    const Walk w = walk(va);
    if (w.broken || w.d.kind != EntryKind::Leaf) return false;
    if (w.d.dirty) write_entry(w.entry[w.level], w.level, fmt_.clear_dirty(w.level, w.raw));
    return w.d.dirty;
}

void PageTable::prune(VirtAddr va, unsigned level) {
    const auto& g = fmt_.geometry();
    // The table holding va's entry at level l sits at the address the level l-1 entry
    // points to; free it when all its bytes are zero, then clear that entry, and go up.
    for (unsigned l = level; l >= 1; --l) {
        PhysAddr table = root_, parent_entry{};
        bool reached = true;
        for (unsigned k = 0; k < l; ++k) {
            parent_entry = table + g.index(k, va) * g.levels[k].entry_bytes;
            const DecodedEntry d = fmt_.decode(k, read_entry(parent_entry, k));
            if (d.kind != EntryKind::Table || !mem_.contains(PhysAddr{d.addr}, g.levels[k + 1].table_bytes())) {
                reached = false;
                break;
            }
            table = PhysAddr{d.addr};
        }
        if (!reached) return;
        const auto it = tables_.find(table.value);
        if (it == tables_.end() || table == root_) return;
        if (!mem_.range_is_zero(table, g.levels[l].table_bytes())) return;
        const unsigned order = it->second;
        tables_.erase(it);
        write_entry(parent_entry, l - 1, 0);
        release_table(table, order);
    }
}

void PageTable::visit(PhysAddr table, unsigned level, std::uint64_t prefix, std::uint64_t lo, std::uint64_t hi,
                      const std::function<void(VirtAddr, const PteView&)>& fn) const {
    const auto& g = fmt_.geometry();
    const auto& lv = g.levels[level];
    const std::uint64_t n = std::uint64_t{1} << lv.bits;
    const std::uint64_t span_mask = lv.shift >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << lv.shift) - 1;
    for (std::uint64_t i = 0; i < n; ++i) {
        std::uint64_t va = prefix | (i << lv.shift);
        if (level == 0 && g.sign_extended && g.va_bits < 64 && ((va >> (g.va_bits - 1)) & 1))
            va |= ~((std::uint64_t{1} << g.va_bits) - 1);
        const std::uint64_t last = va | span_mask;
        if (last < lo || va >= hi) continue;
        const PhysAddr e = table + i * lv.entry_bytes;
        const std::uint64_t raw = read_entry(e, level);
        if (raw == 0) continue;
        const DecodedEntry d = fmt_.decode(level, raw);
        if (d.kind == EntryKind::Table) {
            if (level + 1 < g.depth() && mem_.contains(PhysAddr{d.addr}, g.levels[level + 1].table_bytes()))
                visit(PhysAddr{d.addr}, level + 1, va, lo, hi, fn);
            continue;
        }
        const PteView v = view_of(level, e, raw, d);
        if (v.present || v.swap) fn(VirtAddr{va}, v);
    }
}

void PageTable::for_each_leaf(VirtAddr lo, VirtAddr hi, const std::function<void(VirtAddr, const PteView&)>& fn) const {
    if (lo.value >= hi.value) return;
    visit(root_, 0, 0, lo.value, hi.value, fn);
}

}  // namespace vmlab
