// Simulated physical memory: zones, flat per-frame metadata, lazily stored contents.
#include "vmlab/hw/phys_mem.hpp"

#include <algorithm>
#include <cstring>

#include "vmlab/core/strings.hpp"

namespace vmlab {

Registry<FrameAllocatorFactory>& frame_allocators() {
    static Registry<FrameAllocatorFactory> r("frame-allocator", "physical frame allocators");
    return r;
}

namespace {

// The frame sizes vmlab accepts: 32 B (OSTEP's machine) to 1 GiB.
constexpr unsigned kMinFrameShift = 5;
constexpr unsigned kMaxFrameShift = 30;
// Frame numbers must fit the 32-bit fields some metadata keeps, and the metadata of that
// many frames (tens of bytes each) must fit a host.
constexpr std::uint64_t kMaxFrames = std::uint64_t{1} << 32;

// Bytes of frame buffers carved from one host allocation.
constexpr std::uint64_t kChunkBytes = std::uint64_t{1} << 20;

}  // namespace

Status PhysMemConfig::validate() const {
    if (frame.shift < kMinFrameShift || frame.shift > kMaxFrameShift)
        return failf("memory.frame: a frame of {} bytes is outside the supported range (32 B to 1 GiB)",
                     frame.shift < 64 ? frame.bytes() : 0);
    if (bytes == 0) return failf("memory.bytes must be greater than 0");
    if (bytes % frame.bytes() != 0)
        return failf("memory.bytes = {} is not a multiple of the frame size ({})", bytes,
                     format_bytes(frame.bytes()));
    if (bytes / frame.bytes() > kMaxFrames)
        return failf("memory.bytes = {} is {} frames of {}; at most {} frames are supported", format_bytes(bytes),
                     bytes / frame.bytes(), format_bytes(frame.bytes()), kMaxFrames);
    std::uint64_t prev = 0;
    for (std::size_t i = 0; i < zones.size(); ++i) {
        const ZoneConfig& z = zones[i];
        const bool last = i + 1 == zones.size();
        if (z.name.empty()) return failf("memory.zones[{}].name must not be empty", i);
        for (std::size_t j = 0; j < i; ++j)
            if (zones[j].name == z.name) return failf("memory.zones[{}].name '{}' is used twice", i, z.name);
        if (last && z.end_bytes == 0) break;  // the last zone may leave its end implicit
        if (z.end_bytes % frame.bytes() != 0)
            return failf("memory.zones[{}].end_bytes = {} ('{}') is not a multiple of the frame size ({})", i,
                         z.end_bytes, z.name, format_bytes(frame.bytes()));
        if (z.end_bytes <= prev)
            return failf("memory.zones[{}].end_bytes = {} ('{}') must be greater than the previous zone's end ({})",
                         i, z.end_bytes, z.name, prev);
        if (z.end_bytes > bytes)
            return failf("memory.zones[{}].end_bytes = {} ('{}') lies beyond the end of memory (memory.bytes = {})",
                         i, z.end_bytes, z.name, bytes);
        if (last && z.end_bytes != bytes)
            return failf("memory.zones[{}].end_bytes = {} ('{}'): the last zone must end at memory.bytes ({}) or "
                         "leave end_bytes as 0",
                         i, z.end_bytes, z.name, bytes);
        prev = z.end_bytes;
    }
    if (reserved_bytes >= bytes)
        return failf("memory.reserved_bytes = {} leaves no memory (memory.bytes = {})", reserved_bytes, bytes);
    if (!frame_allocators().find(allocator))
        return fail(unknown_name_message("frame allocator (memory.allocator)", allocator, frame_allocators().names()));
    return ok();
}

PhysMem::PhysMem(const PhysMemConfig& cfg) : cfg_(cfg) {
    {
        const Status s = cfg_.validate();
        VMLAB_ASSERT(s.has_value(), "PhysMem built from an invalid PhysMemConfig (call validate() first)");
    }
    frames_ = cfg_.bytes >> cfg_.frame.shift;
    if (cfg_.zones.empty()) cfg_.zones.push_back(ZoneConfig{"Normal", cfg_.bytes});
    if (cfg_.zones.back().end_bytes == 0) cfg_.zones.back().end_bytes = cfg_.bytes;
    zone_starts_.push_back(Pfn{0});
    for (const ZoneConfig& z : cfg_.zones) zone_starts_.push_back(Pfn{z.end_bytes >> cfg_.frame.shift});

    flags_ = ZeroedArray<std::uint8_t>(frames_);
    data_ = ZeroedArray<std::uint8_t*>(frames_);

    alloc_ = frame_allocators().find(cfg_.allocator)->make(*this);
}

PhysMem::~PhysMem() = default;

unsigned PhysMem::zone_count() const { return static_cast<unsigned>(cfg_.zones.size()); }
const std::string& PhysMem::zone_name(unsigned z) const { return cfg_.zones.at(z).name; }
Pfn PhysMem::zone_start(unsigned z) const { return zone_starts_.at(z); }
Pfn PhysMem::zone_end(unsigned z) const { return zone_starts_.at(z + 1); }

unsigned PhysMem::zone_of(Pfn pfn) const {
    VMLAB_ASSERT(pfn.value < frames_, "frame number outside memory");
    // zone_starts_ = {0, end0, end1, ...}: the zone is the last start <= pfn.
    const auto it = std::upper_bound(zone_starts_.begin() + 1, zone_starts_.end() - 1, pfn);
    return static_cast<unsigned>(it - zone_starts_.begin() - 1);
}

std::uint8_t* PhysMem::frame_buffer(Pfn p) {
    std::uint8_t*& slot = data_[p.value];
    if (slot) return slot;
    const std::uint64_t fb = cfg_.frame.bytes();
    if (spare_buffers_.empty()) {
        const std::uint64_t per_chunk = std::max<std::uint64_t>(1, kChunkBytes / fb);
        chunks_.push_back(std::make_unique<std::uint8_t[]>(per_chunk * fb));
        std::uint8_t* base = chunks_.back().get();
        for (std::uint64_t i = per_chunk; i-- > 0;) spare_buffers_.push_back(base + i * fb);
        slot = spare_buffers_.back();  // fresh chunk memory is already zero
        spare_buffers_.pop_back();
    } else {
        slot = spare_buffers_.back();
        spare_buffers_.pop_back();
        std::memset(slot, 0, fb);
    }
    ++frames_with_contents_;
    return slot;
}

void PhysMem::drop_buffer(Pfn p) {
    std::uint8_t*& slot = data_[p.value];
    if (!slot) return;
    spare_buffers_.push_back(slot);
    slot = nullptr;
    --frames_with_contents_;
}

void PhysMem::write_uint(PhysAddr pa, unsigned bytes, std::uint64_t v) {
    VMLAB_ASSERT(bytes >= 1 && bytes <= 8, "integer width must be 1 to 8 bytes");
    VMLAB_ASSERT(contains(pa, bytes), "write outside physical memory");
    VMLAB_ASSERT((pa.value & cfg_.frame.mask()) + bytes <= cfg_.frame.bytes(), "integer write crosses a frame");
    const Pfn pfn = pa.pfn(cfg_.frame);
    if (v == 0 && !data_[pfn.value]) return;  // already reads as zero
    std::uint8_t* p = frame_buffer(pfn) + (pa.value & cfg_.frame.mask());
    for (unsigned i = 0; i < bytes; ++i) p[i] = static_cast<std::uint8_t>(v >> (8 * i));
}

void PhysMem::read(PhysAddr pa, void* dst, std::uint64_t n) const {
    VMLAB_ASSERT(contains(pa, n), "read outside physical memory");
    auto* out = static_cast<std::uint8_t*>(dst);
    while (n > 0) {
        const std::uint64_t off = pa.value & cfg_.frame.mask();
        const std::uint64_t len = std::min(n, cfg_.frame.bytes() - off);
        const std::uint8_t* f = data_[pa.value >> cfg_.frame.shift];
        if (f) std::memcpy(out, f + off, len);
        else std::memset(out, 0, len);
        out += len, pa = pa + len, n -= len;
    }
}

void PhysMem::write(PhysAddr pa, const void* src, std::uint64_t n) {
    VMLAB_ASSERT(contains(pa, n), "write outside physical memory");
    const auto* in = static_cast<const std::uint8_t*>(src);
    while (n > 0) {
        const std::uint64_t off = pa.value & cfg_.frame.mask();
        const std::uint64_t len = std::min(n, cfg_.frame.bytes() - off);
        std::memcpy(frame_buffer(pa.pfn(cfg_.frame)) + off, in, len);
        in += len, pa = pa + len, n -= len;
    }
}

bool PhysMem::range_is_zero(PhysAddr pa, std::uint64_t n) const {
    VMLAB_ASSERT(contains(pa, n), "range outside physical memory");
    while (n > 0) {
        const std::uint64_t off = pa.value & cfg_.frame.mask();
        const std::uint64_t len = std::min(n, cfg_.frame.bytes() - off);
        if (const std::uint8_t* f = data_[pa.value >> cfg_.frame.shift]) {
            const std::uint8_t* p = f + off;
            std::uint64_t i = 0;
            // 64 bytes at a time (OR of eight words), then the tail byte by byte.
            for (; i + 64 <= len; i += 64) {
                std::uint64_t w[8];
                std::memcpy(w, p + i, 64);
                if (w[0] | w[1] | w[2] | w[3] | w[4] | w[5] | w[6] | w[7]) return false;
            }
            for (; i < len; ++i)
                if (p[i]) return false;
        }
        pa = pa + len, n -= len;
    }
    return true;
}

void PhysMem::zero_frames(Pfn first, std::uint64_t count) {
    VMLAB_ASSERT(first.value <= frames_ && count <= frames_ - first.value, "frames outside memory");
    for (std::uint64_t i = 0; i < count; ++i) drop_buffer(first + i);
}

void PhysMem::copy_frame(Pfn dst, Pfn src) {
    VMLAB_ASSERT(dst.value < frames_ && src.value < frames_, "frame outside memory");
    if (dst == src) return;
    const std::uint8_t* s = data_[src.value];
    if (!s) {
        drop_buffer(dst);
        return;
    }
    std::memcpy(frame_buffer(dst), s, cfg_.frame.bytes());
}

}  // namespace vmlab
