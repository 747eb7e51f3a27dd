// Internal: the name of a CallMessage's body kind ("join_room"), for refusals and transcripts.
#pragma once

#include <string>

#include <twinseal/proto/call.pb.h>

namespace twinseal::calls {

[[nodiscard]] std::string bodyName(const proto::CallMessage& m);

} // namespace twinseal::calls
