// Revocation status list, in the spirit of draft-ietf-oauth-status-list: one bit per credential
// index (0 valid, 1 revoked), packed from the least significant bit of each byte (the draft's
// section 4.1 layout), issuer-signed as a `Signed` envelope "twinseal.status-list.v1".
//
// The byte array is carried uncompressed: zlib is not one of the project's dependencies and a
// list of a million credentials is 125 KiB. Only bits == 1 is produced or accepted.
#pragma once

#include <cstdint>
#include <mutex>
#include <string>

#include "twinseal/security/clock.h"
#include "twinseal/security/signed.h"
#include "twinseal/security/verify.h"

namespace twinseal::security {

inline constexpr const char* kStatusListType = "twinseal.status-list.v1";
// How far in the future a list's issued_at may be (clock skew between issuer and verifier).
inline constexpr std::int64_t kStatusListMaxClockSkew = 300;
// Upper bound on the number of statuses in one list (16 MiB of bits).
inline constexpr std::uint64_t kMaxStatusListSize = std::uint64_t{1} << 27;

struct StatusListInfo {
    std::string issuer;     // issuer's display name
    std::string uri;        // identifies the list; credentials name it in statusListUri
    std::uint64_t size = 0; // indices 0 .. size-1
    std::int64_t issuedAt = 0;
    std::int64_t expiresAt = 0; // refused at and after this time (StatusListExpired)
    std::uint64_t ttl = 0;      // caching hint: fetch a new list after issuedAt + ttl
    std::uint64_t sequence = 0; // grows with every publication
};

// A parsed and signature-verified status list. Obtain it from parseSignedStatusList.
class StatusList {
public:
    StatusList() = default;

    [[nodiscard]] const StatusListInfo& info() const noexcept { return m_info; }
    [[nodiscard]] const PublicKey& signer() const noexcept { return m_signer; }
    [[nodiscard]] const Bytes& encoded() const noexcept { return m_encoded; }
    // The uncompressed byte array (bit i of the list is bit i%8 of byte i/8).
    [[nodiscard]] const Bytes& bits() const noexcept { return m_bits; }

    // StatusIndexOutOfRange when index >= size.
    [[nodiscard]] Result<bool> isRevoked(std::uint64_t index) const;
    [[nodiscard]] std::uint64_t revokedCount() const noexcept;
    // StatusListExpired when now >= expiresAt, or when issuedAt is more than
    // kStatusListMaxClockSkew in the future.
    [[nodiscard]] Status checkFresh(std::int64_t now) const;
    // True once the ttl has elapsed (a new list should be fetched; this one is still usable
    // until it expires). Always false when ttl is 0.
    [[nodiscard]] bool refreshDue(std::int64_t now) const noexcept;

private:
    friend Result<StatusList> parseSignedStatusList(ByteView, const PublicKey&, std::int64_t);
    friend Result<StatusList> parseSignedStatusListAnyTime(ByteView, const PublicKey&);
    StatusListInfo m_info;
    Bytes m_bits;
    PublicKey m_signer;
    Bytes m_encoded;
};

// When and as what a list is published.
struct StatusListPublication {
    std::int64_t issuedAt = 0;
    std::int64_t expiresAt = 0; // must be after issuedAt
    std::uint64_t ttl = 0;
    std::uint64_t sequence = 0;
};

// The issuer side: the bit array and its signing.
class StatusListBuilder {
public:
    // A list of `size` valid (0) statuses. size is capped at kMaxStatusListSize.
    StatusListBuilder(std::string issuer, std::string uri, std::uint64_t size);
    // Continues from a published list (same issuer, uri and statuses).
    [[nodiscard]] static StatusListBuilder from(const StatusList& published);

    // StatusIndexOutOfRange when index >= size().
    [[nodiscard]] Status setRevoked(std::uint64_t index, bool revoked = true);
    [[nodiscard]] Result<bool> isRevoked(std::uint64_t index) const;
    // Grows the list (new indices valid); InvalidArgument when shrinking or over the cap.
    [[nodiscard]] Status resize(std::uint64_t newSize);

    [[nodiscard]] std::uint64_t size() const noexcept { return m_size; }
    [[nodiscard]] const std::string& uri() const noexcept { return m_uri; }
    [[nodiscard]] const Bytes& bits() const noexcept { return m_bits; }

    // The serialized body and its Signed envelope ("twinseal.status-list.v1").
    // InvalidArgument when expiresAt <= issuedAt.
    [[nodiscard]] Result<Bytes> sign(const SigningKey& issuerKey,
                                     const StatusListPublication& publication) const;

private:
    std::string m_issuer;
    std::string m_uri;
    std::uint64_t m_size = 0;
    Bytes m_bits;
};

// Parses a signed status list, verifies the issuer's signature and checks that it is fresh at
// `now`: MalformedInput / WrongObjectType / UnsupportedVersion / BadSignature / StatusListExpired.
[[nodiscard]] Result<StatusList> parseSignedStatusList(ByteView encoded, const PublicKey& issuerKey,
                                                       std::int64_t now);
[[nodiscard]] inline Result<StatusList>
parseSignedStatusList(ByteView encoded, const PublicKey& issuerKey, const Clock& clock) {
    return parseSignedStatusList(encoded, issuerKey, clock.now());
}
// The same without the freshness check (inspection, audit of old lists).
[[nodiscard]] Result<StatusList> parseSignedStatusListAnyTime(ByteView encoded,
                                                              const PublicKey& issuerKey);

// RevocationChecker for verifyPeer over one verified status list. check(credential, now):
//   the list has expired at now                               -> StatusListExpired
//   the credential names another list (statusListUri, if set)
//   or was issued by a key other than the list's signer       -> StatusListMismatch
//   statusListIndex is not in the list                        -> StatusIndexOutOfRange
//   the bit is set                                            -> CredentialRevoked
// Thread-safe: update() may run while calls are verified.
class StatusListRevocationChecker final : public RevocationChecker {
public:
    explicit StatusListRevocationChecker(StatusList list);

    [[nodiscard]] Status check(const Credential& credential, std::int64_t now) const override;

    // Replaces the list with a newer publication of the same list (same uri and signer):
    // StatusListMismatch for another list, or for different contents under the same sequence;
    // StatusListRollback when the sequence is lower than the current one's.
    [[nodiscard]] Status update(StatusList newer);
    [[nodiscard]] StatusList current() const;

private:
    mutable std::mutex m_mutex;
    StatusList m_list;
};

} // namespace twinseal::security
