#include "twinseal/service/service_log.h"

#include "twinseal/service/library_logs.h"

#include <QDateTime>
#include <QJsonDocument>
#include <QtGlobal>

#include <google/protobuf/stubs/logging.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <utility>

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
    (void)std::fwrite(line.constData(), 1, static_cast<std::size_t>(line.size()), stderr);
    (void)std::fflush(stderr);
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

namespace {

thread_local bool t_invalidUtf8 = false;

void qtMessage(QtMsgType type, const QMessageLogContext& context, const QString& message) {
    LogLevel level = LogLevel::Error;
    switch (type) {
    case QtDebugMsg: level = LogLevel::Debug; break;
    case QtInfoMsg: level = LogLevel::Info; break;
    case QtWarningMsg: level = LogLevel::Warning; break;
    case QtCriticalMsg:
    case QtFatalMsg: level = LogLevel::Error; break;
    }
    QJsonObject fields{{QStringLiteral("message"), message}};
    if (context.category != nullptr && std::strcmp(context.category, "default") != 0)
        fields.insert(QStringLiteral("category"), QLatin1String(context.category));
    if (type == QtFatalMsg) {
        writeLine(level, "qt-message", std::move(fields));
        std::abort();
    }
    logEvent(level, "qt-message", std::move(fields));
}

void protobufMessage(google::protobuf::LogLevel level, const char*, int, const std::string& message) {
    // A string field that is not UTF-8 is the client's mistake, answered with its own reason
    // code by the caller of the parser: only noted here.
    const bool utf8 = message.find("invalid UTF-8") != std::string::npos;
    if (utf8)
        t_invalidUtf8 = true;
    const LogLevel ours = utf8 ? LogLevel::Debug
                          : level == google::protobuf::LOGLEVEL_INFO    ? LogLevel::Info
                          : level == google::protobuf::LOGLEVEL_WARNING ? LogLevel::Warning
                                                                        : LogLevel::Error;
    logEvent(ours, "protobuf-message",
             {{QStringLiteral("message"), QString::fromStdString(message)}});
}

} // namespace

void routeLibraryLogs() {
    qInstallMessageHandler(qtMessage);
    google::protobuf::SetLogHandler(protobufMessage);
}

bool takeInvalidUtf8Report() { return std::exchange(t_invalidUtf8, false); }

} // namespace twinseal::service
