// The page-fault handler (mm/memory.c handle_mm_fault and friends).
//
//   not present, anonymous   read  -> shared zero page (do_anonymous_page)
//                            write -> new zeroed frame
//   not present, file/shmem  read  -> page-cache page + fault-around (do_read_fault)
//                            write, private -> copy of the page-cache page (do_cow_fault)
//                            write, shared  -> page-cache page, dirty (do_shared_fault)
//   present, write to a read-only PTE of a writable VMA (do_wp_page)
//                            zero page -> new zeroed frame
//                            shared    -> mark dirty, make writable (write-notify)
//                            private anon, sole user -> reuse; otherwise copy
//   beyond EOF -> SIGBUS; no VMA, or VMA forbids the access -> SIGSEGV.
#include <algorithm>

#include "os/internal.hpp"

namespace vmlab::os {

void KernelImpl::anon_vma_prepare(Mm& mm, Vma& v) {
    if (v.anon_vma) return;
    // find_mergeable_anon_vma: a neighbour that could merge with v but for its protection
    // lends its anon_vma, so that a later mprotect can merge the two again.
    auto compatible = [&](const Vma& a, const Vma& b) {  // a precedes b
        return a.end == b.start && !a.file && !b.file &&
               ((a.flags ^ b.flags) & ~(vm::kAccessFlags | vm::kSoftDirty)) == 0 &&
               a.pgoff + pages(a.size()) == b.pgoff;
    };
    if (Vma* prev = mm.vmas.prev(&v); prev && prev->anon_vma && !prev->anon_forked && compatible(*prev, v)) {
        v.anon_vma = prev->anon_vma;
        return;
    }
    if (Vma* next = mm.vmas.next(&v); next && next->anon_vma && !next->anon_forked && compatible(v, *next)) {
        v.anon_vma = next->anon_vma;
        return;
    }
    v.anon_vma = new_anon_vma();
}

bool KernelImpl::expand_stack(Mm& mm, Vma* v, VirtAddr addr) {
    // mm/mmap.c expand_downwards + acct_stack_growth.
    if (addr.value < cfg_.mmap_min_addr) return false;
    const std::uint64_t guard = cfg_.stack_guard_gap_pages * ps_;
    if (Vma* prev = mm.vmas.prev(v)) {
        if (!(prev->flags & vm::kGrowsDown) && (prev->flags & vm::kAccessFlags) && addr - prev->end < guard)
            return false;
    }
    const std::uint64_t size = v->end - addr;
    const std::uint64_t grow = pages(v->start - addr);
    if (!may_expand_vm(mm, v->flags, grow)) return false;
    if (size > mm.lim.stack) return false;
    if ((v->flags & vm::kLocked) && ((mm.locked_vm + grow) << page_.shift) > mm.lim.memlock) return false;
    if ((v->flags & vm::kAccount) && !vm_enough_memory(grow)) return false;
    mm.vmas.reshape(v, addr, v->end);
    v->pgoff -= grow;
    vm_stat_account(mm, v->flags, static_cast<std::int64_t>(grow));
    if (v->flags & vm::kLocked) mm.locked_vm += grow;
    return true;
}

void KernelImpl::count_fault(Process& p, Vma* v, const FaultResult& r) {
    if (!r.counted || uncounted_) return;
    if (r.major) {
        ++p.faults.major;
        ++stats_.faults.major;
        if (v) ++v->maj_flt;
    } else {
        ++p.faults.minor;
        ++stats_.faults.minor;
        if (v) ++v->min_flt;
    }
}

FaultResult KernelImpl::handle_mm_fault(Process& p, Thread* t, VirtAddr va, AccessKind kind, FaultKind hw) {
    if (hw == FaultKind::NonCanonical) return {x86_ ? FaultStatus::SegvKernel : FaultStatus::SegvMap};
    if (va.value >= task_size_ || !p.mm) return {FaultStatus::SegvMap};
    Mm& mm = *p.mm;
    Vma* v = mm.vmas.find(va);
    if (!v) return {FaultStatus::SegvMap};
    const VirtAddr page = va.align_down(page_);
    if (v->start > va) {
        if (!(v->flags & vm::kGrowsDown) || !expand_stack(mm, v, page)) return {FaultStatus::SegvMap};
        ++p.faults.stack_growth;
        ++stats_.faults.stack_growth;
    }
    // access_error(): the VMA must allow the access. Reads need any access right.
    if (kind == AccessKind::Write) {
        if (!(v->flags & vm::kWrite)) return {FaultStatus::SegvAcc};
    } else if (kind == AccessKind::Execute) {
        if (!(v->flags & vm::kExec)) return {FaultStatus::SegvAcc};
    } else if (!(v->flags & vm::kAccessFlags)) {
        return {FaultStatus::SegvAcc};
    }

    FaultResult r;
    const PteView pte = mm.pt->query(page);
    if (!pte.present) {
        VMLAB_ASSERT(!pte.swap, "swap entries are not modelled yet");
        r = v->file ? do_file_fault(p, mm, *v, page, kind) : do_anonymous_page(p, mm, *v, page, kind);
    } else if (hw == FaultKind::AccessFlag || (hw == FaultKind::DirtyBit && pte.attrs.prot.write)) {
        // Software-managed accessed/dirty state (AArch64 without HAFDBS, RISC-V Svade).
        LeafAttrs a = pte.attrs;
        a.accessed = true;
        if (kind == AccessKind::Write && a.prot.write) a.dirty = true;
        mm.pt->protect(page, a);
        tlb_.flush_local(mm, page, t);
        ++p.faults.spurious;
        ++stats_.faults.spurious;
    } else if (kind == AccessKind::Write && !pte.attrs.prot.write) {
        r = do_wp_page(p, t, mm, *v, page, pte);
    } else {
        // The PTE already allows the access: a stale TLB entry. Flush and retry.
        tlb_.flush_local(mm, page, t);
        ++p.faults.spurious;
        ++stats_.faults.spurious;
    }
    if (r.status == FaultStatus::Done) count_fault(p, v, r);
    return r;
}

FaultResult KernelImpl::do_anonymous_page(Process& p, Mm& mm, Vma& v, VirtAddr va, AccessKind kind) {
    if (kind != AccessKind::Write) {
        if (!map_zero_page(mm, v, va)) return {FaultStatus::Oom};
        ++p.faults.zero_page;
        ++stats_.faults.zero_page;
        return {};
    }
    anon_vma_prepare(mm, v);
    auto f = frames_.alloc();
    if (!f) return {FaultStatus::Oom};
    frames_.set_anon(*f);
    if (!map_page(mm, v, va, *f, page_, true, true, true)) {
        frames_.free(*f);
        return {FaultStatus::Oom};
    }
    ++p.faults.anon_new;
    ++stats_.faults.anon_new;
    return {};
}

void KernelImpl::do_fault_around(Mm& mm, Vma& v, VirtAddr va, std::uint64_t pgoff, FaultCounters& fc,
                                 FaultCounters& kc) {
    // mm/memory.c do_fault_around: a window of nr pages, aligned to nr, clamped to the
    // VMA and to the page-table page holding va's PTE; mm/filemap.c filemap_map_pages
    // then maps the pages of that window that are cached and not yet mapped.
    const std::uint64_t nr = fault_around_pages_;
    const std::uint64_t pte_off = (va.value >> page_.shift) & (ptrs_per_pte_ - 1);
    const std::uint64_t vma_off = pgoff - v.pgoff;
    const std::uint64_t vma_pages = pages(v.size());
    const std::uint64_t from_pte = std::max(pte_off & ~(nr - 1), pte_off - std::min(pte_off, vma_off));
    const std::uint64_t to_pte = std::min({from_pte + nr, ptrs_per_pte_, pte_off + vma_pages - vma_off}) - 1;
    const std::uint64_t start_pgoff = pgoff - (pte_off - from_pte);
    std::uint64_t end_pgoff = start_pgoff + (to_pte - from_pte);
    Inode& ino = *v.file;
    const std::uint64_t file_pages = ino.size_pages(page_.shift);
    if (file_pages == 0) return;
    end_pgoff = std::min(end_pgoff, file_pages - 1);
    const bool writable = ino.is_shmem() && (v.flags & vm::kShared) && (v.flags & vm::kWrite);
    for (std::uint64_t idx = start_pgoff; idx <= end_pgoff; ++idx) {
        auto f = cache_.find(ino, idx);
        if (!f) continue;
        const VirtAddr addr = VirtAddr{va.value + (idx - pgoff) * ps_};
        if (mm.pt->query(addr).present) continue;
        if (!map_page(mm, v, addr, *f, page_, writable, false, addr == va)) return;
        if (addr != va) {
            ++fc.fault_around;
            ++kc.fault_around;
        }
    }
}

FaultResult KernelImpl::do_file_fault(Process& p, Mm& mm, Vma& v, VirtAddr va, AccessKind kind) {
    Inode& ino = *v.file;
    const std::uint64_t pgoff = v.pgoff + (va - v.start) / ps_;
    if (pgoff >= ino.size_pages(page_.shift)) return {FaultStatus::Bus};
    const int ra = (v.flags & vm::kRandRead) ? 0 : (v.flags & vm::kSeqRead) ? 2 : 1;
    FaultStatus st = FaultStatus::Done;
    bool major = false;
    if (kind != AccessKind::Write) {
        // do_read_fault
        ++p.faults.file_read;
        ++stats_.faults.file_read;
        if (fault_around_pages_ > 1) {
            do_fault_around(mm, v, va, pgoff, p.faults, stats_.faults);
            if (mm.pt->query(va).present) return {};
        }
        auto f = cache_.get(ino, pgoff, &major, ra, &st);
        if (!f) return {st};
        if (major && fault_around_pages_ > 1) {
            // filemap_fault dropped the mmap lock for the read and asked for a retry
            // (VM_FAULT_RETRY); the retried fault maps the now-cached window around the
            // address and is the one counted, as a major fault (FAULT_FLAG_TRIED).
            do_fault_around(mm, v, va, pgoff, p.faults, stats_.faults);
            if (mm.pt->query(va).present) return {FaultStatus::Done, true};
        }
        const bool writable = ino.is_shmem() && (v.flags & vm::kShared) && (v.flags & vm::kWrite);
        if (!map_page(mm, v, va, *f, page_, writable, false, true)) return {FaultStatus::Oom};
        return {FaultStatus::Done, major};
    }
    auto src = cache_.get(ino, pgoff, &major, ra, &st);
    if (!src) return {st};
    if (!(v.flags & vm::kShared)) {
        // do_cow_fault: a private copy of the file page.
        anon_vma_prepare(mm, v);
        auto f = frames_.alloc();
        if (!f) return {FaultStatus::Oom};
        mem_.copy_frame(*f, *src);
        frames_.set_anon(*f);
        if (!map_page(mm, v, va, *f, page_, true, true, true)) {
            frames_.free(*f);
            return {FaultStatus::Oom};
        }
        ++p.faults.file_cow;
        ++stats_.faults.file_cow;
        return {FaultStatus::Done, major};
    }
    // do_shared_fault: the page becomes dirty now (page_mkwrite + fault_dirty_shared_page).
    frames_.set(*src, kPgDirty);
    if (!map_page(mm, v, va, *src, page_, true, true, true)) return {FaultStatus::Oom};
    ++p.faults.shared_write;
    ++stats_.faults.shared_write;
    return {FaultStatus::Done, major};
}

FaultResult KernelImpl::do_wp_page(Process& p, Thread* t, Mm& mm, Vma& v, VirtAddr va, const PteView& pte) {
    const Pfn old = pte.base.pfn(page_);
    if (v.flags & vm::kShared) {
        // wp_page_shared: the first write to a clean shared page.
        if (!frames_.is_zero(old)) frames_.set(old, kPgDirty);
        LeafAttrs a = pte.attrs;
        a.prot.write = true;
        a.dirty = a.accessed = true;
        mm.pt->protect(va, a);
        tlb_.flush_local(mm, va, t);
        ++p.faults.shared_write;
        ++stats_.faults.shared_write;
        return {};
    }
    if (!frames_.is_zero(old) && frames_.test(old, kPgAnon) &&
        (frames_.test(old, kPgAnonExclusive) || frames_.refcount(old) == 1)) {
        // wp_can_reuse_anon_folio: we hold the only reference.
        frames_.set(old, kPgAnonExclusive);
        frames_.clear(old, kPgLazyFree);
        LeafAttrs a = pte.attrs;
        a.prot.write = true;
        a.dirty = a.accessed = true;
        mm.pt->protect(va, a);
        tlb_.flush_local(mm, va, t);
        ++p.faults.cow_reuse;
        ++stats_.faults.cow_reuse;
        return {};
    }
    // wp_page_copy: a private copy (of the zero page: a zeroed frame).
    anon_vma_prepare(mm, v);
    auto f = frames_.alloc();
    if (!f) return {FaultStatus::Oom};
    if (!frames_.is_zero(old)) mem_.copy_frame(*f, old);
    frames_.set_anon(*f);
    if (!mm.pt->map(va, pa_of(*f), page_, pte_attrs(v, true, true, true))) {
        frames_.free(*f);
        return {FaultStatus::Oom};
    }
    if (!frames_.is_zero(old)) {
        frames_.remove_mapping(old, &mm, va);
        rss_add(mm, rss_kind(old), -1);
        frames_.put(old);
    }
    frames_.get(*f);
    frames_.add_mapping(*f, &mm, va, page_);
    rss_add(mm, RssKind::Anon, 1);
    tlb_.flush_page(mm, va, t);
    if (frames_.is_zero(old)) {
        ++p.faults.anon_new;
        ++stats_.faults.anon_new;
    } else {
        ++p.faults.cow_copy;
        ++stats_.faults.cow_copy;
    }
    return {};
}

SigInfo KernelImpl::fault_signal(const FaultResult& r, VirtAddr va) const {
    switch (r.status) {
        case FaultStatus::SegvMap: return {sys::kSigSegv, sys::kSegvMapErr, va};
        case FaultStatus::SegvAcc: return {sys::kSigSegv, sys::kSegvAccErr, va};
        case FaultStatus::SegvKernel: return {sys::kSigSegv, sys::kSiKernel, VirtAddr{0}};
        case FaultStatus::Bus: return {sys::kSigBus, sys::kBusAdrErr, va};
        case FaultStatus::Oom: return {sys::kSigKill, sys::kSiKernel, VirtAddr{0}};
        case FaultStatus::Done: break;
    }
    return {};
}

}  // namespace vmlab::os
