#include "twinseal/twin/peer_verifier.h"

#include <QCoreApplication>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QPointer>
#include <QThreadPool>

#include <memory>
#include <sstream>

#include <twinseal/netclient/service_client.h>
#include <twinseal/twin/pin_file.h>
#include <twinseal/twin/replay_file.h>

namespace twinseal::twin {

using namespace twinseal::security;

namespace {

Result<std::string> readText(const QString& file) {
    auto bytes = readFile(file.toStdString());
    TWINSEAL_TRY(bytes);
    return std::string(bytes->begin(), bytes->end());
}

// disclosures.json of `register` ([{"name", "disclosure"}] or [string]), or the
// "name<TAB>disclosure" lines of `credential issue`, or bare disclosures one a line.
Result<std::vector<std::string>> readDisclosures(const QString& file) {
    auto t = readText(file);
    TWINSEAL_TRY(t);
    std::vector<std::string> out;
    if (!t->empty() && t->front() == '[') {
        QJsonParseError error{};
        const QJsonDocument doc = QJsonDocument::fromJson(QByteArray::fromStdString(*t), &error);
        if (error.error != QJsonParseError::NoError || !doc.isArray())
            return makeError(ErrorCode::MalformedInput, file.toStdString() + " is not a JSON array");
        const QJsonArray items = doc.array();
        for (const auto& v : items) {
            const QString enc = v.isString() ? v.toString() : v.toObject().value(QStringLiteral("disclosure")).toString();
            if (!enc.isEmpty())
                out.push_back(enc.toStdString());
        }
        return out;
    }
    std::istringstream lines(*t);
    std::string line;
    while (std::getline(lines, line)) {
        const auto tab = line.find('\t');
        std::string enc = tab == std::string::npos ? line : line.substr(tab + 1);
        while (!enc.empty() && (enc.back() == '\r' || enc.back() == ' '))
            enc.pop_back();
        if (!enc.empty())
            out.push_back(enc);
    }
    return out;
}

// Evidence that was given but does not verify: the check fails with its reason.
class RefusedRevocation final : public RevocationChecker {
public:
    explicit RefusedRevocation(Error e) : m_error(std::move(e)) {}
    Status check(const Credential&, std::int64_t) const override { return m_error; }

private:
    Error m_error;
};
class RefusedInclusion final : public InclusionChecker {
public:
    explicit RefusedInclusion(Error e) : m_error(std::move(e)) {}
    Status check(const Credential&) const override { return m_error; }

private:
    Error m_error;
};

Error withWhat(const Error& e, const std::string& what) { return Error{e.code, what + ": " + e.detail}; }

} // namespace

Result<Credential> readPeerCredential(const QString& file) {
    auto bytes = readFile(file.toStdString());
    TWINSEAL_TRY(bytes);
    return parseCredential(*bytes);
}

PeerVerifier::PeerVerifier(PeerStores stores) : m_stores(std::move(stores)) {}

Result<VerificationReport> PeerVerifier::verify(const PeerPresentation& peer,
                                                const PeerEvidence& ev, std::int64_t now) const {
    std::string assertion = peer.assertionText;
    if (!peer.assertionFile.isEmpty()) {
        auto t = readText(peer.assertionFile);
        TWINSEAL_TRY(t);
        assertion = std::move(*t);
    }
    while (!assertion.empty() && (assertion.back() == '\n' || assertion.back() == '\r' || assertion.back() == ' '))
        assertion.pop_back();
    auto credential = peer.credentialFile.isEmpty() ? Result<Bytes>(peer.credential)
                                                    : readFile(peer.credentialFile.toStdString());
    TWINSEAL_TRY(credential);
    Bytes manifest = peer.manifest;
    if (!peer.manifestFile.isEmpty()) {
        auto m = readFile(peer.manifestFile.toStdString());
        TWINSEAL_TRY(m);
        manifest = std::move(*m);
    }
    std::vector<std::string> disclosures = peer.disclosures;
    if (!peer.disclosuresFile.isEmpty()) {
        auto d = readDisclosures(peer.disclosuresFile);
        TWINSEAL_TRY(d);
        disclosures = std::move(*d);
    }
    // The issuer's key verifies the status list; a credential that does not parse fails its
    // own checks and needs no evidence.
    auto parsed = parseCredential(*credential);

    std::unique_ptr<RevocationChecker> revocation;
    std::string revocationUnavailable = ev.statusListUnavailable;
    if (ev.verifiedStatusList) {
        revocation = std::make_unique<StatusListRevocationChecker>(*ev.verifiedStatusList);
    } else if (!ev.statusList.empty() && parsed.ok()) {
        auto issuerKey = parsed->issuerChain.front().publicKey();
        TWINSEAL_TRY(issuerKey);
        auto list = parseSignedStatusList(ev.statusList, *issuerKey, now);
        if (list.ok())
            revocation = std::make_unique<StatusListRevocationChecker>(std::move(*list));
        else
            revocation = std::make_unique<RefusedRevocation>(
                withWhat(list.error(), "the status list given does not verify with the issuer's key"));
    }

    std::unique_ptr<InclusionChecker> inclusion;
    if (ev.verifiedReceipt) {
        auto checker = std::make_unique<LogInclusionChecker>(ev.verifiedReceipt->treeHead);
        TWINSEAL_TRY(checker->add(*ev.verifiedReceipt));
        inclusion = std::move(checker);
    } else if (!ev.inclusion.empty() || !ev.treeHead.empty()) {
        if (!ev.logKey)
            return makeError(ErrorCode::InvalidArgument,
                             "a signed tree head and inclusion proof need the log's public key");
        if (ev.inclusion.empty())
            return makeError(ErrorCode::InvalidArgument,
                             "a signed tree head needs the inclusion proof (log receipt) of the "
                             "credential's entry");
        auto receipt = parseLogReceipt(ev.inclusion, *ev.logKey);
        if (!receipt.ok()) {
            inclusion = std::make_unique<RefusedInclusion>(
                withWhat(receipt.error(), "the inclusion proof given does not verify"));
        } else if (!ev.treeHead.empty()) {
            auto head = parseSignedTreeHead(ev.treeHead, *ev.logKey);
            if (!head.ok()) {
                inclusion = std::make_unique<RefusedInclusion>(
                    withWhat(head.error(), "the signed tree head given does not verify"));
            } else {
                auto checker = std::make_unique<LogInclusionChecker>(*head);
                TWINSEAL_TRY(checker->add(receipt->entryBytes, receipt->proof));
                inclusion = std::move(checker);
            }
        } else {
            auto checker = std::make_unique<LogInclusionChecker>(receipt->treeHead);
            TWINSEAL_TRY(checker->add(*receipt));
            inclusion = std::move(checker);
        }
    }

    std::optional<PinFile> pins;
    if (!m_stores.pinsFile.isEmpty()) {
        auto p = PinFile::load(m_stores.pinsFile);
        TWINSEAL_TRY(p);
        pins = std::move(*p);
    }

    const FixedClock clock(now);
    VerificationInputs in;
    in.assertion = assertion;
    in.credential = *credential;
    in.disclosures = std::move(disclosures);
    in.media.manifest = manifest;
    in.media.packagePath = peer.packagePath.toStdString();
    in.trust = &m_stores.trust;
    in.clock = &clock;
    in.expectedDestination = peer.destination;
    in.pins = pins ? &*pins : nullptr;
    in.revocation = revocation.get();
    in.inclusion = inclusion.get();
    in.revocationUnavailable = std::move(revocationUnavailable);
    in.inclusionUnavailable = ev.inclusionUnavailable;
    in.roleCredentials = peer.roleCredentials;
    in.requiredRoles = peer.requiredRoles;

    VerificationReport report;
    if (m_stores.replayFile.isEmpty()) {
        report = verifyPeer(in);
    } else {
        TWINSEAL_TRY(ReplayFile(m_stores.replayFile).withCache(now, [&](ReplayCache& cache) {
            in.replayCache = &cache;
            report = verifyPeer(in);
        }));
    }
    // Trust on first use: a verified peer's holder key is remembered.
    if (pins && report.state == OverallState::Verified && !pins->pinned(report.avatarId) &&
        parsed.ok()) {
        pins->pin(report.avatarId, parsed->claims.holderKey.thumbprint());
        TWINSEAL_TRY(pins->save());
    }
    return report;
}

void PeerVerifier::verifyAsync(PeerPresentation peer, PeerEvidence evidence, std::int64_t now,
                               QObject* context,
                               std::function<void(Result<VerificationReport>)> done) const {
    QPointer<QObject> target(context);
    auto verifier = std::make_shared<PeerVerifier>(m_stores);
    QThreadPool::globalInstance()->start([verifier, peer = std::move(peer),
                                          evidence = std::move(evidence), now, target,
                                          done = std::move(done)]() mutable {
        auto result = std::make_shared<Result<VerificationReport>>(verifier->verify(peer, evidence, now));
        // Back on the application's thread; the context is checked there, where it is deleted.
        QMetaObject::invokeMethod(
            QCoreApplication::instance(),
            [target, result, done = std::move(done)] {
                if (target)
                    done(std::move(*result));
            },
            Qt::QueuedConnection);
    });
}

void PeerVerifier::fetchEvidence(netclient::ServiceClient& client, const Credential& credential,
                                 std::function<void(PeerEvidence)> done) {
    auto evidence = std::make_shared<PeerEvidence>();
    const Digest digest = credential.digest();
    QPointer<netclient::ServiceClient> guard(&client);
    client.fetchStatusList([guard, evidence, digest, done = std::move(done)](
                               netclient::ClientResult<StatusList> list) mutable {
        if (list.ok())
            evidence->verifiedStatusList = std::move(*list);
        else
            evidence->statusListUnavailable =
                "no status list from the home network: " + list.error().describe();
        if (!guard)
            return;
        guard->fetchInclusionByCredential(
            digest, 0, [evidence, done = std::move(done)](netclient::ClientResult<LogReceipt> receipt) {
                if (receipt.ok())
                    evidence->verifiedReceipt = std::move(*receipt);
                else
                    evidence->inclusionUnavailable =
                        "no inclusion proof from the home network: " + receipt.error().describe();
                done(std::move(*evidence));
            });
    });
}

} // namespace twinseal::twin
