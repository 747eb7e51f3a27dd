// SIGKILL in the middle of registrations: after a restart nothing half-written is visible
// (every DT has its credential, its log entry and its status index; no subscriber is blocked by
// a DT that was never acknowledged), everything acknowledged is there, and the log verifies
// (the service re-checks every leaf at start; the tree head of every acknowledged registration's
// receipt is consistent with the head after the restart, by the service's proof and by
// `twinsealctl log verify`, and every acknowledged credential is included in it).
#include <QFile>
#include <QProcess>
#include <QtTest>

#include <set>

#include <twinseal/netclient/service_client.h>
#include <twinseal/security/statuslist.h>
#include <twinseal/security/translog.h>
#include <twinseal/security/verify.h>

#include "homenet_fixture.h"
#include "testmain.h"

namespace {
namespace test_crash {

using namespace twinseal;
using namespace twinseal::security;
using namespace twinseal::test;

namespace {
struct Ue {
    QString path;
    std::unique_ptr<netclient::ServiceClient> client;
    SigningKey holder;
    Bytes manifest;
    std::optional<netclient::ClientResult<netclient::Registration>> result;
};
} // namespace

class CrashTest : public QObject {
    Q_OBJECT

private slots:
    void killDuringRegistrations() {
        HomenetServer server;
        const QStringList flags{QStringLiteral("--rate-limit"), QStringLiteral("0"),
                                QStringLiteral("--log-level"), QStringLiteral("debug")};
        QVERIFY(server.start(flags));
        constexpr int kUes = 40;
        std::vector<Ue> ues(kUes);
        for (int i = 0; i < kUes; ++i) {
            ues[i].path = server.scratch(QStringLiteral("ue%1.profile").arg(i));
            auto p = server.addSubscriber(QStringLiteral("imsi-00101000000%1").arg(2000 + i), ues[i].path);
            QVERIFY(p);
            ues[i].client = std::make_unique<netclient::ServiceClient>(*p, ues[i].path);
            ues[i].holder = std::move(SigningKey::generate(KeyAlgorithm::Ed25519)).value();
            // An avatar of its own each: a media root is certified to one subscriber's twin.
            ues[i].manifest = signedManifest(
                avatarCopy(server.scratch(QStringLiteral("pkg%1").arg(i)), i + 1), ues[i].holder);
            auto s = await<netclient::AuthSession>([&](auto cb) { ues[i].client->authenticate(std::move(cb)); });
            QVERIFY(s.ok());
        }
        // Two registrations acknowledged before the batch: their receipts' heads are checked
        // against the log after the restart like those acknowledged in the batch.
        constexpr int kBefore = 2;
        for (int i = 0; i < kBefore; ++i) {
            ues[i].result.emplace(await<netclient::Registration>([&](auto cb) {
                ues[i].client->registerDt(ues[i].holder, ues[i].manifest, std::move(cb));
            }));
            QVERIFY(ues[i].result->ok());
        }
        // Fire every other registration at once and kill the service while they are being handled.
        // The service is killed as soon as it has logged a few completed registrations, so the
        // kill lands in the middle of the batch.
        const int startLines =
            static_cast<int>(server.pollLog().count("\"path\":\"/v1/dt/register\",\"status\":200"));
        for (auto& ue : ues)
            if (!ue.result)
                ue.client->registerDt(ue.holder, ue.manifest,
                                      [&ue](netclient::ClientResult<netclient::Registration> r) {
                                          ue.result.emplace(std::move(r));
                                      });
        QElapsedTimer t;
        t.start();
        auto answered = [&] {
            return int(server.pollLog().count("\"path\":\"/v1/dt/register\",\"status\":200")) -
                   startLines;
        };
        while (t.elapsed() < 30000 && answered() < 3)
            QCoreApplication::processEvents(QEventLoop::AllEvents, 2);
        server.kill();
        // Registrations the service answered (committed before it logged them).
        const int committed = answered();
        while (t.elapsed() < 40000) {
            QCoreApplication::processEvents(QEventLoop::AllEvents, 20);
            bool all = true;
            for (auto& ue : ues)
                all = all && ue.result.has_value();
            if (all)
                break;
        }
        std::set<std::string> acknowledged;
        std::vector<const netclient::Registration*> receipts;
        int failed = 0;
        for (auto& ue : ues) {
            QVERIFY(ue.result.has_value());
            if (ue.result->ok()) {
                acknowledged.insert((*ue.result)->credential.claims.dtId);
                receipts.push_back(&ue.result->value());
            } else {
                ++failed;
            }
        }
        qInfo("service answered %d before the kill; client saw %zu acknowledged, %d cut off",
              committed, acknowledged.size(), failed);
        QVERIFY2(failed > 0, "the kill did not interrupt any registration");

        QVERIFY(server.restart(flags));
        QVERIFY(server.log().contains("\"event\":\"listening\""));

        // The log verifies: the service re-checked every leaf; the head each acknowledged
        // registration was given is a prefix of the head now, and its credential is included.
        auto headAfter = await<SignedTreeHead>([&](auto cb) { ues[0].client->fetchTreeHead(std::move(cb)); });
        QVERIFY(headAfter.ok());
        QVERIFY(headAfter->head.treeSize >= acknowledged.size());
        const SignedTreeHead* oldest = nullptr;
        for (const netclient::Registration* reg : receipts) {
            const SignedTreeHead& given = reg->receipt.treeHead;
            QVERIFY(given.head.treeSize > 0);
            auto proof = await<ConsistencyProof>([&](auto cb) {
                ues[0].client->checkConsistency(given, *headAfter, std::move(cb));
            });
            QVERIFY2(proof.ok(), proof.ok() ? "" : proof.error().describe().c_str());
            auto incl = await<LogReceipt>([&](auto cb) {
                ues[0].client->fetchInclusionByCredential(reg->credential.digest(),
                                                          headAfter->head.treeSize, std::move(cb));
            });
            QVERIFY2(incl.ok(), incl.ok() ? "" : incl.error().describe().c_str());
            LogInclusionChecker included(incl->treeHead);
            QVERIFY(included.add(*incl).ok());
            QVERIFY(included.check(reg->credential).ok());
            if (oldest == nullptr || given.head.treeSize < oldest->head.treeSize)
                oldest = &given;
        }
        // ... and so says twinsealctl, from the oldest acknowledged head to the current one.
        QVERIFY(oldest != nullptr);
        auto saveHead = [&](const SignedTreeHead& h, const QString& name) {
            QFile f(server.scratch(name));
            if (!f.open(QIODevice::WriteOnly))
                return QString();
            f.write(reinterpret_cast<const char*>(h.encoded.data()), qint64(h.encoded.size()));
            return f.fileName();
        };
        QProcess ctl;
        ctl.setProcessEnvironment(twinsealctlEnvironment());
        ctl.setProcessChannelMode(QProcess::MergedChannels);
        ctl.start(QStringLiteral(TWINSEALCTL_PATH),
                  {QStringLiteral("log"), QStringLiteral("verify"), QStringLiteral("--profile"),
                   ues[0].path, QStringLiteral("--old"), saveHead(*oldest, QStringLiteral("old.sth")),
                   QStringLiteral("--new"), saveHead(*headAfter, QStringLiteral("new.sth"))});
        QVERIFY(ctl.waitForFinished(60000));
        const QByteArray ctlOut = ctl.readAll();
        QVERIFY2(ctl.exitStatus() == QProcess::NormalExit && ctl.exitCode() == 0, ctlOut.constData());

        // Every DT the service holds is whole: its credential parses, is in the log at its index
        // and is not revoked; every acknowledged one is there.
        auto status = await<StatusList>([&](auto cb) { ues[0].client->fetchStatusList(std::move(cb)); });
        QVERIFY(status.ok());
        std::set<std::string> present;
        std::size_t issued = 0;
        for (auto& ue : ues) {
            auto dts = await<std::vector<netclient::DtRecord>>([&](auto cb) { ue.client->listDts(std::move(cb)); });
            QVERIFY2(dts.ok(), dts.ok() ? "" : dts.error().describe().c_str());
            QVERIFY(dts->size() <= 1);
            for (const auto& d : *dts) {
                present.insert(d.dtId);
                ++issued;
                auto cred = parseCredential(d.credential);
                QVERIFY(cred.ok());
                QCOMPARE(cred->claims.dtId, d.dtId);
                auto incl = await<LogReceipt>([&](auto cb) {
                    ue.client->fetchInclusionByCredential(cred->digest(), headAfter->head.treeSize,
                                                          std::move(cb));
                });
                QVERIFY(incl.ok());
                QCOMPARE(incl->proof.leafIndex, cred->claims.logIndex);
                QCOMPARE(*status->isRevoked(cred->claims.statusListIndex), false);
            }
            // A subscriber whose registration was cut off is not blocked: it can register now.
            if (dts->empty()) {
                auto again = await<netclient::Registration>([&](auto cb) {
                    ue.client->registerDt(ue.holder, ue.manifest, std::move(cb));
                });
                QVERIFY2(again.ok(), again.ok() ? "" : again.error().describe().c_str());
            }
        }
        for (const auto& id : acknowledged)
            QVERIFY2(present.count(id) == 1, id.c_str());
        // Everything the service answered survived the kill.
        QVERIFY(int(present.size()) >= committed);
        // One log entry per DT that exists, no orphans.
        QCOMPARE(headAfter->head.treeSize, std::uint64_t(issued));
    }
};

TWINSEAL_TEST(CrashTest, "crash")
} // namespace test_crash
} // namespace

#include "test_crash.moc"
