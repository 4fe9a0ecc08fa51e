-- tests/oracle/linux/mremap_grow.c: mremap grows in place when the pages after a mapping
-- are free (no fault; new pages fault on first touch), shrinks by unmapping the tail,
-- fails with ENOMEM when blocked unless MREMAP_MAYMOVE moves the VMA with its PTEs (no
-- fault when reading the old data), moves to a given address with MREMAP_FIXED, and leaves
-- an empty mapping behind with MREMAP_DONTUNMAP.
local p = O.proc("mremap_grow")
local function check_values(a, pages)
  for i = 0, pages - 1 do
    if p:read_u8(a + i * PAGE) ~= i + 1 then return 0 end
  end
  return 1
end
local function fill_values(a, pages)
  for i = 0, pages - 1 do p:write_u8(a + i * PAGE, i + 1) end
end
local a = O.anon_pages(p, 64, "rw-")
p:munmap(a + 16 * PAGE, 48 * PAGE)
fill_values(a, 16)
local r, e = O.faults("in_place", p, function() return p:mremap(a, 16 * PAGE, 64 * PAGE, 0) end)
O.put_errno("in_place", r, e)
O.put("in_place.same_address", r == a and 1 or 0)
O.put_smaps("in_place", p, a)
local ok = O.faults("in_place_read_old", p, function() return check_values(a, 16) end)
O.put("in_place.data_kept", ok)
O.faults("in_place_write_new", p, function() O.write_pages(p, a + 16 * PAGE, 48, 9) end)
r, e = p:mremap(a, 64 * PAGE, 32 * PAGE, 0)
O.put_errno("shrink", r, e)
O.put("shrink.same_address", r == a and 1 or 0)
O.put_smaps("shrink", p, a)
O.put_signal("shrink_access_tail", O.probe(p, a + 40 * PAGE, "read"), a)
local q = O.anon_pages(p, 16, "rw-")
fill_values(q, 16)
O.put_errno("blocked", p:mremap(q, 16 * PAGE, 64 * PAGE, 0))
r, e = O.faults("maymove", p, function() return p:mremap(q, 16 * PAGE, 64 * PAGE, "maymove") end)
O.put_errno("maymove", r, e)
O.put("maymove.moved", r ~= q and 1 or 0)
O.put_smaps("maymove", p, r)
ok = O.faults("maymove_read_old", p, function() return check_values(r, 16) end)
O.put("maymove.data_kept", ok)
O.put_signal("maymove_old_address", O.probe(p, q, "read"), q)
local dst = O.reserve(p, 64 * PAGE, 2 * MiB)
local moved = r
r, e = O.faults("fixed", p, function() return p:mremap(moved, 64 * PAGE, 64 * PAGE, "maymove|fixed", dst) end)
O.put_errno("fixed", r, e)
O.put("fixed.at_target", r == dst and 1 or 0)
O.put("fixed.data_kept", check_values(dst, 16))
local d2 = O.reserve(p, 64 * PAGE, 2 * MiB)
p:munmap(d2, 64 * PAGE)
r, e = p:mremap(dst, 64 * PAGE, 64 * PAGE, "maymove|fixed|dontunmap", d2)
O.put_errno("dontunmap", r, e)
O.put("dontunmap.data_moved", (r == d2 and check_values(d2, 16) == 1) and 1 or 0)
O.put_smaps("dontunmap_old", p, dst)
local sig = O.faults("dontunmap_old_read", p, function() return O.probe(p, dst + 3 * PAGE, "read") end)
O.put_signal("dontunmap_old_read", sig, dst)
O.put("dontunmap_old_read.zero", p:read_u8(dst + 3 * PAGE) == 0 and 1 or 0)
