// twinseal-homenet's configuration: an INI file ([service] section) overridden by flags.
#pragma once

#include <QHostAddress>
#include <QString>
#include <QStringList>

#include <cstdint>

namespace twinseal::service {

// The longest delay before the owner of a DT is shown a lawful disclosure about it: 366 days.
inline constexpr qint64 kMaxDisclosureDelay = 366LL * 24 * 3600;

struct ServiceConfig {
    QString dataDir;                 // keys/, the SQLite database and the passphrase live here
    QString listenAddress = QStringLiteral("127.0.0.1");
    quint16 port = 8443;             // 0: any free port (the chosen one is logged)
    QString database;                // empty: SQLite in dataDir; "postgresql://user@host:port/db"
    QString publicUrl;               // https://host:port the subscribers use; default from listen
    QString passphraseFile;          // the passphrase that unlocks the operator keys
    qint64 maxBodyBytes = qint64{8} * 1024 * 1024;
    qint64 maxAvatarBytes = 512LL * 1024 * 1024;
    double rateLimit = 50.0;         // requests per second per client address; 0 disables
    double rateBurst = 200.0;
    // Behind a TCP balancer (HAProxy `send-proxy-v2`): every connection starts with a PROXY
    // protocol v2 header naming the client, accepted only from `proxyProtocolFrom` (addresses
    // and CIDR subnets, comma-separated); per-client limits and the log then see the client.
    bool proxyProtocol = false;
    QString proxyProtocolFrom = QStringLiteral("127.0.0.1, ::1");
    int challengeTtl = 120;          // seconds an AKA challenge stays answerable
    // /v1/auth/start per subscriber (SUPI) and per source address: a burst, then so many a
    // minute; over it, 429 auth-start-rate-limited with Retry-After. 0 a minute disables (and
    // rateLimit 0 disables the per-source one with the other per-address limits).
    double authStartBurst = 10.0;
    double authStartPerMinute = 6.0;
    double authStartSourceBurst = 30.0;
    double authStartSourcePerMinute = 30.0;
    int akmaKeyTtl = 3600;           // seconds a K_AF stays valid
    int credentialValidityDays = 365;
    int statusListTtl = 300;         // caching hint for verifiers, seconds
    // FULL: a committed nonce, SQN or log entry whose head was handed out survives a power loss.
    QString sqliteSynchronous = QStringLiteral("FULL"); // or NORMAL
    // Seconds a request may wait for a database lock (the write lock another instance or session
    // holds) and run one statement before it fails with 503 storage-unavailable; 0: no limit.
    double databaseLockTimeout = 5.0;
    double databaseStatementTimeout = 30.0;
    QString logLevel = QStringLiteral("info");            // debug, info, warning, error
    // Metrics in the Prometheus text format at http://ADDRESS:PORT/metrics ("127.0.0.1:9464",
    // "[::1]:9464"; port 0 picks one); empty: off. Plain HTTP: keep it on a private address.
    QString metricsListen;
    // Anomaly detection (anomaly_monitor.h): events counted in a sliding window of alertWindow
    // seconds; reaching a threshold raises an alert (0 switches a pattern off). A subscriber
    // over the AKA-failure or auth-start threshold is refused new starts for subscriberBackoff s.
    int alertWindow = 60;
    double alertAkaFailuresPerSubscriber = 5;
    double alertAkaFailures = 50;
    double alertSuciFailuresPerSource = 10;
    double alertSuciFailures = 50;
    double alertAuthStartsPerSubscriber = 20;
    double alertRegistrations = 200;
    double alertStatusFetchesPerSource = 300;
    double alertReplaysPerSource = 5;
    int subscriberBackoff = 300;
    // Seconds after a lawful disclosure is recorded before its owner is shown it (the
    // transparency log commits to it at once); `disclosure record --delay` overrides it per
    // disclosure. 0: at once; at most kMaxDisclosureDelay.
    qint64 disclosureDelay = 0;

    // Calls (/v1/ws): PEM files of other operators' roots whose subscribers may join rooms here
    // (this operator's own root is always trusted), and the room host's limits.
    QStringList callTrustRoots;
    int callRingTimeout = 30;        // seconds an invitation rings before "timeout"
    int callRejoinGrace = 30;        // seconds a dropped participant's seat is kept
    int callRoomIdle = 600;          // seconds an empty room is kept
    int callMaxParticipants = 16;    // per room (a policy may ask for fewer)
    int callMaxRooms = 1000;
    qint64 callMaxMessageBytes = qint64{64} * 1024;    // one WebSocket message
    qint64 callMaxQueueBytes = qint64{1024} * 1024;    // unsent bytes per receiver before it is dropped
    double callSignalRate = 20.0;    // signalling messages per second per connection
    double callSignalBurst = 60.0;
    double callFrameRate = 400.0;    // relayed frames per second per connection
    double callFrameBurst = 800.0;

    // Reads [service] keys from an INI file; unknown keys are errors (typos must not pass).
    [[nodiscard]] bool loadFile(const QString& path, QString* error);
    [[nodiscard]] QString effectivePublicUrl(quint16 boundPort) const;
    [[nodiscard]] QString databaseDescription() const;
};

// `metrics-listen`: ADDRESS:PORT (IPv6 in brackets); false with `why` when it is not one.
[[nodiscard]] bool parseMetricsListen(const QString& text, QHostAddress* address, quint16* port,
                                      QString* why);

} // namespace twinseal::service
