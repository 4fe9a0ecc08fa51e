-- exec of a real binary and its memory map (docs/exec.md).
--
-- execve replaces the address space of the calling process with a new program. Linux
-- reads the ELF file's program headers and maps each PT_LOAD segment as a private file
-- mapping with the segment's permissions: /usr/bin/true, a position-independent
-- executable (PIE), gets five VMAs at ELF_ET_DYN_BASE (0x555555554000 with ASLR off):
-- the ELF header and read-only data (r--), the code (r-x), more read-only data (r--), the
-- part of its data that is read-only after relocation (RELRO, r--) and its data (rw-).
-- A segment whose memory size exceeds its file size continues with anonymous zero pages
-- (.bss). The program break (brk, the [heap]) starts right after the executable.
--
-- The executable names an interpreter (PT_INTERP), the dynamic loader ld.so, which Linux
-- maps below mmap_base, with the vDSO (kernel code for fast system calls, [vdso], and its
-- data pages, [vvar]). A new [stack] at the top of user space holds argv, envp and the
-- auxiliary vector. The loader then maps the libraries the program needs (DT_NEEDED:
-- libc.so.6 for true; libselinux, libpcre2 and libc for ls), each with the same kind of
-- segments, and makes their RELRO parts read-only; the two anonymous VMAs are libc's
-- .bss and the loader's first malloc arena. vmlab performs all of that (the exec
-- planner emulates execve and glibc's ld.so) and stops where the program's first
-- instruction would run.
--
-- The maps below are those of the real process stopped at that point, file for file and
-- segment for segment (tests/unit/os/exec_plan_test.cpp, ExecPlan.TrueMatchesTheRealProcess
-- and LsMatchesTheRealProcess, compare them under ptrace). Addresses, sizes, offsets and
-- inode numbers depend on this machine's build of each binary, so this script prints the
-- permissions and names only; `show("maps", p)` prints the full lines.
machine{preset = "x86_64"}
local p = spawn("shell")
local ok, err = p:exec("/usr/bin/true", {"true", "--version"}, {"LANG=C"})
printf("exec /usr/bin/true: %s; the process is now called %q", ok and "ok" or err, p.name)
local L = p:layout()
printf("argv[0] and argv[1] on the new stack: %q %q; envp[0]: %q", p:read_string(L.arg_start),
       p:read_string(L.arg_start + #"true" + 1), p:read_string(L.env_start))
local function show_map(q)
  for _, v in ipairs(q:maps()) do
    local name = v.name ~= "" and v.name or "(anonymous)"
    printf("  %s %s", v.perms, name)
  end
end
show_map(p)
local maps = p:maps()
printf("the executable starts at %s (ELF_ET_DYN_BASE); the stack ends at %s (TASK_SIZE)",
       hex(maps[1].start), hex(maps[#maps]["end"]))
local last_exe_vma
for _, v in ipairs(maps) do
  if v.name == "/usr/bin/true" then last_exe_vma = v end
end
printf("the program break starts right after the executable: %s",
       L.start_brk == last_exe_vma["end"] and "yes" or "no")
p:sbrk(4 * PAGE)
for _, v in ipairs(p:maps()) do
  if v.name == "[heap]" then printf("after sbrk(4 pages): [heap] of %d pages", v.size // PAGE) end
end

print("== exec /usr/bin/ls from a forked child")
local c = p:fork()
c:exec("/usr/bin/ls", {"ls", "-l"}, {"LANG=C"})
local files, seen = {}, {}
for _, v in ipairs(c:maps()) do
  if v.name:sub(1, 1) == "/" and not seen[v.name] then
    seen[v.name] = true
    files[#files + 1] = v.name
  end
end
printf("ls maps %d files:", #files)
for _, f in ipairs(files) do printf("  %s", f) end
printf("the parent still runs %q with %d VMAs", p.name, #p:maps())
