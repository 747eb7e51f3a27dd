// Results of the home-network client: a value or a ClientError that names a stable reason code
// (the service's ErrorResponse code, or one of the client-side codes below) and says, for a
// person, what to do about it.
#pragma once

#include <functional>
#include <string>
#include <utility>

#include <twinseal/security/expected.h>

namespace twinseal::netclient {

struct ClientError {
    std::string code;    // stable reason code, e.g. "duplicate-dt" or "service-unreachable"
    std::string message; // what a person can do about it
    int httpStatus = 0;  // the HTTP status when the service answered; 0 when it did not

    // "<code>: <message>", with " (HTTP <status>)" when the service answered.
    [[nodiscard]] std::string describe() const;
};

// Client-side reason codes. The service's own codes (from its ErrorResponse bodies) are passed
// through unchanged; where a failure is the same as one of the security library's reasons the
// same name is used (e.g. "media-mismatch", "consistency-proof-invalid").
namespace reason {
// transport
inline constexpr const char* kServiceUnreachable = "service-unreachable"; // no connection
inline constexpr const char* kTlsError = "tls-error";         // handshake or certificate failed
inline constexpr const char* kTimeout = "timeout";            // no progress within the timeout
inline constexpr const char* kCancelled = "cancelled";        // cancelled by the caller
inline constexpr const char* kServiceError = "service-error"; // HTTP error without a reason code
inline constexpr const char* kResponseMalformed = "response-malformed";
inline constexpr const char* kResponseTooLarge = "response-too-large";
// subscriber authentication
inline constexpr const char* kNotAuthenticated = "not-authenticated";
inline constexpr const char* kAuthInProgress = "auth-in-progress";
inline constexpr const char* kServingNetworkMismatch = "serving-network-mismatch";
inline constexpr const char* kAkaMacFailure =
    "aka-mac-failure"; // the network failed to prove itself
inline constexpr const char* kAkaSyncFailure = "aka-sync-failure"; // SQN still stale after resync
inline constexpr const char* kAkaNon5g = "aka-non-5g-authentication";
inline constexpr const char* kAkaFailed = "aka-failed"; // any other AKA failure
inline constexpr const char* kAkmaMismatch = "akma-mismatch";
inline constexpr const char* kProfileSaveFailed = "profile-save-failed";
// the profile's K and OPc are sealed under the owner's passphrase and not yet unlocked
inline constexpr const char* kProfileLocked = "profile-locked";
// registration and the log
inline constexpr const char* kManifestInvalid = "manifest-invalid";
inline constexpr const char* kKeyMismatch = "key-mismatch";
inline constexpr const char* kCredentialInvalid = "credential-invalid";
inline constexpr const char* kCredentialUntrusted = "credential-untrusted";
inline constexpr const char* kLogProofInvalid = "log-proof-invalid";
// a transfer in a DT's history whose offer is not signed by the transferred credential's holder
inline constexpr const char* kTransferSignerMismatch = "transfer-signer-mismatch";
inline constexpr const char* kTreeHeadInvalid = "tree-head-invalid";
inline constexpr const char* kConsistencyProofInvalid = "consistency-proof-invalid";
inline constexpr const char* kStatusListInvalid = "status-list-invalid";
// an older publication than one already seen, or two lists under one sequence
inline constexpr const char* kStatusListRollback = "status-list-rollback";
inline constexpr const char* kStatusListMismatch = "status-list-mismatch";
// avatar repository
inline constexpr const char* kMediaMismatch = "media-mismatch";
inline constexpr const char* kUploadIncomplete = "upload-incomplete";
inline constexpr const char* kAvatarIncomplete = "avatar-incomplete";
inline constexpr const char* kUnsafePath = "unsafe-path";
inline constexpr const char* kIoError = "io-error";
// caller mistakes and bugs
inline constexpr const char* kInvalidArgument = "invalid-argument";
inline constexpr const char* kInternal = "internal-error";
} // namespace reason

// A value or a ClientError (twinseal::Expected; code() is the reason code, empty when ok).
template <typename T> using ClientResult = Expected<T, ClientError>;
using ClientStatus = ClientResult<void>;

// Completion callbacks: called exactly once, later (never from inside the call that started the
// operation), on the client's thread. Dropped if the client is destroyed first.
template <typename T> using ClientCallback = std::function<void(ClientResult<T>)>;

[[nodiscard]] inline ClientError clientError(std::string code, std::string message,
                                             int httpStatus = 0) {
    return ClientError{std::move(code), std::move(message), httpStatus};
}

} // namespace twinseal::netclient
