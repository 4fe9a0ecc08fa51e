// Reading, overriding, dumping and documenting configurations through one schema.
//
// Document semantics:
//   - A built-in preset starts from the struct defaults, or from another preset when it
//     says `preset = "..."` (a chain, e.g. x86_64-la57 builds on x86_64).
//   - A user file starts from the default preset (x86_64), or from the preset it names.
//   - Keys present in a document replace the values below them; an array of tables
//     ([[machine.mmu.tlb]]) replaces the whole array (`tlb = []` empties it).
//   - --set overrides address single keys, array elements included
//     (machine.mmu.tlb[1].entries=1024).
#include "vmlab/config/config.hpp"

#include <algorithm>
#include <fstream>
#include <limits>
#include <sstream>

#include "config/presets_embedded.hpp"
#include "config/schema.hpp"
#include "vmlab/core/strings.hpp"
#include "vmlab/hw/paging.hpp"
#include "vmlab/hw/phys_mem.hpp"
#include "vmlab/hw/tlb.hpp"

namespace vmlab {
namespace config_detail {
namespace {

constexpr std::uint64_t kU64Max = std::numeric_limits<std::uint64_t>::max();
constexpr std::uint32_t kU32Max = std::numeric_limits<std::uint32_t>::max();
// Ranges the MMU accepts (src/hw/mmu_config.cpp validates the same limits).
constexpr std::uint32_t kMaxCycles = 1000000;

const Schema& zone_schema() {
    static const Schema s = [] {
        Schema z;
        z.value(&ZoneConfig::name, "name", string_codec(), "zone name (DMA, DMA32, Normal, HighMem, ...)");
        z.value(&ZoneConfig::end_bytes, "end_bytes", size_codec(0, kU64Max),
                "exclusive end address of the zone; zones are clipped to the memory: a zone starting at or "
                "above memory.bytes is left out, and the last zone ends at memory.bytes");
        return z;
    }();
    return s;
}

const Schema& memory_schema() {
    static const Schema s = [] {
        Schema m;
        m.value(&PhysMemConfig::bytes, "bytes", size_codec(1, kU64Max), "total physical memory (RAM)");
        m.value(&PhysMemConfig::frame, "frame", page_size_codec(), "base frame size (the smallest page size)");
        m.value(&PhysMemConfig::allocator, "allocator",
                name_codec("frame allocator", [] { return frame_allocators().names(); }),
                "registered frame allocator (`vmlab list frame-allocator`)");
        m.params<PhysMemConfig>(
            &PhysMemConfig::allocator_params, "allocator_params",
            [](const PhysMemConfig& c) -> const std::vector<ParamSpec>* {
                const auto* e = frame_allocators().find(c.allocator);
                return e ? &e->params : nullptr;
            },
            [] { return param_catalog(frame_allocators()); },
            "the selected frame allocator's own parameters (listed below per allocator)");
        m.value(&PhysMemConfig::reserved_bytes, "reserved_bytes", size_codec(0, kU64Max),
                "low memory never handed out (firmware, kernel image)");
        m.table_array(&PhysMemConfig::zones, "zones", zone_schema(),
                      "memory zones in address order; empty = one zone \"Normal\"");
        return m;
    }();
    return s;
}

const Schema& paging_schema() {
    static const Schema s = [] {
        Schema p;
        p.value(&PagingConfig::format, "format", name_codec("paging format", [] { return paging_formats().names(); }),
                "registered paging format (`vmlab list paging-format`)");
        p.value(&PagingConfig::va_bits, "va_bits", uint_codec(0, 64), "implemented virtual-address bits; 0 = the format's default");
        p.value(&PagingConfig::ad_mode, "ad_mode",
                enum_codec<AdMode>({{"hardware", AdMode::Hardware}, {"fault", AdMode::Fault}}),
                "accessed/dirty bits: set by the hardware walker, or a fault for the OS (RISC-V Svade, AArch64 without HAFDBS)");
        return p;
    }();
    return s;
}

const Schema& tlb_schema() {
    static const Schema s = [] {
        Schema t;
        t.value(&TlbConfig::name, "name", string_codec(), "unique name of this structure (L1D, L1I, L2, ...)");
        t.value(&TlbConfig::level, "level", uint_codec(1, 16), "lookup level: 1 is probed first");
        t.value(&TlbConfig::kind, "kind",
                enum_codec<TlbKind>({{"data", TlbKind::Data}, {"instruction", TlbKind::Instruction},
                                     {"unified", TlbKind::Unified}}),
                "which accesses use it: data (reads, writes), instruction (fetches) or both");
        t.value(&TlbConfig::page_sizes, "page_sizes", page_size_list_codec(), "page sizes this structure holds");
        t.value(&TlbConfig::entries, "entries", uint_codec(1, 1u << 20), "number of entries");
        t.value(&TlbConfig::ways, "ways", uint_codec(0, 1u << 24), "associativity; 0 = fully associative");
        t.value(&TlbConfig::replacement, "replacement",
                name_codec("TLB replacement policy", [] { return tlb_replacements().names(); }),
                "registered replacement policy (`vmlab list tlb-replacement`)");
        t.params<TlbConfig>(
            &TlbConfig::replacement_params, "replacement_params",
            [](const TlbConfig& c) -> const std::vector<ParamSpec>* {
                const auto* e = tlb_replacements().find(c.replacement);
                return e ? &e->params : nullptr;
            },
            [] { return param_catalog(tlb_replacements()); },
            "the selected replacement policy's own parameters (listed below per policy)");
        t.value(&TlbConfig::hit_cycles, "hit_cycles", u32_codec(0, kMaxCycles), "cycles charged for a hit at this structure");
        return t;
    }();
    return s;
}

const Schema& pwc_schema() {
    static const Schema s = [] {
        Schema p;
        p.value(&PwcConfig::entries, "entries", uint_list_codec(0, 1u << 12),
                "entries caching each upper level's table entries, root first; 0 or missing = no cache");
        p.value(&PwcConfig::hit_cycles, "hit_cycles", u32_codec(0, kMaxCycles), "cycles charged for a page-walk-cache hit");
        return p;
    }();
    return s;
}

const Schema& cost_schema() {
    static const Schema s = [] {
        Schema c;
        c.value(&CostConfig::memory_ref_cycles, "memory_ref_cycles", u32_codec(0, kMaxCycles),
                "cycles for one page-table entry read from memory");
        c.value(&CostConfig::ad_update_cycles, "ad_update_cycles", u32_codec(0, kMaxCycles),
                "extra cycles for a hardware accessed/dirty write-back");
        c.value(&CostConfig::fault_cycles, "fault_cycles", u32_codec(0, kMaxCycles), "cycles for trapping to the OS");
        c.value(&CostConfig::shootdown_cycles, "shootdown_cycles", u32_codec(0, kMaxCycles),
                "cycles for one TLB-shootdown interrupt");
        return c;
    }();
    return s;
}

const Schema& mmu_schema() {
    static const Schema s = [] {
        Schema m;
        m.value(&MmuConfig::pcid, "pcid", bool_codec(),
                "TLB entries tagged with the ASID/PCID; false = flush on every page-table switch");
        m.value(&MmuConfig::seed, "seed", u64_codec(0, kU64Max, true), "seed of the random replacement policy");
        m.table(&MmuConfig::pwc, "pwc", pwc_schema(), "page-walk caches");
        m.table(&MmuConfig::cost, "cost", cost_schema(), "cost model of a translation");
        m.table_array(&MmuConfig::tlbs, "tlb", tlb_schema(), "the TLB structures; empty = no TLB");
        return m;
    }();
    return s;
}

const Schema& machine_schema() {
    static const Schema s = [] {
        Schema m;
        m.value(&MachineConfig::name, "name", string_codec(), "name of the machine in reports (the preset it came from)");
        m.value(&MachineConfig::description, "description", string_codec(), "one line describing the machine");
        m.value(&MachineConfig::cpus, "cpus", uint_codec(1, 4096), "number of CPUs, each with its own MMU and TLBs");
        m.table(&MachineConfig::paging, "paging", paging_schema(), "the page-table format");
        m.table(&MachineConfig::memory, "memory", memory_schema(), "physical memory");
        m.table(&MachineConfig::mmu, "mmu", mmu_schema(), "TLBs, page-walk caches and the cost model");
        return m;
    }();
    return s;
}

// vm.overcommit_memory by name, or by its number as in /proc/sys/vm/overcommit_memory.
Codec<OvercommitMode> overcommit_codec() {
    auto named = enum_codec<OvercommitMode>({{"heuristic", OvercommitMode::Heuristic},
                                             {"always", OvercommitMode::Always},
                                             {"never", OvercommitMode::Never}});
    Codec<OvercommitMode> c = named;
    c.read = [rd = named.read](const toml::node& n) -> Result<OvercommitMode> {
        if (!n.is_integer()) return rd(n);
        const std::int64_t v = n.as_integer()->get();
        if (v < 0 || v > 2) return failf("{} is out of range (0 heuristic, 1 always, 2 never)", v);
        return static_cast<OvercommitMode>(v);
    };
    return c;
}

const Schema& kernel_schema() {
    static const Schema s = [] {
        Schema k;
        k.value(&KernelConfig::fault_around_bytes, "fault_around_bytes", size_codec(0, kU64Max),
                "read faults on file pages also map cached pages around them (mm/memory.c)");
        k.value(&KernelConfig::read_around_bytes, "read_around_bytes", size_codec(0, kU64Max),
                "bytes read from the host file around a major fault (readahead)");
        k.value(&KernelConfig::stack_rlimit, "stack_rlimit", rlimit_codec(), "RLIMIT_STACK");
        k.value(&KernelConfig::stack_guard_gap_pages, "stack_guard_gap_pages", u64_codec(0, kU64Max, false),
                "stack_guard_gap in pages (mm/mmap.c)");
        k.value(&KernelConfig::stack_expand_bytes, "stack_expand_bytes", size_codec(0, kU64Max),
                "initial stack VMA beyond the argument pages (fs/exec.c)");
        k.value(&KernelConfig::mmap_min_addr, "mmap_min_addr", size_codec(0, kU64Max), "vm.mmap_min_addr");
        k.value(&KernelConfig::mmap_min_gap, "mmap_min_gap", size_codec(0, kU64Max),
                "least room left below the stack for mmap_base (mm/util.c MIN_GAP)");
        k.value(&KernelConfig::max_map_count, "max_map_count", u64_codec(0, kU64Max, false), "vm.max_map_count");
        k.value(&KernelConfig::memlock_rlimit, "memlock_rlimit", rlimit_codec(), "RLIMIT_MEMLOCK");
        k.value(&KernelConfig::data_rlimit, "data_rlimit", rlimit_codec(), "RLIMIT_DATA");
        k.value(&KernelConfig::as_rlimit, "as_rlimit", rlimit_codec(), "RLIMIT_AS");
        k.value(&KernelConfig::nofile_rlimit, "nofile_rlimit", uint_codec(0, 1u << 30), "RLIMIT_NOFILE");
        k.value(&KernelConfig::overcommit, "overcommit", overcommit_codec(),
                "vm.overcommit_memory (0 heuristic, 1 always, 2 never)");
        k.value(&KernelConfig::overcommit_ratio, "overcommit_ratio", uint_codec(0, 1u << 30),
                "vm.overcommit_ratio, percent");
        k.value(&KernelConfig::randomize_va_space, "randomize_va_space", uint_codec(0, 2),
                "kernel.randomize_va_space: 0 off, 1 stack/mmap, 2 also brk");
        k.value(&KernelConfig::mmap_rnd_bits, "mmap_rnd_bits", uint_codec(0, 64), "vm.mmap_rnd_bits");
        k.value(&KernelConfig::stack_rnd_bits, "stack_rnd_bits", uint_codec(0, 64), "bits of stack-top randomization");
        k.value(&KernelConfig::brk_rnd_bytes, "brk_rnd_bytes", size_codec(0, kU64Max), "range of the random brk start");
        k.value(&KernelConfig::task_size, "task_size", u64_codec(0, kU64Max, true),
                "top of user space; 0 = the paging format's (TASK_SIZE)");
        k.value(&KernelConfig::quantum, "quantum", u64_codec(0, kU64Max, false),
                "accesses a thread runs before the round-robin scheduler moves on");
        k.value(&KernelConfig::first_pid, "first_pid", int_codec(1, 1 << 22), "pid of the first process");
        k.value(&KernelConfig::writable_paths, "writable_paths", string_list_codec(),
                "host paths the page cache may write back to (MAP_SHARED stores, pwrite, ftruncate)");
        return k;
    }();
    return s;
}

const Schema& root_schema() {
    static const Schema s = [] {
        Schema r;
        r.table(&Config::machine, "machine", machine_schema(), "the simulated hardware");
        r.table(&Config::kernel, "kernel", kernel_schema(), "the operating-system model");
        return r;
    }();
    return s;
}

constexpr const char* kPresetKey = "preset";
constexpr int kMaxPresetDepth = 8;

// "unknown preset 'x86'; did you mean 'x86_64'?": a preset the name begins is preferred to
// the nearest by edit distance.
std::string unknown_preset_message(std::string_view name) {
    const auto names = preset_names();
    std::string best;
    for (const auto& n : names)
        if (!name.empty() && n.rfind(name, 0) == 0 && (best.empty() || n.size() < best.size())) best = n;
    if (!best.empty()) return fmt::format("unknown preset '{}'; did you mean '{}'?", name, best);
    return unknown_name_message("preset", name, names);
}

const EmbeddedPreset* find_preset(std::string_view name) {
    for (const auto& p : embedded_presets())
        if (name == p.name) return &p;
    return nullptr;
}

std::string preset_origin(std::string_view name) { return fmt::format("configs/presets/{}.toml", name); }

Result<toml::table> parse_toml(std::string_view text, const std::string& origin) {
    try {
        return toml::parse(text, origin);
    } catch (const toml::parse_error& e) {
        return fail(Error(fmt::format("TOML syntax error: {}", e.description()), location_of(e.source(), origin)));
    }
}

enum class Base { StructDefaults, DefaultPreset };

// Zone boundaries are physical addresses (like Linux's 16 MiB DMA and 4 GiB DMA32 limits);
// the memory fills them from the bottom. So a zone that starts at or above the end of
// memory does not exist, a zone reaching past it is cut there, and the last zone ends at
// memory.bytes. Idempotent; applied before validation.
void fit_zones_to_memory(PhysMemConfig& m) {
    std::uint64_t start = 0;
    std::size_t keep = 0;
    for (; keep < m.zones.size(); ++keep) {
        if (start >= m.bytes) break;
        ZoneConfig& z = m.zones[keep];
        if (z.end_bytes > m.bytes) z.end_bytes = m.bytes;
        if (z.end_bytes > start) start = z.end_bytes;
    }
    m.zones.resize(keep);
    if (!m.zones.empty()) m.zones.back().end_bytes = m.bytes;
}

Status validate_at(Config& cfg, const toml::table& doc, const std::string& origin);

Result<Config> load_preset_chain(std::string_view name, int depth);

// Reads one document on top of its base (see the file comment). Not validated. The parsed
// document is kept in `doc_out` when given (to locate validation errors).
Result<Config> load_document(std::string_view text, const std::string& origin, Base base, int depth,
                             toml::table* doc_out = nullptr) {
    auto doc = parse_toml(text, origin);
    if (!doc) return fail(doc.error());
    Config cfg;
    if (const toml::node* p = doc->get(kPresetKey)) {
        if (!p->is_string())
            return fail(Error(fmt::format("'preset' must be a string naming a preset, not {}", node_type_name(*p)),
                              location_of(p->source(), origin)));
        const std::string name = p->as_string()->get();
        if (!find_preset(name))
            return fail(Error(unknown_preset_message(name), location_of(p->source(), origin)));
        if (depth >= kMaxPresetDepth)
            return fail(Error(fmt::format("presets nest more than {} deep (a cycle?)", kMaxPresetDepth),
                              location_of(p->source(), origin)));
        auto b = load_preset_chain(name, depth + 1);
        if (!b) return fail(b.error());
        cfg = std::move(*b);
    } else if (base == Base::DefaultPreset) {
        auto b = load_preset_chain(default_preset(), depth + 1);
        if (!b) return fail(b.error());
        cfg = std::move(*b);
    }
    VMLAB_TRY(read_table(root_schema(), &cfg, *doc, "", origin, {kPresetKey}));
    if (doc_out) *doc_out = std::move(*doc);  // moved: a copy would lose the source regions
    return cfg;
}

// Validates `cfg` read from `doc`; when the message starts with the dotted key at fault
// ("machine.mmu.tlb[2].ways: ...") and that key is set in this document, the error points
// at its line.
Status validate_at(Config& cfg, const toml::table& doc, const std::string& origin) {
    fit_zones_to_memory(cfg.machine.memory);
    auto st = cfg.validate();
    if (st) return st;
    Error e = st.error();
    if (!e.where.empty()) return fail(e);
    const std::size_t colon = e.message.find(':');
    std::string key = colon == std::string::npos ? std::string() : e.message.substr(0, colon);
    while (!key.empty()) {
        if (key.find(' ') != std::string::npos) break;
        toml::node_view<const toml::node> n = toml::at_path(doc, key);
        if (n) return fail(Error(e.message, location_of(n.node()->source(), origin)));
        // Not set here: try the enclosing table ("machine.mmu.tlb[2]").
        const std::size_t cut = key.find_last_of(".[");
        if (cut == std::string::npos) break;
        key.resize(cut);
    }
    Location loc;
    loc.file = origin;
    return fail(Error(e.message, loc));
}

Result<Config> load_preset_chain(std::string_view name, int depth) {
    const EmbeddedPreset* p = find_preset(name);
    if (!p) return fail(unknown_preset_message(name));
    return load_document(p->text, preset_origin(name), Base::StructDefaults, depth);
}

struct PathSegment {
    std::string name;
    std::optional<std::size_t> index;
};

Result<std::vector<PathSegment>> parse_key_path(std::string_view key) {
    std::vector<PathSegment> out;
    for (std::string_view part : split(key, '.')) {
        PathSegment seg;
        const std::size_t br = part.find('[');
        seg.name = std::string(trim(part.substr(0, br)));
        if (seg.name.empty()) return failf("empty key component in '{}'", key);
        if (br != std::string_view::npos) {
            if (part.back() != ']') return failf("malformed index in '{}' (expected name[N])", part);
            auto idx = parse_u64(part.substr(br + 1, part.size() - br - 2));
            if (!idx) return failf("malformed index in '{}': {}", part, idx.error().message);
            seg.index = static_cast<std::size_t>(*idx);
        }
        out.push_back(std::move(seg));
    }
    return out;
}

// Parses the right-hand side of --set as a TOML value; text that is not valid TOML is taken
// as a bare string (so `--set machine.memory.bytes=2G` works without quotes).
Result<toml::table> parse_override_value(std::string_view value) {
    if (value.find('\n') != std::string_view::npos || value.find('\r') != std::string_view::npos)
        return failf("the value must be on one line");
    try {
        return toml::parse("v = " + std::string(value));
    } catch (const toml::parse_error&) {
    }
    try {
        return toml::parse("v = " + toml_quote(value));
    } catch (const toml::parse_error& e) {
        return failf("cannot read the value '{}': {}", value, e.description());
    }
}

Status apply_override_impl(Config& cfg, std::string_view assignment) {
    const std::size_t eq = assignment.find('=');
    if (eq == std::string_view::npos) return failf("expected key=value, got '{}'", assignment);
    const std::string_view key = trim(assignment.substr(0, eq));
    const std::string_view value = trim(assignment.substr(eq + 1));
    if (key.empty()) return failf("missing key before '=' in '{}'", assignment);
    if (value.empty()) return failf("missing value after '=' in '{}'", assignment);
    if (key == kPresetKey) return failf("the preset is chosen with --preset or `preset = ...` in a config file, not with --set");

    auto segs = parse_key_path(key);
    if (!segs) return fail(segs.error());
    auto doc = parse_override_value(value);
    if (!doc) return fail(doc.error());
    const toml::node& node = *doc->get("v");

    const Schema* schema = &root_schema();
    void* obj = &cfg;
    std::string path;
    for (std::size_t i = 0; i < segs->size(); ++i) {
        const PathSegment& seg = (*segs)[i];
        const bool last = i + 1 == segs->size();
        const Field* f = schema->find(seg.name);
        const std::string full = path.empty() ? seg.name : path + "." + seg.name;
        if (!f) {
            std::string msg = fmt::format("unknown key '{}'", full);
            if (auto n = nearest(seg.name, schema->keys())) msg += fmt::format("; did you mean '{}'?", *n);
            else msg += "; valid keys here: " + [&] {
                std::string k;
                for (const auto& s : schema->keys()) k += (k.empty() ? "" : ", ") + s;
                return k;
            }();
            return fail(msg);
        }
        if (seg.index && f->kind != Field::Kind::TableArray) return failf("'{}' is not an array", full);
        if (f->kind == Field::Kind::Params) {
            if (last) {
                if (!node.is_table()) return failf("'{}' is a table; set one of its keys ({}.KEY=VALUE)", full, full);
                return read_params(*f, obj, node, full, "--set");
            }
            if (i + 2 != segs->size() || (*segs)[i + 1].index)
                return failf("'{}' holds values; set one of them ({}.KEY=VALUE)", full, full);
            const std::string& pkey = (*segs)[i + 1].name;
            if (auto st = read_param(*f, obj, pkey, node); !st)
                return failf("'{}.{}': {}", full, pkey, st.error().message);
            return ok();
        }
        switch (f->kind) {
            case Field::Kind::Value:
                if (!last) return failf("'{}' is a value, not a table", full);
                if (auto st = f->read(obj, node); !st) return failf("'{}': {}", full, st.error().message);
                return ok();
            case Field::Kind::Table:
                if (last) {
                    if (!node.is_table()) return failf("'{}' is a table; set one of its keys ({}.KEY=VALUE)", full, full);
                    return read_table(*f->sub, f->table(obj), *node.as_table(), full, "--set");
                }
                schema = f->sub;
                obj = f->table(obj);
                path = full;
                break;
            case Field::Kind::Params: break;  // handled above
            case Field::Kind::TableArray: {
                if (!seg.index) {
                    if (last) return read_table_array(*f, obj, node, full, "--set");
                    return failf("'{}' is an array of tables; name an element, e.g. {}[0].{}", full, full,
                                 (*segs)[i + 1].name);
                }
                const std::size_t n = f->size(obj);
                if (*seg.index > n)
                    return failf("'{}[{}]': index out of range ('{}' has {} element{}; [{}] appends one)", full,
                                 *seg.index, full, n, n == 1 ? "" : "s", n);
                void* elem = *seg.index == n ? f->append(obj) : f->at(obj, *seg.index);
                const std::string elem_path = fmt::format("{}[{}]", full, *seg.index);
                if (last) {
                    if (!node.is_table()) return failf("'{}' is a table; set one of its keys", elem_path);
                    return read_table(*f->sub, elem, *node.as_table(), elem_path, "--set");
                }
                schema = f->sub;
                obj = elem;
                path = elem_path;
                break;
            }
        }
    }
    return ok();
}

std::string md_escape(std::string s) {
    std::string out;
    for (char c : s) {
        if (c == '|') out += "\\|";
        else out += c;
    }
    return out;
}

// The parameters every implementation of one registry declares, by implementation.
void reference_params(const Field& f, const std::string& path, std::string& out) {
    out += fmt::format("\n### `[{}]`\n\n", path);
    out += "Keys of the implementation selected beside this table; each declares its own (`vmlab list` shows\n"
           "them too). A key the selected implementation does not declare is an error.\n\n";
    const ParamCatalog cat = f.catalog();
    if (cat.empty()) {
        out += "No implementation declares parameters.\n";
        return;
    }
    out += "| implementation | key | type | default | meaning |\n|---|---|---|---|---|\n";
    for (const auto& [name, specs] : cat)
        for (const auto& s : specs)
            out += fmt::format("| `{}` | `{}` | {} | `{}` | {} |\n", name, s.name, md_escape(s.type_text()),
                               md_escape(s.default_text()), md_escape(s.description));
}

// One section per table: its keys with type, default and meaning.
void reference_table(const Schema& s, const void* obj, const std::string& path, bool array_element,
                     std::string& out) {
    out += array_element ? fmt::format("\n### `[[{}]]`\n\n", path) : fmt::format("\n### `[{}]`\n\n", path);
    out += "| key | type | default | meaning |\n|---|---|---|---|\n";
    for (const auto& f : s.fields) {
        std::string def;
        if (f.kind == Field::Kind::Value) def = "`" + f.write(obj) + "`";
        else if (f.kind == Field::Kind::TableArray) def = fmt::format("{} element{}", f.size(obj), f.size(obj) == 1 ? "" : "s");
        else def = "";
        std::string type = f.kind == Field::Kind::Value ? f.type
                           : f.kind == Field::Kind::TableArray ? fmt::format("array of tables `[[{}.{}]]`", path, f.key)
                                                               : fmt::format("table `[{}.{}]`", path, f.key);
        out += fmt::format("| `{}` | {} | {} | {} |\n", f.key, md_escape(type), md_escape(def), md_escape(f.doc));
    }
    for (const auto& f : s.fields) {
        const std::string sub = path + "." + f.key;
        if (f.kind == Field::Kind::Table) {
            reference_table(*f.sub, f.ctable(obj), sub, false, out);
        } else if (f.kind == Field::Kind::TableArray) {
            auto def = f.make_default();
            reference_table(*f.sub, def.get(), sub, true, out);
        } else if (f.kind == Field::Kind::Params) {
            reference_params(f, sub, out);
        }
    }
}

}  // namespace
}  // namespace config_detail

using namespace config_detail;

Status Config::validate() const {
    if (auto st = machine.validate(); !st) return fail(Error("machine." + st.error().message, st.error().where));
    VMLAB_TRY(kernel.validate());  // messages start with "kernel."
    return ok();
}

std::vector<std::string> preset_names() {
    std::vector<std::string> out;
    for (const auto& p : embedded_presets()) out.emplace_back(p.name);
    std::sort(out.begin(), out.end());
    return out;
}

const char* default_preset() { return "x86_64"; }

Result<std::string> preset_text(std::string_view name) {
    const EmbeddedPreset* p = find_preset(name);
    if (!p) return fail(unknown_preset_message(name));
    return std::string(p->text);
}

Result<std::string> preset_description(std::string_view name) {
    auto cfg = load_preset_chain(name, 0);
    if (!cfg) return fail(cfg.error());
    return cfg->machine.description;
}

Result<Config> load_preset(std::string_view name) {
    const EmbeddedPreset* p = find_preset(name);
    if (!p) return fail(unknown_preset_message(name));
    toml::table doc;
    auto cfg = load_document(p->text, preset_origin(name), Base::StructDefaults, 0, &doc);
    if (!cfg) return cfg;
    VMLAB_TRY(validate_at(*cfg, doc, preset_origin(name)));
    return cfg;
}

Result<Config> load_config_string(std::string_view toml_text, const std::string& origin) {
    toml::table doc;
    auto cfg = load_document(toml_text, origin, Base::DefaultPreset, 0, &doc);
    if (!cfg) return cfg;
    VMLAB_TRY(validate_at(*cfg, doc, origin));
    return cfg;
}

static Result<std::string> read_config_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return fail(Error(fmt::format("cannot open config file '{}'", path)));
    std::ostringstream ss;
    ss << in.rdbuf();
    if (in.bad()) return fail(Error(fmt::format("cannot read config file '{}'", path)));
    return ss.str();
}

