// twinsealctl end to end, as a user runs it: every failure has its own exit code and message.
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <twinseal/security/result.h>

#include "testmain.h"

using twinseal::security::ErrorCode;

namespace {
int codeFor(ErrorCode c) { return 10 + static_cast<int>(c); }
} // namespace

class CtlTest : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_err;
    QString m_out;

    QString path(const QString& f) const { return m_dir.filePath(f); }

    int run(const QStringList& args, const QString& passphrase = "test pass") {
        QProcess p;
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.remove("TWINSEAL_PASSPHRASE");
        if (!passphrase.isEmpty())
            env.insert("TWINSEAL_PASSPHRASE", passphrase);
        p.setProcessEnvironment(env);
        p.setStandardInputFile(QProcess::nullDevice());
        p.start(TWINSEALCTL_PATH, args);
        if (!p.waitForFinished(120000))
            return -1;
        m_out = QString::fromUtf8(p.readAllStandardOutput());
        m_err = QString::fromUtf8(p.readAllStandardError());
        return p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2;
    }

    void flipByte(const QString& file, qint64 at) {
        QFile f(file);
        QVERIFY(f.open(QIODevice::ReadWrite));
        if (at < 0)
            at = f.size() + at;
        f.seek(at);
        char c = 0;
        f.getChar(&c);
        f.seek(at);
        f.putChar(char(c ^ 0x01));
    }

    QStringList verifyArgs(const QString& assertion = "call.jws") {
        return {"assertion", "verify", "--assertion", path(assertion), "--credential",
                path("holder.cred"), "--manifest", path("holder.manifest"), "--package",
                QStringLiteral(TWINSEAL_SOURCE_DIR "/resources/avatar"), "--trust",
                path("issuer/trust.pem"), "--dest", "urn:twinseal:room:1"};
    }

