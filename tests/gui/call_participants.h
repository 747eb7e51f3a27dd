// Call participants for the GUI tests of the Calls page: registered twins of a test home
// network with their avatar uploaded, each with its store, unlocked session, evidence builder
// and peer verifier (the shared CallTwin, tests/support/call_twin.h), that join a room through
// the call library's CallClient (a participant as another client is) or send their own
// messages through a raw WebSocket (CallWsClient) to present evidence the GUI must refuse.
#pragma once

#include <QString>

#include <memory>
#include <optional>
#include <string>

#include <twinseal/calls/call_client.h>
#include <twinseal/calls/evidence_builder.h>

#include "call_twin.h"
#include "homenet_fixture.h"

namespace twinseal::test {

// subscriber, store, session, builder, verifier, avatarId, dtId (and mediaRoot).
using CallDevice = CallTwin;

// Subscriber imsi-00101000000<number> of `server` with a registered twin and its avatar
// uploaded; null (with a warning) when a step failed.
std::unique_ptr<CallDevice> makeCallDevice(HomenetServer& server, const QString& name, int number,
                                           calls::EvidenceOptions options = {});

// The room host of `server` for a CallClient of handle `handle`.
calls::CallClientOptions callClientOptions(const HomenetServer& server, const std::string& handle);

// The device's evidence for `destination`, built now; nullopt (with a warning) on failure.
std::optional<calls::OwnEvidence> evidenceFor(calls::EvidenceBuilder& builder, const std::string& destination);

} // namespace twinseal::test
