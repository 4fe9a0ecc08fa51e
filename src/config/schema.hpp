// The schema layer of the configuration: each struct field bound to a TOML key, with its
// type, documentation and unit handling. The same binding parses files, applies --set
// overrides, dumps the resolved config and generates docs/config.md, so the four cannot
// drift apart.
//
// Internal to src/config/ (the only code that includes toml++).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <toml++/toml.h>

#include "vmlab/core/registry.hpp"
#include "vmlab/core/result.hpp"
#include "vmlab/core/types.hpp"

namespace vmlab::config_detail {

// The location of a node or key in the document being read. `origin` names the input
// ("x.toml", "--set"); toml++ gives the line and column.
Location location_of(const toml::source_region& src, const std::string& origin);
// "an integer", "a string", ... for error messages.
const char* node_type_name(const toml::node& n);

// How one C++ value type is read from a TOML node and written back as TOML text.
// `read` reports problems without the key or location; the schema adds both.
template <class T>
struct Codec {
    std::string type;  // for the reference: "size", "integer 1..4096", "one of: lru, fifo"
    std::function<Result<T>(const toml::node&)> read;
    std::function<std::string(const T&)> write;
};

struct Schema;

// The parameters of each implementation of one registry, for the reference: (name, specs)
// of the entries that declare any.
using ParamCatalog = std::vector<std::pair<std::string, std::vector<ParamSpec>>>;

template <class Factory>
ParamCatalog param_catalog(const Registry<Factory>& r) {
    ParamCatalog out;
    for (const auto& e : r.entries())
        if (!e.params.empty()) out.emplace_back(e.name, e.params);
    return out;
}

// One key of a table. Values are leaves; Table is a nested struct ([a.b]); TableArray is
// a std::vector of structs ([[a.b]]), replaced as a whole when a document sets it.
// Params is the sub-table of an implementation's own parameters ([a.b.allocator_params]),
// beside the key that selects the implementation: a document sets single keys of it (merged
// into what is there); their names, types and ranges are checked against the selected
// implementation's specs when the configuration is validated, and dumps list every
// parameter of the selected implementation, defaults included.
struct Field {
    enum class Kind { Value, Table, TableArray, Params };
    Kind kind = Kind::Value;
    std::string key;
    std::string doc;
    std::string type;  // Value: codec type; Table/TableArray: "table" / "array of tables"

    // Value
    std::function<Status(void* obj, const toml::node&)> read;
    std::function<std::string(const void* obj)> write;

    // Table and TableArray
    const Schema* sub = nullptr;
    std::function<void*(void* obj)> table;                    // Table: the nested struct
    std::function<const void*(const void* obj)> ctable;
    std::function<std::size_t(const void* obj)> size;         // TableArray
    std::function<void*(void* obj, std::size_t i)> at;
    std::function<const void*(const void* obj, std::size_t i)> cat;
    std::function<void(void* obj)> clear;
    std::function<void*(void* obj)> append;                   // default element, returned
    std::function<std::shared_ptr<const void>()> make_default;  // a default element

    // Params
    std::function<ParamValues&(void* obj)> params;
    std::function<const ParamValues&(const void* obj)> cparams;
    std::function<const std::vector<ParamSpec>*(const void* obj)> selected;  // null: none selected
    std::function<ParamCatalog()> catalog;
};

struct Schema {
    std::vector<Field> fields;
    const Field* find(std::string_view key) const;
    std::vector<std::string> keys() const;

    template <class S, class T>
    Schema& value(T S::*member, std::string key, Codec<T> codec, std::string doc) {
        Field f;
        f.kind = Field::Kind::Value;
        f.key = std::move(key);
        f.doc = std::move(doc);
        f.type = codec.type;
        f.read = [member, rd = codec.read](void* obj, const toml::node& n) -> Status {
            auto v = rd(n);
            if (!v) return fail(v.error());
            static_cast<S*>(obj)->*member = std::move(*v);
            return ok();
        };
        f.write = [member, wr = codec.write](const void* obj) {
            return wr(static_cast<const S*>(obj)->*member);
        };
        fields.push_back(std::move(f));
        return *this;
    }

    template <class S, class T>
    Schema& table(T S::*member, std::string key, const Schema& sub, std::string doc) {
        Field f;
        f.kind = Field::Kind::Table;
        f.key = std::move(key);
        f.doc = std::move(doc);
        f.type = "table";
        f.sub = &sub;
        f.table = [member](void* obj) -> void* { return &(static_cast<S*>(obj)->*member); };
        f.ctable = [member](const void* obj) -> const void* { return &(static_cast<const S*>(obj)->*member); };
        fields.push_back(std::move(f));
        return *this;
    }

    // `selected` gives the specs of the implementation the struct selects (nullptr when its
    // name is not registered); `catalog` every implementation's, for the reference.
    template <class S>
    Schema& params(ParamValues S::*member, std::string key,
                   std::function<const std::vector<ParamSpec>*(const S&)> selected,
                   std::function<ParamCatalog()> catalog, std::string doc) {
        Field f;
        f.kind = Field::Kind::Params;
        f.key = std::move(key);
        f.doc = std::move(doc);
        f.type = "table";
        f.params = [member](void* obj) -> ParamValues& { return static_cast<S*>(obj)->*member; };
        f.cparams = [member](const void* obj) -> const ParamValues& { return static_cast<const S*>(obj)->*member; };
        f.selected = [sel = std::move(selected)](const void* obj) { return sel(*static_cast<const S*>(obj)); };
        f.catalog = std::move(catalog);
        fields.push_back(std::move(f));
        return *this;
    }

