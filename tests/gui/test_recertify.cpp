// Re-certification from My Twin as a person does it, against the real twinseal-homenet on
// loopback: "Re-certify changed avatar…", the changed folder chosen in the dialog, and the page
// then shows the new generation, the new certified media root and the new manifest, while the home
// network has superseded the old credential (inactive in its signed status list) and still holds
// one DT. A folder without a model is refused first and changes nothing.
#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <twinseal/security/credential.h>
#include <twinseal/security/bytes.h>
#include <twinseal/security/statuslist.h>
#include <twinseal/viewmodels/twin_controller.h>

#include "gui_client.h"
#include "homenet_fixture.h"
#include "testmain.h"

namespace {
namespace test_recertify {

using namespace twinseal;
using namespace twinseal::test;

namespace {

const auto& testPassphrase() {
    static const QString value = QStringLiteral("recertify passphrase");
    return value;
}

std::optional<security::Credential> storedCredential(const Client& c) {
    auto bytes = security::readFile(c.controller->dataFile(QStringLiteral("credential.tsc")).toStdString());
    if (!bytes.ok())
        return std::nullopt;
    auto cred = security::parseCredential(*bytes);
    return cred.ok() ? std::optional<security::Credential>(std::move(cred).value()) : std::nullopt;
}

QString credentialFact(const Client& c, const char* label) {
    return c.controller->credentialModel()->valueOf(QLatin1String(label));
}

QString manifestRoot(const Client& c) {
    return c.controller->manifestModel()->valueOf(QStringLiteral("Package root"));
}

} // namespace

class RecertifyTest : public QObject {
    Q_OBJECT

    std::unique_ptr<HomenetServer> m_server;

private slots:
    void initTestCase() {
        m_server = std::make_unique<HomenetServer>();
        QVERIFY(m_server->start());
    }

    void changedAvatarIsRecertifiedFromMyTwin() {
        QTemporaryDir data;
        Client c(data.path(), {});
        QVERIFY(activeTwin(c, *m_server, QStringLiteral("recertify.usim"), QStringLiteral("imsi-001010000004201"), testPassphrase()));
        const auto before = storedCredential(c);
        QVERIFY(before);
        QCOMPARE(credentialFact(c, "Generation"), QStringLiteral("1"));
        const QString rootBefore = credentialFact(c, "Certified media root");
        const QString manifestBefore = manifestRoot(c);
        QVERIFY(!manifestBefore.isEmpty());
        const QString dtId = c.controller->dtId();
        const int dts = dtCount(*m_server);
        QCOMPARE(dts, 1);

        // A folder without a model: refused with its reason; the twin is unchanged.
        const QString empty = QDir(data.path()).filePath(QStringLiteral("empty"));
        QVERIFY(QDir().mkpath(empty));
        QVERIFY(click(c.window, c.item("recertifyButton")));
        QVERIFY(choose(c.window, c.dialog("myTwinPage", "recertifyDialog"), empty));
        QTRY_COMPARE(c.controller->errorCode(), QStringLiteral("avatar-package-invalid"));
        QTRY_VERIFY(c.item("errorBanner")->isVisible());
        QVERIFY(c.shownText("errorMessage").contains(QStringLiteral("has no .glb or .gltf model")));
        QCOMPARE(credentialFact(c, "Generation"), QStringLiteral("1"));
        QCOMPARE(storedCredential(c)->encoded, before->encoded);
        QVERIFY(click(c.window, c.item("dismissErrorButton")));
        QTRY_VERIFY(!c.item("errorBanner")->isVisible());

        // The changed avatar (new metadata, so new bytes).
        const QString changed = avatarCopy(QDir(data.path()).filePath(QStringLiteral("changed")), 1);
        QTRY_VERIFY(c.item("recertifyButton")->isEnabled());
        QVERIFY(click(c.window, c.item("recertifyButton")));
        QVERIFY(choose(c.window, c.dialog("myTwinPage", "recertifyDialog"), changed));
        QTRY_VERIFY(c.controller->busy() || credentialFact(c, "Generation") == QLatin1String("2"));
        QTRY_COMPARE_WITH_TIMEOUT(credentialFact(c, "Generation"), QStringLiteral("2"), 60000);
        QTRY_VERIFY_WITH_TIMEOUT(!c.controller->busy(), 60000);
        QCOMPARE(c.controller->errorCode(), QString());
        QVERIFY(c.shownText("noticeText").contains(QStringLiteral("avatar is stored")));

        // The page shows the new certification: same DT, new media root, new manifest.
        QCOMPARE(c.controller->dtId(), dtId);
        QCOMPARE(c.controller->avatarDir(), QDir(changed).absolutePath());
        const QString rootAfter = credentialFact(c, "Certified media root");
        QVERIFY(rootAfter != rootBefore);
        QVERIFY(manifestRoot(c) != manifestBefore);
        QCOMPARE(manifestRoot(c), rootAfter); // the manifest shown is the one certified
        const auto after = storedCredential(c);
        QVERIFY(after);
        QCOMPARE(after->claims.generation, 2u);
        QVERIFY(after->claims.mediaRoot != before->claims.mediaRoot);
        c.screenshot("my-twin-recertified");

        // The home network superseded the old credential and still holds one DT.
        auto list = await<security::StatusList>([&](auto cb) { c.controller->client()->fetchStatusList(std::move(cb)); });
        QVERIFY2(list.ok(), list.ok() ? "" : list.error().describe().c_str());
        QCOMPARE(*list->isRevoked(before->claims.statusListIndex), true);
        QCOMPARE(*list->isRevoked(after->claims.statusListIndex), false);
        QCOMPARE(dtCount(*m_server), dts);
        QTRY_COMPARE_WITH_TIMEOUT(c.controller->twinStatus(), QStringLiteral("active"), 15000);
    }

    void cleanupTestCase() {
        m_server.reset();
        QVERIFY(flushSceneGraph());
    }
};

TWINSEAL_TEST(RecertifyTest, "recertify")
} // namespace test_recertify
} // namespace

#include "test_recertify.moc"
