// The libraries' own messages in the service's JSON log: Qt's message handler and Protobuf's log
// handler routed through logEvent ("qt-message", "protobuf-message"), so that the service's
// stderr carries JSON lines only.
#pragma once

namespace twinseal::service {

// Installs both handlers. Call once, early in main().
void routeLibraryLogs();
// Whether Protobuf reported a string field with invalid UTF-8 on this thread since the last
// call (and resets it): such a message is refused with its own reason code.
[[nodiscard]] bool takeInvalidUtf8Report();

} // namespace twinseal::service
