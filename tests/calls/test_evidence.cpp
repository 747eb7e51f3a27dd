// Call evidence against the real twinseal-homenet over TLS: Alice builds her evidence for a
// room (fresh assertion bound to the room URI with an ephemeral key, her credential, a media
// grant, her home network's address); Bob verifies it against her home network (status list,
// log inclusion, her avatar fetched with the grant and verified while it streams) with his
// device's trust list, pins and replay cache. Then a replay, another room's evidence and a
// stale assertion each fail with their own reason, and the avatar is fetched only once.
#include <QDir>
#include <QEventLoop>
#include <QFile>
#include <QSignalSpy>
#include <QTimer>
#include <QtTest>

#include <algorithm>
#include <memory>
#include <optional>

#include "../homenet/homenet_fixture.h"
#include "fake_room_host.h"
#include "test_macros.h"
#include "testmain.h"

#include <twinseal/calls/call_client.h>
#include <twinseal/calls/evidence_builder.h>
#include <twinseal/calls/peer_evidence_verifier.h>
#include <twinseal/calls/room_roles.h>
#include <twinseal/netclient/avatar_transfer.h>
#include <twinseal/security/assertion.h>
#include <twinseal/security/role_credential.h>
#include <twinseal/security/x509.h>
#include <twinseal/twin/twin_session.h>
#include <twinseal/twin/twin_store.h>

namespace {
namespace test_evidence {

using namespace twinseal;
using namespace twinseal::test;
using namespace twinseal::calls;
using twinseal::test::calls::FakeRoomHost;
using security::CheckId;
using security::CheckState;
using security::ErrorCode;
using security::OverallState;

namespace {

const auto& testRoom() {
    static const std::string value = "urn:twinseal:room:test-operator:theatre-3";
    return value;
}

netclient::ClientResult<OwnEvidence> build(EvidenceBuilder& builder, const std::string& dest) {
    return await<OwnEvidence>([&](auto cb) { builder.build(dest, std::move(cb)); });
}

std::optional<PeerOutcome> verify(PeerEvidenceVerifier& verifier, const proto::Evidence& evidence,
                                  const std::string& room) {
    std::optional<security::Result<PeerOutcome>> result;
    QEventLoop loop;
    verifier.verify(evidence, room, [&](security::Result<PeerOutcome> r) {
        result.emplace(std::move(r));
        loop.quit();
    });
    if (!result) {
        QTimer::singleShot(60000, &loop, &QEventLoop::quit);
        loop.exec();
    }
    if (!result || !result->ok()) {
        qWarning("verification did not finish: %s", result ? result->error().message().c_str() : "timeout");
        return std::nullopt;
    }
    return std::move(result->value());
}

QString describe(const PeerOutcome& o) {
    return QString::fromStdString(o.report.summary() + " | media: " + o.media);
}

// A subscriber's device with a registered twin: the avatar package (a copy of the sample avatar)
// uploaded to the home network, the credential in the data directory, the holder key in the
// session (with the profile read back from disk, at the SQN its client has reached).
struct Device {
    security::Credential credential;
    std::unique_ptr<twin::TwinStore> store;
    std::unique_ptr<twin::TwinSession> session;
};

std::optional<Device> registerDevice(HomenetServer& server, TestSubscriber& subscriber,
                                     const QString& name, int avatarVariant = 0) {
    const QString package = avatarCopy(server.scratch(name + QStringLiteral("-avatar")), avatarVariant);
    security::Manifest manifest;
    const security::Bytes signedManifest = test::signedManifest(package, subscriber.holder, &manifest);
    if (!authenticate(*subscriber.client).ok())
        return std::nullopt;
    auto reg = registerDt(subscriber, signedManifest);
    if (!reg.ok())
        return std::nullopt;
    const std::string avatarId = reg->credential.claims.avatarId;
    if (!await<netclient::AvatarRecord>([&](auto cb) {
             subscriber.client->uploadAvatar(avatarId, manifest, package, std::move(cb));
         }).ok())
        return std::nullopt;
    Device device{reg->credential, std::make_unique<twin::TwinStore>(server.scratch(name + QStringLiteral("-data"))), {}};
    QDir().mkpath(device.store->dataDir());
    if (!device.store->storeCredential(reg->credentialBytes).ok())
        return std::nullopt;
    auto profile = security::UsimProfileData::load(subscriber.path.toStdString());
    if (!profile.ok())
        return std::nullopt;
    device.session = std::make_unique<twin::TwinSession>(std::move(*profile), subscriber.path);
    device.session->adoptKey(std::move(subscriber.holder));
    return device;
}

} // namespace

class CallEvidenceTest : public QObject {
    Q_OBJECT

