// `assertion verify`'s third-party role options: the role credentials the peer presented, the
// roles the room requires, and the enterprise roots that may vouch for them.
#include "commands.h"
#include "enterprise_command.h"

#include "cli.h"

namespace twinseal::ctl {

using namespace twinseal::security;

QList<QCommandLineOption> roleVerifyOptions() {
    return {
        {"role-credential",
         "A role credential the peer presented (from `enterprise issue`; repeatable).", "file"},
        {"require-role",
         "A role the room requires, e.g. surgeon (repeatable): the peer must present a role "
         "credential for it, bound to its holder key, from an --enterprise-root.",
         "role"},
        {"enterprise-root",
         "PEM file of enterprise roots that may vouch for the required roles (repeatable); "
         "trusted for roles only, never as an operator root.",
         "file"},
    };
}

std::optional<int> readRoleVerifyOptions(const QCommandLineParser& p, VerifyParams& params) {
    const QStringList roles = p.values("require-role");
    const QStringList rootFiles = p.values("enterprise-root");
    if (!roles.isEmpty() && rootFiles.isEmpty())
        return usage(p, "--require-role needs --enterprise-root (the enterprise roots that may "
                        "vouch for the role)");
    if (roles.isEmpty() && !rootFiles.isEmpty())
        return usage(p, "--enterprise-root is only used with --require-role");
    TrustList roots;
    for (const QString& file : rootFiles) {
        auto loaded = TrustList::load(file.toStdString());
        if (!loaded.ok())
            return fail(loaded.error());
        for (const Certificate& root : loaded->roots())
            roots.add(root);
    }
    for (const QString& role : roles) {
        if (role.trimmed().isEmpty())
            return usage(p, "--require-role takes a role name, e.g. surgeon");
        params.requiredRoles.roles.push_back({role.trimmed().toStdString(), roots});
    }
    for (const QString& file : p.values("role-credential")) {
        auto bytes = readBinary(file);
        if (!bytes.ok())
            return fail(bytes.error());
        params.roleCredentials.push_back(std::move(*bytes));
    }
    return std::nullopt;
}

} // namespace twinseal::ctl
