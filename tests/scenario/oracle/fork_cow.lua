-- tests/oracle/linux/fork_cow.c: the parent writes 64 pages and forks; the child writes 16
-- (16 copies, Pss 160 KiB); then the parent writes all 64: 48 copies and 16 reuses, which
-- the C program sees as frames that changed in /proc/self/pagemap.
local n, nchild = 64, 16
local parent = O.proc("fork_cow")
local a = O.anon_pages(parent, n, "rw-")
O.faults("parent_fill", parent, function() O.write_pages(parent, a, n, 1) end)
O.put_smaps("parent_fill", parent, a)
local child = parent:fork()
O.put_smaps("child_start", child, a)
O.faults("child_write16", child, function() O.write_pages(child, a, nchild, 2) end)
O.put_smaps("child_write16", child, a)
O.put_smaps("parent_before_write", parent, a)
local pfn_before = {}
for i = 0, n - 1 do pfn_before[i] = parent:page(a + i * PAGE).pfn end
O.faults("parent_write64", parent, function() O.write_pages(parent, a, n, 3) end)
local copied_child, copied_other = 0, 0
for i = 0, n - 1 do
  if parent:page(a + i * PAGE).pfn ~= pfn_before[i] then
    if i < nchild then copied_child = copied_child + 1 else copied_other = copied_other + 1 end
  end
end
O.put("parent_write64.copied", copied_child + copied_other)
O.put("parent_write64.reused", n - copied_child - copied_other)
O.put("parent_write64.copied_of_child_written", copied_child)
O.put_smaps("parent_write64", parent, a)
-- The child still sees its own values and the parent's values of before the fork.
local ok = 1
for i = 0, n - 1 do
  if child:read_u8(a + i * PAGE) ~= (i < nchild and 2 or 1) then ok = 0 end
end
O.put("child_end.values_ok", ok)
child:exit(0)
local w = parent:wait(child)
O.put("child.exit_status", w.term_signal ~= 0 and 128 + w.term_signal or w.exit_code)
O.put_smaps("parent_after_child_exit", parent, a)
