// Privacy controls (DESIGN §7) against the real twinseal-homenet on loopback over TLS: pseudonym
// rotation (a new unlinkable pseudonym for the same DT, the old credential superseded in the
// status list, a log entry; only with the current holder key and media), and lawful disclosures
// recorded with the operator CLI while the service runs: visible to the DT's owner through
// GET /v1/disclosures, never to another subscriber; bad operator input refused with its reason.
// Each disclosure is committed to in the transparency log as an opaque entry in the transaction
// that records it, and shown to its owner after the operator's delay with its statement and an
// inclusion proof the client verifies; one altered after it was logged is shown as not verified
// with its reason (issue 12, finding 16).
#include <QJsonDocument>
#include <QJsonObject>
#include <QSqlDatabase>
#include <QSqlQuery>
#include <QtTest>

#include <algorithm>

#include <twinseal/netclient/service_client.h>
#include <twinseal/security/lawful_disclosure.h>
#include <twinseal/security/statuslist.h>
#include <twinseal/security/translog.h>

#include "homenet_fixture.h"
#include "test_macros.h"
#include "testmain.h"

namespace {
namespace test_privacy {

using namespace twinseal;
using namespace twinseal::security;
using namespace twinseal::test;
using netclient::ClientResult;
using netclient::ServiceClient;

namespace {

using Subscriber = TestSubscriber;

Subscriber subscriber(HomenetServer& server, int n) {
    return addTestSubscriber(server, QStringLiteral("privacy%1.profile").arg(n), 2000 + n,
                             {QStringLiteral("--name"), QStringLiteral("Subscriber %1").arg(n),
                              QStringLiteral("--role"), QStringLiteral("surgeon"),
                              QStringLiteral("--licence-id"), QStringLiteral("GMC-%1").arg(n)});
}

ClientResult<netclient::Registration> rotate(Subscriber& s, const std::string& dtId,
                                        const SigningKey& key, const Bytes& manifest,
                                        const std::string& previous) {
    return await<netclient::Registration>([&](auto cb) {
        s.client->rotatePseudonym(dtId, key, manifest, previous, std::move(cb));
    });
}
// The owner's list; its tree head (when given) must verify, as the client's own check says.
ClientResult<std::vector<netclient::LawfulDisclosure>> disclosures(ServiceClient& c) {
    auto list = await<netclient::LawfulDisclosureList>(
        [&](auto cb) { c.listLawfulDisclosures(std::move(cb)); });
    if (!list.ok())
        return list.error();
    if (!list->treeHead)
        return netclient::clientError("test-no-tree-head", "the list's tree head did not verify");
    return std::move(list->disclosures);
}
ClientResult<std::vector<netclient::DtRecord>> listDts(ServiceClient& c) {
    return await<std::vector<netclient::DtRecord>>([&](auto cb) { c.listDts(std::move(cb)); });
}
ClientResult<SignedTreeHead> treeHead(ServiceClient& c) {
    return await<SignedTreeHead>([&](auto cb) { c.fetchTreeHead(std::move(cb)); });
}
ClientResult<LogReceipt> inclusion(ServiceClient& c, std::uint64_t index) {
    return await<LogReceipt>([&](auto cb) { c.fetchInclusion(index, 0, std::move(cb)); });
}

// The operator's `disclosure record --json` answer among the command's output (the service's
// own JSON log lines go to the same stream).
QJsonObject recordedJson(const QByteArray& out) {
    for (const QByteArray& line : out.split('\n')) {
        QJsonObject o = QJsonDocument::fromJson(line.trimmed()).object();
        if (o.contains(QStringLiteral("disclosure_id")) && o.contains(QStringLiteral("attributes")))
            return o;
    }
    return {};
}

const netclient::LawfulDisclosure* findDisclosure(const std::vector<netclient::LawfulDisclosure>& all,
                                                  const QString& id) {
    for (const auto& d : all)
        if (d.disclosureId == id.toStdString())
            return &d;
    return nullptr;
}

} // namespace

class PrivacyTest : public QObject {
    Q_OBJECT

    std::unique_ptr<HomenetServer> m_server;

    int recordDisclosure(const QStringList& args, QByteArray* out) {
        return m_server->runTool(QStringList{QStringLiteral("disclosure"), QStringLiteral("record")} +
                                     args,
                                 out);
    }

