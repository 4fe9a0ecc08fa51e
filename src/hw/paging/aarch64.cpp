// AArch64 VMSAv8-64 stage-1 translation, EL1&0 regime, TTBR0_EL1 (user) region.
// Arm Architecture Reference Manual for A-profile, chapter D5 "The AArch64 Virtual Memory
// System Architecture": translation granules and lookup levels, "VMSAv8-64 translation
// table format descriptors", memory access control (AP[2:1], UXN/PXN, hierarchical
// APTable/UXNTable/PXNTable), the Access flag and dirty state (FEAT_HAFDBS, DBM).
// 48-bit output addresses (no FEAT_LPA/LPA2, so no 52-bit VAs, no L0 blocks with 4K, no
// L1 blocks with 16K/64K).
//
// VA split with a 48-bit VA (TCR_EL1.T0SZ = 16):
//
//   4 KiB   47       39 38       30 29       21 20       12 11            0
//          +-----------+-----------+-----------+-----------+--------------+
//          |  L0 (9)   |  L1 (9)   |  L2 (9)   |  L3 (9)   | offset (12)  |
//          +-----------+-----------+-----------+-----------+--------------+
//                        1 GiB blk   2 MiB blk   4 KiB page
//
//   16 KiB  47 46         36 35         25 24         14 13               0
//          +--+-------------+-------------+-------------+-----------------+
//          |L0|  L1 (11)    |  L2 (11)    |  L3 (11)    |  offset (14)    |
//          +--+-------------+-------------+-------------+-----------------+
//           2 entries        32 MiB blk    16 KiB page
//
//   64 KiB  47     42 41           29 28           16 15                   0
//          +--------+---------------+---------------+---------------------+
//          | L1 (6) |   L2 (13)     |   L3 (13)     |    offset (16)      |
//          +--------+---------------+---------------+---------------------+
//                     512 MiB blk     64 KiB page
//
// A smaller VA (T0SZ up to 39, i.e. down to 25 bits) starts the walk at a later level
// with a smaller root table: 4K/39 starts at L1 (3 levels), 16K/47 at L1 (3 levels, a
// full 2048-entry root), 16K/36 at L2 (2 levels), 64K/42 at L2 (2 levels). A root table
// is aligned to its size, and to at least 64 bytes.
//
// Descriptors, 64 bits (g = granule shift: 12, 14 or 16; n = the leaf's size shift):
//
//   invalid   bit 0 = 0; every other bit is ignored by the hardware.
//             vmlab swap entry: bit 1 = 1, payload in bits [63:2].
//
//   table (L0-L2, bits[1:0] = 0b11)
//    63    62 61   60     59      58   52 51  48 47                 g g-1     2  1 0
//   +-------+-----+-------+-------+-------+------+-------------------+---------+----+
//   |NSTable|APTbl|UXNTbl |PXNTbl |ignored| RES0 | next table [47:g] | ignored | 11 |
//   +-------+-----+-------+-------+-------+------+-------------------+---------+----+
//
//   block (bits[1:0] = 0b01, L1/L2 as the granule allows) and page (L3, bits[1:0] = 0b11)
//    63  59 58  55 54  53  52   51  50 49 48 47        n n-1   12 11 10 9  8 7  6 5  4    2 1 0
//   +------+------+---+---+----+---+--+-----+-----------+--------+--+--+----+----+--+------+---+
//   |ignord|  SW  |UXN|PXN|Cont|DBM|GP| RES0|  OA[47:n] |  RES0  |nG|AF| SH | AP |NS|AttrIx|t 1|
//   +------+------+---+---+----+---+--+-----+-----------+--------+--+--+----+----+--+------+---+
//
//   AP[2:1] (bits 7:6)   EL1 (kernel)   EL0 (user)
//        00               read/write     none
//        01               read/write     read/write
//        10               read-only      none
//        11               read-only      read-only
//   UXN removes EL0 execute, PXN removes EL1 execute; a page writable at EL0 (AP = 01) is
//   never executable at EL1 (implicit PXN). EL0 execute is governed by UXN alone.
//
// vmlab's conventions (those of Linux arm64):
//   - SH = 0b11 (inner shareable) on every leaf; AttrIndx carries LeafAttrs::cache.
//   - a writable mapping sets DBM (Linux's PTE_WRITE); it is clean while AP[2] = 1 and
//     dirty once AP[2] = 0. With ad_mode = Hardware (FEAT_HAFDBS) a write to a clean page
//     is permitted and the hardware clears AP[2] (set_dirty). With ad_mode = Fault the DBM
//     bit is ignored by the hardware and the write is a permission fault.
//   - bit 55 is the software dirty bit of a read-only page (Linux's PTE_DIRTY); bits
//     56-57 hold LeafAttrs::sw.
//   - user pages get PXN, kernel pages UXN; nG = !global.
//   - AF = 0 faults (Access flag fault) with ad_mode = Fault; with Hardware it is set.
//   - output-address bits above 48 ([49:48] of a leaf, [51:48] of a table) are an address
//     size fault, reported as a reserved encoding; bits[1:0] = 0b01 where no block is
//     allowed (L0 with 4K, L1 with 16K/64K, any L3) is reserved.
//
// The TTBR1 (kernel) region, VA >= 2^64 - 2^va_bits, is translated by a second table on
// real hardware. A vmlab PageTable is one radix tree, so this format covers the TTBR0
// region only: VAs in [0, 2^va_bits) are canonical; everything else (including the
// TTBR1 region, reported as kernel_base) is not representable in this table. TBI (top
// byte ignore) is off.
#include <memory>
#include <string>

