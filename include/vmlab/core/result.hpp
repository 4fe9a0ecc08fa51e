// Result<T>: a value or an Error, for everything that can fail because of user input.
//
// The interface is the subset of tl::expected / std::expected that vmlab uses
// (has_value, operator bool, value, error, operator*, operator->, value_or), so code reads
// the same as with those libraries. Debian 12 packages neither tl::expected nor a GCC with
// std::expected, hence this small header.
//
// An Error carries a message and where the problem is in the user's input: a file and
// line, a record number, or a byte offset. The CLI prints "where: message" and exits 2.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>
#include <variant>

#include <fmt/format.h>

namespace vmlab {

struct Location {
    std::string file;            // empty when the input is not a file (a CLI argument)
    std::uint64_t line = 0;      // 1-based; 0 = unknown
    std::uint64_t column = 0;    // 1-based; 0 = unknown
    std::uint64_t record = 0;    // 1-based record number in a trace; 0 = unknown
    std::int64_t byte_offset = -1;  // -1 = unknown

    bool empty() const { return file.empty() && line == 0 && record == 0 && byte_offset < 0; }
    std::string str() const;  // "file:line:col", "file: record 12", "file: byte 0x40", ...
};

struct Error {
    std::string message;
    Location where;

    Error() = default;
    explicit Error(std::string msg) : message(std::move(msg)) {}
    Error(std::string msg, Location loc) : message(std::move(msg)), where(std::move(loc)) {}

    // "where: message", or just the message when there is no location.
    std::string str() const;
    // Returns a copy with `loc` filled in where this error has no location yet.
    Error at(const Location& loc) const;
};

template <class... Args>
Error make_error(fmt::format_string<Args...> f, Args&&... args) {
    return Error(fmt::format(f, std::forward<Args>(args)...));
}

struct Unexpected {
    Error error;
};
inline Unexpected fail(Error e) { return Unexpected{std::move(e)}; }
inline Unexpected fail(std::string msg) { return Unexpected{Error(std::move(msg))}; }
inline Unexpected fail(std::string msg, Location loc) { return Unexpected{Error(std::move(msg), std::move(loc))}; }
template <class... Args>
Unexpected failf(fmt::format_string<Args...> f, Args&&... args) {
    return Unexpected{Error(fmt::format(f, std::forward<Args>(args)...))};
}

template <class T>
class [[nodiscard]] Result {
public:
    Result(const T& v) : v_(std::in_place_index<0>, v) {}
    Result(T&& v) : v_(std::in_place_index<0>, std::move(v)) {}
    template <class U, class = std::enable_if_t<std::is_constructible_v<T, U&&> &&
                                                !std::is_same_v<std::decay_t<U>, Result> &&
                                                !std::is_same_v<std::decay_t<U>, Unexpected>>>
    Result(U&& v) : v_(std::in_place_index<0>, T(std::forward<U>(v))) {}
    Result(Unexpected u) : v_(std::in_place_index<1>, std::move(u.error)) {}

    bool has_value() const { return v_.index() == 0; }
    explicit operator bool() const { return has_value(); }
    T& value() & { return std::get<0>(v_); }
    const T& value() const& { return std::get<0>(v_); }
    T&& value() && { return std::get<0>(std::move(v_)); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T&& operator*() && { return std::move(*this).value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    const Error& error() const { return std::get<1>(v_); }
    Error& error() { return std::get<1>(v_); }
    template <class U>
    T value_or(U&& d) const { return has_value() ? value() : T(std::forward<U>(d)); }

private:
    std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
public:
    Result() = default;
    Result(Unexpected u) : err_(std::move(u.error)) {}
    bool has_value() const { return !err_.has_value(); }
    explicit operator bool() const { return has_value(); }
    void value() const {}
    const Error& error() const { return *err_; }
    Error& error() { return *err_; }

private:
    std::optional<Error> err_;
};

using Status = Result<void>;
inline Status ok() { return {}; }

// Propagates an error from an expression of type Result<...>.
#define VMLAB_TRY(expr)                                         \
    do {                                                        \
        auto&& vmlab_try_r_ = (expr);                           \
        if (!vmlab_try_r_) return ::vmlab::fail(vmlab_try_r_.error()); \
    } while (0)

// A broken internal invariant is a bug: stop loudly, naming the function.
[[noreturn]] void invariant_failed(const char* func, const char* file, int line, const char* what);
#define VMLAB_ASSERT(cond, what)                                                   \
    do {                                                                           \
        if (!(cond)) ::vmlab::invariant_failed(__func__, __FILE__, __LINE__, what); \
    } while (0)

}  // namespace vmlab
