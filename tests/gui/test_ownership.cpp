// Ownership transfer as people do it, against the real twinseal-homenet on loopback, with two
// client instances (two data directories, two subscribers) operated through the real QML
// controls found by objectName: the owner offers the twin to the recipient's handle, the
// recipient accepts from the Offers list and lands on My Twin with the twin and its avatar, the
// owner is told the twin was transferred; both see the verified receipt and the history. Then a
// one-time-code offer, a withdrawn offer, and a client killed in the middle of an acceptance
// (journal written, answer not stored) reconciled on the next start, both ways. Any QML warning
// fails the test.
#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QQmlApplicationEngine>
#include <QQuickItem>
#include <QQuickWindow>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <optional>

#include <twinseal/security/audit.h>
#include <twinseal/security/transfer.h>
#include <twinseal/viewmodels/audit_trail.h>
#include <twinseal/viewmodels/ownership_controller.h>
#include <twinseal/viewmodels/transfer_list_model.h>
#include <twinseal/viewmodels/twin_controller.h>

#include "gui_client.h"
#include "homenet_fixture.h"
#include "kill_helper.h"
#include "testmain.h"

namespace {
namespace test_ownership {

using namespace twinseal;
using namespace twinseal::test;
using viewmodels::OwnershipController;
using viewmodels::TransferRow;

namespace {

const auto& testPassphrase() {
    static const QString value = QStringLiteral("a long passphrase");
    return value;
}

OwnershipController& ownership(const Client& c) { return *c.controller->ownership(); }

// The Ownership page's own state and the twin's (unlocking, what a transfer changed on My Twin).
bool busy(const Client& c) { return c.controller->busy() || ownership(c).operation()->busy(); }
QString errorCode(const Client& c) {
    const QString page = ownership(c).operation()->errorCode();
    return page.isEmpty() ? c.controller->errorCode() : page;
}
QString notices(const Client& c) { return ownership(c).operation()->notice() + u'\n' + c.controller->notice(); }

// Scrolls the page so that `item` is inside the window (click() presses its centre).
QQuickItem* reveal(QQuickItem* item) {
    if (!item)
        return nullptr;
    QQuickItem* flickable = nullptr;
    for (QQuickItem* p = item->parentItem(); p; p = p->parentItem())
        if (p->inherits("QQuickFlickable"))
            flickable = p; // the outermost: the page's ScrollView
    if (flickable) {
        auto* content = flickable->property("contentItem").value<QQuickItem*>();
        const qreal y = item->mapToItem(content, QPointF(0, 0)).y();
        const qreal maxY = std::max<qreal>(0, flickable->property("contentHeight").toReal() - flickable->height());
        flickable->setProperty("contentY", std::clamp<qreal>(y - 40, 0, maxY));
    }
    return item;
}

bool press(const Client& c, const QString& name) {
    const QByteArray n = name.toLatin1();
    return click(c.window, reveal(c.item(n.constData())));
}

bool typeInto(const Client& c, const char* name, const QString& text) {
    // Two clients, two windows: keys go to the active one.
    c.window->requestActivate();
    if (!QTest::qWaitForWindowActive(c.window))
        return false;
    QQuickItem* field = reveal(c.item(name));
    if (type(c.window, field, text))
        return true;
    qWarning("typing into %s gave \"%s\"", name, field ? qPrintable(field->property("text").toString()) : "(no field)");
    return false;
}

// Shows the window at 1920x1080 and waits until it can take input.
bool show(const Client& c) {
    if (!c.window)
        return false;
    c.window->resize(1920, 1080);
    return QTest::qWaitForWindowExposed(c.window);
}

// The row of the first offer in `c`'s list that matches.
std::optional<TransferRow> findRow(const Client& c, bool outgoing, const QString& state) {
    for (const TransferRow& r : ownership(c).transfers()->transfers())
        if (r.outgoing == outgoing && r.state == state)
            return r;
    return std::nullopt;
}

// How many entries of `type` with `outcome` the client's activity log holds.
int audited(const Client& c, const char* type, security::AuditOutcome outcome = security::AuditOutcome::Ok) {
    int n = 0;
    for (const auto& e : c.controller->auditTrail().entries())
        n += e.type == type && e.outcome == outcome;
    return n;
}

QString stateOf(const Client& c, const QString& transferId) {
    const TransferRow* r = ownership(c).transfers()->find(transferId);
    return r ? r->state : QString();
}

} // namespace

class OwnershipTest : public QObject {
    Q_OBJECT

    std::unique_ptr<HomenetServer> m_server;
    int m_subscribers = 0;

