// exec of a real ELF64 binary, as a plan: every memory operation that Linux's execve
// (fs/binfmt_elf.c) and then glibc's dynamic loader (elf/rtld.c, elf/dl-load.c,
// elf/dl-map-segments.h) perform before the program's first instruction, in order, with
// the addresses Linux chooses, plus the initial stack image.
//
// plan_exec() reads the executable, its PT_INTERP and, emulating ld.so, the DT_NEEDED
// libraries (breadth-first in ld.so's order, found through DT_RPATH, LD_LIBRARY_PATH,
// DT_RUNPATH, /etc/ld.so.cache and the system directories). It does not touch any
// simulation state: the kernel model applies the plan (Kernel::exec).
//
// Applying a plan (what Kernel::exec does with it):
//   1. Drop the old address space; mm->mmap_base = plan.mmap_base.
//   2. Apply plan.ops in order. Each op names the actor: Kernel ops are execve's own work
//      (not system calls of the process); Loader ops are the system calls ld.so makes as
//      the new process (count them as such). `addr` is always the address Linux ends up
//      using: an op whose `flags` lack MAP_FIXED is one where the real caller lets the
//      kernel choose; apply it with MAP_FIXED at `addr`, or with no hint and check that the
//      placement agrees. Zero ops are writes of zero bytes by the process (ELF padzero,
//      ld.so's memset of a segment's partial last page): write faults, counted.
//      The Stack op creates the [stack] VMA (VM_GROWSDOWN, read-write, executable when
//      plan.exec_stack); then plan.stack.bytes are written at plan.stack.sp.
//   3. mm->start_brk = mm->brk = plan.start_brk; mm's code/data/arg/env bounds from the
//      plan; the thread starts at plan.entry with its stack pointer at plan.stack.sp.
//
// The x86-64 System V layout is modelled (the auxiliary vector of Linux 6.x on x86-64);
// page size, TASK_SIZE and the expected e_machine come from ExecOptions, so the same plan
// serves 16 KiB / 64 KiB pages (segments must then be congruent modulo the page size).
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "vmlab/core/result.hpp"
#include "vmlab/core/rng.hpp"
#include "vmlab/core/types.hpp"

namespace vmlab {

struct KernelConfig;

// ELF constants used by the plan (from elf.h; kept here so users need not include it).
namespace elf {
inline constexpr std::uint16_t kEtExec = 2, kEtDyn = 3;
inline constexpr std::uint16_t kEmX86_64 = 62, kEmAArch64 = 183, kEmRiscV = 243;
inline constexpr std::uint32_t kPtLoad = 1, kPtDynamic = 2, kPtInterp = 3, kPtPhdr = 6;
inline constexpr std::uint32_t kPtGnuStack = 0x6474e551, kPtGnuRelro = 0x6474e552;
inline constexpr std::uint32_t kPfX = 1, kPfW = 2, kPfR = 4;
// Auxiliary vector types (include/uapi/linux/auxvec.h, asm/auxvec.h).
inline constexpr std::uint64_t kAtNull = 0, kAtPhdr = 3, kAtPhent = 4, kAtPhnum = 5,
    kAtPagesz = 6, kAtBase = 7, kAtFlags = 8, kAtEntry = 9, kAtUid = 11, kAtEuid = 12,
    kAtGid = 13, kAtEgid = 14, kAtPlatform = 15, kAtHwcap = 16, kAtClktck = 17,
    kAtSecure = 23, kAtRandom = 25, kAtHwcap2 = 26, kAtRseqFeatureSize = 27,
    kAtRseqAlign = 28, kAtExecfn = 31, kAtSysinfoEhdr = 33, kAtMinsigstksz = 51;
const char* auxv_name(std::uint64_t type);  // "AT_PHDR"; "AT_?" when unknown
}  // namespace elf

// ---- what an ELF file says --------------------------------------------------------------

struct ElfSegment {
    std::uint32_t type = 0, flags = 0;  // p_type, p_flags (PF_R/W/X)
    std::uint64_t offset = 0, vaddr = 0, filesz = 0, memsz = 0, align = 0;
    std::uint64_t header_offset = 0;    // byte offset of this program header in the file
    int prot() const;                   // sys::kProt* from p_flags
};

struct ElfInfo {
    std::string path;                   // as opened
    std::uint64_t file_size = 0;
    std::uint64_t dev = 0, ino = 0;     // identity (ld.so compares loaded objects by it)
    std::uint16_t type = 0, machine = 0;
    std::uint64_t entry = 0, phoff = 0;
    std::uint16_t phnum = 0;
    std::vector<ElfSegment> segments;   // every program header, in file order
    std::vector<std::size_t> loads;     // indices of the PT_LOAD segments (ascending p_vaddr)
    std::string interp;                 // PT_INTERP path ("" if none)
    std::uint64_t interp_offset = 0;    // its byte offset in the file
    bool has_gnu_stack = false;
    bool exec_stack = false;            // PT_GNU_STACK has PF_X
    std::uint64_t relro_vaddr = 0, relro_memsz = 0;  // PT_GNU_RELRO (memsz 0 = none)
    bool dynamic = false;               // has PT_DYNAMIC
    // From the dynamic section (byte offsets are those of each string in the file):
    std::vector<std::string> needed;
    std::vector<std::uint64_t> needed_offsets;
    std::string soname, rpath, runpath;
    bool nodeflib = false;              // DF_1_NODEFLIB: skip ld.so.cache and default dirs

