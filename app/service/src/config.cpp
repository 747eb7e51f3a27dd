#include "twinseal/service/config.h"

#include "twinseal/service/proxy_protocol.h"

#include <QFileInfo>
#include <QHostAddress>
#include <QSettings>

namespace twinseal::service {

bool ServiceConfig::loadFile(const QString& path, QString* error) {
    if (!QFileInfo(path).isReadable()) {
        *error = QStringLiteral("cannot read the configuration file %1").arg(path);
        return false;
    }
    QSettings ini(path, QSettings::IniFormat);
    if (ini.status() != QSettings::NoError) {
        *error = QStringLiteral("%1 is not a valid INI file").arg(path);
        return false;
    }
    static const QStringList known = {
        QStringLiteral("data-dir"),        QStringLiteral("listen"),
        QStringLiteral("port"),            QStringLiteral("database"),
        QStringLiteral("public-url"),      QStringLiteral("passphrase-file"),
        QStringLiteral("max-body-bytes"),  QStringLiteral("max-avatar-bytes"),
        QStringLiteral("rate-limit"),      QStringLiteral("rate-burst"),
        QStringLiteral("challenge-ttl"),   QStringLiteral("akma-key-ttl"),
        QStringLiteral("auth-start-burst"), QStringLiteral("auth-start-per-minute"),
        QStringLiteral("auth-start-source-burst"), QStringLiteral("auth-start-source-per-minute"),
        QStringLiteral("credential-days"), QStringLiteral("status-list-ttl"),
        QStringLiteral("sqlite-synchronous"), QStringLiteral("log-level"),
        QStringLiteral("trust-root"),      QStringLiteral("call-ring-timeout"),
        QStringLiteral("call-rejoin-grace"), QStringLiteral("call-room-idle"),
        QStringLiteral("call-max-participants"), QStringLiteral("call-max-rooms"),
        QStringLiteral("call-max-message-bytes"), QStringLiteral("call-max-queue-bytes"),
        QStringLiteral("call-signal-rate"), QStringLiteral("call-signal-burst"),
        QStringLiteral("call-frame-rate"), QStringLiteral("call-frame-burst"),
        QStringLiteral("disclosure-delay"), QStringLiteral("database-lock-timeout"),
        QStringLiteral("database-statement-timeout"), QStringLiteral("proxy-protocol"),
        QStringLiteral("proxy-protocol-from"), QStringLiteral("metrics-listen"),
        QStringLiteral("alert-window"), QStringLiteral("alert-aka-failures-per-subscriber"),
        QStringLiteral("alert-aka-failures"), QStringLiteral("alert-suci-failures-per-source"),
        QStringLiteral("alert-suci-failures"), QStringLiteral("alert-auth-starts-per-subscriber"),
        QStringLiteral("alert-registrations"), QStringLiteral("alert-status-fetches-per-source"),
        QStringLiteral("alert-replays-per-source"), QStringLiteral("subscriber-backoff")};
    for (const QString& key : ini.allKeys()) {
        const QString bare = key.startsWith(QLatin1String("service/")) ? key.mid(8) : key;
        if (!key.startsWith(QLatin1String("service/")) || !known.contains(bare)) {
            *error = QStringLiteral("%1: unknown setting '%2' (settings live in [service]: %3)")
                         .arg(path, key, known.join(QStringLiteral(", ")));
            return false;
        }
    }
    ini.beginGroup(QStringLiteral("service"));
    bool ok = true;
    auto num = [&](const char* key, auto current) {
        using T = decltype(current);
        if (!ini.contains(QLatin1String(key)))
            return current;
        bool good = false;
        const double v = ini.value(QLatin1String(key)).toString().toDouble(&good);
        if (!good || v < 0) {
            *error = QStringLiteral("%1: '%2' must be a non-negative number").arg(path, QLatin1String(key));
            ok = false;
            return current;
        }
        return static_cast<T>(v);
    };
    dataDir = ini.value(QStringLiteral("data-dir"), dataDir).toString();
    listenAddress = ini.value(QStringLiteral("listen"), listenAddress).toString();
    port = num("port", port);
    database = ini.value(QStringLiteral("database"), database).toString();
    publicUrl = ini.value(QStringLiteral("public-url"), publicUrl).toString();
    passphraseFile = ini.value(QStringLiteral("passphrase-file"), passphraseFile).toString();
    maxBodyBytes = num("max-body-bytes", maxBodyBytes);
    maxAvatarBytes = num("max-avatar-bytes", maxAvatarBytes);
    rateLimit = num("rate-limit", rateLimit);
    rateBurst = num("rate-burst", rateBurst);
    if (ini.contains(QStringLiteral("proxy-protocol"))) {
        const QString v = ini.value(QStringLiteral("proxy-protocol")).toString().toLower();
        if (v == QLatin1String("true") || v == QLatin1String("on") || v == QLatin1String("v2"))
            proxyProtocol = true;
        else if (v == QLatin1String("false") || v == QLatin1String("off"))
            proxyProtocol = false;
        else {
            *error = QStringLiteral("%1: 'proxy-protocol' is on (v2) or off").arg(path);
            ok = false;
        }
    }
    if (ini.contains(QStringLiteral("proxy-protocol-from"))) {
        const QVariant v = ini.value(QStringLiteral("proxy-protocol-from"));
        proxyProtocolFrom = v.typeId() == QMetaType::QStringList ? v.toStringList().join(QLatin1Char(','))
                                                                 : v.toString();
        QString why;
        if (!parseProxySources(proxyProtocolFrom, &why)) {
            *error = QStringLiteral("%1: 'proxy-protocol-from': %2").arg(path, why);
            ok = false;
        }
    }
    challengeTtl = num("challenge-ttl", challengeTtl);
    authStartBurst = num("auth-start-burst", authStartBurst);
    authStartPerMinute = num("auth-start-per-minute", authStartPerMinute);
    authStartSourceBurst = num("auth-start-source-burst", authStartSourceBurst);
    authStartSourcePerMinute = num("auth-start-source-per-minute", authStartSourcePerMinute);
    akmaKeyTtl = num("akma-key-ttl", akmaKeyTtl);
    credentialValidityDays = num("credential-days", credentialValidityDays);
    statusListTtl = num("status-list-ttl", statusListTtl);
    sqliteSynchronous = ini.value(QStringLiteral("sqlite-synchronous"), sqliteSynchronous).toString();
    databaseLockTimeout = num("database-lock-timeout", databaseLockTimeout);
    databaseStatementTimeout = num("database-statement-timeout", databaseStatementTimeout);
    logLevel = ini.value(QStringLiteral("log-level"), logLevel).toString();
    metricsListen = ini.value(QStringLiteral("metrics-listen"), metricsListen).toString().trimmed();
    if (QString why; !metricsListen.isEmpty() && !parseMetricsListen(metricsListen, nullptr, nullptr, &why)) {
        *error = QStringLiteral("%1: 'metrics-listen': %2").arg(path, why);
        ok = false;
    }
    alertWindow = num("alert-window", alertWindow);
    if (ok && alertWindow < 1) {
        *error = QStringLiteral("%1: 'alert-window' is at least 1 second").arg(path);
        ok = false;
    }
    alertAkaFailuresPerSubscriber = num("alert-aka-failures-per-subscriber", alertAkaFailuresPerSubscriber);
    alertAkaFailures = num("alert-aka-failures", alertAkaFailures);
    alertSuciFailuresPerSource = num("alert-suci-failures-per-source", alertSuciFailuresPerSource);
    alertSuciFailures = num("alert-suci-failures", alertSuciFailures);
    alertAuthStartsPerSubscriber = num("alert-auth-starts-per-subscriber", alertAuthStartsPerSubscriber);
    alertRegistrations = num("alert-registrations", alertRegistrations);
    alertStatusFetchesPerSource = num("alert-status-fetches-per-source", alertStatusFetchesPerSource);
    alertReplaysPerSource = num("alert-replays-per-source", alertReplaysPerSource);
    subscriberBackoff = num("subscriber-backoff", subscriberBackoff);
    if (ini.contains(QStringLiteral("trust-root")))
        callTrustRoots = ini.value(QStringLiteral("trust-root")).toStringList();
    callRingTimeout = num("call-ring-timeout", callRingTimeout);
    callRejoinGrace = num("call-rejoin-grace", callRejoinGrace);
    callRoomIdle = num("call-room-idle", callRoomIdle);
    callMaxParticipants = num("call-max-participants", callMaxParticipants);
    callMaxRooms = num("call-max-rooms", callMaxRooms);
    callMaxMessageBytes = num("call-max-message-bytes", callMaxMessageBytes);
    callMaxQueueBytes = num("call-max-queue-bytes", callMaxQueueBytes);
    callSignalRate = num("call-signal-rate", callSignalRate);
    callSignalBurst = num("call-signal-burst", callSignalBurst);
    callFrameRate = num("call-frame-rate", callFrameRate);
    callFrameBurst = num("call-frame-burst", callFrameBurst);
    disclosureDelay = num("disclosure-delay", disclosureDelay);
    if (ok && disclosureDelay > kMaxDisclosureDelay) {
        *error = QStringLiteral("%1: 'disclosure-delay' is at most %2 seconds (366 days)")
                     .arg(path)
                     .arg(kMaxDisclosureDelay);
        ok = false;
    }
    return ok;
}

bool parseMetricsListen(const QString& text, QHostAddress* address, quint16* port, QString* why) {
    const qsizetype colon = text.lastIndexOf(QLatin1Char(':'));
    QString host = text.left(colon);
    if (host.startsWith(QLatin1Char('[')) && host.endsWith(QLatin1Char(']')))
        host = host.mid(1, host.size() - 2);
    bool good = false;
    const uint p = colon < 0 ? 0 : text.mid(colon + 1).toUInt(&good);
    const QHostAddress a(host);
    if (colon < 0 || !good || p > 65535 || a.isNull()) {
        *why = QStringLiteral("'%1' is not ADDRESS:PORT (e.g. 127.0.0.1:9464 or [::1]:9464)").arg(text);
        return false;
    }
    if (address != nullptr)
        *address = a;
    if (port != nullptr)
        *port = static_cast<quint16>(p);
    return true;
}

QString ServiceConfig::effectivePublicUrl(quint16 boundPort) const {
    if (!publicUrl.isEmpty())
        return publicUrl;
    QString host = listenAddress;
    if (host == QLatin1String("0.0.0.0") || host == QLatin1String("::") ||
        host == QLatin1String("127.0.0.1") || host.isEmpty())
        host = QStringLiteral("localhost");
    return QStringLiteral("https://%1:%2").arg(host).arg(boundPort);
}

QString ServiceConfig::databaseDescription() const {
    if (database.isEmpty())
        return QStringLiteral("sqlite");
    if (database.startsWith(QLatin1String("sqlite:")))
        return QStringLiteral("sqlite");
    return QStringLiteral("postgresql");
}

} // namespace twinseal::service
