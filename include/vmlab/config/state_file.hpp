// Machine-state files: the exact contents of page tables, TLBs and physical memory, so that
// textbook exercises (the CS:APP small memory system, an OSTEP memory dump) can be set up
// and explained. A state file is TOML (docs/explain.md):
//
//   machine = "csapp-small"          # preset used unless the command line names a machine
//   root = 0xe00                     # PA of the root table (adopted); omitted = allocate one
//   asid = 0
//   [[page]]   vpn = 0x0f, ppn = 0x0d            (or va/pa; size, prot, user, global, ...)
//   [[entry]]  va = 0x3c0, level = 0, raw = 0x0341   (a raw entry value at a level)
//   [[tlb]]    structure = "TLB", set = 3, way = 1, tag = 0x03, ppn = 0x0d, valid = true
//   [[memory]] pa = 0x354, bytes = [0x36]           (or hex = "36 72 f0 1d")
//
// Applying a state: memory bytes first, then pages and raw entries through PageTable,
// then the page-table root is loaded into the CPU's MMU, then TLB entries are inserted.
// Page-table nodes that [[page]]/[[entry]] need below an adopted root come from the
// frame allocator, which does not know which frames the file's own bytes occupy.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vmlab/core/result.hpp"
#include "vmlab/core/types.hpp"
#include "vmlab/hw/machine.hpp"
#include "vmlab/hw/paging.hpp"

namespace vmlab {

struct StatePage {
    std::optional<std::uint64_t> va, vpn, pa, ppn;  // one of va/vpn, one of pa/ppn
    std::optional<PageSize> size;                   // default: the smallest page size
    LeafAttrs attrs;
    Location where;
};

struct StateEntry {
    std::uint64_t va = 0;
    unsigned level = 0;
    std::uint64_t raw = 0;
    Location where;
};

struct StateTlbEntry {
    std::string structure;
    std::optional<std::uint64_t> set, way, tag;  // CS:APP style: the set, way and tag stored
    std::optional<std::uint64_t> va, vpn;        // or the page it maps (policy placement)
    std::optional<std::uint64_t> pa, ppn;
    std::optional<PageSize> size;                // default: the structure's smallest size
    Prot prot{true, true, true, true};
    bool global = false, dirty = true, valid = true;
    std::uint16_t asid = 0;
    Location where;
};

struct StateMemory {
    std::uint64_t pa = 0;
    std::vector<std::uint8_t> bytes;
    Location where;
};

struct StateFile {
    std::string origin;
    std::string machine;  // preset named by the file ("" = none)
    std::optional<std::uint64_t> root;
    std::uint16_t asid = 0;
    std::vector<StatePage> pages;
    std::vector<StateEntry> entries;
    std::vector<StateTlbEntry> tlb;
    std::vector<StateMemory> memory;
};

Result<StateFile> parse_state_file(std::string_view text, const std::string& origin);
Result<StateFile> load_state_file(const std::string& path);

// One mapping of the demo address space, for the reports that describe it.
struct DemoMapping {
    VirtAddr va{};
    PhysAddr pa{};
    PageSize size{};
    Prot prot;
    std::string what;  // "code", "data", ...
};

// What a state (or the demo) left on the machine. The page table must outlive the use of
// the machine's MMU (its nodes are frames of the machine's memory).
struct LoadedState {
    std::unique_ptr<PageTable> page_table;
    std::vector<DemoMapping> mappings;  // the demo's mappings (empty for state files)
    std::vector<VirtAddr> examples;     // addresses worth explaining (the demo's)
};

// Applies a state file to `cpu` of `m`. Errors carry the location of the offending item.
Result<LoadedState> apply_state(const StateFile& s, Machine& m, unsigned cpu = 0);

// A small address space for explanations when no state is given: a code page (r-x), a
// read-only page, data pages (rw-, the first holding the text "hello, vmlab"), and a page
// of the next larger size (2 MiB on x86-64) when the format and the memory allow it.
// Accessed/dirty flags are left clear where the hardware sets them, pre-set where the
// machine leaves them to the OS. The root is loaded into `cpu` with ASID 1.
Result<LoadedState> build_demo_state(Machine& m, unsigned cpu = 0);

// Loads a memory image (e.g. an OSTEP memory dump) into physical memory from PA 0 and
// adopts the table at `root` as the page table of `cpu` (ASID 0).
Result<LoadedState> apply_memory_image(const std::vector<std::uint8_t>& bytes, PhysAddr root, Machine& m,
                                       unsigned cpu = 0);

}  // namespace vmlab
