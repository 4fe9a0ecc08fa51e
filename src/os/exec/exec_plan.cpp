// The exec planner: what Linux 6.x (fs/binfmt_elf.c load_elf_binary, fs/exec.c) and
// glibc 2.36's ld.so (elf/rtld.c dl_main, elf/dl-load.c _dl_map_object,
// elf/dl-map-segments.h _dl_map_segments) do to a fresh address space, as an ordered
// list of operations. See include/vmlab/os/exec_plan.hpp for the contract.
//
// The x86-64 process image it reproduces (ASLR off, /usr/bin/ls):
//
//   0x555555554000  /usr/bin/ls PT_LOADs (ELF_ET_DYN_BASE = 2/3 of TASK_SIZE), .bss
//                   [heap] starts at the page after the bss (start_brk)
//        ...        libraries, top-down below the vDSO in ld.so's load order:
//                   each one reserved whole with its first segment's protection, the
//                   other segments MAP_FIXED over it, holes PROT_NONE, .bss anonymous,
//                   PT_GNU_RELRO made read-only after relocation
//                   (the ld.so.cache mapping sat just below the arena until unmapped)
//                   ld.so's minimal-malloc arena (2 pages, rw-)
//   0x7ffff7fc2000  [vvar] [vvar_vclock] [vdso]
//   0x7ffff7fca000  ld-linux-x86-64.so.2 (PT_INTERP), ends at mmap_base
//   0x7ffff7fff000  mmap_base = TASK_SIZE - max(128 MiB, stack rlimit + guard gap)
//   0x7ffffffde000  [stack]: 128 KiB + the argument pages, ending at STACK_TOP
//   0x7ffffffff000  STACK_TOP = TASK_SIZE
//
// The planner's steps are split by subject (exec_internal.hpp lists the files); this one
// keeps the planned address space and the public entry points.
#include "os/exec/exec_internal.hpp"

