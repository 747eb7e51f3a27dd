#include "twinseal/viewmodels/privacy_controller.h"

#include <twinseal/twin/data_layout.h>
#include <twinseal/twin/twin_session.h>
#include <twinseal/twin/tree_head_witness.h>
#include <twinseal/twin/twin_store.h>

#include <QDateTime>
#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPointer>

#include <set>

#include <twinseal/netclient/service_client.h>
#include <twinseal/security/audit.h>
#include <twinseal/security/bytes.h>
#include <twinseal/security/credential.h>
#include <twinseal/security/keys.h>

#include "twinseal/viewmodels/audit_trail.h"
#include "kill_point.h"

namespace twinseal::viewmodels {

using namespace twinseal::security;

namespace {

constexpr int kPolicyVersion = 1;
constexpr qsizetype kMaxTargetLength = 200;

// The rule's attributes in the canonical order, unknown names dropped.
QStringList canonical(const QStringList& names) {
    QStringList out;
    for (const QString& a : disclosableAttributes())
        if (names.contains(a))
            out << a;
    return out;
}

} // namespace

PrivacyController::PrivacyController(twin::TwinStore& store, AuditTrail& audit, QObject* parent)
    : PageModel(store, audit, parent) {
    connect(this, &PageModel::twinChanged, this, &PrivacyController::pseudonymChanged);
    // A failure anywhere in a flow (e.g. authentication) ends ours too.
    connect(&m_state, &OperationState::errorChanged, this, [this] {
        if (m_state.errorCode().isEmpty())
            return;
        setRotating(false);
        setRefreshing(false);
    });
    loadPolicy();
}

QString PrivacyController::pseudonym() const {
    const Credential* held = m_twin.holdsTwin ? m_store.credential() : nullptr;
    return held ? QString::fromStdString(held->claims.pseudonym) : QString();
}

QStringList PrivacyController::availableAttributes() const {
    QStringList out;
    for (const auto& d : m_store.disclosures())
        out << QString::fromStdString(d.name);
    return canonical(out);
}

// ---- disclosure policy --------------------------------------------------------------------------

void PrivacyController::loadPolicy() {
    QFile f(m_store.path(twin::layout::kPrivacy));
    if (!f.open(QIODevice::ReadOnly))
        return; // no policy yet: pseudonym only everywhere
    const QJsonObject root = QJsonDocument::fromJson(f.readAll()).object();
    QVector<DisclosureRule> rules;
    for (const auto& v : root.value(QStringLiteral("rules")).toArray()) {
        const QJsonObject o = v.toObject();
        DisclosureRule r;
        r.target = o.value(QStringLiteral("target")).toString().trimmed();
        if (r.target.isEmpty())
            continue;
        QStringList names;
        for (const auto& a : o.value(QStringLiteral("attributes")).toArray())
            names << a.toString();
        r.attributes = canonical(names);
        rules.append(r);
    }
    m_rules.setRules(std::move(rules));
    for (const auto& v : root.value(QStringLiteral("seenLawfulDisclosures")).toArray())
        m_seenDisclosures.insert(v.toString());
}

bool PrivacyController::savePolicy() {
    QJsonArray rules;
    for (const auto& r : m_rules.rules())
        rules.append(QJsonObject{{QStringLiteral("target"), r.target},
                                 {QStringLiteral("attributes"), QJsonArray::fromStringList(r.attributes)}});
    const QJsonObject root{{QStringLiteral("version"), kPolicyVersion},
                           {QStringLiteral("default"), QStringLiteral("pseudonym-only")},
                           {QStringLiteral("rules"), rules},
                           {QStringLiteral("seenLawfulDisclosures"),
                            QJsonArray::fromStringList(QStringList(m_seenDisclosures.begin(),
                                                                   m_seenDisclosures.end()))}};
    if (auto st = m_store.write(twin::layout::kPrivacy, QJsonDocument(root).toJson()); !st.ok()) {
        fail(QStringLiteral("policy-save-failed"),
                             tr("Your disclosure settings could not be saved (%1). Check the "
                                "free space and permissions of the data folder.")
                                 .arg(QString::fromStdString(st.error().message())));
        return false;
    }
    return true;
}

bool PrivacyController::setRule(const QString& target, bool name, bool role, bool organisation,
                                bool licenceId) {
    const QString t = target.trimmed();
    if (t.isEmpty() || t.size() > kMaxTargetLength) {
        fail(QStringLiteral("invalid-target"),
                             tr("Type the room (e.g. theatre-3) or the peer's Avatar-ID the rule "
                                "is for (at most 200 characters)."));
        return false;
    }
    DisclosureRule r;
    r.target = t;
    const std::pair<bool, const char*> picks[] = {
        {name, "name"}, {role, "role"}, {organisation, "organisation"}, {licenceId, "licence_id"}};
    for (const auto& [on, attr] : picks)
        if (on)
            r.attributes << QString::fromLatin1(attr);
    m_rules.upsert(r);
    if (!savePolicy())
        return false;
    m_audit.record(audit_event::kDisclosureChange,
                               {{"target", t.toStdString()},
                                {"attributes", r.attributes.join(QLatin1Char(',')).toStdString()}});
    m_state.showNotice(r.attributes.isEmpty()
                          ? tr("%1 sees only your pseudonym.").arg(t)
                          : tr("%1 will see: %2.").arg(t, m_rules.data(m_rules.index(m_rules.indexOf(t)),
                                                                       DisclosureRuleModel::SummaryRole)
                                                              .toString()));
    return true;
}

bool PrivacyController::removeRule(const QString& target) {
    if (!m_rules.remove(target.trimmed()))
        return false;
    if (!savePolicy())
        return false;
    m_audit.record(audit_event::kDisclosureChange,
                               {{"target", target.trimmed().toStdString()}, {"attributes", ""}});
    m_state.showNotice(tr("%1 now sees only your pseudonym.").arg(target.trimmed()));
    return true;
}

std::vector<std::string> PrivacyController::disclosuresFor(const QString& roomOrParty) const {
    const int row = m_rules.indexOf(roomOrParty.trimmed());
    if (row < 0)
        return {}; // default: pseudonym only
    const QStringList& selected = m_rules.rules().at(row).attributes;
    const Credential* credential = m_store.loadCredential().ok() ? m_store.credential() : nullptr;
    if (!credential)
        return {};
    // Only disclosures that match a commitment of the current credential are ever presented.
    std::set<std::pair<std::string, Digest>> commitments;
    for (const auto& a : credential->claims.attributes)
        commitments.insert({a.name, a.digest});
    std::vector<std::string> out;
    for (const auto& d : m_store.disclosures()) {
        if (!selected.contains(QString::fromStdString(d.name)))
            continue;
        auto decoded = AttributeDisclosure::decode(d.encoded);
        if (!decoded.ok() || decoded->name != d.name ||
            commitments.count({decoded->name, decoded->digest()}) == 0)
            continue;
        out.push_back(d.encoded);
    }
    return out;
}

// ---- pseudonym rotation -------------------------------------------------------------------------

void PrivacyController::setRotating(bool on) {
    if (m_rotating == on)
        return;
    m_rotating = on;
    emit rotatingChanged();
}

void PrivacyController::setRefreshing(bool on) {
    if (m_refreshing == on)
        return;
    m_refreshing = on;
    emit refreshingChanged();
}

void PrivacyController::rotatePseudonym() {
    if (m_rotating || m_state.busy())
        return;
    if (m_twin.dtId.isEmpty())
        return fail(QStringLiteral("no-twin"),
                                    tr("Register your twin first: it has no pseudonym yet."));
    if (!unlocked())
        return fail(QStringLiteral("locked"),
                                    tr("Unlock your twin with your passphrase first: the home "
                                       "network needs proof that you hold its key."));
    auto manifest = m_store.read(twin::layout::kManifest);
    if (!manifest.ok())
        return fail(QStringLiteral("manifest-invalid"),
                                    tr("The stored avatar manifest cannot be read; re-certify "
                                       "your avatar on My Twin first."));
    const std::string dtId = m_twin.dtId.toStdString();
    const std::string previous = pseudonym().toStdString();
    const Bytes manifestBytes = *manifest;
    const quint64 generation = m_state.beginOperation();
    setRotating(true);
    m_state.setBusy(true, tr("Asking %1 for a new pseudonym…").arg(m_twin.operatorName));
    withSession([this, dtId, previous, manifestBytes, generation] {
        if (!m_state.isCurrent(generation) || !unlocked()) {
            setRotating(false);
            return m_state.setBusy(false);
        }
        (void)m_store.loadCredential(); // the journal names the generation held
        // Journaled: a client stopped before storing the answer adopts the new credential on
        // its next start (TwinController::reconcilePending).
        if (!m_store.writePending(twin::PendingOp::RotatePseudonym, {}, QDateTime::currentSecsSinceEpoch()).ok()) {
            setRotating(false);
            return fail(QStringLiteral("io-error"),
                               tr("The rotation cannot be recorded in %1. Check that the folder is "
                                  "writable and has free space.")
                                   .arg(m_store.dataDir()));
        }
        killPoint("rotate-pseudonym", "journaled");
        m_session->rotatePseudonym(
            dtId, manifestBytes, previous,
            [this, dtId, generation](netclient::ClientResult<netclient::Registration> r) {
                setRotating(false);
                if (!m_state.isCurrent(generation))
                    return;
                if (!r.ok()) {
                    if (r.error().httpStatus >= 400) // refused; without an answer the journal stays
                        (void)m_store.clearPending();
                    m_audit.recordFailure(audit_event::kPseudonymRotate,
                                                      QString::fromStdString(r.error().code),
                                                      {{"dt", dtId}});
                    return fail(QString::fromStdString(r.error().code),
                                       QString::fromStdString(r.error().message));
                }
                killPoint("rotate-pseudonym", "answered");
                const auto& claims = r->credential.claims;
                if (!m_store.storeIssued(*r, nullptr).ok())
                    return fail(QStringLiteral("io-error"),
                                       tr("Your new pseudonym was issued, but it cannot be stored in "
                                          "%1. Free some space or fix the folder's permissions, then "
                                          "start TwinSeal again: it picks the new credential up from "
                                          "your home network.")
                                           .arg(m_store.dataDir()));
                // The pseudonyms themselves are left out: the log links nothing peers could use.
                m_audit.record(audit_event::kPseudonymRotate,
                                           {{"dt", claims.dtId},
                                            {"generation", std::to_string(claims.generation)},
                                            {"log-index", std::to_string(claims.logIndex)}});
                (void)m_store.clearPending(); // last: everything is stored
                m_state.setBusy(false);
                emit credentialReplaced();
                emit pseudonymChanged();
                m_state.showNotice(tr("Peers now see you as %1. Your previous credential was "
                                     "superseded.")
                                      .arg(QString::fromStdString(claims.pseudonym)));
            });
    });
}

// ---- lawful disclosures -------------------------------------------------------------------------

void PrivacyController::refreshDisclosures() {
    if (m_refreshing)
        return;
    if (m_session == nullptr)
        return fail(QStringLiteral("no-profile"), tr("Import your USIM profile first."));
    setRefreshing(true);
    withSession([this] {
        m_session->client().listLawfulDisclosures(
            [this](netclient::ClientResult<netclient::LawfulDisclosureList> r) {
                setRefreshing(false);
                if (!r.ok())
                    return fail(QString::fromStdString(r.error().code),
                                                QString::fromStdString(r.error().message));
                // The head the proofs lead to must be one history with every head seen before.
                if (r->treeHead)
                    witnessTreeHead(*r->treeHead);
                QVector<LawfulDisclosureRow> rows;
                for (const auto& d : r->disclosures) {
                    LawfulDisclosureRow row;
                    row.disclosureId = QString::fromStdString(d.disclosureId);
                    row.dtId = QString::fromStdString(d.dtId);
                    row.authority = QString::fromStdString(d.authority);
                    row.caseRef = QString::fromStdString(d.caseRef);
                    row.legalBasis = QString::fromStdString(d.legalBasis);
                    for (const auto& a : d.attributes)
                        row.attributes << QString::fromStdString(a);
                    row.disclosedAt = d.disclosedAt;
                    row.visibleAt = d.visibleAt;
                    row.verified = d.verified;
                    row.verificationCode = QString::fromStdString(d.verificationCode);
                    row.verificationMessage = QString::fromStdString(d.verificationMessage);
                    rows.append(row);
                }
                // Seen by the owner: recorded once per disclosure in the device's activity log
                // (the ids already seen are kept in privacy.json).
                bool newlySeen = false;
                for (const auto& row : rows)
                    if (!m_seenDisclosures.contains(row.disclosureId)) {
                        m_seenDisclosures.insert(row.disclosureId);
                        newlySeen = true;
                        m_audit.record(audit_event::kLawfulDisclosure,
                                                   {{"dt", row.dtId.toStdString()},
                                                    {"disclosure", row.disclosureId.toStdString()}});
                    }
                if (newlySeen)
                    (void)savePolicy();
                m_lawful.setRows(std::move(rows));
                m_disclosuresLoaded = true;
                emit refreshingChanged();
            });
    });
}

} // namespace twinseal::viewmodels
