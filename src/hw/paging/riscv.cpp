// RISC-V Sv32, Sv39, Sv48 and Sv57 page-based virtual memory.
// The RISC-V Instruction Set Manual, Volume II: Privileged Architecture, chapter
// "Supervisor-Level ISA": "Sv32: Page-Based 32-bit Virtual-Memory Systems" (addressing and
// memory protection, the virtual address translation process), "Sv39", "Sv48", "Sv57";
// the Svade/Svadu (A/D update) and Svpbmt (page-based memory types) extensions.
//
// VA split (levels numbered from the root, as vmlab does; VPN[i] is the spec's name):
//
//   Sv32   31        22 21        12 11          0
//         +------------+------------+-------------+
//         | VPN[1] (10)| VPN[0] (10)| offset (12) |        4 MiB megapages at VPN[1]
//         +------------+------------+-------------+
//
//   Sv39   63    39 38      30 29      21 20      12 11          0
//         +--------+----------+----------+----------+-------------+
//         | = b38  | VPN[2]   | VPN[1]   | VPN[0]   | offset (12) |  1 GiB / 2 MiB / 4 KiB
//         +--------+----------+----------+----------+-------------+
//
//   Sv48   adds VPN[3] = VA[47:39] above (512 GiB terapages); bits 63..48 = bit 47.
//   Sv57   adds VPN[4] = VA[56:48] above (256 TiB petapages); bits 63..57 = bit 56.
//
// Page-table entries:
//
//   Sv32 (4 bytes, 34-bit physical address)
//    31            20 19          10 9   8 7 6 5 4 3 2 1 0
//   +----------------+--------------+-----+-+-+-+-+-+-+-+-+
//   |  PPN[1] (12)   |  PPN[0] (10) | RSW |D|A|G|U|X|W|R|V|
//   +----------------+--------------+-----+-+-+-+-+-+-+-+-+
//
//   Sv39/Sv48/Sv57 (8 bytes, 56-bit physical address)
//    63  62 61 60      54 53                            10 9   8 7 6 5 4 3 2 1 0
//   +---+-----+----------+--------------------------------+-----+-+-+-+-+-+-+-+-+
//   | N | PBMT| reserved |     PPN (44): PA[55:12]        | RSW |D|A|G|U|X|W|R|V|
//   +---+-----+----------+--------------------------------+-----+-+-+-+-+-+-+-+-+
//
// Rules (the translation process, steps 3-6):
//   - V = 0: invalid; all other bits are free for software (vmlab swap entry: bit 1 set,
//     payload in bits [XLEN-1:2]).
//   - W = 1 with R = 0 is reserved; bits 60..54 are reserved; N is reserved (Svnapot is
//     not modelled); PBMT = 3 is reserved; a non-leaf PTE with PBMT != 0, or with D, A or U
//     set, is reserved. All of these are page faults.
//   - R, W or X set: a leaf. Any level may hold a leaf; a superpage whose low PPN fields
//     are not zero is misaligned (page fault; vmlab reports it as reserved when decoding,
//     before the permission check the spec performs first — both are page faults).
//   - R = W = X = 0: a pointer to the next level; at the last level it is a page fault.
//   - Permissions with SUM = 0 and MXR = 0 (Linux runs with SUM clear except inside
//     user-copy routines): a U = 1 page is accessible from U-mode only, a U = 0 page from
//     S-mode only; an execute-only page is not readable.
//   - A/D: with ad_mode = Fault (Svade) an access with A = 0, or a store with D = 0, is a
//     page fault; with Hardware (Svadu) the walker sets them (set_accessed/set_dirty).
//   - RSW holds LeafAttrs::sw; PBMT holds LeafAttrs::cache (0 PMA, 1 NC, 2 IO) on Sv39+.
//
// The kernel half follows Linux: the upper canonical half on Sv39/48/57, and the
// 3 GiB/1 GiB split (PAGE_OFFSET 0xC0000000) on Sv32, which has no architectural split.
#include <memory>
#include <string>

#include <fmt/format.h>

#include "hw/paging/format_factories.hpp"

