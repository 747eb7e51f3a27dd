#include "twinseal/viewmodels/privacy_controller.h"

#include "twinseal/viewmodels/twin_controller.h"

namespace twinseal::viewmodels {

PrivacyController::PrivacyController(TwinController& twin) : QObject(&twin), m_twin(twin) {}

} // namespace twinseal::viewmodels
