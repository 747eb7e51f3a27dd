// The client-side tamper-evident activity log (DESIGN section 8): every DT operation the device
// performs (register, sign, call, verification result, transfer, disclosure, ...) as a
// hash-chained entry, with checkpoints signed by the device's audit key.
//
// Entries and checkpoints
//   An entry holds its sequence number (0, 1, 2, ...), a timestamp from the injected Clock, a
//   stable event type ("dt.register"), an outcome ("ok", or "failed" with a reason code), a few
//   key/value fields (never secrets) and the hash of the previous entry. Its hash is
//   SHA-256("TwinSeal-Audit-Entry-v1" 0x00 stored entry bytes): the stored Protobuf bytes, never a
//   re-serialization. Entry 0 links to a genesis hash over the log's stored header (log id, audit
//   public key, creation time), so the header is covered by the chain too.
//
//   A checkpoint is a "twinseal.audit-checkpoint.v1" Signed envelope over {log id, checkpoint
//   number, entry count, hash of the last entry, timestamp}, signed with the audit key (a
//   SigningKey; the app keeps it encrypted at rest like the holder key). Appending needs no key:
//   while the app is locked entries are only chained; checkpoint() signs the chain head as soon as
//   the key is available (on unlock, and after each append while unlocked: appendSigned()).
//
// The parts (each header one job; this one includes them all):
//   audit_entry.h   what is logged: events, entries, checkpoints, filtering
//   audit_format.h  the file format: records, framing, format detection, checkpoint envelopes
//   audit_verify.h  verifying a log file or an export
//   audit_export.h  the JSON and CBOR exports
//   audit_log.h     the append-only, file-backed writer
//   audit_anchor.h  the sealed anchor kept outside the log, and the fail-closed directory check
//
// What verification detects (with the audit public key, given or taken from the log):
//   - any change to any byte of the file (record checksums; for entries a checkpoint covers also
//     when the attacker recomputes the checksums and the chain: the signed head no longer
//     matches);
//   - deleting, inserting, swapping or replaying entries a checkpoint covers, deleting or moving
//     checkpoints (they are numbered and must sit right after the entries they cover), splicing
//     a checkpoint from another log (log id), a forged checkpoint (signature);
//   - a torn or cut last record;
//   - with an anchor (a signed checkpoint kept outside the log: an earlier export, the app's
//     settings, a peer): truncating or rolling back the log to before that checkpoint;
//   - with a pinned audit key: replacing the whole log by one under another key.
// The app keeps the anchor sealed (audit_anchor.h: a checkpoint counter and the pinned key and
// log id, HMAC-sealed under a key derived from the unlocked audit key) and verifies its own log
// failing closed (requireAnchor, pinnedByDevice); the home network's mirror of the counter
// catches an older log restored with its older anchor (twin/audit_mirror.h).
// What it cannot detect:
//   - changes to the unsigned tail (entries after the last checkpoint, e.g. appended while
//     locked) by someone who recomputes the chain and checksums: reported as "unsigned tail",
//     never as signed;
//   - without an anchor: cutting the file at a record boundary after a checkpoint (dropping
//     later entries and checkpoints), restoring an older copy of the file, or removing the last
//     checkpoints (any number of them, so that the entries they covered become an unsigned tail
//     that can then be rewritten). Each leaves a well-formed log; in the last case the report
//     shows those entries as unsigned. With a checkpoint after every append while unlocked, only
//     such suffix removals and edits of the unsigned tail remain. Keep latestCheckpoint() outside
//     the log (the app's settings, every export) and pass it as the anchor to close this gap;
//   - replacing the whole log (new key, new chain) when the verifier does not pin the audit key;
//   - anything done by someone holding the unlocked audit key (malware on the unlocked device),
//     and a wrong device clock (timestamps are the device's claim).
#pragma once

#include "twinseal/security/audit_anchor.h"
#include "twinseal/security/audit_entry.h"
#include "twinseal/security/audit_export.h"
#include "twinseal/security/audit_format.h"
#include "twinseal/security/audit_log.h"
#include "twinseal/security/audit_verify.h"
