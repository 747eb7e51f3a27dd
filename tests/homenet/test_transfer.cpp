// Ownership transfer against the real twinseal-homenet on loopback over TLS, with two (or more)
// ServiceClient instances: by transfer handle and by one-time code; the previous owner's
// credential is revoked (a peer's verification fails as revoked, the new owner's verifies); both
// parties get receipts whose inclusion proofs verify and see the same history. Then every
// refusal with its reason code: decline, cancel, expiry, wrong recipient, wrong code, transfer to
// self, a recipient who already has a DT, a stale offer after re-certification, replayed and
// tampered offers and acceptances (sent raw, with the subscriber's own AKMA key). Finally SIGKILL
// in the middle of acceptances: each DT has either its old or its new owner, never both or
// neither, and the log verifies.
#include <QDir>
#include <QJsonDocument>
#include <QJsonObject>
#include <QNetworkAccessManager>
#include <QNetworkReply>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QSslConfiguration>
#include <QUrlQuery>
#include <QtTest>

#include <set>

#include <twinseal/netclient/service_client.h>
#include <twinseal/proto/homenet.pb.h>
#include <twinseal/security/aka.h>
#include <twinseal/security/milenage.h>
#include <twinseal/security/request_auth.h>
#include <twinseal/security/statuslist.h>
#include <twinseal/security/suci.h>
#include <twinseal/security/transfer.h>
#include <twinseal/security/verify.h>

#include "homenet_fixture.h"
#include "raw_client.h"
#include "test_macros.h"
#include "testmain.h"

namespace {
namespace test_transfer {

using namespace twinseal;
using namespace twinseal::security;
using namespace twinseal::test;
using netclient::ClientResult;
using netclient::ServiceClient;

namespace {

using namespace std::chrono_literals;

using Subscriber = TestSubscriber;

Subscriber subscriber(HomenetServer& server, int n, const QStringList& extra = {}) {
    return addTestSubscriber(server, QStringLiteral("ue%1.profile").arg(n), 1000 + n, extra);
}

SigningKey newKey(KeyAlgorithm alg = KeyAlgorithm::Ed25519) {
    return std::move(SigningKey::generate(alg)).value();
}

ClientResult<netclient::SubscriberInfo> me(ServiceClient& c) {
    return await<netclient::SubscriberInfo>([&](auto cb) { c.me(std::move(cb)); });
}
ClientResult<netclient::TransferInfo> offer(Subscriber& s, const Bytes& credential,
                                       const std::string& handle,
                                       std::chrono::seconds ttl = std::chrono::hours(1)) {
    return await<netclient::TransferInfo>([&](auto cb) {
        s.client->offerTransfer(credential, s.holder, handle, ttl, std::move(cb));
    });
}
ClientResult<netclient::TransferInfo> fetchTransfer(ServiceClient& c, const std::string& id) {
    return await<netclient::TransferInfo>([&](auto cb) { c.fetchTransfer(id, std::move(cb)); });
}
ClientResult<std::vector<netclient::TransferInfo>> listTransfers(ServiceClient& c) {
    return await<std::vector<netclient::TransferInfo>>([&](auto cb) { c.listTransfers(std::move(cb)); });
}
// The offered manifest re-signed with `key` (what a recipient does to accept).
Bytes resign(const netclient::TransferInfo& t, const SigningKey& key) {
    auto parsed = parseSignedManifest(t.signedManifest);
    if (!parsed.ok())
        qFatal("the offered manifest does not parse: %s", parsed.error().message().c_str());
    return std::move(signManifest(parsed->manifest, key)).value();
}
ClientResult<netclient::AcceptedTransfer> accept(ServiceClient& c, const netclient::TransferInfo& t,
                                            const SigningKey& key, const std::string& code = {},
                                            std::optional<Bytes> manifest = std::nullopt) {
    Bytes m = manifest ? *manifest : resign(t, key);
    return await<netclient::AcceptedTransfer>(
        [&](auto cb) { c.acceptTransfer(t, code, key, m, std::move(cb)); });
}
ClientResult<netclient::TransferInfo> decline(ServiceClient& c, const std::string& id,
                                         const std::string& code = {}) {
    return await<netclient::TransferInfo>([&](auto cb) { c.declineTransfer(id, code, std::move(cb)); });
}
ClientResult<netclient::TransferInfo> cancel(ServiceClient& c, const std::string& id) {
    return await<netclient::TransferInfo>([&](auto cb) { c.cancelTransfer(id, std::move(cb)); });
}
ClientResult<netclient::TransferReceipt> receipt(ServiceClient& c, const std::string& id) {
    return await<netclient::TransferReceipt>([&](auto cb) { c.transferReceipt(id, std::move(cb)); });
}
ClientResult<netclient::DtHistory> history(ServiceClient& c, const std::string& dtId) {
    return await<netclient::DtHistory>([&](auto cb) { c.dtHistory(dtId, std::move(cb)); });
}
const netclient::TransferInfo* findTransfer(const std::vector<netclient::TransferInfo>& all,
                                       const std::string& id) {
    for (const auto& t : all)
        if (t.transferId == id)
            return &t;
    return nullptr;
}

// ---- raw requests with a subscriber's own AKMA key (SignedSession, raw_client.h)

// An envelope with one bit of its signature flipped.
Bytes tamperSignature(const Bytes& envelope) {
    proto::Signed s;
    if (!s.ParseFromArray(envelope.data(), int(envelope.size())))
        qFatal("not an envelope");
    std::string* sig = s.mutable_signature();
    (*sig)[sig->size() / 2] = char((*sig)[sig->size() / 2] ^ 0x01);
    return toBytes(s.SerializeAsString());
}

// An envelope whose body says something else (another nonce) under the original signature.
template <typename Body> Bytes tamperBody(const Bytes& envelope) {
    proto::Signed s;
    if (!s.ParseFromArray(envelope.data(), int(envelope.size())))
        qFatal("not an envelope");
    Body b;
    if (!b.ParseFromString(s.body()))
        qFatal("not the expected body");
    std::string n = b.nonce();
    n[0] = char(n[0] ^ 0x01);
    b.set_nonce(n);
    s.set_body(b.SerializeAsString());
    return toBytes(s.SerializeAsString());
}

Bytes nonce() {
    return std::move(SystemRandom::instance().bytes(16)).value();
}

TransferOffer offerFor(const netclient::Registration& reg, const std::string& aKid,
                       const std::string& handle) {
    TransferOffer o;
    o.dtId = reg.credential.claims.dtId;
    o.credentialDigest = reg.credential.digest();
    o.holderKey = reg.credential.claims.holderKey;
    o.recipientHandle = handle;
    o.aKid = aKid;
    o.timestamp = SystemClock::instance().now();
    o.expiresAt = o.timestamp + 3600;
    o.nonce = nonce();
    return o;
}

TransferAcceptance acceptanceFor(const std::string& transferId, const Digest& offerDigest,
                                 const SigningKey& key, const Bytes& manifest,
                                 const std::string& aKid) {
    TransferAcceptance a;
    a.transferId = transferId;
    a.offerDigest = offerDigest;
    a.holderKey = key.publicKey();
    a.manifestDigest = sha256(manifest);
    a.mediaRoot = parseSignedManifest(manifest)->manifest.packageRoot;
    a.aKid = aKid;
    a.timestamp = SystemClock::instance().now();
    a.nonce = nonce();
    return a;
}

QByteArray acceptBody(const Bytes& acceptance, const Bytes& manifest,
                      const std::string& code = {}) {
    proto::TransferAcceptRequest r;
    r.set_acceptance(toString(acceptance));
    r.set_signed_manifest(toString(manifest));
    r.set_code(code);
    return QByteArray::fromStdString(r.SerializeAsString());
}

QByteArray acceptPath(const std::string& id) {
    return QByteArray::fromStdString("/v1/transfers/" + id + "/accept");
}

struct Pair {
    Subscriber owner;
    Subscriber recipient;
    netclient::Registration reg;
    netclient::TransferInfo offered;
    SigningKey newKey;
    Bytes manifest;
    std::optional<ClientResult<netclient::AcceptedTransfer>> result;
};

} // namespace

class TransferTest : public QObject {
    Q_OBJECT

