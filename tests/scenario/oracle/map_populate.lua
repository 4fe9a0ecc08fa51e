-- tests/oracle/linux/map_populate.c: MAP_POPULATE's faults count in the process's minor
-- faults: 64 for anonymous memory (zero page when read-only), 64 for a private writable
-- file mapping (populated for writing), 4 for read-only or shared file mappings
-- (fault-around); MADV_POPULATE_READ / _WRITE fault in 64 pages.
local p = O.proc("map_populate")
local n = 64
local function populate(step, prot, flags, fd)
  local r = O.reserve(p, n * PAGE, 2 * MiB)
  local m = O.faults(step, p, function()
    return p:mmap{addr = r, len = n * PAGE, prot = prot, flags = flags .. "|fixed|populate", fd = fd or -1}
  end)
  expect_eq(m, r)
  O.put_smaps(step, p, m)
  return m
end
local m = populate("anon_rw", "rw-", "private|anonymous")
O.faults("anon_rw_write", p, function() O.write_pages(p, m, n, 1) end)
m = populate("anon_ro", "r--", "private|anonymous")
O.put_present("anon_ro", p, m, n)
local fd = O.make_file(p, "map_populate.dat", n, 0)
populate("file_private_rw", "rw-", "private", fd)
populate("file_private_ro", "r--", "private", fd)
m = populate("file_shared_rw", "rw-", "shared", fd)
O.faults("file_shared_rw_write", p, function() O.write_pages(p, m, n, 2) end)
local q = O.anon_pages(p, n, "rw-")
local r, e = O.faults("madv_populate_read", p, function() return p:madvise(q, n * PAGE, "populate_read") end)
O.put_errno("madv_populate_read", r, e)
O.put_smaps("madv_populate_read", p, q)
r, e = O.faults("madv_populate_write", p, function() return p:madvise(q, n * PAGE, "populate_write") end)
O.put_errno("madv_populate_write", r, e)
O.put_smaps("madv_populate_write", p, q)
O.faults("madv_populate_write_then_write", p, function() O.write_pages(p, q, n, 3) end)
