// What /proc/PID/status, maps and smaps show (fs/proc/task_mmu.c smaps_account).
#include "os/internal.hpp"

namespace vmlab::os {

std::string KernelImpl::vma_name(const Mm& mm, const Vma& v) const {
    if (v.file) return {};
    if (!v.special_name.empty()) return v.special_name;
    if (v.start < mm.brk && v.end > mm.start_brk) return "[heap]";
    if (v.start <= mm.start_stack && v.end >= mm.start_stack) return "[stack]";
    if (!v.anon_name.empty()) return "[anon:" + v.anon_name + "]";
    return {};
}

VmaInfo KernelImpl::vma_info(const Mm& mm, const Vma& v) const {
    VmaInfo i;
    i.start = v.start;
    i.end = v.end;
    i.flags = v.flags;
    i.name = vma_name(mm, v);
    i.minor_faults = v.min_flt;
    i.major_faults = v.maj_flt;
    if (v.file) {
        i.backing = v.file->is_shmem() ? VmaBacking::Shmem : VmaBacking::File;
        i.offset = v.pgoff << page_.shift;
        i.path = v.file->display;
        i.dev_major = v.file->dev_major;
        i.dev_minor = v.file->dev_minor;
        i.inode = v.file->ino;
    }
    return i;
}

MemCounters KernelImpl::smaps_range(const Mm& mm, const Vma& v) const {
    MemCounters m;
    m.size = v.size();
    const bool locked = v.flags & vm::kLocked;
    mm.pt->for_each_leaf(v.start, v.end, [&](VirtAddr, const PteView& pte) {
        if (!pte.present) return;
        const Pfn f = pte.base.pfn(page_);
        const std::uint64_t bytes = pte.size.bytes();  // the leaf's page size
        if (frames_.is_zero(f)) return;  // vm_normal_page() is NULL for the zero page
        const bool anon = frames_.test(f, kPgAnon);
        const bool shmem = frames_.test(f, kPgShmem);
        const bool page_dirty = frames_.test(f, kPgDirty);
        const bool dirty = pte.attrs.dirty || page_dirty;
        if (anon) {
            m.anonymous += bytes;
            if (frames_.test(f, kPgLazyFree) && !dirty) m.lazyfree += bytes;
        }
        m.rss += bytes;
        if (pte.attrs.accessed || frames_.test(f, kPgReferenced)) m.referenced += bytes;
        const std::uint32_t mapcount = frames_.mapcount(f);
        const bool priv = frames_.refcount(f) == 1 || mapcount < 2;
        std::uint64_t pss = bytes << MemCounters::kPssShift;
        if (!priv) pss /= mapcount;
        m.pss_fp += pss;
        if (anon)
            m.pss_anon_fp += pss;
        else if (shmem)
            m.pss_shmem_fp += pss;
        else
            m.pss_file_fp += pss;
        if (locked) m.locked_fp += pss;
        if (dirty) {
            m.pss_dirty_fp += pss;
            (priv ? m.private_dirty : m.shared_dirty) += bytes;
        } else {
            (priv ? m.private_clean : m.shared_clean) += bytes;
        }
    });
    return m;
}

ProcessMemory KernelImpl::memory(const Process& p) const {
    ProcessMemory r;
    r.pid = p.pid;
    r.name = p.name;
    if (!p.mm) return r;
    const Mm& mm = *p.mm;
    r.vm_size = mm.total_vm * ps_;
    r.vm_lck = mm.locked_vm * ps_;
    r.vm_hwm = mm.hiwater_rss * ps_;
    r.rss_anon = mm.rss_anon * ps_;
    r.rss_file = mm.rss_file * ps_;
    r.rss_shmem = mm.rss_shmem * ps_;
    r.vm_rss = r.rss_anon + r.rss_file + r.rss_shmem;
    r.vm_data = mm.data_vm * ps_;
    r.vm_stk = mm.stack_vm * ps_;
    r.vm_exe = mm.end_code > mm.start_code
                   ? page_align(mm.end_code.value) - mm.start_code.align_down(page_).value
                   : 0;
    r.vm_pte = mm.pt->stats().table_frames * ps_;
    mm.vmas.for_each([&](Vma& v) {
        VmaReport vr{vma_info(mm, v), smaps_range(mm, v)};
        r.total.add(vr.mem);
        r.vmas.push_back(std::move(vr));
    });
    return r;
}

}  // namespace vmlab::os
