// Hex helpers for tests that transcribe published vectors.
#pragma once

#include <QString>
#include <QtGlobal>

#include <twinseal/security/bytes.h>

namespace twinseal::test {

// Bytes from a hex literal; a typo in a transcribed vector stops the test at once.
inline security::Bytes hx(const char* s) {
    auto r = security::fromHex(s);
    if (!r.ok())
        qFatal("bad hex in test: %s", s);
    return *r;
}

inline QString hexOf(security::ByteView b) { return QString::fromStdString(security::toHex(b)); }

} // namespace twinseal::test
