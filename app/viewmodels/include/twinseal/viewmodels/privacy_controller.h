// The Privacy page's view-model (DESIGN §7): the pseudonym peers see, the owner's disclosure
// policy per room or party (persisted in privacy.json in the data directory; no secrets), pseudonym
// rotation through the home network (needs the unlocked holder key) and the lawful disclosures
// the home network recorded about the owner's twin, each checked against the transparency log
// (its tree head witnessed for split views like every other head the client sees).
//
// It works on the twin's store and session (handed to it by the client's root view-model, which
// also tells it what the twin is: setTwin), shows its own busy / failure / notice state, and
// announces a replaced credential by a signal.
#pragma once

#include <QtQml/qqmlregistration.h>

#include <QObject>
#include <QSet>
#include <QString>
#include <QStringList>

#include <string>
#include <vector>

#include "twinseal/viewmodels/page_model.h"
#include "twinseal/viewmodels/privacy_models.h"

namespace twinseal::security {
struct SignedTreeHead;
}

namespace twinseal::viewmodels {

class PrivacyController : public twinseal::viewmodels::PageModel {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("PrivacyController is created by the client, not by QML")
    Q_PROPERTY(QString pseudonym READ pseudonym NOTIFY pseudonymChanged)
    Q_PROPERTY(twinseal::viewmodels::DisclosureRuleModel* rules READ rules CONSTANT)
    Q_PROPERTY(twinseal::viewmodels::LawfulDisclosureModel* lawfulDisclosures READ
                   lawfulDisclosures CONSTANT)
    // Which attributes the credential carries (names from disclosableAttributes()).
    Q_PROPERTY(QStringList availableAttributes READ availableAttributes NOTIFY pseudonymChanged)
    Q_PROPERTY(bool rotating READ rotating NOTIFY rotatingChanged)
    Q_PROPERTY(bool refreshing READ refreshing NOTIFY refreshingChanged)
    // True once the lawful disclosures were fetched from the home network at least once.
    Q_PROPERTY(bool disclosuresLoaded READ disclosuresLoaded NOTIFY refreshingChanged)

public:
    PrivacyController(twin::TwinStore& store, AuditTrail& audit, QObject* parent = nullptr);

    [[nodiscard]] QString pseudonym() const;
    [[nodiscard]] DisclosureRuleModel* rules() { return &m_rules; }
    [[nodiscard]] LawfulDisclosureModel* lawfulDisclosures() { return &m_lawful; }
    [[nodiscard]] QStringList availableAttributes() const;
    [[nodiscard]] bool rotating() const { return m_rotating; }
    [[nodiscard]] bool refreshing() const { return m_refreshing; }
    [[nodiscard]] bool disclosuresLoaded() const { return m_disclosuresLoaded; }

    // Adds or replaces the rule for a room or party. False (with a failure shown) for an empty
    // or too long target.
    Q_INVOKABLE bool setRule(const QString& target, bool name, bool role, bool organisation,
                             bool licenceId);
    Q_INVOKABLE bool removeRule(const QString& target);
    // A fresh credential with a new pseudonym (the old one is superseded).
    Q_INVOKABLE void rotatePseudonym();
    // Fetches the lawful disclosures from the home network.
    Q_INVOKABLE void refreshDisclosures();

    // The SD-JWT disclosure strings to present to `roomOrParty` under the policy: exactly the
    // stored disclosures of the attributes its rule selects that match a commitment of the
    // current credential; none (pseudonym only) without a rule.
    [[nodiscard]] std::vector<std::string> disclosuresFor(const QString& roomOrParty) const;

signals:
    void pseudonymChanged();
    void rotatingChanged();
    void refreshingChanged();
    // A new credential was stored (a rotated pseudonym): show it everywhere.
    void credentialReplaced();

private:
    void loadPolicy();
    [[nodiscard]] bool savePolicy();
    void setRotating(bool on);
    void setRefreshing(bool on);


    DisclosureRuleModel m_rules;
    LawfulDisclosureModel m_lawful;
    bool m_rotating = false;
    bool m_refreshing = false;
    bool m_disclosuresLoaded = false;
    QSet<QString> m_seenDisclosures; // lawful disclosures already recorded in the activity log
};

} // namespace twinseal::viewmodels
