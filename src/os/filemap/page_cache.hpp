// The page cache: inodes, the files-by-path table, and the cached pages of each file
// over its backing store (find / get with read-around / remove / write out / truncate /
// drop_caches). What maps a page is the rmap's business (KernelImpl): a page is written
// out here only after the caller made its mappings clean, and removed only when unmapped.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "vmlab/core/types.hpp"
#include "vmlab/hw/phys_mem.hpp"
#include "vmlab/os/stats.hpp"
#include "os/filemap/backing_store.hpp"
#include "os/frame_table.hpp"
#include "os/mm/fault.hpp"

namespace vmlab::os {

inline constexpr std::uint64_t kNoPfn = ~0ull;

// A file's page cache and identity (inode + address_space).
struct Inode {
    enum class Kind : std::uint8_t {
        Host,   // a host file: pages read from it on first touch
        Sim,    // created inside the simulation (O_CREAT on a non-writable path)
        Shmem,  // shared anonymous memory or a memfd: no backing store
    };
    std::uint64_t id = 0;
    Kind kind = Kind::Host;
    std::string path;      // canonical path (Host, Sim); the name for Shmem
    std::string display;   // the maps pathname column
    std::uint32_t dev_major = 0, dev_minor = 0;
    std::uint64_t ino = 0;
    std::uint64_t size = 0;          // bytes (i_size)
    std::unique_ptr<BackingStore> store;
    std::vector<std::uint64_t> pages;  // page index -> pfn, kNoPfn if not cached
    std::uint64_t cached = 0;
    bool is_dir = false;
    bool is_shmem() const { return kind == Kind::Shmem; }
    std::uint64_t size_pages(std::uint64_t page_shift) const {
        return (size + (std::uint64_t{1} << page_shift) - 1) >> page_shift;
    }
};

class PageCache {
public:
    // read_around_pages: how many pages a major fault reads around the missing one.
    PageCache(PhysMem& mem, FrameTable& frames, KernelStats& stats, PageSize page, std::uint64_t read_around_pages);
    // Forgets the paths; inodes still referenced elsewhere must go before the cache.
    ~PageCache();
    PageCache(const PageCache&) = delete;
    PageCache& operator=(const PageCache&) = delete;

    // A new inode over `store`; its cached pages are released with its last reference.
    std::shared_ptr<Inode> make_inode(Inode::Kind kind, std::unique_ptr<BackingStore> store);
    // The files-by-path table (host and simulated files).
    std::shared_ptr<Inode> lookup(const std::string& path) const;
    void add_path(const std::string& path, std::shared_ptr<Inode> ino);
    void clear_paths();

    std::optional<Pfn> find(const Inode& ino, std::uint64_t index) const;
    // The page at index, read from the store (major) when not cached; nullopt on OOM or
    // an index at/after EOF. ra: 0 = no read-around, 1 = around the index (mmap
    // read-around), 2 = sequential. On failure *st says why (Oom, or Bus for an I/O error).
    std::optional<Pfn> get(Inode& ino, std::uint64_t index, bool* major, int ra, FaultStatus* st);
    // Drops a cached page (it must be unmapped).
    void remove(Inode& ino, std::uint64_t index);
    // Writes a dirty page to its store and marks it clean (its mappings are already clean);
    // a store that refuses the write leaves the page diverged from it. Shmem has no store.
    void write_out(Inode& ino, std::uint64_t index);
    // i_size shrinks or grows (ftruncate): pages past the new end are dropped (they must be
    // unmapped), the tail of the new last page zeroed, the store truncated.
    void truncate(Inode& ino, std::uint64_t new_size);
    // A write past the end: i_size grows, the store follows at its next write.
    void extend(Inode& ino, std::uint64_t new_size);
    // Drops every clean, unmapped, otherwise unreferenced page of host files.
    std::uint64_t drop_caches();
    // Whether a cached page may be dropped (clean, unmapped, only the cache holds it).
    bool droppable(Pfn f, bool dirty_ok) const;

private:
    void release(Inode* ino);
    std::optional<Pfn> fill(Inode& ino, std::uint64_t index, FaultStatus* st);
    PhysAddr pa_of(Pfn p) const { return p.addr(page_); }
    PhysMem& mem_;
    FrameTable& frames_;
    KernelStats& stats_;
    PageSize page_;
    std::uint64_t read_around_pages_;
    std::uint64_t next_inode_id_ = 1;
    std::map<std::string, std::shared_ptr<Inode>> files_;  // host and simulated files by path
};

}  // namespace vmlab::os
