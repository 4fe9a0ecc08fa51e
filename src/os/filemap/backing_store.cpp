// Backing stores: host files (POSIX I/O) and in-memory files.
#include "os/filemap/backing_store.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace vmlab::os {

namespace {

class HostFileStore final : public BackingStore {
public:
    HostFileStore(std::string path, bool writable) : path_(std::move(path)), writable_(writable) {}
    ~HostFileStore() override {
        if (fd_ >= 0) ::close(fd_);
        if (wfd_ >= 0) ::close(wfd_);
    }

    std::optional<std::uint64_t> read_page(std::uint64_t off, std::span<std::uint8_t> out,
                                           std::uint64_t file_size) override {
        if (fd_ < 0) {
            fd_ = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
            if (fd_ < 0) return std::nullopt;
        }
        if (off >= file_size) return 0;
        const std::uint64_t want = std::min<std::uint64_t>(out.size(), file_size - off);
        std::uint64_t got = 0;
        while (got < want) {
            const ssize_t n = ::pread(fd_, out.data() + got, want - got, static_cast<off_t>(off + got));
            if (n < 0) {
                if (errno == EINTR) continue;
                return std::nullopt;
            }
            if (n == 0) break;  // the host file is shorter than the simulated size: zeros
            got += static_cast<std::uint64_t>(n);
        }
        return got;
    }

    std::optional<std::uint64_t> write_page(std::uint64_t off, std::span<const std::uint8_t> data,
                                            std::uint64_t file_size) override {
        if (!writable_) return std::nullopt;
        if (wfd_ < 0) wfd_ = ::open(path_.c_str(), O_WRONLY | O_CLOEXEC);
        if (wfd_ < 0) return 0;
        if (size_dirty_ && ::ftruncate(wfd_, static_cast<off_t>(file_size)) == 0) size_dirty_ = false;
        if (data.empty()) return 0;
        if (::pwrite(wfd_, data.data(), data.size(), static_cast<off_t>(off)) != static_cast<ssize_t>(data.size()))
            return 0;
        return data.size();
    }

    void resize(std::uint64_t file_size, bool now) override {
        if (!writable_) return;
        if (now)
            size_dirty_ = ::truncate(path_.c_str(), static_cast<off_t>(file_size)) != 0;
        else
            size_dirty_ = true;
    }

    std::uint64_t size() const override {
        struct stat st {};
        return ::stat(path_.c_str(), &st) == 0 ? static_cast<std::uint64_t>(st.st_size) : 0;
    }

private:
    std::string path_;
    bool writable_;
    bool size_dirty_ = false;  // i_size changed and the host file must follow
    int fd_ = -1;              // opened read-only on first read
    int wfd_ = -1;             // opened for write-back on first use
};

class MemoryStore final : public BackingStore {
public:
    std::optional<std::uint64_t> read_page(std::uint64_t, std::span<std::uint8_t>, std::uint64_t) override {
        return 0;
    }
    std::optional<std::uint64_t> write_page(std::uint64_t, std::span<const std::uint8_t>,
                                            std::uint64_t file_size) override {
        size_ = file_size;
        return 0;  // the page cache holds the only copy
    }
    void resize(std::uint64_t file_size, bool) override { size_ = file_size; }
    std::uint64_t size() const override { return size_; }

private:
    std::uint64_t size_ = 0;
};

}  // namespace

std::unique_ptr<BackingStore> make_host_file_store(std::string path, bool writable) {
    return std::make_unique<HostFileStore>(std::move(path), writable);
}

std::unique_ptr<BackingStore> make_memory_store() { return std::make_unique<MemoryStore>(); }

}  // namespace vmlab::os
