// Page-table formats of real ISAs, bit-exact, stored in simulated physical memory.
//
// A PagingFormat describes one ISA's radix page table: the VA split per level and how to
// encode and decode each entry. It holds no state. Two users sit on top of it:
//   - the hardware walker (hw/walker.hpp), which reads entries from PhysMem and decodes
//     them, updating accessed/dirty bits as the ISA says;
//   - the kernel's page-table interface (PageTable below), which maps, unmaps, protects
//     and queries pages of any supported size, allocating table nodes from the frame
//     allocator so that page-table memory is counted as on a real machine.
//
// Levels are numbered from the root: level 0 is the table CR3/TTBR/satp points to.
// In every format an entry whose raw value is 0 is invalid and empty (no swap payload):
// fresh table nodes are zero-filled, and PageTable frees a node when all its bytes are 0.
// One file per format in src/hw/paging/, each registered in paging_formats().
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "vmlab/core/registry.hpp"
#include "vmlab/core/result.hpp"
#include "vmlab/core/types.hpp"

namespace vmlab {

class PhysMem;

// Permission bits as the hardware checks them: one bit per (privilege, access) pair.
// Bit index = privilege * 3 + access (see AccessKind, Privilege).
using PermMask = std::uint8_t;
constexpr PermMask perm_bit(Privilege p, AccessKind a) {
    return static_cast<PermMask>(1u << (static_cast<unsigned>(p) * 3 + static_cast<unsigned>(a)));
}
inline constexpr PermMask kPermUR = perm_bit(Privilege::User, AccessKind::Read);
inline constexpr PermMask kPermUW = perm_bit(Privilege::User, AccessKind::Write);
inline constexpr PermMask kPermUX = perm_bit(Privilege::User, AccessKind::Execute);
inline constexpr PermMask kPermKR = perm_bit(Privilege::Kernel, AccessKind::Read);
inline constexpr PermMask kPermKW = perm_bit(Privilege::Kernel, AccessKind::Write);
inline constexpr PermMask kPermKX = perm_bit(Privilege::Kernel, AccessKind::Execute);
inline constexpr PermMask kPermAll = 0x3f;
std::string perm_string(PermMask m);  // "U:rwx K:rw-"

// ISA-neutral protection of a mapping, as the kernel asks for it (PROT_* plus user/kernel).
struct Prot {
    bool read = true;
    bool write = false;
    bool exec = false;
    bool user = true;  // false = kernel-only page
    constexpr bool operator==(const Prot&) const = default;
};

// Everything the kernel sets in a leaf entry.
struct LeafAttrs {
    Prot prot;
    bool global = false;    // x86 G, RISC-V G, AArch64 !nG
    bool accessed = false;  // pre-set A/AF (Linux pre-sets it on most faults)
    bool dirty = false;     // pre-set D (or, on AArch64, the writable state)
    std::uint8_t cache = 0; // format-specific memory type (x86 PWT|PCD<<1|PAT<<2, AArch64 AttrIndx)
    std::uint8_t sw = 0;    // up to 2 software-defined bits, stored where the format has room
    constexpr bool operator==(const LeafAttrs&) const = default;
};

enum class EntryKind : std::uint8_t {
    Invalid,   // not present (may carry a swap payload)
    Table,     // points to the next-level table
    Leaf,      // maps a page (a block/huge page above the last level)
    Reserved,  // a present entry with a reserved bit set or an illegal encoding
};

// One entry decoded. For Table entries `allow` holds the restrictions the entry imposes
// on everything below it (x86 R/W, U/S, NX at every level; AArch64 APTable/XNTable);
// formats without hierarchical controls return kPermAll.
struct DecodedEntry {
    EntryKind kind = EntryKind::Invalid;
    std::uint64_t addr = 0;    // Table: PA of the next table; Leaf: PA of the page base
    PageSize size{};           // Leaf: page size
    PermMask allow = 0;        // permissions granted (leaf) or not removed (table)
    bool accessed = false;
    bool dirty = false;        // leaf: D bit, or AArch64 "writable and DBM-clean" inverse
    bool global = false;
    bool dbm = false;          // AArch64 dirty bit modifier: hw may make a clean page writable
    std::uint8_t cache = 0;
    std::uint8_t sw = 0;
    const char* reserved_why = nullptr;  // for Reserved: which rule was broken
};

// Static shape of a format.
struct PagingLevel {
    std::uint8_t shift = 0;        // VA bit where this level's index starts
    std::uint8_t bits = 0;         // index width (entries = 1 << bits)
    std::uint8_t entry_bytes = 8;  // size of one entry
    bool leaf_allowed = false;     // a leaf (page/block) may be placed at this level
    const char* name = "";         // "PML4", "PDPT", "PD", "PT", "L0", "VPN[2]", "PDE", ...
    std::uint64_t table_bytes() const { return (std::uint64_t{1} << bits) * entry_bytes; }
    PageSize leaf_size() const { return PageSize::from_shift(shift); }
};

struct PagingGeometry {
    std::string name;             // registry name
    std::string isa;              // "x86-64", "i386", "aarch64", "riscv", "csapp", "ostep"
    std::uint8_t va_bits = 48;    // implemented VA bits (per half, for split spaces)
    std::uint8_t pa_bits = 52;    // largest physical address the entries can hold
    std::vector<PagingLevel> levels;  // levels[0] = root
    bool sign_extended = true;    // canonical = sign-extension of bit va_bits-1 (x86, RISC-V)
    std::uint8_t root_align_shift = 12;  // the root table's alignment (PAE: 5)
    // The kernel half, for user/kernel split checks: VAs >= kernel_base are kernel space.
    std::uint64_t kernel_base = 0;
    std::uint8_t swap_payload_bits = 0;  // bits available in a non-present entry

