#include "twinseal/netclient/client_error.h"

namespace twinseal::netclient {

std::string ClientError::describe() const {
    std::string out = code + ": " + message;
    if (httpStatus != 0)
        out += " (HTTP " + std::to_string(httpStatus) + ")";
    return out;
}

} // namespace twinseal::netclient
