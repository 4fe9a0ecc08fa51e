// The kernel model's internal state (Linux's mm/internal.h): what the files of src/os/
// share; nothing outside src/os/ includes it (tests may). One KernelImpl per Kernel. It
// owns the rooms, each with its state private behind a narrow interface: the frame table
// (frame_table.hpp), the process table (process_table.hpp), the scheduler (sched.hpp),
// TLB flushing (tlbflush.hpp) and the page cache (filemap/page_cache.hpp). Its own methods
// are spread over the files of src/os/ the way Linux spreads mm/ (mm/mmap.cpp,
// mm/mprotect.cpp, mm/fault.cpp, mm/fork.cpp, filemap/page_cache.cpp, ...).
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "vmlab/hw/machine.hpp"
#include "vmlab/hw/mmu.hpp"
#include "vmlab/hw/paging.hpp"
#include "vmlab/hw/phys_mem.hpp"
#include "vmlab/os/kernel.hpp"
#include "os/filemap/page_cache.hpp"
#include "os/frame_table.hpp"
#include "os/mm/fault.hpp"
#include "os/process_table.hpp"
#include "os/sched.hpp"
#include "os/tlbflush.hpp"
#include "os/mm/vma_struct.hpp"
#include "os/mm/vma_tree.hpp"

namespace vmlab::os {

// The VM_READ/VM_WRITE/VM_EXEC bits of a PROT_* mask (calc_vm_prot_bits).
inline VmFlags calc_vm_prot_bits(int prot) {
    VmFlags f = 0;
    if (prot & sys::kProtRead) f |= vm::kRead;
    if (prot & sys::kProtWrite) f |= vm::kWrite;
    if (prot & sys::kProtExec) f |= vm::kExec;
    return f;
}

struct OpenFile {
    std::shared_ptr<Inode> inode;
    int flags = 0;  // O_ACCMODE bits and O_APPEND
    bool readable() const { return (flags & sys::kOAccMode) != sys::kOWrOnly; }
    bool writable() const { return (flags & sys::kOAccMode) != sys::kORdOnly; }
};

struct Process;

// An address space (mm_struct).
struct Mm {
    std::uint64_t id = 0;
    Process* owner = nullptr;
    std::unique_ptr<PageTable> pt;
    VmaTree vmas;
    Asid asid{};
    bool asid_shared = false;  // ran out of ASIDs: flush on every switch-in
    VirtAddr mmap_base{}, start_brk{}, brk{}, start_stack{}, stack_top{};
    VirtAddr start_code{}, end_code{}, start_data{}, end_data{};
    VirtAddr arg_start{}, arg_end{}, env_start{}, env_end{};
    // Resident base pages; a huge leaf counts its bytes (512 for a 2 MiB leaf of 4 KiB pages).
    std::uint64_t rss_anon = 0, rss_file = 0, rss_shmem = 0, hiwater_rss = 0;
    std::uint64_t total_vm = 0, locked_vm = 0, data_vm = 0, exec_vm = 0, stack_vm = 0;  // pages
    VmFlags def_flags = 0;               // mlockall(MCL_FUTURE) -> VM_LOCKED
    // The owning process's resource limits (bytes; ~0 = unlimited), set by setrlimit.
    struct Limits {
        std::uint64_t stack = 0, data = ~0ull, as = ~0ull, memlock = 0, nofile = 1024;
    } lim;
    std::vector<std::uint8_t> used;      // per CPU: has run there since its ASID was last flushed
    std::vector<std::uint8_t> stale;     // per CPU: TLB may hold stale entries of this ASID
    std::uint64_t rss() const { return rss_anon + rss_file + rss_shmem; }
};

struct Process {
    Pid pid = 0, ppid = 0;
    std::string name;
    ProcState state = ProcState::Running;
    int exit_code = 0, term_signal = 0;
    std::unique_ptr<Mm> mm;
    std::vector<Tid> threads;
    std::vector<std::shared_ptr<OpenFile>> fds;
    std::vector<Pid> children;
    FaultCounters faults;
    std::uint64_t accesses = 0, cycles = 0;
    std::array<SigDisposition, 65> disp{};
};

struct Thread {
    Tid tid = 0;
    Process* proc = nullptr;
    unsigned cpu = 0;
};

// Dirty file pages collected while zapping, written back afterwards.
struct Writeback {
    std::vector<std::pair<std::shared_ptr<Inode>, std::uint64_t>> pages;  // (inode, index)
};

class KernelImpl {
public:
    KernelImpl(Machine& machine, const KernelConfig& cfg, Rng& rng);
    ~KernelImpl();

