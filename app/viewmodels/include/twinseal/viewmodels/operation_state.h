// What a page shows about its own work: busy with progress (in words and as a fraction), the
// last failure (a reason code and a message a person can act on) and the latest notice. Every
// page view-model owns one; the views bind the page's status strip to it.
#pragma once

#include <QtQml/qqmlregistration.h>

#include <QObject>
#include <QString>

#include <functional>

namespace twinseal::twin {
class TwinSession;
}

namespace twinseal::viewmodels {

class OperationState : public QObject {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("OperationState belongs to a view-model")
    Q_PROPERTY(bool busy READ busy NOTIFY busyChanged)
    Q_PROPERTY(double progress READ progress NOTIFY progressChanged) // 0..1, or -1: unknown
    Q_PROPERTY(QString progressText READ progressText NOTIFY progressChanged)
    Q_PROPERTY(QString errorCode READ errorCode NOTIFY errorChanged)
    Q_PROPERTY(QString errorMessage READ errorMessage NOTIFY errorChanged)
    Q_PROPERTY(QString notice READ notice NOTIFY noticeChanged)

public:
    explicit OperationState(QObject* parent = nullptr) : QObject(parent) {}

    [[nodiscard]] bool busy() const noexcept { return m_busy; }
    [[nodiscard]] double progress() const noexcept { return m_progress; }
    [[nodiscard]] QString progressText() const { return m_progressText; }
    [[nodiscard]] QString errorCode() const { return m_errorCode; }
    [[nodiscard]] QString errorMessage() const { return m_errorMessage; }
    [[nodiscard]] QString notice() const { return m_notice; }

    void setBusy(bool busy, const QString& text = {}, double progress = -1);
    void setProgress(double progress, const QString& text);
    // Shows a failure and ends the busy state.
    void fail(const QString& code, const QString& message);
    void showNotice(const QString& text);
    Q_INVOKABLE void dismissError();

    // Runs `next` once `session` holds an AKMA session (authenticating first, with progress in
    // words); a missing session or a failed authentication is shown as this state's failure.
    // `next` is not run when `guard` is gone by then.
    void withSession(twin::TwinSession* session, QObject* guard, std::function<void()> next);

    // Starts an operation that supersedes earlier ones; isCurrent(g) while none started since.
    [[nodiscard]] quint64 beginOperation() noexcept { return ++m_generation; }
    [[nodiscard]] bool isCurrent(quint64 generation) const noexcept { return generation == m_generation; }

signals:
    void busyChanged();
    void progressChanged();
    void errorChanged();
    void noticeChanged();

private:
    bool m_busy = false;
    double m_progress = -1;
    QString m_progressText;
    QString m_errorCode;
    QString m_errorMessage;
    QString m_notice;
    quint64 m_generation = 0;
};

} // namespace twinseal::viewmodels
