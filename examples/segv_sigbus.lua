-- Segmentation faults and bus errors as values (docs/linux-reference.md, mprotect_segv,
-- munmap_hole, file_sigbus). Linux: a write to a read-only page is SIGSEGV SEGV_ACCERR at
-- the exact address; an access where nothing is mapped is SEGV_MAPERR; a page of a file
-- mapping wholly past the end of the file is SIGBUS BUS_ADRERR. None is counted as a fault.
machine{preset = "x86_64"}
local p = spawn("faulty")
p:catch("SIGSEGV")
p:catch("SIGBUS")
local a = p:mmap{len = 4 * PAGE}
p:touch(a, 4 * PAGE, "write")
p:mprotect(a, 4 * PAGE, "r--")
local ok, sig = p:write_u8(a + 2 * PAGE + 0x123, 1)
printf("write to read-only page:  %s %s at mapping + %s", sig.signal, sig.code_name, hex(sig.addr - a))
p:munmap(a + PAGE, PAGE)
ok, sig = p:read_u8(a + PAGE + 0x10)
printf("read in an unmapped hole: %s %s at mapping + %s", sig.signal, sig.code_name, hex(sig.addr - a))
ok, sig = p:read_u8(0)
printf("read of NULL:             %s %s at %s", sig.signal, sig.code_name, hex(sig.addr))
-- A file of one page and 100 bytes (created inside the simulation), mapped over 4 pages.
local fd = p:open("/tmp/vmlab-example-sigbus.dat", "rdwr|creat|trunc")
p:pwrite(fd, string.rep("A", PAGE + 100), 0)
local m = p:mmap{len = 4 * PAGE, prot = "r--", flags = "shared", fd = fd}
printf("last partial page: byte 99 = %q, byte 100 = %d (zero past the end of file)",
       p:read_bytes(m + PAGE + 99, 1), p:read_u8(m + PAGE + 100))
ok, sig = p:read_u8(m + 2 * PAGE)
printf("page past the end:        %s %s at mapping + %s", sig.signal, sig.code_name, hex(sig.addr - m))
printf("signals delivered: SIGSEGV %d, SIGBUS %d", p:faults().sigsegv, p:faults().sigbus)
