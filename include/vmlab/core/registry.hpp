// The registry of named implementations: the extension points of vmlab.
//
// Each extension point (paging format, TLB replacement policy, page-replacement policy,
// frame allocator, heap allocator, swap device, trace reader, reporter, ...) owns one
// Registry<Factory>, reached through a function in its header, e.g.
//
//     Registry<PagingFormatFactory>& paging_formats();
//
// and each implementation registers itself by name in its own .cpp file:
//
//     VMLAB_REGISTER(paging_formats(), "x86-64-4level", "x86-64 4-level paging", make_fn);
//
// An implementation may declare its own parameters where it lives, as a last argument:
//
//     VMLAB_REGISTER(frame_allocators(), "buddy", "binary buddy allocator", make_fn,
//                    {ParamSpec::integer("max_order", 0, 0, 63, "largest block order; 0 = automatic")});
//
// The configuration layer turns them into keys of a sub-table beside the key that selects
// the implementation (docs/config.md lists them), checks what a file sets against the
// specs (resolve_params) and hands the factory's caller a complete ParamValues.
//
// Registration happens during static initialisation and the registries are read-only
// afterwards; they hold factories, never simulation state. `vmlab list` prints them all
// (through the catalogue below), and a test pins the expected names so a file left out
// of the build fails CI.
#pragma once

#include <algorithm>
#include <cstdint>
#include <functional>
#include <limits>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "vmlab/core/result.hpp"

namespace vmlab {

// The value of one parameter: integers and byte counts are std::int64_t.
using ParamValue = std::variant<std::int64_t, bool, std::string>;

enum class ParamType : std::uint8_t {
    Integer,  // an integer in [min, max]
    Bytes,    // a byte count in [min, max]; files may write "2G", "512M", "4KiB"
    Bool,
    String,   // any string
    Enum,     // one of `allowed`
};
const char* to_string(ParamType t);

// One parameter an implementation declares: its name (a TOML key), type, default, the
// values it accepts and what it means.
struct ParamSpec {
    std::string name;
    ParamType type = ParamType::Integer;
    ParamValue def = std::int64_t{0};
    std::int64_t min = std::numeric_limits<std::int64_t>::min();  // Integer, Bytes
    std::int64_t max = std::numeric_limits<std::int64_t>::max();
    std::vector<std::string> allowed;  // Enum
    std::string description;

    static ParamSpec integer(std::string name, std::int64_t def, std::int64_t lo, std::int64_t hi, std::string doc);
    static ParamSpec bytes(std::string name, std::int64_t def, std::int64_t lo, std::int64_t hi, std::string doc);
    static ParamSpec boolean(std::string name, bool def, std::string doc);
    static ParamSpec string(std::string name, std::string def, std::string doc);
    static ParamSpec choice(std::string name, std::string def, std::vector<std::string> allowed, std::string doc);

    // "integer 0..63", "bytes >= 4096", "boolean", "string", "one of: a, b".
    std::string type_text() const;
    // The default as TOML text: 0, true, "lru", "2M" (bytes in binary units when whole).
    std::string default_text() const;
};

// "2M" for whole binary units, else the plain count; as TOML text (quoted when a string).
std::string param_value_text(const ParamSpec& spec, const ParamValue& v);

// Named parameter values, in the order they were set. A configuration holds only what a
// file set; resolve_params() checks those against the implementation's specs and returns
// every parameter (defaults filled in), which is what factories read. The getters stop
// loudly when the name is missing or of another type (a bug: specs were not resolved).
class ParamValues {
public:
    void set(std::string name, ParamValue v);
    const ParamValue* find(std::string_view name) const;
    bool empty() const { return items_.empty(); }
    const std::vector<std::pair<std::string, ParamValue>>& items() const { return items_; }

    std::int64_t get_int(std::string_view name) const;  // Integer and Bytes parameters
    bool get_bool(std::string_view name) const;
    const std::string& get_string(std::string_view name) const;  // String and Enum parameters

