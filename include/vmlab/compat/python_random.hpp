// A bit-exact port of CPython's `random` module generator (Modules/_randommodule.c), so
// that textbook simulators written in Python can be reproduced draw for draw.
//
//   random.seed(n) for an int n   ->  MT19937 init_by_array(key), where key is |n| as
//                                     32-bit little-endian words ([0] for n == 0)
//   random.random()               ->  a = next_u32() >> 5   (27 bits)
//                                     b = next_u32() >> 6   (26 bits)
//                                     (a * 2^26 + b) / 2^53
//
// std::mt19937's own seeding is init_genrand (one 32-bit word), which is not what Python
// does; only the tempered output function is shared.
#pragma once

#include <array>
#include <cstdint>
#include <span>

namespace vmlab::compat {

class PythonRandom {
public:
    // random.seed(0).
    PythonRandom() { seed(0); }
    explicit PythonRandom(std::int64_t n) { seed(n); }

    // random.seed(n): negative seeds behave like their absolute value.
    void seed(std::int64_t n);
    // random.seed(n) for an integer of any size, given |n| as little-endian 32-bit words
    // (leading zero words are ignored; an empty span means 0).
    void seed_magnitude(std::span<const std::uint32_t> words);

    // The next 32-bit output of MT19937 (genrand_uint32).
    std::uint32_t next_u32();
    // random.random(): a double in [0, 1) with 53 random bits.
    double random();

private:
    static constexpr int kN = 624;
    void init_genrand(std::uint32_t s);
    void init_by_array(std::span<const std::uint32_t> key);
    void twist();

    std::array<std::uint32_t, kN> mt_{};
    int index_ = kN;
};

}  // namespace vmlab::compat
