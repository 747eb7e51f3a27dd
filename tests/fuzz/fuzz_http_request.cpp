// What the service front end reads from an HTTP request itself. The HTTP/1.1 framing (request
// line, headers, body length) is parsed inside QtHttpServer, whose request type cannot be built
// from bytes outside it; the front end's own parsing starts at the fields it hands over: the
// Authorization header (AkmaAuthorization::parse), the request target (split into
// percent-decoded path segments and a query as http_exchange.cpp does) and the routing table
// (http_router.h). The input is "header value LF request target LF method".
#include <QByteArray>
#include <QString>
#include <QStringList>
#include <QUrl>
#include <QUrlQuery>

#include <twinseal/security/request_auth.h>

#include "fuzz_support.h"
#include "http_router.h"

namespace {

using namespace twinseal;

struct NoContext {};
using Routes = service::http::Router<NoContext>;

// A table with the shapes of the service's routes: literals, captures, a reserved pattern and a
// prefix check.
const Routes& routes() {
    static const Routes table = [] {
        Routes r;
        const auto none = [](NoContext&, const QStringList&) {};
        r.reserve("POST", QStringLiteral("/v1/auth/{step}"));
        r.add("POST", QStringLiteral("/v1/auth/start"), none);
        r.add("GET", QStringLiteral("/v1/dt"), none);
        r.add("POST", QStringLiteral("/v1/dt/register"), none);
        r.add("GET", QStringLiteral("/v1/dt/{id}/history"), none);
        r.add("GET", QStringLiteral("/v1/transfers/{id}"), none);
        r.add("POST", QStringLiteral("/v1/transfers/by-code"), none);
        r.add("POST", QStringLiteral("/v1/transfers/{id}/accept"), none);
        r.add("PUT", QStringLiteral("/v1/avatars/{id}/files/{index}/chunks/{chunk}"), none);
        r.check(QStringLiteral("/v1/avatars/{id}/files/{index}"),
                [](NoContext&, const QStringList&) { return true; });
        return r;
    }();
    return table;
}

} // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    const QByteArray input(reinterpret_cast<const char*>(data), static_cast<qsizetype>(size));
    const QList<QByteArray> parts = input.split('\n');

    const QByteArray authorization = parts.value(0);
    auto auth = security::AkmaAuthorization::parse(
        std::string_view(authorization.constData(), static_cast<std::size_t>(authorization.size())));
    if (auth.ok()) {
        auto again = security::AkmaAuthorization::parse(auth->format());
        fuzz::require(again.ok() && again->aKid == auth->aKid && again->mac == auth->mac &&
                          again->nonce == auth->nonce && again->timestamp == auth->timestamp,
                      "an Authorization header survives format and parse");
    }

    // The request target, as http_exchange.cpp takes it apart.
    const QUrl url(QString::fromUtf8(parts.value(1)));
    const QString path = url.path(QUrl::FullyEncoded);
    QStringList segments = path.split(QLatin1Char('/'));
    if (!segments.isEmpty() && segments.first().isEmpty())
        segments.removeFirst();
    for (QString& seg : segments)
        seg = QUrl::fromPercentEncoding(seg.toUtf8());
    const QUrlQuery query(url);
    (void)query.queryItems();

    const Routes::Match match = routes().route(parts.value(2), segments);
    fuzz::require(match.outcome != Routes::Outcome::Found || match.handler != nullptr,
                  "a found route has its handler");
    return 0;
}
