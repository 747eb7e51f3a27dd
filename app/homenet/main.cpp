// twinseal-homenet: the home network's DT service.
//   init            create the operator keys and the database in a data directory
//   serve           run the HTTPS service
//   subscriber add  create a subscriber and write the USIM profile file to hand out
//   subscriber ref  the pseudonym under which alerts name a subscriber
//   dt list|revoke  inspect digital twins; revoke one (logged, published in the status list)
//   backup          a consistent, sealed backup of keys and database while serving
//   restore         restore a backup onto a new data directory and database
//   disclosure record  record a lawful disclosure of a DT's attributes, committed to in the
//                      transparency log (its owner sees it after the configured delay)
#include <QCommandLineParser>
#include <QCoreApplication>
#include <QDateTime>
#include <QTimeZone>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSocketNotifier>
#include <QTimer>

#include <algorithm>
#include <csignal>
#include <functional>
#include <memory>
#include <optional>
#include <type_traits>
#include <cstdio>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <twinseal/security/bytes.h>
#include <twinseal/service/homenet_backup.h>
#include <twinseal/service/library_logs.h>
#include <twinseal/service/service_log.h>
#include <twinseal/service/service_runner.h>

using namespace twinseal::service;
namespace sec = twinseal::security;

namespace {

constexpr int kExitOk = 0;
constexpr int kExitUsage = 1;
constexpr int kExitFailure = 3;

void out(const QString& s) { (void)std::fprintf(stdout, "%s\n", s.toLocal8Bit().constData()); }
void err(const QString& s) { (void)std::fprintf(stderr, "twinseal-homenet: %s\n", s.toLocal8Bit().constData()); }

int failWith(const ServiceError& e) {
    err(QString::fromStdString(e.code + ": " + e.message));
    return kExitFailure;
}

QCommandLineOption dataDirOption() {
    return QCommandLineOption({QStringLiteral("d"), QStringLiteral("data-dir")},
                              QStringLiteral("Data directory (keys, SQLite database)."),
                              QStringLiteral("dir"));
}
QCommandLineOption passFileOption() {
    return QCommandLineOption(QStringLiteral("passphrase-file"),
                              QStringLiteral("File holding the passphrase of the operator keys "
                                             "(else $TWINSEAL_HOMENET_PASSPHRASE)."),
                              QStringLiteral("file"));
}
QCommandLineOption databaseOption() {
    return QCommandLineOption(QStringLiteral("database"),
                              QStringLiteral("Storage: empty for SQLite in the data directory, "
                                             "or postgresql://user@host:port/db."),
                              QStringLiteral("url"));
}
QCommandLineOption configOption() {
    return QCommandLineOption({QStringLiteral("c"), QStringLiteral("config")},
                              QStringLiteral("INI configuration file ([service] section); flags "
                                             "override it."),
                              QStringLiteral("file"));
}

// The passphrase file must be the operator's alone (mode 0600 or 0400): one that the group or
// others may read gives every operator key away. systemd's credentials directory
// (LoadCredential=, $CREDENTIALS_DIRECTORY) is private to the service by construction.
bool passphraseFileExposed(const QString& file, QString* error) {
    const QByteArray path = QFile::encodeName(file);
    struct stat st {};
    if (::stat(path.constData(), &st) != 0)
        return false; // reading it reports the problem
    if (const QString creds = qEnvironmentVariable("CREDENTIALS_DIRECTORY");
        !creds.isEmpty() && QFileInfo(file).canonicalFilePath().startsWith(
                                QFileInfo(creds).canonicalFilePath() + QLatin1Char('/')))
        return false;
    if ((st.st_mode & 077) == 0)
        return false;
    *error = QStringLiteral("the passphrase file %1 can be read or written by "
                            "others (mode %2); make it the service user's alone: chmod 600 %1")
                 .arg(file)
                 .arg(static_cast<unsigned>(st.st_mode & 07777), 4, 8, QLatin1Char('0'));
    return true;
}

// `code` (when given) receives the refusal's reason: passphrase-file-exposed or passphrase-missing.
bool readPassphrase(const QString& file, std::string* pass, QString* error, std::string* code = nullptr) {
    if (code)
        *code = "passphrase-missing";
    if (!file.isEmpty()) {
        if (passphraseFileExposed(file, error)) {
            if (code)
                *code = "passphrase-file-exposed";
            return false;
        }
        auto bytes = sec::readFile(file.toStdString());
        if (!bytes.ok()) {
            *error = QStringLiteral("cannot read the passphrase file %1").arg(file);
            return false;
        }
        pass->assign(bytes->begin(), bytes->end());
        sec::cleanse(bytes->data(), bytes->size());
        while (!pass->empty() && (pass->back() == '\n' || pass->back() == '\r'))
            pass->pop_back();
    } else if (QByteArray env = qgetenv("TWINSEAL_HOMENET_PASSPHRASE"); !env.isNull()) {
        // Accepted, with the risk said: a process's environment is readable by the same user's
        // other processes and root (/proc/PID/environ) and inherited by every child.
        err(QStringLiteral("warning: the passphrase comes from $TWINSEAL_HOMENET_PASSPHRASE, which "
                           "other processes running as this user (and root) can read and every "
                           "child process inherits; prefer --passphrase-file FILE (mode 0600) or "
                           "systemd's LoadCredential="));
        pass->assign(env.constData(), std::size_t(env.size()));
        sec::cleanse(env.data(), std::size_t(env.size()));
    } else {
        *error = QStringLiteral("no passphrase: use --passphrase-file FILE or set "
                                "TWINSEAL_HOMENET_PASSPHRASE");
        return false;
    }
    if (pass->empty()) {
        *error = QStringLiteral("the passphrase is empty");
        return false;
    }
    return true;
}

struct Passphrase {
    std::string text;
    ~Passphrase() { sec::cleanse(text.data(), text.size()); }
};

// Shared by every command: config file, then flags.
bool loadConfig(const QCommandLineParser& p, ServiceConfig* c, QString* error) {
    if (p.isSet(configOption()) && !c->loadFile(p.value(configOption()), error))
        return false;
    if (p.isSet(dataDirOption()))
        c->dataDir = p.value(dataDirOption());
    if (p.isSet(databaseOption()))
        c->database = p.value(databaseOption());
    if (p.isSet(passFileOption()))
        c->passphraseFile = p.value(passFileOption());
    if (c->dataDir.isEmpty()) {
        *error = QStringLiteral("no data directory: use --data-dir DIR (or data-dir in the config)");
        return false;
    }
    return true;
}

bool parse(QCommandLineParser& p, const QStringList& args, const QString& description) {
    p.setApplicationDescription(description);
    p.addHelpOption();
    if (!p.parse(args)) {
        err(p.errorText());
        return false;
    }
    if (p.isSet(QStringLiteral("help"))) {
        out(p.helpText());
        // On the only thread, before anything else starts: nothing to unwind.
        std::exit(kExitOk); // NOLINT(concurrency-mt-unsafe)
    }
    if (!p.positionalArguments().isEmpty()) {
        err(QStringLiteral("unexpected argument: %1").arg(p.positionalArguments().first()));
        return false;
    }
    return true;
}

ServiceResult<std::unique_ptr<ServiceRunner>> openRunner(const ServiceConfig& c) {
    Passphrase pass;
    QString error;
    std::string code;
    if (!readPassphrase(c.passphraseFile, &pass.text, &error, &code))
        return serviceError(1, code, error.toStdString());
    auto runner = std::make_unique<ServiceRunner>();
    if (auto st = runner->open(c, pass.text); !st.ok())
        return st.error();
    return runner;
}

// The service an administrative command works on: the configuration from the options, then
// the command's own checks and settings (`prepare`: false after saying why is a usage error),
// and the service opened on it. Null after saying why, with the exit code in *exitCode.
std::unique_ptr<ServiceRunner>
adminService(const QCommandLineParser& p, int* exitCode,
             const std::function<bool(const QCommandLineParser&, ServiceConfig&)>& prepare = {}) {
    ServiceConfig c;
    QString error;
    if (!loadConfig(p, &c, &error)) {
        err(error);
        *exitCode = kExitUsage;
        return nullptr;
    }
    if (prepare && !prepare(p, c)) {
        *exitCode = kExitUsage;
        return nullptr;
    }
    auto runner = openRunner(c);
    if (!runner.ok()) {
        *exitCode = failWith(runner.error());
        return nullptr;
    }
    return std::move(runner).value();
}

int cmdInit(const QStringList& args) {
    QCommandLineParser p;
    p.addOptions({dataDirOption(), passFileOption(), databaseOption(), configOption(),
                  {QStringLiteral("operator"), QStringLiteral("Operator name (certificates)."),
                   QStringLiteral("name"), QStringLiteral("TwinSeal Demo Operator")},
                  {QStringLiteral("host"),
                   QStringLiteral("Host name or IP the TLS certificate covers (repeatable; "
                                  "default localhost and 127.0.0.1)."),
                   QStringLiteral("host")}});
    if (!parse(p, args, QStringLiteral("Create the operator keys (root, DT issuer, log, SUCI, "
                                       "TLS) and the database in a data directory.")))
        return kExitUsage;
    ServiceConfig c;
    QString error;
    if (!loadConfig(p, &c, &error))
        return err(error), kExitUsage;
    Passphrase pass;
    std::string code;
    if (!readPassphrase(c.passphraseFile, &pass.text, &error, &code))
        return err(QString::fromStdString(code) + QStringLiteral(": ") + error), kExitUsage;
    if (OperatorKeys::exists(c.dataDir))
        return err(QStringLiteral("%1 is already initialised").arg(c.dataDir)), kExitFailure;
    OperatorInitOptions init;
    init.operatorName = p.value(QStringLiteral("operator"));
    if (p.isSet(QStringLiteral("host")))
        init.tlsHosts = p.values(QStringLiteral("host"));
    ServiceRunner runner;
    if (auto st = runner.open(c, pass.text, true, init); !st.ok())
        return failWith(st.error());
    out(QStringLiteral("initialised %1 for operator \"%2\"").arg(c.dataDir, init.operatorName));
    out(QStringLiteral("TLS certificate covers: %1").arg(init.tlsHosts.join(QStringLiteral(", "))));
    return kExitOk;
}

int signalPipe[2] = {-1, -1};
void onSignal(int sig) {
    const char c = static_cast<char>(sig);
    [[maybe_unused]] auto n = ::write(signalPipe[1], &c, 1);
}

int cmdServe(const QStringList& args) {
    QCommandLineParser p;
    p.addOptions({dataDirOption(), passFileOption(), databaseOption(), configOption(),
                  {QStringLiteral("listen"), QStringLiteral("Address to listen on (default 127.0.0.1)."),
                   QStringLiteral("address")},
                  {QStringLiteral("port"), QStringLiteral("TCP port (default 8443; 0 picks one)."),
                   QStringLiteral("port")},
                  {QStringLiteral("public-url"),
                   QStringLiteral("https://host:port subscribers use (written into profiles)."),
                   QStringLiteral("url")},
                  {QStringLiteral("max-body-bytes"), QStringLiteral("Largest request body."),
                   QStringLiteral("bytes")},
                  {QStringLiteral("rate-limit"),
                   QStringLiteral("Requests per second per client address (0: no limit)."),
                   QStringLiteral("n")},
                  {QStringLiteral("rate-burst"), QStringLiteral("Burst size of the rate limit."),
                   QStringLiteral("n")},
                  {QStringLiteral("auth-start-per-minute"),
                   QStringLiteral("5G-AKA starts a minute per subscriber after the burst (0: no "
                                  "limit)."),
                   QStringLiteral("n")},
                  {QStringLiteral("log-level"), QStringLiteral("debug, info, warning or error."),
                   QStringLiteral("level")},
                  {QStringLiteral("metrics-listen"),
                   QStringLiteral("Serve Prometheus metrics at http://ADDRESS:PORT/metrics "
                                  "(plain HTTP: a private address; off by default)."),
                   QStringLiteral("address:port")},
                  {QStringLiteral("init"),
                   QStringLiteral("Create the operator keys first if the data directory has none.")},
                  {QStringLiteral("trust-root"),
                   QStringLiteral("PEM file of another operator's root whose subscribers may join "
                                  "calls hosted here (repeatable; this operator's root is always "
                                  "trusted)."),
                   QStringLiteral("file")},
                  {QStringLiteral("call-ring-timeout"),
                   QStringLiteral("Seconds an invitation rings (default 30)."), QStringLiteral("s")},
                  {QStringLiteral("call-rejoin-grace"),
                   QStringLiteral("Seconds a dropped participant may rejoin (default 30)."),
                   QStringLiteral("s")},
                  {QStringLiteral("call-max-message-bytes"),
                   QStringLiteral("Largest call signalling message (default 65536)."),
                   QStringLiteral("bytes")},
                  {QStringLiteral("call-max-queue-bytes"),
                   QStringLiteral("Unsent bytes a call participant may fall behind before it is "
                                  "dropped (default 1 MiB)."),
                   QStringLiteral("bytes")},
                  {QStringLiteral("call-signal-rate"),
                   QStringLiteral("Signalling messages per second per connection (default 20)."),
                   QStringLiteral("n")},
                  {QStringLiteral("call-frame-rate"),
                   QStringLiteral("Relayed frames per second per connection (default 400)."),
                   QStringLiteral("n")}});
    if (!parse(p, args, QStringLiteral("Run the home-network DT service over HTTPS (TLS 1.3). "
                                       "Logs are JSON lines on stderr; SIGTERM/SIGINT shut it "
                                       "down gracefully.")))
        return kExitUsage;
    ServiceConfig c;
    QString error;
    if (!loadConfig(p, &c, &error))
        return err(error), kExitUsage;
    bool ok = true;
    if (p.isSet(QStringLiteral("listen")))
        c.listenAddress = p.value(QStringLiteral("listen"));
    if (p.isSet(QStringLiteral("port")))
        c.port = static_cast<quint16>(p.value(QStringLiteral("port")).toUInt(&ok));
    if (ok && p.isSet(QStringLiteral("max-body-bytes")))
        c.maxBodyBytes = p.value(QStringLiteral("max-body-bytes")).toLongLong(&ok);
    if (ok && p.isSet(QStringLiteral("rate-limit")))
        c.rateLimit = p.value(QStringLiteral("rate-limit")).toDouble(&ok);
    if (ok && p.isSet(QStringLiteral("rate-burst")))
        c.rateBurst = p.value(QStringLiteral("rate-burst")).toDouble(&ok);
    if (ok && p.isSet(QStringLiteral("auth-start-per-minute")))
        c.authStartPerMinute = p.value(QStringLiteral("auth-start-per-minute")).toDouble(&ok);
    if (p.isSet(QStringLiteral("public-url")))
        c.publicUrl = p.value(QStringLiteral("public-url"));
    if (p.isSet(QStringLiteral("log-level")))
        c.logLevel = p.value(QStringLiteral("log-level"));
    if (p.isSet(QStringLiteral("metrics-listen"))) {
        c.metricsListen = p.value(QStringLiteral("metrics-listen"));
        if (QString why; !parseMetricsListen(c.metricsListen, nullptr, nullptr, &why))
            return err(QStringLiteral("--metrics-listen: ") + why), kExitUsage;
    }
    if (p.isSet(QStringLiteral("trust-root")))
        c.callTrustRoots += p.values(QStringLiteral("trust-root"));
    auto callInt = [&](const char* name, auto* field) {
        if (ok && p.isSet(QLatin1String(name)))
            *field = static_cast<std::remove_pointer_t<decltype(field)>>(
                p.value(QLatin1String(name)).toDouble(&ok));
    };
    callInt("call-ring-timeout", &c.callRingTimeout);
    callInt("call-rejoin-grace", &c.callRejoinGrace);
    callInt("call-max-message-bytes", &c.callMaxMessageBytes);
    callInt("call-max-queue-bytes", &c.callMaxQueueBytes);
    callInt("call-signal-rate", &c.callSignalRate);
    callInt("call-frame-rate", &c.callFrameRate);
    if (ok && p.isSet(QStringLiteral("call-signal-rate")))
        c.callSignalBurst = std::max(c.callSignalBurst, 3 * c.callSignalRate);
    if (ok && p.isSet(QStringLiteral("call-frame-rate")))
        c.callFrameBurst = std::max(c.callFrameBurst, 2 * c.callFrameRate);
    if (!ok)
        return err(QStringLiteral("a numeric option is not a number")), kExitUsage;
    LogLevel level;
    if (!parseLogLevel(c.logLevel, &level))
        return err(QStringLiteral("unknown log level %1").arg(c.logLevel)), kExitUsage;
    setLogLevel(level);

    Passphrase pass;
    std::string code;
    if (!readPassphrase(c.passphraseFile, &pass.text, &error, &code))
        return err(QString::fromStdString(code) + QStringLiteral(": ") + error), kExitUsage;
    ServiceRunner runner;
    if (auto st = runner.open(c, pass.text, p.isSet(QStringLiteral("init"))); !st.ok()) {
        logEvent(LogLevel::Error, "start-failed",
                 {{QStringLiteral("code"), QString::fromStdString(st.error().code)},
                  {QStringLiteral("message"), QString::fromStdString(st.error().message)}});
        return failWith(st.error());
    }
    sec::cleanse(pass.text.data(), pass.text.size());
    auto port = runner.listen();
    if (!port.ok())
        return failWith(port.error());

    if (::socketpair(AF_UNIX, SOCK_STREAM, 0, signalPipe) != 0)
        return err(QStringLiteral("socketpair failed")), kExitFailure;
    QSocketNotifier notifier(signalPipe[0], QSocketNotifier::Read);
    QObject::connect(&notifier, &QSocketNotifier::activated, [&] {
        char sig = 0;
        [[maybe_unused]] auto n = ::read(signalPipe[0], &sig, 1);
        notifier.setEnabled(false);
        logLifecycle("shutdown",
                 {{QStringLiteral("signal"), int(sig)},
                  {QStringLiteral("requests"), double(runner.frontend()->requestsServed())}});
        runner.frontend()->stopListening();
        // Let responses already being written drain, then leave the event loop.
        QTimer::singleShot(250, qApp, &QCoreApplication::quit);
    });
    struct sigaction sa {};
    sa.sa_handler = onSignal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    sigaction(SIGTERM, &sa, nullptr);
    sigaction(SIGINT, &sa, nullptr);

    QJsonObject listening{{QStringLiteral("address"), c.listenAddress},
                          {QStringLiteral("port"), int(*port)},
                          {QStringLiteral("url"), c.effectivePublicUrl(*port)},
                          {QStringLiteral("storage"), c.databaseDescription()},
                          {QStringLiteral("log_size"), double(runner.service().logSizeInMemory())}};
    if (runner.metricsPort() != 0)
        listening.insert(QStringLiteral("metrics_port"), int(runner.metricsPort()));
    logLifecycle("listening", listening);
    const int rc = QCoreApplication::exec();
    runner.stop();
    logLifecycle("stopped");
    return rc;
}

int cmdSubscriberAdd(const QStringList& args) {
    QCommandLineParser p;
    p.addOptions({dataDirOption(), passFileOption(), databaseOption(), configOption(),
                  {QStringLiteral("supi"), QStringLiteral("Subscriber, e.g. imsi-001010000000001."),
                   QStringLiteral("supi")},
                  {QStringLiteral("mnc-length"), QStringLiteral("Digits of the MNC (2 or 3)."),
                   QStringLiteral("n"), QStringLiteral("2")},
                  {QStringLiteral("name"), QStringLiteral("Subscriber's name (a DT attribute)."),
                   QStringLiteral("text")},
                  {QStringLiteral("role"), QStringLiteral("Role attribute, e.g. surgeon."),
                   QStringLiteral("text")},
                  {QStringLiteral("organisation"), QStringLiteral("Organisation attribute."),
                   QStringLiteral("text")},
                  {QStringLiteral("licence-id"), QStringLiteral("Licence id attribute."),
                   QStringLiteral("text")},
                  {QStringLiteral("routing-indicator"), QStringLiteral("1-4 digits (default 0)."),
                   QStringLiteral("digits"), QStringLiteral("0")},
                  {QStringLiteral("service-url"),
                   QStringLiteral("https://host:port written into the profile."),
                   QStringLiteral("url")},
                  {QStringLiteral("profile-out"), QStringLiteral("Where to write the USIM profile."),
                   QStringLiteral("file")}});
    if (!parse(p, args, QStringLiteral("Create a subscriber (random K and OPc) and write the USIM "
                                       "profile file the subscriber imports (mode 0600).")))
        return kExitUsage;
    int exitCode = kExitOk;
    auto runner = adminService(p, &exitCode, [](const QCommandLineParser& q, ServiceConfig& c) {
        if (!q.isSet(QStringLiteral("supi")) || !q.isSet(QStringLiteral("profile-out"))) {
            err(QStringLiteral("--supi and --profile-out are required"));
            return false;
        }
        if (!q.isSet(QStringLiteral("service-url")) && c.publicUrl.isEmpty())
            c.publicUrl = QStringLiteral("https://localhost:%1").arg(c.port);
        return true;
    });
    if (!runner)
        return exitCode;
    SubscriberProfileRequest r;
    r.supi = p.value(QStringLiteral("supi"));
    r.mncLength = p.value(QStringLiteral("mnc-length")).toInt();
    r.name = p.value(QStringLiteral("name"));
    r.role = p.value(QStringLiteral("role"));
    r.organisation = p.value(QStringLiteral("organisation"));
    r.licenceId = p.value(QStringLiteral("licence-id"));
    r.routingIndicator = p.value(QStringLiteral("routing-indicator"));
    r.serviceUrl = p.value(QStringLiteral("service-url"));
    auto profile = runner->service().addSubscriber(r);
    if (!profile.ok())
        return failWith(profile.error());
    if (auto st = profile->save(p.value(QStringLiteral("profile-out")).toStdString()); !st.ok())
        return err(QString::fromStdString(st.error().message())), kExitFailure;
    out(QStringLiteral("subscriber %1 added; USIM profile written to %2 (service %3)")
            .arg(QString::fromStdString(profile->supi.toString()),
                 p.value(QStringLiteral("profile-out")),
                 QString::fromStdString(profile->serviceUrl)));
    return kExitOk;
}

QJsonObject dtJson(const twinseal::proto::DtInfo& d) {
    return {{QStringLiteral("dt_id"), QString::fromStdString(d.dt_id())},
            {QStringLiteral("avatar_id"), QString::fromStdString(d.avatar_id())},
            {QStringLiteral("state"), QString::fromStdString(d.state())},
            {QStringLiteral("generation"), int(d.generation())},
            {QStringLiteral("status_list_index"), double(d.status_list_index())},
            {QStringLiteral("log_index"), double(d.log_index())},
            {QStringLiteral("revocation_reason"), QString::fromStdString(d.revocation_reason())}};
}

// The pseudonym under which alerts name a subscriber (anomaly_monitor.h): an operator looking
// for one subscriber's alerts greps the log for it.
int cmdSubscriberRef(const QStringList& args) {
    QCommandLineParser p;
    p.addOptions({dataDirOption(), passFileOption(), databaseOption(), configOption(),
                  {QStringLiteral("supi"), QStringLiteral("Subscriber, e.g. imsi-001010000000001."),
                   QStringLiteral("supi")}});
    if (!parse(p, args, QStringLiteral("Print the pseudonym under which alerts and the service "
                                       "log name a subscriber.")))
        return kExitUsage;
    if (!p.isSet(QStringLiteral("supi")))
        return err(QStringLiteral("--supi is required")), kExitUsage;
    int exitCode = kExitOk;
    auto runner = adminService(p, &exitCode);
    if (!runner)
        return exitCode;
    out(QString::fromLatin1(subscriberPseudonym(runner->keys(), p.value(QStringLiteral("supi")))));
    return kExitOk;
}

int cmdDt(const QStringList& args) {
    const QString sub = args.size() > 1 ? args.at(1) : QString();
    QCommandLineParser p;
    p.addOptions({dataDirOption(), passFileOption(), databaseOption(), configOption(),
                  {QStringLiteral("dt-id"), QStringLiteral("The digital twin."), QStringLiteral("id")},
                  {QStringLiteral("reason"), QStringLiteral("Why it is revoked (logged)."),
                   QStringLiteral("text")},
                  {QStringLiteral("json"), QStringLiteral("Print JSON.")}});
    QStringList rest = args;
    rest.removeAt(1);
    if (sub != QLatin1String("list") && sub != QLatin1String("revoke")) {
        err(QStringLiteral("usage: twinseal-homenet dt list|revoke [options] (see --help)"));
        return kExitUsage;
    }
    if (!parse(p, rest, sub == QLatin1String("list")
                            ? QStringLiteral("List every digital twin.")
                            : QStringLiteral("Revoke a digital twin: its credential is marked in "
                                             "the status list and the revocation is logged.")))
        return kExitUsage;
    int exitCode = kExitOk;
    auto runner = adminService(p, &exitCode);
    if (!runner)
        return exitCode;
    if (sub == QLatin1String("list")) {
        auto list = runner->service().adminList();
        if (!list.ok())
            return failWith(list.error());
        QJsonArray arr;
        for (const auto& d : list->dts()) {
            arr.append(dtJson(d));
            if (!p.isSet(QStringLiteral("json")))
                out(QStringLiteral("%1  %2  gen %3  %4")
                        .arg(QString::fromStdString(d.dt_id()), QString::fromStdString(d.state()))
                        .arg(d.generation())
                        .arg(QString::fromStdString(d.avatar_id())));
        }
        if (p.isSet(QStringLiteral("json")))
            out(QString::fromUtf8(QJsonDocument(arr).toJson(QJsonDocument::Indented)));
        return kExitOk;
    }
    if (!p.isSet(QStringLiteral("dt-id")))
        return err(QStringLiteral("--dt-id is required")), kExitUsage;
    auto info = runner->service().adminRevoke(p.value(QStringLiteral("dt-id")),
                                                 p.value(QStringLiteral("reason")));
    if (!info.ok())
        return failWith(info.error());
    out(QStringLiteral("revoked %1 (status list index %2)")
            .arg(QString::fromStdString(info->dt_id()))
            .arg(info->status_list_index()));
    return kExitOk;
}

QJsonObject backupJson(const BackupSummary& b) {
    return {{QStringLiteral("created_at"), double(b.createdAt)},
            {QStringLiteral("tables"), b.tables},
            {QStringLiteral("rows"), double(b.rows)},
            {QStringLiteral("key_files"), b.keyFiles},
            {QStringLiteral("bytes"), double(b.bytes)}};
}

// What backup and restore share: their options (the backup file's beside the usual ones), the
// configuration and the operator passphrase. -1 to go on, else the exit code.
int backupSetup(QCommandLineParser& p, const QStringList& args, const QString& fileOption,
                const QString& fileHelp, const QString& description, ServiceConfig* c,
                Passphrase* pass) {
    p.addOptions({dataDirOption(), passFileOption(), databaseOption(), configOption(),
                  {fileOption, fileHelp, QStringLiteral("file")}});
    if (!parse(p, args, description))
        return kExitUsage;
    if (!p.isSet(fileOption))
        return err(QStringLiteral("--%1 is required").arg(fileOption)), kExitUsage;
    QString error;
    if (!loadConfig(p, c, &error))
        return err(error), kExitUsage;
    if (auto problem = checkDatabaseUrl(c->database))
        return failWith(serviceError(1, problem->code, problem->message));
    std::string code;
    if (!readPassphrase(c->passphraseFile, &pass->text, &error, &code))
        return failWith(serviceError(1, code, error.toStdString()));
    return -1;
}

// A consistent backup while the service serves (homenet_backup.h).
int cmdBackup(const QStringList& args) {
    QCommandLineParser p;
    ServiceConfig c;
    Passphrase pass;
    if (const int rc = backupSetup(
            p, args, QStringLiteral("out"), QStringLiteral("The backup file to write."),
            QStringLiteral("Back up the operator keys and the database, consistent as of one "
                           "moment, while the service serves: one file sealed under the operator "
                           "passphrase."),
            &c, &pass);
        rc >= 0)
        return rc;
    ServiceRunner runner;
    if (auto st = runner.open(c, pass.text); !st.ok())
        return failWith(st.error());
    auto summary = writeBackup(c.dataDir, runner.store(), pass.text, p.value(QStringLiteral("out")),
                               sec::SystemClock::instance().now());
    if (!summary.ok())
        return failWith(summary.error());
    logLifecycle("backup-written", backupJson(*summary));
    out(QStringLiteral("backed up %1 key files and %2 rows of %3 tables to %4 (%5 bytes)")
            .arg(summary->keyFiles)
            .arg(summary->rows)
            .arg(summary->tables)
            .arg(p.value(QStringLiteral("out")))
            .arg(summary->bytes));
    return kExitOk;
}

// Restores a backup onto a new data directory and an empty database.
int cmdRestore(const QStringList& args) {
    QCommandLineParser p;
    ServiceConfig c;
    Passphrase pass;
    if (const int rc = backupSetup(
            p, args, QStringLiteral("in"), QStringLiteral("The backup file to restore."),
            QStringLiteral("Restore a backup into a new data directory and an empty database "
                           "(SQLite or PostgreSQL); then `serve` continues from it."),
            &c, &pass);
        rc >= 0)
        return rc;
    auto summary = restoreBackup(p.value(QStringLiteral("in")), pass.text, c.dataDir, c.database,
                                 sec::SystemClock::instance().now());
    if (!summary.ok())
        return failWith(summary.error());
    logLifecycle("backup-restored", backupJson(*summary));
    out(QStringLiteral("restored %1 key files and %2 rows of %3 tables into %4; run `serve` to "
                       "continue")
            .arg(summary->keyFiles)
            .arg(summary->rows)
            .arg(summary->tables)
            .arg(c.dataDir));
    return kExitOk;
}

int cmdDisclosure(const QStringList& args) {
    const QString sub = args.size() > 1 ? args.at(1) : QString();
    if (sub != QLatin1String("record")) {
        err(QStringLiteral("usage: twinseal-homenet disclosure record [options] (see --help)"));
        return kExitUsage;
    }
    QCommandLineParser p;
    p.addOptions({dataDirOption(), passFileOption(), databaseOption(), configOption(),
                  {QStringList{QStringLiteral("dt-id"), QStringLiteral("dt")},
                   QStringLiteral("The digital twin whose attributes were disclosed."),
                   QStringLiteral("id")},
                  {QStringLiteral("authority"), QStringLiteral("Who received them."),
                   QStringLiteral("text")},
                  {QStringLiteral("case-ref"), QStringLiteral("The authority's case reference."),
                   QStringLiteral("text")},
                  {QStringLiteral("legal-basis"),
                   QStringLiteral("The legal instrument the request relied on."),
                   QStringLiteral("text")},
                  {QStringLiteral("attributes"),
                   QStringLiteral("Comma-separated: name, role, organisation, licence_id, "
                                  "pseudonym."),
                   QStringLiteral("list")},
                  {QStringLiteral("delay"),
                   QStringLiteral("Seconds before the DT's owner is shown this disclosure "
                                  "(0 to 31622400, i.e. 366 days; default: disclosure-delay "
                                  "of the configuration, else 0). The transparency log commits "
                                  "to it at once."),
                   QStringLiteral("seconds")},
                  {QStringLiteral("json"), QStringLiteral("Print JSON.")}});
    QStringList rest = args;
    rest.removeAt(1);
    if (!parse(p, rest, QStringLiteral("Record that the home network disclosed identity "
                                       "attributes of a digital twin to an authority, and commit "
                                       "to it in the transparency log (an opaque entry). The "
                                       "DT's owner sees the record after the delay; other "
                                       "subscribers never do.")))
        return kExitUsage;
    std::optional<qint64> delay;
    if (p.isSet(QStringLiteral("delay"))) {
        bool good = false;
        delay = p.value(QStringLiteral("delay")).toLongLong(&good);
        if (!good) {
            err(QStringLiteral("disclosure-delay-invalid: --delay is a number of seconds "
                               "(0 to %1)")
                    .arg(kMaxDisclosureDelay));
            return kExitUsage;
        }
    }
    int exitCode = kExitOk;
    auto runner = adminService(p, &exitCode);
    if (!runner)
        return exitCode;
    twinseal::proto::LawfulDisclosure request;
    request.set_dt_id(p.value(QStringLiteral("dt-id")).toStdString());
    request.set_authority(p.value(QStringLiteral("authority")).toStdString());
    request.set_case_ref(p.value(QStringLiteral("case-ref")).toStdString());
    request.set_legal_basis(p.value(QStringLiteral("legal-basis")).toStdString());
    for (const QString& a :
         p.value(QStringLiteral("attributes")).split(QLatin1Char(','), Qt::SkipEmptyParts))
        request.add_attributes(a.trimmed().toStdString());
    auto recorded = runner->service().recordLawfulDisclosure(request, delay);
    if (!recorded.ok())
        return failWith(recorded.error());
    const QString id = QString::fromStdString(recorded->disclosure_id());
    if (p.isSet(QStringLiteral("json"))) {
        QJsonArray attrs;
        for (const auto& a : recorded->attributes())
            attrs.append(QString::fromStdString(a));
        out(QString::fromUtf8(
            QJsonDocument(QJsonObject{{QStringLiteral("disclosure_id"), id},
                                      {QStringLiteral("dt_id"),
                                       QString::fromStdString(recorded->dt_id())},
                                      {QStringLiteral("attributes"), attrs},
                                      {QStringLiteral("disclosed_at"),
                                       double(recorded->disclosed_at())},
                                      {QStringLiteral("visible_at"),
                                       double(recorded->visible_at())},
                                      {QStringLiteral("log_index"),
                                       double(recorded->log_index())}})
                .toJson(QJsonDocument::Compact)));
    } else {
        out(QStringLiteral("recorded lawful disclosure %1 for %2 (transparency log entry %3; "
                           "its owner sees it from %4)")
                .arg(id, QString::fromStdString(recorded->dt_id()))
                .arg(recorded->log_index())
                .arg(QDateTime::fromSecsSinceEpoch(recorded->visible_at(), QTimeZone::utc())
                         .toString(Qt::ISODate)));
    }
    return kExitOk;
}

void usage() {
    out(QStringLiteral(
        "usage: twinseal-homenet <command> [options]\n\n"
        "The home network's digital-twin service: subscriber authentication (SUCI, 5G-AKA, AKMA),\n"
        "DT registration and certification, avatar repository, revocation status list and\n"
        "transparency log, over HTTPS (TLS 1.3).\n\n"
        "commands:\n"
        "  init            create operator keys and storage in --data-dir\n"
        "  serve           run the service\n"
        "  subscriber add  add a subscriber and write its USIM profile file\n"
        "  subscriber ref  print the pseudonym under which alerts name a subscriber\n"
        "  dt list         list digital twins\n"
        "  dt revoke       revoke a digital twin\n"
        "  backup          back up keys and database while serving (--out FILE)\n"
        "  restore         restore a backup onto a new data directory (--in FILE)\n"
        "  disclosure record  record a lawful disclosure, committed to in the transparency log\n"
        "                     (the DT's owner sees it after --delay / disclosure-delay)\n\n"
        "Every command takes --data-dir, --config, --database and --passphrase-file; run\n"
        "`twinseal-homenet <command> --help` for its options."));
}

} // namespace

