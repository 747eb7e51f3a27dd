// What a page view-model knows of the twin shown by the client: handed to it by the client's root
// view-model whenever it changes (the pages never reach into one another).
#pragma once

#include <QString>

namespace twinseal::viewmodels {

struct TwinSummary {
    bool holdsTwin = false;  // a registered twin is held on this device (My Twin)
    bool mayReceive = false; // a holder key and no twin yet (the avatar step)
    QString dtId;
    QString avatarId;
    QString status;          // active / revoked / transferred / "" (not checked)
    QString operatorName;    // the home network's operator, for messages

    bool operator==(const TwinSummary&) const = default;
};

} // namespace twinseal::viewmodels
