// The TOML configuration layer: presets, errors with locations, overrides, round trips.
#include <gtest/gtest.h>

#include <algorithm>
#include <fstream>

#include "vmlab/config/config.hpp"

namespace vmlab {
namespace {

const TlbConfig* find_tlb(const Config& c, const std::string& name) {
    for (const auto& t : c.machine.mmu.tlbs)
        if (t.name == name) return &t;
    return nullptr;
}

Config load_ok(std::string_view text) {
    auto c = load_config_string(text, "t.toml");
    EXPECT_TRUE(c.has_value()) << (c ? "" : c.error().str());
    return c ? *c : Config{};
}

Error load_err(std::string_view text) {
    auto c = load_config_string(text, "t.toml");
    EXPECT_FALSE(c.has_value());
    return c ? Error("loaded") : c.error();
}

TEST(ConfigPresets, TheIssueListsTheseNames) {
    const std::vector<std::string> expected = {"aarch64-16k", "aarch64-4k", "csapp-small", "i386",
                                               "ostep-multilevel", "riscv-sv39", "riscv-sv48", "x86_64",
                                               "x86_64-la57"};
    EXPECT_EQ(preset_names(), expected);
    EXPECT_STREQ(default_preset(), "x86_64");
}

TEST(ConfigPresets, EveryPresetLoadsValidatesAndHasADescription) {
    for (const auto& name : preset_names()) {
        auto c = load_preset(name);
        ASSERT_TRUE(c.has_value()) << name << ": " << c.error().str();
        EXPECT_TRUE(c->validate().has_value()) << name;
        EXPECT_EQ(c->machine.name, name);
        EXPECT_FALSE(c->machine.description.empty()) << name;
        auto d = preset_description(name);
        ASSERT_TRUE(d.has_value());
        EXPECT_EQ(*d, c->machine.description);
        EXPECT_TRUE(preset_text(name).has_value());
    }
}

// The figures the issue asks for (Skylake: Intel Optimization Reference Manual Table 2-15).
TEST(ConfigPresets, X86_64IsSkylakeLike) {
    auto c = load_preset("x86_64");
    ASSERT_TRUE(c.has_value());
    const auto& m = c->machine;
    EXPECT_EQ(m.paging.format, "x86-64-4level");
    EXPECT_EQ(m.memory.bytes, std::uint64_t{16} << 30);
    EXPECT_EQ(m.memory.frame, kPage4K);
    ASSERT_EQ(m.memory.zones.size(), 3u);
    EXPECT_EQ(m.memory.zones[0].name, "DMA");
    EXPECT_EQ(m.memory.zones[0].end_bytes, std::uint64_t{16} << 20);
    EXPECT_EQ(m.memory.zones[1].name, "DMA32");
    EXPECT_EQ(m.memory.zones[1].end_bytes, std::uint64_t{4} << 30);
    EXPECT_EQ(m.memory.zones[2].name, "Normal");

    const TlbConfig* d4k = find_tlb(*c, "L1D-4K");
    ASSERT_NE(d4k, nullptr);
    EXPECT_EQ(d4k->level, 1u);
    EXPECT_EQ(d4k->kind, TlbKind::Data);
    EXPECT_EQ(d4k->entries, 64u);
    EXPECT_EQ(d4k->ways, 4u);
    EXPECT_EQ(d4k->page_sizes, std::vector<PageSize>{kPage4K});
    const TlbConfig* d2m = find_tlb(*c, "L1D-2M");
    ASSERT_NE(d2m, nullptr);
    EXPECT_EQ(d2m->entries, 32u);
    EXPECT_EQ(d2m->ways, 4u);
    EXPECT_EQ(d2m->page_sizes, std::vector<PageSize>{kPage2M});
    const TlbConfig* d1g = find_tlb(*c, "L1D-1G");
    ASSERT_NE(d1g, nullptr);
    EXPECT_EQ(d1g->entries, 4u);
    EXPECT_EQ(d1g->ways, 0u);  // fully associative
    const TlbConfig* i4k = find_tlb(*c, "L1I-4K");
    ASSERT_NE(i4k, nullptr);
    EXPECT_EQ(i4k->kind, TlbKind::Instruction);
    EXPECT_EQ(i4k->entries, 128u);
    EXPECT_EQ(i4k->ways, 8u);
    const TlbConfig* l2 = find_tlb(*c, "L2");
    ASSERT_NE(l2, nullptr);
    EXPECT_EQ(l2->level, 2u);
    EXPECT_EQ(l2->kind, TlbKind::Unified);
    EXPECT_EQ(l2->entries, 1536u);
    EXPECT_EQ(l2->ways, 12u);
    EXPECT_EQ(l2->page_sizes, (std::vector<PageSize>{kPage4K, kPage2M}));
    EXPECT_EQ(m.mmu.pwc.entries.size(), 3u);  // PML4E, PDPTE, PDE
}

TEST(ConfigPresets, La57InheritsFromX86_64) {
    auto c = load_preset("x86_64-la57");
    ASSERT_TRUE(c.has_value());
    EXPECT_EQ(c->machine.paging.format, "x86-64-5level");
    EXPECT_EQ(c->machine.paging.va_bits, 57u);
    EXPECT_EQ(c->machine.mmu.pwc.entries.size(), 4u);
    ASSERT_NE(find_tlb(*c, "L2"), nullptr);
    EXPECT_EQ(find_tlb(*c, "L2")->entries, 1536u);
    EXPECT_EQ(c->machine.memory.bytes, std::uint64_t{16} << 30);
}

// CS:APP 3e §9.6.4: 14-bit VA, 12-bit PA, 64-byte pages, 16-entry 4-way TLB.
TEST(ConfigPresets, CsappSmallIsTheBooksMachine) {
    auto c = load_preset("csapp-small");
    ASSERT_TRUE(c.has_value());
    const auto& m = c->machine;
    EXPECT_EQ(m.paging.format, "csapp-small");
    EXPECT_EQ(m.paging.va_bits, 14u);
    EXPECT_EQ(m.memory.bytes, 4096u);  // 2^12
    EXPECT_EQ(m.memory.frame.bytes(), 64u);
    ASSERT_EQ(m.mmu.tlbs.size(), 1u);
    EXPECT_EQ(m.mmu.tlbs[0].entries, 16u);
    EXPECT_EQ(m.mmu.tlbs[0].ways, 4u);
    EXPECT_EQ(m.mmu.tlbs[0].page_sizes, std::vector<PageSize>{PageSize::from_shift(6)});
}

// OSTEP vm-smalltables: 15-bit VA, 32-byte pages, 4 KiB of memory, no TLB.
TEST(ConfigPresets, OstepMultilevelHasNoTlb) {
    auto c = load_preset("ostep-multilevel");
    ASSERT_TRUE(c.has_value());
    EXPECT_EQ(c->machine.paging.format, "ostep-2level");
    EXPECT_EQ(c->machine.paging.va_bits, 15u);
    EXPECT_EQ(c->machine.memory.bytes, 4096u);
    EXPECT_EQ(c->machine.memory.frame.bytes(), 32u);
    EXPECT_TRUE(c->machine.mmu.tlbs.empty());
}

TEST(ConfigPresets, UnknownPresetSuggestsTheNearest) {
    auto c = load_preset("aarch64-16");
    ASSERT_FALSE(c.has_value());
    EXPECT_EQ(c.error().message, "unknown preset 'aarch64-16'; did you mean 'aarch64-16k'?");
    auto d = load_preset("x86");
    ASSERT_FALSE(d.has_value());
    EXPECT_EQ(d.error().message, "unknown preset 'x86'; did you mean 'x86_64'?");
    EXPECT_FALSE(preset_text("nope").has_value());
}

TEST(ConfigFile, StartsFromTheDefaultPreset) {
    Config c = load_ok("[machine.memory]\nbytes = \"2G\"\n");
    EXPECT_EQ(c.machine.name, "x86_64");
    EXPECT_EQ(c.machine.memory.bytes, std::uint64_t{2} << 30);
    EXPECT_EQ(c.machine.mmu.tlbs.size(), load_preset("x86_64")->machine.mmu.tlbs.size());
}

// Zone limits are addresses (Linux: DMA below 16 MiB, DMA32 below 4 GiB); memory fills them
// from the bottom.
TEST(ConfigFile, ZonesFitTheMemorySize) {
    auto small = resolve_config({"x86_64", "", {"machine.memory.bytes=2G"}});
    ASSERT_TRUE(small.has_value()) << small.error().str();
    ASSERT_EQ(small->machine.memory.zones.size(), 2u);
    EXPECT_EQ(small->machine.memory.zones[0].end_bytes, std::uint64_t{16} << 20);
    EXPECT_EQ(small->machine.memory.zones[1].name, "DMA32");
    EXPECT_EQ(small->machine.memory.zones[1].end_bytes, std::uint64_t{2} << 30);
    auto big = resolve_config({"x86_64", "", {"machine.memory.bytes=32G"}});
    ASSERT_TRUE(big.has_value()) << big.error().str();
    ASSERT_EQ(big->machine.memory.zones.size(), 3u);
    EXPECT_EQ(big->machine.memory.zones[2].end_bytes, std::uint64_t{32} << 30);
    auto tiny = resolve_config({"x86_64", "", {"machine.memory.bytes=8M", "machine.memory.reserved_bytes=0"}});
    ASSERT_TRUE(tiny.has_value()) << tiny.error().str();
    ASSERT_EQ(tiny->machine.memory.zones.size(), 1u);
    EXPECT_EQ(tiny->machine.memory.zones[0].name, "DMA");
    EXPECT_EQ(tiny->machine.memory.zones[0].end_bytes, std::uint64_t{8} << 20);
}

TEST(ConfigFile, NamedPresetThenOverrides) {
    Config c = load_ok("preset = \"aarch64-16k\"\n[machine.memory]\nbytes = \"2G\"\n[machine.paging]\nad_mode = \"fault\"\n");
    EXPECT_EQ(c.machine.paging.format, "aarch64-16k");
    EXPECT_EQ(c.machine.memory.frame, kPage16K);
    EXPECT_EQ(c.machine.memory.bytes, std::uint64_t{2} << 30);
    EXPECT_EQ(c.machine.paging.ad_mode, AdMode::Fault);
}

TEST(ConfigFile, ArrayOfTablesReplacesThePresetsArray) {
    Config c = load_ok("[[machine.mmu.tlb]]\nname = \"only\"\nentries = 8\nways = 2\n");
    ASSERT_EQ(c.machine.mmu.tlbs.size(), 1u);
    EXPECT_EQ(c.machine.mmu.tlbs[0].name, "only");
    EXPECT_EQ(c.machine.mmu.tlbs[0].entries, 8u);
    EXPECT_EQ(c.machine.mmu.tlbs[0].replacement, TlbConfig{}.replacement);  // element default
    Config e = load_ok("[machine.mmu]\ntlb = []\n");
    EXPECT_TRUE(e.machine.mmu.tlbs.empty());
}

TEST(ConfigFile, SizesAndPageSizesAcceptUnits) {
    Config c = load_ok(
        "preset = \"csapp-small\"\n[machine.memory]\nbytes = \"4KiB\"\nreserved_bytes = 128\nframe = 64\n"
        "[[machine.mmu.tlb]]\nname = \"T\"\npage_sizes = [\"64B\"]\nentries = 4\nways = 0\n");
    EXPECT_EQ(c.machine.memory.bytes, 4096u);
    EXPECT_EQ(c.machine.memory.reserved_bytes, 128u);
    EXPECT_EQ(c.machine.memory.frame.shift, 6);
    EXPECT_EQ(c.machine.mmu.tlbs[0].page_sizes, std::vector<PageSize>{PageSize::from_shift(6)});
    Config x = load_ok("[[machine.mmu.tlb]]\nname = \"T\"\npage_sizes = [\"4K\", 2097152, \"1GiB\"]\nentries = 4\nways = 0\n");
    EXPECT_EQ(x.machine.mmu.tlbs[0].page_sizes, (std::vector<PageSize>{kPage4K, kPage2M, kPage1G}));
}

TEST(ConfigErrors, MisspelledKeyNamesKeyLineAndSuggestion) {
    Error e = load_err("preset = \"x86_64\"\n\n[machine.memory]\nbytes = \"2G\"\n\n[[machine.mmu.tlb]]\nentires = 3\n");
    EXPECT_EQ(e.message, "unknown key 'machine.mmu.tlb[0].entires'; did you mean 'entries'?");
    EXPECT_EQ(e.where.file, "t.toml");
    EXPECT_EQ(e.where.line, 7u);
    EXPECT_EQ(e.where.column, 1u);
    EXPECT_EQ(e.str(), "t.toml:7:1: unknown key 'machine.mmu.tlb[0].entires'; did you mean 'entries'?");
}

TEST(ConfigErrors, MisspelledTableName) {
    Error e = load_err("[machine.memroy]\nbytes = 1\n");
    EXPECT_EQ(e.message, "unknown key 'machine.memroy'; did you mean 'memory'?");
    EXPECT_EQ(e.where.line, 1u);
}

TEST(ConfigErrors, UnknownKeyWithoutNearNameListsValidKeys) {
    Error e = load_err("[machine]\nzzzzzzzzzz = 1\n");
    EXPECT_NE(e.message.find("valid keys here: name, description, cpus, paging, memory, mmu"), std::string::npos)
        << e.message;
}

TEST(ConfigErrors, WrongTypeNamesKeyAndValueLocation) {
    Error e = load_err("[machine.memory]\nbytes = true\n");
    EXPECT_EQ(e.where.line, 2u);
    EXPECT_EQ(e.where.column, 9u);
    EXPECT_NE(e.message.find("'machine.memory.bytes'"), std::string::npos) << e.message;
    EXPECT_NE(e.message.find("not a boolean"), std::string::npos) << e.message;

    Error t = load_err("[machine]\ncpus = \"two\"\n");
    EXPECT_NE(t.message.find("not a string"), std::string::npos) << t.message;
    Error k = load_err("[machine]\npaging = 3\n");
    EXPECT_EQ(k.message, "'machine.paging' must be a table, not an integer");
    Error m = load_err("[machine.paging]\nad_mode = \"sometimes\"\n");
    EXPECT_EQ(m.message, "'machine.paging.ad_mode': 'sometimes' is not valid; expected one of: hardware, fault");
}

TEST(ConfigErrors, OutOfRange) {
    Error a = load_err("[machine]\ncpus = 0\n");
    EXPECT_EQ(a.message, "'machine.cpus': 0 is out of range (1..4096)");
    EXPECT_EQ(a.where.line, 2u);
    Error b = load_err("[machine.paging]\nva_bits = 65\n");
    EXPECT_EQ(b.message, "'machine.paging.va_bits': 65 is out of range (0..64)");
    Error c = load_err("[machine.memory]\nbytes = -5\n");
    EXPECT_NE(c.message.find("negative"), std::string::npos) << c.message;
    Error d = load_err("[machine.memory]\nframe = \"3K\"\n");
    EXPECT_NE(d.message.find("not a power of two"), std::string::npos) << d.message;
    Error f = load_err("[machine.mmu.cost]\nmemory_ref_cycles = 5000000000\n");
    EXPECT_NE(f.message.find("out of range"), std::string::npos) << f.message;
    Error g = load_err("[machine.memory]\nbytes = 0\n");
    EXPECT_NE(g.message.find("out of range"), std::string::npos) << g.message;
}

TEST(ConfigErrors, SyntaxErrorHasTomlsLineAndColumn) {
    Error e = load_err("[machine]\ncpus = 1\n[machine.memory\nbytes = 2\n");
    EXPECT_EQ(e.where.file, "t.toml");
    EXPECT_EQ(e.where.line, 3u);
    EXPECT_GT(e.where.column, 0u);
    EXPECT_EQ(e.message.rfind("TOML syntax error: ", 0), 0u) << e.message;
}

TEST(ConfigErrors, PresetKeyMustNameAPreset) {
    Error e = load_err("\npreset = \"aarch64-16\"\n");
    EXPECT_EQ(e.message, "unknown preset 'aarch64-16'; did you mean 'aarch64-16k'?");
    EXPECT_EQ(e.where.line, 2u);
    EXPECT_EQ(e.where.column, 10u);
    Error t = load_err("preset = 3\n");
    EXPECT_NE(t.message.find("must be a string"), std::string::npos);
}

// Validation (the MMU's rules) runs after reading; its message names the key, and the
// error points at the key's line when the file sets it.
TEST(ConfigErrors, ValidationErrorsPointAtTheKey) {
    Error e = load_err("[[machine.mmu.tlb]]\nname = \"T\"\nentries = 12\nways = 4\n");
    EXPECT_EQ(e.message.rfind("machine.mmu.tlb[0].entries: ", 0), 0u) << e.message;  // 3 sets: not a power of two
    EXPECT_EQ(e.where.file, "t.toml");
    EXPECT_EQ(e.where.line, 3u);
    Error r = load_err("[[machine.mmu.tlb]]\nname = \"T\"\nreplacement = \"lur\"\n");
    EXPECT_NE(r.message.find("did you mean 'lru'?"), std::string::npos) << r.message;
    EXPECT_EQ(r.where.line, 3u);
    auto s = resolve_config({"x86_64", "", {"machine.mmu.tlb[0].ways=3"}});
    ASSERT_FALSE(s.has_value());
    EXPECT_EQ(s.error().where.file, "--set");
    EXPECT_EQ(s.error().message.rfind("machine.mmu.tlb[0].ways: ", 0), 0u) << s.error().message;
}

// [kernel]: the OS model's sysctls and rlimits (Linux defaults), bound like the machine.
TEST(ConfigKernel, DefaultsOverridesAndErrors) {
    Config d = load_ok("");
    EXPECT_EQ(d.kernel.fault_around_bytes, 65536u);        // mm/memory.c default
    EXPECT_EQ(d.kernel.stack_rlimit, std::uint64_t{8} << 20);  // ulimit -s 8192
    EXPECT_EQ(d.kernel.as_rlimit, ~std::uint64_t{0});
    Config c = load_ok(
        "[kernel]\nstack_rlimit = \"unlimited\"\novercommit = \"never\"\nwritable_paths = [\"/tmp/x\"]\n"
        "fault_around_bytes = \"16K\"\n");
    EXPECT_EQ(c.kernel.stack_rlimit, ~std::uint64_t{0});
    EXPECT_EQ(c.kernel.overcommit, OvercommitMode::Never);
    EXPECT_EQ(c.kernel.writable_paths, std::vector<std::string>{"/tmp/x"});
    EXPECT_EQ(c.kernel.fault_around_bytes, 16384u);
    auto back = load_config_string(dump_toml(c), "dump.toml");
    ASSERT_TRUE(back.has_value()) << back.error().str();
    EXPECT_EQ(back->kernel.stack_rlimit, ~std::uint64_t{0});
    EXPECT_EQ(dump_toml(*back), dump_toml(c));

    Error k = load_err("[kernel]\nstack_rlimt = 1\n");
    EXPECT_EQ(k.message, "unknown key 'kernel.stack_rlimt'; did you mean 'stack_rlimit'?");
    // KernelConfig::validate's rule, located at the key.
    Error v = load_err("[kernel]\n\nquantum = 0\n");
    EXPECT_EQ(v.message.rfind("kernel.quantum: ", 0), 0u) << v.message;
    EXPECT_EQ(v.where.line, 3u);
    Error p = load_err("[kernel]\nwritable_paths = [\"relative\"]\n");
    EXPECT_NE(p.message.find("not an absolute path"), std::string::npos) << p.message;
}

TEST(ConfigFile, MissingFileIsAnError) {
    auto c = load_config_file("/nonexistent/vmlab.toml");
    ASSERT_FALSE(c.has_value());
    EXPECT_NE(c.error().message.find("/nonexistent/vmlab.toml"), std::string::npos);
}

TEST(ConfigOverride, ScalarsSizesStringsBooleans) {
    Config c = *load_preset("x86_64");
    ASSERT_TRUE(apply_override(c, "machine.memory.bytes=2G").has_value());
    EXPECT_EQ(c.machine.memory.bytes, std::uint64_t{2} << 30);
    ASSERT_TRUE(apply_override(c, "machine.memory.bytes = \"512M\"").has_value());
    EXPECT_EQ(c.machine.memory.bytes, std::uint64_t{512} << 20);
    ASSERT_TRUE(apply_override(c, "machine.cpus=4").has_value());
    EXPECT_EQ(c.machine.cpus, 4u);
    ASSERT_TRUE(apply_override(c, "machine.mmu.pcid=false").has_value());
    EXPECT_FALSE(c.machine.mmu.pcid);
    ASSERT_TRUE(apply_override(c, "machine.paging.format=x86-64-5level").has_value());
    EXPECT_EQ(c.machine.paging.format, "x86-64-5level");
    ASSERT_TRUE(apply_override(c, "machine.mmu.seed=0xffffffffffffffff").has_value());
    EXPECT_EQ(c.machine.mmu.seed, ~std::uint64_t{0});
    ASSERT_TRUE(apply_override(c, "machine.mmu.pwc.entries=[1, 2]").has_value());
    EXPECT_EQ(c.machine.mmu.pwc.entries, (std::vector<unsigned>{1, 2}));
}

TEST(ConfigOverride, ArrayElements) {
    Config c = *load_preset("x86_64");
    const std::size_t n = c.machine.mmu.tlbs.size();
    ASSERT_TRUE(apply_override(c, "machine.mmu.tlb[1].entries=128").has_value());
    EXPECT_EQ(c.machine.mmu.tlbs[1].entries, 128u);
    ASSERT_TRUE(apply_override(c, "machine.mmu.tlb[0].page_sizes=[\"4K\", \"2M\"]").has_value());
    EXPECT_EQ(c.machine.mmu.tlbs[0].page_sizes, (std::vector<PageSize>{kPage4K, kPage2M}));
    // [n] appends a default element.
    ASSERT_TRUE(apply_override(c, fmt::format("machine.mmu.tlb[{}].name=L3", n)).has_value());
    ASSERT_EQ(c.machine.mmu.tlbs.size(), n + 1);
    EXPECT_EQ(c.machine.mmu.tlbs[n].name, "L3");
    ASSERT_TRUE(apply_override(c, "machine.mmu.tlb=[]").has_value());
    EXPECT_TRUE(c.machine.mmu.tlbs.empty());
    ASSERT_TRUE(apply_override(c, "machine.mmu.tlb=[{name = \"T\", entries = 16, ways = 4}]").has_value());
    ASSERT_EQ(c.machine.mmu.tlbs.size(), 1u);
    EXPECT_EQ(c.machine.mmu.tlbs[0].ways, 4u);
    ASSERT_TRUE(apply_override(c, "machine.mmu.cost={memory_ref_cycles = 7}").has_value());
    EXPECT_EQ(c.machine.mmu.cost.memory_ref_cycles, 7u);
}

TEST(ConfigOverride, Errors) {
    Config c = *load_preset("x86_64");
    auto e1 = apply_override(c, "machine.memory.byts=2G");
    ASSERT_FALSE(e1.has_value());
    EXPECT_EQ(e1.error().message, "unknown key 'machine.memory.byts'; did you mean 'bytes'?");
    EXPECT_EQ(e1.error().str(), "--set: unknown key 'machine.memory.byts'; did you mean 'bytes'?");
    auto e2 = apply_override(c, "machine.mmu.tlb[99].entries=1");
    ASSERT_FALSE(e2.has_value());
    EXPECT_NE(e2.error().message.find("index out of range"), std::string::npos);
    EXPECT_FALSE(apply_override(c, "machine.memory.bytes").has_value());
    EXPECT_FALSE(apply_override(c, "=3").has_value());
    EXPECT_FALSE(apply_override(c, "machine.cpus=").has_value());
    EXPECT_FALSE(apply_override(c, "machine.cpus=0").has_value());
    EXPECT_FALSE(apply_override(c, "machine.cpus=two").has_value());
    EXPECT_FALSE(apply_override(c, "machine.cpus.x=1").has_value());
    EXPECT_FALSE(apply_override(c, "machine.mmu.tlb.entries=1").has_value());
    EXPECT_FALSE(apply_override(c, "machine.memory[0].bytes=1").has_value());
    EXPECT_FALSE(apply_override(c, "machine.memory=3").has_value());
    EXPECT_FALSE(apply_override(c, "preset=x86_64").has_value());
    EXPECT_FALSE(apply_override(c, "machine.memory.bytes=1\n[x]").has_value());
    // A failed override leaves an untouched value behind.
    EXPECT_EQ(c.machine.cpus, 1u);
}

TEST(ConfigDump, RoundTripsEveryPreset) {
    for (const auto& name : preset_names()) {
        Config c = *load_preset(name);
        const std::string text = dump_toml(c);
        auto back = load_config_string(text, "dump.toml");
        ASSERT_TRUE(back.has_value()) << name << ": " << back.error().str() << "\n" << text;
        EXPECT_EQ(dump_toml(*back), text) << name;
        EXPECT_EQ(back->machine.mmu.tlbs.size(), c.machine.mmu.tlbs.size()) << name;
        EXPECT_EQ(back->machine.memory.zones.size(), c.machine.memory.zones.size()) << name;
        EXPECT_EQ(back->machine.memory.bytes, c.machine.memory.bytes) << name;
        EXPECT_EQ(back->machine.memory.frame, c.machine.memory.frame) << name;
        EXPECT_EQ(back->machine.paging.format, c.machine.paging.format) << name;
    }
}

TEST(ConfigDump, RoundTripsUnusualValues) {
    Config c = *load_preset("x86_64");
    c.machine.memory.bytes = 12345 * 4096ull;            // not a whole number of MiB
    c.machine.mmu.seed = 0xfedcba9876543210ull;            // above INT64_MAX
    c.machine.description = "quote \" backslash \\ tab\t";  // needs escaping
    c.machine.mmu.tlbs[0].ways = 0;
    c.machine.memory.zones.clear();
    auto back = load_config_string(dump_toml(c), "dump.toml");
    ASSERT_TRUE(back.has_value()) << back.error().str();
    EXPECT_EQ(back->machine.memory.bytes, c.machine.memory.bytes);
    EXPECT_EQ(back->machine.mmu.seed, c.machine.mmu.seed);
    EXPECT_EQ(back->machine.description, c.machine.description);
    EXPECT_EQ(back->machine.mmu.tlbs[0].ways, 0u);
    EXPECT_TRUE(back->machine.memory.zones.empty());
    EXPECT_EQ(dump_toml(*back), dump_toml(c));
}

TEST(ConfigResolve, PresetFileAndOverrides) {
    auto a = resolve_config({});
    ASSERT_TRUE(a.has_value());
    EXPECT_EQ(a->machine.name, "x86_64");
    auto b = resolve_config({"riscv-sv39", "", {"machine.memory.bytes=1G", "machine.cpus=2"}});
    ASSERT_TRUE(b.has_value()) << b.error().str();
    EXPECT_EQ(b->machine.paging.format, "riscv-sv39");
    EXPECT_EQ(b->machine.memory.bytes, std::uint64_t{1} << 30);
    EXPECT_EQ(b->machine.cpus, 2u);
    EXPECT_FALSE(resolve_config({"x86_64", "f.toml", {}}).has_value());
    EXPECT_FALSE(resolve_config({"nope", "", {}}).has_value());
    EXPECT_FALSE(resolve_config({"", "/nonexistent.toml", {}}).has_value());
}

TEST(ConfigReference, DocsConfigMdIsCurrent) {
    std::ifstream in(std::string(VMLAB_SOURCE_DIR) + "/docs/config.md");
    ASSERT_TRUE(in.good()) << "docs/config.md is missing; run: vmlab config reference > docs/config.md";
    std::string doc((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_TRUE(doc == config_reference_markdown()) << "docs/config.md is out of date; run: "
                                                   "./build/release/vmlab config reference > docs/config.md";
}

TEST(ConfigReference, EveryKeyOfTheDumpIsDocumented) {
    const std::string ref = config_reference_markdown();
    const std::string dump = dump_toml(*load_preset("x86_64"));
    std::size_t pos = 0;
    while (pos < dump.size()) {
        std::size_t end = dump.find('\n', pos);
        if (end == std::string::npos) end = dump.size();
        const std::string line = dump.substr(pos, end - pos);
        pos = end + 1;
        const std::size_t eq = line.find(" = ");
        if (line.empty() || line[0] == '#' || line[0] == '[' || eq == std::string::npos) continue;
        const std::string key = line.substr(0, eq);
        EXPECT_NE(ref.find("| `" + key + "` |"), std::string::npos) << key;
    }
}

// Per-implementation parameters: a sub-table beside the key that selects the
// implementation, checked against what the selected implementation declares.
TEST(ConfigParams, DefaultsAreFilledAndDumped) {
    Config c = load_ok("");
    EXPECT_TRUE(c.machine.memory.allocator_params.empty());  // nothing set
    const std::string dump = dump_toml(c);
    EXPECT_NE(dump.find("[machine.memory.allocator_params]\nmax_order = 0"), std::string::npos) << dump;
}

TEST(ConfigParams, FileSetsTheSelectedImplementationsKeys) {
    Config c = load_ok("[machine.memory.allocator_params]\nmax_order = 12\n");
    ASSERT_NE(c.machine.memory.allocator_params.find("max_order"), nullptr);
    EXPECT_EQ(std::get<std::int64_t>(*c.machine.memory.allocator_params.find("max_order")), 12);
    Config t = load_ok("[[machine.mmu.tlb]]\nname = \"L1\"\nentries = 8\nways = 2\nreplacement = \"random\"\n"
                       "[machine.mmu.tlb.replacement_params]\nseed = 77\n");
    ASSERT_EQ(t.machine.mmu.tlbs.size(), 1u);
    EXPECT_EQ(std::get<std::int64_t>(*t.machine.mmu.tlbs[0].replacement_params.find("seed")), 77);
    // The dump reads back to the same configuration.
    auto again = load_config_string(dump_toml(t), "dump.toml");
    ASSERT_TRUE(again.has_value()) << again.error().str();
    EXPECT_EQ(again->machine.mmu.tlbs[0].replacement_params, t.machine.mmu.tlbs[0].replacement_params);
}

TEST(ConfigParams, UnknownKeySuggestsTheNearestAndNamesTheValidOnes) {
    Error e = load_err("[machine.memory.allocator_params]\nmax_ordr = 3\n");
    EXPECT_EQ(e.message,
              "machine.memory.allocator_params.max_ordr: unknown parameter of frame allocator 'buddy'; did you mean "
              "'max_order'? (valid parameters: max_order)");
    EXPECT_EQ(e.where.line, 2u);
    ConfigRequest req;  // the default preset's first TLB uses lru
    req.overrides = {"machine.mmu.tlb[0].replacement_params.seed=1"};
    auto none = resolve_config(req);
    ASSERT_FALSE(none.has_value());
    EXPECT_EQ(none.error().message,
              "machine.mmu.tlb[0].replacement_params.seed: unknown parameter; TLB replacement policy 'lru' takes no "
              "parameters");
}

TEST(ConfigParams, TypeAndRangeAreChecked) {
    Error range = load_err("[machine.memory.allocator_params]\nmax_order = 99\n");
    EXPECT_EQ(range.message, "machine.memory.allocator_params.max_order: 99 is out of range (0..62)");
    EXPECT_EQ(range.where.line, 2u);
    Error type = load_err("[machine.memory.allocator_params]\nmax_order = \"big\"\n");
    EXPECT_EQ(type.message, "machine.memory.allocator_params.max_order: expected an integer, not a string");
    Error value = load_err("[machine.memory.allocator_params]\nmax_order = 1.5\n");
    EXPECT_NE(value.message.find("expected an integer, a boolean or a string"), std::string::npos) << value.message;
}

TEST(ConfigParams, OverridesSetOneParameter) {
    ConfigRequest req;
    req.overrides = {"machine.mmu.tlb[0].replacement=random", "machine.mmu.tlb[0].replacement_params.seed=5",
                     "machine.memory.allocator_params.max_order=20"};
    auto c = resolve_config(req);
    ASSERT_TRUE(c.has_value()) << c.error().str();
    EXPECT_EQ(std::get<std::int64_t>(*c->machine.mmu.tlbs[0].replacement_params.find("seed")), 5);
    EXPECT_EQ(std::get<std::int64_t>(*c->machine.memory.allocator_params.find("max_order")), 20);
    req.overrides = {"machine.memory.allocator_params.max_ordr=20"};
    auto bad = resolve_config(req);
    ASSERT_FALSE(bad.has_value());
    EXPECT_EQ(bad.error().where.file, "--set");
    EXPECT_NE(bad.error().message.find("did you mean 'max_order'?"), std::string::npos) << bad.error().message;
}

TEST(ConfigReference, ListsEveryImplementationsParameters) {
    const std::string ref = config_reference_markdown();
    EXPECT_NE(ref.find("### `[machine.memory.allocator_params]`"), std::string::npos);
    EXPECT_NE(ref.find("### `[machine.mmu.tlb.replacement_params]`"), std::string::npos);
    EXPECT_NE(ref.find("| `buddy` | `max_order` | integer 0..62 | `0` |"), std::string::npos);
    EXPECT_NE(ref.find("| `random` | `seed` |"), std::string::npos);
}

}  // namespace
}  // namespace vmlab
