#include "call_device.h"

#include <twinseal/security/verify.h>

namespace twinseal::test::calls {

using namespace twinseal::calls;

std::unique_ptr<Device> makeDevice(HomenetServer& server, const QString& name, int number,
                                   const std::vector<security::UsimProfileData>& otherHomes) {
    CallTwinOptions options;
    options.otherHomes = otherHomes;
    return makeCallTwin(server, name, number, std::move(options));
}

CallClientOptions clientOptions(const HomenetServer& server, const std::string& handle,
                                int revocationRecheckMs) {
    return roomHostOptions(server, handle, revocationRecheckMs);
}

QString verifiedName() {
    return QString::fromUtf8(security::overallStateName(security::OverallState::Verified).data());
}

QString codeName(security::ErrorCode c) { return QString::fromUtf8(security::errorCodeName(c).data()); }

bool reportedVerified(const QSignalSpy& reports, quint32 id) {
    for (const auto& r : reports)
        if (r.at(0).toUInt() == id && r.at(1).toString() == verifiedName())
            return true;
    return false;
}

bool reportedWith(const QSignalSpy& reports, quint32 id, const QString& state, const QString& code) {
    for (const auto& r : reports)
        if (r.at(0).toUInt() == id && r.at(1).toString() == state &&
            (r.at(2).toString().contains(code) || r.at(3).toString().contains(code)))
            return true;
    return false;
}

bool received(const QSignalSpy& animations, quint32 from, const AnimationFrame& expected) {
    for (const auto& a : animations)
        if (a.at(0).toUInt() == from && a.at(1).value<AnimationFrame>() == expected)
            return true;
    return false;
}

AnimationFrame pose(float yaw) {
    AnimationFrame a;
    a.timestampUs = static_cast<std::int64_t>(yaw * 1e6f);
    a.head.rotation = {0.f, yaw, 0.f, 1.f};
    a.leftHand.position = {-0.3f, 1.1f, 0.2f};
    a.rightHand.position = {0.3f, 1.1f, 0.2f};
    a.blendShapes = {yaw / 10.f, 0.5f};
    return a;
}

QString dumpReports(const QSignalSpy& reports) {
    QString out;
    for (const auto& r : reports)
        out += QStringLiteral("[%1 %2 %3] ").arg(r.at(0).toUInt()).arg(r.at(1).toString(), r.at(2).toString());
    return out;
}

} // namespace twinseal::test::calls
