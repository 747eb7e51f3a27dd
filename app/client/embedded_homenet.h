// The home network `twinseal --local-homenet` runs inside the client: a ServiceRunner (operator
// keys, SQLite store, service logic, HTTPS front end) that lives on its own thread, so the
// service's work (AKA, signing, SQLite transactions, chunk hashing) never blocks the UI's event
// loop. Everything the runner owns is created, used and destroyed on that thread; the GUI thread
// only waits for the start-up and shut-down steps it asks for.
#pragma once

#include <QObject>
#include <QString>
#include <QThread>

#include <functional>
#include <memory>
#include <string>

#include <twinseal/service/config.h>
#include <twinseal/service/homenet_service.h>
#include <twinseal/service/service_error.h>

namespace twinseal::service {
class ServiceRunner;
}

namespace twinseal::client {

class EmbeddedHomenet {
public:
    EmbeddedHomenet();
    // Stops the service (if running) and its thread.
    ~EmbeddedHomenet();
    EmbeddedHomenet(const EmbeddedHomenet&) = delete;
    EmbeddedHomenet& operator=(const EmbeddedHomenet&) = delete;

    // Starts the service thread, then opens the service there (creating the operator keys in
    // config.dataDir the first time, with `operatorName`) and starts HTTPS on 127.0.0.1.
    // Returns the bound port (config.port 0 picks a free one).
    [[nodiscard]] service::ServiceResult<quint16> start(const service::ServiceConfig& config,
                                                        const std::string& passphrase,
                                                        const QString& operatorName);
    // Creates the demo subscriber and saves its USIM profile to `profileFile`, unless that file
    // exists already (it was created on an earlier start).
    [[nodiscard]] service::ServiceStatus ensureDemoSubscription(const QString& profileFile);
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
    std::unique_ptr<QObject> m_context; // lives on m_thread: what work is queued to
    std::unique_ptr<service::ServiceRunner> m_runner; // used on m_thread only
    quint16 m_port = 0;
};

} // namespace twinseal::client
