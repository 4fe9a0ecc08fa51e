// Two textbook machines, small enough to work by hand.
//
// "csapp-small": the small memory system of Bryant & O'Hallaron, Computer Systems: A
// Programmer's Perspective, 3rd ed., section 9.6.4 "Putting It Together: End-to-End
// Address Translation". 14-bit VA, 12-bit PA, 64-byte pages, one-level table of 256
// entries.
//
//    13                    6 5          0
//   +-----------------------+------------+
//   |        VPN (8)        |  VPO (6)   |         PA: PPN = PA[11:6], PPO = PA[5:0]
//   +-----------------------+------------+
//
// The book gives each entry only a PPN and a valid bit. vmlab's entry is 2 bytes, with the
// PPN in the position of the physical address bits so that (entry & 0x0fc0) is the page
// base, and restriction bits that are 0 in a book entry (a valid book entry allows every
// access):
//
//    15  14  13  12  11                 6   5   4   3   2   1   0
//   +---+---+-------+--------------------+---+---+---+---+---+---+
//   |rsv| G |  SW   |      PPN (6)       | D | A | K |NX |RO | V |
//   +---+---+-------+--------------------+---+---+---+---+---+---+
//   V  valid                 RO  writes fault           NX  instruction fetches fault
//   K  kernel only (user accesses fault; the kernel may access every valid page)
//   A/D accessed/dirty, set by the walker (ad_mode = Hardware) or faulting (Fault)
//   G  global (not tagged by ASID)   SW  two software bits   bit 15 reserved (must be 0)
//   Invalid entries (V = 0) are free for software; vmlab's swap entry sets bit 1 and keeps
//   a 14-bit payload in bits 15..2. The book's valid entry "VPN 0x0F -> PPN 0x0D" is 0x0341.
//
// "ostep-2level": the machine of OSTEP's vm-smalltables homework
// (paging-multilevel-translate.py, Arpaci-Dusseau, Operating Systems: Three Easy Pieces,
// chapter 20 "Paging: Smaller Tables"). 15-bit VA, 32-byte pages, 128 physical pages
// (4 KiB, 12-bit PA), a page directory of 32 one-byte entries in the page the PDBR names.
//
//    14          10 9           5 4           0
//   +--------------+-------------+-------------+
//   | PD index (5) | PT index (5)| offset (5)  |
//   +--------------+-------------+-------------+
//
//    PDE and PTE, 1 byte:   7   6                 0
//                          +---+-------------------+
//                          | V |     PFN (7)       |
//                          +---+-------------------+
//
// There are no permission, accessed or dirty bits: a valid mapping allows every access
// and never needs an A/D update. The simulator's unused entry 0x7f decodes as invalid.
// vmlab's swap entry (not part of the book) is V = 0 with PFN field = payload + 1, for
// payloads 0..63, so that neither 0x00 nor 0x7f reads as a swap entry.
#include <memory>
#include <string>

#include <fmt/format.h>

#include "hw/paging/format_factories.hpp"

namespace vmlab::paging {
namespace {

class CsappSmallFormat final : public PagingFormat {
public:
    static constexpr std::uint64_t kV = 1u << 0, kRo = 1u << 1, kNx = 1u << 2, kK = 1u << 3, kA = 1u << 4,
                                   kD = 1u << 5, kPpn = 0x0fc0, kG = 1u << 14, kRsv = 1u << 15;
    static constexpr unsigned kSwShift = 12;
    static constexpr std::uint64_t kSw = 3u << kSwShift;
    static constexpr std::uint64_t kSwapMarker = 1u << 1;

    explicit CsappSmallFormat(AdMode ad) {
        ad_mode_ = ad;
        PagingLevel l;
        l.shift = 6;
        l.bits = 8;
        l.entry_bytes = 2;
        l.leaf_allowed = true;
        l.name = "PTE";
        geo_.levels.push_back(l);
        geo_.name = "csapp-small";
        geo_.isa = "csapp";
        geo_.va_bits = 14;
        geo_.pa_bits = 12;
        geo_.sign_extended = false;
        geo_.root_align_shift = 6;
        geo_.kernel_base = std::uint64_t{1} << 14;  // no kernel half
        geo_.swap_payload_bits = 14;
    }

    bool canonical(VirtAddr va) const override { return va.value < (std::uint64_t{1} << 14); }

