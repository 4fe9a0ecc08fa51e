-- tests/oracle/linux/errno_args.c: invalid and borderline arguments of mmap, munmap,
-- mprotect, mremap, madvise, msync and mlock, and the errno Linux returns for each.
-- Flags the scenario API has no name for are given as numbers, as the C program does.
local p0 = O.proc("errno_args")
local p = O.anon_pages(p0, 16, "rw-")
local P = p0
O.write_pages(P, p, 16, 1)
local fd = O.make_file(P, "errno_args.dat", 4, 0)
local rdonly = assert(P:open("errno_args.dat", "rdonly"))
local wronly = assert(P:open("errno_args.dat", "wronly"))
local append = assert(P:open("errno_args.dat", "rdwr|append"))
local dir = assert(P:open(".", "rdonly"))
local closed = assert(P:open("errno_args.dat", "rdwr"))
P:close(closed)
local hole = O.anon_pages(P, 4, "rw-")
P:munmap(hole, 4 * PAGE)
local RW, PA = "rw-", "private|anonymous"
local function mmap(addr, len, prot, flags, f, off)
  return P:mmap(addr, len, prot, flags, f or -1, off or 0)
end
local function case(name, r, e) O.put_errno(name, r, e) end
case("mmap_len_zero", mmap(0, 0, RW, PA))
case("mmap_no_share_type", mmap(0, PAGE, RW, "anonymous"))
case("mmap_validate_unknown_flag", mmap(0, PAGE, RW, 0x03 | 0x200000, fd))
case("mmap_validate_map_sync_not_dax", mmap(0, PAGE, RW, 0x03 | 0x80000, fd))
case("mmap_map_sync_without_validate", mmap(0, PAGE, RW, 0x01 | 0x80000, fd))
case("mmap_fixed_unaligned", mmap(hole + 1, PAGE, RW, PA .. "|fixed"))
case("mmap_hint_unaligned", mmap(hole + 1, PAGE, RW, PA))
case("mmap_offset_unaligned", mmap(0, PAGE, "r--", "private", fd, 100))
case("mmap_offset_negative", mmap(0, PAGE, "r--", "private", fd, -4096))
case("mmap_offset_past_max", mmap(0, 2 * PAGE, "r--", "private", fd, 0x7ffffffffffff000))
case("mmap_bad_fd", mmap(0, PAGE, "r--", "private", -1))
case("mmap_closed_fd", mmap(0, PAGE, "r--", "private", closed))
case("mmap_anon_ignores_fd", mmap(0, PAGE, RW, PA, 12345))
case("mmap_len_huge", mmap(0, 1 << 62, RW, PA .. "|noreserve"))
case("mmap_len_wraps", mmap(0, -PAGE, RW, PA))
case("mmap_fixed_past_task_size", mmap(0x7ffffffff000, 2 * PAGE, RW, PA .. "|fixed"))
case("mmap_fixed_kernel_half", mmap(0xffff800000000000, PAGE, RW, PA .. "|fixed"))
case("mmap_fixed_noreplace_exact", mmap(p, PAGE, RW, PA .. "|fixed_noreplace"))
case("mmap_fixed_noreplace_overlap", mmap(p - PAGE, 2 * PAGE, RW, PA .. "|fixed_noreplace"))
local h = mmap(p, PAGE, RW, PA)
O.put("mmap_hint_taken.placed_at_hint", h == p and 1 or 0)
if h and h ~= p then P:munmap(h, PAGE) end
case("mmap_shared_write_rdonly_fd", mmap(0, PAGE, RW, "shared", rdonly))
case("mmap_shared_read_rdonly_fd", mmap(0, PAGE, "r--", "shared", rdonly))
case("mmap_private_write_rdonly_fd", mmap(0, PAGE, RW, "private", rdonly))
case("mmap_read_wronly_fd", mmap(0, PAGE, "r--", "shared", wronly))
case("mmap_write_only_wronly_fd", mmap(0, PAGE, "-w-", "shared", wronly))
case("mmap_shared_write_append_fd", mmap(0, PAGE, RW, "shared", append))
case("mmap_directory", mmap(0, PAGE, "r--", "private", dir))
case("mmap_unknown_prot_bit", mmap(0, PAGE, 0x3 | 0x100, PA))
case("mmap_past_eof", mmap(0, 64 * PAGE, "r--", "shared", fd, 32 * PAGE))
case("mmap_growsdown_anon", mmap(0, PAGE, RW, PA .. "|growsdown"))
case("mmap_growsdown_file", mmap(0, PAGE, "r--", "private|growsdown", fd))
case("mmap_fixed_replace", mmap(p + 8 * PAGE, PAGE, RW, PA .. "|fixed"))
O.put("mmap_fixed_replace.zeroed", P:read_u8(p + 8 * PAGE) == 0 and 1 or 0)

case("munmap_unaligned", P:munmap(p + 1, PAGE))
case("munmap_len_zero", P:munmap(p, 0))
case("munmap_unmapped", P:munmap(hole, 4 * PAGE))
case("munmap_past_task_size", P:munmap(0x7ffffffff000, 2 * PAGE))
case("munmap_kernel_half", P:munmap(0xffff800000000000, PAGE))
case("munmap_len_unaligned", P:munmap(hole, 100))