  private slots:
    // The whole flow by transfer handle: offer, both lists, acceptance with a fresh key, the
    // previous credential revoked, receipts and history for both parties.
    void transferByHandle() {
        HomenetServer server;
        QVERIFY(server.start());
        const QString pkg = avatarCopy(server.scratch(QStringLiteral("pkg")));
        Subscriber a = subscriber(server, 1,
                                  {QStringLiteral("--name"), QStringLiteral("Dr. Ada Moreau"),
                                   QStringLiteral("--role"), QStringLiteral("surgeon")});
        Subscriber b =
            subscriber(server, 2, {QStringLiteral("--name"), QStringLiteral("Dr. Bo Lind")});
        REQUIRE_OK(authenticate(*a.client));
        REQUIRE_OK(authenticate(*b.client));
        auto reg = registerDt(a, pkg);
        REQUIRE_OK(reg);
        const std::string dtId = reg->credential.claims.dtId;

        // Handles: stable, distinct, never the SUPI.
        auto meA = me(*a.client);
        auto meB = me(*b.client);
        REQUIRE_OK(meA);
        REQUIRE_OK(meB);
        QVERIFY(isTransferHandle(meA->transferHandle));
        QVERIFY(isTransferHandle(meB->transferHandle));
        QVERIFY(meA->transferHandle != meB->transferHandle);
        QCOMPARE(me(*a.client)->transferHandle, meA->transferHandle);
        QVERIFY(meA->activeDt && meA->activeDt->dtId == dtId);
        QVERIFY(!meB->activeDt);

        auto before = statusList(*a.client);
        REQUIRE_OK(before);
        auto peerBefore = verifyAsPeer(a.profile, a.holder, *reg, *before, pkg);
        QVERIFY2(peerBefore.state == OverallState::Verified, peerBefore.summary().c_str());

        // An access grant the owner gave a peer: it ends with the ownership.
        auto grant = await<netclient::AccessGrant>([&](auto cb) {
            a.client->createGrant(reg->credential.claims.avatarId, 3600, std::move(cb));
        });
        REQUIRE_OK(grant);

        auto offered = offer(a, reg->credentialBytes, meB->transferHandle);
        REQUIRE_OK(offered);
        QCOMPARE(QString::fromStdString(offered->state), QStringLiteral("pending"));
        QVERIFY(offered->outgoing);
        QVERIFY(!offered->codeBased);
        QVERIFY(offered->code.empty());
        QCOMPARE(offered->toHandle, meB->transferHandle);
        QCOMPARE(offered->fromHandle, meA->transferHandle);
        QCOMPARE(offered->dtId, dtId);
        QVERIFY(offered->mediaRoot == reg->credential.claims.mediaRoot);
        const std::string id = offered->transferId;

        // No receipt before the acceptance.
        EXPECT_CODE(receipt(*a.client, id), "transfer-not-accepted");

        // Both see it, from their side.
        auto listA = listTransfers(*a.client);
        auto listB = listTransfers(*b.client);
        REQUIRE_OK(listA);
        REQUIRE_OK(listB);
        QVERIFY(findTransfer(*listA, id) && findTransfer(*listA, id)->outgoing);
        QVERIFY(findTransfer(*listB, id) && !findTransfer(*listB, id)->outgoing);
        QCOMPARE(QString::fromStdString(findTransfer(*listB, id)->state),
                 QStringLiteral("pending"));

        // The recipient looks at the offer, re-signs the offered manifest with a new key, accepts.
        auto incoming = fetchTransfer(*b.client, id);
        REQUIRE_OK(incoming);
        QVERIFY(!incoming->signedManifest.empty());
        QVERIFY(!incoming->outgoing);
        SigningKey bKey = newKey(KeyAlgorithm::EcdsaP256);
        auto accepted = accept(*b.client, *incoming, bKey);
        REQUIRE_OK(accepted);
        const CredentialClaims& nc = accepted->registration.credential.claims;
        QCOMPARE(nc.dtId, dtId);
        QCOMPARE(nc.avatarId, reg->credential.claims.avatarId);
        QCOMPARE(nc.generation, 2u);
        QVERIFY(nc.holderKey == bKey.publicKey());
        QVERIFY(nc.mediaRoot == reg->credential.claims.mediaRoot);
        QVERIFY(nc.subscriberBinding != reg->credential.claims.subscriberBinding);
        QVERIFY(nc.pseudonym != reg->credential.claims.pseudonym);
        QVERIFY(nc.statusListIndex != reg->credential.claims.statusListIndex);
        QCOMPARE(accepted->registration.receipt.entry.type, LogEntryType::Transfer);
        QVERIFY(accepted->record.offer.encoded == incoming->offer.encoded);
        QCOMPARE(accepted->record.transferId, id);
        QCOMPARE(QString::fromStdString(accepted->transfer.state), QStringLiteral("accepted"));
        QCOMPARE(accepted->transfer.toHandle, meB->transferHandle);
        // The recipient's own attributes: nothing of the previous owner's identity.
        QCOMPARE(accepted->registration.disclosures.size(), std::size_t{1});
        auto disclosed = AttributeDisclosure::decode(accepted->registration.disclosures.front());
        QCOMPARE(QString::fromStdString(disclosed->value), QStringLiteral("Dr. Bo Lind"));
        QCOMPARE(nc.attributes.size(), std::size_t{1});

        // The previous credential is revoked; the new one is not.
        auto after = statusList(*a.client);
        REQUIRE_OK(after);
        QVERIFY(after->info().sequence > before->info().sequence);
        QCOMPARE(*after->isRevoked(reg->credential.claims.statusListIndex), true);
        QCOMPARE(*after->isRevoked(nc.statusListIndex), false);
        auto oldOwner = verifyAsPeer(a.profile, a.holder, *reg, *after, pkg);
        QCOMPARE(oldOwner.state, OverallState::Failed);
        QCOMPARE(oldOwner.reason, ErrorCode::CredentialRevoked);
        auto newOwner = verifyAsPeer(b.profile, bKey, accepted->registration, *after, pkg);
        QVERIFY2(newOwner.state == OverallState::Verified, newOwner.summary().c_str());

        // Both parties get a receipt; its proof verifies and it names the new credential.
        for (ServiceClient* c : {a.client.get(), b.client.get()}) {
            auto r = receipt(*c, id);
            REQUIRE_OK(r);
            QCOMPARE(r->receipt.entry.type, LogEntryType::Transfer);
            QVERIFY(r->receipt.entryBytes == accepted->registration.receipt.entryBytes);
            QVERIFY(
                verifyInclusion(r->receipt.treeHead.head, r->receipt.proof, r->receipt.entryBytes)
                    .ok());
            QCOMPARE(r->transfer.transferId, id);
            QVERIFY(r->transfer.acceptance.acceptance.holderKey == bKey.publicKey());
            QVERIFY(r->transfer.offer.offer.holderKey == a.holder.publicKey());
            LogInclusionChecker checker(r->receipt.treeHead);
            QVERIFY(checker.add(r->receipt).ok());
            QVERIFY(checker.check(accepted->registration.credential).ok());
        }
        // Both see the same history: issuance, then the transfer, in one tree head.
        for (ServiceClient* c : {a.client.get(), b.client.get()}) {
            auto h = history(*c, dtId);
            REQUIRE_OK(h);
            QCOMPARE(h->entries.size(), std::size_t{2});
            QCOMPARE(h->entries[0].entry.type, LogEntryType::Issuance);
            QVERIFY(h->entries[0].entry.credentialDigest == reg->credential.digest());
            QCOMPARE(h->entries[1].entry.type, LogEntryType::Transfer);
            QVERIFY(h->entries[1].transfer.has_value());
            QCOMPARE(h->entries[1].transfer->transferId, id);
            QVERIFY(h->entries[1].entry.credentialDigest ==
                    accepted->registration.credential.digest());
        }
        // The DT now belongs to the recipient.
        auto dtsA =
            await<std::vector<netclient::DtRecord>>([&](auto cb) { a.client->listDts(std::move(cb)); });
        auto dtsB =
            await<std::vector<netclient::DtRecord>>([&](auto cb) { b.client->listDts(std::move(cb)); });
        REQUIRE_OK(dtsA);
        REQUIRE_OK(dtsB);
        QVERIFY(dtsA->empty());
        QCOMPARE(dtsB->size(), std::size_t{1});
        QCOMPARE(dtsB->front().dtId, dtId);
        QVERIFY(!me(*a.client)->activeDt);
        QCOMPARE(me(*b.client)->activeDt->dtId, dtId);
        auto finished = listTransfers(*a.client);
        REQUIRE_OK(finished);
        QCOMPARE(QString::fromStdString(findTransfer(*finished, id)->state),
                 QStringLiteral("accepted"));
        QVERIFY(findTransfer(*finished, id)->logIndex.has_value());
        // A stranger sees neither the transfer nor the history.
        Subscriber c = subscriber(server, 3);
        REQUIRE_OK(authenticate(*c.client));
        EXPECT_CODE(fetchTransfer(*c.client, id), "transfer-not-found");
        EXPECT_CODE(receipt(*c.client, id), "transfer-not-found");
        EXPECT_CODE(history(*c.client, dtId), "unknown-dt");
        // The new owner holds the avatar; the previous owner no longer does.
        netclient::AvatarFetchRequest info;
        info.avatarId = nc.avatarId;
        REQUIRE_OK(await<netclient::AvatarRecord>(
            [&](auto cb) { b.client->fetchAvatarInfo(info, std::move(cb)); }));
        EXPECT_CODE(await<netclient::AvatarRecord>(
                        [&](auto cb) { a.client->fetchAvatarInfo(info, std::move(cb)); }),
                    "avatar-access-denied");
        netclient::AvatarFetchRequest viaGrant = info;
        viaGrant.grantToken = grant->token;
        EXPECT_CODE(await<netclient::AvatarRecord>(
                        [&](auto cb) { c.client->fetchAvatarInfo(viaGrant, std::move(cb)); }),
                    "grant-invalid");
        // The avatar went with the twin: the previous owner cannot certify a copy of it again
        // while the new owner's twin is active, but may register a new DT of another avatar;
        // the new owner may pass it on again.
        a.holder = newKey();
        EXPECT_CODE(registerDt(a, pkg), "media-root-certified-elsewhere");
        REQUIRE_OK(registerDt(a, avatarCopy(server.scratch(QStringLiteral("pkg-a2")), 2)));
        auto cMe = me(*c.client);
        REQUIRE_OK(cMe);
        b.holder = std::move(bKey);
        auto again = offer(b, accepted->registration.credentialBytes, cMe->transferHandle);
        REQUIRE_OK(again);
        auto incomingC = fetchTransfer(*c.client, again->transferId);
        REQUIRE_OK(incomingC);
        SigningKey cKey = newKey();
        auto second = accept(*c.client, *incomingC, cKey);
        REQUIRE_OK(second);
        QCOMPARE(second->registration.credential.claims.generation, 3u);
        // The first owner still sees the whole history (issuance, two transfers).
        auto h = history(*a.client, dtId);
        REQUIRE_OK(h);
        QCOMPARE(h->entries.size(), std::size_t{3});
        QCOMPARE(h->entries[2].entry.type, LogEntryType::Transfer);
        QVERIFY(server.running());
    }

