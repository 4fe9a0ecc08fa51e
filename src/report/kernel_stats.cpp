#include "vmlab/report/kernel_stats.hpp"

#include <ostream>

#include <fmt/format.h>

#include "vmlab/core/stats_json.hpp"

namespace vmlab::report {

void write_kernel_stats(std::ostream& os, const KernelStats& s, const Machine& m) {
    const FaultCounters& f = s.faults;
    std::string out;
    auto it = std::back_inserter(out);
    fmt::format_to(it, "faults: {} minor, {} major\n", f.minor, f.major);
    fmt::format_to(it, "  zero-page {}, new anonymous {}, COW copy {}, COW reuse {}, file read {}, file COW {}, shared write {}\n",
        f.zero_page, f.anon_new, f.cow_copy, f.cow_reuse, f.file_read, f.file_cow, f.shared_write);
    fmt::format_to(it, "  fault-around pages {}, stack growth {}, spurious {}, SIGSEGV {}, SIGBUS {}\n", f.fault_around,
        f.stack_growth, f.spurious, f.sigsegv, f.sigbus);
    fmt::format_to(it, "accesses: {}, translation cycles {}, fault cycles {}\n", s.accesses, s.translation_cycles, s.fault_cycles);
    fmt::format_to(it, "TLB shootdowns: {} ({} cycles), local flushes {}, deferred flushes {}, context switches {}\n", s.shootdowns,
        s.shootdown_cycles, s.local_flushes, s.lazy_flushes, s.context_switches);
    fmt::format_to(it, "processes: {} created, {} exited\n", s.processes_created, s.processes_exited);
    fmt::format_to(it, "page cache: {} pages, {} read from the host ({} bytes), {} written back\n", s.page_cache_pages,
        s.page_cache_misses, s.host_bytes_read, s.writeback_pages);
    fmt::format_to(it, "memory: {} anonymous pages, {} shmem pages, {} page-table pages, {} committed pages\n", s.anon_pages,
        s.shmem_pages, s.page_table_pages, s.committed_pages);
    for (unsigned cpu = 0; cpu < m.cpu_count(); ++cpu) {
        const MmuStats& ms = m.mmu(cpu).stats();
        const double rate = ms.translations ? 100.0 * double(ms.tlb_hits) / double(ms.translations) : 0.0;
        fmt::format_to(it, "cpu {}: {} translations, {} TLB hits ({:.1f}%), {} walks\n", cpu, ms.translations, ms.tlb_hits, rate,
            ms.walks);
    }
    os << out;
}

nlohmann::json kernel_stats_json(const KernelStats& s, const Machine& m) {
    nlohmann::json j = stats_json(s);
    nlohmann::json cpus = nlohmann::json::array();
    for (unsigned cpu = 0; cpu < m.cpu_count(); ++cpu) cpus.push_back(stats_json(m.mmu(cpu).stats()));
    j["cpus"] = std::move(cpus);
    return j;
}

void write_kernel_stats_csv(std::ostream& os, const KernelStats& s, const Machine& m) {
    std::string header = stats_csv_header(s), row = stats_csv_row(s);
    for (unsigned cpu = 0; cpu < m.cpu_count(); ++cpu) {
        visit_stat_values(
            m.mmu(cpu).stats(),
            [&](const std::string& name, const std::string& value) {
                header += ',' + stats_detail::csv_field(name);
                row += ',' + stats_detail::csv_field(value);
            },
            fmt::format("cpus.{}.", cpu));
    }
    os << header << '\n' << row << '\n';
}

}  // namespace vmlab::report
