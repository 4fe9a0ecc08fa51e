// Data integrity: a randomized workload writes and checks values across fork and COW,
// munmap and re-mmap, mremap, MADV_DONTNEED, mprotect, shared memory and a shared file
// mapping written back to the host, and exec of a real program by some of the processes;
// every value read must be the one a simple model says.
#include <sys/stat.h>

#include <unordered_map>

#include "support/linux_oracle.hpp"
#include "vmlab/os/exec_plan.hpp"

using namespace vmlab;
using namespace vmlab::test;

namespace {

#if defined(__SANITIZE_ADDRESS__)
constexpr std::uint64_t kOps = 150'000;
#elif !defined(NDEBUG)
constexpr std::uint64_t kOps = 400'000;
#else
constexpr std::uint64_t kOps = 1'500'000;
#endif

std::uint64_t pattern_word(std::uint64_t off) {
    std::uint64_t w = 0;
    for (int i = 0; i < 8; ++i) w |= std::uint64_t{file_byte(off + i)} << (8 * i);
    return w;
}

enum class Kind { AnonPriv, FilePriv, SharedFile, Shmem };

struct Region {
    VirtAddr base{};
    std::uint64_t pages = 0;
    Kind kind = Kind::AnonPriv;
    int shm = 0;                  // shared object id (SharedFile: 0)
    std::uint64_t file_page = 0;  // file offset of base, in pages
};

struct Proc {
    Pid pid = 0;
    Pid parent = 0;
    std::vector<Region> regions;
    std::unordered_map<std::uint64_t, std::uint64_t> priv;  // VA -> value (private regions)
};

struct World {
    World(Simulation& s, Kernel& kk, Rng r) : sim(s), k(kk), rng(r) {}
    Simulation& sim;
    Kernel& k;
    Rng rng;
    int shared_fd_owner_fd = -1;
    std::string shared_path, ro_path;
    std::uint64_t file_pages = 64;
    std::map<int, std::unordered_map<std::uint64_t, std::uint64_t>> shared;  // id -> offset -> value
    int next_shm = 1;
    std::vector<Proc> procs;
    std::uint64_t checked = 0, written = 0, execs = 0;
    std::optional<ExecPlan> plan;  // exec of a real binary, when one is installed

    std::uint64_t initial(const Region& r, std::uint64_t off_in_region) const {
        switch (r.kind) {
            case Kind::AnonPriv:
            case Kind::Shmem: return 0;
            case Kind::FilePriv:
            case Kind::SharedFile: return pattern_word(r.file_page * kPage + off_in_region);
        }
        return 0;
    }
    std::uint64_t expect(const Proc& p, const Region& r, std::uint64_t off) const {
        if (r.kind == Kind::SharedFile || r.kind == Kind::Shmem) {
            const std::uint64_t key = r.kind == Kind::SharedFile ? r.file_page * kPage + off : off;
            auto& m = shared.at(r.shm);
            auto it = m.find(key);
            return it == m.end() ? initial(r, off) : it->second;
        }
        auto it = p.priv.find(r.base.value + off);
        return it == p.priv.end() ? initial(r, off) : it->second;
    }
    void set(Proc& p, const Region& r, std::uint64_t off, std::uint64_t v) {
        if (r.kind == Kind::SharedFile || r.kind == Kind::Shmem)
            shared[r.shm][r.kind == Kind::SharedFile ? r.file_page * kPage + off : off] = v;
        else
            p.priv[r.base.value + off] = v;
    }
    void forget(Proc& p, const Region& r) {
        for (std::uint64_t off = 0; off < r.pages * kPage; off += 8) p.priv.erase(r.base.value + off);
    }

    // A new mapping of a random kind in process p.
    bool map_new(Proc& p) {
        Region r;
        r.kind = static_cast<Kind>(rng.below(4));
        r.pages = 1 + rng.below(16);
        int fd = -1;
        int flags = sys::kMapPrivate;
        switch (r.kind) {
            case Kind::AnonPriv: flags = kAnonPriv; break;
            case Kind::Shmem:
                flags = sys::kMapShared | sys::kMapAnonymous;
                r.shm = next_shm++;
                shared[r.shm];
                break;
            case Kind::FilePriv:
            case Kind::SharedFile:
                r.file_page = rng.below(file_pages - r.pages + 1);
                fd = *k.open(p.pid, r.kind == Kind::FilePriv ? ro_path : shared_path, sys::kORdWr);
                flags = r.kind == Kind::FilePriv ? sys::kMapPrivate : sys::kMapShared;
                break;
        }
        auto a = k.mmap(p.pid, VirtAddr{0}, r.pages * kPage, kRW, flags, fd, r.file_page * kPage);
        if (fd >= 0) {
            EXPECT_TRUE(k.close(p.pid, fd).ok());
        }
        EXPECT_TRUE(a.ok()) << errno_name(a.error);
        if (!a.ok()) return false;
        r.base = *a;
        p.regions.push_back(r);
        return true;
    }

