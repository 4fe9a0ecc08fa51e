// The CS:APP small memory system (CS:APP 3e §9.6.4) and OSTEP's vm-smalltables machine,
// checked against the book's page table and against memory dumps and translations printed
// by OSTEP's paging-multilevel-translate.py (tests/data/paging/vm-smalltables-00*.out).
#include <gtest/gtest.h>

#include <array>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include <fmt/format.h>

#include "hw/paging/format_factories.hpp"
#include "vmlab/config/config.hpp"
#include "vmlab/hw/machine.hpp"
#include "vmlab/hw/mmu.hpp"
#include "vmlab/hw/phys_mem.hpp"

using namespace vmlab;

namespace {

std::unique_ptr<PagingFormat> csapp(AdMode ad = AdMode::Hardware) {
    return paging::make_csapp_small(PagingOptions{0, ad}).value();
}
std::unique_ptr<PagingFormat> ostep() { return paging::make_ostep_2level(PagingOptions{}).value(); }

// The book's page table, first 16 entries (VPN -> PPN, or -1 when invalid).
constexpr std::array<int, 16> kBookPpn = {0x28, -1, 0x33, 0x02, -1, 0x16, -1, -1,
                                          0x13, 0x17, 0x09, -1, -1, 0x2d, 0x11, 0x0d};

// Walks the one-level table with the format's decode, as the hardware does.
std::optional<std::uint64_t> csapp_translate(const PagingFormat& f, const std::vector<std::uint64_t>& table,
                                             std::uint64_t va) {
    const auto& g = f.geometry();
    if (!f.canonical(VirtAddr{va})) return std::nullopt;
    const auto d = f.decode(0, table[g.index(0, VirtAddr{va})]);
    if (d.kind != EntryKind::Leaf) return std::nullopt;
    return d.addr | VirtAddr{va}.offset_in(d.size);
}

}  // namespace

TEST(PagingCsapp, Geometry) {
    auto f = csapp();
    const auto& g = f->geometry();
    ASSERT_EQ(g.depth(), 1u);
    EXPECT_EQ(g.levels[0].shift, 6);
    EXPECT_EQ(g.levels[0].bits, 8);
    EXPECT_EQ(g.levels[0].entry_bytes, 2);
    EXPECT_EQ(g.levels[0].table_bytes(), 512u);
    EXPECT_TRUE(g.levels[0].leaf_allowed);
    EXPECT_EQ(g.va_bits, 14);
    EXPECT_EQ(g.pa_bits, 12);
    EXPECT_EQ(f->name(), "csapp-small");
    EXPECT_FALSE(paging::make_csapp_small(PagingOptions{16, AdMode::Hardware}).has_value());
}

TEST(PagingCsapp, BookExampleSplit) {
    auto f = csapp();
    // VA 0x03d4 = 00 0011 1101 0100: VPN 0x0F, VPO 0x14.
    const VirtAddr va{0x03d4};
    EXPECT_EQ(f->geometry().index(0, va), 0x0fu);
    EXPECT_EQ(va.offset_in(f->geometry().levels[0].leaf_size()), 0x14u);
    EXPECT_TRUE(f->canonical(VirtAddr{0x3fff}));
    EXPECT_FALSE(f->canonical(VirtAddr{0x4000}));
}

