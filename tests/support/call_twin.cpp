#include "call_twin.h"

#include <QDir>
#include <QFile>
#include <QUrl>

#include <twinseal/netclient/avatar_transfer.h>

namespace twinseal::test {

using namespace twinseal::calls;

namespace {

// Its verifier: its own home network, and each of `otherHomes` (root and home network).
std::unique_ptr<PeerEvidenceVerifier> makeVerifier(HomenetServer& server, const QString& name, const CallTwin& d,
                                                   const std::vector<security::UsimProfileData>& otherHomes) {
    PeerVerifierConfig config;
    QDir().mkpath(d.store->trustDir());
    for (std::size_t i = 0; i < otherHomes.size(); ++i) {
        QFile root(QDir(d.store->trustDir()).filePath(QStringLiteral("operator-%1.pem").arg(i)));
        if (!root.open(QIODevice::WriteOnly) || root.write(QByteArray::fromStdString(otherHomes[i].trustListPem)) < 0) {
            qWarning("%s cannot write %s", qPrintable(name), qPrintable(root.fileName()));
            return nullptr;
        }
        config.homeNetworks.add(HomeNetworkEntry::fromProfile(otherHomes[i]));
    }
    const security::UsimProfileData& own = d.subscriber->profile;
    auto stores = storesOf(*d.store, own.trustListPem);
    if (!stores.ok()) {
        qWarning("%s has no trust list: %s", qPrintable(name), stores.error().message().c_str());
        return nullptr;
    }
    config.stores = std::move(*stores);
    config.homeNetworks.add(HomeNetworkEntry::fromProfile(own));
    config.cacheDir = server.scratch(name + QStringLiteral("-cache"));
    return std::make_unique<PeerEvidenceVerifier>(std::move(config));
}

} // namespace

std::unique_ptr<CallTwin> makeCallTwin(HomenetServer& server, const QString& name, int number,
                                       CallTwinOptions options) {
    auto d = std::make_unique<CallTwin>();
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
    d->mediaRoot = reg->credential.claims.mediaRoot;
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
    if (!d->store->storeCredential(reg->credentialBytes).ok()) {
        qWarning("%s cannot store its credential", qPrintable(name));
        return nullptr;
    }
    auto profile = security::UsimProfileData::load(s.path.toStdString());
    if (!profile.ok()) {
        qWarning("%s cannot read its profile back: %s", qPrintable(name), profile.error().message().c_str());
        return nullptr;
    }
    d->session = std::make_unique<twin::TwinSession>(std::move(*profile), s.path);
    d->session->adoptKey(std::move(s.holder));
    d->builder = std::make_unique<EvidenceBuilder>(*d->store, *d->session, std::move(options.evidence));
    d->verifier = makeVerifier(server, name, *d, options.otherHomes);
    if (!d->verifier)
        return nullptr;
    return d;
}

CallClientOptions roomHostOptions(const HomenetServer& server, const std::string& handle, int revocationRecheckMs) {
    CallClientOptions o;
    o.url = QUrl(QStringLiteral("wss://localhost:%1/v1/ws").arg(server.port()));
    o.tlsCaPem = server.tlsCaPem().toStdString();
    o.hostOperator = QUrl::toPercentEncoding(QStringLiteral("TwinSeal Demo Operator")).toStdString();
    o.setup.ownHandle = handle;
    o.revocationRecheckMs = revocationRecheckMs;
    return o;
}

std::optional<OwnEvidence> buildEvidence(EvidenceBuilder& builder, const std::string& destination) {
    auto own = await<OwnEvidence>([&](auto cb) { builder.build(destination, std::move(cb)); });
    if (!own.ok()) {
        qWarning("evidence for %s: %s", destination.c_str(), own.error().message.c_str());
        return std::nullopt;
    }
    return std::move(*own);
}

} // namespace twinseal::test
