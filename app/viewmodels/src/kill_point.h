// Named points in the flows that change the twin where a test has the client killed for real
// (SIGKILL: nothing is flushed, no destructor runs), to prove that what a kill there leaves
// behind is reconciled on the next start. TWINSEAL_TEST_KILL_AT=<op>:<point> arms one, e.g.
// "register:answered"; the variable is read once. Unset, as it is outside tests, nothing happens.
//
//   <op>:journaled  the journal is written and the request is about to leave: the home network
//                   never sees it
//   <op>:answered   the home network accepted and answered; nothing of the answer is stored yet
//
// <op> is the journal's op: register, recertify, rotate-pseudonym, accept-transfer.
#pragma once

#include <QByteArray>
#include <QtGlobal>

#include <csignal>

namespace twinseal::viewmodels {

inline void killPoint(const char* op, const char* point) {
    static const QByteArray armed = qgetenv("TWINSEAL_TEST_KILL_AT");
    if (!armed.isEmpty() && armed == QByteArray(op) + ':' + point)
        (void)std::raise(SIGKILL);
}

} // namespace twinseal::viewmodels