    HomenetServer m_server;
    std::optional<TestSubscriber> m_alice;
    std::optional<TestSubscriber> m_bob;
    std::unique_ptr<twin::TwinStore> m_aliceStore;
    std::unique_ptr<twin::TwinSession> m_aliceSession;
    std::unique_ptr<twin::TwinStore> m_bobStore;
    std::string m_aliceDtId;

    // Bob's device verifying peers of his own operator (Alice's): his trust list, pins and replay
    // cache, the operator's home network, and a media cache of its own (`cacheName`).
    std::optional<PeerVerifierConfig> bobsVerifier(const QString& cacheName) {
        auto stores = storesOf(*m_bobStore, m_bob->profile.trustListPem);
        if (!stores.ok())
            return std::nullopt;
        PeerVerifierConfig config;
        config.stores = std::move(*stores);
        config.homeNetworks.add(HomeNetworkEntry::fromProfile(m_bob->profile));
        config.cacheDir = m_server.scratch(cacheName);
        return config;
    }

private slots:
    void initTestCase() {
        QVERIFY(m_server.start({QStringLiteral("--rate-limit"), QStringLiteral("0")})); // many devices from one address
        m_alice.emplace(addTestSubscriber(m_server, QStringLiteral("alice.usim"), 1));
        m_bob.emplace(addTestSubscriber(m_server, QStringLiteral("bob.usim"), 2));

        // Alice registers her twin and uploads her avatar to her home network.
        auto alice = registerDevice(m_server, *m_alice, QStringLiteral("alice"));
        QVERIFY(alice);
        m_aliceDtId = alice->credential.claims.dtId;
        m_aliceStore = std::move(alice->store);
        m_aliceSession = std::move(alice->session);

        m_bobStore = std::make_unique<twin::TwinStore>(m_server.scratch(QStringLiteral("bob-data")));
        QDir().mkpath(m_bobStore->dataDir());
    }

    void verifiedThenReplayDestinationStaleAndCache() {
        EvidenceBuilder builder(*m_aliceStore, *m_aliceSession);
        auto config = bobsVerifier(QStringLiteral("bob-cache"));
        QVERIFY(config);
        PeerEvidenceVerifier verifier(*config);

        // 1. Fresh evidence for the room: Verified, the avatar fetched once.
        auto own = build(builder, testRoom());
        REQUIRE_OK(own);
        QVERIFY(!own->evidence.media_grant().empty());
        QCOMPARE(own->evidence.home_network_url(), m_alice->profile.serviceUrl);
        auto parsed = security::parseAssertion(own->evidence.assertion());
        QVERIFY(parsed.ok());
        QCOMPARE(parsed->claims.dest, std::vector<std::string>{testRoom()});
        QCOMPARE(parsed->claims.ephemeralKey, own->ephemeral->publicKey());

        auto first = verify(verifier, own->evidence, testRoom());
        QVERIFY(first);
        QVERIFY2(first->report.state == OverallState::Verified, qPrintable(describe(*first)));
        for (const auto& check : first->report.checks)
            QVERIFY2(check.state == CheckState::Passed, std::string(security::checkIdName(check.id)).c_str());
        QCOMPARE(first->media, std::string("fetched"));
        QCOMPARE(verifier.mediaDownloads(), 1);
        QVERIFY(QFileInfo(first->mediaDirectory).isDir());
        QCOMPARE(first->ephemeralKey, own->ephemeral->publicKey());

        // 2. The same evidence again: a replay.
        auto replayed = verify(verifier, own->evidence, testRoom());
        QVERIFY(replayed);
        QVERIFY2(replayed->report.state == OverallState::Failed, qPrintable(describe(*replayed)));
        QCOMPARE(replayed->report.reason, ErrorCode::AssertionReplayed);
        QVERIFY(replayed->mediaDirectory.isEmpty());
        QVERIFY(replayed->ephemeralKey.empty());

        // 3. Evidence for another room presented in this one.
        auto other = build(builder, "urn:twinseal:room:test-operator:other-room");
        REQUIRE_OK(other);
        auto wrongRoom = verify(verifier, other->evidence, testRoom());
        QVERIFY(wrongRoom);
        QVERIFY2(wrongRoom->report.state == OverallState::Failed, qPrintable(describe(*wrongRoom)));
        QCOMPARE(wrongRoom->report.reason, ErrorCode::WrongDestination);

        // 4. An assertion made two minutes ago (the builder's clock fixed in the past).
        security::FixedClock past(security::SystemClock::instance().now() - 120);
        EvidenceOptions pastOptions;
        pastOptions.clock = &past;
        EvidenceBuilder staleBuilder(*m_aliceStore, *m_aliceSession, pastOptions);
        auto stale = staleBuilder.assemble(testRoom(), *builder.grant());
        REQUIRE_OK(stale);
        auto staleOutcome = verify(verifier, stale->evidence, testRoom());
        QVERIFY(staleOutcome);
        QVERIFY2(staleOutcome->report.state == OverallState::Failed, qPrintable(describe(*staleOutcome)));
        QCOMPARE(staleOutcome->report.reason, ErrorCode::AssertionStale);

        // 5. Fresh evidence again: Verified with the avatar from the cache, not fetched twice.
        auto again = build(builder, testRoom());
        REQUIRE_OK(again);
        QCOMPARE(again->evidence.media_grant(), own->evidence.media_grant()); // the grant is reused
        auto second = verify(verifier, again->evidence, testRoom());
        QVERIFY(second);
        QVERIFY2(second->report.state == OverallState::Verified, qPrintable(describe(*second)));
        QCOMPARE(second->media, std::string("cache"));
        QCOMPARE(verifier.mediaDownloads(), 1);
    }

