// The Privacy page's list models under QAbstractItemModelTester (any breach of the model
// contract fails the test), and the disclosure policy: persisted in privacy.json, and
// disclosuresFor() presenting exactly the selected SD-JWT disclosures, each matching one of the
// credential's commitments.
#include <QAbstractItemModelTester>
#include <QDir>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <set>

#include <twinseal/security/bytes.h>
#include <twinseal/security/clock.h>
#include <twinseal/security/credential.h>
#include <twinseal/security/keys.h>
#include <twinseal/security/x509.h>
#include <twinseal/twin/twin_store.h>
#include <twinseal/viewmodels/audit_trail.h>
#include <twinseal/viewmodels/privacy_controller.h>
#include <twinseal/viewmodels/privacy_models.h>
#include <twinseal/viewmodels/twin_controller.h>

#include "testmain.h"

namespace {
namespace test_privacy_models {

using namespace twinseal;
using namespace twinseal::security;
using namespace twinseal::viewmodels;

namespace {

template <typename T> T must(Result<T> r, const char* what) {
    if (!r.ok())
        qFatal("%s: %s", what, r.error().message().c_str());
    return std::move(r).value();
}

// A credential with commitments to four attributes, written with its disclosures into `dir` the
// way the client stores them (credential.tsc, disclosures.json). Returns the credential.
Credential writeTwin(const QString& dir, std::vector<AttributeDisclosure>* disclosures) {
    const std::int64_t now = SystemClock::instance().now();
    auto& rng = SystemRandom::instance();
    auto rootKey = must(SigningKey::generate(KeyAlgorithm::Ed25519), "root key");
    CertificateRequest rootRequest;
    rootRequest.commonName = "Test Root";
    rootRequest.organisation = "Test";
    rootRequest.notBefore = now - 60;
    rootRequest.notAfter = now + 86400;
    rootRequest.isCa = true;
    auto root = must(createRootCertificate(rootKey, rootRequest), "root");
    CertificateRequest issuerRequest = rootRequest;
    issuerRequest.commonName = "Test Issuer";
    issuerRequest.isCa = false;
    auto issuerKey = must(SigningKey::generate(KeyAlgorithm::Ed25519), "issuer key");
    auto issuer = must(issueCertificate(rootKey, root, issuerKey.publicKey(), issuerRequest),
                       "issuer");
    auto holder = must(SigningKey::generate(KeyAlgorithm::Ed25519), "holder");
    CredentialClaims c;
    c.dtId = "dt-test";
    c.avatarId = "urn:twinseal:avatar:test";
    c.holderKey = holder.publicKey();
    c.pseudonym = "twin-0a0b0c0d0e0f";
    c.notBefore = now - 60;
    c.notAfter = now + 86400;
    const std::pair<const char*, const char*> attrs[] = {{"name", "Dr. Ada Moreau"},
                                                         {"role", "surgeon"},
                                                         {"organisation", "St Mary's"},
                                                         {"licence_id", "GMC-7"}};
    QJsonArray stored;
    for (const auto& [name, value] : attrs) {
        auto d = must(AttributeDisclosure::make(name, value, rng), "disclosure");
        c.attributes.push_back({name, d.digest()});
        stored.append(QJsonObject{{QStringLiteral("name"), QString::fromLatin1(name)},
                                  {QStringLiteral("disclosure"), QString::fromStdString(d.encoded())}});
        disclosures->push_back(d);
    }
    auto cred = must(issueCredential(c, issuerKey, {issuer}), "credential");
    if (!writeFileAtomic(QDir(dir).filePath(QStringLiteral("credential.tsc")).toStdString(),
                         cred.encoded)
             .ok())
        qFatal("cannot write the credential");
    QFile f(QDir(dir).filePath(QStringLiteral("disclosures.json")));
    if (!f.open(QIODevice::WriteOnly) || f.write(QJsonDocument(stored).toJson()) < 0)
        qFatal("cannot write the disclosures");
    return cred;
}

TwinController::Options options(const QString& dir) {
    TwinController::Options o;
    o.dataDir = dir;
    return o;
}

} // namespace

class PrivacyModelsTest : public QObject {
    Q_OBJECT

private slots:
    void ruleModelKeepsTheContract() {
        DisclosureRuleModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
        QSignalSpy count(&model, &DisclosureRuleModel::countChanged);
        model.upsert({QStringLiteral("theatre-3"), {QStringLiteral("name"), QStringLiteral("role")}});
        model.upsert({QStringLiteral("urn:twinseal:avatar:peer"), {}});
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(count.count(), 2);
        const QModelIndex first = model.index(0);
        QCOMPARE(model.data(first, DisclosureRuleModel::TargetRole).toString(), QStringLiteral("theatre-3"));
        QCOMPARE(model.data(first, DisclosureRuleModel::NameRole).toBool(), true);
        QCOMPARE(model.data(first, DisclosureRuleModel::RoleRole).toBool(), true);
        QCOMPARE(model.data(first, DisclosureRuleModel::OrganisationRole).toBool(), false);
        QCOMPARE(model.data(first, DisclosureRuleModel::LicenceIdRole).toBool(), false);
        QCOMPARE(model.data(first, DisclosureRuleModel::SummaryRole).toString(), QStringLiteral("Name, Role"));
        QCOMPARE(model.data(model.index(1), DisclosureRuleModel::SummaryRole).toString(),
                 QStringLiteral("Pseudonym only"));

        // The same target (any case) replaces its rule in place.
        QSignalSpy changed(&model, &QAbstractItemModel::dataChanged);
        model.upsert({QStringLiteral("Theatre-3"), {QStringLiteral("licence_id")}});
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(changed.count(), 1);
        QCOMPARE(model.data(first, DisclosureRuleModel::LicenceIdRole).toBool(), true);
        QCOMPARE(model.data(first, DisclosureRuleModel::NameRole).toBool(), false);

        QVERIFY(!model.remove(QStringLiteral("nowhere")));
        QVERIFY(model.remove(QStringLiteral("theatre-3")));
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(count.count(), 3);
        model.setRules({});
        QCOMPARE(model.rowCount(), 0);
        QVERIFY(!model.data(model.index(3), DisclosureRuleModel::TargetRole).isValid());
        QVERIFY(model.roleNames().values().contains("licenceId"));
    }

