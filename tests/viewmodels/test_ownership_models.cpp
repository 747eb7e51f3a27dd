// The Ownership page's offer list under QAbstractItemModelTester (any breach of the model
// contract fails the test), and what it says about each offer: direction, peer, state in words,
// expiry judged against the given time (a pending offer past its expiry is expired and no longer
// open), and the count of incoming offers waiting for an answer.
#include <QAbstractItemModelTester>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include <twinseal/twin/twin_store.h>
#include <twinseal/viewmodels/audit_trail.h>
#include <twinseal/viewmodels/ownership_controller.h>
#include <twinseal/viewmodels/transfer_list_model.h>

#include "testmain.h"

namespace {
namespace test_ownership_models {

using namespace twinseal::viewmodels;

namespace {

constexpr qint64 kNow = 1'800'000'000;

TransferRow row(const char* id, bool outgoing, const char* state, qint64 expiresAt, const char* peer = "tw-peer") {
    TransferRow r;
    r.transferId = QString::fromLatin1(id);
    r.outgoing = outgoing;
    r.state = QString::fromLatin1(state);
    r.peer = QString::fromLatin1(peer);
    r.dtId = QStringLiteral("urn:twinseal:dt:1");
    r.avatarId = QStringLiteral("urn:twinseal:avatar:1");
    r.createdAt = kNow - 600;
    r.expiresAt = expiresAt;
    return r;
}

QVariant role(const TransferListModel& m, int rowIndex, TransferListModel::Role r) {
    return m.data(m.index(rowIndex), r);
}

} // namespace

class OwnershipModelsTest : public QObject {
    Q_OBJECT

private slots:
    // The page's view-model on its own: the twin's store and the activity log, no root view-model
    // and no session. What the twin is comes in by setTwin; a refusal is the page's own failure,
    // with its reason code and the words of the hint.
    void pageStandsAloneWithItsOwnState() {
        QTemporaryDir dir;
        twinseal::twin::TwinStore store(dir.path());
        AuditTrail audit(dir.path());
        OwnershipController page(store, audit);
        QSignalSpy capabilities(&page, &OwnershipController::capabilitiesChanged);
        QVERIFY(!page.canOffer() && !page.canAccept());
        QCOMPARE(page.offerHint(), QStringLiteral("You hold no twin to offer."));

        TwinSummary held;
        held.holdsTwin = true;
        held.dtId = QStringLiteral("urn:twinseal:dt:1");
        page.setTwin(held);
        QCOMPARE(capabilities.count(), 1);
        page.setTwin(held); // unchanged: no signal
        QCOMPARE(capabilities.count(), 1);
        QVERIFY(!page.canOffer()); // locked: no session holds the holder key
        QVERIFY(page.offerHint().startsWith(QStringLiteral("Unlock your twin")));
        page.offer(QStringLiteral("tw-someone"), 3600);
        QCOMPARE(page.operation()->errorCode(), QStringLiteral("locked"));
        QCOMPARE(page.operation()->errorMessage(), page.offerHint());
        QVERIFY(!page.operation()->busy());
        page.operation()->dismissError();
        QVERIFY(page.operation()->errorCode().isEmpty());

        TwinSummary receiving;
        receiving.mayReceive = true;
        page.setTwin(receiving);
        page.acceptCode(QStringLiteral("ABCD-EFGH-JKLM-NPQR"));
        QCOMPARE(page.operation()->errorCode(), QStringLiteral("locked"));
        QVERIFY(page.operation()->errorMessage().contains(QStringLiteral("Unlock your holder key")));
    }