Result<Config> load_config_file(const std::string& path) {
    auto text = read_config_file(path);
    if (!text) return fail(text.error());
    return load_config_string(*text, path);
}

Status apply_override(Config& cfg, std::string_view assignment) {
    auto st = apply_override_impl(cfg, assignment);
    if (!st) {
        Error e = st.error();
        e.where = Location{};
        e.where.file = "--set";
        return fail(e);
    }
    return ok();
}

std::string dump_toml(const Config& cfg) {
    std::string out = "# vmlab configuration, fully resolved (every key; `vmlab config dump`).\n"
                      "# Load it back with --config FILE.\n\n";
    write_table(root_schema(), &cfg, "", false, out);
    return out;
}

Result<Config> resolve_config(const ConfigRequest& req) {
    if (!req.preset.empty() && !req.file.empty()) return failf("choose either --preset or --config, not both");
    Result<Config> cfg = Config{};
    toml::table doc;
    std::string origin;
    if (req.file.empty()) {
        const std::string name = req.preset.empty() ? default_preset() : req.preset;
        const EmbeddedPreset* p = find_preset(name);
        if (!p) return fail(unknown_preset_message(name));
        origin = preset_origin(name);
        cfg = load_document(p->text, origin, Base::StructDefaults, 0, &doc);
    } else {
        auto text = read_config_file(req.file);
        if (!text) return fail(text.error());
        origin = req.file;
        cfg = load_document(*text, origin, Base::DefaultPreset, 0, &doc);
    }
    if (!cfg) return cfg;
    for (const auto& o : req.overrides) VMLAB_TRY(apply_override(*cfg, o));
    auto st = validate_at(*cfg, doc, origin);
    if (st) return cfg;
    // A problem with a key that an override set is reported against --set.
    const std::string& msg = st.error().message;
    for (const auto& o : req.overrides) {
        const std::string key(trim(std::string_view(o).substr(0, o.find('='))));
        if (!key.empty() && msg.rfind(key, 0) == 0) {
            Location loc;
            loc.file = "--set";
            return fail(Error(msg, loc));
        }
    }
    return fail(st.error());
}

