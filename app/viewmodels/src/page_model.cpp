#include "twinseal/viewmodels/page_model.h"

#include <QPointer>

#include <twinseal/security/audit.h>
#include <twinseal/twin/tree_head_witness.h>
#include <twinseal/twin/twin_session.h>
#include <twinseal/twin/twin_store.h>

#include "twinseal/viewmodels/audit_trail.h"

namespace twinseal::viewmodels {

PageModel::PageModel(twin::TwinStore& store, AuditTrail& audit, QObject* parent)
    : QObject(parent), m_store(store), m_audit(audit) {
    m_state.setParent(this); // a child: QML never takes it for its own
}

void PageModel::setSession(twin::TwinSession* session) {
    if (m_session)
        disconnect(m_session, nullptr, this, nullptr);
    m_session = session;
    if (m_session)
        connect(m_session, &twin::TwinSession::lockedChanged, this, &PageModel::sessionChanged);
    emit sessionChanged();
}

void PageModel::setTwin(const TwinSummary& twin) {
    if (twin == m_twin)
        return;
    m_twin = twin;
    emit twinChanged();
}

bool PageModel::unlocked() const { return m_session && m_session->unlocked(); }

bool PageModel::canAuthenticate() const {
    return m_session && (m_session->profileUnlocked() || m_session->client().isAuthenticated());
}

void PageModel::withSession(std::function<void()> next) { m_state.withSession(m_session, this, std::move(next)); }

void PageModel::witnessTreeHead(const security::SignedTreeHead& head) {
    if (m_session == nullptr)
        return;
    QPointer<PageModel> self(this);
    m_store.treeHeadWitness().check(
        *m_session, head, [this, self](const netclient::ClientResult<twin::TreeHeadWitness::Decision>& r) {
            if (!self || r.ok())
                return;
            if (r.error().code == security::errorCodeName(security::ErrorCode::LogFork))
                emit logForkDetected(); // recorded by the root view-model, with both heads
            else
                m_audit.recordFailure(security::audit_event::kLogHead, QString::fromStdString(r.error().code));
        });
}

} // namespace twinseal::viewmodels