    // A code-based offer: the code is shown once, looks up the offer, must accompany the
    // acceptance; the owner cannot accept their own offer; a code works only once.
    void transferByCode() {
        HomenetServer server;
        QVERIFY(server.start());
        const QString pkg = avatarCopy(server.scratch(QStringLiteral("pkg")));
        Subscriber a = subscriber(server, 1);
        Subscriber b = subscriber(server, 2);
        Subscriber c = subscriber(server, 3);
        for (Subscriber* s : {&a, &b, &c})
            REQUIRE_OK(authenticate(*s->client));
        auto reg = registerDt(a, pkg);
        REQUIRE_OK(reg);
        auto offered = offer(a, reg->credentialBytes, {});
        REQUIRE_OK(offered);
        QVERIFY(offered->codeBased);
        QCOMPARE(offered->code.size(), std::size_t{19}); // XXXX-XXXX-XXXX-XXXX
        QVERIFY(offered->toHandle.empty());
        const std::string code = offered->code;
        const std::string id = offered->transferId;
        // The code is never shown again.
        auto again = fetchTransfer(*a.client, id);
        REQUIRE_OK(again);
        QVERIFY(again->code.empty());
        // Nobody else sees it in a list, and it is not addressed to anybody.
        auto listB = listTransfers(*b.client);
        REQUIRE_OK(listB);
        QVERIFY(!findTransfer(*listB, id));
        EXPECT_CODE(fetchTransfer(*b.client, id), "transfer-not-found");

        // Wrong and malformed codes.
        auto wrong = await<netclient::TransferInfo>(
            [&](auto cb) { c.client->lookupTransferCode("AAAA-AAAA-AAAA-AAAA", std::move(cb)); });
        EXPECT_CODE(wrong, "transfer-code-invalid");
        QCOMPARE(wrong.error().httpStatus, 403);
        EXPECT_CODE(await<netclient::TransferInfo>([&](auto cb) {
                        c.client->lookupTransferCode("not a code", std::move(cb));
                    }),
                    "transfer-code-invalid");

        // The code holder finds the offer (the code is case- and dash-insensitive).
        std::string sloppy;
        for (char ch : code)
            if (ch != '-')
                sloppy.push_back(char(std::tolower(static_cast<unsigned char>(ch))));
        auto found = await<netclient::TransferInfo>(
            [&](auto cb) { b.client->lookupTransferCode(sloppy, std::move(cb)); });
        REQUIRE_OK(found);
        QCOMPARE(found->transferId, id);
        QVERIFY(!found->outgoing);
        QVERIFY(!found->signedManifest.empty());
        SigningKey bKey = newKey();
        // Accepting needs the code, and the right one.
        EXPECT_CODE(accept(*b.client, *found, bKey, "BBBB-BBBB-BBBB-BBBB"),
                    "transfer-code-invalid");
        // The owner cannot take their own offer.
        auto own = fetchTransfer(*a.client, id);
        REQUIRE_OK(own);
        SigningKey aKey2 = newKey();
        EXPECT_CODE(accept(*a.client, *own, aKey2, code), "cannot-transfer-to-self");

        auto accepted = accept(*b.client, *found, bKey, code);
        REQUIRE_OK(accepted);
        QCOMPARE(accepted->registration.credential.claims.dtId, reg->credential.claims.dtId);
        QVERIFY(!accepted->transfer.toHandle.empty());
        // The code works once.
        auto foundC = await<netclient::TransferInfo>(
            [&](auto cb) { c.client->lookupTransferCode(code, std::move(cb)); });
        REQUIRE_OK(foundC);
        QCOMPARE(QString::fromStdString(foundC->state), QStringLiteral("accepted"));
        EXPECT_CODE(accept(*c.client, *found, newKey(), code), "transfer-not-pending");

        // Receipts and history for both parties.
        auto ra = receipt(*a.client, id);
        auto rb = receipt(*b.client, id);
        REQUIRE_OK(ra);
        REQUIRE_OK(rb);
        QVERIFY(ra->receipt.entryBytes == rb->receipt.entryBytes);
        for (ServiceClient* cl : {a.client.get(), b.client.get()}) {
            auto h = history(*cl, reg->credential.claims.dtId);
            REQUIRE_OK(h);
            QCOMPARE(h->entries.size(), std::size_t{2});
            QCOMPARE(h->entries[1].entry.type, LogEntryType::Transfer);
        }
        auto list = statusList(*b.client);
        REQUIRE_OK(list);
        QCOMPARE(*list->isRevoked(reg->credential.claims.statusListIndex), true);
    }

