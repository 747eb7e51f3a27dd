// A digital twin's history as the client checks it (DtHistoryChain): each transfer's offer must
// be signed by the holder key of the credential it transfers, as the entry that issued that
// credential records it, never just by the key the offer carries (issue 12, finding 17). The
// statements are really signed (Ed25519) and the log entries really encoded and decoded.
#include <QtTest>

#include <twinseal/security/crypto.h>
#include <twinseal/security/dt_history.h>

#include "testmain.h"

namespace {
namespace test_dt_history {

using namespace twinseal::security;

namespace {

constexpr std::int64_t kNow = 1760000000;
const auto& testDt() {
    static const std::string value = "dt-history-test";
    return value;
}

SigningKey newKey() {
    auto k = SigningKey::generate(KeyAlgorithm::Ed25519);
    if (!k.ok())
        qFatal("key generation failed");
    return std::move(k).value();
}

Digest digestOf(char c) {
    Digest d{};
    d.fill(static_cast<std::uint8_t>(c));
    return d;
}

// The entry as the log stores it and a verifier reads it back.
LogEntry roundTrip(const LogEntry& e) {
    auto back = LogEntry::decode(e.encode());
    if (!back.ok())
        qFatal("log entry does not decode: %s", back.error().message().c_str());
    return std::move(back).value();
}

LogEntry issuance(const Digest& credential, const PublicKey& holder) {
    LogEntry e;
    e.type = LogEntryType::Issuance;
    e.timestamp = kNow;
    e.dtId = testDt();
    e.credentialDigest = credential;
    e.holderKey = holder;
    return roundTrip(e);
}

// A transfer of `transferred` signed by `offerSigner` (which the offer names as its holder key),
// accepted by `recipient`; the entry issues `issued` to the recipient.
LogEntry transfer(const std::string& id, const Digest& transferred, const SigningKey& offerSigner,
                  const SigningKey& recipient, const Digest& issued) {
    TransferOffer o;
    o.dtId = testDt();
    o.credentialDigest = transferred;
    o.holderKey = offerSigner.publicKey();
    o.recipientHandle = "tw-abcdefghij";
    o.timestamp = kNow;
    o.expiresAt = kNow + 3600;
    o.aKid = "owner@rid0.akma.example";
    o.nonce = Bytes(16, 0x11);
    auto offer = signTransferOffer(o, offerSigner);
    if (!offer.ok())
        qFatal("offer: %s", offer.error().message().c_str());
    TransferAcceptance a;
    a.transferId = id;
    a.offerDigest = sha256(*offer);
    a.holderKey = recipient.publicKey();
    a.aKid = "recipient@rid0.akma.example";
    a.timestamp = kNow + 10;
    a.nonce = Bytes(16, 0x22);
    auto acceptance = signTransferAcceptance(a, recipient);
    if (!acceptance.ok())
        qFatal("acceptance: %s", acceptance.error().message().c_str());
    LogEntry e;
    e.type = LogEntryType::Transfer;
    e.timestamp = kNow + 10;
    e.dtId = testDt();
    e.credentialDigest = issued;
    e.details = TransferRecord{id, *offer, *acceptance}.encode();
    e.holderKey = recipient.publicKey();
    return roundTrip(e);
}

} // namespace

class DtHistoryTest : public QObject {
    Q_OBJECT

  private slots:
    void genuineTransfersChain() {
        const SigningKey owner = newKey(), second = newKey(), third = newKey();
        DtHistoryChain chain(testDt());
        QVERIFY(chain.add(issuance(digestOf('a'), owner.publicKey())).ok());
        auto first = chain.add(transfer("tr-1", digestOf('a'), owner, second, digestOf('b')));
        QVERIFY2(first.ok(), first.ok() ? "" : first.error().message().c_str());
        QVERIFY(first->has_value());
        QCOMPARE(QString::fromStdString((*first)->transferId), QStringLiteral("tr-1"));
        // The second transfer is signed by the key the first one handed the DT to.
        auto next = chain.add(transfer("tr-2", digestOf('b'), second, third, digestOf('c')));
        QVERIFY2(next.ok(), next.ok() ? "" : next.error().message().c_str());
    }

