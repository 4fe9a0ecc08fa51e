// `vmlab list`: every registry of named implementations and what is in it, with the
// parameters an implementation declares indented under it.
#include <algorithm>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "command.hpp"
#include "vmlab/core/registry.hpp"

namespace vmlab::cli {
namespace {

Runner setup(CLI::App& sub) {
    auto kind = std::make_shared<std::string>();
    sub.add_option("kind", *kind, "only this kind of implementation (e.g. paging-format)");
    return [kind]() -> int {
        const auto all = RegistryCatalog::instance().all();
        bool found = false;
        for (const auto& l : all) {
            if (!kind->empty() && l.kind != *kind) continue;
            found = true;
            fmt::print("{} — {}\n", l.kind, l.description);
            std::size_t width = 0;  // the names' column: as wide as the longest name of the kind
            for (const auto& e : l.entries) width = std::max(width, e.first.size());
            for (const auto& [name, desc] : l.entries) {
                fmt::print("  {:<{}}  {}\n", name, width, desc);
                // The entry's own parameters, indented under it: key = default, type, meaning.
                if (auto it = l.params.find(name); it != l.params.end())
                    for (const auto& p : it->second)
                        fmt::print("      {} = {}  ({}) {}\n", p.name, p.default_text(), p.type_text(), p.description);
            }
            fmt::print("\n");
        }
        if (!found) {
            std::vector<std::string> kinds;
            for (const auto& l : all) kinds.push_back(l.kind);
            return report_error(Error(fmt::format("unknown kind '{}'; kinds: {}", *kind, fmt::join(kinds, ", "))));
        }
        return 0;
    };
}

VMLAB_COMMAND("list", "list the registered implementations (paging formats, TLB policies, ...)", setup);

}  // namespace
}  // namespace vmlab::cli
