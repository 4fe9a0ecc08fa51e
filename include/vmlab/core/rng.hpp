// The simulation's random numbers: a seeded, owned generator (no global state).
// xoshiro256** seeded through SplitMix64, as its authors recommend; fork() derives an
// independent stream for a component (e.g. one per CPU's TLB) from a label.
#pragma once

#include <cstdint>

namespace vmlab {

class Rng {
public:
    explicit Rng(std::uint64_t seed = 0) { reseed(seed); }

    void reseed(std::uint64_t seed) {
        std::uint64_t x = seed;
        for (auto& w : s_) w = splitmix(x);
    }

    std::uint64_t next() {
        const std::uint64_t result = rotl(s_[1] * 5, 7) * 9;
        const std::uint64_t t = s_[1] << 17;
        s_[2] ^= s_[0];
        s_[3] ^= s_[1];
        s_[1] ^= s_[2];
        s_[0] ^= s_[3];
        s_[2] ^= t;
        s_[3] = rotl(s_[3], 45);
        return result;
    }

    // Uniform in [0, n), n > 0 (Lemire's multiply-shift; bias < 2^-64 * n).
    std::uint64_t below(std::uint64_t n) {
        return static_cast<std::uint64_t>((static_cast<unsigned __int128>(next()) * n) >> 64);
    }
    // Uniform double in [0, 1).
    double uniform() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }

    // An independent generator for a sub-component, determined by this one's seed state
    // and the label (does not advance this generator).
    Rng fork(std::uint64_t label) const {
        std::uint64_t x = s_[0] ^ (s_[3] + 0x9e3779b97f4a7c15ull * (label + 1));
        return Rng(splitmix(x));
    }

private:
    static std::uint64_t rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
    static std::uint64_t splitmix(std::uint64_t& x) {
        std::uint64_t z = (x += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        return z ^ (z >> 31);
    }
    std::uint64_t s_[4];
};

}  // namespace vmlab
