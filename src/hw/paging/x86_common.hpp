// The entry format shared by the x86 paging modes (Intel SDM Vol. 3A, chapter 4):
// 32-bit paging (§4.3), PAE paging (§4.4) and 4-/5-level paging (§4.5) use the same low
// flag bits; they differ in entry width, MAXPHYADDR, XD, and the PAE PDPTE.
//
//   bit  0 P     present                      bit  7 PS    page size (PDE/PDPTE);
//   bit  1 R/W   0 = no writes (CR0.WP = 1)                PAT in a 4 KiB PTE
//   bit  2 U/S   0 = supervisor only          bit  8 G     global (leaves only)
//   bit  3 PWT   write-through                bits 9-11    ignored (vmlab: sw bits 9, 10)
//   bit  4 PCD   cache disable                bit 12       PAT of a 2 MiB / 1 GiB / 4 MiB page
//   bit  5 A     accessed (set by hardware)   bits M-1..12 physical address
//   bit  6 D     dirty (leaves only)          bit 63 XD    execute disable (IA32_EFER.NXE = 1)
//
// Permissions are hierarchical (§4.6): R/W and U/S must be 1 at every level for a user
// write, XD = 1 at any level forbids instruction fetches. vmlab models CR0.WP = 1 and
// CR4.SMEP = CR4.SMAP = 0: supervisor accesses to user pages follow R/W and XD only.
//
// Swap entries (vmlab's encoding, as the hardware ignores bits 63:1 when P = 0):
//   bit 0 = 0, bit 1 = 1 (marks a swap entry), bits 63:2 (or 31:2) = payload.
#pragma once

#include <string>

#include "vmlab/core/result.hpp"
#include "vmlab/hw/paging.hpp"

namespace vmlab::x86 {

inline constexpr std::uint64_t kP = 1u << 0, kRW = 1u << 1, kUS = 1u << 2, kPWT = 1u << 3, kPCD = 1u << 4,
                               kA = 1u << 5, kD = 1u << 6, kPS = 1u << 7, kG = 1u << 8, kSw0 = 1u << 9,
                               kSw1 = 1u << 10, kPatPte = 1u << 7, kPatLarge = 1u << 12;
inline constexpr std::uint64_t kXD = std::uint64_t{1} << 63;
inline constexpr std::uint64_t kSwapMark = 1u << 1;

constexpr std::uint64_t bit_range(unsigned lo, unsigned hi_exclusive) {
    if (hi_exclusive <= lo) return 0;
    const std::uint64_t top = hi_exclusive >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << hi_exclusive) - 1;
    return top & ~((std::uint64_t{1} << lo) - 1);
}

// What distinguishes the x86 modes.
struct Spec {
    bool xd = true;         // bit 63 is XD (IA32_EFER.NXE = 1); false: no execute control
    bool pae_pdpt = false;  // level 0 is the 4-entry PAE PDPT (§4.4.1: only P, PWT, PCD)
};

// One x86 paging mode. Each mode's file supplies the geometry and registers it.
class X86Format final : public PagingFormat {
public:
    X86Format(PagingGeometry g, Spec spec) : spec_(spec) {
        geo_ = std::move(g);
        ad_mode_ = AdMode::Hardware;
        VMLAB_ASSERT(geo_.depth() <= kMaxLevels, "too many x86 paging levels");
        addr_mask_ = bit_range(12, geo_.pa_bits);
        for (unsigned i = 0; i < geo_.depth(); ++i) {
            const PagingLevel& lv = geo_.levels[i];
            Level& L = lv_[i];
            L.last = i + 1 == geo_.depth();
            L.pdpte = spec_.pae_pdpt && i == 0;
            L.leaf_allowed = lv.leaf_allowed;
            L.wide = lv.entry_bytes == 8;
            L.maxphy_rsvd = L.wide ? bit_range(geo_.pa_bits, 52) : 0;
            L.xd_rsvd = L.wide && !spec_.xd ? kXD : 0;
            L.large_rsvd = L.last ? 0 : bit_range(13, lv.shift);
            L.leaf_addr_mask = bit_range(lv.shift, geo_.pa_bits);
            L.pat = L.last ? kPatPte : kPatLarge;
            L.leaf_size = lv.leaf_size();
        }
        // perms() for every combination of R/W (bit 0), U/S (bit 1) and XD (bit 2).
        for (unsigned i = 0; i < 8; ++i)
            perm_table_[i] = perms((i & 1 ? kRW : 0) | (i & 2 ? kUS : 0) | (i & 4 ? kXD : 0));
        // The walker's shortcut: a present, PS = 0 entry above the last level with R/W = 1,
        // U/S = 1, XD = 0 and no reserved bit is a table entry that removes no permission.
        for (unsigned i = 0; i + 1 < geo_.depth() && i < kMaxShortcutLevels; ++i) {
            const Level& L = lv_[i];
            if (L.pdpte) continue;
            TableShortcut& sc = table_shortcuts_[i];
            sc.mask = kP | kPS | kRW | kUS | L.maxphy_rsvd | (L.wide ? kXD : 0);
            sc.value = kP | kRW | kUS;
            sc.addr = addr_mask_;
            sc.accessed = kA;
        }
    }

