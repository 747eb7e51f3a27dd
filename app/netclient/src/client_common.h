// Pieces shared by the ServiceClient sources (private to app/netclient): request builders, deferred
// delivery, Protobuf calls, the common refusals and the verification of issued credentials and
// log inclusion answers.
#pragma once

#include <QByteArray>
#include <QObject>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <twinseal/security/manifest.h>
#include <twinseal/security/subscriber.h>
#include <twinseal/security/translog.h>

#include "transport.h"
#include "twinseal/netclient/client_error.h"
#include "twinseal/netclient/client_types.h"
#include "wire.h"

namespace twinseal::netclient::detail {

inline HttpRequest getRequest(QByteArray path, AuthKind auth = AuthKind::None,
                              QByteArray accept = kProtobufType) {
    HttpRequest r;
    r.method = "GET";
    r.path = std::move(path);
    r.accept = std::move(accept);
    r.auth = auth;
    return r;
}

inline HttpRequest postRequest(QByteArray path, QByteArray body, AuthKind auth = AuthKind::None) {
    HttpRequest r = getRequest(std::move(path), auth);
    r.method = "POST";
    r.body = std::move(body);
    return r;
}

// Delivers a result later on `context`'s thread.
template <typename T>
void deliverLater(QObject* context, ClientCallback<T> done, ClientResult<T> result) {
    auto holder = std::make_shared<ClientResult<T>>(std::move(result));
    Transport::post(context, [done = std::move(done), holder] { done(std::move(*holder)); });
}

// A call whose answer is the Protobuf message M, turned into T by `convert`.
template <typename M, typename T, typename Convert>
void callProto(Transport& transport, QObject* context, const HttpRequest& request, std::string what,
               ClientCallback<T> done, Convert convert) {
    transport.call(request, context,
                   [done = std::move(done), what = std::move(what),
                    convert = std::move(convert)](ClientResult<QByteArray> r) {
                       if (!r.ok()) {
                           done(r.error());
                           return;
                       }
                       M message;
                       if (!parseMessage(*r, message)) {
                           done(malformed(what));
                           return;
                       }
                       done(convert(message));
                   });
}

[[nodiscard]] ClientError profileError(const std::string& detail);
[[nodiscard]] ClientError credentialInvalid(const std::string& detail);
[[nodiscard]] ClientError logProofInvalid(const std::string& detail);
[[nodiscard]] ClientError treeHeadInvalid(const std::string& detail);
[[nodiscard]] ClientError notAuthenticated();

// A signed avatar manifest about to be sent with a request signed by `holderKey`: it parses
// (else manifest-invalid, "The avatar manifest is not valid (<why>)<redo>") and is signed by
// that key (else key-mismatch with `keyMismatch`).
[[nodiscard]] ClientResult<security::SignedManifest>
manifestToSend(const security::Bytes& signedManifest, const security::PublicKey& holderKey,
               const std::string& redo, const std::string& keyMismatch);

// What an issued credential must be: for this holder key and media, logged as an entry of this
// type (for this DT, when dtId is not empty).
struct IssuedExpectation {
    std::string what; // "the registration", ...
    security::PublicKey holderKey;
    security::Digest mediaRoot{};
    // The model and metadata the credential must certify (describeMedia of the manifest sent);
    // nothing: not checked.
    std::optional<security::MediaDescription> media;
    security::LogEntryType entryType = security::LogEntryType::Issuance;
    std::string dtId;
};

// Every check an issued credential must pass before the client reports success: it parses and
// chains to a root of the profile's trust list, is valid now, names the holder key, the media
// and the DT, every disclosure matches a commitment, and its log entry (of the expected type) is
// proven included in a tree head signed with the profile's log key at the credential's index.
[[nodiscard]] ClientResult<Registration>
verifyIssued(const std::string& credential, const std::vector<std::string>& disclosures,
             const proto::LogReceipt& receipt, const security::UsimProfileData& profile,
             const IssuedExpectation& expect, std::int64_t now);

// An inclusion answer turned into a verified receipt: the tree head verifies with `logKey` (and
// is for `treeSize` entries when that is given), the proof leads from the entry to its root.
[[nodiscard]] ClientResult<security::LogReceipt>
receiptFromInclusion(const proto::LogInclusionResponse& response, const security::PublicKey& logKey,
                     std::optional<std::uint64_t> treeSize);

} // namespace twinseal::netclient::detail
