#include "twinseal/viewmodels/ownership_controller.h"

#include <twinseal/twin/data_layout.h>
#include <twinseal/twin/twin_session.h>
#include <twinseal/twin/twin_store.h>

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPointer>
#include <QTimer>

#include <algorithm>
#include <chrono>
#include <utility>

#include <twinseal/netclient/avatar_transfer.h>
#include <twinseal/netclient/service_client.h>
#include <twinseal/security/audit.h>
#include <twinseal/security/credential.h>
#include <twinseal/security/keys.h>
#include <twinseal/security/manifest.h>
#include <twinseal/security/subscriber.h>
#include <twinseal/security/transfer.h>
#include <twinseal/security/translog.h>

#include "twinseal/viewmodels/audit_trail.h"
#include "qt_text.h"
#include "kill_point.h"

namespace twinseal::viewmodels {

using namespace twinseal::security;

namespace {

// The files that make up a held twin (a registration's or an accepted transfer's).
constexpr const auto& kTwinFiles = twin::layout::kTwinFiles;


QByteArray toQBytes(ByteView b) {
    return QByteArray(reinterpret_cast<const char*>(b.data()), static_cast<qsizetype>(b.size()));
}

Bytes toBytes(const QByteArray& b) {
    return Bytes(reinterpret_cast<const std::uint8_t*>(b.constData()),
                 reinterpret_cast<const std::uint8_t*>(b.constData()) + b.size());
}

QString when(std::int64_t t) {
    return QDateTime::fromSecsSinceEpoch(t, Qt::UTC).toString(QStringLiteral("yyyy-MM-dd HH:mm 'UTC'"));
}

QString shortHex(ByteView b, int n = 16) {
    const QString hex = qs(toHex(b));
    return hex.size() > n ? hex.left(n) + QStringLiteral("…") : hex;
}

QString keyText(const PublicKey& key) {
    return OwnershipController::tr("key %1").arg(shortHex(key.thumbprint(), 16));
}

QString entryTypeText(LogEntryType type) {
    switch (type) {
    case LogEntryType::Issuance: return OwnershipController::tr("Registered");
    case LogEntryType::Recertification: return OwnershipController::tr("Re-certified");
    case LogEntryType::Revocation: return OwnershipController::tr("Revoked");
    case LogEntryType::Transfer: return OwnershipController::tr("Transferred");
    case LogEntryType::LawfulDisclosure: return OwnershipController::tr("Lawful disclosure");
    }
    return qs(std::string(logEntryTypeName(type)));
}

TransferRow toRow(const netclient::TransferInfo& t) {
    TransferRow r;
    r.transferId = qs(t.transferId);
    r.outgoing = t.outgoing;
    r.state = qs(t.state);
    r.peer = qs(t.outgoing ? t.toHandle : t.fromHandle);
    r.dtId = qs(t.dtId);
    r.avatarId = qs(t.avatarId);
    r.codeBased = t.codeBased;
    r.createdAt = t.createdAt;
    r.expiresAt = t.expiresAt;
    r.finishedAt = t.finishedAt;
    return r;
}

// A folder name for a DT-ID ("urn:twinseal:dt:…" has colons).
QString safeName(const QString& id) {
    QString out = id;
    for (QChar& c : out)
        if (!c.isLetterOrNumber() && c != QLatin1Char('-') && c != QLatin1Char('.'))
            c = QLatin1Char('_');
    return out;
}

} // namespace

OwnershipController::OwnershipController(twin::TwinStore& store, AuditTrail& audit, QObject* parent)
    : PageModel(store, audit, parent) {
    connect(this, &PageModel::sessionChanged, this, &OwnershipController::capabilitiesChanged);
    // Transfers are listed, and an interrupted acceptance is settled, once the passphrase has
    // opened the profile's K and OPc (the authentication needs them).
    connect(this, &PageModel::sessionChanged, this, [this] {
        if (!canAuthenticate())
            return;
        if (std::exchange(m_reconcileOnUnlock, false))
            reconcileJournal();
        else if (std::exchange(m_refreshOnUnlock, false))
            refresh();
    });
    connect(this, &PageModel::twinChanged, this, [this] {
        emit capabilitiesChanged();
        // My Twin's status check found the credential revoked: tell a previous owner why.
        if (m_twin.status == QLatin1String("revoked") && m_twin.holdsTwin && !m_revocationChecked) {
            m_revocationChecked = true;
            refresh();
        }
    });
    // A failure ends the page's loading.
    connect(&m_state, &OperationState::errorChanged, this, [this] {
        if (!m_state.errorCode().isEmpty())
            setLoading(false);
    });
    m_expiry.setSingleShot(true);
    connect(&m_expiry, &QTimer::timeout, this, [this] {
        m_transfers.setNow(QDateTime::currentSecsSinceEpoch());
        scheduleExpiry();
    });
    if (m_store.exists(kJournal))
        QTimer::singleShot(0, this, &OwnershipController::reconcileJournal);
}

// ---- what the user may do ---------------------------------------------------------------------

bool OwnershipController::canOffer() const {
    return m_twin.holdsTwin && unlocked() &&
           m_twin.status != QLatin1String("revoked");
}

bool OwnershipController::canAccept() const {
    return m_twin.mayReceive && unlocked();
}

QString OwnershipController::offerHint() const {
    if (!m_twin.holdsTwin)
        return tr("You hold no twin to offer.");
    if (!unlocked())
        return tr("Unlock your twin with your passphrase: the offer is signed with your holder key.");
    if (m_twin.status == QLatin1String("revoked"))
        return tr("Your twin's credential is revoked; it cannot be offered.");
    return {};
}

QString OwnershipController::acceptHint() const {
    if (m_twin.holdsTwin)
        return tr("You already hold a twin. A subscriber holds one twin at a time: offer or give up "
                  "yours before accepting another.");
    if (!m_twin.mayReceive)
        return tr("Finish setting up this device (profile and passphrase) first.");
    if (!unlocked())
        return tr("Unlock your holder key with your passphrase: accepting signs the twin's avatar "
                  "with it.");
    return {};
}

void OwnershipController::setLoading(bool loading) {
    if (m_loading == loading)
        return;
    m_loading = loading;
    emit loadingChanged();
}

// ---- handle and offers ------------------------------------------------------------------------

void OwnershipController::refresh() {
    if (!m_session)
        return;
    if (!canAuthenticate()) {
        m_refreshOnUnlock = true;
        return;
    }
    setLoading(true);
    QPointer<OwnershipController> self(this);
    withSession([this, self] {
        m_session->client().me([this, self](netclient::ClientResult<netclient::SubscriberInfo> me) {
            if (!self)
                return;
            if (!me.ok()) {
                setLoading(false);
                return fail(qs(me.error().code), qs(me.error().message));
            }
            m_meKnown = true;
            m_hasActiveDt = me->activeDt.has_value();
            if (m_handle != qs(me->transferHandle)) {
                m_handle = qs(me->transferHandle);
                emit handleChanged();
            }
            m_session->client().listTransfers([this, self](netclient::ClientResult<std::vector<netclient::TransferInfo>> all) {
                if (!self)
                    return;
                setLoading(false);
                if (!all.ok())
                    return fail(qs(all.error().code), qs(all.error().message));
                applyTransfers(*all);
            });
        });
    });
}

void OwnershipController::applyTransfers(const std::vector<netclient::TransferInfo>& all) {
    QVector<TransferRow> rows;
    rows.reserve(static_cast<qsizetype>(all.size()));
    for (const auto& t : all)
        rows.push_back(toRow(t));
    m_transfers.setTransfers(std::move(rows), QDateTime::currentSecsSinceEpoch());
    scheduleExpiry();
    checkHandedOver(m_hasActiveDt);
}

void OwnershipController::scheduleExpiry() {
    const qint64 next = m_transfers.nextExpiry();
    if (next == 0)
        return m_expiry.stop();
    // A whole second after the expiry instant (offers expire to the second); at most a day at a
    // time, so a far expiry does not overflow the timer (it is armed again then).
    const qint64 ms = (next - QDateTime::currentSecsSinceEpoch() + 1) * 1000;
    m_expiry.start(static_cast<int>(std::clamp<qint64>(ms, 0, qint64(86400) * 1000)));
}

// The home network says this subscriber no longer holds the twin this client shows, and one of
// the subscriber's offers of it was accepted: the twin was transferred.
void OwnershipController::checkHandedOver(bool hasActiveDt) {
    if (!m_meKnown || hasActiveDt || !m_twin.holdsTwin || m_twin.dtId.isEmpty())
        return;
    for (const TransferRow& row : m_transfers.transfers())
        if (row.outgoing && row.state == QLatin1String("accepted") && row.dtId == m_twin.dtId)
            return handOver(row);
}

void OwnershipController::handOver(const TransferRow& transfer) {
    const QString archive = QDir(m_store.path(twin::layout::kTransferredDir)).filePath(safeName(transfer.dtId));
    QDir().mkpath(archive);
    for (const char* name : kTwinFiles) {
        const QString from = m_store.path(name);
        const QString to = QDir(archive).filePath(QString::fromLatin1(name));
        QFile::remove(to);
        if (QFileInfo::exists(from) && !QFile::rename(from, to))
            QFile::remove(from); // the credential is revoked: nothing is lost
    }
    const QString avatarId = m_twin.avatarId;
    m_audit.record(client_event::kTransferComplete,
                               {{"transfer", transfer.transferId.toStdString()},
                                {"dt", transfer.dtId.toStdString()},
                                {"to", transfer.peer.isEmpty() ? std::string("one-time code")
                                                               : transfer.peer.toStdString()}});
    m_store.unloadCredential();
    emit twinHandedOver(tr("Your twin %1 was transferred to %2 on %3. It is no longer yours and its "
                         "former credential is revoked (a copy is kept in %4). You can register a new "
                         "twin or accept one offered to you.")
                          .arg(avatarId, transfer.peer.isEmpty() ? tr("the holder of the code") : transfer.peer,
                               when(transfer.finishedAt), archive));
    showReceipt(transfer.transferId);
}

// ---- offering ---------------------------------------------------------------------------------

void OwnershipController::offer(const QString& recipientHandle, int ttlSeconds) {
    m_state.dismissError();
    if (!canOffer())
        return fail(unlocked() ? QStringLiteral("no-twin") : QStringLiteral("locked"),
                                    offerHint());
    const QString handle = recipientHandle.trimmed();
    if (!handle.isEmpty() && !isTransferHandle(handle.toStdString()))
        return fail(QStringLiteral("recipient-handle-invalid"),
                                    tr("“%1” is not a transfer handle. Ask the recipient for the "
                                       "handle shown on their Ownership page (it starts with “tw-”).")
                                        .arg(handle));
    const bool held = m_store.loadCredential().ok();
    if (!held)
        return fail(QStringLiteral("credential-missing"),
                                    tr("Your twin's credential cannot be read from %1. Check the data "
                                       "folder, or re-certify your twin.")
                                        .arg(m_store.dataDir()));
    const auto ttl = std::chrono::seconds(std::clamp<std::int64_t>(ttlSeconds, kMinTransferTtl, kMaxTransferTtl));
    m_state.setBusy(true, handle.isEmpty() ? tr("Creating a one-time transfer code for your twin…")
                                          : tr("Offering your twin to %1…").arg(handle));
    const Bytes credentialBytes = m_store.credentialBytes();
    const std::string dtId = m_twin.dtId.toStdString();
    QPointer<OwnershipController> self(this);
    withSession([this, self, handle, ttl, credentialBytes, dtId] {
        if (!self)
            return;
        if (!unlocked())
            return fail(QStringLiteral("locked"), offerHint());
        const std::string to = handle.isEmpty() ? std::string("one-time code") : handle.toStdString();
        m_session->offerTransfer(
            credentialBytes, handle.toStdString(), ttl,
            [this, self, to, dtId](netclient::ClientResult<netclient::TransferInfo> r) {
                if (!self)
                    return;
                if (!r.ok()) {
                    m_audit.recordFailure(audit_event::kTransferOffer, qs(r.error().code),
                                                      {{"dt", dtId}, {"to", to}});
                    return fail(qs(r.error().code), qs(r.error().message));
                }
                m_audit.record(audit_event::kTransferOffer,
                                           {{"transfer", r->transferId},
                                            {"dt", r->dtId},
                                            {"to", to},
                                            {"expires-at", std::to_string(r->expiresAt)}});
                if (r->codeBased) {
                    m_offerCode = qs(r->code);
                    m_offerCodeExpires = when(r->expiresAt);
                    emit offerCodeChanged();
                }
                m_state.setBusy(false);
                m_state.showNotice(r->codeBased
                                      ? tr("Your twin is offered to whoever enters the code below before %1.")
                                            .arg(when(r->expiresAt))
                                      : tr("Your twin is offered to %1 until %2. It stays yours until they accept.")
                                            .arg(qs(r->toHandle), when(r->expiresAt)));
                refresh();
            });
    });
}

void OwnershipController::dismissCode() {
    m_offerCode.clear();
    m_offerCodeExpires.clear();
    emit offerCodeChanged();
}

// ---- declining and cancelling -----------------------------------------------------------------

void OwnershipController::decline(const QString& transferId) { answer(transferId, false); }
void OwnershipController::cancel(const QString& transferId) { answer(transferId, true); }

void OwnershipController::answer(const QString& transferId, bool cancel) {
    m_state.dismissError();
    if (!m_session)
        return fail(QStringLiteral("no-profile"), tr("Import your USIM profile first."));
    m_state.setBusy(true, cancel ? tr("Withdrawing your offer…") : tr("Declining the offer…"));
    const std::string id = transferId.toStdString();
    const std::string by = cancel ? "owner" : "recipient";
    QPointer<OwnershipController> self(this);
    withSession([this, self, id, by, cancel] {
        if (!self)
            return;
        auto done = [this, self, id, by, cancel](netclient::ClientResult<netclient::TransferInfo> r) {
            if (!self)
                return;
            const char* event = cancel ? audit_event::kTransferCancel : client_event::kTransferDecline;
            if (!r.ok()) {
                m_audit.recordFailure(event, qs(r.error().code), {{"transfer", id}, {"by", by}});
                return fail(qs(r.error().code), qs(r.error().message));
            }
            m_audit.record(event, {{"transfer", id}, {"dt", r->dtId}, {"by", by}});
            m_state.setBusy(false);
            m_state.showNotice(cancel ? tr("Your offer is withdrawn; your twin stays yours.")
                                     : tr("You declined the offer; the twin stays with its owner."));
            refresh();
        };
        if (cancel)
            m_session->withdrawTransfer(id, std::move(done));
        else
            m_session->declineTransfer(id, {}, std::move(done));
    });
}

// ---- accepting --------------------------------------------------------------------------------

void OwnershipController::accept(const QString& transferId) {
    m_state.dismissError();
    if (!canAccept())
        return fail(unlocked() ? QStringLiteral("already-holds-twin")
                                                       : QStringLiteral("locked"),
                                    acceptHint());
    m_state.setBusy(true, tr("Fetching the offer…"));
    QPointer<OwnershipController> self(this);
    const std::string id = transferId.toStdString();
    withSession([this, self, id] {
        if (!self)
            return;
        // The full offer: the list does not carry the offered manifest.
        m_session->client().fetchTransfer(id, [this, self](netclient::ClientResult<netclient::TransferInfo> r) {
            if (!self)
                return;
            if (!r.ok())
                return fail(qs(r.error().code), qs(r.error().message));
            acceptOffer(*r, {});
        });
    });
}

void OwnershipController::acceptCode(const QString& code) {
    m_state.dismissError();
    if (!canAccept())
        return fail(unlocked() ? QStringLiteral("already-holds-twin")
                                                       : QStringLiteral("locked"),
                                    acceptHint());
    const QString trimmed = code.trimmed();
    if (trimmed.isEmpty())
        return fail(QStringLiteral("transfer-code-invalid"),
                                    tr("Enter the transfer code the owner gave you (like "
                                       "ABCD-EFGH-JKLM-NPQR)."));
    m_state.setBusy(true, tr("Looking up the transfer code…"));
    QPointer<OwnershipController> self(this);
    withSession([this, self, trimmed] {
        if (!self)
            return;
        m_session->client().lookupTransferCode(
            trimmed.toStdString(), [this, self, trimmed](netclient::ClientResult<netclient::TransferInfo> r) {
                if (!self)
                    return;
                if (!r.ok()) {
                    m_audit.recordFailure(audit_event::kTransferAccept, qs(r.error().code),
                                                      {{"via", "code"}});
                    return fail(qs(r.error().code), qs(r.error().message));
                }
                acceptOffer(*r, trimmed);
            });
    });
}

bool OwnershipController::writeJournal(const netclient::TransferInfo& offer, const QByteArray& manifest) {
    const QJsonObject journal{{QStringLiteral("op"), QStringLiteral("accept-transfer")},
                              {QStringLiteral("transferId"), qs(offer.transferId)},
                              {QStringLiteral("dtId"), qs(offer.dtId)},
                              {QStringLiteral("avatarId"), qs(offer.avatarId)},
                              {QStringLiteral("manifest"), QString::fromLatin1(manifest.toBase64())},
                              {QStringLiteral("at"), QDateTime::currentSecsSinceEpoch()}};
    return m_store.write(kJournal, QJsonDocument(journal).toJson(), true).ok();
}

// Re-signs the offered manifest with this client's holder key, journals, and accepts.
void OwnershipController::acceptOffer(const netclient::TransferInfo& offer, const QString& code) {
    const SigningKey* key = m_session ? m_session->holderKey() : nullptr;
    if (!key)
        return fail(QStringLiteral("locked"), acceptHint());
    const std::string transferId = offer.transferId;
    if (offer.state != "pending") {
        m_audit.recordFailure(audit_event::kTransferAccept, QStringLiteral("transfer-not-pending"),
                                          {{"transfer", transferId}});
        return fail(QStringLiteral("transfer-not-pending"),
                                    tr("This offer can no longer be accepted (it is %1). Ask the owner "
                                       "for a new offer.")
                                        .arg(qs(offer.state)));
    }
    auto parsed = parseSignedManifest(offer.signedManifest);
    auto resigned = parsed.ok() ? signManifest(parsed->manifest, *key) : Result<Bytes>(parsed.error());
    if (!resigned.ok()) {
        m_audit.recordFailure(audit_event::kTransferAccept, QStringLiteral("manifest-invalid"),
                                          {{"transfer", transferId}});
        return fail(QStringLiteral("manifest-invalid"),
                                    tr("The offered avatar's manifest cannot be used (%1). Ask the owner "
                                       "to re-certify their twin and offer it again.")
                                        .arg(qs(resigned.error().message())));
    }
    const QByteArray manifest = toQBytes(*resigned);
    if (!writeJournal(offer, manifest))
        return fail(QStringLiteral("io-error"),
                                    tr("The acceptance cannot be recorded in %1. Check that the folder "
                                       "is writable and has free space.")
                                        .arg(m_store.dataDir()));
    killPoint("accept-transfer", "journaled");
    m_state.setProgress(-1, tr("Accepting the twin offered by %1…")
                               .arg(offer.fromHandle.empty() ? tr("its owner") : qs(offer.fromHandle)));
    QPointer<OwnershipController> self(this);
    m_session->acceptTransfer(
        offer, code.toStdString(), *resigned,
        [this, self, transferId, manifest](netclient::ClientResult<netclient::AcceptedTransfer> r) {
            if (!self)
                return;
            if (!r.ok()) {
                (void)m_store.remove(kJournal);
                m_audit.recordFailure(audit_event::kTransferAccept, qs(r.error().code),
                                                  {{"transfer", transferId}});
                fail(qs(r.error().code), qs(r.error().message));
                return refresh();
            }
            killPoint("accept-transfer", "answered");
            const auto& claims = r->registration.credential.claims;
            m_audit.record(audit_event::kTransferAccept,
                                       {{"transfer", transferId},
                                        {"dt", claims.dtId},
                                        {"avatar-id", claims.avatarId},
                                        {"generation", std::to_string(claims.generation)},
                                        {"log-index", std::to_string(claims.logIndex)}});
            adopt(toQBytes(r->registration.credentialBytes), toQBytes(r->registration.receiptBytes), manifest,
                  twin::TwinStore::encodeDisclosures(r->registration.disclosures));
            witnessTreeHead(r->registration.receipt.treeHead);
            (void)m_store.remove(kJournal);
            m_receiptTransferId.clear();
            fetchAvatar();
        });
}

// Stores the twin's files like a registration does and shows it as this client's.
void OwnershipController::adopt(const QByteArray& credential, const QByteArray& receipt,
                                const QByteArray& manifest, const QByteArray& disclosures) {
    (void)m_store.storeCredential(toBytes(credential));
    if (!receipt.isEmpty())
        (void)m_store.write(twin::layout::kReceipt, receipt);
    (void)m_store.write(twin::layout::kManifest, manifest);
    if (!disclosures.isEmpty())
        (void)m_store.write(twin::layout::kDisclosures, disclosures, true);
    const Credential* held = m_store.credential();
    emit twinReceived(held ? qs(held->claims.dtId) : QString(), held ? qs(held->claims.avatarId) : QString(),
                      m_store.path(twin::layout::kAvatarDir));
}

void OwnershipController::fetchAvatar() {
    const Credential* credential = m_store.loadCredential().ok() ? m_store.credential() : nullptr;
    if (!credential)
        return fail(QStringLiteral("credential-missing"), tr("You hold no twin whose avatar could be fetched."));
    netclient::AvatarFetchRequest request;
    request.avatarId = credential->claims.avatarId;
    request.expectedMediaRoot = credential->claims.mediaRoot;
    request.expectedHolderKey = credential->claims.holderKey;
    request.destination = m_store.path(twin::layout::kAvatarDir);
    QDir(request.destination).removeRecursively(); // only verified files of this avatar remain
    m_state.setBusy(true, tr("Fetching your twin's avatar from %1…").arg(m_twin.operatorName), 0);
    QPointer<OwnershipController> self(this);
    withSession([this, self, request] {
        if (!self)
            return;
        auto* transfer = m_session->client().fetchAvatar(request, [this, self](const netclient::ClientResult<netclient::FetchedAvatar>& r) {
            if (!self)
                return;
            if (!r.ok())
                return fail(qs(r.error().code),
                                            tr("The twin is yours, but its avatar could not be fetched: %1 "
                                               "Use “Fetch avatar again” on the Ownership page.")
                                                .arg(qs(r.error().message)));
            m_state.setBusy(false);
            const Credential* held = m_store.credential();
            emit avatarReceived(tr("The twin %1 is now yours: its new credential names your holder key and "
                                   "its avatar is stored on this device.")
                                    .arg(held ? qs(held->claims.avatarId) : m_twin.avatarId));
            emit transferAccepted();
        });
        if (transfer)
            connect(transfer, &netclient::AvatarTransfer::progress, this, [this](quint64 done, quint64 total) {
                if (total > 0)
                    m_state.setProgress(double(done) / double(total), tr("Fetching your twin's avatar…"));
            });
    });
}

// ---- an acceptance interrupted by a stopped client ---------------------------------------------

// pending-transfer.json is there: the client stopped between sending an acceptance and storing
// its answer. The home network decides: if this holder key now holds the DT, adopt it; else the
// acceptance did not happen and the offer is shown again.
void OwnershipController::reconcileJournal() {
    const QString journalFile = m_store.path(kJournal);
    QFile file(journalFile);
    const QJsonObject journal =
        file.open(QIODevice::ReadOnly) ? QJsonDocument::fromJson(file.readAll()).object() : QJsonObject();
    file.close();
    auto keyFile = readFile(m_store.path(twin::layout::kHolderKey).toStdString());
    auto key = keyFile.ok() ? SigningKey::peekPublicKey(*keyFile) : Result<PublicKey>(keyFile.error());
    if (!m_session || !key.ok() || journal.isEmpty()) {
        QFile::remove(journalFile); // nothing could have been accepted without profile and key
        return;
    }
    if (m_store.exists(twin::layout::kCredential)) {
        QFile::remove(journalFile); // the answer was stored after all
        return;
    }
    if (!canAuthenticate()) {
        m_reconcileOnUnlock = true; // the journal stays until the passphrase is entered
        return;
    }
    const PublicKey holder = *key;
    const QString transferId = journal.value(QStringLiteral("transferId")).toString();
    const QByteArray manifest = QByteArray::fromBase64(journal.value(QStringLiteral("manifest")).toString().toLatin1());
    m_state.setBusy(true, tr("Checking an interrupted transfer acceptance with your home network…"));
    QPointer<OwnershipController> self(this);
    withSession([this, self, holder, transferId, manifest, journalFile] {
        if (!self)
            return;
        m_session->client().listDts([this, self, holder, transferId, manifest,
                                  journalFile](netclient::ClientResult<std::vector<netclient::DtRecord>> r) {
            if (!self)
                return;
            if (!r.ok()) // keep the journal: the next start asks again
                return fail(qs(r.error().code), qs(r.error().message));
            for (const auto& d : *r) {
                auto c = parseCredential(d.credential);
                if (d.state != "active" || !c.ok() || !(c->claims.holderKey == holder))
                    continue;
                const QByteArray credential = toQBytes(d.credential);
                m_session->client().transferReceipt(
                    transferId.toStdString(),
                    [this, self, credential, manifest, journalFile](netclient::ClientResult<netclient::TransferReceipt> receipt) {
                        if (!self)
                            return;
                        m_audit.record(audit_event::kTransferAccept,
                                                   {{"transfer", receipt.ok() ? receipt->transfer.transferId : ""},
                                                    {"reconciled", "true"}});
                        adopt(credential, receipt.ok() ? toQBytes(receipt->receipt.encode()) : QByteArray(),
                              manifest, {});
                        QFile::remove(journalFile);
                        m_state.showNotice(tr("Your interrupted acceptance had completed; the twin is yours."));
                        fetchAvatar();
                    });
                return;
            }
            QFile::remove(journalFile);
            m_state.setBusy(false);
            m_state.showNotice(tr("Your interrupted acceptance did not reach your home network; the "
                                 "twin was not transferred. The offer is shown below if it is still open."));
            refresh();
        });
    });
}

// ---- receipt and history ----------------------------------------------------------------------

void OwnershipController::showReceipt(const QString& transferId) {
    if (!m_session)
        return;
    const TransferRow* row = m_transfers.find(transferId);
    const QString dtId = row ? row->dtId : QString();
    m_receiptTransferId = transferId;
    m_receiptVerified = false;
    m_receipt.setFacts({{tr("Transfer"), transferId, QStringLiteral("skipped"), tr("checking…")}});
    m_history.setFacts({});
    emit receiptChanged();
    setLoading(true);
    QPointer<OwnershipController> self(this);
    withSession([this, self, transferId, dtId] {
        if (!self)
            return;
        m_session->client().transferReceipt(transferId.toStdString(), [this, self, transferId,
                                                                    dtId](netclient::ClientResult<netclient::TransferReceipt> r) {
            if (!self || m_receiptTransferId != transferId)
                return;
            setLoading(false);
            if (!r.ok()) {
                m_receipt.setFacts({{tr("Receipt"), tr("not verified"), QStringLiteral("failed"),
                                     tr("%1 (%2)").arg(qs(r.error().message), qs(r.error().code))}});
                emit receiptChanged();
                return fail(qs(r.error().code), qs(r.error().message));
            }
            const auto& offer = r->transfer.offer.offer;
            const auto& acceptance = r->transfer.acceptance.acceptance;
            witnessTreeHead(r->receipt.treeHead);
            const auto& head = r->receipt.treeHead.head;
            m_receipt.setFacts({
                {tr("Transfer"), transferId, {}, {}},
                {tr("Digital twin"), qs(offer.dtId), {}, {}},
                {tr("Previous holder"), keyText(offer.holderKey), QStringLiteral("passed"),
                 tr("the owner's signature on the offer verified")},
                {tr("New holder"), keyText(acceptance.holderKey), QStringLiteral("passed"),
                 tr("the recipient's signature on the acceptance verified")},
                {tr("Offered"), when(offer.timestamp), {}, {}},
                {tr("Accepted"), when(acceptance.timestamp), {}, {}},
                {tr("Certified media"), shortHex(acceptance.mediaRoot, 24), {}, {}},
                {tr("Transparency log"), tr("entry %1").arg(r->receipt.proof.leafIndex), QStringLiteral("passed"),
                 tr("inclusion proof verified against the signed tree head (tree size %1)").arg(head.treeSize)},
            });
            m_receiptVerified = true;
            emit receiptChanged();
            showHistory(dtId.isEmpty() ? qs(offer.dtId) : dtId);
        });
    });
}

void OwnershipController::showHistory(const QString& dtId) {
    QPointer<OwnershipController> self(this);
    const QString forTransfer = m_receiptTransferId;
    m_session->client().dtHistory(dtId.toStdString(), [this, self, forTransfer](netclient::ClientResult<netclient::DtHistory> h) {
        if (!self || m_receiptTransferId != forTransfer)
            return;
        if (!h.ok()) {
            m_history.setFacts({{tr("History"), tr("not verified"), QStringLiteral("failed"),
                                 tr("%1 (%2)").arg(qs(h.error().message), qs(h.error().code))}});
            return;
        }
        QVector<Fact> facts;
        int n = 0;
        for (const auto& e : h->entries) {
            QString value = when(e.entry.timestamp);
            if (e.transfer)
                value += tr(" · to %1").arg(keyText(e.transfer->acceptance.acceptance.holderKey));
            facts.push_back({tr("%1. %2").arg(++n).arg(entryTypeText(e.entry.type)), value, QStringLiteral("passed"),
                             tr("log entry %1, included in the signed tree head of size %2")
                                 .arg(e.proof.leafIndex)
                                 .arg(h->treeHead.head.treeSize)});
        }
        m_history.setFacts(std::move(facts));
    });
}

} // namespace twinseal::viewmodels
