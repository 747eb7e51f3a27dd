// The PROXY protocol v2 header a balancer sends before TLS (app/service/src/proxy_protocol.cpp),
// on any bytes: parseProxyHeader never reads past what it is given, a complete header's length
// lies within the input and the accepted maximum, and the parse depends only on the header's own
// bytes (the header alone parses the same; one byte less is incomplete). The same checks run with
// the input behind a valid signature, so the version, command, family and address paths are
// reached from the first runs.
#include <QByteArray>

#include <twinseal/service/proxy_protocol.h>

#include "fuzz_support.h"

namespace {

using namespace twinseal;
using service::ProxyHeader;

void check(const QByteArray& bytes) {
    const ProxyHeader h = service::parseProxyHeader(bytes);
    if (h.state == ProxyHeader::State::Invalid) {
        fuzz::require(h.reason.rfind("proxy-header-", 0) == 0, "a refusal names its reason");
        return;
    }
    if (h.state == ProxyHeader::State::Incomplete) {
        fuzz::require(bytes.size() < service::kMaxProxyHeader, "only a short input is incomplete");
        return;
    }
    fuzz::require(h.length >= 16 && h.length <= bytes.size() &&
                      h.length <= service::kMaxProxyHeader,
                  "a complete header lies within the input and the maximum");
    const ProxyHeader alone = service::parseProxyHeader(bytes.left(h.length));
    fuzz::require(alone.state == ProxyHeader::State::Complete && alone.length == h.length &&
                      alone.source == h.source && alone.sourcePort == h.sourcePort,
                  "the header alone parses the same");
    fuzz::require(service::parseProxyHeader(bytes.left(h.length - 1)).state ==
                      ProxyHeader::State::Incomplete,
                  "one byte less is incomplete");
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const QByteArray bytes(reinterpret_cast<const char*>(data), static_cast<qsizetype>(size));
    check(bytes);
    check(QByteArray("\r\n\r\n\0\r\nQUIT\n", 12) + bytes);
    return 0;
}
