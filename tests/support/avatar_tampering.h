// Alters an avatar where its home network keeps it: one bit of the first chunk of the package's
// first file, in the service's database (the service stopped meanwhile), so a peer that fetches
// the avatar receives bytes that do not match the certified media root.
#pragma once

#include <twinseal/security/bytes.h>

#include "homenet_fixture.h"

namespace twinseal::test {

// Flips one bit in the middle of chunk 0 of file 0 of the avatar `mediaRoot` in `server`'s
// database. Call it with the server stopped and restart it afterwards. Returns the number of
// chunks changed (1 when done; 0 when the avatar is not there).
int alterAvatarChunk(HomenetServer& server, const security::Digest& mediaRoot);

} // namespace twinseal::test
