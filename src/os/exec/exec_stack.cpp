// The initial stack of an exec (fs/exec.c copy_strings and bprm_stack_limits,
// fs/binfmt_elf.c create_elf_tables): the argument limits, the strings at the top, and the
// argc/argv/envp/auxv image below them.
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

#include "os/exec/exec_internal.hpp"

namespace vmlab::exec_detail {

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

}  // namespace vmlab::exec_detail