    // Records a disclosure of `dtId` (with `extra` options, e.g. --delay) and returns the
    // operator's JSON answer; empty after a failed QVERIFY.
    QJsonObject recordFor(const QString& dtId, const QString& caseRef, const QStringList& extra) {
        QByteArray out;
        const int rc = recordDisclosure(
            QStringList{QStringLiteral("--dt"), dtId, QStringLiteral("--authority"),
                        QStringLiteral("National Crime Agency"), QStringLiteral("--case-ref"),
                        caseRef, QStringLiteral("--legal-basis"),
                        QStringLiteral("Production order 2026/17"), QStringLiteral("--attributes"),
                        QStringLiteral("name,role"), QStringLiteral("--json")} +
                extra,
            &out);
        if (rc != 0) {
            qWarning("disclosure record failed (%d): %s", rc, out.constData());
            return {};
        }
        return recordedJson(out);
    }

    // Runs one SQL statement on the service's database (bound values in order).
    bool sql(const QString& statement, const QVariantList& values) {
        bool done = false;
        const bool opened = m_server->withDatabase([&](QSqlDatabase& db) {
            QSqlQuery q(db);
            if (!q.prepare(statement))
                return;
            for (const QVariant& v : values)
                q.addBindValue(v);
            done = q.exec() && q.numRowsAffected() == 1;
        });
        return opened && done;
    }

private slots:
    // One home network for every case: each case's twins certify avatars of their own (copies
    // of the sample with another variant), as a media root has one active twin.
    void initTestCase() {
        m_server = std::make_unique<HomenetServer>();
        QVERIFY(m_server->start());
    }

    void rotationGivesANewPseudonymAndSupersedesTheOldCredential() {
        Subscriber a = subscriber(*m_server, 1);
        REQUIRE_OK(authenticate(*a.client));
        const QString package = avatarCopy(m_server->scratch(QStringLiteral("rot-avatar")));
        const Bytes manifest = signedManifest(package, a.holder);
        auto reg = registerDt(a, manifest);
        REQUIRE_OK(reg);
        const auto& old = reg->credential.claims;

        auto rotated = rotate(a, old.dtId, a.holder, manifest, old.pseudonym);
        REQUIRE_OK(rotated);
        const auto& fresh = rotated->credential.claims;
        QCOMPARE(fresh.dtId, old.dtId);
        QCOMPARE(fresh.avatarId, old.avatarId);
        QVERIFY(fresh.pseudonym != old.pseudonym);
        QVERIFY(fresh.pseudonym.rfind("twin-", 0) == 0);
        QCOMPARE(fresh.generation, old.generation + 1);
        QVERIFY(fresh.statusListIndex != old.statusListIndex);
        // Fresh disclosures (new salts): none of the old ones is reused.
        QCOMPARE(rotated->disclosures.size(), reg->disclosures.size());
        for (const auto& d : rotated->disclosures)
            QVERIFY(std::find(reg->disclosures.begin(), reg->disclosures.end(), d) ==
                    reg->disclosures.end());
        // Logged (verified by the client: a re-certification entry naming the DT), after the
        // issuance.
        QCOMPARE(rotated->receipt.entry.type, LogEntryType::Recertification);
        QCOMPARE(rotated->receipt.entry.dtId, old.dtId);
        QVERIFY(fresh.logIndex > old.logIndex);

        // The old credential is superseded: inactive in the signed status list.
        auto list = statusList(*a.client);
        REQUIRE_OK(list);
        QCOMPARE(*list->isRevoked(old.statusListIndex), true);
        QCOMPARE(*list->isRevoked(fresh.statusListIndex), false);
        auto dts = listDts(*a.client);
        REQUIRE_OK(dts);
        QCOMPARE(dts->size(), std::size_t{1});
        QCOMPARE(dts->front().state, std::string("active"));
        QCOMPARE(dts->front().generation, fresh.generation);

        // Another key (signing its own request, so proof of possession holds) is refused.
        const SigningKey other = std::move(SigningKey::generate(KeyAlgorithm::Ed25519)).value();
        const Bytes otherManifest = signedManifest(package, other);
        EXPECT_CODE(rotate(a, old.dtId, other, otherManifest, fresh.pseudonym),
                    "holder-key-mismatch");
        // Rotation keeps the avatar: other media is refused.
        const Bytes changed = signedManifest(
            avatarCopy(m_server->scratch(QStringLiteral("rot-avatar-2")), 1), a.holder);
        EXPECT_CODE(rotate(a, old.dtId, a.holder, changed, fresh.pseudonym), "media-changed");
        // Someone else's DT is unknown to this subscriber.
        Subscriber b = subscriber(*m_server, 2);
        REQUIRE_OK(authenticate(*b.client));
        const Bytes bManifest = signedManifest(package, b.holder);
        EXPECT_CODE(rotate(b, old.dtId, b.holder, bManifest, {}), "unknown-dt");
        // The refused attempts changed nothing.
        auto after = listDts(*a.client);
        REQUIRE_OK(after);
        QCOMPARE(after->front().generation, fresh.generation);
    }

