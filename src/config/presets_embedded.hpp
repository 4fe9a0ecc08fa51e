// The machine presets of configs/presets/*.toml, compiled into the library. The table is
// generated at configure time (cmake/EmbedPresets.cmake) from the files themselves.
#pragma once

#include <span>

namespace vmlab::config_detail {

struct EmbeddedPreset {
    const char* name;  // file name without .toml
    const char* text;  // the file, verbatim
};

// Sorted by name.
std::span<const EmbeddedPreset> embedded_presets();

}  // namespace vmlab::config_detail
