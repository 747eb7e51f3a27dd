// The Calls page's view-model presents the role credentials held on My Twin, against the real
// twinseal-homenet room host on loopback: a client already listening for invitations when a role
// credential is added is built again with it and listens again (so an invitation it answers
// carries the role), and is then admitted to a room that requires the role; Bob, the surgeon who
// created the room, is Verified with his role proven.
#include <QFile>
#include <QSignalSpy>
#include <QtTest>

#include <memory>

#include <twinseal/calls/call_client.h>
#include <twinseal/security/audit_entry.h>
#include <twinseal/security/clock.h>
#include <twinseal/security/role_credential.h>
#include <twinseal/security/subscriber.h>
#include <twinseal/security/x509.h>
#include <twinseal/viewmodels/audit_trail.h>
#include <twinseal/viewmodels/calls_controller.h>
#include <twinseal/viewmodels/roles_controller.h>

#include "call_participants.h"
#include "homenet_fixture.h"
#include "test_macros.h"
#include "testmain.h"

namespace {
namespace test_calls_roles {

using namespace twinseal;
using namespace twinseal::test;
using namespace twinseal::viewmodels;
using twinseal::calls::CallClient;
using twinseal::calls::CallState;

namespace {

constexpr std::int64_t kDay = 86400;

struct Hospital {
    security::Certificate root;
    security::SigningKey issuerKey;
    security::Certificate issuerCert;
};

std::optional<Hospital> stMarys(std::int64_t now) {
    auto rootKey = security::SigningKey::generate(security::KeyAlgorithm::Ed25519);
    auto issuerKey = security::SigningKey::generate(security::KeyAlgorithm::Ed25519);
    if (!rootKey.ok() || !issuerKey.ok())
        return std::nullopt;
    auto root = security::createRootCertificate(*rootKey, {"St. Mary's Root", "St. Mary's", now - kDay,
                                                           now + 365 * kDay, true});
    if (!root.ok())
        return std::nullopt;
    auto cert = security::issueCertificate(*rootKey, *root, issuerKey->publicKey(),
                                           {"St. Mary's Role Issuer", "St. Mary's", now - kDay, now + 365 * kDay, false});
    if (!cert.ok())
        return std::nullopt;
    return Hospital{std::move(*root), std::move(*issuerKey), std::move(*cert)};
}

security::Bytes surgeon(const Hospital& h, const security::Credential& holder, std::int64_t now) {
    security::RoleClaims c;
    c.enterprise = "St. Mary's";
    c.role = "surgeon";
    c.organisation = "St. Mary's";
    c.holderThumbprint = holder.claims.holderKey.thumbprint();
    c.notBefore = now - 300;
    c.notAfter = now + kDay;
    c.issuedAt = now;
    auto rc = security::issueRoleCredential(c, h.issuerKey, {h.issuerCert}, security::SystemRandom::instance());
    return rc.ok() ? rc->encoded : security::Bytes{};
}

} // namespace

class CallsRolesTest : public QObject {
    Q_OBJECT

    HomenetServer m_server;

private slots:
    void initTestCase() {
        qRegisterMetaType<calls::AnimationFrame>();
        QVERIFY(m_server.start({QStringLiteral("--rate-limit"), QStringLiteral("0")}));
    }

