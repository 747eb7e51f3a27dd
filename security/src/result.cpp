#include "twinseal/security/result.h"

#include <openssl/err.h>

namespace twinseal::security {

std::string_view errorCodeName(ErrorCode code) noexcept {
    switch (code) {
    case ErrorCode::Ok: return "ok";
    case ErrorCode::InvalidArgument: return "invalid-argument";
    case ErrorCode::Internal: return "internal-error";
    case ErrorCode::CryptoFailure: return "crypto-failure";
    case ErrorCode::IoError: return "io-error";
    case ErrorCode::MalformedInput: return "malformed-input";
    case ErrorCode::UnsupportedVersion: return "unsupported-version";
    case ErrorCode::UnsupportedAlgorithm: return "unsupported-algorithm";
    case ErrorCode::WrongObjectType: return "wrong-object-type";
    case ErrorCode::WrongPassphrase: return "wrong-passphrase";
    case ErrorCode::KeyFileCorrupt: return "key-file-corrupt";
    case ErrorCode::BadSignature: return "bad-signature";
    case ErrorCode::KeyMismatch: return "key-mismatch";
    case ErrorCode::UntrustedIssuer: return "untrusted-issuer";
    case ErrorCode::CertificateInvalid: return "certificate-invalid";
    case ErrorCode::CredentialExpired: return "credential-expired";
    case ErrorCode::CredentialNotYetValid: return "credential-not-yet-valid";
    case ErrorCode::CredentialRevoked: return "credential-revoked";
    case ErrorCode::AssertionMalformed: return "assertion-malformed";
    case ErrorCode::AssertionStale: return "assertion-stale";
    case ErrorCode::AssertionReplayed: return "assertion-replayed";
    case ErrorCode::WrongDestination: return "wrong-destination";
    case ErrorCode::CredentialDigestMismatch: return "credential-digest-mismatch";
    case ErrorCode::MediaMismatch: return "media-mismatch";
    case ErrorCode::MediaMissingFile: return "media-missing-file";
    case ErrorCode::MediaUnexpectedFile: return "media-unexpected-file";
    case ErrorCode::MediaSizeMismatch: return "media-size-mismatch";
    case ErrorCode::MediaRootMismatch: return "media-root-mismatch";
    case ErrorCode::AvatarPackageInvalid: return "avatar-package-invalid";
    case ErrorCode::PinnedKeyChanged: return "pinned-key-changed";
    case ErrorCode::DisclosureMismatch: return "disclosure-mismatch";
    case ErrorCode::InclusionProofMissing: return "inclusion-proof-missing";
    case ErrorCode::InclusionProofInvalid: return "inclusion-proof-invalid";
    case ErrorCode::ThirdPartyCredentialInvalid: return "third-party-credential-invalid";
    case ErrorCode::AkaMacFailure: return "aka-mac-failure";
    case ErrorCode::AkaSyncFailure: return "aka-sync-failure";
    case ErrorCode::AkaResMismatch: return "aka-res-mismatch";
    case ErrorCode::AkaNon5gAuthentication: return "aka-non-5g-authentication";
    case ErrorCode::SuciInvalid: return "suci-invalid";
    case ErrorCode::SuciMacFailure: return "suci-mac-failure";
    case ErrorCode::ConsistencyProofInvalid: return "consistency-proof-invalid";
    case ErrorCode::StatusListExpired: return "status-list-expired";
    case ErrorCode::StatusListMismatch: return "status-list-mismatch";
    case ErrorCode::StatusIndexOutOfRange: return "status-index-out-of-range";
    case ErrorCode::StatusListRollback: return "status-list-rollback";
    case ErrorCode::RequestAuthInvalid: return "request-auth-invalid";
    case ErrorCode::RequestAuthStale: return "request-auth-stale";
    case ErrorCode::UsimProfileInvalid: return "usim-profile-invalid";
    case ErrorCode::OfferExpired: return "offer-expired";
    case ErrorCode::TransferSignerMismatch: return "transfer-signer-mismatch";
    case ErrorCode::AuditEntryModified: return "audit-entry-modified";
    case ErrorCode::AuditEntryMissing: return "audit-entry-missing";
    case ErrorCode::AuditEntriesReordered: return "audit-entries-reordered";
    case ErrorCode::AuditCheckpointInvalid: return "audit-checkpoint-invalid";
    case ErrorCode::AuditCheckpointMismatch: return "audit-checkpoint-mismatch";
    case ErrorCode::AuditLogTruncated: return "audit-log-truncated";
    case ErrorCode::AuditLogIdMismatch: return "audit-log-id-mismatch";
    case ErrorCode::AuditRecordCorrupt: return "audit-record-corrupt";
    case ErrorCode::SFrameMalformed: return "sframe-malformed";
    case ErrorCode::SFrameUnknownKeyId: return "sframe-unknown-key-id";
    case ErrorCode::SFrameAuthenticationFailed: return "sframe-authentication-failed";
    case ErrorCode::SFrameReplayed: return "sframe-replayed";
    case ErrorCode::SFrameTooOld: return "sframe-too-old";
    case ErrorCode::SFrameCounterExhausted: return "sframe-counter-exhausted";
    case ErrorCode::FrameKeyNotAddressed: return "frame-key-not-addressed";
    case ErrorCode::FrameKeyUnwrapFailed: return "frame-key-unwrap-failed";
    case ErrorCode::FrameKeyContextMismatch: return "frame-key-context-mismatch";
    case ErrorCode::RoleMissing: return "role-missing";
    case ErrorCode::RoleUntrustedIssuer: return "role-untrusted-issuer";
    case ErrorCode::RoleHolderMismatch: return "role-holder-mismatch";
    case ErrorCode::RoleExpired: return "role-expired";
    case ErrorCode::RoleNotYetValid: return "role-not-yet-valid";
    case ErrorCode::SignatureHighS: return "signature-high-s";
    case ErrorCode::GltfSchemaViolation: return "gltf-schema-violation";
    case ErrorCode::GltfResourceMissing: return "gltf-resource-missing";
    case ErrorCode::GltfUriNotInPackage: return "gltf-uri-not-in-package";
    case ErrorCode::GltfAccessorOutOfBounds: return "gltf-accessor-out-of-bounds";
    case ErrorCode::GltfIndexOutOfRange: return "gltf-index-out-of-range";
    case ErrorCode::GltfNodeGraphInvalid: return "gltf-node-graph-invalid";
    case ErrorCode::GltfLimitExceeded: return "gltf-limit-exceeded";
    case ErrorCode::MediaDescriptionMismatch: return "media-description-mismatch";
    case ErrorCode::MediaDescriptionMissing: return "media-description-missing";
    case ErrorCode::LogFork: return "log-fork";
    case ErrorCode::LogHeadStoreCorrupt: return "log-head-store-corrupt";
    case ErrorCode::DisclosureNotLogged: return "disclosure-not-logged";
    case ErrorCode::DisclosureCommitmentMismatch: return "disclosure-commitment-mismatch";
    case ErrorCode::DisclosureProofInvalid: return "disclosure-proof-invalid";
    case ErrorCode::AuditAnchorMissing: return "audit-anchor-missing";
    case ErrorCode::AuditAnchorInvalid: return "audit-anchor-invalid";
    case ErrorCode::AuditKeyMissing: return "audit-key-missing";
    case ErrorCode::AuditKeyReplaced: return "audit-key-replaced";
    case ErrorCode::AuditLogReplaced: return "audit-log-replaced";
    case ErrorCode::AuditLogRolledBack: return "audit-log-rolled-back";
    case ErrorCode::NotABackup: return "not-a-backup";
    case ErrorCode::BackupTruncated: return "backup-truncated";
    case ErrorCode::BackupCorrupted: return "backup-corrupted";
    case ErrorCode::RestoreTargetNotEmpty: return "restore-target-not-empty";
    }
    return "unknown-error";
}

std::string Error::message() const {
    std::string m(errorCodeName(code));
    if (!detail.empty()) {
        m += ": ";
        m += detail;
    }
    return m;
}

Error opensslError(ErrorCode code, std::string_view what) {
    std::string detail(what);
    bool first = true;
    while (unsigned long e = ERR_get_error()) {
        char buf[256];
        ERR_error_string_n(e, buf, sizeof buf);
        detail += first ? " (" : "; ";
        detail += buf;
        first = false;
    }
    if (!first)
        detail += ")";
    return Error{code, std::move(detail)};
}

} // namespace twinseal::security
