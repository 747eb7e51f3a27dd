// Results of the home-network client: a value or a ClientError that names a stable reason code
// (the service's ErrorResponse code, or one of the client-side codes below) and says, for a
// person, what to do about it.
#pragma once

#include <cassert>
#include <functional>
#include <string>
#include <utility>
#include <variant>

namespace twinseal::core {

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
// registration and the log
inline constexpr const char* kManifestInvalid = "manifest-invalid";
inline constexpr const char* kKeyMismatch = "key-mismatch";
inline constexpr const char* kCredentialInvalid = "credential-invalid";
inline constexpr const char* kCredentialUntrusted = "credential-untrusted";
inline constexpr const char* kLogProofInvalid = "log-proof-invalid";
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

template <typename T> class [[nodiscard]] ClientResult {
public:
    ClientResult(T value) : m_v(std::in_place_index<0>, std::move(value)) {}
    ClientResult(ClientError error) : m_v(std::in_place_index<1>, std::move(error)) {}

    [[nodiscard]] bool ok() const noexcept { return m_v.index() == 0; }
    explicit operator bool() const noexcept { return ok(); }

    T& value() & {
        assert(ok());
        return std::get<0>(m_v);
    }
    const T& value() const& {
        assert(ok());
        return std::get<0>(m_v);
    }
    T&& value() && {
        assert(ok());
        return std::get<0>(std::move(m_v));
    }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }

    const ClientError& error() const {
        assert(!ok());
        return std::get<1>(m_v);
    }

private:
    std::variant<T, ClientError> m_v;
};

template <> class [[nodiscard]] ClientResult<void> {
public:
    ClientResult() = default;
    ClientResult(ClientError error) : m_error(std::move(error)), m_ok(false) {}

    [[nodiscard]] bool ok() const noexcept { return m_ok; }
    explicit operator bool() const noexcept { return m_ok; }
    const ClientError& error() const {
        assert(!m_ok);
        return m_error;
    }

private:
    ClientError m_error;
    bool m_ok = true;
};

using ClientStatus = ClientResult<void>;

// Completion callbacks: called exactly once, later (never from inside the call that started the
// operation), on the client's thread. Dropped if the client is destroyed first.
template <typename T> using ClientCallback = std::function<void(ClientResult<T>)>;

[[nodiscard]] inline ClientError clientError(std::string code, std::string message,
                                             int httpStatus = 0) {
    return ClientError{std::move(code), std::move(message), httpStatus};
}

} // namespace twinseal::core
