// KeyAlgorithm as a Qt Test data column type, declared once for every security test (a
// metatype may be declared only once per program source, and the tests compile as unity files).
#pragma once

#include <QMetaType>

#include <twinseal/security/keys.h>

Q_DECLARE_METATYPE(twinseal::security::KeyAlgorithm)
