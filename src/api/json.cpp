// JSON as a front end of the system-call layer: arguments in, outcomes out.
#include <nlohmann/json.hpp>

#include "vmlab/api/syscalls.hpp"

namespace vmlab::api {

namespace {

constexpr int kMaxDepth = 8;

Result<Arg> arg_from_json(const CallSpec& c, const nlohmann::json& j, int depth) {
    if (depth > kMaxDepth) return failf("{}: arguments nest too deeply", c.name);
    switch (j.type()) {
        case nlohmann::json::value_t::null: return Arg{};
        case nlohmann::json::value_t::boolean: return Arg(j.get<bool>());
        case nlohmann::json::value_t::number_integer: return Arg(j.get<std::int64_t>());
        case nlohmann::json::value_t::number_unsigned: return Arg(j.get<std::uint64_t>());
        case nlohmann::json::value_t::number_float: return Arg(j.get<double>());
        case nlohmann::json::value_t::string: return Arg(j.get<std::string>());
        case nlohmann::json::value_t::array: {
            ArgList l;
            for (const auto& x : j) {
                auto a = arg_from_json(c, x, depth + 1);
                if (!a) return a;
                l.push_back(std::move(*a));
            }
            return Arg(std::move(l));
        }
        case nlohmann::json::value_t::object: {
            if (j.size() == 2 && j.contains("pid") && j.contains("tid") && j["pid"].is_number_integer() &&
                j["tid"].is_number_integer())
                return Arg(Task{j["pid"].get<Pid>(), j["tid"].get<Tid>()});
            ArgMap m;
            for (const auto& [k, v] : j.items()) {
                auto a = arg_from_json(c, v, depth + 1);
                if (!a) return a;
                m.emplace_back(k, std::move(*a));
            }
            return Arg(std::move(m));
        }
        default: return Arg(Arg::Other{j.type_name()});
    }
}

}  // namespace

Result<Args> args_from_json(const CallSpec& call, const nlohmann::json& j) {
    Args out;
    if (j.is_null()) return out;
    if (j.is_array()) {
        for (const auto& x : j) {
            auto a = arg_from_json(call, x, 1);
            if (!a) return fail(a.error());
            out.positional.push_back(std::move(*a));
        }
        return out;
    }
    if (j.is_object()) {
        for (const auto& [k, v] : j.items()) {
            auto a = arg_from_json(call, v, 1);
            if (!a) return fail(a.error());
            out.named.emplace_back(k, std::move(*a));
        }
        return out;
    }
    return failf("{}: arguments must be a JSON object of named arguments or an array (got {})", call.name, j.type_name());
}

nlohmann::json value_to_json(const Value& v) {
    struct Visit {
        nlohmann::json operator()(std::monostate) const { return nullptr; }
        nlohmann::json operator()(bool b) const { return b; }
        nlohmann::json operator()(std::int64_t i) const { return i; }
        nlohmann::json operator()(std::uint64_t u) const { return u; }
        nlohmann::json operator()(const Address& a) const { return a.value; }
        nlohmann::json operator()(const std::string& s) const { return s; }
        nlohmann::json operator()(const Bytes& b) const {
            nlohmann::json a = nlohmann::json::array();
            for (char c : b.data) a.push_back(static_cast<unsigned char>(c));
            return a;
        }
        nlohmann::json operator()(const List& l) const {
            nlohmann::json a = nlohmann::json::array();
            for (const auto& x : l) a.push_back(value_to_json(x));
            return a;
        }
        nlohmann::json operator()(const Table& t) const {
            nlohmann::json o = nlohmann::json::object();
            for (const auto& [k, x] : t) o[k] = value_to_json(x);
            return o;
        }
        nlohmann::json operator()(const Task& t) const { return {{"pid", t.pid}, {"tid", t.tid}}; }
    };
    return std::visit(Visit{}, v.v);
}

nlohmann::json result_to_json(const Outcome& o) {
    if (o.ok()) return {{"value", value_to_json(o.value())}};
    if (const Signal* s = o.signal()) {
        return {{"signal",
                 {{"signo", s->info.signo},
                  {"signal", signal_name(s->info.signo)},
                  {"code", s->info.code},
                  {"code_name", si_code_name(s->info.signo, s->info.code)},
                  {"addr", s->info.addr.value},
                  {"fault_addr", s->fault_addr.value},
                  {"killed", s->killed}}}};
    }
    return {{"errno", errno_name(o.error())}, {"errno_value", static_cast<int>(o.error())}};
}

}  // namespace vmlab::api
