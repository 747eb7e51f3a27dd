// `twinsealctl call`: headless participants, each its own twinsealctl process, in calls through
// the real twinseal-homenet room host on loopback over TLS. Every participant's data directory
// is made as a user makes it (twinsealctl keygen and register); the tests wait on the JSON lines
// the participants print.
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QtTest>

#include <cstdio>
#include <optional>
#include <vector>

#include <sys/stat.h>

#include <twinseal/calls/home_networks.h>
#include <twinseal/security/subscriber.h>
#include <twinseal/security/verify.h>

#include <twinseal/twin/pin_file.h>

#include "avatar_tampering.h"
#include "ctl_call_intruder.h"
#include "ctl_call_process.h"
#include "ctl_process.h"
#include "homenet_fixture.h"
#include "testmain.h"

namespace twinseal::test {

namespace {

const auto& passphrase() {
    static const QString value = QStringLiteral("call test pass");
    return value;
}
const auto& verifiedState() {
    static const QString value =
        QString::fromUtf8(security::overallStateName(security::OverallState::Verified).data());
    return value;
}

bool writeText(const QString& file, const std::string& text) {
    QFile f(file);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
        return false;
    return f.write(text.data(), static_cast<qint64>(text.size())) == static_cast<qint64>(text.size());
}

// A twin's data directory as `keygen` and `register` leave it: profile.usim, holder.key,
// credential.tsc, receipt.tslr, manifest.tsm, disclosures.json; the avatar uploaded.
struct DataDir {
    QString dir;
    security::UsimProfileData profile;
};

std::optional<DataDir> makeDataDir(HomenetServer& server, const QString& name, int number) {
    DataDir d;
    d.dir = server.scratch(name);
    QDir().mkpath(d.dir);
    const QString profile = d.dir + QStringLiteral("/profile.usim");
    auto usim = server.addSubscriber(QStringLiteral("imsi-00101000000%1").arg(number), profile);
    if (!usim)
        return std::nullopt;
    d.profile = *usim;
    const QProcessEnvironment env = twinsealctlEnvironment();
    auto keygen = runTwinsealctl({"keygen", "--out", d.dir + "/holder.key"}, passphrase(), env);
    if (keygen.exitCode != 0) {
        qWarning("keygen: %s", qPrintable(keygen.err));
        return std::nullopt;
    }
    const QString avatar = avatarCopy(server.scratch(name + QStringLiteral("-avatar")), number);
    auto reg = runTwinsealctl({"register", "--profile", profile, "--key", d.dir + "/holder.key",
                               "--avatar", avatar, "--out-dir", d.dir},
                              passphrase(), env);
    if (reg.exitCode != 0) {
        qWarning("register: %s", qPrintable(reg.err));
        return std::nullopt;
    }
    return d;
}

// Makes `d` trust another operator: its root in trust/, its home network in home-networks.json.
bool trustOperator(const DataDir& d, const security::UsimProfileData& other, const QString& name) {
    QDir().mkpath(d.dir + QStringLiteral("/trust"));
    if (!writeText(d.dir + QStringLiteral("/trust/") + name + QStringLiteral(".pem"), other.trustListPem))
        return false;
    calls::HomeNetworkDirectory directory;
    directory.add(calls::HomeNetworkEntry::fromProfile(other));
    return calls::saveHomeNetworks(directory, d.dir + QStringLiteral("/home-networks.json")).ok();
}

QStringList common(const DataDir& d, const QString& handle) {
    return {"--data-dir", d.dir, "--handle", handle, "--pose-rate", "20"};
}

std::unique_ptr<CtlCallProcess> start(const QString& name, const QStringList& args) {
    return std::make_unique<CtlCallProcess>(name, args, passphrase(), twinsealctlEnvironment());
}


class CtlCallTest : public QObject {
    Q_OBJECT

    HomenetServer m_a;
    std::optional<DataDir> m_alice;
    std::optional<DataDir> m_bob;
    std::optional<DataDir> m_carol;

    struct Room {
        QString id;
        QString code;
        qint64 creator = 0;
        QString uri;
    };

    // Alice creates a room by code on her home network (operator A).
    std::optional<Room> createRoom(CtlCallProcess& alice) {
        auto created = alice.waitForEvent("room-created");
        auto joined = alice.waitForEvent("joined");
        if (!created || !joined)
            return std::nullopt;
        return Room{created->value("roomId").toString(), created->value("roomCode").toString(),
                    joined->value("participantId").toInteger(), created->value("roomUri").toString()};
    }

    static qint64 joinedId(CtlCallProcess& p) {
        auto joined = p.waitForEvent("joined");
        return joined ? joined->value("participantId").toInteger() : -1;
    }

    // `p` reports each of `peers` Verified and receives their pose streams.
    static bool verifiesAndReceives(CtlCallProcess& p, std::initializer_list<qint64> peers) {
        for (qint64 id : peers)
            if (!p.waitForReport(id, verifiedState()) || !p.waitForFrames(id, 3)) {
                dump(p);
                return false;
            }
        return true;
    }

    // The whole transcript on stderr (QtTest shortens failure messages).
    static void dump(CtlCallProcess& p) { (void)std::fprintf(stderr, "%s\n", qPrintable(p.transcript())); }

