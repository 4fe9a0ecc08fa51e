-- vmlab tour: what a kernel does behind a program's memory, on the default x86-64 machine.
-- Every figure below is the one Linux gives for the same steps (docs/linux-reference.md).

print("== 1. Demand paging: memory costs nothing until it is touched")
local p = spawn("tour")
local a = p:mmap{len = 64 * PAGE, prot = "rw-", flags = "private|anonymous"}
printf("mmap 64 pages at %s: RSS %d KiB", hex(a), p:smaps(a).rss // KiB)
local f = p:touch(a, 64 * PAGE, "read")
printf("read all 64 pages: %d page faults, RSS %d KiB (every page maps the shared zero page)", f, p:smaps(a).rss // KiB)
f = p:touch(a, 64 * PAGE, "write")
printf("write all 64 pages: %d page faults, RSS %d KiB (each write gets its own zeroed frame)", f, p:smaps(a).rss // KiB)
f = p:touch(a, 64 * PAGE, "write")
printf("write them again: %d page faults", f)

print("")
print("== 2. fork and copy-on-write")
p:write_u64(a, 1234)
local c = p:fork()
printf("fork: child %d shares the parent's 64 pages, read-only in both", c.pid)
printf("child reads the parent's value: %d; child Pss %d KiB (64 pages shared by 2)", c:read_u64(a), c:smaps(a).pss // KiB)
f = c:touch(a, 16 * PAGE, "write")
printf("child writes 16 pages: %d faults, each copies a page; child Pss %d KiB", f, c:smaps(a).pss // KiB)
c:write_u64(a, 99)
printf("child's value now %d, parent's still %d", c:read_u64(a), p:read_u64(a))
local before = p:faults()
f = p:touch(a, 64 * PAGE, "write")
local after = p:faults()
printf("parent writes all 64: %d faults: %d copies, %d reuses (the child already copied those 16 away)",
       f, after.cow_copy - before.cow_copy, after.cow_reuse - before.cow_reuse)
c:exit(0)
local w = p:wait(c)
printf("child exits with status %d", w.exit_code)

print("")
print("== 3. A file mapping")
-- The file is created inside the simulation only (the host file system is not written).
local fd = p:open("/tmp/vmlab-tour-data.txt", "rdwr|creat|trunc")
local text = string.rep("vmlab maps files into memory. ", 64 * PAGE // 30 + 1):sub(1, 64 * PAGE)
p:pwrite(fd, text, 0)
local m = p:mmap{len = 64 * PAGE, prot = "r--", flags = "private", fd = fd}
f = p:touch(m, 64 * PAGE, "read")
printf("map a 64-page cached file and read it: %d faults for 64 pages (fault-around maps the cached\n" ..
       "pages of the aligned 16-page block around each fault; this mapping starts mid-block)", f)
printf("first bytes through memory: %q", p:read_bytes(m, 29))
p:close(fd)

print("")
print("== 4. A segmentation fault, caught")
p:catch("SIGSEGV")
p:mprotect(a, 64 * PAGE, "r--")
local ok, sig = p:write_u8(a + 2 * PAGE + 0x123, 1)
printf("write to a read-only page: %s", tostring(sig))
ok, sig = p:read_u8(0)
printf("read of address 0: %s", tostring(sig))

print("")
print("== 5. What /proc/PID/maps and vmmap show")
show("maps", p)
print("")
show("vmmap", p)
print("")
show("summary")