    // Decline, cancel, one open offer per DT, wrong recipient, unknown recipient, transfer to
    // self, a recipient who already owns a DT, stale offers after re-certification and
    // revocation, and expiry (the offer made first, with the shortest validity, is checked last).
    void refusalsAndExpiry() {
        HomenetServer server;
        QVERIFY(server.start());
        const QString pkg = avatarCopy(server.scratch(QStringLiteral("pkg")));
        const QString pkg1 = avatarCopy(server.scratch(QStringLiteral("pkg1")), 1);
        Subscriber a = subscriber(server, 1);
        Subscriber b = subscriber(server, 2);
        Subscriber c = subscriber(server, 3);
        Subscriber e = subscriber(server, 5);
        Subscriber x = subscriber(server, 4); // owns a DT of their own
        for (Subscriber* s : {&a, &b, &c, &e, &x})
            REQUIRE_OK(authenticate(*s->client));
        // Each owner with an avatar of its own: one active twin per media root.
        auto regE = registerDt(e, avatarCopy(server.scratch(QStringLiteral("pkg5")), 5));
        REQUIRE_OK(regE);
        const std::string hb = me(*b.client)->transferHandle;
        const std::string hc = me(*c.client)->transferHandle;
        const std::string hx = me(*x.client)->transferHandle;

        // Expiry: the shortest validity (one minute); answered after it ran out, below.
        QElapsedTimer expiryClock;
        expiryClock.start();
        auto expiring = offer(e, regE->credentialBytes, hb, std::chrono::seconds(kMinTransferTtl));
        REQUIRE_OK(expiring);
        auto expiringSeen = fetchTransfer(*b.client, expiring->transferId);
        REQUIRE_OK(expiringSeen);

        auto reg = registerDt(a, pkg);
        REQUIRE_OK(reg);
        REQUIRE_OK(registerDt(x, avatarCopy(server.scratch(QStringLiteral("pkg4")), 4)));

        // Decline: then nothing else can happen to that offer.
        auto o1 = offer(a, reg->credentialBytes, hb);
        REQUIRE_OK(o1);
        auto seen1 = fetchTransfer(*b.client, o1->transferId);
        REQUIRE_OK(seen1);
        EXPECT_CODE(decline(*a.client, o1->transferId), "cannot-transfer-to-self");
        auto declined = decline(*b.client, o1->transferId);
        REQUIRE_OK(declined);
        QCOMPARE(QString::fromStdString(declined->state), QStringLiteral("declined"));
        EXPECT_CODE(accept(*b.client, *seen1, newKey()), "transfer-not-pending");
        EXPECT_CODE(cancel(*a.client, o1->transferId), "transfer-not-pending");
        EXPECT_CODE(decline(*b.client, o1->transferId), "transfer-not-pending");
        auto listA = listTransfers(*a.client);
        REQUIRE_OK(listA);
        QCOMPARE(QString::fromStdString(findTransfer(*listA, o1->transferId)->state),
                 QStringLiteral("declined"));

        // Cancel: only the owner, only while open.
        auto o2 = offer(a, reg->credentialBytes, hb);
        REQUIRE_OK(o2);
        auto seen2 = fetchTransfer(*b.client, o2->transferId);
        REQUIRE_OK(seen2);
        // One open offer per DT.
        EXPECT_CODE(offer(a, reg->credentialBytes, hc), "transfer-already-pending");
        EXPECT_CODE(cancel(*b.client, o2->transferId), "not-offer-owner");
        EXPECT_CODE(cancel(*c.client, o2->transferId), "transfer-not-found");
        // Wrong recipient: invisible to others, and refused.
        EXPECT_CODE(fetchTransfer(*c.client, o2->transferId), "transfer-not-found");
        EXPECT_CODE(accept(*c.client, *seen2, newKey()), "not-offer-recipient");
        EXPECT_CODE(decline(*c.client, o2->transferId), "not-offer-recipient");
        auto cancelled = cancel(*a.client, o2->transferId);
        REQUIRE_OK(cancelled);
        QCOMPARE(QString::fromStdString(cancelled->state), QStringLiteral("cancelled"));
        EXPECT_CODE(accept(*b.client, *seen2, newKey()), "transfer-not-pending");
        auto listB = listTransfers(*b.client);
        REQUIRE_OK(listB);
        QCOMPARE(QString::fromStdString(findTransfer(*listB, o2->transferId)->state),
                 QStringLiteral("cancelled"));

        // Unknown recipients and oneself.
        EXPECT_CODE(offer(a, reg->credentialBytes, "tw-aaaaaaaaaa"), "recipient-unknown");
        EXPECT_CODE(offer(a, reg->credentialBytes, me(*a.client)->transferHandle),
                    "cannot-transfer-to-self");
        // Client-side checks: not a handle, validity out of range, not the DT's key.
        EXPECT_CODE(offer(a, reg->credentialBytes, "imsi-001010000001002"), "invalid-argument");
        EXPECT_CODE(offer(a, reg->credentialBytes, hb, std::chrono::seconds(8 * 86400)),
                    "invalid-argument");
        EXPECT_CODE(await<netclient::TransferInfo>([&](auto cb) {
                        b.client->offerTransfer(reg->credentialBytes, b.holder, hc, 1h,
                                                std::move(cb));
                    }),
                    "key-mismatch");

        // A recipient who already has an active DT.
        auto o3 = offer(a, reg->credentialBytes, hx);
        REQUIRE_OK(o3);
        auto seen3 = fetchTransfer(*x.client, o3->transferId);
        REQUIRE_OK(seen3);
        auto dup = accept(*x.client, *seen3, newKey());
        EXPECT_CODE(dup, "duplicate-dt");
        QCOMPARE(dup.error().httpStatus, 409);
        // A manifest of other media than the avatar offered: refused before anything is sent.
        SigningKey xKey = newKey();
        EXPECT_CODE(accept(*x.client, *seen3, xKey, {}, signedManifest(pkg1, xKey)),
                    "media-mismatch");
        REQUIRE_OK(cancel(*a.client, o3->transferId));

        // Stale: the DT is re-certified while the offer is open.
        auto o4 = offer(a, reg->credentialBytes, hb);
        REQUIRE_OK(o4);
        auto seen4 = fetchTransfer(*b.client, o4->transferId);
        REQUIRE_OK(seen4);
        Bytes m1 = signedManifest(pkg1, a.holder);
        auto recert = await<netclient::Registration>([&](auto cb) {
            a.client->recertify(reg->credential.claims.dtId, a.holder, m1, std::move(cb));
        });
        REQUIRE_OK(recert);
        auto stale = accept(*b.client, *seen4, newKey());
        EXPECT_CODE(stale, "offer-stale");
        QCOMPARE(stale.error().httpStatus, 409);
        auto listStale = listTransfers(*b.client);
        REQUIRE_OK(listStale);
        QCOMPARE(QString::fromStdString(findTransfer(*listStale, o4->transferId)->state),
                 QStringLiteral("stale"));
        // An offer for the superseded credential is refused; the stale one does not block a new
        // offer for the current credential.
        EXPECT_CODE(offer(a, reg->credentialBytes, hc), "offer-stale");
        auto o5 = offer(a, recert->credentialBytes, hc);
        REQUIRE_OK(o5);
        auto seen5 = fetchTransfer(*c.client, o5->transferId);
        REQUIRE_OK(seen5);
        // Revoked while open: stale too; and a revoked DT cannot be offered.
        REQUIRE_OK(await<netclient::DtRecord>([&](auto cb) {
            a.client->revoke(reg->credential.claims.dtId, "lost", std::move(cb));
        }));
        EXPECT_CODE(accept(*c.client, *seen5, newKey()), "offer-stale");
        EXPECT_CODE(offer(a, recert->credentialBytes, hc), "dt-not-active");
        REQUIRE_OK(cancel(*a.client, o4->transferId));
        // History after re-certification and revocation: one chain.
        auto h = history(*a.client, reg->credential.claims.dtId);
        REQUIRE_OK(h);
        QCOMPARE(h->entries.size(), std::size_t{3});
        QCOMPARE(h->entries[1].entry.type, LogEntryType::Recertification);
        QCOMPARE(h->entries[2].entry.type, LogEntryType::Revocation);

        // Expiry, evaluated when the offer is used.
        const qint64 wait = kMinTransferTtl * 1000 + 1500 - expiryClock.elapsed();
        if (wait > 0)
            QTest::qWait(int(wait));
        auto listExpired = listTransfers(*b.client);
        REQUIRE_OK(listExpired);
        QCOMPARE(QString::fromStdString(findTransfer(*listExpired, expiring->transferId)->state),
                 QStringLiteral("expired"));
        auto late = accept(*b.client, *expiringSeen, newKey());
        EXPECT_CODE(late, "offer-expired");
        QCOMPARE(late.error().httpStatus, 410);
        // Recorded as expired: nothing else can happen to it; the DT can be offered anew.
        EXPECT_CODE(cancel(*e.client, expiring->transferId), "offer-expired");
        EXPECT_CODE(decline(*b.client, expiring->transferId), "offer-expired");
        REQUIRE_OK(offer(e, regE->credentialBytes, hb));
        QVERIFY(server.running());
    }