    static void leaveAll(std::initializer_list<CtlCallProcess*> all) {
        for (auto* p : all)
            p->send("leave");
        for (auto* p : all) {
            QCOMPARE(p->waitExit(), 0);
            auto left = p->waitForEvent("left", 1000);
            QVERIFY(left);
            QCOMPARE(left->value("exitCode").toInt(), 0);
        }
    }

    // The next peer-report about `id` after the first `from` events.
    static std::optional<QJsonObject> reportAfter(CtlCallProcess& p, qint64 id, std::size_t from) {
        return p.waitFor([&](const QJsonObject& e) {
            return e.value("event").toString() == QLatin1String("peer-report") &&
                   e.value("participantId").toInteger() == id;
        }, 120000, from);
    }
    // The first event `name` about participant `id` with `code` after the first `from` events.
    static std::optional<QJsonObject> eventAfter(CtlCallProcess& p, const QString& name, qint64 id,
                                                 const QString& code, std::size_t from) {
        return p.waitFor([&](const QJsonObject& e) {
            return e.value("event").toString() == name && e.value("participantId").toInteger() == id &&
                   (code.isEmpty() || e.value("code").toString() == code);
        }, 120000, from);
    }
    static QString codeName(security::ErrorCode c) { return QString::fromUtf8(security::errorCodeName(c).data()); }

    // Alice (twinsealctl) in a room by code with Mallory (by hand) joined and Verified.
    struct Call {
        std::unique_ptr<CtlCallProcess> alice;
        Room room;
        std::unique_ptr<Intruder> mallory;
    };
    std::optional<Call> callWithIntruder(const QString& name, int number, const QStringList& extra = {}) {
        Call c;
        c.alice = start("alice", QStringList{"call", "create", "--room-code"} + common(*m_alice, "alice") + extra);
        auto room = createRoom(*c.alice);
        if (!room) {
            dump(*c.alice);
            return std::nullopt;
        }
        c.room = *room;
        c.mallory = Intruder::make(m_a, name, number);
        if (!c.mallory || !c.mallory->join(room->id.toStdString(), room->uri.toStdString(), room->code.toStdString()))
            return std::nullopt;
        if (!c.alice->waitForReport(c.mallory->id(), verifiedState())) {
            dump(*c.alice);
            return std::nullopt;
        }
        return c;
    }

    // Alice creates a room by code, Bob joins it: both running, Bob's participant ID known.
    struct AliceAndBob {
        std::unique_ptr<CtlCallProcess> alice;
        std::unique_ptr<CtlCallProcess> bob;
        std::optional<Room> room; // always set
        qint64 bobId = -1;
    };
    std::optional<AliceAndBob> aliceAndBob() {
        AliceAndBob c;
        c.alice = start("alice", QStringList{"call", "create", "--room-code"} + common(*m_alice, "alice"));
        auto room = createRoom(*c.alice);
        if (!room) {
            dump(*c.alice);
            return std::nullopt;
        }
        c.room = room;
        c.bob = start("bob", QStringList{"call", "join", room->id, "--code", room->code} + common(*m_bob, "bob"));
        c.bobId = joinedId(*c.bob);
        if (c.bobId <= 0) {
            dump(*c.bob);
            return std::nullopt;
        }
        return c;
    }

private slots:
    void initTestCase() {
        QVERIFY(m_a.start({QStringLiteral("--rate-limit"), QStringLiteral("0")})); // many participants from one address
        m_alice = makeDataDir(m_a, QStringLiteral("alice"), 1001);
        m_bob = makeDataDir(m_a, QStringLiteral("bob"), 1002);
        m_carol = makeDataDir(m_a, QStringLiteral("carol"), 1003);
        QVERIFY(m_alice && m_bob && m_carol);
    }

    // Three participants of one operator, each a twinsealctl process: everyone reports everyone
    // Verified (the full report embedded) and receives their pose streams.
    void threeParticipantsAllVerified() {
        auto two = aliceAndBob();
        QVERIFY(two);
        auto& [alice, bob, room, bobId] = *two;
        QVERIFY(!room->code.isEmpty());
        auto carol = start("carol", QStringList{"call", "join", room->id, "--code", room->code} + common(*m_carol, "carol"));
        const qint64 carolId = joinedId(*carol);
        QVERIFY2(carolId > 0, qPrintable(carol->transcript()));

        QVERIFY2(verifiesAndReceives(*alice, {bobId, carolId}), qPrintable(alice->transcript()));
        QVERIFY2(verifiesAndReceives(*bob, {room->creator, carolId}), qPrintable(bob->transcript()));
        QVERIFY2(verifiesAndReceives(*carol, {room->creator, bobId}), qPrintable(carol->transcript()));
        // The report is the full one: every check, the pseudonym, the state.
        auto report = alice->waitForReport(bobId, verifiedState());
        QVERIFY(report);
        QCOMPARE(report->value("report").toObject().value("state").toString(), verifiedState());
        QVERIFY(!report->value("report").toObject().value("pseudonym").toString().isEmpty());
        QCOMPARE(report->value("displayHint").toString(), QStringLiteral("bob"));
        leaveAll({carol.get(), bob.get(), alice.get()});
    }