namespace vmlab::paging {
namespace {

constexpr std::uint64_t bit(unsigned n) { return std::uint64_t{1} << n; }
constexpr std::uint64_t bits(unsigned hi, unsigned lo) { return (bit(hi - lo + 1) - 1) << lo; }

constexpr std::uint64_t kV = bit(0);
constexpr std::uint64_t kR = bit(1);
constexpr std::uint64_t kW = bit(2);
constexpr std::uint64_t kX = bit(3);
constexpr std::uint64_t kU = bit(4);
constexpr std::uint64_t kG = bit(5);
constexpr std::uint64_t kA = bit(6);
constexpr std::uint64_t kD = bit(7);
constexpr unsigned kRswShift = 8;
constexpr std::uint64_t kRsw = bits(9, 8);
constexpr unsigned kPpnShift = 10;
constexpr std::uint64_t kReserved64 = bits(60, 54);
constexpr unsigned kPbmtShift = 61;
constexpr std::uint64_t kPbmt = bits(62, 61);
constexpr std::uint64_t kN = bit(63);
constexpr std::uint64_t kSwapMarker = bit(1);

class RiscvFormat final : public PagingFormat {
public:
    RiscvFormat(unsigned va_bits, AdMode ad) : rv32_(va_bits == 32) {
        ad_mode_ = ad;
        const unsigned depth = rv32_ ? 2 : (va_bits - 12) / 9;
        const unsigned vpn_bits = rv32_ ? 10 : 9;
        static constexpr const char* kNames[5] = {"VPN[0]", "VPN[1]", "VPN[2]", "VPN[3]", "VPN[4]"};
        for (unsigned l = 0; l < depth; ++l) {
            const unsigned i = depth - 1 - l;  // the spec's VPN index
            PagingLevel lv;
            lv.shift = static_cast<std::uint8_t>(12 + i * vpn_bits);
            lv.bits = static_cast<std::uint8_t>(vpn_bits);
            lv.entry_bytes = rv32_ ? 4 : 8;
            lv.leaf_allowed = true;
            lv.name = kNames[i];
            geo_.levels.push_back(lv);
        }
        geo_.name = fmt::format("riscv-sv{}", va_bits);
        geo_.isa = "riscv";
        geo_.va_bits = static_cast<std::uint8_t>(va_bits);
        geo_.pa_bits = rv32_ ? 34 : 56;
        geo_.sign_extended = !rv32_;
        geo_.root_align_shift = 12;
        geo_.kernel_base = rv32_ ? 0xC0000000u : (~std::uint64_t{0} << (va_bits - 1));
        geo_.swap_payload_bits = rv32_ ? 30 : 62;
        ppn_mask_ = rv32_ ? bits(31, 10) : bits(53, 10);
    }

    bool canonical(VirtAddr va) const override {
        if (rv32_) return (va.value >> 32) == 0;
        const std::uint64_t top = va.value >> (geo_.va_bits - 1);  // bits 63..va_bits-1
        return top == 0 || top == (~std::uint64_t{0} >> (geo_.va_bits - 1));
    }

    DecodedEntry decode(unsigned level, std::uint64_t raw) const override {
        DecodedEntry d;
        if (!(raw & kV)) return d;
        if ((raw & (kR | kW)) == kW) return reserved(d, "W=1 with R=0 is reserved");
        if (!rv32_) {
            if (raw & kReserved64) return reserved(d, "reserved bits 60..54 set");
            if (raw & kN) return reserved(d, "N (Svnapot) set; not implemented");
        }
        const std::uint64_t pa = ((raw & ppn_mask_) >> kPpnShift) << 12;
        if (!(raw & (kR | kW | kX))) {
            if (level + 1 == geo_.depth()) return reserved(d, "non-leaf PTE at the last level");
            if (raw & (kD | kA | kU)) return reserved(d, "D, A or U set in a non-leaf PTE");
            if (!rv32_ && (raw & kPbmt)) return reserved(d, "PBMT set in a non-leaf PTE");
            d.kind = EntryKind::Table;
            d.addr = pa;
            d.allow = kPermAll;
            d.global = raw & kG;
            return d;
        }
        if (!rv32_ && (raw & kPbmt) == kPbmt) return reserved(d, "PBMT=3 is reserved");
        const unsigned size_shift = geo_.levels[level].shift;
        if (pa & (bit(size_shift) - 1)) return reserved(d, "misaligned superpage: low PPN fields not zero");
        d.kind = EntryKind::Leaf;
        d.addr = pa;
        d.size = PageSize::from_shift(size_shift);
        PermMask m = 0;
        if (raw & kU) {
            if (raw & kR) m |= kPermUR;
            if (raw & kW) m |= kPermUW;
            if (raw & kX) m |= kPermUX;
        } else {
            if (raw & kR) m |= kPermKR;
            if (raw & kW) m |= kPermKW;
            if (raw & kX) m |= kPermKX;
        }
        d.allow = m;
        d.accessed = raw & kA;
        d.dirty = raw & kD;
        d.global = raw & kG;
        d.cache = rv32_ ? 0 : static_cast<std::uint8_t>((raw & kPbmt) >> kPbmtShift);
        d.sw = static_cast<std::uint8_t>((raw & kRsw) >> kRswShift);
        return d;
    }

    std::uint64_t encode_table(unsigned level, PhysAddr next) const override {
        VMLAB_ASSERT(level + 1 < geo_.depth(), "pointer PTE at the last level");
        return encode_ppn(next, 12) | kV;
    }

