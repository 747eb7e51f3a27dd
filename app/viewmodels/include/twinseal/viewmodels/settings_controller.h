// The Settings page's view-model, kept in settings.json in the data directory (no secrets):
// the owner's security image (security_image.h, its own file beside settings.json, never sent),
// the home network's address (when it differs from the profile's), the trust list (the home
// network's roots from the profile, plus operator roots the owner adds to verify peers of other
// networks, copied into trust/), the theme, and the data directory to use from the next start
// (that one is in the user's QSettings, since it says where everything else is).
//
// It works on the twin's store (the data directory's layout) and the activity log, is told the
// profile's address and trust list by the client's root view-model (setProfile), shows its own
// failures and notices, and announces a changed address by a signal.
#pragma once

#include <QtQml/qqmlregistration.h>

#include <QObject>
#include <QString>
#include <QStringList>
#include <QUrl>

#include <string>

#include "twinseal/viewmodels/fact_list_model.h"
#include "twinseal/viewmodels/page_model.h"

namespace twinseal::viewmodels {

class SettingsController : public twinseal::viewmodels::PageModel {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("SettingsController is created by the client, not by QML")
    Q_PROPERTY(QString homeNetworkAddress READ homeNetworkAddress NOTIFY changed)
    Q_PROPERTY(QString profileAddress READ profileAddress NOTIFY changed)
    Q_PROPERTY(QString theme READ theme WRITE setTheme NOTIFY changed) // light / dark
    Q_PROPERTY(QString dataDir READ dataDir CONSTANT)
    Q_PROPERTY(QString nextDataDir READ nextDataDir NOTIFY changed)
    Q_PROPERTY(twinseal::viewmodels::FactListModel* trustList READ trustList CONSTANT)
    // The owner's security image (a file URL of the stored copy, with a revision query so views
    // reload it; empty when none was chosen) and the bundled ones to choose from (names; their
    // pictures at securityImageChoiceUrl(name)).
    Q_PROPERTY(QUrl securityImage READ securityImage NOTIFY securityImageChanged)
    Q_PROPERTY(QStringList securityImageChoices READ securityImageChoices CONSTANT)
    // The last backup's outcome in words, and whether it failed (shown in the Backup card).
    Q_PROPERTY(QString backupOutcome READ backupOutcome NOTIFY backupChanged)
    Q_PROPERTY(bool backupFailed READ backupFailed NOTIFY backupChanged)
public:
    SettingsController(twin::TwinStore& store, AuditTrail& audit, QObject* parent = nullptr);

    // The profile's address and trust list (empty without a profile); refreshes the trust list.
    void setProfile(const QString& serviceUrl, const QString& trustListPem);

    [[nodiscard]] QString homeNetworkAddress() const; // the one in use
    [[nodiscard]] QString addressOverride() const { return m_address; }
    [[nodiscard]] QString profileAddress() const { return m_profileAddress; }
    [[nodiscard]] QString theme() const { return m_theme; }
    void setTheme(const QString& theme);
    [[nodiscard]] QString dataDir() const;
    [[nodiscard]] QString nextDataDir() const;
    [[nodiscard]] FactListModel* trustList() { return &m_trust; }
    // Every trusted root as PEM: the profile's and the owner's.
    [[nodiscard]] std::string trustedRootsPem() const;

    // An https:// URL, or empty to use the profile's. Takes effect at once (signs out).
    Q_INVOKABLE bool setHomeNetworkAddress(const QString& url);
    Q_INVOKABLE bool addTrustedRoot(const QUrl& pemFile);
    Q_INVOKABLE bool removeTrustedRoot(const QString& fingerprint);
    // Where the next start keeps its data (empty: the default).
    Q_INVOKABLE bool setNextDataDir(const QUrl& folder);
    Q_INVOKABLE void refreshTrustList();

    [[nodiscard]] QUrl securityImage() const;
    [[nodiscard]] QStringList securityImageChoices() const;
    // The stored security image's path (whether or not one was chosen).
    [[nodiscard]] QString securityImagePath() const;
    Q_INVOKABLE QUrl securityImageChoiceUrl(const QString& name) const;
    // Keeps a bundled image / a picture file of the owner's as the security image.
    Q_INVOKABLE bool chooseSecurityImage(const QString& name);
    Q_INVOKABLE bool chooseSecurityImageFile(const QUrl& file);

    // Backs up the twin (twin/twin_backup.h) to `file`, sealed under a new backup passphrase
    // (typed twice); slow work off the UI thread, the outcome as this page's notice or failure.
    Q_INVOKABLE void backUpTwin(const QUrl& file, const QString& passphrase, const QString& repeated);
    [[nodiscard]] QString backupOutcome() const { return m_backupOutcome; }
    [[nodiscard]] bool backupFailed() const { return m_backupFailed; }
    // Reads settings.json again (a twin restored into the data directory).
    void reload();

    // The file the app's QSettings use for the data directory (tests point it elsewhere).
    static QString defaultDataDirKey() { return QStringLiteral("dataDir"); }

signals:
    void changed();
    void homeNetworkChanged(); // the address in use changed
    void securityImageChanged();
    void backupChanged();

private:
    void load();
    void save();

    QString m_profileAddress;
    QString m_profileTrustPem;
    QString m_address;
    QString m_theme = QStringLiteral("light");
    FactListModel m_trust;
    int m_securityImageRevision = 0;
    QString m_backupOutcome;
    bool m_backupFailed = false;
    void backupOutcomeIs(bool failed, const QString& text);
};

} // namespace twinseal::viewmodels
