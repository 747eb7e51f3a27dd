// glTF 2.0 validation (the schema of the glTF 2.0 specification, §5): structure and member
// types, references, resources inside the package, accessor and index bounds, the node graph.
#include "twinseal/security/gltf_validate.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <exception>
#include <initializer_list>
#include <map>
#include <set>
#include <vector>

#include <nlohmann/json.hpp>

#include "gltf_internal.h"

namespace twinseal::security {

namespace {

using json = nlohmann::json;

constexpr std::size_t kReadBlock = std::size_t{64} * 1024;

struct BufferInfo {
    std::string file;        // the package file holding the buffer
    std::uint64_t base = 0;  // where the buffer starts in that file
    std::uint64_t byteLength = 0;
};

struct ViewInfo {
    std::size_t buffer = 0;
    std::uint64_t byteOffset = 0;
    std::uint64_t byteLength = 0;
    std::uint64_t byteStride = 0; // 0: tightly packed
};

struct SparseInfo {
    std::uint64_t count = 0;
    std::size_t indicesView = 0;
    std::uint64_t indicesOffset = 0;
    std::uint32_t indicesComponent = 0;
};

struct AccessorInfo {
    std::optional<std::size_t> view;
    std::uint64_t byteOffset = 0;
    std::uint32_t componentType = 0;
    std::uint64_t componentSize = 0;
    std::string type;
    std::uint64_t count = 0;
    std::optional<SparseInfo> sparse;
};

std::uint64_t componentSizeOf(std::uint64_t componentType) {
    switch (componentType) {
    case 5120: case 5121: return 1; // BYTE, UNSIGNED_BYTE
    case 5122: case 5123: return 2; // SHORT, UNSIGNED_SHORT
    case 5125: case 5126: return 4; // UNSIGNED_INT, FLOAT
    default: return 0;
    }
}

std::uint64_t componentsOf(const std::string& type) {
    if (type == "SCALAR") return 1;
    if (type == "VEC2") return 2;
    if (type == "VEC3") return 3;
    if (type == "VEC4" || type == "MAT2") return 4;
    if (type == "MAT3") return 9;
    if (type == "MAT4") return 16;
    return 0;
}

// The size of one element; matrix columns start on 4-byte boundaries (glTF 2.0 §3.6.2.4).
std::uint64_t elementSizeOf(const std::string& type, std::uint64_t componentSize) {
    if (type == "MAT2" && componentSize == 1) return 8;
    if (type == "MAT3" && componentSize == 1) return 12;
    if (type == "MAT3" && componentSize == 2) return 24;
    return componentsOf(type) * componentSize;
}

// Nesting depth of JSON arrays and objects, without parsing (so a deep document is refused
// before a parser recurses into it).
std::uint32_t jsonDepth(std::string_view text, std::uint32_t stopAt) {
    std::uint32_t depth = 0;
    std::uint32_t deepest = 0;
    bool inString = false;
    bool escaped = false;
    for (const char c : text) {
        if (inString) {
            if (escaped) escaped = false;
            else if (c == '\\') escaped = true;
            else if (c == '"') inString = false;
            continue;
        }
        if (c == '"') {
            inString = true;
        } else if (c == '[' || c == '{') {
            deepest = std::max(deepest, ++depth);
            if (deepest > stopAt)
                return deepest;
        } else if ((c == ']' || c == '}') && depth > 0) {
            --depth;
        }
    }
    return deepest;
}

class Validator {
public:
    Validator(const std::string& model, const GltfFiles& files, const GltfLimits& limits)
        : m_model(model), m_files(files), m_limits(limits) {
        const auto slash = model.rfind('/');
        if (slash != std::string::npos)
            m_baseDir = model.substr(0, slash + 1);
    }

    Status run() {
        auto source = gltf_detail::loadModel(m_model, m_files, m_limits);
        if (!source)
            return source.error();
        m_source = std::move(source).value();
        if (jsonDepth(m_source.json, m_limits.maxJsonDepth) > m_limits.maxJsonDepth)
            return fail(ErrorCode::GltfLimitExceeded,
                        "the glTF JSON nests arrays and objects deeper than " +
                            std::to_string(m_limits.maxJsonDepth) + " levels");
        try {
            m_doc = json::parse(m_source.json.begin(), m_source.json.end(), nullptr, false);
        } catch (const std::exception& e) {
            return fail(ErrorCode::AvatarPackageInvalid,
                        std::string("the glTF JSON cannot be read: ") + e.what());
        }
        if (m_doc.is_discarded() || !m_doc.is_object())
            return fail(ErrorCode::AvatarPackageInvalid,
                        "the glTF JSON is not a valid JSON object");
        try {
            TWINSEAL_TRY(asset());
            TWINSEAL_TRY(collections());
            TWINSEAL_TRY(buffers());
            TWINSEAL_TRY(bufferViews());
            TWINSEAL_TRY(accessors());
            TWINSEAL_TRY(images());
            TWINSEAL_TRY(samplersAndTextures());
            TWINSEAL_TRY(materials());
            TWINSEAL_TRY(cameras());
            TWINSEAL_TRY(meshes());
            TWINSEAL_TRY(skins());
            TWINSEAL_TRY(nodes());
            TWINSEAL_TRY(scenes());
            TWINSEAL_TRY(animations());
        } catch (const std::exception& e) {
            return fail(ErrorCode::GltfSchemaViolation,
                        std::string("the glTF JSON cannot be read: ") + e.what());
        }
        return {};
    }

private:
    // ---- helpers ---------------------------------------------------------------------------

