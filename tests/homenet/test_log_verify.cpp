// `twinsealctl log verify` and `twinsealctl register --recertify` against the real service:
// consistent heads pass (with --old alone and with --old and --new); two heads correctly signed
// by the same log key over different histories (two services sharing the sealed operator keys)
// are caught as inconsistent; a DT registered from the command line is re-certified from it.
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QtTest>

#include <twinseal/netclient/service_client.h>
#include <twinseal/security/credential.h>
#include <twinseal/security/statuslist.h>
#include <twinseal/security/translog.h>

#include "homenet_fixture.h"
#include "testmain.h"

namespace {
namespace test_log_verify {

using namespace twinseal;
using namespace twinseal::security;
using namespace twinseal::test;

namespace {

struct Ctl {
    int exitCode = -1;
    QByteArray output;
};

Ctl twinsealctl(const QStringList& args) {
    QProcess p;
    QProcessEnvironment env = twinsealctlEnvironment();
    env.insert(QStringLiteral("TWINSEAL_PASSPHRASE"), QStringLiteral("holder passphrase"));
    p.setProcessEnvironment(env);
    p.setProcessChannelMode(QProcess::MergedChannels);
    p.start(QStringLiteral(TWINSEALCTL_PATH), args);
    Ctl out;
    if (!p.waitForFinished(120000))
        return out;
    out.output = p.readAll();
    out.exitCode = p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -1;
    return out;
}

// Registers a DT for a new subscriber of `server` through the real client.
bool registerOne(HomenetServer& server, int n, const QString& package) {
    const QString path = server.scratch(QStringLiteral("ue%1.profile").arg(n));
    auto p = server.addSubscriber(QStringLiteral("imsi-00101000000%1").arg(5000 + n), path);
    if (!p)
        return false;
    netclient::ServiceClient client(*p, path);
    auto holder = SigningKey::generate(KeyAlgorithm::Ed25519);
    if (!await<netclient::AuthSession>([&](auto cb) { client.authenticate(std::move(cb)); }).ok())
        return false;
    Bytes m = signedManifest(package, *holder);
    auto reg = await<netclient::Registration>(
        [&](auto cb) { client.registerDt(*holder, std::move(m), std::move(cb)); });
    return reg.ok();
}

// `log head --out`: the service's current signed head, saved by twinsealctl itself.
QString saveHead(HomenetServer& server, const QString& profile, const QString& name) {
    QString file = server.scratch(name);
    const Ctl c = twinsealctl({QStringLiteral("log"), QStringLiteral("head"),
                               QStringLiteral("--profile"), profile, QStringLiteral("--out"), file});
    if (c.exitCode != 0 || !QFile::exists(file))
        qWarning("log head failed: %s", c.output.constData());
    return file;
}

Ctl verify(const QString& profile, const QString& oldHead, const QString& newHead = {}) {
    QStringList args{QStringLiteral("log"), QStringLiteral("verify"), QStringLiteral("--profile"),
                     profile, QStringLiteral("--old"), oldHead};
    if (!newHead.isEmpty())
        args << QStringLiteral("--new") << newHead;
    return twinsealctl(args);
}

} // namespace

class LogVerifyTest : public QObject {
    Q_OBJECT

private slots:
    void inconsistentHistoriesUnderOneLogKey() {
        HomenetServer first;
        QVERIFY(first.start());
        HomenetServer second;
        QVERIFY(second.startWithKeysOf(first));
        // Four avatars: a media root is certified to one subscriber's active twin.
        const QString pkg = avatarCopy(first.scratch(QStringLiteral("pkg")));
        const QString pkg2 = avatarCopy(first.scratch(QStringLiteral("pkg-2")), 2);
        const QString other = avatarCopy(first.scratch(QStringLiteral("pkg-1")), 1);
        const QString other2 = avatarCopy(first.scratch(QStringLiteral("pkg-3")), 3);
        const QString profile = first.scratch(QStringLiteral("reader.profile"));
        QVERIFY(first.addSubscriber(QStringLiteral("imsi-001010000005999"), profile));

        QVERIFY(registerOne(first, 1, pkg));
        const QString head1 = saveHead(first, profile, QStringLiteral("first-1.sth"));
        QVERIFY(registerOne(first, 2, pkg2));
        const QString head2 = saveHead(first, profile, QStringLiteral("first-2.sth"));
        // The second service: the same log key, another history of the same length.
        QVERIFY(registerOne(second, 1, other));
        QVERIFY(registerOne(second, 2, other2));
        const QString secondProfile = second.scratch(QStringLiteral("reader.profile"));
        QVERIFY(second.addSubscriber(QStringLiteral("imsi-001010000005999"), secondProfile));
        const QString forked = saveHead(second, secondProfile, QStringLiteral("second-2.sth"));
        auto a = parseSignedTreeHead(*readFile(head2.toStdString()),
                                     UsimProfileData::load(profile.toStdString())->logKey);
        auto b = parseSignedTreeHead(*readFile(forked.toStdString()),
                                     UsimProfileData::load(profile.toStdString())->logKey);
        QVERIFY2(a.ok() && b.ok(), "both heads are signed by the one log key");
        QCOMPARE(a->head.treeSize, b->head.treeSize);
        QVERIFY(a->head.rootHash != b->head.rootHash);

        // Consistent: the first service's heads, with --old alone and with --new.
        Ctl ok = verify(profile, head1);
        QVERIFY2(ok.exitCode == 0, ok.output.constData());
        ok = verify(profile, head1, head2);
        QVERIFY2(ok.exitCode == 0, ok.output.constData());
        QVERIFY2(ok.output.contains("consisten"), ok.output.constData());
        // Inconsistent: a head of the other history, correctly signed.
        Ctl forkedNew = verify(profile, head1, forked);
        QVERIFY2(forkedNew.exitCode != 0, forkedNew.output.constData());
        QVERIFY2(forkedNew.output.contains("consistency: FAILED"), forkedNew.output.constData());
        Ctl forkedOld = verify(secondProfile, head1);
        QVERIFY2(forkedOld.exitCode != 0, forkedOld.output.constData());
        QVERIFY2(forkedOld.output.contains("consistency: FAILED"), forkedOld.output.constData());
        // Same size, other root: no proof can join them.
        Ctl sameSize = verify(profile, head2, forked);
        QVERIFY2(sameSize.exitCode != 0, sameSize.output.constData());

        // Split view: `log head` keeps the last verified head in the data directory (here the
        // first reader's folder, where it kept the first history's head). The second service's
        // head, signed by the same log key, is a fork: log-fork's exit code, both heads named,
        // the evidence kept; and it stays a fork, for the honest service's head too.
        const int logFork = 10 + int(ErrorCode::LogFork);
        const QString dataDir = QFileInfo(profile).absolutePath();
        Ctl split = twinsealctl({QStringLiteral("log"), QStringLiteral("head"), QStringLiteral("--profile"),
                                 secondProfile, QStringLiteral("--data-dir"), dataDir,
                                 QStringLiteral("--out"), second.scratch(QStringLiteral("seen.sth"))});
        QVERIFY2(split.exitCode == logFork, split.output.constData());
        QVERIFY2(split.output.contains("log-fork") &&
                     split.output.contains(QByteArray::fromStdString(toHex(a->head.rootHash))) &&
                     split.output.contains(QByteArray::fromStdString(toHex(b->head.rootHash))),
                 split.output.constData());
        QVERIFY(QFileInfo::exists(QDir(dataDir).filePath(
            QStringLiteral("log-heads/%1.fork").arg(QString::fromStdString(toHex(a->head.logId))))));
        Ctl still = twinsealctl({QStringLiteral("log"), QStringLiteral("head"), QStringLiteral("--profile"),
                                 profile, QStringLiteral("--out"), first.scratch(QStringLiteral("again.sth"))});
        QVERIFY2(still.exitCode == logFork, still.output.constData());
    }