    QString newSubscriber(const QString& name) {
        QString profile = m_server->scratch(QStringLiteral("%1.usim").arg(name));
        const QString supi = QStringLiteral("imsi-0010100000001%1").arg(++m_subscribers, 2, 10, QLatin1Char('0'));
        if (!m_server->addSubscriber(supi, profile, {QStringLiteral("--name"), name}))
            return {};
        return profile;
    }

    // A client with a holder key (stage "avatar"), optionally with a registered twin ("ready").
    void setUp(Client& c, const QString& profile, bool withTwin) {
        QVERIFY(show(c));
        QVERIFY(withTwin ? registerTwin(c, profile, testPassphrase()) : toAvatarStep(c, profile, testPassphrase()));
        QTRY_VERIFY_WITH_TIMEOUT(!busy(c), 30000);
        QCOMPARE(errorCode(c), QString());
    }

    // Both on the Ownership page: the recipient's handle, or empty.
    QString openBoth(const Client& owner, const Client& recipient) {
        const QString handle = openOwnership(recipient);
        return !handle.isEmpty() && !openOwnership(owner).isEmpty() ? handle : QString();
    }

    // `to` set up at the avatar step, both on the Ownership page, and `from`'s twin offered to
    // `to`'s handle: the offer's id, or empty when a step failed.
    QString offerToNewcomer(const Client& from, Client& to, const QString& toProfile) {
        setUp(to, toProfile, false);
        if (QTest::currentTestFailed())
            return {};
        const QString handle = openBoth(from, to);
        return handle.isEmpty() ? QString() : offerTo(from, handle);
    }

    // `from` offers its twin to `handle` for an hour; the offer's id once it is listed, or empty.
    QString offerTo(const Client& from, const QString& handle) {
        ownership(from).offer(handle, 3600);
        if (!QTest::qWaitFor([&] { return findRow(from, true, QStringLiteral("pending")).has_value(); }, 15000))
            return {};
        return findRow(from, true, QStringLiteral("pending"))->transferId;
    }

    // Two subscribers' clients: the owner's with a registered twin, the recipient's at the avatar
    // step, both on the Ownership page; `handle` is the recipient's transfer handle.
    struct Parties {
        QTemporaryDir ownerData, recipientData;
        std::unique_ptr<Client> owner, recipient;
        QString handle;
    };
    void meet(Parties& p, const QString& ownerName, const QString& recipientName) {
        const QString ownerProfile = newSubscriber(ownerName);
        const QString recipientProfile = newSubscriber(recipientName);
        QVERIFY(!ownerProfile.isEmpty() && !recipientProfile.isEmpty());
        p.owner = std::make_unique<Client>(p.ownerData.path(), ownerProfile);
        setUp(*p.owner, ownerProfile, true);
        if (QTest::currentTestFailed())
            return;
        p.recipient = std::make_unique<Client>(p.recipientData.path(), recipientProfile);
        setUp(*p.recipient, recipientProfile, false);
        if (QTest::currentTestFailed())
            return;
        p.handle = openBoth(*p.owner, *p.recipient);
        QVERIFY(!p.handle.isEmpty());
    }

    // Opens the Ownership page and waits for the handle and the offers.
    QString openOwnership(const Client& c) {
        c.window->requestActivate();
        // The rail appears with the holder key: let it be laid out before clicking.
        bool opened = false;
        for (int attempt = 0; attempt < 3 && !opened; ++attempt) {
            QTest::qWait(100);
            opened = QTest::qWaitForWindowActive(c.window) && c.openPage("ownership");
        }
        if (!opened) {
            auto* nav = c.item("nav_ownership");
            qWarning("the Ownership page did not open: nav %d visible %d enabled %d page %s pageItem %p",
                     nav != nullptr, nav && nav->isVisible(), nav && nav->isEnabled(),
                     qPrintable(c.window->property("currentPage").toString()), (void*)c.item("ownershipPage"));
            return {};
        }
        const bool loaded =
            QTest::qWaitFor([&] { return !ownership(c).handle().isEmpty() && !ownership(c).loading(); }, 15000);
        return loaded ? ownership(c).handle() : QString();
    }

    void refresh(const Client& c) {
        QVERIFY(press(c, QStringLiteral("refreshTransfersButton")));
        QTRY_VERIFY_WITH_TIMEOUT(!ownership(c).loading(), 15000);
    }

