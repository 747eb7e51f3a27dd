// My Twin's Roles card view-model and the role credential store under it: a role credential an
// enterprise issued for this twin's holder key is imported, listed with its enterprise and
// validity, presented while valid, kept across a restart and removed; one for another key, one
// altered after signing, an expired one and a file that is no role credential are each refused
// with their own reason code and a message, and nothing is stored. Imports, refusals and removals
// are in the activity log. The list model is checked by QAbstractItemModelTester throughout.
#include <QAbstractItemModelTester>
#include <QDir>
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <memory>

#include <twinseal/security/audit_entry.h>
#include <twinseal/security/bytes.h>
#include <twinseal/security/clock.h>
#include <twinseal/security/keys.h>
#include <twinseal/security/role_credential.h>
#include <twinseal/security/x509.h>
#include <twinseal/twin/data_layout.h>
#include <twinseal/twin/role_store.h>
#include <twinseal/twin/twin_store.h>
#include <twinseal/viewmodels/audit_trail.h>
#include <twinseal/viewmodels/roles_controller.h>

#include "test_macros.h"
#include "testmain.h"

namespace {
namespace test_roles_controller {

using namespace twinseal;
using namespace twinseal::security;
using namespace twinseal::viewmodels;

namespace {

constexpr std::int64_t kDay = 86400;

template <typename T> T must(Result<T> r, const char* what) {
    if (!r.ok())
        qFatal("%s: %s", what, r.error().message().c_str());
    return std::move(r).value();
}

// A hospital: its root, and the key and certificate it issues role credentials with.
struct Enterprise {
    std::string name;
    SigningKey issuerKey;
    Certificate issuerCert;

    static Enterprise make(const std::string& name, std::int64_t now) {
        auto rootKey = must(SigningKey::generate(KeyAlgorithm::Ed25519), "enterprise root key");
        auto root = must(createRootCertificate(rootKey, {name + " Root", name, now - kDay, now + 365 * kDay, true}),
                         "enterprise root");
        auto issuerKey = must(SigningKey::generate(KeyAlgorithm::Ed25519), "role issuer key");
        auto cert = must(issueCertificate(rootKey, root, issuerKey.publicKey(),
                                          {name + " Role Issuer", name, now - kDay, now + 365 * kDay, false}),
                         "role issuer");
        return {name, std::move(issuerKey), std::move(cert)};
    }

    Bytes issue(const std::string& role, const Digest& holder, std::int64_t notBefore, std::int64_t notAfter) const {
        RoleClaims c;
        c.enterprise = name;
        c.role = role;
        c.organisation = name;
        c.holderThumbprint = holder;
        c.notBefore = notBefore;
        c.notAfter = notAfter;
        c.issuedAt = notBefore;
        return must(issueRoleCredential(c, issuerKey, {issuerCert}, SystemRandom::instance()), "role credential")
            .encoded;
    }
};

int logged(const AuditTrail& audit, const char* type, AuditOutcome outcome, const char* reason = nullptr) {
    int n = 0;
    for (const auto& e : audit.entries())
        if (e.type == type && e.outcome == outcome && (!reason || e.reason == reason))
            ++n;
    return n;
}

} // namespace

class RolesControllerTest : public QObject {
    Q_OBJECT

    QTemporaryDir m_dir;
    QString m_data;
    std::int64_t m_now = 0;
    std::optional<SigningKey> m_holder;
    std::optional<Enterprise> m_stMarys;

    QString write(const QString& name, const Bytes& bytes) {
        QString path = m_dir.filePath(name);
        QFile f(path);
        if (!f.open(QIODevice::WriteOnly))
            qFatal("cannot write %s", qPrintable(path));
        f.write(reinterpret_cast<const char*>(bytes.data()), static_cast<qsizetype>(bytes.size()));
        return path;
    }

    // The activity log of the data directory, open and signing (as after the first unlock).
    static std::unique_ptr<AuditTrail> openAudit(const QString& dir) {
        auto audit = std::make_unique<AuditTrail>(dir);
        QString error;
        auto key = AuditTrail::loadOrCreateKey(dir, "audit passphrase", &error);
        if (!key)
            qFatal("audit key: %s", qPrintable(error));
        audit->unlocked(std::move(key));
        return audit;
    }

