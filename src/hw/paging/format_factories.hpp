// Constructors of the AArch64, RISC-V and textbook paging formats, for the registry entries
// in their own files and for unit tests that build a format with explicit options.
// Library users go through make_paging_format(name, options) instead.
#pragma once

#include <memory>

#include "vmlab/hw/paging.hpp"

namespace vmlab::paging {

// VMSAv8-64 stage 1, TTBR0 region. granule_shift: 12 (4 KiB), 14 (16 KiB) or 16 (64 KiB).
// opt.va_bits: 0 = 48, else 25..48 (T0SZ 16..39). aarch64.cpp.
Result<std::unique_ptr<PagingFormat>> make_aarch64(unsigned granule_shift, const PagingOptions& opt);

// RISC-V Sv32 (va_bits 32), Sv39, Sv48, Sv57. opt.va_bits must be 0 or equal the mode's.
// riscv.cpp.
Result<std::unique_ptr<PagingFormat>> make_riscv(unsigned mode_va_bits, const PagingOptions& opt);

// The CS:APP 3e small memory system and OSTEP's vm-smalltables machine. textbook.cpp.
Result<std::unique_ptr<PagingFormat>> make_csapp_small(const PagingOptions& opt);
Result<std::unique_ptr<PagingFormat>> make_ostep_2level(const PagingOptions& opt);

}  // namespace vmlab::paging