    // Every credential of one subscriber carries its own subscriber binding (a pseudonym
    // rotation, a new DT after a revocation), and the public log entries about them carry no
    // subscriber-identifying value: no binding, no SUPI, no free-text revocation reason.
    void credentialsOfOneSubscriberAreUnlinkable() {
        Subscriber a = subscriber(*m_server, 6);
        REQUIRE_OK(authenticate(*a.client));
        const QString package = avatarCopy(m_server->scratch(QStringLiteral("unlink-avatar")), 3);
        const Bytes manifest = signedManifest(package, a.holder);
        auto first = registerDt(a, manifest);
        REQUIRE_OK(first);
        const auto& c1 = first->credential.claims;
        auto rotated = rotate(a, c1.dtId, a.holder, manifest, c1.pseudonym);
        REQUIRE_OK(rotated);
        const auto& c2 = rotated->credential.claims;
        const std::string reason = "lost my phone on the 7:42 to Leeds";
        REQUIRE_OK(await<netclient::DtRecord>(
            [&](auto cb) { a.client->revoke(c1.dtId, reason, std::move(cb)); }));
        a.holder = std::move(SigningKey::generate(KeyAlgorithm::Ed25519)).value();
        auto second = registerDt(a, signedManifest(package, a.holder));
        REQUIRE_OK(second);
        const auto& c3 = second->credential.claims;

        const std::vector<Bytes> bindings{c1.subscriberBinding, c2.subscriberBinding,
                                          c3.subscriberBinding};
        for (std::size_t i = 0; i < bindings.size(); ++i) {
            QCOMPARE(bindings[i].size(), std::size_t{32});
            for (std::size_t j = i + 1; j < bindings.size(); ++j)
                QVERIFY(bindings[i] != bindings[j]);
        }

        // The log as anyone reads it (no authentication): the issuance and re-certification of
        // the first DT, its revocation, the issuance of the second.
        auto profile = UsimProfileData::load(a.path.toStdString());
        QVERIFY(profile.ok());
        ServiceClient anyone(*profile, QString());
        const std::uint64_t revocationIndex = c3.logIndex - 1;
        const std::uint64_t indices[] = {c1.logIndex, c2.logIndex, revocationIndex, c3.logIndex};
        const std::string supi = profile->supi.toString();
        std::vector<LogEntry> entries;
        for (std::uint64_t index : indices) {
            auto receipt = await<LogReceipt>(
                [&](auto cb) { anyone.fetchInclusion(index, 0, std::move(cb)); });
            REQUIRE_OK(receipt);
            QVERIFY(receipt->entry.subscriberBinding.empty());
            const std::string raw = toString(receipt->entryBytes);
            for (const Bytes& b : bindings)
                QVERIFY(raw.find(toString(b)) == std::string::npos);
            QVERIFY(raw.find(supi) == std::string::npos);
            QVERIFY(raw.find(supi.substr(5)) == std::string::npos); // the digits alone
            QVERIFY(raw.find(reason) == std::string::npos);
            entries.push_back(receipt->entry);
        }
        QCOMPARE(entries[2].type, LogEntryType::Revocation);
        QVERIFY(entries[2].details.empty());
        // The two DTs' entries share nothing: another DT id, other credential digests.
        QVERIFY(entries[3].dtId != entries[0].dtId);
        for (std::size_t i = 0; i < 3; ++i)
            QVERIFY(entries[3].credentialDigest != entries[i].credentialDigest);
    }

