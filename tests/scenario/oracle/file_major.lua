-- tests/oracle/linux/file_major.c: reading a 64-page file that is not in the page cache.
-- With MADV_RANDOM every page is a major fault (no readahead); with MADV_SEQUENTIAL or the
-- default advice the first fault reads the file ahead (1 major fault) and the next 16-page
-- windows are mapped by fault-around (3 minor faults); once cached, 4 minor faults.
-- The file is a host file written by the test; POSIX_FADV_DONTNEED evicts it before each
-- pass, as in the C program.
-- The recording machine reads ahead 8 MiB (read_ahead_kb = 8192, docs/linux-reference.md):
-- one read-around brings the whole file in.
machine{kernel = {read_around_bytes = 8 * MiB}}
local p = O.proc("file_major")
local n = 64
local fd = assert(p:open("file_major.dat", "rdonly"))
local function cold_read(step, advice)
  assert(p:fadvise(fd, 0, 0, "dontneed"))
  O.put(step .. ".cached_before", O.cached_pages(p, fd, n))
  local a = O.reserve(p, n * PAGE, 2 * MiB)
  O.map_fixed(p, a, n * PAGE, "r--", "private", fd, 0)
  if advice then assert(p:madvise(a, n * PAGE, advice)) end
  O.faults(step, p, function() O.read_pages(p, a, n) end)
  O.put(step .. ".cached_after", O.cached_pages(p, fd, n))
  p:munmap(a, n * PAGE)
end
cold_read("random", "random")
cold_read("sequential", "sequential")
cold_read("normal", nil)
local a = O.reserve(p, n * PAGE, 2 * MiB)
O.map_fixed(p, a, n * PAGE, "r--", "private", fd, 0)
O.faults("cached", p, function() O.read_pages(p, a, n) end)