    // Two operators: the room is on A's host; Carol's home network is operator B's. Alice and
    // Bob (A) verify Carol against B's root, B's status list and B's log; Carol verifies them
    // against A's.
    void participantOfAnotherOperator() {
        HomenetServer b;
        QVERIFY(b.start({QStringLiteral("--rate-limit"), QStringLiteral("0")}));
        auto carolB = makeDataDir(b, QStringLiteral("carol-b"), 1004);
        QVERIFY(carolB);
        QVERIFY(carolB->profile.trustListPem != m_alice->profile.trustListPem);
        QVERIFY(trustOperator(*m_alice, carolB->profile, QStringLiteral("operator-b")));
        QVERIFY(trustOperator(*m_bob, carolB->profile, QStringLiteral("operator-b")));
        QVERIFY(trustOperator(*carolB, m_alice->profile, QStringLiteral("operator-a")));
        // A's room host admits B's subscribers: it trusts B's root.
        const QString bRoot = b.scratch(QStringLiteral("operator-b-root.pem"));
        QVERIFY(writeText(bRoot, carolB->profile.trustListPem));
        QVERIFY(m_a.restart({QStringLiteral("--trust-root"), bRoot, QStringLiteral("--rate-limit"), QStringLiteral("0")}));
        const QString hostCa = b.scratch(QStringLiteral("room-host-ca.pem"));
        QVERIFY(writeText(hostCa, m_a.tlsCaPem().toStdString()));

        auto two = aliceAndBob();
        QVERIFY(two);
        auto& [alice, bob, room, bobId] = *two;
        auto carol = start("carol", QStringList{"call", "join", room->id, "--code", room->code, "--room-host", m_a.url(),
                                                "--room-host-ca", hostCa, "--room-host-operator",
                                                QString::fromStdString(m_alice->profile.operatorName)} +
                                        common(*carolB, "carol"));
        const qint64 carolId = joinedId(*carol);
        QVERIFY2(carolId > 0, qPrintable(carol->transcript()));

        QVERIFY2(verifiesAndReceives(*alice, {bobId, carolId}), qPrintable(alice->transcript()));
        QVERIFY2(verifiesAndReceives(*bob, {room->creator, carolId}), qPrintable(bob->transcript()));
        QVERIFY2(verifiesAndReceives(*carol, {room->creator, bobId}), qPrintable(carol->transcript()));
        // Carol's credential chains to B's root, Alice's to A's.
        const QString carolIssuer = alice->waitForReport(carolId, verifiedState())->value("report").toObject().value("issuer").toString();
        const QString aliceIssuer = carol->waitForReport(room->creator, verifiedState())->value("report").toObject().value("issuer").toString();
        QVERIFY(!carolIssuer.isEmpty() && !aliceIssuer.isEmpty());
        leaveAll({carol.get(), bob.get(), alice.get()});

        // Without B in Alice's trust list Carol is not Verified, with its reason.
        QVERIFY(QFile::remove(m_alice->dir + QStringLiteral("/trust/operator-b.pem")));
        auto alice2 = start("alice", QStringList{"call", "create", "--room-code"} + common(*m_alice, "alice"));
        auto room2 = createRoom(*alice2);
        QVERIFY2(room2, qPrintable(alice2->transcript()));
        auto carol2 = start("carol", QStringList{"call", "join", room2->id, "--code", room2->code, "--room-host", m_a.url(),
                                                 "--room-host-ca", hostCa, "--room-host-operator",
                                                 QString::fromStdString(m_alice->profile.operatorName)} +
                                         common(*carolB, "carol"));
        const qint64 carol2Id = joinedId(*carol2);
        QVERIFY2(carol2Id > 0, qPrintable(carol2->transcript()));
        auto untrusted = alice2->waitFor([&](const QJsonObject& e) {
            return e.value("event").toString() == QLatin1String("peer-report") &&
                   e.value("participantId").toInteger() == carol2Id;
        });
        QVERIFY2(untrusted, qPrintable(alice2->transcript()));
        QVERIFY2(untrusted->value("state").toString() != verifiedState(), qPrintable(alice2->transcript()));
        leaveAll({carol2.get(), alice2.get()});
        QVERIFY(trustOperator(*m_alice, carolB->profile, QStringLiteral("operator-b")));
    }

    // A participant (or a relay) that alters, replays or reorders frames: alice refuses each
    // altered or replayed frame with its reason and shows the good ones.
    void tamperedAndReplayedFramesRefused() {
        auto call = callWithIntruder(QStringLiteral("mallory-frames"), 1010);
        QVERIFY(call);
        CtlCallProcess& alice = *call->alice;
        Intruder& mallory = *call->mallory;
        const qint64 id = mallory.id();
        // Alice installs Mallory's key once Mallory is Verified.
        QVERIFY2(alice.waitFor([&](const QJsonObject& e) {
            return e.value("event").toString() == QLatin1String("key-installed") && e.value("participantId").toInteger() == id;
        }), qPrintable(alice.transcript()));
        const std::size_t start = alice.events().size();

        const std::string good = mallory.protectedFrame(1);
        std::string flipped = good;
        flipped[flipped.size() - 3] = static_cast<char>(flipped[flipped.size() - 3] ^ 0x01);
        mallory.sendFrame(flipped);
        QVERIFY2(eventAfter(alice, "frame-refused", id, codeName(security::ErrorCode::SFrameAuthenticationFailed), start),
                 qPrintable(alice.transcript()));
        mallory.sendFrame(good);
        QVERIFY2(alice.waitForFrames(id, 1), qPrintable(alice.transcript()));
        mallory.sendFrame(good);
        QVERIFY2(eventAfter(alice, "frame-refused", id, codeName(security::ErrorCode::SFrameReplayed), start),
                 qPrintable(alice.transcript()));
        // Reordered within the replay window: both shown once, then each refused as a replay.
        const std::string second = mallory.protectedFrame(2);
        const std::string third = mallory.protectedFrame(3);
        mallory.sendFrame(third);
        mallory.sendFrame(second);
        QVERIFY2(alice.waitForFrames(id, 3), qPrintable(alice.transcript()));
        mallory.sendFrame(second);
        QVERIFY2(alice.waitFor([&](const QJsonObject& e) {
            return e.value("event").toString() == QLatin1String("frames") && e.value("participantId").toInteger() == id &&
                   e.value("refusedReasons").toObject().value(codeName(security::ErrorCode::SFrameReplayed)).toInteger() >= 2;
        }), qPrintable(alice.transcript()));
        alice.send("leave");
        QCOMPARE(alice.waitExit(), 0);
        auto last = alice.waitFor([&](const QJsonObject& e) {
            return e.value("event").toString() == QLatin1String("frames") && e.value("participantId").toInteger() == id;
        });
        QVERIFY(last);
    }