    void expectVerifiedReceiptAndHistory(const Client& c, int historyEntries) {
        QTRY_VERIFY_WITH_TIMEOUT(ownership(c).receiptVerified(), 15000);
        QTRY_VERIFY(c.item("receiptPane") && c.item("receiptPane")->isVisible());
        auto* receipt = ownership(c).receipt();
        bool logProof = false;
        int signatures = 0;
        for (const auto& f : receipt->facts()) {
            logProof |= f.label == QLatin1String("Transparency log") && f.state == QLatin1String("passed");
            signatures += f.detail.contains(QStringLiteral("signature")) && f.state == QLatin1String("passed");
        }
        QVERIFY(logProof);
        QCOMPARE(signatures, 2);
        QTRY_COMPARE_WITH_TIMEOUT(ownership(c).history()->rowCount(), historyEntries, 15000);
        const auto& history = ownership(c).history()->facts();
        QVERIFY(history.front().label.contains(QStringLiteral("Registered")));
        QVERIFY(history.back().label.contains(QStringLiteral("Transferred")));
        for (const auto& f : history)
            QCOMPARE(f.state, QStringLiteral("passed"));
    }

private slots:
    void initTestCase() {
        m_server = std::make_unique<HomenetServer>();
        QVERIFY(m_server->start());
    }
    void init() {
        QTest::failOnWarning(QRegularExpression(QStringLiteral(".*(qml|QML|\\.js|Binding loop).*")));
    }

    // Offered to a handle, accepted from the list; both parties see the outcome.
    void transferByHandleThroughTheControls() {
        QTemporaryDir ownerData, recipientData;
        const QString ownerProfile = newSubscriber(QStringLiteral("Dr. Ada Moreau"));
        const QString recipientProfile = newSubscriber(QStringLiteral("Dr. Bo Lind"));
        QVERIFY(!ownerProfile.isEmpty() && !recipientProfile.isEmpty());
        Client owner(ownerData.path(), ownerProfile);
        setUp(owner, ownerProfile, true);
        if (QTest::currentTestFailed())
            return;
        Client recipient(recipientData.path(), recipientProfile);
        setUp(recipient, recipientProfile, false);
        if (QTest::currentTestFailed())
            return;
        const QString avatarId = owner.controller->avatarId();
        const QString dtId = owner.controller->dtId();

        // The recipient, at the avatar step, goes to "Receive a twin offered to you".
        QTRY_VERIFY(recipient.item("onboardingPage"));
        QVERIFY(press(recipient, QStringLiteral("receiveTwinButton")));
        QTRY_VERIFY(recipient.item("ownershipPage") && recipient.item("ownershipPage")->isVisible());
        QTRY_VERIFY_WITH_TIMEOUT(!ownership(recipient).handle().isEmpty(), 15000);
        const QString handle = recipient.item("transferHandleField")->property("text").toString();
        QVERIFY(handle.startsWith(QStringLiteral("tw-")));
        QVERIFY(recipient.item("receivePane")->isVisible());
        QVERIFY(!recipient.item("offerPane")->isVisible());
        QVERIFY(press(recipient, QStringLiteral("copyHandleButton")));

        // The owner offers the twin to that handle for one hour.
        QVERIFY(!openOwnership(owner).isEmpty());
        QVERIFY(owner.item("offerPane")->isVisible());
        QVERIFY(!owner.item("offerButton")->isEnabled()); // no recipient yet
        QVERIFY(typeInto(owner, "recipientHandleField", handle));
        owner.item("offerExpiryBox")->setProperty("currentIndex", 0);
        QVERIFY(press(owner, QStringLiteral("offerButton")));
        QTRY_VERIFY_WITH_TIMEOUT(findRow(owner, true, QStringLiteral("pending")).has_value(), 15000);
        QCOMPARE(errorCode(owner), QString());
        const TransferRow offered = *findRow(owner, true, QStringLiteral("pending"));
        QCOMPARE(offered.peer, handle);
        QCOMPARE(offered.dtId, dtId);
        QVERIFY(offered.expiresAt - QDateTime::currentSecsSinceEpoch() <= 3600);
        QVERIFY(ownership(owner).offerCode().isEmpty()); // no code for a handle offer
        QTRY_VERIFY(owner.item(("cancelButton_" + offered.transferId).toLatin1().constData()));
        QVERIFY(owner.controller->stage() == Stage::Ready); // still the owner's
        owner.screenshot("ownership-offer");

        // The recipient sees it and accepts: the twin, its credential and its avatar are theirs.
        refresh(recipient);
        const QString accept = QStringLiteral("acceptButton_") + offered.transferId;
        QTRY_VERIFY(recipient.item(accept.toLatin1().constData()));
        QCOMPARE(ownership(recipient).transfers()->openIncoming(), 1);
        QVERIFY(recipient.item(("declineButton_" + offered.transferId).toLatin1().constData())->isVisible());
        QVERIFY(press(recipient, accept));
        QTRY_COMPARE_WITH_TIMEOUT(recipient.controller->stage(), Stage::Ready, 30000);
        QTRY_VERIFY_WITH_TIMEOUT(!busy(recipient), 30000);
        QCOMPARE(errorCode(recipient), QString());
        QTRY_VERIFY_WITH_TIMEOUT(recipient.item("myTwinPage"), 15000);
        QCOMPARE(recipient.controller->avatarId(), avatarId);
        QCOMPARE(recipient.controller->dtId(), dtId);
        QVERIFY(!recipient.controller->modelUrl().isEmpty()); // the avatar was fetched
        QVERIFY(recipient.controller->modelUrl().toLocalFile().startsWith(recipientData.path()));
        QTRY_COMPARE_WITH_TIMEOUT(recipient.controller->twinStatus(), QStringLiteral("active"), 15000);
        QVERIFY(QFile::exists(recipientData.filePath(QStringLiteral("credential.tsc"))));
        QVERIFY(QFile::exists(recipientData.filePath(QStringLiteral("receipt.tslr"))));
        QVERIFY(QFile::exists(recipientData.filePath(QStringLiteral("manifest.tsm"))));
        QVERIFY(QFile::exists(recipientData.filePath(QStringLiteral("disclosures.json"))));
        QVERIFY(!QFile::exists(recipientData.filePath(QString::fromLatin1(OwnershipController::kJournal))));
        QVERIFY(recipient.controller->manifestModel()->rowCount() >= 4);

        // The owner is told: the twin is transferred, and they may register a new one.
        refresh(owner);
        QTRY_COMPARE_WITH_TIMEOUT(owner.controller->stage(), Stage::Avatar, 15000);
        QCOMPARE(owner.controller->twinStatus(), QStringLiteral("transferred"));
        QVERIFY(notices(owner).contains(QStringLiteral("transferred to %1").arg(handle)));
        QVERIFY(!QFile::exists(ownerData.filePath(QStringLiteral("credential.tsc"))));
        QCOMPARE(stateOf(owner, offered.transferId), QStringLiteral("accepted"));
        QTRY_VERIFY(owner.item("receivePane")->isVisible());
        expectVerifiedReceiptAndHistory(owner, 2);

        // The new owner's receipt and history, from the Offers list.
        QVERIFY(recipient.openPage("ownership"));
        QTRY_COMPARE_WITH_TIMEOUT(stateOf(recipient, offered.transferId), QStringLiteral("accepted"), 15000);
        QVERIFY(press(recipient, QStringLiteral("receiptButton_") + offered.transferId));
        expectVerifiedReceiptAndHistory(recipient, 2);
        QVERIFY(recipient.item("offerPane")->isVisible()); // and may offer it on
        recipient.screenshot("ownership-receipt");

        // Both activity logs record their side: the owner's says the twin left with the transfer.
        QCOMPARE(audited(owner, security::audit_event::kTransferOffer), 1);
        QCOMPARE(audited(owner, viewmodels::client_event::kTransferComplete), 1);
        QCOMPARE(audited(recipient, security::audit_event::kTransferAccept), 1);
        QCOMPARE(audited(recipient, viewmodels::client_event::kTransferComplete), 0);
    }

