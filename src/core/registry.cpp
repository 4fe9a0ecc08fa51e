#include "vmlab/core/registry.hpp"

#include <cstdio>
#include <cstdlib>

#include <fmt/format.h>

#include "vmlab/core/strings.hpp"

namespace vmlab {

const char* to_string(ParamType t) {
    switch (t) {
        case ParamType::Integer: return "integer";
        case ParamType::Bytes: return "bytes";
        case ParamType::Bool: return "boolean";
        case ParamType::String: return "string";
        case ParamType::Enum: return "enum";
    }
    return "?";
}

ParamSpec ParamSpec::integer(std::string name, std::int64_t def, std::int64_t lo, std::int64_t hi, std::string doc) {
    ParamSpec p;
    p.name = std::move(name);
    p.type = ParamType::Integer;
    p.def = def;
    p.min = lo;
    p.max = hi;
    p.description = std::move(doc);
    return p;
}

ParamSpec ParamSpec::bytes(std::string name, std::int64_t def, std::int64_t lo, std::int64_t hi, std::string doc) {
    ParamSpec p = integer(std::move(name), def, lo, hi, std::move(doc));
    p.type = ParamType::Bytes;
    return p;
}

ParamSpec ParamSpec::boolean(std::string name, bool def, std::string doc) {
    ParamSpec p;
    p.name = std::move(name);
    p.type = ParamType::Bool;
    p.def = def;
    p.description = std::move(doc);
    return p;
}

ParamSpec ParamSpec::string(std::string name, std::string def, std::string doc) {
    ParamSpec p;
    p.name = std::move(name);
    p.type = ParamType::String;
    p.def = std::move(def);
    p.description = std::move(doc);
    return p;
}

ParamSpec ParamSpec::choice(std::string name, std::string def, std::vector<std::string> allowed, std::string doc) {
    ParamSpec p = string(std::move(name), std::move(def), std::move(doc));
    p.type = ParamType::Enum;
    p.allowed = std::move(allowed);
    return p;
}

namespace {

constexpr std::int64_t kI64Min = std::numeric_limits<std::int64_t>::min();
constexpr std::int64_t kI64Max = std::numeric_limits<std::int64_t>::max();

std::string quote(std::string_view s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') out += '\\';
        out += c;
    }
    return out + "\"";
}

std::string bytes_text(std::int64_t v) {
    static const char* suffix[] = {"T", "G", "M", "K"};
    static const unsigned shift[] = {40, 30, 20, 10};
    if (v <= 0) return fmt::format("{}", v);
    const auto u = static_cast<std::uint64_t>(v);
    for (int i = 0; i < 4; ++i)
        if ((u & ((std::uint64_t{1} << shift[i]) - 1)) == 0)
            return quote(fmt::format("{}{}", u >> shift[i], suffix[i]));
    return fmt::format("{}", v);
}

std::string range_text(std::int64_t lo, std::int64_t hi, bool bytes) {
    auto num = [bytes](std::int64_t v) {
        return bytes && v > 0 ? format_bytes(static_cast<std::uint64_t>(v)) : fmt::format("{}", v);
    };
    if (lo == kI64Min && hi == kI64Max) return "";
    if (hi == kI64Max) return fmt::format(">= {}", num(lo));
    if (lo == kI64Min) return fmt::format("<= {}", num(hi));
    return bytes ? fmt::format("{} .. {}", num(lo), num(hi)) : fmt::format("{}..{}", lo, hi);
}

const char* value_type_name(const ParamValue& v) {
    switch (v.index()) {
        case 0: return "an integer";
        case 1: return "a boolean";
        default: return "a string";
    }
}

}  // namespace

std::string ParamSpec::type_text() const {
    switch (type) {
        case ParamType::Integer:
        case ParamType::Bytes: {
            std::string r = range_text(min, max, type == ParamType::Bytes);
            std::string t = type == ParamType::Bytes ? "size" : "integer";
            return r.empty() ? t : t + " " + r;
        }
        case ParamType::Bool: return "boolean";
        case ParamType::String: return "string";
        case ParamType::Enum: {
            std::string t = "one of:";
            for (std::size_t i = 0; i < allowed.size(); ++i) t += (i ? ", " : " ") + quote(allowed[i]);
            return t;
        }
    }
    return "?";
}

std::string param_value_text(const ParamSpec& spec, const ParamValue& v) {
    if (const auto* i = std::get_if<std::int64_t>(&v))
        return spec.type == ParamType::Bytes ? bytes_text(*i) : fmt::format("{}", *i);
    if (const auto* b = std::get_if<bool>(&v)) return *b ? "true" : "false";
    return quote(std::get<std::string>(v));
}

std::string ParamSpec::default_text() const { return param_value_text(*this, def); }

void ParamValues::set(std::string name, ParamValue v) {
    for (auto& [n, old] : items_)
        if (n == name) {
            old = std::move(v);
            return;
        }
    items_.emplace_back(std::move(name), std::move(v));
}