    Error fail(ErrorCode code, const std::string& why) const {
        return makeError(code, m_model + ": " + why);
    }
    Error schema(const std::string& where, const std::string& why) const {
        return fail(ErrorCode::GltfSchemaViolation, where + " " + why);
    }

    std::size_t countOf(const char* collection) const {
        const auto it = m_doc.find(collection);
        return it == m_doc.end() ? 0 : it->size();
    }

    const json& array(const char* collection) const {
        static const json empty = json::array();
        const auto it = m_doc.find(collection);
        return it == m_doc.end() ? empty : *it;
    }

    // An unsigned integer member within [min, max]; nothing when absent and not required.
    Result<std::optional<std::uint64_t>> uint(const json& obj, const char* key,
                                              const std::string& where, bool required,
                                              std::uint64_t min = 0,
                                              std::uint64_t max = UINT64_MAX) const {
        const auto it = obj.find(key);
        if (it == obj.end()) {
            if (required)
                return schema(where, std::string("has no '") + key + "' (required)");
            return std::optional<std::uint64_t>();
        }
        if (!it->is_number_integer())
            return schema(where + "." + key, "must be an integer");
        if (it->is_number_unsigned()) {
            const auto v = it->get<std::uint64_t>();
            if (v < min || v > max)
                return schema(where + "." + key, "is " + std::to_string(v) + ", outside " +
                                                     std::to_string(min) + ".." +
                                                     std::to_string(max));
            return std::optional<std::uint64_t>(v);
        }
        const auto v = it->get<std::int64_t>();
        if (v < 0 || static_cast<std::uint64_t>(v) < min || static_cast<std::uint64_t>(v) > max)
            return schema(where + "." + key, "is " + std::to_string(v) + ", outside " +
                                                 std::to_string(min) + ".." +
                                                 std::to_string(max));
        return std::optional<std::uint64_t>(static_cast<std::uint64_t>(v));
    }

    // A reference to an object of a top-level collection.
    Result<std::optional<std::size_t>> ref(const json& obj, const char* key,
                                           const std::string& where, const char* collection,
                                           bool required = false) const {
        auto v = uint(obj, key, where, required);
        if (!v)
            return v.error();
        if (!*v)
            return std::optional<std::size_t>();
        return checkRef(**v, where + "." + key, collection);
    }

    Result<std::optional<std::size_t>> checkRef(std::uint64_t v, const std::string& where,
                                                const char* collection) const {
        const std::size_t n = countOf(collection);
        if (v >= n)
            return schema(where, "refers to " + std::string(collection) + "[" +
                                     std::to_string(v) + "], but there " +
                                     (n == 1 ? "is 1" : "are " + std::to_string(n)));
        return std::optional<std::size_t>(static_cast<std::size_t>(v));
    }

    Status string(const json& obj, const char* key, const std::string& where, bool required,
                  std::initializer_list<const char*> allowed = {}) const {
        const auto it = obj.find(key);
        if (it == obj.end()) {
            if (required)
                return schema(where, std::string("has no '") + key + "' (required)");
            return {};
        }
        if (!it->is_string())
            return schema(where + "." + key, "must be a string");
        if (allowed.size() == 0)
            return {};
        const auto& s = it->get_ref<const std::string&>();
        for (const char* a : allowed)
            if (s == a)
                return {};
        return schema(where + "." + key, "is '" + s + "', not a value glTF 2.0 defines");
    }

    Status boolean(const json& obj, const char* key, const std::string& where) const {
        const auto it = obj.find(key);
        if (it != obj.end() && !it->is_boolean())
            return schema(where + "." + key, "must be true or false");
        return {};
    }

    Status object(const json& obj, const char* key, const std::string& where) const {
        const auto it = obj.find(key);
        if (it != obj.end() && !it->is_object())
            return schema(where + "." + key, "must be a JSON object");
        return {};
    }

    // An array member (nullptr when absent), bounded in size.
    Result<const json*> list(const json& obj, const char* key, const std::string& where,
                             bool required = false, bool nonEmpty = false) const {
        const auto it = obj.find(key);
        if (it == obj.end()) {
            if (required)
                return schema(where, std::string("has no '") + key + "' (required)");
            return static_cast<const json*>(nullptr);
        }
        if (!it->is_array())
            return schema(where + "." + key, "must be an array");
        if (it->size() > m_limits.maxChildren)
            return fail(ErrorCode::GltfLimitExceeded,
                        where + "." + key + " has " + std::to_string(it->size()) +
                            " entries (limit " + std::to_string(m_limits.maxChildren) + ")");
        if (nonEmpty && it->empty())
            return schema(where + "." + key, "must not be empty");
        return &*it;
    }

    Status numbers(const json& obj, const char* key, const std::string& where,
                   std::size_t exactly = 0) const {
        auto l = list(obj, key, where);
        if (!l)
            return l.error();
        if (!*l)
            return {};
        if (exactly && (*l)->size() != exactly)
            return schema(where + "." + key, "must have " + std::to_string(exactly) +
                                                 " numbers, it has " +
                                                 std::to_string((*l)->size()));
        for (const json& v : **l)
            if (!v.is_number())
                return schema(where + "." + key, "must hold only numbers");
        return {};
    }

