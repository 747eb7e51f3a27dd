#include <twinseal/viewmodels/xr_status_controller.h>

namespace twinseal::viewmodels {

void XrStatusController::enterOpenXr() {
    setNotice({}, {});
    if (!m_openXr) {
        m_openXr = true;
        emit modeChanged();
    }
}

void XrStatusController::enterDesktop(const QString& code, const QString& text) {
    setNotice(code, text);
    if (m_openXr) {
        m_openXr = false;
        emit modeChanged();
    }
}

void XrStatusController::dismissNotice() {
    if (m_dismissed || m_code.isEmpty())
        return;
    m_dismissed = true;
    emit noticeChanged();
}

void XrStatusController::setNotice(const QString& code, const QString& text) {
    if (code == m_code && text == m_text && !m_dismissed)
        return;
    m_code = code;
    m_text = text;
    m_dismissed = false;
    emit noticeChanged();
}

} // namespace twinseal::viewmodels