    // ---- configuration and hardware -------------------------------------------------
    Machine& machine_;
    PhysMem& mem_;
    const PagingFormat& fmt_;
    KernelConfig cfg_;
    Rng& rng_;
    PageSize page_{};
    std::uint64_t ps_ = 4096;        // page bytes
    std::uint64_t task_size_ = 0;
    bool x86_ = false;               // x86-64 semantics (SI_KERNEL for non-canonical)
    std::uint64_t fault_around_pages_ = 16;
    std::uint64_t ptrs_per_pte_ = 512;
    CostConfig cost_;
    KernelStats stats_;

    // ---- the rooms ----------------------------------------------------------------------
    FrameTable frames_;   // per-frame kernel state, the rmap, the zero page
    ProcessTable procs_;  // processes, threads, pids
    Scheduler sched_;     // CPUs, run queues, context switches, ASIDs, the running context
    TlbFlush tlb_;        // TLB flushes and shootdowns
    PageCache cache_;     // inodes, files by path, cached pages over backing stores

    std::uint64_t next_mm_id_ = 1, next_anon_vma_ = 1;
    bool tearing_down_ = false;
    bool uncounted_ = false;    // faults taken by the kernel itself (exec's argument pages)

    // ---- helpers --------------------------------------------------------------------
    std::uint64_t pages(std::uint64_t bytes) const { return bytes >> page_.shift; }
    std::uint64_t page_align(std::uint64_t v) const { return (v + ps_ - 1) & ~(ps_ - 1); }
    bool aligned(std::uint64_t v) const { return (v & (ps_ - 1)) == 0; }
    PhysAddr pa_of(Pfn p) const { return p.addr(mem_.frame_size()); }
    // The caller's thread and process, switched in on its CPU (a syscall runs there).
    Thread* enter(Tid tid);

    // page-table entries
    LeafAttrs pte_attrs(const Vma& v, bool writable, bool dirty, bool young) const;
    enum class RssKind : std::uint8_t { Anon, File, Shmem };
    RssKind rss_kind(Pfn p) const;
    void rss_add(Mm& mm, RssKind k, std::int64_t n);
    // Maps the block headed by p (not the zero page) with one leaf of `size` (the block's
    // bytes) at va, taking a reference and counting size's bytes in RSS; false when a
    // page-table page could not be allocated. Replaces nothing: the caller unmapped any
    // old entry.
    bool map_page(Mm& mm, const Vma& v, VirtAddr va, Pfn p, PageSize size, bool writable, bool dirty,
                  bool young);
    bool map_zero_page(Mm& mm, const Vma& v, VirtAddr va);
    // Drops the mapping of a present leaf's block (rmap, mapcount, rss by the leaf's size,
    // reference).
    void drop_mapping(Mm& mm, const Vma& v, VirtAddr va, const PteView& pte, Writeback* wb);
    // Unmaps every leaf in [s, e) of a VMA, whatever its size; a huge leaf must lie wholly
    // inside the range.
    std::uint64_t zap_range(Mm& mm, const Vma& v, VirtAddr s, VirtAddr e, Writeback* wb);  // PTEs cleared
    void write_back(Writeback& wb);

    // address spaces
    std::unique_ptr<Mm> new_mm(Process* owner);
    void destroy_mm(std::unique_ptr<Mm> mm, Thread* caller);
    void setup_layout(Mm& mm, bool randomize);
    std::uint64_t new_anon_vma() { return next_anon_vma_++; }
    // anon_vma_prepare: gives a VMA an anon_vma, reusing a compatible neighbour's.
    void anon_vma_prepare(Mm& mm, Vma& v);
    void vm_stat_account(Mm& mm, VmFlags flags, std::int64_t npages);
    bool may_expand_vm(const Mm& mm, VmFlags flags, std::uint64_t npages) const;
    bool vm_enough_memory(std::uint64_t npages);
    void vm_unacct_memory(std::uint64_t npages) { stats_.committed_pages -= npages; }

