// The home network `twinseal --local-homenet` runs inside the client, behind a narrow interface:
// nothing of the service library (its types, its Protobuf messages) shows here. Inside, a
// ServiceRunner (operator keys, SQLite store, service logic, HTTPS front end) lives on its own
// thread, so the service's work (AKA, signing, SQLite transactions, chunk hashing) never blocks
// the UI's event loop. Everything the runner owns is created, used and destroyed on that thread;
// the GUI thread only waits for the start-up and shut-down steps it asks for.
#pragma once

#include <QObject>
#include <QString>
#include <QThread>

#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <variant>

#include <twinseal/security/expected.h>

namespace twinseal::client {

class EmbeddedRunner; // the service runner, on the service thread (embedded_homenet.cpp)

// Why the embedded home network refused: a stable reason code (e.g. "listen-failed") and a
// message a person can act on.
struct EmbeddedHomenetError {
    std::string code;
    std::string message;
};

// A value or an EmbeddedHomenetError.
// The project's one result type (twinseal/security/expected.h), header-only: nothing of the
// service or of the security library's code comes with it.
template <typename T> using EmbeddedHomenetResult = twinseal::Expected<T, EmbeddedHomenetError>;

class EmbeddedHomenet {
public:
  // Where and how the embedded home network runs.
  struct Settings {
      QString dataDir;      // its operator keys and SQLite database
      quint16 port = 0;     // on 127.0.0.1; 0 picks a free one
      double rateLimit = 0; // requests per second per client; 0: unlimited
  };
  struct Done {};
  // A subscriber the embedded home network adds (its identity attributes are committed in the
  // credentials it will issue).
  struct Subscriber {
      QString supi = QStringLiteral("imsi-001010000000001");
      QString name = QStringLiteral("Demo Subscriber");
      QString role = QStringLiteral("consultant surgeon");
      QString organisation = QStringLiteral("St. Elsewhere University Hospital");
      QString licenceId = QStringLiteral("GMC-7781234");
  };

  EmbeddedHomenet();
  // Stops the service (if running) and its thread.
  ~EmbeddedHomenet();
  EmbeddedHomenet(const EmbeddedHomenet&) = delete;
  EmbeddedHomenet& operator=(const EmbeddedHomenet&) = delete;

  // Starts the service thread, then opens the service there (creating the operator keys in
  // settings.dataDir the first time, with `operatorName`) and starts HTTPS on 127.0.0.1.
  // Returns the bound port. The service logs warnings and errors only.
  [[nodiscard]] EmbeddedHomenetResult<quint16>
  start(const Settings& settings, const std::string& passphrase, const QString& operatorName);
  // Creates the demo subscriber and saves its USIM profile to `profileFile`, unless that file
  // exists already (it was created on an earlier start).
  [[nodiscard]] EmbeddedHomenetResult<Done> ensureDemoSubscription(const QString& profileFile);
  // Adds `who` as a subscriber and saves their USIM profile (SUPI, K, OPc, the network's SUCI key,
  // TLS CA and trust list) to `profileFile`; the profile's secrets never leave the service thread
  // but through that file.
  [[nodiscard]] EmbeddedHomenetResult<Done> addSubscriber(const Subscriber& who,
                                                          const QString& profileFile);
  // Stops HTTPS, closes the store and the keys on the service thread, then ends the thread.
  void stop();

  // The thread the service lives on (nullptr before start).
  [[nodiscard]] QThread* serviceThread();
  // The thread the running HTTPS front end's QObject has its affinity with, asked on the
  // service thread (nullptr when not listening).
  [[nodiscard]] QThread* frontendThread();

private:
    // Runs `work` on the service thread and waits for it.
    void onServiceThread(const std::function<void()>& work);

    QThread m_thread;
    std::unique_ptr<QObject> m_context;       // lives on m_thread: what work is queued to
    std::unique_ptr<EmbeddedRunner> m_runner; // used on m_thread only
    quint16 m_port = 0;
};

} // namespace twinseal::client