    void lawfulDisclosureIsVisibleToTheOwnerOnly() {
        Subscriber owner = subscriber(*m_server, 3);
        Subscriber other = subscriber(*m_server, 4);
        REQUIRE_OK(authenticate(*owner.client));
        REQUIRE_OK(authenticate(*other.client));
        const QString package = avatarCopy(m_server->scratch(QStringLiteral("ld-avatar")), 4);
        auto reg = registerDt(owner, signedManifest(package, owner.holder));
        REQUIRE_OK(reg);
        auto otherReg = registerDt(
            other, signedManifest(avatarCopy(m_server->scratch(QStringLiteral("ld-avatar-2")), 2),
                                  other.holder));
        REQUIRE_OK(otherReg);
        const QString dtId = QString::fromStdString(reg->credential.claims.dtId);

        auto none = disclosures(*owner.client);
        REQUIRE_OK(none);
        QVERIFY(none->empty());

        // Recorded by the operator from a second process while the service runs.
        QByteArray out;
        QCOMPARE(recordDisclosure({QStringLiteral("--dt"), dtId, QStringLiteral("--authority"),
                                   QStringLiteral("Metropolitan Police"), QStringLiteral("--case-ref"),
                                   QStringLiteral("MP-2026-0042"), QStringLiteral("--legal-basis"),
                                   QStringLiteral("IPA 2016 s.61"), QStringLiteral("--attributes"),
                                   QStringLiteral("name,licenceId"), QStringLiteral("--json")},
                                  &out),
                 0);
        QVERIFY2(out.contains("\"disclosure_id\""), out.constData());
        QVERIFY(!out.contains("MP-2026-0042")); // identifiers only in the operator's output

        auto seen = disclosures(*owner.client);
        REQUIRE_OK(seen);
        QCOMPARE(seen->size(), std::size_t{1});
        const netclient::LawfulDisclosure& d = seen->front();
        QCOMPARE(d.dtId, dtId.toStdString());
        QCOMPARE(d.authority, std::string("Metropolitan Police"));
        QCOMPARE(d.caseRef, std::string("MP-2026-0042"));
        QCOMPARE(d.legalBasis, std::string("IPA 2016 s.61"));
        QCOMPARE(d.attributes, (std::vector<std::string>{"name", "licence_id"}));
        const std::int64_t now = QDateTime::currentSecsSinceEpoch();
        QVERIFY(d.disclosedAt > now - 300 && d.disclosedAt <= now + 5);
        QVERIFY(!d.disclosureId.empty());
        QVERIFY2(d.verified, d.verificationMessage.c_str());

        // Never visible to another subscriber.
        auto otherSees = disclosures(*other.client);
        REQUIRE_OK(otherSees);
        QVERIFY(otherSees->empty());
        // Nor without authentication.
        ServiceClient anonymous(owner.client->profile(), {});
        EXPECT_CODE(disclosures(anonymous), "not-authenticated");
        // The service log names the record, not the authority or case.
        const QByteArray log = m_server->pollLog();
        QVERIFY(!log.contains("MP-2026-0042"));
        QVERIFY(!log.contains("Metropolitan Police"));
    }

    void badOperatorInputIsRefusedWithItsReason() {
        Subscriber s = subscriber(*m_server, 5);
        REQUIRE_OK(authenticate(*s.client));
        auto reg = registerDt(
            s, signedManifest(avatarCopy(m_server->scratch(QStringLiteral("bad-avatar")), 5), s.holder));
        REQUIRE_OK(reg);
        const QString dtId = QString::fromStdString(reg->credential.claims.dtId);
        const QStringList good = {QStringLiteral("--authority"), QStringLiteral("Court"),
                                  QStringLiteral("--case-ref"),  QStringLiteral("C-1"),
                                  QStringLiteral("--legal-basis"), QStringLiteral("order 7"),
                                  QStringLiteral("--attributes"), QStringLiteral("name")};
        struct Case {
            QStringList args;
            const char* code;
        };
        const Case cases[] = {
            {QStringList{QStringLiteral("--dt-id"), QStringLiteral("dt-unknown")} + good, "unknown-dt"},
            {good, "missing-field"},
            {QStringList{QStringLiteral("--dt-id"), dtId, QStringLiteral("--case-ref"),
                         QStringLiteral("C-1"), QStringLiteral("--legal-basis"),
                         QStringLiteral("order 7"), QStringLiteral("--attributes"),
                         QStringLiteral("name")},
             "missing-field"},
            {QStringList{QStringLiteral("--dt-id"), dtId, QStringLiteral("--authority"),
                         QStringLiteral("Court"), QStringLiteral("--case-ref"),
                         QStringLiteral("C-1"), QStringLiteral("--legal-basis"),
                         QStringLiteral("order 7")},
             "missing-field"},
            {QStringList{QStringLiteral("--dt-id"), dtId, QStringLiteral("--authority"),
                         QStringLiteral("Court"), QStringLiteral("--case-ref"),
                         QStringLiteral("C-1"), QStringLiteral("--legal-basis"),
                         QStringLiteral("order 7"), QStringLiteral("--attributes"),
                         QStringLiteral("name,shoe_size")},
             "invalid-attribute"},
        };
        for (const Case& c : cases) {
            QByteArray out;
            QVERIFY(recordDisclosure(c.args, &out) != 0);
            QVERIFY2(out.contains(c.code), out.constData());
        }
        // Nothing was recorded by the refused commands.
        auto seen = disclosures(*s.client);
        REQUIRE_OK(seen);
        QVERIFY(seen->empty());
        // An unknown sub-command is a usage error.
        QByteArray out;
        QCOMPARE(m_server->runTool({QStringLiteral("disclosure"), QStringLiteral("erase")}, &out), 1);
    }