TEST(PagingCsapp, EntryFormat) {
    auto f = csapp();
    // A book entry is just valid + PPN: PPN 0x0D -> 0x0341, and it allows everything.
    LeafAttrs book;
    book.prot = Prot{true, true, true, true};
    EXPECT_EQ(f->encode_leaf(0, PhysAddr{0x0d << 6}, book), 0x0341u);
    auto d = f->decode(0, 0x0341);
    EXPECT_EQ(d.kind, EntryKind::Leaf);
    EXPECT_EQ(d.addr, 0x340u);
    EXPECT_EQ(d.size.bytes(), 64u);
    EXPECT_EQ(d.allow, kPermAll);
    EXPECT_FALSE(d.accessed);
    // Read-only, no-execute, kernel-only, accessed, dirty, global, SW=2.
    LeafAttrs k;
    k.prot = Prot{true, false, false, false};
    k.accessed = k.dirty = k.global = true;
    k.sw = 2;
    EXPECT_EQ(f->encode_leaf(0, PhysAddr{0xfc0}, k), 0x6fffu);
    auto kd = f->decode(0, 0x6fff);
    EXPECT_EQ(kd.addr, 0xfc0u);
    EXPECT_EQ(kd.allow, kPermKR);
    EXPECT_TRUE(kd.accessed && kd.dirty && kd.global);
    EXPECT_EQ(kd.sw, 2);
    // User read-only: readable by both, writable by neither.
    EXPECT_EQ(f->decode(0, 0x0343).allow, kPermUR | kPermUX | kPermKR | kPermKX);
    EXPECT_EQ(f->decode(0, 0x8341).kind, EntryKind::Reserved);
    EXPECT_EQ(f->decode(0, 0x0340).kind, EntryKind::Invalid);
    EXPECT_EQ(f->describe(0, 0x0341), "V PPN=0x0d");
    EXPECT_EQ(f->describe(0, 0x6fff), "V PPN=0x3f RO NX K A D G SW=2");
}

TEST(PagingCsapp, BookPageTable) {
    auto f = csapp();
    std::vector<std::uint64_t> table(256, 0);
    for (unsigned vpn = 0; vpn < kBookPpn.size(); ++vpn)
        if (kBookPpn[vpn] >= 0) table[vpn] = (static_cast<std::uint64_t>(kBookPpn[vpn]) << 6) | 1;
    EXPECT_EQ(table[0x00], 0x0a01u);
    // §9.6.4: VA 0x03d4 -> PA 0x354 (the book's TLB agrees with the page table).
    EXPECT_EQ(csapp_translate(*f, table, 0x03d4), 0x354u);
    // Practice problem 9.4: VA 0x03d7 -> PA 0x357.
    EXPECT_EQ(csapp_translate(*f, table, 0x03d7), 0x357u);
    // VA 0x027c: VPN 0x09 -> PPN 0x17, PA 0x5fc. VA 0x03a9: VPN 0x0E -> PPN 0x11, PA 0x469.
    EXPECT_EQ(csapp_translate(*f, table, 0x027c), 0x5fcu);
    EXPECT_EQ(csapp_translate(*f, table, 0x03a9), 0x469u);
    // VA 0x0040: VPN 0x01 is invalid -> page fault.
    EXPECT_FALSE(csapp_translate(*f, table, 0x0040).has_value());
}

TEST(PagingCsapp, AccessedDirtyAndSwap) {
    auto f = csapp(AdMode::Fault);
    EXPECT_EQ(f->set_accessed(0, 0x0341), 0x0351u);
    EXPECT_EQ(f->set_dirty(0, 0x0341), 0x0361u);
    EXPECT_EQ(f->clear_accessed(0, 0x0371), 0x0361u);
    EXPECT_EQ(f->clear_dirty(0, 0x0371), 0x0351u);
    EXPECT_EQ(f->geometry().swap_payload_bits, 14);
    for (std::uint64_t p : {0u, 1u, 0x3fffu}) {
        const auto raw = f->encode_swap(0, p);
        EXPECT_LT(raw, 0x10000u);
        EXPECT_EQ(f->decode(0, raw).kind, EntryKind::Invalid);
        EXPECT_EQ(f->decode_swap(0, raw), p);
    }
    EXPECT_FALSE(f->decode_swap(0, 0).has_value());
    EXPECT_FALSE(f->decode_swap(0, 0x0341).has_value());
}

TEST(PagingOstep, Geometry) {
    auto f = ostep();
    const auto& g = f->geometry();
    ASSERT_EQ(g.depth(), 2u);
    EXPECT_EQ(g.levels[0].shift, 10);
    EXPECT_EQ(g.levels[0].bits, 5);
    EXPECT_EQ(g.levels[1].shift, 5);
    EXPECT_EQ(g.levels[1].bits, 5);
    EXPECT_EQ(g.levels[0].entry_bytes, 1);
    EXPECT_EQ(g.levels[0].table_bytes(), 32u);  // one 32-byte page
    EXPECT_FALSE(g.levels[0].leaf_allowed);
    EXPECT_TRUE(g.levels[1].leaf_allowed);
    EXPECT_EQ(g.va_bits, 15);
    EXPECT_EQ(g.pa_bits, 12);
    EXPECT_EQ(g.root_align_shift, 5);
    EXPECT_EQ(f->name(), "ostep-2level");
    EXPECT_TRUE(f->canonical(VirtAddr{0x7fff}));
    EXPECT_FALSE(f->canonical(VirtAddr{0x8000}));
}

