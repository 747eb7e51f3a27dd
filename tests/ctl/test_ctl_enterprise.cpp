// twinsealctl as an enterprise (a hospital) and as a room that requires a role: `enterprise
// init|issue`, then `assertion verify --require-role` with and without the role credential. The
// role check passes, or fails with its own reason code, exit code and a message naming the role.
#include <QDateTime>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <twinseal/security/result.h>

#include "ctl_process.h"
#include "testmain.h"

namespace {
namespace test_ctl_enterprise {

using twinseal::security::ErrorCode;

namespace {

// As twinsealctl documents it: 10 + the reason's number up to 99, then from 200 on.
int codeFor(ErrorCode c) {
    const int n = static_cast<int>(c);
    return n < 90 ? 10 + n : 200 + (n - 90);
}
constexpr int kIncomplete = 3;
const char* const kRoom = "urn:twinseal:room:theatre-3";

} // namespace

class CtlEnterpriseTest : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_out;
    QString m_err;
    int m_replays = 0;

    QString path(const QString& f) const { return m_dir.filePath(f); }

    int run(const QStringList& args, const QString& passphrase = "test passphrase") {
        auto r = twinseal::test::runTwinsealctl(args, passphrase,
                                                QProcessEnvironment::systemEnvironment());
        m_out = r.out;
        m_err = r.err;
        return r.exitCode;
    }

    // A peer verification of the holder's call in a room; the development issuer publishes no
    // status list and keeps no log, so those two checks are skipped by name (the report is then
    // Incomplete at best, never 0). Every call gets a replay cache of its own.
    QStringList verifyArgs(const QString& assertion = "call.jws") {
        return {"assertion", "verify", "--assertion", path(assertion), "--credential",
                path("holder.cred"), "--manifest", path("holder.manifest"), "--package",
                QStringLiteral(TWINSEAL_SOURCE_DIR "/resources/avatar"), "--trust",
                path("issuer/trust.pem"), "--pins", path("pins.txt"), "--replay-cache",
                path(QString("replay-%1.txt").arg(++m_replays)), "--skip",
                "revocation,log-inclusion", "--dest", kRoom, "--json"};
    }
    QStringList requireSurgeon(const QString& root = "stmarys/root.pem") {
        return {"--require-role", "surgeon", "--enterprise-root", path(root)};
    }

    // The report's role-credential check.
    QJsonObject roleCheck(QJsonObject* report = nullptr) {
        const QJsonDocument doc = QJsonDocument::fromJson(m_out.toUtf8());
        if (report)
            *report = doc.object();
        for (const QJsonValue c : doc.object().value("checks").toArray())
            if (c.toObject().value("check").toString() == QLatin1String("role-credential"))
                return c.toObject();
        return {};
    }

