#include "call_device.h"

#include <QDir>
#include <QFile>
#include <QUrl>

#include <twinseal/netclient/avatar_transfer.h>
#include <twinseal/security/verify.h>

namespace twinseal::test::calls {

using namespace twinseal::calls;

std::unique_ptr<Device> makeDevice(HomenetServer& server, const QString& name, int number,
                                   const std::vector<security::UsimProfileData>& otherHomes) {
    auto d = std::make_unique<Device>();
    d->subscriber.emplace(addTestSubscriber(server, name + QStringLiteral(".usim"), number));
    TestSubscriber& s = *d->subscriber;
    const QString package = avatarCopy(server.scratch(name + QStringLiteral("-avatar")), number);
    security::Manifest manifest;
    const security::Bytes signedBytes = signedManifest(package, s.holder, &manifest);
    if (!authenticate(*s.client).ok())
        return nullptr;
    auto reg = registerDt(s, signedBytes);
    if (!reg.ok())
        return nullptr;
    d->dtId = reg->credential.claims.dtId;
    const std::string avatarId = reg->credential.claims.avatarId;
    if (!await<netclient::AvatarRecord>([&](auto cb) {
             s.client->uploadAvatar(avatarId, manifest, package, std::move(cb));
         }).ok())
        return nullptr;
    d->store = std::make_unique<twin::TwinStore>(server.scratch(name + QStringLiteral("-data")));
    QDir().mkpath(d->store->dataDir());
    if (!d->store->storeCredential(reg->credentialBytes).ok())
        return nullptr;
    auto profile = security::UsimProfileData::load(s.path.toStdString());
    if (!profile.ok())
        return nullptr;
    d->session = std::make_unique<twin::TwinSession>(std::move(*profile), s.path);
    d->session->adoptKey(std::move(s.holder));
    d->builder = std::make_unique<EvidenceBuilder>(*d->store, *d->session);
    PeerVerifierConfig config;
    QDir().mkpath(d->store->trustDir());
    for (std::size_t i = 0; i < otherHomes.size(); ++i) {
        QFile root(QDir(d->store->trustDir()).filePath(QStringLiteral("operator-%1.pem").arg(i)));
        if (!root.open(QIODevice::WriteOnly) ||
            root.write(QByteArray::fromStdString(otherHomes[i].trustListPem)) < 0)
            return nullptr;
        config.homeNetworks.add(HomeNetworkEntry::fromProfile(otherHomes[i]));
    }
    auto stores = storesOf(*d->store, s.profile.trustListPem);
    if (!stores.ok())
        return nullptr;
    config.stores = std::move(*stores);
    config.homeNetworks.add(HomeNetworkEntry::fromProfile(s.profile));
    config.cacheDir = server.scratch(name + QStringLiteral("-cache"));
    d->verifier = std::make_unique<PeerEvidenceVerifier>(config);
    return d;
}

CallClientOptions clientOptions(const HomenetServer& server, const std::string& handle,
                                int revocationRecheckMs) {
    CallClientOptions o;
    o.url = QUrl(QStringLiteral("wss://localhost:%1/v1/ws").arg(server.port()));
    o.tlsCaPem = server.tlsCaPem().toStdString();
    o.hostOperator = QUrl::toPercentEncoding(QStringLiteral("TwinSeal Demo Operator")).toStdString();
    o.setup.ownHandle = handle;
    o.revocationRecheckMs = revocationRecheckMs;
    return o;
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
