// Helpers shared by the home-network service's sources (private to app/service).
#pragma once

#include <cstdint>

#include <QByteArray>
#include <QString>
#include <QUuid>

#include <algorithm>
#include <string>
#include <vector>

#include <twinseal/proto/homenet.pb.h>
#include <twinseal/security/credential.h>

#include "twinseal/service/service_error.h"
#include "twinseal/service/store.h"

namespace twinseal::service::util {

inline constexpr std::int64_t kDay = 86400; // seconds

inline QByteArray qb(security::ByteView b) {
    return QByteArray(reinterpret_cast<const char*>(b.data()), static_cast<qsizetype>(b.size()));
}
inline QByteArray qb(const std::string& s) {
    return QByteArray(s.data(), static_cast<qsizetype>(s.size()));
}
inline security::ByteView bv(const QByteArray& b) {
    return security::ByteView(reinterpret_cast<const std::uint8_t*>(b.constData()),
                              static_cast<std::size_t>(b.size()));
}
inline std::string str(const QByteArray& b) {
    return std::string(b.constData(), static_cast<std::size_t>(b.size()));
}
inline security::Digest digestOf(const QByteArray& b) {
    security::Digest d{};
    if (b.size() == static_cast<qsizetype>(d.size()))
        std::copy(b.begin(), b.end(), d.begin());
    return d;
}

inline ServiceError badRequest(std::string code, std::string message) {
    return serviceError(400, std::move(code), std::move(message));
}

inline ServiceError notAuthenticated(const char* what) {
    return serviceError(401, "not-authenticated",
                        std::string(what) +
                            " needs an authenticated subscriber: authenticate first");
}

inline void fillDtInfo(const DtRecord& d, proto::DtInfo* i) {
    i->set_dt_id(d.dtId.toStdString());
    i->set_avatar_id(d.avatarId.toStdString());
    i->set_state(d.state.toStdString());
    i->set_credential(str(d.credential));
    i->set_status_list_index(d.statusIndex);
    i->set_log_index(d.logIndex);
    i->set_created_at(d.createdAt);
    i->set_updated_at(d.updatedAt);
    i->set_media_root(str(d.mediaRoot));
    i->set_generation(static_cast<std::uint32_t>(d.generation));
    i->set_revocation_reason(d.revocationReason.toStdString());
}

inline QString newId(const char* prefix) {
    return QString::fromLatin1(prefix) + QUuid::createUuid().toString(QUuid::WithoutBraces);
}

// RFC 4648 base32 of the leading 5*chars bits of `bytes`.
inline std::string base32(security::ByteView bytes, std::size_t chars, bool upper) {
    static constexpr char kLower[] = "abcdefghijklmnopqrstuvwxyz234567";
    static constexpr char kUpper[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
    const char* alphabet = upper ? kUpper : kLower;
    std::string out;
    out.reserve(chars);
    std::uint32_t buffer = 0;
    int bits = 0;
    std::size_t i = 0;
    while (out.size() < chars) {
        if (bits < 5) {
            buffer = (buffer << 8) | (i < bytes.size() ? bytes[i] : 0u);
            ++i;
            bits += 8;
        }
        out.push_back(alphabet[(buffer >> (bits - 5)) & 31u]);
        bits -= 5;
    }
    return out;
}

} // namespace twinseal::service::util