    int storedFiles() const {
        return static_cast<int>(QDir(QDir(m_data).filePath(QString::fromUtf8(twin::layout::kRolesDir)))
                                    .entryList(QDir::Files)
                                    .size());
    }

private slots:
    void initTestCase() {
        m_data = m_dir.filePath(QStringLiteral("data"));
        QVERIFY(QDir().mkpath(m_data));
        m_now = SystemClock::instance().now();
        // The twin's holder key, encrypted at rest as the client keeps it (only its public part is
        // read here: no passphrase needed to import a role credential).
        m_holder.emplace(must(SigningKey::generate(KeyAlgorithm::Ed25519), "holder key"));
        const twin::TwinStore store(m_data);
        REQUIRE_OK(m_holder->saveEncrypted(store.path(twin::layout::kHolderKey).toStdString(), "holder passphrase",
                                           ScryptParams{1u << 10, 8, 1}));
        m_stMarys.emplace(Enterprise::make("St. Mary's", m_now));
    }

    void importListPresentRemoveAndRestart() {
        twin::TwinStore store(m_data);
        auto auditLog = openAudit(m_data);
        AuditTrail& audit = *auditLog;
        RolesController roles(store, audit);
        QAbstractItemModelTester tester(roles.roles(), QAbstractItemModelTester::FailureReportingMode::Fatal);
        QVERIFY(roles.canImport());
        QCOMPARE(roles.roles()->rowCount(), 0);
        const Digest holder = m_holder->publicKey().thumbprint();
        QCOMPARE(*roles.holderThumbprint(), holder);

        // A surgeon credential for this twin's key, as a file URL (the file dialog's way).
        const QString file = write(QStringLiteral("surgeon.tsrc"),
                                   m_stMarys->issue("surgeon", holder, m_now - 300, m_now + 30 * kDay));
        QVERIFY2(roles.importFile(QUrl::fromLocalFile(file).toString()), qPrintable(roles.operation()->errorMessage()));
        QCOMPARE(roles.operation()->errorCode(), QString());
        QVERIFY(roles.operation()->notice().contains(QStringLiteral("surgeon")));
        QCOMPARE(roles.roles()->rowCount(), 1);
        const RoleListModel::Row row = roles.roles()->rows().first();
        QCOMPARE(row.role, QStringLiteral("surgeon"));
        QCOMPARE(row.organisation, QStringLiteral("St. Mary's"));
        QCOMPARE(row.enterprise, QStringLiteral("St. Mary's"));
        QCOMPARE(row.state, QStringLiteral("valid"));
        QCOMPARE(row.shape, QStringLiteral("passed"));
        QVERIFY(row.stateText.contains(row.validUntil));
        QCOMPARE(roles.roles()->data(roles.roles()->index(0), RoleListModel::RoleNameRole).toString(),
                 QStringLiteral("surgeon"));
        QCOMPARE(storedFiles(), 1);
        QCOMPARE(logged(audit, role_event::kImport, AuditOutcome::Ok), 1);

        // What a call presents: exactly the file imported, for this key, while valid.
        const twin::RoleCredentialStore held(m_data);
        auto presented = held.presentable(holder, m_now);
        QCOMPARE(presented.size(), std::size_t{1});
        QVERIFY(presented.front() == held.list().front().credential.encoded);
        QVERIFY(held.presentable(m_stMarys->issuerKey.publicKey().thumbprint(), m_now).empty());

        // The same file again: held once.
        QVERIFY(roles.importFile(file));
        QCOMPARE(roles.roles()->rowCount(), 1);
        QCOMPARE(storedFiles(), 1);

        // After a restart of the client (a new store and view-model on the data directory).
        {
            twin::TwinStore restartedStore(m_data);
            AuditTrail restartedAudit(m_data);
            RolesController restarted(restartedStore, restartedAudit);
            QCOMPARE(restarted.roles()->rowCount(), 1);
            QCOMPARE(restarted.roles()->rows().first(), row);
        }

        // Past its end: listed as expired, by words and shape, and no longer presented.
        FixedClock later(m_now + 31 * kDay);
        roles.setClock(&later);
        QCOMPARE(roles.roles()->rows().first().state, QStringLiteral("expired"));
        QCOMPARE(roles.roles()->rows().first().shape, QStringLiteral("failed"));
        QVERIFY(roles.roles()->rows().first().stateText.startsWith(QStringLiteral("Expired")));
        QVERIFY(held.presentable(holder, later.now()).empty());
        roles.setClock(nullptr);

        // Removed: gone from the list and the data directory, and in the activity log.
        QVERIFY(!roles.remove(QStringLiteral("00")));
        QCOMPARE(roles.operation()->errorCode(), QStringLiteral("invalid-argument"));
        QVERIFY(roles.remove(row.id));
        QCOMPARE(roles.roles()->rowCount(), 0);
        QCOMPARE(storedFiles(), 0);
        QCOMPARE(logged(audit, role_event::kRemove, AuditOutcome::Ok), 1);
        twin::TwinStore afterStore(m_data);
        RolesController after(afterStore, audit);
        QCOMPARE(after.roles()->rowCount(), 0);
    }