#include <fmt/format.h>

#include "hw/paging/format_factories.hpp"

namespace vmlab::paging {
namespace {

constexpr std::uint64_t bit(unsigned n) { return std::uint64_t{1} << n; }
constexpr std::uint64_t bits(unsigned hi, unsigned lo) { return (bit(hi - lo + 1) - 1) << lo; }

constexpr std::uint64_t kValid = bit(0);
constexpr std::uint64_t kTypeBit = bit(1);  // 1 = table (L0-L2) or page (L3); 0 = block
constexpr unsigned kAttrIndxShift = 2;
constexpr std::uint64_t kAttrIndx = bits(4, 2);
constexpr std::uint64_t kNs = bit(5);
constexpr std::uint64_t kAp1 = bit(6);  // EL0 access
constexpr std::uint64_t kAp2 = bit(7);  // read-only
constexpr unsigned kShShift = 8;
constexpr std::uint64_t kSh = bits(9, 8);
constexpr std::uint64_t kAf = bit(10);
constexpr std::uint64_t kNg = bit(11);
constexpr std::uint64_t kGp = bit(50);
constexpr std::uint64_t kDbm = bit(51);
constexpr std::uint64_t kContig = bit(52);
constexpr std::uint64_t kPxn = bit(53);
constexpr std::uint64_t kUxn = bit(54);
constexpr std::uint64_t kSwDirty = bit(55);
constexpr unsigned kSwShift = 56;
constexpr std::uint64_t kSw = bits(57, 56);
constexpr std::uint64_t kLeafOaHigh = bits(49, 48);   // RES0 with a 48-bit output address
constexpr std::uint64_t kTableOaHigh = bits(51, 48);
constexpr std::uint64_t kPxnTable = bit(59);
constexpr std::uint64_t kUxnTable = bit(60);
constexpr unsigned kApTableShift = 61;
constexpr std::uint64_t kApTable = bits(62, 61);
constexpr std::uint64_t kNsTable = bit(63);
constexpr std::uint64_t kSwapMarker = bit(1);

constexpr unsigned kOaBits = 48;

class Aarch64Format final : public PagingFormat {
public:
    Aarch64Format(unsigned granule_shift, unsigned va_bits, AdMode ad) : g_(granule_shift) {
        ad_mode_ = ad;
        const unsigned b = g_ - 3;  // index bits per full level
        // Architectural level numbers: L3 leaves at the granule; each level up adds b bits.
        // The walk starts at the level whose range contains bit va_bits-1.
        unsigned start = 3;
        while (g_ + (4 - start) * b < va_bits) --start;
        first_arch_level_ = start;
        for (unsigned a = start; a <= 3; ++a) {
            PagingLevel l;
            l.shift = static_cast<std::uint8_t>(g_ + (3 - a) * b);
            const unsigned top = (a == start) ? va_bits : l.shift + b;
            l.bits = static_cast<std::uint8_t>(top - l.shift);
            l.entry_bytes = 8;
            l.leaf_allowed = block_allowed(a) || a == 3;
            l.name = kLevelNames[a];
            geo_.levels.push_back(l);
        }
        const char* gname = g_ == 12 ? "4k" : g_ == 14 ? "16k" : "64k";
        geo_.name = fmt::format("aarch64-{}", gname);
        geo_.isa = "aarch64";
        geo_.va_bits = static_cast<std::uint8_t>(va_bits);
        geo_.pa_bits = kOaBits;
        geo_.sign_extended = false;
        const unsigned root_bytes_shift = geo_.levels[0].bits + 3u;
        geo_.root_align_shift = static_cast<std::uint8_t>(root_bytes_shift < 6 ? 6 : root_bytes_shift);
        geo_.kernel_base = ~std::uint64_t{0} << va_bits;  // start of the TTBR1 region
        geo_.swap_payload_bits = 62;
    }

