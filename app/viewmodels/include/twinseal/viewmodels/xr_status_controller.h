// Where the client presents (the desktop window only, or also an OpenXR headset) and, when the
// headset was asked for or failed, why it is not used: a notice (reason code and words) the
// window shows under its header until dismissed. Set by the client's start-up (app/client), which
// owns the XR backend; this view-model knows nothing of OpenXR.
#pragma once

#include <QtQml/qqmlregistration.h>

#include <QObject>
#include <QString>

namespace twinseal::viewmodels {

class XrStatusController : public QObject {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("XrStatusController is set up by the client")
    Q_PROPERTY(QString mode READ mode NOTIFY modeChanged)               // "desktop" or "openxr"
    Q_PROPERTY(QString noticeCode READ noticeCode NOTIFY noticeChanged) // e.g. "runtime-unavailable"
    Q_PROPERTY(QString noticeText READ noticeText NOTIFY noticeChanged)
    Q_PROPERTY(bool noticeShown READ noticeShown NOTIFY noticeChanged)

public:
    explicit XrStatusController(QObject* parent = nullptr) : QObject(parent) {}

    [[nodiscard]] QString mode() const { return m_openXr ? QStringLiteral("openxr") : QStringLiteral("desktop"); }
    [[nodiscard]] bool openXr() const noexcept { return m_openXr; }
    [[nodiscard]] QString noticeCode() const { return m_code; }
    [[nodiscard]] QString noticeText() const { return m_text; }
    // A notice is set and the user has not dismissed it.
    [[nodiscard]] bool noticeShown() const noexcept { return !m_code.isEmpty() && !m_dismissed; }

    // The headset session runs; any earlier notice is cleared.
    void enterOpenXr();
    // The desktop only, with the reason when there is one to tell (empty code: none).
    void enterDesktop(const QString& code = {}, const QString& text = {});
    Q_INVOKABLE void dismissNotice();

signals:
    void modeChanged();
    void noticeChanged();

private:
    void setNotice(const QString& code, const QString& text);

    bool m_openXr = false;
    bool m_dismissed = false;
    QString m_code;
    QString m_text;
};

} // namespace twinseal::viewmodels
