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
// Initial stack, from the top down (fs/binfmt_elf.c create_elf_tables):
//
//   top-8   8 zero bytes               then the execve filename (AT_EXECFN), envp strings
//           (last one highest), argv strings (argv[0] lowest = arg_start);
//           16-byte alignment (ASLR: minus up to 8 KiB), "x86_64" (AT_PLATFORM),
//           16 random bytes (AT_RANDOM); padding so that sp is 16-byte aligned;
//   sp+8*(argc+envc+3)   auxv pairs ending with AT_NULL
//   sp+8*(argc+2)        envp[] pointers, NULL
//   sp+8                 argv[] pointers, NULL
//   sp                   argc
#include "vmlab/os/exec_plan.hpp"

#include <sys/stat.h>

#include <algorithm>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <optional>

#include "vmlab/os/abi.hpp"
#include "vmlab/os/kernel_config.hpp"

namespace vmlab {

namespace {

namespace fs = std::filesystem;

constexpr std::uint64_t kPmd = 2ull << 20;
constexpr std::uint64_t kArgMax = 131072;  // include/uapi/linux/limits.h ARG_MAX
constexpr int kMapDenyWrite = sys::kMapDenyWrite;

std::uint64_t mask_bits(unsigned bits) { return bits >= 64 ? ~0ull : ((1ull << bits) - 1); }

std::string prot_string(int prot) {
    std::string s = "---";
    if (prot & sys::kProtRead) s[0] = 'r';
    if (prot & sys::kProtWrite) s[1] = 'w';
    if (prot & sys::kProtExec) s[2] = 'x';
    return s;
}

std::string flags_string(int f) {
    std::string s;
    auto add = [&](int bit, const char* n) {
        if (f & bit) s += (s.empty() ? "" : "|") + std::string(n);
    };
    add(sys::kMapShared, "MAP_SHARED");
    add(sys::kMapPrivate, "MAP_PRIVATE");
    add(sys::kMapFixed, "MAP_FIXED");
    add(sys::kMapFixedNoReplace, "MAP_FIXED_NOREPLACE");
    add(sys::kMapAnonymous, "MAP_ANONYMOUS");
    add(sys::kMapDenyWrite, "MAP_DENYWRITE");
    add(sys::kMapGrowsDown, "MAP_GROWSDOWN");
    return s.empty() ? "0" : s;
}

std::string canonical(const std::string& p) {
    std::error_code ec;
    auto c = fs::canonical(p, ec);
    return ec ? p : c.string();
}

std::string dirname_of(const std::string& p) {
    auto slash = p.rfind('/');
    if (slash == std::string::npos) return ".";
    if (slash == 0) return "/";
    return p.substr(0, slash);
}

bool is_regular_file(const std::string& p) {
    struct stat st {};
    return ::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

// Occupied ranges of the new address space, for Linux's top-down placement
// (mm/mmap.c unmapped_area_topdown: the highest gap below mmap_base that fits).
class Layout {
public:
    void occupy(std::uint64_t s, std::uint64_t e) {
        release(s, e);
        ranges_.emplace_back(s, e);
        std::sort(ranges_.begin(), ranges_.end());
    }
    void release(std::uint64_t s, std::uint64_t e) {
        std::vector<std::pair<std::uint64_t, std::uint64_t>> out;
        for (auto [a, b] : ranges_) {
            if (b <= s || a >= e) {
                out.emplace_back(a, b);
                continue;
            }
            if (a < s) out.emplace_back(a, s);
            if (b > e) out.emplace_back(e, b);
        }
        ranges_ = std::move(out);
    }
    bool free(std::uint64_t s, std::uint64_t e) const {
        for (auto [a, b] : ranges_)
            if (a < e && b > s) return false;
        return true;
    }
    // Highest address `a` with [a, a+len) free, a+len <= high, a >= low; 0 if none.
    std::uint64_t topdown(std::uint64_t len, std::uint64_t low, std::uint64_t high) const {
        std::uint64_t gap_end = high;
        for (auto it = ranges_.rbegin(); it != ranges_.rend(); ++it) {
            auto [a, b] = *it;
            if (a >= gap_end) continue;
            if (b > gap_end) {
                gap_end = a;
                continue;
            }
            const std::uint64_t gs = std::max(b, low);
            if (gap_end >= gs && gap_end - gs >= len) return gap_end - len;
            gap_end = a;
        }
        if (gap_end >= low && gap_end - low >= len) return gap_end - len;
        return 0;
    }

private:
    std::vector<std::pair<std::uint64_t, std::uint64_t>> ranges_;
};

class Planner {
public:
    Planner(const ExecOptions& o) : o_(o), ps_(o.page_size) {}

    Result<ExecPlan> run(const std::string& path, std::vector<std::string> argv,
                         const std::vector<std::string>& envp);

private:
    std::uint64_t up(std::uint64_t x) const { return (x + ps_ - 1) & ~(ps_ - 1); }
    std::uint64_t down(std::uint64_t x) const { return x & ~(ps_ - 1); }
    unsigned page_shift() const { return static_cast<unsigned>(__builtin_ctzll(ps_)); }
    std::string host(const std::string& p) const {
        return (!o_.sysroot.empty() && !p.empty() && p[0] == '/') ? o_.sysroot + p : p;
    }
    std::uint64_t draw() { return o_.rng->next(); }
    bool aslr() const { return o_.randomize_va_space > 0; }

    void emit(ExecOp op) {
        const std::uint64_t end = op.addr.value + up(op.len);
        switch (op.kind) {
            case ExecOpKind::Stack:
            case ExecOpKind::MapFile:
            case ExecOpKind::MapAnon:
            case ExecOpKind::MapSpecial: layout_.occupy(op.addr.value, end); break;
            case ExecOpKind::Unmap: layout_.release(op.addr.value, end); break;
            default: break;
        }
        plan_.ops.push_back(std::move(op));
    }
    ExecOp make(ExecOpKind k, ExecActor a, std::uint64_t addr, std::uint64_t len, int prot, int flags,
                std::string path, std::uint64_t off, std::string object, std::string what) const {
        ExecOp op;
        op.kind = k;
        op.actor = a;
        op.addr = VirtAddr{addr};
        op.len = len;
        op.prot = prot;
        op.flags = flags;
        op.path = std::move(path);
        op.offset = off;
        op.object = std::move(object);
        op.what = std::move(what);
        return op;
    }

    // get_unmapped_area with no hint: top-down below mmap_base, with the 2 MiB alignment
    // of large anonymous mappings and (thp_align_files) of large file mappings.
    Result<std::uint64_t> place(std::uint64_t len, bool file, std::uint64_t off) {
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
            const std::uint64_t a = layout_.topdown(len + kPmd, low_limit(), mmap_base_);
            if (a != 0) {
                const std::uint64_t off_sub = (off - a) & (kPmd - 1);
                return off_sub == 0 ? a + kPmd : a + off_sub;
            }
        }
        const std::uint64_t a = layout_.topdown(len, low_limit(), mmap_base_);
        if (a == 0) return failf("no room for a mapping of {:#x} bytes below mmap_base {:#x}", len, mmap_base_);
        return a;
    }
    std::uint64_t low_limit() const { return std::max<std::uint64_t>(ps_, o_.mmap_min_addr); }

    Status check_args(const std::string& filename, const std::vector<std::string>& argv,
                      const std::vector<std::string>& envp);
    void layout_stack_strings(const std::string& filename);
    Status map_kernel_object(ExecObject& obj, bool interp);
    void map_vdso();
    void build_stack();
    Status load_libraries();
    Result<std::size_t> load_needed(const std::string& name, std::size_t requester, std::uint64_t name_offset,
                                    const std::string& via_preload);
    Status map_library(ExecObject& obj);
    void ensure_cache();
    std::vector<std::string> expand_path_list(const std::string& list, const ExecObject& obj) const;
    std::string origin_of(const ExecObject& obj) const;
    std::string env(const std::string& key) const;

    const ExecOptions& o_;
    std::uint64_t ps_;
    ExecPlan plan_;
    Layout layout_;
    std::uint64_t mmap_base_ = 0;
    std::uint64_t window_ = 0;  // the top of the default mmap window (STACK_TOP)
    std::vector<std::uint64_t> arg_addr_, env_addr_;
    std::uint64_t vdso_addr_ = 0, interp_bias_ = 0, phdr_addr_ = 0;
    std::vector<std::vector<std::string>> aliases_;
    enum class CacheState { Unread, Mapped, Absent } cache_state_ = CacheState::Unread;
    LdSoCache cache_;
    std::uint64_t cache_addr_ = 0, cache_len_ = 0;
    std::string cache_path_;
};

Status Planner::check_args(const std::string& filename, const std::vector<std::string>& argv,
                           const std::vector<std::string>& envp) {
    // fs/exec.c bprm_stack_limits: strings and pointers must fit in a quarter of the stack
    // rlimit (at most 3/4 of 8 MiB, at least ARG_MAX); each string in MAX_ARG_STRLEN.
    std::uint64_t limit = std::min<std::uint64_t>((8ull << 20) / 4 * 3, o_.stack_rlimit / 4);
    limit = std::max<std::uint64_t>(limit, kArgMax);
    const std::uint64_t ptr_size = (std::max<std::uint64_t>(argv.size(), 1) + envp.size()) * 8;
    if (limit <= ptr_size) return failf("argument list too long (E2BIG): {} pointers", argv.size() + envp.size());
    limit -= ptr_size;
    const std::uint64_t max_strlen = 32 * ps_;  // MAX_ARG_STRLEN
    std::uint64_t total = 8 + filename.size() + 1;
    auto add = [&](const std::vector<std::string>& v, const char* what) -> Status {
        for (std::size_t i = 0; i < v.size(); ++i) {
            if (v[i].find('\0') != std::string::npos) return failf("{}[{}] contains a NUL byte", what, i);
            if (v[i].size() + 1 > max_strlen)
                return failf("{}[{}] is {} bytes, more than MAX_ARG_STRLEN ({}) (E2BIG)", what, i, v[i].size() + 1, max_strlen);
            total += v[i].size() + 1;
        }
        return ok();
    };
    VMLAB_TRY(add(argv, "argv"));
    VMLAB_TRY(add(envp, "envp"));
    if (total > limit) return failf("argument list too long (E2BIG): {} bytes of strings, the limit is {}", total, limit);
    return ok();
}

// The strings at the top of the stack (fs/exec.c copy_strings): the NULL word, the
// filename, envp (last string highest), argv (argv[0] lowest).
void Planner::layout_stack_strings(const std::string& filename) {
    StackImage& st = plan_.stack;
    std::uint64_t p = st.top.value - 8;
    p -= filename.size() + 1;
    st.execfn = VirtAddr{p};
    env_addr_.assign(plan_.envp.size(), 0);
    for (std::size_t i = plan_.envp.size(); i-- > 0;) {
        p -= plan_.envp[i].size() + 1;
        env_addr_[i] = p;
    }
    arg_addr_.assign(plan_.argv.size(), 0);
    for (std::size_t i = plan_.argv.size(); i-- > 0;) {
        p -= plan_.argv[i].size() + 1;
        arg_addr_[i] = p;
    }
    st.arg_start = VirtAddr{p};
    std::uint64_t q = p;
    for (const auto& a : plan_.argv) q += a.size() + 1;
    st.arg_end = st.env_start = VirtAddr{q};
    for (const auto& e : plan_.envp) q += e.size() + 1;
    st.env_end = VirtAddr{q};
    // setup_arg_pages: the VMA holds the argument pages plus stack_expand below them
    // (or is cut to the stack rlimit).
    const std::uint64_t arg_pages_start = down(p);
    const std::uint64_t size = st.top.value - arg_pages_start;
    const std::uint64_t rlim = o_.stack_rlimit & ~(ps_ - 1);
    st.vma_start = VirtAddr{size + o_.stack_expand > rlim ? st.top.value - rlim : arg_pages_start - o_.stack_expand};
}

// fs/binfmt_elf.c elf_load for each PT_LOAD of the executable or the interpreter.
Status Planner::map_kernel_object(ExecObject& obj, bool interp) {
    const ElfInfo& e = obj.elf;
    const auto& first = e.segments[e.loads.front()];
    const auto& last = e.segments[e.loads.back()];
    const std::uint64_t total = last.vaddr + last.memsz - down(first.vaddr);
    std::uint64_t bias = 0;
    int first_flags = 0;
    if (!interp) {
        std::uint64_t alignment = 0;
        for (auto li : e.loads) {
            const std::uint64_t a = e.segments[li].align;
            if (a && (a & (a - 1)) == 0) alignment = std::max(alignment, a);
        }
        alignment = up(alignment);
        if (e.type == elf::kEtExec) {
            first_flags = sys::kMapFixedNoReplace;
        } else if (!e.interp.empty()) {
            // A PIE program: ELF_ET_DYN_BASE (+ mmap randomization), aligned.
            std::uint64_t b = o_.et_dyn_base ? o_.et_dyn_base : window_ / 3 * 2;
            if (aslr()) b += (draw() & mask_bits(o_.mmap_rnd_bits)) << page_shift();
            if (alignment) b &= ~(alignment - 1);
            bias = down(b - first.vaddr);
            first_flags = sys::kMapFixedNoReplace;
        } else {
            // A loader or static PIE: wherever the mmap area puts it.
            auto a = place(total, true, down(first.offset));
            if (!a) return fail(a.error());
            std::uint64_t b = *a;
            if (alignment > ps_) {
                b &= ~(alignment - 1);
                first_flags = sys::kMapFixedNoReplace;
            }
            bias = down(b - down(first.vaddr));
        }
    } else {
        auto a = place(total, true, down(first.offset));
        if (!a) return fail(a.error());
        bias = *a - down(first.vaddr);
    }
    obj.bias = bias;
    const std::string& file = obj.path;
    std::uint64_t lo = ~0ull, hi = 0;
    for (std::size_t k = 0; k < e.loads.size(); ++k) {
        const ElfSegment& s = e.segments[e.loads[k]];
        const int prot = s.prot();
        const int flags = sys::kMapPrivate | (k == 0 ? first_flags : sys::kMapFixed);
        const std::uint64_t addr = bias + s.vaddr;
        const std::uint64_t pgoff = s.vaddr & (ps_ - 1);
        std::uint64_t zero_start, zero_end;
        const std::string what = fmt::format("PT_LOAD[{}]", k);
        if (bias + s.vaddr < bias || addr + s.memsz < addr || up(addr + s.memsz) > o_.task_size) {
            Location loc;
            loc.file = e.path;
            loc.byte_offset = static_cast<std::int64_t>(s.header_offset + 16);
            return fail(fmt::format("program header {} (PT_LOAD): [{:#x}, {:#x}) is not below TASK_SIZE {:#x}",
                                    e.loads[k], addr, addr + s.memsz, o_.task_size),
                        std::move(loc));
        }
        if (s.filesz) {
            const std::uint64_t map_addr = down(addr);
            const std::uint64_t size = up(s.filesz + pgoff);
            emit(make(ExecOpKind::MapFile, ExecActor::Kernel, map_addr, size, prot, flags, file, s.offset - pgoff, file, what));
            lo = std::min(lo, map_addr);
            hi = std::max(hi, map_addr + size);
            zero_start = map_addr + pgoff + s.filesz;
            zero_end = map_addr + pgoff + s.memsz;
            // padzero: clear the rest of the last file page (fails harmlessly if read-only).
            if (s.memsz > s.filesz && (zero_start & (ps_ - 1)) && (prot & sys::kProtWrite))
                emit(make(ExecOpKind::Zero, ExecActor::Kernel, zero_start, up(zero_start) - zero_start, 0, 0, "", 0, file,
                          what + " padzero"));
        } else {
            zero_start = down(addr);
            zero_end = zero_start + pgoff + s.memsz;
        }
        if (s.memsz > s.filesz) {
            // vm_brk_flags: an anonymous read-write mapping (executable if the segment is).
            const std::uint64_t zs = up(zero_start), ze = up(zero_end);
            if (ze > zs) {
                const int bprot = sys::kProtRead | sys::kProtWrite | (prot & sys::kProtExec);
                emit(make(ExecOpKind::MapAnon, ExecActor::Kernel, zs, ze - zs, bprot,
                          sys::kMapPrivate | sys::kMapAnonymous | sys::kMapFixed, "", 0, file, what + " bss"));
                lo = std::min(lo, zs);
                hi = std::max(hi, ze);
            }
        }
    }
    obj.map_start = VirtAddr{lo};
    obj.map_end = VirtAddr{hi};
    if (e.relro_memsz) {
        obj.relro_start = VirtAddr{down(bias + e.relro_vaddr)};
        obj.relro_end = VirtAddr{down(bias + e.relro_vaddr + e.relro_memsz)};
    }
    return ok();
}

// arch/x86/entry/vdso: [vvar] [vvar_vclock] [vdso] in one get_unmapped_area.
void Planner::map_vdso() {
    const std::uint64_t total = up(o_.vvar_bytes) + up(o_.vvar_vclock_bytes) + up(o_.vdso_bytes);
    auto a = place(total, false, 0);
    if (!a) return;  // checked by validate(): the mmap area always has room for a few pages
    std::uint64_t at = *a;
    if (o_.vvar_bytes) {
        emit(make(ExecOpKind::MapSpecial, ExecActor::Kernel, at, up(o_.vvar_bytes), sys::kProtRead, sys::kMapPrivate,
                  "[vvar]", 0, "", "vDSO data"));
        at += up(o_.vvar_bytes);
    }
    if (o_.vvar_vclock_bytes) {
        emit(make(ExecOpKind::MapSpecial, ExecActor::Kernel, at, up(o_.vvar_vclock_bytes), sys::kProtRead,
                  sys::kMapPrivate, "[vvar_vclock]", 0, "", "vDSO clock pages"));
        at += up(o_.vvar_vclock_bytes);
    }
    emit(make(ExecOpKind::MapSpecial, ExecActor::Kernel, at, up(o_.vdso_bytes), sys::kProtRead | sys::kProtExec,
              sys::kMapPrivate, "[vdso]", 0, "", "vDSO code"));
    vdso_addr_ = at;
}

// fs/binfmt_elf.c create_elf_tables.
void Planner::build_stack() {
    StackImage& st = plan_.stack;
    const ExecObject& exe = plan_.objects.front();
    std::uint64_t p = st.arg_start.value;
    if (aslr()) p -= draw() % 8192;  // arch_align_stack
    p &= ~std::uint64_t{0xf};
    if (!o_.platform.empty()) {
        p -= o_.platform.size() + 1;
        st.platform = VirtAddr{p};
    }
    p -= 16;
    st.random = VirtAddr{p};
    std::array<std::uint8_t, 16> rnd{};
    if (o_.rng)
        for (std::size_t i = 0; i < 16; i += 8) {
            const std::uint64_t v = draw();
            std::memcpy(rnd.data() + i, &v, 8);
        }

    auto& aux = st.auxv;
    aux.clear();
    auto add = [&](std::uint64_t t, std::uint64_t v) { aux.push_back(AuxEntry{t, v}); };
    if (o_.vdso) add(elf::kAtSysinfoEhdr, vdso_addr_);
    add(elf::kAtMinsigstksz, o_.minsigstksz);
    add(elf::kAtHwcap, o_.hwcap);
    add(elf::kAtPagesz, ps_);
    add(elf::kAtClktck, o_.clktck);
    add(elf::kAtPhdr, phdr_addr_);
    add(elf::kAtPhent, 56);
    add(elf::kAtPhnum, exe.elf.phnum);
    add(elf::kAtBase, interp_bias_);
    add(elf::kAtFlags, 0);
    add(elf::kAtEntry, plan_.exe_entry.value);
    add(elf::kAtUid, o_.uid);
    add(elf::kAtEuid, o_.euid);
    add(elf::kAtGid, o_.gid);
    add(elf::kAtEgid, o_.egid);
    add(elf::kAtSecure, 0);
    add(elf::kAtRandom, st.random.value);
    add(elf::kAtHwcap2, o_.hwcap2);
    add(elf::kAtExecfn, st.execfn.value);
    if (!o_.platform.empty()) add(elf::kAtPlatform, st.platform.value);
    if (o_.rseq_auxv) {
        add(elf::kAtRseqFeatureSize, 28);  // offsetof(struct rseq, end)
        add(elf::kAtRseqAlign, 32);        // __alignof__(struct rseq)
    }
    add(elf::kAtNull, 0);

    const std::uint64_t ei = aux.size() * 2;
    const std::uint64_t items = (plan_.argv.size() + 1) + (plan_.envp.size() + 1) + 1;
    const std::uint64_t sp = (p - ei * 8 - items * 8) & ~std::uint64_t{15};
    st.sp = VirtAddr{sp};
    if (down(sp) < st.vma_start.value) st.vma_start = VirtAddr{down(sp)};  // find_extend_vma

    const std::uint64_t top = st.top.value;
    st.bytes.assign(top - sp, 0);
    auto put64 = [&](std::uint64_t addr, std::uint64_t v) { std::memcpy(st.bytes.data() + (addr - sp), &v, 8); };
    auto put_str = [&](std::uint64_t addr, const std::string& s) {
        std::memcpy(st.bytes.data() + (addr - sp), s.data(), s.size());  // the NUL is already zero
    };
    std::uint64_t w = sp;
    put64(w, plan_.argv.size());
    w += 8;
    for (auto a : arg_addr_) put64(w, a), w += 8;
    w += 8;
    for (auto a : env_addr_) put64(w, a), w += 8;
    w += 8;
    for (const auto& a : aux) {
        put64(w, a.type);
        put64(w + 8, a.value);
        w += 16;
    }
    std::memcpy(st.bytes.data() + (st.random.value - sp), rnd.data(), 16);
    if (!o_.platform.empty()) put_str(st.platform.value, o_.platform);
    for (std::size_t i = 0; i < plan_.argv.size(); ++i) put_str(arg_addr_[i], plan_.argv[i]);
    for (std::size_t i = 0; i < plan_.envp.size(); ++i) put_str(env_addr_[i], plan_.envp[i]);
    put_str(st.execfn.value, plan_.filename);
}

std::string Planner::env(const std::string& key) const {
    std::string value;
    for (const auto& e : plan_.envp)
        if (e.size() > key.size() && e.compare(0, key.size(), key) == 0 && e[key.size()] == '=')
            value = e.substr(key.size() + 1);  // ld.so takes the last one
    return value;
}

std::string Planner::origin_of(const ExecObject& obj) const {
    // The executable's origin comes from its real path (/proc/self/exe), a library's from
    // the name it was opened under.
    if (obj.role == ExecRole::Executable) return dirname_of(obj.path);
    const std::string& p = obj.elf.path;
    const bool in_root = !o_.sysroot.empty() && p.compare(0, o_.sysroot.size(), o_.sysroot) == 0;
    return dirname_of(in_root ? p.substr(o_.sysroot.size()) : p);
}

// A colon-separated directory list with $ORIGIN, $PLATFORM and $LIB substituted.
std::vector<std::string> Planner::expand_path_list(const std::string& list, const ExecObject& obj) const {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= list.size()) {
        auto end = list.find_first_of(":;", start);
        if (end == std::string::npos) end = list.size();
        std::string d = list.substr(start, end - start);
        if (d.empty()) d = ".";
        auto subst = [&](const std::string& token, const std::string& value) {
            for (const std::string& t : {"${" + token + "}", "$" + token}) {
                std::size_t pos;
                while ((pos = d.find(t)) != std::string::npos) d.replace(pos, t.size(), value);
            }
        };
        subst("ORIGIN", origin_of(obj));
        subst("PLATFORM", o_.platform);
        subst("LIB", o_.lib_token);
        while (d.size() > 1 && d.back() == '/') d.pop_back();
        out.push_back(d);
        start = end + 1;
    }
    return out;
}

void Planner::ensure_cache() {
    if (cache_state_ != CacheState::Unread) return;
    cache_state_ = CacheState::Absent;
    if (o_.ld_so_cache.empty()) return;
    const std::string p = host(o_.ld_so_cache);
    if (!is_regular_file(p)) return;
    auto c = read_ld_so_cache(p);
    if (!c) {
        plan_.notes.push_back(fmt::format("{}: {}; ignored, as ld.so ignores an invalid cache", c.error().where.str(), c.error().message));
        return;
    }
    cache_ = std::move(*c);
    cache_path_ = canonical(p);
    cache_len_ = up(cache_.file_size);
    auto a = place(cache_len_, true, 0);
    if (!a) return;
    cache_addr_ = *a;
    emit(make(ExecOpKind::MapFile, ExecActor::Loader, cache_addr_, cache_len_, sys::kProtRead, sys::kMapPrivate,
              cache_path_, 0, "", "ld.so.cache"));
    cache_state_ = CacheState::Mapped;
}

// elf/dl-load.c _dl_map_object: finds (or reuses) the object `name` needed by object
// `requester` and maps it. Returns its index in plan_.objects.
Result<std::size_t> Planner::load_needed(const std::string& name, std::size_t requester, std::uint64_t name_offset,
                                         const std::string& via_preload) {
    for (std::size_t i = 0; i < plan_.objects.size(); ++i) {
        const auto& ob = plan_.objects[i];
        if (ob.name == name || ob.elf.soname == name ||
            std::find(aliases_[i].begin(), aliases_[i].end(), name) != aliases_[i].end())
            return i;
    }
    const ExecObject& req = plan_.objects[requester];
    std::vector<std::string> tried;
    std::optional<ElfInfo> found;
    std::string found_path, via;

    // open_verify: a missing file or one of another class or machine is skipped; any other
    // defect in an ELF file that exists stops the load, as it stops ld.so.
    auto try_file = [&](const std::string& candidate, const std::string& how) -> Status {
        if (found) return ok();
        tried.push_back(fmt::format("{} ({})", candidate, how));
        const std::string hp = host(candidate);
        if (!is_regular_file(hp)) return ok();
        auto e = read_elf(hp, 0, ps_);
        if (!e) {
            if (e.error().where.byte_offset == 4) return ok();  // ELFCLASS32: ld.so skips it
            Error err = e.error();
            err.message = fmt::format("{} (while loading {}, needed by {})", err.message, name, req.path);
            return fail(err);
        }
        if (e->machine != o_.machine) return ok();
        found = std::move(*e);
        found_path = candidate;
        via = how;
        return ok();
    };
    auto try_dirs = [&](const std::vector<std::string>& dirs, const std::string& how) -> Status {
        for (const auto& d : dirs) VMLAB_TRY(try_file(d + "/" + name, how));
        return ok();
    };

    if (!via_preload.empty() && name.find('/') != std::string::npos) {
        VMLAB_TRY(try_file(name, via_preload));
    } else if (name.find('/') != std::string::npos) {
        VMLAB_TRY(try_file(name, "path"));
    } else {
        if (req.elf.runpath.empty()) {
            // DT_RPATH of the requester, then of its loaders up to the executable.
            std::size_t at = requester;
            std::vector<bool> seen(plan_.objects.size(), false);
            while (!found && !seen[at]) {
                seen[at] = true;
                const ExecObject& ob = plan_.objects[at];
                if (!ob.elf.rpath.empty()) VMLAB_TRY(try_dirs(expand_path_list(ob.elf.rpath, ob), "DT_RPATH"));
                if (ob.needed_by.empty()) break;
                for (std::size_t i = 0; i < plan_.objects.size(); ++i)
                    if (plan_.objects[i].path == ob.needed_by) at = i;
            }
            const ExecObject& main = plan_.objects.front();
            if (!found && !seen[0] && !main.elf.rpath.empty())
                VMLAB_TRY(try_dirs(expand_path_list(main.elf.rpath, main), "DT_RPATH"));
        }
        const std::string llp = env("LD_LIBRARY_PATH");
        if (!found && !llp.empty()) VMLAB_TRY(try_dirs(expand_path_list(llp, plan_.objects.front()), "LD_LIBRARY_PATH"));
        if (!found && !req.elf.runpath.empty()) VMLAB_TRY(try_dirs(expand_path_list(req.elf.runpath, req), "DT_RUNPATH"));
        if (!found && !req.elf.nodeflib) {
            ensure_cache();
            if (cache_state_ == CacheState::Mapped) {
                const std::string c = cache_.lookup(name, o_.machine);
                if (!c.empty()) VMLAB_TRY(try_file(c, "ld.so.cache"));
                else tried.push_back("ld.so.cache (no entry)");
            }
        }
        if (!found && !req.elf.nodeflib) VMLAB_TRY(try_dirs(o_.system_dirs, "default path"));
    }
    if (!found) {
        if (!via_preload.empty()) {
            plan_.notes.push_back(fmt::format("ld.so: object '{}' from {} cannot be preloaded (cannot open shared object file): ignored",
                                              name, via_preload));
            return ~std::size_t{0};
        }
        Location loc;
        loc.file = req.elf.path;
        loc.byte_offset = static_cast<std::int64_t>(name_offset);
        std::string list;
        for (const auto& t : tried) list += (list.empty() ? "" : ", ") + t;
        return fail(fmt::format("{}: cannot open shared object file (DT_NEEDED of {}); tried: {}", name, req.path,
                                list.empty() ? "nothing" : list),
                    std::move(loc));
    }
    // The same file under another name (ld.so compares device and inode).
    for (std::size_t i = 0; i < plan_.objects.size(); ++i)
        if (plan_.objects[i].elf.dev == found->dev && plan_.objects[i].elf.ino == found->ino) {
            aliases_[i].push_back(name);
            return i;
        }
    if (found->type != elf::kEtDyn) {
        Location loc;
        loc.file = found->path;
        loc.byte_offset = 16;
        return fail(fmt::format("e_type is ET_EXEC: ld.so cannot load an executable as a library ({})", name), std::move(loc));
    }
    ExecObject obj;
    obj.role = ExecRole::Library;
    obj.name = name;
    obj.path = canonical(host(found_path));
    obj.found_via = via;
    obj.needed_by = req.path;
    obj.elf = std::move(*found);
    plan_.objects.push_back(std::move(obj));
    aliases_.emplace_back();
    VMLAB_TRY(map_library(plan_.objects.back()));
    if (plan_.objects.back().elf.exec_stack)
        plan_.notes.push_back(fmt::format("{} asks for an executable stack (PT_GNU_STACK PF_X): ld.so would make the stack executable; not planned",
                                          plan_.objects.back().path));
    return plan_.objects.size() - 1;
}

// elf/dl-map-segments.h _dl_map_segments (glibc 2.36).
Status Planner::map_library(ExecObject& obj) {
    struct LoadCmd {
        std::uint64_t mapstart, mapend, dataend, allocend, mapoff, mapalign;
        int prot;
    };
    std::vector<LoadCmd> cmds;
    std::uint64_t max_align = 0;
    for (auto li : obj.elf.loads) {
        const ElfSegment& s = obj.elf.segments[li];
        LoadCmd c;
        c.mapstart = down(s.vaddr);
        c.mapend = up(s.vaddr + s.filesz);
        c.dataend = s.vaddr + s.filesz;
        c.allocend = s.vaddr + s.memsz;
        c.mapoff = down(s.offset);
        c.prot = s.prot();
        if (s.align && (s.align & (s.align - 1)) == 0) max_align = std::max(max_align, s.align);
        cmds.push_back(c);
    }
    for (auto& c : cmds) c.mapalign = max_align;
    bool has_holes = false;
    for (std::size_t i = 1; i < cmds.size(); ++i)
        if (cmds[i - 1].mapend != cmds[i].mapstart) has_holes = true;
    const std::uint64_t maplength = cmds.back().allocend - cmds.front().mapstart;
    const std::string& file = obj.path;
    const int copy = sys::kMapPrivate | kMapDenyWrite;  // MAP_COPY

    // The first segment, extended to cover all of them, where the kernel chooses.
    std::uint64_t start;
    const LoadCmd& c0 = cmds.front();
    if (c0.mapalign <= ps_) {
        auto a = place(maplength, true, c0.mapoff);
        if (!a) return fail(a.error());
        start = *a;
        emit(make(ExecOpKind::MapFile, ExecActor::Loader, start, up(maplength), c0.prot, copy, file, c0.mapoff, file,
                  "reserve: PT_LOAD[0] over the whole span"));
    } else {
        const std::uint64_t maplen = maplength >= c0.mapalign ? maplength + c0.mapalign : 2 * c0.mapalign;
        auto a = place(maplen, false, 0);
        if (!a) return fail(a.error());
        const std::uint64_t raw = *a;
        emit(make(ExecOpKind::MapAnon, ExecActor::Loader, raw, up(maplen), sys::kProtNone,
                  sys::kMapPrivate | sys::kMapAnonymous, "", 0, file, "reserve for p_align"));
        start = (raw + c0.mapalign - 1) & ~(c0.mapalign - 1);
        emit(make(ExecOpKind::MapFile, ExecActor::Loader, start, up(maplength), c0.prot, copy | sys::kMapFixed, file,
                  c0.mapoff, file, "reserve: PT_LOAD[0] over the whole span"));
        if (start > raw)
            emit(make(ExecOpKind::Unmap, ExecActor::Loader, raw, start - raw, 0, 0, "", 0, file, "alignment slack"));
        const std::uint64_t map_end = up(start + maplength);
        if (raw + up(maplen) > map_end)
            emit(make(ExecOpKind::Unmap, ExecActor::Loader, map_end, raw + up(maplen) - map_end, 0, 0, "", 0, file,
                      "alignment slack"));
    }
    const std::uint64_t bias = start - c0.mapstart;
    obj.bias = bias;
    obj.map_start = VirtAddr{start};
    obj.map_end = VirtAddr{start + up(maplength)};
    if (has_holes)
        emit(make(ExecOpKind::Protect, ExecActor::Loader, bias + c0.mapend, cmds.back().mapstart - c0.mapend,
                  sys::kProtNone, 0, "", 0, file, "holes between segments"));

    for (std::size_t k = 0; k < cmds.size(); ++k) {
        const LoadCmd& c = cmds[k];
        const std::string what = fmt::format("PT_LOAD[{}]", k);
        if (k > 0 && c.mapend > c.mapstart)
            emit(make(ExecOpKind::MapFile, ExecActor::Loader, bias + c.mapstart, c.mapend - c.mapstart, c.prot,
                      copy | sys::kMapFixed, file, c.mapoff, file, what));
        if (c.allocend > c.dataend) {
            const std::uint64_t zero = bias + c.dataend, zeroend = bias + c.allocend;
            std::uint64_t zeropage = up(zero);
            if (zeroend < zeropage) zeropage = zeroend;
            if (zeropage > zero) {
                const bool ro = (c.prot & sys::kProtWrite) == 0;
                if (ro)
                    emit(make(ExecOpKind::Protect, ExecActor::Loader, down(zero), ps_, c.prot | sys::kProtWrite, 0, "", 0,
                              file, what + " make the partial page writable"));
                emit(make(ExecOpKind::Zero, ExecActor::Loader, zero, zeropage - zero, 0, 0, "", 0, file,
                          what + " memset of the partial page"));
                if (ro)
                    emit(make(ExecOpKind::Protect, ExecActor::Loader, down(zero), ps_, c.prot, 0, "", 0, file,
                              what + " restore protection"));
            }
            if (zeroend > zeropage)
                emit(make(ExecOpKind::MapAnon, ExecActor::Loader, zeropage, up(zeroend) - zeropage, c.prot,
                          sys::kMapPrivate | sys::kMapAnonymous | sys::kMapFixed, "", 0, file, what + " bss"));
        }
    }
    if (obj.elf.relro_memsz) {
        obj.relro_start = VirtAddr{down(bias + obj.elf.relro_vaddr)};
        obj.relro_end = VirtAddr{down(bias + obj.elf.relro_vaddr + obj.elf.relro_memsz)};
    }
    return ok();
}

// elf/rtld.c dl_main: preloads, the breadth-first DT_NEEDED closure, relocation (RELRO),
// and unmapping the cache.
Status Planner::load_libraries() {
    if (o_.ldso_arena_pages) {
        auto a = place(o_.ldso_arena_pages * ps_, false, 0);
        if (!a) return fail(a.error());
        emit(make(ExecOpKind::MapAnon, ExecActor::Loader, *a, o_.ldso_arena_pages * ps_, sys::kProtRead | sys::kProtWrite,
                  sys::kMapPrivate | sys::kMapAnonymous, "", 0, plan_.objects[1].path, "ld.so minimal malloc"));
    }
    std::vector<std::size_t> queue = {0};
    auto preload = [&](const std::string& list, const std::string& source) -> Status {
        std::size_t start = 0;
        while (start < list.size()) {
            auto end = list.find_first_of(" :\t\n", start);
            if (end == std::string::npos) end = list.size();
            const std::string name = list.substr(start, end - start);
            start = end + 1;
            if (name.empty()) continue;
            auto r = load_needed(name, 0, 0, source);
            if (!r) return fail(r.error());
            if (*r != ~std::size_t{0} && std::find(queue.begin(), queue.end(), *r) == queue.end()) {
                ExecObject& ob = plan_.objects[*r];
                if (ob.role == ExecRole::Library && ob.found_via != source) ob.found_via = source + " via " + ob.found_via;
                queue.push_back(*r);
            }
        }
        return ok();
    };
    VMLAB_TRY(preload(env("LD_PRELOAD"), "LD_PRELOAD"));
    if (!o_.ld_so_preload.empty() && is_regular_file(host(o_.ld_so_preload))) {
        std::ifstream in(host(o_.ld_so_preload));
        std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        VMLAB_TRY(preload(all, o_.ld_so_preload));
    }
    for (std::size_t qi = 0; qi < queue.size(); ++qi) {
        const std::size_t at = queue[qi];
        const std::vector<std::string> needed = plan_.objects[at].elf.needed;
        const std::vector<std::uint64_t> offsets = plan_.objects[at].elf.needed_offsets;
        for (std::size_t j = 0; j < needed.size(); ++j) {
            auto r = load_needed(needed[j], at, offsets[j], "");
            if (!r) return fail(r.error());
            if (*r != 1 && std::find(queue.begin(), queue.end(), *r) == queue.end()) queue.push_back(*r);
        }
    }
    // Relocation order: dependencies before their users, the executable last, ld.so itself
    // after everything; each object's RELRO becomes read-only when it is relocated.
    std::vector<std::size_t> order(queue.rbegin(), queue.rend());
    order.push_back(1);
    for (auto i : order) {
        const ExecObject& ob = plan_.objects[i];
        if (ob.relro_end.value > ob.relro_start.value)
            emit(make(ExecOpKind::Protect, ExecActor::Loader, ob.relro_start.value, ob.relro_end.value - ob.relro_start.value,
                      sys::kProtRead, 0, "", 0, ob.path, "relro"));
    }
    if (cache_state_ == CacheState::Mapped)
        emit(make(ExecOpKind::Unmap, ExecActor::Loader, cache_addr_, cache_len_, 0, 0, "", 0, "", "ld.so.cache"));
    return ok();
}

Result<ExecPlan> Planner::run(const std::string& path, std::vector<std::string> argv,
                              const std::vector<std::string>& envp) {
    plan_.filename = path;
    plan_.page_size = ps_;
    if (argv.empty()) {
        // fs/exec.c: an empty argv becomes { "" } (with a kernel warning).
        argv.push_back("");
        plan_.notes.push_back("argv was empty: the kernel passes argv = { \"\" }");
    }
    plan_.argv = std::move(argv);
    plan_.envp = envp;
    VMLAB_TRY(check_args(path, plan_.argv, plan_.envp));

    auto exe_elf = read_elf(host(path), o_.machine, ps_);
    if (!exe_elf) return fail(exe_elf.error());
    ExecObject exe;
    exe.role = ExecRole::Executable;
    exe.name = path;
    exe.path = canonical(host(path));
    exe.found_via = "execve";
    exe.elf = std::move(*exe_elf);
    plan_.path = exe.path;
    plan_.exec_stack = exe.elf.exec_stack;

    // Layout: the mmap base and the stack top (arch/x86/mm/mmap.c, fs/binfmt_elf.c).
    window_ = o_.task_size;
    // x86-64 with 5-level paging keeps the stack and mmap base in the 47-bit window
    // (DEFAULT_MAP_WINDOW) unless a program asks for higher addresses.
    if (o_.machine == elf::kEmX86_64 && window_ > (1ull << 47)) window_ = (1ull << 47) - ps_;
    const unsigned shift = page_shift();
    if (aslr() && !o_.rng) return fail("ExecOptions: randomize_va_space > 0 needs an Rng");
    const std::uint64_t mmap_rnd = aslr() ? (draw() & mask_bits(o_.mmap_rnd_bits)) << shift : 0;
    std::uint64_t gap = o_.stack_rlimit;
    const std::uint64_t pad = (aslr() ? mask_bits(o_.stack_rnd_bits) << shift : 0) + o_.stack_guard_gap;
    if (gap + pad > gap) gap += pad;
    gap = std::clamp<std::uint64_t>(gap, o_.mmap_min_gap, window_ / 6 * 5);
    mmap_base_ = up(window_ - gap - mmap_rnd);
    plan_.mmap_base = VirtAddr{mmap_base_};

    std::uint64_t top = up(window_);
    if (aslr()) top -= (draw() & mask_bits(o_.stack_rnd_bits)) << shift;  // randomize_stack_top
    if (aslr()) top -= draw() % 8192;                                      // arch_align_stack
    top = up(top & ~std::uint64_t{0xf});
    plan_.stack.top = VirtAddr{top};
    layout_stack_strings(path);
    // The stack VMA exists before anything is loaded (bprm_mm_init, setup_arg_pages).
    const int stack_prot = sys::kProtRead | sys::kProtWrite | (plan_.exec_stack ? sys::kProtExec : 0);
    emit(make(ExecOpKind::Stack, ExecActor::Kernel, plan_.stack.vma_start.value, top - plan_.stack.vma_start.value,
              stack_prot, sys::kMapPrivate | sys::kMapAnonymous | sys::kMapGrowsDown, "[stack]", 0, "", "stack"));

    plan_.objects.push_back(std::move(exe));
    aliases_.emplace_back();
    VMLAB_TRY(map_kernel_object(plan_.objects[0], false));
    {
        const ExecObject& e = plan_.objects[0];
        const std::uint64_t bias = e.bias;
        // mm->start_code ... end_data, elf_brk (load_elf_binary) and the program headers'
        // address: inside the PT_LOAD whose file bytes hold e_phoff.
        std::uint64_t start_code = ~0ull, end_code = 0, start_data = 0, end_data = 0, elf_brk = 0, phdr = 0;
        for (auto li : e.elf.loads) {
            const ElfSegment& s = e.elf.segments[li];
            if ((s.flags & elf::kPfX) && s.vaddr < start_code) start_code = s.vaddr;
            if (start_data < s.vaddr) start_data = s.vaddr;
            if ((s.flags & elf::kPfX) && end_code < s.vaddr + s.filesz) end_code = s.vaddr + s.filesz;
            if (end_data < s.vaddr + s.filesz) end_data = s.vaddr + s.filesz;
            elf_brk = std::max(elf_brk, s.vaddr + s.memsz);
            if (s.offset <= e.elf.phoff && e.elf.phoff < s.offset + s.filesz) phdr = e.elf.phoff - s.offset + s.vaddr;
        }
        plan_.start_code = VirtAddr{start_code + bias};
        plan_.end_code = VirtAddr{end_code + bias};
        plan_.start_data = VirtAddr{start_data + bias};
        plan_.end_data = VirtAddr{end_data + bias};
        phdr_addr_ = phdr + bias;
        plan_.exe_entry = VirtAddr{e.elf.entry + bias};
        plan_.entry = plan_.exe_entry;
        // The break (Linux >= 6.10): after the bss, except that a static PIE or a loader
        // run directly gets ELF_ET_DYN_BASE, out of the mmap area; under full ASLR one
        // page of gap (when not moved), then arch_randomize_brk.
        std::uint64_t brk_at = elf_brk + bias;
        bool moved = false;
        if (e.elf.type == elf::kEtDyn && e.elf.interp.empty()) {
            brk_at = o_.et_dyn_base ? o_.et_dyn_base : window_ / 3 * 2;
            moved = true;
        }
        std::uint64_t brk = up(brk_at);
        if (aslr() && o_.randomize_va_space > 1) {
            if (!moved) brk += ps_;
            // randomize_page(brk, range)
            const std::uint64_t range = o_.brk_rnd_bytes >> shift;
            if (range) brk += (draw() % range) << shift;
        }
        plan_.start_brk = VirtAddr{brk};
    }

    if (!plan_.objects[0].elf.interp.empty()) {
        const ExecObject& exe_ref = plan_.objects[0];
        const std::string ipath = exe_ref.elf.interp;
        auto ie = read_elf(host(ipath), o_.machine, ps_);
        if (!ie) {
            Location loc;
            loc.file = exe_ref.elf.path;
            loc.byte_offset = static_cast<std::int64_t>(exe_ref.elf.interp_offset);
            return fail(fmt::format("PT_INTERP {}: {}", ipath,
                                    ie.error().where.byte_offset >= 0 ? ie.error().str() : ie.error().message),
                        std::move(loc));
        }
        ExecObject in;
        in.role = ExecRole::Interpreter;
        in.name = ipath;
        in.path = canonical(host(ipath));
        in.found_via = "PT_INTERP";
        in.needed_by = exe_ref.path;
        in.elf = std::move(*ie);
        plan_.objects.push_back(std::move(in));
        aliases_.emplace_back();
        VMLAB_TRY(map_kernel_object(plan_.objects[1], true));
        interp_bias_ = plan_.objects[1].bias;
        plan_.entry = VirtAddr{plan_.objects[1].elf.entry + interp_bias_};
    }
    if (o_.vdso) map_vdso();
    build_stack();
    if (plan_.objects.size() > 1 && o_.load_libraries) {
        VMLAB_TRY(load_libraries());
    } else if (plan_.objects.size() == 1) {
        // A static binary: libc's startup (_dl_non_dynamic_init, _dl_relocate_static_pie)
        // protects its RELRO before main.
        const ExecObject& e = plan_.objects[0];
        if (e.relro_end.value > e.relro_start.value)
            emit(make(ExecOpKind::Protect, ExecActor::Loader, e.relro_start.value, e.relro_end.value - e.relro_start.value,
                      sys::kProtRead, 0, "", 0, e.path, "relro (static startup)"));
    }
    return std::move(plan_);
}

}  // namespace

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
