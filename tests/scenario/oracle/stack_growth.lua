-- tests/oracle/linux/stack_growth.c: the [stack] VMA grows down on a fault below it (one
-- fault, however far), keeps a guard gap of 256 pages (1 MiB) from an accessible mapping
-- below it (a PROT_NONE one does not count), ignores mmap hints inside the gap, and stops
-- at RLIMIT_STACK. A refused growth is SIGSEGV SEGV_MAPERR, not a fault.
local p = O.proc("stack_growth")
local function stack_vma()
  for _, v in ipairs(p:maps()) do
    if v.name == "[stack]" then return v end
  end
end
local function stack_start() return stack_vma().start end
local function grow(step, addr)
  local before, rss0 = stack_start(), stack_vma().rss
  local sig = O.faults(step, p, function() return O.probe(p, addr, "write") end)
  O.put_signal(step, sig, before)
  -- (oracle.h prints the signal before the faults; the order does not matter.)
  O.put(step .. ".pages_added", (before - stack_start()) // PAGE)
  O.put(step .. ".rss_added_kb", (stack_vma().rss - rss0) // KiB)
end
local s = stack_start()
O.put_vmflags("stack", p, s)
grow("one_byte_below", s - 1)
s = stack_start()
grow("hundred_pages_below", s - 100 * PAGE + 8)
s = stack_start()
local gap = 256 * PAGE
local prev_end = s - gap - 2 * PAGE
local blk, e = p:mmap{addr = prev_end - PAGE, len = PAGE, prot = "rw-", flags = "private|anonymous|fixed_noreplace"}
O.put_errno("blocker", blk, e)
grow("to_gap_limit", s - 2 * PAGE)
s = stack_start()
grow("into_gap", s - 1)
assert(p:mprotect(blk, PAGE, "---"))
grow("into_gap_prot_none_below", s - 1)
p:munmap(blk, PAGE)
s = stack_start()
local hint = s - 16 * PAGE
local h = p:mmap{addr = hint, len = PAGE, prot = "r--", flags = "private|anonymous"}
O.put("hint_in_gap.honoured", h == hint and 1 or 0)
if h then p:munmap(h, PAGE) end
local fx, fe = p:mmap{addr = hint, len = PAGE, prot = "r--", flags = "private|anonymous|fixed_noreplace"}
O.put_errno("fixed_in_gap", fx, fe)
grow("with_fixed_in_gap", s - 1)
if fx then p:munmap(fx, PAGE) end
s = stack_start()
assert(p:setrlimit("stack", (stack_vma()["end"] - s) + 8 * PAGE))
grow("to_rlimit", s - 8 * PAGE)
s = stack_start()
grow("past_rlimit", s - 1)
O.put_vmflags("stack_end", p, stack_start())
