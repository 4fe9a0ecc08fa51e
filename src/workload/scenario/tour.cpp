// The built-in tour (`vmlab tour`): examples/tour.lua, compiled in by
// cmake/EmbedText.cmake, so the shipped example and the command cannot drift apart.
#include "vmlab/workload/scenario.hpp"

namespace vmlab {

namespace embedded {
std::string_view tour_lua();
}

std::string_view tour_scenario() { return embedded::tour_lua(); }

}  // namespace vmlab
