// Shared plumbing of twinsealctl: exit codes, output, passphrases, file I/O.
#pragma once

#include <QCommandLineParser>
#include <QString>
#include <QStringList>

#include <optional>
#include <string>

#include <twinseal/security/bytes.h>
#include <twinseal/security/verify.h>

namespace twinseal::ctl {

namespace sec = twinseal::security;

// Exit codes: 0 success, 1 usage error, 2 verified signatures but untrusted issuer,
// 10 + ErrorCode for every failure reason (see `twinsealctl exit-codes`).
inline constexpr int kExitOk = 0;
inline constexpr int kExitUsage = 1;
inline constexpr int kExitUntrusted = 2;
inline constexpr int kExitErrorBase = 10;

[[nodiscard]] int exitCodeFor(sec::ErrorCode code);
[[nodiscard]] int exitCodeFor(const sec::VerificationReport& report);

// Prints "twinsealctl: <code-name>: <detail>" (and a hint where one helps) to stderr and
// returns the matching exit code.
int fail(const sec::Error& error);
int usage(const QCommandLineParser& parser, const QString& message);
// Parses a command's arguments (args[0] is its display name) and prints help on --help.
// Returns nullopt to go on, or the exit code to return.
[[nodiscard]] std::optional<int> parseCommand(QCommandLineParser& parser, const QStringList& args,
                                              const QString& about);

void out(const std::string& text);  // stdout, with a newline
void info(const std::string& text); // stderr, with a newline (progress and narration)

// Passphrase: from the file named by --passphrase-file, else $TWINSEAL_PASSPHRASE, else asked
// on the terminal without echo (twice when `confirm`). Never taken from the command line.
[[nodiscard]] sec::Result<std::string> readPassphrase(const QCommandLineParser& parser,
                                                      const std::string& prompt, bool confirm);
void addPassphraseOption(QCommandLineParser& parser);
void forget(std::string& secret); // cleanses and clears

[[nodiscard]] sec::Result<sec::Bytes> readBinary(const QString& path);
[[nodiscard]] sec::Status writeBinary(const QString& path, sec::ByteView data, bool secret = false);
[[nodiscard]] sec::Result<std::string> readText(const QString& path);

// Resources (the sample avatar): installed location or the source tree.
[[nodiscard]] QString resourcesDir();

} // namespace twinseal::ctl
