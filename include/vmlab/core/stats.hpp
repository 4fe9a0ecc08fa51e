// Stats reflection: each *Stats struct lists its fields once (name, unit, one-line
// description, member pointer, kind), in a specialisation of StatsFields next to the struct:
//
//     template <> struct StatsFields<FrameAllocStats> {
//         static constexpr auto fields() {
//             return std::make_tuple(stat_counter("allocs", &FrameAllocStats::allocs, "count", "blocks allocated"),
//                                    ...);
//         }
//     };
//
// From the list, generically: diff(after, before), a "name value" text listing, a CSV
// header and row (vmlab/core/stats_json.hpp adds stats_json). A field is an unsigned or
// floating-point number, a std::string (a label), a nested reflected struct, or a
// std::vector of either numbers or reflected structs. Flattened names are dotted:
// "faults.minor", "tlbs.0.hits", "pwc_hits_per_level.2".
//
// Reflection is for reporting only: nothing here runs on an access, and the structs stay
// plain (no virtual calls, no extra members).
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <tuple>
#include <type_traits>
#include <utility>
#include <vector>

namespace vmlab {

enum class StatKind : std::uint8_t {
    Counter,  // counts events since the start of the run: diff subtracts
    Gauge,    // a level at this moment (pages in use): diff keeps the later value
    Label,    // names the record (a TLB's name): diff keeps the later value
};

template <class S, class M>
struct StatField {
    std::string_view name;        // the one name of the figure: JSON key, Lua key, CSV column, text
    M S::*member = nullptr;
    std::string_view unit;        // "count", "cycles", "pages", "bytes", "" for labels and groups
    std::string_view description;
    StatKind kind = StatKind::Counter;
};

// Specialised next to each stats struct: `static constexpr auto fields()` returns a tuple
// of StatField<S, M>, in the order reports list them.
template <class S>
struct StatsFields;

template <class S>
concept ReflectedStats = requires { StatsFields<S>::fields(); };

template <class S, class M>
constexpr StatField<S, M> stat_counter(std::string_view name, M S::*m, std::string_view unit,
                                       std::string_view description) {
    return {name, m, unit, description, StatKind::Counter};
}
template <class S, class M>
constexpr StatField<S, M> stat_gauge(std::string_view name, M S::*m, std::string_view unit,
                                     std::string_view description) {
    return {name, m, unit, description, StatKind::Gauge};
}
template <class S, class M>
constexpr StatField<S, M> stat_label(std::string_view name, M S::*m, std::string_view description) {
    return {name, m, "", description, StatKind::Label};
}
// A nested stats struct or a vector of them: its own fields say what they count.
template <class S, class M>
constexpr StatField<S, M> stat_group(std::string_view name, M S::*m, std::string_view description) {
    return {name, m, "", description, StatKind::Counter};
}

namespace stats_detail {

template <class T>
struct is_vector : std::false_type {};
template <class T, class A>
struct is_vector<std::vector<T, A>> : std::true_type {};

template <class F>
struct member_type;
template <class S, class M>
struct member_type<StatField<S, M>> {
    using type = M;
};
template <class F>
using member_t = typename member_type<std::remove_cvref_t<F>>::type;

template <class T>
void append_number(std::string& out, const T& v) {
    out += std::to_string(v);
}

}  // namespace stats_detail

// Calls f(field) for every field of S, in list order.
template <ReflectedStats S, class F>
constexpr void for_each_stat_field(F&& f) {
    std::apply([&](const auto&... field) { (f(field), ...); }, StatsFields<S>::fields());
}

template <ReflectedStats S>
constexpr std::size_t stat_field_count() {
    return std::tuple_size_v<decltype(StatsFields<S>::fields())>;
}

// after - before for every counter (numbers, nested structs and vectors element by
// element); gauges and labels keep `after`'s value. A vector element without a
// counterpart in `before` is kept as it is in `after`.
template <ReflectedStats S>
S diff(const S& after, const S& before) {
    S out = after;
    for_each_stat_field<S>([&](const auto& f) {
        using M = stats_detail::member_t<decltype(f)>;
        auto& o = out.*(f.member);
        const auto& b = before.*(f.member);
        if constexpr (std::is_arithmetic_v<M>) {
            if (f.kind == StatKind::Counter) o -= b;
        } else if constexpr (ReflectedStats<M>) {
            o = diff(o, b);
        } else if constexpr (stats_detail::is_vector<M>::value) {
            using E = typename M::value_type;
            for (std::size_t i = 0; i < o.size() && i < b.size(); ++i) {
                if constexpr (ReflectedStats<E>) {
                    o[i] = diff(o[i], b[i]);
                } else if constexpr (std::is_arithmetic_v<E>) {
                    if (f.kind == StatKind::Counter) o[i] -= b[i];
                }
            }
        }
    });
    return out;
}

// Calls leaf(name, value) for every number and label of `s`, with dotted names below
// `prefix`; value is the decimal text of a number or the label itself.
template <ReflectedStats S, class Leaf>
void visit_stat_values(const S& s, Leaf&& leaf, const std::string& prefix = "") {
    for_each_stat_field<S>([&](const auto& f) {
        using M = stats_detail::member_t<decltype(f)>;
        const auto& v = s.*(f.member);
        const std::string name = prefix + std::string(f.name);
        if constexpr (std::is_arithmetic_v<M>) {
            std::string t;
            stats_detail::append_number(t, v);
            leaf(name, t);
        } else if constexpr (std::is_same_v<M, std::string>) {
            leaf(name, v);
        } else if constexpr (ReflectedStats<M>) {
            visit_stat_values(v, leaf, name + ".");
        } else if constexpr (stats_detail::is_vector<M>::value) {
            using E = typename M::value_type;
            for (std::size_t i = 0; i < v.size(); ++i) {
                const std::string elem = name + "." + std::to_string(i);
                if constexpr (ReflectedStats<E>) {
                    visit_stat_values(v[i], leaf, elem + ".");
                } else {
                    std::string t;
                    stats_detail::append_number(t, v[i]);
                    leaf(elem, t);
                }
            }
        } else {
            static_assert(sizeof(M) == 0, "a stats field must be a number, a string, a reflected struct or a vector");
        }
    });
}

// One "name value" line per number and label, dotted names, in list order.
template <ReflectedStats S>
std::string stats_text(const S& s) {
    std::string out;
    visit_stat_values(s, [&](const std::string& name, const std::string& value) {
        out += name;
        out += ' ';
        out += value;
        out += '\n';
    });
    return out;
}

namespace stats_detail {
// RFC 4180: a field with a comma, quote or line break is quoted, quotes doubled.
inline std::string csv_field(const std::string& s) {
    if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
    std::string out = "\"";
    for (char c : s) {
        if (c == '"') out += '"';
        out += c;
    }
    return out + "\"";
}
}  // namespace stats_detail

// The CSV header (dotted names) and the row of `s`, each without a line break. Vectors
// contribute one column per element, so the header depends on the sizes in `s`.
template <ReflectedStats S>
std::string stats_csv_header(const S& s) {
    std::string out;
    visit_stat_values(s, [&](const std::string& name, const std::string&) {
        if (!out.empty()) out += ',';
        out += stats_detail::csv_field(name);
    });
    return out;
}
template <ReflectedStats S>
std::string stats_csv_row(const S& s) {
    std::string out;
    bool first = true;
    visit_stat_values(s, [&](const std::string&, const std::string& value) {
        if (!first) out += ',';
        first = false;
        out += stats_detail::csv_field(value);
    });
    return out;
}

// What a field list says about each field, for documentation and `vmlab list`-style
// listings: nested structs flattened with dotted names, vectors of structs as "name[].field".
struct StatFieldInfo {
    std::string name;
    std::string_view unit;
    std::string_view description;
    StatKind kind = StatKind::Counter;
};

template <ReflectedStats S>
void append_stat_field_infos(std::vector<StatFieldInfo>& out, const std::string& prefix = "") {
    for_each_stat_field<S>([&](const auto& f) {
        using M = stats_detail::member_t<decltype(f)>;
        const std::string name = prefix + std::string(f.name);
        if constexpr (ReflectedStats<M>) {
            append_stat_field_infos<M>(out, name + ".");
        } else if constexpr (stats_detail::is_vector<M>::value) {
            using E = typename M::value_type;
            if constexpr (ReflectedStats<E>)
                append_stat_field_infos<E>(out, name + "[].");
            else
                out.push_back({name + "[]", f.unit, f.description, f.kind});
        } else {
            out.push_back({name, f.unit, f.description, f.kind});
        }
    });
}
template <ReflectedStats S>
std::vector<StatFieldInfo> stat_field_infos() {
    std::vector<StatFieldInfo> out;
    append_stat_field_infos<S>(out);
    return out;
}

}  // namespace vmlab
