// The page cache over host files, simulated files and shmem objects (PageCache), writeback
// and truncation as seen from the mappings (KernelImpl), file descriptors and the file
// system calls that go through the cache (open, pread, pwrite, ftruncate, fsync). Host
// files are read with ordinary POSIX I/O the first time a page is needed; they are
// written only for paths listed in KernelConfig::writable_paths.
#include <fcntl.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <vector>

#include "os/internal.hpp"

namespace vmlab {
using namespace os;

namespace fs = std::filesystem;

PageCache::PageCache(PhysMem& mem, FrameTable& frames, KernelStats& stats, PageSize page,
                     std::uint64_t read_around_pages)
    : mem_(mem), frames_(frames), stats_(stats), page_(page), read_around_pages_(read_around_pages) {}

PageCache::~PageCache() { files_.clear(); }

std::shared_ptr<Inode> PageCache::make_inode(Inode::Kind kind, std::unique_ptr<BackingStore> store) {
    auto* raw = new Inode();
    raw->id = next_inode_id_++;
    raw->kind = kind;
    raw->store = std::move(store);
    if (kind == Inode::Kind::Shmem) {
        raw->dev_major = 0;
        raw->dev_minor = 1;
        raw->ino = raw->id;
    }
    return std::shared_ptr<Inode>(raw, [this](Inode* i) { release(i); });
}

void PageCache::release(Inode* ino) {
    for (std::uint64_t i = 0; i < ino->pages.size(); ++i)
        if (ino->pages[i] != kNoPfn) remove(*ino, i);
    delete ino;
}

std::shared_ptr<Inode> PageCache::lookup(const std::string& path) const {
    auto it = files_.find(path);
    return it == files_.end() ? nullptr : it->second;
}

void PageCache::add_path(const std::string& path, std::shared_ptr<Inode> ino) { files_[path] = std::move(ino); }

void PageCache::clear_paths() { files_.clear(); }

std::optional<Pfn> PageCache::find(const Inode& ino, std::uint64_t index) const {
    if (index >= ino.pages.size() || ino.pages[index] == kNoPfn) return std::nullopt;
    return Pfn{ino.pages[index]};
}

std::optional<Pfn> PageCache::fill(Inode& ino, std::uint64_t i, FaultStatus* st) {
    auto f = frames_.alloc();
    if (!f) {
        *st = FaultStatus::Oom;
        return std::nullopt;
    }
    frames_.set(*f, kPgFile);
    if (ino.is_shmem()) frames_.set_shmem(*f);
    // Simulated and shmem pages start zeroed; a host file's page is read from it.
    std::vector<std::uint8_t> buf(page_.bytes(), 0);
    const std::optional<std::uint64_t> got = ino.store->read_page(i << page_.shift, buf, ino.size);
    if (!got) {
        frames_.free(*f);
        *st = FaultStatus::Bus;
        return std::nullopt;
    }
    if (ino.kind == Inode::Kind::Host) stats_.host_bytes_read += *got;
    const auto end = buf.begin() + static_cast<std::ptrdiff_t>(*got);
    if (std::any_of(buf.begin(), end, [](std::uint8_t b) { return b != 0; })) mem_.write(pa_of(*f), buf.data(), *got);
    frames_.get(*f);  // the page cache's reference
    ino.pages[i] = f->value;
    ++ino.cached;
    ++stats_.page_cache_pages;
    if (ino.kind == Inode::Kind::Host) ++stats_.page_cache_misses;
    return f;
}

std::optional<Pfn> PageCache::get(Inode& ino, std::uint64_t index, bool* major, int ra, FaultStatus* st) {
    if (auto f = find(ino, index)) return f;
    if (index >= ino.pages.size()) {
        *st = FaultStatus::Bus;
        return std::nullopt;
    }
    auto f = fill(ino, index, st);
    if (!f) return std::nullopt;
    if (ino.kind == Inode::Kind::Host) {
        if (major) *major = true;
        // Read-around / sequential readahead of the neighbouring pages (best effort).
        if (ra && read_around_pages_ > 1) {
            const std::uint64_t n = read_around_pages_;
            const std::uint64_t first = ra == 2 ? index : index - std::min(index, n / 2);
            const std::uint64_t last = std::min<std::uint64_t>(first + n, ino.pages.size());
            for (std::uint64_t i = first; i < last; ++i) {
                if (i == index || ino.pages[i] != kNoPfn) continue;
                FaultStatus keep = *st;
                if (!fill(ino, i, st)) {
                    *st = keep;
                    break;
                }
            }
        }
    }
    return f;
}

void PageCache::remove(Inode& ino, std::uint64_t index) {
    const Pfn f{ino.pages[index]};
    VMLAB_ASSERT(frames_.mapcount(f) == 0, "removing a mapped page from the page cache");
    ino.pages[index] = kNoPfn;
    --ino.cached;
    --stats_.page_cache_pages;
    frames_.put(f);
}

void PageCache::write_out(Inode& ino, std::uint64_t index) {
    if (ino.is_shmem()) return;  // no backing store
    auto f = find(ino, index);
    if (!f) return;
    if (ino.kind == Inode::Kind::Host) {
        const std::uint64_t off = index << page_.shift;
        std::vector<std::uint8_t> buf;
        if (off < ino.size) {
            buf.resize(std::min(page_.bytes(), ino.size - off));
            mem_.read(pa_of(*f), buf.data(), buf.size());
        }
        const std::optional<std::uint64_t> n = ino.store->write_page(off, buf, ino.size);
        if (!n)
            frames_.set(*f, kPgDiverged);
        else if (!buf.empty() && *n == buf.size())
            stats_.host_bytes_written += *n;
    }
    frames_.clear(*f, kPgDirty);
    ++stats_.writeback_pages;
}

void PageCache::truncate(Inode& ino, std::uint64_t new_size) {
    const std::uint64_t ps = page_.bytes();
    const std::uint64_t new_pages = (new_size + ps - 1) >> page_.shift;
    if (new_size < ino.size) {
        for (std::uint64_t i = new_pages; i < ino.pages.size(); ++i)
            if (ino.pages[i] != kNoPfn) remove(ino, i);
        // The tail of the new last page reads as zeros (truncate_inode_partial_folio).
        if (new_size % ps && new_pages > 0) {
            if (auto f = find(ino, new_pages - 1)) {
                const std::uint64_t off = new_size % ps;
                std::vector<std::uint8_t> zeros(ps - off, 0);
                mem_.write(pa_of(*f) + off, zeros.data(), zeros.size());
            }
        }
    }
    ino.size = new_size;
    ino.pages.resize(new_pages, kNoPfn);
    if (ino.kind == Inode::Kind::Host) ino.store->resize(new_size, true);
}

void PageCache::extend(Inode& ino, std::uint64_t new_size) {
    ino.size = new_size;
    ino.pages.resize(ino.size_pages(page_.shift), kNoPfn);
    if (ino.kind == Inode::Kind::Host) ino.store->resize(new_size, false);
}

bool PageCache::droppable(Pfn f, bool dirty_ok) const {
    return !frames_.mapcount(f) && frames_.refcount(f) == 1 && (dirty_ok || !frames_.test(f, kPgDirty)) &&
           !frames_.test(f, kPgDiverged);
}

std::uint64_t PageCache::drop_caches() {
    std::uint64_t dropped = 0;
    for (auto& [path, ino] : files_) {
        if (ino->kind != Inode::Kind::Host) continue;
        for (std::uint64_t i = 0; i < ino->pages.size(); ++i) {
            if (ino->pages[i] == kNoPfn || !droppable(Pfn{ino->pages[i]}, false)) continue;
            remove(*ino, i);
            ++dropped;
        }
    }
    return dropped;
}

void KernelImpl::page_mkclean(Pfn p) {
    // Write-protect and clean every PTE mapping the page, so the next write faults again.
    for (auto [mm, va] : frames_.rmap().list(p)) {
        const PteView pte = mm->pt->query(va);
        if (!pte.present) continue;
        if (!pte.attrs.prot.write && !pte.attrs.dirty) continue;
        LeafAttrs a = pte.attrs;
        a.prot.write = false;
        a.dirty = false;
        mm->pt->protect(va, a);
        tlb_.flush_page(*mm, va, nullptr);
    }
}

void KernelImpl::writeback_page(Inode& ino, std::uint64_t index) {
    if (ino.is_shmem()) return;  // no backing store
    auto f = cache_.find(ino, index);
    if (!f) return;
    // Dirty state may still sit in PTEs of shared mappings (hardware D bits).
    bool dirty = frames_.test(*f, kPgDirty);
    frames_.rmap().for_each(*f, [&](Mm* mm, VirtAddr va) {
        const PteView pte = mm->pt->query(va);
        if (pte.present && pte.attrs.dirty) {
            Vma* v = mm->vmas.lookup(va);
            if (v && (v->flags & vm::kShared)) dirty = true;
        }
    });
    if (!dirty) return;
    page_mkclean(*f);
    cache_.write_out(ino, index);
}

void KernelImpl::truncate_inode(Inode& ino, std::uint64_t new_size) {
    const std::uint64_t new_pages = (new_size + ps_ - 1) >> page_.shift;
    if (new_size < ino.size) {
        // unmap_mapping_range(even_cows): every mapping of the pages past the new end,
        // private copies included, then the cached pages themselves.
        for (Pid pid : procs_.pids()) {
            Process* proc = procs_.process(pid);
            if (!proc->mm) continue;
            Mm& mm = *proc->mm;
            std::vector<std::pair<VirtAddr, VirtAddr>> ranges;
            mm.vmas.for_each([&](Vma& v) {
                if (v.file.get() != &ino) return;
                const std::uint64_t vpages = pages(v.size());
                if (v.pgoff + vpages <= new_pages) return;
                const std::uint64_t skip = new_pages > v.pgoff ? new_pages - v.pgoff : 0;
                ranges.emplace_back(v.start + skip * ps_, v.end);
            });
            for (auto [s, e] : ranges) {
                Vma* v = mm.vmas.lookup(s);
                if (zap_range(mm, *v, s, e, nullptr)) tlb_.flush_range(mm, s, e, nullptr);
            }
        }
    }
    cache_.truncate(ino, new_size);
}

bool KernelImpl::path_writable(const std::string& canonical) const {
    for (const auto& w : cfg_.writable_paths) {
        std::error_code ec;
        const fs::path wp = fs::weakly_canonical(fs::path(w), ec);
        const std::string ws = ec ? w : wp.string();
        if (canonical == ws) return true;
        if (canonical.size() > ws.size() && canonical.compare(0, ws.size(), ws) == 0 &&
            (ws.back() == '/' || canonical[ws.size()] == '/'))
            return true;
    }
    return false;
}

SysResult<std::shared_ptr<OpenFile>> KernelImpl::fd_get(Process& p, int fd) const {
    if (fd < 0 || static_cast<std::size_t>(fd) >= p.fds.size() || !p.fds[static_cast<std::size_t>(fd)])
        return Errno::BadF;
    return p.fds[static_cast<std::size_t>(fd)];
}

int KernelImpl::fd_install(Process& p, std::shared_ptr<OpenFile> f) {
    // Descriptors 0-2 are taken by the standard streams.
    std::size_t fd = 3;
    while (fd < p.fds.size() && p.fds[fd]) ++fd;
    if (fd >= p.fds.size()) p.fds.resize(fd + 1);
    p.fds[fd] = std::move(f);
    return static_cast<int>(fd);
}

namespace {
std::size_t open_count(const Process& p) {
    return static_cast<std::size_t>(std::count_if(p.fds.begin(), p.fds.end(), [](const auto& f) { return f != nullptr; }));
}
}  // namespace

SysResult<int> KernelImpl::open(Tid caller, const std::string& path, int flags, int mode) {
    Thread* t = enter(caller);
    if (!t) return Errno::Srch;
    Process& p = *t->proc;
    if (path.empty()) return Errno::NoEnt;
    if (path.size() >= 4096) return Errno::NameTooLong;
    const int acc = flags & sys::kOAccMode;
    if (acc == sys::kOAccMode) return Errno::Inval;
    if (open_count(p) + 3 >= p.mm->lim.nofile) return Errno::MFile;
    std::error_code ec;
    const std::string canon = fs::weakly_canonical(fs::absolute(fs::path(path), ec), ec).string();
    if (ec) return Errno::NoEnt;
    std::shared_ptr<Inode> ino;
    if (auto found = cache_.lookup(canon)) {
        ino = std::move(found);
        if ((flags & sys::kOCreat) && (flags & sys::kOExcl)) return Errno::Exist;
    } else {
        struct stat st {};
        if (::stat(canon.c_str(), &st) == 0) {
            if ((flags & sys::kOCreat) && (flags & sys::kOExcl)) return Errno::Exist;
            const bool dir = S_ISDIR(st.st_mode);
            if (!dir && !S_ISREG(st.st_mode)) return Errno::NoDev;
            ino = cache_.make_inode(Inode::Kind::Host, make_host_file_store(canon, !dir && path_writable(canon)));
            ino->path = canon;
            ino->display = canon;
            ino->dev_major = major(st.st_dev);
            ino->dev_minor = minor(st.st_dev);
            ino->ino = st.st_ino;
            ino->is_dir = dir;
            ino->size = dir ? 0 : static_cast<std::uint64_t>(st.st_size);
            ino->pages.assign(ino->size_pages(page_.shift), kNoPfn);
        } else {
            if (!(flags & sys::kOCreat)) return Errno::NoEnt;
            const fs::path parent = fs::path(canon).parent_path();
            if (!fs::is_directory(parent, ec)) return Errno::NoEnt;
            if (path_writable(canon)) {
                const int hfd = ::open(canon.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, mode);
                if (hfd < 0) return Errno::Acces;
                ::close(hfd);
                struct stat nst {};
                if (::stat(canon.c_str(), &nst) != 0) return Errno::Io;
                ino = cache_.make_inode(Inode::Kind::Host, make_host_file_store(canon, true));
                ino->dev_major = major(nst.st_dev);
                ino->dev_minor = minor(nst.st_dev);
                ino->ino = nst.st_ino;
            } else {
                ino = cache_.make_inode(Inode::Kind::Sim, make_memory_store());
                ino->dev_major = 0;
                ino->dev_minor = 0;
                ino->ino = ino->id;
            }
            ino->path = canon;
            ino->display = canon;
        }
        cache_.add_path(canon, ino);
    }
    if (ino->is_dir && acc != sys::kORdOnly) return Errno::IsDir;
    if (ino->kind == Inode::Kind::Host) {
        if (acc != sys::kOWrOnly && ::access(canon.c_str(), R_OK) != 0) return Errno::Acces;
        if (acc != sys::kORdOnly && ::access(canon.c_str(), W_OK) != 0) return Errno::Acces;
    }
    if ((flags & sys::kOTrunc) && acc != sys::kORdOnly && !ino->is_dir && ino->size) truncate_inode(*ino, 0);
    auto of = std::make_shared<OpenFile>();
    of->inode = ino;
    of->flags = flags & (sys::kOAccMode | sys::kOAppend);
    return fd_install(p, std::move(of));
}

SysResult<int> KernelImpl::memfd_create(Tid caller, const std::string& name) {
    Thread* t = enter(caller);
    if (!t) return Errno::Srch;
    if (name.size() > 249) return Errno::Inval;  // MFD_NAME_MAX_LEN
    if (open_count(*t->proc) + 3 >= t->proc->mm->lim.nofile) return Errno::MFile;
    auto ino = cache_.make_inode(Inode::Kind::Shmem, make_memory_store());
    ino->path = "memfd:" + name;
    ino->display = "/memfd:" + name + " (deleted)";
    auto of = std::make_shared<OpenFile>();
    of->inode = std::move(ino);
    of->flags = sys::kORdWr;
    return fd_install(*t->proc, std::move(of));
}

SysStatus KernelImpl::close(Tid caller, int fd) {
    Thread* t = enter(caller);
    if (!t) return Errno::Srch;
    auto r = fd_get(*t->proc, fd);
    if (!r) return r.error;
    t->proc->fds[static_cast<std::size_t>(fd)].reset();
    return {};
}

SysResult<std::uint64_t> KernelImpl::pread(Tid caller, int fd, std::span<std::uint8_t> buf, std::uint64_t offset) {
    Thread* t = enter(caller);
    if (!t) return Errno::Srch;
    auto r = fd_get(*t->proc, fd);
    if (!r) return r.error;
    OpenFile& of = **r;
    if (!of.readable()) return Errno::BadF;
    if (of.inode->is_dir) return Errno::IsDir;
    if (offset > (std::uint64_t{1} << 63) - 1) return Errno::Inval;
    Inode& ino = *of.inode;
    if (offset >= ino.size) return std::uint64_t{0};
    const std::uint64_t n = std::min<std::uint64_t>(buf.size(), ino.size - offset);
    std::uint64_t done = 0;
    while (done < n) {
        const std::uint64_t pos = offset + done;
        const std::uint64_t chunk = std::min(n - done, ps_ - (pos & (ps_ - 1)));
        FaultStatus st = FaultStatus::Done;
        auto f = cache_.get(ino, pos >> page_.shift, nullptr, 0, &st);
        if (!f) return st == FaultStatus::Oom ? Errno::NoMem : Errno::Io;
        mem_.read(pa_of(*f) + (pos & (ps_ - 1)), buf.data() + done, chunk);
        frames_.set(*f, kPgReferenced);  // mark_page_accessed
        done += chunk;
    }
    return n;
}

SysResult<std::uint64_t> KernelImpl::pwrite(Tid caller, int fd, std::span<const std::uint8_t> buf,
                                            std::uint64_t offset) {
    Thread* t = enter(caller);
    if (!t) return Errno::Srch;
    auto r = fd_get(*t->proc, fd);
    if (!r) return r.error;
    OpenFile& of = **r;
    if (!of.writable()) return Errno::BadF;
    Inode& ino = *of.inode;
    if (of.flags & sys::kOAppend) offset = ino.size;  // Linux appends even for pwrite
    if (offset > (std::uint64_t{1} << 63) - 1 || buf.size() > (std::uint64_t{1} << 63) - 1 - offset)
        return Errno::FBig;
    if (buf.empty()) return std::uint64_t{0};
    const std::uint64_t end = offset + buf.size();
    if (end > ino.size) cache_.extend(ino, end);
    std::uint64_t done = 0;
    while (done < buf.size()) {
        const std::uint64_t pos = offset + done;
        const std::uint64_t chunk = std::min<std::uint64_t>(buf.size() - done, ps_ - (pos & (ps_ - 1)));
        FaultStatus st = FaultStatus::Done;
        auto f = cache_.get(ino, pos >> page_.shift, nullptr, 0, &st);
        if (!f) return st == FaultStatus::Oom ? Errno::NoMem : Errno::Io;
        mem_.write(pa_of(*f) + (pos & (ps_ - 1)), buf.data() + done, chunk);
        frames_.set(*f, kPgDirty);
        frames_.set(*f, kPgReferenced);
        done += chunk;
    }
    return static_cast<std::uint64_t>(buf.size());
}

SysStatus KernelImpl::ftruncate(Tid caller, int fd, std::uint64_t length) {
    Thread* t = enter(caller);
    if (!t) return Errno::Srch;
    auto r = fd_get(*t->proc, fd);
    if (!r) return r.error;
    OpenFile& of = **r;
    if (!of.writable() || of.inode->is_dir) return Errno::Inval;
    if (length > (std::uint64_t{1} << 63) - 1) return Errno::Inval;
    truncate_inode(*of.inode, length);
    return {};
}

SysStatus KernelImpl::fsync(Tid caller, int fd) {
    Thread* t = enter(caller);
    if (!t) return Errno::Srch;
    auto r = fd_get(*t->proc, fd);
    if (!r) return r.error;
    Inode& ino = *(*r)->inode;
    for (std::uint64_t i = 0; i < ino.pages.size(); ++i)
        if (ino.pages[i] != kNoPfn) writeback_page(ino, i);
    return {};
}

SysStatus KernelImpl::fadvise(Tid caller, int fd, std::uint64_t offset, std::uint64_t len, int advice) {
    Thread* t = enter(caller);
    if (!t) return Errno::Srch;
    auto r = fd_get(*t->proc, fd);
    if (!r) return r.error;
    Inode& ino = *(*r)->inode;
    if (advice < sys::kFadvNormal || advice > sys::kFadvNoReuse) return Errno::Inval;
    if (offset > (std::uint64_t{1} << 63) - 1) return Errno::Inval;
    if (ino.is_dir) return {};
    // len 0 means "to the end of the file".
    const std::uint64_t end = (len == 0 || len > ino.size - std::min(offset, ino.size)) ? ino.size : offset + len;
    const std::uint64_t first = offset >> page_.shift;
    const std::uint64_t last_excl = (end + ps_ - 1) >> page_.shift;
    if (advice == sys::kFadvWillNeed) {
        for (std::uint64_t i = first; i < last_excl && i < ino.pages.size(); ++i) {
            FaultStatus st;
            if (!cache_.get(ino, i, nullptr, 0, &st)) break;
        }
    } else if (advice == sys::kFadvDontNeed && ino.kind == Inode::Kind::Host) {
        // invalidate_mapping_pages: only whole pages, only clean and unmapped ones (dirty
        // pages are written back first, as fadvise starts writeback).
        const std::uint64_t whole_first = (offset + ps_ - 1) >> page_.shift;
        for (std::uint64_t i = whole_first; i < last_excl && i < ino.pages.size(); ++i) {
            if (ino.pages[i] == kNoPfn) continue;
            if (end < ino.size && ((i + 1) << page_.shift) > end) break;
            writeback_page(ino, i);
            const Pfn f{ino.pages[i]};
            if (!cache_.droppable(f, true)) continue;
            cache_.remove(ino, i);
        }
    }
    return {};
}

SysResult<std::uint64_t> KernelImpl::file_size(Tid caller, int fd) {
    Thread* t = enter(caller);
    if (!t) return Errno::Srch;
    auto r = fd_get(*t->proc, fd);
    if (!r) return r.error;
    return (*r)->inode->size;
}

}  // namespace vmlab