case("mprotect_unaligned", P:mprotect(p + 1, PAGE, "r--"))
case("mprotect_len_zero", P:mprotect(p, 0, "r--"))
case("mprotect_len_unaligned", P:mprotect(p, 100, RW))
case("mprotect_unmapped", P:mprotect(hole, PAGE, "r--"))
case("mprotect_spans_hole", P:mprotect(hole - PAGE, 2 * PAGE, RW))
case("mprotect_unknown_prot_bit", P:mprotect(p, PAGE, 0x3 | 0x100))
case("mprotect_growsdown_not_stack", P:mprotect(p, PAGE, 0x3 | 0x01000000))
do
  local s = mmap(0, PAGE, "r--", "shared", rdonly)
  case("mprotect_write_shared_rdonly_fd", P:mprotect(s, PAGE, RW))
  local v = mmap(0, PAGE, "r--", "private", rdonly)
  case("mprotect_write_private_rdonly_fd", P:mprotect(v, PAGE, RW))
  P:munmap(s, PAGE)
  P:munmap(v, PAGE)
end

p = O.anon_pages(P, 16, RW)
case("mremap_unaligned", P:mremap(p + 1, PAGE, 2 * PAGE, "maymove"))
case("mremap_new_len_zero", P:mremap(p, PAGE, 0, "maymove"))
case("mremap_unknown_flag", P:mremap(p, PAGE, PAGE, 0x80))
case("mremap_fixed_without_maymove", P:mremap(p, PAGE, PAGE, "fixed", hole))
case("mremap_dontunmap_without_maymove", P:mremap(p, PAGE, PAGE, "dontunmap"))
case("mremap_dontunmap_resize", P:mremap(p, PAGE, 2 * PAGE, "maymove|dontunmap"))
case("mremap_unmapped", P:mremap(hole, PAGE, 2 * PAGE, "maymove"))
case("mremap_spans_vmas", P:mremap(p - PAGE, 2 * PAGE, 4 * PAGE, "maymove"))
case("mremap_grow_blocked", P:mremap(p, 16 * PAGE, 32 * PAGE, 0))
case("mremap_fixed_overlap", P:mremap(p, 4 * PAGE, 4 * PAGE, "maymove|fixed", p + 2 * PAGE))
case("mremap_fixed_unaligned", P:mremap(p, PAGE, PAGE, "maymove|fixed", hole + 1))
case("mremap_same_size", P:mremap(p, PAGE, PAGE, 0))
case("mremap_old_len_zero_private", P:mremap(p, 0, PAGE, "maymove"))

case("madvise_unaligned", P:madvise(p + 1, PAGE, "dontneed"))
case("madvise_unknown_advice", P:madvise(p, PAGE, 999))
case("madvise_len_zero", P:madvise(p, 0, "dontneed"))
case("madvise_unmapped", P:madvise(hole, PAGE, "dontneed"))
case("madvise_spans_hole", P:madvise(hole - PAGE, 2 * PAGE, "willneed"))
case("madvise_willneed_anon", P:madvise(p, PAGE, "willneed"))
case("madvise_remove_private", P:madvise(p, PAGE, "remove"))
case("madvise_hugepage", P:madvise(p, 16 * PAGE, "hugepage"))
case("madvise_nohugepage", P:madvise(p, 16 * PAGE, "nohugepage"))
case("madvise_pageout", P:madvise(p, PAGE, "pageout"))
case("madvise_cold", P:madvise(p, PAGE, "cold"))
case("madvise_dontfork", P:madvise(p, PAGE, "dontfork"))
case("madvise_dofork", P:madvise(p, PAGE, "dofork"))

case("msync_unaligned", P:msync(p + 1, PAGE, "sync"))
case("msync_sync_and_async", P:msync(p, PAGE, "sync|async"))
case("msync_unknown_flag", P:msync(p, PAGE, 0x100))
case("msync_unmapped", P:msync(hole, PAGE, "sync"))
case("msync_anon", P:msync(p, PAGE, "sync"))
case("msync_no_flags", P:msync(p, PAGE, 0))
case("msync_len_zero", P:msync(p, 0, "sync"))

case("mlock_unmapped", P:mlock(hole, PAGE))
case("mlock_unaligned_addr", P:mlock(p + 1, PAGE))
case("mlock_len_zero", P:mlock(p, 0))
do
  local n = O.anon_pages(P, 1, "---")
  case("mlock_prot_none", P:mlock(n, PAGE))
end
case("munlock_unmapped", P:munlock(hole, PAGE))
case("msync_invalidate_locked", P:msync(p, PAGE, "invalidate"))

-- vm.max_map_count: single-page VMAs (alternating protections, so that they never merge)
-- until mmap fails; then splitting a VMA needs one more.
do
  local maps, err = {}, nil
  while true do
    local m, e = mmap(0, PAGE, (#maps & 1) == 1 and "r--" or "---", PA)
    if not m then err = e; break end
    maps[#maps + 1] = m
    if #maps > 200000 then break end
  end
  O.put_errno("mmap_max_map_count", nil, err)
  case("munmap_split_at_limit", P:munmap(p + 4 * PAGE, PAGE))
  case("mprotect_split_at_limit", P:mprotect(p + 4 * PAGE, PAGE, "r--"))
  for _, m in ipairs(maps) do P:munmap(m, PAGE) end
end

-- The C program runs as root and drops its capabilities in a child; vmlab's processes
-- never have capabilities.
local c = P:fork()
case("nocap_mmap_below_min_addr", c:mmap(0, PAGE, RW, PA .. "|fixed"))
case("nocap_mmap_at_min_addr", c:mmap(0x10000, PAGE, RW, PA .. "|fixed_noreplace"))
assert(c:setrlimit("memlock", 2 * PAGE))
case("nocap_mlock_within_rlimit", c:mlock(p, 2 * PAGE))
case("nocap_mlock_over_rlimit", c:mlock(p, 4 * PAGE))
case("nocap_mmap_locked_over_rlimit", c:mmap(0, 8 * PAGE, RW, PA .. "|locked"))
c:munlock(p, 2 * PAGE)
assert(c:setrlimit("memlock", 0))
case("nocap_mlock_rlimit_zero", c:mlock(p, PAGE))
c:exit(0)
P:wait(c)