    // Hand-made requests with the subscribers' own AKMA keys: tampered, replayed, mismatched and
    // malformed offers and acceptances, each refused with its own reason.
    void tamperedAndReplayed() {
        HomenetServer server;
        QVERIFY(server.start());
        const QString pkg = avatarCopy(server.scratch(QStringLiteral("pkg")));
        const QString pkg1 = avatarCopy(server.scratch(QStringLiteral("pkg1")), 1);
        Subscriber a = subscriber(server, 1);
        Subscriber b = subscriber(server, 2);
        REQUIRE_OK(authenticate(*a.client));
        REQUIRE_OK(authenticate(*b.client));
        auto reg = registerDt(a, pkg);
        REQUIRE_OK(reg);
        const std::string hb = me(*b.client)->transferHandle;
        SignedSession rawA(server, a.profile);
        SignedSession rawB(server, b.profile);
        auto postOffer = [&](SignedSession& s, const Bytes& envelope) {
            return s.send("POST", "/v1/transfers",
                          QByteArray(reinterpret_cast<const char*>(envelope.data()),
                                     qsizetype(envelope.size())));
        };

        // Offers.
        const TransferOffer good = offerFor(*reg, rawA.aKid(), hb);
        Bytes signedGood = *signTransferOffer(good, a.holder);
        EXPECT_REFUSAL(postOffer(rawA, tamperSignature(signedGood)), 400,
                       "offer-signature-invalid");
        EXPECT_REFUSAL(postOffer(rawA, tamperBody<proto::TransferOfferBody>(signedGood)), 400,
                       "offer-signature-invalid");
        EXPECT_REFUSAL(postOffer(rawA, toBytes("\x0a\x03xyz")), 400, "offer-malformed");
        {
            TransferOffer o = offerFor(*reg, rawA.aKid(), hb);
            o.expiresAt = o.timestamp + 30L * 86400;
            EXPECT_REFUSAL(postOffer(rawA, *signTransferOffer(o, a.holder)), 400,
                           "offer-malformed");
        }
        {
            TransferOffer o = offerFor(*reg, rawB.aKid(), hb); // another session's A-KID
            EXPECT_REFUSAL(postOffer(rawA, *signTransferOffer(o, a.holder)), 403,
                           "offer-session-mismatch");
        }
        {
            TransferOffer o = offerFor(*reg, rawA.aKid(), hb);
            o.timestamp -= 600;
            EXPECT_REFUSAL(postOffer(rawA, *signTransferOffer(o, a.holder)), 400,
                           "offer-time-invalid");
        }
        {
            // Signed by a key that is not the DT's (a valid signature by the key it names).
            SigningKey other = newKey();
            TransferOffer o = offerFor(*reg, rawA.aKid(), hb);
            o.holderKey = other.publicKey();
            EXPECT_REFUSAL(postOffer(rawA, *signTransferOffer(o, other)), 403,
                           "holder-key-mismatch");
        }
        {
            // Someone else's DT.
            TransferOffer o = offerFor(*reg, rawB.aKid(), hb);
            EXPECT_REFUSAL(postOffer(rawB, *signTransferOffer(o, a.holder)), 404, "unknown-dt");
        }
        // A wrong content type for a signed envelope.
        EXPECT_REFUSAL(rawA.send("POST", "/v1/transfers", "{}", true, "application/json"), 415,
                       "unsupported-content-type");
        // The valid offer, then the same bytes again: a replay.
        HttpResult created = postOffer(rawA, signedGood);
        QCOMPARE(created.status, 200);
        proto::TransferInfo info;
        QVERIFY(info.ParseFromArray(created.body.constData(), int(created.body.size())));
        const std::string id = info.transfer_id();
        EXPECT_REFUSAL(postOffer(rawA, signedGood), 409, "offer-replayed");
        const Digest offerDigest = sha256(signedGood);

        // Acceptances.
        SigningKey bKey = newKey();
        auto offered = fetchTransfer(*b.client, id);
        REQUIRE_OK(offered);
        const Bytes manifest = resign(*offered, bKey);
        const TransferAcceptance goodAcc =
            acceptanceFor(id, offerDigest, bKey, manifest, rawB.aKid());
        const Bytes signedAcc = *signTransferAcceptance(goodAcc, bKey);
        EXPECT_REFUSAL(
            rawB.send("POST", acceptPath(id), acceptBody(tamperSignature(signedAcc), manifest)),
            400, "acceptance-signature-invalid");
        EXPECT_REFUSAL(
            rawB.send("POST", acceptPath(id),
                      acceptBody(tamperBody<proto::TransferAcceptanceBody>(signedAcc), manifest)),
            400, "acceptance-signature-invalid");
        EXPECT_REFUSAL(rawB.send("POST", acceptPath(id), acceptBody(signedGood, manifest)), 400,
                       "acceptance-malformed");
        EXPECT_REFUSAL(rawB.send("POST", acceptPath(id), "\xff\xff garbage"), 400,
                       "malformed-request");
        {
            // For another transfer than the endpoint's.
            TransferAcceptance acc =
                acceptanceFor("tr-other", offerDigest, bKey, manifest, rawB.aKid());
            EXPECT_REFUSAL(rawB.send("POST", acceptPath(id),
                                     acceptBody(*signTransferAcceptance(acc, bKey), manifest)),
                           409, "acceptance-mismatch");
            EXPECT_REFUSAL(rawB.send("POST", acceptPath("tr-other"),
                                     acceptBody(*signTransferAcceptance(acc, bKey), manifest)),
                           404, "transfer-not-found");
        }
        {
            // For another version of the offer.
            Digest otherOffer = offerDigest;
            otherOffer[0] ^= 1;
            TransferAcceptance acc = acceptanceFor(id, otherOffer, bKey, manifest, rawB.aKid());
            EXPECT_REFUSAL(rawB.send("POST", acceptPath(id),
                                     acceptBody(*signTransferAcceptance(acc, bKey), manifest)),
                           409, "acceptance-mismatch");
        }
        {
            TransferAcceptance acc = acceptanceFor(id, offerDigest, bKey, manifest, rawA.aKid());
            EXPECT_REFUSAL(rawB.send("POST", acceptPath(id),
                                     acceptBody(*signTransferAcceptance(acc, bKey), manifest)),
                           403, "acceptance-session-mismatch");
        }
        {
            TransferAcceptance acc = acceptanceFor(id, offerDigest, bKey, manifest, rawB.aKid());
            acc.timestamp += 600;
            EXPECT_REFUSAL(rawB.send("POST", acceptPath(id),
                                     acceptBody(*signTransferAcceptance(acc, bKey), manifest)),
                           400, "acceptance-time-invalid");
        }
        {
            // The manifest sent is not the one the acceptance names.
            const Bytes other = signedManifest(pkg, bKey, nullptr, 8192);
            EXPECT_REFUSAL(rawB.send("POST", acceptPath(id), acceptBody(signedAcc, other)), 409,
                           "acceptance-mismatch");
        }
        {
            // A manifest by another key than the new holder key.
            SigningKey stranger = newKey();
            const Bytes byStranger = resign(*offered, stranger);
            TransferAcceptance acc = acceptanceFor(id, offerDigest, bKey, byStranger, rawB.aKid());
            EXPECT_REFUSAL(rawB.send("POST", acceptPath(id),
                                     acceptBody(*signTransferAcceptance(acc, bKey), byStranger)),
                           400, "manifest-key-mismatch");
        }
        {
            // A manifest whose own signature is broken.
            const Bytes broken = tamperSignature(manifest);
            TransferAcceptance acc = acceptanceFor(id, offerDigest, bKey, manifest, rawB.aKid());
            acc.manifestDigest = sha256(broken);
            EXPECT_REFUSAL(rawB.send("POST", acceptPath(id),
                                     acceptBody(*signTransferAcceptance(acc, bKey), broken)),
                           400, "avatar-manifest-invalid");
        }
        {
            // Other media than the avatar being transferred.
            const Bytes otherMedia = signedManifest(pkg1, bKey);
            TransferAcceptance acc = acceptanceFor(id, offerDigest, bKey, otherMedia, rawB.aKid());
            EXPECT_REFUSAL(rawB.send("POST", acceptPath(id),
                                     acceptBody(*signTransferAcceptance(acc, bKey), otherMedia)),
                           409, "transfer-media-mismatch");
        }
        // Not authenticated at all.
        EXPECT_REFUSAL(rawB.send("POST", acceptPath(id), acceptBody(signedAcc, manifest), false),
                       401, "not-authenticated");
        EXPECT_REFUSAL(rawB.send("GET", "/v1/transfers", {}, false), 401, "not-authenticated");
        EXPECT_REFUSAL(rawB.send("GET", "/v1/me", {}, false), 401, "not-authenticated");
        EXPECT_REFUSAL(rawB.send("DELETE", QByteArray::fromStdString("/v1/transfers/" + id)), 405,
                       "method-not-allowed");
        EXPECT_REFUSAL(
            rawB.send("POST", QByteArray::fromStdString("/v1/transfers/" + id + "/nope")), 404,
            "not-found");

        // The good acceptance works once; the same signed acceptance again is a replay.
        HttpResult ok = rawB.send("POST", acceptPath(id), acceptBody(signedAcc, manifest));
        QCOMPARE(ok.status, 200);
        proto::TransferResult result;
        QVERIFY(result.ParseFromArray(ok.body.constData(), int(ok.body.size())));
        QCOMPARE(result.transfer().state(), std::string("accepted"));
        auto record =
            parseLogReceipt(view(result.log_receipt().SerializeAsString()), b.profile.logKey);
        QVERIFY(record.ok());
        auto verified = verifyTransferEntry(record->entry);
        QVERIFY(verified.ok());
        QVERIFY(verified->acceptance.encoded == signedAcc);
        QVERIFY(verified->offer.encoded == signedGood);
        auto replay = rawB.send("POST", acceptPath(id), acceptBody(signedAcc, manifest));
        EXPECT_REFUSAL(replay, 409, "acceptance-replayed");
        // A fresh acceptance of the finished transfer: no longer pending.
        TransferAcceptance fresh = acceptanceFor(id, offerDigest, bKey, manifest, rawB.aKid());
        EXPECT_REFUSAL(rawB.send("POST", acceptPath(id),
                                 acceptBody(*signTransferAcceptance(fresh, bKey), manifest)),
                       409, "transfer-not-pending");
        // JSON for a person: the list and the account.
        HttpResult json = rawB.send("GET", "/v1/me", {}, true, "application/json");
        QCOMPARE(json.status, 200);
        QVERIFY2(json.body.contains("\"transfer_handle\""), json.body.constData());
        QVERIFY(server.running());
    }

