// What the files of the exec planner share (src/os/exec/): the Planner, whose steps are
// split by subject, and small helpers. Private to src/os/exec/.
//
//   exec_plan.cpp   the planned address space (emit, get_unmapped_area), the public API
//   binfmt.cpp      fs/binfmt_elf.c load_elf_binary: the executable, the interpreter, vDSO
//   exec_stack.cpp  fs/exec.c argument limits and strings, create_elf_tables (auxv)
//   ldso.cpp        ld.so: search order, DT_NEEDED breadth first, library mapping, RELRO
//   ldso_cache.cpp  /etc/ld.so.cache: the file reader and ld.so's mapping of it
//   elf.cpp         ELF64 headers and program headers
#pragma once

#include <sys/stat.h>

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <deque>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

#include "os/mm/vma_tree.hpp"
#include "vmlab/os/abi.hpp"
#include "vmlab/os/exec_plan.hpp"
#include "vmlab/os/kernel_config.hpp"

namespace vmlab::exec_detail {

namespace fs = std::filesystem;

inline constexpr std::uint64_t kPmd = 2ull << 20;
inline constexpr std::uint64_t kArgMax = 131072;  // include/uapi/linux/limits.h ARG_MAX
inline constexpr int kMapDenyWrite = sys::kMapDenyWrite;

// Bad input in a file the planner reads (an ELF, the ld.so cache): the message with the
// file and byte offset it concerns.
inline Unexpected file_error(const std::string& path, std::uint64_t offset, std::string msg) {
    Location loc;
    loc.file = path;
    loc.byte_offset = static_cast<std::int64_t>(offset);
    return fail(std::move(msg), std::move(loc));
}

inline std::uint64_t mask_bits(unsigned bits) { return bits >= 64 ? ~0ull : ((1ull << bits) - 1); }

inline std::string prot_string(int prot) {
    std::string s = "---";
    if (prot & sys::kProtRead) s[0] = 'r';
    if (prot & sys::kProtWrite) s[1] = 'w';
    if (prot & sys::kProtExec) s[2] = 'x';
    return s;
}

inline std::string flags_string(int f) {
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

inline std::string canonical(const std::string& p) {
    std::error_code ec;
    auto c = fs::canonical(p, ec);
    return ec ? p : c.string();
}

inline std::string dirname_of(const std::string& p) {
    auto slash = p.rfind('/');
    if (slash == std::string::npos) return ".";
    if (slash == 0) return "/";
    return p.substr(0, slash);
}

inline bool is_regular_file(const std::string& p) {
    struct stat st {};
    return ::stat(p.c_str(), &st) == 0 && S_ISREG(st.st_mode);
}

// The ranges the plan has mapped so far, in a VmaTree, for Linux's top-down placement
// (mm/mmap.c unmapped_area_topdown: the highest gap below mmap_base that fits), found by
// the tree's gap search as the kernel's get_unmapped_area finds it.
class PlannedSpace {
public:
    // Maps [s, e), replacing whatever the range held.
    void occupy(std::uint64_t s, std::uint64_t e);
    // Unmaps [s, e) (parts of ranges are cut off).
    void release(std::uint64_t s, std::uint64_t e);
    // Highest address `a` with [a, a+len) free, a+len <= high, a >= low; 0 if none.
    std::uint64_t topdown(std::uint64_t len, std::uint64_t low, std::uint64_t high) const;

private:
    os::VmaTree tree_;
};

// The state of one exec being planned; its steps live in the files of src/os/exec/.
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

    // Appends op to the plan and records what it maps or unmaps in the planned address space.
    void emit(ExecOp op);
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
    Result<std::uint64_t> place(std::uint64_t len, bool file, std::uint64_t off);
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
    PlannedSpace space_;
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

}  // namespace vmlab::exec_detail