    bool canonical(VirtAddr va) const override {
        const unsigned b = geo_.va_bits;
        if (geo_.sign_extended) {
            // Bits 63..b-1 must all equal bit b-1.
            const std::uint64_t top = va.value >> (b - 1);
            return top == 0 || top == (~std::uint64_t{0} >> (b - 1));
        }
        return b >= 64 || (va.value >> b) == 0;
    }

    // Per-level masks are precomputed at construction (this is the walker's inner call).
    DecodedEntry decode(unsigned level, std::uint64_t raw) const override {
        DecodedEntry d;
        if (!(raw & kP)) return d;
        const Level& L = lv_[level];
        d.cache = static_cast<std::uint8_t>((raw >> 3) & 3);  // PWT -> 1, PCD -> 2
        if (L.pdpte) [[unlikely]] {
            // PDPTE (Table 4-8): bits 2:1 and 8:5 reserved, 63:M reserved (no XD here).
            if (raw & (bit_range(1, 3) | bit_range(5, 9))) return reserved(d, "PDPTE bits 2:1 and 8:5 are reserved");
            if (raw & bit_range(geo_.pa_bits, 64)) return reserved(d, "PDPTE bits 63:MAXPHYADDR are reserved");
            d.kind = EntryKind::Table;
            d.addr = raw & addr_mask_;
            d.allow = kPermAll;
            return d;
        }
        // Address bits at or above MAXPHYADDR (up to bit 51) are reserved.
        if (raw & (L.maxphy_rsvd | L.xd_rsvd)) [[unlikely]] {
            if (raw & L.maxphy_rsvd) return reserved(d, "address bits 51:MAXPHYADDR are reserved");
            return reserved(d, "XD is reserved with IA32_EFER.NXE = 0");
        }
        d.allow = perm_table_[((raw >> 1) & 3) | (L.wide ? (raw >> 61) & 4 : 0)];
        d.accessed = (raw & kA) != 0;
        if (!L.last && !(raw & kPS)) [[likely]] {
            d.kind = EntryKind::Table;
            d.addr = raw & addr_mask_;
            return d;
        }
        if (!L.last && !L.leaf_allowed) return reserved(d, "PS is reserved at this level");
        if (raw & L.large_rsvd)
            return reserved(d, "the address bits below the page size in a PS = 1 entry are reserved");
        d.kind = EntryKind::Leaf;
        d.size = L.leaf_size;
        d.addr = raw & L.leaf_addr_mask;
        d.dirty = (raw & kD) != 0;
        d.global = (raw & kG) != 0;
        if (raw & L.pat) d.cache |= 4;
        d.sw = static_cast<std::uint8_t>((raw >> 9) & 3);  // bit 9 -> 1, bit 10 -> 2
        return d;
    }

    std::uint64_t encode_table(unsigned level, PhysAddr next) const override {
        VMLAB_ASSERT((next.value & 0xfff) == 0 && (next.value >> geo_.pa_bits) == 0,
                     "x86 table address must be 4 KiB aligned and below MAXPHYADDR");
        if (spec_.pae_pdpt && level == 0) return next.value | kP;
        return next.value | kP | kRW | kUS;
    }

    std::uint64_t encode_leaf(unsigned level, PhysAddr base, const LeafAttrs& a) const override {
        const auto& lv = geo_.levels[level];
        VMLAB_ASSERT(lv.leaf_allowed && !(spec_.pae_pdpt && level == 0), "no leaf at this x86 level");
        VMLAB_ASSERT(base.aligned(lv.leaf_size()) && (base.value >> geo_.pa_bits) == 0,
                     "x86 page base must be aligned to its size and below MAXPHYADDR");
        const bool last = level + 1 == geo_.depth();
        std::uint64_t r = base.value | kP;
        if (a.prot.write) r |= kRW;
        if (a.prot.user) r |= kUS;
        if (a.cache & 1) r |= kPWT;
        if (a.cache & 2) r |= kPCD;
        if (a.cache & 4) r |= last ? kPatPte : kPatLarge;
        if (a.accessed) r |= kA;
        if (a.dirty) r |= kD;
        if (!last) r |= kPS;
        if (a.global) r |= kG;
        if (a.sw & 1) r |= kSw0;
        if (a.sw & 2) r |= kSw1;
        if (spec_.xd && !a.prot.exec) r |= kXD;
        return r;
    }

    std::uint64_t encode_swap(unsigned level, std::uint64_t payload) const override {
        VMLAB_ASSERT(geo_.swap_payload_bits >= 64 || (payload >> geo_.swap_payload_bits) == 0,
                     "swap payload too wide for the entry");
        return (payload << 2) | kSwapMark;
    }

