// Role credentials in the desktop client, against the real twinseal-homenet room host on
// loopback: a room that requires "surgeon" vouched for by St. Mary's (created by another
// participant who holds that role) refuses the GUI client while it holds no such credential —
// the Calls page shows the host's reason code and a plain message, and no participant, no
// avatar. The GUI then adds St. Mary's surgeon credential for its twin on My Twin's Roles card
// (dropped on the card, as a person drags the file the hospital sent), joins again and is
// admitted; every peer is Verified both ways and the peer's full report shows the role check
// passed. Removing the credential asks first and leaves the list empty.
#include <QDir>
#include <QFile>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include <memory>

#include <twinseal/calls/call_client.h>
#include <twinseal/security/audit_entry.h>
#include <twinseal/security/clock.h>
#include <twinseal/security/credential.h>
#include <twinseal/security/keys.h>
#include <twinseal/security/role_credential.h>
#include <twinseal/security/verify.h>
#include <twinseal/security/x509.h>
#include <twinseal/twin/twin_store.h>
#include <twinseal/viewmodels/audit_trail.h>
#include <twinseal/viewmodels/calls_controller.h>
#include <twinseal/viewmodels/check_list_model.h>
#include <twinseal/viewmodels/participant_list_model.h>
#include <twinseal/viewmodels/roles_controller.h>
#include <twinseal/viewmodels/twin_controller.h>

#include "call_participants.h"
#include "gui_client.h"
#include "homenet_fixture.h"
#include "test_macros.h"
#include "testmain.h"

namespace {
namespace test_roles {

using namespace twinseal;
using namespace twinseal::test;
using namespace twinseal::viewmodels;
using twinseal::calls::CallClient;
using twinseal::calls::CallState;

namespace {

const auto& testPassphrase() {
    static const QString value = QStringLiteral("roles page passphrase");
    return value;
}
constexpr std::int64_t kDay = 86400;

// St. Mary's, a hospital: its root (what a room trusts for the role) and the key and certificate
// it issues role credentials with.
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
    auto root = security::createRootCertificate(*rootKey, {"St. Mary's Enterprise Root CA", "St. Mary's",
                                                           now - kDay, now + 365 * kDay, true});
    if (!root.ok())
        return std::nullopt;
    auto cert = security::issueCertificate(*rootKey, *root, issuerKey->publicKey(),
                                           {"St. Mary's Role Issuer", "St. Mary's", now - kDay, now + 365 * kDay, false});
    if (!cert.ok())
        return std::nullopt;
    return Hospital{std::move(*root), std::move(*issuerKey), std::move(*cert)};
}

// A surgeon credential from `h` for the holder of `credential`.
std::optional<security::Bytes> surgeon(const Hospital& h, const security::Credential& credential, std::int64_t now) {
    security::RoleClaims c;
    c.enterprise = "St. Mary's";
    c.role = "surgeon";
    c.organisation = "St. Mary's";
    c.holderThumbprint = credential.claims.holderKey.thumbprint();
    c.notBefore = now - 300;
    c.notAfter = now + 30 * kDay;
    c.issuedAt = now;
    auto rc = security::issueRoleCredential(c, h.issuerKey, {h.issuerCert}, security::SystemRandom::instance());
    if (!rc.ok())
        return std::nullopt;
    return rc->encoded;
}

// The visible text of the item `name` inside `parent` (empty when hidden or missing).
QString textIn(QQuickItem* parent, const char* name) {
    if (!parent)
        return {};
    for (QQuickItem* child : parent->childItems()) {
        if (!child->isVisible())
            continue;
        if (child->objectName() == QLatin1String(name))
            return child->property("text").toString();
        QString inner = textIn(child, name);
        if (!inner.isEmpty())
            return inner;
    }
    return {};
}

// Scrolls the page that holds `item` to its end (the Roles card is the last of My Twin).
bool scrollToEnd(QQuickItem* item) {
    for (QQuickItem* p = item; p; p = p->parentItem())
        if (p->inherits("QQuickFlickable")) {
            const qreal end = p->property("contentHeight").toReal() - p->height();
            p->setProperty("contentY", std::max<qreal>(0, end));
            return true;
        }
    return false;
}

int logged(const Client& c, const char* type) {
    int n = 0;
    for (const auto& e : c.controller->auditTrail().entries())
        if (e.type == type)
            ++n;
    return n;
}

} // namespace

class RolesGuiTest : public QObject {
    Q_OBJECT

    std::unique_ptr<HomenetServer> m_server;
    QTemporaryDir m_data;
    std::unique_ptr<Client> m_gui;