    DecodedEntry decode(unsigned, std::uint64_t raw) const override {
        DecodedEntry d;
        if (!(raw & kV)) return d;
        if (raw & kRsv) {
            d.kind = EntryKind::Reserved;
            d.reserved_why = "reserved bit 15 set";
            return d;
        }
        d.kind = EntryKind::Leaf;
        d.addr = raw & kPpn;
        d.size = PageSize::from_shift(6);
        PermMask k = kPermKR;
        if (!(raw & kRo)) k |= kPermKW;
        if (!(raw & kNx)) k |= kPermKX;
        // User bits sit three places below the kernel bits (perm_bit).
        d.allow = static_cast<PermMask>((raw & kK) ? k : (k | (k >> 3)));
        d.accessed = raw & kA;
        d.dirty = raw & kD;
        d.global = raw & kG;
        d.sw = static_cast<std::uint8_t>((raw & kSw) >> kSwShift);
        return d;
    }

    std::uint64_t encode_table(unsigned, PhysAddr) const override {
        VMLAB_ASSERT(false, "csapp-small has a single level: no table entries");
        return 0;
    }

    std::uint64_t encode_leaf(unsigned, PhysAddr base, const LeafAttrs& at) const override {
        VMLAB_ASSERT((base.value & ~kPpn) == 0, "page base not 64-byte aligned or above 12 bits");
        VMLAB_ASSERT(at.sw < 4, "software bits out of range");
        std::uint64_t raw = base.value | kV | (std::uint64_t{at.sw} << kSwShift);
        if (!at.prot.write) raw |= kRo;
        if (!at.prot.exec) raw |= kNx;
        if (!at.prot.user) raw |= kK;
        if (at.accessed) raw |= kA;
        if (at.dirty) raw |= kD;
        if (at.global) raw |= kG;
        return raw;
    }

    std::uint64_t encode_swap(unsigned, std::uint64_t payload) const override {
        VMLAB_ASSERT(payload < (1u << 14), "swap payload wider than 14 bits");
        return (payload << 2) | kSwapMarker;
    }
    std::optional<std::uint64_t> decode_swap(unsigned, std::uint64_t raw) const override {
        if ((raw & (kV | kSwapMarker)) != kSwapMarker) return std::nullopt;
        return (raw & 0xffff) >> 2;
    }

    std::uint64_t set_accessed(unsigned, std::uint64_t raw) const override { return raw | kA; }
    std::uint64_t set_dirty(unsigned, std::uint64_t raw) const override { return raw | kD; }
    std::uint64_t clear_accessed(unsigned, std::uint64_t raw) const override { return raw & ~kA; }
    std::uint64_t clear_dirty(unsigned, std::uint64_t raw) const override { return raw & ~kD; }

    std::string describe(unsigned level, std::uint64_t raw) const override {
        if (!(raw & kV)) {
            if (auto s = decode_swap(level, raw)) return fmt::format("invalid swap={:#x}", *s);
            return "invalid";
        }
        std::string s = fmt::format("V PPN={:#04x}", (raw & kPpn) >> 6);
        static constexpr struct { std::uint64_t b; const char* n; } kFlags[] = {
            {kRo, "RO"}, {kNx, "NX"}, {kK, "K"}, {kA, "A"}, {kD, "D"}, {kG, "G"}};
        for (const auto& f : kFlags)
            if (raw & f.b) s += fmt::format(" {}", f.n);
        if (raw & kSw) s += fmt::format(" SW={}", (raw & kSw) >> kSwShift);
        if (raw & kRsv) s += " (reserved: bit 15 set)";
        return s;
    }
};

class Ostep2LevelFormat final : public PagingFormat {
public:
    static constexpr std::uint64_t kValid = 0x80, kPfn = 0x7f;

    explicit Ostep2LevelFormat(AdMode ad) {
        ad_mode_ = ad;
        PagingLevel pd;
        pd.shift = 10;
        pd.bits = 5;
        pd.entry_bytes = 1;
        pd.leaf_allowed = false;
        pd.name = "PDE";
        PagingLevel pt = pd;
        pt.shift = 5;
        pt.leaf_allowed = true;
        pt.name = "PTE";
        geo_.levels = {pd, pt};
        geo_.name = "ostep-2level";
        geo_.isa = "ostep";
        geo_.va_bits = 15;
        geo_.pa_bits = 12;
        geo_.sign_extended = false;
        geo_.root_align_shift = 5;
        geo_.kernel_base = std::uint64_t{1} << 15;  // no kernel half
        geo_.swap_payload_bits = 6;
    }

