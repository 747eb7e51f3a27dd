#include "twinseal/security/bytes.h"

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <random>

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "fd_io.h"

namespace twinseal::security {

void cleanse(void* data, std::size_t size) noexcept {
    if (data && size)
        OPENSSL_cleanse(data, size);
}

std::string toHex(ByteView data) {
    static constexpr char digits[] = "0123456789abcdef";
    std::string out;
    out.reserve(data.size() * 2);
    for (std::uint8_t b : data) {
        out.push_back(digits[b >> 4]);
        out.push_back(digits[b & 0x0f]);
    }
    return out;
}

Result<Bytes> fromHex(std::string_view hex) {
    if (hex.size() % 2 != 0)
        return makeError(ErrorCode::MalformedInput, "hex string has an odd length");
    auto nibble = [](char c) -> int {
        if (c >= '0' && c <= '9') return c - '0';
        if (c >= 'a' && c <= 'f') return c - 'a' + 10;
        if (c >= 'A' && c <= 'F') return c - 'A' + 10;
        return -1;
    };
    Bytes out(hex.size() / 2);
    for (std::size_t i = 0; i < out.size(); ++i) {
        const int hi = nibble(hex[2 * i]);
        const int lo = nibble(hex[2 * i + 1]);
        if (hi < 0 || lo < 0)
            return makeError(ErrorCode::MalformedInput, "hex string has a non-hex character");
        out[i] = static_cast<std::uint8_t>(hi << 4 | lo);
    }
    return out;
}

std::string base64UrlEncode(ByteView data) {
    if (data.empty())
        return {};
    std::string out(4 * ((data.size() + 2) / 3) + 1, '\0');
    const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data.data(),
                                  static_cast<int>(data.size()));
    out.resize(static_cast<std::size_t>(n));
    while (!out.empty() && out.back() == '=')
        out.pop_back();
    for (char& c : out) {
        if (c == '+') c = '-';
        else if (c == '/') c = '_';
    }
    return out;
}

Result<Bytes> base64UrlDecode(std::string_view text) {
    if (text.size() % 4 == 1)
        return makeError(ErrorCode::MalformedInput, "base64url text has an impossible length");
    std::string std64;
    std64.reserve(text.size() + 3);
    for (char c : text) {
        if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
            std64.push_back(c);
        else if (c == '-')
            std64.push_back('+');
        else if (c == '_')
            std64.push_back('/');
        else
            return makeError(ErrorCode::MalformedInput, "base64url text has a character outside "
                                                        "the unpadded base64url alphabet");
    }
    const std::size_t pad = (4 - std64.size() % 4) % 4;
    std64.append(pad, '=');
    if (std64.empty())
        return Bytes{};
    Bytes out(std64.size() / 4 * 3);
    const int n = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(std64.data()),
                                  static_cast<int>(std64.size()));
    if (n < 0)
        return makeError(ErrorCode::MalformedInput, "base64url text does not decode");
    out.resize(static_cast<std::size_t>(n) - pad);
    // Reject non-canonical encodings (stray bits in the last character).
    if (base64UrlEncode(out) != text)
        return makeError(ErrorCode::MalformedInput, "base64url text is not canonical");
    return out;
}

bool constantTimeEqual(ByteView a, ByteView b) noexcept {
    if (a.size() != b.size())
        return false;
    if (a.empty())
        return true;
    return CRYPTO_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string systemErrorText(int err) {
    char buffer[256] = {};
    // The GNU strerror_r: returns either a static text or `buffer`.
    const char* text = strerror_r(err, buffer, sizeof buffer);
    return text != nullptr ? std::string(text) : "error " + std::to_string(err);
}

Result<Bytes> readFile(const std::string& path) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return makeError(ErrorCode::IoError,
                         "cannot open " + path + ": " + systemErrorText(errno));
    Bytes out;
    std::uint8_t buf[65536];
    for (;;) {
        const ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR)
                continue;
            const int e = errno;
            ::close(fd);
            return makeError(ErrorCode::IoError, "cannot read " + path + ": " + systemErrorText(e));
        }
        if (n == 0)
            break;
        out.insert(out.end(), buf, buf + n);
    }
    ::close(fd);
    return out;
}

Status writeFileAtomic(const std::string& path, ByteView data, bool privateMode) {
    namespace fs = std::filesystem;
    const fs::path target(path);
    fs::path dir = target.parent_path();
    if (dir.empty())
        dir = ".";
    std::random_device rd;
    const std::string tmp =
        (dir / ("." + target.filename().string() + ".tmp-" + std::to_string(rd()))).string();
    const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
                          privateMode ? 0600 : 0644);
    if (fd < 0)
        return makeError(ErrorCode::IoError,
                         "cannot create " + tmp + ": " + systemErrorText(errno));
    auto fail = [&](const char* what) {
        const int e = errno;
        ::close(fd);
        ::unlink(tmp.c_str());
        return makeError(ErrorCode::IoError,
                         std::string(what) + " " + path + ": " + systemErrorText(e));
    };
    if (auto written = detail::writeAll(fd, data); !written.ok()) {
        ::close(fd);
        ::unlink(tmp.c_str());
        return makeError(ErrorCode::IoError,
                         "cannot write " + path + ": " + written.error().detail);
    }
    if (::fsync(fd) != 0)
        return fail("cannot flush");
    if (::close(fd) != 0) {
        ::unlink(tmp.c_str());
        return makeError(ErrorCode::IoError, "cannot close " + tmp);
    }
    if (::rename(tmp.c_str(), path.c_str()) != 0) {
        const int e = errno;
        ::unlink(tmp.c_str());
        return makeError(ErrorCode::IoError,
                         "cannot replace " + path + ": " + systemErrorText(e));
    }
    detail::syncDirectory(dir);
    return {};
}

} // namespace twinseal::security