    // Joins the room through the Calls page's join form, as a person does.
    bool joinThroughPage(const QString& uri, const QString& code) {
        if (!m_gui->openPage("calls"))
            return false;
        for (const char* name : {"joinUriField", "joinCodeField"})
            if (QQuickItem* field = m_gui->item(name))
                field->setProperty("text", QString());
        return type(m_gui->window, m_gui->item("joinUriField"), uri) &&
               type(m_gui->window, m_gui->item("joinCodeField"), code) &&
               click(m_gui->window, m_gui->item("joinRoomButton"));
    }

private slots:
    void initTestCase() {
        qRegisterMetaType<calls::AnimationFrame>();
        m_server = std::make_unique<HomenetServer>();
        QVERIFY(m_server->start(noRateLimit()));
        m_gui = std::make_unique<Client>(m_data.path(), QString());
        QVERIFY(m_gui->window);
        m_gui->window->resize(1600, 1100);
        QVERIFY(activeTwin(*m_gui, *m_server, QStringLiteral("gui.usim"), QStringLiteral("imsi-001010000005501"),
                           testPassphrase()));
    }
    void init() {
        QTest::failOnWarning(QRegularExpression(QStringLiteral(".*(qml|QML|\\.js|Binding loop).*")));
    }

    void roomRequiringARoleRefusesThenAdmits() {
        const std::int64_t now = security::SystemClock::instance().now();
        auto hospital = stMarys(now);
        QVERIFY(hospital);

        // Bob, a surgeon of St. Mary's, creates a room that requires that role from St. Mary's.
        auto bob = makeCallDevice(*m_server, QStringLiteral("bob"), 2);
        QVERIFY(bob && bob->store->credential());
        auto bobRole = surgeon(*hospital, *bob->store->credential(), now);
        QVERIFY(bobRole);
        calls::EvidenceOptions bobOptions;
        bobOptions.roleCredentials.push_back(*bobRole);
        bob->builder = std::make_unique<calls::EvidenceBuilder>(*bob->store, *bob->session, bobOptions);
        CallClient bobClient(callClientOptions(*m_server, "bob"), *bob->builder, *bob->verifier);
        QSignalSpy created(&bobClient, &CallClient::roomCreated);
        QSignalSpy bobReports(&bobClient, &CallClient::peerReport);
        bobClient.connectToHost();
        QTRY_VERIFY_WITH_TIMEOUT(bobClient.connected(), 30000);
        proto::RoomPolicy policy;
        policy.set_title("Theatre 3");
        policy.set_admission(proto::ROOM_CODE);
        policy.set_protection(proto::CONFIDENTIAL);
        proto::RoleRequirement* required = policy.add_required_roles();
        required->set_role("surgeon");
        required->add_enterprise_roots_pem(hospital->root.pem());
        bobClient.create(policy);
        QTRY_VERIFY_WITH_TIMEOUT(!created.isEmpty(), 60000);
        const QString roomUri = created.first().at(1).toString();
        const QString roomCode = created.first().at(2).toString();
        QTRY_VERIFY_WITH_TIMEOUT(bobClient.setup().participantId() != 0, 60000);
        const quint32 bobId = bobClient.setup().participantId();

        // (a) Without the role: refused by the room host, with its reason and a plain message.
        CallsController* calls = m_gui->controller->calls();
        QVERIFY(joinThroughPage(roomUri, roomCode));
        QTRY_COMPARE_WITH_TIMEOUT(calls->operation()->errorCode(), QStringLiteral("role-missing"), 60000);
        QVERIFY2(calls->operation()->errorMessage().contains(QStringLiteral("surgeon")),
                 qPrintable(calls->operation()->errorMessage()));
        QQuickItem* page = m_gui->item("callsPage");
        QTRY_COMPARE(textIn(page, "errorCode"), QStringLiteral("Reason code: role-missing"));
        QVERIFY(textIn(page, "errorMessage").contains(QStringLiteral("surgeon")));
        QVERIFY(textIn(page, "errorMessage").contains(QStringLiteral("My Twin (Roles)")));
        QVERIFY(!calls->inRoom());
        QVERIFY(!calls->participants()->find(bobId));
        QVERIFY(!m_gui->item(qPrintable(QStringLiteral("participantTile_%1").arg(bobId))));
        m_gui->screenshot("calls-role-missing");

        // (b) The surgeon credential St. Mary's issued for the GUI's twin, dropped on the Roles card.
        QVERIFY(m_gui->openPage("myTwin"));
        const security::Credential* own = m_gui->controller->heldCredential();
        QVERIFY(own);
        auto guiRole = surgeon(*hospital, *own, now);
        QVERIFY(guiRole);
        const QString file = m_server->scratch(QStringLiteral("surgeon.tsrc"));
        {
            QFile f(file);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(reinterpret_cast<const char*>(guiRole->data()), static_cast<qsizetype>(guiRole->size()));
        }
        QTRY_VERIFY(m_gui->item("noRolesText") && m_gui->item("noRolesText")->isVisible());
        QQuickItem* drop = m_gui->item("roleDropTarget");
        QVERIFY(drop);
        // Scrolled down to the card, as a person does.
        QVERIFY(scrollToEnd(m_gui->item("rolesCard")));
        FileDrag drag(m_gui->window, drop, {QUrl::fromLocalFile(file)});
        QVERIFY(drag.accepted());
        drag.drop();
        RolesController* roles = m_gui->controller->roles();
        QTRY_COMPARE(roles->roles()->rowCount(), 1);
        QCOMPARE(roles->operation()->errorCode(), QString());
        QTRY_COMPARE(m_gui->shownText("roleTitle_0"), QStringLiteral("surgeon, St. Mary's"));
        QVERIFY(m_gui->shownText("roleState_0").startsWith(QStringLiteral("Valid until")));
        QVERIFY(!m_gui->item("noRolesText")->isVisible());
        QCOMPARE(logged(*m_gui, role_event::kImport), 1);
        m_gui->screenshot("my-twin-roles");

        // Joins again: admitted; Bob is Verified here, the GUI at Bob's, each role proven.
        QVERIFY(joinThroughPage(roomUri, roomCode));
        QTRY_VERIFY_WITH_TIMEOUT(calls->inRoom(), 60000);
        QTRY_VERIFY_WITH_TIMEOUT(calls->participants()->find(bobId) &&
                                     calls->participants()->find(bobId)->state == QLatin1String("verified"),
                                 60000);
        const quint32 guiId = calls->client()->setup().participantId();
        QTRY_VERIFY_WITH_TIMEOUT(bobClient.outcome(guiId) != nullptr, 60000);
        QCOMPARE(bobClient.outcome(guiId)->report.state, security::OverallState::Verified);
        QTRY_COMPARE(calls->operation()->errorCode(), QString());
        QQuickItem* tile = m_gui->item(qPrintable(QStringLiteral("participantTile_%1").arg(bobId)));
        QVERIFY(tile && tile->isVisible());
        QTRY_COMPARE(textIn(tile, "verificationBadgeHeadline"), QStringLiteral("Verified"));

        // Bob's full report, one click away: the role check passed, naming the role and hospital.
        QVERIFY(click(m_gui->window, m_gui->item(qPrintable(QStringLiteral("tileReportButton_%1").arg(bobId)))));
        QTRY_COMPARE(calls->reportParticipant(), static_cast<int>(bobId));
        QCOMPARE(calls->reportState(), QStringLiteral("verified"));
        const std::string_view roleTitle = security::checkIdTitle(security::CheckId::RoleCredential);
        const CheckListModel::Row* roleCheck = nullptr;
        for (const auto& row : calls->report()->rows())
            if (row.title == QString::fromUtf8(roleTitle.data(), static_cast<qsizetype>(roleTitle.size())))
                roleCheck = &row;
        QVERIFY(roleCheck);
        QCOMPARE(roleCheck->state, QStringLiteral("passed"));
        QVERIFY2(roleCheck->detail.contains(QStringLiteral("surgeon, St. Mary's")), qPrintable(roleCheck->detail));
        m_gui->screenshot("calls-role-verified");
        QVERIFY(click(m_gui->window, m_gui->item("closeReportButton")));

        QVERIFY(click(m_gui->window, m_gui->item("leaveButton")));
        QTRY_VERIFY_WITH_TIMEOUT(!calls->inRoom(), 30000);
        bobClient.leave();

        // Once past its end it is listed as expired, in words and by its shape.
        QVERIFY(m_gui->openPage("myTwin"));
        QVERIFY(scrollToEnd(m_gui->item("rolesCard")));
        security::FixedClock later(now + 31 * kDay);
        roles->setClock(&later);
        QTRY_VERIFY(m_gui->shownText("roleState_0").startsWith(QStringLiteral("Expired on")));
        QCOMPARE(roles->roles()->rows().first().shape, QStringLiteral("failed"));
        m_gui->screenshot("my-twin-roles-expired");
        roles->setClock(nullptr);
        QTRY_VERIFY(m_gui->shownText("roleState_0").startsWith(QStringLiteral("Valid until")));

        // Removed on the Roles card, after confirming.
        QVERIFY(click(m_gui->window, m_gui->item("removeRoleButton_0")));
        QTRY_VERIFY(m_gui->item("confirmRemoveRoleButton") && m_gui->item("confirmRemoveRoleButton")->isVisible());
        QVERIFY(m_gui->shownText("confirmRemoveRoleText").contains(QStringLiteral("surgeon, St. Mary's")));
        QCOMPARE(roles->roles()->rowCount(), 1); // nothing removed before the confirmation
        QVERIFY(click(m_gui->window, m_gui->item("confirmRemoveRoleButton")));
        QTRY_COMPARE(roles->roles()->rowCount(), 0);
        QTRY_VERIFY(m_gui->item("noRolesText")->isVisible());
        QCOMPARE(logged(*m_gui, role_event::kRemove), 1);
    }

    void cleanupTestCase() {
        m_gui.reset();
        m_server.reset();
        QVERIFY(flushSceneGraph());
    }
};

TWINSEAL_TEST(RolesGuiTest, "roles")
} // namespace test_roles
} // namespace

#include "test_roles.moc"