    void listeningClientPresentsARoleAddedLater() {
        const std::int64_t now = security::SystemClock::instance().now();
        auto hospital = stMarys(now);
        QVERIFY(hospital);
        auto alice = makeCallDevice(m_server, QStringLiteral("alice"), 1);
        auto bob = makeCallDevice(m_server, QStringLiteral("bob"), 2);
        QVERIFY(alice && bob && alice->store->credential() && bob->store->credential());
        AuditTrail audit(alice->store->dataDir());

        CallsController calls(*alice->store, audit);
        RolesController roles(*alice->store, audit);
        connect(&roles, &RolesController::rolesChanged, &calls, &CallsController::refreshRoles);
        auto profile = security::UsimProfileData::load(alice->subscriber->path.toStdString());
        REQUIRE_OK(profile);
        calls.setHomeNetwork(&*profile, {});
        calls.setSession(alice->session.get());
        roles.setSession(alice->session.get());

        // Reachable for invitations before any role is held.
        calls.goOnline();
        QTRY_COMPARE_WITH_TIMEOUT(calls.callState(), QStringLiteral("listening"), 60000);
        // The client built again may take the old one's address: its going is what tells them apart.
        QVERIFY(calls.client());
        QSignalSpy beforeGone(calls.client(), &QObject::destroyed);

        // Bob, a surgeon, creates a room requiring that role from St. Mary's.
        calls::EvidenceOptions bobOptions;
        bobOptions.roleCredentials.push_back(surgeon(*hospital, *bob->store->credential(), now));
        bob->builder = std::make_unique<calls::EvidenceBuilder>(*bob->store, *bob->session, bobOptions);
        CallClient bobClient(callClientOptions(m_server, "bob"), *bob->builder, *bob->verifier);
        QSignalSpy created(&bobClient, &CallClient::roomCreated);
        bobClient.connectToHost();
        QTRY_VERIFY_WITH_TIMEOUT(bobClient.connected(), 30000);
        proto::RoomPolicy policy;
        policy.set_admission(proto::ROOM_CODE);
        proto::RoleRequirement* required = policy.add_required_roles();
        required->set_role("surgeon");
        required->add_enterprise_roots_pem(hospital->root.pem());
        bobClient.create(policy);
        QTRY_VERIFY_WITH_TIMEOUT(!created.isEmpty(), 60000);
        QTRY_VERIFY_WITH_TIMEOUT(bobClient.setup().participantId() != 0, 60000);
        const quint32 bobId = bobClient.setup().participantId();

        // Alice adds her surgeon credential: the listening client is built again with it and
        // listens again.
        const security::Bytes role = surgeon(*hospital, *alice->store->credential(), now);
        QVERIFY(!role.empty());
        const QString file = m_server.scratch(QStringLiteral("alice-surgeon.tsrc"));
        {
            QFile f(file);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(reinterpret_cast<const char*>(role.data()), static_cast<qsizetype>(role.size()));
        }
        QVERIFY2(roles.importFile(file), qPrintable(roles.operation()->errorMessage()));
        QTRY_VERIFY_WITH_TIMEOUT(!beforeGone.isEmpty() && calls.client() &&
                                     calls.callState() == QLatin1String("listening"),
                                 60000);

        // Admitted to the room; Bob Verified, his role proven; Alice Verified at Bob's.
        calls.joinRoom(created.first().at(1).toString(), created.first().at(2).toString());
        QTRY_VERIFY2_WITH_TIMEOUT(calls.inRoom(), qPrintable(calls.operation()->errorCode()), 60000);
        QTRY_VERIFY_WITH_TIMEOUT(calls.participants()->find(bobId) &&
                                     calls.participants()->find(bobId)->state == QLatin1String("verified"),
                                 60000);
        const quint32 aliceId = calls.client()->setup().participantId();
        QTRY_VERIFY_WITH_TIMEOUT(bobClient.outcome(aliceId) != nullptr, 60000);
        QCOMPARE(bobClient.outcome(aliceId)->report.state, security::OverallState::Verified);
        const security::CheckResult* proven = bobClient.outcome(aliceId)->report.find(security::CheckId::RoleCredential);
        QVERIFY(proven);
        QCOMPARE(proven->state, security::CheckState::Passed);
        calls.leave();
        bobClient.leave();
        QTRY_VERIFY_WITH_TIMEOUT(!calls.inRoom(), 30000);
    }
};

TWINSEAL_TEST(CallsRolesTest, "calls_roles")
} // namespace test_calls_roles
} // namespace

#include "test_calls_roles.moc"
