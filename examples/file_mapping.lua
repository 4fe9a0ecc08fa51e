-- Private and shared file mappings (docs/linux-reference.md: file_private, file_shared).
--
-- mmap of a file puts the file's page-cache pages into the address space. A read fault
-- maps the page; Linux also maps the other already-cached pages of the same aligned
-- 64 KiB window ("fault-around", fault_around_bytes), so reading 64 cached pages takes
-- 4 faults, not 64.
--
-- MAP_PRIVATE: the first write to a page copies it into a private anonymous page
-- (copy-on-write): 64 faults, the mapping's pages become Anonymous, the file never
-- changes.
--
-- MAP_SHARED: writes go to the page-cache page itself, which read() and every other
-- mapping of the file see at once. The kernel maps shared file pages read-only until
-- their first write so that it learns which pages become dirty: 64 faults for the first
-- writes, none for the next ones. msync(MS_SYNC) writes the dirty pages back and
-- write-protects them again, so the next round of writes faults 64 times again.
--
-- The file is created inside the simulation (not on the host) with 64 pages, page i
-- filled with the byte i, and fsync'ed: all its pages are cached and clean, as in the
-- Linux programs.
machine{preset = "x86_64"}
local p = spawn("files")
local fd = p:open("/tmp/vmlab-example-file-mapping.dat", "rdwr|creat|trunc")
for i = 0, 63 do p:pwrite(fd, string.rep(string.char(i), PAGE), i * PAGE) end
p:fsync(fd)
local function line(a)
  local m = p:smaps(a)
  return string.format("%s-%s %s offset %d %s", hex(m.start), hex(m["end"]), m.perms, m.offset, m.name)
end
local function kb(a, field) return p:smaps(a)[field] // KiB end

print("== MAP_PRIVATE")
-- An address hint, 2 MiB-aligned, so that the 64 pages are exactly 4 fault-around windows.
local a = p:mmap{addr = 0x7ff000000000, len = 64 * PAGE, prot = "rw-", flags = "private", fd = fd}
print(line(a))
printf("read 64 pages:   %2d faults  Rss %d KiB, Private_Clean %d KiB (page-cache pages)",
       p:touch(a, 64 * PAGE, "read"), kb(a, "rss"), kb(a, "private_clean"))
printf("write 64 pages:  %2d faults  Anonymous %d KiB, Private_Dirty %d KiB (private copies)",
       p:touch(a, 64 * PAGE, "write"), kb(a, "anonymous"), kb(a, "private_dirty"))
p:write_u8(a + 5 * PAGE, 0xee)
printf("mapping byte at page 5 = %#x, file byte = %#x (the file is unchanged)",
       p:read_u8(a + 5 * PAGE), p:pread(fd, 1, 5 * PAGE):byte())

print("== MAP_SHARED")
local s = p:mmap{addr = 0x7ff000200000, len = 64 * PAGE, prot = "rw-", flags = "shared", fd = fd}
print(line(s))
printf("write 64 pages:  %2d faults  Private_Dirty %d KiB (dirty page-cache pages)",
       p:touch(s, 64 * PAGE, "write"), kb(s, "private_dirty"))
printf("write again:     %2d faults", p:touch(s, 64 * PAGE, "write"))
p:write_u8(s + 5 * PAGE, 0x77)
printf("read() of the file sees the store at once: %#x", p:pread(fd, 1, 5 * PAGE):byte())
p:msync(s, 64 * PAGE, "sync")
printf("msync(MS_SYNC):            Private_Dirty %d KiB, Private_Clean %d KiB (written back)",
       kb(s, "private_dirty"), kb(s, "private_clean"))
printf("write 64 pages:  %2d faults  (write-protected again by msync)", p:touch(s, 64 * PAGE, "write"))
local f = p:faults()
printf("faults of the process: %d minor = %d file reads + %d copies + %d shared writes; fault-around mapped %d pages",
       f.minor, f.file_read, f.cow_copy + f.file_cow, f.shared_write, f.fault_around)