    void check_word(Proc& p, const Region& r, std::uint64_t off) {
        std::uint64_t v = 0;
        auto out = sim.read_u64(p.pid, r.base + off, v);
        ASSERT_TRUE(out.ok) << describe(out.signal);
        ASSERT_EQ(v, expect(p, r, off)) << "pid " << p.pid << " va " << std::hex << (r.base.value + off) << " kind "
                                        << static_cast<int>(r.kind);
        ++checked;
    }

    void step() {
        Proc& p = procs[rng.below(procs.size())];
        const std::uint64_t op = rng.below(1000);
        if (p.regions.empty()) {
            map_new(p);
            return;
        }
        const std::size_t ri = rng.below(p.regions.size());
        Region r = p.regions[ri];
        const std::uint64_t off = rng.below(r.pages * kPage / 8) * 8;
        if (op < 500) {
            const std::uint64_t v = rng.next();
            auto out = sim.write_u64(p.pid, r.base + off, v);
            ASSERT_TRUE(out.ok) << describe(out.signal);
            set(p, r, off, v);
            ++written;
        } else if (op < 880) {
            check_word(p, r, off);
        } else if (op < 900) {
            if (procs.size() >= 6) return;
            auto c = k.fork(p.pid);
            ASSERT_TRUE(c.ok());
            Proc child;
            child.pid = *c;
            child.parent = p.pid;
            child.regions = p.regions;
            child.priv = p.priv;
            procs.push_back(std::move(child));
        } else if (op < 915) {
            if (procs.size() <= 1) return;
            const std::size_t vi = 1 + rng.below(procs.size() - 1);
            const Pid victim = procs[vi].pid, parent = procs[vi].parent;
            ASSERT_TRUE(k.exit_group(victim, 0).ok());
            for (auto& q : procs)
                if (q.pid == parent) {
                    auto w = k.wait(parent, victim);
                    ASSERT_TRUE(w.ok());
                    EXPECT_EQ(w->pid, victim);
                }
            for (auto& q : procs)
                if (q.parent == victim) q.parent = 0;
            procs.erase(procs.begin() + static_cast<std::ptrdiff_t>(vi));
        } else if (op < 950) {
            ASSERT_TRUE(k.munmap(p.pid, r.base, r.pages * kPage).ok());
            forget(p, r);
            p.regions.erase(p.regions.begin() + static_cast<std::ptrdiff_t>(ri));
            if (p.regions.size() < 8) map_new(p);
            if (p.regions.size() < 3) map_new(p);
        } else if (op < 965) {
            if (r.kind == Kind::SharedFile) {
                ASSERT_TRUE(k.msync(p.pid, r.base, r.pages * kPage, sys::kMsSync).ok());
            } else if (r.kind != Kind::Shmem) {
                // MADV_DONTNEED: private pages drop back to zeros or the file.
                ASSERT_TRUE(k.madvise(p.pid, r.base, r.pages * kPage, sys::kMadvDontNeed).ok());
                forget(p, r);
            }
        } else if (op < 967) {
            // A child execs a real program: its old memory goes, everyone else's stays.
            if (!plan || procs.size() <= 1) return;
            Proc& c = procs[1 + rng.below(procs.size() - 1)];
            auto r = k.exec(c.pid, *plan);
            ASSERT_TRUE(r.ok()) << errno_name(r.error);
            c.regions.clear();
            c.priv.clear();
            std::uint64_t argc = 0;
            ASSERT_TRUE(sim.read_u64(c.pid, plan->stack.sp, argc).ok);
            ASSERT_EQ(argc, plan->argv.size());
            ++execs;
            map_new(c);
        } else if (op < 980) {
            ASSERT_TRUE(k.mprotect(p.pid, r.base, r.pages * kPage, sys::kProtRead).ok());
            check_word(p, r, off);
            ASSERT_TRUE(k.mprotect(p.pid, r.base, r.pages * kPage, kRW).ok());
        } else {
            // mremap to twice the size, allowed to move: values move with their pages.
            if (r.kind == Kind::FilePriv || r.kind == Kind::SharedFile) {
                if (r.file_page + 2 * r.pages > file_pages) return;
            }
            auto m = k.mremap(p.pid, r.base, r.pages * kPage, 2 * r.pages * kPage, sys::kMremapMayMove);
            ASSERT_TRUE(m.ok()) << errno_name(m.error);
            if (r.kind == Kind::AnonPriv || r.kind == Kind::FilePriv) {
                std::vector<std::pair<std::uint64_t, std::uint64_t>> moved;
                for (std::uint64_t o = 0; o < r.pages * kPage; o += 8) {
                    auto it = p.priv.find(r.base.value + o);
                    if (it == p.priv.end()) continue;
                    moved.emplace_back(m->value + o, it->second);
                    p.priv.erase(it);
                }
                for (auto& [va, v] : moved) p.priv[va] = v;
            }
            if (r.kind == Kind::Shmem) {
                // The shmem object keeps its size: the new half is beyond its end (SIGBUS),
                // so keep using only the old size.
                p.regions[ri].base = *m;
                ASSERT_TRUE(k.munmap(p.pid, *m + r.pages * kPage, r.pages * kPage).ok());
                return;
            }
            p.regions[ri].base = *m;
            p.regions[ri].pages = 2 * r.pages;
        }
    }
};

}  // namespace

