#include "twinseal/security/sframe.h"

#include <array>
#include <cstring>
#include <string>
#include <unordered_map>

#include "sframe_cipher.h"

namespace twinseal::security {

namespace {

using Nonce = std::array<std::uint8_t, 12>;

Nonce nonceFor(const SecureBytes& salt, std::uint64_t ctr) {
    Nonce n;
    std::memcpy(n.data(), salt.data(), n.size());
    std::uint8_t be[8];
    for (int i = 7; i >= 0; --i, ctr >>= 8)
        be[i] = static_cast<std::uint8_t>(ctr);
    for (std::size_t i = 0; i < 8; ++i)
        n[4 + i] ^= be[i];
    return n;
}

// Writes header || AEAD(payload) into `frame`.
Status sealFrame(detail::SFrameCipher& cipher, const SecureBytes& salt, const SFrameHeader& header,
                 ByteView metadata, ByteView plaintext, Bytes& frame) {
    frame.clear();
    const std::size_t headerSize = appendSFrameHeader(header, frame);
    frame.resize(headerSize + plaintext.size() + cipher.info().nt);
    const Nonce nonce = nonceFor(salt, header.ctr);
    return cipher.seal(nonce, ByteView(frame.data(), headerSize), metadata, plaintext,
                       frame.data() + headerSize);
}

Status openFrame(detail::SFrameCipher& cipher, const SecureBytes& salt,
                 const DecodedSFrameHeader& decoded, ByteView frame, ByteView metadata,
                 Bytes& plaintext) {
    const ByteView body = frame.subspan(decoded.size);
    if (body.size() < cipher.info().nt)
        return makeError(ErrorCode::SFrameMalformed,
                         "SFrame: the frame is shorter than its header and " +
                             std::to_string(cipher.info().nt) + "-byte tag");
    plaintext.resize(body.size() - cipher.info().nt);
    const Nonce nonce = nonceFor(salt, decoded.header.ctr);
    Status s = cipher.open(nonce, frame.first(decoded.size), metadata, body, plaintext.data());
    if (!s)
        plaintext.clear();
    return s;
}

Error unknownKid(std::string_view role, std::uint64_t kid) {
    return makeError(ErrorCode::SFrameUnknownKeyId, "SFrame: no " + std::string(role) +
                                                        " key for KID " + std::to_string(kid) +
                                                        " (not keyed yet, or removed at a re-key)");
}

} // namespace

Result<Bytes> sframeEncrypt(CipherSuite suite, const SFrameKeyMaterial& keys,
                            const SFrameHeader& header, ByteView metadata, ByteView plaintext) {
    auto cipher = detail::SFrameCipher::create(suite, keys.key);
    if (!cipher)
        return cipher.error();
    if (keys.salt.size() != cipher->info().nn)
        return makeError(ErrorCode::InvalidArgument, "SFrame: the salt must be 12 bytes");
    Bytes frame;
    TWINSEAL_TRY(sealFrame(*cipher, keys.salt, header, metadata, plaintext, frame));
    return frame;
}

Result<SFrameDecrypted> sframeDecrypt(CipherSuite suite, const SFrameKeyMaterial& keys,
                                      ByteView frame, ByteView metadata) {
    auto cipher = detail::SFrameCipher::create(suite, keys.key);
    if (!cipher)
        return cipher.error();
    if (keys.salt.size() != cipher->info().nn)
        return makeError(ErrorCode::InvalidArgument, "SFrame: the salt must be 12 bytes");
    auto decoded = decodeSFrameHeader(frame);
    if (!decoded)
        return decoded.error();
    SFrameDecrypted out;
    out.header = decoded->header;
    TWINSEAL_TRY(openFrame(*cipher, keys.salt, *decoded, frame, metadata, out.plaintext));
    return out;
}

// ---- SFrameContext ------------------------------------------------------------------------------

namespace {

struct SendKey {
    detail::SFrameCipher cipher;
    SecureBytes salt;
    std::uint64_t next = 0;
    bool exhausted = false;
};

struct ReceiveKey {
    detail::SFrameCipher cipher;
    SecureBytes salt;
    SFrameReplayWindow window;
};

} // namespace

struct SFrameContext::Impl {
    CipherSuite suite;
    SFrameOptions options;
    std::unordered_map<std::uint64_t, SendKey> send;
    std::unordered_map<std::uint64_t, ReceiveKey> receive;