    // Percent-decodes and resolves a URI against the model's folder to a package path.
    Result<std::string> resolve(const std::string& uri, const std::string& where) const {
        auto outside = [&](const std::string& why) {
            return fail(ErrorCode::GltfUriNotInPackage, where + " '" + uri.substr(0, 120) +
                                                            "' " + why);
        };
        if (uri.empty())
            return schema(where, "is an empty URI");
        if (uri.size() >= 5 && std::equal(uri.begin(), uri.begin() + 5, "data:",
                                          [](char a, char b) { return (a | 0x20) == b; }))
            return outside("is a data: URI; embedded data is not accepted: put it in the GLB's "
                           "binary chunk or a file of the package");
        const auto colon = uri.find(':');
        if (colon != std::string::npos && uri.find('/') > colon)
            return outside("has a URI scheme; only paths relative to the model are allowed");
        if (uri.front() == '/' || uri.front() == '\\')
            return outside("is absolute; only paths relative to the model are allowed");
        if (uri.find_first_of("?#") != std::string::npos)
            return outside("has a query or fragment; only plain relative paths are allowed");
        std::string decoded;
        for (std::size_t i = 0; i < uri.size(); ++i) {
            if (uri[i] != '%') {
                decoded += uri[i];
                continue;
            }
            auto hex = [](char c) -> int {
                if (c >= '0' && c <= '9') return c - '0';
                if (c >= 'a' && c <= 'f') return c - 'a' + 10;
                if (c >= 'A' && c <= 'F') return c - 'A' + 10;
                return -1;
            };
            if (i + 2 >= uri.size() || hex(uri[i + 1]) < 0 || hex(uri[i + 2]) < 0)
                return schema(where, "'" + uri.substr(0, 120) + "' has a bad percent-escape");
            decoded += static_cast<char>(hex(uri[i + 1]) * 16 + hex(uri[i + 2]));
            i += 2;
        }
        if (decoded.find('\\') != std::string::npos || decoded.find('\0') != std::string::npos)
            return outside("has a backslash or NUL");
        std::vector<std::string> parts;
        const std::string full = m_baseDir + decoded;
        std::size_t start = 0;
        while (start <= full.size()) {
            auto end = full.find('/', start);
            if (end == std::string::npos)
                end = full.size();
            const std::string part = full.substr(start, end - start);
            if (part == "..") {
                if (parts.empty())
                    return outside("leaves the package");
                parts.pop_back();
            } else if (!part.empty() && part != ".") {
                parts.push_back(part);
            }
            start = end + 1;
        }
        std::string path;
        for (const auto& p : parts)
            path += (path.empty() ? "" : "/") + p;
        if (path.empty())
            return outside("names no file");
        return path;
    }

    // ---- the document ----------------------------------------------------------------------

    Status asset() {
        const auto a = m_doc.find("asset");
        if (a == m_doc.end() || !a->is_object())
            return fail(ErrorCode::AvatarPackageInvalid,
                        "the glTF JSON has no 'asset' object (required by glTF 2.0)");
        const auto version = a->find("version");
        if (version == a->end() || !version->is_string())
            return fail(ErrorCode::AvatarPackageInvalid,
                        "the glTF JSON has no 'asset.version' string");
        if (version->get<std::string>() != "2.0")
            return fail(ErrorCode::AvatarPackageInvalid,
                        "glTF asset.version is '" + version->get<std::string>() +
                            "'; only glTF 2.0 is supported");
        TWINSEAL_TRY(string(*a, "minVersion", "asset", false));
        TWINSEAL_TRY(string(*a, "generator", "asset", false));
        return string(*a, "copyright", "asset", false);
    }

    Status collections() {
        static constexpr std::array<const char*, 14> kCollections = {
            "accessors", "animations", "buffers",  "bufferViews", "cameras", "images", "materials",
            "meshes",    "nodes",      "samplers", "scenes",      "skins",   "textures",
            "extensionsUsed"};
        for (const char* c : kCollections) {
            const auto it = m_doc.find(c);
            if (it == m_doc.end())
                continue;
            if (!it->is_array())
                return schema(c, "must be an array");
            if (it->size() > m_limits.maxObjects)
                return fail(ErrorCode::GltfLimitExceeded,
                            std::string(c) + " has " + std::to_string(it->size()) +
                                " entries (limit " + std::to_string(m_limits.maxObjects) + ")");
            const bool strings = std::string_view(c) == "extensionsUsed";
            for (std::size_t i = 0; i < it->size(); ++i) {
                if (strings ? !(*it)[i].is_string() : !(*it)[i].is_object())
                    return schema(std::string(c) + "[" + std::to_string(i) + "]",
                                  strings ? "must be a string" : "must be a JSON object");
            }
        }
        if (auto l = list(m_doc, "extensionsRequired", "glTF"); !l)
            return l.error();
        else if (*l)
            for (const json& e : **l)
                if (!e.is_string())
                    return schema("extensionsRequired", "must hold only strings");
        if (auto s = ref(m_doc, "scene", "glTF", "scenes"); !s)
            return s.error();
        return {};
    }

