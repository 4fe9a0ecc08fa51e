// mprotect, mlock/munlock, mlockall/munlockall (mm/mprotect.c, mm/mlock.c).
#include <algorithm>

#include "os/internal.hpp"

namespace vmlab {
using namespace os;

void KernelImpl::change_protection(Mm& mm, Vma& v, Thread* caller) {
    // change_pte_range: new permissions from the VMA; a write permission is restored only
    // where no fault is needed first (can_change_pte_writable): exclusive anon pages of
    // private mappings, already-dirty pages of shared file mappings, shmem pages.
    std::vector<std::pair<VirtAddr, PteView>> leaves;
    mm.pt->for_each_leaf(v.start, v.end, [&](VirtAddr va, const PteView& pte) {
        if (pte.present) leaves.emplace_back(va, pte);
    });
    std::uint64_t changed = 0;
    for (auto& [va, pte] : leaves) {
        const Pfn f = pte.base.pfn(page_);
        bool writable = false;
        if ((v.flags & vm::kWrite) && !frames_.is_zero(f)) {
            if (!(v.flags & vm::kShared))
                writable = frames_.test(f, kPgAnon) && frames_.test(f, kPgAnonExclusive);
            else
                writable = (v.file && v.file->is_shmem()) || pte.attrs.dirty;
        }
        LeafAttrs a = pte_attrs(v, writable, pte.attrs.dirty, pte.attrs.accessed);
        a.global = pte.attrs.global;
        a.cache = pte.attrs.cache;
        a.sw = pte.attrs.sw;
        if (a == pte.attrs) continue;
        mm.pt->protect(va, a);
        ++changed;
    }
    if (changed) tlb_.flush_range(mm, v.start, v.end, caller);
}

SysStatus KernelImpl::mprotect(Tid caller, VirtAddr start, std::uint64_t len, int prot) {
    Thread* t = enter(caller);
    if (!t) return Errno::Srch;
    Mm& mm = *t->proc->mm;
    if (!aligned(start.value)) return Errno::Inval;
    if (!len) return {};
    if (len > ~0ull - ps_) return Errno::NoMem;
    len = page_align(len);
    VirtAddr end = start + len;
    if (end <= start) return Errno::NoMem;
    const int grows = prot & (sys::kProtGrowsDown | sys::kProtGrowsUp);
    prot &= ~grows;
    if (grows == (sys::kProtGrowsDown | sys::kProtGrowsUp)) return Errno::Inval;
    if (prot & ~(sys::kProtRead | sys::kProtWrite | sys::kProtExec | sys::kProtSem)) return Errno::Inval;
    Vma* v = mm.vmas.find(start);
    if (!v) return Errno::NoMem;
    if (grows & sys::kProtGrowsDown) {
        if (v->start >= end) return Errno::NoMem;
        start = v->start;
        if (!(v->flags & vm::kGrowsDown)) return Errno::Inval;
    } else if (grows & sys::kProtGrowsUp) {
        return Errno::Inval;  // no VM_GROWSUP VMAs on these architectures
    } else if (v->start > start) {
        return Errno::NoMem;
    }
    const VmFlags want = calc_vm_prot_bits(prot);
    VirtAddr nstart = start;
    for (;;) {
        VmFlags newflags = want | (v->flags & ~vm::kAccessFlags);
        // Each requested right needs its VM_MAY* bit (VM_MAYREAD = VM_READ << 4, ...).
        if ((newflags & ~(newflags >> 4)) & vm::kAccessFlags) return Errno::Acces;
        const VirtAddr tmp = std::min(v->end, end);
        if (newflags != v->flags) {
            // mprotect_fixup: making a private mapping writable commits its memory.
            const std::uint64_t n = pages(tmp - nstart);
            if (newflags & vm::kWrite) {
                if (!(v->flags & (vm::kAccount | vm::kWrite | vm::kHugeTlb | vm::kShared | vm::kNoReserve))) {
                    if (!vm_enough_memory(n)) return Errno::NoMem;
                    newflags |= vm::kAccount;
                }
            } else if ((v->flags & vm::kAccount) && !v->file && !v->anon_vma) {
                newflags &= ~vm::kAccount;
                vm_unacct_memory(n);
            }
            const VmFlags oldflags = v->flags;
            Errno err = Errno::None;
            Vma* nv = vma_modify(mm, v, nstart, tmp, [&](Vma& x) {
                x.flags = newflags;
                vm_stat_account(mm, oldflags, -static_cast<std::int64_t>(n));
                vm_stat_account(mm, newflags, static_cast<std::int64_t>(n));
                change_protection(mm, x, t);
            }, &err);
            if (!nv) return err;
        }
        nstart = tmp;
        if (nstart >= end) break;
        v = mm.vmas.find(nstart);
        if (!v || v->start != nstart) return Errno::NoMem;
    }
    return {};
}

// ---- mlock ---------------------------------------------------------------------------

// apply_vma_lock_flags over [start, end): VM_LOCKED/VM_LOCKONFAULT set to `lock`.
Errno KernelImpl::apply_lock(Mm& mm, VirtAddr start, VirtAddr end, VmFlags lock) {
    if (end < start) return Errno::Inval;
    if (end == start) return Errno::None;
    Vma* v = mm.vmas.find(start);
    if (!v || v->start > start) return Errno::NoMem;
    VirtAddr nstart = start;
    for (;;) {
        const VirtAddr tmp = std::min(v->end, end);
        const VmFlags newflags = (v->flags & ~(vm::kLocked | vm::kLockOnFault)) | lock;
        if (newflags != v->flags && !(v->flags & vm::kSpecial)) {
            const bool was = v->flags & vm::kLocked;
            const std::uint64_t n = pages(tmp - nstart);
            Errno err = Errno::None;
            Vma* nv = vma_modify(mm, v, nstart, tmp, [&](Vma& x) { x.flags = newflags; }, &err);
            if (!nv) return err;
            if ((lock & vm::kLocked) && !was) mm.locked_vm += n;
            if (!(lock & vm::kLocked) && was) mm.locked_vm -= n;
        }
        nstart = tmp;
        if (nstart >= end) break;
        v = mm.vmas.find(nstart);
        if (!v || v->start != nstart) return Errno::NoMem;
    }
    return Errno::None;
}

std::uint64_t KernelImpl::locked_pages_in(Mm& mm, VirtAddr start, VirtAddr end) {
    std::uint64_t n = 0;
    for (Vma* v = mm.vmas.find(start); v && v->start < end; v = mm.vmas.next(v))
        if (v->flags & vm::kLocked) n += pages(std::min(v->end, end) - std::max(v->start, start));
    return n;
}

SysStatus KernelImpl::mlock(Tid caller, VirtAddr addr, std::uint64_t len, int flags) {
    Thread* t = enter(caller);
    if (!t) return Errno::Srch;
    Mm& mm = *t->proc->mm;
    if (flags & ~sys::kMlockOnFault) return Errno::Inval;
    if (mm.lim.memlock == 0) return Errno::Perm;  // can_do_mlock(), without CAP_IPC_LOCK
    const std::uint64_t off = addr.offset_in(page_);
    if (len > ~0ull - ps_ - off) return Errno::Inval;
    len = page_align(len + off);
    const VirtAddr start = addr.align_down(page_);
    const VirtAddr end = start + len;
    if (end < start) return Errno::Inval;
    // RLIMIT_MEMLOCK, counting pages already locked in the range once (unprivileged).
    const std::uint64_t limit = mm.lim.memlock >> page_.shift;
    std::uint64_t locked = pages(len) + mm.locked_vm;
    if (locked > limit) {
        locked -= locked_pages_in(mm, start, end);
        if (locked > limit) return Errno::NoMem;
    }
    const VmFlags lock = vm::kLocked | ((flags & sys::kMlockOnFault) ? vm::kLockOnFault : 0);
    if (Errno e = apply_lock(mm, start, end, lock); e != Errno::None) return e;
    if (!(flags & sys::kMlockOnFault)) {
        // __mlock_posix_error_return: GUP's EFAULT becomes ENOMEM, its ENOMEM EAGAIN.
        const Errno e = populate(*t->proc, t, start, end);
        if (e == Errno::Fault) return Errno::NoMem;
        if (e == Errno::NoMem) return Errno::Again;
    }
    return {};
}

SysStatus KernelImpl::munlock(Tid caller, VirtAddr addr, std::uint64_t len) {
    Thread* t = enter(caller);
    if (!t) return Errno::Srch;
    const std::uint64_t off = addr.offset_in(page_);
    if (len > ~0ull - ps_ - off) return Errno::Inval;
    len = page_align(len + off);
    const VirtAddr start = addr.align_down(page_);
    if (Errno e = apply_lock(*t->proc->mm, start, start + len, 0); e != Errno::None) return e;
    return {};
}

SysStatus KernelImpl::mlockall(Tid caller, int flags) {
    Thread* t = enter(caller);
    if (!t) return Errno::Srch;
    Mm& mm = *t->proc->mm;
    if (!flags || (flags & ~(sys::kMclCurrent | sys::kMclFuture | sys::kMclOnFault)) || flags == sys::kMclOnFault)
        return Errno::Inval;
    if (mm.lim.memlock == 0) return Errno::Perm;
    if ((flags & sys::kMclCurrent) && mm.total_vm > (mm.lim.memlock >> page_.shift)) return Errno::NoMem;
    const VmFlags lock = vm::kLocked | ((flags & sys::kMclOnFault) ? vm::kLockOnFault : 0);
    mm.def_flags &= ~(vm::kLocked | vm::kLockOnFault);
    if (flags & sys::kMclFuture) mm.def_flags |= lock;
    if (flags & sys::kMclCurrent) {
        VirtAddr addr{0};
        while (Vma* v = mm.vmas.find(addr)) {
            const VirtAddr s = v->start, e = v->end;
            apply_lock(mm, s, e, lock);
            addr = e;
        }
        if (!(flags & sys::kMclOnFault)) populate(*t->proc, t, VirtAddr{0}, VirtAddr{task_size_});
    }
    return {};
}

SysStatus KernelImpl::munlockall(Tid caller) {
    Thread* t = enter(caller);
    if (!t) return Errno::Srch;
    Mm& mm = *t->proc->mm;
    mm.def_flags &= ~(vm::kLocked | vm::kLockOnFault);
    VirtAddr addr{0};
    while (Vma* v = mm.vmas.find(addr)) {
        const VirtAddr s = v->start, e = v->end;
        apply_lock(mm, s, e, 0);
        addr = e;
    }
    return {};
}

}  // namespace vmlab