    std::uint64_t min_vaddr() const;    // first PT_LOAD's p_vaddr, page-aligned down
    std::uint64_t max_vaddr() const;    // max p_vaddr + p_memsz over PT_LOADs
};

// Reads and validates an ELF64 little-endian executable or shared object. Errors name the
// file and the byte offset of the offending field (truncated header, wrong class, data
// encoding, type or machine, program headers past the end of the file, p_filesz >
// p_memsz, unsorted or misaligned PT_LOADs, bad PT_INTERP or dynamic section).
// `machine` 0 accepts any e_machine; `page_size` checks p_offset/p_vaddr congruence.
Result<ElfInfo> read_elf(const std::string& path, std::uint16_t machine, std::uint64_t page_size);

// ---- /etc/ld.so.cache --------------------------------------------------------------------

// The "glibc-ld.so.cache1.1" format (glibc elf/cache.c, sysdeps/generic/dl-cache.h), with
// or without the old "ld.so-1.7.0" table in front.
struct LdSoCacheEntry {
    std::int32_t flags = 0;             // FLAG_ELF_LIBC6 | FLAG_X8664_LIB64 = 0x0303, ...
    std::string key;                    // soname: "libc.so.6"
    std::string value;                  // path: "/lib/x86_64-linux-gnu/libc.so.6"
    std::uint64_t hwcap = 0;            // non-zero: a glibc-hwcaps or legacy hwcap entry
};
struct LdSoCache {
    std::string path;
    std::uint64_t file_size = 0;
    std::vector<LdSoCacheEntry> entries;  // in file order
    // The path ld.so takes for `name` with the cache flags of `machine` (baseline entries
    // only), or "" when the cache has none.
    std::string lookup(const std::string& name, std::uint16_t machine) const;
};
Result<LdSoCache> read_ld_so_cache(const std::string& path);
// The cache flags ld.so accepts for a machine (_DL_CACHE_DEFAULT_ID): 0x0303 on x86-64.
std::int32_t ld_so_cache_flags(std::uint16_t machine);

// ---- the plan ----------------------------------------------------------------------------

enum class ExecOpKind : std::uint8_t {
    Stack,     // create the [stack] VMA [addr, addr+len)
    MapFile,   // mmap(addr, len, prot, flags, file at `path`, offset)
    MapAnon,   // mmap(addr, len, prot, flags | MAP_ANONYMOUS)
    MapSpecial,// kernel-provided pages, no file: path is "[vvar]", "[vvar_vclock]", "[vdso]"
    Protect,   // mprotect(addr, len, prot)
    Unmap,     // munmap(addr, len)
    Zero,      // the process writes `len` zero bytes at addr
};
const char* exec_op_kind_name(ExecOpKind k);  // "mmap-file", ...

enum class ExecActor : std::uint8_t { Kernel, Loader };

struct ExecOp {
    ExecOpKind kind = ExecOpKind::MapAnon;
    ExecActor actor = ExecActor::Kernel;
    VirtAddr addr{};
    std::uint64_t len = 0;     // bytes; mmap/munmap/mprotect lengths are page multiples
    int prot = 0;              // sys::kProt*
    int flags = 0;             // sys::kMap* as the real caller passes them
    std::string path;          // MapFile: canonical host path; MapSpecial: the name
    std::uint64_t offset = 0;  // MapFile: file offset, page aligned
    std::string object;        // canonical path of the ELF object the op belongs to ("" if none)
    std::string what;          // "PT_LOAD[2]", "bss", "reserve", "hole", "relro", ...
};
// One line: "loader mmap-file 0x7ffff7dd3000+0x26000 r-- MAP_PRIVATE /usr/lib/...@0x0 (reserve)"
std::string describe(const ExecOp& op);

enum class ExecRole : std::uint8_t { Executable, Interpreter, Library };

struct ExecObject {
    ExecRole role = ExecRole::Library;
    std::string path;          // canonical host path (what /proc/PID/maps shows)
    std::string name;          // as requested: execve path, PT_INTERP, DT_NEEDED name
    std::string found_via;     // "execve", "PT_INTERP", "LD_PRELOAD", "DT_RPATH",
                               // "LD_LIBRARY_PATH", "DT_RUNPATH", "ld.so.cache", "default path"
    std::string needed_by;     // canonical path of the object whose DT_NEEDED named it
    ElfInfo elf;
    std::uint64_t bias = 0;    // load bias (l_addr): memory address = bias + p_vaddr
    VirtAddr map_start{}, map_end{};  // the object's extent (bss included)
    VirtAddr relro_start{}, relro_end{};  // the range made read-only after relocation
};

struct AuxEntry {
    std::uint64_t type = 0, value = 0;
    constexpr bool operator==(const AuxEntry&) const = default;
};

struct StackImage {
    VirtAddr vma_start{};      // the [stack] VMA is [vma_start, top), growing down
    VirtAddr top{};            // STACK_TOP (randomized under ASLR), page aligned
    VirtAddr sp{};             // initial stack pointer: the address of argc, 16-byte aligned
    std::vector<std::uint8_t> bytes;  // the contents of [sp, top)
    std::vector<AuxEntry> auxv;       // as written on the stack, AT_NULL last
    VirtAddr arg_start{}, arg_end{}, env_start{}, env_end{};  // mm fields: the strings
    VirtAddr execfn{}, platform{}, random{};  // AT_EXECFN, AT_PLATFORM, AT_RANDOM targets
};

struct ExecPlan {
    std::string filename;      // the path as given to execve (AT_EXECFN)
    std::string path;          // canonical path of the executable
    std::vector<std::string> argv, envp;
    std::vector<ExecObject> objects;  // executable, interpreter, then libraries in load order
    std::vector<ExecOp> ops;          // in order
    StackImage stack;
    VirtAddr entry{};          // first instruction: the interpreter's entry, else AT_ENTRY
    VirtAddr exe_entry{};      // the executable's entry (AT_ENTRY)
    VirtAddr mmap_base{};      // mm->mmap_base: top of the top-down mmap area
    VirtAddr start_brk{};      // the program break starts (and is) here
    VirtAddr start_code{}, end_code{}, start_data{}, end_data{};  // as Linux sets them
    bool exec_stack = false;   // PT_GNU_STACK with PF_X in the executable
    std::uint64_t page_size = 4096;
    std::vector<std::string> notes;  // what was emulated approximately or ignored (ld.so does
                                     // the same), e.g. "ld.so.cache: bad magic; ignored"