    // Evidence presented in the call (Announce, relayed as it is) that must not verify: each
    // is reported Failed by alice with its own reason.
    void badEvidenceEachWithItsReason() {
        auto call = callWithIntruder(QStringLiteral("mallory-evidence"), 1011);
        QVERIFY(call);
        CtlCallProcess& alice = *call->alice;
        Intruder& mallory = *call->mallory;
        const qint64 id = mallory.id();
        const std::string roomUri = call->room.uri.toStdString();
        const auto expectFailed = [&](const proto::Evidence& e, security::ErrorCode code) {
            const std::size_t from = alice.events().size();
            mallory.announce(e);
            auto report = reportAfter(alice, id, from);
            if (!report || report->value("state").toString() != QLatin1String("failed") ||
                report->value("reason").toString() != codeName(code)) {
                dump(alice);
                return false;
            }
            return !report->value("summary").toString().isEmpty();
        };

        // A forged credential: one byte of the issuer's signature changed.
        auto forged = mallory.evidence(roomUri);
        QVERIFY(forged);
        std::string* credential = forged->evidence.mutable_credential();
        (*credential)[credential->size() - 2] = static_cast<char>((*credential)[credential->size() - 2] ^ 0x01);
        QVERIFY(expectFailed(forged->evidence, security::ErrorCode::BadSignature));
        // An assertion for another room.
        auto other = mallory.evidence("urn:twinseal:room:other-operator:rm-elsewhere");
        QVERIFY(other);
        QVERIFY(expectFailed(other->evidence, security::ErrorCode::WrongDestination));
        // A stale assertion (two minutes old).
        auto stale = mallory.evidenceFromThePast(roomUri, 120);
        QVERIFY(stale);
        QVERIFY(expectFailed(stale->evidence, security::ErrorCode::AssertionStale));
        // Fresh evidence is Verified again; the assertion Mallory joined with, presented again,
        // is a replay.
        auto fresh = mallory.evidence(roomUri);
        QVERIFY(fresh);
        std::size_t from = alice.events().size();
        mallory.announce(fresh->evidence);
        auto again = reportAfter(alice, id, from);
        QVERIFY(again);
        QCOMPARE(again->value("state").toString(), verifiedState());
        QVERIFY(expectFailed(mallory.joinedWith(), security::ErrorCode::AssertionReplayed));

        alice.send("leave");
        QCOMPARE(alice.waitExit(), 0);
    }

    // Mallory's home network revokes her credential during the call: the room host removes her
    // and alice says so (revocation-notice, peer-left "revoked") and re-keys without her; the
    // keys Mallory held do not open alice's later frames.
    void revokedMidCallAndRemovedFromTheKeys() {
        auto call = callWithIntruder(QStringLiteral("mallory-revoked"), 1012,
                                     {"--print-sent-frames"});
        QVERIFY(call);
        CtlCallProcess& alice = *call->alice;
        Intruder& mallory = *call->mallory;
        const qint64 id = mallory.id();
        const auto aliceId = static_cast<std::uint32_t>(call->room.creator);
        // While she is Verified, Mallory reads alice's pose stream.
        std::vector<security::ErrorCode> results;
        QVERIFY(mallory.ws().waitUntil([&] {
            mallory.readFrames(aliceId, results);
            return std::count(results.begin(), results.end(), security::ErrorCode::Ok) >= 3;
        }, 120000));

        const std::size_t from = alice.events().size();
        auto revoked = await<netclient::DtRecord>([&](auto cb) { mallory.client().revoke(mallory.dtId(), "device lost", std::move(cb)); });
        QVERIFY2(revoked.ok(), revoked.ok() ? "" : revoked.error().message.c_str());
        QVERIFY2(eventAfter(alice, "revocation-notice", id, {}, from), qPrintable(alice.transcript()));
        auto left = eventAfter(alice, "peer-left", id, {}, from);
        QVERIFY2(left, qPrintable(alice.transcript()));
        QCOMPARE(left->value("reason").toString(), QStringLiteral("revoked"));
        auto rekey = alice.waitFor([&](const QJsonObject& e) {
            return e.value("event").toString() == QLatin1String("rekey") && e.value("peers").toInt() == 0;
        }, 120000, from);
        QVERIFY2(rekey, qPrintable(alice.transcript()));
        const qint64 epoch = rekey->value("epoch").toInteger();

        // Alice's frames of the new epoch: Mallory's keys do not open them.
        int tried = 0;
        QVERIFY(alice.waitFor([&](const QJsonObject& e) {
            if (e.value("event").toString() != QLatin1String("frame-sent") || e.value("epoch").toInteger() < epoch)
                return false;
            const QByteArray sframe = QByteArray::fromBase64(e.value("sframe").toString().toLatin1());
            auto opened = mallory.keys().unprotect(aliceId, security::ByteView(reinterpret_cast<const std::uint8_t*>(sframe.data()),
                                                                               static_cast<std::size_t>(sframe.size())));
            if (opened.ok() || opened.error().code != security::ErrorCode::SFrameUnknownKeyId)
                return true; // opened (or refused for another reason): fails below
            return ++tried >= 10;
        }, 120000, from));
        QCOMPARE(tried, 10);
        alice.send("leave");
        QCOMPARE(alice.waitExit(), 0);
    }

