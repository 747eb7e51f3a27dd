// Verifying avatar media against a signed manifest: a package on disk (hashed on all cores) and
// media arriving over the network (StreamingMediaVerifier); the first bad chunk is named.
#include "twinseal/security/media_verify.h"

#include <algorithm>
#include <optional>

#include "media_internal.h"
#include "twinseal/security/merkle.h"

namespace twinseal::security {

using namespace media_detail;

namespace {

std::string chunkRangeText(std::uint64_t index, std::uint32_t chunkSize, std::uint64_t size) {
    const std::uint64_t first = index * chunkSize;
    const std::uint64_t last = std::min<std::uint64_t>(size, first + chunkSize) - 1;
    return "chunk " + std::to_string(index) + " (bytes " + std::to_string(first) + "-" +
           std::to_string(last) + ")";
}

Error alreadyFailed(const MediaFailure& f) {
    std::string what = "media verification already failed at " + f.file;
    if (f.chunkIndex)
        what += " chunk " + std::to_string(*f.chunkIndex);
    return makeError(ErrorCode::InvalidArgument, what + "; start a new verifier");
}

} // namespace

Status verifyMedia(const Manifest& manifest, const std::string& packagePath,
                   const HashOptions& options, MediaFailure* failure) {
    MediaFailure local;
    MediaFailure& fail = failure ? *failure : local;
    fail = MediaFailure{};
    auto failAt = [&](Error error, const std::string& file,
                      std::optional<std::uint64_t> chunk = std::nullopt) -> Status {
        fail.file = file;
        fail.chunkIndex = chunk;
        return error;
    };
    TWINSEAL_TRY(checkStructure(manifest, ErrorCode::InvalidArgument));
    const std::uint32_t chunkSize = manifest.chunkSize;

    auto listed = listPackage(packagePath);
    if (!listed)
        return listed.error();
    const PackageListing& listing = *listed;

    std::vector<FileTask> tasks(manifest.files.size());
    std::uint64_t total = 0;
    if (listing.singleFile) {
        // A lone .glb: its content is checked against the manifest's only file; the file name
        // may differ (downloads and caches rename files), the bytes may not.
        if (manifest.files.size() != 1) {
            const std::string name = listing.files.front().rel;
            for (const ManifestFile& f : manifest.files)
                if (f.path != name)
                    return failAt(makeError(ErrorCode::MediaMissingFile,
                                            f.path + ": listed in the signed manifest, but " +
                                                packagePath +
                                                " is a single file, not a package directory"),
                                  f.path);
        }
        tasks[0].abs = listing.files.front().abs;
    } else {
        for (const std::string& rel : listing.symlinks)
            return failAt(makeError(ErrorCode::MediaUnexpectedFile,
                                    rel + ": is a symbolic link; an avatar package may hold only "
                                          "regular files"),
                          rel);
        for (const std::string& rel : listing.special)
            return failAt(makeError(ErrorCode::MediaUnexpectedFile,
                                    rel + ": is not a regular file (device, FIFO or socket)"),
                          rel);
        auto findOnDisk = [&](const std::string& rel) -> const PackageEntry* {
            const auto it = std::lower_bound(
                listing.files.begin(), listing.files.end(), rel,
                [](const PackageEntry& e, const std::string& r) { return e.rel < r; });
            return it != listing.files.end() && it->rel == rel ? &*it : nullptr;
        };
        for (std::size_t i = 0; i < manifest.files.size(); ++i) {
            const ManifestFile& f = manifest.files[i];
            const PackageEntry* entry = findOnDisk(f.path);
            if (!entry)
                return failAt(makeError(ErrorCode::MediaMissingFile,
                                        f.path + ": listed in the signed manifest but missing "
                                                 "from " + packagePath),
                              f.path);
            tasks[i].abs = entry->abs;
        }
        for (const PackageEntry& e : listing.files) {
            const auto it = std::lower_bound(
                manifest.files.begin(), manifest.files.end(), e.rel,
                [](const ManifestFile& f, const std::string& r) { return f.path < r; });
            const bool listedInManifest = it != manifest.files.end() && it->path == e.rel;
            if (!listedInManifest)
                return failAt(makeError(ErrorCode::MediaUnexpectedFile,
                                        e.rel + ": present in " + packagePath +
                                            " but not in the signed manifest"),
                              e.rel);
        }
    }
    for (std::size_t i = 0; i < manifest.files.size(); ++i) {
        const ManifestFile& f = manifest.files[i];
        tasks[i].rel = f.path;
        tasks[i].size = f.size;
        tasks[i].expected = &f.chunkHashes;
        total += f.size;
    }
    // Cheap size check before any hashing.
    if (!listing.singleFile) {
        for (std::size_t i = 0; i < tasks.size(); ++i) {
            const auto it = std::lower_bound(
                listing.files.begin(), listing.files.end(), tasks[i].rel,
                [](const PackageEntry& e, const std::string& r) { return e.rel < r; });
            if (it->size != tasks[i].size)
                return failAt(makeError(ErrorCode::MediaSizeMismatch,
                                        tasks[i].rel + ": " + std::to_string(it->size) +
                                            " bytes on disk, but the signed manifest says " +
                                            std::to_string(tasks[i].size)),
                              tasks[i].rel);
        }
    }

    ProgressTracker progress(options.progress, total);
    hashTasks(tasks, chunkSize, options, progress);
    for (FileTask& task : tasks) {
        if (!task.status.ok())
            return failAt(task.status.error(), task.rel);
        const std::uint64_t bad = task.firstBad.load();
        if (bad != kNoChunk)
            return failAt(makeError(ErrorCode::MediaMismatch,
                                    task.rel + ": " + chunkRangeText(bad, chunkSize, task.size) +
                                        " does not match the signed manifest"),
                          task.rel, bad);
    }
    return {};
}

StreamingMediaVerifier::StreamingMediaVerifier(const Manifest& manifest) : m_manifest(manifest) {}

Status StreamingMediaVerifier::beginFile(const std::string& path) {
    if (m_failed)
        return alreadyFailed(m_failure);
    if (m_inFile)
        return makeError(ErrorCode::InvalidArgument,
                         "beginFile(" + path + ") before endFile() of " +
                             m_manifest.files[m_fileIndex].path);
    TWINSEAL_TRY(checkChunkSize(m_manifest.chunkSize, ErrorCode::InvalidArgument));
    const auto& files = m_manifest.files;
    auto fail = [&](Error e, const std::string& file) -> Status {
        m_failed = true;
        m_failure = MediaFailure{file, std::nullopt};
        return e;
    };
    if (m_fileIndex >= files.size() || files[m_fileIndex].path != path) {
        const auto it = std::find_if(files.begin(), files.end(),
                                     [&](const ManifestFile& f) { return f.path == path; });
        if (it == files.end())
            return fail(makeError(ErrorCode::MediaUnexpectedFile,
                                  path + ": not in the signed manifest"),
                        path);
        const auto index = static_cast<std::size_t>(it - files.begin());
        if (index < m_fileIndex)
            return fail(makeError(ErrorCode::MediaUnexpectedFile,
                                  path + ": received a second time"),
                        path);
        const std::string& expected = files[m_fileIndex].path;
        return fail(makeError(ErrorCode::MediaMissingFile,
                              expected + ": expected next, but " + path +
                                  " arrived first (files must arrive in manifest order)"),
                    expected);
    }
    const ManifestFile& f = files[m_fileIndex];
    if (f.chunkHashes.size() != chunkCount(f.size, m_manifest.chunkSize))
        return fail(makeError(ErrorCode::MalformedInput,
                              path + ": the manifest's chunk hashes do not cover its size"),
                    path);
    m_inFile = true;
    m_fileBytes = 0;
    m_chunkIndex = 0;
    m_chunkFill = 0;
    m_hash.reset();
    return {};
}

Status StreamingMediaVerifier::update(ByteView data) {
    if (m_failed)
        return alreadyFailed(m_failure);
    if (!m_inFile)
        return makeError(ErrorCode::InvalidArgument, "update() outside beginFile()/endFile()");
    const ManifestFile& f = m_manifest.files[m_fileIndex];
    if (data.size() > f.size - m_fileBytes) {
        m_failed = true;
        m_failure = MediaFailure{f.path, std::nullopt};
        return makeError(ErrorCode::MediaSizeMismatch,
                         f.path + ": more than the " + std::to_string(f.size) +
                             " bytes the signed manifest says were received");
    }
    static constexpr std::uint8_t kLeafPrefix = 0x00;
    while (!data.empty()) {
        if (!m_hash) {
            m_hash = std::make_unique<Sha256>();
            m_hash->update(ByteView(&kLeafPrefix, 1));
        }
        const auto take = static_cast<std::size_t>(
            std::min<std::uint64_t>(data.size(), m_manifest.chunkSize - m_chunkFill));
        m_hash->update(data.first(take));
        data = data.subspan(take);
        m_chunkFill += take;
        m_fileBytes += take;
        if (m_chunkFill == m_manifest.chunkSize)
            TWINSEAL_TRY(chunkDone());
    }
    return {};
}

Status StreamingMediaVerifier::chunkDone() {
    const ManifestFile& f = m_manifest.files[m_fileIndex];
    const Digest leaf = m_hash->finish();
    m_hash.reset();
    const std::uint64_t index = m_chunkIndex;
    m_chunkFill = 0;
    ++m_chunkIndex;
    if (index >= f.chunkHashes.size() || leaf != f.chunkHashes[index]) {
        m_failed = true;
        m_failure = MediaFailure{f.path, index};
        return makeError(ErrorCode::MediaMismatch,
                         f.path + ": " + chunkRangeText(index, m_manifest.chunkSize, f.size) +
                             " does not match the signed manifest");
    }
    return {};
}

Status StreamingMediaVerifier::endFile() {
    if (m_failed)
        return alreadyFailed(m_failure);
    if (!m_inFile)
        return makeError(ErrorCode::InvalidArgument, "endFile() without beginFile()");
    const ManifestFile& f = m_manifest.files[m_fileIndex];
    if (m_fileBytes != f.size) {
        m_failed = true;
        m_failure = MediaFailure{f.path, std::nullopt};
        return makeError(ErrorCode::MediaSizeMismatch,
                         f.path + ": received " + std::to_string(m_fileBytes) +
                             " bytes, but the signed manifest says " + std::to_string(f.size));
    }
    if (m_chunkFill > 0)
        TWINSEAL_TRY(chunkDone());
    m_inFile = false;
    ++m_fileIndex;
    return {};
}

Status StreamingMediaVerifier::finish() {
    if (m_failed)
        return alreadyFailed(m_failure);
    if (m_inFile)
        return makeError(ErrorCode::InvalidArgument,
                         "finish() before endFile() of " + m_manifest.files[m_fileIndex].path);
    if (m_fileIndex < m_manifest.files.size()) {
        const std::string& missing = m_manifest.files[m_fileIndex].path;
        m_failed = true;
        m_failure = MediaFailure{missing, std::nullopt};
        return makeError(ErrorCode::MediaMissingFile,
                         missing + ": listed in the signed manifest but never received");
    }
    return {};
}

} // namespace twinseal::security
