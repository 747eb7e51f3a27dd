#include "twinseal/viewmodels/operation_state.h"

#include <QPointer>

#include <twinseal/twin/twin_session.h>

namespace twinseal::viewmodels {

void OperationState::setBusy(bool busy, const QString& text, double progress) {
    if (m_busy != busy) {
        m_busy = busy;
        emit busyChanged();
    }
    setProgress(progress, text);
}

void OperationState::setProgress(double progress, const QString& text) {
    m_progress = progress;
    m_progressText = text;
    emit progressChanged();
}

void OperationState::fail(const QString& code, const QString& message) {
    m_errorCode = code;
    m_errorMessage = message;
    emit errorChanged();
    setBusy(false);
}

void OperationState::showNotice(const QString& text) {
    m_notice = text;
    emit noticeChanged();
}

void OperationState::dismissError() {
    if (m_errorCode.isEmpty() && m_errorMessage.isEmpty())
        return;
    m_errorCode.clear();
    m_errorMessage.clear();
    emit errorChanged();
}

void OperationState::withSession(twin::TwinSession* session, QObject* guard, std::function<void()> next) {
    if (!session)
        return fail(QStringLiteral("no-profile"), tr("Import your USIM profile first."));
    if (session->client().isAuthenticated())
        return next();
    setProgress(-1, tr("Authenticating with %1…").arg(QString::fromStdString(session->profile().operatorName)));
    QPointer<QObject> alive(guard);
    QPointer<OperationState> self(this);
    session->authenticated([self, alive, next = std::move(next)](const netclient::ClientStatus& st) {
        if (!self || !alive)
            return;
        if (!st.ok())
            return self->fail(QString::fromStdString(st.error().code), QString::fromStdString(st.error().message));
        next();
    });
}

} // namespace twinseal::viewmodels