    bool canonical(VirtAddr va) const override { return (va.value >> geo_.va_bits) == 0; }

    DecodedEntry decode(unsigned level, std::uint64_t raw) const override {
        DecodedEntry d;
        if (!(raw & kValid)) return d;
        const unsigned a = arch_level(level);
        const bool type = raw & kTypeBit;
        if (type && a < 3) {
            if (raw & kTableOaHigh) return reserved(d, "address size fault: table address bits [51:48] set");
            d.kind = EntryKind::Table;
            d.addr = raw & bits(kOaBits - 1, g_);
            d.allow = table_allow(raw);
            return d;
        }
        if (!type && !block_allowed(a))
            return reserved(d, a == 3 ? "bits[1:0]=01 at level 3 is reserved"
                                      : "block descriptor not allowed at this level with this granule");
        if (raw & kLeafOaHigh) return reserved(d, "address size fault: output address bits [49:48] set");
        const unsigned n = leaf_shift(a);
        d.kind = EntryKind::Leaf;
        d.addr = raw & bits(kOaBits - 1, n);
        d.size = PageSize::from_shift(n);
        d.allow = leaf_allow(raw);
        d.accessed = raw & kAf;
        d.dirty = !(raw & kAp2) || (raw & kSwDirty);
        d.global = !(raw & kNg);
        d.dbm = raw & kDbm;
        d.cache = static_cast<std::uint8_t>((raw & kAttrIndx) >> kAttrIndxShift);
        d.sw = static_cast<std::uint8_t>((raw & kSw) >> kSwShift);
        return d;
    }

    std::uint64_t encode_table(unsigned level, PhysAddr next) const override {
        VMLAB_ASSERT(arch_level(level) < 3, "table descriptor at the last level");
        VMLAB_ASSERT((next.value & ~bits(kOaBits - 1, g_)) == 0, "table address not granule-aligned or above 48 bits");
        return next.value | kTypeBit | kValid;
    }

