#include "vmlab/os/kernel_config.hpp"

#include <bit>

#include "vmlab/hw/paging.hpp"

namespace vmlab {

Status KernelConfig::validate() const {
    auto bad = [](const char* key, std::string why) {
        return fail(fmt::format("kernel.{}: {}", key, why));
    };
    if (fault_around_bytes > (64ull << 20)) return bad("fault_around_bytes", "must be at most 64 MiB");
    if (read_around_bytes > (64ull << 20)) return bad("read_around_bytes", "must be at most 64 MiB");
    if (stack_rlimit < (64ull << 10)) return bad("stack_rlimit", "must be at least 64 KiB");
    if (stack_guard_gap_pages > (1ull << 20)) return bad("stack_guard_gap_pages", "must be at most 2^20 pages");
    if (stack_expand_bytes > stack_rlimit) return bad("stack_expand_bytes", "must not exceed stack_rlimit");
    if (max_map_count < 16) return bad("max_map_count", "must be at least 16");
    if (overcommit_ratio > 10000) return bad("overcommit_ratio", "must be at most 10000");
    if (randomize_va_space > 2) return bad("randomize_va_space", "must be 0, 1 or 2");
    if (mmap_rnd_bits > 40) return bad("mmap_rnd_bits", "must be at most 40");
    if (stack_rnd_bits > 40) return bad("stack_rnd_bits", "must be at most 40");
    if (quantum == 0) return bad("quantum", "must be at least 1");
    if (first_pid < 1 || first_pid > (1 << 22)) return bad("first_pid", "must be in 1..4194304");
    if (nofile_rlimit < 3 || nofile_rlimit > (1u << 20)) return bad("nofile_rlimit", "must be in 3..1048576");
    if (task_size != 0 && (task_size & 0xfff) != 0) return bad("task_size", "must be page aligned");
    for (const auto& p : writable_paths)
        if (p.empty() || p[0] != '/') return bad("writable_paths", fmt::format("'{}' is not an absolute path", p));
    return ok();
}

std::uint64_t default_task_size(const PagingGeometry& geo) {
    std::uint64_t top;
    if (geo.sign_extended) {
        top = std::uint64_t{1} << (geo.va_bits - 1);  // the lower half
    } else {
        top = geo.va_bits >= 64 ? ~0ull : (std::uint64_t{1} << geo.va_bits);
        if (geo.kernel_base != 0 && geo.kernel_base < top) top = geo.kernel_base;
    }
    // x86-64 keeps the last user page unmapped (TASK_SIZE_MAX = 2^47 - PAGE_SIZE) so that
    // a sysret to a non-canonical address can never happen.
    if (geo.isa == "x86-64") top -= 4096;
    return top;
}

}  // namespace vmlab