    // A withdrawn offer, then a one-time code shown once and accepted.
    void cancelThenTransferByCode() {
        Parties parties;
        meet(parties, QStringLiteral("Dr. Cy Noor"), QStringLiteral("Dr. Dee Park"));
        if (QTest::currentTestFailed())
            return;
        Client& owner = *parties.owner;
        Client& recipient = *parties.recipient;
        const QString handle = parties.handle;

        // Offered, then withdrawn: the recipient can no longer accept it.
        QVERIFY(typeInto(owner, "recipientHandleField", handle));
        QVERIFY(press(owner, QStringLiteral("offerButton")));
        QTRY_VERIFY_WITH_TIMEOUT(findRow(owner, true, QStringLiteral("pending")).has_value(), 15000);
        const QString withdrawn = findRow(owner, true, QStringLiteral("pending"))->transferId;
        QVERIFY(press(owner, QStringLiteral("cancelButton_") + withdrawn));
        QTRY_COMPARE_WITH_TIMEOUT(stateOf(owner, withdrawn), QStringLiteral("cancelled"), 15000);
        QCOMPARE(errorCode(owner), QString());
        QCOMPARE(owner.controller->stage(), Stage::Ready);
        refresh(recipient);
        QTRY_COMPARE(stateOf(recipient, withdrawn), QStringLiteral("cancelled"));
        auto* acceptWithdrawn = recipient.item(("acceptButton_" + withdrawn).toLatin1().constData());
        QVERIFY(!acceptWithdrawn || !acceptWithdrawn->isVisible());

        // Offered again (the handle is still in the field), and declined by the recipient: the
        // owner keeps the twin.
        QCOMPARE(owner.item("recipientHandleField")->property("text").toString(), handle);
        QVERIFY(press(owner, QStringLiteral("offerButton")));
        QTRY_VERIFY_WITH_TIMEOUT(findRow(owner, true, QStringLiteral("pending")).has_value(), 15000);
        const QString declined = findRow(owner, true, QStringLiteral("pending"))->transferId;
        refresh(recipient);
        const QString decline = QStringLiteral("declineButton_") + declined;
        QTRY_VERIFY(recipient.item(decline.toLatin1().constData()));
        QVERIFY(press(recipient, decline));
        QTRY_COMPARE_WITH_TIMEOUT(stateOf(recipient, declined), QStringLiteral("declined"), 15000);
        QCOMPARE(errorCode(recipient), QString());
        refresh(owner);
        QTRY_COMPARE(stateOf(owner, declined), QStringLiteral("declined"));
        QCOMPARE(owner.controller->stage(), Stage::Ready);

        // A code: shown once, in the answer only.
        QVERIFY(press(owner, QStringLiteral("offerByCodeRadio")));
        QTRY_VERIFY(!owner.item("recipientHandleField")->isVisible());
        QVERIFY(press(owner, QStringLiteral("offerButton")));
        QTRY_VERIFY_WITH_TIMEOUT(!ownership(owner).offerCode().isEmpty(), 15000);
        QTRY_VERIFY(owner.item("offerCodePane")->isVisible());
        const QString code = owner.item("offerCodeText")->property("text").toString();
        QCOMPARE(code.size(), 19); // XXXX-XXXX-XXXX-XXXX
        QVERIFY(press(owner, QStringLiteral("dismissCodeButton")));
        QTRY_VERIFY(!owner.item("offerCodePane")->isVisible());
        QVERIFY(ownership(owner).offerCode().isEmpty());
        QTRY_VERIFY_WITH_TIMEOUT(findRow(owner, true, QStringLiteral("pending")).has_value(), 15000);
        const QString byCode = findRow(owner, true, QStringLiteral("pending"))->transferId;
        QVERIFY(findRow(owner, true, QStringLiteral("pending"))->codeBased);

        // A wrong code is refused with its reason; the right one transfers the twin.
        QVERIFY(typeInto(recipient, "transferCodeField", QStringLiteral("AAAA-AAAA-AAAA-AAAA")));
        QVERIFY(press(recipient, QStringLiteral("acceptCodeButton")));
        QTRY_COMPARE_WITH_TIMEOUT(errorCode(recipient), QStringLiteral("transfer-code-invalid"), 15000);
        QCOMPARE(recipient.controller->stage(), Stage::Avatar);
        QVERIFY(press(recipient, QStringLiteral("dismissErrorButton")));
        QVERIFY(typeInto(recipient, "transferCodeField", code));
        QVERIFY(press(recipient, QStringLiteral("acceptCodeButton")));
        QTRY_COMPARE_WITH_TIMEOUT(recipient.controller->stage(), Stage::Ready, 30000);
        QTRY_VERIFY_WITH_TIMEOUT(!busy(recipient), 30000);
        QCOMPARE(errorCode(recipient), QString());
        QTRY_VERIFY_WITH_TIMEOUT(recipient.item("myTwinPage"), 15000);
        QCOMPARE(recipient.controller->avatarId(), owner.controller->avatarId());

        QCOMPARE(audited(recipient, security::audit_event::kTransferAccept, security::AuditOutcome::Failed), 1);
        QCOMPARE(audited(recipient, security::audit_event::kTransferAccept), 1);
        QCOMPARE(audited(owner, security::audit_event::kTransferCancel), 1);
        QCOMPARE(audited(owner, security::audit_event::kTransferOffer), 3);
        // The decline is the recipient's own kind of entry, not a withdrawal.
        QCOMPARE(audited(recipient, viewmodels::client_event::kTransferDecline), 1);
        QCOMPARE(audited(recipient, security::audit_event::kTransferCancel), 0);
        QCOMPARE(audited(owner, viewmodels::client_event::kTransferDecline), 0);

        refresh(owner);
        QTRY_COMPARE_WITH_TIMEOUT(owner.controller->stage(), Stage::Avatar, 15000);
        QCOMPARE(stateOf(owner, byCode), QStringLiteral("accepted"));
        QCOMPARE(audited(owner, viewmodels::client_event::kTransferComplete), 1);
        expectVerifiedReceiptAndHistory(owner, 2);
    }

