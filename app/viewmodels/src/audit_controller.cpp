#include "twinseal/viewmodels/audit_controller.h"

#include <QDateTime>
#include <QDir>
#include <QStandardPaths>
#include <QVariantMap>

#include <twinseal/security/keys.h>

#include "twinseal/viewmodels/audit_trail.h"

namespace twinseal::viewmodels {

using namespace twinseal::security;

AuditController::AuditController(twin::TwinStore& store, AuditTrail& trail, QObject* parent)
    : PageModel(store, trail, parent) {
    connect(&m_audit, &AuditTrail::changed, this, &AuditController::reload);
    reload();
}

QVariantList AuditController::categories() const {
    return {
        QVariantMap{{QStringLiteral("key"), QString()}, {QStringLiteral("label"), tr("Every activity")}},
        QVariantMap{{QStringLiteral("key"), QStringLiteral("dt.")}, {QStringLiteral("label"), tr("Twin: register, re-certify, revoke, status")}},
        QVariantMap{{QStringLiteral("key"), QStringLiteral("transfer.")}, {QStringLiteral("label"), tr("Ownership transfers")}},
        QVariantMap{{QStringLiteral("key"), QStringLiteral("disclosure.")}, {QStringLiteral("label"), tr("Disclosures")}},
        QVariantMap{{QStringLiteral("key"), QStringLiteral("pseudonym.")}, {QStringLiteral("label"), tr("Pseudonym rotations")}},
        QVariantMap{{QStringLiteral("key"), QStringLiteral("call.")}, {QStringLiteral("label"), tr("Calls and verifications")}},
        QVariantMap{{QStringLiteral("key"), QStringLiteral("assertion.")}, {QStringLiteral("label"), tr("Signed assertions")}},
        QVariantMap{{QStringLiteral("key"), QStringLiteral("avatar.")}, {QStringLiteral("label"), tr("Avatar uploads")}},
        QVariantMap{{QStringLiteral("key"), QStringLiteral("key.")}, {QStringLiteral("label"), tr("Lock and unlock")}},
        QVariantMap{{QStringLiteral("key"), QStringLiteral("audit.")}, {QStringLiteral("label"), tr("Exports of this log")}},
    };
}

QString AuditController::integrityProblem() const { return m_audit.integrityProblem(); }
QString AuditController::logPath() const { return m_audit.logPath(); }

void AuditController::setCategory(const QString& c) {
    if (c == m_category)
        return;
    m_category = c;
    applyFilter();
}

void AuditController::setOutcome(const QString& o) {
    if (o == m_outcome)
        return;
    m_outcome = o;
    applyFilter();
}

void AuditController::setText(const QString& t) {
    if (t == m_text)
        return;
    m_text = t;
    applyFilter();
}

void AuditController::applyFilter() {
    AuditFilter f;
    f.eventPrefix = m_category.toStdString();
    if (m_outcome == QLatin1String("ok"))
        f.outcome = AuditOutcome::Ok;
    else if (m_outcome == QLatin1String("failed"))
        f.outcome = AuditOutcome::Failed;
    f.text = m_text.toStdString();
    m_model.setFilter(std::move(f));
    emit filterChanged();
}

void AuditController::reload() {
    const auto& entries = m_audit.entries();
    m_model.setEntries(entries, entries.size() - m_audit.unsignedTail());
    emit logChanged();
}

QUrl AuditController::suggestedExportFile(const QString& format) const {
    QString dir = QStandardPaths::writableLocation(QStandardPaths::DocumentsLocation);
    if (dir.isEmpty() || !QDir(dir).exists())
        dir = QDir::homePath();
    const QString stamp = QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyyMMdd-HHmmss"));
    return QUrl::fromLocalFile(QDir(dir).filePath(
        QStringLiteral("twinseal-activity-%1.%2").arg(stamp, format == QLatin1String("cbor") ? QStringLiteral("cbor") : QStringLiteral("json"))));
}

bool AuditController::exportTo(const QUrl& file, const QString& format) {
    const QString target = file.isLocalFile() ? file.toLocalFile() : file.toString();
    if (!m_audit.isOpen()) {
        fail(QStringLiteral("audit-log-empty"),
                             tr("There is no activity log yet: it starts when you choose your passphrase."));
        return false;
    }
    Bytes data;
    if (format == QLatin1String("cbor")) {
        auto cbor = m_audit.log()->exportCbor();
        if (!cbor.ok()) {
            fail(QString::fromUtf8(errorCodeName(cbor.code()).data()),
                                 tr("The log cannot be exported: %1").arg(QString::fromStdString(cbor.error().detail)));
            return false;
        }
        data = std::move(cbor).value();
    } else if (format == QLatin1String("json")) {
        auto json = m_audit.log()->exportJson();
        if (!json.ok()) {
            fail(QString::fromUtf8(errorCodeName(json.code()).data()),
                                 tr("The log cannot be exported: %1").arg(QString::fromStdString(json.error().detail)));
            return false;
        }
        data.assign(json->begin(), json->end());
    } else {
        fail(QStringLiteral("invalid-argument"), tr("Export as JSON or CBOR."));
        return false;
    }
    if (auto st = writeFileAtomic(target.toStdString(), data); !st.ok()) {
        m_audit.recordFailure(audit_event::kAuditExport, QString::fromUtf8(errorCodeName(st.code()).data()),
                              {{"format", format.toStdString()}});
        fail(QStringLiteral("export-failed"),
                             tr("The export cannot be written to %1: %2 Choose another folder.")
                                 .arg(target, QString::fromStdString(st.error().detail)));
        return false;
    }
    m_audit.record(audit_event::kAuditExport,
                   {{"format", format.toStdString()}, {"entries", std::to_string(m_audit.entries().size())}});
    m_lastExport = target;
    emit exported();
    m_state.showNotice(tr("Activity log exported to %1.").arg(target));
    return true;
}

void AuditController::showVerification(const AuditVerification& v, const QString& what) {
    if (!v.ok()) {
        m_verifyState = QStringLiteral("failed");
        m_verifySummary = tr("%1 has been tampered with or damaged").arg(what);
        m_verifyDetail = QString::fromStdString(v.summary()) + QStringLiteral("\n") +
                         QString::fromStdString(v.meaning());
    } else if (v.unsignedTail() > 0) {
        m_verifyState = QStringLiteral("warning");
        m_verifySummary = tr("%1 is intact; %2 newest entries are chained but not yet signed")
                              .arg(what)
                              .arg(v.unsignedTail());
        m_verifyDetail = QString::fromStdString(v.summary()) +
                         tr("\nThey are signed the next time you unlock your twin.");
    } else {
        m_verifyState = QStringLiteral("passed");
        m_verifySummary = tr("%1 is intact: %2 entries, all signed").arg(what).arg(v.entries.size());
        m_verifyDetail = QString::fromStdString(v.summary());
    }
    emit verificationChanged();
}

void AuditController::verify() {
    verifyFile(QUrl::fromLocalFile(m_audit.logPath()));
}

void AuditController::verifyFile(const QUrl& file) {
    const QString path = file.isLocalFile() ? file.toLocalFile() : file.toString();
    auto data = readFile(path.toStdString());
    if (!data.ok()) {
        m_verifyState = QStringLiteral("failed");
        m_verifySummary = tr("%1 cannot be read").arg(path);
        m_verifyDetail = QString::fromStdString(data.error().detail);
        emit verificationChanged();
        return;
    }
    const bool ownLog = path == m_audit.logPath();
    if (ownLog) {
        // As the app opens it: the key pinned, the sealed anchor required (fail closed).
        showVerification(m_audit.verifyOwnLog(), tr("This device's activity log"));
        return;
    }
    AuditVerifyOptions options;
    auto keyFile = readFile(m_audit.keyPath().toStdString());
    auto key = keyFile.ok() ? SigningKey::peekPublicKey(*keyFile) : Result<PublicKey>(keyFile.error());
    if (key.ok())
        options.auditKey = &*key;
    // The anchor's checkpoint (its seal is the app's business; the checkpoint is signed).
    if (auto anchorFile = readFile(m_audit.anchorPath().toStdString()); anchorFile.ok()) {
        if (auto anchor = readAuditAnchor(*anchorFile); anchor.ok())
            options.anchor = std::move(anchor->checkpoint);
        else
            options.anchor = std::move(anchorFile).value(); // an older, unsealed anchor
    }
    showVerification(verifyAuditData(*data, options), tr("The file"));
}

} // namespace twinseal::viewmodels
