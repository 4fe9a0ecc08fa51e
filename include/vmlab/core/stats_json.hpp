// JSON of a reflected stats struct (vmlab/core/stats.hpp): an object keyed by the field
// names; nested structs as nested objects, vectors as arrays, labels as strings.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "vmlab/core/stats.hpp"

namespace vmlab {

template <ReflectedStats S>
nlohmann::json stats_json(const S& s) {
    nlohmann::json j = nlohmann::json::object();
    for_each_stat_field<S>([&](const auto& f) {
        using M = stats_detail::member_t<decltype(f)>;
        const auto& v = s.*(f.member);
        const std::string key(f.name);
        if constexpr (ReflectedStats<M>) {
            j[key] = stats_json(v);
        } else if constexpr (stats_detail::is_vector<M>::value) {
            nlohmann::json a = nlohmann::json::array();
            for (const auto& e : v) {
                if constexpr (ReflectedStats<typename M::value_type>)
                    a.push_back(stats_json(e));
                else
                    a.push_back(e);
            }
            j[key] = std::move(a);
        } else {
            j[key] = v;
        }
    });
    return j;
}

}  // namespace vmlab