TEST(PagingOstep, Split0x611c) {
    auto f = ostep();
    const auto& g = f->geometry();
    // 0x611c = 110 0001 0001 1100: PD index 0x18, PT index 0x08, offset 0x1c.
    const VirtAddr va{0x611c};
    EXPECT_EQ(g.index(0, va), 0x18u);
    EXPECT_EQ(g.index(1, va), 0x08u);
    EXPECT_EQ(va.offset_in(g.levels[1].leaf_size()), 0x1cu);
    // From the dump of -s 0: PDE 0xa1 -> page table in page 33; PTE 0xb5 -> page 53;
    // PA = 53 * 32 + 0x1c = 0x6bc.
    auto pde = f->decode(0, 0xa1);
    EXPECT_EQ(pde.kind, EntryKind::Table);
    EXPECT_EQ(pde.addr, 33u * 32);
    auto pte = f->decode(1, 0xb5);
    EXPECT_EQ(pte.kind, EntryKind::Leaf);
    EXPECT_EQ(pte.addr | va.offset_in(pte.size), 0x6bcu);
    EXPECT_EQ(pte.allow, kPermAll);
    EXPECT_TRUE(pte.accessed && pte.dirty);
    // The unused entry 0x7f and a zero byte are invalid; 0xff is a valid PDE to page 127.
    EXPECT_EQ(f->decode(1, 0x7f).kind, EntryKind::Invalid);
    EXPECT_EQ(f->decode(0, 0x00).kind, EntryKind::Invalid);
    EXPECT_EQ(f->decode(0, 0xff).addr, 127u * 32);
    EXPECT_EQ(f->describe(1, 0x7f), "valid 0, pfn 0x7f");
    EXPECT_EQ(f->describe(0, 0xa1), "valid 1, pfn 0x21");
}

TEST(PagingOstep, EncodeAndSwap) {
    auto f = ostep();
    EXPECT_EQ(f->encode_table(0, PhysAddr{33 * 32}), 0xa1u);
    EXPECT_EQ(f->encode_leaf(1, PhysAddr{53 * 32}, LeafAttrs{}), 0xb5u);
    // A/D updates have nothing to change.
    EXPECT_EQ(f->set_accessed(1, 0xb5), 0xb5u);
    EXPECT_EQ(f->set_dirty(1, 0xb5), 0xb5u);
    for (std::uint64_t p = 0; p < 64; ++p) {
        const auto raw = f->encode_swap(1, p);
        EXPECT_LT(raw, 0x80u);
        EXPECT_EQ(f->decode(1, raw).kind, EntryKind::Invalid);
        EXPECT_EQ(f->decode_swap(1, raw), p);
    }
    EXPECT_FALSE(f->decode_swap(1, 0x7f).has_value());  // unused, not swapped
    EXPECT_FALSE(f->decode_swap(1, 0x00).has_value());
    EXPECT_FALSE(f->decode_swap(1, 0xb5).has_value());
}

// Replays paging-multilevel-translate.py's solved output: every PDE/PTE line, every
// physical address and value, and every fault, from the printed memory dump.
class OstepDump : public ::testing::TestWithParam<const char*> {};

