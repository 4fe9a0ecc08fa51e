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
// Registration happens during static initialisation and the registries are read-only
// afterwards; they hold factories, never simulation state. `vmlab list` prints them all
// (through the catalogue below), and a test pins the expected names so a file left out
// of the build fails CI.
#pragma once

#include <algorithm>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace vmlab {

struct RegistryListing {
    std::string kind;         // "paging-format"
    std::string description;  // "page-table formats of real ISAs and textbooks"
    std::vector<std::pair<std::string, std::string>> entries;  // (name, description), sorted
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
    };

    Registry(std::string kind, std::string description)
        : kind_(std::move(kind)), description_(std::move(description)) {
        RegistryCatalog::instance().add(kind_, [this] { return listing(); });
    }
    Registry(const Registry&) = delete;
    Registry& operator=(const Registry&) = delete;

    // Returns true so that it can initialise a static; a duplicate name is a bug.
    bool add(std::string name, std::string description, Factory make) {
        for (const auto& e : entries_)
            if (e.name == name) duplicate(name);
        entries_.push_back(Entry{std::move(name), std::move(description), std::move(make)});
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
        RegistryListing l{kind_, description_, {}};
        for (const auto& e : entries_) l.entries.emplace_back(e.name, e.description);
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
// Registers an implementation from its own .cpp file (at namespace scope).
#define VMLAB_REGISTER(registry, name, description, ...)                                   \
    static const bool VMLAB_REGISTRY_CONCAT(vmlab_registered_, __COUNTER__) [[maybe_unused]] = \
        (registry).add(name, description, __VA_ARGS__)

}  // namespace vmlab