const ParamValue* ParamValues::find(std::string_view name) const {
    for (const auto& [n, v] : items_)
        if (n == name) return &v;
    return nullptr;
}

std::int64_t ParamValues::get_int(std::string_view name) const {
    const ParamValue* v = find(name);
    VMLAB_ASSERT(v && std::holds_alternative<std::int64_t>(*v), "integer parameter missing (specs not resolved?)");
    return std::get<std::int64_t>(*v);
}

bool ParamValues::get_bool(std::string_view name) const {
    const ParamValue* v = find(name);
    VMLAB_ASSERT(v && std::holds_alternative<bool>(*v), "boolean parameter missing (specs not resolved?)");
    return std::get<bool>(*v);
}

const std::string& ParamValues::get_string(std::string_view name) const {
    const ParamValue* v = find(name);
    VMLAB_ASSERT(v && std::holds_alternative<std::string>(*v), "string parameter missing (specs not resolved?)");
    return std::get<std::string>(*v);
}

Result<ParamValues> resolve_params(const std::vector<ParamSpec>& specs, const ParamValues& given,
                                   std::string_view owner) {
    std::vector<std::string> names;
    for (const auto& s : specs) names.push_back(s.name);
    for (const auto& [name, v] : given.items()) {
        const auto it = std::find_if(specs.begin(), specs.end(), [&](const ParamSpec& s) { return s.name == name; });
        if (it != specs.end()) continue;
        if (specs.empty()) return failf("{}: unknown parameter; {} takes no parameters", name, owner);
        std::string msg = fmt::format("{}: unknown parameter of {}", name, owner);
        if (auto n = nearest(name, names)) msg += fmt::format("; did you mean '{}'?", *n);
        msg += " (valid parameters:";
        for (std::size_t i = 0; i < names.size(); ++i) msg += (i ? ", " : " ") + names[i];
        return fail(msg + ")");
    }
    ParamValues out;
    for (const auto& s : specs) {
        const ParamValue* v = given.find(s.name);
        if (!v) {
            out.set(s.name, s.def);
            continue;
        }
        switch (s.type) {
            case ParamType::Integer:
            case ParamType::Bytes: {
                std::int64_t x = 0;
                if (const auto* i = std::get_if<std::int64_t>(v)) {
                    x = *i;
                } else if (s.type == ParamType::Bytes && std::holds_alternative<std::string>(*v)) {
                    auto b = parse_u64(std::get<std::string>(*v), true);
                    if (!b) return failf("{}: {}; expected a size", s.name, b.error().message);
                    if (*b > static_cast<std::uint64_t>(kI64Max))
                        return failf("{}: {} is out of range ({})", s.name, std::get<std::string>(*v),
                                     range_text(s.min, s.max, true));
                    x = static_cast<std::int64_t>(*b);
                } else {
                    return failf("{}: expected {}, not {}", s.name,
                                 s.type == ParamType::Bytes ? "a size (a byte count, or a string like \"2G\")"
                                                            : "an integer",
                                 value_type_name(*v));
                }
                if (x < s.min || x > s.max)
                    return failf("{}: {} is out of range ({})", s.name,
                                 s.type == ParamType::Bytes && x >= 0 ? format_bytes(static_cast<std::uint64_t>(x))
                                                                      : fmt::format("{}", x),
                                 range_text(s.min, s.max, s.type == ParamType::Bytes));
                out.set(s.name, x);
                break;
            }
            case ParamType::Bool:
                if (!std::holds_alternative<bool>(*v))
                    return failf("{}: expected a boolean (true or false), not {}", s.name, value_type_name(*v));
                out.set(s.name, *v);
                break;
            case ParamType::String:
            case ParamType::Enum: {
                if (!std::holds_alternative<std::string>(*v))
                    return failf("{}: expected a string, not {}", s.name, value_type_name(*v));
                const std::string& str = std::get<std::string>(*v);
                if (s.type == ParamType::Enum &&
                    std::find(s.allowed.begin(), s.allowed.end(), str) == s.allowed.end()) {
                    std::string msg = fmt::format("{}: '{}' is not valid; expected one of:", s.name, str);
                    for (std::size_t i = 0; i < s.allowed.size(); ++i) msg += (i ? ", " : " ") + s.allowed[i];
                    return fail(msg);
                }
                out.set(s.name, *v);
                break;
            }
        }
    }
    return out;
}

RegistryCatalog& RegistryCatalog::instance() {
    static RegistryCatalog catalog;
    return catalog;
}

void RegistryCatalog::add(std::string kind, Lister lister) { listers_[std::move(kind)] = std::move(lister); }

std::vector<RegistryListing> RegistryCatalog::all() const {
    std::vector<RegistryListing> out;
    for (const auto& [kind, lister] : listers_) out.push_back(lister());
    return out;
}

void registry_duplicate(const std::string& kind, const std::string& name) {
    std::fprintf(stderr, "vmlab: internal error: %s '%s' registered twice\n", kind.c_str(), name.c_str());
    std::abort();
}

}  // namespace vmlab
