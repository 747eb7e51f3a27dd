// The Ownership page's view-model: the subscriber's transfer handle, offering the twin to another
// subscriber (by handle or by a one-time code), the open and recent offers in both directions
// with accept / decline / cancel, the verified receipt of an accepted transfer and the twin's
// whole ownership history.
//
// Accepting makes this client the twin's holder: the offered manifest is re-signed with the
// holder key, and the new credential, receipt, manifest and disclosures are stored like a
// registration's, then the avatar is fetched from the repository into the data directory. The
// acceptance is journaled in pending-transfer.json before it is sent, so a client killed before
// storing the answer reconciles with the home network on the next start.
//
// The previous owner, once the transfer is accepted, is told so: the revoked credential files
// are moved to transferred/<dt>/ (kept as a record) and the client returns to the avatar step,
// free to register a new twin.
//
// It works on the twin's store and session (handed to it by the client's root view-model, which
// also tells it what the twin is: setTwin) and shows its own busy / failure / notice state; what
// changes the twin shown everywhere (received, handed over) it announces by signals.
#pragma once

#include <QtQml/qqmlregistration.h>

#include <QObject>
#include <QString>
#include <QTimer>

#include <functional>

#include <twinseal/twin/data_layout.h>

#include "twinseal/viewmodels/fact_list_model.h"
#include "twinseal/viewmodels/page_model.h"
#include "twinseal/viewmodels/transfer_list_model.h"

namespace twinseal::netclient {
struct TransferInfo;
}
namespace twinseal::security {
struct SignedTreeHead;
}

namespace twinseal::viewmodels {

class OwnershipController : public twinseal::viewmodels::PageModel {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("OwnershipController is created by the client, not by QML")
    // The subscriber's transfer handle ("tw-…"): what others need to offer them a twin.
    Q_PROPERTY(QString handle READ handle NOTIFY handleChanged)
    Q_PROPERTY(twinseal::viewmodels::TransferListModel* transfers READ transfers CONSTANT)
    // The one-time code of the offer just made: shown once, until dismissed.
    Q_PROPERTY(QString offerCode READ offerCode NOTIFY offerCodeChanged)
    Q_PROPERTY(QString offerCodeExpires READ offerCodeExpires NOTIFY offerCodeChanged)
    // The receipt and history shown (of `receiptTransferId`'s twin).
    Q_PROPERTY(QString receiptTransferId READ receiptTransferId NOTIFY receiptChanged)
    Q_PROPERTY(bool receiptVerified READ receiptVerified NOTIFY receiptChanged)
    Q_PROPERTY(twinseal::viewmodels::FactListModel* receipt READ receipt CONSTANT)
    Q_PROPERTY(twinseal::viewmodels::FactListModel* history READ history CONSTANT)
    // What the user may do now (and why not, in words).
    Q_PROPERTY(bool canOffer READ canOffer NOTIFY capabilitiesChanged)
    Q_PROPERTY(bool canAccept READ canAccept NOTIFY capabilitiesChanged)
    Q_PROPERTY(QString offerHint READ offerHint NOTIFY capabilitiesChanged)
    Q_PROPERTY(QString acceptHint READ acceptHint NOTIFY capabilitiesChanged)
    Q_PROPERTY(bool loading READ loading NOTIFY loadingChanged)

public:
    static constexpr const char* kJournal = twin::layout::kPendingTransfer;

    OwnershipController(twin::TwinStore& store, AuditTrail& audit, QObject* parent = nullptr);

    [[nodiscard]] QString handle() const { return m_handle; }
    [[nodiscard]] TransferListModel* transfers() { return &m_transfers; }
    [[nodiscard]] QString offerCode() const { return m_offerCode; }
    [[nodiscard]] QString offerCodeExpires() const { return m_offerCodeExpires; }
    [[nodiscard]] QString receiptTransferId() const { return m_receiptTransferId; }
    [[nodiscard]] bool receiptVerified() const { return m_receiptVerified; }
    [[nodiscard]] FactListModel* receipt() { return &m_receipt; }
    [[nodiscard]] FactListModel* history() { return &m_history; }
    [[nodiscard]] bool canOffer() const;
    [[nodiscard]] bool canAccept() const;
    [[nodiscard]] QString offerHint() const;
    [[nodiscard]] QString acceptHint() const;
    [[nodiscard]] bool loading() const { return m_loading; }

    // The handle and the offers, from the home network (also tells a previous owner).
    Q_INVOKABLE void refresh();
    // Offers the twin to `recipientHandle`, or, when empty, to whoever has the code shown once.
    Q_INVOKABLE void offer(const QString& recipientHandle, int ttlSeconds);
    Q_INVOKABLE void dismissCode();
    Q_INVOKABLE void accept(const QString& transferId);
    Q_INVOKABLE void acceptCode(const QString& code);
    Q_INVOKABLE void decline(const QString& transferId);
    Q_INVOKABLE void cancel(const QString& transferId);
    // The verified receipt of an accepted transfer and its twin's ownership history.
    Q_INVOKABLE void showReceipt(const QString& transferId);
    // Fetches the twin's avatar into the data directory again (after a failed download).
    Q_INVOKABLE void fetchAvatar();

signals:
    void handleChanged();
    void offerCodeChanged();
    void receiptChanged();
    void capabilitiesChanged();
    void loadingChanged();
    // This client now holds the twin and its avatar (the page shows My Twin).
    void transferAccepted();
    // The twin's files were stored (an accepted transfer): show it as this client's twin.
    void twinReceived(const QString& dtId, const QString& avatarId, const QString& avatarDir);
    // Its avatar is stored too; `message` tells the owner.
    void avatarReceived(const QString& message);
    // The twin was transferred to someone else (its files archived); `message` says so.
    void twinHandedOver(const QString& message);

private:
    void setLoading(bool loading);
    void applyTransfers(const std::vector<netclient::TransferInfo>& all);
    void checkHandedOver(bool hasActiveDt);
    // Arms m_expiry for the next offer to expire (none: stopped).
    void scheduleExpiry();
    void handOver(const TransferRow& transfer);
    void acceptOffer(const netclient::TransferInfo& offer, const QString& code);
    [[nodiscard]] bool writeJournal(const netclient::TransferInfo& offer, const QByteArray& manifest);
    void adopt(const QByteArray& credential, const QByteArray& receipt, const QByteArray& manifest,
               const QByteArray& disclosures);
    void reconcileJournal();
    void answer(const QString& transferId, bool cancel);
    void showHistory(const QString& dtId);

    TransferListModel m_transfers;
    QTimer m_expiry; // fires when the next open offer expires: it stops being open there and then
    FactListModel m_receipt;
    FactListModel m_history;
    QString m_handle;
    QString m_offerCode;
    QString m_offerCodeExpires;
    QString m_receiptTransferId;
    bool m_receiptVerified = false;
    bool m_loading = false;
    bool m_hasActiveDt = false;
    bool m_meKnown = false;
    // Waiting for the passphrase (the profile's K and OPc) to ask the home network.
    bool m_reconcileOnUnlock = false;
    bool m_refreshOnUnlock = false;
    bool m_revocationChecked = false; // a revoked twin: asked once whether it was transferred
};

} // namespace twinseal::viewmodels