    Status buffers() {
        const json& all = array("buffers");
        for (std::size_t i = 0; i < all.size(); ++i) {
            const json& b = all[i];
            const std::string where = "buffers[" + std::to_string(i) + "]";
            auto length = uint(b, "byteLength", where, true, 1);
            if (!length)
                return length.error();
            if (**length > m_limits.maxBufferBytes)
                return fail(ErrorCode::GltfLimitExceeded,
                            where + ".byteLength is " + std::to_string(**length) +
                                " bytes (limit " + std::to_string(m_limits.maxBufferBytes) + ")");
            TWINSEAL_TRY(string(b, "uri", where, false));
            BufferInfo info;
            info.byteLength = **length;
            if (!b.contains("uri")) {
                if (i != 0 || !m_source.glb)
                    return schema(where, "has no 'uri': only the first buffer of a GLB may use "
                                         "the GLB's binary chunk");
                if (!m_source.hasBin)
                    return fail(ErrorCode::GltfResourceMissing,
                                where + " refers to the GLB's binary chunk, but the GLB has none");
                if (info.byteLength > m_source.binLength || m_source.binLength - info.byteLength > 3)
                    return fail(ErrorCode::GltfAccessorOutOfBounds,
                                where + ".byteLength is " + std::to_string(info.byteLength) +
                                    " but the GLB's binary chunk holds " +
                                    std::to_string(m_source.binLength) + " bytes");
                info.file = m_model;
                info.base = m_source.binOffset;
            } else {
                auto path = resolve(b["uri"].get<std::string>(), where + ".uri");
                if (!path)
                    return path.error();
                const auto size = m_files.size(*path);
                if (!size)
                    return fail(ErrorCode::GltfResourceMissing,
                                where + " refers to '" + *path +
                                    "', which is not a file of the package");
                if (*size < info.byteLength)
                    return fail(ErrorCode::GltfResourceMissing,
                                where + " is " + std::to_string(info.byteLength) +
                                    " bytes but its file '" + *path + "' holds only " +
                                    std::to_string(*size));
                info.file = std::move(path).value();
            }
            m_buffers.push_back(std::move(info));
        }
        return {};
    }

    Status bufferViews() {
        const json& all = array("bufferViews");
        for (std::size_t i = 0; i < all.size(); ++i) {
            const json& v = all[i];
            const std::string where = "bufferViews[" + std::to_string(i) + "]";
            auto buffer = ref(v, "buffer", where, "buffers", true);
            if (!buffer)
                return buffer.error();
            auto offset = uint(v, "byteOffset", where, false);
            auto length = uint(v, "byteLength", where, true, 1);
            auto stride = uint(v, "byteStride", where, false, 4, 252);
            auto target = uint(v, "target", where, false, 34962, 34963);
            for (const auto* r : {&offset, &length, &stride, &target})
                if (!*r)
                    return r->error();
            if (*stride && **stride % 4 != 0)
                return schema(where + ".byteStride", "must be a multiple of 4");
            ViewInfo info{**buffer, offset->value_or(0), **length, stride->value_or(0)};
            const std::uint64_t bufferLength = m_buffers[info.buffer].byteLength;
            if (info.byteOffset > bufferLength || info.byteLength > bufferLength - info.byteOffset)
                return fail(ErrorCode::GltfAccessorOutOfBounds,
                            where + " (bytes " + std::to_string(info.byteOffset) + ".." +
                                std::to_string(info.byteOffset + info.byteLength) +
                                ") runs past the end of buffers[" + std::to_string(info.buffer) +
                                "] (" + std::to_string(bufferLength) + " bytes)");
            m_views.push_back(info);
        }
        return {};
    }

    // `count` elements of `elementSize` bytes at `offset` of a buffer view, `stride` apart.
    Status inView(std::size_t view, std::uint64_t offset, std::uint64_t count,
                  std::uint64_t elementSize, std::uint64_t stride, const std::string& where) const {
        const ViewInfo& v = m_views[view];
        // count <= maxAccessorCount and stride <= 252: no overflow.
        const std::uint64_t span = count == 0 ? 0 : stride * (count - 1) + elementSize;
        if (offset > v.byteLength || span > v.byteLength - offset)
            return fail(ErrorCode::GltfAccessorOutOfBounds,
                        where + " needs " + std::to_string(span) + " bytes from byte " +
                            std::to_string(offset) + " of bufferViews[" + std::to_string(view) +
                            "], which is " + std::to_string(v.byteLength) + " bytes long");
        return {};
    }

