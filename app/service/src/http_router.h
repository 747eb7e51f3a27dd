// The front end's routing table: method + path pattern -> handler. A pattern is a path of
// literal segments and "{name}" captures ("/v1/transfers/{id}/accept"); the captured segments
// are handed to the handler in order. When several patterns match a path, the one with
// literals further to the left wins ("/v1/transfers/by-code" before "/v1/transfers/{id}"), and
// a path whose best pattern has no route for the method is refused with 405, not 404.
// A pattern can be reserved for one method without a handler (every /v1/auth/{step} is POST):
// another method on a path it matches is refused with 405, that method on a path no route
// names with 404. A check on a path prefix runs before the method is looked at, on every path
// under it (a file index must be a number whatever is asked of the file).
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
    // True: go on routing; false: the check has set the refusal.
    using Check = std::function<bool(Context&, const QStringList& captures)>;

    void add(const QByteArray& method, const QString& pattern, Handler handler) {
        m_routes.push_back(Route{method, pattern, segmentsOf(pattern), std::move(handler)});
    }
    // Paths matching `pattern` are for `method` only; no handler: the ones no route names are
    // not found.
    void reserve(const QByteArray& method, const QString& pattern) {
        m_routes.push_back(Route{method, pattern, segmentsOf(pattern), Handler()});
    }
    // Runs `check` on every path under `prefix` (with any tail), before the method is looked at.
    void check(const QString& prefix, Check check) {
        m_checks.push_back(PrefixCheck{segmentsOf(prefix), std::move(check)});
    }

    enum class Outcome { Found, WrongMethod, NotFound };
    struct Match {
        Outcome outcome = Outcome::NotFound;
        const Handler* handler = nullptr;
        QString pattern; // of the route found, e.g. "/v1/avatars/{id}"; empty when none
        QStringList captures;
        // The prefix check to run first, with the prefix's captures; null when none applies.
        const Check* check = nullptr;
        QStringList checkCaptures;
    };

    // `segments`: the request path's segments, percent-decoded.
    [[nodiscard]] Match route(const QByteArray& method, const QStringList& segments) const {
        Match best;
        bool matched = false;
        bool bestMethodOk = false;
        std::vector<bool> bestRank;
        for (const Route& r : m_routes) {
            std::vector<bool> rank;
            QStringList captures;
            if (!matches(r.segments, segments, false, &rank, &captures))
                continue;
            const bool methodOk = r.method == method;
            if (matched) {
                if (rank < bestRank)
                    continue;
                // Same pattern rank: a route for the method beats one without.
                if (rank == bestRank && (bestMethodOk || !methodOk))
                    continue;
            }
            matched = true;
            bestMethodOk = methodOk;
            bestRank = rank;
            const bool found = methodOk && r.handler;
            best.outcome = found ? Outcome::Found
                                 : (methodOk ? Outcome::NotFound : Outcome::WrongMethod);
            best.handler = found ? &r.handler : nullptr;
            best.captures = found ? captures : QStringList();
            best.pattern = found ? r.pattern : QString();
        }
        for (const PrefixCheck& c : m_checks) {
            std::vector<bool> rank;
            QStringList captures;
            if (matches(c.segments, segments, true, &rank, &captures)) {
                best.check = &c.check;
                best.checkCaptures = captures;
                break;
            }
        }
        return best;
    }

  private:
    struct Route {
        QByteArray method;
        QString pattern;
        QStringList segments;
        Handler handler; // empty for a reserved pattern
    };
    struct PrefixCheck {
        QStringList segments;
        Check check;
    };

    static QStringList segmentsOf(const QString& pattern) {
        return pattern.split(QLatin1Char('/'), Qt::SkipEmptyParts);
    }

    // rank: per segment, true for a literal (compared lexicographically: leftmost literal wins).
    // prefix: `segments` may go on past the pattern.
    static bool matches(const QStringList& pattern, const QStringList& segments, bool prefix,
                        std::vector<bool>* rank, QStringList* captures) {
        if (prefix ? segments.size() < pattern.size() : segments.size() != pattern.size())
            return false;
        for (qsizetype i = 0; i < pattern.size(); ++i) {
            const QString& p = pattern[i];
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
    std::vector<PrefixCheck> m_checks;
};

} // namespace twinseal::service::http