TEST_P(OstepDump, TranslationsMatchThePythonSimulator) {
    const std::string path = std::string(VMLAB_TEST_DATA) + "/paging/" + GetParam();
    std::ifstream in(path);
    ASSERT_TRUE(in) << path;
    std::vector<std::string> lines;
    for (std::string l; std::getline(in, l);) lines.push_back(l);

    std::vector<std::uint8_t> mem(4096, 0);
    unsigned pdbr = 0;
    bool have_pdbr = false;
    for (const auto& l : lines) {
        unsigned page = 0;
        char hex[65] = {};
        if (std::sscanf(l.c_str(), "page %u:%64s", &page, hex) == 2) {
            ASSERT_LT(page, 128u);
            for (unsigned i = 0; i < 32; ++i) mem[page * 32 + i] = static_cast<std::uint8_t>(std::stoul(std::string(hex + 2 * i, 2), nullptr, 16));
        } else if (std::sscanf(l.c_str(), "PDBR: %u", &pdbr) == 1) {
            have_pdbr = true;
        }
    }
    ASSERT_TRUE(have_pdbr);

    auto f = ostep();
    const auto& g = f->geometry();
    auto entry_line = [](const char* what, std::uint64_t index, std::uint64_t raw, bool valid, std::uint64_t pfn) {
        return fmt::format("{} index:{:#x} [decimal {}] {} contents:{:#x} (valid {}, pfn 0x{:02x} [decimal {}])",
                           what, index, index, what, raw, valid ? 1 : 0, pfn, pfn);
    };
    unsigned checked = 0;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        unsigned va_raw = 0;
        if (std::sscanf(lines[i].c_str(), "Virtual Address 0x%x:", &va_raw) != 1) continue;
        const VirtAddr va{va_raw};
        ASSERT_TRUE(f->canonical(va));
        const std::uint64_t root = std::uint64_t{pdbr} << g.root_align_shift;
        const std::uint64_t pd_index = g.index(0, va);
        const std::uint8_t pde = mem[root + pd_index];
        const auto d0 = f->decode(0, pde);
        const bool v0 = d0.kind == EntryKind::Table;
        ASSERT_TRUE(v0 || d0.kind == EntryKind::Invalid);
        EXPECT_EQ(lines[i + 1], "  --> " + entry_line("pde", pd_index, pde, v0, v0 ? d0.addr >> 5 : pde & 0x7f));
        if (!v0) {
            EXPECT_EQ(lines[i + 2], "      --> Fault (page directory entry not valid)");
            ++checked;
            continue;
        }
        const std::uint64_t pt_index = g.index(1, va);
        const std::uint8_t pte = mem[d0.addr + pt_index];
        const auto d1 = f->decode(1, pte);
        const bool v1 = d1.kind == EntryKind::Leaf;
        ASSERT_TRUE(v1 || d1.kind == EntryKind::Invalid);
        EXPECT_EQ(lines[i + 2], "    --> " + entry_line("pte", pt_index, pte, v1, v1 ? d1.addr >> 5 : pte & 0x7f));
        if (!v1) {
            EXPECT_EQ(lines[i + 3], "      --> Fault (page table entry not valid)");
        } else {
            const std::uint64_t pa = d1.addr | va.offset_in(d1.size);
            EXPECT_EQ(lines[i + 3], fmt::format("      --> Translates to Physical Address {:#05x} --> Value: 0x{:02x}", pa, mem[pa]));
        }
        ++checked;
    }
    EXPECT_EQ(checked, 10u);
}

INSTANTIATE_TEST_SUITE_P(PagingOstep, OstepDump, ::testing::Values("vm-smalltables-001.out", "vm-smalltables-002.out"));

TEST(PagingTextbook, Registered) {
    auto c = make_paging_format("csapp-small");
    ASSERT_TRUE(c.has_value()) << c.error().str();
    EXPECT_EQ((*c)->geometry().isa, "csapp");
    auto o = make_paging_format("ostep-2level", PagingOptions{15, AdMode::Hardware});
    ASSERT_TRUE(o.has_value()) << o.error().str();
    EXPECT_EQ((*o)->geometry().isa, "ostep");
    auto bad = make_paging_format("ostep-2level", PagingOptions{16, AdMode::Hardware});
    ASSERT_FALSE(bad.has_value());
    EXPECT_NE(bad.error().message.find("va_bits 16"), std::string::npos);
}

// ---- through the hardware walker on the textbook presets --------------------------------

namespace {

std::unique_ptr<Machine> preset_machine(const char* name) {
    auto c = load_preset(name);
    EXPECT_TRUE(c.has_value()) << name;
    if (!c) return nullptr;
    auto m = Machine::create(c->machine);
    EXPECT_TRUE(m.has_value()) << name << ": " << (m ? "" : m.error().str());
    return m ? std::move(*m) : nullptr;
}

}  // namespace

