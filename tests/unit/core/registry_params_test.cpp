// Per-entry parameters of the registries: ParamSpec, resolve_params (names, types, ranges,
// defaults) and the parameters the built-in implementations declare.
#include <gtest/gtest.h>

#include "vmlab/core/registry.hpp"
#include "vmlab/hw/phys_mem.hpp"
#include "vmlab/hw/tlb.hpp"

using namespace vmlab;

namespace {

std::vector<ParamSpec> specs() {
    return {ParamSpec::integer("ways", 4, 1, 64, "ways"),
            ParamSpec::bytes("size", 4096, 4096, std::int64_t{1} << 30, "size"),
            ParamSpec::boolean("strict", false, "strict"),
            ParamSpec::string("label", "x", "label"),
            ParamSpec::choice("mode", "lru", {"lru", "fifo"}, "mode")};
}

TEST(RegistryParams, DefaultsFillEveryParameterInDeclarationOrder) {
    auto r = resolve_params(specs(), {}, "test 'a'");
    ASSERT_TRUE(r.has_value()) << r.error().message;
    ASSERT_EQ(r->items().size(), 5u);
    EXPECT_EQ(r->items()[0].first, "ways");
    EXPECT_EQ(r->get_int("ways"), 4);
    EXPECT_EQ(r->get_int("size"), 4096);
    EXPECT_FALSE(r->get_bool("strict"));
    EXPECT_EQ(r->get_string("label"), "x");
    EXPECT_EQ(r->get_string("mode"), "lru");
}

TEST(RegistryParams, GivenValuesAreTypedAndChecked) {
    ParamValues v;
    v.set("ways", std::int64_t{8});
    v.set("size", std::string("2M"));
    v.set("strict", true);
    v.set("mode", std::string("fifo"));
    auto r = resolve_params(specs(), v, "test 'a'");
    ASSERT_TRUE(r.has_value()) << r.error().message;
    EXPECT_EQ(r->get_int("ways"), 8);
    EXPECT_EQ(r->get_int("size"), 2 << 20);
    EXPECT_TRUE(r->get_bool("strict"));
    EXPECT_EQ(r->get_string("mode"), "fifo");
}

TEST(RegistryParams, ErrorsNameTheParameter) {
    auto err = [](const char* key, ParamValue val) {
        ParamValues v;
        v.set(key, std::move(val));
        auto r = resolve_params(specs(), v, "test 'a'");
        EXPECT_FALSE(r.has_value());
        return r ? std::string() : r.error().message;
    };
    EXPECT_EQ(err("way", std::int64_t{1}),
              "way: unknown parameter of test 'a'; did you mean 'ways'? (valid parameters: ways, size, strict, label, "
              "mode)");
    EXPECT_EQ(err("ways", std::int64_t{65}), "ways: 65 is out of range (1..64)");
    EXPECT_EQ(err("ways", true), "ways: expected an integer, not a boolean");
    EXPECT_EQ(err("size", std::int64_t{100}), "size: 100 B is out of range (4 KiB .. 1 GiB)");
    EXPECT_EQ(err("strict", std::string("yes")), "strict: expected a boolean (true or false), not a string");
    EXPECT_EQ(err("mode", std::string("lfu")), "mode: 'lfu' is not valid; expected one of: lru, fifo");
    auto none = resolve_params({}, [] {
        ParamValues v;
        v.set("x", std::int64_t{1});
        return v;
    }(), "policy 'lru'");
    ASSERT_FALSE(none.has_value());
    EXPECT_EQ(none.error().message, "x: unknown parameter; policy 'lru' takes no parameters");
}

TEST(RegistryParams, TypeAndDefaultText) {
    const auto s = specs();
    EXPECT_EQ(s[0].type_text(), "integer 1..64");
    EXPECT_EQ(s[1].type_text(), "size 4 KiB .. 1 GiB");
    EXPECT_EQ(s[1].default_text(), "\"4K\"");
    EXPECT_EQ(s[2].default_text(), "false");
    EXPECT_EQ(s[4].type_text(), "one of: \"lru\", \"fifo\"");
    EXPECT_EQ(s[4].default_text(), "\"lru\"");
}

TEST(RegistryParams, ListingCarriesTheEntriesParameters) {
    for (const auto& l : RegistryCatalog::instance().all()) {
        if (l.kind == "frame-allocator") {
            ASSERT_TRUE(l.params.count("buddy"));
            EXPECT_EQ(l.params.at("buddy").front().name, "max_order");
        }
        if (l.kind == "tlb-replacement") {
            EXPECT_TRUE(l.params.count("random"));
            EXPECT_FALSE(l.params.count("lru"));
        }
    }
}

TEST(RegistryParams, BuddyMaxOrderCapsTheBlocks) {
    PhysMemConfig c;
    c.bytes = 256 << 12;
    c.allocator_params.set("max_order", std::int64_t{3});
    PhysMem m(c);
    EXPECT_EQ(m.allocator().max_order(), 3u);
    const auto f = m.allocator().fragmentation();
    EXPECT_EQ(f.free_blocks_per_order.size(), 4u);
    EXPECT_EQ(f.free_blocks_per_order[3], 32u);  // 256 frames in blocks of 8
    EXPECT_EQ(m.allocator().alloc(4), std::nullopt);
    EXPECT_TRUE(m.allocator().alloc(3).has_value());
}

}  // namespace