    std::optional<std::uint64_t> decode_swap(unsigned level, std::uint64_t raw) const override {
        if ((raw & kP) || !(raw & kSwapMark)) return std::nullopt;
        return raw >> 2;
    }

    // The PAE PDPTE has no A bit (§4.4.1); every other entry has A at bit 5, D at bit 6.
    std::uint64_t set_accessed(unsigned level, std::uint64_t raw) const override {
        return spec_.pae_pdpt && level == 0 ? raw : raw | kA;
    }
    std::uint64_t set_dirty(unsigned level, std::uint64_t raw) const override {
        return spec_.pae_pdpt && level == 0 ? raw : raw | kD;
    }
    std::uint64_t clear_accessed(unsigned level, std::uint64_t raw) const override {
        return spec_.pae_pdpt && level == 0 ? raw : raw & ~kA;
    }
    std::uint64_t clear_dirty(unsigned level, std::uint64_t raw) const override {
        return spec_.pae_pdpt && level == 0 ? raw : raw & ~kD;
    }
    bool sets_table_accessed() const override { return true; }

    std::string describe(unsigned level, std::uint64_t raw) const override {
        if (!(raw & kP)) {
            if (auto s = decode_swap(level, raw)) return fmt::format("not present, swap entry 0x{:x}", *s);
            return raw == 0 ? "not present" : "not present (ignored bits set)";
        }
        const bool last = level + 1 == geo_.depth();
        std::string s = "P";
        auto add = [&](bool on, const char* name) {
            if (on) (s += ' ') += name;
        };
        if (spec_.pae_pdpt && level == 0) {
            add(raw & kPWT, "PWT");
            add(raw & kPCD, "PCD");
        } else {
            add(raw & kRW, "RW");
            add(raw & kUS, "US");
            add(raw & kPWT, "PWT");
            add(raw & kPCD, "PCD");
            add(raw & kA, "A");
            add(raw & kD, "D");
            add(!last && (raw & kPS), "PS");
            add(last && (raw & kPatPte), "PAT");
            add(raw & kG, "G");
            add(!last && (raw & kPS) && (raw & kPatLarge), "PAT");
            add(lv_entry_bytes(level) == 8 && spec_.xd && (raw & kXD), "NX");
        }
        const DecodedEntry d = decode(level, raw);
        if (d.kind == EntryKind::Reserved) s += fmt::format(" (reserved: {})", d.reserved_why);
        return s;
    }

private:
    unsigned lv_entry_bytes(unsigned level) const { return geo_.levels[level].entry_bytes; }

    static DecodedEntry reserved(DecodedEntry d, const char* why) {
        d.kind = EntryKind::Reserved;
        d.reserved_why = why;
        return d;
    }

    // What one entry allows (SDM §4.6): R/W = 0 removes writes (CR0.WP = 1: for the
    // supervisor too), U/S = 0 removes every user access, XD = 1 removes fetches.
    PermMask perms(std::uint64_t raw) const {
        PermMask m = kPermAll;
        if (!(raw & kRW)) m &= static_cast<PermMask>(~(kPermUW | kPermKW));
        if (!(raw & kUS)) m &= static_cast<PermMask>(~(kPermUR | kPermUW | kPermUX));
        if (spec_.xd && (raw & kXD)) m &= static_cast<PermMask>(~(kPermUX | kPermKX));
        return m;
    }

    Spec spec_;
    // What decode needs of each level.
    static constexpr unsigned kMaxLevels = 5;
    struct Level {
        bool last = false, pdpte = false, leaf_allowed = false, wide = false;
        std::uint64_t maxphy_rsvd = 0;     // address bits 51:MAXPHYADDR (64-bit entries)
        std::uint64_t xd_rsvd = 0;         // bit 63 when XD is not enabled (64-bit entries)
        std::uint64_t large_rsvd = 0;      // bits 12+1 .. shift-1 of a PS = 1 entry
        std::uint64_t leaf_addr_mask = 0;  // the page base of a leaf
        std::uint64_t pat = 0;             // where PAT sits in a leaf
        PageSize leaf_size{};
    };
    Level lv_[kMaxLevels];
    std::uint64_t addr_mask_ = 0;  // a table's address: bits MAXPHYADDR-1:12
    PermMask perm_table_[8] = {};
};

// x86 modes have one VA size and update A/D in hardware only.
inline Status check_options(const PagingGeometry& g, const PagingOptions& opt) {
    if (opt.va_bits != 0 && opt.va_bits != g.va_bits)
        return failf("{} has {}-bit virtual addresses; va_bits = {} is not possible (use 0 for the default)", g.name,
                     g.va_bits, opt.va_bits);
    if (opt.ad_mode != AdMode::Hardware)
        return failf("{}: x86 always sets accessed/dirty bits in hardware; ad_mode must be 'hardware'", g.name);
    return ok();
}

}  // namespace vmlab::x86
