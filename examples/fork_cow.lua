-- fork and copy-on-write (docs/linux-reference.md, fork_cow).
-- Linux: the parent writes 64 pages and forks. The child writes 16: 16 faults, each
-- copies; its Pss is 160 KiB (16 private + 48 shared by two). The parent then writes
-- all 64 while the child lives: 64 faults, 48 copy the page, 16 reuse it (the child
-- already copied those away, so the parent is their only user).
machine{preset = "x86_64"}
local parent = spawn("parent")
local a = parent:mmap{len = 64 * PAGE}
for i = 0, 63 do parent:write_u64(a + i * PAGE, i) end
local child = parent:fork()
local f = child:touch(a, 16 * PAGE, "write")
local m = child:smaps(a)
printf("child writes 16 pages: %d faults; child rss %d KiB, pss %d KiB", f, m.rss // KiB, m.pss // KiB)
printf("child still reads the parent's data: page 40 holds %d", child:read_u64(a + 40 * PAGE))
local before = parent:faults()
f = parent:touch(a, 64 * PAGE, "write")
local after = parent:faults()
printf("parent writes 64 pages: %d faults, %d copies, %d reuses", f, after.cow_copy - before.cow_copy,
       after.cow_reuse - before.cow_reuse)
m = parent:smaps(a)
printf("parent rss %d KiB, pss %d KiB", m.rss // KiB, m.pss // KiB)
show("vmmap", child)
child:exit(3)
local w = parent:wait(child)
printf("child %d exited with status %d", w.pid, w.exit_code)