    template <class S, class T>
    Schema& table_array(std::vector<T> S::*member, std::string key, const Schema& sub, std::string doc) {
        Field f;
        f.kind = Field::Kind::TableArray;
        f.key = std::move(key);
        f.doc = std::move(doc);
        f.type = "array of tables";
        f.sub = &sub;
        f.size = [member](const void* obj) { return (static_cast<const S*>(obj)->*member).size(); };
        f.at = [member](void* obj, std::size_t i) -> void* { return &(static_cast<S*>(obj)->*member)[i]; };
        f.cat = [member](const void* obj, std::size_t i) -> const void* {
            return &(static_cast<const S*>(obj)->*member)[i];
        };
        f.clear = [member](void* obj) { (static_cast<S*>(obj)->*member).clear(); };
        f.append = [member](void* obj) -> void* { return &(static_cast<S*>(obj)->*member).emplace_back(); };
        f.make_default = [] { return std::shared_ptr<const void>(std::make_shared<const T>()); };
        fields.push_back(std::move(f));
        return *this;
    }
};

// Reads a TOML table into `obj` (keys absent from the table keep their values). `path` is
// the dotted name of the table ("machine.mmu.tlb[0]"), used in messages. Keys listed in
// `skip` are ignored (handled by the caller, e.g. the top-level `preset`).
Status read_table(const Schema& s, void* obj, const toml::table& t, const std::string& path,
                  const std::string& origin, const std::vector<std::string>& skip = {});

// Reads a node that must be an array of tables (or an empty array) into a TableArray field.
Status read_table_array(const Field& f, void* obj, const toml::node& n, const std::string& path,
                        const std::string& origin);

// Reads a node that must be a table of parameter values into a Params field (each key set
// as an integer, boolean or string; checked against the specs at validation).
Status read_params(const Field& f, void* obj, const toml::node& n, const std::string& path,
                   const std::string& origin);
// Sets one parameter of a Params field from a node (--set a.b.allocator_params.KEY=VALUE).
Status read_param(const Field& f, void* obj, const std::string& key, const toml::node& n);

// Appends `obj` as TOML: `[path]` (or `[[path]]` when `array_element`), every value key
// (with its doc as a trailing comment when `docs`), then nested tables and arrays of tables.
void write_table(const Schema& s, const void* obj, const std::string& path, bool array_element,
                 std::string& out, bool docs = true);

// ---- codecs --------------------------------------------------------------------------

std::string toml_quote(std::string_view s);

Codec<bool> bool_codec();
Codec<std::string> string_codec();
// Integers in [lo, hi]. With `strings`, a string in C syntax ("0x...") is accepted too, and
// values above INT64_MAX (which TOML integers cannot hold) are written as such strings.
Codec<std::uint64_t> u64_codec(std::uint64_t lo, std::uint64_t hi, bool strings);
Codec<std::uint32_t> u32_codec(std::uint32_t lo, std::uint32_t hi);
Codec<unsigned> uint_codec(unsigned lo, unsigned hi);
// Byte counts: an integer, or a string with a binary suffix ("16G", "4KiB", "512M").
Codec<std::uint64_t> size_codec(std::uint64_t lo, std::uint64_t hi);
// Page sizes: "4K", "2M", "1G", "64B", or an integer byte count; a power of two.
Codec<PageSize> page_size_codec();
Codec<std::vector<PageSize>> page_size_list_codec();
Codec<std::vector<unsigned>> uint_list_codec(unsigned lo, unsigned hi);
Codec<int> int_codec(int lo, int hi);
Codec<std::vector<std::string>> string_list_codec();
// A resource limit in bytes: a size, or "unlimited" (all ones, RLIM_INFINITY).
Codec<std::uint64_t> rlimit_codec();

// An enum stored by name.
template <class E>
Codec<E> enum_codec(std::vector<std::pair<std::string, E>> names) {
    std::string type = "one of:";
    for (std::size_t i = 0; i < names.size(); ++i) type += (i ? ", " : " ") + toml_quote(names[i].first);
    Codec<E> c;
    c.type = type;
    c.read = [names](const toml::node& n) -> Result<E> {
        if (!n.is_string()) return failf("expected a string, not {}", node_type_name(n));
        const std::string& s = n.as_string()->get();
        std::vector<std::string> valid;
        for (const auto& [name, e] : names) {
            if (name == s) return e;
            valid.push_back(name);
        }
        std::string msg = fmt::format("'{}' is not valid; expected one of:", s);
        for (std::size_t i = 0; i < valid.size(); ++i) msg += (i ? ", " : " ") + valid[i];
        return fail(msg);
    };
    c.write = [names](const E& e) -> std::string {
        for (const auto& [name, v] : names)
            if (v == e) return toml_quote(name);
        return toml_quote("?");
    };
    return c;
}

// A string codec that also checks the value against a list of valid names (from a
// registry), suggesting the nearest one. `what` names the kind ("paging format").
Codec<std::string> name_codec(std::string what, std::function<std::vector<std::string>()> valid);

}  // namespace vmlab::config_detail
