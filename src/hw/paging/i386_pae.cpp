// x86 PAE paging ("i386-pae"): Intel SDM Vol. 3A §4.4 ("PAE Paging"), Tables 4-8 to 4-11,
// with IA32_EFER.NXE = 1 and MAXPHYADDR = 52.
//
// VA split (32 bits; no canonical form):
//
//   31 30 29        21 20        12 11            0
//  +-----+------------+------------+---------------+
//  |PDPT | PD (512)   | PT (512)   | offset        |
//  +-----+------------+------------+---------------+
//   4 entries          2 MiB page: offset = bits 20:0
//
// CR3 holds the 32-byte aligned address of the 4-entry PDPT (root_align_shift = 5).
//
// PDPTE (64 bits), §4.4.1 Table 4-8 -- no R/W, U/S, A or XD:
//
//   63        M M-1            12 11  9 8   5 4 3 2 1 0
//  +-----------+-----------------+-----+-----+-+-+---+-+
//  | rsvd (0)  | PD address      | ign |rsvd |C|W|rsv|P|
//  +-----------+-----------------+-----+-----+-+-+---+-+
//
// PDE / PTE (64 bits), Tables 4-9 to 4-11: the x86-64 layout (see x86_common.hpp):
//
//   63  62    52 51    M M-1           12 11  9 8 7 6 5 4 3 2 1 0
//  +--+---------+-------+---------------+-----+-+-+-+-+-+-+-+-+-+
//  |XD| ignored | rsvd  | address       | ign |G|S|D|A|C|W|U|R|P|
//  +--+---------+-------+---------------+-----+-+-+-+-+-+-+-+-+-+
//   S = PS in a PDE (2 MiB page: bit 12 PAT, bits 20:13 reserved), PAT in a PTE.
//
// Kernel space is the top gigabyte (Linux's 3G/1G split): kernel_base = 0xC0000000.
#include "x86_common.hpp"

namespace vmlab {
namespace {

PagingGeometry geometry() {
    PagingGeometry g;
    g.name = "i386-pae";
    g.isa = "i386";
    g.va_bits = 32;
    g.pa_bits = 52;
    g.levels = {
        {30, 2, 8, false, "PDPT"},
        {21, 9, 8, true, "PD"},
        {12, 9, 8, true, "PT"},
    };
    g.sign_extended = false;
    g.root_align_shift = 5;
    g.kernel_base = 0xC0000000ull;
    g.swap_payload_bits = 62;
    return g;
}

VMLAB_REGISTER(paging_formats(), "i386-pae", "x86 PAE paging (3 levels, 4-entry PDPT, 4 KiB / 2 MiB pages, NX)",
               [](const PagingOptions& opt) -> Result<std::unique_ptr<PagingFormat>> {
                   PagingGeometry g = geometry();
                   VMLAB_TRY(x86::check_options(g, opt));
                   return std::unique_ptr<PagingFormat>(
                       std::make_unique<x86::X86Format>(std::move(g), x86::Spec{.xd = true, .pae_pdpt = true}));
               });

}  // namespace
}  // namespace vmlab