    unsigned depth() const { return static_cast<unsigned>(levels.size()); }
    std::uint64_t index(unsigned level, VirtAddr va) const {
        const auto& l = levels[level];
        return (va.value >> l.shift) & ((std::uint64_t{1} << l.bits) - 1);
    }
    // Page sizes a leaf can have, smallest first.
    std::vector<PageSize> page_sizes() const;
    // The level whose leaves have this size, or -1.
    int level_for(PageSize ps) const;
};

// How accessed/dirty state is maintained where the ISA lets the implementation choose
// (RISC-V Svade vs Svadu, AArch64 FEAT_HAFDBS). x86 always updates in hardware.
enum class AdMode : std::uint8_t { Hardware, Fault };

struct PagingOptions {
    unsigned va_bits = 0;        // 0 = the format's default (AArch64: 39/42/48/...)
    AdMode ad_mode = AdMode::Hardware;
};

class PagingFormat {
public:
    virtual ~PagingFormat() = default;
    const PagingGeometry& geometry() const { return geo_; }
    const std::string& name() const { return geo_.name; }
    AdMode ad_mode() const { return ad_mode_; }

    // True when the VA is representable: canonical (x86-64, RISC-V), inside the 2^va_bits
    // region (AArch64 TTBR0, i386: always). Non-canonical accesses fault before any walk.
    virtual bool canonical(VirtAddr va) const = 0;

    virtual DecodedEntry decode(unsigned level, std::uint64_t raw) const = 0;
    virtual std::uint64_t encode_table(unsigned level, PhysAddr next) const = 0;
    virtual std::uint64_t encode_leaf(unsigned level, PhysAddr base, const LeafAttrs& a) const = 0;
    // A non-present entry carrying `payload` (swap entry); payload < 2^swap_payload_bits.
    virtual std::uint64_t encode_swap(unsigned level, std::uint64_t payload) const = 0;
    // The payload of a non-present entry written by encode_swap; nullopt for an empty one.
    virtual std::optional<std::uint64_t> decode_swap(unsigned level, std::uint64_t raw) const = 0;

    // What the hardware does when it sets A (on any access) or D (on a write) of a
    // present entry. AArch64 marks dirty by making the page writable (AP[2] cleared).
    virtual std::uint64_t set_accessed(unsigned level, std::uint64_t raw) const = 0;
    virtual std::uint64_t set_dirty(unsigned level, std::uint64_t raw) const = 0;
    virtual std::uint64_t clear_accessed(unsigned level, std::uint64_t raw) const = 0;
    virtual std::uint64_t clear_dirty(unsigned level, std::uint64_t raw) const = 0;
    // Whether the hardware sets A in table (non-leaf) entries too (x86 does).
    virtual bool sets_table_accessed() const { return false; }

    // Names of the flags set in an entry, for explanations: "P RW US A D NX".
    virtual std::string describe(unsigned level, std::uint64_t raw) const = 0;

