#include "twinseal/service/credential_issuer.h"

#include "service_util.h"

#include <twinseal/proto/codec.h>

namespace twinseal::service {

using namespace twinseal::security;
using namespace util;

CredentialIssuer::CredentialIssuer(ServiceContext& context, TransparencyLog& log,
                                   StatusListPublisher& status)
    : m_ctx(context), m_log(log), m_status(status) {
    m_issuerChain.push_back(m_ctx.keys.issuerCertificate());
}

QByteArray CredentialIssuer::storedHolderKey(const PublicKey& key) {
    proto::PublicKey p;
    p.set_algorithm(key.algorithm() == KeyAlgorithm::Ed25519 ? proto::ED25519 : proto::ECDSA_P256);
    p.set_raw(toString(key.raw()));
    return proto::serialize<QByteArray>(p);
}

bool CredentialIssuer::isStoredHolderKey(const QByteArray& stored, const PublicKey& key) {
    proto::PublicKey p;
    return p.ParseFromString(str(stored)) && p.raw() == toString(key.raw());
}

ServiceResult<TransparencyLog::Append> CredentialIssuer::logIssued(const Issued& issued,
                                                                   LogEntryType type,
                                                                   const QByteArray& details,
                                                                   const char* during) {
    const CredentialClaims& c = issued.credential.claims;
    auto appended =
        m_log.append(type, QString::fromStdString(c.dtId), issued.digest, details, c.holderKey);
    if (!appended.ok())
        return appended.error();
    if (appended->index != c.logIndex)
        return serviceError(500, "internal", std::string("log index moved during ") + during);
    return appended;
}

ServiceResult<CredentialIssuer::Issued>
CredentialIssuer::issue(const SubscriberRecord& s, const std::string& dtId,
                        const std::string& avatarId, const PublicKey& holderKey,
                        const Manifest& manifest, std::uint32_t generation, qint64 now) {
    auto index = m_status.allocateIndex();
    if (!index.ok())
        return index.error();
    const quint64 statusIndex = *index;
    if (auto st = m_log.sync(); !st.ok())
        return st.error();

    CredentialClaims c;
    c.dtId = dtId;
    c.avatarId = avatarId;
    c.holderKey = holderKey;
    auto binding =
        subscriberBinding(m_ctx.keys.bindingKey(), s.supi.toStdString(), dtId, generation);
    if (!binding.ok())
        return fromSecurity(500, binding.error());
    c.subscriberBinding = *binding;
    {
        auto pseud = m_ctx.rng.bytes(6);
        if (!pseud.ok())
            return serviceError(500, "random-failure", "the random generator failed");
        c.pseudonym = "twin-" + toHex(*pseud);
    }
    Issued out;
    const std::pair<const char*, QString> attrs[] = {{"name", s.name},
                                                     {"role", s.role},
                                                     {"organisation", s.organisation},
                                                     {"licence_id", s.licenceId}};
    for (const auto& [name, value] : attrs) {
        if (value.isEmpty())
            continue;
        auto d = AttributeDisclosure::make(name, value.toStdString(), m_ctx.rng);
        if (!d.ok())
            return fromSecurity(500, d.error());
        c.attributes.push_back({name, d->digest()});
        out.disclosures.push_back(d->encoded());
    }
    c.mediaRoot = manifest.packageRoot;
    c.media = describeMedia(manifest);
    c.notBefore = now - 60;
    c.notAfter = now + std::int64_t(m_ctx.config.credentialValidityDays) * kDay;
    c.issuedAt = now;
    c.statusListIndex = statusIndex;
    c.statusListUri = m_ctx.statusListUri().toStdString();
    c.logIndex = m_log.size();
    c.generation = generation;
    c.issuer = m_ctx.keys.operatorName().toStdString();
    auto credential = issueCredential(c, m_ctx.keys.issuerKey(), m_issuerChain);
    if (!credential.ok())
        return fromSecurity(500, credential.error());
    out.digest = qb(ByteView(credential->digest()));
    out.statusIndex = statusIndex;
    out.credential = std::move(credential).value();
    return out;
}

} // namespace twinseal::service
