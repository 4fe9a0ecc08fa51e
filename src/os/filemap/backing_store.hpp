// Where a file's pages come from and go to: the page cache reads a page from its file's
// store on first touch and writes dirty pages back to it. Host files and in-memory files
// (files created inside the simulation, shmem, memfd) are the stores today; a swap device
// is another.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>

namespace vmlab::os {

class BackingStore {
public:
    virtual ~BackingStore() = default;
    // Reads the page at byte offset `offset` into out (one page, zeroed by the caller): at
    // most up to file_size (i_size), fewer where the store ends (the rest stays zero).
    // Returns the bytes read, or nullopt on an I/O error.
    virtual std::optional<std::uint64_t> read_page(std::uint64_t offset, std::span<std::uint8_t> out,
                                                   std::uint64_t file_size) = 0;
    // Writes data (the page at byte offset `offset`, clipped to file_size) back, first
    // bringing the store's size to file_size if a change is pending. Returns the bytes
    // written (0 when the store could not take them), or nullopt when the store takes no
    // writes at all (a read-only host file: the cached page now differs from it).
    virtual std::optional<std::uint64_t> write_page(std::uint64_t offset, std::span<const std::uint8_t> data,
                                                    std::uint64_t file_size) = 0;
    // i_size changed: truncate the store now (ftruncate), or only note that its size must
    // follow at the next write (a write past the end).
    virtual void resize(std::uint64_t file_size, bool now) = 0;
    // The store's own size in bytes (the host file's length; an in-memory file's i_size as
    // last resized).
    virtual std::uint64_t size() const = 0;
};

// A host file read with POSIX I/O (opened on first use); written back only if writable.
std::unique_ptr<BackingStore> make_host_file_store(std::string path, bool writable);
// Pages that start as zeros and live only in the page cache.
std::unique_ptr<BackingStore> make_memory_store();

}  // namespace vmlab::os