    Status accessors() {
        const json& all = array("accessors");
        for (std::size_t i = 0; i < all.size(); ++i) {
            const json& a = all[i];
            const std::string where = "accessors[" + std::to_string(i) + "]";
            AccessorInfo info;
            auto view = ref(a, "bufferView", where, "bufferViews");
            if (!view)
                return view.error();
            info.view = *view;
            auto offset = uint(a, "byteOffset", where, false);
            if (!offset)
                return offset.error();
            info.byteOffset = offset->value_or(0);
            if (!info.view && a.contains("byteOffset"))
                return schema(where + ".byteOffset", "is set without a bufferView");
            auto component = uint(a, "componentType", where, true);
            if (!component)
                return component.error();
            info.componentSize = componentSizeOf(**component);
            if (info.componentSize == 0)
                return schema(where + ".componentType",
                              "is " + std::to_string(**component) +
                                  ", not one of 5120, 5121, 5122, 5123, 5125, 5126");
            info.componentType = static_cast<std::uint32_t>(**component);
            TWINSEAL_TRY(boolean(a, "normalized", where));
            auto count = uint(a, "count", where, true, 1);
            if (!count)
                return count.error();
            if (**count > m_limits.maxAccessorCount)
                return fail(ErrorCode::GltfLimitExceeded,
                            where + ".count is " + std::to_string(**count) + " (limit " +
                                std::to_string(m_limits.maxAccessorCount) + ")");
            info.count = **count;
            TWINSEAL_TRY(string(a, "type", where, true,
                                {"SCALAR", "VEC2", "VEC3", "VEC4", "MAT2", "MAT3", "MAT4"}));
            info.type = a["type"].get<std::string>();
            const std::size_t components = componentsOf(info.type);
            TWINSEAL_TRY(numbers(a, "min", where, components));
            TWINSEAL_TRY(numbers(a, "max", where, components));
            const std::uint64_t elementSize = elementSizeOf(info.type, info.componentSize);
            if (info.view) {
                const ViewInfo& v = m_views[*info.view];
                if (info.byteOffset % info.componentSize != 0 ||
                    (v.byteOffset + info.byteOffset) % info.componentSize != 0)
                    return schema(where + ".byteOffset",
                                  "is not aligned to its " + std::to_string(info.componentSize) +
                                      "-byte components");
                if (v.byteStride && v.byteStride < elementSize)
                    return fail(ErrorCode::GltfAccessorOutOfBounds,
                                where + "'s elements (" + std::to_string(elementSize) +
                                    " bytes) are larger than the byteStride of bufferViews[" +
                                    std::to_string(*info.view) + "]");
                TWINSEAL_TRY(inView(*info.view, info.byteOffset, info.count, elementSize,
                                    v.byteStride ? v.byteStride : elementSize, where));
            }
            TWINSEAL_TRY(object(a, "sparse", where));
            if (const auto s = a.find("sparse"); s != a.end()) {
                const std::string sw = where + ".sparse";
                SparseInfo sparse;
                auto sc = uint(*s, "count", sw, true, 1, info.count);
                if (!sc)
                    return sc.error();
                sparse.count = **sc;
                TWINSEAL_TRY(object(*s, "indices", sw));
                TWINSEAL_TRY(object(*s, "values", sw));
                if (!s->contains("indices") || !s->contains("values"))
                    return schema(sw, "needs 'indices' and 'values'");
                const json& si = (*s)["indices"];
                auto iv = ref(si, "bufferView", sw + ".indices", "bufferViews", true);
                auto io = uint(si, "byteOffset", sw + ".indices", false);
                auto ic = uint(si, "componentType", sw + ".indices", true);
                for (const auto* r : {&io, &ic})
                    if (!*r)
                        return r->error();
                if (!iv)
                    return iv.error();
                if (**ic != 5121 && **ic != 5123 && **ic != 5125)
                    return schema(sw + ".indices.componentType",
                                  "must be 5121, 5123 or 5125 (unsigned integers)");
                sparse.indicesView = **iv;
                sparse.indicesOffset = io->value_or(0);
                sparse.indicesComponent = static_cast<std::uint32_t>(**ic);
                TWINSEAL_TRY(inView(sparse.indicesView, sparse.indicesOffset, sparse.count,
                                    componentSizeOf(**ic), componentSizeOf(**ic),
                                    sw + ".indices"));
                const json& sv = (*s)["values"];
                auto vv = ref(sv, "bufferView", sw + ".values", "bufferViews", true);
                auto vo = uint(sv, "byteOffset", sw + ".values", false);
                if (!vv)
                    return vv.error();
                if (!vo)
                    return vo.error();
                TWINSEAL_TRY(inView(**vv, vo->value_or(0), sparse.count, elementSize,
                                    elementSize, sw + ".values"));
                info.sparse = sparse;
            }
            m_accessors.push_back(std::move(info));
        }
        return {};
    }

    Status images() {
        const json& all = array("images");
        for (std::size_t i = 0; i < all.size(); ++i) {
            const json& im = all[i];
            const std::string where = "images[" + std::to_string(i) + "]";
            TWINSEAL_TRY(string(im, "uri", where, false));
            TWINSEAL_TRY(string(im, "mimeType", where, false));
            auto view = ref(im, "bufferView", where, "bufferViews");
            if (!view)
                return view.error();
            const bool hasUri = im.contains("uri");
            if (hasUri == view->has_value())
                return schema(where, "must have exactly one of 'uri' and 'bufferView'");
            if (*view && !im.contains("mimeType"))
                return schema(where, "has a bufferView but no mimeType");
            if (!hasUri)
                continue;
            auto path = resolve(im["uri"].get<std::string>(), where + ".uri");
            if (!path)
                return path.error();
            if (!m_files.size(*path))
                return fail(ErrorCode::GltfResourceMissing,
                            where + " refers to '" + *path +
                                "', which is not a file of the package");
        }
        return {};
    }

    Status samplersAndTextures() {
        const json& samplers = array("samplers");
        for (std::size_t i = 0; i < samplers.size(); ++i) {
            const json& s = samplers[i];
            const std::string where = "samplers[" + std::to_string(i) + "]";
            auto mag = uint(s, "magFilter", where, false, 9728, 9729);
            auto min = uint(s, "minFilter", where, false, 9728, 9987);
            auto ws = uint(s, "wrapS", where, false);
            auto wt = uint(s, "wrapT", where, false);
            for (const auto* r : {&mag, &min, &ws, &wt})
                if (!*r)
                    return r->error();
            if (*min && **min > 9729 && **min < 9984)
                return schema(where + ".minFilter", "is not a value glTF 2.0 defines");
            for (const auto* w : {&ws, &wt})
                if (**w && ***w != 33071 && ***w != 33648 && ***w != 10497)
                    return schema(where, "has a wrap mode glTF 2.0 does not define");
        }
        const json& textures = array("textures");
        for (std::size_t i = 0; i < textures.size(); ++i) {
            const std::string where = "textures[" + std::to_string(i) + "]";
            if (auto r = ref(textures[i], "sampler", where, "samplers"); !r)
                return r.error();
            if (auto r = ref(textures[i], "source", where, "images"); !r)
                return r.error();
        }
        return {};
    }

    Status textureInfo(const json& parent, const char* key, const std::string& where) const {
        TWINSEAL_TRY(object(parent, key, where));
        const auto it = parent.find(key);
        if (it == parent.end())
            return {};
        const std::string w = where + "." + key;
        if (auto r = ref(*it, "index", w, "textures", true); !r)
            return r.error();
        if (auto r = uint(*it, "texCoord", w, false); !r)
            return r.error();
        return {};
    }

