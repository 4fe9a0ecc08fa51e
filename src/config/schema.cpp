#include "config/schema.hpp"

#include <algorithm>
#include <limits>

#include "vmlab/core/strings.hpp"

namespace vmlab::config_detail {

Location location_of(const toml::source_region& src, const std::string& origin) {
    Location loc;
    loc.file = origin;
    loc.line = src.begin.line;
    loc.column = src.begin.column;
    return loc;
}

const char* node_type_name(const toml::node& n) {
    switch (n.type()) {
        case toml::node_type::table: return "a table";
        case toml::node_type::array: return "an array";
        case toml::node_type::string: return "a string";
        case toml::node_type::integer: return "an integer";
        case toml::node_type::floating_point: return "a floating-point number";
        case toml::node_type::boolean: return "a boolean";
        case toml::node_type::date: return "a date";
        case toml::node_type::time: return "a time";
        case toml::node_type::date_time: return "a date-time";
        case toml::node_type::none: break;
    }
    return "nothing";
}

const Field* Schema::find(std::string_view key) const {
    for (const auto& f : fields)
        if (f.key == key) return &f;
    return nullptr;
}

std::vector<std::string> Schema::keys() const {
    std::vector<std::string> out;
    for (const auto& f : fields) out.push_back(f.key);
    return out;
}

static std::string join_path(const std::string& path, std::string_view key) {
    return path.empty() ? std::string(key) : path + "." + std::string(key);
}

static Error unknown_key(const Schema& s, const std::string& full, std::string_view key) {
    std::string msg = fmt::format("unknown key '{}'", full);
    if (auto n = nearest(key, s.keys())) {
        msg += fmt::format("; did you mean '{}'?", *n);
    } else {
        msg += "; valid keys here:";
        const auto keys = s.keys();
        for (std::size_t i = 0; i < keys.size(); ++i) msg += (i ? ", " : " ") + keys[i];
    }
    return Error(msg);
}

Status read_table_array(const Field& f, void* obj, const toml::node& n, const std::string& path,
                        const std::string& origin) {
    const toml::array* arr = n.as_array();
    if (!arr)
        return fail(fmt::format("'{}' must be an array of tables ([[{}]]), not {}", path, path, node_type_name(n)),
                    location_of(n.source(), origin));
    for (const auto& el : *arr)
        if (!el.is_table())
            return fail(fmt::format("'{}' must be an array of tables, but an element is {}", path,
                                    node_type_name(el)),
                        location_of(el.source(), origin));
    f.clear(obj);
    std::size_t i = 0;
    for (const auto& el : *arr) {
        void* elem = f.append(obj);
        VMLAB_TRY(read_table(*f.sub, elem, *el.as_table(), fmt::format("{}[{}]", path, i), origin));
        ++i;
    }
    return ok();
}

Status read_param(const Field& f, void* obj, const std::string& key, const toml::node& n) {
    if (n.is_integer()) f.params(obj).set(key, n.as_integer()->get());
    else if (n.is_boolean()) f.params(obj).set(key, n.as_boolean()->get());
    else if (n.is_string()) f.params(obj).set(key, n.as_string()->get());
    else return failf("expected an integer, a boolean or a string, not {}", node_type_name(n));
    return ok();
}

Status read_params(const Field& f, void* obj, const toml::node& n, const std::string& path,
                   const std::string& origin) {
    const toml::table* t = n.as_table();
    if (!t)
        return fail(Error(fmt::format("'{}' must be a table, not {}", path, node_type_name(n)),
                          location_of(n.source(), origin)));
    for (const auto& [k, node] : *t) {
        const std::string key(k.str());
        if (auto st = read_param(f, obj, key, node); !st)
            return fail(Error(fmt::format("'{}': {}", join_path(path, key), st.error().message),
                              location_of(node.source(), origin)));
    }
    return ok();
}

Status read_table(const Schema& s, void* obj, const toml::table& t, const std::string& path,
                  const std::string& origin, const std::vector<std::string>& skip) {
    for (const auto& [k, node] : t) {
        const std::string key(k.str());
        if (std::find(skip.begin(), skip.end(), key) != skip.end()) continue;
        const std::string full = join_path(path, key);
        const Field* f = s.find(key);
        if (!f) return fail(unknown_key(s, full, key).at(location_of(k.source(), origin)));
        switch (f->kind) {
            case Field::Kind::Value: {
                auto st = f->read(obj, node);
                if (!st)
                    return fail(Error(fmt::format("'{}': {}", full, st.error().message),
                                      location_of(node.source(), origin)));
                break;
            }
            case Field::Kind::Table: {
                const toml::table* sub = node.as_table();
                if (!sub)
                    return fail(Error(fmt::format("'{}' must be a table, not {}", full, node_type_name(node)),
                                      location_of(node.source(), origin)));
                VMLAB_TRY(read_table(*f->sub, f->table(obj), *sub, full, origin));
                break;
            }
            case Field::Kind::TableArray:
                VMLAB_TRY(read_table_array(*f, obj, node, full, origin));
                break;
            case Field::Kind::Params:
                VMLAB_TRY(read_params(*f, obj, node, full, origin));
                break;
        }
    }
    return ok();
}

// Every parameter of the selected implementation (defaults filled in); parameters it does
// not declare (a configuration that failed validation) as they were set.
static void write_params(const Field& f, const void* obj, const std::string& path, std::string& out, bool docs) {
    const ParamValues& given = f.cparams(obj);
    const std::vector<ParamSpec>* specs = f.selected(obj);
    std::vector<std::pair<std::string, std::string>> lines;  // (text, doc)
    if (specs) {
        auto resolved = resolve_params(*specs, given, "");
        for (const auto& s : *specs) {
            const ParamValue* v = resolved ? resolved->find(s.name) : given.find(s.name);
            lines.emplace_back(s.name + " = " + param_value_text(s, v ? *v : s.def), s.description);
        }
    }
    for (const auto& [name, v] : given.items()) {
        if (specs && std::any_of(specs->begin(), specs->end(), [&](const ParamSpec& s) { return s.name == name; }))
            continue;
        ParamSpec plain;
        lines.emplace_back(name + " = " + param_value_text(plain, v), "");
    }
    if (lines.empty()) return;
    if (!out.empty() && out.back() == '\n' && (out.size() < 2 || out[out.size() - 2] != '\n')) out += "\n";
    out += "[" + path + "]\n";
    std::size_t width = 0;
    for (const auto& l : lines) width = std::max(width, l.first.size());
    for (const auto& [text, doc] : lines) {
        out += text;
        if (docs && !doc.empty()) out += std::string(width - text.size() + 2, ' ') + "# " + doc;
        out += "\n";
    }
}

void write_table(const Schema& s, const void* obj, const std::string& path, bool array_element,
                 std::string& out, bool docs) {
    if (!path.empty()) out += array_element ? "[[" + path + "]]\n" : "[" + path + "]\n";
    std::vector<std::pair<std::string, const std::string*>> lines;
    for (const auto& f : s.fields) {
        if (f.kind == Field::Kind::Value)
            lines.emplace_back(f.key + " = " + f.write(obj), &f.doc);
        else if (f.kind == Field::Kind::TableArray && f.size(obj) == 0)
            lines.emplace_back(f.key + " = []", &f.doc);
    }
    // Comments line up, except after the odd long value (a description), which would push
    // every comment of the table far to the right.
    constexpr std::size_t kAlignLimit = 32;
    std::size_t width = 0;
    for (const auto& l : lines)
        if (l.first.size() <= kAlignLimit) width = std::max(width, l.first.size());
    for (const auto& [text, doc] : lines) {
        out += text;
        if (docs && !doc->empty()) out += std::string(text.size() < width ? width - text.size() + 2 : 2, ' ') + "# " + *doc;
        out += "\n";
    }
    for (const auto& f : s.fields) {
        if (f.kind == Field::Kind::Table) {
            if (!out.empty() && out.back() == '\n' && (out.size() < 2 || out[out.size() - 2] != '\n')) out += "\n";
            write_table(*f.sub, f.ctable(obj), join_path(path, f.key), false, out, docs);
        } else if (f.kind == Field::Kind::Params) {
            write_params(f, obj, join_path(path, f.key), out, docs);
        } else if (f.kind == Field::Kind::TableArray) {
            for (std::size_t i = 0; i < f.size(obj); ++i) {
                out += "\n";
                // The keys are explained once, in the first element.
                write_table(*f.sub, f.cat(obj, i), join_path(path, f.key), true, out, docs && i == 0);
            }
        }
    }
}

std::string toml_quote(std::string_view s) {
    std::string out = "\"";
    for (char c : s) {
        switch (c) {
            case '"': out += "\\\""; break;
            case '\\': out += "\\\\"; break;
            case '\n': out += "\\n"; break;
            case '\t': out += "\\t"; break;
            case '\r': out += "\\r"; break;
            default:
                if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f)
                    out += fmt::format("\\u{:04X}", static_cast<unsigned>(static_cast<unsigned char>(c)));
                else
                    out += c;
        }
    }
    return out + "\"";
}

