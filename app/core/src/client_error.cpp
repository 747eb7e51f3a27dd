#include "twinseal/core/client_error.h"

namespace twinseal::core {

std::string ClientError::describe() const {
    std::string out = code + ": " + message;
    if (httpStatus != 0)
        out += " (HTTP " + std::to_string(httpStatus) + ")";
    return out;
}

} // namespace twinseal::core
