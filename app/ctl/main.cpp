// twinsealctl: keys, dev issuer, credentials, avatar manifests, call assertions, inspection, and
// the home-network DT service (registration, transparency log, status list).
#include <QCoreApplication>

#include <iostream>
#include <map>

#include "call_command.h"
#include "cli.h"
#include "commands.h"
#include "enterprise_command.h"

using namespace twinseal::ctl;

namespace {

struct Command {
    int (*run)(const QStringList&);
    const char* summary;
};

const std::map<QString, Command>& commands() {
    static const std::map<QString, Command> c{
        {"keygen", {cmdKeygen, "generate a holder key, encrypted at rest"}},
        {"issuer init", {cmdIssuerInit, "create a development issuer (operator root + issuer)"}},
        {"credential issue", {cmdCredentialIssue, "issue a DT credential with the dev issuer"}},
        {"avatar pack", {cmdAvatarPack, "hash and sign an avatar package (folder or GLB)"}},
        {"avatar verify", {cmdAvatarVerify, "check an avatar package against its manifest"}},
        {"assertion create", {cmdAssertionCreate, "sign a call assertion (PASSporT JWS)"}},
        {"assertion verify", {cmdAssertionVerify, "verify a peer: assertion, credential, media"}},
        {"inspect", {cmdInspect, "print any TwinSeal object as JSON"}},
        {"exit-codes", {cmdExitCodes, "list the exit code of every failure reason"}},
        {"demo", {cmdDemo, "run the end-to-end demo (issuer, holder, avatar, call, checks)"}},
        {"register", {cmdRegister, "register (or re-certify) a DT with the home network"}},
        {"log head", {cmdLogHead, "fetch, verify and save the log's signed tree head"}},
        {"log verify", {cmdLogVerify, "check that the log only grew between two tree heads"}},
        {"status", {cmdStatus, "fetch the revocation status list; is a credential revoked"}},
        {"audit verify", {cmdAuditVerify, "check an activity log (or its export) for tampering"}},
        {"audit export", {cmdAuditExport, "export an activity log as JSON or CBOR"}},
        {"backup", {cmdBackup, "back up a twin's data directory in one sealed file"}},
        {"restore", {cmdRestore, "restore a twin from a backup onto this machine"}},
        {"enterprise init", {cmdEnterpriseInit, "create a dev enterprise that vouches for roles"}},
        {"enterprise issue", {cmdEnterpriseIssue, "issue a role credential for a holder key"}},
        {"call create", {cmdCallCreate, "create a call room and stay in it (JSON events)"}},
        {"call join", {cmdCallJoin, "join a call room as a headless participant"}},
        {"call invite", {cmdCallInvite, "call transfer handles (a room that admits them)"}},
        {"call listen", {cmdCallListen, "answer invitations to a handle, then stay in the call"}},
        {"call leave", {cmdCallLeave, "make the participant running with a data directory leave its call"}},
    };
    return c;
}

void printHelp() {
    std::cout << "usage: twinsealctl <command> [options]   (twinsealctl <command> --help)\n\n"
                 "commands:\n";
    for (const auto& [name, cmd] : commands())
        std::cout << "  " << name.toStdString()
                  << std::string(20 - std::min<std::size_t>(19, name.size()), ' ') << cmd.summary
                  << "\n";
    std::cout << "\nPassphrases come from --passphrase-file, $TWINSEAL_PASSPHRASE, or the "
                 "terminal.\nThe home-network commands (register, log, status) need the USIM "
                 "profile file from your operator (--profile).\nExit codes: 0 ok, 1 usage, 2 "
                 "untrusted issuer, 10-99 and 200+ a failure reason, 100+ a home-network service or "
                 "connection failure (twinsealctl exit-codes).\n";
}

} // namespace

int main(int argc, char** argv) {
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName("twinsealctl");
    QCoreApplication::setApplicationVersion(TWINSEAL_VERSION);
    QStringList args = QCoreApplication::arguments();
    args.removeFirst();
    if (args.isEmpty() || args.first() == "--help" || args.first() == "-h" ||
        args.first() == "help") {
        printHelp();
        return args.isEmpty() ? kExitUsage : kExitOk;
    }
    if (args.first() == "--version") {
        std::cout << "twinsealctl " << TWINSEAL_VERSION << "\n";
        return kExitOk;
    }
    // Two-word commands first ("issuer init"), then one-word ones.
    for (int words : {2, 1}) {
        if (args.size() < words)
            continue;
        const QString name = QStringList(args.mid(0, words)).join(' ');
        auto it = commands().find(name);
        if (it == commands().end())
            continue;
        QStringList rest = args.mid(words);
        rest.prepend("twinsealctl " + name);
        return it->second.run(rest);
    }
    std::cerr << "twinsealctl: unknown command '" << args.first().toStdString() << "'\n\n";
    printHelp();
    return kExitUsage;
}
