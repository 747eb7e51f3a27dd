#include "twinseal/calls/evidence_builder.h"

#include <QPointer>

#include <twinseal/security/assertion.h>
#include <twinseal/twin/twin_session.h>
#include <twinseal/twin/twin_store.h>

namespace twinseal::calls {

using namespace twinseal::security;
using netclient::ClientError;
using netclient::ClientResult;

namespace {

ClientError fail(const char* code, std::string message) { return ClientError{code, std::move(message), 0}; }

} // namespace

EvidenceBuilder::EvidenceBuilder(twin::TwinStore& store, twin::TwinSession& session,
                                 EvidenceOptions options, QObject* parent)
    : QObject(parent), m_store(store), m_session(session), m_options(std::move(options)) {
    if (!m_options.random) {
        m_systemRandom = std::make_unique<SystemRandom>();
        m_options.random = m_systemRandom.get();
    }
}

EvidenceBuilder::~EvidenceBuilder() = default;

std::int64_t EvidenceBuilder::now() const {
    return (m_options.clock ? *m_options.clock : SystemClock::instance()).now();
}

ClientResult<OwnEvidence> EvidenceBuilder::assemble(const std::string& destination,
                                                    const netclient::AccessGrant& grant) const {
    if (destination.empty())
        return fail(evidence_reason::kNoDestination, "Evidence needs the room (or host) it is for.");
    const SigningKey* holder = m_session.holderKey();
    if (!holder)
        return fail(evidence_reason::kLocked, "Unlock your holder key to join a call.");
    const Credential* credential = m_store.credential();
    if (!credential)
        return fail(evidence_reason::kNoCredential,
                    "This device holds no credential for your twin: register it (or re-certify) first.");

    auto ephemeral = security::CallKeyPair::generate(*m_options.random);
    if (!ephemeral.ok())
        return fail(evidence_reason::kEphemeralKey,
                    "No ephemeral key could be made for the call: " + ephemeral.error().detail);
    const std::int64_t t = now();
    auto claims = claimsForCall(*credential, {destination}, ephemeral->publicKey(), t, *m_options.random);
    if (!claims.ok())
        return fail(evidence_reason::kAssertion, "The call assertion could not be made: " + claims.error().detail);
    auto assertion = createAssertion(*claims, *holder);
    if (!assertion.ok())
        return fail(evidence_reason::kAssertion,
                    "The call assertion could not be signed: " + assertion.error().detail);

    OwnEvidence out;
    out.destination = destination;
    out.origid = claims->origid;
    out.issuedAt = claims->iat;
    out.ephemeral = std::make_shared<const security::CallKeyPair>(std::move(*ephemeral));
    proto::Evidence& e = out.evidence;
    e.set_assertion(assertion->compact);
    e.set_credential(std::string(m_store.credentialBytes().begin(), m_store.credentialBytes().end()));
    if (m_options.disclosures)
        for (const std::string& d : m_options.disclosures(destination))
            e.add_disclosures(d);
    for (const Bytes& role : m_options.roleCredentials)
        e.add_role_credentials(std::string(role.begin(), role.end()));
    e.set_home_network_url(m_session.address().toStdString());
    e.set_media_grant(grant.token);
    e.set_display_hint(m_options.displayHint);
    return out;
}

void EvidenceBuilder::build(const std::string& destination,
                            std::function<void(ClientResult<OwnEvidence>)> done) {
    if (!m_store.credential()) {
        if (auto st = m_store.loadCredential(); !st.ok())
            return done(fail(evidence_reason::kNoCredential,
                             "This device holds no readable credential for your twin (" + st.error().detail +
                                 "): register it (or re-certify) first."));
    }
    if (m_grant && m_grant->expiresAt - now() >= m_options.grantMinRemainingSeconds)
        return done(assemble(destination, *m_grant));
    if (!m_session.holderKey())
        return done(fail(evidence_reason::kLocked, "Unlock your holder key to join a call."));
    const std::string avatarId = m_store.credential()->claims.avatarId;
    QPointer<EvidenceBuilder> self(this);
    m_session.authenticated([self, avatarId, destination, done = std::move(done)](const netclient::ClientStatus& st) mutable {
        if (!self)
            return;
        if (!st.ok())
            return done(st.error());
        self->m_session.client().createGrant(
            avatarId, self->m_options.grantTtlSeconds,
            [self, destination, done = std::move(done)](ClientResult<netclient::AccessGrant> grant) mutable {
                if (!self)
                    return;
                if (!grant.ok())
                    return done(grant.error());
                self->m_grant = *grant;
                done(self->assemble(destination, *grant));
            });
    });
}

} // namespace twinseal::calls