    // VMAs
    static bool accountable(const Vma& v);
    bool can_merge(const Vma& a, const Vma& b) const;
    Vma* split_vma(Mm& mm, Vma* v, VirtAddr at);  // returns the upper part
    Vma* merge_around(Mm& mm, Vma* v);             // merges with neighbours; returns the result
    // vma_modify: isolates [s, e) of v (splitting), applies `change` to it, then merges
    // with the neighbours. Returns the VMA now covering [s, e) (or null and *err).
    template <class F>
    Vma* vma_modify(Mm& mm, Vma* v, VirtAddr s, VirtAddr e, F&& change, Errno* err);
    // The protection a present PTE should have after its VMA's flags changed.
    void change_protection(Mm& mm, Vma& v, Thread* caller);
    // Removes [start, end) from the address space (munmap's body). Unaligned or invalid
    // arguments are the caller's to reject.
    Errno do_munmap(Mm& mm, VirtAddr start, std::uint64_t len, Thread* caller, bool writeback = true);
    // The address for a new mapping of len bytes (hint or MAP_FIXED address, else top-down
    // below mmap_base), or the errno (mm/mmap.c __get_unmapped_area).
    SysResult<VirtAddr> unmapped_area(Mm& mm, VirtAddr addr, std::uint64_t len, VmFlags vm_flags, bool fixed);
    std::optional<VirtAddr> get_unmapped_area(Mm& mm, VirtAddr hint, std::uint64_t len, VmFlags vm_flags,
                                              bool fixed);
    SysResult<VirtAddr> mmap_region(Process& p, Thread* caller, const std::shared_ptr<Inode>& file, VirtAddr addr,
                                    std::uint64_t len, VmFlags vm_flags, std::uint64_t pgoff);
    // Faults in [s, e) as GUP does for MAP_POPULATE / mlock (counted as the caller's faults).
    // Returns Fault when a VMA in the range is inaccessible or a fault failed (as GUP's
    // -EFAULT), NoMem on OOM; callers that ignore errors (MAP_POPULATE) ignore it.
    Errno populate(Process& p, Thread* caller, VirtAddr s, VirtAddr e, bool force_write = false,
                   bool force_read = false);
    bool expand_stack(Mm& mm, Vma* v, VirtAddr addr);
    VirtAddr do_brk(Process& p, Thread* caller, VirtAddr addr);
    // mremap: the VMA holding [addr, addr+old_len) if it may become new_len bytes.
    struct Resize {
        Vma* vma = nullptr;
        Errno err = Errno::None;
    };
    Resize vma_to_resize(Mm& mm, VirtAddr addr, std::uint64_t old_len, std::uint64_t new_len, int flags);
    SysResult<VirtAddr> move_vma(Process& p, Thread* t, Vma* v, VirtAddr old_addr, std::uint64_t old_len,
                                 std::uint64_t new_len, VirtAddr new_addr, int flags);
    // One VMA's part [s, e) of a madvise call.
    Errno madvise_vma(Process& p, Thread* t, Vma* v, VirtAddr s, VirtAddr e, int behavior);
    // apply_vma_lock_flags over [start, end): VM_LOCKED/VM_LOCKONFAULT set to `lock`.
    Errno apply_lock(Mm& mm, VirtAddr start, VirtAddr end, VmFlags lock);
    std::uint64_t locked_pages_in(Mm& mm, VirtAddr start, VirtAddr end);
    std::string vma_name(const Mm& mm, const Vma& v) const;
    VmaInfo vma_info(const Mm& mm, const Vma& v) const;

    // faults
    FaultResult handle_mm_fault(Process& p, Thread* t, VirtAddr va, AccessKind kind, FaultKind hw);
    FaultResult do_anonymous_page(Process& p, Mm& mm, Vma& v, VirtAddr va, AccessKind kind);
    FaultResult do_file_fault(Process& p, Mm& mm, Vma& v, VirtAddr va, AccessKind kind);
    FaultResult do_wp_page(Process& p, Thread* t, Mm& mm, Vma& v, VirtAddr va, const PteView& pte);
    void do_fault_around(Mm& mm, Vma& v, VirtAddr va, std::uint64_t pgoff, FaultCounters& fc, FaultCounters& kc);
    void count_fault(Process& p, Vma* v, const FaultResult& r);
    // Delivers a fatal fault's signal; returns the SigInfo and whether it killed.
    SigInfo fault_signal(const FaultResult& r, VirtAddr va) const;
    bool deliver(Process& p, const SigInfo& s);

    // files: writeback and truncation as the mappings see them, descriptors
    // Writes a dirty page back after cleaning every PTE that maps it (folio_mkclean).
    void writeback_page(Inode& ino, std::uint64_t index);
    void page_mkclean(Pfn p);
    // Unmaps the pages past new_size from every address space (private copies too), then
    // truncates the cache and the store.
    void truncate_inode(Inode& ino, std::uint64_t new_size);
    bool path_writable(const std::string& canonical) const;
    SysResult<std::shared_ptr<OpenFile>> fd_get(Process& p, int fd) const;
    int fd_install(Process& p, std::shared_ptr<OpenFile> f);