namespace vmlab {
namespace exec_detail {

void PlannedSpace::occupy(std::uint64_t s, std::uint64_t e) {
    release(s, e);
    if (e <= s) return;
    os::Vma v;
    v.start = VirtAddr{s};
    v.end = VirtAddr{e};
    tree_.insert(std::move(v));
}

void PlannedSpace::release(std::uint64_t s, std::uint64_t e) {
    if (e <= s) return;
    // The first range ending above s, then each following one that starts below e.
    for (os::Vma* v = tree_.find(VirtAddr{s}); v && v->start.value < e;) {
        os::Vma* next = tree_.next(v);
        const std::uint64_t a = v->start.value, b = v->end.value;
        if (a < s && b > e) {  // cut out of the middle: keep both ends
            tree_.reshape(v, VirtAddr{a}, VirtAddr{s});
            os::Vma tail;
            tail.start = VirtAddr{e};
            tail.end = VirtAddr{b};
            tree_.insert(std::move(tail));
            return;
        }
        if (a < s) tree_.reshape(v, VirtAddr{a}, VirtAddr{s});
        else if (b > e) tree_.reshape(v, VirtAddr{e}, VirtAddr{b});
        else tree_.erase(v);
        v = next;
    }
}

std::uint64_t PlannedSpace::topdown(std::uint64_t len, std::uint64_t low, std::uint64_t high) const {
    auto g = tree_.highest_gap(VirtAddr{low}, VirtAddr{high}, len);
    return g ? g->hi.value - len : 0;
}

void Planner::emit(ExecOp op) {
    const std::uint64_t end = op.addr.value + up(op.len);
    switch (op.kind) {
        case ExecOpKind::Stack:
        case ExecOpKind::MapFile:
        case ExecOpKind::MapAnon:
        case ExecOpKind::MapSpecial: space_.occupy(op.addr.value, end); break;
        case ExecOpKind::Unmap: space_.release(op.addr.value, end); break;
        default: break;
    }
    plan_.ops.push_back(std::move(op));
}

Result<std::uint64_t> Planner::place(std::uint64_t len, bool file, std::uint64_t off) {
    len = up(len);
    bool thp = false;
    if (file) {
        const std::uint64_t off_align = (off + kPmd - 1) & ~(kPmd - 1);
        thp = o_.thp_align_files && off + len > off_align && off + len - off_align >= kPmd;
    } else {
        off = 0;
        thp = len % kPmd == 0;
    }
    if (thp) {
        const std::uint64_t a = space_.topdown(len + kPmd, low_limit(), mmap_base_);
        if (a != 0) {
            const std::uint64_t off_sub = (off - a) & (kPmd - 1);
            return off_sub == 0 ? a + kPmd : a + off_sub;
        }
    }
    const std::uint64_t a = space_.topdown(len, low_limit(), mmap_base_);
    if (a == 0) return failf("no room for a mapping of {:#x} bytes below mmap_base {:#x}", len, mmap_base_);
    return a;
}

}  // namespace exec_detail

using namespace exec_detail;

const char* exec_op_kind_name(ExecOpKind k) {
    switch (k) {
        case ExecOpKind::Stack: return "stack";
        case ExecOpKind::MapFile: return "mmap-file";
        case ExecOpKind::MapAnon: return "mmap-anon";
        case ExecOpKind::MapSpecial: return "map-special";
        case ExecOpKind::Protect: return "mprotect";
        case ExecOpKind::Unmap: return "munmap";
        case ExecOpKind::Zero: return "zero";
    }
    return "?";
}

std::string describe(const ExecOp& op) {
    std::string s = fmt::format("{:<6} {:<11} {:#x}+{:#x}", op.actor == ExecActor::Kernel ? "kernel" : "loader",
                                exec_op_kind_name(op.kind), op.addr.value, op.len);
    switch (op.kind) {
        case ExecOpKind::MapFile:
            s += fmt::format(" {} {} {}@{:#x}", prot_string(op.prot), flags_string(op.flags), op.path, op.offset);
            break;
        case ExecOpKind::MapAnon:
        case ExecOpKind::Stack:
            s += fmt::format(" {} {}", prot_string(op.prot), flags_string(op.flags));
            break;
        case ExecOpKind::MapSpecial: s += fmt::format(" {} {}", prot_string(op.prot), op.path); break;
        case ExecOpKind::Protect: s += " " + prot_string(op.prot); break;
        default: break;
    }
    if (!op.what.empty()) s += " (" + op.what + ")";
    return s;
}

const ExecObject* ExecPlan::object(const std::string& canonical_path) const {
    for (const auto& o : objects)
        if (o.path == canonical_path) return &o;
    return nullptr;
}

Status ExecOptions::validate() const {
    if (page_size < 4096 || (page_size & (page_size - 1)) != 0)
        return failf("exec: page_size {} is not a power of two of at least 4096", page_size);
    if (task_size == 0 || (task_size & (page_size - 1)) != 0)
        return failf("exec: task_size {:#x} is not a non-zero multiple of the page size", task_size);
    if (randomize_va_space > 2) return failf("exec: randomize_va_space {} is not 0, 1 or 2", randomize_va_space);
    if (randomize_va_space > 0 && rng == nullptr) return fail("exec: randomize_va_space > 0 needs an Rng");
    if (mmap_rnd_bits > 40 || stack_rnd_bits > 40) return fail("exec: randomization bits must be at most 40");
    if (stack_rlimit < (64ull << 10)) return failf("exec: stack_rlimit {} is below 64 KiB", stack_rlimit);
    if (stack_expand > stack_rlimit) return fail("exec: stack_expand exceeds stack_rlimit");
    if (mmap_min_gap >= task_size / 2) return fail("exec: mmap_min_gap leaves no room for mappings");
    if (vdso && vdso_bytes == 0) return fail("exec: vdso_bytes must not be 0 when the vDSO is mapped");
    if (platform.find('\0') != std::string::npos) return fail("exec: platform contains a NUL byte");
    return ok();
}

ExecOptions exec_options_from(const KernelConfig& k, std::uint64_t task_size, std::uint64_t page_size, Rng* rng) {
    ExecOptions o;
    o.page_size = page_size;
    o.task_size = task_size;
    o.stack_rlimit = k.stack_rlimit;
    o.stack_guard_gap = k.stack_guard_gap_pages * page_size;
    o.stack_expand = k.stack_expand_bytes;
    o.mmap_min_gap = k.mmap_min_gap;
    o.mmap_min_addr = k.mmap_min_addr;
    o.randomize_va_space = k.randomize_va_space;
    o.rng = rng;
    o.mmap_rnd_bits = k.mmap_rnd_bits;
    o.stack_rnd_bits = k.stack_rnd_bits;
    o.brk_rnd_bytes = k.brk_rnd_bytes;
    return o;
}

Result<ExecPlan> plan_exec(const std::string& path, const std::vector<std::string>& argv,
                           const std::vector<std::string>& envp, const ExecOptions& opts) {
    VMLAB_TRY(opts.validate());
    Planner p(opts);
    return p.run(path, argv, envp);
}

}  // namespace vmlab