    // An offer signed by a key of its own (a valid signature by the key it names) is what
    // verifyTransferEntry alone accepts; the history refuses it.
    void anOfferSignedByItsOwnKeyIsRefused() {
        const SigningKey owner = newKey(), forger = newKey(), recipient = newKey();
        const LogEntry forged = transfer("tr-f", digestOf('a'), forger, recipient, digestOf('b'));
        QVERIFY(verifyTransferEntry(forged).ok());
        auto direct = verifyTransferEntry(forged, owner.publicKey());
        QCOMPARE(direct.code(), ErrorCode::TransferSignerMismatch);
        QCOMPARE(QString::fromStdString(std::string(errorCodeName(direct.code()))),
                 QStringLiteral("transfer-signer-mismatch"));

        DtHistoryChain chain(testDt());
        QVERIFY(chain.add(issuance(digestOf('a'), owner.publicKey())).ok());
        QCOMPARE(chain.add(forged).code(), ErrorCode::TransferSignerMismatch);
    }

    // After a transfer the previous owner's key no longer signs for the DT.
    void thePreviousOwnerCannotTransferAgain() {
        const SigningKey owner = newKey(), recipient = newKey(), other = newKey();
        DtHistoryChain chain(testDt());
        QVERIFY(chain.add(issuance(digestOf('a'), owner.publicKey())).ok());
        QVERIFY(chain.add(transfer("tr-1", digestOf('a'), owner, recipient, digestOf('b'))).ok());
        QCOMPARE(chain.add(transfer("tr-2", digestOf('b'), owner, other, digestOf('c'))).code(),
                 ErrorCode::TransferSignerMismatch);
    }

    // An issuance recorded without its holder key (an older log): no offer can be proven.
    void anUnrecordedHolderKeyProvesNoOffer() {
        const SigningKey owner = newKey(), recipient = newKey();
        DtHistoryChain chain(testDt());
        QVERIFY(chain.add(issuance(digestOf('a'), PublicKey())).ok());
        QCOMPARE(chain.add(transfer("tr-1", digestOf('a'), owner, recipient, digestOf('b'))).code(),
                 ErrorCode::TransferSignerMismatch);
    }

    // The transfer entry's holder key must be the key that accepted.
    void aTransferEntryNamesTheAcceptingKey() {
        const SigningKey owner = newKey(), recipient = newKey(), other = newKey();
        LogEntry e = transfer("tr-1", digestOf('a'), owner, recipient, digestOf('b'));
        e.holderKey = other.publicKey();
        DtHistoryChain chain(testDt());
        QVERIFY(chain.add(issuance(digestOf('a'), owner.publicKey())).ok());
        QCOMPARE(chain.add(roundTrip(e)).code(), ErrorCode::KeyMismatch);
    }

    void theChainsShape() {
        const SigningKey owner = newKey(), recipient = newKey();
        DtHistoryChain chain(testDt());
        // Not starting with the issuance.
        QCOMPARE(chain.add(transfer("tr-1", digestOf('a'), owner, recipient, digestOf('b'))).code(),
                 ErrorCode::MalformedInput);
        DtHistoryChain chain2(testDt());
        QVERIFY(chain2.add(issuance(digestOf('a'), owner.publicKey())).ok());
        QCOMPARE(chain2.add(issuance(digestOf('a'), owner.publicKey())).code(),
                 ErrorCode::MalformedInput);
        // A transfer of another credential than the current one.
        QCOMPARE(chain2.add(transfer("tr-1", digestOf('z'), owner, recipient, digestOf('b'))).code(),
                 ErrorCode::MalformedInput);
        LogEntry foreign = issuance(digestOf('a'), owner.publicKey());
        foreign.dtId = "dt-other";
        QCOMPARE(DtHistoryChain(testDt()).add(foreign).code(), ErrorCode::MalformedInput);
    }

    // The holder key survives the log entry's encoding; an entry without it decodes too.
    void theHolderKeyIsPartOfTheEntry() {
        const SigningKey owner = newKey();
        const LogEntry e = issuance(digestOf('a'), owner.publicKey());
        QVERIFY(e.holderKey == owner.publicKey());
        QVERIFY(issuance(digestOf('a'), PublicKey()).holderKey.empty());
    }
};

TWINSEAL_TEST(DtHistoryTest, "dt-history")
} // namespace test_dt_history
} // namespace

#include "test_dt_history.moc"
