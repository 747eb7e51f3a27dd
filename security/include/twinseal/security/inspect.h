// Describes any TwinSeal object (key file, sealed secret, credential, media manifest, call
// assertion, certificate) as JSON for people and tools. Never prints secret material.
#pragma once

#include <string>

#include "twinseal/security/bytes.h"

namespace twinseal::security {

// Returns pretty-printed JSON with a "kind" member. Signatures are checked where the object
// carries its own verification key (credential, manifest), and the outcome is reported in
// "signature"; trust decisions are not made here.
[[nodiscard]] Result<std::string> describeObject(ByteView data);

} // namespace twinseal::security
