// Rule 1 of the house: every implementation registers itself by name in its own file.
// This pins the full catalogue, so a file left out of the build (or a renamed entry)
// fails here. Adding an implementation means adding its name below.
#include <gtest/gtest.h>

#include <map>

#include "vmlab/core/registry.hpp"

using namespace vmlab;

TEST(Registry, CatalogueHoldsEveryImplementation) {
    const std::map<std::string, std::vector<std::string>> expected = {
        {"frame-allocator", {"buddy"}},
        {"ostep-simulator",
         {"malloc", "paging-linear-translate", "paging-multilevel-translate", "paging-policy", "relocation",
          "segmentation"}},
        {"paging-format",
         {"aarch64-16k", "aarch64-4k", "aarch64-64k", "csapp-small", "i386", "i386-pae", "ostep-2level",
          "riscv-sv32", "riscv-sv39", "riscv-sv48", "riscv-sv57", "x86-64-4level", "x86-64-5level"}},
        {"proc-report", {"maps", "smaps", "smaps_rollup", "status", "summary", "vmmap"}},
        {"tlb-replacement", {"fifo", "lru", "random", "tree-plru"}},
    };
    std::map<std::string, std::vector<std::string>> actual;
    for (const auto& listing : RegistryCatalog::instance().all()) {
        auto& names = actual[listing.kind];
        for (const auto& [name, description] : listing.entries) {
            names.push_back(name);
            EXPECT_FALSE(description.empty()) << listing.kind << " '" << name << "' has no description";
        }
    }
    EXPECT_EQ(actual, expected);
}