    // Verifies with the room requiring "surgeon" from St. Mary's and the given role credential:
    // the role check fails with `code`, which is also the report's reason and the exit code.
    void expectRefused(const QString& roleCredential, ErrorCode code, const QString& words,
                       QStringList args = {}) {
        if (args.isEmpty())
            args = verifyArgs();
        args << requireSurgeon();
        if (!roleCredential.isEmpty())
            args << "--role-credential" << path(roleCredential);
        QCOMPARE(run(args), codeFor(code));
        QJsonObject report;
        const QJsonObject check = roleCheck(&report);
        const QString name = QString::fromLatin1(twinseal::security::errorCodeName(code).data());
        QCOMPARE(report.value("state").toString(), QStringLiteral("failed"));
        QCOMPARE(report.value("reason").toString(), name);
        QCOMPARE(check.value("state").toString(), QStringLiteral("failed"));
        QCOMPARE(check.value("code").toString(), name);
        const QString detail = check.value("detail").toString();
        QVERIFY2(detail.contains("role 'surgeon'"), qPrintable(detail));
        QVERIFY2(detail.contains(words), qPrintable(detail));
        QVERIFY(!report.contains("roles"));
    }

private slots:
    void initTestCase() {
        QVERIFY(m_dir.isValid());
        QCOMPARE(run({"issuer", "init", "--dir", path("issuer"), "--name", "Test Mobile"}), 0);
        QCOMPARE(run({"keygen", "--out", path("holder.key"), "--jwk-out", path("holder.jwk")}), 0);
        QCOMPARE(run({"avatar", "pack", "--package",
                      QStringLiteral(TWINSEAL_SOURCE_DIR "/resources/avatar"), "--key",
                      path("holder.key"), "--out", path("holder.manifest"), "--chunk-size",
                      "4096"}),
                 0);
        QCOMPARE(run({"credential", "issue", "--issuer-dir", path("issuer"), "--holder",
                      path("holder.key"), "--manifest", path("holder.manifest"), "--supi",
                      "imsi-001010000000001", "--pseudonym", "Quiet Heron", "--out",
                      path("holder.cred")}),
                 0);
        QCOMPARE(run({"assertion", "create", "--key", path("holder.key"), "--credential",
                      path("holder.cred"), "--dest", kRoom, "--out", path("call.jws")}),
                 0);
        QCOMPARE(run({"enterprise", "init", "--dir", path("stmarys"), "--name", "St. Mary's"},
                     "hospital pass"),
                 0);
        QVERIFY2(m_out.contains("--enterprise-root"), qPrintable(m_out));
    }

    void enterpriseInit() {
        for (const char* f : {"root.pem", "root.key", "issuer.pem", "issuer.key"})
            QVERIFY2(QFile::exists(path("stmarys/") + f), f);
        // The keys are encrypted at rest under the enterprise's passphrase.
        QCOMPARE(run({"inspect", path("stmarys/issuer.key")}), 0);
        QVERIFY2(m_out.contains("encrypted-key"), qPrintable(m_out));
        QCOMPARE(run({"inspect", path("stmarys/root.pem")}), 0);
        QVERIFY2(m_out.contains("St. Mary's"), qPrintable(m_out));
        // An enterprise is never replaced by accident.
        QCOMPARE(run({"enterprise", "init", "--dir", path("stmarys"), "--name", "Impostor"}),
                 codeFor(ErrorCode::InvalidArgument));
        QVERIFY(m_err.contains("refusing to replace"));
        QCOMPARE(run({"enterprise", "init", "--dir", path("nameless")}), 1);
        QVERIFY(m_err.contains("--name is required"));
        QCOMPARE(run({"enterprise", "init", "--dir", path("x"), "--name", "X", "--days", "0"}), 1);
        QCOMPARE(run({"enterprise", "init", "--help"}), 0);
        QVERIFY(m_out.contains("--passphrase-file"));
        QCOMPARE(run({"enterprise", "init", "--dir", path("x"), "--name", "X"}, QString()),
                 codeFor(ErrorCode::InvalidArgument));
        QVERIFY(m_err.contains("TWINSEAL_PASSPHRASE"));
    }

    void enterpriseIssue() {
        // For the holder named by its DT credential, its key file, or its public key (JWK).
        for (const char* holder : {"holder.cred", "holder.key", "holder.jwk"}) {
            QCOMPARE(run({"enterprise", "issue", "--dir", path("stmarys"), "--role", "surgeon",
                          "--holder", path(holder), "--days", "30", "--out",
                          path(QString("role-%1.tsrc").arg(holder))},
                         "hospital pass"),
                     0);
            QVERIFY2(m_out.contains("role: surgeon, St. Mary's"), qPrintable(m_out));
        }
        QCOMPARE(run({"enterprise", "issue", "--dir", path("stmarys"), "--role", "surgeon",
                      "--holder", path("holder.cred"), "--out", path("role.tsrc")},
                     "hospital pass"),
                 0);
        QCOMPARE(run({"enterprise", "issue", "--dir", path("stmarys"), "--role", "surgeon",
                      "--holder", path("holder.cred"), "--out", path("nope.tsrc")},
                     "not the hospital's"),
                 codeFor(ErrorCode::WrongPassphrase));
        QVERIFY(!QFile::exists(path("nope.tsrc")));
        QCOMPARE(run({"enterprise", "issue", "--dir", path("stmarys"), "--role", "surgeon",
                      "--holder", path("holder.manifest"), "--out", path("nope.tsrc")},
                     "hospital pass"),
                 codeFor(ErrorCode::WrongObjectType));
        QCOMPARE(run({"enterprise", "issue", "--dir", path("stmarys"), "--holder",
                      path("holder.cred"), "--out", path("nope.tsrc")}),
                 1);
        QVERIFY(m_err.contains("--role is required"));
        QCOMPARE(run({"inspect", path("role.tsrc")}), 0);
        QVERIFY2(m_out.contains("role-credential"), qPrintable(m_out));
    }

