// Transparency-log proofs and receipts: the first byte picks the parser (inclusion proof,
// consistency proof, log entry, signed tree head or receipt, the last two also as a body signed
// by the fixed log key); the rest is its input. A decoded proof is then checked against a tree
// head made from the fuzzed bytes: it may fail, it must not crash.
#include <twinseal/security/translog.h>

#include "fuzz_support.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    using namespace twinseal;
    if (size == 0)
        return 0;
    const std::uint8_t which = data[0] % 6;
    const security::ByteView rest = fuzz::bytesOf(data + 1, size - 1);
    const security::PublicKey& logKey = fuzz::fixedKey().publicKey();

    security::TreeHead head;
    head.treeSize = size;
    for (std::size_t i = 0; i < head.rootHash.size() && i < rest.size(); ++i)
        head.rootHash[i] = rest[rest.size() - 1 - i];

    switch (which) {
    case 0: {
        auto proof = security::InclusionProof::decode(rest);
        if (proof.ok()) {
            fuzz::require(proof->leafIndex < proof->treeSize, "a decoded proof's leaf is in its tree");
            head.treeSize = proof->treeSize;
            (void)security::verifyInclusion(head, *proof, rest);
            auto again = security::InclusionProof::decode(proof->encode());
            fuzz::require(again.ok() && again->path == proof->path,
                          "an inclusion proof survives encode and decode");
        }
        break;
    }
    case 1: {
        auto proof = security::ConsistencyProof::decode(rest);
        if (proof.ok()) {
            security::TreeHead older = head;
            older.treeSize = proof->firstSize;
            head.treeSize = proof->secondSize;
            (void)security::verifyConsistency(older, head, *proof);
            auto again = security::ConsistencyProof::decode(proof->encode());
            fuzz::require(again.ok() && again->path == proof->path,
                          "a consistency proof survives encode and decode");
        }
        break;
    }
    case 2: {
        auto entry = security::LogEntry::decode(rest);
        if (entry.ok()) {
            (void)security::logEntryTypeName(entry->type);
            fuzz::require(security::LogEntry::decode(entry->encode()).ok(),
                          "a log entry survives encode and decode");
        }
        break;
    }
    case 3:
        (void)security::parseSignedTreeHead(rest, logKey);
        (void)security::parseSignedTreeHead(
            fuzz::signedByFixedKey(security::kTreeHeadType, rest), logKey);
        break;
    case 4:
        (void)security::parseLogReceipt(rest, logKey);
        break;
    default:
        (void)security::parseSignedTreeHead(rest, logKey);
        (void)security::parseLogReceipt(rest, logKey);
        break;
    }
    return 0;
}
