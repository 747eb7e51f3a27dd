// "Verify a peer…" on My Twin, as a person uses it, against the real twinseal-homenet on
// loopback: the files of a twin registered there (its credential, manifest and media, and a call
// assertion signed with its key) verify as Verified, with the status list and the log inclusion
// fetched from the home network and every check shown; the same assertion again fails as a
// replay; a fresh one without the media is Incomplete, never Verified.
#include <QAccessible>
#include <QDir>
#include <QFile>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <twinseal/viewmodels/check_list_model.h>
#include <twinseal/viewmodels/peer_verification_controller.h>
#include <twinseal/viewmodels/twin_controller.h>

#include "gui_client.h"
#include "homenet_fixture.h"
#include "testmain.h"

namespace {
namespace test_verify_peer {

using namespace twinseal;
using namespace twinseal::test;
using namespace twinseal::viewmodels;

namespace {

const auto& testPassphrase() {
    static const QString value = QStringLiteral("verify peer passphrase");
    return value;
}
const auto& testRoom() {
    static const QString value = QStringLiteral("urn:twinseal:room:theatre-3");
    return value;
}

// `twinsealctl assertion create`: the peer signs a call assertion for this room.
bool createAssertion(const Client& c, const QString& out) {
    QProcess p;
    QProcessEnvironment env = twinsealctlEnvironment();
    env.insert(QStringLiteral("TWINSEAL_PASSPHRASE"), testPassphrase());
    p.setProcessEnvironment(env);
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(QStringLiteral(TWINSEALCTL_PATH),
            {QStringLiteral("assertion"), QStringLiteral("create"), QStringLiteral("--key"),
             c.controller->dataFile(QStringLiteral("holder.key")), QStringLiteral("--credential"),
             c.controller->dataFile(QStringLiteral("credential.tsc")), QStringLiteral("--dest"), testRoom(),
             QStringLiteral("--out"), out});
    if (!p.waitForFinished(60000) || p.exitCode() != 0) {
        qWarning("assertion create: %s", p.readAll().constData());
        return false;
    }
    return true;
}

// Copies `from` (a file, or a folder's files) into `folder`, as a peer's files arrive in a
// download folder; returns the copy's path, or empty.
QString copyInto(const QString& from, const QString& folder) {
    const QFileInfo source(from);
    QString target = QDir(folder).filePath(source.fileName());
    if (source.isFile())
        return QFile::copy(from, target) ? target : QString();
    if (!QDir().mkpath(target))
        return {};
    for (const QFileInfo& f : QDir(from).entryInfoList(QDir::Files))
        if (!QFile::copy(f.filePath(), QDir(target).filePath(f.fileName())))
            return {};
    return target;
}

// Replaces a field's text by typing, as a person does.
bool fill(const Client& c, const char* field, const QString& text) {
    QQuickItem* f = c.item(field);
    if (!f || !click(c.window, f))
        return false;
    f->forceActiveFocus();
    QTest::keyClick(c.window, Qt::Key_A, Qt::ControlModifier);
    QTest::keyClick(c.window, Qt::Key_Backspace);
    if (text.isEmpty())
        return f->property("text").toString().isEmpty();
    return type(c.window, f, text);
}

// Presses "Verify" and waits for the report.
bool verifyPeer(const Client& c) {
    QQuickItem* run = c.item("verifyPeerRunButton");
    PeerVerificationController* v = c.controller->peerVerification();
    QSignalSpy finished(v, &PeerVerificationController::finished);
    if (!click(c.window, run)) {
        qWarning("the Verify button cannot be pressed (visible %d, enabled %d)",
                 run && run->isVisible(), run && run->isEnabled());
        return false;
    }
    return finished.count() > 0 || finished.wait(60000);
}

} // namespace

class VerifyPeerTest : public QObject {
    Q_OBJECT

    std::unique_ptr<HomenetServer> m_server;

private slots:
    void initTestCase() {
        m_server = std::make_unique<HomenetServer>();
        QVERIFY(m_server->start());
    }

