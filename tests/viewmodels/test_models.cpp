// The list models behind My Twin and the Activity log page, under QAbstractItemModelTester (any
// breach of the model contract fails the test), and the Activity log's filtering and signed
// marks over a real audit log file.
#include <QAbstractItemModelTester>
#include <QTemporaryDir>
#include <QtTest>

#include <twinseal/security/audit.h>
#include <twinseal/security/clock.h>
#include <twinseal/security/keys.h>
#include <twinseal/viewmodels/audit_list_model.h>
#include <twinseal/viewmodels/fact_list_model.h>

#include "testmain.h"

namespace {
namespace test_models {

using namespace twinseal;
using namespace twinseal::security;
using namespace twinseal::viewmodels;

class ModelsTest : public QObject {
    Q_OBJECT

private slots:
    void factListKeepsTheContract() {
        FactListModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
        QSignalSpy count(&model, &FactListModel::countChanged);
        model.setFacts({{QStringLiteral("Avatar-ID"), QStringLiteral("urn:a"), {}, {}},
                        {QStringLiteral("Status"), QStringLiteral("revoked"), QStringLiteral("failed"),
                         QStringLiteral("bit 7 set")}});
        QCOMPARE(model.rowCount(), 2);
        QCOMPARE(count.count(), 1);
        const QModelIndex status = model.index(1);
        QCOMPARE(model.data(status, FactListModel::StateRole).toString(), QStringLiteral("failed"));
        QCOMPARE(model.data(status, FactListModel::DetailRole).toString(), QStringLiteral("bit 7 set"));
        QCOMPARE(model.valueOf(QStringLiteral("Avatar-ID")), QStringLiteral("urn:a"));
        QVERIFY(model.valueOf(QStringLiteral("nothing")).isEmpty());
        QVERIFY(!model.data(model.index(5), FactListModel::LabelRole).isValid());
        model.setFacts({});
        QCOMPARE(model.rowCount(), 0);
    }

    void auditListFiltersNewestFirstAndMarksSigned() {
        QTemporaryDir dir;
        FixedClock clock(1'800'000'000);
        auto key = SigningKey::generate(KeyAlgorithm::Ed25519);
        QVERIFY(key.ok());
        auto id = newAuditLogId(SystemRandom::instance());
        QVERIFY(id.ok());
        auto log = AuditLog::create(dir.filePath(QStringLiteral("audit.log")).toStdString(), *id,
                                    key->publicKey(), clock);
        QVERIFY(log.ok());
        QVERIFY(log->appendSigned(AuditEvent::ok(audit_event::kDtRegister, {{"dt", "dt-1"}}), *key).ok());
        QVERIFY(log->appendSigned(AuditEvent::failed(audit_event::kTransferAccept, "offer-expired",
                                                     {{"transfer", "tr-9"}}),
                                  *key)
                    .ok());
        QVERIFY(log->append(AuditEvent::ok(audit_event::kKeyLock)).ok()); // unsigned tail

        AuditListModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
        model.setEntries(log->entries(), log->entries().size() - log->unsignedTail());
        QCOMPARE(model.rowCount(), 3);
        QCOMPARE(model.total(), 3);
        // Newest first; only the entries a checkpoint covers are marked signed.
        QCOMPARE(model.data(model.index(0), AuditListModel::TypeRole).toString(), QStringLiteral("key.lock"));
        QCOMPARE(model.data(model.index(0), AuditListModel::SignedRole).toBool(), false);
        QCOMPARE(model.data(model.index(2), AuditListModel::TypeRole).toString(), QStringLiteral("dt.register"));
        QCOMPARE(model.data(model.index(2), AuditListModel::SignedRole).toBool(), true);
        QCOMPARE(model.data(model.index(2), AuditListModel::DetailsRole).toString(), QStringLiteral("dt: dt-1"));
        QVERIFY(model.data(model.index(2), AuditListModel::TimeRole).toString().startsWith(QStringLiteral("2027-01-15")));

        AuditFilter failedOnly;
        failedOnly.outcome = AuditOutcome::Failed;
        model.setFilter(failedOnly);
        QCOMPARE(model.rowCount(), 1);
        QCOMPARE(model.data(model.index(0), AuditListModel::ReasonRole).toString(), QStringLiteral("offer-expired"));
        QCOMPARE(model.data(model.index(0), AuditListModel::OutcomeRole).toString(), QStringLiteral("failed"));

        AuditFilter transfers;
        transfers.eventPrefix = "transfer.";
        transfers.text = "TR-9";
        model.setFilter(transfers);
        QCOMPARE(model.rowCount(), 1);
        transfers.text = "nothing like this";
        model.setFilter(transfers);
        QCOMPARE(model.rowCount(), 0);
        QCOMPARE(model.total(), 3);
    }
};

TWINSEAL_TEST(ModelsTest, "models")
} // namespace test_models
} // namespace

#include "test_models.moc"
