-- tests/oracle/linux/fault_around.c: with fault_around_bytes = 64 KiB, a read fault on a
-- cached file page maps the cached pages of a 16-page window: aligned to 16 pages of
-- virtual address (not of file offset), clamped to the VMA and to the page-table page; when
-- the VMA start cuts the aligned window, the window starts at the VMA start.
local p = O.proc("fault_around")
local fd = O.make_file(p, "fault_around.dat", 1024, 0)
O.put("file.cached_pages", O.cached_pages(p, fd, 1024))
local function case(name, skew, pages, file_page, reads)
  local a = O.reserve(p, pages * PAGE, 2 * MiB, skew * PAGE)
  O.map_fixed(p, a, pages * PAGE, "r--", "private", fd, file_page * PAGE)
  for _, r in ipairs(reads) do
    local step = string.format("%s.read%d", name, r)
    local before = O.flt(p)
    p:read_u8(a + r * PAGE)
    O.put(step .. ".minflt", O.flt(p).min - before.min)
    O.put_present(step, p, a, pages)
  end
  p:munmap(a, pages * PAGE)
end
case("aligned", 0, 64, 0, {5, 20, 15, 63, 40})
case("start_mid_window", 3, 64, 0, {0, 16, 29, 45, 61})
case("end_of_vma", 0, 20, 0, {18, 0})
case("file_offset", 0, 32, 5, {0, 16})
case("pmd_end", 504, 32, 0, {6, 8, 31})
case("pmd_mid_window", 500, 32, 0, {0, 12, 28})
case("one_page", 7, 1, 0, {0})
-- Only cached pages are mapped: a host file (written by the test, not cached) whose
-- pages 0-7 are read with read() under POSIX_FADV_RANDOM (so nothing more is read ahead).
local fd2 = assert(p:open("fault_around_cold.dat", "rdonly"))
assert(p:fadvise(fd2, 0, 0, "random"))
for i = 0, 7 do assert(#p:pread(fd2, PAGE, i * PAGE) == PAGE) end
O.put("partly_cached.cached_pages", O.cached_pages(p, fd2, 64))
local a = O.reserve(p, 64 * PAGE, 2 * MiB)
O.map_fixed(p, a, 64 * PAGE, "r--", "private", fd2, 0)
O.faults("partly_cached.read2", p, function() p:read_u8(a + 2 * PAGE) end)
O.put_present("partly_cached.read2", p, a, 64)
