// madvise, msync, mincore and anonymous-VMA names (mm/madvise.c, mm/msync.c, mm/mincore.c).
#include <algorithm>

#include "os/internal.hpp"

namespace vmlab {
using namespace os;

namespace {

// madvise_walk_vmas: calls visit(v, s, e) for each VMA's part [s, e) of [start, end), in
// address order. A visit's errno ends the walk with it; so does done() (with success),
// checked after each visit (the address space may be gone: a fault killed the process).
// Holes are skipped but make the result ENOMEM once the range is done; a range that
// starts after the last VMA is ENOMEM at once.
template <class Visit, class Done>
Errno walk_vmas(Mm& mm, VirtAddr start, VirtAddr end, Visit&& visit, Done&& done) {
    Errno unmapped = Errno::None;
    VirtAddr s = start;
    Vma* v = mm.vmas.find(s);
    for (;;) {
        if (!v) return Errno::NoMem;
        if (s < v->start) {
            unmapped = Errno::NoMem;
            s = v->start;
            if (s >= end) break;
        }
        const VirtAddr e = std::min(v->end, end);
        if (Errno err = visit(v, s, e); err != Errno::None) return err;
        if (done()) return Errno::None;
        s = e;
        if (s >= end) break;
        v = mm.vmas.find(s);
    }
    return unmapped;
}

bool behavior_valid(int b) {
    switch (b) {
        case sys::kMadvNormal: case sys::kMadvRandom: case sys::kMadvSequential: case sys::kMadvWillNeed:
        case sys::kMadvDontNeed: case sys::kMadvFree: case sys::kMadvRemove: case sys::kMadvDontFork:
        case sys::kMadvDoFork: case sys::kMadvMergeable: case sys::kMadvUnmergeable: case sys::kMadvHugePage:
        case sys::kMadvNoHugePage: case sys::kMadvDontDump: case sys::kMadvDoDump: case sys::kMadvWipeOnFork:
        case sys::kMadvKeepOnFork: case sys::kMadvCold: case sys::kMadvPageOut: case sys::kMadvPopulateRead:
        case sys::kMadvPopulateWrite:
            return true;
        default: return false;
    }
}

// The new vm_flags for the advice values that only change flags; nullopt for the others.
std::optional<VmFlags> advice_flags(int b, VmFlags f, bool file_or_shared, Errno* err) {
    switch (b) {
        case sys::kMadvNormal: return f & ~(vm::kSeqRead | vm::kRandRead);
        case sys::kMadvSequential: return (f & ~vm::kRandRead) | vm::kSeqRead;
        case sys::kMadvRandom: return (f & ~vm::kSeqRead) | vm::kRandRead;
        case sys::kMadvDontFork:
        case sys::kMadvDoFork:
            if (f & vm::kIo) {
                *err = Errno::Inval;
                return std::nullopt;
            }
            return b == sys::kMadvDontFork ? (f | vm::kDontCopy) : (f & ~vm::kDontCopy);
        case sys::kMadvWipeOnFork:
            if (file_or_shared) {
                *err = Errno::Inval;
                return std::nullopt;
            }
            return f | vm::kWipeOnFork;
        case sys::kMadvKeepOnFork: return f & ~vm::kWipeOnFork;
        case sys::kMadvDontDump: return f | vm::kDontDump;
        case sys::kMadvDoDump:
            if (f & vm::kSpecial) {
                *err = Errno::Inval;
                return std::nullopt;
            }
            return f & ~vm::kDontDump;
        case sys::kMadvHugePage: return (f & ~vm::kNoHugePage) | vm::kHugePage;
        case sys::kMadvNoHugePage: return (f & ~vm::kHugePage) | vm::kNoHugePage;
        case sys::kMadvMergeable: return (f & vm::kSpecial) ? f : (f | vm::kMergeable);
        case sys::kMadvUnmergeable: return f & ~vm::kMergeable;
        default: return std::nullopt;
    }
}
}  // namespace

// One VMA's part [s, e) of a madvise call.
Errno KernelImpl::madvise_vma(Process& p, Thread* t, Vma* v, VirtAddr s, VirtAddr e, int b) {
    Mm& mm = *p.mm;
    Errno err = Errno::None;
    if (auto nf = advice_flags(b, v->flags, v->file || (v->flags & vm::kShared), &err)) {
        if (*nf == v->flags) return Errno::None;
        Vma* nv = vma_modify(mm, v, s, e, [&](Vma& x) { x.flags = *nf; }, &err);
        return nv ? Errno::None : err;
    }
    if (err != Errno::None) return err;
    switch (b) {
        case sys::kMadvWillNeed: {
            // Read the file range into the page cache (anonymous memory: nothing to do
            // until pages can be swapped out).
            if (!v->file || v->file->is_shmem()) return Errno::None;
            Inode& ino = *v->file;
            const std::uint64_t first = v->pgoff + (s - v->start) / ps_;
            const std::uint64_t last = std::min(first + pages(e - s), ino.size_pages(page_.shift));
            for (std::uint64_t i = first; i < last; ++i) {
                FaultStatus st;
                bool major = false;
                if (!cache_.get(ino, i, &major, 0, &st)) break;
            }
            return Errno::None;
        }
        case sys::kMadvDontNeed: {
            if (v->flags & (vm::kLocked | vm::kPfnMap)) return Errno::Inval;
            Writeback wb;
            if (zap_range(mm, *v, s, e, &wb)) tlb_.flush_range(mm, s, e, t);
            return Errno::None;
        }
        case sys::kMadvFree: {
            if (v->file || (v->flags & vm::kShared)) return Errno::Inval;
            if (v->flags & (vm::kLocked | vm::kPfnMap)) return Errno::Inval;
            // madvise_free_pte_range: exclusive anon pages become clean and lazily freeable;
            // written again before reclaim, they are kept.
            std::vector<std::pair<VirtAddr, PteView>> leaves;
            mm.pt->for_each_leaf(s, e, [&](VirtAddr va, const PteView& pte) {
                if (pte.present) leaves.emplace_back(va, pte);
            });
            std::uint64_t changed = 0;
            for (auto& [va, pte] : leaves) {
                const Pfn f = pte.base.pfn(page_);
                if (frames_.is_zero(f) || !frames_.test(f, kPgAnon) || frames_.mapcount(f) != 1) continue;
                frames_.clear(f, kPgDirty);
                frames_.set(f, kPgLazyFree);
                LeafAttrs a = pte.attrs;
                a.dirty = false;
                a.accessed = false;
                if (!(a == pte.attrs)) {
                    mm.pt->protect(va, a);
                    ++changed;
                }
            }
            if (changed) tlb_.flush_range(mm, s, e, t);
            return Errno::None;
        }
        case sys::kMadvRemove: {
            if (!v->file || !(v->flags & vm::kShared)) return Errno::Inval;
            if (!v->file->is_shmem()) return Errno::OpNotSupp;
            if (v->flags & vm::kLocked) return Errno::Inval;
            // Punch a hole in the shmem object: unmap the range everywhere, drop its pages.
            Inode& ino = *v->file;
            const std::uint64_t first = v->pgoff + (s - v->start) / ps_;
            const std::uint64_t last = std::min(first + pages(e - s), static_cast<std::uint64_t>(ino.pages.size()));
            for (std::uint64_t i = first; i < last; ++i) {
                auto f = cache_.find(ino, i);
                if (!f) continue;
                for (auto [omm, va] : frames_.rmap().list(*f)) {
                    Vma* ov = omm->vmas.lookup(va);
                    VMLAB_ASSERT(ov, "rmap names an unmapped address");
                    if (zap_range(*omm, *ov, va, va + ps_, nullptr)) tlb_.flush_page(*omm, va, omm == &mm ? t : nullptr);
                }
                cache_.remove(ino, i);
            }
            return Errno::None;
        }
        case sys::kMadvCold:
        case sys::kMadvPageOut:
            // Deactivation and page-out need reclaim; the call is accepted as Linux does.
            if (v->flags & (vm::kLocked | vm::kPfnMap | vm::kHugeTlb)) return Errno::Inval;
            return Errno::None;
        case sys::kMadvPopulateRead:
        case sys::kMadvPopulateWrite: {
            const bool write = b == sys::kMadvPopulateWrite;
            if (v->flags & (vm::kIo | vm::kPfnMap)) return Errno::Inval;
            if (write ? !(v->flags & vm::kWrite) : !(v->flags & (vm::kRead | vm::kWrite))) return Errno::Fault;
            for (VirtAddr va = s; va < e; va = va + ps_) {
                const PteView pte = mm.pt->query(va);
                if (pte.present && (!write || pte.attrs.prot.write)) continue;
                const FaultResult r = handle_mm_fault(p, t, va, write ? AccessKind::Write : AccessKind::Read,
                                                        pte.present ? FaultKind::Protection : FaultKind::NotPresent);
                if (r.status == FaultStatus::Oom) return Errno::NoMem;
                if (r.status != FaultStatus::Done) return Errno::Fault;
            }
            return Errno::None;
        }
        default: return Errno::Inval;
    }
}

SysStatus KernelImpl::madvise(Tid caller, VirtAddr start, std::uint64_t len_in, int behavior) {
    Thread* t = enter(caller);
    if (!t) return Errno::Srch;
    Process& p = *t->proc;
    Mm& mm = *p.mm;
    if (!behavior_valid(behavior)) return Errno::Inval;
    if (!aligned(start.value)) return Errno::Inval;
    if (len_in > ~0ull - ps_) return Errno::Inval;
    const std::uint64_t len = page_align(len_in);
    const VirtAddr end = start + len;
    if (end < start) return Errno::Inval;
    if (end == start) return {};
    return walk_vmas(
        mm, start, end, [&](Vma* v, VirtAddr s, VirtAddr e) { return madvise_vma(p, t, v, s, e, behavior); },
        [&] { return p.mm == nullptr; });
}

SysStatus KernelImpl::msync(Tid caller, VirtAddr start, std::uint64_t len, int flags) {
    Thread* t = enter(caller);
    if (!t) return Errno::Srch;
    Mm& mm = *t->proc->mm;
    if (flags & ~(sys::kMsAsync | sys::kMsInvalidate | sys::kMsSync)) return Errno::Inval;
    if (!aligned(start.value)) return Errno::Inval;
    if ((flags & sys::kMsAsync) && (flags & sys::kMsSync)) return Errno::Inval;
    if (len > ~0ull - ps_) return Errno::NoMem;
    len = page_align(len);
    const VirtAddr end = start + len;
    if (end < start) return Errno::NoMem;
    if (end == start) return {};
    Errno unmapped = Errno::None;
    Vma* v = mm.vmas.find(start);
    for (;;) {
        if (!v) return Errno::NoMem;
        if (start < v->start) {
            if (flags == sys::kMsAsync) return Errno::NoMem;
            start = v->start;
            if (start >= end) return Errno::NoMem;
            unmapped = Errno::NoMem;
        }
        if ((flags & sys::kMsInvalidate) && (v->flags & vm::kLocked)) return Errno::Busy;
        const std::uint64_t fstart = v->pgoff + (start - v->start) / ps_;
        const std::uint64_t fpages = pages(std::min(end, v->end) - start);
        start = v->end;
        if ((flags & sys::kMsSync) && v->file && (v->flags & vm::kShared)) {
            // vfs_fsync_range: write back the file's dirty pages in the range.
            std::shared_ptr<Inode> ino = v->file;
            const std::uint64_t last = std::min(fstart + fpages, static_cast<std::uint64_t>(ino->pages.size()));
            for (std::uint64_t i = fstart; i < last; ++i) writeback_page(*ino, i);
        }
        if (start >= end) break;
        v = mm.vmas.find(start);
    }
    if (unmapped != Errno::None) return unmapped;
    return {};
}

SysResult<std::vector<std::uint8_t>> KernelImpl::mincore(Tid caller, VirtAddr start, std::uint64_t len) {
    Thread* t = enter(caller);
    if (!t) return Errno::Srch;
    Mm& mm = *t->proc->mm;
    if (!aligned(start.value)) return Errno::Inval;
    if (start.value > task_size_ || len > task_size_ - start.value) return Errno::NoMem;
    std::vector<std::uint8_t> out(pages(page_align(len)), 0);
    for (std::size_t i = 0; i < out.size(); ++i) {
        const VirtAddr va = start + i * ps_;
        Vma* v = mm.vmas.lookup(va);
        if (!v) return Errno::NoMem;
        const PteView pte = mm.pt->query(va);
        if (pte.present) {
            out[i] = 1;
        } else if (v->file) {
            out[i] = cache_.find(*v->file, v->pgoff + (va - v->start) / ps_) ? 1 : 0;
        }
    }
    return out;
}

SysStatus KernelImpl::set_anon_name(Tid caller, VirtAddr start, std::uint64_t len, std::string name) {
    // prctl(PR_SET_VMA, PR_SET_VMA_ANON_NAME): anonymous VMAs only; names of at most 80
    // bytes of printable characters other than [ ] \ $ and `.
    Thread* t = enter(caller);
    if (!t) return Errno::Srch;
    Mm& mm = *t->proc->mm;
    if (name.size() >= 80) return Errno::Inval;
    for (char c : name)
        if (c < 0x20 || c > 0x7e || c == '[' || c == ']' || c == '\\' || c == '$' || c == '`') return Errno::Inval;
    if (!aligned(start.value)) return Errno::Inval;
    const VirtAddr end{start.value + page_align(len)};
    if (end < start) return Errno::Inval;
    if (end == start) return {};
    return walk_vmas(
        mm, start, end,
        [&](Vma* v, VirtAddr s, VirtAddr e) {
            if (v->file) return Errno::BadF;
            if (v->anon_name == name) return Errno::None;
            Errno err = Errno::None;
            vma_modify(mm, v, s, e, [&](Vma& x) { x.anon_name = name; }, &err);
            return err;
        },
        [] { return false; });
}

}  // namespace vmlab
