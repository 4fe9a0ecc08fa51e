// x86 32-bit paging ("i386"): Intel SDM Vol. 3A §4.3 ("32-Bit Paging"), Tables 4-4 to 4-6,
// with CR4.PSE = 1 (4 MiB pages) and without PSE-36 (MAXPHYADDR = 32). No XD bit exists in
// this mode: every readable page is executable.
//
// VA split (32 bits; no canonical form: every 32-bit address is valid):
//
//   31          22 21          12 11            0
//  +--------------+--------------+---------------+
//  | PD (1024)    | PT (1024)    | offset        |
//  +--------------+--------------+---------------+
//                   4 MiB page: offset = bits 21:0
//
// Entries (32 bits):
//
//   31                  12 11  9 8 7 6 5 4 3 2 1 0
//  +----------------------+-----+-+-+-+-+-+-+-+-+-+
//  | address              | ign |G|S|D|A|C|W|U|R|P|     PTE (S = PAT), PDE with PS = 0 (S = 0)
//  +----------------------+-----+-+-+-+-+-+-+-+-+-+
//   31       22 21     13 12
//  +-----------+---------+---+-----+-+-+-+-+-+-+-+-+-+
//  | address   | rsvd(0) |PAT| ign |G|1|D|A|C|W|U|R|P|  PDE with PS = 1: 4 MiB page
//  +-----------+---------+---+-----+-+-+-+-+-+-+-+-+-+
//   Bits 20:13 would hold PA bits 39:32 with PSE-36 and bit 21 is reserved; with
//   MAXPHYADDR = 32 all of 21:13 must be 0.
//
// Kernel space is the top gigabyte (Linux's 3G/1G split): kernel_base = 0xC0000000.
// Swap entries use bits 31:2 (30-bit payload), see x86_common.hpp.
#include "x86_common.hpp"

namespace vmlab {
namespace {

PagingGeometry geometry() {
    PagingGeometry g;
    g.name = "i386";
    g.isa = "i386";
    g.va_bits = 32;
    g.pa_bits = 32;
    g.levels = {
        {22, 10, 4, true, "PD"},
        {12, 10, 4, true, "PT"},
    };
    g.sign_extended = false;
    g.root_align_shift = 12;
    g.kernel_base = 0xC0000000ull;
    g.swap_payload_bits = 30;
    return g;
}

VMLAB_REGISTER(paging_formats(), "i386", "x86 32-bit paging (2 levels, 4 KiB / 4 MiB PSE pages, no NX)",
               [](const PagingOptions& opt) -> Result<std::unique_ptr<PagingFormat>> {
                   PagingGeometry g = geometry();
                   VMLAB_TRY(x86::check_options(g, opt));
                   return std::unique_ptr<PagingFormat>(
                       std::make_unique<x86::X86Format>(std::move(g), x86::Spec{.xd = false, .pae_pdpt = false}));
               });

}  // namespace
}  // namespace vmlab