    // Each refusal: its own reason code, a message a person can act on, nothing stored, and a
    // failed entry in the activity log.
    void refusalsEachWithItsReason() {
        twin::TwinStore store(m_data);
        auto auditLog = openAudit(m_data);
        AuditTrail& audit = *auditLog;
        RolesController roles(store, audit);
        QAbstractItemModelTester tester(roles.roles(), QAbstractItemModelTester::FailureReportingMode::Fatal);
        const Digest holder = m_holder->publicKey().thumbprint();
        auto refused = [&](const QString& file, const char* code, const QString& words) {
            const int failuresBefore = logged(audit, role_event::kImport, AuditOutcome::Failed, code);
            if (roles.importFile(file)) {
                qWarning("%s was imported", qPrintable(file));
                return false;
            }
            const bool ok = roles.operation()->errorCode() == QLatin1String(code) &&
                            roles.operation()->errorMessage().contains(words) && roles.roles()->rowCount() == 0 &&
                            storedFiles() == 0 &&
                            logged(audit, role_event::kImport, AuditOutcome::Failed, code) == failuresBefore + 1;
            if (!ok)
                qWarning("%s: %s: %s", qPrintable(file), qPrintable(roles.operation()->errorCode()),
                         qPrintable(roles.operation()->errorMessage()));
            return ok;
        };

        // Issued for another twin's key.
        auto other = must(SigningKey::generate(KeyAlgorithm::Ed25519), "another key");
        QVERIFY(refused(write(QStringLiteral("other.tsrc"),
                              m_stMarys->issue("surgeon", other.publicKey().thumbprint(), m_now - 300, m_now + kDay)),
                        "role-holder-mismatch", QStringLiteral("issued for another twin's key")));

        // Altered after signing: "surgeon" became "surgeoN".
        Bytes altered = m_stMarys->issue("surgeon", holder, m_now - 300, m_now + kDay);
        const std::string text(altered.begin(), altered.end());
        const auto at = text.find("surgeon");
        QVERIFY(at != std::string::npos);
        altered[at + 6] = 'N';
        QVERIFY(refused(write(QStringLiteral("altered.tsrc"), altered), "third-party-credential-invalid",
                        QStringLiteral("altered after signing")));

        // Expired yesterday.
        QVERIFY(refused(write(QStringLiteral("expired.tsrc"),
                              m_stMarys->issue("surgeon", holder, m_now - 30 * kDay, m_now - kDay)),
                        "role-expired", QStringLiteral("expired")));

        // Not a role credential at all.
        const std::string garbage = "This is a shopping list, not a role credential.\n";
        QVERIFY(refused(write(QStringLiteral("garbage.tsrc"), Bytes(garbage.begin(), garbage.end())),
                        "third-party-credential-invalid", QStringLiteral("not a role credential")));

        // A file that is not there.
        QVERIFY(refused(m_dir.filePath(QStringLiteral("missing.tsrc")), "io-error", QStringLiteral("cannot be read")));
    }

    // Without a twin (no credential, no holder key) there is no key to bind a role to.
    void noTwinNoImport() {
        QTemporaryDir empty;
        twin::TwinStore store(empty.path());
        AuditTrail audit(empty.path());
        RolesController roles(store, audit);
        QVERIFY(!roles.canImport());
        QVERIFY(!roles.importFile(m_dir.filePath(QStringLiteral("surgeon.tsrc"))));
        QCOMPARE(roles.operation()->errorCode(), QStringLiteral("no-holder-key"));
    }
};

TWINSEAL_TEST(RolesControllerTest, "roles_controller")
} // namespace test_roles_controller
} // namespace

#include "test_roles_controller.moc"