Codec<bool> bool_codec() {
    Codec<bool> c;
    c.type = "boolean";
    c.read = [](const toml::node& n) -> Result<bool> {
        if (!n.is_boolean()) return failf("expected a boolean (true or false), not {}", node_type_name(n));
        return n.as_boolean()->get();
    };
    c.write = [](const bool& b) { return std::string(b ? "true" : "false"); };
    return c;
}

Codec<std::string> string_codec() {
    Codec<std::string> c;
    c.type = "string";
    c.read = [](const toml::node& n) -> Result<std::string> {
        if (!n.is_string()) return failf("expected a string, not {}", node_type_name(n));
        return n.as_string()->get();
    };
    c.write = [](const std::string& s) { return toml_quote(s); };
    return c;
}

static std::string range_text(std::uint64_t lo, std::uint64_t hi) {
    if (hi == std::numeric_limits<std::uint64_t>::max()) return fmt::format(">= {}", lo);
    return fmt::format("{}..{}", lo, hi);
}

// An unsigned integer from an integer node, or (when `strings`) from a string in C syntax
// with an optional size suffix (`suffix`).
static Result<std::uint64_t> read_unsigned(const toml::node& n, bool strings, bool suffix, const char* what) {
    if (n.is_integer()) {
        const std::int64_t v = n.as_integer()->get();
        if (v < 0) return failf("{} is negative; expected {}", v, what);
        return static_cast<std::uint64_t>(v);
    }
    if (strings && n.is_string()) {
        auto v = parse_u64(n.as_string()->get(), suffix);
        if (!v) return failf("{}; expected {}", v.error().message, what);
        return *v;
    }
    return failf("expected {}, not {}", what, node_type_name(n));
}

