#include "call_participants.h"

namespace twinseal::test {

using namespace twinseal::calls;

std::unique_ptr<CallDevice> makeCallDevice(HomenetServer& server, const QString& name, int number,
                                           EvidenceOptions options) {
    CallTwinOptions twin;
    twin.evidence = std::move(options);
    return makeCallTwin(server, name, number, std::move(twin));
}

CallClientOptions callClientOptions(const HomenetServer& server, const std::string& handle) {
    return roomHostOptions(server, handle);
}

std::optional<OwnEvidence> evidenceFor(EvidenceBuilder& builder, const std::string& destination) {
    return buildEvidence(builder, destination);
}

} // namespace twinseal::test