    void lawfulDisclosureIsCommittedToInTheLogAsAnOpaqueEntry() {
        Subscriber owner = subscriber(*m_server, 8);
        REQUIRE_OK(authenticate(*owner.client));
        auto reg = registerDt(
            owner, signedManifest(avatarCopy(m_server->scratch(QStringLiteral("ld-log")), 8),
                                  owner.holder));
        REQUIRE_OK(reg);
        const QString dtId = QString::fromStdString(reg->credential.claims.dtId);
        auto before = treeHead(*owner.client);
        REQUIRE_OK(before);

        const QJsonObject rec = recordFor(dtId, QStringLiteral("NCA-7731"), {});
        QVERIFY(!rec.isEmpty());
        const QString id = rec.value(QStringLiteral("disclosure_id")).toString();
        const auto index = static_cast<std::uint64_t>(rec.value(QStringLiteral("log_index")).toDouble());
        const auto disclosedAt = static_cast<std::int64_t>(rec.value(QStringLiteral("disclosed_at")).toDouble());
        // No delay configured: visible at once.
        QCOMPARE(static_cast<std::int64_t>(rec.value(QStringLiteral("visible_at")).toDouble()),
                 disclosedAt);

        // The log grew by the disclosure's entry, which is opaque: no DT, no subscriber, no key,
        // none of the record's text; only a commitment.
        auto after = treeHead(*owner.client);
        REQUIRE_OK(after);
        QCOMPARE(after->head.treeSize, before->head.treeSize + 1);
        QCOMPARE(index, before->head.treeSize);
        auto logged = inclusion(*owner.client, index);
        REQUIRE_OK(logged);
        QCOMPARE(logged->entry.type, LogEntryType::LawfulDisclosure);
        QVERIFY(logged->entry.dtId.empty());
        QVERIFY(logged->entry.holderKey.empty());
        QVERIFY(logged->entry.details.empty());
        QVERIFY(logged->entry.subscriberBinding.empty());
        const std::string entryText(logged->entryBytes.begin(), logged->entryBytes.end());
        for (const char* secret : {"NCA-7731", "National Crime Agency", "Production order",
                                   "imsi-", "001010000002008"})
            QVERIFY2(entryText.find(secret) == std::string::npos, secret);
        QVERIFY(entryText.find(dtId.toStdString()) == std::string::npos);
        QVERIFY(entryText.find(id.toStdString()) == std::string::npos);

        // The owner gets the statement and a proof, and the client verifies both.
        auto seen = disclosures(*owner.client);
        REQUIRE_OK(seen);
        const netclient::LawfulDisclosure* d = findDisclosure(*seen, id);
        QVERIFY(d != nullptr);
        QVERIFY2(d->verified, d->verificationMessage.c_str());
        QVERIFY(d->verificationCode.empty());
        QCOMPARE(d->logIndex, std::optional<std::uint64_t>(index));
        QCOMPARE(d->disclosedAt, disclosedAt);
        QCOMPARE(d->visibleAt, disclosedAt);
        QCOMPARE(d->caseRef, std::string("NCA-7731"));

        // Altered in the database after it was logged (the authority rewritten): shown, but not
        // verified, with its reason.
        QVERIFY(sql(QStringLiteral("UPDATE lawful_disclosures SET authority = ? WHERE disclosure_id = ?"),
                    {QStringLiteral("Parish Council"), id}));
        auto altered = disclosures(*owner.client);
        REQUIRE_OK(altered);
        d = findDisclosure(*altered, id);
        QVERIFY(d != nullptr);
        QCOMPARE(d->authority, std::string("Parish Council"));
        QVERIFY(!d->verified);
        QCOMPARE(d->verificationCode, std::string("disclosure-commitment-mismatch"));
        QVERIFY(sql(QStringLiteral("UPDATE lawful_disclosures SET authority = ? WHERE disclosure_id = ?"),
                    {QStringLiteral("National Crime Agency"), id}));

        // The statement itself rewritten consistently with an altered record (another case
        // reference, fresh salt): it no longer matches the commitment the log holds.
        QByteArray statement;
        QVERIFY(m_server->withDatabase([&](QSqlDatabase& db) {
            QSqlQuery q(db);
            q.prepare(QStringLiteral("SELECT statement FROM lawful_disclosure_log WHERE disclosure_id = ?"));
            q.addBindValue(id);
            if (q.exec() && q.next())
                statement = q.value(0).toByteArray();
        }));
        auto parsed = DisclosureStatement::decode(
            ByteView(reinterpret_cast<const std::uint8_t*>(statement.constData()),
                     static_cast<std::size_t>(statement.size())));
        REQUIRE_OK(parsed);
        DisclosureStatement forged = *parsed;
        forged.caseRef = "NCA-0001";
        auto salted = DisclosureStatement::salted(forged, SystemRandom::instance());
        REQUIRE_OK(salted);
        const Bytes forgedBytes = salted->encode();
        QVERIFY(sql(QStringLiteral("UPDATE lawful_disclosure_log SET statement = ? WHERE disclosure_id = ?"),
                    {QByteArray(reinterpret_cast<const char*>(forgedBytes.data()),
                                static_cast<qsizetype>(forgedBytes.size())),
                     id}));
        QVERIFY(sql(QStringLiteral("UPDATE lawful_disclosures SET case_ref = ? WHERE disclosure_id = ?"),
                    {QStringLiteral("NCA-0001"), id}));
        auto rewritten = disclosures(*owner.client);
        REQUIRE_OK(rewritten);
        d = findDisclosure(*rewritten, id);
        QVERIFY(d != nullptr);
        QVERIFY(!d->verified);
        QCOMPARE(d->verificationCode, std::string("disclosure-commitment-mismatch"));

        // Pointed at another log entry (this DT's issuance): refused, not verified.
        QVERIFY(sql(QStringLiteral("UPDATE lawful_disclosure_log SET statement = ?, log_index = ? WHERE disclosure_id = ?"),
                    {statement, static_cast<qlonglong>(reg->credential.claims.logIndex), id}));
        QVERIFY(sql(QStringLiteral("UPDATE lawful_disclosures SET case_ref = ? WHERE disclosure_id = ?"),
                    {QStringLiteral("NCA-7731"), id}));
        auto moved = disclosures(*owner.client);
        REQUIRE_OK(moved);
        d = findDisclosure(*moved, id);
        QVERIFY(d != nullptr);
        QVERIFY(!d->verified);
        QCOMPARE(d->verificationCode, std::string("disclosure-commitment-mismatch"));

        // Its commitment removed: still shown to the owner, as not logged.
        QVERIFY(sql(QStringLiteral("DELETE FROM lawful_disclosure_log WHERE disclosure_id = ?"), {id}));
        auto unlogged = disclosures(*owner.client);
        REQUIRE_OK(unlogged);
        d = findDisclosure(*unlogged, id);
        QVERIFY(d != nullptr);
        QVERIFY(!d->verified);
        QCOMPARE(d->verificationCode, std::string("disclosure-not-logged"));
    }