TEST(PagingCsappWalk, BookTranslationsOnThePreset) {
    auto m = preset_machine("csapp-small");
    ASSERT_TRUE(m);
    auto pt = PageTable::create(m->format(), m->mem());
    ASSERT_TRUE(pt.has_value());
    for (unsigned vpn = 0; vpn < kBookPpn.size(); ++vpn)
        if (kBookPpn[vpn] >= 0)
            ASSERT_TRUE((*pt)->write_raw(VirtAddr{vpn << 6u}, 0, (static_cast<std::uint64_t>(kBookPpn[vpn]) << 6) | 1)
                            .has_value());
    Mmu& mmu = m->mmu(0);
    mmu.set_root((*pt)->root(), Asid{0});
    auto t = mmu.translate(VirtAddr{0x03d4}, AccessKind::Read, Privilege::User);
    ASSERT_TRUE(t.ok());
    EXPECT_EQ(t.pa.value, 0x354u);
    EXPECT_EQ(mmu.stats().walk_memory_refs, 1u);  // one-level table
    // The walker set A in the book's entry for VPN 0x0F (ad_mode = hardware).
    EXPECT_EQ(m->mem().read_uint((*pt)->root() + 2 * 0x0f, 2), 0x0351u);
    auto f = mmu.translate(VirtAddr{0x0040}, AccessKind::Read, Privilege::User);
    EXPECT_EQ(f.fault.kind, FaultKind::NotPresent);
    EXPECT_EQ(f.fault.level, 0u);
    EXPECT_EQ(mmu.translate(VirtAddr{0x4000}, AccessKind::Read, Privilege::User).fault.kind, FaultKind::NonCanonical);
}

// The printed memory dump loaded into the ostep-multilevel machine's memory; every VA the
// simulator printed translates (or faults at the level) the simulator says, and the byte
// at the physical address is the value it printed.
TEST_P(OstepDump, WalkerOnThePresetMatchesThePythonSimulator) {
    const std::string path = std::string(VMLAB_TEST_DATA) + "/paging/" + GetParam();
    std::ifstream in(path);
    ASSERT_TRUE(in) << path;
    auto m = preset_machine("ostep-multilevel");
    ASSERT_TRUE(m);
    unsigned pdbr = 0, checked = 0;
    std::vector<std::string> lines;
    for (std::string l; std::getline(in, l);) lines.push_back(l);
    for (const auto& l : lines) {
        unsigned page = 0;
        char hex[65] = {};
        if (std::sscanf(l.c_str(), "page %u:%64s", &page, hex) == 2) {
            for (unsigned i = 0; i < 32; ++i)
                m->mem().write_uint(PhysAddr{page * 32 + i}, 1, std::stoul(std::string(hex + 2 * i, 2), nullptr, 16));
        } else {
            std::sscanf(l.c_str(), "PDBR: %u", &pdbr);
        }
    }
    Mmu& mmu = m->mmu(0);
    mmu.set_root(PhysAddr{pdbr * 32u}, Asid{0});
    for (std::size_t i = 0; i < lines.size(); ++i) {
        unsigned va = 0;
        if (std::sscanf(lines[i].c_str(), "Virtual Address 0x%x:", &va) != 1) continue;
        const auto t = mmu.translate(VirtAddr{va}, AccessKind::Read, Privilege::User);
        const std::string& last = lines[i + 2].find("Fault (page directory") != std::string::npos ? lines[i + 2] : lines[i + 3];
        unsigned pa = 0, value = 0;
        if (std::sscanf(last.c_str(), "      --> Translates to Physical Address 0x%x --> Value: 0x%x", &pa, &value) == 2) {
            ASSERT_TRUE(t.ok()) << std::hex << va;
            EXPECT_EQ(t.pa.value, pa);
            EXPECT_EQ(m->mem().read_uint(t.pa, 1), value);
        } else {
            EXPECT_EQ(t.fault.kind, FaultKind::NotPresent) << std::hex << va;
            EXPECT_EQ(t.fault.level, last.find("directory") != std::string::npos ? 0u : 1u) << std::hex << va;
        }
        ++checked;
    }
    EXPECT_EQ(checked, 10u);
}
