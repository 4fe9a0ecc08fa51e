// glibc 2.36's ld.so as the planner emulates it (elf/rtld.c dl_main, elf/dl-load.c
// _dl_map_object, elf/dl-map-segments.h): the search order (LD_LIBRARY_PATH, DT_RUNPATH,
// DT_RPATH, the cache, the default directories), DT_NEEDED breadth first, the mapping of
// each library and the RELRO protection after relocation.
#include "os/exec/exec_internal.hpp"

namespace vmlab::exec_detail {

std::string Planner::env(const std::string& key) const {
    std::string value;
    for (const auto& e : plan_.envp)
        if (e.size() > key.size() && e.compare(0, key.size(), key) == 0 && e[key.size()] == '=')
            value = e.substr(key.size() + 1);  // ld.so takes the last one
    return value;
}

std::string Planner::origin_of(const ExecObject& obj) const {
    // The executable's origin comes from its real path (/proc/self/exe), a library's from
    // the name it was opened under.
    if (obj.role == ExecRole::Executable) return dirname_of(obj.path);
    const std::string& p = obj.elf.path;
    const bool in_root = !o_.sysroot.empty() && p.compare(0, o_.sysroot.size(), o_.sysroot) == 0;
    return dirname_of(in_root ? p.substr(o_.sysroot.size()) : p);
}

// A colon-separated directory list with $ORIGIN, $PLATFORM and $LIB substituted.
std::vector<std::string> Planner::expand_path_list(const std::string& list, const ExecObject& obj) const {
    std::vector<std::string> out;
    std::size_t start = 0;
    while (start <= list.size()) {
        auto end = list.find_first_of(":;", start);
        if (end == std::string::npos) end = list.size();
        std::string d = list.substr(start, end - start);
        if (d.empty()) d = ".";
        auto subst = [&](const std::string& token, const std::string& value) {
            for (const std::string& t : {"${" + token + "}", "$" + token}) {
                std::size_t pos;
                while ((pos = d.find(t)) != std::string::npos) d.replace(pos, t.size(), value);
            }
        };
        subst("ORIGIN", origin_of(obj));
        subst("PLATFORM", o_.platform);
        subst("LIB", o_.lib_token);
        while (d.size() > 1 && d.back() == '/') d.pop_back();
        out.push_back(d);
        start = end + 1;
    }
    return out;
}

// elf/dl-load.c _dl_map_object: finds (or reuses) the object `name` needed by object
// `requester` and maps it. Returns its index in plan_.objects.
Result<std::size_t> Planner::load_needed(const std::string& name, std::size_t requester, std::uint64_t name_offset,
                                         const std::string& via_preload) {
    for (std::size_t i = 0; i < plan_.objects.size(); ++i) {
        const auto& ob = plan_.objects[i];
        if (ob.name == name || ob.elf.soname == name ||
            std::find(aliases_[i].begin(), aliases_[i].end(), name) != aliases_[i].end())
            return i;
    }
    const ExecObject& req = plan_.objects[requester];
    std::vector<std::string> tried;
    std::optional<ElfInfo> found;
    std::string found_path, via;

    // open_verify: a missing file or one of another class or machine is skipped; any other
    // defect in an ELF file that exists stops the load, as it stops ld.so.
    auto try_file = [&](const std::string& candidate, const std::string& how) -> Status {
        if (found) return ok();
        tried.push_back(fmt::format("{} ({})", candidate, how));
        const std::string hp = host(candidate);
        if (!is_regular_file(hp)) return ok();
        auto e = read_elf(hp, 0, ps_);
        if (!e) {
            if (e.error().where.byte_offset == 4) return ok();  // ELFCLASS32: ld.so skips it
            Error err = e.error();
            err.message = fmt::format("{} (while loading {}, needed by {})", err.message, name, req.path);
            return fail(err);
        }
        if (e->machine != o_.machine) return ok();
        found = std::move(*e);
        found_path = candidate;
        via = how;
        return ok();
    };
    auto try_dirs = [&](const std::vector<std::string>& dirs, const std::string& how) -> Status {
        for (const auto& d : dirs) VMLAB_TRY(try_file(d + "/" + name, how));
        return ok();
    };

    if (!via_preload.empty() && name.find('/') != std::string::npos) {
        VMLAB_TRY(try_file(name, via_preload));
    } else if (name.find('/') != std::string::npos) {
        VMLAB_TRY(try_file(name, "path"));
    } else {
        if (req.elf.runpath.empty()) {
            // DT_RPATH of the requester, then of its loaders up to the executable.
            std::size_t at = requester;
            std::vector<bool> seen(plan_.objects.size(), false);
            while (!found && !seen[at]) {
                seen[at] = true;
                const ExecObject& ob = plan_.objects[at];
                if (!ob.elf.rpath.empty()) VMLAB_TRY(try_dirs(expand_path_list(ob.elf.rpath, ob), "DT_RPATH"));
                if (ob.needed_by.empty()) break;
                for (std::size_t i = 0; i < plan_.objects.size(); ++i)
                    if (plan_.objects[i].path == ob.needed_by) at = i;
            }
            const ExecObject& main = plan_.objects.front();
            if (!found && !seen[0] && !main.elf.rpath.empty())
                VMLAB_TRY(try_dirs(expand_path_list(main.elf.rpath, main), "DT_RPATH"));
        }
        const std::string llp = env("LD_LIBRARY_PATH");
        if (!found && !llp.empty()) VMLAB_TRY(try_dirs(expand_path_list(llp, plan_.objects.front()), "LD_LIBRARY_PATH"));
        if (!found && !req.elf.runpath.empty()) VMLAB_TRY(try_dirs(expand_path_list(req.elf.runpath, req), "DT_RUNPATH"));
        if (!found && !req.elf.nodeflib) {
            ensure_cache();
            if (cache_state_ == CacheState::Mapped) {
                const std::string c = cache_.lookup(name, o_.machine);
                if (!c.empty()) VMLAB_TRY(try_file(c, "ld.so.cache"));
                else tried.push_back("ld.so.cache (no entry)");
            }
        }
        if (!found && !req.elf.nodeflib) VMLAB_TRY(try_dirs(o_.system_dirs, "default path"));
    }
    if (!found) {
        if (!via_preload.empty()) {
            plan_.notes.push_back(fmt::format("ld.so: object '{}' from {} cannot be preloaded (cannot open shared object file): ignored",
                                              name, via_preload));
            return ~std::size_t{0};
        }
        Location loc;
        loc.file = req.elf.path;
        loc.byte_offset = static_cast<std::int64_t>(name_offset);
        std::string list;
        for (const auto& t : tried) list += (list.empty() ? "" : ", ") + t;
        return fail(fmt::format("{}: cannot open shared object file (DT_NEEDED of {}); tried: {}", name, req.path,
                                list.empty() ? "nothing" : list),
                    std::move(loc));
    }
    // The same file under another name (ld.so compares device and inode).
    for (std::size_t i = 0; i < plan_.objects.size(); ++i)
        if (plan_.objects[i].elf.dev == found->dev && plan_.objects[i].elf.ino == found->ino) {
            aliases_[i].push_back(name);
            return i;
        }
    if (found->type != elf::kEtDyn) {
        Location loc;
        loc.file = found->path;
        loc.byte_offset = 16;
        return fail(fmt::format("e_type is ET_EXEC: ld.so cannot load an executable as a library ({})", name), std::move(loc));
    }
    ExecObject obj;
    obj.role = ExecRole::Library;
    obj.name = name;
    obj.path = canonical(host(found_path));
    obj.found_via = via;
    obj.needed_by = req.path;
    obj.elf = std::move(*found);
    plan_.objects.push_back(std::move(obj));
    aliases_.emplace_back();
    VMLAB_TRY(map_library(plan_.objects.back()));
    if (plan_.objects.back().elf.exec_stack)
        plan_.notes.push_back(fmt::format("{} asks for an executable stack (PT_GNU_STACK PF_X): ld.so would make the stack executable; not planned",
                                          plan_.objects.back().path));
    return plan_.objects.size() - 1;
}

// elf/dl-map-segments.h _dl_map_segments (glibc 2.36).
Status Planner::map_library(ExecObject& obj) {
    struct LoadCmd {
        std::uint64_t mapstart, mapend, dataend, allocend, mapoff, mapalign;
        int prot;
    };
    std::vector<LoadCmd> cmds;
    std::uint64_t max_align = 0;
    for (auto li : obj.elf.loads) {
        const ElfSegment& s = obj.elf.segments[li];
        LoadCmd c;
        c.mapstart = down(s.vaddr);
        c.mapend = up(s.vaddr + s.filesz);
        c.dataend = s.vaddr + s.filesz;
        c.allocend = s.vaddr + s.memsz;
        c.mapoff = down(s.offset);
        c.prot = s.prot();
        if (s.align && (s.align & (s.align - 1)) == 0) max_align = std::max(max_align, s.align);
        cmds.push_back(c);
    }
    for (auto& c : cmds) c.mapalign = max_align;
    bool has_holes = false;
    for (std::size_t i = 1; i < cmds.size(); ++i)
        if (cmds[i - 1].mapend != cmds[i].mapstart) has_holes = true;
    const std::uint64_t maplength = cmds.back().allocend - cmds.front().mapstart;
    const std::string& file = obj.path;
    const int copy = sys::kMapPrivate | kMapDenyWrite;  // MAP_COPY

    // The first segment, extended to cover all of them, where the kernel chooses.
    std::uint64_t start;
    const LoadCmd& c0 = cmds.front();
    if (c0.mapalign <= ps_) {
        auto a = place(maplength, true, c0.mapoff);
        if (!a) return fail(a.error());
        start = *a;
        emit(make(ExecOpKind::MapFile, ExecActor::Loader, start, up(maplength), c0.prot, copy, file, c0.mapoff, file,
                  "reserve: PT_LOAD[0] over the whole span"));
    } else {
        const std::uint64_t maplen = maplength >= c0.mapalign ? maplength + c0.mapalign : 2 * c0.mapalign;
        auto a = place(maplen, false, 0);
        if (!a) return fail(a.error());
        const std::uint64_t raw = *a;
        emit(make(ExecOpKind::MapAnon, ExecActor::Loader, raw, up(maplen), sys::kProtNone,
                  sys::kMapPrivate | sys::kMapAnonymous, "", 0, file, "reserve for p_align"));
        start = (raw + c0.mapalign - 1) & ~(c0.mapalign - 1);
        emit(make(ExecOpKind::MapFile, ExecActor::Loader, start, up(maplength), c0.prot, copy | sys::kMapFixed, file,
                  c0.mapoff, file, "reserve: PT_LOAD[0] over the whole span"));
        if (start > raw)
            emit(make(ExecOpKind::Unmap, ExecActor::Loader, raw, start - raw, 0, 0, "", 0, file, "alignment slack"));
        const std::uint64_t map_end = up(start + maplength);
        if (raw + up(maplen) > map_end)
            emit(make(ExecOpKind::Unmap, ExecActor::Loader, map_end, raw + up(maplen) - map_end, 0, 0, "", 0, file,
                      "alignment slack"));
    }
    const std::uint64_t bias = start - c0.mapstart;
    obj.bias = bias;
    obj.map_start = VirtAddr{start};
    obj.map_end = VirtAddr{start + up(maplength)};
    if (has_holes)
        emit(make(ExecOpKind::Protect, ExecActor::Loader, bias + c0.mapend, cmds.back().mapstart - c0.mapend,
                  sys::kProtNone, 0, "", 0, file, "holes between segments"));

    for (std::size_t k = 0; k < cmds.size(); ++k) {
        const LoadCmd& c = cmds[k];
        const std::string what = fmt::format("PT_LOAD[{}]", k);
        if (k > 0 && c.mapend > c.mapstart)
            emit(make(ExecOpKind::MapFile, ExecActor::Loader, bias + c.mapstart, c.mapend - c.mapstart, c.prot,
                      copy | sys::kMapFixed, file, c.mapoff, file, what));
        if (c.allocend > c.dataend) {
            const std::uint64_t zero = bias + c.dataend, zeroend = bias + c.allocend;
            std::uint64_t zeropage = up(zero);
            if (zeroend < zeropage) zeropage = zeroend;
            if (zeropage > zero) {
                const bool ro = (c.prot & sys::kProtWrite) == 0;
                if (ro)
                    emit(make(ExecOpKind::Protect, ExecActor::Loader, down(zero), ps_, c.prot | sys::kProtWrite, 0, "", 0,
                              file, what + " make the partial page writable"));
                emit(make(ExecOpKind::Zero, ExecActor::Loader, zero, zeropage - zero, 0, 0, "", 0, file,
                          what + " memset of the partial page"));
                if (ro)
                    emit(make(ExecOpKind::Protect, ExecActor::Loader, down(zero), ps_, c.prot, 0, "", 0, file,
                              what + " restore protection"));
            }
            if (zeroend > zeropage)
                emit(make(ExecOpKind::MapAnon, ExecActor::Loader, zeropage, up(zeroend) - zeropage, c.prot,
                          sys::kMapPrivate | sys::kMapAnonymous | sys::kMapFixed, "", 0, file, what + " bss"));
        }
    }
    if (obj.elf.relro_memsz) {
        obj.relro_start = VirtAddr{down(bias + obj.elf.relro_vaddr)};
        obj.relro_end = VirtAddr{down(bias + obj.elf.relro_vaddr + obj.elf.relro_memsz)};
    }
    return ok();
}

// elf/rtld.c dl_main: preloads, the breadth-first DT_NEEDED closure, relocation (RELRO),
// and unmapping the cache.
Status Planner::load_libraries() {
    if (o_.ldso_arena_pages) {
        auto a = place(o_.ldso_arena_pages * ps_, false, 0);
        if (!a) return fail(a.error());
        emit(make(ExecOpKind::MapAnon, ExecActor::Loader, *a, o_.ldso_arena_pages * ps_, sys::kProtRead | sys::kProtWrite,
                  sys::kMapPrivate | sys::kMapAnonymous, "", 0, plan_.objects[1].path, "ld.so minimal malloc"));
    }
    std::vector<std::size_t> queue = {0};
    auto preload = [&](const std::string& list, const std::string& source) -> Status {
        std::size_t start = 0;
        while (start < list.size()) {
            auto end = list.find_first_of(" :\t\n", start);
            if (end == std::string::npos) end = list.size();
            const std::string name = list.substr(start, end - start);
            start = end + 1;
            if (name.empty()) continue;
            auto r = load_needed(name, 0, 0, source);
            if (!r) return fail(r.error());
            if (*r != ~std::size_t{0} && std::find(queue.begin(), queue.end(), *r) == queue.end()) {
                ExecObject& ob = plan_.objects[*r];
                if (ob.role == ExecRole::Library && ob.found_via != source) ob.found_via = source + " via " + ob.found_via;
                queue.push_back(*r);
            }
        }
        return ok();
    };
    VMLAB_TRY(preload(env("LD_PRELOAD"), "LD_PRELOAD"));
    if (!o_.ld_so_preload.empty() && is_regular_file(host(o_.ld_so_preload))) {
        std::ifstream in(host(o_.ld_so_preload));
        std::string all((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
        VMLAB_TRY(preload(all, o_.ld_so_preload));
    }
    for (std::size_t qi = 0; qi < queue.size(); ++qi) {
        const std::size_t at = queue[qi];
        const std::vector<std::string> needed = plan_.objects[at].elf.needed;
        const std::vector<std::uint64_t> offsets = plan_.objects[at].elf.needed_offsets;
        for (std::size_t j = 0; j < needed.size(); ++j) {
            auto r = load_needed(needed[j], at, offsets[j], "");
            if (!r) return fail(r.error());
            if (*r != 1 && std::find(queue.begin(), queue.end(), *r) == queue.end()) queue.push_back(*r);
        }
    }
    // Relocation order: dependencies before their users, the executable last, ld.so itself
    // after everything; each object's RELRO becomes read-only when it is relocated.
    std::vector<std::size_t> order(queue.rbegin(), queue.rend());
    order.push_back(1);
    for (auto i : order) {
        const ExecObject& ob = plan_.objects[i];
        if (ob.relro_end.value > ob.relro_start.value)
            emit(make(ExecOpKind::Protect, ExecActor::Loader, ob.relro_start.value, ob.relro_end.value - ob.relro_start.value,
                      sys::kProtRead, 0, "", 0, ob.path, "relro"));
    }
    if (cache_state_ == CacheState::Mapped)
        emit(make(ExecOpKind::Unmap, ExecActor::Loader, cache_addr_, cache_len_, 0, 0, "", 0, "", "ld.so.cache"));
    return ok();
}

}  // namespace vmlab::exec_detail
