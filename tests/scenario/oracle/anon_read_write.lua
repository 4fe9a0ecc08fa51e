-- tests/oracle/linux/anon_read_write.c in vmlab: prints the same keys.
local KEYS = {"size", "rss", "pss", "shared_clean", "shared_dirty", "private_clean", "private_dirty",
              "referenced", "anonymous", "lazyfree", "swap", "locked"}
local function smaps(step, p, a)
  local m = p:smaps(a)
  for _, k in ipairs(KEYS) do printf("%s.%s_kb %d", step, k, m[k] // KiB) end
end
local function faults(step, p, before)
  local f = p:faults()
  printf("%s.minflt %d", step, f.minor - before.minor)
  printf("%s.majflt %d", step, f.major - before.major)
end
local p = spawn("anon")
local a = p:mmap{len = 64 * PAGE}
smaps("mapped", p, a)
local b = p:faults(); p:touch(a, 64 * PAGE, "read"); faults("read", p, b); smaps("read", p, a)
b = p:faults(); p:touch(a, 64 * PAGE, "write"); faults("write", p, b); smaps("write", p, a)
b = p:faults(); p:touch(a, 64 * PAGE, "write"); faults("rewrite", p, b)
-- The C program maps each case in its own reservation so that mappings never merge.
p:munmap(a, 64 * PAGE)
local c = p:mmap{len = 64 * PAGE}
b = p:faults(); p:touch(c, 64 * PAGE, "write"); faults("write_first", p, b); smaps("write_first", p, c)