    // Killed between the service's answer and storing it: the journal is there, the credential
    // is not. The next start asks the home network: the twin is adopted. A journal of an
    // acceptance that never reached the service is dropped and the offer stays open.
    void killedDuringAcceptanceIsReconciled() {
        QTemporaryDir ownerData, recipientData, secondData;
        const QString ownerProfile = newSubscriber(QStringLiteral("Dr. Eve Sato"));
        const QString recipientProfile = newSubscriber(QStringLiteral("Dr. Fay Okoro"));
        const QString secondProfile = newSubscriber(QStringLiteral("Dr. Gil Amar"));
        QString transferId, avatarId, dtId;
        QByteArray manifest;
        {
            Client owner(ownerData.path(), ownerProfile);
            setUp(owner, ownerProfile, true);
            if (QTest::currentTestFailed())
                return;
            Client recipient(recipientData.path(), recipientProfile);
            transferId = offerToNewcomer(owner, recipient, recipientProfile);
            QVERIFY(!transferId.isEmpty());
            ownership(recipient).accept(transferId);
            QTRY_COMPARE_WITH_TIMEOUT(recipient.controller->stage(), Stage::Ready, 30000);
            QTRY_VERIFY_WITH_TIMEOUT(!busy(recipient), 30000);
            avatarId = recipient.controller->avatarId();
            dtId = recipient.controller->dtId();
            QFile m(recipientData.filePath(QStringLiteral("manifest.tsm")));
            QVERIFY(m.open(QIODevice::ReadOnly));
            manifest = m.readAll();
        }
        // What the kill leaves: the journal (written before the request), nothing of the answer.
        QDir dir(recipientData.path());
        for (const char* f : {"credential.tsc", "receipt.tslr", "manifest.tsm", "disclosures.json", "twin.json"})
            QVERIFY(dir.remove(QString::fromLatin1(f)));
        QVERIFY(QDir(dir.filePath(QStringLiteral("avatar"))).removeRecursively());
        auto writeJournal = [](const QString& file, const QString& id, const QString& dt, const QByteArray& m) {
            QFile j(file);
            if (!j.open(QIODevice::WriteOnly))
                return false;
            j.write(QJsonDocument(QJsonObject{{QStringLiteral("op"), QStringLiteral("accept-transfer")},
                                              {QStringLiteral("transferId"), id},
                                              {QStringLiteral("dtId"), dt},
                                              {QStringLiteral("manifest"), QString::fromLatin1(m.toBase64())}})
                        .toJson());
            return true;
        };
        const QString journal = dir.filePath(QString::fromLatin1(OwnershipController::kJournal));
        QVERIFY(writeJournal(journal, transferId, dtId, manifest));

        {
            Client restarted(recipientData.path(), recipientProfile);
            QVERIFY(show(restarted));
            QCOMPARE(restarted.controller->stage(), Stage::Avatar);
            QVERIFY(restarted.controller->locked());
            // The journal waits for the passphrase: asking the home network needs the profile's
            // K and OPc, sealed under it.
            QVERIFY(QFile::exists(journal));
            restarted.controller->unlock(testPassphrase());
            QTRY_VERIFY_WITH_TIMEOUT(!restarted.controller->locked(), 15000);
            QTRY_COMPARE_WITH_TIMEOUT(restarted.controller->stage(), Stage::Ready, 30000);
            QTRY_VERIFY_WITH_TIMEOUT(!busy(restarted), 30000);
            QCOMPARE(errorCode(restarted), QString());
            QCOMPARE(restarted.controller->avatarId(), avatarId);
            QCOMPARE(restarted.controller->dtId(), dtId);
            QVERIFY(!QFile::exists(journal));
            QVERIFY(QFile::exists(dir.filePath(QStringLiteral("credential.tsc"))));
            QVERIFY(QFile::exists(dir.filePath(QStringLiteral("manifest.tsm"))));
            QVERIFY(!restarted.controller->modelUrl().isEmpty());
            QVERIFY(notices(restarted).contains(QStringLiteral("completed")) ||
                    notices(restarted).contains(QStringLiteral("now yours")));
            QTRY_COMPARE_WITH_TIMEOUT(restarted.controller->twinStatus(), QStringLiteral("active"), 15000);

            // The new owner offers it on; the second recipient's client is killed before its
            // acceptance reached the home network.
            Client second(secondData.path(), secondProfile);
            transferId = offerToNewcomer(restarted, second, secondProfile);
            QVERIFY(!transferId.isEmpty());
        }
        const QString secondJournal =
            QDir(secondData.path()).filePath(QString::fromLatin1(OwnershipController::kJournal));
        QVERIFY(writeJournal(secondJournal, transferId, dtId, manifest));
        Client second(secondData.path(), secondProfile);
        QVERIFY(show(second));
        QVERIFY(QFile::exists(secondJournal)); // until the passphrase is entered
        second.controller->unlock(testPassphrase());
        QTRY_VERIFY_WITH_TIMEOUT(!second.controller->locked(), 15000);
        QTRY_VERIFY_WITH_TIMEOUT(!QFile::exists(secondJournal), 30000);
        QTRY_VERIFY_WITH_TIMEOUT(!busy(second), 30000);
        QCOMPARE(second.controller->stage(), Stage::Avatar);
        QVERIFY(notices(second).contains(QStringLiteral("did not reach")));
        // The offer is still open and shown.
        QTRY_COMPARE_WITH_TIMEOUT(stateOf(second, transferId), QStringLiteral("pending"), 15000);
        QCOMPARE(ownership(second).transfers()->openIncoming(), 1);
    }