    // A shortcut the hardware walker may take instead of calling decode() (a format
    // without one never matches). Contract: if (raw & mask) == value then decode(level, raw)
    // is a Table entry with addr = raw & addr, allow = kPermAll and accessed = (raw &
    // accessed) != 0 (the other fields do not matter to the walker).
    struct TableShortcut {
        std::uint64_t mask = 0, value = 1;  // the default matches nothing
        std::uint64_t addr = 0, accessed = 0;
    };
    static constexpr unsigned kMaxShortcutLevels = 8;
    const TableShortcut& table_shortcut(unsigned level) const {
        static const TableShortcut none;
        return level < kMaxShortcutLevels ? table_shortcuts_[level] : none;
    }

protected:
    PagingGeometry geo_;
    AdMode ad_mode_ = AdMode::Hardware;
    TableShortcut table_shortcuts_[kMaxShortcutLevels];
};

using PagingFormatFactory = std::function<Result<std::unique_ptr<PagingFormat>>(const PagingOptions&)>;
Registry<PagingFormatFactory>& paging_formats();
Result<std::unique_ptr<PagingFormat>> make_paging_format(std::string_view name, const PagingOptions& opt = {});

// What the kernel reads back from a page table for one VA.
struct PteView {
    bool present = false;
    unsigned level = 0;                 // level of the leaf, or where the walk stopped
    PhysAddr entry_pa{};                // where the entry lives
    std::uint64_t raw = 0;
    PhysAddr base{};                    // page base (present)
    PageSize size{};
    LeafAttrs attrs;                    // decoded back to ISA-neutral form (present)
    std::optional<std::uint64_t> swap;  // swap payload (not present)
    EntryKind kind = EntryKind::Invalid;  // Leaf when present; Invalid or Reserved otherwise
    PermMask perms = 0;                 // the leaf's own permissions (DecodedEntry::allow)
};

// The ISA-neutral attributes of a decoded leaf: user = any user permission; read/write/
// exec = the user permissions of a user page, the kernel ones of a kernel page.
LeafAttrs leaf_attrs_from(const DecodedEntry& d);

struct PageTableStats {
    std::uint64_t table_frames = 0;     // frames currently used by table nodes (incl. root)
    std::uint64_t tables_allocated = 0, tables_freed = 0;
    std::uint64_t bytes() const;        // set by PageTable from the frame size
    std::uint64_t frame_bytes = 0;
};

// The kernel's page-table interface for one address space. Table nodes are taken from
// the frame allocator of `mem` (flagged kFramePageTable) and returned when emptied by
// unmap (if `free_empty_tables`) or on destruction.
class PageTable {
public:
    // Allocates the root. Fails when memory is exhausted.
    static Result<std::unique_ptr<PageTable>> create(const PagingFormat& fmt, PhysMem& mem);
    // Adopts an existing root (state files, OSTEP dumps): nothing is freed on destruction.
    PageTable(const PagingFormat& fmt, PhysMem& mem, PhysAddr root, bool owned);
    ~PageTable();
    PageTable(const PageTable&) = delete;
    PageTable& operator=(const PageTable&) = delete;

    PhysAddr root() const { return root_; }
    const PagingFormat& format() const { return fmt_; }

    // Maps [va, va+size) to [pa, pa+size). va and pa must be aligned to size and the size
    // supported. Replaces an existing leaf of the same size; an existing table or leaf of
    // another size in the way is an error (callers unmap first).
    Status map(VirtAddr va, PhysAddr pa, PageSize size, const LeafAttrs& attrs);
    // Removes the leaf mapping va; returns what it was (present=false if none).
    PteView unmap(VirtAddr va);
    // Changes the attributes of the present leaf mapping va. False if none.
    bool protect(VirtAddr va, const LeafAttrs& attrs);
    // Writes a swap entry as the leaf at the given page size's level.
    Status set_swap(VirtAddr va, PageSize size, std::uint64_t payload);
    // The leaf for va (present or not).
    PteView query(VirtAddr va) const;
    // Clear the hardware-set accessed/dirty bits of the leaf mapping va; return old values.
    bool test_and_clear_accessed(VirtAddr va);
    bool test_and_clear_dirty(VirtAddr va);
    // Writes a raw entry at a level, creating tables above it (state files, tests).
    Status write_raw(VirtAddr va, unsigned level, std::uint64_t raw);

    bool free_empty_tables = true;
    const PageTableStats& stats() const { return stats_; }

    // Visits every present or swap leaf in [lo, hi): (va, view). Sparse: cost follows what
    // is mapped, not the size of the range.
    void for_each_leaf(VirtAddr lo, VirtAddr hi, const std::function<void(VirtAddr, const PteView&)>& fn) const;

private:
    static constexpr unsigned kMaxDepth = 8;
    // The entries read from the root down to the first non-table entry for one VA.
    struct Walk {
        unsigned level = 0;                   // level of the last entry read
        PhysAddr table[kMaxDepth]{};          // table base per level 0..level
        PhysAddr entry[kMaxDepth]{};          // entry address per level 0..level
        std::uint64_t raw = 0;                // the last entry
        DecodedEntry d;                       // ... decoded
        bool broken = false;                  // a table pointer led outside memory
    };
    Walk walk(VirtAddr va) const;
    PteView view_of(unsigned level, PhysAddr entry_pa, std::uint64_t raw, const DecodedEntry& d) const;
    // The address of va's entry at `level`, creating missing tables above it.
    Result<PhysAddr> entry_for(VirtAddr va, unsigned level, const char* op);
    Result<PhysAddr> alloc_table(unsigned level);
    void release_table(PhysAddr pa, unsigned order);
    // Frees the tables on va's path from `level` up that are empty and owned by this table.
    void prune(VirtAddr va, unsigned level);
    void visit(PhysAddr table, unsigned level, std::uint64_t prefix, std::uint64_t lo, std::uint64_t hi,
               const std::function<void(VirtAddr, const PteView&)>& fn) const;
    std::uint64_t read_entry(PhysAddr pa, unsigned level) const;
    void write_entry(PhysAddr pa, unsigned level, std::uint64_t raw);

    const PagingFormat& fmt_;
    PhysMem& mem_;
    PhysAddr root_;
    bool owned_ = true;
    PageTableStats stats_;
    std::unordered_map<std::uint64_t, std::uint8_t> tables_;  // nodes this table allocated: PA -> order
    int table_zone_ = -1;                 // highest zone whose frames the format can address
    std::uint64_t table_limit_ = 0;       // 2^pa_bits (0 = no limit)
};

}  // namespace vmlab
