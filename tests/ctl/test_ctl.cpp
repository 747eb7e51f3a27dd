// twinsealctl end to end, as a user runs it: every failure has its own exit code and message.
#include <QJsonDocument>
#include <QJsonObject>
#include <QProcess>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>

#include <twinseal/security/audit.h>
#include <twinseal/security/credential.h>
#include <twinseal/security/keys.h>
#include <twinseal/security/result.h>

#include "ctl_process.h"
#include "homenet_fixture.h"
#include "test_macros.h"
#include "testmain.h"

namespace {
namespace test_ctl {

using twinseal::security::ErrorCode;

namespace {
// As twinsealctl documents it: 10 + the reason's number up to 99, then from 200 on.
int codeFor(ErrorCode c) {
    const int n = static_cast<int>(c);
    return n < 90 ? 10 + n : 200 + (n - 90);
}
constexpr int kIncomplete = 3;

namespace sec = twinseal::security;

void writeBytes(const QString& file, const sec::Bytes& data) {
    QFile f(file);
    if (!f.open(QIODevice::WriteOnly | QIODevice::Truncate))
        qFatal("cannot write %s", qPrintable(file));
    f.write(reinterpret_cast<const char*>(data.data()), static_cast<qint64>(data.size()));
}

sec::Bytes readBytes(const QString& file) {
    auto r = sec::readFile(file.toStdString());
    if (!r.ok())
        qFatal("cannot read %s", qPrintable(file));
    return std::move(r).value();
}
} // namespace

class CtlTest : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;
    QString m_err;
    QString m_out;

    QString path(const QString& f) const { return m_dir.filePath(f); }

