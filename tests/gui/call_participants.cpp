#include "call_participants.h"

#include <QDir>

#include <twinseal/netclient/avatar_transfer.h>

namespace twinseal::test {

using namespace twinseal::calls;

std::unique_ptr<CallDevice> makeCallDevice(HomenetServer& server, const QString& name, int number,
                                           EvidenceOptions options) {
    auto d = std::make_unique<CallDevice>();
    d->subscriber.emplace(addTestSubscriber(server, name + QStringLiteral(".usim"), number));
    TestSubscriber& s = *d->subscriber;
    const QString package = avatarCopy(server.scratch(name + QStringLiteral("-avatar")), number);
    security::Manifest manifest;
    const security::Bytes signedBytes = signedManifest(package, s.holder, &manifest);
    if (!authenticate(*s.client).ok()) {
        qWarning("%s cannot authenticate", qPrintable(name));
        return nullptr;
    }
    auto reg = registerDt(s, signedBytes);
    if (!reg.ok()) {
        qWarning("%s cannot register: %s", qPrintable(name), reg.error().message.c_str());
        return nullptr;
    }
    d->avatarId = reg->credential.claims.avatarId;
    d->dtId = reg->credential.claims.dtId;
    auto uploaded = await<netclient::AvatarRecord>([&](auto cb) {
        s.client->uploadAvatar(d->avatarId, manifest, package, std::move(cb));
    });
    if (!uploaded.ok()) {
        qWarning("%s cannot upload the avatar: %s: %s", qPrintable(name), uploaded.error().code.c_str(),
                 uploaded.error().message.c_str());
        return nullptr;
    }
    d->store = std::make_unique<twin::TwinStore>(server.scratch(name + QStringLiteral("-data")));
    QDir().mkpath(d->store->dataDir());
    if (!d->store->storeCredential(reg->credentialBytes).ok())
        return nullptr;
    auto profile = security::UsimProfileData::load(s.path.toStdString());
    if (!profile.ok())
        return nullptr;
    d->session = std::make_unique<twin::TwinSession>(std::move(*profile), s.path);
    d->session->adoptKey(std::move(s.holder));
    d->builder = std::make_unique<EvidenceBuilder>(*d->store, *d->session, std::move(options));
    auto stores = storesOf(*d->store, s.profile.trustListPem);
    if (!stores.ok())
        return nullptr;
    PeerVerifierConfig config;
    config.stores = std::move(*stores);
    config.homeNetworks.add(HomeNetworkEntry::fromProfile(s.profile));
    config.cacheDir = server.scratch(name + QStringLiteral("-cache"));
    d->verifier = std::make_unique<PeerEvidenceVerifier>(config);
    return d;
}

CallClientOptions callClientOptions(const HomenetServer& server, const std::string& handle) {
    CallClientOptions o;
    o.url = QUrl(QStringLiteral("wss://localhost:%1/v1/ws").arg(server.port()));
    o.tlsCaPem = server.tlsCaPem().toStdString();
    o.hostOperator = QUrl::toPercentEncoding(QStringLiteral("TwinSeal Demo Operator")).toStdString();
    o.setup.ownHandle = handle;
    o.revocationRecheckMs = 0;
    return o;
}

std::optional<OwnEvidence> evidenceFor(EvidenceBuilder& builder, const std::string& destination) {
    auto own = await<OwnEvidence>([&](auto cb) { builder.build(destination, std::move(cb)); });
    if (!own.ok()) {
        qWarning("evidence for %s: %s", destination.c_str(), own.error().message.c_str());
        return std::nullopt;
    }
    return std::move(*own);
}

} // namespace twinseal::test
