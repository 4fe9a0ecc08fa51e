#include "hw/walker.hpp"

#include "vmlab/hw/phys_mem.hpp"

namespace vmlab {

Walker::Walker(const PagingFormat& fmt, PhysMem& mem, const CostConfig& cost, PageWalkCache& pwc,
               std::uint32_t pwc_hit_cycles)
    : fmt_(fmt),
      geo_(fmt.geometry()),
      mem_(mem),
      cost_(cost),
      pwc_(pwc),
      pwc_hit_cycles_(pwc_hit_cycles),
      va_mask_(fmt.geometry().va_bits >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << fmt.geometry().va_bits) - 1),
      hw_ad_(fmt.ad_mode() == AdMode::Hardware),
      table_a_(fmt.sets_table_accessed()) {
    for (unsigned i = 0; i < geo_.depth(); ++i) {
        const PagingLevel& L = geo_.levels[i];
        lv_.push_back(Lv{(std::uint64_t{1} << L.bits) - 1, L.shift, L.entry_bytes, L.leaf_allowed, pwc_.has_level(i),
                         i + 1 < geo_.depth() ? fmt.table_shortcut(i) : PagingFormat::TableShortcut{}});
    }
}

template <bool Traced>
WalkOutcome Walker::walk_impl(VirtAddr va, AccessKind access, Privilege priv, PhysAddr root, Asid asid,
                              std::vector<WalkStepTrace>* steps) {
    WalkOutcome out;
    auto fault = [&](FaultKind k, unsigned level) {
        out.fault = k;
        out.fault_level = static_cast<std::uint8_t>(level);
        return out;
    };
    if (!fmt_.canonical(va)) return fault(FaultKind::NonCanonical, 0);

    const std::uint64_t vam = va.value & va_mask_;
    const unsigned depth = geo_.depth();
    unsigned level = 0;
    std::uint64_t table = root.value;
    PermMask allow = kPermAll;

    if (pwc_.enabled()) {
        for (int l = pwc_.deepest_level(); l >= 0; --l) {
            const auto lv = static_cast<unsigned>(l);
            if (!pwc_.has_level(lv)) continue;
            PageWalkCache::Hit h;
            if (pwc_.lookup(lv, vam >> geo_.levels[lv].shift, asid, h)) {
                out.pwc_level = l;
                out.cycles += pwc_hit_cycles_;
                table = h.next_table;
                allow = h.allow;
                level = lv + 1;
                if constexpr (Traced) {
                    WalkStepTrace s;
                    s.level = lv;
                    s.index = geo_.index(lv, VirtAddr{vam});
                    s.pwc_hit = true;
                    s.decoded.kind = EntryKind::Table;
                    s.decoded.addr = h.next_table;
                    s.decoded.allow = h.allow;
                    steps->push_back(std::move(s));
                }
                break;
            }
        }
    }

    for (; level < depth; ++level) {
        const Lv& L = lv_[level];
        const std::uint64_t index = (vam >> L.shift) & L.index_mask;
        const PhysAddr epa{table + index * L.entry_bytes};
        [[maybe_unused]] WalkStepTrace* step = nullptr;
        if constexpr (Traced) {
            steps->emplace_back();
            step = &steps->back();
            step->level = level;
            step->index = index;
            step->entry_pa = epa;
        }
        if (!mem_.contains(epa, L.entry_bytes)) return fault(FaultKind::BusError, level);
        const std::uint64_t raw = mem_.read_uint(epa, L.entry_bytes);
        ++out.mem_refs;
        out.cycles += cost_.memory_ref_cycles;
        if constexpr (!Traced) {
            // A table entry that removes no permission, known without decode() (the
            // format's TableShortcut contract); the same steps as the Table case below.
            if ((raw & L.shortcut.mask) == L.shortcut.value) {
                const std::uint64_t next = raw & L.shortcut.addr;
                if (table_a_ && hw_ad_ && !(raw & L.shortcut.accessed)) {
                    mem_.write_uint(epa, L.entry_bytes, fmt_.set_accessed(level, raw));
                    ++out.ad_writes;
                    out.cycles += cost_.ad_update_cycles;
                }
                if (L.pwc) pwc_.insert(level, vam >> L.shift, asid, {next, allow});
                table = next;
                continue;
            }
        }
        const DecodedEntry d = fmt_.decode(level, raw);
        if constexpr (Traced) {
            step->raw = raw;
            step->decoded = d;
            step->flags = fmt_.describe(level, raw);
        }
        switch (d.kind) {
            case EntryKind::Invalid: return fault(FaultKind::NotPresent, level);
            case EntryKind::Reserved: return fault(FaultKind::ReservedBit, level);
            case EntryKind::Table: {
                if (level + 1 >= depth) return fault(FaultKind::ReservedBit, level);
                allow &= d.allow;
                if (table_a_ && hw_ad_ && !d.accessed) {
                    mem_.write_uint(epa, L.entry_bytes, fmt_.set_accessed(level, raw));
                    ++out.ad_writes;
                    out.cycles += cost_.ad_update_cycles;
                    if constexpr (Traced) step->ad_written = true;
                }
                if (L.pwc) pwc_.insert(level, vam >> L.shift, asid, {d.addr, allow});
                table = d.addr;
                break;
            }
            case EntryKind::Leaf: {
                if (!L.leaf_allowed) return fault(FaultKind::ReservedBit, level);
                const PermMask need = perm_bit(priv, access);
                PermMask perms = allow & d.allow;
                std::uint64_t now = raw;
                bool dirty = d.dirty;
                if (!(perms & need)) {
                    // AArch64 DBM: hardware may make a clean page writable on a write.
                    bool dbm_ok = false;
                    if (access == AccessKind::Write && d.dbm && hw_ad_) {
                        const std::uint64_t w = fmt_.set_dirty(level, raw);
                        const DecodedEntry dw = fmt_.decode(level, w);
                        if (dw.kind == EntryKind::Leaf && (allow & dw.allow & need)) {
                            now = w;
                            perms = allow & dw.allow;
                            dirty = true;
                            dbm_ok = true;
                        }
                    }
                    if (!dbm_ok) {
                        out.missing = need;
                        return fault(FaultKind::Protection, level);
                    }
                }
                if (!d.accessed) {
                    if (!hw_ad_) return fault(FaultKind::AccessFlag, level);
                    now = fmt_.set_accessed(level, now);
                }
                if (access == AccessKind::Write && !dirty) {
                    if (!hw_ad_) return fault(FaultKind::DirtyBit, level);
                    now = fmt_.set_dirty(level, now);
                    dirty = true;
                }
                const PageSize size = d.size.shift ? d.size : PageSize::from_shift(L.shift);
                // The whole page must be memory: the TLB will answer for any byte of it.
                if (!mem_.contains(PhysAddr{d.addr}, size.bytes())) return fault(FaultKind::BusError, level);
                if (now != raw) {
                    mem_.write_uint(epa, L.entry_bytes, now);
                    ++out.ad_writes;
                    out.cycles += cost_.ad_update_cycles;
                    if constexpr (Traced) step->ad_written = true;
                    // Permissions and dirty state as the entry now reads (DBM changes them).
                    const DecodedEntry dn = fmt_.decode(level, now);
                    if (dn.kind == EntryKind::Leaf) {
                        perms = allow & dn.allow;
                        dirty = dirty || dn.dirty;
                    }
                }
                out.base = PhysAddr{d.addr};
                out.size = size;
                out.perms = perms;
                out.global = d.global;
                out.dirty = dirty;
                out.leaf_level = level;
                return out;
            }
        }
    }
    return fault(FaultKind::ReservedBit, depth ? depth - 1 : 0);
}

template WalkOutcome Walker::walk_impl<true>(VirtAddr, AccessKind, Privilege, PhysAddr, Asid, std::vector<WalkStepTrace>*);
template WalkOutcome Walker::walk_impl<false>(VirtAddr, AccessKind, Privilege, PhysAddr, Asid, std::vector<WalkStepTrace>*);

}  // namespace vmlab
