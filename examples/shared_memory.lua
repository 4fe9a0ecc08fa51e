-- Shared memory between processes (docs/linux-reference.md: shared_anon).
--
-- MAP_SHARED|MAP_ANONYMOUS memory is backed by shmem (a file in an internal tmpfs):
-- after fork, parent and child map the same pages, and a store by one is seen by the
-- other, unlike private memory, which fork turns copy-on-write.
--
-- What Linux does, and vmlab with it: the parent writes 16 of 64 pages (16 faults). fork
-- copies no page tables for shared mappings, so the child starts with no PTEs at all and
-- faults its pages in from the shmem file: reading all 64 takes 49 faults, one that maps
-- the 16 cached pages by fault-around (they are in the shmem "page cache") plus one for
-- each of the 48 pages nobody touched yet (a read allocates them: shmem has no zero
-- page). shmem pages are mapped writable at once (no dirty tracking), so the child's
-- later writes take no fault. Pss shares each page among the processes mapping it.
--
-- memfd_create gives the same memory a file descriptor; its mappings show as
-- "/memfd:NAME (deleted)" in /proc/PID/maps.
machine{preset = "x86_64"}
local parent = spawn("parent")
local a = parent:mmap{len = 64 * PAGE, prot = "rw-", flags = "shared|anonymous"}
local f = 0
for i = 0, 15 do f = f + parent:touch(a + i * PAGE, 1, "write") end
parent:write_string(a + 3 * PAGE, "hello from the parent")
local m = parent:smaps(a)
printf("parent writes 16 of 64 pages: %d faults, Rss %d KiB", f, m.rss // KiB)

local child = parent:fork()
local present = 0
for i = 0, 63 do if child:page(a + i * PAGE).present then present = present + 1 end end
printf("child after fork: %d pages present (no page tables copied)", present)
printf("child reads 64 pages: %d faults", child:touch(a, 64 * PAGE, "read"))
printf("child reads page 3: %q", child:read_string(a + 3 * PAGE))
m = child:smaps(a)
printf("child: Rss %d KiB, Pss %d KiB, Shared_Dirty %d KiB (the parent's 16 pages), Private_Clean %d KiB",
       m.rss // KiB, m.pss // KiB, m.shared_dirty // KiB, m.private_clean // KiB)
printf("child writes 8 pages it has read: %d faults", child:touch(a + 32 * PAGE, 8 * PAGE, "write"))
child:write_string(a + 32 * PAGE, "hello from the child")
child:exit(0)
parent:wait(child)
local before = parent:faults().minor
local text = parent:read_string(a + 32 * PAGE)
printf("parent reads page 32: %d fault, %q", parent:faults().minor - before, text)

print("== memfd")
local fd = parent:memfd_create("ring")
parent:ftruncate(fd, 4 * PAGE)
local r = parent:mmap{len = 4 * PAGE, prot = "rw-", flags = "shared", fd = fd}
parent:write_string(r, "written through the parent's mapping")
local reader = parent:fork()
local r2 = reader:mmap{len = 4 * PAGE, prot = "r--", flags = "shared", fd = fd}
printf("another mapping, in the child, at %s: %q", hex(r2), reader:read_string(r2))
printf("read() of the memfd: %q", reader:pread(fd, 14, 0))
show("maps", reader)