    const ExecObject* object(const std::string& canonical_path) const;
};

struct ExecOptions {
    std::uint64_t page_size = 4096;
    std::uint64_t task_size = 0x7ffffffff000ull;  // TASK_SIZE (x86-64 4-level); STACK_TOP
    std::uint16_t machine = elf::kEmX86_64;       // required e_machine
    std::string platform = "x86_64";              // AT_PLATFORM string, $PLATFORM

    // Address-space layout (mm/util.c, arch/x86/mm/mmap.c, fs/exec.c).
    std::uint64_t stack_rlimit = 8ull << 20;
    std::uint64_t stack_guard_gap = 256 * 4096ull;
    std::uint64_t stack_expand = 128 << 10;        // fs/exec.c setup_arg_pages
    std::uint64_t mmap_min_gap = 128ull << 20;     // least gap between stack top and mmap_base
    std::uint64_t mmap_min_addr = 65536;
    std::uint64_t et_dyn_base = 0;                 // 0 = ELF_ET_DYN_BASE: 2/3 of task_size

    // ASLR, as kernel.randomize_va_space: 0 off; 1 stack top, mmap base, PIE load bias,
    // stack alignment; 2 also the program break. Offsets come from `rng` (required when
    // randomize_va_space > 0), drawn in a fixed order.
    unsigned randomize_va_space = 0;
    Rng* rng = nullptr;                            // also fills AT_RANDOM (else 16 zero bytes)
    unsigned mmap_rnd_bits = 28;
    unsigned stack_rnd_bits = 22;
    std::uint64_t brk_rnd_bytes = 1ull << 30;      // x86-64 arch_randomize_brk: 1 GiB

