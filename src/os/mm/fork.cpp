// fork (kernel/fork.c dup_mmap, mm/memory.c copy_page_range).
#include "os/internal.hpp"

namespace vmlab {
using namespace os;

namespace {
bool is_cow_mapping(VmFlags f) { return (f & (vm::kShared | vm::kMayWrite)) == vm::kMayWrite; }
}  // namespace

SysResult<Pid> KernelImpl::fork(Tid caller) {
    Thread* t = enter(caller);
    if (!t) return Errno::Srch;
    Process& parent = *t->proc;
    Mm& pm = *parent.mm;
    auto cm_owned = new_mm(nullptr);
    if (!cm_owned) return Errno::NoMem;
    Process& child = new_process(parent.name, parent.pid);
    cm_owned->owner = &child;
    child.mm = std::move(cm_owned);
    Mm& cm = *child.mm;
    cm.mmap_base = pm.mmap_base;
    cm.start_brk = pm.start_brk;
    cm.brk = pm.brk;
    cm.start_stack = pm.start_stack;
    cm.stack_top = pm.stack_top;
    cm.start_code = pm.start_code;
    cm.end_code = pm.end_code;
    cm.start_data = pm.start_data;
    cm.end_data = pm.end_data;
    cm.arg_start = pm.arg_start;
    cm.arg_end = pm.arg_end;
    cm.env_start = pm.env_start;
    cm.env_end = pm.env_end;
    cm.def_flags = pm.def_flags & vm::kNoHugePage;  // VM_INIT_DEF_MASK
    cm.lim = pm.lim;
    child.disp = parent.disp;
    child.fds = parent.fds;  // the open file descriptions are shared

    bool failed = false;
    bool wrprotected = false;
    pm.vmas.for_each([&](Vma& v) {
        if (failed || (v.flags & vm::kDontCopy)) return;
        const std::uint64_t n = pages(v.size());
        if ((v.flags & vm::kAccount) && !vm_enough_memory(n)) {
            failed = true;
            return;
        }
        Vma nv = v;
        nv.flags &= ~(vm::kLocked | vm::kLockOnFault);
        nv.min_flt = nv.maj_flt = 0;
        const bool wipe = v.flags & vm::kWipeOnFork;
        if (v.anon_vma && !wipe) {
            nv.anon_vma = new_anon_vma();  // chained to the parent's (anon_vma_fork)
            nv.anon_forked = true;
        } else {
            nv.anon_vma = 0;
        }
        Vma* cv = cm.vmas.insert(std::move(nv));
        vm_stat_account(cm, cv->flags, static_cast<std::int64_t>(n));
        // vma_needs_copy: only VMAs with anonymous pages have their page tables copied;
        // the child faults everything else in again from the page cache.
        if (!v.anon_vma || wipe) return;
        std::vector<std::pair<VirtAddr, PteView>> leaves;
        pm.pt->for_each_leaf(v.start, v.end, [&](VirtAddr va, const PteView& pte) {
            if (pte.present) leaves.emplace_back(va, pte);
        });
        for (auto& [va, pte] : leaves) {
            const Pfn f = pte.base.pfn(page_);
            LeafAttrs a = pte.attrs;
            if (is_cow_mapping(v.flags) && a.prot.write) {
                a.prot.write = false;
                pm.pt->protect(va, a);
                wrprotected = true;
            }
            LeafAttrs ca = a;
            if (v.flags & vm::kShared) ca.dirty = false;
            ca.accessed = false;
            if (!cm.pt->map(va, pte.base, pte.size, ca)) {
                failed = true;
                return;
            }
            if (frames_.is_zero(f)) continue;
            if (frames_.test(f, kPgAnon)) frames_.clear(f, kPgAnonExclusive);
            frames_.get(f);
            frames_.add_mapping(f, &cm, va, pte.size);
            rss_add(cm, rss_kind(f), static_cast<std::int64_t>(pages(pte.size.bytes())));
        }
    });
    if (wrprotected) tlb_.flush_mm(pm, t);
    if (failed) {
        do_exit(child, 0, 0, t);
        reap(child);
        return Errno::NoMem;
    }
    new_thread(child, child.pid);
    return child.pid;
}

}  // namespace vmlab