    void roleProven() {
        QCOMPARE(run(verifyArgs() << requireSurgeon() << "--role-credential" << path("role.tsrc")),
                 kIncomplete);
        QJsonObject report;
        const QJsonObject check = roleCheck(&report);
        QCOMPARE(check.value("state").toString(), QStringLiteral("passed"));
        QVERIFY2(check.value("detail").toString().contains("surgeon, St. Mary's"),
                 qPrintable(m_out));
        const QJsonArray roles = report.value("roles").toArray();
        QCOMPARE(roles.size(), 1);
        QCOMPARE(roles[0].toObject().value("role").toString(), QStringLiteral("surgeon"));
        QCOMPARE(roles[0].toObject().value("organisation").toString(), QStringLiteral("St. Mary's"));
        // Only what the dev issuer cannot give is missing.
        QCOMPARE(report.value("state").toString(), QStringLiteral("incomplete"));
        for (const QJsonValue c : report.value("checks").toArray())
            QVERIFY2(c.toObject().value("state").toString() != QLatin1String("failed"),
                     qPrintable(m_out));

        // The people-facing report says so too; the role credential for the key file and the
        // JWK work the same way.
        QStringList text = verifyArgs() << requireSurgeon() << "--role-credential"
                                        << path("role-holder.jwk.tsrc");
        text.removeAll("--json");
        QCOMPARE(run(text), kIncomplete);
        QVERIFY2(m_out.contains("role surgeon, St. Mary's: vouched for by St. Mary's"),
                 qPrintable(m_out));
    }

    void noRoleRequired() {
        QCOMPARE(run(verifyArgs() << "--role-credential" << path("role.tsrc")), kIncomplete);
        QCOMPARE(roleCheck().value("state").toString(), QStringLiteral("passed"));
        QCOMPARE(roleCheck().value("detail").toString(), QStringLiteral("no role required"));
    }

    void roleMissing() {
        expectRefused({}, ErrorCode::RoleMissing, "no credential for it was presented");
        QVERIFY(m_out.contains("\"summary\": \"Failed (role-missing)"));
        // Another role of the same enterprise does not stand in for it.
        QCOMPARE(run({"enterprise", "issue", "--dir", path("stmarys"), "--role", "nurse",
                      "--holder", path("holder.cred"), "--out", path("nurse.tsrc")},
                     "hospital pass"),
                 0);
        expectRefused("nurse.tsrc", ErrorCode::RoleMissing, "no credential for it was presented");
    }

    void roleForAnotherHolder() {
        QCOMPARE(run({"keygen", "--out", path("other.key")}), 0);
        QCOMPARE(run({"enterprise", "issue", "--dir", path("stmarys"), "--role", "surgeon",
                      "--holder", path("other.key"), "--out", path("other-role.tsrc")},
                     "hospital pass"),
                 0);
        expectRefused("other-role.tsrc", ErrorCode::RoleHolderMismatch,
                      "issued for another holder key");
    }

