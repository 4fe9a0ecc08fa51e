#include "vmlab/os/abi_names.hpp"

#include <cctype>

#include "vmlab/core/strings.hpp"
#include "vmlab/os/abi.hpp"
#include "vmlab/os/kernel.hpp"

namespace vmlab::sys {

const FlagSet& prot_flags() {
    static const FlagSet s{"protection", "PROT_",
                           {{"none", kProtNone}, {"read", kProtRead}, {"write", kProtWrite}, {"exec", kProtExec},
                            {"sem", kProtSem}, {"growsdown", kProtGrowsDown}, {"growsup", kProtGrowsUp}}};
    return s;
}
const FlagSet& map_flags() {
    static const FlagSet s{"mmap flag", "MAP_",
                           {{"shared", kMapShared}, {"private", kMapPrivate}, {"shared_validate", kMapSharedValidate},
                            {"fixed", kMapFixed}, {"anonymous", kMapAnonymous}, {"anon", kMapAnonymous},
                            {"growsdown", kMapGrowsDown}, {"denywrite", kMapDenyWrite},
                            {"executable", kMapExecutable}, {"locked", kMapLocked}, {"noreserve", kMapNoReserve},
                            {"populate", kMapPopulate}, {"nonblock", kMapNonBlock}, {"stack", kMapStack},
                            {"hugetlb", kMapHugeTlb}, {"sync", kMapSync}, {"fixed_noreplace", kMapFixedNoReplace}}};
    return s;
}
const FlagSet& madvise_advice() {
    static const FlagSet s{"madvise advice", "MADV_",
                           {{"normal", kMadvNormal}, {"random", kMadvRandom}, {"sequential", kMadvSequential},
                            {"willneed", kMadvWillNeed}, {"dontneed", kMadvDontNeed}, {"free", kMadvFree},
                            {"remove", kMadvRemove}, {"dontfork", kMadvDontFork}, {"dofork", kMadvDoFork},
                            {"mergeable", kMadvMergeable}, {"unmergeable", kMadvUnmergeable},
                            {"hugepage", kMadvHugePage}, {"nohugepage", kMadvNoHugePage},
                            {"dontdump", kMadvDontDump}, {"dodump", kMadvDoDump}, {"wipeonfork", kMadvWipeOnFork},
                            {"keeponfork", kMadvKeepOnFork}, {"cold", kMadvCold}, {"pageout", kMadvPageOut},
                            {"populate_read", kMadvPopulateRead}, {"populate_write", kMadvPopulateWrite}}};
    return s;
}
const FlagSet& fadvise_advice() {
    static const FlagSet s{"fadvise advice", "POSIX_FADV_",
                           {{"normal", kFadvNormal}, {"random", kFadvRandom}, {"sequential", kFadvSequential},
                            {"willneed", kFadvWillNeed}, {"dontneed", kFadvDontNeed}, {"noreuse", kFadvNoReuse}}};
    return s;
}
const FlagSet& msync_flags() {
    static const FlagSet s{"msync flag", "MS_", {{"async", kMsAsync}, {"invalidate", kMsInvalidate}, {"sync", kMsSync}}};
    return s;
}
const FlagSet& mremap_flags() {
    static const FlagSet s{"mremap flag", "MREMAP_",
                           {{"maymove", kMremapMayMove}, {"fixed", kMremapFixed}, {"dontunmap", kMremapDontUnmap}}};
    return s;
}
const FlagSet& mlock_flags() {
    static const FlagSet s{"mlock flag", "MLOCK_", {{"onfault", kMlockOnFault}}};
    return s;
}
const FlagSet& mlockall_flags() {
    static const FlagSet s{"mlockall flag", "MCL_", {{"current", kMclCurrent}, {"future", kMclFuture}, {"onfault", kMclOnFault}}};
    return s;
}
const FlagSet& open_flags() {
    static const FlagSet s{"open flag", "O_",
                           {{"rdonly", kORdOnly}, {"wronly", kOWrOnly}, {"rdwr", kORdWr}, {"creat", kOCreat},
                            {"create", kOCreat}, {"excl", kOExcl}, {"trunc", kOTrunc}, {"append", kOAppend}}};
    return s;
}
const FlagSet& signals() {
    static const FlagSet s{"signal", "SIG", {{"kill", kSigKill}, {"bus", kSigBus}, {"segv", kSigSegv}, {"chld", kSigChld}}};
    return s;
}
const FlagSet& rlimits() {
    static const FlagSet s{"resource", "RLIMIT_",
                           {{"stack", static_cast<int>(Rlimit::Stack)}, {"data", static_cast<int>(Rlimit::Data)},
                            {"as", static_cast<int>(Rlimit::As)}, {"memlock", static_cast<int>(Rlimit::Memlock)},
                            {"nofile", static_cast<int>(Rlimit::Nofile)}}};
    return s;
}

std::vector<std::string> FlagSet::name_list() const {
    std::vector<std::string> out;
    for (const auto& [n, v] : names) out.push_back(n);
    return out;
}

const char* FlagSet::name_of(int value) const {
    for (const auto& [n, v] : names)
        if (v == value) return n.c_str();
    return nullptr;
}

namespace {

std::string lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return out;
}

Result<int> one_name(const FlagSet& set, std::string_view token) {
    std::string name = lower(token);
    const std::string prefix = lower(set.prefix);
    if (name.size() > prefix.size() && name.compare(0, prefix.size(), prefix) == 0) name = name.substr(prefix.size());
    for (const auto& [n, v] : set.names)
        if (n == name) return v;
    return fail(unknown_name_message(set.what, token, set.name_list()));
}

}  // namespace

Result<int> parse_flags(const FlagSet& set, std::string_view text) {
    int value = 0;
    std::string token;
    auto flush = [&]() -> Status {
        if (token.empty() || token == "0") {
            token.clear();
            return ok();
        }
        auto v = one_name(set, token);
        token.clear();
        if (!v) return fail(v.error());
        value |= *v;
        return ok();
    };
    for (char c : text) {
        if (c == '|' || c == ',' || c == ' ' || c == '+') {
            VMLAB_TRY(flush());
        } else {
            token += c;
        }
    }
    VMLAB_TRY(flush());
    return value;
}

Result<int> parse_prot(std::string_view text) {
    if (text.size() == 3 && (text[0] == 'r' || text[0] == '-') && (text[1] == 'w' || text[1] == '-') &&
        (text[2] == 'x' || text[2] == '-')) {
        int p = 0;
        if (text[0] == 'r') p |= kProtRead;
        if (text[1] == 'w') p |= kProtWrite;
        if (text[2] == 'x') p |= kProtExec;
        return p;
    }
    return parse_flags(prot_flags(), text);
}

Result<int> parse_one(const FlagSet& set, std::string_view text) { return one_name(set, trim(text)); }

}  // namespace vmlab::sys