    // A room requiring "surgeon" vouched for by St. Mary's: every participant checks each peer's
    // role credential itself, bound to the peer's holder key (the host is not trusted to).
    void peerMustProveTheRoomsRoles() {
        using namespace twinseal::security;
        const std::int64_t now = SystemClock::instance().now();
        auto rootKey = SigningKey::generate(KeyAlgorithm::Ed25519);
        REQUIRE_OK(rootKey);
        auto root = createRootCertificate(*rootKey, {"St. Mary's Root", "St. Mary's", now - 86400,
                                                     now + 365L * 86400, true});
        REQUIRE_OK(root);
        auto issuingKey = SigningKey::generate(KeyAlgorithm::Ed25519);
        REQUIRE_OK(issuingKey);
        auto issuingCert = issueCertificate(*rootKey, *root, issuingKey->publicKey(),
                                            {"St. Mary's Role Issuer", "St. Mary's", now - 86400,
                                             now + 30L * 86400, false});
        REQUIRE_OK(issuingCert);
        QVERIFY(m_aliceStore->credential());
        RoleClaims claims;
        claims.enterprise = "St. Mary's";
        claims.role = "surgeon";
        claims.organisation = "St. Mary's";
        claims.holderThumbprint = m_aliceStore->credential()->claims.holderKey.thumbprint();
        claims.notBefore = now - 3600;
        claims.notAfter = now + 86400;
        claims.issuedAt = claims.notBefore;
        auto surgeon = issueRoleCredential(claims, *issuingKey, {*issuingCert}, SystemRandom::instance());
        REQUIRE_OK(surgeon);

        proto::RoomPolicy policy;
        proto::RoleRequirement* required = policy.add_required_roles();
        required->set_role("surgeon");
        required->add_enterprise_roots_pem(root->pem());
        const RoleRequirement requirement = roomRoleRequirement(policy);
        QCOMPARE(requirement.roles.size(), std::size_t{1});

        auto config = bobsVerifier(QStringLiteral("bob-role-cache"));
        QVERIFY(config);
        PeerEvidenceVerifier verifier(*config);
        auto verifyWithRoles = [&](const proto::Evidence& evidence) {
            std::optional<security::Result<PeerOutcome>> result;
            QEventLoop loop;
            verifier.verify(evidence, testRoom(), requirement, [&](security::Result<PeerOutcome> r) {
                result.emplace(std::move(r));
                loop.quit();
            });
            if (!result) {
                QTimer::singleShot(60000, &loop, &QEventLoop::quit);
                loop.exec();
            }
            return result;
        };

        // Without a role credential: Failed, role-missing, never shown.
        EvidenceBuilder plain(*m_aliceStore, *m_aliceSession);
        auto without = build(plain, testRoom());
        REQUIRE_OK(without);
        auto refused = verifyWithRoles(without->evidence);
        QVERIFY(refused && refused->ok());
        QVERIFY2((*refused)->report.state == OverallState::Failed, qPrintable(describe(**refused)));
        QCOMPARE((*refused)->report.reason, ErrorCode::RoleMissing);
        QVERIFY((*refused)->ephemeralKey.empty());

        // With St. Mary's surgeon credential for her own holder key: Verified, the role proven.
        EvidenceOptions options;
        options.roleCredentials.push_back(surgeon->encoded);
        EvidenceBuilder withRole(*m_aliceStore, *m_aliceSession, options);
        auto with = build(withRole, testRoom());
        REQUIRE_OK(with);
        QCOMPARE(with->evidence.role_credentials_size(), 1);
        auto admitted = verifyWithRoles(with->evidence);
        QVERIFY(admitted && admitted->ok());
        QVERIFY2((*admitted)->report.state == OverallState::Verified, qPrintable(describe(**admitted)));
        const CheckResult* role = (*admitted)->report.find(CheckId::RoleCredential);
        QVERIFY(role);
        QCOMPARE(role->state, CheckState::Passed);
        QVERIFY2((*admitted)->report.summary().find("surgeon") != std::string::npos,
                 (*admitted)->report.summary().c_str());
    }

