#include "twinseal/viewmodels/peer_verification_controller.h"

#include <QPointer>

#include <twinseal/netclient/service_client.h>
#include <twinseal/twin/peer_verifier.h>

namespace twinseal::viewmodels {

using namespace twinseal::security;

namespace {

QString localPath(const QString& s) {
    const QUrl url(s);
    return url.isLocalFile() ? url.toLocalFile() : s;
}

} // namespace

PeerVerificationController::PeerVerificationController(Sources sources, QObject* parent)
    : QObject(parent), m_sources(std::move(sources)), m_store(m_sources.dataDir) {}

PeerVerificationController::~PeerVerificationController() = default;

void PeerVerificationController::setBusy(bool busy) {
    if (m_busy == busy)
        return;
    m_busy = busy;
    emit busyChanged();
}

void PeerVerificationController::clear() {
    m_state.clear();
    m_headline.clear();
    m_reason.clear();
    m_subject.clear();
    m_checks.clear();
    emit reportChanged();
}

void PeerVerificationController::verify(const QString& assertion, const QString& credential,
                                        const QString& manifest, const QString& package,
                                        const QString& destination) {
    if (m_busy)
        return;
    clear();
    twin::PeerPresentation peer;
    peer.assertionFile = localPath(assertion);
    peer.credentialFile = localPath(credential);
    peer.manifestFile = localPath(manifest);
    peer.packagePath = localPath(package);
    peer.destination = destination.trimmed().toStdString();
    twin::PeerStores stores;
    auto trust = TrustList::fromPem(m_sources.trustedRootsPem ? m_sources.trustedRootsPem() : std::string());
    if (trust.ok())
        stores.trust = std::move(*trust);
    stores.pinsFile = m_store.pinsPath();
    stores.replayFile = m_store.replayFile().path();
    setBusy(true);

    QPointer<PeerVerificationController> self(this);
    auto run = [self, peer, stores](twin::PeerEvidence evidence) {
        if (!self)
            return;
        twin::PeerVerifier(stores).verifyAsync(
            peer, std::move(evidence), SystemClock::instance().now(), self,
            [self](const Result<VerificationReport>& r) {
                if (self)
                    self->show(r);
            });
    };
    netclient::ServiceClient* client = m_sources.homeNetwork ? m_sources.homeNetwork() : nullptr;
    auto parsed = twin::readPeerCredential(peer.credentialFile);
    if (!client || !parsed.ok()) {
        twin::PeerEvidence none;
        if (!client) {
            none.statusListUnavailable = tr("no home network to ask: import your profile first").toStdString();
            none.inclusionUnavailable = none.statusListUnavailable;
        }
        return run(std::move(none));
    }
    twin::PeerVerifier::fetchEvidence(*client, *parsed, std::move(run));
}

void PeerVerificationController::show(const Result<VerificationReport>& result) {
    setBusy(false);
    if (!result.ok()) {
        m_state = QStringLiteral("error");
        m_headline = tr("Could not verify");
        m_reason = QString::fromUtf8(errorCodeName(result.code()).data()) + QStringLiteral(": ") +
                   QString::fromStdString(result.error().detail);
        m_checks.clear();
        emit reportChanged();
        emit finished();
        return;
    }
    const VerificationReport& r = *result;
    m_state = QString::fromUtf8(overallStateName(r.state).data(),
                                static_cast<qsizetype>(overallStateName(r.state).size()));
    switch (r.state) {
    case OverallState::Verified: m_headline = tr("Verified"); break;
    case OverallState::ValidUntrusted: m_headline = tr("Valid, untrusted issuer"); break;
    case OverallState::Incomplete: m_headline = tr("Incomplete"); break;
    case OverallState::Failed: m_headline = tr("Failed"); break;
    }
    m_reason = QString::fromStdString(r.summary());
    m_subject = r.pseudonym.empty() ? QString()
                                    : QString::fromStdString(r.pseudonym + " (" + r.avatarId + ")");
    m_checks.setReport(r);
    emit reportChanged();
    emit finished();
}

} // namespace twinseal::viewmodels
