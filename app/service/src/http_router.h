// The front end's routing table: method + path pattern -> handler. A pattern is a path of
// literal segments and "{name}" captures ("/v1/transfers/{id}/accept"); the captured segments
// are handed to the handler in order. When several patterns match a path, the one with
// literals further to the left wins ("/v1/transfers/by-code" before "/v1/transfers/{id}"), and
// a path whose best pattern has no route for the method is refused with 405, not 404.
#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>

#include <functional>
#include <vector>

namespace twinseal::service::http {

template <typename Context> class Router {
  public:
    using Handler = std::function<void(Context&, const QStringList& captures)>;

    void add(const QByteArray& method, const QString& pattern, Handler handler) {
        QStringList segments = pattern.split(QLatin1Char('/'), Qt::SkipEmptyParts);
        m_routes.push_back(Route{method, std::move(segments), std::move(handler)});
    }

    enum class Outcome { Found, WrongMethod, NotFound };
    struct Match {
        Outcome outcome = Outcome::NotFound;
        const Handler* handler = nullptr;
        QStringList captures;
    };

    // `segments`: the request path's segments, percent-decoded.
    [[nodiscard]] Match route(const QByteArray& method, const QStringList& segments) const {
        Match best;
        std::vector<bool> bestRank;
        for (const Route& r : m_routes) {
            std::vector<bool> rank;
            QStringList captures;
            if (!matches(r, segments, &rank, &captures))
                continue;
            const bool methodOk = r.method == method;
            if (best.outcome != Outcome::NotFound) {
                if (rank < bestRank)
                    continue;
                // Same pattern rank: a route for the method beats one without.
                if (rank == bestRank && (best.outcome == Outcome::Found || !methodOk))
                    continue;
            }
            bestRank = rank;
            best.outcome = methodOk ? Outcome::Found : Outcome::WrongMethod;
            best.handler = methodOk ? &r.handler : nullptr;
            best.captures = methodOk ? captures : QStringList();
        }
        return best;
    }

  private:
    struct Route {
        QByteArray method;
        QStringList segments;
        Handler handler;
    };

    // rank: per segment, true for a literal (compared lexicographically: leftmost literal wins).
    static bool matches(const Route& r, const QStringList& segments, std::vector<bool>* rank,
                        QStringList* captures) {
        if (r.segments.size() != segments.size())
            return false;
        for (qsizetype i = 0; i < segments.size(); ++i) {
            const QString& p = r.segments[i];
            const bool capture = p.startsWith(QLatin1Char('{')) && p.endsWith(QLatin1Char('}'));
            if (capture) {
                captures->append(segments[i]);
            } else if (p != segments[i]) {
                return false;
            }
            rank->push_back(!capture);
        }
        return true;
    }

    std::vector<Route> m_routes;
};

} // namespace twinseal::service::http