    // A database from before ownership transfer (no transfer handles, the log not indexed by
    // DT): the service upgrades it at start, and transfers work on the old DTs.
    void upgradeFromEarlierSchema() {
        HomenetServer server;
        QVERIFY(server.start());
        const QString pkg = avatarCopy(server.scratch(QStringLiteral("pkg")));
        Subscriber a = subscriber(server, 1);
        Subscriber b = subscriber(server, 2);
        REQUIRE_OK(authenticate(*a.client));
        REQUIRE_OK(authenticate(*b.client));
        auto reg = registerDt(a, pkg);
        REQUIRE_OK(reg);
        QCOMPARE(server.stop(), 0);
        QString failed;
        QVERIFY(server.withDatabase([&](QSqlDatabase& db) {
            QSqlQuery q(db);
            for (const char* sql :
                 {"DROP TABLE subscriber_handles", "DROP TABLE log_dts", "DROP TABLE transfers",
                  "UPDATE meta SET value = 1 WHERE name = 'schema_version'"})
                if (failed.isEmpty() && !q.exec(QString::fromLatin1(sql)))
                    failed = QString::fromLatin1(sql);
        }));
        QVERIFY2(failed.isEmpty(), qPrintable(failed));
        QVERIFY(server.restart());
        QVERIFY(server.log().contains("\"event\":\"schema-upgraded\""));
        auto meA = me(*a.client);
        auto meB = me(*b.client);
        REQUIRE_OK(meA);
        REQUIRE_OK(meB);
        QVERIFY(meA->transferHandle != meB->transferHandle);
        auto h = history(*a.client, reg->credential.claims.dtId);
        REQUIRE_OK(h);
        QCOMPARE(h->entries.size(), std::size_t{1});
        auto offered = offer(a, reg->credentialBytes, meB->transferHandle);
        REQUIRE_OK(offered);
        auto incoming = fetchTransfer(*b.client, offered->transferId);
        REQUIRE_OK(incoming);
        REQUIRE_OK(accept(*b.client, *incoming, newKey()));
        // A second start finds nothing to upgrade, and the handles stay.
        QCOMPARE(server.stop(), 0);
        QVERIFY(server.restart());
        QVERIFY(!server.log().contains("schema-upgraded"));
        QCOMPARE(me(*a.client)->transferHandle, meA->transferHandle);
    }

