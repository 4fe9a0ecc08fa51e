-- tests/oracle/linux/munmap_hole.c: unmapping pages 3-4 of 8 splits the VMA in two; an
-- access in the hole is SIGSEGV SEGV_MAPERR at the exact address (not a fault); unmapping
-- the hole again succeeds; mapping it again gives zero pages in a third VMA.
local p = O.proc("munmap_hole")
local n = 8
local a = O.anon_pages(p, n, "rw-")
O.write_pages(p, a, n, 5)
local lo, hi = a, a + n * PAGE
O.put("mapped.vmas", O.vmas_in(p, lo, hi))
O.put_errno("hole", p:munmap(a + 3 * PAGE, 2 * PAGE))
O.put("hole.vmas", O.vmas_in(p, lo, hi))
O.put_smaps("hole_low", p, a)
O.put_smaps("hole_high", p, a + 5 * PAGE)
local sig = O.faults("read_hole", p, function() return O.probe(p, a + 3 * PAGE + 0x10, "read") end)
O.put_signal("read_hole", sig, a)
O.put_signal("write_hole", O.probe(p, a + 4 * PAGE + 0xfff, "write"), a)
O.put_signal("read_below_hole", O.probe(p, a + 2 * PAGE + 0xfff, "read"), a)
O.put_signal("read_above_hole", O.probe(p, a + 5 * PAGE, "read"), a)
O.put("neighbours.data_kept", (p:read_u8(a + 2 * PAGE) == 5 and p:read_u8(a + 5 * PAGE) == 5) and 1 or 0)
O.put_errno("unmap_hole_again", p:munmap(a + 3 * PAGE, 2 * PAGE))
local m, e = p:mmap{addr = a + 3 * PAGE, len = 2 * PAGE, flags = "private|anonymous|fixed_noreplace"}
O.put_errno("remap_hole", m, e)
O.put("remap_hole.same_address", m == a + 3 * PAGE and 1 or 0)
O.put("remap_hole.zero", (m and p:read_u8(m) == 0 and p:read_u8(m + PAGE + 5) == 0) and 1 or 0)
O.put("remap_hole.vmas", O.vmas_in(p, lo, hi))
O.put_errno("unmap_all", p:munmap(a, n * PAGE))
O.put("unmap_all.vmas", O.vmas_in(p, lo, hi))
O.put_signal("read_unmapped", O.probe(p, a, "read"), a)
