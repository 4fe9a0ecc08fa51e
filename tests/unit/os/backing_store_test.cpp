// Backing stores: a host file read page by page (zeros past its end), written back only
// when writable; an in-memory store that holds nothing.
#include <gtest/gtest.h>

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <vector>

#include "os/filemap/backing_store.hpp"

using namespace vmlab::os;

namespace {

struct TempFile {
    std::string path;
    explicit TempFile(const std::string& bytes) {
        char name[] = "/tmp/vmlab_store_XXXXXX";
        const int fd = ::mkstemp(name);
        EXPECT_GE(fd, 0);
        EXPECT_EQ(::write(fd, bytes.data(), bytes.size()), static_cast<ssize_t>(bytes.size()));
        ::close(fd);
        path = name;
    }
    ~TempFile() { std::remove(path.c_str()); }
    std::string contents() const {
        std::ifstream in(path, std::ios::binary);
        return std::string(std::istreambuf_iterator<char>(in), {});
    }
};

TEST(BackingStore, HostFileReadsPagesUpToTheFileSize) {
    std::string data(4096 + 100, 'a');
    data[4096] = 'b';
    TempFile f(data);
    auto s = make_host_file_store(f.path, false);
    EXPECT_EQ(s->size(), data.size());
    std::vector<std::uint8_t> page(4096, 0);
    auto n = s->read_page(0, page, data.size());
    ASSERT_TRUE(n);
    EXPECT_EQ(*n, 4096u);
    EXPECT_EQ(page[4095], 'a');
    std::fill(page.begin(), page.end(), 0);
    n = s->read_page(4096, page, data.size());
    ASSERT_TRUE(n);
    EXPECT_EQ(*n, 100u);
    EXPECT_EQ(page[0], 'b');
    EXPECT_EQ(page[100], 0);
    // A simulated size beyond the host file reads zeros; a page past i_size reads nothing.
    std::fill(page.begin(), page.end(), 0);
    n = s->read_page(4096, page, 3 * 4096);
    ASSERT_TRUE(n);
    EXPECT_EQ(*n, 100u);
    EXPECT_EQ(*s->read_page(8192, page, data.size()), 0u);
}

TEST(BackingStore, MissingHostFileIsAnIoError) {
    auto s = make_host_file_store("/nonexistent/vmlab/file", false);
    std::vector<std::uint8_t> page(4096, 0);
    EXPECT_FALSE(s->read_page(0, page, 4096).has_value());
}

TEST(BackingStore, ReadOnlyHostFileRefusesWrites) {
    TempFile f("hello");
    auto s = make_host_file_store(f.path, false);
    const std::vector<std::uint8_t> d = {'J', 'E', 'L', 'L', 'O'};
    EXPECT_FALSE(s->write_page(0, d, 5).has_value());
    s->resize(0, true);
    EXPECT_EQ(f.contents(), "hello");
}

TEST(BackingStore, WritableHostFileTakesPagesAndSizes) {
    TempFile f("hello world");
    auto s = make_host_file_store(f.path, true);
    const std::vector<std::uint8_t> d = {'J', 'E', 'L', 'L', 'O'};
    auto n = s->write_page(0, d, 11);
    ASSERT_TRUE(n);
    EXPECT_EQ(*n, 5u);
    EXPECT_EQ(f.contents(), "JELLO world");
    s->resize(5, true);  // ftruncate now
    EXPECT_EQ(f.contents(), "JELLO");
    s->resize(4096 + 3, false);  // a write past the end: the size follows at the next write
    EXPECT_EQ(f.contents().size(), 5u);
    const std::vector<std::uint8_t> tail = {'x', 'y', 'z'};
    ASSERT_TRUE(s->write_page(4096, tail, 4096 + 3));
    const std::string c = f.contents();
    ASSERT_EQ(c.size(), 4096u + 3);
    EXPECT_EQ(c.substr(4096), "xyz");
    EXPECT_EQ(c[100], '\0');
}

TEST(BackingStore, MemoryStoreHoldsNothing) {
    auto s = make_memory_store();
    std::vector<std::uint8_t> page(4096, 0);
    EXPECT_EQ(*s->read_page(0, page, 1 << 20), 0u);
    const std::vector<std::uint8_t> d(10, 1);
    EXPECT_EQ(*s->write_page(0, d, 10), 0u);
    s->resize(12345, true);
    EXPECT_EQ(s->size(), 12345u);
}

}  // namespace