    // processes
    Process& new_process(const std::string& name, Pid ppid);
    Thread& new_thread(Process& p, Tid tid);
    void do_exit(Process& p, int code, int signo, Thread* caller);
    void exit_mm(Process& p, Thread* caller);
    void reap(Process& p);

    // system calls (Kernel's public methods forward here; same contracts as in kernel.hpp)
    SysResult<Pid> spawn(const SpawnOptions& opt);
    SysResult<Tid> clone_thread(Tid caller);
    SysStatus exit_thread(Tid tid, int status);
    SysStatus exit_group(Tid caller, int status);
    SysResult<WaitResult> wait(Tid caller, Pid child);
    SysStatus kill(Pid pid, int signo);
    SysStatus set_signal_disposition(Pid pid, int signo, SigDisposition d);
    SysStatus set_name(Pid pid, std::string name);
    SysStatus setrlimit(Tid caller, Rlimit which, std::uint64_t value);
    SysResult<std::uint64_t> getrlimit(Tid caller, Rlimit which);
    SysResult<Pid> fork(Tid caller);
    SysStatus madvise(Tid caller, VirtAddr start, std::uint64_t len_in, int behavior);
    SysStatus msync(Tid caller, VirtAddr start, std::uint64_t len, int flags);
    SysResult<std::vector<std::uint8_t>> mincore(Tid caller, VirtAddr start, std::uint64_t len);
    SysStatus set_anon_name(Tid caller, VirtAddr start, std::uint64_t len, std::string name);
    SysResult<VirtAddr> mmap(Tid caller, VirtAddr addr, std::uint64_t len, int prot, int flags, int fd,
                             std::uint64_t offset);
    SysStatus munmap(Tid caller, VirtAddr addr, std::uint64_t len);
    VirtAddr brk(Tid caller, VirtAddr addr);
    SysResult<VirtAddr> sbrk(Tid caller, std::int64_t increment);
    SysResult<VirtAddr> mremap(Tid caller, VirtAddr addr, std::uint64_t old_len, std::uint64_t new_len, int flags,
                               VirtAddr new_addr);
    SysStatus mprotect(Tid caller, VirtAddr start, std::uint64_t len, int prot);
    SysStatus mlock(Tid caller, VirtAddr addr, std::uint64_t len, int flags);
    SysStatus munlock(Tid caller, VirtAddr addr, std::uint64_t len);
    SysStatus mlockall(Tid caller, int flags);
    SysStatus munlockall(Tid caller);
    SysResult<int> open(Tid caller, const std::string& path, int flags, int mode);
    SysResult<int> memfd_create(Tid caller, const std::string& name);
    SysStatus close(Tid caller, int fd);
    SysResult<std::uint64_t> pread(Tid caller, int fd, std::span<std::uint8_t> buf, std::uint64_t offset);
    SysResult<std::uint64_t> pwrite(Tid caller, int fd, std::span<const std::uint8_t> buf, std::uint64_t offset);
    SysStatus ftruncate(Tid caller, int fd, std::uint64_t length);
    SysStatus fsync(Tid caller, int fd);
    SysStatus fadvise(Tid caller, int fd, std::uint64_t offset, std::uint64_t len, int advice);
    SysResult<std::uint64_t> file_size(Tid caller, int fd);

    // scheduling calls (Kernel's contracts)
    AccessOutcome access_on_cpu(unsigned cpu, VirtAddr va, AccessKind kind, std::uint64_t size, void* data);
    SysStatus set_affinity(Tid tid, unsigned cpu);
    Tid schedule(unsigned cpu);
    SysStatus switch_to(unsigned cpu, Tid tid);

    // access
    AccessOutcome access(Tid tid, VirtAddr va, AccessKind kind, std::uint64_t size, void* data);
    AccessOutcome access_thread(Thread& t, VirtAddr va, AccessKind kind, std::uint64_t size, std::uint8_t* data);

    // reports
    MemCounters smaps_range(const Mm& mm, const Vma& v) const;
    ProcessMemory memory(const Process& p) const;
};

template <class F>
Vma* KernelImpl::vma_modify(Mm& mm, Vma* v, VirtAddr s, VirtAddr e, F&& change, Errno* err) {
    if (v->start < s) {
        if (mm.vmas.size() >= cfg_.max_map_count) {
            *err = Errno::NoMem;
            return nullptr;
        }
        v = split_vma(mm, v, s);
    }
    if (v->end > e) {
        if (mm.vmas.size() >= cfg_.max_map_count) {
            *err = Errno::NoMem;
            return nullptr;
        }
        split_vma(mm, v, e);
    }
    change(*v);
    return merge_around(mm, v);
}

}  // namespace vmlab::os