    std::uint64_t encode_leaf(unsigned level, PhysAddr base, const LeafAttrs& at) const override {
        const unsigned a = arch_level(level);
        VMLAB_ASSERT(a == 3 || block_allowed(a), "no block descriptor at this level");
        const unsigned n = leaf_shift(a);
        VMLAB_ASSERT((base.value & ~bits(kOaBits - 1, n)) == 0, "leaf address not aligned or above 48 bits");
        VMLAB_ASSERT(at.cache < 8 && at.sw < 4, "AttrIndx or software bits out of range");
        std::uint64_t raw = base.value | kValid | (a == 3 ? kTypeBit : 0);
        raw |= std::uint64_t{at.cache} << kAttrIndxShift;
        raw |= std::uint64_t{3} << kShShift;
        raw |= std::uint64_t{at.sw} << kSwShift;
        if (at.accessed) raw |= kAf;
        if (!at.global) raw |= kNg;
        const Prot& p = at.prot;
        if (p.user) {
            // EL0 data access needs AP[1]; an exec-only or inaccessible user page keeps
            // AP[1] = 0 (EL1 read-only) and relies on UXN.
            if (p.read || p.write) raw |= kAp1;
            raw |= kPxn;
            if (!p.exec) raw |= kUxn;
        } else {
            raw |= kUxn;
            if (!p.exec) raw |= kPxn;
        }
        if (p.write) {
            raw |= kDbm;
            if (!at.dirty) raw |= kAp2;
        } else {
            raw |= kAp2;
            if (at.dirty) raw |= kSwDirty;
        }
        return raw;
    }

    std::uint64_t encode_swap(unsigned, std::uint64_t payload) const override {
        VMLAB_ASSERT(payload < bit(62), "swap payload wider than 62 bits");
        return (payload << 2) | kSwapMarker;
    }

    std::optional<std::uint64_t> decode_swap(unsigned, std::uint64_t raw) const override {
        if ((raw & (kValid | kSwapMarker)) != kSwapMarker) return std::nullopt;
        return raw >> 2;
    }

    std::uint64_t set_accessed(unsigned, std::uint64_t raw) const override { return raw | kAf; }
    std::uint64_t clear_accessed(unsigned, std::uint64_t raw) const override { return raw & ~kAf; }
    // FEAT_HAFDBS: a write to a DBM page clears AP[2]. A page without DBM has no hardware
    // dirty state; it is returned unchanged.
    std::uint64_t set_dirty(unsigned, std::uint64_t raw) const override {
        return (raw & kDbm) ? (raw & ~kAp2) : raw;
    }
    // Linux's pte_mkclean: a DBM page becomes read-only again (clean), the software dirty
    // bit is cleared. A writable page without DBM (AP[2] = 0) cannot be made clean.
    std::uint64_t clear_dirty(unsigned, std::uint64_t raw) const override {
        raw &= ~kSwDirty;
        if (raw & kDbm) raw |= kAp2;
        return raw;
    }

    std::string describe(unsigned level, std::uint64_t raw) const override {
        if (!(raw & kValid)) {
            if (auto s = decode_swap(level, raw)) return fmt::format("invalid swap={:#x}", *s);
            return "invalid";
        }
        const DecodedEntry d = decode(level, raw);
        std::string s;
        if (d.kind == EntryKind::Reserved) return fmt::format("reserved ({})", d.reserved_why);
        if (d.kind == EntryKind::Table) {
            s = "TABLE";
            if (raw & kApTable) s += fmt::format(" APTable={:02b}", (raw & kApTable) >> kApTableShift);
            if (raw & kUxnTable) s += " UXNTable";
            if (raw & kPxnTable) s += " PXNTable";
            if (raw & kNsTable) s += " NSTable";
            return s;
        }
        s = arch_level(level) == 3 ? "PAGE" : "BLOCK";
        s += fmt::format(" AttrIndx={}", d.cache);
        if (raw & kNs) s += " NS";
        s += fmt::format(" AP={:02b}", (raw >> 6) & 3);
        static const char* const kShNames[] = {"NS", "rsv", "OS", "IS"};
        s += fmt::format(" SH={}", kShNames[(raw & kSh) >> kShShift]);
        if (raw & kAf) s += " AF";
        if (raw & kNg) s += " nG";
        if (raw & kGp) s += " GP";
        if (raw & kDbm) s += " DBM";
        if (raw & kContig) s += " Contig";
        if (raw & kPxn) s += " PXN";
        if (raw & kUxn) s += " UXN";
        if (raw & kSwDirty) s += " SWDIRTY";
        if (d.sw) s += fmt::format(" SW={}", d.sw);
        return s;
    }

private:
    static constexpr const char* kLevelNames[4] = {"L0", "L1", "L2", "L3"};

