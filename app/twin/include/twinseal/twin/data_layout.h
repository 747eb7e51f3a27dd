// The data directory's layout: every file the twin keeps, named once. Only TwinStore (and the
// few readers it hands paths to) joins these names with a directory.
#pragma once

namespace twinseal::twin::layout {

inline constexpr const char* kProfile = "profile.usim";        // the USIM profile (SQN saved)
inline constexpr const char* kHolderKey = "holder.key";        // encrypted holder key
inline constexpr const char* kCredential = "credential.tsc";   // the DT credential
inline constexpr const char* kReceipt = "receipt.tslr";        // its transparency-log receipt
inline constexpr const char* kManifest = "manifest.tsm";       // the holder-signed manifest
inline constexpr const char* kDisclosures = "disclosures.json";// attribute disclosures (secret)
inline constexpr const char* kPending = "pending.json";        // the pending-operation journal
inline constexpr const char* kPendingTransfer = "pending-transfer.json"; // an acceptance in flight
inline constexpr const char* kAvatarDir = "avatar";            // a twin's avatar received by transfer
inline constexpr const char* kTransferredDir = "transferred";  // files of twins given away (a record)
inline constexpr const char* kSampleAvatarDir = "sample-avatar"; // this twin's own copy of the sample
inline constexpr const char* kState = "twin.json";             // avatar folder, DT id, Avatar-ID
inline constexpr const char* kPrivacy = "privacy.json";        // disclosure choices
inline constexpr const char* kSettings = "settings.json";      // the owner's settings
inline constexpr const char* kTrustDir = "trust";              // extra trusted roots (*.pem)
inline constexpr const char* kPins = "pins.txt";               // peers' pinned holder keys
inline constexpr const char* kReplay = "replay.txt";           // assertions already presented
inline constexpr const char* kRolesDir = "roles";              // enterprise role credentials (*.tsrc)
inline constexpr const char* kAuditLog = "audit.log";          // the activity log
inline constexpr const char* kAuditKey = "audit.key";          // its encrypted signing key
inline constexpr const char* kAuditAnchor = "audit-anchor.tsc";// its last exported checkpoint
inline constexpr const char* kLogHeadsDir = "log-heads";       // last verified tree head per log,
                                                               // and fork evidence (tree_head_witness.h)

// Files that make up the twin itself (what an ownership transfer hands over or removes).
inline constexpr const char* kTwinFiles[] = {kCredential, kReceipt, kManifest, kDisclosures};

} // namespace twinseal::twin::layout