    // A room that requires the role "surgeon" vouched for by St. Mary's: Alice and Bob present
    // theirs and verify each other; Carol has none and the room host refuses her (role-missing,
    // exit 130); Mallory joins with hers, then presents evidence without it: alice reports her
    // Failed, role-missing.
    void missingRequiredRole() {
        const QString enterprise = m_a.scratch(QStringLiteral("st-marys"));
        const QProcessEnvironment env = twinsealctlEnvironment();
        QCOMPARE(runTwinsealctl({"enterprise", "init", "--dir", enterprise, "--name", "St. Mary's"}, passphrase(), env).exitCode, 0);
        const auto issue = [&](const QString& credential, const QString& out) {
            return runTwinsealctl({"enterprise", "issue", "--dir", enterprise, "--role", "surgeon", "--holder",
                                   credential, "--out", out}, passphrase(), env).exitCode;
        };
        const QString aliceRole = m_a.scratch(QStringLiteral("alice-role.tsrc"));
        const QString bobRole = m_a.scratch(QStringLiteral("bob-role.tsrc"));
        const QString malloryRole = m_a.scratch(QStringLiteral("mallory-role.tsrc"));
        QCOMPARE(issue(m_alice->dir + "/credential.tsc", aliceRole), 0);
        QCOMPARE(issue(m_bob->dir + "/credential.tsc", bobRole), 0);
        auto mallory = Intruder::make(m_a, QStringLiteral("mallory-role"), 1013);
        QVERIFY(mallory);
        QCOMPARE(issue(mallory->credentialPath(), malloryRole), 0);
        QFile roleFile(malloryRole);
        QVERIFY(roleFile.open(QIODevice::ReadOnly));
        mallory->presentRoles({roleFile.readAll().toStdString()});

        const QStringList roles{"--role", "surgeon", "--enterprise-root", enterprise + "/root.pem"};
        auto alice = start("alice", QStringList{"call", "create", "--room-code", "--role-credential", aliceRole} + roles +
                                        common(*m_alice, "alice"));
        auto room = createRoom(*alice);
        QVERIFY2(room, qPrintable(alice->transcript()));
        auto bob = start("bob", QStringList{"call", "join", room->id, "--code", room->code, "--role-credential", bobRole} +
                                    common(*m_bob, "bob"));
        const qint64 bobId = joinedId(*bob);
        QVERIFY2(bobId > 0, qPrintable(bob->transcript()));
        QVERIFY2(verifiesAndReceives(*alice, {bobId}), qPrintable(alice->transcript()));
        QVERIFY2(verifiesAndReceives(*bob, {room->creator}), qPrintable(bob->transcript()));
        auto roleShown = alice->waitForReport(bobId, verifiedState())->value("report").toObject().value("roles").toArray();
        QCOMPARE(roleShown.size(), 1);
        QCOMPARE(roleShown.at(0).toObject().value("role").toString(), QStringLiteral("surgeon"));

        auto carol = start("carol", QStringList{"call", "join", room->id, "--code", room->code} + common(*m_carol, "carol"));
        QCOMPARE(carol->waitExit(120000), 130);
        auto refused = carol->waitForEvent("host-error", 1000);
        QVERIFY2(refused, qPrintable(carol->transcript()));
        QCOMPARE(refused->value("code").toString(), codeName(security::ErrorCode::RoleMissing));

        QVERIFY(mallory->join(room->id.toStdString(), room->uri.toStdString(), room->code.toStdString()));
        const qint64 id = mallory->id();
        QVERIFY2(alice->waitForReport(id, verifiedState()), qPrintable(alice->transcript()));
        mallory->presentRoles({});
        auto without = mallory->evidence(room->uri.toStdString());
        QVERIFY(without);
        const std::size_t from = alice->events().size();
        mallory->announce(without->evidence);
        auto report = reportAfter(*alice, id, from);
        QVERIFY(report);
        QCOMPARE(report->value("state").toString(), QStringLiteral("failed"));
        QCOMPARE(report->value("reason").toString(), codeName(security::ErrorCode::RoleMissing));
        leaveAll({bob.get(), alice.get()});
    }

