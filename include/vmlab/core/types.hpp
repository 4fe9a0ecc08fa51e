// Strong value types for the quantities of a virtual-memory system.
//
// VirtAddr, PhysAddr, Vpn, Pfn, Asid and SwapSlot are distinct types: mixing them up is a
// compile error. Converting between an address and a page/frame number needs a page size,
// because page size belongs to a mapping, never to the program (one run mixes 4 KiB,
// 2 MiB and 1 GiB pages).
#pragma once

#include <compare>
#include <cstdint>
#include <functional>

namespace vmlab {

// A page size, stored as log2 of its byte count (6 = 64 B ... 30 = 1 GiB).
struct PageSize {
    std::uint8_t shift = 12;

    constexpr std::uint64_t bytes() const { return std::uint64_t{1} << shift; }
    constexpr std::uint64_t mask() const { return bytes() - 1; }  // offset bits
    constexpr auto operator<=>(const PageSize&) const = default;

    static constexpr PageSize from_shift(unsigned s) { return PageSize{static_cast<std::uint8_t>(s)}; }
};

inline constexpr PageSize kPage4K{12};
inline constexpr PageSize kPage16K{14};
inline constexpr PageSize kPage64K{16};
inline constexpr PageSize kPage2M{21};
inline constexpr PageSize kPage4M{22};
inline constexpr PageSize kPage32M{25};
inline constexpr PageSize kPage512M{29};
inline constexpr PageSize kPage1G{30};

namespace detail {
// CRTP base for a 64-bit value type with ordering and hashing, no implicit conversions.
template <class Tag, class Rep = std::uint64_t>
struct Strong {
    Rep value{};
    constexpr Strong() = default;
    constexpr explicit Strong(Rep v) : value(v) {}
    constexpr auto operator<=>(const Strong&) const = default;
};
}  // namespace detail

struct Vpn;
struct Pfn;

struct VirtAddr : detail::Strong<VirtAddr> {
    using Strong::Strong;
    constexpr std::uint64_t offset_in(PageSize ps) const { return value & ps.mask(); }
    constexpr VirtAddr align_down(PageSize ps) const { return VirtAddr{value & ~ps.mask()}; }
    constexpr VirtAddr align_up(PageSize ps) const { return VirtAddr{(value + ps.mask()) & ~ps.mask()}; }
    constexpr bool aligned(PageSize ps) const { return (value & ps.mask()) == 0; }
    constexpr VirtAddr operator+(std::uint64_t d) const { return VirtAddr{value + d}; }
    constexpr VirtAddr operator-(std::uint64_t d) const { return VirtAddr{value - d}; }
    constexpr std::uint64_t operator-(VirtAddr o) const { return value - o.value; }
    constexpr Vpn vpn(PageSize ps) const;
};

struct PhysAddr : detail::Strong<PhysAddr> {
    using Strong::Strong;
    constexpr std::uint64_t offset_in(PageSize ps) const { return value & ps.mask(); }
    constexpr PhysAddr align_down(PageSize ps) const { return PhysAddr{value & ~ps.mask()}; }
    constexpr bool aligned(PageSize ps) const { return (value & ps.mask()) == 0; }
    constexpr PhysAddr operator+(std::uint64_t d) const { return PhysAddr{value + d}; }
    constexpr std::uint64_t operator-(PhysAddr o) const { return value - o.value; }
    constexpr Pfn pfn(PageSize frame) const;
};

// Virtual page number: VirtAddr >> page shift, for a stated page size.
struct Vpn : detail::Strong<Vpn> {
    using Strong::Strong;
    constexpr VirtAddr addr(PageSize ps) const { return VirtAddr{value << ps.shift}; }
};

// Physical frame number, counted in the machine's base frame size.
struct Pfn : detail::Strong<Pfn> {
    using Strong::Strong;
    constexpr PhysAddr addr(PageSize frame) const { return PhysAddr{value << frame.shift}; }
    constexpr Pfn operator+(std::uint64_t d) const { return Pfn{value + d}; }
};

// Address-space identifier (x86 PCID, AArch64 ASID, RISC-V ASID).
struct Asid : detail::Strong<Asid, std::uint16_t> {
    using Strong::Strong;
};

// A slot on a swap device: (device, offset) packed by the swap layer.
struct SwapSlot : detail::Strong<SwapSlot> {
    using Strong::Strong;
};

constexpr Vpn VirtAddr::vpn(PageSize ps) const { return Vpn{value >> ps.shift}; }
constexpr Pfn PhysAddr::pfn(PageSize frame) const { return Pfn{value >> frame.shift}; }

// What an access does: the permission it needs.
enum class AccessKind : std::uint8_t { Read = 0, Write = 1, Execute = 2 };
// Who does it.
enum class Privilege : std::uint8_t { User = 0, Kernel = 1 };

const char* to_string(AccessKind k);
const char* to_string(Privilege p);

}  // namespace vmlab

template <>
struct std::hash<vmlab::VirtAddr> {
    std::size_t operator()(vmlab::VirtAddr a) const noexcept { return std::hash<std::uint64_t>{}(a.value); }
};
template <>
struct std::hash<vmlab::PhysAddr> {
    std::size_t operator()(vmlab::PhysAddr a) const noexcept { return std::hash<std::uint64_t>{}(a.value); }
};
template <>
struct std::hash<vmlab::Vpn> {
    std::size_t operator()(vmlab::Vpn a) const noexcept { return std::hash<std::uint64_t>{}(a.value); }
};
template <>
struct std::hash<vmlab::Pfn> {
    std::size_t operator()(vmlab::Pfn a) const noexcept { return std::hash<std::uint64_t>{}(a.value); }
};
