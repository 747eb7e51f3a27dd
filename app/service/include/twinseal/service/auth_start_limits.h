// Rate limits on starting 5G-AKA (/v1/auth/start), which anyone may call: a token bucket per
// subscriber (keyed by the de-concealed SUPI, known or not, so that the limit itself does not
// tell whether a SUPI is subscribed) and one per source address. A start over either limit is
// refused before any authentication vector is generated, with the seconds after which the
// bucket holds a token again (sent as Retry-After).
#pragma once

#include <QByteArray>
#include <QHash>

#include <cstddef>
#include <list>
#include <optional>

namespace twinseal::service {

class TokenBuckets {
  public:
    // `burst` starts at once, refilled at `perMinute` a minute; perMinute <= 0 disables.
    // At most `maxKeys` keys are remembered (the least recently used are forgotten first).
    TokenBuckets(double burst, double perMinute, std::size_t maxKeys = 100000);

    // Takes a token for `key` at time `now` (seconds): nullopt when taken, else the whole
    // seconds (>= 1) until one is available.
    [[nodiscard]] std::optional<qint64> take(const QByteArray& key, qint64 now);

  private:
    struct Bucket {
        QByteArray key;
        double tokens;
        qint64 last;
    };
    double m_burst, m_perMinute;
    std::size_t m_maxKeys;
    std::list<Bucket> m_recent; // most recently used first
    QHash<QByteArray, std::list<Bucket>::iterator> m_index;
};

} // namespace twinseal::service
