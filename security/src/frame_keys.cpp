#include "twinseal/security/frame_keys.h"

#include <algorithm>

namespace twinseal::security {

namespace {

constexpr std::string_view kContextLabel = "twinseal frame-keys v1 context";
constexpr std::string_view kBaseSalt = "twinseal frame-keys v1 base";
constexpr std::string_view kWrapSalt = "twinseal frame-keys v1 wrap";
constexpr std::size_t kWrapNonceSize = 12;

void putBe(Bytes& out, std::uint64_t v, std::size_t n) {
    for (std::size_t i = n; i-- > 0;)
        out.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}

void append(Bytes& out, ByteView b) {
    out.insert(out.end(), b.begin(), b.end());
}

Result<SecureBytes> baseKeyFor(ByteView epochSecret, const Digest& context) {
    return hkdfSha256(epochSecret, view(kBaseSalt), context, kFrameBaseKeySize);
}

// The pairwise key wrapping `sender`'s epoch secret for `recipient`; `ownPrivate` is either's.
Result<SecureBytes> wrapKeyFor(ByteView ownPrivate, ByteView peerPublic, const Digest& context,
                               ByteView senderKey, ByteView recipientKey) {
    auto shared = x25519(ownPrivate, peerPublic);
    if (!shared)
        return shared.error();
    Bytes info(context.begin(), context.end());
    append(info, senderKey);
    append(info, recipientKey);
    return hkdfSha256(*shared, view(kWrapSalt), info, 32);
}

std::string hexPrefix(ByteView key) {
    return toHex(key.first(std::min<std::size_t>(4, key.size())));
}

} // namespace

std::string_view frameProtectionName(FrameProtection p) noexcept {
    switch (p) {
    case FrameProtection::Confidential:
        return "confidential";
    case FrameProtection::IntegrityOnly:
        return "integrity-only";
    }
    return "unknown";
}

CipherSuite cipherSuiteFor(FrameProtection p, bool preferCtrHmac) noexcept {
    if (p == FrameProtection::IntegrityOnly)
        return CipherSuite::IntegrityOnlyHmacSha256_128;
    return preferCtrHmac ? CipherSuite::Aes128CtrHmacSha256_80 : kDefaultCipherSuite;
}

FrameProtection frameProtectionOf(CipherSuite suite) noexcept {
    return cipherSuiteInfo(suite).encrypts ? FrameProtection::Confidential
                                           : FrameProtection::IntegrityOnly;
}

std::uint64_t frameKeyId(std::uint64_t epoch, std::uint16_t senderIndex) noexcept {
    return (epoch << 16) | senderIndex;
}

Result<Digest> frameKeyContext(const FrameKeyEpoch& e) {
    if (e.roomId.empty() || e.roomId.size() > 0xFFFF)
        return makeError(ErrorCode::InvalidArgument,
                         "frame keys: the room id must be 1..65535 bytes");
    if (e.epoch > kMaxFrameKeyEpoch)
        return makeError(ErrorCode::InvalidArgument, "frame keys: epoch above 2^48 - 1");
    if (e.senderKey.size() != kCallKeySize)
        return makeError(ErrorCode::InvalidArgument,
                         "frame keys: the sender's ephemeral key must be 32 bytes");
    if (e.members.size() > 0xFFFF)
        return makeError(ErrorCode::InvalidArgument, "frame keys: too many members");
    std::vector<Bytes> roster = e.members;
    std::sort(roster.begin(), roster.end());
    for (std::size_t i = 0; i < roster.size(); ++i) {
        if (roster[i].size() != kCallKeySize)
            return makeError(ErrorCode::InvalidArgument,
                             "frame keys: a member's ephemeral key is not 32 bytes");
        if (i > 0 && roster[i] == roster[i - 1])
            return makeError(ErrorCode::InvalidArgument,
                             "frame keys: the roster lists a key twice");
    }
    if (!std::binary_search(roster.begin(), roster.end(), e.senderKey))
        return makeError(ErrorCode::InvalidArgument, "frame keys: the sender is not in the roster");
    Bytes msg(kContextLabel.begin(), kContextLabel.end());
    putBe(msg, e.roomId.size(), 2);
    append(msg, view(e.roomId));
    putBe(msg, e.epoch, 8);
    putBe(msg, e.senderIndex, 2);
    putBe(msg, static_cast<std::uint16_t>(e.suite), 2);
    append(msg, e.senderKey);
    putBe(msg, roster.size(), 2);
    for (const auto& k : roster)
        append(msg, k);
    return sha256(msg);
}

Result<CallKeyPair> CallKeyPair::generate(Random& rng) {
    SecureBytes priv(kCallKeySize);
    TWINSEAL_TRY(rng.fill(priv.data(), priv.size()));
    return fromPrivateBytes(priv);
}

Result<CallKeyPair> CallKeyPair::fromPrivateBytes(ByteView privateKey) {
    auto pub = x25519PublicFromPrivate(privateKey);
    if (!pub)
        return pub.error();
    CallKeyPair k;
    k.m_private.assign(privateKey.begin(), privateKey.end());
    k.m_public = std::move(*pub);
    return k;
}

Result<SenderEpochKey> CallKeyPair::beginEpoch(const FrameKeyEpoch& epoch, Random& rng) const {
    if (epoch.senderKey != m_public)
        return makeError(ErrorCode::KeyMismatch,
                         "frame keys: the epoch names another sender key than this key pair's");
    auto context = frameKeyContext(epoch);
    if (!context)
        return context.error();
    SecureBytes secret(kEpochSecretSize);
    TWINSEAL_TRY(rng.fill(secret.data(), secret.size()));

    SenderEpochKey out;
    out.kid = frameKeyId(epoch.epoch, epoch.senderIndex);
    auto base = baseKeyFor(secret, *context);
    if (!base)
        return base.error();
    out.baseKey = std::move(*base);
    out.bundle.epoch = epoch;
    for (const Bytes& member : epoch.members) {
        if (member == m_public)
            continue;
        auto wrapKey = wrapKeyFor(m_private, member, *context, m_public, member);
        if (!wrapKey)
            return makeError(wrapKey.error().code, "frame keys: cannot agree a key with member " +
                                                       hexPrefix(member) +
                                                       "…: " + wrapKey.error().detail);
        auto nonce = rng.bytes(kWrapNonceSize);
        if (!nonce)
            return nonce.error();
        auto sealed = aeadSeal(Aead::Aes256Gcm, *wrapKey, *nonce, *context, secret);
        if (!sealed)
            return sealed.error();
        out.bundle.wrapped.push_back({member, std::move(*nonce), std::move(*sealed)});
    }
    return out;
}

Result<ReceivedEpochKey> CallKeyPair::openEpochBundle(const FrameKeyEpoch& expected,
                                                      const EpochKeyBundle& bundle) const {
    auto context = frameKeyContext(expected);
    if (!context)
        return context.error();
    auto claimed = frameKeyContext(bundle.epoch);
    if (!claimed || *claimed != *context)
        return makeError(ErrorCode::FrameKeyContextMismatch,
                         "frame keys: the bundle is for another room, epoch, suite, sender or "
                         "roster than the one this participant expects (epoch " +
                             std::to_string(expected.epoch) + " of room " + expected.roomId + ")");
    const auto& roster = expected.members;
    if (expected.senderKey == m_public ||
        std::find(roster.begin(), roster.end(), m_public) == roster.end())
        return makeError(ErrorCode::FrameKeyNotAddressed,
                         "frame keys: this participant is not a recipient in epoch " +
                             std::to_string(expected.epoch) + " (not in its roster)");
    const auto wrap =
        std::find_if(bundle.wrapped.begin(), bundle.wrapped.end(),
                     [&](const WrappedEpochSecret& w) { return w.recipientKey == m_public; });
    if (wrap == bundle.wrapped.end())
        return makeError(ErrorCode::FrameKeyNotAddressed,
                         "frame keys: the sender's bundle for epoch " +
                             std::to_string(expected.epoch) + " holds no key for this participant");
    auto wrapKey =
        wrapKeyFor(m_private, expected.senderKey, *context, expected.senderKey, m_public);
    if (!wrapKey)
        return wrapKey.error();
    auto secret = aeadOpen(Aead::Aes256Gcm, *wrapKey, wrap->nonce, *context, wrap->ciphertext);
    if (!secret || secret->size() != kEpochSecretSize)
        return makeError(ErrorCode::FrameKeyUnwrapFailed,
                         "frame keys: the epoch key wrapped for this participant does not open "
                         "(altered in transit, or not sealed by the sender for this key)");
    auto base = baseKeyFor(*secret, *context);
    if (!base)
        return base.error();
    return ReceivedEpochKey{frameKeyId(expected.epoch, expected.senderIndex), std::move(*base)};
}

} // namespace twinseal::security