std::string config_reference_markdown() {
    std::string out =
        "# Configuration reference\n\n"
        "<!-- Generated from the schema in src/config/config.cpp by `vmlab config reference`;\n"
        "     tests/unit/config/config_test.cpp checks that this file is current. -->\n\n"
        "A configuration is a TOML file given with `--config FILE`, or a built-in preset given with\n"
        "`--preset NAME` (`vmlab config presets` lists them). A file starts from the default preset\n"
        "(`x86_64`) unless its first key names another one:\n\n"
        "```toml\n"
        "preset = \"aarch64-16k\"\n\n"
        "[machine.memory]\n"
        "bytes = \"2G\"\n"
        "```\n\n"
        "Keys that a file sets replace the preset's values; an array of tables (`[[machine.mmu.tlb]]`,\n"
        "`[[machine.memory.zones]]`) replaces the preset's whole array, and `tlb = []` removes it.\n"
        "`--set KEY=VALUE` (repeatable) changes one key after that, array elements included:\n"
        "`--set machine.mmu.tlb[0].entries=128`, `--set machine.memory.bytes=2G`. The value is TOML\n"
        "(`2`, `true`, `\"lru\"`, `[\"4K\", \"2M\"]`); a value that is not valid TOML is taken as a string.\n"
        "`vmlab config dump` prints the fully resolved configuration, every key included, in a form\n"
        "that `--config` reads back.\n\n"
        "An implementation chosen by name (`machine.memory.allocator`, `machine.mmu.tlb[N].replacement`)\n"
        "may declare parameters of its own; they are keys of the sub-table beside the name, listed\n"
        "below per implementation, e.g. `--set machine.memory.allocator_params.max_order=12`, or\n"
        "`--set 'machine.mmu.tlb[0].replacement=\"random\"' --set 'machine.mmu.tlb[0].replacement_params.seed=7'`.\n"
        "Omitted parameters take their defaults; a parameter the chosen implementation does not\n"
        "declare is an error.\n\n"
        "Unknown keys, wrong types and out-of-range values are errors naming the key and its\n"
        "`file:line:column`, with the nearest valid key suggested.\n\n"
        "Sizes accept a byte count or a string with a binary suffix (`\"16G\"`, `\"512M\"`, `\"4KiB\"`);\n"
        "page sizes are strings such as `\"4K\"`, `\"2M\"`, `\"1G\"`, `\"64B\"`.\n\n"
        "## Keys\n\n"
        "The default shown is the `x86_64` preset's value; for keys inside an array of tables it is\n"
        "the value a new element gets when the key is omitted.\n\n"
        "| key | type | meaning |\n|---|---|---|\n"
        "| `preset` | string | the built-in preset this file starts from (top-level key) |\n";
    auto def = load_preset_chain(default_preset(), 0);
    const Config base = def ? *def : Config{};
    for (const auto& f : root_schema().fields) {
        if (f.kind == Field::Kind::Table) reference_table(*f.sub, f.ctable(&base), f.key, false, out);
    }
    return out;
}

}  // namespace vmlab
