#include "service_fixture.h"

#include <QDir>
#include <QFile>
#include <QJsonDocument>
#include <QJsonObject>
#include <QtTest>

#include <twinseal/security/aka.h>
#include <twinseal/security/manifest.h>
#include <twinseal/security/milenage.h>
#include <twinseal/security/request_auth.h>
#include <twinseal/security/suci.h>

namespace twinseal::test {

using namespace twinseal::security;

namespace {
const auto& testPassphrase() {
    static const std::string value = "in-process home network passphrase";
    return value;
}

QByteArray qb(ByteView b) {
    return QByteArray(reinterpret_cast<const char*>(b.data()), qsizetype(b.size()));
}
} // namespace

InProcessHomenet::InProcessHomenet() : m_clock(SystemClock::instance().now()) {}

InProcessHomenet::~InProcessHomenet() {
    m_service.reset();
    m_store.close();
}

bool InProcessHomenet::open(UsimProfileData* profile,
                            const std::function<void(service::ServiceConfig&)>& tune) {
    service::OperatorInitOptions init;
    init.operatorName = QStringLiteral("In-Process Test Operator");
    auto keys = service::OperatorKeys::create(m_dir.path(), testPassphrase(), init, m_clock.now());
    if (!keys.ok()) {
        qWarning("operator keys: %s", keys.error().message().c_str());
        return false;
    }
    m_keys = std::make_unique<service::OperatorKeys>(std::move(keys).value());
    if (auto st = m_store.open(m_dir.path(), {}); !st.ok()) {
        qWarning("store: %s", st.error().message().c_str());
        return false;
    }
    service::ServiceConfig config;
    config.dataDir = m_dir.path();
    config.publicUrl = QStringLiteral("https://localhost:1");
    if (tune)
        tune(config);
    m_service = std::make_unique<service::HomenetService>(config, m_store, *m_keys, m_clock,
                                                          SystemRandom::instance());
    if (auto st = m_service->start(); !st.ok()) {
        qWarning("start: %s", st.error().message.c_str());
        return false;
    }
    auto first = addSubscriber(QStringLiteral("imsi-001010000000001"));
    if (!first)
        return false;
    *profile = std::move(*first);
    return true;
}

std::optional<UsimProfileData> InProcessHomenet::addSubscriber(const QString& supi) {
    service::SubscriberProfileRequest r;
    r.supi = supi;
    r.name = QStringLiteral("Dr. Test");
    r.role = QStringLiteral("surgeon");
    auto p = m_service->addSubscriber(r);
    if (!p.ok()) {
        qWarning("subscriber add: %s: %s", p.error().code.c_str(), p.error().message.c_str());
        return std::nullopt;
    }
    return std::move(p).value();
}

std::string InProcessHomenet::suciOf(const UsimProfileData& profile) {
    auto suci = concealSupi(profile.supi, profile.routingIndicator, SuciProtectionScheme::ProfileA,
                            profile.hnKeyId, profile.hnPublicKey, SystemRandom::instance());
    return suci.ok() ? suci->toString() : std::string();
}

service::ServiceResult<proto::AuthChallenge>
InProcessHomenet::challengeFor(const UsimProfileData& profile) {
    proto::AuthStartRequest start;
    start.set_suci(suciOf(profile));
    return m_service->authStart(start);
}

std::string InProcessHomenet::usimAnswer(UsimProfileData& profile, const proto::AuthChallenge& c,
                                         SecureBytes* kausf) {
    auto milenage = Milenage::create(profile.k, profile.opc);
    auto usim = verifyChallenge(*milenage, view(c.rand()), view(c.autn()), profile.sqn,
                                c.serving_network_name());
    if (!usim.result.ok())
        qFatal("the USIM refused the challenge: %s", usim.result.error().message().c_str());
    profile.sqn.accept(usim.result->sqn);
    if (kausf)
        *kausf = usim.result->kausf;
    return toString(usim.result->resStar);
}

std::optional<AkmaSession> InProcessHomenet::login(UsimProfileData& profile) {
    auto challenge = challengeFor(profile);
    if (!challenge.ok()) {
        qWarning("auth start: %s", challenge.error().code.c_str());
        return std::nullopt;
    }
    SecureBytes kausf;
    proto::AuthFinishRequest finish;
    finish.set_auth_id(challenge->auth_id());
    finish.set_res_star(usimAnswer(profile, *challenge, &kausf));
    auto result = m_service->authFinish(finish);
    if (!result.ok()) {
        qWarning("auth finish: %s", result.error().code.c_str());
        return std::nullopt;
    }
    auto akma = deriveAkmaSession(kausf, profile.supi, profile.routingIndicator);
    if (!akma.ok() || akma->aKid != result->a_kid())
        return std::nullopt;
    return std::move(akma).value();
}

service::ServiceResult<service::Caller> InProcessHomenet::callerOf(const AkmaSession& akma,
                                                                   const QByteArray& method,
                                                                   const QByteArray& path,
                                                                   const QByteArray& body) {
    auto auth = authorizeRequest(
        akma.kaf, akma.aKid, std::string_view(method.constData(), std::size_t(method.size())),
        std::string_view(path.constData(), std::size_t(path.size())),
        ByteView(reinterpret_cast<const std::uint8_t*>(body.constData()), std::size_t(body.size())),
        m_clock.now(), SystemRandom::instance());
    if (!auth.ok())
        return service::serviceError(500, "test-setup", auth.error().message());
    return m_service->authenticate(QByteArray::fromStdString(auth->format()), method, path, body);
}

QString InProcessHomenet::avatarVariant(int variant) {
    const QDir src(QStringLiteral(TWINSEAL_SOURCE_DIR "/resources/avatar"));
    const QDir dst(m_dir.filePath(QStringLiteral("avatar-%1").arg(variant)));
    if (!QDir().mkpath(dst.path()))
        qFatal("cannot create %s", qPrintable(dst.path()));
    for (const QString& name : src.entryList(QDir::Files)) {
        QFile::remove(dst.filePath(name));
        if (!QFile::copy(src.filePath(name), dst.filePath(name)))
            qFatal("cannot copy %s", qPrintable(name));
    }
    QFile meta(dst.filePath(QStringLiteral("avatar.json")));
    QJsonObject o;
    if (meta.open(QIODevice::ReadOnly))
        o = QJsonDocument::fromJson(meta.readAll()).object();
    meta.close();
    o.insert(QStringLiteral("version"), QStringLiteral("1.%1").arg(variant));
    if (!meta.setPermissions(QFileDevice::ReadOwner | QFileDevice::WriteOwner) ||
        !meta.open(QIODevice::WriteOnly | QIODevice::Truncate) ||
        meta.write(QJsonDocument(o).toJson()) < 0)
        qFatal("cannot write %s", qPrintable(meta.fileName()));
    return dst.path();
}

QByteArray InProcessHomenet::registration(const AkmaSession& akma, const SigningKey& holder,
                                          RegistrationPurpose purpose, const std::string& dtId,
                                          const QString& package) {
    HashOptions o;
    o.chunkSize = 4096;
    auto manifest = buildManifest(
        package.isEmpty() ? std::string(TWINSEAL_SOURCE_DIR "/resources/avatar") : package.toStdString(), o);
    if (!manifest.ok())
        qFatal("buildManifest: %s", manifest.error().message().c_str());
    auto signedManifest = signManifest(*manifest, holder);
    if (!signedManifest.ok())
        qFatal("signManifest: %s", signedManifest.error().message().c_str());
    RegistrationRequest r;
    r.aKid = akma.aKid;
    r.timestamp = m_clock.now();
    r.nonce = std::move(SystemRandom::instance().bytes(16)).value();
    r.holderKey = holder.publicKey();
    r.signedManifest = *signedManifest;
    r.dtId = dtId;
    r.purpose = purpose;
    auto body = signRegistration(r, holder);
    if (!body.ok())
        qFatal("signRegistration: %s", body.error().message().c_str());
    return qb(*body);
}

} // namespace twinseal::test