    Status materials() {
        const json& all = array("materials");
        for (std::size_t i = 0; i < all.size(); ++i) {
            const json& m = all[i];
            const std::string where = "materials[" + std::to_string(i) + "]";
            TWINSEAL_TRY(object(m, "pbrMetallicRoughness", where));
            if (const auto p = m.find("pbrMetallicRoughness"); p != m.end()) {
                const std::string pw = where + ".pbrMetallicRoughness";
                TWINSEAL_TRY(numbers(*p, "baseColorFactor", pw, 4));
                TWINSEAL_TRY(textureInfo(*p, "baseColorTexture", pw));
                TWINSEAL_TRY(textureInfo(*p, "metallicRoughnessTexture", pw));
            }
            TWINSEAL_TRY(textureInfo(m, "normalTexture", where));
            TWINSEAL_TRY(textureInfo(m, "occlusionTexture", where));
            TWINSEAL_TRY(textureInfo(m, "emissiveTexture", where));
            TWINSEAL_TRY(numbers(m, "emissiveFactor", where, 3));
            TWINSEAL_TRY(string(m, "alphaMode", where, false, {"OPAQUE", "MASK", "BLEND"}));
            TWINSEAL_TRY(boolean(m, "doubleSided", where));
        }
        return {};
    }

    Status cameras() {
        const json& all = array("cameras");
        for (std::size_t i = 0; i < all.size(); ++i) {
            const std::string where = "cameras[" + std::to_string(i) + "]";
            TWINSEAL_TRY(string(all[i], "type", where, true, {"perspective", "orthographic"}));
            const std::string& type = all[i]["type"].get_ref<const std::string&>();
            TWINSEAL_TRY(object(all[i], type.c_str(), where));
            if (!all[i].contains(type))
                return schema(where, "has no '" + type + "' object for its type");
        }
        return {};
    }

    // Reads `count` unsigned integers of `size` bytes at `offset` of a buffer view (tightly
    // packed) and hands each to `check(element, value)`.
    template <typename Check>
    Status readUints(std::size_t view, std::uint64_t offset, std::uint64_t count,
                     std::uint64_t size, const std::string& where, Check&& check) {
        const ViewInfo& v = m_views[view];
        const BufferInfo& b = m_buffers[v.buffer];
        const std::uint64_t total = count * size;
        if (total > m_limits.maxIndexBytesRead - std::min(m_indexBytesRead,
                                                          m_limits.maxIndexBytesRead))
            return fail(ErrorCode::GltfLimitExceeded,
                        where + ": more than " + std::to_string(m_limits.maxIndexBytesRead) +
                            " bytes of index data to check");
        m_indexBytesRead += total;
        std::vector<std::uint8_t> block(static_cast<std::size_t>(
            std::min<std::uint64_t>(total, kReadBlock - kReadBlock % size)));
        const std::uint64_t start = b.base + v.byteOffset + offset;
        std::uint64_t element = 0;
        for (std::uint64_t done = 0; done < total;) {
            const auto n = static_cast<std::size_t>(std::min<std::uint64_t>(block.size(), total - done));
            TWINSEAL_TRY(m_files.read(b.file, start + done, block.data(), n));
            for (std::size_t k = 0; k < n; k += size) {
                std::uint64_t value = 0;
                for (std::size_t byte = 0; byte < size; ++byte)
                    value |= std::uint64_t(block[k + byte]) << (8 * byte);
                TWINSEAL_TRY(check(element++, value));
            }
            done += n;
        }
        return {};
    }

    Status checkIndices(std::size_t accessor, std::uint64_t vertices, const std::string& where) {
        if (!m_checkedIndices.insert({accessor, vertices}).second)
            return {};
        const AccessorInfo& a = m_accessors[accessor];
        if (a.type != "SCALAR" ||
            (a.componentType != 5121 && a.componentType != 5123 && a.componentType != 5125))
            return schema(where, "refers to accessors[" + std::to_string(accessor) +
                                     "], which is not SCALAR of 5121, 5123 or 5125");
        const std::uint64_t restart = (std::uint64_t(1) << (8 * a.componentSize)) - 1;
        auto inRange = [&](const char* what) {
            return [&, what](std::uint64_t element, std::uint64_t value) -> Status {
                if (value < vertices && value != restart)
                    return {};
                return fail(ErrorCode::GltfIndexOutOfRange,
                            where + ": " + what + " " + std::to_string(element) + " of accessors[" +
                                std::to_string(accessor) + "] is " + std::to_string(value) +
                                (value == restart
                                     ? ", the primitive-restart value glTF 2.0 forbids in "
                                       "index data"
                                     : ", past the " + std::to_string(vertices) +
                                           " vertices of the primitive"));
            };
        };
        if (!a.view) {
            if (vertices == 0)
                return fail(ErrorCode::GltfIndexOutOfRange,
                            where + ": index 0 of accessors[" + std::to_string(accessor) +
                                "] is past the 0 vertices of the primitive");
        } else {
            if (m_views[*a.view].byteStride)
                return schema(where, "refers to accessors[" + std::to_string(accessor) +
                                         "], whose bufferView has a byteStride (index data "
                                         "must be tightly packed)");
            TWINSEAL_TRY(readUints(*a.view, a.byteOffset, a.count, a.componentSize, where,
                                   inRange("index")));
        }
        if (a.sparse) {
            const json& sv = array("accessors")[accessor]["sparse"]["values"];
            const std::size_t view = sv["bufferView"].get<std::size_t>();
            const std::uint64_t offset = sv.value("byteOffset", std::uint64_t{0});
            TWINSEAL_TRY(readUints(view, offset, a.sparse->count, a.componentSize, where,
                                   inRange("sparse index value")));
        }
        return {};
    }

