// A call participant's device in the tests: subscriber <number> of a test home network with a
// registered twin (a copy of the sample avatar uploaded), its data directory, its unlocked
// session, its evidence builder and a peer verifier that knows its own home network and, when
// asked, other operators' (their roots in the trust directory, their home networks in the
// HomeNetworkDirectory). Shared by the calls, twinsealctl and GUI tests.
#pragma once

#include <QString>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <twinseal/calls/call_client.h>
#include <twinseal/calls/evidence_builder.h>
#include <twinseal/calls/peer_evidence_verifier.h>
#include <twinseal/security/subscriber.h>
#include <twinseal/twin/twin_session.h>
#include <twinseal/twin/twin_store.h>

#include "homenet_fixture.h"

namespace twinseal::test {

struct CallTwin {
    std::optional<TestSubscriber> subscriber;
    std::string avatarId;
    std::string dtId;
    security::Digest mediaRoot{};
    std::unique_ptr<twin::TwinStore> store;
    std::unique_ptr<twin::TwinSession> session;
    std::unique_ptr<twinseal::calls::EvidenceBuilder> builder;
    std::unique_ptr<twinseal::calls::PeerEvidenceVerifier> verifier;
};

struct CallTwinOptions {
    twinseal::calls::EvidenceOptions evidence;                   // for its evidence builder
    std::vector<security::UsimProfileData> otherHomes; // other operators its verifier trusts
};

// Subscriber imsi-00101000000<number> of `server` ("<name>.usim", its files in the server's
// scratch directory under <name>-avatar, <name>-data and <name>-cache); null (with a warning
// naming the step) when a step failed.
std::unique_ptr<CallTwin> makeCallTwin(HomenetServer& server, const QString& name, int number,
                                       CallTwinOptions options = {});

// A CallClient of `server`'s room host with handle `handle`; revocation re-checked only on the
// host's notice unless `revocationRecheckMs` is set.
twinseal::calls::CallClientOptions roomHostOptions(const HomenetServer& server, const std::string& handle,
                                         int revocationRecheckMs = 0);

// The builder's evidence for `destination`, built now; nullopt (with a warning) on failure.
std::optional<twinseal::calls::OwnEvidence> buildEvidence(twinseal::calls::EvidenceBuilder& builder, const std::string& destination);

} // namespace twinseal::test
