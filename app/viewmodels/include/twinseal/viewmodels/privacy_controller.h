// The Privacy page's view-model (work in progress).
#pragma once

#include <QObject>

namespace twinseal::viewmodels {

class TwinController;

class PrivacyController : public QObject {
    Q_OBJECT
public:
    explicit PrivacyController(TwinController& twin);

private:
    TwinController& m_twin;
};

} // namespace twinseal::viewmodels