TEST(OsIntegrity, RandomizedValuesSurviveForkCowMunmapAndWriteback) {
    TempDir dir;
    KernelConfig kc;
    kc.writable_paths = {dir.path.string()};
    auto sim = make_sim("x86_64", kc, 7, 2);
    ASSERT_TRUE(sim);
    World w(*sim, sim->kernel(), Rng(2024));
    w.shared_path = dir.file("shared.dat");
    w.ro_path = dir.file("private.dat");
    write_host_file(w.shared_path, w.file_pages * kPage);
    write_host_file(w.ro_path, w.file_pages * kPage);
    w.shared[0];
    if (std::filesystem::exists("/usr/bin/true")) {
        auto plan = plan_exec("/usr/bin/true", {"true", "x"}, {"A=1"},
                              exec_options_from(w.k.config(), w.k.task_size(), w.k.page_size(), &sim->rng()));
        ASSERT_TRUE(plan) << plan.error().str();
        w.plan = std::move(*plan);
    }
    Proc root;
    root.pid = *w.k.spawn({.name = "integrity"});
    w.procs.push_back(root);
    for (int i = 0; i < 4; ++i) w.map_new(w.procs[0]);
    for (std::uint64_t i = 0; i < kOps; ++i) {
        w.step();
        if (::testing::Test::HasFatalFailure()) return;
    }
    // Every value of every process, then the shared file on the host after all exit.
    for (auto& p : w.procs)
        for (auto& r : p.regions)
            for (std::uint64_t off = 0; off < r.pages * kPage; off += 8) {
                w.check_word(p, r, off);
                if (::testing::Test::HasFatalFailure()) return;
            }
    for (auto& p : w.procs) ASSERT_TRUE(w.k.exit_group(p.pid, 0).ok());
    std::ifstream in(w.shared_path, std::ios::binary);
    std::vector<std::uint8_t> host((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    ASSERT_EQ(host.size(), w.file_pages * kPage);
    std::uint64_t diffs = 0;
    for (std::uint64_t off = 0; off < host.size(); off += 8) {
        std::uint64_t v = 0;
        for (int i = 0; i < 8; ++i) v |= std::uint64_t{host[off + i]} << (8 * i);
        auto it = w.shared[0].find(off);
        const std::uint64_t want = it == w.shared[0].end() ? pattern_word(off) : it->second;
        diffs += v != want;
    }
    EXPECT_EQ(diffs, 0u) << "words of the shared file differ on the host after exit";
    // The private mapping's file was never written.
    std::ifstream in2(w.ro_path, std::ios::binary);
    std::vector<std::uint8_t> ro((std::istreambuf_iterator<char>(in2)), std::istreambuf_iterator<char>());
    for (std::uint64_t i = 0; i < ro.size(); ++i)
        if (ro[i] != file_byte(i)) {
            ADD_FAILURE() << "private file changed at " << i;
            break;
        }
    EXPECT_GT(w.written, kOps / 3);
    EXPECT_GT(w.checked, kOps / 3);
    RecordProperty("values_written", static_cast<int>(w.written));
    RecordProperty("values_checked", static_cast<int>(w.checked));
    if (w.plan) {
        EXPECT_GT(w.execs, 0u);
    }
}
