// twinsealctl commands. Each takes the arguments after its command words.
#pragma once

#include <QStringList>

namespace twinseal::ctl {

int cmdKeygen(const QStringList& args);
int cmdIssuerInit(const QStringList& args);
int cmdCredentialIssue(const QStringList& args);
int cmdAvatarPack(const QStringList& args);
int cmdAvatarVerify(const QStringList& args);
int cmdAssertionCreate(const QStringList& args);
int cmdAssertionVerify(const QStringList& args);
int cmdInspect(const QStringList& args);
int cmdExitCodes(const QStringList& args);
int cmdDemo(const QStringList& args);
// The home-network DT service (homenet_commands.cpp).
int cmdRegister(const QStringList& args);
int cmdLogHead(const QStringList& args);
int cmdLogVerify(const QStringList& args);
int cmdStatus(const QStringList& args);
// The client-side tamper-evident activity log (audit_commands.cpp).
int cmdAuditVerify(const QStringList& args);
int cmdAuditExport(const QStringList& args);
// A twin's backup and its restore (backup_commands.cpp).
int cmdBackup(const QStringList& args);
int cmdRestore(const QStringList& args);

} // namespace twinseal::ctl

// ---- operations shared by the commands and the demo --------------------------------------

#include <QEventLoop>
#include <QString>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <twinseal/netclient/client_error.h>
#include <twinseal/security/assertion.h>
#include <twinseal/security/verify.h>
#include <twinseal/twin/peer_verifier.h>

namespace twinseal::ctl {

// Runs one asynchronous operation to its end inside a nested event loop. `start` gets the
// completion callback (taking an R) to hand to the operation.
template <typename R, typename Start> R awaitResult(Start&& start) {
    std::optional<R> result;
    QEventLoop loop;
    std::forward<Start>(start)([&](R r) {
        result.emplace(std::move(r));
        loop.quit();
    });
    if (!result)
        loop.exec();
    return std::move(*result);
}

// The same for a home-network client operation (ClientStatus is ClientResult<void>).
template <typename T, typename Start> netclient::ClientResult<T> awaitClient(Start&& start) {
    return awaitResult<netclient::ClientResult<T>>(std::forward<Start>(start));
}

struct IssuerFiles {
    static constexpr const char* kRootCert = "root.pem";
    static constexpr const char* kRootKey = "root.key";
    static constexpr const char* kIssuerCert = "issuer.pem";
    static constexpr const char* kIssuerKey = "issuer.key";
    static constexpr const char* kBindingSecret = "binding.secret";
    static constexpr const char* kTrustList = "trust.pem";
};

twinseal::security::Status opKeygen(const QString& out, twinseal::security::KeyAlgorithm alg,
                                    const std::string& label, const std::string& passphrase,
                                    const QString& jwkOut);

// A new issuing authority in `dir`: a self-signed root (10 years) and an issuing key certified
// under it for `days` (an operator's DT issuer, an enterprise's role issuer). Refuses a `dir`
// that already holds `existingKeyFile` (naming `what`); the caller saves the keys encrypted.
struct IssuingAuthority {
    twinseal::security::SigningKey rootKey;
    twinseal::security::Certificate root;
    twinseal::security::SigningKey issuerKey;
    twinseal::security::Certificate issuerCert;
};
struct AuthorityNames {
    std::string rootName;   // the root certificate's common name
    std::string issuerName; // the issuing certificate's common name
    std::string organisation;
};
twinseal::security::Result<IssuingAuthority>
createIssuingAuthority(const QString& dir, const char* existingKeyFile, const std::string& what,
                       const AuthorityNames& names, twinseal::security::KeyAlgorithm alg, int days,
                       std::int64_t now);

twinseal::security::Status opIssuerInit(const QString& dir, const std::string& name,
                                        twinseal::security::KeyAlgorithm alg, int days,
                                        const std::string& passphrase, std::int64_t now);

struct IssueParams {
    QString issuerDir;
    QString holderKeyFile;
    QString manifestFile;
    std::string supi;
    std::string pseudonym;
    std::vector<std::pair<std::string, std::string>> attributes;
    std::string dtId;
    std::string avatarId;
    int days = 365;
    std::int64_t now = 0;
    QString out;
    QString disclosuresOut;
};
twinseal::security::Result<twinseal::security::Credential>
opIssueCredential(const IssueParams& p, const std::string& issuerPassphrase);

twinseal::security::Result<twinseal::security::Manifest>
opPack(const QString& package, const QString& keyFile, const std::string& passphrase,
       const QString& out, std::uint32_t chunkSize);

twinseal::security::Result<twinseal::security::Assertion>
opCreateAssertion(const QString& keyFile, const std::string& passphrase,
                  const QString& credentialFile, const std::vector<std::string>& dest,
                  std::int64_t now);

struct VerifyParams {
    QString assertionFile;
    std::string assertionText; // used when assertionFile is empty
    QString credentialFile;
    QString manifestFile;
    QString packagePath;
    QString trustFile;
    QString disclosuresFile;
    QString pinsFile;
    QString replayCacheFile;
    std::string destination;
    std::int64_t now = 0;
    // Revocation and log evidence given as files (verified by twin::PeerVerifier): a signed
    // status list, a log receipt (entry + inclusion proof), a signed tree head, the log's key.
    QString statusListFile;
    QString inclusionFile;
    QString treeHeadFile;
    std::optional<twinseal::security::PublicKey> logKey;
    // Evidence fetched from the home network (--fetch), merged with the files above.
    std::optional<twinseal::twin::PeerEvidence> fetched;
    // Third-party role credentials the peer presented, and the roles the room requires.
    std::vector<twinseal::security::Bytes> roleCredentials;
    twinseal::security::RoleRequirement requiredRoles;
};
twinseal::security::Result<twinseal::security::VerificationReport>
opVerify(const VerifyParams& p);

// Human-readable report: one line per check with a symbol and words, never colour alone.
std::string formatReport(const twinseal::security::VerificationReport& r);

} // namespace twinseal::ctl
