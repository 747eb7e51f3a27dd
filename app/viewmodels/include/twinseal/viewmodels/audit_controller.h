// The Audit page's view-model: the device's activity log (AuditTrail) as a filterable list,
// exports as JSON and CBOR, and a verification of the log on demand (chain, signed checkpoints,
// the pinned audit key and the anchor kept outside the log). It shows its own failures and
// notices; nothing else of the twin is its business.
#pragma once

#include <QtQml/qqmlregistration.h>

#include <QObject>
#include <QString>
#include <QStringList>
#include <QUrl>
#include <QVariantList>

#include "twinseal/viewmodels/audit_list_model.h"
#include "twinseal/viewmodels/page_model.h"

namespace twinseal::viewmodels {

class AuditController : public twinseal::viewmodels::PageModel {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("AuditController is created by the client, not by QML")
    Q_PROPERTY(twinseal::viewmodels::AuditListModel* entries READ entries CONSTANT)
    // [{key, label}]: the categories the filter offers ("" = every event).
    Q_PROPERTY(QVariantList categories READ categories CONSTANT)
    Q_PROPERTY(QString category READ category WRITE setCategory NOTIFY filterChanged)
    Q_PROPERTY(QString outcome READ outcome WRITE setOutcome NOTIFY filterChanged) // "", ok, failed
    Q_PROPERTY(QString text READ text WRITE setText NOTIFY filterChanged)
    // The last verification: "passed", "warning" (intact, with unsigned entries), "failed" or ""
    Q_PROPERTY(QString verifyState READ verifyState NOTIFY verificationChanged)
    Q_PROPERTY(QString verifySummary READ verifySummary NOTIFY verificationChanged)
    Q_PROPERTY(QString verifyDetail READ verifyDetail NOTIFY verificationChanged)
    Q_PROPERTY(QString integrityProblem READ integrityProblem NOTIFY logChanged)
    Q_PROPERTY(QString logPath READ logPath CONSTANT)
    Q_PROPERTY(QString lastExport READ lastExport NOTIFY exported)
public:
    AuditController(twin::TwinStore& store, AuditTrail& trail, QObject* parent = nullptr);

    [[nodiscard]] AuditListModel* entries() { return &m_model; }
    [[nodiscard]] QVariantList categories() const;
    [[nodiscard]] QString category() const { return m_category; }
    [[nodiscard]] QString outcome() const { return m_outcome; }
    [[nodiscard]] QString text() const { return m_text; }
    void setCategory(const QString& c);
    void setOutcome(const QString& o);
    void setText(const QString& t);
    [[nodiscard]] QString verifyState() const { return m_verifyState; }
    [[nodiscard]] QString verifySummary() const { return m_verifySummary; }
    [[nodiscard]] QString verifyDetail() const { return m_verifyDetail; }
    [[nodiscard]] QString integrityProblem() const;
    [[nodiscard]] QString logPath() const;
    [[nodiscard]] QString lastExport() const { return m_lastExport; }

    // Writes the export ("json" or "cbor") to `file`; true on success (errors are shown).
    Q_INVOKABLE bool exportTo(const QUrl& file, const QString& format);
    // A file name in the user's documents folder for an export.
    Q_INVOKABLE QUrl suggestedExportFile(const QString& format) const;
    // Verifies the log file on disk now, with the device's audit key and anchor.
    Q_INVOKABLE void verify();
    // Verifies an exported file (JSON or CBOR) or a copy of a log, with this device's key.
    Q_INVOKABLE void verifyFile(const QUrl& file);

signals:
    void filterChanged();
    void verificationChanged();
    void logChanged();
    void exported();

private:
    void reload();
    void applyFilter();
    void showVerification(const security::AuditVerification& v, const QString& what);

    AuditListModel m_model;
    QString m_category;
    QString m_outcome;
    QString m_text;
    QString m_verifyState;
    QString m_verifySummary;
    QString m_verifyDetail;
    QString m_lastExport;
};

} // namespace twinseal::viewmodels