    void lawfulDisclosureModelKeepsTheContract() {
        LawfulDisclosureModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
        QSignalSpy count(&model, &LawfulDisclosureModel::countChanged);
        LawfulDisclosureRow first;
        first.disclosureId = QStringLiteral("ld-1");
        first.dtId = QStringLiteral("dt-1");
        first.authority = QStringLiteral("Metropolitan Police");
        first.caseRef = QStringLiteral("MP-1");
        first.legalBasis = QStringLiteral("IPA 2016 s.61");
        first.attributes = {QStringLiteral("name"), QStringLiteral("licence_id")};
        first.disclosedAt = 1'800'000'000;
        model.setRows({first});
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(count.count(), 1);
        const QModelIndex row = model.index(0);
        QCOMPARE(model.data(row, LawfulDisclosureModel::AuthorityRole).toString(), QStringLiteral("Metropolitan Police"));
        QCOMPARE(model.data(row, LawfulDisclosureModel::CaseRefRole).toString(), QStringLiteral("MP-1"));
        QCOMPARE(model.data(row, LawfulDisclosureModel::LegalBasisRole).toString(), QStringLiteral("IPA 2016 s.61"));
        QCOMPARE(model.data(row, LawfulDisclosureModel::AttributesRole).toString(), QStringLiteral("Name, Licence ID"));
        QCOMPARE(model.data(row, LawfulDisclosureModel::DisclosedAtSecsRole).toLongLong(), 1'800'000'000LL);
        QVERIFY(!model.data(row, LawfulDisclosureModel::DisclosedAtRole).toString().isEmpty());
        // Not logged: no "shown to you" time, not verified, the reason in words.
        QVERIFY(model.data(row, LawfulDisclosureModel::VisibleAtRole).toString().isEmpty());
        QCOMPARE(model.data(row, LawfulDisclosureModel::VerifiedRole).toBool(), false);

        // Checked against the transparency log (issue 12, finding 16): verified or not, in words.
        LawfulDisclosureRow verified = first;
        verified.disclosureId = QStringLiteral("ld-2");
        verified.visibleAt = 1'800'003'600;
        verified.verified = true;
        verified.verificationMessage = QStringLiteral("Committed to in transparency log entry 4.");
        LawfulDisclosureRow altered = verified;
        altered.disclosureId = QStringLiteral("ld-3");
        altered.verified = false;
        altered.verificationCode = QStringLiteral("disclosure-commitment-mismatch");
        altered.verificationMessage = QStringLiteral("It was altered after it was logged.");
        model.setRows({verified, altered});
        QCOMPARE(model.data(model.index(0), LawfulDisclosureModel::VerifiedRole).toBool(), true);
        QCOMPARE(model.data(model.index(0), LawfulDisclosureModel::VerificationRole).toString(),
                 QStringLiteral("Verified: Committed to in transparency log entry 4."));
        QVERIFY(!model.data(model.index(0), LawfulDisclosureModel::VisibleAtRole).toString().isEmpty());
        QCOMPARE(model.data(model.index(1), LawfulDisclosureModel::VerifiedRole).toBool(), false);
        QCOMPARE(model.data(model.index(1), LawfulDisclosureModel::VerificationCodeRole).toString(),
                 QStringLiteral("disclosure-commitment-mismatch"));
        QCOMPARE(model.data(model.index(1), LawfulDisclosureModel::VerificationRole).toString(),
                 QStringLiteral("Not verified (disclosure-commitment-mismatch): It was altered after it was logged."));
        QVERIFY(model.roleNames().values().contains("verification"));
        model.setRows({});
        QCOMPARE(model.rowCount(), 0);
        QCOMPARE(count.count(), 3);
    }

    void disclosuresForPresentsExactlyTheSelectedAttributes() {
        QTemporaryDir dir;
        std::vector<AttributeDisclosure> all;
        const Credential cred = writeTwin(dir.path(), &all);
        {
            // The page's view-model on its own: the twin's store and the activity log, no root.
            twin::TwinStore store(dir.path());
            AuditTrail audit(dir.path());
            PrivacyController page(store, audit);
            PrivacyController* privacy = &page;
            QAbstractItemModelTester tester(privacy->rules(),
                                            QAbstractItemModelTester::FailureReportingMode::Fatal);
            // Default: pseudonym only, everywhere.
            QVERIFY(privacy->disclosuresFor(QStringLiteral("theatre-3")).empty());
            QVERIFY(!privacy->setRule(QStringLiteral("   "), true, false, false, false));
            QCOMPARE(privacy->operation()->errorCode(), QStringLiteral("invalid-target"));
            QVERIFY(privacy->setRule(QStringLiteral("theatre-3"), true, false, false, true));
            QVERIFY(privacy->setRule(QStringLiteral("urn:twinseal:avatar:peer"), false, true, false, false));
            QVERIFY(privacy->setRule(QStringLiteral("lobby"), false, false, false, false));

            const auto theatre = privacy->disclosuresFor(QStringLiteral("theatre-3"));
            QCOMPARE(theatre.size(), std::size_t{2});
            std::set<std::string> names;
            for (const auto& encoded : theatre) {
                auto d = AttributeDisclosure::decode(encoded);
                QVERIFY(d.ok());
                names.insert(d->name);
                // It verifies: its digest is the credential's commitment for that attribute.
                bool committed = false;
                for (const auto& a : cred.claims.attributes)
                    committed = committed || (a.name == d->name && a.digest == d->digest());
                QVERIFY2(committed, d->name.c_str());
            }
            QCOMPARE(names, (std::set<std::string>{"name", "licence_id"}));
            // The unselected attributes are absent.
            for (const auto& d : all)
                if (d.name == "role" || d.name == "organisation")
                    QVERIFY(std::find(theatre.begin(), theatre.end(), d.encoded()) == theatre.end());
            QCOMPARE(privacy->disclosuresFor(QStringLiteral("urn:twinseal:avatar:peer")),
                     std::vector<std::string>{all[1].encoded()});
            QVERIFY(privacy->disclosuresFor(QStringLiteral("lobby")).empty());
            QVERIFY(privacy->disclosuresFor(QStringLiteral("elsewhere")).empty());
            QVERIFY(privacy->removeRule(QStringLiteral("lobby")));
            QCOMPARE(privacy->availableAttributes(),
                     (QStringList{QStringLiteral("name"), QStringLiteral("role"),
                                  QStringLiteral("organisation"), QStringLiteral("licence_id")}));
        }
        // privacy.json holds the policy (no disclosure strings, no values) and survives a restart.
        QFile policy(QDir(dir.path()).filePath(QStringLiteral("privacy.json")));
        QVERIFY(policy.open(QIODevice::ReadOnly));
        const QByteArray json = policy.readAll();
        QVERIFY(!json.contains("Ada"));
        QVERIFY(!json.contains(all[0].encoded().c_str()));
        TwinController again(options(dir.path()));
        QCOMPARE(again.privacy()->rules()->rowCount(), 2);
        QCOMPARE(again.privacy()->disclosuresFor(QStringLiteral("Theatre-3")).size(), std::size_t{2});

        // A disclosure that does not match the credential is never presented.
        QFile f(QDir(dir.path()).filePath(QStringLiteral("disclosures.json")));
        QVERIFY(f.open(QIODevice::ReadOnly));
        QJsonArray stored = QJsonDocument::fromJson(f.readAll()).array();
        f.close();
        auto forged = AttributeDisclosure{"forged-salt", "name", "Someone Else"};
        QJsonObject o = stored.at(0).toObject();
        o.insert(QStringLiteral("disclosure"), QString::fromStdString(forged.encoded()));
        stored.replace(0, o);
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write(QJsonDocument(stored).toJson());
        f.close();
        const auto afterForgery = again.privacy()->disclosuresFor(QStringLiteral("theatre-3"));
        QCOMPARE(afterForgery, std::vector<std::string>{all[3].encoded()});
    }
};

TWINSEAL_TEST(PrivacyModelsTest, "privacy_models")
} // namespace test_privacy_models
} // namespace

#include "test_privacy_models.moc"
