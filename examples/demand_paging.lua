-- Demand paging and the zero page (docs/linux-reference.md, anon_read_write).
-- Linux: reading 64 untouched anonymous pages takes 64 minor faults and leaves RSS at 0
-- (each read maps the one shared zero page); writing them takes 64 more faults and RSS
-- becomes 256 KiB of private dirty anonymous memory; writing again takes none.
machine{preset = "x86_64"}
local p = spawn("demand")
local a = p:mmap{len = 64 * PAGE, prot = "rw-", flags = "private|anonymous"}
local m = p:smaps(a)
printf("mapped:  size %d KiB, rss %d KiB, vmflags %s", m.size // KiB, m.rss // KiB, m.vmflags)
printf("read:    %d faults", p:touch(a, 64 * PAGE, "read"))
m = p:smaps(a)
printf("         rss %d KiB, first page maps the zero page: %s", m.rss // KiB, tostring(p:page(a).zero_page))
printf("         value read: %d", p:read_u64(a + 100))
printf("write:   %d faults", p:touch(a, 64 * PAGE, "write"))
m = p:smaps(a)
printf("         rss %d KiB, private_dirty %d KiB, anonymous %d KiB", m.rss // KiB, m.private_dirty // KiB, m.anonymous // KiB)
printf("rewrite: %d faults", p:touch(a, 64 * PAGE, "write"))
local f = p:faults()
printf("process: %d minor faults (%d zero-page, %d new pages), %d major", f.minor, f.zero_page, f.anon_new, f.major)
