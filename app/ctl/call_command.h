// `twinsealctl call create|join|invite|listen|leave`: a headless call participant that joins a room on
// a room host (/v1/ws), verifies every peer, sends a scripted pose stream and prints every event
// as one JSON object per line (call_participant.h).
#pragma once

#include <QStringList>

namespace twinseal::ctl {

int cmdCallCreate(const QStringList& args);
int cmdCallJoin(const QStringList& args);
int cmdCallInvite(const QStringList& args);
int cmdCallListen(const QStringList& args);
// `call leave --data-dir D [--room R]`: the participant running with D leaves its call.
int cmdCallLeave(const QStringList& args);

// The `call` lines of `twinsealctl exit-codes`.
void printCallExitCodes();

} // namespace twinseal::ctl