private slots:
    void initTestCase() {
        QVERIFY(m_dir.isValid());
        QCOMPARE(run({"issuer", "init", "--dir", path("issuer"), "--name", "Test Mobile"}), 0);
        QCOMPARE(run({"keygen", "--out", path("holder.key"), "--jwk-out", path("holder.jwk")}), 0);
        QCOMPARE(run({"avatar", "pack", "--package",
                      QStringLiteral(TWINSEAL_SOURCE_DIR "/resources/avatar"), "--key",
                      path("holder.key"), "--out", path("holder.manifest"), "--chunk-size", "4096"}),
                 0);
        QCOMPARE(run({"credential", "issue", "--issuer-dir", path("issuer"), "--holder",
                      path("holder.key"), "--manifest", path("holder.manifest"), "--supi",
                      "imsi-001010000000001", "--pseudonym", "Quiet Heron", "--attr", "role=surgeon",
                      "--out", path("holder.cred"), "--disclosures-out", path("holder.disc")}),
                 0);
        QCOMPARE(run({"assertion", "create", "--key", path("holder.key"), "--credential",
                      path("holder.cred"), "--dest", "urn:twinseal:room:1", "--out",
                      path("call.jws")}),
                 0);
    }

    void verified() {
        QCOMPARE(run(verifyArgs() << "--disclosures" << path("holder.disc")), 0);
        QVERIFY(m_out.contains("[VERIFIED]"));
        QVERIFY(m_out.contains("disclosed role: surgeon"));
        QCOMPARE(run(verifyArgs() << "--json"), 0);
        QVERIFY(m_out.contains("\"state\": \"verified\""));
    }

    void usageErrors() {
        QCOMPARE(run({}), 1);
        QCOMPARE(run({"frobnicate"}), 1);
        QVERIFY(m_err.contains("unknown command"));
        QCOMPARE(run({"keygen"}), 1);
        QVERIFY(m_err.contains("--out is required"));
        QCOMPARE(run({"keygen", "--help"}), 0);
        QVERIFY(m_out.contains("--passphrase-file"));
    }

    void wrongPassphrase() {
        QCOMPARE(run({"assertion", "create", "--key", path("holder.key"), "--credential",
                      path("holder.cred"), "--dest", "x"},
                     "not the passphrase"),
                 codeFor(ErrorCode::WrongPassphrase));
        QVERIFY(m_err.contains("wrong-passphrase"));
        QVERIFY(m_err.contains("hint:"));
    }

    void noPassphraseWithoutTerminal() {
        QCOMPARE(run({"keygen", "--out", path("k2.key")}, QString()),
                 codeFor(ErrorCode::InvalidArgument));
        QVERIFY(m_err.contains("TWINSEAL_PASSPHRASE"));
        QVERIFY(!QFile::exists(path("k2.key")));
    }

    void passphraseFile() {
        QFile f(path("pass.txt"));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("from a file\n");
        f.close();
        QCOMPARE(run({"keygen", "--out", path("k3.key"), "--passphrase-file", path("pass.txt")},
                     QString()),
                 0);
        QCOMPARE(run({"inspect", path("k3.key")}), 0);
        QVERIFY(m_out.contains("encrypted-key"));
        QVERIFY(!m_out.contains("from a file"));
    }

    void refusesToOverwriteKey() {
        QCOMPARE(run({"keygen", "--out", path("holder.key")}), codeFor(ErrorCode::InvalidArgument));
        QVERIFY(m_err.contains("refusing to overwrite"));
    }

    void corruptKeyFile() {
        QVERIFY(QFile::copy(path("holder.key"), path("damaged.key")));
        flipByte(path("damaged.key"), -5);
        QCOMPARE(run({"assertion", "create", "--key", path("damaged.key"), "--credential",
                      path("holder.cred"), "--dest", "x"}),
                 codeFor(ErrorCode::KeyFileCorrupt));
        QVERIFY(m_err.contains("damaged"));
    }

    void staleAssertion() {
        const qint64 old = QDateTime::currentSecsSinceEpoch() - 3600;
        QCOMPARE(run({"assertion", "create", "--key", path("holder.key"), "--credential",
                      path("holder.cred"), "--dest", "urn:twinseal:room:1", "--out",
                      path("old.jws"), "--at", QString::number(old)}),
                 0);
        QCOMPARE(run(verifyArgs("old.jws")), codeFor(ErrorCode::AssertionStale));
        QVERIFY(m_out.contains("assertion-stale"));
    }

    void replayedAssertion() {
        QStringList args = verifyArgs() << "--replay-cache" << path("replay.txt");
        QCOMPARE(run(args), 0);
        QCOMPARE(run(args), codeFor(ErrorCode::AssertionReplayed));
    }

    void wrongDestination() {
        QStringList args = verifyArgs();
        args[args.size() - 1] = "urn:twinseal:room:2";
        QCOMPARE(run(args), codeFor(ErrorCode::WrongDestination));
    }

    void untrustedIssuer() {
        QCOMPARE(run({"issuer", "init", "--dir", path("other"), "--name", "Other"}), 0);
        QStringList args = verifyArgs();
        args[args.indexOf("--trust") + 1] = path("other/trust.pem");
        QCOMPARE(run(args), 2);
        QVERIFY(m_out.contains("[NOT TRUSTED]"));
    }

    void tamperedManifest() {
        QVERIFY(QFile::copy(path("holder.manifest"), path("bad.manifest")));
        flipByte(path("bad.manifest"), -10);
        QStringList args = verifyArgs();
        args[args.indexOf("--manifest") + 1] = path("bad.manifest");
        const int rc = run(args);
        QVERIFY2(rc == codeFor(ErrorCode::BadSignature) || rc == codeFor(ErrorCode::MalformedInput),
                 qPrintable(m_out + m_err));
        QCOMPARE(run({"avatar", "verify", "--manifest", path("bad.manifest"), "--package",
                      QStringLiteral(TWINSEAL_SOURCE_DIR "/resources/avatar")}),
                 rc);
    }

    void tamperedMedia() {
        QDir().mkpath(path("avatar-copy"));
        for (const QString& f : QDir(TWINSEAL_SOURCE_DIR "/resources/avatar").entryList(QDir::Files))
            QVERIFY(QFile::copy(TWINSEAL_SOURCE_DIR "/resources/avatar/" + f, path("avatar-copy/" + f)));
        flipByte(path("avatar-copy/sample-avatar.glb"), 5000);
        QCOMPARE(run({"avatar", "verify", "--manifest", path("holder.manifest"), "--package",
                      path("avatar-copy")}),
                 codeFor(ErrorCode::MediaMismatch));
        QVERIFY2(m_err.contains("sample-avatar.glb") && m_err.contains("chunk 1"), qPrintable(m_err));
    }

    void inspectEveryObject() {
        for (const char* f : {"holder.cred", "holder.manifest", "call.jws", "issuer/root.pem",
                              "holder.key", "issuer/binding.secret"}) {
            QCOMPARE(run({"inspect", path(f)}), 0);
            QVERIFY2(m_out.contains("\"kind\""), f);
        }
        QCOMPARE(run({"inspect", path("holder.disc")}), codeFor(ErrorCode::MalformedInput));
    }

    void exitCodesListed() {
        QCOMPARE(run({"exit-codes"}), 0);
        QVERIFY(m_out.contains(QString("%1\tassertion-replayed").arg(codeFor(ErrorCode::AssertionReplayed))));
    }
};

TWINSEAL_TEST(CtlTest, "ctl")
#include "test_ctl.moc"
