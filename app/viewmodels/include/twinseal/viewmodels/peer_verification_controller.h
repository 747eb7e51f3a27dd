// The "Verify a peer" dialog's view-model: the files a peer presented, the destination, and the
// report of the same verification twinsealctl runs (twin::PeerVerifier), off the UI thread.
// Revocation and log evidence come from the home network of this client's profile; the trust
// list, identity pins and replay cache are this device's (twin::TwinStore).
#pragma once

#include <QtQml/qqmlregistration.h>

#include <QObject>
#include <QString>
#include <QUrl>

#include <functional>

#include <twinseal/twin/twin_store.h>

#include "twinseal/viewmodels/check_list_model.h"

namespace twinseal::netclient {
class ServiceClient;
}

namespace twinseal::viewmodels {

class PeerVerificationController : public QObject {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("PeerVerificationController is created by the client, not by QML")
    Q_PROPERTY(bool busy READ busy NOTIFY busyChanged)
    // "" before the first verification, else verified / valid-untrusted-issuer / incomplete /
    // failed (and "error" when the files could not be read).
    Q_PROPERTY(QString state READ state NOTIFY reportChanged)
    Q_PROPERTY(QString headline READ headline NOTIFY reportChanged)
    Q_PROPERTY(QString reason READ reason NOTIFY reportChanged)
    Q_PROPERTY(QString subject READ subject NOTIFY reportChanged)
    Q_PROPERTY(twinseal::viewmodels::CheckListModel* checks READ checks CONSTANT)

public:
    struct Sources {
        QString dataDir;                                // pins and replay cache
        std::function<std::string()> trustedRootsPem;   // the roots this device trusts
        std::function<netclient::ServiceClient*()> homeNetwork; // null when there is no profile
    };
    explicit PeerVerificationController(Sources sources, QObject* parent = nullptr);
    ~PeerVerificationController() override;

    [[nodiscard]] bool busy() const noexcept { return m_busy; }
    [[nodiscard]] QString state() const { return m_state; }
    [[nodiscard]] QString headline() const { return m_headline; }
    [[nodiscard]] QString reason() const { return m_reason; }
    [[nodiscard]] QString subject() const { return m_subject; }
    [[nodiscard]] CheckListModel* checks() noexcept { return &m_checks; }

    // Files as URLs or paths; `package` may be empty (the media-content check is then not run
    // and the report is Incomplete).
    Q_INVOKABLE void verify(const QString& assertion, const QString& credential,
                            const QString& manifest, const QString& package,
                            const QString& destination);
    Q_INVOKABLE void clear();

signals:
    void busyChanged();
    void reportChanged();
    void finished(); // a verification ended (report or error)

private:
    void setBusy(bool busy);
    void show(const security::Result<security::VerificationReport>& result);

    Sources m_sources;
    twin::TwinStore m_store;
    bool m_busy = false;
    QString m_state;
    QString m_headline;
    QString m_reason;
    QString m_subject;
    CheckListModel m_checks;
};

} // namespace twinseal::viewmodels