    void tamperedCacheFailsAndIsFetchedAgain() {
        EvidenceBuilder builder(*m_aliceStore, *m_aliceSession);
        auto config = bobsVerifier(QStringLiteral("bob-cache-2"));
        QVERIFY(config);
        PeerEvidenceVerifier verifier(*config);

        auto own = build(builder, testRoom());
        REQUIRE_OK(own);
        auto first = verify(verifier, own->evidence, testRoom());
        QVERIFY(first);
        QVERIFY2(first->report.state == OverallState::Verified, qPrintable(describe(*first)));

        // A file of the cached package changes on disk: the next peer check fails on the media
        // (never shown), the entry is dropped, and the one after fetches the avatar afresh.
        QFile meta(QDir(first->mediaDirectory).filePath(QStringLiteral("avatar.json")));
        QVERIFY(meta.open(QIODevice::Append));
        meta.write(" ");
        meta.close();
        auto own2 = build(builder, testRoom());
        REQUIRE_OK(own2);
        auto tampered = verify(verifier, own2->evidence, testRoom());
        QVERIFY(tampered);
        QVERIFY2(tampered->report.state == OverallState::Failed, qPrintable(describe(*tampered)));
        QVERIFY(tampered->report.find(CheckId::MediaContent)->state == CheckState::Failed);
        QVERIFY(tampered->mediaDirectory.isEmpty());

        auto own3 = build(builder, testRoom());
        REQUIRE_OK(own3);
        auto refetched = verify(verifier, own3->evidence, testRoom());
        QVERIFY(refetched);
        QVERIFY2(refetched->report.state == OverallState::Verified, qPrintable(describe(*refetched)));
        QCOMPARE(refetched->media, std::string("fetched"));
        QCOMPARE(verifier.mediaDownloads(), 2);
    }

    // Two twins certified with byte-identical avatar packages share a media root but not a
    // manifest (each is signed by its own holder): the second is fetched with its own manifest
    // and Verified, not refused on the first one's cached manifest. A home network certifies a
    // media root to one active twin at a time, so Erin's twin is revoked before Dave certifies
    // the same package.
    void identicalAvatarOfAnotherTwinIsFetchedWithItsOwnManifest() {
        constexpr int kPackage = 5;
        TestSubscriber erinSubscriber = addTestSubscriber(m_server, QStringLiteral("erin.usim"), 5);
        auto erin = registerDevice(m_server, erinSubscriber, QStringLiteral("erin"), kPackage);
        QVERIFY(erin);

        auto config = bobsVerifier(QStringLiteral("bob-cache-identical"));
        QVERIFY(config);
        PeerEvidenceVerifier verifier(*config);

        EvidenceBuilder erinBuilder(*erin->store, *erin->session);
        auto erinEvidence = build(erinBuilder, testRoom());
        REQUIRE_OK(erinEvidence);
        auto first = verify(verifier, erinEvidence->evidence, testRoom());
        QVERIFY(first);
        QVERIFY2(first->report.state == OverallState::Verified, qPrintable(describe(*first)));
        REQUIRE_OK(await<netclient::DtRecord>([&](auto cb) {
            erinSubscriber.client->revoke(erin->credential.claims.dtId, "new phone", std::move(cb));
        }));

        TestSubscriber daveSubscriber = addTestSubscriber(m_server, QStringLiteral("dave.usim"), 4);
        auto dave = registerDevice(m_server, daveSubscriber, QStringLiteral("dave"), kPackage);
        QVERIFY(dave);
        QCOMPARE(dave->credential.claims.mediaRoot, erin->credential.claims.mediaRoot);

        EvidenceBuilder daveBuilder(*dave->store, *dave->session);
        auto daveEvidence = build(daveBuilder, testRoom());
        REQUIRE_OK(daveEvidence);
        auto second = verify(verifier, daveEvidence->evidence, testRoom());
        QVERIFY(second);
        QVERIFY2(second->report.state == OverallState::Verified, qPrintable(describe(*second)));
        QCOMPARE(second->media, std::string("fetched"));
        QCOMPARE(verifier.mediaDownloads(), 2);
    }