    bool operator==(const ParamValues&) const = default;

private:
    std::vector<std::pair<std::string, ParamValue>> items_;
};

// Checks `given` against `specs` and fills in the defaults. `owner` names the
// implementation in messages ("TLB replacement policy 'random'"). Errors start with the
// parameter's name ("max_ordr: unknown parameter of ...; did you mean 'max_order'?"), so
// that callers can prefix the path of the table holding it. A Bytes parameter also accepts
// a string with a binary suffix ("2G").
Result<ParamValues> resolve_params(const std::vector<ParamSpec>& specs, const ParamValues& given,
                                   std::string_view owner);

struct RegistryListing {
    std::string kind;         // "paging-format"
    std::string description;  // "page-table formats of real ISAs and textbooks"
    std::vector<std::pair<std::string, std::string>> entries;  // (name, description), sorted
    std::map<std::string, std::vector<ParamSpec>> params;      // by name; entries without any are absent
};

// All registries, by kind. Filled as registries are first used.
class RegistryCatalog {
public:
    using Lister = std::function<RegistryListing()>;
    static RegistryCatalog& instance();
    void add(std::string kind, Lister lister);
    std::vector<RegistryListing> all() const;  // sorted by kind

private:
    std::map<std::string, Lister> listers_;
};

template <class Factory>
class Registry {
public:
    struct Entry {
        std::string name;
        std::string description;
        Factory make;
        std::vector<ParamSpec> params;  // the implementation's own parameters, in declaration order
    };

    Registry(std::string kind, std::string description)
        : kind_(std::move(kind)), description_(std::move(description)) {
        RegistryCatalog::instance().add(kind_, [this] { return listing(); });
    }
    Registry(const Registry&) = delete;
    Registry& operator=(const Registry&) = delete;

    // Returns true so that it can initialise a static; a duplicate name is a bug.
    bool add(std::string name, std::string description, Factory make, std::vector<ParamSpec> params = {}) {
        for (const auto& e : entries_)
            if (e.name == name) duplicate(name);
        for (std::size_t i = 0; i < params.size(); ++i)
            for (std::size_t j = 0; j < i; ++j)
                if (params[i].name == params[j].name) duplicate(name + "' parameter '" + params[i].name);
        entries_.push_back(Entry{std::move(name), std::move(description), std::move(make), std::move(params)});
        std::sort(entries_.begin(), entries_.end(),
                  [](const Entry& a, const Entry& b) { return a.name < b.name; });
        return true;
    }

    const Entry* find(std::string_view name) const {
        for (const auto& e : entries_)
            if (e.name == name) return &e;
        return nullptr;
    }

    std::vector<std::string> names() const {
        std::vector<std::string> out;
        for (const auto& e : entries_) out.push_back(e.name);
        return out;
    }
    const std::vector<Entry>& entries() const { return entries_; }
    const std::string& kind() const { return kind_; }

    RegistryListing listing() const {
        RegistryListing l{kind_, description_, {}, {}};
        for (const auto& e : entries_) {
            l.entries.emplace_back(e.name, e.description);
            if (!e.params.empty()) l.params[e.name] = e.params;
        }
        return l;
    }

private:
    [[noreturn]] void duplicate(const std::string& name) const;
    std::string kind_;
    std::string description_;
    std::vector<Entry> entries_;
};

[[noreturn]] void registry_duplicate(const std::string& kind, const std::string& name);
template <class Factory>
void Registry<Factory>::duplicate(const std::string& name) const {
    registry_duplicate(kind_, name);
}

#define VMLAB_REGISTRY_CONCAT2(a, b) a##b
#define VMLAB_REGISTRY_CONCAT(a, b) VMLAB_REGISTRY_CONCAT2(a, b)
// Registers an implementation from its own .cpp file (at namespace scope). The arguments
// after the description are the factory and, optionally, its std::vector<ParamSpec>.
#define VMLAB_REGISTER(registry, name, description, ...)                                   \
    static const bool VMLAB_REGISTRY_CONCAT(vmlab_registered_, __COUNTER__) [[maybe_unused]] = \
        (registry).add(name, description, __VA_ARGS__)

}  // namespace vmlab
