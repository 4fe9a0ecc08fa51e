#!/usr/bin/env python3
"""Checks vmlab's layering rules over every #include of the library, the CLI and the benches.

    core -> nothing;  hw -> core;  os -> hw, core;  config -> os, hw, core (TOML lives here only);
    compat (the OSTEP simulators, Python's random) -> core;
    api -> os, hw, core;  sim -> api, config, compat, os, hw, core;
    report -> core, hw public types, os's plain types (stats, vma, abi, process info) -- never
              the kernel, the session layer, the configuration or a front end;
    workload (Lua) and apps -> anything below them; apps/ includes only include/vmlab/.
    A folder's private headers (src/<layer>/...) are included only inside that layer, and
    src/os/internal.hpp only inside src/os/ (and by tests).

Usage: check_layers.py [SOURCE_DIR]; prints each violation as file:line and exits 1 if any.
"""
import os
import re
import sys

LAYERS = ["core", "hw", "os", "config", "api", "sim", "report", "compat", "workload", "analysis", "alloc"]

# layer -> layers whose public headers (include/vmlab/<layer>/) it may include
ALLOWED = {
    "core": {"core"},
    "hw": {"core", "hw"},
    "os": {"core", "hw", "os"},
    "config": {"core", "hw", "os", "config"},
    "api": {"core", "hw", "os", "api"},
    "sim": {"core", "hw", "os", "api", "config", "compat", "sim"},
    "report": {"core", "hw", "report"},  # plus REPORT_OS below
    "compat": {"core", "compat"},
    "analysis": {"core", "hw", "os", "api", "config", "sim", "analysis"},
    "alloc": {"core", "hw", "os", "api", "config", "sim", "alloc"},
    "workload": {"core", "hw", "os", "api", "config", "sim", "report", "compat", "analysis", "alloc", "workload"},
    "apps": set(LAYERS),
}
# The plain public types of the kernel model that reports format.
REPORT_OS = {"os/stats.hpp", "os/vma.hpp", "os/abi.hpp", "os/abi_names.hpp", "os/process_info.hpp"}
# Third-party headers only some layers may use.
RESTRICTED = {"toml++/": {"config"}, "lua": {"workload"}, "lauxlib.h": {"workload"}, "lualib.h": {"workload"}}

INCLUDE = re.compile(r'^\s*#\s*include\s*([<"])([^>"]+)[>"]')


def layer_of(rel):
    parts = rel.split("/")
    if parts[0] == "apps":
        return "apps"
    if parts[0] == "bench":
        return "apps"
    if parts[0] == "include" and len(parts) > 2 and parts[1] == "vmlab":
        return parts[2]
    if parts[0] == "src" and len(parts) > 1:
        return parts[1]
    return None


def check(root):
    errors = []
    for top in ("include/vmlab", "src", "apps", "bench"):
        for dirpath, _, files in os.walk(os.path.join(root, top)):
            for name in sorted(files):
                if not name.endswith((".hpp", ".cpp", ".h")):
                    continue
                path = os.path.join(dirpath, name)
                rel = os.path.relpath(path, root)
                layer = layer_of(rel)
                if layer not in ALLOWED:
                    errors.append(f"{rel}:1: file outside every known layer ({layer})")
                    continue
                with open(path, encoding="utf-8") as f:
                    for lineno, line in enumerate(f, 1):
                        m = INCLUDE.match(line)
                        if not m:
                            continue
                        kind, inc = m.groups()
                        where = f"{rel}:{lineno}"
                        if kind == "<":
                            for prefix, layers in RESTRICTED.items():
                                if inc.startswith(prefix) and layer not in layers:
                                    errors.append(f"{where}: {layer}/ may not include <{inc}>")
                            continue
                        if inc.startswith("vmlab/"):
                            target = inc.split("/")[1]
                            rest = inc[len("vmlab/"):]
                            if layer == "report" and target == "os":
                                if rest not in REPORT_OS:
                                    errors.append(f"{where}: report/ formats plain types; it may not include {inc}")
                                continue
                            if target not in ALLOWED[layer]:
                                errors.append(f"{where}: {layer}/ may not include {inc} ({target}/ is above it)")
                            continue
                        # A private header: "layer/..." under src/, or a file beside this one.
                        first = inc.split("/")[0]
                        if first in LAYERS and os.path.exists(os.path.join(root, "src", inc)):
                            if layer == "apps":
                                errors.append(f"{where}: apps/ includes only include/vmlab/ headers, not src/{inc}")
                            elif first != layer:
                                errors.append(f"{where}: src/{inc} is private to {first}/")
                            elif inc == "os/internal.hpp" and not rel.startswith("src/os/"):
                                errors.append(f"{where}: os/internal.hpp is private to src/os/")
    return errors


def main():
    root = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(os.path.abspath(__file__)), "..")
    errors = check(os.path.abspath(root))
    for e in errors:
        print(e)
    if errors:
        print(f"check_layers: {len(errors)} include(s) break the layering rules (docs/architecture.md)")
        return 1
    print("check_layers: every include follows the layering rules")
    return 0


if __name__ == "__main__":
    sys.exit(main())
