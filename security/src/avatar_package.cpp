// Avatar packages: listing a package directory (or a single .glb), the path rules, the glTF 2.0
// model and metadata (avatar.json) checks, and building the unsigned manifest.
#include "twinseal/security/avatar_package.h"

#include <algorithm>
#include <exception>
#include <filesystem>
#include <system_error>
#include <utility>

#include <nlohmann/json.hpp>

#include "media_internal.h"
#include "twinseal/security/gltf_validate.h"
#include "twinseal/security/clock.h"
#include "twinseal/security/merkle.h"

namespace twinseal::security {

using namespace media_detail;

namespace {

namespace fs = std::filesystem;
using json = nlohmann::json;

constexpr std::uint64_t kMaxJsonBytes = 16ull * 1024 * 1024;
constexpr std::size_t kMaxPathBytes = 4096;

bool validUtf8(std::string_view s) {
    std::size_t i = 0;
    while (i < s.size()) {
        const auto c = static_cast<unsigned char>(s[i]);
        std::size_t len = 0;
        std::uint32_t cp = 0;
        if (c < 0x80) { ++i; continue; }
        if ((c & 0xE0) == 0xC0) { len = 2; cp = c & 0x1F; }
        else if ((c & 0xF0) == 0xE0) { len = 3; cp = c & 0x0F; }
        else if ((c & 0xF8) == 0xF0) { len = 4; cp = c & 0x07; }
        else return false;
        if (i + len > s.size())
            return false;
        for (std::size_t k = 1; k < len; ++k) {
            const auto cc = static_cast<unsigned char>(s[i + k]);
            if ((cc & 0xC0) != 0x80)
                return false;
            cp = cp << 6 | (cc & 0x3F);
        }
        if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
            cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
            return false;
        i += len;
    }
    return true;
}

Result<std::string> readSmallFile(const std::string& absolutePath, const std::string& name,
                                  std::uint64_t maxBytes) {
    auto opened = openRegular(absolutePath, name, false);
    if (!opened)
        return opened.error();
    if (opened->size > maxBytes)
        return makeError(ErrorCode::AvatarPackageInvalid,
                         name + ": " + std::to_string(opened->size) +
                             " bytes is too large for a JSON document (limit " +
                             std::to_string(maxBytes) + " bytes)");
    std::string text(static_cast<std::size_t>(opened->size), '\0');
    TWINSEAL_TRY(readAt(opened->fd.get(), reinterpret_cast<std::uint8_t*>(text.data()),
                        text.size(), 0, name));
    return text;
}

Result<AvatarMetadataInfo> parseMetadata(std::string_view text, const std::string& name) {
    auto invalid = [&](const std::string& why) {
        return makeError(ErrorCode::AvatarPackageInvalid, name + ": " + why);
    };
    AvatarMetadataInfo info;
    try {
        const json doc = json::parse(text.begin(), text.end(), nullptr, false);
        if (doc.is_discarded() || !doc.is_object())
            return invalid("not a valid JSON object");
        auto stringField = [&](const char* key, std::string& out, bool required) -> Status {
            const auto f = doc.find(key);
            if (f == doc.end() || f->is_null()) {
                if (required)
                    return invalid(std::string("the required field '") + key + "' is missing");
                return {};
            }
            if (!f->is_string())
                return invalid(std::string("the field '") + key + "' must be a string");
            out = f->get<std::string>();
            if (required && out.empty())
                return invalid(std::string("the required field '") + key + "' is empty");
            return {};
        };
        auto boolField = [&](const char* key, bool& out) -> Status {
            const auto f = doc.find(key);
            if (f == doc.end() || f->is_null())
                return {};
            if (!f->is_boolean())
                return invalid(std::string("the field '") + key + "' must be true or false");
            out = f->get<bool>();
            return {};
        };
        TWINSEAL_TRY(stringField("name", info.name, true));
        if (!doc.contains("licence") && doc.contains("license"))
            return invalid("the required field 'licence' is missing (found 'license'; "
                           "TwinSeal metadata spells it 'licence')");
        TWINSEAL_TRY(stringField("licence", info.licence, true));
        TWINSEAL_TRY(stringField("version", info.version, false));
        TWINSEAL_TRY(stringField("allowedUsers", info.allowedUsers, false));
        TWINSEAL_TRY(stringField("contact", info.contact, false));
        TWINSEAL_TRY(stringField("reference", info.reference, false));
        TWINSEAL_TRY(boolField("violentUsage", info.violentUsage));
        TWINSEAL_TRY(boolField("sexualUsage", info.sexualUsage));
        TWINSEAL_TRY(boolField("commercialUsage", info.commercialUsage));
        if (!info.allowedUsers.empty() && info.allowedUsers != "only-author" &&
            info.allowedUsers != "explicitly-licensed" && info.allowedUsers != "everyone")
            return invalid("'allowedUsers' is '" + info.allowedUsers +
                           "'; use \"only-author\", \"explicitly-licensed\" or \"everyone\"");
        if (const auto a = doc.find("authors"); a != doc.end() && !a->is_null()) {
            if (!a->is_array())
                return invalid("the field 'authors' must be an array of strings");
            for (const auto& author : *a) {
                if (!author.is_string())
                    return invalid("the field 'authors' must be an array of strings");
                info.authors.push_back(author.get<std::string>());
            }
        }
    } catch (const std::exception& e) {
        return invalid(std::string("cannot be read: ") + e.what());
    }
    return info;
}

} // namespace

namespace media_detail {

std::string lowerExtension(std::string_view path) {
    const auto slash = path.rfind('/');
    const std::string_view name = slash == std::string_view::npos ? path : path.substr(slash + 1);
    const auto dot = name.rfind('.');
    if (dot == std::string_view::npos || dot == 0)
        return {};
    std::string ext(name.substr(dot + 1));
    for (char& c : ext)
        if (c >= 'A' && c <= 'Z')
            c = static_cast<char>(c - 'A' + 'a');
    return ext;
}

bool isModelPath(std::string_view path) {
    const std::string ext = lowerExtension(path);
    return ext == "glb" || ext == "gltf";
}

std::string mediaTypeFor(std::string_view path) {
    const std::string ext = lowerExtension(path);
    if (ext == "glb") return "model/gltf-binary";
    if (ext == "gltf") return "model/gltf+json";
    if (ext == "png") return "image/png";
    if (ext == "jpg" || ext == "jpeg") return "image/jpeg";
    if (ext == "ktx2") return "image/ktx2";
    if (ext == "webp") return "image/webp";
    if (ext == "json") return "application/json";
    if (ext == "txt") return "text/plain";
    return "application/octet-stream";
}

Status checkRelativePath(const std::string& path, ErrorCode code) {
    auto bad = [&](std::string_view why) {
        return makeError(code, "file path '" + path + "' is not allowed: " + std::string(why));
    };
    if (path.empty())
        return makeError(code, "a file path is empty");
    if (path.size() > kMaxPathBytes)
        return bad("longer than 4096 bytes");
    if (!validUtf8(path))
        return bad("not valid UTF-8");
    if (path.front() == '/')
        return bad("absolute paths are not allowed");
    if (path.find('\\') != std::string::npos || path.find('\0') != std::string::npos)
        return bad("it contains a backslash or NUL");
    std::size_t start = 0;
    while (start <= path.size()) {
        auto end = path.find('/', start);
        if (end == std::string::npos)
            end = path.size();
        const std::string_view part(path.data() + start, end - start);
        if (part.empty() || part == "." || part == "..")
            return bad("empty, '.' and '..' components are not allowed");
        start = end + 1;
    }
    return {};
}

Result<PackageListing> listPackage(const std::string& packagePath) {
    PackageListing out;
    std::error_code ec;
    const fs::file_status rootStatus = fs::status(packagePath, ec);
    if (ec || !fs::exists(rootStatus))
        return makeError(ErrorCode::IoError,
                         packagePath + ": no such file or directory" +
                             (ec && ec != std::errc::no_such_file_or_directory
                                  ? " (" + ec.message() + ")"
                                  : std::string()));
    if (fs::is_regular_file(rootStatus)) {
        out.singleFile = true;
        const auto size = fs::file_size(packagePath, ec);
        if (ec)
            return makeError(ErrorCode::IoError, packagePath + ": " + ec.message());
        out.files.push_back({fs::path(packagePath).filename().string(), packagePath, size});
        return out;
    }
    if (!fs::is_directory(rootStatus))
        return makeError(ErrorCode::AvatarPackageInvalid,
                         packagePath + ": an avatar package is a directory or a .glb file");

    fs::path root = fs::path(packagePath).lexically_normal();
    if (!root.has_filename() && root.has_parent_path() && root != root.root_path())
        root = root.parent_path();
    fs::recursive_directory_iterator it(root, fs::directory_options::none, ec);
    if (ec)
        return makeError(ErrorCode::IoError, packagePath + ": cannot list: " + ec.message());
    for (; it != fs::recursive_directory_iterator(); it.increment(ec)) {
        if (ec)
            break;
        const fs::directory_entry& entry = *it;
        const std::string rel = entry.path().lexically_relative(root).generic_string();
        const fs::file_status st = entry.symlink_status(ec);
        if (ec)
            return makeError(ErrorCode::IoError, rel + ": cannot stat: " + ec.message());
        if (fs::is_symlink(st)) {
            out.symlinks.push_back(rel);
        } else if (fs::is_directory(st)) {
            continue; // descended into by the iterator
        } else if (fs::is_regular_file(st)) {
            const auto size = entry.file_size(ec);
            if (ec)
                return makeError(ErrorCode::IoError, rel + ": cannot stat: " + ec.message());
            out.files.push_back({rel, entry.path().string(), size});
        } else {
            out.special.push_back(rel);
        }
    }
    if (ec)
        return makeError(ErrorCode::IoError, packagePath + ": cannot list: " + ec.message());
    std::sort(out.files.begin(), out.files.end(),
              [](const PackageEntry& a, const PackageEntry& b) { return a.rel < b.rel; });
    std::sort(out.symlinks.begin(), out.symlinks.end());
    std::sort(out.special.begin(), out.special.end());
    return out;
}

} // namespace media_detail

Status validatePackageModel(const Manifest& manifest, const std::string& packagePath) {
    std::error_code ec;
    const bool singleFile = std::filesystem::is_regular_file(packagePath, ec);
    std::vector<std::pair<std::string, std::uint64_t>> files;
    for (const ManifestFile& f : manifest.files)
        files.emplace_back(f.path, f.size);
    const DiskGltfFiles gltfFiles(packagePath, singleFile, std::move(files));
    return validateGltf(manifest.modelPath, gltfFiles);
}

Status checkPackageMetadata(const Manifest& manifest, const std::string& packagePath) {
    if (manifest.metadataPath.empty())
        return {};
    const auto file = std::find_if(manifest.files.begin(), manifest.files.end(),
                                   [&](const ManifestFile& f) { return f.path == manifest.metadataPath; });
    if (file == manifest.files.end())
        return makeError(ErrorCode::MediaDescriptionMismatch,
                         "the manifest's metadata file " + manifest.metadataPath +
                             " is not one of its files");
    if (file->size > kMaxJsonBytes)
        return makeError(ErrorCode::AvatarPackageInvalid,
                         manifest.metadataPath + ": too large for a JSON document");
    auto text = readSmallFile(packagePath + "/" + manifest.metadataPath, manifest.metadataPath,
                              kMaxJsonBytes);
    if (!text)
        return text.error();
    auto meta = parseMetadata(*text, manifest.metadataPath);
    if (!meta)
        return meta.error();
    if (!(*meta == manifest.metadata))
        return makeError(ErrorCode::MediaDescriptionMismatch,
                         manifest.metadataPath + " (name '" + meta->name + "', licence '" +
                             meta->licence + "') does not say what the signed manifest says "
                             "(name '" + manifest.metadata.name + "', licence '" +
                             manifest.metadata.licence + "')");
    return {};
}

Result<Manifest> buildManifest(const std::string& packagePath, const HashOptions& options) {
    TWINSEAL_TRY(checkChunkSize(options.chunkSize, ErrorCode::InvalidArgument));
    auto listed = listPackage(packagePath);
    if (!listed)
        return listed.error();
    const PackageListing& listing = *listed;
    if (!listing.symlinks.empty())
        return makeError(ErrorCode::AvatarPackageInvalid,
                         listing.symlinks.front() +
                             ": is a symbolic link; an avatar package may hold only regular "
                             "files (copy the file into the package instead)");
    if (!listing.special.empty())
        return makeError(ErrorCode::AvatarPackageInvalid,
                         listing.special.front() +
                             ": is not a regular file (device, FIFO or socket); remove it from "
                             "the package");
    if (listing.singleFile && lowerExtension(listing.files.front().rel) != "glb")
        return makeError(ErrorCode::AvatarPackageInvalid,
                         packagePath + ": a single-file avatar package must be a .glb file "
                                       "(use a directory for .gltf with separate resources)");
    if (listing.files.empty())
        return makeError(ErrorCode::AvatarPackageInvalid,
                         packagePath + ": the package is empty; it needs one .glb or .gltf model");

    std::vector<const PackageEntry*> models;
    for (const PackageEntry& e : listing.files) {
        TWINSEAL_TRY(checkRelativePath(e.rel, ErrorCode::AvatarPackageInvalid));
        if (isModelPath(e.rel))
            models.push_back(&e);
    }
    if (models.empty())
        return makeError(ErrorCode::AvatarPackageInvalid,
                         packagePath + ": the package contains no glTF model (.glb or .gltf)");
    if (models.size() > 1) {
        std::string names;
        for (const PackageEntry* e : models)
            names += (names.empty() ? "" : ", ") + e->rel;
        return makeError(ErrorCode::AvatarPackageInvalid,
                         packagePath + ": the package contains " + std::to_string(models.size()) +
                             " glTF models (" + names + "); exactly one is allowed");
    }
    {
        std::vector<std::pair<std::string, std::uint64_t>> files;
        for (const PackageEntry& e : listing.files)
            files.emplace_back(e.rel, e.size);
        const DiskGltfFiles gltfFiles(listing.singleFile ? listing.files.front().abs : packagePath,
                                      listing.singleFile, std::move(files));
        TWINSEAL_TRY(validateGltf(models.front()->rel, gltfFiles));
    }

    Manifest manifest;
    manifest.chunkSize = options.chunkSize;
    manifest.modelPath = models.front()->rel;
    if (!listing.singleFile) {
        for (const PackageEntry& e : listing.files) {
            if (e.rel != kMetadataFileName)
                continue;
            auto text = readSmallFile(e.abs, e.rel, kMaxJsonBytes);
            if (!text)
                return text.error();
            auto meta = parseMetadata(*text, e.rel);
            if (!meta)
                return meta.error();
            manifest.metadata = std::move(meta).value();
            manifest.metadataPath = e.rel;
        }
    }

    std::vector<FileTask> tasks(listing.files.size());
    std::uint64_t total = 0;
    for (std::size_t i = 0; i < tasks.size(); ++i) {
        tasks[i].rel = listing.files[i].rel;
        tasks[i].abs = listing.files[i].abs;
        tasks[i].size = listing.files[i].size;
        total += listing.files[i].size;
    }
    ProgressTracker progress(options.progress, total);
    hashTasks(tasks, options.chunkSize, options, progress);
    manifest.files.reserve(tasks.size());
    for (FileTask& task : tasks) {
        if (!task.status.ok())
            return task.status.error();
        ManifestFile f;
        f.path = task.rel;
        f.size = task.size;
        f.mediaType = mediaTypeFor(task.rel);
        f.root = merkle::rootFromLeaves(task.leaves);
        f.chunkHashes = std::move(task.leaves);
        manifest.files.push_back(std::move(f));
    }
    manifest.packageRoot = computePackageRoot(manifest.files, manifest.chunkSize);
    manifest.createdAt = SystemClock::instance().now();
    return manifest;
}

} // namespace twinseal::security
