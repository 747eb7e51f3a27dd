// Integration-test support: the real twinseal-homenet executable, started on loopback with TLS
// in a scratch data directory (SQLite, or a fresh PostgreSQL database when
// TWINSEAL_TEST_DATABASE=postgresql), and helpers to drive the asynchronous client.
#pragma once
#include <QProcessEnvironment>

#include <QEventLoop>
#include <QProcess>
#include <QTemporaryDir>
#include <QTimer>
#include <QtTest>

#include <functional>
#include <optional>
#include <string>

#include <memory>

#include <twinseal/netclient/service_client.h>
#include <twinseal/security/keys.h>
#include <twinseal/security/statuslist.h>
#include <twinseal/security/subscriber.h>
#include <twinseal/security/verify.h>

QT_BEGIN_NAMESPACE
class QSqlDatabase;
QT_END_NAMESPACE

namespace twinseal::test {

// `serve` flags for tests that make more requests than the default per-client rate limit allows
// (the limit itself is tested in test_bad_input.cpp).
inline const QStringList& noRateLimit() {
    static const QStringList flags{QStringLiteral("--rate-limit"), QStringLiteral("0")};
    return flags;
}

class HomenetServer {
public:
    HomenetServer();
    ~HomenetServer();
    HomenetServer(const HomenetServer&) = delete;
    HomenetServer& operator=(const HomenetServer&) = delete;

    // init + serve; extra flags are passed to `serve`.
    [[nodiscard]] bool start(const QStringList& serveFlags = {});
    [[nodiscard]] bool restart(const QStringList& serveFlags = {});
    // serve without init, on a port of its own: the data directory has keys already (a restore).
    [[nodiscard]] bool serve(const QStringList& serveFlags = {});
    // Serves with a copy of `other`'s operator keys (the same sealed keys, log key included) and
    // a database of its own: the same log key over another history.
    [[nodiscard]] bool startWithKeysOf(const HomenetServer& other,
                                       const QStringList& serveFlags = {});
    // A second instance of `other`'s service: the same data directory (keys) and database
    // (SQLite file or PostgreSQL database), on a port of its own, as instances behind a load
    // balancer are. `other` keeps owning the database.
    [[nodiscard]] bool startAlongside(const HomenetServer& other,
                                      const QStringList& serveFlags = {});
    // SIGTERM; returns the exit code (0 on a graceful shutdown).
    int stop();
    // SIGKILL: no chance to clean up.
    void kill();
    [[nodiscard]] bool running() const { return m_proc.state() == QProcess::Running; }

    // `twinseal-homenet subscriber add`: writes and loads the profile.
    [[nodiscard]] std::optional<security::UsimProfileData>
    addSubscriber(const QString& supi, const QString& profilePath,
                  const QStringList& extra = {});
    // Runs the executable with the data directory, database and passphrase options.
    int runTool(const QStringList& args, QByteArray* output = nullptr);

    [[nodiscard]] quint16 port() const { return m_port; }
    [[nodiscard]] QString url() const { return QStringLiteral("https://localhost:%1").arg(m_port); }
    [[nodiscard]] QString dataDir() const {
        return m_sharedDataDir.isEmpty() ? m_dir.filePath(QStringLiteral("data")) : m_sharedDataDir;
    }
    [[nodiscard]] QString scratch(const QString& name) const { return m_dir.filePath(name); }
    [[nodiscard]] QString database() const { return m_database; }
    [[nodiscard]] QString tlsCaPem() const;
    [[nodiscard]] QByteArray log() const { return m_log; }
    // Reads what the running service has logged so far (JSON lines) and returns all of it.
    QByteArray pollLog();
    [[nodiscard]] static bool usePostgres();
    // Sets a counter of the service's `meta` table directly in its database (SQLite or
    // PostgreSQL), as restoring an older backup would; only while the service is stopped.
    [[nodiscard]] bool setMetaCounter(const QString& name, qint64 value);
    // Runs `work` on a connection of its own to the service's database (SQLite or PostgreSQL;
    // SQLite read-only when asked); false when the database cannot be opened.
    [[nodiscard]] bool withDatabase(const std::function<void(QSqlDatabase&)>& work,
                                    bool readOnly = false) const;

