// Structured service logs: one JSON object per line on stderr ("ts", "level", "event", fields).
// Never pass secrets (keys, K_AF, RES*, authorization headers, request bodies) to it.
#pragma once

#include <QJsonObject>
#include <QString>

namespace twinseal::service {

enum class LogLevel { Debug = 0, Info = 1, Warning = 2, Error = 3 };

void setLogLevel(LogLevel level);
[[nodiscard]] bool parseLogLevel(const QString& text, LogLevel* out);
void logEvent(LogLevel level, const char* event, QJsonObject fields = {});
// Lifecycle events (listening, shutdown, stopped): written whatever the level, because
// supervisors and scripts wait for them.
void logLifecycle(const char* event, QJsonObject fields = {});

} // namespace twinseal::service