    // Bob listens at his transfer handle (fetched from his home network) and accepts; Alice
    // calls that handle: a room admitting it, the invitation rings, both are Verified.
    void inviteAndListen() {
        auto bob = start("bob", {"call", "listen", "--accept", "--data-dir", m_bob->dir, "--pose-rate", "20"});
        auto handle = bob->waitForEvent("handle");
        QVERIFY2(handle && handle->value("handle").toString().startsWith("tw-"), qPrintable(bob->transcript()));
        QVERIFY2(bob->waitFor([](const QJsonObject& e) {
            return e.value("event").toString() == QLatin1String("state") && e.value("state").toString() == QLatin1String("listening");
        }), qPrintable(bob->transcript()));
        auto alice = start("alice", QStringList{"call", "invite", handle->value("handle").toString()} + common(*m_alice, "alice"));
        auto room = createRoom(*alice);
        QVERIFY2(room, qPrintable(alice->transcript()));
        QVERIFY(room->code.isEmpty()); // invited handles only
        auto rang = bob->waitForEvent("incoming-call");
        if (!rang)
            dump(*alice);
        QVERIFY2(rang, qPrintable(bob->transcript()));
        QCOMPARE(rang->value("roomId").toString(), room->id);
        const qint64 bobId = joinedId(*bob);
        QVERIFY2(bobId > 0, qPrintable(bob->transcript()));
        QVERIFY2(verifiesAndReceives(*alice, {bobId}), qPrintable(alice->transcript()));
        QVERIFY2(verifiesAndReceives(*bob, {room->creator}), qPrintable(bob->transcript()));
        // SIGTERM: Bob leaves the call cleanly (exit 0); Alice sees him go. Then the end of
        // Alice's input ends her call.
        bob->terminate();
        QCOMPARE(bob->waitExit(), 0);
        auto leaving = bob->waitForEvent("leaving", 1000);
        QVERIFY(leaving);
        QCOMPARE(leaving->value("why").toString(), QStringLiteral("signal"));
        QVERIFY2(alice->waitFor([&](const QJsonObject& e) {
            return e.value("event").toString() == QLatin1String("peer-left") && e.value("participantId").toInteger() == bobId;
        }), qPrintable(alice->transcript()));
        alice->closeInput();
        QCOMPARE(alice->waitExit(), 0);
        QCOMPARE(alice->waitForEvent("leaving", 1000)->value("why").toString(), QStringLiteral("end of input"));
    }

    // Bob's identity is pinned at Alice's device (trust on first use); then the pin names
    // another key (as when Bob's avatar comes with a different holder key): Alice reports Bob
    // Failed, pinned-key-changed, and never keys him.
    void keyChangeOfAPinnedIdentity() {
        const auto twoPartyCall = [&](std::unique_ptr<CtlCallProcess>& alice, std::unique_ptr<CtlCallProcess>& bob,
                                      qint64& bobId) {
            alice = start("alice", QStringList{"call", "create", "--room-code"} + common(*m_alice, "alice"));
            auto room = createRoom(*alice);
            if (!room)
                return false;
            bob = start("bob", QStringList{"call", "join", room->id, "--code", room->code} + common(*m_bob, "bob"));
            bobId = joinedId(*bob);
            return bobId > 0;
        };
        std::unique_ptr<CtlCallProcess> alice, bob;
        qint64 bobId = 0;
        QVERIFY(twoPartyCall(alice, bob, bobId));
        auto first = alice->waitForReport(bobId, verifiedState());
        QVERIFY2(first, qPrintable(alice->transcript()));
        const std::string avatarId = first->value("report").toObject().value("avatarId").toString().toStdString();
        leaveAll({bob.get(), alice.get()});

        const QString pinsPath = m_alice->dir + QStringLiteral("/pins.txt");
        auto pins = twin::PinFile::load(pinsPath);
        QVERIFY(pins.ok());
        const auto original = pins->pinned(avatarId);
        QVERIFY(original.has_value());
        security::Digest other = *original;
        other[0] ^= 0x01;
        pins->pin(avatarId, other);
        QVERIFY(pins->save().ok());

        QVERIFY(twoPartyCall(alice, bob, bobId));
        auto changed = alice->waitFor([&](const QJsonObject& e) {
            return e.value("event").toString() == QLatin1String("peer-report") && e.value("participantId").toInteger() == bobId;
        });
        QVERIFY2(changed, qPrintable(alice->transcript()));
        QCOMPARE(changed->value("state").toString(), QStringLiteral("failed"));
        QCOMPARE(changed->value("reason").toString(), codeName(security::ErrorCode::PinnedKeyChanged));
        leaveAll({bob.get(), alice.get()});
        // No frame of Bob's was shown at Alice's.
        for (const QJsonObject& e : alice->events())
            if (e.value("event").toString() == QLatin1String("frames") && e.value("participantId").toInteger() == bobId)
                QCOMPARE(e.value("received").toInteger(), 0);

        pins->pin(avatarId, *original);
        QVERIFY(pins->save().ok());
    }