    // An offer shown as open stops offering Accept when it expires, without a refresh: the page
    // re-judges expiry at the offer's expiry instant and says it expired.
    void openOfferExpiresWhileShown() {
        Parties parties;
        meet(parties, QStringLiteral("Dr. Kim Rao"), QStringLiteral("Dr. Lou Mbeki"));
        if (QTest::currentTestFailed())
            return;
        Client& owner = *parties.owner;
        Client& recipient = *parties.recipient;
        const QString handle = parties.handle;
        ownership(owner).offer(handle, int(security::kMinTransferTtl)); // the shortest offer there is
        QTRY_VERIFY_WITH_TIMEOUT(findRow(owner, true, QStringLiteral("pending")).has_value(), 15000);
        const TransferRow offered = *findRow(owner, true, QStringLiteral("pending"));
        refresh(recipient);
        const QByteArray accept = ("acceptButton_" + offered.transferId).toLatin1();
        QTRY_VERIFY(recipient.item(accept.constData()) && recipient.item(accept.constData())->isVisible());
        QCOMPARE(ownership(recipient).transfers()->openIncoming(), 1);

        // No refresh from here on: the expiry instant passes.
        auto* model = ownership(recipient).transfers();
        auto stateText = [&] {
            const TransferRow* r = model->find(offered.transferId);
            return r ? model->data(model->index(static_cast<int>(r - model->transfers().data())),
                                   viewmodels::TransferListModel::StateTextRole)
                           .toString()
                     : QString();
        };
        QTRY_VERIFY_WITH_TIMEOUT(!recipient.item(accept.constData()) || !recipient.item(accept.constData())->isVisible(),
                                 (security::kMinTransferTtl + 30) * 1000);
        QVERIFY(QDateTime::currentSecsSinceEpoch() >= offered.expiresAt);
        QCOMPARE(ownership(recipient).transfers()->openIncoming(), 0);
        QCOMPARE(stateText(), QStringLiteral("expired"));
        // The owner's page says so too, and offers no withdrawal of it any more.
        const QByteArray cancel = ("cancelButton_" + offered.transferId).toLatin1();
        QTRY_VERIFY(!owner.item(cancel.constData()) || !owner.item(cancel.constData())->isVisible());
    }

