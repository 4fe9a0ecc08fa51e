// Simulated physical memory: frames of the machine's base page size, the flags the hardware
// and the frame allocator keep per frame (a flat array indexed by Pfn), and real contents
// stored lazily (a frame that was never written holds no buffer and reads as zeros).
#pragma once

#include <bit>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <type_traits>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "vmlab/core/registry.hpp"
#include "vmlab/core/result.hpp"
#include "vmlab/core/types.hpp"
#include "vmlab/core/zeroed_array.hpp"
#include "vmlab/hw/frame_allocator.hpp"

namespace vmlab {

// One zone of physical memory: frames [start, end) in bytes. Zones are contiguous and
// ordered (DMA, DMA32, Normal, ...); an allocation names the highest zone it may use and
// falls back to lower zones, as Linux's zonelist does.
struct ZoneConfig {
    std::string name;
    std::uint64_t end_bytes = 0;  // exclusive end; the last zone ends at the memory size
};

struct PhysMemConfig {
    std::uint64_t bytes = std::uint64_t{1} << 30;  // total RAM
    PageSize frame = kPage4K;                      // base frame size
    std::vector<ZoneConfig> zones;                 // empty = one zone "Normal"
    std::string allocator = "buddy";               // registered frame allocator
    ParamValues allocator_params;                  // its own parameters ([machine.memory.allocator_params])
    std::uint64_t reserved_bytes = 0;              // low memory never handed out (firmware, kernel image)

    Status validate() const;
};

// Per-frame flags of the hardware and the frame allocator. What the kernel knows about a
// frame (anon, file, dirty, mapcount, ...) is the kernel's (os::FrameTable).
enum FrameFlag : std::uint8_t {
    kFrameFree = 1u << 0,        // owned by the frame allocator
    kFrameReserved = 1u << 1,    // never allocatable
    kFramePageTable = 1u << 2,   // holds a page-table node
};

class PhysMem {
public:
    // Builds memory and its allocator; the configuration must be valid (validate()).
    explicit PhysMem(const PhysMemConfig& cfg);
    ~PhysMem();
    PhysMem(const PhysMem&) = delete;
    PhysMem& operator=(const PhysMem&) = delete;

    const PhysMemConfig& config() const { return cfg_; }
    PageSize frame_size() const { return cfg_.frame; }
    std::uint64_t frame_count() const { return frames_; }
    std::uint64_t bytes() const { return cfg_.bytes; }
    bool contains(PhysAddr pa, std::uint64_t len = 1) const {
        return pa.value < cfg_.bytes && len <= cfg_.bytes - pa.value;
    }
    unsigned zone_count() const;
    const std::string& zone_name(unsigned z) const;
    Pfn zone_start(unsigned z) const;
    Pfn zone_end(unsigned z) const;   // exclusive
    unsigned zone_of(Pfn pfn) const;

    // --- per-frame flags (a flat array) ----------------------------------------------
    std::uint8_t flags(Pfn p) const { return flags_[p.value]; }
    bool has_flag(Pfn p, FrameFlag f) const { return (flags_[p.value] & f) != 0; }
    void set_flag(Pfn p, FrameFlag f) { flags_[p.value] |= f; }
    void clear_flag(Pfn p, FrameFlag f) { flags_[p.value] &= static_cast<std::uint8_t>(~f); }

    // --- contents --------------------------------------------------------------------
    // Little-endian integer of `bytes` (1, 2, 4 or 8) bytes at pa; used for PTEs.
    // pa..pa+bytes must lie within one frame and within memory.
    std::uint64_t read_uint(PhysAddr pa, unsigned bytes) const {
        const std::uint8_t* f = data_[pa.value >> cfg_.frame.shift];
        if (!f) return 0;
        const std::uint8_t* p = f + (pa.value & cfg_.frame.mask());
        if constexpr (std::endian::native == std::endian::little) {
            if (bytes == 8) {
                std::uint64_t w;
                std::memcpy(&w, p, 8);
                return w;
            }
        }
        std::uint64_t v = 0;
        for (unsigned i = 0; i < bytes; ++i) v |= std::uint64_t{p[i]} << (8 * i);
        return v;
    }
    void write_uint(PhysAddr pa, unsigned bytes, std::uint64_t v);
    // Arbitrary byte ranges (may cross frames). The range must be inside memory.
    void read(PhysAddr pa, void* dst, std::uint64_t n) const;
    void write(PhysAddr pa, const void* src, std::uint64_t n);
    void zero_frames(Pfn first, std::uint64_t count);       // drops the buffers
    void copy_frame(Pfn dst, Pfn src);                      // one base frame
    // True when every byte of [pa, pa+n) is zero (frames without contents are zero).
    bool range_is_zero(PhysAddr pa, std::uint64_t n) const;
    bool frame_has_contents(Pfn p) const { return data_[p.value] != nullptr; }
    std::uint64_t frames_with_contents() const { return frames_with_contents_; }

    // --- allocation ------------------------------------------------------------------
    FrameAllocator& allocator() { return *alloc_; }
    const FrameAllocator& allocator() const { return *alloc_; }

private:
    std::uint8_t* frame_buffer(Pfn p);  // allocates on first write
    void drop_buffer(Pfn p);
    PhysMemConfig cfg_;
    std::uint64_t frames_ = 0;
    ZeroedArray<std::uint8_t> flags_;
    ZeroedArray<std::uint8_t*> data_;  // nullptr = never written (reads as zero)
    // Frame buffers come from chunks of several frames; dropped buffers are reused.
    std::vector<std::unique_ptr<std::uint8_t[]>> chunks_;
    std::vector<std::uint8_t*> spare_buffers_;
    std::uint64_t frames_with_contents_ = 0;
    std::vector<Pfn> zone_starts_;  // size zones+1
    std::unique_ptr<FrameAllocator> alloc_;
};

}  // namespace vmlab
