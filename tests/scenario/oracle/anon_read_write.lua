-- tests/oracle/linux/anon_read_write.c: 64 private anonymous pages read (zero page, RSS 0),
-- then written (64 faults, 256 KiB), written again (0), and a fresh range written first.
local p = O.proc("anon_read_write")
local n = 64
local a = O.anon_pages(p, n, "rw-")
O.put_smaps("mapped", p, a)
O.faults("read", p, function() O.read_pages(p, a, n) end)
O.put_smaps("read", p, a)
O.put_present("read", p, a, n)
O.faults("write", p, function() O.write_pages(p, a, n, 1) end)
O.put_smaps("write", p, a)
O.faults("rewrite", p, function() O.write_pages(p, a, n, 2) end)
local q = O.anon_pages(p, n, "rw-")
O.faults("write_first", p, function() O.write_pages(p, q, n, 3) end)
O.put_smaps("write_first", p, q)
-- Every byte but the first of each page is still zero.
local zero = 1
for i = 0, n - 1 do
  if p:read_bytes(q + i * PAGE + 1, PAGE - 1) ~= string.rep("\0", PAGE - 1) then zero = 0 end
end
O.put("write_first.rest_zero", zero)
