// Backup and restore of the real service: a backup taken while the service serves (a
// registration running at the same moment), the old service going on after it, then the backup
// restored onto a fresh data directory and database, and the restored service continuing: the
// twins of the backup are there, the transparency log grows from the backup's head (the
// client's consistency proof from a head seen before the backup verifies), the status list's
// sequence is above every one the old service published, the USIM's sequence numbers move
// forward, and a request signed for the old service after the backup is not accepted. A
// truncated, corrupted, foreign or wrongly sealed backup is refused with its reason and nothing
// is written; a restore onto a home network that has data is refused and leaves it serving.
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QProcess>
#include <QtTest>

#include <twinseal/netclient/service_client.h>
#include <twinseal/security/aka.h>

#include "homenet_fixture.h"
#include "raw_client.h"
#include "test_macros.h"
#include "testmain.h"

namespace {
namespace test_backup {

using namespace twinseal;
using namespace twinseal::security;
using namespace twinseal::test;

namespace {

template <typename T> T required(netclient::ClientResult<T> r, const char* what) {
    if (!r.ok())
        qFatal("%s: %s", what, r.error().code.c_str());
    return std::move(r).value();
}

// The subscriber's client, pointed at `server` (a restored service listens elsewhere).
std::unique_ptr<netclient::ServiceClient> clientFor(const HomenetServer& server,
                                                    const QString& profilePath) {
    auto profile = UsimProfileData::load(profilePath.toStdString());
    if (!profile.ok())
        qFatal("cannot load %s", qPrintable(profilePath));
    profile->serviceUrl = server.url().toStdString();
    if (!profile->save(profilePath.toStdString()).ok())
        qFatal("cannot save %s", qPrintable(profilePath));
    return std::make_unique<netclient::ServiceClient>(*profile, profilePath);
}

std::uint64_t usimSeq(const QString& profilePath) {
    auto profile = UsimProfileData::load(profilePath.toStdString());
    return profile.ok() ? sqnSeq(profile->sqn.sqnMs()) : 0;
}

bool writeBytes(const QString& path, const QByteArray& bytes) {
    QFile f(path);
    return f.open(QIODevice::WriteOnly | QIODevice::Truncate) && f.write(bytes) == bytes.size();
}

} // namespace

class BackupTest : public QObject {
    Q_OBJECT

  private slots:
    void backUpWhileServingRestoreElsewhereAndContinue() {
        HomenetServer a;
        QVERIFY(a.start(noRateLimit()));
        TestSubscriber s1 = addTestSubscriber(a, QStringLiteral("s1.profile"), 4201);
        TestSubscriber s2 = addTestSubscriber(a, QStringLiteral("s2.profile"), 4202);
        auto d = a.addSubscriber(QStringLiteral("imsi-001010000004203"), a.scratch(QStringLiteral("d.profile")));
        QVERIFY(d.has_value());
        REQUIRE_OK(authenticate(*s1.client));
        const netclient::Registration reg1 =
            required(registerDt(s1, avatarCopy(a.scratch(QStringLiteral("pkg1")), 1)), "register s1");
        const SignedTreeHead headBefore =
            required(await<SignedTreeHead>([&](auto cb) { s1.client->fetchTreeHead(std::move(cb)); }),
                     "tree head");

        // The backup runs while s2 registers on the same service.
        const QString backup = a.scratch(QStringLiteral("homenet.backup"));
        QProcess tool;
        tool.setProcessChannelMode(QProcess::MergedChannels);
        QStringList args{QStringLiteral("backup"), QStringLiteral("--out"), backup,
                         QStringLiteral("--data-dir"), a.dataDir(), QStringLiteral("--passphrase-file"),
                         a.scratch(QStringLiteral("passphrase"))};
        if (!a.database().isEmpty())
            args << QStringLiteral("--database") << a.database();
        tool.start(QStringLiteral(TWINSEAL_HOMENET_PATH), args);
        REQUIRE_OK(authenticate(*s2.client));
        REQUIRE_OK(registerDt(s2, avatarCopy(a.scratch(QStringLiteral("pkg2")), 2)));
        QVERIFY(tool.waitForFinished(120000));
        QVERIFY2(tool.exitCode() == 0, tool.readAll().constData());
        QVERIFY(QFile::permissions(backup) ==
                (QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadUser |
                 QFileDevice::WriteUser));

        // The old service goes on after the backup: more authentications, a revocation (a new
        // status list), and a request signed for it that someone keeps.
        REQUIRE_OK(authenticate(*s1.client));
        REQUIRE_OK(authenticate(*s1.client));
        const std::uint64_t seqOnA = usimSeq(s1.path);
        RawClient rawA(a);
        const AkmaSession akma = akmaLogin(rawA, *d);
        const QByteArray kept = akmaAuthorization(akma, "GET", "/v1/dt", {});
        QCOMPARE(rawA.send("GET", QStringLiteral("/v1/dt"), {}, "application/x-protobuf",
                           {{"Authorization", kept}}).status,
                 200);
        const StatusList listOnA = required(statusList(*s1.client), "status list on A");
        QCOMPARE(a.stop(), 0);

        // Restored onto a fresh data directory and database.
        HomenetServer b;
        QByteArray out;
        QCOMPARE(b.runTool({QStringLiteral("restore"), QStringLiteral("--in"), backup}, &out), 0);
        QVERIFY2(out.contains("restored"), out.constData());
        QVERIFY2(b.serve(noRateLimit()), b.log().constData());

        // s1's twin is there.
        QByteArray list;
        QCOMPARE(b.runTool({QStringLiteral("dt"), QStringLiteral("list")}, &list), 0);
        QVERIFY2(list.contains(QByteArray::fromStdString(reg1.credential.claims.dtId)), list.constData());
        // Its USIM authenticates, the network's sequence number ahead of every one A used.
        auto c1 = clientFor(b, s1.path);
        REQUIRE_OK(authenticate(*c1));
        // (The restored network starts 2^20 steps after the backup's SEQ; a SEQ that had gone
        // back would have been re-synchronised to A's instead.)
        QVERIFY2(usimSeq(s1.path) > seqOnA && usimSeq(s1.path) > (std::uint64_t{1} << 20),
                 qPrintable(QStringLiteral("%1 after %2").arg(usimSeq(s1.path)).arg(seqOnA)));
        // The log grows from the backup's head, consistent with the head seen before it.
        TestSubscriber s3 = addTestSubscriber(b, QStringLiteral("s3.profile"), 4204);
        REQUIRE_OK(authenticate(*s3.client));
        REQUIRE_OK(registerDt(s3, avatarCopy(b.scratch(QStringLiteral("pkg3")), 3)));
        const SignedTreeHead headAfter =
            required(await<SignedTreeHead>([&](auto cb) { c1->fetchTreeHead(std::move(cb)); }),
                     "tree head on B");
        QVERIFY(headAfter.head.treeSize > headBefore.head.treeSize);
        REQUIRE_OK(await<ConsistencyProof>(
            [&](auto cb) { c1->checkConsistency(headBefore, headAfter, std::move(cb)); }));
        // The status list goes on above every sequence A published.
        const StatusList listOnB = required(statusList(*c1), "status list on B");
        QVERIFY2(listOnB.info().sequence > listOnA.info().sequence,
                 qPrintable(QStringLiteral("%1 after %2")
                                .arg(listOnB.info().sequence)
                                .arg(listOnA.info().sequence)));
        // The request signed for A after the backup is not accepted by B.
        RawClient rawB(b);
        EXPECT_REFUSAL(rawB.send("GET", QStringLiteral("/v1/dt"), {}, "application/x-protobuf",
                                 {{"Authorization", kept}}),
                       401, "unknown-akma-key");
    }

