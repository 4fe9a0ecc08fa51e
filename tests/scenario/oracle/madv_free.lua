-- tests/oracle/linux/madv_free.c: MADV_FREE marks written anonymous pages lazily free (no
-- fault, RSS kept, LazyFree 256 KiB, Private_Dirty 0, data kept until reclaim); writing a
-- page cancels its lazy free without a fault. A file mapping is refused (EINVAL). (The C
-- program drains the per-CPU LRU batches before reading smaps; vmlab has no such batches.)
local p = O.proc("madv_free")
local n = 64
local a = O.anon_pages(p, n, "rw-")
O.write_pages(p, a, n, 0x42)
local r, e = O.faults("free", p, function() return p:madvise(a, n * PAGE, "free") end)
O.put_errno("free", r, e)
O.put_smaps("free", p, a)
O.put_present("free", p, a, n)
O.faults("read", p, function() O.read_pages(p, a, n) end)
local kept = 1
for i = 0, n - 1 do
  if p:read_u8(a + i * PAGE) ~= 0x42 then kept = 0 end
end
O.put("read.data_kept", kept)
O.put_smaps("read", p, a)
O.faults("write16", p, function() O.write_pages(p, a, 16, 0x43) end)
O.put_smaps("write16", p, a)
local fd = O.make_file(p, "madv_free.dat", 4, 0)
local f = O.reserve(p, 4 * PAGE, 2 * MiB)
O.map_fixed(p, f, 4 * PAGE, "rw-", "private", fd, 0)
O.put_errno("free_file", p:madvise(f, 4 * PAGE, "free"))
local q = O.anon_pages(p, n, "rw-")
O.put_errno("free_untouched", p:madvise(q, n * PAGE, "free"))
O.put_smaps("free_untouched", p, q)
