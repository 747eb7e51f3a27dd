// An in-process home network for the service tests: operator keys created in a temporary
// directory, the real Store on SQLite there, a fixed clock the test moves, and HomenetService
// wiring the real parts over them. The subscriber's side uses the security library's USIM
// functions (SUCI concealment, 5G-AKA challenge verification, AKMA derivation, request MACs).
#pragma once

#include <QByteArray>
#include <QTemporaryDir>

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include <twinseal/security/clock.h>
#include <twinseal/security/keys.h>
#include <twinseal/security/registration.h>
#include <twinseal/security/subscriber.h>
#include <twinseal/service/homenet_service.h>

namespace twinseal::test {

class InProcessHomenet {
  public:
    InProcessHomenet();
    ~InProcessHomenet();

    // Creates the keys, opens the store and starts the service, then adds the subscriber
    // imsi-001010000000001 and returns its USIM profile in `profile`; false (with a warning)
    // when any step fails. `tune` adjusts the service's configuration before it starts.
    [[nodiscard]] bool open(security::UsimProfileData* profile,
                            const std::function<void(service::ServiceConfig&)>& tune = {});

    [[nodiscard]] service::HomenetService& service() { return *m_service; }
    [[nodiscard]] service::Store& store() { return m_store; }
    [[nodiscard]] security::FixedClock& clock() { return m_clock; }

    // `subscriber add` for imsi-00101<msin>: the USIM profile it returns.
    [[nodiscard]] std::optional<security::UsimProfileData> addSubscriber(const QString& supi);
    // The SUCI the USIM would send (Profile A under the profile's home-network key).
    [[nodiscard]] std::string suciOf(const security::UsimProfileData& profile);
    // 5G-AKA started with the SUCI of `profile`.
    [[nodiscard]] service::ServiceResult<proto::AuthChallenge>
    challengeFor(const security::UsimProfileData& profile);
    // RES* as the USIM computes it for `c` (its SQN advances; aborts when the USIM refuses);
    // `kausf` receives the key for the AKMA derivation.
    static std::string usimAnswer(security::UsimProfileData& profile, const proto::AuthChallenge& c,
                                  security::SecureBytes* kausf = nullptr);
    // A whole authentication as the USIM runs it (its SQN advances): the AKMA session it ends in.
    [[nodiscard]] std::optional<security::AkmaSession> login(security::UsimProfileData& profile);
    // The caller the service sees for a request signed with `akma`'s K_AF.
    [[nodiscard]] service::ServiceResult<service::Caller>
    callerOf(const security::AkmaSession& akma, const QByteArray& method, const QByteArray& path,
             const QByteArray& body);
    // A signed registration envelope (timestamped by the fixed clock) for the manifest of
    // `package` (default: the bundled sample avatar) signed by `holder`.
    [[nodiscard]] QByteArray
    registration(const security::AkmaSession& akma, const security::SigningKey& holder,
                 security::RegistrationPurpose purpose = security::RegistrationPurpose::Register,
                 const std::string& dtId = {}, const QString& package = {});
    // A copy of the sample avatar whose metadata names version 1.<variant>: another media root
    // (one subscriber's twin holds a media root; a copy is not certified to another).
    [[nodiscard]] QString avatarVariant(int variant);

  private:
    QTemporaryDir m_dir;
    security::FixedClock m_clock;
    std::unique_ptr<service::OperatorKeys> m_keys;
    service::Store m_store;
    std::unique_ptr<service::HomenetService> m_service;
};

} // namespace twinseal::test
