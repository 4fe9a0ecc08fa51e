// OSTEP's six virtual-memory homework simulators (Operating Systems: Three Easy Pieces,
// github.com/remzi-arpacidusseau/ostep-homework), output for output.
//
//   relocation                   vm-mechanism/relocation.py                 base and bounds
//   segmentation                 vm-segmentation/segmentation.py            two segments
//   malloc                       vm-freespace/malloc.py                     free-list allocator
//   paging-linear-translate      vm-paging/paging-linear-translate.py       linear page table
//   paging-multilevel-translate  vm-smalltables/paging-multilevel-translate.py  two levels
//   paging-policy                vm-beyondphys-policy/paging-policy.py      page replacement
//
// Each takes the Python tool's arguments verbatim (optparse syntax) plus vmlab long aliases,
// and produces the tool's stdout byte for byte and its exit status, seeds included (the
// draws of Python's random module are reproduced exactly). Components never print: the
// output is appended to a string that the caller writes.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vmlab/core/registry.hpp"
#include "vmlab/core/result.hpp"

namespace vmlab::compat {

// Runs a simulator on the arguments after its name. Appends what the Python tool writes to
// stdout to `out` and returns its exit status: 0, or 1 for the tool's own "Error: ..."
// checks. An Error means exit status 2 with a message for stderr: a bad option (optparse
// exits 2 as well, with nothing on stdout), or an input on which the Python tool crashes
// with a traceback or loops forever. `out` then holds what the tool printed before that.
using OstepRunFn = Result<int> (*)(const std::vector<std::string>& args, std::string& out);

struct OstepSimulator {
    std::string script;                 // "relocation.py"
    std::vector<std::string> aliases;   // other accepted names ("vm-mechanism", ...)
    OstepRunFn run = nullptr;
};

// The simulators, registered by canonical name in their own files.
Registry<OstepSimulator>& ostep_simulators();

// By canonical name, alias or script name (with or without ".py").
const Registry<OstepSimulator>::Entry* find_ostep_simulator(std::string_view name);

// find_ostep_simulator + run; an unknown name is an Error that suggests the nearest one.
Result<int> run_ostep(std::string_view simulator, const std::vector<std::string>& args, std::string& out);

// The 4 KB physical memory of paging-multilevel-translate as the Python tool prints it:
//
//   page   0:1b1d05051d0b19001e00121c1909190c0f0b0a1218151700100a061c06050514
//   ...                                  (128 lines of 32 bytes; spaces between bytes allowed)
//   PDBR: 108  (decimal) [This means the page directory is held in this page]
//   Virtual Address 0x611c:              (solve mode)  or
//   Virtual Address 611c: Translates To What ...   (question mode)
//
// Other lines (ARG ..., translations, blank lines) are ignored.
struct OstepMemoryDump {
    std::vector<std::uint8_t> bytes;    // 4096: page p is bytes[32*p .. 32*p+31]
    std::optional<unsigned> pdbr;       // when the PDBR line is present
    std::vector<std::uint32_t> vas;     // the "Virtual Address" lines, in order
};

// Errors name origin:line (a malformed or repeated page line, a bad PDBR) or origin alone
// (a page missing from the dump).
Result<OstepMemoryDump> parse_ostep_multilevel_dump(std::string_view text, const std::string& origin);

}  // namespace vmlab::compat
