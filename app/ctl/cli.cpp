#include "cli.h"

#include <QCoreApplication>
#include <QDir>
#include <QFileInfo>

#include <cstdio>
#include <cstdlib>
#include <iostream>

#include <sys/stat.h>
#include <termios.h>
#include <unistd.h>

#include <twinseal/security/passphrase_policy.h>

namespace twinseal::ctl {

int exitCodeFor(sec::ErrorCode code) {
    const int c = static_cast<int>(code);
    if (code == sec::ErrorCode::Ok)
        return kExitOk;
    return c < kFirstLateErrorCode ? kExitErrorBase + c : kExitLateErrorBase + (c - kFirstLateErrorCode);
}

int exitCodeFor(const sec::VerificationReport& report) {
    switch (report.state) {
    case sec::OverallState::Verified: return kExitOk;
    case sec::OverallState::ValidUntrusted: return kExitUntrusted;
    case sec::OverallState::Incomplete: return kExitIncomplete;
    case sec::OverallState::Failed: return exitCodeFor(report.reason);
    }
    return kExitErrorBase;
}

int exitCodeFor(const netclient::ClientError& error) {
    for (const ClientExitCode& c : kClientExitCodes)
        if (error.code == c.reason)
            return c.exitCode;
    for (int c = int(sec::ErrorCode::InvalidArgument);
         sec::errorCodeName(static_cast<sec::ErrorCode>(c)) != "unknown-error"; ++c)
        if (sec::errorCodeName(static_cast<sec::ErrorCode>(c)) == error.code)
            return exitCodeFor(static_cast<sec::ErrorCode>(c));
    return kExitServiceRefused;
}

static const char* hintFor(sec::ErrorCode code) {
    switch (code) {
    case sec::ErrorCode::WrongPassphrase:
        return "type the passphrase again, or set TWINSEAL_PASSPHRASE / --passphrase-file";
    case sec::ErrorCode::KeyFileCorrupt:
        return "the file was changed or truncated; restore it from your backup";
    case sec::ErrorCode::IoError: return "check the path and its permissions";
    case sec::ErrorCode::UntrustedIssuer:
        return "add the operator's root certificate to the trust list only if you trust it";
    case sec::ErrorCode::MediaDescriptionMissing:
        return "the owner re-certifies the avatar: twinsealctl register --recertify DT_ID";
    default: return nullptr;
    }
}

int fail(const sec::Error& error) {
    std::cerr << "twinsealctl: " << error.message() << "\n";
    if (const char* hint = hintFor(error.code))
        std::cerr << "  hint: " << hint << "\n";
    return exitCodeFor(error.code);
}

int fail(const netclient::ClientError& error) {
    std::cerr << "twinsealctl: " << error.describe() << "\n";
    return exitCodeFor(error);
}

std::optional<int> require(const QCommandLineParser& parser,
                           std::initializer_list<const char*> names) {
    for (const char* n : names)
        if (!parser.isSet(n) || parser.value(n).isEmpty())
            return usage(parser, QString("--%1 is required").arg(n));
    return std::nullopt;
}

int usage(const QCommandLineParser& parser, const QString& message) {
    std::cerr << "twinsealctl: " << message.toStdString() << "\n\n"
              << parser.helpText().toStdString();
    return kExitUsage;
}

std::optional<int> parseCommand(QCommandLineParser& parser, const QStringList& args,
                                const QString& about) {
    parser.setApplicationDescription(about);
    parser.addHelpOption();
    if (!parser.parse(args))
        return usage(parser, parser.errorText());
    if (parser.isSet("help")) {
        std::cout << parser.helpText().toStdString();
        return kExitOk;
    }
    return std::nullopt;
}

void out(const std::string& text) { std::cout << text << "\n" << std::flush; }
void info(const std::string& text) { std::cerr << text << "\n" << std::flush; }

void addPassphraseOption(QCommandLineParser& parser) {
    parser.addOption({"passphrase-file",
                      "Read the passphrase from <file> (first line; the file must be yours and "
                      "readable by you only, mode 0600). Otherwise $TWINSEAL_PASSPHRASE (with a "
                      "warning: other processes can read it), otherwise it is asked for on the "
                      "terminal.",
                      "file"});
}

void forget(std::string& secret) {
    sec::cleanse(secret.data(), secret.size());
    secret.clear();
}

static sec::Result<std::string> askTerminal(const std::string& prompt) {
    if (!isatty(STDIN_FILENO))
        return sec::makeError(sec::ErrorCode::InvalidArgument,
                              "a passphrase is needed: set TWINSEAL_PASSPHRASE or use "
                              "--passphrase-file (no terminal to ask on)");
    std::cerr << prompt << ": " << std::flush;
    termios old {};
    tcgetattr(STDIN_FILENO, &old);
    termios quiet = old;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO);
    tcsetattr(STDIN_FILENO, TCSANOW, &quiet);
    std::string line;
    std::getline(std::cin, line);
    tcsetattr(STDIN_FILENO, TCSANOW, &old);
    std::cerr << "\n";
    return line;
}