    void verifiedThenReplayedThenIncomplete() {
        QTemporaryDir data;
        QTemporaryDir home;
        // The peer's files, where a person keeps what a peer sent.
        const QString peerFiles = home.filePath(QStringLiteral("Downloads/dr-ada"));
        QVERIFY(QDir().mkpath(peerFiles));
        Client c(data.path(), {});
        QVERIFY(activeTwin(c, *m_server, QStringLiteral("verify-peer.usim"), QStringLiteral("imsi-001010000004301"), testPassphrase()));
        const QString call1 = QDir(peerFiles).filePath(QStringLiteral("call1.jws"));
        const QString call2 = QDir(peerFiles).filePath(QStringLiteral("call2.jws"));
        QVERIFY(createAssertion(c, call1));
        QVERIFY(createAssertion(c, call2));
        const QString credential = copyInto(c.controller->dataFile(QStringLiteral("credential.tsc")), peerFiles);
        const QString manifest = copyInto(c.controller->dataFile(QStringLiteral("manifest.tsm")), peerFiles);
        const QString mediaDir = copyInto(c.controller->avatarDir(), peerFiles);
        QVERIFY(!credential.isEmpty() && !manifest.isEmpty() && !mediaDir.isEmpty());

        // The dialog opens from the page header; every control has a name people and tests use.
        QVERIFY(click(c.window, c.item("verifyPeerButton")));
        auto* dialog = c.window->findChild<QObject*>(QStringLiteral("verifyPeerDialog"));
        QVERIFY(dialog);
        QTRY_VERIFY(dialog->property("opened").toBool());
        for (const char* name : {"verifyPeerAssertionField", "verifyPeerAssertionBrowse",
                                 "verifyPeerCredentialField", "verifyPeerCredentialBrowse",
                                 "verifyPeerManifestField", "verifyPeerManifestBrowse",
                                 "verifyPeerPackageField", "verifyPeerPackageBrowse",
                                 "verifyPeerDestinationField", "verifyPeerRunButton",
                                 "verifyPeerCloseButton"}) {
            QQuickItem* item = c.item(name);
            QVERIFY2(item && item->isVisible(), name);
            QAccessibleInterface* a = QAccessible::queryAccessibleInterface(item);
            QVERIFY2(a && !a->text(QAccessible::Name).isEmpty(), name);
        }
        QVERIFY(!c.item("verifyPeerRunButton")->isEnabled()); // nothing chosen yet

        // Everything given: Verified, every check passed.
        QVERIFY(fill(c, "verifyPeerAssertionField", call1));
        QVERIFY(fill(c, "verifyPeerCredentialField", credential));
        QVERIFY(fill(c, "verifyPeerManifestField", manifest));
        QVERIFY(fill(c, "verifyPeerPackageField", mediaDir));
        QVERIFY(fill(c, "verifyPeerDestinationField", testRoom()));
        // Left, a field shows the file's name first and its folder shortened; editing shows the path.
        QCOMPARE(c.shownText("verifyPeerCredentialFieldName"), QStringLiteral("credential.tsc"));
        QCOMPARE(c.shownText("verifyPeerCredentialFieldFolder"), QStringLiteral("in …/Downloads/dr-ada"));
        QCOMPARE(c.shownText("verifyPeerPackageFieldName"), QFileInfo(mediaDir).fileName());
        QCOMPARE(c.item("verifyPeerCredentialField")->property("text").toString(), credential);
        QVERIFY(verifyPeer(c));
        PeerVerificationController* v = c.controller->peerVerification();
        QVERIFY2(v->state() == QLatin1String("verified"), qPrintable(v->reason()));
        QVERIFY(c.shownText("verifyPeerHeadline").startsWith(QStringLiteral("Verified")));
        QVERIFY(c.shownText("verifyPeerHeadline").contains(c.controller->pseudonym()));
        QCOMPARE(c.item("verifyPeerStateIcon")->property("state").toString(), QStringLiteral("verified"));
        const auto& rows = v->checks()->rows();
        QCOMPARE(rows.size(), 19); // every check of the report, the role-credential check included
        for (const auto& r : rows)
            QVERIFY2(r.state == QLatin1String("passed"), qPrintable(r.title + ": " + r.detail));
        QTRY_VERIFY(c.item("checkRow_18")); // every check is shown
        c.screenshot("verify-peer-verified");

        // The same assertion again: a replay, refused with its reason.
        QVERIFY(verifyPeer(c));
        QCOMPARE(v->state(), QStringLiteral("failed"));
        QVERIFY(c.shownText("verifyPeerHeadline").startsWith(QStringLiteral("Failed")));
        QVERIFY2(c.shownText("verifyPeerReason").contains(QStringLiteral("assertion-replayed")),
                 qPrintable(c.shownText("verifyPeerReason")));
        QCOMPARE(c.item("verifyPeerStateIcon")->property("state").toString(), QStringLiteral("failed"));

        // A fresh assertion without the media: Incomplete, and the missing check says why.
        QVERIFY(fill(c, "verifyPeerAssertionField", call2));
        QVERIFY(fill(c, "verifyPeerPackageField", QString()));
        QVERIFY(verifyPeer(c));
        QCOMPARE(v->state(), QStringLiteral("incomplete"));
        QVERIFY(c.shownText("verifyPeerHeadline").startsWith(QStringLiteral("Incomplete")));
        QVERIFY(c.shownText("verifyPeerReason").contains(QStringLiteral("media-content")));
        QCOMPARE(c.item("verifyPeerStateIcon")->property("state").toString(), QStringLiteral("incomplete"));
        QVERIFY(c.item("verifyPeerStateIcon")->property("state").toString() != QLatin1String("verified"));
        bool media = false;
        for (const auto& r : v->checks()->rows())
            if (r.state == QLatin1String("skipped")) {
                QVERIFY(r.required);
                QVERIFY(r.detail.startsWith(QStringLiteral("Not checked, but required")));
                media = true;
            }
        QVERIFY(media);
        QVERIFY(click(c.window, c.item("verifyPeerCloseButton")));
        QTRY_VERIFY(!dialog->property("visible").toBool());
    }

    void cleanupTestCase() {
        m_server.reset();
        QVERIFY(flushSceneGraph());
    }
};

TWINSEAL_TEST(VerifyPeerTest, "verify-peer")
} // namespace test_verify_peer
} // namespace

#include "test_verify_peer.moc"