    int run(const QStringList& args, const QString& passphrase = "test passphrase") {
        // The commands that talk to the home network run without the leak check, as in the
        // home-network tests (twinsealctlEnvironment(): Qt's network stack can still hold
        // OpenSSL objects when the tool exits); the offline commands keep it.
        const QString command = args.value(0);
        const bool network = command == QLatin1String("status") ||
                             command == QLatin1String("register") ||
                             command == QLatin1String("log") || args.contains(QStringLiteral("--fetch"));
        auto r = twinseal::test::runTwinsealctl(
            args, passphrase,
            network ? twinseal::test::twinsealctlEnvironment() : QProcessEnvironment::systemEnvironment());
        m_out = r.out;
        m_err = r.err;
        return r.exitCode;
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

    // The development issuer publishes no status list and keeps no log: those two checks are
    // skipped by name, so a good assertion is Incomplete (never 0) and a bad one still fails.
    // Each call has a replay cache of its own unless the test passes one (the last
    // --replay-cache given counts); the destination comes last.
    int m_replays = 0;
    QStringList verifyArgs(const QString& assertion = "call.jws") {
        return {"assertion", "verify", "--assertion", path(assertion), "--credential",
                path("holder.cred"), "--manifest", path("holder.manifest"), "--package",
                QStringLiteral(TWINSEAL_SOURCE_DIR "/resources/avatar"), "--trust",
                path("issuer/trust.pem"), "--pins", path("pins.txt"), "--replay-cache",
                path(QString("replay-%1.txt").arg(++m_replays)), "--skip",
                "revocation,log-inclusion", "--dest", "urn:twinseal:room:1"};
    }

    // A call assertion is fresh for kAssertionFreshnessSeconds: each case that verifies one
    // signs it just before (the cases before it may take longer than that on a loaded machine).
    bool signCall() {
        return run({"assertion", "create", "--key", path("holder.key"), "--credential", path("holder.cred"),
                    "--dest", "urn:twinseal:room:1", "--out", path("call.jws")}) == 0;
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
        QVERIFY(signCall());
    }

    // Against a real home network: with the status list, the log receipt, the media, a replay
    // cache and a pin store, given as files or fetched, the report is Verified.
    void verified() {
        twinseal::test::HomenetServer server;
        QVERIFY(server.start());
        const QString profile = path("hn/profile.usim");
        QDir().mkpath(path("hn"));
        auto usim = server.addSubscriber("imsi-001010000000077", profile);
        QVERIFY(usim.has_value());
        writeBytes(path("hn/trust.pem"), sec::toBytes(usim->trustListPem));
        const QString avatar = QStringLiteral(TWINSEAL_SOURCE_DIR "/resources/avatar");
        QCOMPARE(run({"keygen", "--out", path("hn/holder.key")}), 0);
        QCOMPARE(run({"register", "--profile", profile, "--key", path("hn/holder.key"), "--avatar",
                      avatar, "--out-dir", path("hn")}),
                 0);
        // The passphrase sealed the profile's K and OPc; the SQN was saved beside them.
        auto sealedProfile = sec::UsimProfileData::load(profile.toStdString());
        QVERIFY(sealedProfile.ok());
        QVERIFY(sealedProfile->sealed());
        QVERIFY(!sealedProfile->hasSecrets());
        QVERIFY(sealedProfile->sqn.sqnMs() > usim->sqn.sqnMs());
        QCOMPARE(run({"status", "--profile", profile, "--out", path("hn/status.tsl")}), 0);
        QCOMPARE(run({"log", "head", "--profile", profile, "--out", path("hn/head.tsth")}), 0);
        auto callFrom = [&](const QString& name) {
            return run({"assertion", "create", "--key", path("hn/holder.key"), "--credential",
                        path("hn/credential.tsc"), "--dest", "urn:twinseal:room:1", "--out",
                        path("hn/" + name)});
        };
        QCOMPARE(callFrom("call1.jws"), 0);
        QCOMPARE(callFrom("call2.jws"), 0);
        QCOMPARE(callFrom("call3.jws"), 0);
        auto args = [&](const QString& call) {
            return QStringList{"assertion", "verify", "--assertion", path("hn/" + call),
                               "--credential", path("hn/credential.tsc"), "--manifest",
                               path("hn/manifest.tsm"), "--package", avatar, "--trust",
                               path("hn/trust.pem"), "--disclosures", path("hn/disclosures.json"),
                               "--pins", path("hn/pins.txt"), "--replay-cache",
                               path("hn/replay.txt"), "--dest", "urn:twinseal:room:1"};
        };
        // Evidence as files: the status list verified with the issuer's key, the receipt and
        // the tree head with the profile's log key.
        QCOMPARE(run(args("call1.jws") << "--status-list" << path("hn/status.tsl")
                                       << "--inclusion-proof" << path("hn/receipt.tslr")
                                       << "--profile" << profile),
                 0);
        QVERIFY2(m_out.contains("[VERIFIED]"), qPrintable(m_out + m_err));
        QVERIFY(!m_out.contains("skip") && !m_out.contains("MISS"));
        QVERIFY(m_out.contains("Credential not revoked"));
        QVERIFY(m_out.contains("Credential is in the transparency log"));
        // Fetched from the home network.
        QCOMPARE(run(args("call2.jws") << "--fetch" << "--profile" << profile << "--json"), 0);
        QVERIFY2(m_out.contains("\"state\": \"verified\""), qPrintable(m_out + m_err));
        // A status list the issuer did not sign is refused, not ignored.
        const int refused = run(args("call3.jws") << "--status-list" << path("hn/head.tsth")
                                                  << "--inclusion-proof" << path("hn/receipt.tslr")
                                                  << "--profile" << profile);
        QVERIFY2(refused == codeFor(ErrorCode::WrongObjectType) ||
                     refused == codeFor(ErrorCode::BadSignature),
                 qPrintable(m_out + m_err));
        QVERIFY2(m_out.contains("[FAILED]") && m_out.contains("status list"), qPrintable(m_out));
        // Fetched, with the log left out by name: Incomplete.
        QCOMPARE(callFrom("call4.jws"), 0);
        QCOMPARE(run(args("call4.jws") << "--fetch" << "--profile" << profile << "--skip"
                                       << "log-inclusion"),
                 kIncomplete);
        QVERIFY2(m_out.contains("[INCOMPLETE]"), qPrintable(m_out));
        QCOMPARE(server.stop(), 0);
    }

    // Checks without their evidence: refused unless skipped by name, and then Incomplete.
    void incomplete() {
        QVERIFY(signCall());
        QStringList bare{"assertion", "verify", "--assertion", path("call.jws"), "--credential",
                         path("holder.cred"), "--manifest", path("holder.manifest"), "--trust",
                         path("issuer/trust.pem"), "--dest", "urn:twinseal:room:1"};
        QCOMPARE(run(bare), 1);
        QVERIFY2(m_err.contains("--package (the media to check) is required, or --skip media"),
                 qPrintable(m_err));
        QCOMPARE(run(bare << "--skip" << "media,replay"), 1);
        QVERIFY2(m_err.contains("--pins is required, or --skip pins"), qPrintable(m_err));
        QCOMPARE(run(QStringList(bare) << "--skip" << "media,frobnication"), 1);
        QVERIFY(m_err.contains("'frobnication' is not a check that can be skipped"));
        bare.removeLast(); // the last --skip value
        bare.removeLast();
        QCOMPARE(run(bare << "--skip" << "revocation,log-inclusion,media,replay,pins"),
                 kIncomplete);
        QVERIFY2(m_out.contains("[INCOMPLETE]"), qPrintable(m_out));
        QVERIFY(!m_out.contains("[VERIFIED]"));
        for (const char* check : {"revocation", "log-inclusion", "replay", "media-content", "pinned-key"})
            QVERIFY2(m_out.contains(check), check);
        QVERIFY(m_out.contains("MISS"));
        QCOMPARE(run(bare << "--json"), kIncomplete);
        QVERIFY(m_out.contains("\"state\": \"incomplete\""));
        QVERIFY(m_out.contains("\"notChecked\""));
        // With the media, the replay cache and the pins: only what the dev issuer cannot give.
        QCOMPARE(run(verifyArgs() << "--disclosures" << path("holder.disc")),
                 kIncomplete);
        QVERIFY(m_out.contains("disclosed role: surgeon"));
        QVERIFY(m_out.contains("not checked: revocation"));
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
        f.write("from a file, long enough\n");
        f.close();
        QVERIFY(f.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner));
        QCOMPARE(run({"keygen", "--out", path("k3.key"), "--passphrase-file", path("pass.txt")},
                     QString()),
                 0);
        QVERIFY2(!m_err.contains("warning"), qPrintable(m_err)); // a private file is not warned about
        QCOMPARE(run({"inspect", path("k3.key")}), 0);
        QVERIFY(m_out.contains("encrypted-key"));
        QVERIFY(!m_out.contains("from a file"));
    }