    // SIGKILL while acceptances are being handled: after a restart every DT has exactly one
    // owner (the previous one with its credential valid and the offer still open, or the new one
    // with the previous credential revoked, the transfer accepted and logged); everything
    // acknowledged is there; the log verifies; cut-off transfers can be accepted afterwards.
    void killDuringAcceptances() {
        HomenetServer server;
        const QStringList flags{QStringLiteral("--rate-limit"), QStringLiteral("0"),
                                QStringLiteral("--log-level"), QStringLiteral("debug")};
        QVERIFY(server.start(flags));
        constexpr int kPairs = 24;
        std::vector<Pair> pairs(kPairs);
        for (int i = 0; i < kPairs; ++i) {
            Pair& p = pairs[std::size_t(i)];
            p.owner = subscriber(server, 100 + 2 * i);
            p.recipient = subscriber(server, 101 + 2 * i);
            REQUIRE_OK(authenticate(*p.owner.client));
            REQUIRE_OK(authenticate(*p.recipient.client));
            // An avatar of its own each: one active twin per media root.
            auto reg = registerDt(p.owner,
                                  avatarCopy(server.scratch(QStringLiteral("pkg%1").arg(i)), i + 1));
            REQUIRE_OK(reg);
            p.reg = std::move(reg).value();
            auto handle = me(*p.recipient.client);
            REQUIRE_OK(handle);
            REQUIRE_OK(offer(p.owner, p.reg.credentialBytes, handle->transferHandle));
            auto incoming = listTransfers(*p.recipient.client);
            REQUIRE_OK(incoming);
            QCOMPARE(incoming->size(), std::size_t{1});
            auto full = fetchTransfer(*p.recipient.client, incoming->front().transferId);
            REQUIRE_OK(full);
            p.offered = std::move(full).value();
            p.newKey = newKey();
            p.manifest = resign(p.offered, p.newKey);
        }
        auto headBefore = await<SignedTreeHead>(
            [&](auto cb) { pairs[0].owner.client->fetchTreeHead(std::move(cb)); });
        REQUIRE_OK(headBefore);
        QCOMPARE(headBefore->head.treeSize, std::uint64_t(kPairs));

        const QByteArray done = "/accept\",\"status\":200";
        const int startLines = int(server.pollLog().count(done));
        for (Pair& p : pairs)
            p.recipient.client->acceptTransfer(
                p.offered, {}, p.newKey, p.manifest,
                [&p](ClientResult<netclient::AcceptedTransfer> r) { p.result.emplace(std::move(r)); });
        QElapsedTimer t;
        t.start();
        auto answered = [&] { return int(server.pollLog().count(done)) - startLines; };
        while (t.elapsed() < 30000 && answered() < 3)
            QCoreApplication::processEvents(QEventLoop::AllEvents, 2);
        server.kill();
        const int committed = answered();
        while (t.elapsed() < 40000) {
            QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
            bool all = true;
            for (const Pair& p : pairs)
                all = all && p.result.has_value();
            if (all)
                break;
        }
        int acknowledged = 0, cutOff = 0;
        for (const Pair& p : pairs) {
            QVERIFY(p.result.has_value());
            (p.result->ok() ? acknowledged : cutOff)++;
        }
        qInfo("service answered %d acceptances before the kill; client saw %d acknowledged, %d cut "
              "off",
              committed, acknowledged, cutOff);
        QVERIFY2(cutOff > 0, "the kill did not interrupt any acceptance");

        QVERIFY(server.restart(flags));
        auto& probe = *pairs[0].owner.client;
        auto headAfter =
            await<SignedTreeHead>([&](auto cb) { probe.fetchTreeHead(std::move(cb)); });
        REQUIRE_OK(headAfter);
        REQUIRE_OK(await<ConsistencyProof>(
            [&](auto cb) { probe.checkConsistency(*headBefore, *headAfter, std::move(cb)); }));
        auto status = statusList(probe);
        REQUIRE_OK(status);

        int moved = 0, survived = 0;
        for (Pair& p : pairs) {
            const std::string& dtId = p.reg.credential.claims.dtId;
            auto ownerDts = await<std::vector<netclient::DtRecord>>(
                [&](auto cb) { p.owner.client->listDts(std::move(cb)); });
            auto recipientDts = await<std::vector<netclient::DtRecord>>(
                [&](auto cb) { p.recipient.client->listDts(std::move(cb)); });
            REQUIRE_OK(ownerDts);
            REQUIRE_OK(recipientDts);
            const bool withOwner = ownerDts->size() == 1 && ownerDts->front().dtId == dtId &&
                                   ownerDts->front().state == "active";
            const bool withRecipient = recipientDts->size() == 1 &&
                                       recipientDts->front().dtId == dtId &&
                                       recipientDts->front().state == "active";
            QVERIFY2(withOwner != withRecipient, dtId.c_str()); // exactly one owner
            QVERIFY(ownerDts->size() + recipientDts->size() == 1);
            if (p.result->ok())
                QVERIFY2(withRecipient, "an acknowledged transfer was lost");
            auto transfer = fetchTransfer(*p.owner.client, p.offered.transferId);
            REQUIRE_OK(transfer);
            const bool revoked = *status->isRevoked(p.reg.credential.claims.statusListIndex);
            if (withRecipient) {
                ++moved;
                ++survived;
                QCOMPARE(QString::fromStdString(transfer->state), QStringLiteral("accepted"));
                QVERIFY(revoked);
                auto cred = parseCredential(recipientDts->front().credential);
                QVERIFY(cred.ok());
                QVERIFY(cred->claims.holderKey == p.newKey.publicKey());
                QCOMPARE(*status->isRevoked(cred->claims.statusListIndex), false);
                // Both parties' histories verify and end with the transfer.
                for (ServiceClient* c : {p.owner.client.get(), p.recipient.client.get()}) {
                    auto h = history(*c, dtId);
                    REQUIRE_OK(h);
                    QCOMPARE(h->entries.size(), std::size_t{2});
                    QCOMPARE(h->entries[1].entry.type, LogEntryType::Transfer);
                }
                REQUIRE_OK(receipt(*p.owner.client, p.offered.transferId));
            } else {
                QCOMPARE(QString::fromStdString(transfer->state), QStringLiteral("pending"));
                QVERIFY(!revoked);
                auto h = history(*p.owner.client, dtId);
                REQUIRE_OK(h);
                QCOMPARE(h->entries.size(), std::size_t{1});
                // A cut-off acceptance can simply be made again.
                auto again = accept(*p.recipient.client, p.offered, p.newKey, {}, p.manifest);
                REQUIRE_OK(again);
                ++moved;
            }
        }
        QCOMPARE(moved, kPairs);
        // Every acceptance the service answered before the kill survived it.
        QVERIFY2(survived >= committed,
                 qPrintable(QStringLiteral("%1 of %2").arg(survived).arg(committed)));
        // One log entry per issuance and per transfer, nothing orphaned.
        auto headFinal =
            await<SignedTreeHead>([&](auto cb) { probe.fetchTreeHead(std::move(cb)); });
        REQUIRE_OK(headFinal);
        QCOMPARE(headFinal->head.treeSize, std::uint64_t(2 * kPairs));
        REQUIRE_OK(await<ConsistencyProof>(
            [&](auto cb) { probe.checkConsistency(*headAfter, *headFinal, std::move(cb)); }));
    }
};

TWINSEAL_TEST(TransferTest, "transfer")
} // namespace test_transfer
} // namespace

#include "test_transfer.moc"
