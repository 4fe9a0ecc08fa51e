-- tests/oracle/linux/file_major.c: reading a 64-page file that is not in the page cache.
-- With MADV_RANDOM every page is a major fault (no readahead); with MADV_SEQUENTIAL or the
-- default advice the first fault reads the file ahead (1 major fault) and the next 16-page
-- windows are mapped by fault-around (3 minor faults); once cached, 4 minor faults.
-- The C program evicts one file (POSIX_FADV_DONTNEED) before each pass; vmlab has no
-- eviction call, so each pass reads its own host file, written by the test beforehand and
-- never read before (file_major_<pass>.dat, same contents).
local p = O.proc("file_major")
local n = 64
local fd
local function cold_read(step, advice)
  fd = assert(p:open("file_major_" .. step .. ".dat", "rdonly"))
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
