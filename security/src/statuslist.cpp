// Revocation status list: builder, signed encoding, verification, and the RevocationChecker.
#include "twinseal/security/statuslist.h"

#include <bit>
#include <climits>

#include "twinseal/proto/twinseal.pb.h"
#include "twinseal/proto/codec.h"

namespace twinseal::security {

namespace {

constexpr std::uint32_t kVersion = 1;
constexpr std::uint32_t kBitsPerStatus = 1;

std::size_t byteCount(std::uint64_t size) {
    return static_cast<std::size_t>((size + 7) / 8);
}

bool bitAt(const Bytes& bits, std::uint64_t index) {
    return ((bits[static_cast<std::size_t>(index / 8)] >> (index % 8)) & 1u) != 0;
}

Error outOfRange(std::uint64_t index, std::uint64_t size) {
    return makeError(ErrorCode::StatusIndexOutOfRange, "status index " + std::to_string(index) +
                                                           " is not in a list of " +
                                                           std::to_string(size));
}

Result<StatusList> malformed(std::string why) {
    return makeError(ErrorCode::MalformedInput, "status list: " + std::move(why));
}

} // namespace

// ---- StatusList -------------------------------------------------------------------------------

Result<bool> StatusList::isRevoked(std::uint64_t index) const {
    if (index >= m_info.size)
        return outOfRange(index, m_info.size);
    return bitAt(m_bits, index);
}

std::uint64_t StatusList::revokedCount() const noexcept {
    std::uint64_t n = 0;
    for (std::uint8_t b : m_bits)
        n += static_cast<std::uint64_t>(std::popcount(b));
    return n;
}

Status StatusList::checkFresh(std::int64_t now) const {
    if (now >= m_info.expiresAt)
        return makeError(ErrorCode::StatusListExpired,
                         "the status list " + m_info.uri + " expired at " +
                             std::to_string(m_info.expiresAt) + " (now " + std::to_string(now) +
                             "): fetch a new one");
    if (m_info.issuedAt > now && m_info.issuedAt - now > kStatusListMaxClockSkew)
        return makeError(ErrorCode::StatusListExpired,
                         "the status list " + m_info.uri + " is issued in the future (" +
                             std::to_string(m_info.issuedAt) + ", now " + std::to_string(now) +
                             "): check the clock");
    return {};
}

bool StatusList::refreshDue(std::int64_t now) const noexcept {
    if (m_info.ttl == 0)
        return false;
    // Compare without overflowing: now - issuedAt >= ttl.
    if (now <= m_info.issuedAt)
        return false;
    return static_cast<std::uint64_t>(now - m_info.issuedAt) >= m_info.ttl;
}

// ---- StatusListBuilder ------------------------------------------------------------------------

StatusListBuilder::StatusListBuilder(std::string issuer, std::string uri, std::uint64_t size)
    : m_issuer(std::move(issuer)), m_uri(std::move(uri)),
      m_size(size > kMaxStatusListSize ? kMaxStatusListSize : size), m_bits(byteCount(m_size), 0) {}

StatusListBuilder StatusListBuilder::from(const StatusList& published) {
    StatusListBuilder b(published.info().issuer, published.info().uri, published.info().size);
    b.m_bits = published.bits();
    return b;
}

Status StatusListBuilder::setRevoked(std::uint64_t index, bool revoked) {
    if (index >= m_size)
        return outOfRange(index, m_size);
    auto& byte = m_bits[static_cast<std::size_t>(index / 8)];
    const auto mask = static_cast<std::uint8_t>(1u << (index % 8));
    byte =
        revoked ? static_cast<std::uint8_t>(byte | mask) : static_cast<std::uint8_t>(byte & ~mask);
    return {};
}

Result<bool> StatusListBuilder::isRevoked(std::uint64_t index) const {
    if (index >= m_size)
        return outOfRange(index, m_size);
    return bitAt(m_bits, index);
}

Status StatusListBuilder::resize(std::uint64_t newSize) {
    if (newSize < m_size)
        return makeError(ErrorCode::InvalidArgument, "a status list only grows (" +
                                                         std::to_string(m_size) + " -> " +
                                                         std::to_string(newSize) + ")");
    if (newSize > kMaxStatusListSize)
        return makeError(ErrorCode::InvalidArgument, "a status list holds at most " +
                                                         std::to_string(kMaxStatusListSize) +
                                                         " statuses");
    m_size = newSize;
    m_bits.resize(byteCount(newSize), 0);
    return {};
}

Result<Bytes> StatusListBuilder::sign(const SigningKey& issuerKey,
                                      const StatusListPublication& publication) const {
    if (publication.expiresAt <= publication.issuedAt)
        return makeError(ErrorCode::InvalidArgument,
                         "a status list must expire after it is issued");
    proto::StatusList s;
    s.set_version(kVersion);
    s.set_issuer(m_issuer);
    s.set_uri(m_uri);
    s.set_bits(kBitsPerStatus);
    s.set_size(m_size);
    s.set_lst(m_bits.data(), m_bits.size());
    s.set_issued_at(publication.issuedAt);
    s.set_expires_at(publication.expiresAt);
    s.set_ttl(publication.ttl);
    s.set_sequence(publication.sequence);
    return signEnvelope(kStatusListType, serialize(s), issuerKey);
}

// ---- parsing --------------------------------------------------------------------------------

Result<StatusList> parseSignedStatusListAnyTime(ByteView encoded, const PublicKey& issuerKey) {
    auto env = parseEnvelope(encoded, kStatusListType);
    TWINSEAL_TRY(env);
    TWINSEAL_TRY(verifyEnvelope(*env, issuerKey));
    proto::StatusList s;
    if (env->body.size() > static_cast<std::size_t>(INT_MAX) ||
        !parseMessage(env->body, s))
        return malformed("the body does not parse");
    if (s.version() != kVersion)
        return makeError(ErrorCode::UnsupportedVersion, "status list version " +
                                                            std::to_string(s.version()) +
                                                            " is not supported");
    if (s.bits() != kBitsPerStatus)
        return malformed(std::to_string(s.bits()) + " bits per status are not supported");
    if (s.size() > kMaxStatusListSize)
        return malformed("more than " + std::to_string(kMaxStatusListSize) + " statuses");
    if (s.lst().size() != byteCount(s.size()))
        return malformed(std::to_string(s.lst().size()) + " bytes cannot hold exactly " +
                         std::to_string(s.size()) + " statuses");
    if (s.size() % 8 != 0) {
        // Bits past the end must be zero, so one list has one encoding.
        const auto last = static_cast<std::uint8_t>(s.lst().back());
        if ((last >> (s.size() % 8)) != 0)
            return malformed("bits set past the end of the list");
    }
    if (s.expires_at() <= s.issued_at())
        return malformed("it expires before it is issued");

    StatusList out;
    out.m_info = StatusListInfo{s.issuer(),     s.uri(), s.size(),    s.issued_at(),
                                s.expires_at(), s.ttl(), s.sequence()};
    out.m_bits = toBytes(s.lst());
    out.m_signer = issuerKey;
    out.m_encoded.assign(encoded.begin(), encoded.end());
    return out;
}

Result<StatusList> parseSignedStatusList(ByteView encoded, const PublicKey& issuerKey,
                                         std::int64_t now) {
    auto list = parseSignedStatusListAnyTime(encoded, issuerKey);
    TWINSEAL_TRY(list);
    TWINSEAL_TRY(list->checkFresh(now));
    return list;
}

// ---- StatusListRevocationChecker --------------------------------------------------------------

StatusListRevocationChecker::StatusListRevocationChecker(StatusList list)
    : m_list(std::move(list)) {}

Status StatusListRevocationChecker::check(const Credential& credential, std::int64_t now) const {
    std::lock_guard lock(m_mutex);
    const auto& info = m_list.info();
    TWINSEAL_TRY(m_list.checkFresh(now));

    const auto& claims = credential.claims;
    if (!claims.statusListUri.empty() && claims.statusListUri != info.uri)
        return makeError(ErrorCode::StatusListMismatch, "the credential's status is in " +
                                                            claims.statusListUri +
                                                            ", this list is " + info.uri);
    // Only the issuer of a credential can speak for its status.
    if (credential.issuerChain.empty())
        return makeError(ErrorCode::StatusListMismatch, "the credential names no issuer");
    auto issuerKey = credential.issuerChain.front().publicKey();
    if (!issuerKey.ok() || !(*issuerKey == m_list.signer()))
        return makeError(ErrorCode::StatusListMismatch,
                         "the status list " + info.uri +
                             " is signed by a key other than the credential's issuer");

    auto revoked = m_list.isRevoked(claims.statusListIndex);
    TWINSEAL_TRY(revoked);
    if (*revoked)
        return makeError(ErrorCode::CredentialRevoked,
                         "status index " + std::to_string(claims.statusListIndex) + " of " +
                             info.uri + " (sequence " + std::to_string(info.sequence) +
                             ") is set: the credential is revoked");
    return {};
}

Status StatusListRevocationChecker::update(StatusList newer) {
    std::lock_guard lock(m_mutex);
    const auto& cur = m_list.info();
    const auto& next = newer.info();
    if (next.uri != cur.uri || !(newer.signer() == m_list.signer()))
        return makeError(ErrorCode::StatusListMismatch, "the new list (" + next.uri +
                                                            ") is not a publication of " + cur.uri +
                                                            " by the same issuer");
    if (next.sequence < cur.sequence)
        return makeError(ErrorCode::StatusListRollback,
                         "sequence " + std::to_string(next.sequence) + " of " + next.uri +
                             " is older than sequence " + std::to_string(cur.sequence));
    if (next.sequence == cur.sequence &&
        (newer.bits() != m_list.bits() || next.size != cur.size || next.issuedAt != cur.issuedAt ||
         next.expiresAt != cur.expiresAt))
        return makeError(ErrorCode::StatusListMismatch,
                         "two different lists published as sequence " +
                             std::to_string(next.sequence) + " of " + next.uri);
    m_list = std::move(newer);
    return {};
}

StatusList StatusListRevocationChecker::current() const {
    std::lock_guard lock(m_mutex);
    return m_list;
}

} // namespace twinseal::security