Codec<std::uint64_t> u64_codec(std::uint64_t lo, std::uint64_t hi, bool strings) {
    Codec<std::uint64_t> c;
    c.type = "integer " + range_text(lo, hi);
    if (strings) c.type += " (a string such as \"0xffffffffffffffff\" for values above 2^63-1)";
    c.read = [lo, hi, strings](const toml::node& n) -> Result<std::uint64_t> {
        auto v = read_unsigned(n, strings, false, "an unsigned integer");
        if (!v) return v;
        if (*v < lo || *v > hi) return failf("{} is out of range ({})", *v, range_text(lo, hi));
        return v;
    };
    c.write = [](const std::uint64_t& v) -> std::string {
        if (v > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
            return toml_quote(fmt::format("0x{:x}", v));
        return fmt::format("{}", v);
    };
    return c;
}

Codec<std::uint32_t> u32_codec(std::uint32_t lo, std::uint32_t hi) {
    auto base = u64_codec(lo, hi, false);
    Codec<std::uint32_t> c;
    c.type = base.type;
    c.read = [rd = base.read](const toml::node& n) -> Result<std::uint32_t> {
        auto v = rd(n);
        if (!v) return fail(v.error());
        return static_cast<std::uint32_t>(*v);
    };
    c.write = [](const std::uint32_t& v) { return fmt::format("{}", v); };
    return c;
}

Codec<unsigned> uint_codec(unsigned lo, unsigned hi) {
    auto base = u64_codec(lo, hi, false);
    Codec<unsigned> c;
    c.type = base.type;
    c.read = [rd = base.read](const toml::node& n) -> Result<unsigned> {
        auto v = rd(n);
        if (!v) return fail(v.error());
        return static_cast<unsigned>(*v);
    };
    c.write = [](const unsigned& v) { return fmt::format("{}", v); };
    return c;
}

// "16G" when the size is a whole number of a binary unit, else the plain byte count (as a
// hex string above INT64_MAX, which a TOML integer cannot hold).
static std::string size_text(std::uint64_t v) {
    if (v > static_cast<std::uint64_t>(std::numeric_limits<std::int64_t>::max()))
        return toml_quote(fmt::format("0x{:x}", v));
    static const char* suffix[] = {"T", "G", "M", "K"};
    static const unsigned shift[] = {40, 30, 20, 10};
    if (v == 0) return "0";
    for (int i = 0; i < 4; ++i)
        if ((v & ((std::uint64_t{1} << shift[i]) - 1)) == 0)
            return toml_quote(fmt::format("{}{}", v >> shift[i], suffix[i]));
    return fmt::format("{}", v);
}

Codec<std::uint64_t> size_codec(std::uint64_t lo, std::uint64_t hi) {
    Codec<std::uint64_t> c;
    c.type = "size " + range_text(lo, hi) + " (bytes, or a string like \"2G\", \"512M\", \"4KiB\")";
    c.read = [lo, hi](const toml::node& n) -> Result<std::uint64_t> {
        auto v = read_unsigned(n, true, true, "a size (a byte count, or a string like \"2G\")");
        if (!v) return v;
        if (*v < lo || *v > hi)
            return failf("{} is out of range ({})", format_bytes(*v),
                         hi == std::numeric_limits<std::uint64_t>::max()
                             ? fmt::format(">= {}", format_bytes(lo))
                             : fmt::format("{} .. {}", format_bytes(lo), format_bytes(hi)));
        return v;
    };
    c.write = [](const std::uint64_t& v) { return size_text(v); };
    return c;
}

static Result<PageSize> read_page_size(const toml::node& n) {
    auto v = read_unsigned(n, true, true, "a page size (\"4K\", \"2M\", \"1G\", \"64B\")");
    if (!v) return fail(v.error());
    const std::uint64_t b = *v;
    if (b == 0 || (b & (b - 1)) != 0) return failf("page size {} is not a power of two", b);
    unsigned shift = 0;
    while ((std::uint64_t{1} << shift) != b) ++shift;
    if (shift < 4 || shift > 42) return failf("page size {} is out of range (16 bytes .. 4 TiB)", format_bytes(b));
    return PageSize::from_shift(shift);
}

static std::string page_size_text(PageSize ps) {
    const unsigned s = ps.shift;
    if (s >= 40) return toml_quote(fmt::format("{}T", std::uint64_t{1} << (s - 40)));
    if (s >= 30) return toml_quote(fmt::format("{}G", std::uint64_t{1} << (s - 30)));
    if (s >= 20) return toml_quote(fmt::format("{}M", std::uint64_t{1} << (s - 20)));
    if (s >= 10) return toml_quote(fmt::format("{}K", std::uint64_t{1} << (s - 10)));
    return toml_quote(fmt::format("{}B", std::uint64_t{1} << s));
}

Codec<PageSize> page_size_codec() {
    Codec<PageSize> c;
    c.type = "page size (\"4K\", \"2M\", \"1G\", \"64B\", or a byte count; a power of two)";
    c.read = read_page_size;
    c.write = page_size_text;
    return c;
}

Codec<std::vector<PageSize>> page_size_list_codec() {
    Codec<std::vector<PageSize>> c;
    c.type = "array of page sizes ([\"4K\", \"2M\"])";
    c.read = [](const toml::node& n) -> Result<std::vector<PageSize>> {
        const toml::array* a = n.as_array();
        if (!a) return failf("expected an array of page sizes like [\"4K\", \"2M\"], not {}", node_type_name(n));
        std::vector<PageSize> out;
        for (std::size_t i = 0; i < a->size(); ++i) {
            auto ps = read_page_size((*a)[i]);
            if (!ps) return failf("element {}: {}", i, ps.error().message);
            if (std::find(out.begin(), out.end(), *ps) != out.end())
                return failf("element {}: page size {} is listed twice", i, page_size_text(*ps));
            out.push_back(*ps);
        }
        return out;
    };
    c.write = [](const std::vector<PageSize>& v) {
        std::string s = "[";
        for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + page_size_text(v[i]);
        return s + "]";
    };
    return c;
}

Codec<std::vector<unsigned>> uint_list_codec(unsigned lo, unsigned hi) {
    Codec<std::vector<unsigned>> c;
    c.type = "array of integers " + range_text(lo, hi);
    c.read = [lo, hi](const toml::node& n) -> Result<std::vector<unsigned>> {
        const toml::array* a = n.as_array();
        if (!a) return failf("expected an array of integers, not {}", node_type_name(n));
        std::vector<unsigned> out;
        for (std::size_t i = 0; i < a->size(); ++i) {
            auto v = read_unsigned((*a)[i], false, false, "an unsigned integer");
            if (!v) return failf("element {}: {}", i, v.error().message);
            if (*v < lo || *v > hi) return failf("element {}: {} is out of range ({})", i, *v, range_text(lo, hi));
            out.push_back(static_cast<unsigned>(*v));
        }
        return out;
    };
    c.write = [](const std::vector<unsigned>& v) {
        std::string s = "[";
        for (std::size_t i = 0; i < v.size(); ++i) s += fmt::format("{}{}", i ? ", " : "", v[i]);
        return s + "]";
    };
    return c;
}

Codec<int> int_codec(int lo, int hi) {
    Codec<int> c;
    c.type = fmt::format("integer {}..{}", lo, hi);
    c.read = [lo, hi](const toml::node& n) -> Result<int> {
        if (!n.is_integer()) return failf("expected an integer, not {}", node_type_name(n));
        const std::int64_t v = n.as_integer()->get();
        if (v < lo || v > hi) return failf("{} is out of range ({}..{})", v, lo, hi);
        return static_cast<int>(v);
    };
    c.write = [](const int& v) { return fmt::format("{}", v); };
    return c;
}

Codec<std::vector<std::string>> string_list_codec() {
    Codec<std::vector<std::string>> c;
    c.type = "array of strings";
    c.read = [](const toml::node& n) -> Result<std::vector<std::string>> {
        const toml::array* a = n.as_array();
        if (!a) return failf("expected an array of strings, not {}", node_type_name(n));
        std::vector<std::string> out;
        for (std::size_t i = 0; i < a->size(); ++i) {
            if (!(*a)[i].is_string()) return failf("element {} is {}, not a string", i, node_type_name((*a)[i]));
            out.push_back((*a)[i].as_string()->get());
        }
        return out;
    };
    c.write = [](const std::vector<std::string>& v) {
        std::string s = "[";
        for (std::size_t i = 0; i < v.size(); ++i) s += (i ? ", " : "") + toml_quote(v[i]);
        return s + "]";
    };
    return c;
}

Codec<std::uint64_t> rlimit_codec() {
    constexpr std::uint64_t kUnlimited = ~std::uint64_t{0};
    auto size = size_codec(0, kUnlimited);
    Codec<std::uint64_t> c;
    c.type = "size, or \"unlimited\"";
    c.read = [rd = size.read](const toml::node& n) -> Result<std::uint64_t> {
        if (n.is_string() && n.as_string()->get() == "unlimited") return kUnlimited;
        return rd(n);
    };
    c.write = [wr = size.write](const std::uint64_t& v) { return v == kUnlimited ? toml_quote("unlimited") : wr(v); };
    return c;
}

Codec<std::string> name_codec(std::string what, std::function<std::vector<std::string>()> valid) {
    Codec<std::string> c;
    c.type = "string (a registered " + what + ")";
    c.read = [what, valid](const toml::node& n) -> Result<std::string> {
        if (!n.is_string()) return failf("expected a string, not {}", node_type_name(n));
        std::string s = n.as_string()->get();
        const auto names = valid();
        if (std::find(names.begin(), names.end(), s) == names.end())
            return fail(unknown_name_message(what, s, names));
        return s;
    };
    c.write = [](const std::string& s) { return toml_quote(s); };
    return c;
}

}  // namespace vmlab::config_detail
