// The registry of OSTEP simulators and name resolution; see vmlab/compat/ostep.hpp.
#include "vmlab/compat/ostep.hpp"

#include "vmlab/core/strings.hpp"

namespace vmlab::compat {

Registry<OstepSimulator>& ostep_simulators() {
    static Registry<OstepSimulator> r("ostep-simulator",
                                      "OSTEP's virtual-memory homework simulators (vmlab ostep NAME)");
    return r;
}

const Registry<OstepSimulator>::Entry* find_ostep_simulator(std::string_view name) {
    std::string_view base = name;
    if (base.size() > 3 && base.substr(base.size() - 3) == ".py") base.remove_suffix(3);
    for (const auto& e : ostep_simulators().entries()) {
        if (e.name == base) return &e;
        if (e.make.script == name || e.make.script == std::string(base) + ".py") return &e;
        for (const auto& a : e.make.aliases)
            if (a == name || a == base) return &e;
    }
    return nullptr;
}

Result<int> run_ostep(std::string_view simulator, const std::vector<std::string>& args, std::string& out) {
    const auto* e = find_ostep_simulator(simulator);
    if (e == nullptr) {
        std::vector<std::string> names;
        for (const auto& s : ostep_simulators().entries()) {
            names.push_back(s.name);
            for (const auto& a : s.make.aliases) names.push_back(a);
        }
        return fail(unknown_name_message("OSTEP simulator", simulator, names));
    }
    auto r = e->make.run(args, out);
    if (!r) return fail(Error(fmt::format("ostep {}: {}", e->name, r.error().message), r.error().where));
    return r;
}

}  // namespace vmlab::compat