    void aDisclosureIsShownToItsOwnerOnlyAfterTheOperatorsDelay() {
        Subscriber owner = subscriber(*m_server, 9);
        REQUIRE_OK(authenticate(*owner.client));
        auto reg = registerDt(
            owner, signedManifest(avatarCopy(m_server->scratch(QStringLiteral("ld-delay")), 9),
                                  owner.holder));
        REQUIRE_OK(reg);
        const QString dtId = QString::fromStdString(reg->credential.claims.dtId);
        auto before = treeHead(*owner.client);
        REQUIRE_OK(before);

        // The configured delay (disclosure-delay in the INI file): an hour.
        const QString ini =
            writeServiceIni(*m_server, "disclosure-delay = 3600\n", QStringLiteral("delay.ini"));
        const QJsonObject withheld =
            recordFor(dtId, QStringLiteral("NCA-HOUR"), {QStringLiteral("--config"), ini});
        QVERIFY(!withheld.isEmpty());
        QCOMPARE(withheld.value(QStringLiteral("visible_at")).toDouble() -
                     withheld.value(QStringLiteral("disclosed_at")).toDouble(),
                 3600.0);
        // A short delay for this one disclosure (--delay overrides the configuration).
        const QJsonObject soon = recordFor(
            dtId, QStringLiteral("NCA-SOON"),
            {QStringLiteral("--config"), ini, QStringLiteral("--delay"), QStringLiteral("2")});
        QVERIFY(!soon.isEmpty());
        const auto soonAt = static_cast<std::int64_t>(soon.value(QStringLiteral("disclosed_at")).toDouble());
        const auto soonVisible = static_cast<std::int64_t>(soon.value(QStringLiteral("visible_at")).toDouble());
        QCOMPARE(soonVisible - soonAt, std::int64_t{2});

        // Both are in the log at once, whatever the delay.
        auto after = treeHead(*owner.client);
        REQUIRE_OK(after);
        QCOMPARE(after->head.treeSize, before->head.treeSize + 2);

        // Within the hour: the first is not shown to its owner.
        auto early = disclosures(*owner.client);
        REQUIRE_OK(early);
        QVERIFY(findDisclosure(*early, withheld.value(QStringLiteral("disclosure_id")).toString()) == nullptr);

        // Once the short delay has passed (the service's clock is the system's: wait for it),
        // the second is shown, verified, with when it was made and when it became visible.
        const qint64 wait = (soonVisible + 1 - QDateTime::currentSecsSinceEpoch()) * 1000;
        if (wait > 0)
            QTest::qWait(int(wait));
        auto later = disclosures(*owner.client);
        REQUIRE_OK(later);
        QVERIFY(findDisclosure(*later, withheld.value(QStringLiteral("disclosure_id")).toString()) == nullptr);
        const netclient::LawfulDisclosure* d =
            findDisclosure(*later, soon.value(QStringLiteral("disclosure_id")).toString());
        QVERIFY(d != nullptr);
        QVERIFY2(d->verified, d->verificationMessage.c_str());
        QCOMPARE(d->disclosedAt, soonAt);
        QCOMPARE(d->visibleAt, soonVisible);
        QCOMPARE(d->caseRef, std::string("NCA-SOON"));

        // Delays out of bounds are refused with their reason, and record nothing.
        for (const QString& bad : {QStringLiteral("-1"), QStringLiteral("31622401")}) {
            QByteArray out;
            QVERIFY(recordDisclosure({QStringLiteral("--dt"), dtId, QStringLiteral("--authority"),
                                      QStringLiteral("Court"), QStringLiteral("--case-ref"),
                                      QStringLiteral("C-9"), QStringLiteral("--legal-basis"),
                                      QStringLiteral("order 9"), QStringLiteral("--attributes"),
                                      QStringLiteral("name"), QStringLiteral("--delay"), bad},
                                     &out) != 0);
            QVERIFY2(out.contains("disclosure-delay-invalid"), out.constData());
        }
        QByteArray out;
        QCOMPARE(recordDisclosure({QStringLiteral("--dt"), dtId, QStringLiteral("--delay"),
                                   QStringLiteral("soon")},
                                  &out),
                 1);
        QVERIFY2(out.contains("disclosure-delay-invalid"), out.constData());
        (void)writeServiceIni(*m_server, "disclosure-delay = 40000000\n", QStringLiteral("delay.ini"));
        QCOMPARE(recordDisclosure({QStringLiteral("--config"), ini, QStringLiteral("--dt"), dtId}, &out), 1);
        QVERIFY2(out.contains("disclosure-delay"), out.constData());
        auto unchanged = treeHead(*owner.client);
        REQUIRE_OK(unchanged);
        QCOMPARE(unchanged->head.treeSize, after->head.treeSize);
    }

    void cleanupTestCase() { m_server.reset(); }
};

TWINSEAL_TEST(PrivacyTest, "privacy")
} // namespace test_privacy
} // namespace

#include "test_privacy.moc"
