#include "twinseal/service/service_log.h"

#include <QDateTime>
#include <QJsonDocument>

#include <atomic>
#include <cstdio>

namespace twinseal::service {
namespace {
std::atomic<int> g_level{static_cast<int>(LogLevel::Info)};
const char* name(LogLevel l) {
    switch (l) {
    case LogLevel::Debug: return "debug";
    case LogLevel::Info: return "info";
    case LogLevel::Warning: return "warning";
    case LogLevel::Error: return "error";
    }
    return "info";
}
} // namespace

void setLogLevel(LogLevel level) { g_level = static_cast<int>(level); }

bool parseLogLevel(const QString& text, LogLevel* out) {
    for (LogLevel l : {LogLevel::Debug, LogLevel::Info, LogLevel::Warning, LogLevel::Error}) {
        if (text == QLatin1String(name(l))) {
            *out = l;
            return true;
        }
    }
    return false;
}

namespace {
void writeLine(LogLevel level, const char* event, QJsonObject fields) {
    fields.insert(QStringLiteral("ts"),
                  QDateTime::currentDateTimeUtc().toString(Qt::ISODateWithMs));
    fields.insert(QStringLiteral("level"), QLatin1String(name(level)));
    fields.insert(QStringLiteral("event"), QLatin1String(event));
    const QByteArray line = QJsonDocument(fields).toJson(QJsonDocument::Compact) + '\n';
    std::fwrite(line.constData(), 1, static_cast<std::size_t>(line.size()), stderr);
    std::fflush(stderr);
}
} // namespace

void logEvent(LogLevel level, const char* event, QJsonObject fields) {
    if (static_cast<int>(level) < g_level)
        return;
    writeLine(level, event, std::move(fields));
}

void logLifecycle(const char* event, QJsonObject fields) {
    writeLine(LogLevel::Info, event, std::move(fields));
}

} // namespace twinseal::service