    // The recipient's client is killed for real (SIGKILL, a process of its own) in the middle of
    // an acceptance, twice. First before the acceptance left it (journal written): the next start
    // says it did not reach the home network, and the offer is still open. Then after the home
    // network committed the transfer, before the answer was stored: the next start adopts the
    // twin (credential naming this device's key, avatar fetched), and the owner learns that it
    // was transferred. Both times the restarted window's state is the home network's.
    void acceptanceKilledForRealIsReconciledWithTheService() {
        QTemporaryDir ownerData, recipientData;
        const QString ownerProfile = newSubscriber(QStringLiteral("Dr. Ines Kahn"));
        const QString recipientProfile = newSubscriber(QStringLiteral("Dr. Jo Frey"));
        Client owner(ownerData.path(), ownerProfile);
        setUp(owner, ownerProfile, true);
        if (QTest::currentTestFailed())
            return;
        const QString dtId = owner.controller->dtId();
        QString handle;
        {
            Client recipient(recipientData.path(), recipientProfile);
            setUp(recipient, recipientProfile, false);
            if (QTest::currentTestFailed())
                return;
            handle = openOwnership(recipient);
            QVERIFY(!handle.isEmpty());
        }
        QVERIFY(!openOwnership(owner).isEmpty());
        const QString transferId = offerTo(owner, handle);
        QVERIFY(!transferId.isEmpty());
        const QString journal = recipientData.filePath(QString::fromLatin1(OwnershipController::kJournal));
        const QStringList accept{recipientData.path(), recipientProfile, testPassphrase(),
                                 QStringLiteral("accept-transfer"), transferId};

        // 1. Killed before the acceptance was sent: not committed.
        QString why;
        QVERIFY2(killedAt(QStringLiteral("accept-transfer:journaled"), accept, &why), qPrintable(why));
        QVERIFY(QFile::exists(journal));
        {
            Client restarted(recipientData.path(), recipientProfile);
            QVERIFY(show(restarted));
            QVERIFY(QFile::exists(journal)); // until the passphrase opens K and OPc
            // Still onboarding (no twin yet): the page asks for the passphrase itself.
            QTRY_VERIFY(restarted.item("onboardingUnlockField") && restarted.item("onboardingUnlockField")->isVisible());
            restarted.screenshot("onboarding-locked");
            QVERIFY(type(restarted.window, reveal(restarted.item("onboardingUnlockField")), testPassphrase()));
            QVERIFY(press(restarted, QStringLiteral("onboardingUnlockButton")));
            QTRY_VERIFY_WITH_TIMEOUT(!QFile::exists(journal), 30000);
            QTRY_VERIFY_WITH_TIMEOUT(!busy(restarted), 30000);
            QCOMPARE(restarted.controller->stage(), Stage::Avatar);
            QVERIFY(notices(restarted).contains(QStringLiteral("did not reach")));
            QTRY_COMPARE_WITH_TIMEOUT(stateOf(restarted, transferId), QStringLiteral("pending"), 15000);
            QVERIFY(!QFile::exists(recipientData.filePath(QStringLiteral("credential.tsc"))));
        }
        refresh(owner);
        QCOMPARE(stateOf(owner, transferId), QStringLiteral("pending"));
        QCOMPARE(owner.controller->stage(), Stage::Ready);

        // 2. Killed after the home network committed the transfer, before storing its answer.
        QVERIFY2(killedAt(QStringLiteral("accept-transfer:answered"), accept, &why), qPrintable(why));
        QVERIFY(QFile::exists(journal));
        QVERIFY(!QFile::exists(recipientData.filePath(QStringLiteral("credential.tsc"))));
        Client restarted(recipientData.path(), recipientProfile);
        QVERIFY(show(restarted));
        QVERIFY(QFile::exists(journal));
        restarted.controller->unlock(testPassphrase());
        QTRY_COMPARE_WITH_TIMEOUT(restarted.controller->stage(), Stage::Ready, 30000);
        QTRY_VERIFY_WITH_TIMEOUT(!busy(restarted), 30000);
        QCOMPARE(errorCode(restarted), QString());
        QVERIFY(!QFile::exists(journal));
        QCOMPARE(restarted.controller->dtId(), dtId);
        QVERIFY(!restarted.controller->modelUrl().isEmpty()); // the avatar was fetched
        QTRY_COMPARE_WITH_TIMEOUT(restarted.controller->twinStatus(), QStringLiteral("active"), 15000);
        auto dts = await<std::vector<netclient::DtRecord>>(
            [&](netclient::ClientCallback<std::vector<netclient::DtRecord>> done) { restarted.controller->client()->listDts(std::move(done)); });
        QVERIFY(dts.ok());
        QCOMPARE(dts->size(), std::size_t{1});
        QCOMPARE(QString::fromStdString(dts->front().dtId), dtId);
        QFile stored(recipientData.filePath(QStringLiteral("credential.tsc")));
        QVERIFY(stored.open(QIODevice::ReadOnly));
        QCOMPARE(stored.readAll(), QByteArray(reinterpret_cast<const char*>(dts->front().credential.data()),
                                              static_cast<qsizetype>(dts->front().credential.size())));
        refresh(owner);
        QTRY_COMPARE_WITH_TIMEOUT(owner.controller->stage(), Stage::Avatar, 15000);
        QCOMPARE(stateOf(owner, transferId), QStringLiteral("accepted"));
    }

    void cleanupTestCase() {
        m_server.reset();
        QVERIFY(flushSceneGraph());
    }
};

TWINSEAL_TEST(OwnershipTest, "ownership")
} // namespace test_ownership
} // namespace

#include "test_ownership.moc"
