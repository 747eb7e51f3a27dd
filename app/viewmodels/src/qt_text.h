#pragma once
// std::string (the libraries' text) to QString (the view-models' text), shared by the
// view-model sources.
#include <QString>

#include <string>
#include <string_view>

namespace twinseal::viewmodels {

inline QString qs(const std::string& s) { return QString::fromStdString(s); }
inline QString qs(std::string_view s) {
    return QString::fromUtf8(s.data(), static_cast<qsizetype>(s.size()));
}

} // namespace twinseal::viewmodels