    std::uint64_t encode_leaf(unsigned level, PhysAddr base, const LeafAttrs& at) const override {
        const Prot& p = at.prot;
        VMLAB_ASSERT(p.read || p.write || p.exec, "a RISC-V leaf needs R, W or X");
        VMLAB_ASSERT(at.sw < 4, "software bits out of range");
        VMLAB_ASSERT(at.cache < (rv32_ ? 1 : 3), "PBMT out of range");
        std::uint64_t raw = encode_ppn(base, geo_.levels[level].shift) | kV;
        if (p.read || p.write) raw |= kR;  // W without R is reserved
        if (p.write) raw |= kW;
        if (p.exec) raw |= kX;
        if (p.user) raw |= kU;
        if (at.global) raw |= kG;
        if (at.accessed) raw |= kA;
        if (at.dirty) raw |= kD;
        raw |= std::uint64_t{at.sw} << kRswShift;
        raw |= std::uint64_t{at.cache} << kPbmtShift;
        return raw;
    }

    std::uint64_t encode_swap(unsigned, std::uint64_t payload) const override {
        VMLAB_ASSERT(payload < bit(geo_.swap_payload_bits), "swap payload too wide");
        return (payload << 2) | kSwapMarker;
    }

    std::optional<std::uint64_t> decode_swap(unsigned, std::uint64_t raw) const override {
        if ((raw & (kV | kSwapMarker)) != kSwapMarker) return std::nullopt;
        return raw >> 2;
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
        std::string s = "V";
        static constexpr struct { std::uint64_t b; const char* n; } kFlags[] = {
            {kR, "R"}, {kW, "W"}, {kX, "X"}, {kU, "U"}, {kG, "G"}, {kA, "A"}, {kD, "D"}};
        for (const auto& f : kFlags)
            if (raw & f.b) s += fmt::format(" {}", f.n);
        if (raw & kRsw) s += fmt::format(" RSW={}", (raw & kRsw) >> kRswShift);
        if (!rv32_ && (raw & kPbmt)) {
            static const char* const kPbmtNames[] = {"PMA", "NC", "IO", "rsv"};
            s += fmt::format(" PBMT={}", kPbmtNames[(raw & kPbmt) >> kPbmtShift]);
        }
        if (!rv32_ && (raw & kN)) s += " N";
        const DecodedEntry d = decode(level, raw);
        if (d.kind == EntryKind::Reserved) s += fmt::format(" (reserved: {})", d.reserved_why);
        return s;
    }

private:
    std::uint64_t encode_ppn(PhysAddr pa, unsigned align_shift) const {
        VMLAB_ASSERT((pa.value & (bit(align_shift) - 1)) == 0, "physical address not aligned");
        VMLAB_ASSERT((pa.value >> geo_.pa_bits) == 0, "physical address too wide for the PTE");
        return (pa.value >> 12) << kPpnShift;
    }

    static DecodedEntry& reserved(DecodedEntry& d, const char* why) {
        d.kind = EntryKind::Reserved;
        d.reserved_why = why;
        return d;
    }

    bool rv32_;
    std::uint64_t ppn_mask_ = 0;
};

}  // namespace

Result<std::unique_ptr<PagingFormat>> make_riscv(unsigned mode_va_bits, const PagingOptions& opt) {
    VMLAB_ASSERT(mode_va_bits == 32 || mode_va_bits == 39 || mode_va_bits == 48 || mode_va_bits == 57,
                 "unknown RISC-V paging mode");
    if (opt.va_bits != 0 && opt.va_bits != mode_va_bits)
        return failf("riscv-sv{} translates {}-bit virtual addresses; va_bits {} is not supported",
                     mode_va_bits, mode_va_bits, opt.va_bits);
    return std::unique_ptr<PagingFormat>(std::make_unique<RiscvFormat>(mode_va_bits, opt.ad_mode));
}

VMLAB_REGISTER(paging_formats(), "riscv-sv32", "RISC-V Sv32: 32-bit VA, 34-bit PA, 4-byte PTEs, 4 KiB / 4 MiB",
               [](const PagingOptions& opt) { return make_riscv(32, opt); });
VMLAB_REGISTER(paging_formats(), "riscv-sv39", "RISC-V Sv39: 39-bit VA, 3 levels, 4 KiB / 2 MiB / 1 GiB",
               [](const PagingOptions& opt) { return make_riscv(39, opt); });
VMLAB_REGISTER(paging_formats(), "riscv-sv48", "RISC-V Sv48: 48-bit VA, 4 levels, 4 KiB .. 512 GiB",
               [](const PagingOptions& opt) { return make_riscv(48, opt); });
VMLAB_REGISTER(paging_formats(), "riscv-sv57", "RISC-V Sv57: 57-bit VA, 5 levels, 4 KiB .. 256 TiB",
               [](const PagingOptions& opt) { return make_riscv(57, opt); });

}  // namespace vmlab::paging