    void roleFromUntrustedEnterprise() {
        QCOMPARE(run({"enterprise", "init", "--dir", path("elsewhere"), "--name",
                      "Elsewhere Clinic"}),
                 0);
        QCOMPARE(run({"enterprise", "issue", "--dir", path("elsewhere"), "--role", "surgeon",
                      "--holder", path("holder.cred"), "--out", path("elsewhere.tsrc")}),
                 0);
        expectRefused("elsewhere.tsrc", ErrorCode::RoleUntrustedIssuer, "Elsewhere Clinic");
        // The operator's trust list does not vouch for roles either.
        QStringList args = verifyArgs() << requireSurgeon("issuer/trust.pem") << "--role-credential"
                                        << path("role.tsrc");
        QCOMPARE(run(args), codeFor(ErrorCode::RoleUntrustedIssuer));
    }

    void tamperedRoleCredential() {
        QVERIFY(QFile::copy(path("role.tsrc"), path("tampered.tsrc")));
        QFile f(path("tampered.tsrc"));
        QVERIFY(f.open(QIODevice::ReadWrite));
        f.seek(f.size() - 5); // inside the signature
        char c = 0;
        QVERIFY(f.getChar(&c));
        f.seek(f.size() - 5);
        QVERIFY(f.putChar(char(c ^ 0x01)));
        f.close();
        expectRefused("tampered.tsrc", ErrorCode::ThirdPartyCredentialInvalid,
                      "not signed by its enterprise certificate");
    }

    void expiredRoleCredential() {
        // Three days on, the one-day role credential has lapsed while the DT credential holds.
        const qint64 later = QDateTime::currentSecsSinceEpoch() + 3LL * 86400;
        QCOMPARE(run({"enterprise", "issue", "--dir", path("stmarys"), "--role", "surgeon",
                      "--holder", path("holder.cred"), "--days", "1", "--out",
                      path("short.tsrc")},
                     "hospital pass"),
                 0);
        QCOMPARE(run({"assertion", "create", "--key", path("holder.key"), "--credential",
                      path("holder.cred"), "--dest", kRoom, "--out", path("later.jws"), "--at",
                      QString::number(later)}),
                 0);
        QStringList args = verifyArgs("later.jws") << "--at" << QString::number(later);
        expectRefused("short.tsrc", ErrorCode::RoleExpired, "expired at", args);
        // The same moment with the long-lived role credential: proven.
        args = verifyArgs("later.jws") << "--at" << QString::number(later) << requireSurgeon()
                                       << "--role-credential" << path("role.tsrc");
        QCOMPARE(run(args), kIncomplete);
        QCOMPARE(roleCheck().value("state").toString(), QStringLiteral("passed"));
    }

    void usageErrors() {
        QCOMPARE(run(verifyArgs() << "--require-role" << "surgeon"), 1);
        QVERIFY2(m_err.contains("--require-role needs --enterprise-root"), qPrintable(m_err));
        QCOMPARE(run(verifyArgs() << "--enterprise-root" << path("stmarys/root.pem")), 1);
        QVERIFY(m_err.contains("--enterprise-root is only used with --require-role"));
        QCOMPARE(run(verifyArgs() << requireSurgeon() << "--role-credential" << path("absent")),
                 codeFor(ErrorCode::IoError));
        QCOMPARE(run({"assertion", "verify", "--help"}), 0);
        QVERIFY(m_out.contains("--require-role"));
        QVERIFY(m_out.contains("--role-credential"));
    }

    void exitCodesListed() {
        QCOMPARE(run({"exit-codes"}), 0);
        for (ErrorCode c : {ErrorCode::RoleMissing, ErrorCode::RoleUntrustedIssuer,
                            ErrorCode::RoleHolderMismatch, ErrorCode::RoleExpired,
                            ErrorCode::RoleNotYetValid})
            QVERIFY2(m_out.contains(QString("%1\t%2").arg(codeFor(c)).arg(
                         QString::fromLatin1(twinseal::security::errorCodeName(c).data()))),
                     qPrintable(m_out));
        QCOMPARE(run({"--help"}), 0);
        QVERIFY(m_out.contains("enterprise issue"));
    }
};

TWINSEAL_TEST(CtlEnterpriseTest, "enterprise")
} // namespace test_ctl_enterprise
} // namespace

#include "test_ctl_enterprise.moc"
