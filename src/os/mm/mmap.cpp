// mmap, munmap, brk, mremap and the VMA bookkeeping behind them (mm/mmap.c, mm/vma.c,
// mm/mremap.c), with Linux's argument checks and errno values.
#include <algorithm>

#include "os/internal.hpp"

namespace vmlab {
using namespace os;

namespace {
// include/linux/mman.h LEGACY_MAP_MASK: the flags MAP_SHARED accepts without validation.
constexpr int kLegacyMapMask = sys::kMapShared | sys::kMapPrivate | sys::kMapFixed | sys::kMapAnonymous |
                               sys::kMapDenyWrite | sys::kMapExecutable | 0x4000000 /* MAP_UNINITIALIZED */ |
                               sys::kMapGrowsDown | sys::kMapLocked | sys::kMapNoReserve | sys::kMapPopulate |
                               sys::kMapNonBlock | sys::kMapStack | sys::kMapHugeTlb;
constexpr std::uint64_t kMaxLfsFileSize = (std::uint64_t{1} << 63) - 1;

}  // namespace

bool KernelImpl::accountable(const Vma& v) {
    return (v.flags & (vm::kNoReserve | vm::kShared | vm::kWrite)) == vm::kWrite;
}

bool KernelImpl::can_merge(const Vma& a, const Vma& b) const {
    // is_mergeable_vma + is_mergeable_anon_vma + the file-offset contiguity test.
    if (a.end != b.start) return false;
    if (((a.flags ^ b.flags) & ~vm::kSoftDirty) != 0) return false;
    if (a.flags & vm::kSpecial) return false;
    if (a.file != b.file) return false;
    if (a.pgoff + pages(a.size()) != b.pgoff) return false;
    if (a.anon_vma && b.anon_vma && a.anon_vma != b.anon_vma) return false;
    if (a.anon_name != b.anon_name || a.special_name != b.special_name) return false;
    return true;
}

Vma* KernelImpl::split_vma(Mm& mm, Vma* v, VirtAddr at) {
    VMLAB_ASSERT(v->start < at && at < v->end, "split outside the VMA");
    Vma upper = *v;
    upper.start = at;
    upper.pgoff = v->pgoff + (at - v->start) / ps_;
    upper.min_flt = upper.maj_flt = 0;
    mm.vmas.reshape(v, v->start, at);
    return mm.vmas.insert(std::move(upper));
}

Vma* KernelImpl::merge_around(Mm& mm, Vma* v) {
    if (Vma* prev = mm.vmas.prev(v); prev && can_merge(*prev, *v)) {
        if (!prev->anon_vma) prev->anon_vma = v->anon_vma;
        prev->anon_forked = prev->anon_forked || v->anon_forked;
        prev->min_flt += v->min_flt;
        prev->maj_flt += v->maj_flt;
        const VirtAddr end = v->end;
        mm.vmas.erase(v);
        mm.vmas.reshape(prev, prev->start, end);
        v = prev;
    }
    if (Vma* next = mm.vmas.next(v); next && can_merge(*v, *next)) {
        if (!v->anon_vma) v->anon_vma = next->anon_vma;
        v->anon_forked = v->anon_forked || next->anon_forked;
        v->min_flt += next->min_flt;
        v->maj_flt += next->maj_flt;
        const VirtAddr end = next->end;
        mm.vmas.erase(next);
        mm.vmas.reshape(v, v->start, end);
    }
    return v;
}

// ---- get_unmapped_area -------------------------------------------------------------

namespace {
VirtAddr vm_start_gap(const Vma& v, std::uint64_t guard) {
    if (!(v.flags & vm::kGrowsDown)) return v.start;
    return v.start.value > guard ? v.start - guard : VirtAddr{0};
}
}  // namespace

// Returns the address or the errno as a negative-free SysResult.
SysResult<VirtAddr> KernelImpl::unmapped_area(Mm& mm, VirtAddr addr, std::uint64_t len, VmFlags vm_flags,
                                         bool fixed) {
    // mm/mmap.c __get_unmapped_area + arch_get_unmapped_area_topdown (x86-64, generic).
    if (len > task_size_) return Errno::NoMem;
    const std::uint64_t guard = cfg_.stack_guard_gap_pages * ps_;
    VirtAddr r{};
    if (fixed) {
        r = addr;
    } else {
        if (len > task_size_ - std::min(task_size_, cfg_.mmap_min_addr)) return Errno::NoMem;
        bool found = false;
        if (addr.value) {
            const VirtAddr a = addr.align_down(page_);
            if (a.value <= task_size_ - len && a.value >= cfg_.mmap_min_addr) {
                Vma* next = mm.vmas.find(a);
                if (!next || a.value + len <= vm_start_gap(*next, guard).value) {
                    r = a;
                    found = true;
                }
            }
        }
        if (!found) {
            // vm_unmapped_area, top-down below mmap_base; a new stack keeps its guard gap.
            const std::uint64_t start_gap = (vm_flags & vm::kGrowsDown) ? guard : 0;
            const std::uint64_t length = len + start_gap;
            const VirtAddr low{std::max(ps_, cfg_.mmap_min_addr)};
            VirtAddr high = mm.mmap_base;
            while (length >= len) {
                auto g = mm.vmas.highest_gap(low, high, length);
                if (!g) break;
                const VirtAddr gap_end = g->hi;
                Vma* next = mm.vmas.first_at_or_after(gap_end);
                if (next && (next->flags & vm::kGrowsDown) && vm_start_gap(*next, guard) < gap_end) {
                    high = vm_start_gap(*next, guard);
                    continue;
                }
                r = gap_end - len;
                found = true;
                break;
            }
            if (!found) {
                // Fall back to bottom-up from TASK_UNMAPPED_BASE (a third of the space).
                VirtAddr lo{page_align(task_size_ / 3)};
                const VirtAddr hi{task_size_};
                while (true) {
                    auto g = mm.vmas.lowest_gap(lo, hi, length);
                    if (!g) return Errno::NoMem;
                    const VirtAddr cand = g->lo + start_gap;
                    Vma* next = mm.vmas.first_at_or_after(g->hi);
                    if (next && (next->flags & vm::kGrowsDown) && vm_start_gap(*next, guard).value < cand.value + len) {
                        lo = next->end;
                        continue;
                    }
                    r = cand;
                    break;
                }
            }
        }
    }
    if (r.value > task_size_ - len) return Errno::NoMem;
    if (!aligned(r.value)) return Errno::Inval;
    if (r.value < cfg_.mmap_min_addr) return Errno::Perm;  // security_mmap_addr, unprivileged
    return r;
}

std::optional<VirtAddr> KernelImpl::get_unmapped_area(Mm& mm, VirtAddr hint, std::uint64_t len, VmFlags vm_flags,
                                                      bool fixed) {
    auto r = unmapped_area(mm, hint, len, vm_flags, fixed);
    if (!r) return std::nullopt;
    return *r;
}

// ---- mmap --------------------------------------------------------------------------------

SysResult<VirtAddr> KernelImpl::mmap_region(Process& p, Thread* caller, const std::shared_ptr<Inode>& file,
                                            VirtAddr addr, std::uint64_t len, VmFlags vm_flags, std::uint64_t pgoff) {
    Mm& mm = *p.mm;
    const VirtAddr end = addr + len;
    if (!may_expand_vm(mm, vm_flags, pages(len))) {
        std::uint64_t overlap = 0;
        for (Vma* v = mm.vmas.find(addr); v && v->start < end; v = mm.vmas.next(v))
            overlap += pages(std::min(v->end, end) - std::max(v->start, addr));
        if (!may_expand_vm(mm, vm_flags, pages(len) - overlap)) return Errno::NoMem;
    }
    if (mm.vmas.intersects(addr, end)) {
        if (Errno e = do_munmap(mm, addr, len, caller); e != Errno::None) return e;
    }
    Vma nv;
    nv.start = addr;
    nv.end = end;
    nv.flags = vm_flags;
    nv.pgoff = pgoff;
    nv.file = file;
    if (accountable(nv)) {
        if (!vm_enough_memory(pages(len))) return Errno::NoMem;
        nv.flags |= vm::kAccount;
    }
    if (!file && (vm_flags & vm::kShared)) {
        // shmem_zero_setup: shared anonymous memory is a tmpfs object of the mapping's size.
        auto ino = cache_.make_inode(Inode::Kind::Shmem, make_memory_store());
        ino->display = "/dev/zero (deleted)";
        ino->path = "dev/zero";
        ino->size = len;
        ino->pages.assign(pages(len), kNoPfn);
        nv.file = std::move(ino);
        nv.pgoff = 0;
    }
    if ((nv.flags & vm::kLocked) && (nv.flags & vm::kSpecial)) nv.flags &= ~(vm::kLocked | vm::kLockOnFault);
    const VmFlags final_flags = nv.flags;
    Vma* v = mm.vmas.insert(std::move(nv));
    merge_around(mm, v);
    vm_stat_account(mm, final_flags, static_cast<std::int64_t>(pages(len)));
    if (final_flags & vm::kLocked) mm.locked_vm += pages(len);
    return addr;
}

SysResult<VirtAddr> KernelImpl::mmap(Tid caller, VirtAddr addr, std::uint64_t len, int prot, int flags, int fd,
                                     std::uint64_t offset) {
    Thread* t = enter(caller);
    if (!t) return Errno::Srch;
    Process& p = *t->proc;
    Mm& mm = *p.mm;
    if (!aligned(offset)) return Errno::Inval;  // sys_mmap: the offset must be page aligned
    std::shared_ptr<OpenFile> of;
    if (!(flags & sys::kMapAnonymous)) {
        auto r = fd_get(p, fd);
        if (!r) return r.error;
        of = *r;
        if (flags & sys::kMapHugeTlb) return Errno::Inval;
    } else if (flags & sys::kMapHugeTlb) {
        return Errno::NoMem;  // no hugetlbfs pages are reserved
    }
    // do_mmap
    if (len == 0) return Errno::Inval;
    if (!(flags & sys::kMapFixed) && addr.value) {
        // round_hint_to_min
        addr = addr.align_down(page_);
        if (addr.value < cfg_.mmap_min_addr) addr = VirtAddr{page_align(cfg_.mmap_min_addr)};
    }
    if (len > ~0ull - ps_) return Errno::NoMem;
    len = page_align(len);
    std::uint64_t pgoff = offset >> page_.shift;
    if (pgoff + pages(len) < pgoff) return Errno::Overflow;
    if (mm.vmas.size() > cfg_.max_map_count) return Errno::NoMem;
    VmFlags vm_flags = calc_vm_prot_bits(prot) | mm.def_flags | vm::kMayRead | vm::kMayWrite | vm::kMayExec;
    if (flags & sys::kMapGrowsDown) vm_flags |= vm::kGrowsDown;
    if (flags & sys::kMapLocked) vm_flags |= vm::kLocked;
    const bool fixed = (flags & (sys::kMapFixed | sys::kMapFixedNoReplace)) != 0;
    auto area = unmapped_area(mm, addr, len, vm_flags, fixed);
    if (!area) return area.error;
    addr = *area;
    if ((flags & sys::kMapFixedNoReplace) && mm.vmas.intersects(addr, addr + len)) return Errno::Exist;
    if ((flags & sys::kMapLocked) && mm.lim.memlock == 0) return Errno::Perm;
    if ((vm_flags & vm::kLocked) && ((mm.locked_vm + pages(len)) << page_.shift) > mm.lim.memlock)
        return Errno::Again;  // mlock_future_ok
    std::shared_ptr<Inode> inode;
    const int type = flags & sys::kMapType;
    if (of) {
        inode = of->inode;
        // file_mmap_ok
        if (len > kMaxLfsFileSize || pgoff > (kMaxLfsFileSize >> page_.shift) ||
            pgoff > (kMaxLfsFileSize >> page_.shift) - pages(len))
            return Errno::Overflow;
        switch (type) {
            case sys::kMapShared:
            case sys::kMapSharedValidate:
                if (type == sys::kMapSharedValidate && (flags & ~kLegacyMapMask)) return Errno::OpNotSupp;
                if ((prot & sys::kProtWrite) && !of->writable()) return Errno::Acces;
                vm_flags |= vm::kShared | vm::kMayShare;
                if (!of->writable()) vm_flags &= ~(vm::kMayWrite | vm::kShared);
                [[fallthrough]];
            case sys::kMapPrivate:
                if (!of->readable()) return Errno::Acces;
                if (inode->is_dir) return Errno::NoDev;
                if (vm_flags & vm::kGrowsDown) return Errno::Inval;
                break;
            default: return Errno::Inval;
        }
        // Only DAX files support MAP_SYNC; ext4's ->mmap refuses it on ordinary files.
        if ((flags & sys::kMapSync) && !inode->is_shmem()) return Errno::OpNotSupp;
    } else {
        switch (type) {
            case sys::kMapShared:
                if (vm_flags & vm::kGrowsDown) return Errno::Inval;
                pgoff = 0;
                vm_flags |= vm::kShared | vm::kMayShare;
                break;
            case sys::kMapPrivate: pgoff = addr.value >> page_.shift; break;
            default: return Errno::Inval;
        }
    }
    if ((flags & sys::kMapNoReserve) && cfg_.overcommit != OvercommitMode::Never) vm_flags |= vm::kNoReserve;
    auto r = mmap_region(p, t, inode, addr, len, vm_flags, pgoff);
    if (!r) return r;
    if ((vm_flags & vm::kLocked) || (flags & (sys::kMapPopulate | sys::kMapNonBlock)) == sys::kMapPopulate)
        populate(p, t, addr, addr + len);
    return addr;
}

Errno KernelImpl::populate(Process& p, Thread* caller, VirtAddr s, VirtAddr e, bool force_write, bool force_read) {
    // mm/gup.c __mm_populate / populate_vma_page_range: fault in what is not mapped with
    // the needed access (write for private writable VMAs, breaking COW), like GUP does.
    Mm& mm = *p.mm;
    Errno err = Errno::None;
    VirtAddr addr = s;
    while (addr < e && p.mm) {
        Vma* v = mm.vmas.find(addr);
        if (!v || v->start >= e) break;
        if (v->start > addr) addr = v->start;
        const VirtAddr vend = std::min(v->end, e);
        if (!(v->flags & vm::kAccessFlags) && err == Errno::None) err = Errno::Fault;
        const bool skip = (v->flags & (vm::kIo | vm::kPfnMap)) || !(v->flags & vm::kAccessFlags) ||
                          ((v->flags & vm::kLockOnFault) && !force_write && !force_read);
        if (!skip) {
            const bool write = force_write || (!force_read && (v->flags & (vm::kWrite | vm::kShared)) == vm::kWrite);
            for (VirtAddr va = addr; va < vend; va = va + ps_) {
                const PteView pte = mm.pt->query(va);
                if (pte.present && (!write || pte.attrs.prot.write)) continue;
                const FaultResult r = handle_mm_fault(p, caller, va, write ? AccessKind::Write : AccessKind::Read,
                                                      pte.present ? FaultKind::Protection : FaultKind::NotPresent);
                if (r.status != FaultStatus::Done) {
                    if (err == Errno::None) err = r.status == FaultStatus::Oom ? Errno::NoMem : Errno::Fault;
                    break;
                }
            }
        }
        addr = vend;
    }
    return err;
}

// ---- munmap ------------------------------------------------------------------------------

Errno KernelImpl::do_munmap(Mm& mm, VirtAddr start, std::uint64_t len, Thread* caller, bool writeback) {
    const VirtAddr end = start + page_align(len);
    Vma* v = mm.vmas.find(start);
    if (!v || v->start >= end) return Errno::None;
    if (v->start < start) {
        // Splitting one VMA into three needs a free map slot.
        if (end < v->end && mm.vmas.size() >= cfg_.max_map_count) return Errno::NoMem;
        v = split_vma(mm, v, start);
    }
    if (Vma* last = mm.vmas.find(end - 1); last && last->start < end && last->end > end) split_vma(mm, last, end);
    Writeback wb;
    std::uint64_t cleared = 0;
    VirtAddr addr = start;
    while (Vma* x = mm.vmas.find(addr)) {
        if (x->start >= end) break;
        cleared += zap_range(mm, *x, x->start, x->end, &wb);
        const std::uint64_t n = pages(x->size());
        if (x->flags & vm::kAccount) vm_unacct_memory(n);
        if (x->flags & vm::kLocked) mm.locked_vm -= n;
        vm_stat_account(mm, x->flags, -static_cast<std::int64_t>(n));
        addr = x->end;
        mm.vmas.erase(x);
    }
    if (cleared) tlb_.flush_range(mm, start, end, caller);
    if (writeback) write_back(wb);
    return Errno::None;
}

SysStatus KernelImpl::munmap(Tid caller, VirtAddr addr, std::uint64_t len) {
    Thread* t = enter(caller);
    if (!t) return Errno::Srch;
    if (!aligned(addr.value) || addr.value > task_size_ || len > task_size_ - addr.value) return Errno::Inval;
    if (page_align(len) == 0) return Errno::Inval;
    if (Errno e = do_munmap(*t->proc->mm, addr, len, t); e != Errno::None) return e;
    return {};
}

// ---- brk ---------------------------------------------------------------------------------

VirtAddr KernelImpl::do_brk(Process& p, Thread* caller, VirtAddr brk) {
    Mm& mm = *p.mm;
    const VirtAddr orig = mm.brk;
    if (brk < mm.start_brk) return orig;
    if (mm.lim.data != ~0ull &&
        (brk - mm.start_brk) + (mm.end_data - mm.start_data) > mm.lim.data)  // check_data_rlimit
        return orig;
    const VirtAddr newbrk{page_align(brk.value)}, oldbrk{page_align(mm.brk.value)};
    if (oldbrk == newbrk) {
        mm.brk = brk;
        return brk;
    }
    if (brk <= mm.brk) {
        // Shrinking always works (unless the unmap needs a map slot it cannot have).
        mm.brk = brk;
        if (do_munmap(mm, newbrk, oldbrk - newbrk, caller) != Errno::None) {
            mm.brk = orig;
            return orig;
        }
        return brk;
    }
    const std::uint64_t guard = cfg_.stack_guard_gap_pages * ps_;
    if (Vma* next = mm.vmas.find(oldbrk); next && next->start.value < newbrk.value + ps_ + guard &&
                                          newbrk.value + ps_ > vm_start_gap(*next, guard).value)
        return orig;
    // do_brk_flags
    const std::uint64_t n = pages(newbrk - oldbrk);
    const VmFlags flags = vm::kRead | vm::kWrite | vm::kMayRead | vm::kMayWrite | vm::kMayExec | vm::kAccount |
                          mm.def_flags;
    if (!may_expand_vm(mm, flags, n)) return orig;
    if (mm.vmas.size() > cfg_.max_map_count) return orig;
    if (!vm_enough_memory(n)) return orig;
    Vma* prev = mm.vmas.prev_of(oldbrk);
    Vma probe;
    probe.start = oldbrk;
    probe.end = newbrk;
    probe.flags = flags;
    probe.pgoff = oldbrk.value >> page_.shift;
    if (prev && prev->start >= mm.start_brk && can_merge(*prev, probe)) {
        mm.vmas.reshape(prev, prev->start, newbrk);
    } else {
        mm.vmas.insert(std::move(probe));
    }
    vm_stat_account(mm, flags, static_cast<std::int64_t>(n));
    if (flags & vm::kLocked) mm.locked_vm += n;
    mm.brk = brk;
    if (flags & vm::kLocked) populate(p, caller, oldbrk, newbrk);
    return brk;
}

VirtAddr KernelImpl::brk(Tid caller, VirtAddr addr) {
    Thread* t = enter(caller);
    if (!t) return VirtAddr{0};
    return do_brk(*t->proc, t, addr);
}

SysResult<VirtAddr> KernelImpl::sbrk(Tid caller, std::int64_t increment) {
    // glibc misc/sbrk.c over brk(2).
    Thread* t = enter(caller);
    if (!t) return Errno::Srch;
    Mm& mm = *t->proc->mm;
    const VirtAddr old = mm.brk;
    if (increment == 0) return old;
    const std::uint64_t inc = static_cast<std::uint64_t>(increment);
    if (increment > 0 ? old.value + inc < old.value : old.value < 0 - inc) return Errno::NoMem;
    const VirtAddr want{old.value + inc};
    const VirtAddr got = do_brk(*t->proc, t, want);
    if (got < want) return Errno::NoMem;
    return old;
}

// ---- mremap ------------------------------------------------------------------------------

KernelImpl::Resize KernelImpl::vma_to_resize(Mm& mm, VirtAddr addr, std::uint64_t old_len, std::uint64_t new_len,
                            int flags) {
    Vma* v = mm.vmas.lookup(addr);
    if (!v) return {nullptr, Errno::Fault};
    if (!old_len && !(v->flags & (vm::kShared | vm::kMayShare))) return {nullptr, Errno::Inval};
    if ((flags & sys::kMremapDontUnmap) && (v->flags & (vm::kDontExpand | vm::kPfnMap))) return {nullptr, Errno::Inval};
    if (old_len > v->end - addr) return {nullptr, Errno::Fault};
    if (new_len == old_len) return {v, Errno::None};
    const std::uint64_t pgoff = v->pgoff + (addr - v->start) / ps_;
    if (pgoff + pages(new_len) < pgoff) return {nullptr, Errno::Inval};
    if (v->flags & (vm::kDontExpand | vm::kPfnMap)) return {nullptr, Errno::Fault};
    const std::uint64_t grow = new_len > old_len ? pages(new_len - old_len) : 0;
    if ((v->flags & vm::kLocked) && ((mm.locked_vm + grow) << page_.shift) > mm.lim.memlock)
        return {nullptr, Errno::Again};
    if (!may_expand_vm(mm, v->flags, grow)) return {nullptr, Errno::NoMem};
    return {v, Errno::None};
}

SysResult<VirtAddr> KernelImpl::move_vma(Process& p, Thread* t, Vma* v, VirtAddr old_addr,
                                    std::uint64_t old_len, std::uint64_t new_len, VirtAddr new_addr, int flags) {
    Mm& mm = *p.mm;
    if (mm.vmas.size() + 3 >= cfg_.max_map_count) return Errno::NoMem;
    Vma nv = *v;
    nv.start = new_addr;
    nv.end = new_addr + new_len;
    nv.pgoff = v->pgoff + (old_addr - v->start) / ps_;
    // copy_vma: an anonymous VMA never faulted takes the new address as its offset, so
    // that it can merge at its new place.
    if (!nv.file && !nv.anon_vma) nv.pgoff = new_addr.value >> page_.shift;
    nv.min_flt = nv.maj_flt = 0;
    if (nv.flags & vm::kAccount) {
        if (!vm_enough_memory(pages(new_len))) return Errno::NoMem;
    }
    const VmFlags vflags = nv.flags;
    Vma* moved = mm.vmas.insert(std::move(nv));
    // move_page_tables: the PTEs (and the rmap entries) move with their pages.
    std::vector<std::pair<VirtAddr, PteView>> leaves;
    const VirtAddr old_end = old_addr + std::min(old_len, new_len);
    mm.pt->for_each_leaf(old_addr, old_end, [&](VirtAddr va, const PteView& pte) { leaves.emplace_back(va, pte); });
    for (auto& [va, pte] : leaves) {
        mm.pt->unmap(va);
        if (!pte.present) continue;
        const VirtAddr nva = new_addr + (va - old_addr);
        const bool mapped = static_cast<bool>(mm.pt->map(nva, pte.base, pte.size, pte.attrs));
        const Pfn f = pte.base.pfn(page_);
        if (frames_.is_zero(f)) continue;
        if (mapped) {
            frames_.move_mapping(f, &mm, va, nva, pte.size);
        } else {
            // No memory for a page table: the page is dropped as a zap would.
            frames_.remove_mapping(f, &mm, va);
            rss_add(mm, rss_kind(f), -static_cast<std::int64_t>(pages(pte.size.bytes())));
            frames_.put(f);
        }
    }
    if (!leaves.empty()) tlb_.flush_range(mm, old_addr, old_end, t);
    vm_stat_account(mm, vflags, static_cast<std::int64_t>(pages(new_len)));
    if (vflags & vm::kLocked) mm.locked_vm += pages(new_len);
    if (!(flags & sys::kMremapDontUnmap)) do_munmap(mm, old_addr, old_len, t);
    moved = mm.vmas.lookup(new_addr);
    merge_around(mm, moved);
    if ((vflags & vm::kLocked) && new_len > old_len) populate(p, t, new_addr + old_len, new_addr + new_len);
    return new_addr;
}

SysResult<VirtAddr> KernelImpl::mremap(Tid caller, VirtAddr addr, std::uint64_t old_len, std::uint64_t new_len,
                                       int flags, VirtAddr new_addr) {
    Thread* t = enter(caller);
    if (!t) return Errno::Srch;
    Process& p = *t->proc;
    Mm& mm = *p.mm;
    if (flags & ~(sys::kMremapMayMove | sys::kMremapFixed | sys::kMremapDontUnmap)) return Errno::Inval;
    if ((flags & sys::kMremapFixed) && !(flags & sys::kMremapMayMove)) return Errno::Inval;
    if ((flags & sys::kMremapDontUnmap) && (!(flags & sys::kMremapMayMove) || old_len != new_len))
        return Errno::Inval;
    if (!aligned(addr.value)) return Errno::Inval;
    if (old_len > ~0ull - ps_ || new_len > ~0ull - ps_) return Errno::Inval;
    old_len = page_align(old_len);
    new_len = page_align(new_len);
    if (!new_len) return Errno::Inval;
    if (!mm.vmas.lookup(addr)) return Errno::Fault;

    if (flags & (sys::kMremapFixed | sys::kMremapDontUnmap)) {
        // mremap_to
        if (!aligned(new_addr.value)) return Errno::Inval;
        if (new_len > task_size_ || new_addr.value > task_size_ - new_len) return Errno::Inval;
        if (addr.value + old_len > new_addr.value && new_addr.value + new_len > addr.value) return Errno::Inval;
        if (flags & sys::kMremapDontUnmap) {
            Vma* v = mm.vmas.lookup(addr);
            if (!may_expand_vm(mm, v->flags, pages(old_len))) return Errno::NoMem;
        }
        if (flags & sys::kMremapFixed) {
            if (Errno e = do_munmap(mm, new_addr, new_len, t); e != Errno::None) return e;
        }
        if (old_len > new_len) {
            if (Errno e = do_munmap(mm, addr + new_len, old_len - new_len, t); e != Errno::None) return e;
            old_len = new_len;
        }
        const KernelImpl::Resize rs = vma_to_resize(mm, addr, old_len, new_len, flags);
        if (!rs.vma) return rs.err;
        auto area = unmapped_area(mm, new_addr, new_len, rs.vma->flags, (flags & sys::kMremapFixed) != 0);
        if (!area) return area.error;
        if (!(flags & sys::kMremapFixed)) new_addr = *area;
        return move_vma(p, t, rs.vma, addr, old_len, new_len, new_addr, flags);
    }
    if (old_len >= new_len) {
        if (old_len == new_len) return addr;
        if (Errno e = do_munmap(mm, addr + new_len, old_len - new_len, t); e != Errno::None) return e;
        return addr;
    }
    const KernelImpl::Resize rs = vma_to_resize(mm, addr, old_len, new_len, flags);
    if (!rs.vma) return rs.err;
    Vma* v = rs.vma;
    if (old_len == v->end - addr) {
        // vma_expandable: room above, and a valid range for a fixed mapping.
        const std::uint64_t delta = new_len - old_len;
        const VirtAddr end{v->end.value + delta};
        if (end > v->end && !mm.vmas.intersects(v->end, end) &&
            unmapped_area(mm, v->start, end - v->start, 0, true)) {
            if (!(v->flags & vm::kAccount) || vm_enough_memory(pages(delta))) {
                const VirtAddr old_end = v->end;
                mm.vmas.reshape(v, v->start, end);
                vm_stat_account(mm, v->flags, static_cast<std::int64_t>(pages(delta)));
                if (v->flags & vm::kLocked) {
                    mm.locked_vm += pages(delta);
                    populate(p, t, old_end, end);
                }
                merge_around(mm, v);
                return addr;
            }
        }
    }
    if (flags & sys::kMremapMayMove) {
        auto area = unmapped_area(mm, VirtAddr{0}, new_len, v->flags & vm::kGrowsDown, false);
        if (!area) return area.error;
        return move_vma(p, t, v, addr, old_len, new_len, *area, flags);
    }
    return Errno::NoMem;
}

}  // namespace vmlab