    // Auxiliary vector values (defaults: the Xeon this project was developed on).
    std::uint64_t hwcap = 0x1f8bfbff, hwcap2 = 0x2;
    std::uint64_t minsigstksz = 11952;
    std::uint64_t clktck = 100;
    std::uint64_t uid = 0, euid = 0, gid = 0, egid = 0;
    bool rseq_auxv = true;                         // AT_RSEQ_FEATURE_SIZE/ALIGN (Linux >= 6.3)

    // The vDSO: [vvar], [vvar_vclock] (Linux >= 6.15) and [vdso], below the interpreter.
    bool vdso = true;
    std::uint64_t vvar_bytes = 16384, vvar_vclock_bytes = 8192, vdso_bytes = 8192;

    // ld.so emulation.
    bool load_libraries = true;                    // false: only what execve itself maps
    std::string sysroot;                           // prefix of every absolute path read
    std::string ld_so_cache = "/etc/ld.so.cache";  // "" = no cache
    std::string ld_so_preload = "/etc/ld.so.preload";
    std::vector<std::string> system_dirs = {"/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu",
                                            "/lib", "/usr/lib"};
    std::string lib_token = "lib/x86_64-linux-gnu";  // what $LIB expands to
    // Pages of ld.so's first minimal-malloc mmap, made before any library is loaded
    // (glibc 2.36 __minimal_malloc: one page plus one spare); 0 = do not model it.
    std::uint64_t ldso_arena_pages = 2;
    // File systems that align large file mappings to 2 MiB (ext4, xfs: thp_get_unmapped_area
    // places a mapping holding a whole 2 MiB-aligned file range at a 2 MiB-aligned address).
    bool thp_align_files = true;

    Status validate() const;
};

// Options matching a kernel configuration (stack/mmap/ASLR tunables) for a task size and
// base page size; `rng` is the simulation's generator (used when randomize_va_space = 2).
ExecOptions exec_options_from(const KernelConfig& k, std::uint64_t task_size,
                              std::uint64_t page_size, Rng* rng);

// Plans the exec of `path` with `argv` and `envp` (argv[0] is not implied: pass it).
// Errors (bad ELF, missing interpreter or library, arguments too large) name the file and
// the byte offset or header field involved.
Result<ExecPlan> plan_exec(const std::string& path, const std::vector<std::string>& argv,
                           const std::vector<std::string>& envp, const ExecOptions& opts);

}  // namespace vmlab