    void transferListKeepsTheContract() {
        TransferListModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
        QSignalSpy count(&model, &TransferListModel::countChanged);
        model.setTransfers({row("tr-1", true, "pending", kNow + 3LL * 3600),
                            row("tr-2", false, "pending", kNow + 86400, "tw-ada"),
                            row("tr-3", false, "pending", kNow - 120),
                            row("tr-4", true, "accepted", kNow + 3600)},
                           kNow);
        QCOMPARE(model.rowCount(), 4);
        QCOMPARE(count.count(), 1);
        QCOMPARE(model.openIncoming(), 1);
        const auto names = model.roleNames();
        for (const char* name : {"transferId", "direction", "state", "peer", "dtId", "avatarId",
                                 "expires", "expired", "open"})
            QVERIFY2(names.values().contains(QByteArray(name)), name);

        // An outgoing open offer.
        QCOMPARE(role(model, 0, TransferListModel::DirectionRole).toString(), QStringLiteral("outgoing"));
        QCOMPARE(role(model, 0, TransferListModel::OpenRole).toBool(), true);
        QCOMPARE(role(model, 0, TransferListModel::ExpiredRole).toBool(), false);
        QCOMPARE(role(model, 0, TransferListModel::ExpiresRole).toString(), QStringLiteral("expires in 3 hours"));
        QCOMPARE(role(model, 0, TransferListModel::StateTextRole).toString(),
                 QStringLiteral("waiting for the recipient"));
        // An incoming one, from its peer.
        QCOMPARE(role(model, 1, TransferListModel::DirectionRole).toString(), QStringLiteral("incoming"));
        QCOMPARE(role(model, 1, TransferListModel::PeerRole).toString(), QStringLiteral("tw-ada"));
        QCOMPARE(role(model, 1, TransferListModel::ExpiresRole).toString(), QStringLiteral("expires in 1 day"));
        // Pending but past its expiry: expired, not open, whatever the service last said.
        QCOMPARE(role(model, 2, TransferListModel::ExpiredRole).toBool(), true);
        QCOMPARE(role(model, 2, TransferListModel::OpenRole).toBool(), false);
        QCOMPARE(role(model, 2, TransferListModel::StateRole).toString(), QStringLiteral("expired"));
        QCOMPARE(role(model, 2, TransferListModel::ExpiresRole).toString(), QStringLiteral("expired 2 minutes ago"));
        // Finished offers are not open.
        QCOMPARE(role(model, 3, TransferListModel::OpenRole).toBool(), false);
        QCOMPARE(role(model, 3, TransferListModel::StateTextRole).toString(), QStringLiteral("accepted"));

        QVERIFY(model.find(QStringLiteral("tr-2")));
        QVERIFY(!model.find(QStringLiteral("tr-9")));
        QVERIFY(!role(model, 7, TransferListModel::TransferIdRole).isValid());

        // Time passing turns the open incoming offer into an expired one.
        model.setTransfers(model.transfers(), kNow + 2LL * 86400);
        QCOMPARE(model.openIncoming(), 0);
        QCOMPARE(count.count(), 2);
        QCOMPARE(role(model, 1, TransferListModel::ExpiredRole).toBool(), true);

        model.setTransfers({}, kNow);
        QCOMPARE(model.rowCount(), 0);
        QCOMPARE(count.count(), 3);
    }

    // The clock moves on without a new list from the service: the next expiry is the earliest
    // of the pending offers still open, and at that instant the offer stops being open and says
    // it expired (the Ownership page's timer calls setNow then).
    void expiryIsJudgedAgainAsTimePasses() {
        TransferListModel model;
        QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::Fatal);
        model.setTransfers({row("tr-1", false, "pending", kNow + 300, "tw-ada"),
                            row("tr-2", false, "pending", kNow + 60, "tw-bo"),
                            row("tr-3", true, "accepted", kNow + 30),
                            row("tr-4", false, "pending", kNow - 10)},
                           kNow);
        QCOMPARE(model.nextExpiry(), kNow + 60); // not the accepted one, not the one already expired
        QCOMPARE(model.openIncoming(), 2);
        QSignalSpy count(&model, &TransferListModel::countChanged);
        QSignalSpy changed(&model, &TransferListModel::dataChanged);

        model.setNow(kNow + 60);
        QCOMPARE(changed.count(), 1);
        QCOMPARE(count.count(), 1);
        QCOMPARE(model.openIncoming(), 1);
        QCOMPARE(role(model, 1, TransferListModel::OpenRole).toBool(), false);
        QCOMPARE(role(model, 1, TransferListModel::StateTextRole).toString(), QStringLiteral("expired"));
        QCOMPARE(role(model, 0, TransferListModel::OpenRole).toBool(), true);
        QCOMPARE(model.nextExpiry(), kNow + 300);

        model.setNow(kNow + 301);
        QCOMPARE(model.openIncoming(), 0);
        QCOMPARE(model.nextExpiry(), 0);
    }

    void relativeTimesReadNaturally() {
        QCOMPARE(TransferListModel::relativeTime(kNow + 30, kNow), QStringLiteral("in less than a minute"));
        QCOMPARE(TransferListModel::relativeTime(kNow + 60, kNow), QStringLiteral("in 1 minute"));
        QCOMPARE(TransferListModel::relativeTime(kNow - 7LL * 86400, kNow), QStringLiteral("7 days ago"));
    }
};

TWINSEAL_TEST(OwnershipModelsTest, "ownership_models")
} // namespace test_ownership_models
} // namespace

#include "test_ownership_models.moc"
