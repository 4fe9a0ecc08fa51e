#include "vmlab/core/registry.hpp"

#include <cstdio>
#include <cstdlib>

namespace vmlab {

RegistryCatalog& RegistryCatalog::instance() {
    static RegistryCatalog catalog;
    return catalog;
}

void RegistryCatalog::add(std::string kind, Lister lister) { listers_[std::move(kind)] = std::move(lister); }

std::vector<RegistryListing> RegistryCatalog::all() const {
    std::vector<RegistryListing> out;
    for (const auto& [kind, lister] : listers_) out.push_back(lister());
    return out;
}

void registry_duplicate(const std::string& kind, const std::string& name) {
    std::fprintf(stderr, "vmlab: internal error: %s '%s' registered twice\n", kind.c_str(), name.c_str());
    std::abort();
}

}  // namespace vmlab