    void participantOfAnotherOperator() {
        // Carol's operator (B) runs a home network of its own, with its own root and TLS CA.
        HomenetServer operatorB;
        QVERIFY(operatorB.start({QStringLiteral("--rate-limit"), QStringLiteral("0")}));
        TestSubscriber carol = addTestSubscriber(operatorB, QStringLiteral("carol.usim"), 3);
        QVERIFY(carol.profile.trustListPem != m_alice->profile.trustListPem);
        twin::TwinStore carolStore(operatorB.scratch(QStringLiteral("carol-data")));
        QDir().mkpath(carolStore.trustDir());
        EvidenceBuilder builder(*m_aliceStore, *m_aliceSession);

        auto verifierFor = [&](const QString& cache, std::optional<HomeNetworkEntry> entry) {
            auto stores = storesOf(carolStore, carol.profile.trustListPem);
            PeerVerifierConfig config;
            config.stores = stores.ok() ? std::move(*stores) : twin::PeerStores{};
            if (entry)
                config.homeNetworks.add(*entry);
            config.cacheDir = operatorB.scratch(cache);
            return std::make_unique<PeerEvidenceVerifier>(config);
        };
        // Operator A's home network as Carol's configuration file names it: its address, TLS CA
        // and keys.
        HomeNetworkDirectory configured;
        configured.add(HomeNetworkEntry::fromProfile(m_alice->profile));
        const QString configFile = operatorB.scratch(QStringLiteral("home-networks.json"));
        QVERIFY(saveHomeNetworks(configured, configFile).ok());
        auto loaded = loadHomeNetworks(configFile);
        QVERIFY(loaded.ok());
        const HomeNetworkEntry operatorA = loaded->entries().at(0);

        // A's TLS certificate does not chain to the CA configured for it: nothing is fetched.
        HomeNetworkEntry wrongCa = operatorA;
        wrongCa.tlsCaPem = carol.profile.tlsCaPem;
        auto tlsVerifier = verifierFor(QStringLiteral("cache-tls"), wrongCa);
        auto own = build(builder, testRoom());
        REQUIRE_OK(own);
        auto tls = verify(*tlsVerifier, own->evidence, testRoom());
        QVERIFY(tls);
        QVERIFY2(tls->report.state != OverallState::Verified, qPrintable(describe(*tls)));
        QVERIFY2(tls->report.find(CheckId::Revocation)->detail.find("tls") != std::string::npos,
                 tls->report.find(CheckId::Revocation)->detail.c_str());
        QCOMPARE(tlsVerifier->mediaDownloads(), 1);
        QVERIFY(tls->mediaDirectory.isEmpty());

        // A's root is not in Carol's trust list yet: sound, but never Verified.
        auto untrustedVerifier = verifierFor(QStringLiteral("cache-untrusted"), operatorA);
        own = build(builder, testRoom());
        REQUIRE_OK(own);
        auto untrusted = verify(*untrustedVerifier, own->evidence, testRoom());
        QVERIFY(untrusted);
        QVERIFY2(untrusted->report.state != OverallState::Verified, qPrintable(describe(*untrusted)));
        QVERIFY(untrusted->mediaDirectory.isEmpty());

        // With A's root in Carol's trust list: Alice is verified against A's own status list,
        // log and repository, over TLS to A's CA.
        QFile root(QDir(carolStore.trustDir()).filePath(QStringLiteral("operator-a.pem")));
        QVERIFY(root.open(QIODevice::WriteOnly));
        root.write(QByteArray::fromStdString(m_alice->profile.trustListPem));
        root.close();
        auto trustedVerifier = verifierFor(QStringLiteral("cache-trusted"), operatorA);
        own = build(builder, testRoom());
        REQUIRE_OK(own);
        auto trusted = verify(*trustedVerifier, own->evidence, testRoom());
        QVERIFY(trusted);
        QVERIFY2(trusted->report.state == OverallState::Verified, qPrintable(describe(*trusted)));
        QCOMPARE(trusted->media, std::string("fetched"));
    }

    void unknownHomeNetworkIsNeverVerified() {
        EvidenceBuilder builder(*m_aliceStore, *m_aliceSession);
        auto stores = storesOf(*m_bobStore, m_bob->profile.trustListPem);
        QVERIFY(stores.ok());
        PeerVerifierConfig config;
        config.stores = std::move(*stores);
        config.cacheDir = m_server.scratch(QStringLiteral("bob-cache-3")); // no home networks known
        PeerEvidenceVerifier verifier(config);
        auto own = build(builder, testRoom());
        REQUIRE_OK(own);
        auto outcome = verify(verifier, own->evidence, testRoom());
        QVERIFY(outcome);
        // Never green: the status list, the log proof and the media could not be had.
        QVERIFY2(outcome->report.state != OverallState::Verified &&
                     outcome->report.state != OverallState::ValidUntrusted,
                 qPrintable(describe(*outcome)));
        for (CheckId id : {CheckId::Revocation, CheckId::LogInclusion}) {
            const auto* check = outcome->report.find(id);
            QVERIFY(check->state == CheckState::Skipped);
            QVERIFY2(check->detail.find("not known to this device") != std::string::npos, check->detail.c_str());
        }
        QVERIFY(outcome->mediaDirectory.isEmpty());
        QCOMPARE(verifier.mediaDownloads(), 0);
    }

