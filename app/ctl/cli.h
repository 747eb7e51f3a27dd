// Shared plumbing of twinsealctl: exit codes, output, passphrases, file I/O.
#pragma once

#include <QCommandLineParser>
#include <QString>
#include <QStringList>

#include <initializer_list>
#include <optional>
#include <string>

#include <twinseal/netclient/client_error.h>
#include <twinseal/security/bytes.h>
#include <twinseal/security/verify.h>

namespace twinseal::ctl {

namespace sec = twinseal::security;

// Exit codes: 0 success, 1 usage error, 2 verified signatures but untrusted issuer, 3 a peer's
// verification incomplete (a required check was skipped),
// 10 + ErrorCode for every failure reason up to 99 and, for the reasons after those, 200 +
// (ErrorCode - 90) (see `twinsealctl exit-codes`; kExitLateErrorBase), and 100 and up for
// failures of the home-network service or of talking to it: 100 for a reason the service gave
// that twinsealctl does not know, 101+ for the client's own reasons (kClientExitCodes). A
// service or client reason that has the name of a security ErrorCode (e.g. "media-mismatch",
// "consistency-proof-invalid") keeps that code's 10+ exit code.
inline constexpr int kExitOk = 0;
inline constexpr int kExitUsage = 1;
inline constexpr int kExitUntrusted = 2;
// A peer's report with a required check skipped (`assertion verify --skip ...`): never 0.
inline constexpr int kExitIncomplete = 3;
inline constexpr int kExitErrorBase = 10;
// The reasons whose 10 + code would reach 100 (the service's range) start over at 200, so every
// earlier reason's exit code stays as it was.
inline constexpr int kExitLateErrorBase = 200;
inline constexpr int kFirstLateErrorCode = 90;
inline constexpr int kExitServiceRefused = 100;

struct ClientExitCode {
    const char* reason;
    int exitCode;
    const char* meaning;
};
// Every client-side reason of twinseal::netclient that is not also a security ErrorCode name.
inline constexpr ClientExitCode kClientExitCodes[] = {
    {netclient::reason::kServiceUnreachable, 101, "the home-network service cannot be reached"},
    {netclient::reason::kTlsError, 102,
     "TLS failed: the service's certificate is not from the profile's CA"},
    {netclient::reason::kTimeout, 103, "the service did not answer in time"},
    {netclient::reason::kServiceError, 104, "the service refused without a reason code"},
    {netclient::reason::kResponseMalformed, 105, "the service's answer is malformed"},
    {netclient::reason::kResponseTooLarge, 106, "the service's answer is too large"},
    {netclient::reason::kNotAuthenticated, 107,
     "not authenticated to the home network, or the session expired"},
    {netclient::reason::kServingNetworkMismatch, 108, "the challenge is for another serving network"},
    {netclient::reason::kAkaFailed, 109, "the USIM could not process the challenge"},
    {netclient::reason::kAkmaMismatch, 110, "the service's A-KID differs from the USIM's"},
    {netclient::reason::kProfileSaveFailed, 111,
     "the USIM profile's sequence number could not be saved"},
    {netclient::reason::kManifestInvalid, 112, "the avatar manifest is not valid"},
    {netclient::reason::kCredentialInvalid, 113, "the issued credential is not acceptable"},
    {netclient::reason::kCredentialUntrusted, 114,
     "the issued credential does not chain to a trusted root"},
    {netclient::reason::kLogProofInvalid, 115, "the transparency-log proof does not verify"},
    {netclient::reason::kTreeHeadInvalid, 116, "the signed tree head does not verify"},
    {netclient::reason::kStatusListInvalid, 117, "the status list does not verify or is out of date"},
    {netclient::reason::kUploadIncomplete, 118, "the repository does not hold the whole avatar"},
    {netclient::reason::kAvatarIncomplete, 119, "the avatar has not been uploaded completely"},
    {netclient::reason::kUnsafePath, 120, "the manifest names a path outside the destination"},
    {netclient::reason::kCancelled, 121, "the operation was cancelled"},
    {netclient::reason::kAuthInProgress, 122, "an authentication is already running"},
};

[[nodiscard]] int exitCodeFor(sec::ErrorCode code);
[[nodiscard]] int exitCodeFor(const sec::VerificationReport& report);
[[nodiscard]] int exitCodeFor(const netclient::ClientError& error);

// Prints "twinsealctl: <code-name>: <detail>" (and a hint where one helps) to stderr and
// returns the matching exit code.
int fail(const sec::Error& error);
// The same for the home-network client: "twinsealctl: <reason>: <message> (HTTP <status>)".
int fail(const netclient::ClientError& error);
int usage(const QCommandLineParser& parser, const QString& message);
// A usage error naming the first of `names` that is missing or empty, else nullopt.
[[nodiscard]] std::optional<int> require(const QCommandLineParser& parser,
                                         std::initializer_list<const char*> names);
// Parses a command's arguments (args[0] is its display name) and prints help on --help.
// Returns nullopt to go on, or the exit code to return.
[[nodiscard]] std::optional<int> parseCommand(QCommandLineParser& parser, const QStringList& args,
                                              const QString& about);

void out(const std::string& text);  // stdout, with a newline
void info(const std::string& text); // stderr, with a newline (progress and narration)

// Passphrase: from the file named by --passphrase-file (refused unless it is the user's own with
// mode 0600: "passphrase-file-exposed"), else $TWINSEAL_PASSPHRASE (with a warning on stderr
// naming the risk), else asked on the terminal without echo (twice when `confirm`). Never taken
// from the command line. A new one (`confirm`) needs kMinPassphraseLength characters
// ("passphrase-too-short"); how strong it looks is said on stderr.
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
