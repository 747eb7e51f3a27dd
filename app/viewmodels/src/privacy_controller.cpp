#include "twinseal/viewmodels/privacy_controller.h"

#include <twinseal/twin/data_layout.h>
#include <twinseal/twin/twin_session.h>

#include <QFile>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <set>

#include <twinseal/netclient/service_client.h>
#include <twinseal/security/audit.h>
#include <twinseal/security/bytes.h>
#include <twinseal/security/credential.h>
#include <twinseal/security/keys.h>

#include "twinseal/viewmodels/audit_trail.h"
#include "twinseal/viewmodels/twin_controller.h"
#include "kill_point.h"

namespace twinseal::viewmodels {

using namespace twinseal::security;

namespace {

constexpr int kPolicyVersion = 1;
constexpr qsizetype kMaxTargetLength = 200;

struct StoredDisclosure {
    std::string name;
    std::string encoded;
};

// disclosures.json: [{"name": ..., "disclosure": ...}] as signAndRegister writes it.
std::vector<StoredDisclosure> readStoredDisclosures(const QString& file) {
    QFile f(file);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    std::vector<StoredDisclosure> out;
    for (const auto& v : QJsonDocument::fromJson(f.readAll()).array()) {
        const QJsonObject o = v.toObject();
        out.push_back({o.value(QStringLiteral("name")).toString().toStdString(),
                       o.value(QStringLiteral("disclosure")).toString().toStdString()});
    }
    return out;
}

Status writeJson(const QString& file, const QJsonDocument& doc, bool privateMode) {
    const QByteArray json = doc.toJson();
    return writeFileAtomic(file.toStdString(),
                           ByteView(reinterpret_cast<const std::uint8_t*>(json.constData()),
                                    static_cast<std::size_t>(json.size())),
                           privateMode);
}

// The rule's attributes in the canonical order, unknown names dropped.
QStringList canonical(const QStringList& names) {
    QStringList out;
    for (const QString& a : disclosableAttributes())
        if (names.contains(a))
            out << a;
    return out;
}

} // namespace

PrivacyController::PrivacyController(TwinController& twin) : QObject(&twin), m_twin(twin) {
    connect(&m_twin, &TwinController::twinChanged, this, &PrivacyController::pseudonymChanged);
    // A failure anywhere in a flow (e.g. authentication inside withSession) ends ours too.
    connect(&m_twin, &TwinController::errorChanged, this, [this] {
        if (m_twin.errorCode().isEmpty())
            return;
        setRotating(false);
        setRefreshing(false);
    });
    loadPolicy();
}

QString PrivacyController::pseudonym() const { return m_twin.pseudonym(); }

QStringList PrivacyController::availableAttributes() const {
    QStringList out;
    for (const auto& d : readStoredDisclosures(m_twin.dataFile(QString::fromUtf8(twin::layout::kDisclosures))))
        out << QString::fromStdString(d.name);
    return canonical(out);
}

// ---- disclosure policy --------------------------------------------------------------------------

void PrivacyController::loadPolicy() {
    QFile f(m_twin.dataFile(QString::fromUtf8(twin::layout::kPrivacy)));
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
    if (auto st = writeJson(m_twin.dataFile(QString::fromUtf8(twin::layout::kPrivacy)), QJsonDocument(root),
                            false);
        !st.ok()) {
        m_twin.reportFailure(QStringLiteral("policy-save-failed"),
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
        m_twin.reportFailure(QStringLiteral("invalid-target"),
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
    m_twin.auditTrail().record(audit_event::kDisclosureChange,
                               {{"target", t.toStdString()},
                                {"attributes", r.attributes.join(QLatin1Char(',')).toStdString()}});
    m_twin.showNotice(r.attributes.isEmpty()
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
    m_twin.auditTrail().record(audit_event::kDisclosureChange,
                               {{"target", target.trimmed().toStdString()}, {"attributes", ""}});
    m_twin.showNotice(tr("%1 now sees only your pseudonym.").arg(target.trimmed()));
    return true;
}

std::vector<std::string> PrivacyController::disclosuresFor(const QString& roomOrParty) const {
    const int row = m_rules.indexOf(roomOrParty.trimmed());
    if (row < 0)
        return {}; // default: pseudonym only
    const QStringList& selected = m_rules.rules().at(row).attributes;
    auto bytes = readFile(m_twin.dataFile(QString::fromUtf8(twin::layout::kCredential)).toStdString());
    auto credential = bytes.ok() ? parseCredential(*bytes) : Result<Credential>(bytes.error());
    if (!credential.ok())
        return {};
    // Only disclosures that match a commitment of the current credential are ever presented.
    std::set<std::pair<std::string, Digest>> commitments;
    for (const auto& a : credential->claims.attributes)
        commitments.insert({a.name, a.digest});
    std::vector<std::string> out;
    for (const auto& d : readStoredDisclosures(m_twin.dataFile(QString::fromUtf8(twin::layout::kDisclosures)))) {
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
    if (m_rotating || m_twin.busy())
        return;
    if (m_twin.dtId().isEmpty())
        return m_twin.reportFailure(QStringLiteral("no-twin"),
                                    tr("Register your twin first: it has no pseudonym yet."));
    if (m_twin.holderKey() == nullptr)
        return m_twin.reportFailure(QStringLiteral("locked"),
                                    tr("Unlock your twin with your passphrase first: the home "
                                       "network needs proof that you hold its key."));
    auto manifest = readFile(m_twin.path(twin::layout::kManifest).toStdString());
    if (!manifest.ok())
        return m_twin.reportFailure(QStringLiteral("manifest-invalid"),
                                    tr("The stored avatar manifest cannot be read; re-certify "
                                       "your avatar on My Twin first."));
    const std::string dtId = m_twin.dtId().toStdString();
    const std::string previous = m_twin.pseudonym().toStdString();
    const Bytes manifestBytes = *manifest;
    const quint64 generation = m_twin.beginOperation();
    setRotating(true);
    m_twin.setBusy(true, tr("Asking %1 for a new pseudonym…").arg(m_twin.operatorName()));
    m_twin.withSession([this, dtId, previous, manifestBytes, generation] {
        if (!m_twin.isCurrent(generation) || m_twin.holderKey() == nullptr) {
            setRotating(false);
            return m_twin.setBusy(false);
        }
        // Journaled: a client stopped before storing the answer adopts the new credential on
        // its next start (TwinController::reconcilePending).
        if (!m_twin.writePending(QStringLiteral("rotate-pseudonym"))) {
            setRotating(false);
            return m_twin.fail(QStringLiteral("io-error"),
                               tr("The rotation cannot be recorded in %1. Check that the folder is "
                                  "writable and has free space.")
                                   .arg(m_twin.dataDir()));
        }
        killPoint("rotate-pseudonym", "journaled");
        m_twin.session()->rotatePseudonym(
            dtId, manifestBytes, previous,
            [this, dtId, generation](netclient::ClientResult<netclient::Registration> r) {
                setRotating(false);
                if (!m_twin.isCurrent(generation))
                    return;
                const QString journal = m_twin.path(twin::layout::kPending);
                if (!r.ok()) {
                    if (r.error().httpStatus >= 400) // refused; without an answer the journal stays
                        QFile::remove(journal);
                    m_twin.auditTrail().recordFailure(audit_event::kPseudonymRotate,
                                                      QString::fromStdString(r.error().code),
                                                      {{"dt", dtId}});
                    return m_twin.fail(QString::fromStdString(r.error().code),
                                       QString::fromStdString(r.error().message));
                }
                killPoint("rotate-pseudonym", "answered");
                const auto& claims = r->credential.claims;
                if (!m_twin.storeIssued(*r, nullptr))
                    return m_twin.fail(QStringLiteral("io-error"),
                                       tr("Your new pseudonym was issued, but it cannot be stored in "
                                          "%1. Free some space or fix the folder's permissions, then "
                                          "start TwinSeal again: it picks the new credential up from "
                                          "your home network.")
                                           .arg(m_twin.dataDir()));
                // The pseudonyms themselves are left out: the log links nothing peers could use.
                m_twin.auditTrail().record(audit_event::kPseudonymRotate,
                                           {{"dt", claims.dtId},
                                            {"generation", std::to_string(claims.generation)},
                                            {"log-index", std::to_string(claims.logIndex)}});
                m_twin.saveState();
                QFile::remove(journal); // last: everything is stored
                m_twin.setBusy(false);
                m_twin.showCredential();
                emit m_twin.twinChanged();
                m_twin.showNotice(tr("Peers now see you as %1. Your previous credential was "
                                     "superseded.")
                                      .arg(QString::fromStdString(claims.pseudonym)));
            });
    });
}

// ---- lawful disclosures -------------------------------------------------------------------------

void PrivacyController::refreshDisclosures() {
    if (m_refreshing)
        return;
    if (m_twin.client() == nullptr)
        return m_twin.reportFailure(QStringLiteral("no-profile"), tr("Import your USIM profile first."));
    setRefreshing(true);
    m_twin.withSession([this] {
        m_twin.client()->listLawfulDisclosures(
            [this](netclient::ClientResult<std::vector<netclient::LawfulDisclosure>> r) {
                setRefreshing(false);
                if (!r.ok())
                    return m_twin.reportFailure(QString::fromStdString(r.error().code),
                                                QString::fromStdString(r.error().message));
                QVector<LawfulDisclosureRow> rows;
                for (const auto& d : *r) {
                    LawfulDisclosureRow row;
                    row.disclosureId = QString::fromStdString(d.disclosureId);
                    row.dtId = QString::fromStdString(d.dtId);
                    row.authority = QString::fromStdString(d.authority);
                    row.caseRef = QString::fromStdString(d.caseRef);
                    row.legalBasis = QString::fromStdString(d.legalBasis);
                    for (const auto& a : d.attributes)
                        row.attributes << QString::fromStdString(a);
                    row.disclosedAt = d.disclosedAt;
                    rows.append(row);
                }
                // Seen by the owner: recorded once per disclosure in the device's activity log
                // (the ids already seen are kept in privacy.json).
                bool newlySeen = false;
                for (const auto& row : rows)
                    if (!m_seenDisclosures.contains(row.disclosureId)) {
                        m_seenDisclosures.insert(row.disclosureId);
                        newlySeen = true;
                        m_twin.auditTrail().record(audit_event::kLawfulDisclosure,
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