    // Bob's client over TLS to a (scripted) room host: joins with his evidence, verifies Alice
    // against her home network before the call counts as set up, rejoins with the rejoin token
    // after a dropped connection (Alice's outcome stands: her evidence is not presented again),
    // passes on frames of the verified peer only, and drops a host that sends garbage.
    void clientJoinsVerifiesAndRejoins() {
        const QString package = avatarCopy(m_server.scratch(QStringLiteral("bob-avatar")), 1);
        security::Manifest manifest;
        const security::Bytes signedManifest = test::signedManifest(package, m_bob->holder, &manifest);
        REQUIRE_OK(authenticate(*m_bob->client));
        auto reg = registerDt(*m_bob, signedManifest);
        REQUIRE_OK(reg);
        const std::string avatarId = reg->credential.claims.avatarId;
        REQUIRE_OK(await<netclient::AvatarRecord>([&](auto cb) {
            m_bob->client->uploadAvatar(avatarId, manifest, package, std::move(cb));
        }));
        QVERIFY(m_bobStore->storeCredential(reg->credentialBytes).ok());
        auto profile = security::UsimProfileData::load(m_bob->path.toStdString());
        QVERIFY(profile.ok());
        twin::TwinSession bobSession(std::move(*profile), m_bob->path);
        bobSession.adoptKey(std::move(m_bob->holder));
        EvidenceBuilder bobBuilder(*m_bobStore, bobSession);

        auto stores = storesOf(*m_bobStore, m_bob->profile.trustListPem);
        QVERIFY(stores.ok());
        PeerVerifierConfig config;
        config.stores = std::move(*stores);
        config.homeNetworks.add(HomeNetworkEntry::fromProfile(m_alice->profile));
        config.cacheDir = m_server.scratch(QStringLiteral("bob-cache-client"));
        PeerEvidenceVerifier verifier(config);

        FakeRoomHost host;
        QVERIFY(host.start());
        EvidenceBuilder aliceBuilder(*m_aliceStore, *m_aliceSession);
        auto alice = build(aliceBuilder, testRoom());
        REQUIRE_OK(alice);
        int joins = 0;
        connect(&host, &FakeRoomHost::messageReceived, this, [&](const proto::CallMessage& m) {
            if (!m.has_join_room())
                return;
            ++joins;
            proto::CallMessage answer;
            auto* joined = answer.mutable_room_joined();
            joined->mutable_room()->set_room_id("theatre-3");
            joined->mutable_room()->set_room_uri(testRoom());
            joined->set_participant_id(2);
            joined->set_rejoin_token("rt-" + std::to_string(joins));
            auto* peer = joined->add_participants();
            peer->set_participant_id(1);
            *peer->mutable_evidence() = alice->evidence;
            host.send(answer);
        });

        CallClientOptions options;
        options.url = host.url();
        options.tlsCaPem = host.caPem();
        options.setup.ownHandle = "tw-bob";
        options.setup.graceMs = 120000;
        options.reconnectDelayMs = 50;
        CallClient client(options, bobBuilder, verifier);
        QSignalSpy reports(&client, &CallClient::peerReport);
        QSignalSpy errors(&client, &CallClient::protocolError);
        QSignalSpy frames(&client, &CallClient::frameReceived);
        QSignalSpy states(&client, &CallClient::stateChanged);

        client.connectToHost();
        QTRY_VERIFY_WITH_TIMEOUT(client.connected(), 30000);
        client.join("theatre-3", testRoom());
        QTRY_VERIFY_WITH_TIMEOUT(client.state() == CallState::InCall, 60000);
        QCOMPARE(reports.size(), 1);
        QCOMPARE(reports.at(0).at(0).toUInt(), 1u);
        QVERIFY2(reports.at(0).at(1).toString() ==
                     QString::fromUtf8(security::overallStateName(OverallState::Verified).data()),
                 qPrintable(reports.at(0).at(2).toString()));
        QVERIFY(client.outcome(1) && !client.outcome(1)->mediaDirectory.isEmpty());
        // What Bob sent: his evidence for this room, with a media grant, no rejoin token.
        const auto& join = host.received().at(0).join_room();
        QCOMPARE(join.room_id(), std::string("theatre-3"));
        QVERIFY(join.rejoin_token().empty());
        QVERIFY(!join.evidence().media_grant().empty());
        auto assertion = security::parseAssertion(join.evidence().assertion());
        QVERIFY(assertion.ok());
        QCOMPARE(assertion->claims.dest, std::vector<std::string>{testRoom()});

        host.drop();
        QTRY_COMPARE_WITH_TIMEOUT(joins, 2, 60000);
        QTRY_VERIFY_WITH_TIMEOUT(client.state() == CallState::InCall, 60000);
        const auto lastJoin = [&] {
            proto::JoinRoom last;
            for (const auto& m : host.received())
                if (m.has_join_room())
                    last = m.join_room();
            return last;
        };
        QCOMPARE(lastJoin().rejoin_token(), std::string("rt-1"));
        QCOMPARE(reports.size(), 1);

        // Bob keyed the call for Alice (wrapped to the `epk` of her verified assertion); Alice
        // keys it for Bob (the `epk` of his last join) and protects her frames with SFrame.
        QTRY_VERIFY_WITH_TIMEOUT(std::any_of(host.received().begin(), host.received().end(),
                                             [](const proto::CallMessage& m) {
                                                 return m.has_key_update() && m.key_update().to() == 1;
                                             }),
                                 30000);
        auto bobAssertion = security::parseAssertion(lastJoin().evidence().assertion());
        QVERIFY(bobAssertion.ok());
        CallFrameKeys aliceKeys("theatre-3", 1, security::FrameProtection::Confidential, alice->ephemeral,
                                security::SystemRandom::instance());
        auto aliceKeyUpdates = aliceKeys.rekey({{2, bobAssertion->claims.ephemeralKey}});
        QVERIFY(aliceKeyUpdates.ok());
        QCOMPARE(aliceKeyUpdates->size(), std::size_t(1));
        const auto protectPose = [&](float yaw) {
            AnimationFrame a;
            a.timestampUs = static_cast<std::int64_t>(yaw * 1000);
            a.head.rotation = {0.f, yaw, 0.f, 1.f};
            auto payload = encodeAnimationFrame(a);
            auto sframe = aliceKeys.protect(*payload);
            return std::make_pair(QByteArray(reinterpret_cast<const char*>(payload->data()),
                                             static_cast<qsizetype>(payload->size())),
                                  std::string(sframe->begin(), sframe->end()));
        };
        // Alice's first frame overtakes her frame key: dropped as expected during set-up, with
        // its own code (not an unknown key, which would mean an old or foreign key).
        QSignalSpy frameRefusals(&client, &CallClient::frameRefused);
        {
            proto::CallMessage early;
            early.mutable_frame()->set_room_id("theatre-3");
            early.mutable_frame()->set_from(1);
            early.mutable_frame()->set_sframe(protectPose(0.125f).second);
            host.send(early);
            QTRY_COMPARE_WITH_TIMEOUT(frameRefusals.size(), 1, 30000);
            QCOMPARE(frameRefusals.at(0).at(1).toString(), QString::fromLatin1(twinseal::calls::kFrameKeyPending));
            frameRefusals.clear();
        }
        QSignalSpy installed(&client, &CallClient::peerKeyInstalled);
        proto::CallMessage key;
        key.mutable_key_update()->set_room_id("theatre-3");
        key.mutable_key_update()->set_to(2);
        key.mutable_key_update()->set_from(1);
        key.mutable_key_update()->set_epoch(aliceKeyUpdates->at(0).epoch);
        key.mutable_key_update()->set_wrapped_key(aliceKeyUpdates->at(0).wrapped);
        host.send(key);
        QTRY_COMPARE_WITH_TIMEOUT(installed.size(), 1, 30000);
        QVERIFY(client.hasPeerFrameKey(1));
        const auto [firstPayload, firstSFrame] = protectPose(0.25f);
        proto::CallMessage frame;
        frame.mutable_frame()->set_room_id("theatre-3");
        frame.mutable_frame()->set_from(1);
        frame.mutable_frame()->set_sframe(firstSFrame);
        host.send(frame);
        QTRY_COMPARE_WITH_TIMEOUT(frames.size(), 1, 30000);
        QCOMPARE(frames.at(0).at(1).toByteArray(), firstPayload);

        // A newcomer presents Alice's evidence again: a replay. Its report says so, the call
        // goes on, and its frames never reach the UI.
        proto::CallMessage newcomer;
        newcomer.mutable_participant_joined()->set_room_id("theatre-3");
        newcomer.mutable_participant_joined()->mutable_participant()->set_participant_id(3);
        *newcomer.mutable_participant_joined()->mutable_participant()->mutable_evidence() = alice->evidence;
        host.send(newcomer);
        QTRY_COMPARE_WITH_TIMEOUT(reports.size(), 2, 60000);
        QCOMPARE(reports.at(1).at(0).toUInt(), 3u);
        QCOMPARE(reports.at(1).at(1).toString(),
                 QString::fromUtf8(security::overallStateName(OverallState::Failed).data()));
        QVERIFY2(reports.at(1).at(3).toString().contains(QStringLiteral("replay")),
                 qPrintable(reports.at(1).at(3).toString()));
        QTRY_VERIFY_WITH_TIMEOUT(client.state() == CallState::InCall, 60000);
        QVERIFY(client.outcome(3) && client.outcome(3)->mediaDirectory.isEmpty());
        frame.mutable_frame()->set_from(3);
        frame.mutable_frame()->set_sframe("from-the-replayer");
        host.send(frame);
        const auto [secondPayload, secondSFrame] = protectPose(0.5f);
        frame.mutable_frame()->set_from(1);
        frame.mutable_frame()->set_sframe(secondSFrame);
        host.send(frame);
        QTRY_COMPARE_WITH_TIMEOUT(frames.size(), 2, 30000); // in order: the replayer's was dropped
        QCOMPARE(frames.at(1).at(0).toUInt(), 1u);
        QCOMPARE(frames.at(1).at(1).toByteArray(), secondPayload);
        QCOMPARE(frameRefusals.size(), 1);
        QCOMPARE(frameRefusals.at(0).at(0).toUInt(), 3u);
        QCOMPARE(frameRefusals.at(0).at(1).toString(), QStringLiteral("peer-not-verified"));

        // Alice's credential is revoked during the call; the host's notice makes Bob re-check
        // her home network's status list at once: she is flagged, her frames stop.
        QSignalSpy revoked(&client, &CallClient::peerRevoked);
        QSignalSpy refusals(&client, &CallClient::refused);
        REQUIRE_OK(await<netclient::DtRecord>(
            [&](auto cb) { m_alice->client->revoke(m_aliceDtId, "device lost", std::move(cb)); }));
        proto::CallMessage notice;
        notice.mutable_revocation()->set_room_id("theatre-3");
        notice.mutable_revocation()->set_participant_id(1);
        host.send(notice);
        QTRY_COMPARE_WITH_TIMEOUT(revoked.size(), 1, 60000);
        QCOMPARE(revoked.at(0).at(0).toUInt(), 1u);
        QCOMPARE(reports.size(), 3);
        QCOMPARE(reports.at(2).at(1).toString(),
                 QString::fromUtf8(security::overallStateName(OverallState::Failed).data()));
        QVERIFY(client.outcome(1)->report.reason == ErrorCode::CredentialRevoked);
        QVERIFY(client.outcome(1)->mediaDirectory.isEmpty() && client.outcome(1)->ephemeralKey.empty());
        frame.mutable_frame()->set_sframe("after-revocation");
        host.send(frame);
        proto::CallMessage unknownLeft; // processed after the frame: a point to wait for
        unknownLeft.mutable_participant_left()->set_room_id("theatre-3");
        unknownLeft.mutable_participant_left()->set_participant_id(9);
        host.send(unknownLeft);
        QTRY_COMPARE_WITH_TIMEOUT(refusals.size(), 1, 30000);
        QCOMPARE(refusals.at(0).at(0).toString(), QStringLiteral("unknown-participant"));
        QCOMPARE(frames.size(), 2);

        host.sendRaw(QByteArray(16, '\xff'));
        QTRY_COMPARE_WITH_TIMEOUT(errors.size(), 1, 30000);
        QCOMPARE(errors.at(0).at(0).toString(), QStringLiteral("malformed"));
        QTRY_COMPARE_WITH_TIMEOUT(joins, 3, 60000); // the connection was closed, the call rejoined
        QTRY_VERIFY_WITH_TIMEOUT(client.state() == CallState::InCall, 60000);

        client.leave();
        QCOMPARE(client.state(), CallState::Left);
        QCOMPARE(states.constLast().at(0).value<CallState>(), CallState::Left);
        QTRY_VERIFY_WITH_TIMEOUT(host.received().back().has_leave(), 30000);
        QVERIFY(client.outcome(1) == nullptr);
    }
};

TWINSEAL_TEST(CallEvidenceTest, "evidence")
} // namespace test_evidence
} // namespace
#include "test_evidence.moc"
