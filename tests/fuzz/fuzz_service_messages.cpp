// Every Protobuf message the home-network service accepts (and the replies its client parses),
// in both encodings the service reads: binary Protobuf and Protobuf's JSON mapping (the front
// end decodes a JSON body with JsonStringToMessage and default options). The first byte picks
// the message (low 5 bits) and the encoding (bit 7); the rest is the body. The signed envelopes
// the service takes as bodies (registration, transfer offer and acceptance, credentials) go
// through their security/ parsers.
#include <google/protobuf/message.h>
#include <google/protobuf/util/json_util.h>

#include <memory>
#include <string>

#include <twinseal/proto/call.pb.h>
#include <twinseal/proto/codec.h>
#include <twinseal/proto/homenet.pb.h>
#include <twinseal/proto/twinseal.pb.h>
#include <twinseal/security/credential.h>
#include <twinseal/security/registration.h>
#include <twinseal/security/transfer.h>

#include "fuzz_support.h"

namespace {

using namespace twinseal;

std::unique_ptr<google::protobuf::Message> messageFor(unsigned which) {
    switch (which) {
    // Requests the service decodes (http_routes.cpp, call_connection.cpp).
    case 0: return std::make_unique<proto::AuthStartRequest>();
    case 1: return std::make_unique<proto::AuthResyncRequest>();
    case 2: return std::make_unique<proto::AuthFinishRequest>();
    case 3: return std::make_unique<proto::RevokeRequest>();
    case 4: return std::make_unique<proto::TransferCodeRequest>();
    case 5: return std::make_unique<proto::TransferAcceptRequest>();
    case 6: return std::make_unique<proto::GrantRequest>();
    case 7: return std::make_unique<proto::CallMessage>();
    case 8: return std::make_unique<proto::Signed>();
    // Replies the client decodes.
    case 9: return std::make_unique<proto::AuthChallenge>();
    case 10: return std::make_unique<proto::AuthResult>();
    case 11: return std::make_unique<proto::RegistrationResponse>();
    case 12: return std::make_unique<proto::DtList>();
    case 13: return std::make_unique<proto::TransferList>();
    case 14: return std::make_unique<proto::TransferResult>();
    case 15: return std::make_unique<proto::LogInclusionResponse>();
    case 16: return std::make_unique<proto::ServiceInfo>();
    case 17: return std::make_unique<proto::AvatarInfo>();
    case 18: return std::make_unique<proto::AccessGrant>();
    case 19: return std::make_unique<proto::LawfulDisclosureList>();
    case 20: return std::make_unique<proto::ErrorResponse>();
    case 21: return std::make_unique<proto::DtHistory>();
    case 22: return std::make_unique<proto::ConsistencyProof>();
    // Both ways: the activity-log anchor mirror (PUT and GET /v1/audit/anchors/{id}).
    case 23: return std::make_unique<proto::AuditAnchorMirror>();
    // Inside a listed lawful disclosure: the statement its log entry commits to.
    case 28: return std::make_unique<proto::LawfulDisclosureStatement>();
    default: return nullptr;
    }
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size == 0)
        return 0;
    const unsigned which = data[0] & 0x1fu;
    const bool json = (data[0] & 0x80u) != 0;
    const security::ByteView body = fuzz::bytesOf(data + 1, size - 1);

    switch (which) {
    case 24: (void)security::parseRegistration(body, 1'800'000'000); return 0;
    case 25: (void)security::parseTransferOffer(body); return 0;
    case 26: (void)security::parseTransferAcceptance(body); return 0;
    case 27: (void)security::parseCredential(body); return 0;
    default: break;
    }
    std::unique_ptr<google::protobuf::Message> m = messageFor(which);
    if (!m)
        return 0;
    bool ok;
    if (json) {
        google::protobuf::util::JsonParseOptions options;
        ok = google::protobuf::util::JsonStringToMessage(std::string(fuzz::textOf(data + 1, size - 1)),
                                                         m.get(), options)
                 .ok();
    } else {
        ok = proto::parseMessage(body, *m);
    }
    if (!ok)
        return 0;
    // What the service sends back is built from what it read: both encodings must work.
    const std::string binary = proto::serialize<std::string>(*m);
    std::unique_ptr<google::protobuf::Message> again(m->New());
    fuzz::require(proto::parseMessage(security::view(binary), *again),
                  "a parsed message survives serialization");
    std::string text;
    (void)google::protobuf::util::MessageToJsonString(*m, &text);
    return 0;
}