  private:
    [[nodiscard]] QStringList common() const;
    [[nodiscard]] bool launch(const QStringList& serveFlags);

    QTemporaryDir m_dir;
    QProcess m_proc;
    QByteArray m_log;
    quint16 m_port = 0;
    QString m_database;
    QString m_pgName;
    QString m_sharedDataDir; // startAlongside(): the other instance's
};

// Writes an INI file with `settings` in its [service] section into the server's scratch
// directory (as `name`, replacing it) and returns its path, for `serve --config`. Aborts the test
// run when it cannot be written.
QString writeServiceIni(const HomenetServer& server, const QByteArray& settings,
                        const QString& name = QStringLiteral("homenet.ini"));

// Runs an asynchronous client call to completion (or a timeout) and returns its result.
template <typename T>
netclient::ClientResult<T> await(const std::function<void(netclient::ClientCallback<T>)>& call,
                            int timeoutMs = 60000) {
    std::optional<netclient::ClientResult<T>> result;
    QEventLoop loop;
    call([&](netclient::ClientResult<T> r) {
        result.emplace(std::move(r));
        loop.quit();
    });
    if (!result) {
        QTimer::singleShot(timeoutMs, &loop, &QEventLoop::quit);
        loop.exec();
    }
    if (!result)
        return netclient::clientError("test-timeout", "the call did not finish in time");
    return std::move(*result);
}

// A copy of the bundled sample avatar; `variant` changes its metadata so its media root differs.
QString avatarCopy(const QString& where, int variant = 0);

// The environment for a twinsealctl subprocess. Under ASan its leak check is off: Qt's network
// stack sometimes still holds OpenSSL objects of its connection when twinsealctl exits (seen
// intermittently, never reproduced with a full stack); twinsealctl's own code is leak-checked by
// the ctl suite.
QProcessEnvironment twinsealctlEnvironment();

// Builds and signs a manifest of `package` with `holder`; returns the signed envelope.
security::Bytes signedManifest(const QString& package, const security::SigningKey& holder,
                               security::Manifest* manifest = nullptr, std::uint32_t chunk = 4096);

// A subscriber of a test home network: its USIM profile (saved at `path`), a client using it
// and a fresh Ed25519 holder key for its twin.
struct TestSubscriber {
    security::UsimProfileData profile;
    QString path;
    std::unique_ptr<netclient::ServiceClient> client;
    security::SigningKey holder;
};

// `twinseal-homenet subscriber add` for imsi-00101000000<number> (with `extra` options), the
// profile saved as `profileName` in the server's scratch directory. Aborts the test run when
// the subscriber cannot be added.
TestSubscriber addTestSubscriber(HomenetServer& server, const QString& profileName, int number,
                                 const QStringList& extra = {});

// The subscriber's client authenticates (SUCI, 5G-AKA, AKMA).
netclient::ClientResult<netclient::AuthSession> authenticate(netclient::ServiceClient& client);
// Registers a twin with the subscriber's holder key for a signed manifest, or for `package`
// (its manifest signed with the holder key).
netclient::ClientResult<netclient::Registration> registerDt(TestSubscriber& s,
                                                  const security::Bytes& signedManifest);
netclient::ClientResult<netclient::Registration> registerDt(TestSubscriber& s, const QString& package);
// A peer verifying the holder of `reg` (signing with `holder`) in a call, with the status list
// and the registration's log receipt, the media being `package`.
security::VerificationReport verifyAsPeer(const security::UsimProfileData& profile,
                                          const security::SigningKey& holder,
                                          const netclient::Registration& reg,
                                          const security::StatusList& list, const QString& package);
// The home network's status list, fetched and verified by the client.
netclient::ClientResult<security::StatusList> statusList(netclient::ServiceClient& client);

} // namespace twinseal::test
