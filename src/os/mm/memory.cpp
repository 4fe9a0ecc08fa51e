// Frames, PTEs and TLB maintenance: the kernel's side of the hardware interface.
#include "os/internal.hpp"

namespace vmlab::os {

namespace {
// Linux's tlb_single_page_flush_ceiling: beyond this many pages a range flush becomes a
// flush of the whole address space.
constexpr std::uint64_t kFlushCeiling = 33;
}  // namespace

LeafAttrs KernelImpl::pte_attrs(const Vma& v, bool writable, bool dirty, bool young) const {
    LeafAttrs a;
    // Any accessible VMA is readable (x86 cannot express write- or exec-only pages, and
    // the fault handler's access check follows the same rule). PROT_NONE pages stay
    // mapped as kernel-only pages so that their contents survive, as _PAGE_PROTNONE does.
    const bool accessible = (v.flags & vm::kAccessFlags) != 0;
    a.prot.user = accessible;
    a.prot.read = true;
    a.prot.write = accessible && writable && (v.flags & vm::kWrite);
    a.prot.exec = accessible && (v.flags & vm::kExec);
    a.accessed = young;
    a.dirty = dirty;
    return a;
}

KernelImpl::RssKind KernelImpl::rss_kind(Pfn p) const {
    if (frames_.test(p, kPgAnon)) return RssKind::Anon;
    if (frames_.test(p, kPgShmem)) return RssKind::Shmem;
    return RssKind::File;
}

void KernelImpl::rss_add(Mm& mm, RssKind k, std::int64_t n) {
    switch (k) {
        case RssKind::Anon: mm.rss_anon += static_cast<std::uint64_t>(n); break;
        case RssKind::File: mm.rss_file += static_cast<std::uint64_t>(n); break;
        case RssKind::Shmem: mm.rss_shmem += static_cast<std::uint64_t>(n); break;
    }
    if (n > 0 && mm.rss() > mm.hiwater_rss) mm.hiwater_rss = mm.rss();
}

bool KernelImpl::map_page(Mm& mm, const Vma& v, VirtAddr va, Pfn p, PageSize size, bool writable, bool dirty,
                          bool young) {
    VMLAB_ASSERT(size.bytes() == ps_ * frames_.frames(p), "map_page: the leaf size is not the block's size");
    if (!mm.pt->map(va, pa_of(p), size, pte_attrs(v, writable, dirty, young))) return false;
    frames_.get(p);
    frames_.add_mapping(p, &mm, va, size);
    rss_add(mm, rss_kind(p), static_cast<std::int64_t>(size.bytes() >> page_.shift));
    return true;
}

bool KernelImpl::map_zero_page(Mm& mm, const Vma& v, VirtAddr va) {
    return static_cast<bool>(mm.pt->map(va, pa_of(frames_.zero_pfn()), page_, pte_attrs(v, false, false, true)));
}

void KernelImpl::drop_mapping(Mm& mm, const Vma& v, VirtAddr va, const PteView& pte, Writeback* wb) {
    const Pfn p = pte.base.pfn(page_);
    if (frames_.is_zero(p)) return;
    const RssKind kind = rss_kind(p);
    if (kind != RssKind::Anon) {
        // A young PTE marks the page accessed when it goes (zap_present_folio_ptes).
        if (pte.attrs.accessed) frames_.set(p, kPgReferenced);
        // A dirty PTE of a shared file page makes the page dirty (zap_pte_range).
        if (pte.attrs.dirty && (v.flags & vm::kShared)) frames_.set(p, kPgDirty);
        if (wb && v.file && !v.file->is_shmem() && frames_.test(p, kPgDirty) && (v.flags & vm::kShared))
            wb->pages.emplace_back(v.file, v.pgoff + (va - v.start) / ps_);
    }
    frames_.remove_mapping(p, &mm, va);
    rss_add(mm, kind, -static_cast<std::int64_t>(pte.size.bytes() >> page_.shift));
    frames_.put(p);
}

std::uint64_t KernelImpl::zap_range(Mm& mm, const Vma& v, VirtAddr s, VirtAddr e, Writeback* wb) {
    std::vector<VirtAddr> vas;
    mm.pt->for_each_leaf(s, e, [&](VirtAddr va, const PteView& pte) {
        // A huge leaf is zapped whole; splitting one (split_huge_pmd) is not modelled.
        VMLAB_ASSERT(va >= s && va + pte.size.bytes() <= e, "zap_range: the range cuts a huge leaf");
        vas.push_back(va);
    });
    for (VirtAddr va : vas) {
        PteView pte = mm.pt->unmap(va);
        if (pte.present) drop_mapping(mm, v, va, pte, wb);
    }
    return vas.size();
}

void KernelImpl::write_back(Writeback& wb) {
    for (auto& [ino, index] : wb.pages) writeback_page(*ino, index);
    wb.pages.clear();
}

void KernelImpl::flush_local(Mm& mm, VirtAddr va, Thread* t) {
    if (!t) t = ctx_;
    if (!t || cpus_[t->cpu].loaded != &mm) {
        flush_page(mm, va, t);
        return;
    }
    machine_.mmu(t->cpu).flush_va(va, mm.asid);
    ++stats_.local_flushes;
    for (unsigned c = 0; c < cpus_.size(); ++c)
        if (c != t->cpu && cpus_[c].loaded != &mm && mm.used[c]) mm.stale[c] = 1;
}

void KernelImpl::flush_range(Mm& mm, VirtAddr s, VirtAddr e, Thread* caller) {
    if (!caller && ctx_ && ctx_->proc->mm.get() == &mm) caller = ctx_;
    const std::uint64_t n = (e - s) / ps_;
    const int local = caller ? static_cast<int>(caller->cpu) : -1;
    for (unsigned c = 0; c < cpus_.size(); ++c) {
        if (cpus_[c].loaded == &mm) {
            Mmu& mmu = machine_.mmu(c);
            if (n > kFlushCeiling) {
                mmu.flush_asid(mm.asid);
            } else {
                for (std::uint64_t i = 0; i < n; ++i) mmu.flush_va(s + i * ps_, mm.asid);
            }
            if (static_cast<int>(c) == local || !caller) {
                ++stats_.local_flushes;
            } else {
                ++stats_.shootdowns;
                stats_.shootdown_cycles += cost_.shootdown_cycles;
                charge_ += cost_.shootdown_cycles;
                caller->proc->cycles += cost_.shootdown_cycles;
            }
        } else if (mm.used[c]) {
            mm.stale[c] = 1;
        }
    }
}

void KernelImpl::flush_mm(Mm& mm, Thread* caller) {
    // A whole-mm flush is a range flush above the ceiling.
    flush_range(mm, VirtAddr{0}, VirtAddr{(kFlushCeiling + 1) * ps_}, caller);
}

void KernelImpl::place_thread(Thread& t) {
    t.cpu = next_cpu_++ % static_cast<unsigned>(cpus_.size());
    cpus_[t.cpu].runq.push_back(t.tid);
}

void KernelImpl::unplace_thread(Thread& t) {
    if (ctx_ == &t) ctx_ = nullptr;
    Cpu& c = cpus_[t.cpu];
    std::erase(c.runq, t.tid);
    if (c.current == t.tid) {
        c.current = 0;
        c.ticks = 0;
    }
}

void KernelImpl::load_mm(unsigned cpu, Mm* mm) {
    Cpu& c = cpus_[cpu];
    if (c.loaded == mm && !mm->asid_shared) {
        if (mm->stale[cpu]) {
            machine_.mmu(cpu).flush_asid(mm->asid);
            mm->stale[cpu] = 0;
            ++stats_.lazy_flushes;
        }
        return;
    }
    Mmu& mmu = machine_.mmu(cpu);
    mmu.set_root(mm->pt->root(), mm->asid);
    c.loaded = mm;
    if (mm->asid_shared || mm->stale[cpu]) {
        mmu.flush_asid(mm->asid);
        mm->stale[cpu] = 0;
        ++stats_.lazy_flushes;
    }
    mm->used[cpu] = 1;
}

void KernelImpl::switch_in(unsigned cpu, Thread& t) {
    Cpu& c = cpus_[cpu];
    if (c.current == t.tid) {
        if (c.loaded != t.proc->mm.get()) load_mm(cpu, t.proc->mm.get());
        return;
    }
    ++stats_.context_switches;
    c.current = t.tid;
    c.ticks = 0;
    load_mm(cpu, t.proc->mm.get());
}

std::unique_ptr<Mm> KernelImpl::new_mm(Process* owner) {
    auto pt = PageTable::create(fmt_, mem_);
    if (!pt) return nullptr;
    auto mm = std::make_unique<Mm>();
    mm->id = next_mm_id_++;
    mm->owner = owner;
    mm->pt = std::move(*pt);
    mm->lim.stack = cfg_.stack_rlimit;
    mm->lim.data = cfg_.data_rlimit;
    mm->lim.as = cfg_.as_rlimit;
    mm->lim.memlock = cfg_.memlock_rlimit;
    mm->lim.nofile = cfg_.nofile_rlimit;
    mm->used.assign(cpus_.size(), 0);
    mm->stale.assign(cpus_.size(), 0);
    if (!free_asids_.empty()) {
        mm->asid = Asid{free_asids_.back()};
        free_asids_.pop_back();
    } else {
        mm->asid = Asid{0};
        mm->asid_shared = true;
    }
    return mm;
}

void KernelImpl::destroy_mm(std::unique_ptr<Mm> mm, Thread* caller) {
    Writeback wb;
    while (Vma* v = mm->vmas.first()) {
        zap_range(*mm, *v, v->start, v->end, &wb);
        if (v->flags & vm::kAccount) vm_unacct_memory(pages(v->size()));
        vm_stat_account(*mm, v->flags, -static_cast<std::int64_t>(pages(v->size())));
        if (v->flags & vm::kLocked) mm->locked_vm -= pages(v->size());
        mm->vmas.erase(v);
    }
    for (unsigned c = 0; c < cpus_.size(); ++c) {
        if (cpus_[c].loaded == mm.get()) cpus_[c].loaded = nullptr;
        // The ASID will be reused: no CPU may keep entries tagged with it.
        if (mm->used[c]) machine_.mmu(c).flush_asid(mm->asid);
    }
    if (!mm->asid_shared) free_asids_.push_back(mm->asid.value);
    mm.reset();
    write_back(wb);
}

void KernelImpl::vm_stat_account(Mm& mm, VmFlags flags, std::int64_t npages) {
    const auto n = static_cast<std::uint64_t>(npages);
    mm.total_vm += n;
    if ((flags & (vm::kExec | vm::kWrite | vm::kGrowsDown)) == vm::kExec)
        mm.exec_vm += n;
    else if (flags & vm::kGrowsDown)
        mm.stack_vm += n;
    else if ((flags & (vm::kWrite | vm::kShared | vm::kGrowsDown)) == vm::kWrite)
        mm.data_vm += n;
}

bool KernelImpl::may_expand_vm(const Mm& mm, VmFlags flags, std::uint64_t npages) const {
    if (mm.lim.as != ~0ull && mm.total_vm + npages > (mm.lim.as >> page_.shift)) return false;
    if ((flags & (vm::kWrite | vm::kShared | vm::kGrowsDown)) == vm::kWrite && mm.lim.data != ~0ull &&
        mm.data_vm + npages > (mm.lim.data >> page_.shift))
        return false;
    return true;
}

bool KernelImpl::vm_enough_memory(std::uint64_t npages) {
    // mm/util.c __vm_enough_memory (without the root and user reserves).
    const std::uint64_t ram = mem_.frame_count() - mem_.config().reserved_bytes / ps_;
    switch (cfg_.overcommit) {
        case OvercommitMode::Always: break;
        case OvercommitMode::Heuristic:
            if (npages > ram) return false;
            break;
        case OvercommitMode::Never: {
            const std::uint64_t allowed = ram * cfg_.overcommit_ratio / 100;
            if (stats_.committed_pages + npages >= allowed) return false;
            break;
        }
    }
    stats_.committed_pages += npages;
    return true;
}

}  // namespace vmlab::os
