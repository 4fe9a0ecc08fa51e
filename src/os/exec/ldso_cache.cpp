// glibc's /etc/ld.so.cache: the file reader (read_ld_so_cache, LdSoCache::lookup) and
// ld.so's mapping of the cache while it loads libraries (Planner::ensure_cache).
//
// New format (sysdeps/generic/dl-cache.h), offsets from the start of its header:
//    0  "glibc-ld.so.cache" "1.1"     20 nlibs (u32)   24 len_strings (u32)
//   28  flags (u8), 3 bytes padding   32 extension_offset (u32)   36 unused[3] (u32)
//   48  nlibs entries of 24 bytes: flags (i32), key (u32), value (u32), osversion (u32),
//       hwcap (u64); key and value are string offsets from the start of this header.
// An old-format table may precede it: "ld.so-1.7.0" (11 bytes, padded to 12), nlibs (u32),
// then nlibs entries of 12 bytes; the new header follows, 8-byte aligned.
#include <elf.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <iterator>

#include "os/exec/exec_internal.hpp"

namespace vmlab {

std::int32_t ld_so_cache_flags(std::uint16_t machine) {
    constexpr std::int32_t kLibc6 = 0x0003;
    switch (machine) {
        case EM_X86_64: return kLibc6 | 0x0300;   // FLAG_X8664_LIB64
        case EM_AARCH64: return kLibc6 | 0x0a00;  // FLAG_AARCH64_LIB64
        case EM_RISCV: return kLibc6 | 0x1000;    // FLAG_RISCV_FLOAT_ABI_DOUBLE (lp64d)
        default: return kLibc6;
    }
}

std::string LdSoCache::lookup(const std::string& name, std::uint16_t machine) const {
    const std::int32_t want = ld_so_cache_flags(machine);
    for (const auto& e : entries)
        if (e.key == name && (e.flags == want || e.flags == 1) && e.hwcap == 0) return e.value;
    return {};
}

Result<LdSoCache> read_ld_so_cache(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) return fail(fmt::format("cannot open: {}", std::strerror(errno)), Location{path});
    std::string data((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    LdSoCache cache;
    cache.path = path;
    cache.file_size = data.size();
    auto u32 = [&](std::uint64_t off) {
        std::uint32_t v;
        std::memcpy(&v, data.data() + off, 4);
        return v;
    };
    auto u64 = [&](std::uint64_t off) {
        std::uint64_t v;
        std::memcpy(&v, data.data() + off, 8);
        return v;
    };
    std::uint64_t base = 0;
    static constexpr char kOld[] = "ld.so-1.7.0";
    static constexpr char kNew[] = "glibc-ld.so.cache1.1";
    if (data.size() >= 16 && data.compare(0, 11, kOld) == 0) {
        const std::uint64_t old_n = u32(12);
        base = (16 + old_n * 12 + 7) & ~std::uint64_t{7};
    }
    if (data.size() < base + 48 || data.compare(base, 20, kNew) != 0)
        return exec_detail::file_error(path, base, "not a glibc-ld.so.cache1.1 file");
    const std::uint64_t n = u32(base + 20);
    if (base + 48 + n * 24 > data.size())
        return exec_detail::file_error(path, base + 20, fmt::format("nlibs {} entries extend past the end of the file ({} bytes)", n, data.size()));
    auto str = [&](std::uint64_t rel, std::uint64_t entry_at) -> Result<std::string> {
        const std::uint64_t off = base + rel;
        if (rel >= data.size() || off >= data.size())
            return exec_detail::file_error(path, entry_at, fmt::format("string offset {:#x} is past the end of the file", rel));
        const auto nul = data.find('\0', off);
        if (nul == std::string::npos) return exec_detail::file_error(path, off, "string is not NUL-terminated");
        return data.substr(off, nul - off);
    };
    cache.entries.reserve(n);
    for (std::uint64_t i = 0; i < n; ++i) {
        const std::uint64_t at = base + 48 + i * 24;
        LdSoCacheEntry e;
        std::uint32_t f = u32(at);
        std::memcpy(&e.flags, &f, 4);
        auto k = str(u32(at + 4), at + 4);
        if (!k) return fail(k.error());
        auto v = str(u32(at + 8), at + 8);
        if (!v) return fail(v.error());
        e.key = std::move(*k);
        e.value = std::move(*v);
        e.hwcap = u64(at + 16);
        cache.entries.push_back(std::move(e));
    }
    return cache;
}

namespace exec_detail {

// elf/dl-cache.c _dl_load_cache_lookup: the first lookup maps the whole file (the mapping
// is unmapped after the libraries are loaded, in load_libraries).
void Planner::ensure_cache() {
    if (cache_state_ != CacheState::Unread) return;
    cache_state_ = CacheState::Absent;
    if (o_.ld_so_cache.empty()) return;
    const std::string p = host(o_.ld_so_cache);
    if (!is_regular_file(p)) return;
    auto c = read_ld_so_cache(p);
    if (!c) {
        plan_.notes.push_back(fmt::format("{}: {}; ignored, as ld.so ignores an invalid cache", c.error().where.str(), c.error().message));
        return;
    }
    cache_ = std::move(*c);
    cache_path_ = canonical(p);
    cache_len_ = up(cache_.file_size);
    auto a = place(cache_len_, true, 0);
    if (!a) return;
    cache_addr_ = *a;
    emit(make(ExecOpKind::MapFile, ExecActor::Loader, cache_addr_, cache_len_, sys::kProtRead, sys::kMapPrivate,
              cache_path_, 0, "", "ld.so.cache"));
    cache_state_ = CacheState::Mapped;
}

}  // namespace exec_detail
}  // namespace vmlab
