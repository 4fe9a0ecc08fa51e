-- TLB shootdowns: munmap in a multi-threaded process.
--
-- Each CPU caches translations in its own TLB. When the kernel unmaps pages, the PTEs go
-- away in the page table shared by all threads, but other CPUs may still hold the old
-- translations: a thread running there could keep using a page that is already freed.
-- So the unmapping CPU flushes its own TLB and sends an inter-processor interrupt (a
-- "TLB shootdown") to every other CPU that is running the process's address space, and
-- waits until they have flushed too. That is what makes munmap, mprotect and
-- madvise(MADV_DONTNEED) expensive in processes with many threads.
--
-- Linux x86 (arch/x86/mm/tlb.c flush_tlb_mm_range) sends the IPI only to CPUs whose
-- current address space is this one; a CPU that switched to another process is not
-- interrupted: it flushes when it switches back (a deferred flush). /proc/interrupts
-- counts the IPIs ("TLB shootdowns"). On this project's 2-CPU virtual machine, munmap
-- from a thread on CPU 0 interrupted CPU 1 while a sibling thread ran there and almost
-- never while it slept; the hypervisor's paravirtual flush skips vCPUs that are not
-- running, so the counts there are lower than the one IPI per munmap per CPU of bare
-- metal that vmlab models.
machine{preset = "x86_64", cpus = 4}
local p = spawn("threads")
p:catch("SIGSEGV")
local threads = {p}
for i = 2, 4 do threads[i] = p:clone() end
for i, t in ipairs(threads) do t:set_cpu(i - 1) end
local a = p:mmap{len = 64 * PAGE}
p:fill(a, 64 * PAGE, 7)
for i, t in ipairs(threads) do
  t:touch(a, 64 * PAGE, "read")
  printf("%s runs on CPU %d and has read the 64 pages (its TLB caches them)", tostring(t), t:cpu())
end
local function counters(what, before)
  local s = stats()
  printf("%-46s shootdowns %d, local flushes %d, deferred flushes %d", what, s.shootdowns - before.shootdowns,
         s.local_flushes - before.local_flushes, s.lazy_flushes - before.lazy_flushes)
end

print("== munmap of 16 pages by the thread on CPU 0")
local before = stats()
p:munmap(a + 16 * PAGE, 16 * PAGE)
counters("munmap with 4 CPUs running the process:", before)
local v, sig = threads[3]:read_u8(a + 20 * PAGE)
printf("the thread on CPU 2 reads an unmapped page: %s (its stale TLB entry was shot down)", tostring(sig))

print("== CPUs 2 and 3 switch to another process")
local other = spawn("other")
other:set_cpu(2)
switch_to(2, other)
local other2 = other:clone()
other2:set_cpu(3)
switch_to(3, other2)
printf("CPU 2 runs %s, CPU 3 runs %s", tostring(current(2)), tostring(current(3)))
before = stats()
p:munmap(a + 32 * PAGE, 16 * PAGE)
counters("munmap with 2 CPUs running the process:", before)
before = stats()
switch_to(2, threads[3])
switch_to(3, threads[4])
counters("CPUs 2 and 3 switch back to the threads:", before)
local s = stats()
printf("in all: %d shootdown IPIs, %d cycles charged for them", s.shootdowns, s.shootdown_cycles)
