#include "embedded_homenet.h"

#include <QDir>
#include <QFile>
#include <QMetaObject>

#include <optional>

#include <twinseal/service/service_log.h>
#include <twinseal/service/service_runner.h>

namespace twinseal::client {

// The service runner; only the service thread touches it.
class EmbeddedRunner : public service::ServiceRunner {};

namespace {
EmbeddedHomenetError narrowed(const service::ServiceError& e) {
    return {e.code, e.message};
}
} // namespace

EmbeddedHomenet::EmbeddedHomenet() { m_thread.setObjectName(QStringLiteral("twinseal-homenet")); }

EmbeddedHomenet::~EmbeddedHomenet() { stop(); }

void EmbeddedHomenet::onServiceThread(const std::function<void()>& work) {
    if (QThread::currentThread() == &m_thread)
        return work();
    QMetaObject::invokeMethod(m_context.get(), work, Qt::BlockingQueuedConnection);
}

EmbeddedHomenetResult<quint16> EmbeddedHomenet::start(const Settings& settings,
                                                      const std::string& passphrase,
                                                      const QString& operatorName) {
    if (m_thread.isRunning())
        return EmbeddedHomenetError{"already-running", "the local home network is already running"};
    service::setLogLevel(service::LogLevel::Warning);
    service::ServiceConfig config;
    config.dataDir = settings.dataDir;
    config.port = settings.port;
    config.rateLimit = settings.rateLimit;
    m_context = std::make_unique<QObject>();
    m_context->moveToThread(&m_thread);
    m_thread.start();
    std::optional<EmbeddedHomenetResult<quint16>> result;
    onServiceThread([&] {
        m_runner = std::make_unique<EmbeddedRunner>();
        service::OperatorInitOptions init;
        init.operatorName = operatorName;
        if (auto opened = m_runner->open(config, passphrase, true, init); !opened.ok()) {
            result.emplace(narrowed(opened.error()));
            return;
        }
        auto port = m_runner->listen();
        if (port.ok())
            result.emplace(*port);
        else
            result.emplace(narrowed(port.error()));
    });
    if (!result->ok()) {
        stop();
        return *result;
    }
    m_port = result->value();
    return *result;
}

EmbeddedHomenetResult<EmbeddedHomenet::Done>
EmbeddedHomenet::ensureDemoSubscription(const QString& profileFile) {
    if (QFile::exists(profileFile))
        return Done{};
    return addSubscriber(Subscriber{}, profileFile);
}

EmbeddedHomenetResult<EmbeddedHomenet::Done>
EmbeddedHomenet::addSubscriber(const Subscriber& who, const QString& profileFile) {
    if (!m_thread.isRunning())
        return EmbeddedHomenetError{"not-open", "start the local home network first"};
    service::SubscriberProfileRequest sub;
    sub.supi = who.supi;
    sub.name = who.name;
    sub.role = who.role;
    sub.organisation = who.organisation;
    sub.licenceId = who.licenceId;
    sub.serviceUrl = QStringLiteral("https://localhost:%1").arg(m_port);
    std::optional<EmbeddedHomenetResult<Done>> outcome;
    onServiceThread([&] {
        if (!m_runner) {
            outcome.emplace(EmbeddedHomenetError{"not-open", "the local home network is not open"});
            return;
        }
        auto profile = m_runner->service().addSubscriber(sub);
        if (!profile.ok()) {
            outcome.emplace(narrowed(profile.error()));
            return;
        }
        // Saved here: the profile holds the subscriber's keys and never leaves the service thread.
        if (auto saved = profile->save(profileFile.toStdString()); !saved.ok()) {
            outcome.emplace(EmbeddedHomenetError{
                "io-error", "the profile cannot be saved to " + profileFile.toStdString() + ": " +
                                saved.error().detail});
            return;
        }
        outcome.emplace(Done{});
    });
    return *outcome;
}

void EmbeddedHomenet::stop() {
    if (!m_thread.isRunning())
        return;
    onServiceThread([this] {
        if (m_runner)
            m_runner->stop();
        m_runner.reset();
    });
    m_thread.quit();
    m_thread.wait();
    m_context.reset(); // its thread has finished: nothing can be queued to it any more
    m_port = 0;
}

QThread* EmbeddedHomenet::serviceThread() { return m_thread.isRunning() ? &m_thread : nullptr; }

QThread* EmbeddedHomenet::frontendThread() {
    if (!m_thread.isRunning())
        return nullptr;
    QThread* thread = nullptr;
    onServiceThread([&] {
        if (m_runner && m_runner->frontend())
            thread = m_runner->frontend()->thread();
    });
    return thread;
}

} // namespace twinseal::client
