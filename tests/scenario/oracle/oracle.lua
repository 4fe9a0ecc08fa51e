-- Helpers shared by the oracle scenarios (tests/scenario/oracle/NAME.lua), mirroring
-- tests/oracle/linux/oracle.h so that each scenario reads like its C program and prints
-- the same "step.what value" lines. The test (tests/oracle/vmlab_vs_linux_test.cpp) runs
-- this file first; it defines the global table O.
O = {}

-- The keys of oracle.h's put_smaps, in its order (smaps field -> key).
local SMAPS = {
  {"size", "size_kb"}, {"rss", "rss_kb"}, {"pss", "pss_kb"}, {"shared_clean", "shared_clean_kb"},
  {"shared_dirty", "shared_dirty_kb"}, {"private_clean", "private_clean_kb"},
  {"private_dirty", "private_dirty_kb"}, {"referenced", "referenced_kb"},
  {"anonymous", "anonymous_kb"}, {"lazyfree", "lazyfree_kb"}, {"anon_huge", "anon_huge_kb"},
  {"swap", "swap_kb"}, {"locked", "locked_kb"},
}

function O.put(key, value) printf("%s %s", key, tostring(value)) end

-- A process that catches SIGSEGV and SIGBUS (oracle.h's probe_install).
function O.proc(name)
  local p = spawn(name)
  p:catch("SIGSEGV")
  p:catch("SIGBUS")
  return p
end

function O.flt(p) local f = p:faults(); return {min = f.minor, maj = f.major} end
function O.put_faults(step, a, b)
  O.put(step .. ".minflt", b.min - a.min)
  O.put(step .. ".majflt", b.maj - a.maj)
end
-- Runs fn() and prints the fault deltas of process p around it; returns fn's results.
function O.faults(step, p, fn)
  local a = O.flt(p)
  local r = table.pack(fn())
  O.put_faults(step, a, O.flt(p))
  return table.unpack(r, 1, r.n)
end

-- oracle.h reserve(): a PROT_NONE reservation whose start is align-aligned plus skew.
function O.reserve(p, len, align, skew)
  skew = skew or 0
  local total = len + 2 * align + 2 * PAGE + skew
  local r = assert(p:mmap{len = total, prot = "---", flags = "private|anonymous|noreserve"})
  return ((r + PAGE + align - 1) & ~(align - 1)) + skew
end
function O.map_fixed(p, addr, len, prot, flags, fd, off)
  local r, e = p:mmap{addr = addr, len = len, prot = prot, flags = flags .. "|fixed", fd = fd or -1, offset = off or 0}
  expect(r == addr, "map_fixed: " .. tostring(e))
  return r
end
function O.anon_pages(p, pages, prot)
  local a = O.reserve(p, pages * PAGE, 2 * MiB)
  O.map_fixed(p, a, pages * PAGE, prot or "rw-", "private|anonymous")
  assert(p:madvise(a, pages * PAGE, "nohugepage"))
  return a
end

-- oracle.h's file contents: byte i is (i * 7 + i / 4096) & 0xff.
function O.file_byte(i) return (i * 7 + i // PAGE) & 0xff end
-- Within page k, byte i is (7 * i + k) & 0xff (4096 * 7 is 0 modulo 256): 16 copies of a
-- 256-byte block that depends on k modulo 256.
local blocks = {}
local function page_text(off, n)
  if off % PAGE == 0 and n == PAGE and PAGE % 256 == 0 then
    local k = (off // PAGE) % 256
    if not blocks[k] then
      local t = {}
      for i = 0, 255 do t[#t + 1] = string.char(O.file_byte(off + i)) end
      blocks[k] = string.rep(table.concat(t), PAGE // 256)
    end
    return blocks[k]
  end
  local t = {}
  for i = 0, n - 1 do t[#t + 1] = string.char(O.file_byte(off + i)) end
  return table.concat(t)
end
-- oracle.h make_file(): a file of `pages` pages plus `tail` bytes, opened read-write. It is
-- created inside the simulation, in the run's directory (the host is not written), so all its pages are in the
-- page cache, as the C program's "cached" files are after their fsync and pread pass.
function O.make_file(p, name, pages, tail)
  local fd = assert(p:open(name, "rdwr|creat|trunc"))
  local total = pages * PAGE + (tail or 0)
  local off = 0
  while off < total do
    local n = math.min(PAGE, total - off)
    assert(p:pwrite(fd, page_text(off, n), off) == n)
    off = off + n
  end
  assert(p:fsync(fd))  -- written back: clean page-cache pages, as after the C program's fsync
  return fd
end
-- Whether the bytes at [addr, addr+len) hold the file's bytes from file offset `off`.
function O.matches_file(p, addr, len, off, skip_first_byte_of_page)
  local got = p:read_bytes(addr, len)
  for i = 0, len - 1 do
    if not (skip_first_byte_of_page and (off + i) % PAGE == 0) then
      if got:byte(i + 1) ~= O.file_byte(off + i) then return 0 end
    end
  end
  return 1
end

-- oracle.h read_pages / write_pages: one byte per page, stopping at a signal.
function O.read_pages(p, a, pages)
  for i = 0, pages - 1 do
    local v, sig = p:read_u8(a + i * PAGE)
    if v == nil then return sig end
  end
end
function O.write_pages(p, a, pages, value)
  for i = 0, pages - 1 do
    local ok, sig = p:write_u8(a + i * PAGE, value or 0)
    if ok == nil then return sig end
  end
end

-- put_smaps(step, start): the smaps figures of the VMA starting exactly at `start`.
function O.vma_at(p, start)
  for _, v in ipairs(p:maps()) do
    if v.start == start then return v end
  end
end
function O.put_smaps(step, p, start)
  local v = O.vma_at(p, start)
  if not v then O.put(step .. ".vma", "none"); return end
  for _, k in ipairs(SMAPS) do O.put(step .. "." .. k[2], (v[k[1]] or 0) // KiB) end
  O.put(step .. ".vmflags", v.vmflags)
end
function O.put_vmflags(step, p, start)
  local v = O.vma_at(p, start)
  if v then O.put(step .. ".vmflags", v.vmflags) end
end

-- put_present: which of `pages` pages have a present PTE, as runs "0-15,32-47" or "none".
function O.present_runs(p, a, pages)
  local runs, i = {}, 0
  local function present(j) local pg = p:page(a + j * PAGE); return pg ~= nil and pg.present end
  while i < pages do
    if present(i) then
      local j = i
      while j + 1 < pages and present(j + 1) do j = j + 1 end
      runs[#runs + 1] = string.format("%d-%d", i, j)
      i = j + 1
    else
      i = i + 1
    end
  end
  return #runs == 0 and "none" or table.concat(runs, ",")
end
function O.put_present(step, p, a, pages) O.put(step .. ".present", O.present_runs(p, a, pages)) end

-- put_signal(step, base): the signal a probe returned (nil = none), address relative to base.
function O.put_signal(step, sig, base)
  if not sig then O.put(step .. ".signal", "none"); return end
  O.put(step .. ".signal", sig.signal)
  O.put(step .. ".si_code", sig.code_name)
  local off = sig.addr - base
  O.put(step .. ".si_addr_off", off < 0 and ("-" .. hex(-off)) or hex(off))
end
-- The signal of one access (read/write/exec of one byte), or nil.
function O.probe(p, addr, kind)
  local r, sig
  if kind == "write" then r, sig = p:write_u8(addr, 1)
  elseif kind == "exec" then r, sig = p:access(addr, 1, "exec")
  else r, sig = p:read_u8(addr) end
  return sig
end

-- put_errno(step, r, err): "ok" or the errno name of a call returning value or nil, name.
function O.put_errno(step, r, err)
  O.put(step .. ".errno", r ~= nil and "ok" or err)
end

-- Number of VMAs overlapping [lo, hi).
function O.vmas_in(p, lo, hi)
  local n = 0
  for _, v in ipairs(p:maps()) do
    if v.start < hi and v["end"] > lo then n = n + 1 end
  end
  return n
end

-- Pages of a file resident in the page cache (mincore over a fresh shared mapping).
function O.cached_pages(p, fd, pages)
  local m = assert(p:mmap{len = pages * PAGE, prot = "r--", flags = "shared", fd = fd})
  local v = assert(p:mincore(m, pages * PAGE))
  p:munmap(m, pages * PAGE)
  local n = 0
  for _, b in ipairs(v) do n = n + b end
  return n
end