int main(int argc, char** argv) {
    // Qt's and Protobuf's own messages as JSON lines too: stderr carries nothing else.
    routeLibraryLogs();
    QCoreApplication app(argc, argv);
    QCoreApplication::setApplicationName(QStringLiteral("twinseal-homenet"));
    QCoreApplication::setApplicationVersion(QStringLiteral(TWINSEAL_VERSION));
    QStringList args = QCoreApplication::arguments();
    if (args.size() < 2 || args.at(1) == QLatin1String("--help") || args.at(1) == QLatin1String("-h") ||
        args.at(1) == QLatin1String("help")) {
        usage();
        return args.size() < 2 ? kExitUsage : kExitOk;
    }
    if (args.at(1) == QLatin1String("--version")) {
        out(QStringLiteral("twinseal-homenet %1").arg(QStringLiteral(TWINSEAL_VERSION)));
        return kExitOk;
    }
    const QString command = args.takeAt(1);
    if (command == QLatin1String("init"))
        return cmdInit(args);
    if (command == QLatin1String("serve"))
        return cmdServe(args);
    if (command == QLatin1String("subscriber")) {
        if (args.size() < 2 ||
            (args.at(1) != QLatin1String("add") && args.at(1) != QLatin1String("ref"))) {
            err(QStringLiteral("usage: twinseal-homenet subscriber add|ref [options]"));
            return kExitUsage;
        }
        const QString sub = args.takeAt(1);
        return sub == QLatin1String("add") ? cmdSubscriberAdd(args) : cmdSubscriberRef(args);
    }
    if (command == QLatin1String("dt"))
        return cmdDt(args);
    if (command == QLatin1String("backup"))
        return cmdBackup(args);
    if (command == QLatin1String("restore"))
        return cmdRestore(args);
    if (command == QLatin1String("disclosure"))
        return cmdDisclosure(args);
    err(QStringLiteral("unknown command '%1' (see --help)").arg(command));
    return kExitUsage;
}
