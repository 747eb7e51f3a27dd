#include "twinseal/viewmodels/ownership_controller.h"

#include "twinseal/viewmodels/twin_controller.h"

namespace twinseal::viewmodels {

OwnershipController::OwnershipController(TwinController& twin) : QObject(&twin), m_twin(twin) {}

} // namespace twinseal::viewmodels
