// Mapping and unmapping pages of any size, RSS accounting, address-space lifetime and
// accounting: the kernel's side of the page-table interface.
#include "os/internal.hpp"

namespace vmlab::os {

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
    sched_.init_mm(*mm);
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
    sched_.release_mm(*mm);
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
