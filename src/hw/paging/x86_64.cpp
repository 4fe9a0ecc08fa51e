// x86-64 4-level and 5-level paging: Intel SDM Vol. 3A §4.5 ("4-Level Paging and 5-Level
// Paging"), Tables 4-14 to 4-20; canonical addresses §3.3.7.1; permissions §4.6.
//
// VA split, 4-level (48-bit, "x86-64-4level"):
//
//   63      48 47     39 38     30 29     21 20     12 11          0
//  +----------+---------+---------+---------+---------+-------------+
//  | sign ext | PML4    | PDPT    | PD      | PT      | offset      |
//  +----------+---------+---------+---------+---------+-------------+
//                                   1 GiB page: offset = bits 29:0
//                                   2 MiB page: offset = bits 20:0
//
// 5-level (LA57, 57-bit, "x86-64-5level") adds PML5 = bits 56:48 above PML4; the sign
// extension is then bits 63:57.
//
// Entries (64 bits, MAXPHYADDR = 52):
//
//   63  62    52 51           M M-1              12 11  9 8 7 6 5 4 3 2 1 0
//  +--+---------+--------------+--------------------+-----+-+-+-+-+-+-+-+-+-+
//  |XD| ignored | reserved (0) | address            | ign |G|S|D|A|C|W|U|R|P|
//  +--+---------+--------------+--------------------+-----+-+-+-+-+-+-+-+-+-+
//   S = PS in a PDPTE (1 GiB page) or PDE (2 MiB page), PAT in a PTE; PS must be 0 in a
//   PML5E/PML4E. In a PS = 1 entry bit 12 is PAT and bits 29:13 (1 GiB) or 20:13 (2 MiB)
//   are reserved. D and G are ignored in table entries; A is set in every entry walked.
//   C = PCD, W = PWT, U = U/S, R = R/W.
//
// The upper canonical half is kernel space (Linux): kernel_base = 0xffff800000000000
// (4-level) or 0xff00000000000000 (5-level).
#include "x86_common.hpp"

namespace vmlab {
namespace {

PagingGeometry geometry_4level() {
    PagingGeometry g;
    g.name = "x86-64-4level";
    g.isa = "x86-64";
    g.va_bits = 48;
    g.pa_bits = 52;
    g.levels = {
        {39, 9, 8, false, "PML4"},
        {30, 9, 8, true, "PDPT"},
        {21, 9, 8, true, "PD"},
        {12, 9, 8, true, "PT"},
    };
    g.sign_extended = true;
    g.root_align_shift = 12;
    g.kernel_base = 0xffff800000000000ull;
    g.swap_payload_bits = 62;
    return g;
}

PagingGeometry geometry_5level() {
    PagingGeometry g = geometry_4level();
    g.name = "x86-64-5level";
    g.va_bits = 57;
    g.levels.insert(g.levels.begin(), PagingLevel{48, 9, 8, false, "PML5"});
    g.kernel_base = 0xff00000000000000ull;
    return g;
}

Result<std::unique_ptr<PagingFormat>> make(PagingGeometry g, const PagingOptions& opt) {
    VMLAB_TRY(x86::check_options(g, opt));
    return std::unique_ptr<PagingFormat>(std::make_unique<x86::X86Format>(std::move(g), x86::Spec{}));
}

VMLAB_REGISTER(paging_formats(), "x86-64-4level", "x86-64 4-level paging: 48-bit VA, 4 KiB / 2 MiB / 1 GiB pages",
               [](const PagingOptions& opt) { return make(geometry_4level(), opt); });
VMLAB_REGISTER(paging_formats(), "x86-64-5level", "x86-64 5-level paging (LA57): 57-bit VA, 4 KiB / 2 MiB / 1 GiB pages",
               [](const PagingOptions& opt) { return make(geometry_5level(), opt); });

}  // namespace
}  // namespace vmlab