    // An integrity-only room: every participant says so, frames are authenticated and shown.
    void integrityOnlyRoom() {
        auto alice = start("alice", QStringList{"call", "create", "--room-code", "--integrity-only"} + common(*m_alice, "alice"));
        auto room = createRoom(*alice);
        QVERIFY2(room, qPrintable(alice->transcript()));
        auto bob = start("bob", QStringList{"call", "join", room->id, "--code", room->code} + common(*m_bob, "bob"));
        auto joined = bob->waitForEvent("joined");
        QVERIFY2(joined, qPrintable(bob->transcript()));
        QCOMPARE(joined->value("protection").toString(), QStringLiteral("integrity-only"));
        QVERIFY(joined->value("integrityOnly").toBool());
        QVERIFY(alice->waitForEvent("joined")->value("integrityOnly").toBool());
        QVERIFY2(verifiesAndReceives(*alice, {joined->value("participantId").toInteger()}), qPrintable(alice->transcript()));
        QVERIFY2(verifiesAndReceives(*bob, {room->creator}), qPrintable(bob->transcript()));
        leaveAll({bob.get(), alice.get()});
    }

    // Failures a script can tell apart by the exit code: a usage error, no credential, a wrong
    // room code (the host refuses), a room host that cannot be reached; and --duration leaving
    // on its own with 0.
    void exitCodes() {
        const QProcessEnvironment env = twinsealctlEnvironment();
        QCOMPARE(runTwinsealctl({"call", "join", "--data-dir", m_bob->dir}, passphrase(), env).exitCode, 1);
        const QString empty = m_a.scratch(QStringLiteral("no-twin"));
        QDir().mkpath(empty);
        auto none = runTwinsealctl({"call", "create", "--data-dir", empty}, passphrase(), env);
        QCOMPARE(none.exitCode, 135);
        QVERIFY(none.err.contains(QStringLiteral("no-credential")));
        auto codes = runTwinsealctl({"exit-codes"}, passphrase(), env);
        QVERIFY(codes.out.contains(QStringLiteral("130\tcall: the room host refused")));

        auto alice = start("alice", QStringList{"call", "create", "--room-code", "--duration", "0"} + common(*m_alice, "alice"));
        auto room = createRoom(*alice);
        QVERIFY2(room, qPrintable(alice->transcript()));
        auto wrong = runTwinsealctl(QStringList{"call", "join", room->id, "--code", "WRONGCODE", "--duration", "1"} +
                                        common(*m_bob, "bob"), passphrase(), env);
        QCOMPARE(wrong.exitCode, 130);
        QVERIFY2(wrong.out.contains(QStringLiteral("\"code\":\"room-code-wrong\"")), qPrintable(wrong.out));

        // Bob stays one second in the call and leaves by himself (stdin is closed: ignored).
        auto bob = runTwinsealctl(QStringList{"call", "join", room->id, "--code", room->code, "--duration", "1"} +
                                      common(*m_bob, "bob"), passphrase(), env);
        QCOMPARE(bob.exitCode, 0);
        QVERIFY(bob.out.contains(QStringLiteral("\"why\":\"duration\"")));
        alice->send("leave");
        QCOMPARE(alice->waitExit(), 0);

        // A room host nobody answers at: 131 after --timeout.
        const QString ca = m_a.scratch(QStringLiteral("host-ca.pem"));
        QVERIFY(writeText(ca, m_a.tlsCaPem().toStdString()));
        auto unreachable = runTwinsealctl(QStringList{"call", "create", "--timeout", "3", "--duration", "0", "--room-host", "https://localhost:1",
                                                      "--room-host-ca", ca, "--room-host-operator", "Nobody"} +
                                              common(*m_alice, "alice"), passphrase(), env);
        QCOMPARE(unreachable.exitCode, 131);
    }

