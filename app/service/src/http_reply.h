// What the HTTPS front end answers: a Protobuf message (binary or its JSON mapping), a stored
// signed envelope, a refusal (twinseal.proto.ErrorResponse) or a streamed body.
#pragma once

#include <QByteArray>
#include <QIODevice>

#include <memory>
#include <string>

#include <google/protobuf/message.h>

#include "twinseal/service/service_error.h"

namespace twinseal::service::http {

inline constexpr char kProtobuf[] = "application/x-protobuf";
inline constexpr char kJson[] = "application/json";
inline constexpr char kOctets[] = "application/octet-stream";

struct Reply {
    int status = 200;
    QByteArray contentType;
    QByteArray body;
    std::string code; // reason code of a refusal, for the log
    QByteArray cacheControl = QByteArrayLiteral("no-store");
    QByteArray etag; // an entity tag (sent as ETag) when not empty
    QByteArray retryAfter; // seconds (sent as Retry-After) when not empty
    std::unique_ptr<QIODevice> stream;
};

[[nodiscard]] Reply encode(const google::protobuf::Message& m, bool json, int status = 200);
[[nodiscard]] Reply refuse(const ServiceError& e, bool json);

template <typename T> [[nodiscard]] Reply replyOf(ServiceResult<T>&& result, bool json) {
    if (!result.ok())
        return refuse(result.error(), json);
    return encode(result.value(), json);
}

// A stored signed envelope (proto::Signed), sent as it is stored; in the JSON mapping its
// bytes fields (the signed body, the signature) are base64, so a reader re-encodes exactly the
// signed bytes.
[[nodiscard]] Reply signedReply(ServiceResult<QByteArray>&& result, bool json);

} // namespace twinseal::service::http
