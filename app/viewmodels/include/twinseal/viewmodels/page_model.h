// What every page view-model built on the twin has: the twin's store and session (handed to it
// by the client's root view-model, the session replaced with the profile), what the twin is now
// (setTwin), the activity log, and its own busy / failure / notice state. A page never reaches
// into another page or into the root: it announces what it changed by its own signals.
#pragma once

#include <QtQml/qqmlregistration.h>

#include <QObject>
#include <QString>

#include <functional>

#include "twinseal/viewmodels/operation_state.h"
#include "twinseal/viewmodels/twin_summary.h"

namespace twinseal::security {
struct SignedTreeHead;
} // namespace twinseal::security
namespace twinseal::twin {
class TwinSession;
class TwinStore;
} // namespace twinseal::twin

namespace twinseal::viewmodels {

class AuditTrail;

class PageModel : public QObject {
    Q_OBJECT
    QML_ANONYMOUS
    // This page's busy state, failure and notice.
    Q_PROPERTY(twinseal::viewmodels::OperationState* operation READ operation CONSTANT)

public:
    [[nodiscard]] OperationState* operation() noexcept { return &m_state; }
    // The session with the home network (null without a profile).
    void setSession(twin::TwinSession* session);
    // What the twin is now (held or not, its status).
    void setTwin(const TwinSummary& twin);

signals:
    // The session was replaced or its holder key locked or unlocked.
    void sessionChanged();
    void twinChanged();
    // A tree head this page verified does not fit the one kept for its log (twin::TreeHeadWitness
    // recorded a fork in the data directory): the root view-model shows it.
    void logForkDetected();

protected:
    PageModel(twin::TwinStore& store, AuditTrail& audit, QObject* parent);

    [[nodiscard]] bool unlocked() const;
    // The session can reach the home network as the subscriber: it holds an authentication, or
    // the profile's K and OPc are unlocked (they are sealed under the passphrase).
    [[nodiscard]] bool canAuthenticate() const;
    void fail(const QString& code, const QString& message) { m_state.fail(code, message); }
    // Runs `next` with an AKMA session (authenticating first); failures are this page's.
    void withSession(std::function<void()> next);
    // Checks a tree head this page verified (a transfer's receipt, the disclosures' list) with the
    // data directory's witness: a fork is logForkDetected(); a head that could not be judged (no
    // proof fetched, the kept head unreadable) goes to the activity log, and the next one is
    // checked again.
    void witnessTreeHead(const security::SignedTreeHead& head);

    twin::TwinStore& m_store;
    AuditTrail& m_audit;
    twin::TwinSession* m_session = nullptr;
    TwinSummary m_twin;
    OperationState m_state;
};

} // namespace twinseal::viewmodels
