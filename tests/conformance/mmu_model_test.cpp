// Every registered paging format, through the whole MMU (TLBs, page-walk caches, walker),
// against the reference model of tests/conformance/paging_model.hpp: random mappings of
// every page size with random attributes are made, changed and removed (the test flushes
// the VA after each change, as a kernel does), and random translations must give what the
// model and the format's own entry decoding imply — the physical address, or the fault
// kind — with the accessed/dirty write-backs that ad_mode prescribes, in both A/D modes.
#include <gtest/gtest.h>

#include <algorithm>

#include "support/paging_model.hpp"
#include "vmlab/hw/mmu.hpp"

using namespace vmlab;

namespace {

struct Expect {
    FaultKind kind = FaultKind::None;
    PhysAddr pa{};
    std::uint64_t raw_after = 0;  // the leaf after a successful translation
};

// What a translation must produce, from the model entry and the format's decoding. Table
// entries written by PageTable grant everything, so only the leaf restricts.
Expect expected(const PagingFormat& fmt, const PhysMem& mem, const conformance::PagingModel& model, VirtAddr va,
                AccessKind acc, Privilege priv) {
    Expect x;
    const auto cur = model.find(va);
    if (!cur || cur->second.swap) {
        x.kind = FaultKind::NotPresent;
        return x;
    }
    const auto& e = cur->second;
    const bool hw = fmt.ad_mode() == AdMode::Hardware;
    const PermMask need = perm_bit(priv, acc);
    DecodedEntry d = fmt.decode(e.level, e.raw);
    std::uint64_t raw = e.raw;
    bool dirty = d.dirty;
    if (!(d.allow & need)) {
        const bool dbm = acc == AccessKind::Write && d.dbm && hw &&
                         (fmt.decode(e.level, fmt.set_dirty(e.level, raw)).allow & need);
        if (!dbm) {
            x.kind = FaultKind::Protection;
            return x;
        }
        raw = fmt.set_dirty(e.level, raw);
        dirty = true;
    }
    if (!d.accessed) {
        if (!hw) {
            x.kind = FaultKind::AccessFlag;
            return x;
        }
        raw = fmt.set_accessed(e.level, raw);
    }
    if (acc == AccessKind::Write && !dirty) {
        if (!hw) {
            x.kind = FaultKind::DirtyBit;
            return x;
        }
        raw = fmt.set_dirty(e.level, raw);
    }
    x.pa = PhysAddr{e.pa.value + (va.value - cur->first)};
    if (!mem.contains(e.pa, e.size.bytes())) {  // the whole page must be memory
        x.kind = FaultKind::BusError;
        return x;
    }
    x.raw_after = raw;
    return x;
}

MmuConfig mmu_for(const PagingFormat& fmt, std::uint64_t seed) {
    const auto sizes = fmt.geometry().page_sizes();
    MmuConfig m;
    TlbConfig l1;
    l1.name = "L1";
    l1.kind = TlbKind::Unified;
    l1.page_sizes = sizes;
    l1.entries = 16;
    l1.ways = 4;
    l1.replacement = "tree-plru";
    TlbConfig l2 = l1;
    l2.name = "L2";
    l2.level = 2;
    l2.entries = 64;
    l2.ways = 8;
    l2.replacement = "random";
    m.tlbs = {l1, l2};
    m.pwc.entries.assign(fmt.geometry().depth() > 0 ? fmt.geometry().depth() - 1 : 0, 4);
    m.seed = seed;
    return m;
}

void run(const PagingFormat& fmt) {
    const std::string& name = fmt.name();
    const auto& geo = fmt.geometry();
    const auto sizes = geo.page_sizes();

    for (std::uint64_t seed : {11u, 12u}) {
        PhysMem mem(conformance::conformance_memory(fmt));
        auto pt = PageTable::create(fmt, mem);
        ASSERT_TRUE(pt.has_value()) << pt.error().str();
        conformance::PagingModel model(fmt);
        Mmu mmu(mmu_for(fmt, seed), fmt, mem);
        const Asid asid{3};
        mmu.set_root((*pt)->root(), asid);
        Rng rng(seed);

        // A few arenas, each four of the largest pages wide.
        const std::uint64_t va_space = geo.va_bits >= 64 ? ~std::uint64_t{0} : (std::uint64_t{1} << geo.va_bits) - 1;
        const PageSize big = sizes.back();
        const std::uint64_t span = std::min<std::uint64_t>(std::uint64_t{4} << big.shift, va_space);
        std::vector<std::uint64_t> arenas;
        for (int i = 0; i < 3; ++i) arenas.push_back((rng.next() & va_space) & ~(span - 1) & ~big.mask());
        auto random_va = [&](PageSize ps) {
            std::uint64_t va = arenas[rng.below(arenas.size())] + (rng.below(std::max<std::uint64_t>(span >> ps.shift, 1)) << ps.shift);
            va &= va_space;
            if (geo.sign_extended && geo.va_bits < 64 && ((va >> (geo.va_bits - 1)) & 1)) va |= ~va_space;
            return VirtAddr{va};
        };
        auto random_attrs = [&] {
            LeafAttrs a;
            a.prot = Prot{true, bool(rng.below(2)), bool(rng.below(2)), bool(rng.below(2))};
            a.global = rng.below(2);
            a.accessed = rng.below(2);
            a.dirty = rng.below(2);
            return a;
        };

        std::vector<PageSize> fitting;
        for (auto ps : sizes)
            if (ps.bytes() <= mem.bytes()) fitting.push_back(ps);
        std::uint64_t checked = 0, ok = 0;
        for (int op = 0; op < 1500; ++op) {
            // Mostly pages that fit in memory; sometimes larger ones (which must BusError).
            const PageSize ps = (rng.below(5) == 0 || fitting.empty()) ? sizes[rng.below(sizes.size())]
                                                                        : fitting[rng.below(fitting.size())];
            const unsigned level = static_cast<unsigned>(geo.level_for(ps));
            VirtAddr va = random_va(ps);
            if (!model.entries().empty() && rng.below(2)) {
                auto it = model.entries().begin();
                std::advance(it, long(rng.below(std::min<std::uint64_t>(model.entries().size(), 32))));
                va = VirtAddr{it->first};
            }
            const unsigned what = static_cast<unsigned>(rng.below(10));
            if (what < 5) {
                // A page inside memory (or at 0 when memory is smaller than the page).
                const std::uint64_t pages = mem.bytes() >> ps.shift;
                const PhysAddr pa{pages ? rng.below(pages) << ps.shift : 0};
                const LeafAttrs a = random_attrs();
                if (model.can_place(va, ps)) {
                    ASSERT_TRUE((*pt)->map(va, pa, ps, a).has_value());
                    model.put(va, conformance::ModelEntry{ps, level, false, pa, a, 0, fmt.encode_leaf(level, pa, a)});
                }
            } else if (what < 7) {
                const auto cur = model.find(va);
                if (cur && !cur->second.swap) {
                    const LeafAttrs a = random_attrs();
                    ASSERT_TRUE((*pt)->protect(va, a));
                    auto* e = model.at(VirtAddr{cur->first});
                    e->attrs = a;
                    e->raw = fmt.encode_leaf(e->level, e->pa, a);
                }
            } else if (what < 9) {
                const auto cur = model.find(va);
                (*pt)->unmap(va);
                if (cur) model.erase(VirtAddr{cur->first});
            } else if (geo.swap_payload_bits > 0 && model.can_place(va.align_down(ps), ps)) {
                va = va.align_down(ps);
                const std::uint64_t payload = rng.below(std::uint64_t{1} << std::min<unsigned>(geo.swap_payload_bits, 20));
                ASSERT_TRUE((*pt)->set_swap(va, ps, payload).has_value());
                model.put(va, conformance::ModelEntry{ps, level, true, {}, {}, payload, fmt.encode_swap(level, payload)});
            }
            mmu.flush_va(va, asid);  // what a kernel does after changing an entry

            // Translations of mapped and unmapped VAs, with every access and privilege.
            for (int k = 0; k < 8; ++k) {
                VirtAddr t = random_va(sizes.front());
                if (!model.entries().empty() && rng.below(4) != 0) {
                    auto it = model.entries().begin();
                    std::advance(it, long(rng.below(model.entries().size())));
                    t = VirtAddr{it->first + rng.below(it->second.size.bytes())};
                    if (geo.sign_extended && geo.va_bits < 64 && ((t.value >> (geo.va_bits - 1)) & 1))
                        t.value |= ~va_space;
                }
                const auto acc = static_cast<AccessKind>(rng.below(3));
                const auto priv = static_cast<Privilege>(rng.below(2));
                const Expect x = expected(fmt, mem, model, t, acc, priv);
                const Translation r = mmu.translate(t, acc, priv);
                ++checked;
                ASSERT_EQ(r.fault.kind, x.kind)
                    << name << " seed " << seed << " op " << op << " VA 0x" << std::hex << t.value << " "
                    << to_string(priv) << " " << to_string(acc) << " got " << to_string(r.fault.kind) << " expected "
                    << to_string(x.kind);
                if (x.kind != FaultKind::None) continue;
                ++ok;
                ASSERT_EQ(r.pa, x.pa) << name << " VA 0x" << std::hex << t.value;
                const auto cur = model.find(t);
                auto* e = model.at(VirtAddr{cur->first});
                ASSERT_EQ(r.size, e->size);
                // The hardware's A/D write-back is in memory; the model follows it.
                ASSERT_EQ((*pt)->query(t).raw, x.raw_after) << name << " A/D at VA 0x" << std::hex << t.value;
                e->raw = x.raw_after;
            }
        }
        EXPECT_GT(ok, checked / 20) << name << ": too few successful translations to mean much";
        const auto& s = mmu.stats();
        EXPECT_EQ(s.translations, checked);
        EXPECT_GT(s.tlb_hits, 0u) << name;
        if (geo.depth() > 1) {
            EXPECT_GT(s.pwc_hits, 0u) << name;
        }
    }
}

class MmuConformance : public ::testing::TestWithParam<std::string> {};

// Both A/D modes where the format offers the choice (x86 always updates in hardware).
TEST_P(MmuConformance, TranslationsMatchTheModel) {
    int modes = 0;
    for (AdMode mode : {AdMode::Hardware, AdMode::Fault}) {
        PagingOptions opt;
        opt.ad_mode = mode;
        auto made = make_paging_format(GetParam(), opt);
        if (!made || (*made)->ad_mode() != mode) continue;
        SCOPED_TRACE(mode == AdMode::Hardware ? "ad_mode = hardware" : "ad_mode = fault");
        run(**made);
        if (HasFatalFailure()) return;
        ++modes;
    }
    EXPECT_GE(modes, 1) << GetParam() << ": no A/D mode could be built";
}

std::string param_name(const ::testing::TestParamInfo<std::string>& info) {
    std::string s;
    for (char c : info.param) s += std::isalnum(static_cast<unsigned char>(c)) ? c : '_';
    return s;
}

INSTANTIATE_TEST_SUITE_P(AllFormats, MmuConformance, ::testing::ValuesIn(paging_formats().names()), param_name);

}  // namespace
