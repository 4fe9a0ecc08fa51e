// A fixed-size array of a trivial type whose bytes start as zero, backed by calloc, so
// that per-frame metadata for a large simulated RAM costs host memory only where it is
// touched (the kernel maps calloc's large blocks lazily). Used by PhysMem and the kernel.
#pragma once

#include <cstddef>
#include <cstdlib>
#include <type_traits>

namespace vmlab {

template <class T>
class ZeroedArray {
    static_assert(std::is_trivially_copyable_v<T> && std::is_trivially_destructible_v<T>);

public:
    ZeroedArray() = default;
    explicit ZeroedArray(std::size_t n) : n_(n) {
        if (n == 0) return;
        p_ = static_cast<T*>(std::calloc(n, sizeof(T)));
        if (!p_) std::abort();  // host out of memory: nothing sensible to do
    }
    ~ZeroedArray() { std::free(p_); }
    ZeroedArray(ZeroedArray&& o) noexcept : p_(o.p_), n_(o.n_) { o.p_ = nullptr, o.n_ = 0; }
    ZeroedArray& operator=(ZeroedArray&& o) noexcept {
        if (this != &o) {
            std::free(p_);
            p_ = o.p_, n_ = o.n_;
            o.p_ = nullptr, o.n_ = 0;
        }
        return *this;
    }
    ZeroedArray(const ZeroedArray&) = delete;
    ZeroedArray& operator=(const ZeroedArray&) = delete;

    T& operator[](std::size_t i) { return p_[i]; }
    const T& operator[](std::size_t i) const { return p_[i]; }
    std::size_t size() const { return n_; }

private:
    T* p_ = nullptr;
    std::size_t n_ = 0;
};

}  // namespace vmlab
