-- Stack growth and the guard gap (docs/linux-reference.md: stack_growth).
--
-- The [stack] VMA is marked VM_GROWSDOWN ("gd" in smaps' VmFlags). An access below it is
-- not a segmentation fault: the fault handler extends the VMA down to the faulting page
-- (however far, within limits) and maps one page there: 1 fault, one page of RSS.
--
-- Limits, as Linux applies them:
-- * the guard gap (stack_guard_gap = 256 pages, 1 MiB): the stack may not grow closer
--   than 1 MiB to an accessible mapping below it (a PROT_NONE mapping does not count);
-- * RLIMIT_STACK: the stack VMA may not become larger than the limit.
-- A refused growth is SIGSEGV with SEGV_MAPERR, as if nothing were mapped there.
machine{preset = "x86_64"}
local p = spawn("stack")
p:catch("SIGSEGV")
local function stack()
  for _, v in ipairs(p:maps()) do
    if v.name == "[stack]" then return v end
  end
end
local function show_stack(what)
  local s = stack()
  printf("%-38s [stack] %s-%s %4d pages, Rss %3d KiB", what, hex(s.start), hex(s["end"]),
         s.size // PAGE, s.rss // KiB)
end
local function grow(what, addr)
  local f, sig = p:touch(addr, 1, "write")
  if sig then
    printf("%-38s %s (%s) at [stack] start - %s", what, sig.signal, sig.code_name, hex(stack().start - sig.addr))
  else
    show_stack(string.format("%s: %d fault", what, f))
  end
end
local s = stack()
printf("VmFlags %s", s.vmflags)
show_stack("at start")
grow("write 1 byte below", s.start - 1)
grow("write 100 pages below", stack().start - 100 * PAGE + 8)

print("== guard gap")
-- An accessible page whose end lies 1 MiB + 2 pages below the stack.
local top = stack().start
local blocker = p:mmap{addr = top - 256 * PAGE - 3 * PAGE, len = PAGE, prot = "rw-",
                       flags = "private|anonymous|fixed_noreplace"}
printf("mapped a page at [stack] start - %s", hex(top - blocker))
grow("grow by 2 pages (gap = 1 MiB)", top - 2 * PAGE)
grow("grow by 1 more page", stack().start - 1)
p:mprotect(blocker, PAGE, "---")
grow("same, the page made PROT_NONE", stack().start - 1)
p:munmap(blocker, PAGE)
local hint = stack().start - 16 * PAGE
local h = p:mmap{addr = hint, len = PAGE, prot = "r--"}
printf("mmap with a hint inside the gap lands elsewhere: %s", h == hint and "no" or "yes")

print("== RLIMIT_STACK")
s = stack()
p:setrlimit("stack", s.size + 8 * PAGE)
printf("RLIMIT_STACK = stack size + 8 pages = %d KiB", p:getrlimit("stack") // KiB)
grow("grow by 8 pages", s.start - 8 * PAGE)
grow("grow by 1 more page", stack().start - 1)
local f = p:faults()
printf("faults: %d minor (%d grew the stack), SIGSEGV %d", f.minor, f.stack_growth, f.sigsegv)