    Status meshes() {
        const json& all = array("meshes");
        for (std::size_t i = 0; i < all.size(); ++i) {
            const json& m = all[i];
            const std::string where = "meshes[" + std::to_string(i) + "]";
            TWINSEAL_TRY(numbers(m, "weights", where));
            auto prims = list(m, "primitives", where, true, true);
            if (!prims)
                return prims.error();
            for (std::size_t p = 0; p < (*prims)->size(); ++p) {
                const json& prim = (**prims)[p];
                const std::string pw = where + ".primitives[" + std::to_string(p) + "]";
                if (!prim.is_object())
                    return schema(pw, "must be a JSON object");
                const auto attrs = prim.find("attributes");
                if (attrs == prim.end() || !attrs->is_object())
                    return schema(pw, "has no 'attributes' object (required)");
                if (attrs->empty())
                    return schema(pw + ".attributes", "must not be empty");
                std::optional<std::uint64_t> vertices;
                for (auto it = attrs->begin(); it != attrs->end(); ++it) {
                    auto a = ref(*attrs, it.key().c_str(), pw + ".attributes", "accessors", true);
                    if (!a)
                        return a.error();
                    const std::uint64_t n = m_accessors[**a].count;
                    if (vertices && *vertices != n)
                        return schema(pw + ".attributes." + it.key(),
                                      "has " + std::to_string(n) + " elements, another attribute " +
                                          std::to_string(*vertices) +
                                          " (all attributes of a primitive have the same count)");
                    vertices = n;
                }
                if (auto r = ref(prim, "material", pw, "materials"); !r)
                    return r.error();
                if (auto r = uint(prim, "mode", pw, false, 0, 6); !r)
                    return r.error();
                if (auto targets = list(prim, "targets", pw); !targets) {
                    return targets.error();
                } else if (*targets) {
                    for (std::size_t t = 0; t < (*targets)->size(); ++t) {
                        const json& target = (**targets)[t];
                        const std::string tw = pw + ".targets[" + std::to_string(t) + "]";
                        if (!target.is_object())
                            return schema(tw, "must be a JSON object");
                        for (auto it = target.begin(); it != target.end(); ++it)
                            if (auto r = ref(target, it.key().c_str(), tw, "accessors"); !r)
                                return r.error();
                    }
                }
                auto indices = ref(prim, "indices", pw, "accessors");
                if (!indices)
                    return indices.error();
                if (*indices)
                    TWINSEAL_TRY(checkIndices(**indices, vertices.value_or(0), pw + ".indices"));
            }
        }
        return {};
    }

    Status skins() {
        const json& all = array("skins");
        for (std::size_t i = 0; i < all.size(); ++i) {
            const json& s = all[i];
            const std::string where = "skins[" + std::to_string(i) + "]";
            auto joints = list(s, "joints", where, true, true);
            if (!joints)
                return joints.error();
            std::set<std::uint64_t> seen;
            for (std::size_t j = 0; j < (*joints)->size(); ++j) {
                const json& joint = (**joints)[j];
                const std::string jw = where + ".joints[" + std::to_string(j) + "]";
                if (!joint.is_number_integer() || joint.get<std::int64_t>() < 0)
                    return schema(jw, "must be a node index");
                if (auto r = checkRef(joint.get<std::uint64_t>(), jw, "nodes"); !r)
                    return r.error();
                if (!seen.insert(joint.get<std::uint64_t>()).second)
                    return schema(jw, "repeats a joint");
            }
            if (auto r = ref(s, "skeleton", where, "nodes"); !r)
                return r.error();
            auto ibm = ref(s, "inverseBindMatrices", where, "accessors");
            if (!ibm)
                return ibm.error();
            if (*ibm) {
                const AccessorInfo& a = m_accessors[**ibm];
                if (a.type != "MAT4" || a.componentType != 5126 || a.count < (*joints)->size())
                    return schema(where + ".inverseBindMatrices",
                                  "must be a MAT4 FLOAT accessor with one matrix per joint");
            }
        }
        return {};
    }

