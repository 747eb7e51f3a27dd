// Result<T>: a value or an Error with a reason code and a human-readable detail.
// security/ never throws across its boundary; every fallible call returns one of these.
#pragma once

#include <string>
#include <string_view>
#include <utility>

#include <twinseal/security/expected.h>

namespace twinseal::security {

// Every distinct failure a caller may need to act on has its own code.
enum class ErrorCode {
    Ok = 0,
    // generic
    InvalidArgument,
    Internal,
    CryptoFailure,
    IoError,
    // encoding / parsing
    MalformedInput,
    UnsupportedVersion,
    UnsupportedAlgorithm,
    WrongObjectType,
    // keys at rest
    WrongPassphrase,
    KeyFileCorrupt,
    // signatures and bindings
    BadSignature,
    KeyMismatch,
    // certificates and credentials
    UntrustedIssuer,
    CertificateInvalid,
    CredentialExpired,
    CredentialNotYetValid,
    CredentialRevoked,
    // assertions
    AssertionMalformed,
    AssertionStale,
    AssertionReplayed,
    WrongDestination,
    CredentialDigestMismatch,
    // media
    MediaMismatch,
    MediaMissingFile,
    MediaUnexpectedFile,
    MediaSizeMismatch,
    MediaRootMismatch,
    AvatarPackageInvalid,
    // identity
    PinnedKeyChanged,
    DisclosureMismatch,
    InclusionProofMissing,
    InclusionProofInvalid,
    ThirdPartyCredentialInvalid,
    // subscriber authentication (3GPP AKA, SUCI)
    AkaMacFailure,   // AUTN's MAC-A (or AUTS's MAC-S) does not verify: wrong K/OPc or forged
    AkaSyncFailure,  // AUTN verified but its SQN is not fresh; the USIM answers with AUTS
    AkaResMismatch,  // RES* from the UE does not match XRES*
    AkaNon5gAuthentication, // AUTN's AMF separation bit is 0: not a 5G/EPS vector
    SuciInvalid,     // malformed SUCI/SUPI text or structure, or unusable scheme parameters
    SuciMacFailure,  // Profile A MAC tag does not verify (tampered or wrong home network key)
    // transparency log and revocation status list
    ConsistencyProofInvalid,  // two tree heads are not proven to be one append-only log
    StatusListExpired,        // the status list is outside its validity window: fetch a new one
    StatusListMismatch,       // the status list is not the one the credential refers to
    StatusIndexOutOfRange,    // the credential's status index is not in the list
    StatusListRollback,       // a status list older (lower sequence) than one already seen
    // home-network protocol
    RequestAuthInvalid,       // a request's AKMA MAC does not verify (wrong or unknown K_AF)
    RequestAuthStale,         // a signed request's timestamp is outside the allowed window
    UsimProfileInvalid,       // the USIM profile file is malformed or incomplete
    // ownership transfer
    OfferExpired,             // an ownership-transfer offer is past its expiry
    TransferSignerMismatch,   // a transfer offer not signed by the transferred credential's
                              // holder key (only by a key of its own)
    // client-side tamper-evident activity log (audit.h)
    AuditEntryModified,       // an entry does not match its hash, its record checksum, the
                              // chain link of the next entry or the head a checkpoint signed
    AuditEntryMissing,        // a sequence gap or a checkpoint over more entries: deleted entries
    AuditEntriesReordered,    // entries out of sequence order (moved, swapped or replayed)
    AuditCheckpointInvalid,   // a checkpoint is malformed or its signature does not verify
    AuditCheckpointMismatch,  // a validly signed checkpoint does not fit the log (numbering,
                              // position, entries inserted before it)
    AuditLogTruncated,        // the file ends in an incomplete record, or entries that a known
                              // checkpoint covers are gone
    AuditLogIdMismatch,       // a checkpoint or the log is not the log that was expected
    AuditRecordCorrupt,       // a record's framing or the log header is damaged
    // in-call frame protection (SFrame, RFC 9605; sframe.h, frame_keys.h)
    SFrameMalformed,          // a frame's SFrame header is truncated or the frame too short
    SFrameUnknownKeyId,       // no receive key for the frame's KID (not yet keyed, or removed)
    SFrameAuthenticationFailed, // the frame's tag does not verify: altered, or the wrong key
    SFrameReplayed,           // a frame whose counter was already accepted under its KID
    SFrameTooOld,             // a counter below the replay window: too late to tell it is new
    SFrameCounterExhausted,   // the send key used up its counters: re-key before sending more
    FrameKeyNotAddressed,     // an epoch key bundle holds no key for this participant
    FrameKeyUnwrapFailed,     // a wrapped epoch key does not open with the pairwise key
    FrameKeyContextMismatch,  // an epoch key bundle is for another room/epoch/sender/roster
    // third-party role credentials (role_credential.h); an unreadable or forged one is
    // ThirdPartyCredentialInvalid
    RoleMissing,              // no presented role credential claims a role the room requires
    RoleUntrustedIssuer,      // a role credential's enterprise is not one the room trusts for it
    RoleHolderMismatch,       // a role credential was issued for another holder key
    RoleExpired,              // a role credential is past its validity period
    RoleNotYetValid,          // a role credential is not valid yet
    SignatureHighS,           // an ECDSA P-256 signature in its malleable high-S form (s > n/2)
    // an avatar's glTF 2.0 model (gltf_validate.h); the GLB container and the glTF version are
    // AvatarPackageInvalid
    GltfSchemaViolation,      // a member is missing, of the wrong JSON type or out of its range,
                              // or refers to an object that does not exist
    GltfResourceMissing,      // a buffer or image the model refers to is not in the package
    GltfUriNotInPackage,      // a URI that leaves the package (absolute, '..', a scheme, data:)
    GltfAccessorOutOfBounds,  // an accessor or buffer view runs past its buffer view or buffer
    GltfIndexOutOfRange,      // an index value at or past the vertex count of its primitive
    GltfNodeGraphInvalid,     // a node cycle, a node with two parents, a scene root with a parent
    GltfLimitExceeded,        // more objects, deeper JSON or larger data than the limits allow
    // the credential's certified media description (credential.h)
    MediaDescriptionMismatch, // the manifest's model, metadata or media type is not the one the
                              // home network certified
    MediaDescriptionMissing,  // a credential issued before the media description was certified
    // split-view detection: the tree heads the client keeps per transparency log
    LogFork,                  // two verified tree heads of one log that no consistency proof
                              // joins: the home network showed two different histories
    LogHeadStoreCorrupt,      // a kept tree head (or fork record) that does not read or verify
    // lawful disclosures, each committed to in the transparency log (lawful_disclosure.h)
    DisclosureNotLogged,      // a lawful disclosure listed without its log entry and proof
    DisclosureCommitmentMismatch, // the disclosure as listed is not the one the home network
                                  // committed to in its log entry (altered since it was logged)
    DisclosureProofInvalid,   // the disclosure's log entry is not proven included in a tree head
                              // signed with the log key
    // the activity log's sealed anchor (audit_anchor.h): fail closed, the files kept as evidence
    AuditAnchorMissing,       // the log has signed checkpoints but its sealed anchor is gone
    AuditAnchorInvalid,       // the sealed anchor is malformed or its seal does not verify with
                              // the key unlocked by the passphrase (forged or replaced)
    AuditKeyMissing,          // audit.key is gone while the log or its anchor exists
    AuditKeyReplaced,         // audit.key is not the audit key the anchor pins
    AuditLogReplaced,         // the log (its id or key) is not the log the anchor pins, or is gone
    AuditLogRolledBack,       // the home network's mirror holds a later checkpoint of this log:
                              // an older log and anchor were restored
    // backups (sealed_file.h)
    NotABackup,               // the file is not a backup of the expected kind
    BackupTruncated,          // the backup holds fewer bytes than its header says
    BackupCorrupted,          // the backup's header or contents are damaged or altered
    RestoreTargetNotEmpty,    // a restore would overwrite data that is already there
};

// Stable machine-readable name, e.g. "wrong-passphrase" (used in CLI output, logs and reports).
[[nodiscard]] std::string_view errorCodeName(ErrorCode code) noexcept;

struct Error {
    ErrorCode code = ErrorCode::Internal;
    std::string detail;

    // "<code-name>: <detail>"
    [[nodiscard]] std::string message() const;
};

// Builds an Error, appending (and draining) OpenSSL's error queue to the detail.
[[nodiscard]] Error opensslError(ErrorCode code, std::string_view what);
// Builds an Error without touching OpenSSL's error queue.
[[nodiscard]] inline Error makeError(ErrorCode code, std::string detail) {
    return Error{code, std::move(detail)};
}

// A value or an Error (twinseal::Expected with this library's Error).
template <typename T> using Result = Expected<T, Error>;
using Status = Result<void>;

} // namespace twinseal::security

// Propagates an error from an expression returning Result<...>.
#define TWINSEAL_TRY(expr)                                                                         \
    do {                                                                                           \
        auto&& twinseal_try_r_ = (expr);                                                           \
        if (!twinseal_try_r_.ok())                                                                 \
            return twinseal_try_r_.error();                                                        \
    } while (0)
