#include "http_reply.h"

#include <google/protobuf/util/json_util.h>
#include <twinseal/proto/codec.h>

#include <twinseal/proto/homenet.pb.h>
#include <twinseal/proto/twinseal.pb.h>

namespace twinseal::service::http {

Reply encode(const google::protobuf::Message& m, bool json, int status) {
    Reply r;
    r.status = status;
    if (json) {
        std::string out;
        google::protobuf::util::JsonPrintOptions o;
        o.preserve_proto_field_names = true;
        (void)google::protobuf::util::MessageToJsonString(m, &out, o);
        r.contentType = kJson;
        r.body = QByteArray::fromStdString(out);
    } else {
        r.contentType = kProtobuf;
        r.body = proto::serialize<QByteArray>(m);
    }
    return r;
}

Reply refuse(const ServiceError& e, bool json) {
    proto::ErrorResponse er;
    er.set_code(e.code);
    er.set_message(e.message);
    Reply r = encode(er, json, e.httpStatus);
    r.code = e.code;
    if (e.retryAfter > 0)
        r.retryAfter = QByteArray::number(e.retryAfter);
    return r;
}

Reply signedReply(ServiceResult<QByteArray>&& result, bool json) {
    if (!result.ok())
        return refuse(result.error(), json);
    if (json) {
        proto::Signed envelope;
        if (!proto::parseMessage(
                security::ByteView(reinterpret_cast<const std::uint8_t*>(result->constData()),
                                   static_cast<std::size_t>(result->size())),
                envelope))
            return refuse(serviceError(500, "internal", "a stored signed object does not parse"),
                          json);
        return encode(envelope, json);
    }
    Reply r;
    r.contentType = kProtobuf;
    r.body = std::move(result).value();
    return r;
}

} // namespace twinseal::service::http