    Status nodes() {
        const json& all = array("nodes");
        m_parent.assign(all.size(), SIZE_MAX);
        for (std::size_t i = 0; i < all.size(); ++i) {
            const json& n = all[i];
            const std::string where = "nodes[" + std::to_string(i) + "]";
            if (auto r = ref(n, "camera", where, "cameras"); !r)
                return r.error();
            if (auto r = ref(n, "mesh", where, "meshes"); !r)
                return r.error();
            if (auto r = ref(n, "skin", where, "skins"); !r)
                return r.error();
            TWINSEAL_TRY(numbers(n, "matrix", where, 16));
            TWINSEAL_TRY(numbers(n, "rotation", where, 4));
            TWINSEAL_TRY(numbers(n, "scale", where, 3));
            TWINSEAL_TRY(numbers(n, "translation", where, 3));
            TWINSEAL_TRY(numbers(n, "weights", where));
            TWINSEAL_TRY(string(n, "name", where, false));
            auto children = list(n, "children", where);
            if (!children)
                return children.error();
            if (!*children)
                continue;
            for (std::size_t c = 0; c < (*children)->size(); ++c) {
                const json& child = (**children)[c];
                const std::string cw = where + ".children[" + std::to_string(c) + "]";
                if (!child.is_number_integer() || child.get<std::int64_t>() < 0)
                    return schema(cw, "must be a node index");
                auto r = checkRef(child.get<std::uint64_t>(), cw, "nodes");
                if (!r)
                    return r.error();
                const std::size_t k = **r;
                if (k == i)
                    return fail(ErrorCode::GltfNodeGraphInvalid,
                                where + " is its own child: the node graph has a cycle");
                if (m_parent[k] != SIZE_MAX)
                    return fail(ErrorCode::GltfNodeGraphInvalid,
                                "nodes[" + std::to_string(k) + "] is a child of nodes[" +
                                    std::to_string(m_parent[k]) + "] and of nodes[" +
                                    std::to_string(i) + "]: a node has at most one parent");
                m_parent[k] = i;
            }
        }
        // With one parent each, a node whose walk up its ancestors never reaches a root lies on
        // a cycle. Each node is walked once: 0 unvisited, 1 on the current walk, 2 reaches a root.
        std::vector<std::uint8_t> state(all.size(), 0);
        std::vector<std::size_t> walk;
        for (std::size_t i = 0; i < all.size(); ++i) {
            walk.clear();
            std::size_t at = i;
            while (at != SIZE_MAX && state[at] == 0) {
                state[at] = 1;
                walk.push_back(at);
                at = m_parent[at];
            }
            if (at != SIZE_MAX && state[at] == 1)
                return fail(ErrorCode::GltfNodeGraphInvalid,
                            "nodes[" + std::to_string(at) +
                                "] lies on a cycle of parent and child nodes (the node "
                                "hierarchy must be a set of disjoint trees)");
            for (const std::size_t n : walk)
                state[n] = 2;
        }
        return {};
    }

    Status scenes() {
        const json& all = array("scenes");
        for (std::size_t i = 0; i < all.size(); ++i) {
            const std::string where = "scenes[" + std::to_string(i) + "]";
            auto roots = list(all[i], "nodes", where);
            if (!roots)
                return roots.error();
            if (!*roots)
                continue;
            std::set<std::uint64_t> seen;
            for (std::size_t r = 0; r < (*roots)->size(); ++r) {
                const json& node = (**roots)[r];
                const std::string rw = where + ".nodes[" + std::to_string(r) + "]";
                if (!node.is_number_integer() || node.get<std::int64_t>() < 0)
                    return schema(rw, "must be a node index");
                auto ref = checkRef(node.get<std::uint64_t>(), rw, "nodes");
                if (!ref)
                    return ref.error();
                if (!seen.insert(**ref).second)
                    return schema(rw, "repeats a node");
                if (m_parent[**ref] != SIZE_MAX)
                    return fail(ErrorCode::GltfNodeGraphInvalid,
                                rw + " is nodes[" + std::to_string(**ref) +
                                    "], a child of nodes[" + std::to_string(m_parent[**ref]) +
                                    "]: a scene lists only root nodes");
            }
        }
        return {};
    }

    Status animations() {
        const json& all = array("animations");
        for (std::size_t i = 0; i < all.size(); ++i) {
            const json& a = all[i];
            const std::string where = "animations[" + std::to_string(i) + "]";
            auto samplers = list(a, "samplers", where, true, true);
            if (!samplers)
                return samplers.error();
            for (std::size_t s = 0; s < (*samplers)->size(); ++s) {
                const json& sampler = (**samplers)[s];
                const std::string sw = where + ".samplers[" + std::to_string(s) + "]";
                if (!sampler.is_object())
                    return schema(sw, "must be a JSON object");
                if (auto r = ref(sampler, "input", sw, "accessors", true); !r)
                    return r.error();
                if (auto r = ref(sampler, "output", sw, "accessors", true); !r)
                    return r.error();
                TWINSEAL_TRY(string(sampler, "interpolation", sw, false,
                                    {"LINEAR", "STEP", "CUBICSPLINE"}));
            }
            auto channels = list(a, "channels", where, true, true);
            if (!channels)
                return channels.error();
            for (std::size_t c = 0; c < (*channels)->size(); ++c) {
                const json& channel = (**channels)[c];
                const std::string cw = where + ".channels[" + std::to_string(c) + "]";
                if (!channel.is_object())
                    return schema(cw, "must be a JSON object");
                auto sampler = uint(channel, "sampler", cw, true);
                if (!sampler)
                    return sampler.error();
                if (**sampler >= (*samplers)->size())
                    return schema(cw + ".sampler", "refers to a sampler the animation lacks");
                const auto target = channel.find("target");
                if (target == channel.end() || !target->is_object())
                    return schema(cw, "has no 'target' object (required)");
                if (auto r = ref(*target, "node", cw + ".target", "nodes"); !r)
                    return r.error();
                TWINSEAL_TRY(string(*target, "path", cw + ".target", true,
                                    {"translation", "rotation", "scale", "weights"}));
            }
        }
        return {};
    }

    const std::string& m_model;
    const GltfFiles& m_files;
    const GltfLimits& m_limits;
    std::string m_baseDir;
    gltf_detail::ModelSource m_source;
    json m_doc;
    std::vector<BufferInfo> m_buffers;
    std::vector<ViewInfo> m_views;
    std::vector<AccessorInfo> m_accessors;
    std::vector<std::size_t> m_parent;
    std::set<std::pair<std::size_t, std::uint64_t>> m_checkedIndices;
    std::uint64_t m_indexBytesRead = 0;
};

} // namespace

Status validateGltf(const std::string& modelPath, const GltfFiles& files,
                    const GltfLimits& limits) {
    return Validator(modelPath, files, limits).run();
}

} // namespace twinseal::security