// A passphrase file must be the owner's alone, like an ssh private key: one that the group or
// others may read gives the passphrase away, one they may write lets them choose it.
static sec::Status checkPassphraseFile(const std::string& path) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0)
        return sec::makeError(sec::ErrorCode::IoError, "cannot read the passphrase file " + path);
    if ((st.st_mode & 077) != 0 || st.st_uid != ::geteuid()) {
        char mode[8];
        (void)std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
        return sec::makeError(sec::ErrorCode::InvalidArgument,
                              "passphrase-file-exposed: the passphrase file " + path +
                                  (st.st_uid != ::geteuid() ? " belongs to another user"
                                                            : " can be read or written by others (mode " +
                                                                  std::string(mode) + ")") +
                                  "; make it yours alone: chmod 600 " + path);
    }
    return {};
}

// A new passphrase must be long enough; how strong it looks is said on stderr.
static sec::Status checkNewPassphrase(const std::string& passphrase) {
    const auto assessment = sec::assessPassphrase(passphrase);
    if (assessment.strength == sec::PassphraseStrength::TooShort)
        return sec::makeError(sec::ErrorCode::InvalidArgument,
                              "passphrase-too-short: a new passphrase needs at least " +
                                  std::to_string(sec::kMinPassphraseLength) + " characters (" +
                                  std::to_string(assessment.length) + " given). " +
                                  std::string(sec::passphraseHint(assessment.strength)));
    if (assessment.strength != sec::PassphraseStrength::Strong)
        info("twinsealctl: passphrase strength: " +
             std::string(sec::passphraseStrengthName(assessment.strength)) + ". " +
             std::string(sec::passphraseHint(assessment.strength)));
    return {};
}

static sec::Result<std::string> readPassphraseFrom(const QCommandLineParser& parser,
                                                   const std::string& prompt, bool confirm) {
    if (parser.isSet("passphrase-file")) {
        const std::string file = parser.value("passphrase-file").toStdString();
        TWINSEAL_TRY(checkPassphraseFile(file));
        auto data = sec::readFile(file);
        TWINSEAL_TRY(data);
        std::string p(data->begin(), data->end());
        sec::cleanse(data->data(), data->size());
        if (auto nl = p.find_first_of("\r\n"); nl != std::string::npos) {
            sec::cleanse(p.data() + nl, p.size() - nl);
            p.resize(nl);
        }
        return p;
    }
    if (QByteArray env = qgetenv("TWINSEAL_PASSPHRASE"); !env.isEmpty()) {
        // Accepted, but the risk is said every time: the environment of a process can be read by
        // the user's other processes and by root (/proc/PID/environ), is inherited by every
        // child, and an `export` line may end up in a shell history or a script.
        info("twinsealctl: warning: the passphrase comes from $TWINSEAL_PASSPHRASE, which other "
             "processes running as you (and root) can read and every child process inherits; "
             "prefer --passphrase-file FILE (mode 0600)");
        std::string pass(env.constData(), std::size_t(env.size()));
        twinseal::security::cleanse(env.data(), std::size_t(env.size()));
        return pass;
    }
    auto first = askTerminal(prompt);
    TWINSEAL_TRY(first);
    if (confirm) {
        auto second = askTerminal("Repeat " + prompt);
        TWINSEAL_TRY(second);
        const bool same = *first == *second;
        forget(*second);
        if (!same) {
            forget(*first);
            return sec::makeError(sec::ErrorCode::InvalidArgument, "the passphrases differ");
        }
    }
    return first;
}

sec::Result<std::string> readPassphrase(const QCommandLineParser& parser,
                                        const std::string& prompt, bool confirm) {
    auto pass = readPassphraseFrom(parser, prompt, confirm);
    TWINSEAL_TRY(pass);
    if (confirm) {
        if (auto st = checkNewPassphrase(*pass); !st.ok()) {
            forget(*pass);
            return st.error();
        }
    }
    return pass;
}

sec::Result<sec::Bytes> readBinary(const QString& path) { return sec::readFile(path.toStdString()); }

sec::Status writeBinary(const QString& path, sec::ByteView data, bool secret) {
    return sec::writeFileAtomic(path.toStdString(), data, secret);
}

sec::Result<std::string> readText(const QString& path) {
    auto d = readBinary(path);
    TWINSEAL_TRY(d);
    std::string s(d->begin(), d->end());
    while (!s.empty() && (s.back() == '\n' || s.back() == '\r' || s.back() == ' '))
        s.pop_back();
    return s;
}

QString resourcesDir() {
    if (QString env = qEnvironmentVariable("TWINSEAL_RESOURCES"); !env.isEmpty())
        return env;
    const QString besideBinary =
        QCoreApplication::applicationDirPath() + "/../share/twinseal";
    for (const QString& dir : {besideBinary, QStringLiteral(TWINSEAL_INSTALL_RESOURCES),
                               QStringLiteral(TWINSEAL_SOURCE_RESOURCES)})
        if (QFileInfo::exists(dir + "/avatar/avatar.json"))
            return QDir(dir).canonicalPath();
    return QStringLiteral(TWINSEAL_SOURCE_RESOURCES);
}

} // namespace twinseal::ctl