    // `call leave --data-dir` from another shell: the participant running with that data
    // directory leaves cleanly (its last lines, exit 0) and the others see it go; nothing running
    // there, a socket left by a participant that was killed, or another room named: each its own
    // exit code and message. The control socket is its owner's only.
    void leaveFromAnotherShell() {
        const QProcessEnvironment env = twinsealctlEnvironment();
        const auto leave = [&](const DataDir& d, const QStringList& extra = {}) {
            return runTwinsealctl(QStringList{"call", "leave", "--data-dir", d.dir} + extra, {}, env);
        };
        const auto leavingEvents = [](CtlCallProcess& p) {
            std::vector<QJsonObject> all;
            for (const QJsonObject& e : p.events())
                if (e.value("event").toString() == QLatin1String("leaving"))
                    all.push_back(e);
            return all;
        };
        auto none = leave(*m_bob);
        QCOMPARE(none.exitCode, 136);
        QVERIFY2(none.err.contains(QStringLiteral("call-not-running")) && none.err.contains(m_bob->dir), qPrintable(none.err));

        auto two = aliceAndBob();
        QVERIFY(two);
        auto& [alice, bob, room, bobId] = *two;
        QVERIFY2(alice->waitForReport(bobId, verifiedState()), qPrintable(alice->transcript()));

        const QString socket = m_bob->dir + QStringLiteral("/call.sock");
        struct stat st {};
        QCOMPARE(::stat(QFile::encodeName(socket).constData(), &st), 0);
        QVERIFY(S_ISSOCK(st.st_mode));
        QCOMPARE(st.st_mode & 0777u, 0600u);

        // Another room named: Bob is not asked to leave.
        auto other = leave(*m_bob, {"--room", "no-such-room"});
        QCOMPARE(other.exitCode, 137);
        QVERIFY2(other.err.contains(QStringLiteral("call-other-room")) && other.err.contains(room->id), qPrintable(other.err));

        // His room: Bob leaves, prints his last lines and exits 0; Alice sees him go.
        auto left = leave(*m_bob, {"--room", room->id});
        QCOMPARE(left.exitCode, 0);
        QVERIFY2(left.out.contains(QStringLiteral("\"event\":\"participant-left\"")) && left.out.contains(room->id),
                 qPrintable(left.out));
        QCOMPARE(bob->waitExit(), 0);
        const auto leaving = leavingEvents(*bob);
        QCOMPARE(leaving.size(), std::size_t(1)); // the request for another room did not count
        QCOMPARE(leaving.front().value("why").toString(), QStringLiteral("call leave"));
        auto bobLeft = bob->waitForEvent("left", 1000);
        QVERIFY(bobLeft);
        QCOMPARE(bobLeft->value("exitCode").toInt(), 0);
        QVERIFY2(eventAfter(*alice, "peer-left", bobId, {}, 0), qPrintable(alice->transcript()));
        QVERIFY(!QFileInfo::exists(socket));
        QCOMPARE(leave(*m_bob).exitCode, 136);

        // Alice, without --room.
        auto aliceLeft = leave(*m_alice);
        QCOMPARE(aliceLeft.exitCode, 0);
        QCOMPARE(alice->waitExit(), 0);
        QCOMPARE(leavingEvents(*alice).front().value("why").toString(), QStringLiteral("call leave"));

        // A participant killed leaves its socket behind: nobody answers there (136), and the
        // next participant with that data directory takes the place and can be asked to leave.
        {
            auto carol = start("carol", QStringList{"call", "create", "--room-code"} + common(*m_carol, "carol"));
            QVERIFY2(createRoom(*carol), qPrintable(carol->transcript()));
        } // killed
        QVERIFY(QFileInfo::exists(m_carol->dir + QStringLiteral("/call.sock")));
        auto stale = leave(*m_carol);
        QCOMPARE(stale.exitCode, 136);
        QVERIFY2(stale.err.contains(QStringLiteral("does not answer")), qPrintable(stale.err));
        auto carol = start("carol", QStringList{"call", "create", "--room-code"} + common(*m_carol, "carol"));
        QVERIFY2(createRoom(*carol), qPrintable(carol->transcript()));
        QCOMPARE(leave(*m_carol).exitCode, 0);
        QCOMPARE(carol->waitExit(), 0);
    }

    // One chunk of Mallory's avatar is altered in her home network's repository: alice fetches
    // it with Mallory's media grant, the chunk does not match the signed manifest, and Mallory is
    // reported Failed with the file and chunk named; nothing of her avatar is used.
    void tamperedAvatarChunk() {
        auto mallory = Intruder::make(m_a, QStringLiteral("mallory-media"), 1014);
        QVERIFY(mallory);
        QCOMPARE(m_a.stop(), 0);
        QCOMPARE(alterAvatarChunk(m_a, mallory->mediaRoot()), 1);
        QVERIFY(m_a.restart({QStringLiteral("--rate-limit"), QStringLiteral("0")}));

        auto alice = start("alice", QStringList{"call", "create", "--room-code", "--require-verified"} + common(*m_alice, "alice"));
        auto room = createRoom(*alice);
        QVERIFY2(room, qPrintable(alice->transcript()));
        QVERIFY(mallory->join(room->id.toStdString(), room->uri.toStdString(), room->code.toStdString()));
        auto report = reportAfter(*alice, mallory->id(), 0);
        QVERIFY2(report, qPrintable(alice->transcript()));
        QCOMPARE(report->value("state").toString(), QStringLiteral("failed"));
        // The overall reason is the altered content, not the manifest the stopped download did
        // not deliver; the media-content check names what was altered.
        QCOMPARE(report->value("reason").toString(), codeName(security::ErrorCode::MediaMismatch));
        const QJsonArray checks = report->value("report").toObject().value("checks").toArray();
        const auto media = std::find_if(checks.begin(), checks.end(), [](const QJsonValue& c) {
            return c.toObject().value("check").toString() == QLatin1String("media-content");
        });
        QVERIFY(media != checks.end());
        QCOMPARE(media->toObject().value("state").toString(), QStringLiteral("failed"));
        const QString detail = media->toObject().value("detail").toString();
        QVERIFY2(detail.contains(codeName(security::ErrorCode::MediaMismatch)) && detail.contains(QStringLiteral("chunk 0")),
                 qPrintable(detail));
        // Nothing of Mallory's is shown: no frame key installed for her.
        for (const QJsonObject& e : alice->events())
            QVERIFY(!(e.value("event").toString() == QLatin1String("key-installed") &&
                      e.value("participantId").toInteger() == mallory->id()));
        // --require-verified: the call ends with 134, naming who was not Verified.
        alice->send("leave");
        QCOMPARE(alice->waitExit(), 134);
        auto notVerified = alice->waitForEvent("not-verified", 1000);
        QVERIFY(notVerified);
        QCOMPARE(notVerified->value("participants").toArray().at(0).toInteger(), qint64(mallory->id()));
    }
};

} // namespace
} // namespace twinseal::test

using twinseal::test::CtlCallTest;
TWINSEAL_TEST(CtlCallTest, "call")
#include "test_ctl_call.moc"
