// The twin registry, the transparency log and the status-list publisher in process: a
// registration issues a credential logged at the next index, a second active twin is refused,
// a replayed registration is refused, revocation marks the credential in the next status-list
// publication and logs it, and every publication carries a larger sequence (fixed clock).
#include <QtTest>

#include <twinseal/security/credential.h>
#include <twinseal/security/statuslist.h>

#include "service_fixture.h"
#include "test_macros.h"
#include "testmain.h"

namespace {
namespace test_registry {

using namespace twinseal;
using namespace twinseal::security;
using namespace twinseal::test;

namespace {

StatusList parsed(const service::ServiceResult<QByteArray>& bytes, const UsimProfileData& p,
                  std::int64_t now) {
    if (!bytes.ok())
        qFatal("status list: %s", bytes.error().code.c_str());
    auto list =
        parseSignedStatusList(ByteView(reinterpret_cast<const std::uint8_t*>(bytes->constData()),
                                       std::size_t(bytes->size())),
                              p.statusListKey, now);
    if (!list.ok())
        qFatal("status list does not verify: %s", list.error().message().c_str());
    return std::move(list).value();
}

} // namespace

class RegistryTest : public QObject {
    Q_OBJECT

    std::unique_ptr<InProcessHomenet> m_net;
    UsimProfileData m_profile;
    std::optional<AkmaSession> m_akma;
    SigningKey m_holder;

    service::ServiceResult<proto::RegistrationResponse> registerWith(const QByteArray& body) {
        auto caller = m_net->callerOf(*m_akma, "POST", "/v1/dt/register", body);
        if (!caller.ok())
            return caller.error();
        return m_net->service().registerDt(*caller, body);
    }

  private slots:
    void initTestCase() {
        m_net = std::make_unique<InProcessHomenet>();
        QVERIFY(m_net->open(&m_profile));
        m_akma = m_net->login(m_profile);
        QVERIFY(m_akma.has_value());
        m_holder = std::move(SigningKey::generate(KeyAlgorithm::Ed25519)).value();
    }

    void registrationRevocationAndTheStatusList() {
        service::HomenetService& service = m_net->service();
        const auto before = parsed(service.statusList(), m_profile, m_net->clock().now());
        QCOMPARE(service.logSizeInMemory(), quint64{0});

        // Registered: a credential for the holder key, logged at index 0.
        const QByteArray body = m_net->registration(*m_akma, m_holder);
        auto reg = registerWith(body);
        REQUIRE_OK(reg);
        auto credential = parseCredential(view(reg->credential()));
        QVERIFY(credential.ok());
        const CredentialClaims& claims = credential->claims;
        QVERIFY(claims.holderKey == m_holder.publicKey());
        QCOMPARE(claims.logIndex, std::uint64_t{0});
        QCOMPARE(claims.generation, 1u);
        QCOMPARE(service.logSizeInMemory(), quint64{1});
        QCOMPARE(reg->log_receipt().proof().leaf_index(), std::uint64_t{0});
        auto stored = m_net->store().dts().activeDtOf(QStringLiteral("imsi-001010000000001"));
        QVERIFY(stored.ok() && stored->has_value());
        QCOMPARE((*stored)->dtId.toStdString(), claims.dtId);

        // The same signed registration again is a replay; a fresh one a second active twin.
        EXPECT_CODE(registerWith(body), "registration-replayed");
        EXPECT_CODE(registerWith(m_net->registration(*m_akma, m_holder)), "duplicate-dt");
        QCOMPARE(service.logSizeInMemory(), quint64{1});

        // Unchanged and not due: the same publication.
        const auto same = parsed(service.statusList(), m_profile, m_net->clock().now());
        QCOMPARE(same.info().sequence, before.info().sequence);
        QCOMPARE(*same.isRevoked(claims.statusListIndex), false);

        // Revoked by its owner: logged, and the next publication marks it with a larger sequence.
        m_net->clock().advance(5);
        proto::RevokeRequest revoke;
        revoke.set_dt_id(claims.dtId);
        auto caller = m_net->callerOf(*m_akma, "POST", "/v1/dt/revoke", "r");
        REQUIRE_OK(caller);
        auto revoked = service.revoke(*caller, revoke);
        REQUIRE_OK(revoked);
        QCOMPARE(revoked->state(), std::string("revoked"));
        QCOMPARE(service.logSizeInMemory(), quint64{2});
        const auto after = parsed(service.statusList(), m_profile, m_net->clock().now());
        QVERIFY(after.info().sequence > before.info().sequence);
        QCOMPARE(*after.isRevoked(claims.statusListIndex), true);
        EXPECT_CODE(service.revoke(*caller, revoke), "dt-not-active");

        // Nothing changed, but half the TTL passed: published again, with a larger sequence.
        m_net->clock().advance(service.config().statusListTtl / 2 + 1);
        const auto refreshed = parsed(service.statusList(), m_profile, m_net->clock().now());
        QVERIFY(refreshed.info().sequence > after.info().sequence);
        QCOMPARE(*refreshed.isRevoked(claims.statusListIndex), true);

        // With the twin revoked, the subscriber may register a new one.
        auto again = registerWith(m_net->registration(*m_akma, m_holder));
        REQUIRE_OK(again);
        QCOMPARE(service.logSizeInMemory(), quint64{3});
    }

    void revocationNeedsTheOwner() {
        service::HomenetService& service = m_net->service();
        auto other = m_net->addSubscriber(QStringLiteral("imsi-001010000000002"));
        QVERIFY(other.has_value());
        auto otherAkma = m_net->login(*other);
        QVERIFY(otherAkma.has_value());
        auto active = m_net->store().dts().activeDtOf(QStringLiteral("imsi-001010000000001"));
        QVERIFY(active.ok() && active->has_value());
        proto::RevokeRequest revoke;
        revoke.set_dt_id((*active)->dtId.toStdString());
        auto stranger = m_net->callerOf(*otherAkma, "POST", "/v1/dt/revoke", "r");
        REQUIRE_OK(stranger);
        auto refused = service.revoke(*stranger, revoke);
        EXPECT_CODE(refused, "unknown-dt");
        QCOMPARE(refused.error().httpStatus, 404);
        EXPECT_CODE(service.revoke(service::Caller{}, revoke), "not-authenticated");
        // Still active.
        QCOMPARE((*m_net->store().dts().dt((*active)->dtId))->state, QStringLiteral("active"));
    }
};

TWINSEAL_TEST(RegistryTest, "registry")
} // namespace test_registry
} // namespace

#include "test_registry.moc"
