// The bundled sample avatar is a template: every twin certifies a copy of its own. A home
// network certifies one media root to one subscriber's active twin at a time (it refuses a copy
// of a certified avatar as media-root-certified-elsewhere), so the sample itself could be
// certified only once per operator. The copy, in the data directory, differs from the sample by
// a random `instance` field in its avatar.json: another media root, the same model and metadata.
#pragma once

#include <QString>

#include <twinseal/security/result.h>

namespace twinseal::twin {

class TwinStore;

// The data directory's own copy of the sample avatar at `sampleDir` (layout::kSampleAvatarDir):
// made on first use (the copy assembled beside it and renamed into place), then kept, so the
// twin's avatar stays the same across restarts. IoError when the sample cannot be read or the
// copy cannot be written.
[[nodiscard]] security::Result<QString> ownSampleAvatar(const TwinStore& store,
                                                        const QString& sampleDir);

} // namespace twinseal::twin
