// `twinsealctl enterprise init|issue`: a development enterprise (a hospital) that issues
// third-party role credentials for holder keys, and the role options of `assertion verify`.
#pragma once

#include <QCommandLineOption>
#include <QCommandLineParser>
#include <QList>
#include <QStringList>

#include <optional>

namespace twinseal::ctl {

struct VerifyParams;

int cmdEnterpriseInit(const QStringList& args);
int cmdEnterpriseIssue(const QStringList& args);

// The files of an enterprise directory.
struct EnterpriseFiles {
    static constexpr const char* kRootCert = "root.pem";    // what verifiers trust for its roles
    static constexpr const char* kRootKey = "root.key";     // encrypted at rest
    static constexpr const char* kIssuerCert = "issuer.pem";
    static constexpr const char* kIssuerKey = "issuer.key"; // encrypted at rest
    static constexpr const char* kInfo = "enterprise.json"; // its name
};

// `assertion verify`'s role options: --role-credential (repeatable), --require-role (repeatable)
// and --enterprise-root (repeatable, the roots that may vouch for the required roles).
[[nodiscard]] QList<QCommandLineOption> roleVerifyOptions();
// Reads them into `params`; nullopt to go on, or the exit code (a usage error or a file that
// cannot be read).
[[nodiscard]] std::optional<int> readRoleVerifyOptions(const QCommandLineParser& parser,
                                                       VerifyParams& params);

} // namespace twinseal::ctl
