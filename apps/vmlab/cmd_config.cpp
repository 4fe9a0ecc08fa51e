// `vmlab config`: the resolved configuration, the built-in presets and the key reference.
//   vmlab config dump [--preset P | --config F] [--set KEY=VALUE]...
//   vmlab config presets
//   vmlab config show-preset P
//   vmlab config reference          (the text of docs/config.md)
#include <fmt/format.h>

#include "command.hpp"
#include "config_options.hpp"
#include "vmlab/config/config.hpp"

namespace vmlab::cli {
namespace {

Runner setup(CLI::App& app) {
    app.require_subcommand(1);
    auto which = std::make_shared<std::string>();

    auto opts = std::make_shared<ConfigOptions>();
    CLI::App* dump = app.add_subcommand("dump", "print the fully resolved configuration (every key) as TOML");
    add_config_options(*dump, *opts);
    dump->callback([which] { *which = "dump"; });

    CLI::App* presets = app.add_subcommand("presets", "list the built-in machine presets");
    presets->callback([which] { *which = "presets"; });

    auto preset_name = std::make_shared<std::string>();
    CLI::App* show = app.add_subcommand("show-preset", "print the TOML text of a built-in preset");
    show->add_option("preset", *preset_name, "preset name (see `vmlab config presets`)")->required();
    show->callback([which] { *which = "show-preset"; });

    CLI::App* ref = app.add_subcommand("reference", "print the reference of every configuration key (Markdown)");
    ref->callback([which] { *which = "reference"; });

    return [which, opts, preset_name]() -> int {
        if (*which == "dump") {
            auto cfg = resolve_config(opts->request());
            if (!cfg) return report_error(cfg.error());
            fmt::print("{}", dump_toml(*cfg));
            return 0;
        }
        if (*which == "presets") {
            for (const auto& name : preset_names()) {
                auto desc = preset_description(name);
                if (!desc) return report_error(desc.error());
                fmt::print("{:<18} {}{}\n", name, *desc, name == default_preset() ? " (default)" : "");
            }
            return 0;
        }
        if (*which == "show-preset") {
            auto text = preset_text(*preset_name);
            if (!text) return report_error(text.error());
            fmt::print("{}", *text);
            return 0;
        }
        if (*which == "reference") {
            fmt::print("{}", config_reference_markdown());
            return 0;
        }
        return 2;
    };
}

VMLAB_COMMAND("config", "show configurations: the resolved config, the presets, the key reference", setup);

}  // namespace
}  // namespace vmlab::cli