    struct Keyed {
        detail::SFrameCipher cipher;
        SecureBytes salt;
    };
    Result<Keyed> derive(std::uint64_t kid, ByteView baseKey) const {
        auto material = deriveSFrameKeys(suite, kid, baseKey);
        if (!material)
            return material.error();
        auto cipher = detail::SFrameCipher::create(suite, material->key);
        if (!cipher)
            return cipher.error();
        return Keyed{std::move(*cipher), std::move(material->salt)};
    }
};

SFrameContext::SFrameContext(CipherSuite suite, SFrameOptions options)
    : m_impl(std::make_unique<Impl>()) {
    m_impl->suite = suite;
    m_impl->options = options;
}

SFrameContext::~SFrameContext() = default;
SFrameContext::SFrameContext(SFrameContext&&) noexcept = default;
SFrameContext& SFrameContext::operator=(SFrameContext&&) noexcept = default;

CipherSuite SFrameContext::suite() const noexcept {
    return m_impl->suite;
}

bool SFrameContext::encrypts() const noexcept {
    return cipherSuiteInfo(m_impl->suite).encrypts;
}

Status SFrameContext::addSendKey(std::uint64_t kid, ByteView baseKey) {
    if (m_impl->send.count(kid))
        return makeError(ErrorCode::InvalidArgument,
                         "SFrame: KID " + std::to_string(kid) +
                             " already has a send key; a new key needs a new KID");
    auto keyed = m_impl->derive(kid, baseKey);
    if (!keyed)
        return keyed.error();
    m_impl->send.emplace(kid, SendKey{std::move(keyed->cipher), std::move(keyed->salt), 0, false});
    return {};
}

bool SFrameContext::removeSendKey(std::uint64_t kid) {
    return m_impl->send.erase(kid) > 0;
}

Status SFrameContext::addReceiveKey(std::uint64_t kid, ByteView baseKey) {
    if (m_impl->receive.count(kid))
        return makeError(ErrorCode::InvalidArgument,
                         "SFrame: KID " + std::to_string(kid) + " already has a receive key");
    auto keyed = m_impl->derive(kid, baseKey);
    if (!keyed)
        return keyed.error();
    m_impl->receive.emplace(kid, ReceiveKey{std::move(keyed->cipher), std::move(keyed->salt),
                                            SFrameReplayWindow(m_impl->options.replayWindow)});
    return {};
}

bool SFrameContext::removeReceiveKey(std::uint64_t kid) {
    return m_impl->receive.erase(kid) > 0;
}

bool SFrameContext::hasReceiveKey(std::uint64_t kid) const {
    return m_impl->receive.count(kid) > 0;
}

Result<std::uint64_t> SFrameContext::nextCounter(std::uint64_t kid) const {
    const auto it = m_impl->send.find(kid);
    if (it == m_impl->send.end())
        return unknownKid("send", kid);
    return it->second.next;
}

Result<Bytes> SFrameContext::protect(std::uint64_t kid, ByteView metadata, ByteView plaintext) {
    Bytes frame;
    TWINSEAL_TRY(protectInto(kid, metadata, plaintext, frame));
    return frame;
}

Status SFrameContext::protectInto(std::uint64_t kid, ByteView metadata, ByteView plaintext,
                                  Bytes& frame) {
    const auto it = m_impl->send.find(kid);
    if (it == m_impl->send.end())
        return unknownKid("send", kid);
    SendKey& key = it->second;
    if (key.exhausted || key.next > m_impl->options.maxCounter)
        return makeError(ErrorCode::SFrameCounterExhausted,
                         "SFrame: the send key for KID " + std::to_string(kid) +
                             " has used all its counters; re-key before sending more frames");
    TWINSEAL_TRY(
        sealFrame(key.cipher, key.salt, SFrameHeader{kid, key.next}, metadata, plaintext, frame));
    // The counter advances only after a sealed frame left; it never wraps.
    if (key.next == std::numeric_limits<std::uint64_t>::max())
        key.exhausted = true;
    else
        ++key.next;
    return {};
}

Result<Bytes> SFrameContext::unprotect(ByteView frame, ByteView metadata) {
    Bytes plaintext;
    auto header = unprotectInto(frame, metadata, plaintext);
    if (!header)
        return header.error();
    return plaintext;
}

Result<SFrameHeader> SFrameContext::unprotectInto(ByteView frame, ByteView metadata,
                                                  Bytes& plaintext) {
    auto decoded = decodeSFrameHeader(frame);
    if (!decoded)
        return decoded.error();
    const auto it = m_impl->receive.find(decoded->header.kid);
    if (it == m_impl->receive.end())
        return unknownKid("receive", decoded->header.kid);
    ReceiveKey& key = it->second;
    TWINSEAL_TRY(key.window.check(decoded->header.ctr));
    TWINSEAL_TRY(openFrame(key.cipher, key.salt, *decoded, frame, metadata, plaintext));
    key.window.accept(decoded->header.ctr);
    return decoded->header;
}

} // namespace twinseal::security
