// Reading ELF64 executables and shared objects (with libelf), for the exec planner
// (exec_internal.hpp lists its files; ldso_cache.cpp reads glibc's ld.so.cache).
//
// ELF64 header fields used, with their byte offsets (System V ABI, "ELF Header"):
//
//   0  e_ident[16]: 7f 'E' 'L' 'F', [4] class (2 = 64-bit), [5] data (1 = LSB), [6] version
//  16  e_type      18 e_machine    20 e_version   24 e_entry    32 e_phoff   40 e_shoff
//  48  e_flags     52 e_ehsize     54 e_phentsize 56 e_phnum   58 e_shentsize ...
//
// Program header (56 bytes): 0 p_type, 4 p_flags, 8 p_offset, 16 p_vaddr, 24 p_paddr,
// 32 p_filesz, 40 p_memsz, 48 p_align. Every error carries the file and the byte offset
// of the field at fault; nothing here trusts a size or offset before checking it against
// the file size.
#include <elf.h>
#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>

#include "os/exec/exec_internal.hpp"
#include "vmlab/os/abi.hpp"
#include "vmlab/os/exec_plan.hpp"

namespace vmlab {

namespace {

const char* type_name(std::uint16_t t) {
    switch (t) {
        case ET_NONE: return "ET_NONE";
        case ET_REL: return "ET_REL (relocatable object)";
        case ET_EXEC: return "ET_EXEC";
        case ET_DYN: return "ET_DYN";
        case ET_CORE: return "ET_CORE (core dump)";
        default: return "unknown";
    }
}

std::string machine_name(std::uint16_t m) {
    switch (m) {
        case EM_386: return "EM_386";
        case EM_X86_64: return "EM_X86_64";
        case EM_AARCH64: return "EM_AARCH64";
        case EM_ARM: return "EM_ARM";
        case EM_RISCV: return "EM_RISCV";
        case EM_PPC64: return "EM_PPC64";
        case EM_S390: return "EM_S390";
        default: return fmt::format("e_machine {}", m);
    }
}

const char* seg_name(std::uint32_t t) {
    switch (t) {
        case PT_LOAD: return "PT_LOAD";
        case PT_DYNAMIC: return "PT_DYNAMIC";
        case PT_INTERP: return "PT_INTERP";
        case PT_GNU_RELRO: return "PT_GNU_RELRO";
        case PT_GNU_STACK: return "PT_GNU_STACK";
        default: return "segment";
    }
}

// Closes the descriptor and ends the libelf handle on every path.
struct ElfHandle {
    int fd = -1;
    Elf* e = nullptr;
    ~ElfHandle() {
        if (e) elf_end(e);
        if (fd >= 0) ::close(fd);
    }
};

bool add_overflows(std::uint64_t a, std::uint64_t b) { return a + b < a; }

// A NUL-terminated string at [off, limit) of the raw file bytes.
Result<std::string> raw_string(const std::string& path, const char* raw, std::uint64_t size,
                               std::uint64_t off, std::uint64_t limit, const char* what) {
    if (limit > size) limit = size;
    if (off >= limit) return exec_detail::file_error(path, off, fmt::format("{} at byte {} is outside the file or its table", what, off));
    const void* nul = std::memchr(raw + off, '\0', limit - off);
    if (!nul) return exec_detail::file_error(path, off, fmt::format("{} is not NUL-terminated", what));
    return std::string(raw + off, static_cast<const char*>(nul));
}

}  // namespace

namespace elf {
const char* auxv_name(std::uint64_t t) {
    switch (t) {
        case kAtNull: return "AT_NULL";
        case kAtPhdr: return "AT_PHDR";
        case kAtPhent: return "AT_PHENT";
        case kAtPhnum: return "AT_PHNUM";
        case kAtPagesz: return "AT_PAGESZ";
        case kAtBase: return "AT_BASE";
        case kAtFlags: return "AT_FLAGS";
        case kAtEntry: return "AT_ENTRY";
        case kAtUid: return "AT_UID";
        case kAtEuid: return "AT_EUID";
        case kAtGid: return "AT_GID";
        case kAtEgid: return "AT_EGID";
        case kAtPlatform: return "AT_PLATFORM";
        case kAtHwcap: return "AT_HWCAP";
        case kAtClktck: return "AT_CLKTCK";
        case kAtSecure: return "AT_SECURE";
        case kAtRandom: return "AT_RANDOM";
        case kAtHwcap2: return "AT_HWCAP2";
        case kAtRseqFeatureSize: return "AT_RSEQ_FEATURE_SIZE";
        case kAtRseqAlign: return "AT_RSEQ_ALIGN";
        case kAtExecfn: return "AT_EXECFN";
        case kAtSysinfoEhdr: return "AT_SYSINFO_EHDR";
        case kAtMinsigstksz: return "AT_MINSIGSTKSZ";
        default: return "AT_?";
    }
}
}  // namespace elf

int ElfSegment::prot() const {
    int p = 0;
    if (flags & PF_R) p |= sys::kProtRead;
    if (flags & PF_W) p |= sys::kProtWrite;
    if (flags & PF_X) p |= sys::kProtExec;
    return p;
}

std::uint64_t ElfInfo::min_vaddr() const {
    return loads.empty() ? 0 : segments[loads.front()].vaddr;
}

std::uint64_t ElfInfo::max_vaddr() const {
    std::uint64_t m = 0;
    for (auto i : loads) m = std::max(m, segments[i].vaddr + segments[i].memsz);
    return m;
}

Result<ElfInfo> read_elf(const std::string& path, std::uint16_t machine, std::uint64_t page_size) {
    ElfHandle h;
    h.fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (h.fd < 0) return fail(fmt::format("cannot open: {}", std::strerror(errno)), Location{path});
    struct stat st {};
    if (::fstat(h.fd, &st) != 0) return fail(fmt::format("cannot stat: {}", std::strerror(errno)), Location{path});
    if (!S_ISREG(st.st_mode)) return fail("not a regular file", Location{path});

    ElfInfo info;
    info.path = path;
    info.file_size = static_cast<std::uint64_t>(st.st_size);
    info.dev = st.st_dev;
    info.ino = st.st_ino;
    const std::uint64_t size = info.file_size;

    unsigned char ident[EI_NIDENT] = {};
    ssize_t got = ::pread(h.fd, ident, sizeof ident, 0);
    if (got < 0) return fail(fmt::format("cannot read: {}", std::strerror(errno)), Location{path});
    if (got >= 2 && ident[0] == '#' && ident[1] == '!')
        return exec_detail::file_error(path, 0, "a script (#!), not an ELF binary: vmlab execs ELF files only");
    if (got < SELFMAG || std::memcmp(ident, ELFMAG, SELFMAG) != 0)
        return exec_detail::file_error(path, 0, "not an ELF file (e_ident does not start with 7f 45 4c 46)");
    if (got <= EI_CLASS) return exec_detail::file_error(path, size, fmt::format("truncated ELF header: the file has {} bytes", size));
    if (ident[EI_CLASS] != ELFCLASS64)
        return exec_detail::file_error(path, EI_CLASS, fmt::format("e_ident[EI_CLASS] is {} ({}): only ELF64 is supported", ident[EI_CLASS],
                                                     ident[EI_CLASS] == ELFCLASS32 ? "ELFCLASS32, a 32-bit file" : "invalid"));
    if (size < sizeof(Elf64_Ehdr))
        return exec_detail::file_error(path, size, fmt::format("truncated ELF header: the file has {} bytes, an ELF64 header needs {}",
                                                 size, sizeof(Elf64_Ehdr)));
    if (ident[EI_DATA] != ELFDATA2LSB)
        return exec_detail::file_error(path, EI_DATA, fmt::format("e_ident[EI_DATA] is {}: only little-endian (ELFDATA2LSB) is supported", ident[EI_DATA]));
    if (ident[EI_VERSION] != EV_CURRENT)
        return exec_detail::file_error(path, EI_VERSION, fmt::format("e_ident[EI_VERSION] is {}, expected 1", ident[EI_VERSION]));

    elf_version(EV_CURRENT);
    h.e = elf_begin(h.fd, ELF_C_READ_MMAP, nullptr);
    if (!h.e || elf_kind(h.e) != ELF_K_ELF)
        return exec_detail::file_error(path, 0, fmt::format("libelf cannot read it: {}", elf_errmsg(-1)));
    const Elf64_Ehdr* eh = elf64_getehdr(h.e);
    if (!eh) return exec_detail::file_error(path, 0, fmt::format("libelf cannot read the ELF header: {}", elf_errmsg(-1)));
    size_t raw_size = 0;
    const char* raw = elf_rawfile(h.e, &raw_size);
    if (!raw || raw_size != size) return exec_detail::file_error(path, 0, "libelf cannot map the file");

    info.type = eh->e_type;
    info.machine = eh->e_machine;
    info.entry = eh->e_entry;
    info.phoff = eh->e_phoff;
    info.phnum = eh->e_phnum;
    if (info.type != ET_EXEC && info.type != ET_DYN)
        return exec_detail::file_error(path, 16, fmt::format("e_type is {} ({}): not an executable or shared object", info.type, type_name(info.type)));
    if (machine != 0 && info.machine != machine)
        return exec_detail::file_error(path, 18, fmt::format("e_machine is {} ({}), expected {} ({})", info.machine,
                                               machine_name(info.machine), machine, machine_name(machine)));
    if (eh->e_phentsize != sizeof(Elf64_Phdr))
        return exec_detail::file_error(path, 54, fmt::format("e_phentsize is {}, expected {}", eh->e_phentsize, sizeof(Elf64_Phdr)));
    // fs/binfmt_elf.c: at least one and at most 64 KiB of program headers.
    if (info.phnum < 1 || info.phnum > 65536u / sizeof(Elf64_Phdr))
        return exec_detail::file_error(path, 56, fmt::format("e_phnum is {}: expected 1 to {} program headers", info.phnum, 65536u / sizeof(Elf64_Phdr)));
    const std::uint64_t ph_bytes = std::uint64_t{info.phnum} * sizeof(Elf64_Phdr);
    if (add_overflows(info.phoff, ph_bytes) || info.phoff + ph_bytes > size)
        return exec_detail::file_error(path, 32, fmt::format("e_phoff: the program header table [{:#x}, {:#x}) extends past the end of the file ({} bytes)",
                                               info.phoff, info.phoff + ph_bytes, size));
    const Elf64_Phdr* ph = elf64_getphdr(h.e);
    if (!ph) return exec_detail::file_error(path, 32, fmt::format("libelf cannot read the program headers: {}", elf_errmsg(-1)));

    std::uint64_t dyn_off = 0, dyn_size = 0, dyn_hdr = 0;
    bool have_interp = false;
    for (std::uint16_t i = 0; i < info.phnum; ++i) {
        ElfSegment s;
        s.type = ph[i].p_type;
        s.flags = ph[i].p_flags;
        s.offset = ph[i].p_offset;
        s.vaddr = ph[i].p_vaddr;
        s.filesz = ph[i].p_filesz;
        s.memsz = ph[i].p_memsz;
        s.align = ph[i].p_align;
        s.header_offset = info.phoff + std::uint64_t{i} * sizeof(Elf64_Phdr);
        const std::uint64_t at = s.header_offset;
        auto bad = [&](std::uint64_t field, std::string msg) {
            return exec_detail::file_error(path, at + field, fmt::format("program header {} ({}): {}", i, seg_name(s.type), msg));
        };
        if (s.type == PT_LOAD || s.type == PT_INTERP || s.type == PT_DYNAMIC) {
            if (add_overflows(s.offset, s.filesz) || s.offset + s.filesz > size)
                return bad(8, fmt::format("file bytes [{:#x}, {:#x}) extend past the end of the file ({} bytes)",
                                          s.offset, s.offset + s.filesz, size));
        }
        if (s.type == PT_LOAD) {
            if (s.filesz > s.memsz)
                return bad(32, fmt::format("p_filesz {:#x} is larger than p_memsz {:#x}", s.filesz, s.memsz));
            if (add_overflows(s.vaddr, s.memsz) || add_overflows(s.vaddr + s.memsz, page_size))
                return bad(16, fmt::format("p_vaddr {:#x} + p_memsz {:#x} overflows", s.vaddr, s.memsz));
            if (page_size && (s.vaddr % page_size) != (s.offset % page_size))
                return bad(16, fmt::format("p_vaddr {:#x} and p_offset {:#x} differ modulo the page size {}",
                                           s.vaddr, s.offset, page_size));
            if (!info.loads.empty()) {
                const ElfSegment& prev = info.segments[info.loads.back()];
                if (s.vaddr < prev.vaddr + prev.memsz)
                    return bad(16, fmt::format("p_vaddr {:#x} is below the end {:#x} of the previous PT_LOAD (PT_LOADs must ascend without overlap)",
                                               s.vaddr, prev.vaddr + prev.memsz));
            }
            info.loads.push_back(info.segments.size());
        } else if (s.type == PT_INTERP && !have_interp) {
            // fs/binfmt_elf.c: 2 to PATH_MAX bytes, NUL-terminated.
            if (s.filesz < 2 || s.filesz > 4096)
                return bad(32, fmt::format("p_filesz {} is not a valid interpreter path length (2 to 4096)", s.filesz));
            if (raw[s.offset + s.filesz - 1] != '\0')
                return bad(8, "the interpreter path is not NUL-terminated");
            info.interp.assign(raw + s.offset);
            info.interp_offset = s.offset;
            if (info.interp.empty()) return bad(8, "the interpreter path is empty");
            have_interp = true;
        } else if (s.type == PT_GNU_STACK) {
            info.has_gnu_stack = true;
            info.exec_stack = (s.flags & PF_X) != 0;
        } else if (s.type == PT_GNU_RELRO) {
            info.relro_vaddr = s.vaddr;
            info.relro_memsz = s.memsz;
        } else if (s.type == PT_DYNAMIC && !info.dynamic) {
            info.dynamic = true;
            dyn_off = s.offset;
            dyn_size = s.filesz;
            dyn_hdr = at;
        }
        info.segments.push_back(s);
    }
    if (info.loads.empty()) return exec_detail::file_error(path, 56, "no PT_LOAD program header: nothing to map");

    if (info.dynamic && dyn_size > 0) {
        Elf_Data* d = elf_getdata_rawchunk(h.e, static_cast<int64_t>(dyn_off), dyn_size, ELF_T_DYN);
        if (!d || !d->d_buf)
            return exec_detail::file_error(path, dyn_hdr, fmt::format("cannot read PT_DYNAMIC: {}", elf_errmsg(-1)));
        const auto* dyn = static_cast<const Elf64_Dyn*>(d->d_buf);
        const std::size_t n = d->d_size / sizeof(Elf64_Dyn);
        std::uint64_t strtab = 0, strsz = 0, strtab_at = 0;
        std::vector<std::pair<std::uint64_t, std::uint64_t>> needed;  // (string index, dyn entry offset)
        std::uint64_t soname = ~0ull, rpath = ~0ull, runpath = ~0ull;
        for (std::size_t i = 0; i < n && dyn[i].d_tag != DT_NULL; ++i) {
            const std::uint64_t v = dyn[i].d_un.d_val;
            const std::uint64_t at = dyn_off + i * sizeof(Elf64_Dyn);
            switch (dyn[i].d_tag) {
                case DT_NEEDED: needed.emplace_back(v, at); break;
                case DT_STRTAB: strtab = v; strtab_at = at; break;
                case DT_STRSZ: strsz = v; break;
                case DT_SONAME: soname = v; break;
                case DT_RPATH: rpath = v; break;
                case DT_RUNPATH: runpath = v; break;
                case DT_FLAGS_1: info.nodeflib = (v & DF_1_NODEFLIB) != 0; break;
                default: break;
            }
        }
        const bool any_string = !needed.empty() || soname != ~0ull || rpath != ~0ull || runpath != ~0ull;
        if (any_string) {
            // DT_STRTAB is an address: find the file bytes that hold it (ld.so reads it in memory).
            std::uint64_t str_off = ~0ull;
            for (auto li : info.loads) {
                const auto& s = info.segments[li];
                if (strtab >= s.vaddr && strtab < s.vaddr + s.filesz) {
                    str_off = strtab - s.vaddr + s.offset;
                    break;
                }
            }
            if (str_off == ~0ull)
                return exec_detail::file_error(path, strtab_at, fmt::format("DT_STRTAB {:#x} is not inside the file bytes of any PT_LOAD", strtab));
            const std::uint64_t str_end = add_overflows(str_off, strsz) ? size : std::min(size, str_off + strsz);
            auto str = [&](std::uint64_t idx, std::uint64_t entry_at, const char* what) -> Result<std::string> {
                if (idx >= str_end - str_off)
                    return exec_detail::file_error(path, entry_at, fmt::format("{} string index {} is past the string table ({} bytes)", what, idx, str_end - str_off));
                return raw_string(path, raw, size, str_off + idx, str_end, what);
            };
            for (auto [idx, at] : needed) {
                auto s = str(idx, at, "DT_NEEDED");
                if (!s) return fail(s.error());
                if (s->empty()) return exec_detail::file_error(path, str_off + idx, "DT_NEEDED names an empty string");
                info.needed.push_back(*s);
                info.needed_offsets.push_back(str_off + idx);
            }
            if (soname != ~0ull) {
                auto s = str(soname, dyn_off, "DT_SONAME");
                if (!s) return fail(s.error());
                info.soname = *s;
            }
            if (rpath != ~0ull) {
                auto s = str(rpath, dyn_off, "DT_RPATH");
                if (!s) return fail(s.error());
                info.rpath = *s;
            }
            if (runpath != ~0ull) {
                auto s = str(runpath, dyn_off, "DT_RUNPATH");
                if (!s) return fail(s.error());
                info.runpath = *s;
                info.rpath.clear();  // glibc: "If both RUNPATH and RPATH are given, the latter is ignored."
            }
        }
    }
    return info;
}

}  // namespace vmlab