    void registerThenRecertifyFromTheCommandLine() {
        HomenetServer server;
        QVERIFY(server.start());
        const QString profile = server.scratch(QStringLiteral("ada.profile"));
        QVERIFY(server.addSubscriber(QStringLiteral("imsi-001010000005777"), profile));
        const QString key = server.scratch(QStringLiteral("ada.key"));
        Ctl c = twinsealctl({QStringLiteral("keygen"), QStringLiteral("--out"), key});
        QVERIFY2(c.exitCode == 0, c.output.constData());
        const QString v0 = avatarCopy(server.scratch(QStringLiteral("v0")));
        const QString v1 = avatarCopy(server.scratch(QStringLiteral("v1")), 1);
        const QString dir0 = server.scratch(QStringLiteral("gen1"));
        c = twinsealctl({QStringLiteral("register"), QStringLiteral("--profile"), profile,
                         QStringLiteral("--key"), key, QStringLiteral("--avatar"), v0,
                         QStringLiteral("--out-dir"), dir0});
        QVERIFY2(c.exitCode == 0, c.output.constData());
        auto first = parseCredential(
            *readFile(QDir(dir0).filePath(QStringLiteral("credential.tsc")).toStdString()));
        QVERIFY(first.ok());

        const QString dir1 = server.scratch(QStringLiteral("gen2"));
        c = twinsealctl({QStringLiteral("register"), QStringLiteral("--profile"), profile,
                         QStringLiteral("--key"), key, QStringLiteral("--avatar"), v1,
                         QStringLiteral("--recertify"), QString::fromStdString(first->claims.dtId),
                         QStringLiteral("--out-dir"), dir1});
        QVERIFY2(c.exitCode == 0, c.output.constData());
        QVERIFY2(c.output.contains("re-certified"), c.output.constData());
        auto second = parseCredential(
            *readFile(QDir(dir1).filePath(QStringLiteral("credential.tsc")).toStdString()));
        QVERIFY(second.ok());
        QCOMPARE(second->claims.dtId, first->claims.dtId);
        QCOMPARE(second->claims.generation, 2u);
        QVERIFY(second->claims.mediaRoot != first->claims.mediaRoot);
        // The first credential is superseded (revoked in the status list), the new one is not.
        c = twinsealctl({QStringLiteral("status"), QStringLiteral("--profile"), profile,
                         QStringLiteral("--credential"),
                         QDir(dir0).filePath(QStringLiteral("credential.tsc"))});
        QVERIFY2(c.exitCode != 0 && c.output.contains("revoked"), c.output.constData());
        c = twinsealctl({QStringLiteral("status"), QStringLiteral("--profile"), profile,
                         QStringLiteral("--credential"),
                         QDir(dir1).filePath(QStringLiteral("credential.tsc"))});
        QVERIFY2(c.exitCode == 0 && c.output.contains("not revoked"), c.output.constData());
        // Re-certifying a DT this subscription does not have: the service's reason.
        c = twinsealctl({QStringLiteral("register"), QStringLiteral("--profile"), profile,
                         QStringLiteral("--key"), key, QStringLiteral("--avatar"), v0,
                         QStringLiteral("--recertify"), QStringLiteral("dt-nonexistent"),
                         QStringLiteral("--out-dir"), server.scratch(QStringLiteral("gen3"))});
        QVERIFY(c.exitCode != 0);
        QVERIFY2(c.output.contains("unknown-dt"), c.output.constData());
    }
};

TWINSEAL_TEST(LogVerifyTest, "log-verify")
} // namespace test_log_verify
} // namespace

#include "test_log_verify.moc"