    void aDamagedOrForeignBackupIsRefusedAndNothingIsWritten() {
        HomenetServer a;
        QVERIFY(a.start(noRateLimit()));
        (void)addTestSubscriber(a, QStringLiteral("s.profile"), 4301);
        const QString backup = a.scratch(QStringLiteral("homenet.backup"));
        QByteArray out;
        QCOMPARE(a.runTool({QStringLiteral("backup"), QStringLiteral("--out"), backup}, &out), 0);
        QFile f(backup);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray good = f.readAll();

        QByteArray corrupted = good;
        corrupted[corrupted.size() - 40] = char(corrupted[corrupted.size() - 40] ^ 0x04);
        QByteArray resealedHeader = corrupted; // the checksum recomputed over the altered bytes
        {
            const qsizetype end = resealedHeader.indexOf("\n\n") + 2;
            const QByteArray sealed = resealedHeader.mid(end);
            const Digest sum = sha256(ByteView(reinterpret_cast<const std::uint8_t*>(sealed.constData()),
                                               std::size_t(sealed.size())));
            const qsizetype at = resealedHeader.indexOf("sha256 ") + 7;
            resealedHeader.replace(at, 64, QByteArray::fromStdString(toHex(sum)));
        }
        const struct {
            const char* name;
            QByteArray bytes;
            const char* code;
        } cases[] = {
            {"truncated", good.left(good.size() - 100), "backup-truncated"},
            {"corrupted", corrupted, "backup-corrupted"},
            // The outer checksum redone: the sealed body's own integrity check still sees it.
            {"altered with its checksum redone", resealedHeader, "backup-corrupted"},
            {"not a backup", QByteArray("PK\x03\x04 an archive of something else"), "not-a-backup"},
            {"empty", QByteArray(), "not-a-backup"},
        };
        for (const auto& c : cases) {
            HomenetServer target;
            const QString file = target.scratch(QStringLiteral("in.backup"));
            QVERIFY(writeBytes(file, c.bytes));
            QByteArray said;
            QVERIFY2(target.runTool({QStringLiteral("restore"), QStringLiteral("--in"), file}, &said) != 0,
                     c.name);
            QVERIFY2(said.contains(c.code), (QByteArray(c.name) + ": " + said).constData());
            QVERIFY2(!QFileInfo::exists(target.dataDir()), c.name);
        }
        // The right file under another passphrase.
        {
            HomenetServer target;
            QFile pass(target.scratch(QStringLiteral("passphrase")));
            QVERIFY(pass.open(QIODevice::WriteOnly | QIODevice::Truncate));
            pass.write("not the operator passphrase");
            pass.close();
            QByteArray said;
            QVERIFY(target.runTool({QStringLiteral("restore"), QStringLiteral("--in"), backup}, &said) != 0);
            QVERIFY2(said.contains("backup-passphrase-wrong"), said.constData());
            QVERIFY(!QFileInfo::exists(target.dataDir()));
        }
        // Onto the running home network itself: refused, and it goes on serving.
        QVERIFY(a.runTool({QStringLiteral("restore"), QStringLiteral("--in"), backup}, &out) != 0);
        QVERIFY2(out.contains("restore-target-not-empty"), out.constData());
        QVERIFY(a.running());
        RawClient raw(a);
        QCOMPARE(raw.send("GET", QStringLiteral("/v1/info")).status, 200);
        // And the good backup restores.
        HomenetServer target;
        QCOMPARE(target.runTool({QStringLiteral("restore"), QStringLiteral("--in"), backup}, &out), 0);
        QVERIFY2(target.serve(), target.log().constData());
    }
};

TWINSEAL_TEST(BackupTest, "backup")
} // namespace test_backup
} // namespace

#include "test_backup.moc"