    // Review finding 14: a passphrase file others can read (or write) is refused, with the fix.
    void passphraseFileReadableByOthersRefused() {
        QFile f(path("shared-pass.txt"));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("a shared passphrase\n");
        f.close();
        QVERIFY(f.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadGroup |
                                 QFileDevice::ReadOther));
        QCOMPARE(run({"keygen", "--out", path("k4.key"), "--passphrase-file", path("shared-pass.txt")},
                     QString()),
                 codeFor(ErrorCode::InvalidArgument));
        QVERIFY2(m_err.contains("passphrase-file-exposed"), qPrintable(m_err));
        QVERIFY2(m_err.contains("0644") && m_err.contains("chmod 600"), qPrintable(m_err));
        QVERIFY(!QFile::exists(path("k4.key")));
        // Group-writable only: refused too (someone else could choose the passphrase).
        QVERIFY(f.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::WriteGroup));
        QCOMPARE(run({"keygen", "--out", path("k4.key"), "--passphrase-file", path("shared-pass.txt")},
                     QString()),
                 codeFor(ErrorCode::InvalidArgument));
        QVERIFY2(m_err.contains("passphrase-file-exposed"), qPrintable(m_err));
        QVERIFY(!QFile::exists(path("k4.key")));
    }

    // The home network's tool applies the same rule to the operator keys' passphrase file, and
    // warns about $TWINSEAL_HOMENET_PASSPHRASE.
    void homenetPassphraseSources() {
        const QString data = path("homenet-exposed");
        QFile f(path("homenet-pass.txt"));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("an operator passphrase\n");
        f.close();
        QVERIFY(f.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner | QFileDevice::ReadOther));
        auto homenet = [&](const QStringList& args, const QProcessEnvironment& env) {
            QProcess p;
            p.setProcessEnvironment(env);
            p.start(QStringLiteral(TWINSEAL_HOMENET_PATH), args);
            if (!p.waitForFinished(120000))
                return -1;
            m_out = QString::fromUtf8(p.readAllStandardOutput());
            m_err = QString::fromUtf8(p.readAllStandardError());
            return p.exitStatus() == QProcess::NormalExit ? p.exitCode() : -2;
        };
        QProcessEnvironment env = QProcessEnvironment::systemEnvironment();
        env.remove("TWINSEAL_HOMENET_PASSPHRASE");
        QVERIFY(homenet({"init", "--data-dir", data, "--passphrase-file", path("homenet-pass.txt")}, env) != 0);
        QVERIFY2(m_err.contains("passphrase-file-exposed") && m_err.contains("chmod 600"), qPrintable(m_err));
        QVERIFY(QDir(data).isEmpty());

        env.insert("TWINSEAL_HOMENET_PASSPHRASE", "an operator passphrase");
        QCOMPARE(homenet({"init", "--data-dir", data}, env), 0);
        QVERIFY2(m_err.contains("warning") && m_err.contains("$TWINSEAL_HOMENET_PASSPHRASE") &&
                     m_err.contains("--passphrase-file"),
                 qPrintable(m_err));
        QVERIFY(!m_err.contains("an operator passphrase"));
    }

    // Review finding 7: a key file an older TwinSeal sealed with scrypt N = 2^15 still opens, and
    // the command that opens it seals it again with the current parameters (same key).
    void olderKeyFileUpgradedOnUse() {
        auto key = sec::SigningKey::generate(sec::KeyAlgorithm::Ed25519);
        QVERIFY(key.ok());
        QVERIFY(key->saveEncrypted(path("old.key").toStdString(), "test passphrase", sec::ScryptParams{1u << 15, 8, 1},
                                   "TwinSeal holder key")
                    .ok());
        QCOMPARE(sec::sealedKdfParams(readBytes(path("old.key")))->n, std::uint64_t{1u << 15});
        QCOMPARE(run({"avatar", "pack", "--package", QStringLiteral(TWINSEAL_SOURCE_DIR "/resources/avatar"), "--key",
                      path("old.key"), "--out", path("old.manifest"), "--chunk-size", "65536"}),
                 0);
        QCOMPARE(sec::sealedKdfParams(readBytes(path("old.key")))->n, sec::ScryptParams{}.n);
        auto reopened = sec::SigningKey::loadEncrypted(path("old.key").toStdString(), "test passphrase");
        QVERIFY(reopened.ok());
        QVERIFY(reopened->publicKey() == key->publicKey());
    }

    // $TWINSEAL_PASSPHRASE still works, with a warning on stderr naming the risk and the way out.
    void passphraseFromEnvironmentWarned() {
        QCOMPARE(run({"keygen", "--out", path("k5.key")}, "an environment passphrase"), 0);
        QVERIFY(QFile::exists(path("k5.key")));
        QVERIFY2(m_err.contains("warning") && m_err.contains("$TWINSEAL_PASSPHRASE"), qPrintable(m_err));
        QVERIFY2(m_err.contains("other processes") && m_err.contains("--passphrase-file"), qPrintable(m_err));
        QVERIFY(!m_err.contains("an environment passphrase"));
    }

    // Review finding 7: a new passphrase needs 12 characters; a weak one is accepted with a hint.
    void newPassphraseLengthAndStrength() {
        QCOMPARE(run({"keygen", "--out", path("k6.key")}, "eleven char"), codeFor(ErrorCode::InvalidArgument));
        QVERIFY2(m_err.contains("passphrase-too-short") && m_err.contains("12"), qPrintable(m_err));
        QVERIFY(!QFile::exists(path("k6.key")));
        QCOMPARE(run({"issuer", "init", "--dir", path("short-issuer"), "--name", "Short"}, "short"),
                 codeFor(ErrorCode::InvalidArgument));
        QVERIFY(!QFile::exists(path("short-issuer/issuer.key")));
        QCOMPARE(run({"keygen", "--out", path("k6.key")}, "aaaaaaaaaaaaaaaa"), 0);
        QVERIFY2(m_err.contains("passphrase strength: weak"), qPrintable(m_err));
        // Opening an existing key takes the passphrase it has, whatever its length.
        QCOMPARE(run({"inspect", path("k6.key")}), 0);
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
        QVERIFY(signCall());
        QStringList args = verifyArgs() << "--replay-cache" << path("replay.txt");
        QCOMPARE(run(args), kIncomplete);
        QCOMPARE(run(args), codeFor(ErrorCode::AssertionReplayed));
    }

    void wrongDestination() {
        QVERIFY(signCall());
        QStringList args = verifyArgs();
        args[args.size() - 1] = "urn:twinseal:room:2";
        QCOMPARE(run(args), codeFor(ErrorCode::WrongDestination));
    }

    void untrustedIssuer() {
        QVERIFY(signCall());
        QCOMPARE(run({"issuer", "init", "--dir", path("other"), "--name", "Other"}), 0);
        QStringList args = verifyArgs();
        args[args.indexOf("--trust") + 1] = path("other/trust.pem");
        QCOMPARE(run(args), 2);
        QVERIFY(m_out.contains("[NOT TRUSTED]"));
    }

    void tamperedManifest() {
        QVERIFY(signCall());
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

    // The activity log as the app writes it: signed while unlocked, an unsigned tail while locked.
    // `audit verify` passes, and fails with the exit code of each kind of tampering.
    void auditLog() {
        using namespace twinseal::security;
        const QString log = path("activity.tsa");
        FixedClock clock(1800000000);
        auto key = SigningKey::generate(KeyAlgorithm::Ed25519);
        QVERIFY(key.ok());
        {
            auto l = AuditLog::create(log.toStdString(), "audit-ctl-test", key->publicKey(), clock);
            QVERIFY(l.ok());
            for (int i = 0; i < 6; ++i) {
                clock.advance(5);
                QVERIFY(l->appendSigned(AuditEvent::ok(audit_event::kDtRegister,
                                                       {{"n", std::to_string(i)}}),
                                        *key)
                            .ok());
            }
            QVERIFY(l->append(AuditEvent::failed(audit_event::kCallVerify, "media-mismatch",
                                                 {{"peer", "Quiet Heron"}}))
                        .ok());
        }
        const QString jwk = path("audit.jwk");
        writeBytes(jwk, toBytes(key->publicKey().jwk()));
        const Bytes file = readBytes(log);

        QCOMPARE(run({"audit", "verify", log, "--key", jwk}), 0);
        QVERIFY2(m_out.contains("[INTACT]") && m_out.contains("unsigned tail"), qPrintable(m_out));
        QVERIFY(m_out.contains("checkpoint #5"));
        QVERIFY(m_out.contains("call.verify [media-mismatch]"));
        QVERIFY(m_out.contains("peer=\"Quiet Heron\""));
        QCOMPARE(run({"audit", "verify", log, "--key",
                      QString::fromStdString(key->publicKey().jwk()), "--json"}),
                 0);
        QVERIFY(m_out.contains("\"intact\": true"));
        QCOMPARE(run({"audit", "verify", log}), 0);
        QVERIFY(m_out.contains("recorded in the log itself"));
        auto other = SigningKey::generate(KeyAlgorithm::Ed25519);
        writeBytes(path("other-audit.jwk"), toBytes(other->publicKey().jwk()));
        QCOMPARE(run({"audit", "verify", log, "--key", path("other-audit.jwk")}),
                 codeFor(ErrorCode::KeyMismatch));

        // Exports verify like the log; an edited export does not.
        for (const char* format : {"json", "cbor"}) {
            const QString exported = path(QString("activity.%1").arg(format));
            QCOMPARE(run({"audit", "export", log, "--format", format, "--out", exported}), 0);
            QVERIFY(m_out.contains("7 entries and 6 checkpoints"));
            QCOMPARE(run({"audit", "verify", exported, "--key", jwk}), 0);
            QVERIFY(m_out.contains("export"));
        }
        const Bytes exportedJson = readBytes(path("activity.json"));
        QByteArray json(reinterpret_cast<const char*>(exportedJson.data()),
                        qsizetype(exportedJson.size()));
        const QByteArray registered("\"event\": \"dt.register\"");
        const qsizetype at = json.indexOf(registered);
        QVERIFY(at > 0);
        json.replace(at, registered.size(), "\"event\": \"dt.revoke\"");
        writeBytes(path("edited.json"), toBytes(json.toStdString()));
        QCOMPARE(run({"audit", "verify", path("edited.json"), "--key", jwk}),
                 codeFor(ErrorCode::AuditEntryModified));

        auto recs = readAuditRecords(file);
        QVERIFY(recs.ok());
        std::vector<std::size_t> entries;
        for (std::size_t i = 0; i < recs->size(); ++i)
            if ((*recs)[i].kind == AuditRecordKind::Entry)
                entries.push_back(i);
        QCOMPARE(entries.size(), std::size_t(7));

        // An edited entry: a flipped byte, and a re-framed edit (valid checksums).
        Bytes flipped = file;
        flipped[(*recs)[entries[2]].offset + 12] ^= 0x01;
        writeBytes(path("edited.tsa"), flipped);
        QCOMPARE(run({"audit", "verify", path("edited.tsa"), "--key", jwk}),
                 codeFor(ErrorCode::AuditEntryModified));
        QVERIFY2(m_out.contains("[FAILED] audit-entry-modified at entry 2"), qPrintable(m_out));
        QVERIFY(m_out.contains("what it means"));
        auto reframed = *recs;
        Bytes& payload = reframed[entries[2]].payload;
        const auto digit = std::find(payload.rbegin(), payload.rend(), std::uint8_t('2'));
        QVERIFY(digit != payload.rend());
        *digit = '9';
        writeBytes(path("edited2.tsa"), encodeAuditFile(reframed));
        QCOMPARE(run({"audit", "verify", path("edited2.tsa"), "--key", jwk}),
                 codeFor(ErrorCode::AuditEntryModified));

        // A deleted entry.
        auto deleted = *recs;
        deleted.erase(deleted.begin() + std::ptrdiff_t(entries[3]));
        writeBytes(path("deleted.tsa"), encodeAuditFile(deleted));
        QCOMPARE(run({"audit", "verify", path("deleted.tsa"), "--key", jwk}),
                 codeFor(ErrorCode::AuditEntryMissing));
        QVERIFY2(m_out.contains("at entry 3"), qPrintable(m_out));

        // Reordered entries.
        auto swapped = *recs;
        std::swap(swapped[entries[1]], swapped[entries[4]]);
        writeBytes(path("swapped.tsa"), encodeAuditFile(swapped));
        QCOMPARE(run({"audit", "verify", path("swapped.tsa"), "--key", jwk}),
                 codeFor(ErrorCode::AuditEntriesReordered));

        // Cut back to checkpoint #3: consistent on its own, caught against an earlier export.
        const auto& cp3 = (*recs)[entries[3] + 1];
        QCOMPARE(cp3.kind, AuditRecordKind::Checkpoint);
        writeBytes(path("cut.tsa"),
                   Bytes(file.begin(), file.begin() + std::ptrdiff_t(cp3.offset + cp3.size)));
        QCOMPARE(run({"audit", "verify", path("cut.tsa"), "--key", jwk}), 0);
        QCOMPARE(run({"audit", "verify", path("cut.tsa"), "--key", jwk, "--anchor",
                      path("activity.json")}),
                 codeFor(ErrorCode::AuditLogTruncated));
        // A torn last record.
        writeBytes(path("torn.tsa"), Bytes(file.begin(), file.end() - 3));
        QCOMPARE(run({"audit", "verify", path("torn.tsa"), "--key", jwk}),
                 codeFor(ErrorCode::AuditLogTruncated));

        QCOMPARE(run({"audit", "verify", path("holder.disc")}), codeFor(ErrorCode::MalformedInput));
        QCOMPARE(run({"audit", "export", path("holder.disc"), "--out", path("x.json")}),
                 codeFor(ErrorCode::MalformedInput));
        QCOMPARE(run({"audit", "export", log, "--format", "xml", "--out", path("x.xml")}), 1);
        QCOMPARE(run({"audit", "verify"}), 1);
    }

    // After the cases that verify initTestCase's assertion (it is fresh for 60 s only).
    // Registering an avatar another subscriber's active twin holds is refused with the home
    // network's reason, message and status (one active twin per media root); nothing is written.
    void copiedAvatarRefused() {
        twinseal::test::HomenetServer server;
        QVERIFY(server.start());
        const QString avatar = QStringLiteral(TWINSEAL_SOURCE_DIR "/resources/avatar");
        twinseal::test::TestSubscriber owner =
            twinseal::test::addTestSubscriber(server, QStringLiteral("owner.usim"), 1077);
        REQUIRE_OK(twinseal::test::authenticate(*owner.client));
        REQUIRE_OK(twinseal::test::registerDt(
            owner, twinseal::test::signedManifest(avatar, owner.holder, nullptr,
                                                  sec::kDefaultChunkSize)));
        const QString copier = path("copier.usim");
        QVERIFY(server.addSubscriber("imsi-001010000000078", copier).has_value());
        QCOMPARE(run({"keygen", "--out", path("copier.key")}), 0);
        QCOMPARE(run({"register", "--profile", copier, "--key", path("copier.key"), "--avatar",
                      avatar, "--out-dir", path("copier")}),
                 100);
        QVERIFY2(m_err.contains("twinsealctl: media-root-certified-elsewhere: this avatar") &&
                     m_err.contains("avatar of your own") && m_err.contains("(HTTP 409)"),
                 qPrintable(m_err));
        QVERIFY(!QFile::exists(path("copier/credential.tsc")));
        QCOMPARE(server.stop(), 0);
    }

    // A registration the home network carried out but whose answer never arrived (simulated:
    // the first run's files are gone): running register again with the same key and avatar
    // picks the twin up, with its credential and receipt, instead of refusing duplicate-dt. With
    // another key it is still refused, and nothing is written.
    void lostRegistrationPickedUp() {
        twinseal::test::HomenetServer server;
        QVERIFY(server.start());
        const QString avatar = QStringLiteral(TWINSEAL_SOURCE_DIR "/resources/avatar");
        const QString profile = path("lost.usim");
        QVERIFY(server.addSubscriber("imsi-001010000000079", profile).has_value());
        QCOMPARE(run({"keygen", "--out", path("lost.key")}), 0);
        QCOMPARE(run({"register", "--profile", profile, "--key", path("lost.key"), "--avatar",
                      avatar, "--out-dir", path("lost-first")}),
                 0);
        QCOMPARE(run({"register", "--profile", profile, "--key", path("lost.key"), "--avatar",
                      avatar, "--out-dir", path("lost-again"), "--json"}),
                 0);
        const QJsonObject o = QJsonDocument::fromJson(m_out.toUtf8()).object();
        QCOMPARE(o.value("result").toString(), QStringLiteral("picked-up"));
        auto first = sec::readFile(path("lost-first/credential.tsc").toStdString());
        auto again = sec::readFile(path("lost-again/credential.tsc").toStdString());
        QVERIFY(first.ok() && again.ok());
        auto c1 = sec::parseCredential(*first);
        auto c2 = sec::parseCredential(*again);
        QVERIFY(c1.ok() && c2.ok());
        QCOMPARE(c2->claims.dtId, c1->claims.dtId);
        QCOMPARE(c2->claims.generation, c1->claims.generation + 1);
        QVERIFY(QFile::exists(path("lost-again/receipt.tslr")));
        QVERIFY(o.value("log").toObject().value("inclusionVerified").toBool());

        QCOMPARE(run({"keygen", "--out", path("other.key")}), 0);
        QCOMPARE(run({"register", "--profile", profile, "--key", path("other.key"), "--avatar",
                      avatar, "--out-dir", path("lost-other")}),
                 100);
        QVERIFY2(m_err.contains("duplicate-dt"), qPrintable(m_err));
        QVERIFY(!QFile::exists(path("lost-other/credential.tsc")));
        QCOMPARE(server.stop(), 0);
    }

    void exitCodesListed() {
        QCOMPARE(run({"exit-codes"}), 0);
        QVERIFY(m_out.contains(QString("%1\tassertion-replayed").arg(codeFor(ErrorCode::AssertionReplayed))));
        QVERIFY(m_out.contains(QString("%1\tverification incomplete").arg(kIncomplete)));
        QVERIFY(m_out.contains(
            QString("%1\taudit-entry-modified").arg(codeFor(ErrorCode::AuditEntryModified))));
        // The reasons after the 90th continue at 200: none takes a code of the service's range.
        QCOMPARE(codeFor(ErrorCode::AuditLogRolledBack), 202);
        QVERIFY(m_out.contains(QString("202\taudit-log-rolled-back")));
        // Every exit code means one thing, and fits in an exit status.
        QSet<int> seen;
        for (const QString& line : m_out.split('\n', Qt::SkipEmptyParts)) {
            bool isCode = false;
            const int code = line.section('\t', 0, 0).toInt(&isCode);
            if (!isCode)
                continue;
            QVERIFY2(!seen.contains(code), qPrintable("exit code listed twice: " + line));
            QVERIFY2(code >= 0 && code <= 255, qPrintable(line));
            seen.insert(code);
        }
        QVERIFY(seen.size() > 100);
    }
};

TWINSEAL_TEST(CtlTest, "ctl")
} // namespace test_ctl
} // namespace

#include "test_ctl.moc"
