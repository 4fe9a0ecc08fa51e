#include "hw/pwc.hpp"

namespace vmlab {

PageWalkCache::PageWalkCache(const PwcConfig& cfg, unsigned depth) {
    const unsigned cacheable = depth > 0 ? depth - 1 : 0;
    levels_.resize(cacheable);
    for (unsigned i = 0; i < cacheable && i < cfg.entries.size(); ++i) {
        levels_[i].resize(cfg.entries[i]);
        if (cfg.entries[i] > 0) deepest_ = static_cast<int>(i);
    }
}

bool PageWalkCache::lookup(unsigned level, std::uint64_t prefix, Asid asid, Hit& out) {
    for (auto& e : levels_[level]) {
        if (e.valid && e.prefix == prefix && e.asid == asid.value) {
            e.stamp = ++clock_;
            out.next_table = e.next;
            out.allow = e.allow;
            return true;
        }
    }
    return false;
}

void PageWalkCache::insert(unsigned level, std::uint64_t prefix, Asid asid, const Hit& h) {
    auto& lv = levels_[level];
    if (lv.empty()) return;
    // One pass finds the slot: the entry for (asid, prefix) if present, else the first
    // invalid entry, else the least recently used (the first of equal stamps).
    Entry* invalid = nullptr;
    Entry* oldest = &lv[0];
    Entry* slot = nullptr;
    for (auto& e : lv) {
        if (!e.valid) {
            if (!invalid) invalid = &e;
            continue;
        }
        if (e.prefix == prefix && e.asid == asid.value) {
            slot = &e;
            break;
        }
        if (e.stamp < oldest->stamp) oldest = &e;
    }
    if (!slot) slot = invalid ? invalid : oldest;
    *slot = Entry{prefix, h.next_table, ++clock_, asid.value, h.allow, true};
}

unsigned PageWalkCache::flush_asid(Asid asid) {
    unsigned n = 0;
    for (auto& lv : levels_)
        for (auto& e : lv)
            if (e.valid && e.asid == asid.value) e.valid = false, ++n;
    return n;
}

unsigned PageWalkCache::flush_all() {
    unsigned n = 0;
    for (auto& lv : levels_)
        for (auto& e : lv)
            if (e.valid) e.valid = false, ++n;
    return n;
}

unsigned PageWalkCache::valid_count(unsigned level) const {
    unsigned n = 0;
    if (level < levels_.size())
        for (const auto& e : levels_[level]) n += e.valid;
    return n;
}

}  // namespace vmlab
