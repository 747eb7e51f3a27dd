// The Ownership page's view-model (work in progress).
#pragma once

#include <QObject>

namespace twinseal::viewmodels {

class TwinController;

class OwnershipController : public QObject {
    Q_OBJECT
public:
    explicit OwnershipController(TwinController& twin);

private:
    TwinController& m_twin;
};

} // namespace twinseal::viewmodels
