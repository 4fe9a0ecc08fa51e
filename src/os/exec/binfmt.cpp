// fs/binfmt_elf.c load_elf_binary as the planner does it: the mmap base and stack top,
// the executable's and the interpreter's PT_LOADs (elf_load), the break, the vDSO.
#include "os/exec/exec_internal.hpp"

namespace vmlab::exec_detail {

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

}  // namespace vmlab::exec_detail
