// execve(2): the checks the system call makes on the file before any loading, then the
// plan (exec_plan.hpp) with this kernel's layout tunables and random generator, applied.
#include <filesystem>
#include <system_error>

#include "os/internal.hpp"
#include "vmlab/os/exec_plan.hpp"

namespace vmlab {
using namespace os;

Result<SysStatus> Kernel::execve(Tid caller, const std::string& path, const std::vector<std::string>& argv,
                                 const std::vector<std::string>& envp) {
    auto& k = *impl_;
    namespace fs = std::filesystem;
    std::error_code ec;
    const fs::file_status st = fs::status(path, ec);
    if (ec || !fs::exists(st)) return SysStatus(Errno::NoEnt);
    using fs::perms;
    if (!fs::is_regular_file(st) ||
        (st.permissions() & (perms::owner_exec | perms::group_exec | perms::others_exec)) == perms::none)
        return SysStatus(Errno::Acces);
    auto plan = plan_exec(path, argv, envp, exec_options_from(k.cfg_, task_size(), page_size(), &k.rng_));
    if (!plan) return fail(plan.error());
    return exec(caller, *plan);
}

}  // namespace vmlab
