// MT19937 as seeded and consumed by CPython's random module; see python_random.hpp.
#include "vmlab/compat/python_random.hpp"


namespace vmlab::compat {

void PythonRandom::init_genrand(std::uint32_t s) {
    mt_[0] = s;
    for (int i = 1; i < kN; ++i)
        mt_[i] = 1812433253u * (mt_[i - 1] ^ (mt_[i - 1] >> 30)) + static_cast<std::uint32_t>(i);
    index_ = kN;
}

void PythonRandom::init_by_array(std::span<const std::uint32_t> key) {
    init_genrand(19650218u);
    const std::size_t len = key.size();
    std::size_t i = 1, j = 0;
    for (std::size_t k = (kN > len ? kN : len); k > 0; --k) {
        mt_[i] = (mt_[i] ^ ((mt_[i - 1] ^ (mt_[i - 1] >> 30)) * 1664525u)) + key[j] +
                 static_cast<std::uint32_t>(j);
        ++i;
        ++j;
        if (i >= kN) {
            mt_[0] = mt_[kN - 1];
            i = 1;
        }
        if (j >= len) j = 0;
    }
    for (std::size_t k = kN - 1; k > 0; --k) {
        mt_[i] = (mt_[i] ^ ((mt_[i - 1] ^ (mt_[i - 1] >> 30)) * 1566083941u)) -
                 static_cast<std::uint32_t>(i);
        ++i;
        if (i >= kN) {
            mt_[0] = mt_[kN - 1];
            i = 1;
        }
    }
    mt_[0] = 0x80000000u;
    index_ = kN;
}

void PythonRandom::seed(std::int64_t n) {
    // |INT64_MIN| does not fit in int64_t; go through the unsigned magnitude.
    const std::uint64_t mag = n < 0 ? 0 - static_cast<std::uint64_t>(n) : static_cast<std::uint64_t>(n);
    const std::uint32_t words[2] = {static_cast<std::uint32_t>(mag), static_cast<std::uint32_t>(mag >> 32)};
    seed_magnitude(std::span<const std::uint32_t>(words, 2));
}

void PythonRandom::seed_magnitude(std::span<const std::uint32_t> words) {
    std::size_t used = words.size();
    while (used > 0 && words[used - 1] == 0) --used;
    if (used == 0) {
        const std::uint32_t zero = 0;
        init_by_array(std::span<const std::uint32_t>(&zero, 1));
        return;
    }
    init_by_array(words.first(used));
}

void PythonRandom::twist() {
    constexpr std::uint32_t kUpper = 0x80000000u, kLower = 0x7fffffffu, kMatrixA = 0x9908b0dfu;
    for (int k = 0; k < kN; ++k) {
        const std::uint32_t y = (mt_[k] & kUpper) | (mt_[(k + 1) % kN] & kLower);
        mt_[k] = mt_[(k + 397) % kN] ^ (y >> 1) ^ ((y & 1u) ? kMatrixA : 0u);
    }
    index_ = 0;
}

std::uint32_t PythonRandom::next_u32() {
    if (index_ >= kN) twist();
    std::uint32_t y = mt_[index_++];
    y ^= (y >> 11);
    y ^= (y << 7) & 0x9d2c5680u;
    y ^= (y << 15) & 0xefc60000u;
    y ^= (y >> 18);
    return y;
}

double PythonRandom::random() {
    const std::uint32_t a = next_u32() >> 5;
    const std::uint32_t b = next_u32() >> 6;
    return (a * 67108864.0 + b) * (1.0 / 9007199254740992.0);
}

}  // namespace vmlab::compat
