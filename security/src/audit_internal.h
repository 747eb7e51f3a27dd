// security/-internal: what the audit_*.cpp files share (record constants, decoding and framing,
// the verification walk's entry point, text helpers). Not installed, not included by callers.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "twinseal/security/audit.h"

namespace twinseal::security::audit_detail {

inline constexpr std::uint8_t kMagic[8] = {'T', 'S', 'A', 'U', 'D', 'I', 'T', 0x01};
inline constexpr std::size_t kFrameHeaderSize = 9; // kind, length, frame check
inline constexpr std::size_t kChecksumSize = 8;
inline constexpr std::uint32_t kVersion = 1;

// ---- records and their decoding (audit_format.cpp) ------------------------------------------

// SHA-256 of the domain-separated stored header: what entry 0 links to.
[[nodiscard]] Digest genesisHash(ByteView header);
// A digest as the raw bytes of a Protobuf `bytes` field.
[[nodiscard]] std::string digestString(const Digest& d);
// Log ids: 1-128 characters of [A-Za-z0-9._:-].
[[nodiscard]] bool isLogId(std::string_view s);

struct DecodedHeader {
    std::string logId;
    PublicKey key;
    std::int64_t createdAt = 0;
};

// nullopt when the stored bytes are not a valid header, entry or checkpoint envelope.
[[nodiscard]] std::optional<DecodedHeader> decodeHeader(ByteView payload);
[[nodiscard]] std::optional<AuditEntry> decodeEntry(ByteView stored);
// A checkpoint's body, without looking at the signature.
[[nodiscard]] std::optional<AuditCheckpoint>
decodeCheckpointUnverified(ByteView envelope, SignedEnvelope* envOut = nullptr);

// A problem found, with where it is.
struct Failure {
    ErrorCode code = ErrorCode::Ok;
    std::string detail;
    std::optional<std::uint64_t> entryIndex;
    std::optional<std::uint64_t> checkpointIndex;
    std::optional<std::uint64_t> offset;
};

struct Framing {
    std::vector<AuditRecord> records;
    std::optional<Failure> problem;      // the first framing problem (records stop before it)
    std::optional<std::uint64_t> tornAt; // set when the problem is a torn last record
};

// Splits a log file into records, stopping at the first framing problem.
[[nodiscard]] Framing frame(ByteView file);

// ---- verification (audit_verify.cpp) --------------------------------------------------------

struct WalkState {
    Bytes headerPayload;
    Digest genesis{};
    PublicKey recordedKey;
    bool headerOk = false;
};

void setFailure(AuditVerification& r, Failure f);
// Walks the records (header first), then checks the anchor; a framing problem found after the
// last good record is reported after them.
[[nodiscard]] AuditVerification verifyRecords(const std::vector<AuditRecord>& records,
                                              bool haveOffsets,
                                              const std::optional<Failure>& framingProblem,
                                              std::optional<std::uint64_t> tornAt,
                                              const AuditVerifyOptions& options,
                                              AuditFormat format, WalkState* stateOut = nullptr);

// ---- words for people (audit_text.cpp) ------------------------------------------------------

// "2026-12-06T04:32:29Z"; empty outside years 1..9999.
[[nodiscard]] std::string utcTime(std::int64_t t);
// "1 entry", "3 entries".
[[nodiscard]] std::string plural(std::uint64_t n, const char* one, const char* many);
// "entry 4", "entries 4..7".
[[nodiscard]] std::string range(std::uint64_t first, std::uint64_t last);

} // namespace twinseal::security::audit_detail