    bool canonical(VirtAddr va) const override { return va.value < (std::uint64_t{1} << 15); }

    DecodedEntry decode(unsigned level, std::uint64_t raw) const override {
        DecodedEntry d;
        if (!(raw & kValid)) return d;
        d.kind = level == 0 ? EntryKind::Table : EntryKind::Leaf;
        d.addr = (raw & kPfn) << 5;
        if (level == 1) d.size = PageSize::from_shift(5);
        d.allow = kPermAll;
        d.accessed = true;  // no A/D bits: nothing for the hardware to update
        d.dirty = true;
        return d;
    }

    std::uint64_t encode_table(unsigned level, PhysAddr next) const override {
        VMLAB_ASSERT(level == 0, "ostep-2level: tables are pointed to by PDEs only");
        VMLAB_ASSERT((next.value & ~(kPfn << 5)) == 0, "page table not on a 32-byte page below 4 KiB");
        return kValid | (next.value >> 5);
    }

    std::uint64_t encode_leaf(unsigned level, PhysAddr base, const LeafAttrs&) const override {
        VMLAB_ASSERT(level == 1, "ostep-2level: pages are mapped by PTEs only");
        VMLAB_ASSERT((base.value & ~(kPfn << 5)) == 0, "page not on a 32-byte page below 4 KiB");
        return kValid | (base.value >> 5);
    }

    std::uint64_t encode_swap(unsigned, std::uint64_t payload) const override {
        VMLAB_ASSERT(payload < 64, "swap payload wider than 6 bits");
        return payload + 1;
    }
    std::optional<std::uint64_t> decode_swap(unsigned, std::uint64_t raw) const override {
        if (raw & kValid) return std::nullopt;
        const std::uint64_t v = raw & kPfn;
        if (v == 0 || v > 64) return std::nullopt;
        return v - 1;
    }

    std::uint64_t set_accessed(unsigned, std::uint64_t raw) const override { return raw; }
    std::uint64_t set_dirty(unsigned, std::uint64_t raw) const override { return raw; }
    std::uint64_t clear_accessed(unsigned, std::uint64_t raw) const override { return raw; }
    std::uint64_t clear_dirty(unsigned, std::uint64_t raw) const override { return raw; }

    std::string describe(unsigned, std::uint64_t raw) const override {
        return fmt::format("valid {}, pfn {:#04x}", (raw & kValid) ? 1 : 0, raw & kPfn);
    }
};

Status check_fixed_va(std::string_view name, unsigned fixed, const PagingOptions& opt) {
    if (opt.va_bits != 0 && opt.va_bits != fixed)
        return failf("{} has {}-bit virtual addresses; va_bits {} is not supported", name, fixed, opt.va_bits);
    return ok();
}

}  // namespace

Result<std::unique_ptr<PagingFormat>> make_csapp_small(const PagingOptions& opt) {
    VMLAB_TRY(check_fixed_va("csapp-small", 14, opt));
    return std::unique_ptr<PagingFormat>(std::make_unique<CsappSmallFormat>(opt.ad_mode));
}

Result<std::unique_ptr<PagingFormat>> make_ostep_2level(const PagingOptions& opt) {
    VMLAB_TRY(check_fixed_va("ostep-2level", 15, opt));
    return std::unique_ptr<PagingFormat>(std::make_unique<Ostep2LevelFormat>(opt.ad_mode));
}

VMLAB_REGISTER(paging_formats(), "csapp-small",
               "CS:APP 3e 9.6.4 small memory system: 14-bit VA, 12-bit PA, 64-byte pages, one level",
               [](const PagingOptions& opt) { return make_csapp_small(opt); });
VMLAB_REGISTER(paging_formats(), "ostep-2level",
               "OSTEP vm-smalltables: 15-bit VA, 32-byte pages, 1-byte PDE/PTE, 4 KiB of memory",
               [](const PagingOptions& opt) { return make_ostep_2level(opt); });

}  // namespace vmlab::paging