    unsigned arch_level(unsigned level) const { return first_arch_level_ + level; }
    unsigned leaf_shift(unsigned a) const { return g_ + (3 - a) * (g_ - 3); }
    // Blocks with a 48-bit output address: 4K at L1 (1 GiB) and L2 (2 MiB); 16K at L2
    // (32 MiB); 64K at L2 (512 MiB).
    bool block_allowed(unsigned a) const { return a == 2 || (a == 1 && g_ == 12); }

    static DecodedEntry& reserved(DecodedEntry& d, const char* why) {
        d.kind = EntryKind::Reserved;
        d.reserved_why = why;
        return d;
    }

    // APTable: bit 61 = no EL0 access below, bit 62 = no write access below.
    static PermMask table_allow(std::uint64_t raw) {
        PermMask m = kPermAll;
        const unsigned ap = static_cast<unsigned>((raw & kApTable) >> kApTableShift);
        if (ap & 1) m &= static_cast<PermMask>(~(kPermUR | kPermUW | kPermUX));
        if (ap & 2) m &= static_cast<PermMask>(~(kPermUW | kPermKW));
        if (raw & kUxnTable) m &= static_cast<PermMask>(~kPermUX);
        if (raw & kPxnTable) m &= static_cast<PermMask>(~kPermKX);
        return m;
    }

    PermMask leaf_allow(std::uint64_t raw) const {
        const bool el0 = raw & kAp1;
        const bool ro = raw & kAp2;
        const bool hw_writable = ro && (raw & kDbm) && ad_mode_ == AdMode::Hardware;
        PermMask m = kPermKR;
        if (!ro || hw_writable) m |= kPermKW;
        if (el0) {
            m |= kPermUR;
            if (!ro || hw_writable) m |= kPermUW;
        }
        if (!(raw & kUxn)) m |= kPermUX;
        const bool el0_writable = el0 && !ro;  // implicit PXN
        if (!(raw & kPxn) && !el0_writable) m |= kPermKX;
        return m;
    }

    unsigned g_;
    unsigned first_arch_level_ = 0;
};

}  // namespace

Result<std::unique_ptr<PagingFormat>> make_aarch64(unsigned granule_shift, const PagingOptions& opt) {
    VMLAB_ASSERT(granule_shift == 12 || granule_shift == 14 || granule_shift == 16, "unknown AArch64 granule");
    const unsigned va = opt.va_bits ? opt.va_bits : 48;
    if (va < 25 || va > 48)
        return failf("AArch64 va_bits {} not supported: TCR_EL1.T0SZ 16..39 allows 25..48 bits", va);
    return std::unique_ptr<PagingFormat>(std::make_unique<Aarch64Format>(granule_shift, va, opt.ad_mode));
}

VMLAB_REGISTER(paging_formats(), "aarch64-4k",
               "AArch64 VMSAv8-64 stage 1, 4 KiB granule: VA 25..48 bits (default 48), 4 KiB / 2 MiB / 1 GiB",
               [](const PagingOptions& opt) { return make_aarch64(12, opt); });
VMLAB_REGISTER(paging_formats(), "aarch64-16k",
               "AArch64 VMSAv8-64 stage 1, 16 KiB granule: VA 25..48 bits (default 48), 16 KiB / 32 MiB",
               [](const PagingOptions& opt) { return make_aarch64(14, opt); });
VMLAB_REGISTER(paging_formats(), "aarch64-64k",
               "AArch64 VMSAv8-64 stage 1, 64 KiB granule: VA 25..48 bits (default 48), 64 KiB / 512 MiB",
               [](const PagingOptions& opt) { return make_aarch64(16, opt); });

}  // namespace vmlab::paging
