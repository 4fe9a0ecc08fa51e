-- tests/oracle/linux/brk_growth.c: brk(2) grows [heap] without faulting (pages fault on
-- first touch), rounds the VMA up to a page, frees pages when shrinking, and refuses (the
-- break stays) a break below start_brk, within one page of the next mapping, or past
-- RLIMIT_DATA, which bounds all private writable memory (VmData).
local p = O.proc("brk_growth")
-- The C program's heap already holds glibc's malloc arena (132 KiB, touched) when it
-- starts measuring: set up the same state.
local b0 = p:sbrk(33 * PAGE)
O.write_pages(p, b0, 33, 1)
local L = p:layout()
local start_brk, start_data, end_data = L.start_brk, L.start_data, L.end_data
local function heap() return O.vma_at(p, start_brk) end
local base = (p:brk(0) + PAGE - 1) & ~(PAGE - 1)
assert(p:brk(base) == base)
O.put("start.heap_end_is_break", heap()["end"] == base and 1 or 0)
local rss0 = heap().rss
local r = O.faults("grow64", p, function() return p:brk(base + 64 * PAGE) end)
O.put("grow64.ok", r == base + 64 * PAGE and 1 or 0)
O.put("grow64.heap_end_minus_base_pages", (heap()["end"] - base) // PAGE)
O.put("grow64.rss_added_kb", (heap().rss - rss0) // KiB)
O.faults("grow64_write", p, function() O.write_pages(p, base, 64, 7) end)
O.put("grow64_write.rss_added_kb", (heap().rss - rss0) // KiB)
r = p:brk(base + 64 * PAGE + 100)
O.put("unaligned.returned_offset", r - base)
O.put("unaligned.heap_end_minus_base_pages", (heap()["end"] - base) // PAGE)
r = p:brk(base + 32 * PAGE)
O.put("shrink.ok", r == base + 32 * PAGE and 1 or 0)
O.put("shrink.heap_end_minus_base_pages", (heap()["end"] - base) // PAGE)
O.put("shrink.rss_added_kb", (heap().rss - rss0) // KiB)
O.put_signal("shrink_access", O.probe(p, base + 40 * PAGE, "read"), base)
r = p:brk(base + 64 * PAGE)
local zero = 1
O.faults("regrow_read", p, function()
  for i = 32, 63 do
    if p:read_u8(base + i * PAGE) ~= 0 then zero = 0 end
  end
end)
O.put("regrow.ok", r == base + 64 * PAGE and 1 or 0)
O.put("regrow.zero", zero)
O.put("regrow.kept_below", p:read_u8(base + 31 * PAGE) == 7 and 1 or 0)
r = p:brk(start_brk - PAGE)
O.put("below_start.unchanged", r == base + 64 * PAGE and 1 or 0)
local top = base + 64 * PAGE
local blk, e = p:mmap{addr = top + 16 * PAGE, len = PAGE, prot = "r--", flags = "private|anonymous|fixed_noreplace"}
O.put_errno("blocker", blk, e)
r = p:brk(top + 15 * PAGE)
O.put("up_to_gap.ok", r == top + 15 * PAGE and 1 or 0)
r = p:brk(top + 15 * PAGE + 1)
O.put("into_gap.unchanged", r == top + 15 * PAGE and 1 or 0)
r = p:brk(top + 20 * PAGE)
O.put("over_mapping.unchanged", r == top + 15 * PAGE and 1 or 0)
p:munmap(blk, PAGE)
p:brk(top)
local limit = p:memory().vm_data + 8 * PAGE
O.put("rlimit_data.brk_part_fits", (top + 8 * PAGE - start_brk) + (end_data - start_data) <= limit and 1 or 0)
assert(p:setrlimit("data", limit))
r = p:brk(top + 8 * PAGE)
O.put("rlimit_data_exact.ok", r == top + 8 * PAGE and 1 or 0)
r = p:brk(top + 9 * PAGE)
O.put("rlimit_data_over.unchanged", r == top + 8 * PAGE and 1 or 0)
O.put_vmflags("heap", p, start_brk)
