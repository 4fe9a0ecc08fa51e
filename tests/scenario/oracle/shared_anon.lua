-- tests/oracle/linux/shared_anon.c: MAP_SHARED|MAP_ANONYMOUS memory (shmem) across fork.
-- The child starts with no PTEs (fork copies no page tables for shared mappings); reading
-- 64 pages takes 49 faults (one fault-around maps the 16 pages the parent wrote, each other
-- page is allocated by its own fault); shmem has no dirty tracking (writes after reads take
-- no fault); the parent sees the child's writes.
local n = 64
local parent = O.proc("shared_anon")
local a = O.reserve(parent, n * PAGE, 2 * MiB)
O.map_fixed(parent, a, n * PAGE, "rw-", "shared|anonymous")
O.faults("parent_write16", parent, function() O.write_pages(parent, a, 16, 0x21) end)
O.put_smaps("parent_write16", parent, a)
local child = parent:fork()
O.put_present("child_start", child, a, n)
O.faults("child_read64", child, function() O.read_pages(child, a, n) end)
O.put_present("child_read64", child, a, n)
O.put("child_read64.sees_parent", (child:read_u8(a + 3 * PAGE) == 0x21 and child:read_u8(a + 40 * PAGE) == 0) and 1 or 0)
O.put_smaps("child_read64", child, a)
O.faults("child_write8", child, function() O.write_pages(child, a + 32 * PAGE, 8, 0x22) end)
child:exit(0)
parent:wait(child)
local v = O.faults("parent_read_child_page", parent, function() return parent:read_u8(a + 32 * PAGE) end)
O.put("parent_read_child_page.sees_child", v == 0x22 and 1 or 0)
O.put_present("parent_after_child", parent, a, n)
O.put_smaps("parent_after_child", parent, a)
