#include "embedded_homenet.h"

#include <QDir>
#include <QFile>
#include <QMetaObject>

#include <optional>

#include <twinseal/service/service_runner.h>

namespace twinseal::client {

EmbeddedHomenet::EmbeddedHomenet() { m_thread.setObjectName(QStringLiteral("twinseal-homenet")); }

EmbeddedHomenet::~EmbeddedHomenet() { stop(); }

void EmbeddedHomenet::onServiceThread(const std::function<void()>& work) {
    if (QThread::currentThread() == &m_thread)
        return work();
    QMetaObject::invokeMethod(m_context.get(), work, Qt::BlockingQueuedConnection);
}

service::ServiceResult<quint16> EmbeddedHomenet::start(const service::ServiceConfig& config,
                                                       const std::string& passphrase,
                                                       const QString& operatorName) {
    if (m_thread.isRunning())
        return service::serviceError(500, "already-running", "the local home network is already running");
    m_context = std::make_unique<QObject>();
    m_context->moveToThread(&m_thread);
    m_thread.start();
    std::optional<service::ServiceResult<quint16>> result;
    onServiceThread([&] {
        m_runner = std::make_unique<service::ServiceRunner>();
        service::OperatorInitOptions init;
        init.operatorName = operatorName;
        if (auto opened = m_runner->open(config, passphrase, true, init); !opened.ok()) {
            result.emplace(opened.error());
            return;
        }
        result.emplace(m_runner->listen());
    });
    if (!result->ok()) {
        stop();
        return *result;
    }
    m_port = result->value();
    return *result;
}

service::ServiceStatus EmbeddedHomenet::ensureDemoSubscription(const QString& profileFile) {
    if (QFile::exists(profileFile))
        return service::Nothing{};
    if (!m_thread.isRunning())
        return service::serviceError(500, "not-open", "start the local home network first");
    service::SubscriberProfileRequest sub;
    sub.supi = QStringLiteral("imsi-001010000000001");
    sub.name = QStringLiteral("Demo Subscriber");
    sub.role = QStringLiteral("consultant surgeon");
    sub.organisation = QStringLiteral("St. Elsewhere University Hospital");
    sub.licenceId = QStringLiteral("GMC-7781234");
    sub.serviceUrl = QStringLiteral("https://localhost:%1").arg(m_port);
    std::optional<service::ServiceResult<security::UsimProfileData>> profile;
    onServiceThread([&] {
        if (m_runner)
            profile.emplace(m_runner->service().addSubscriber(sub));
        else
            profile.emplace(service::serviceError(500, "not-open", "the local home network is not open"));
    });
    if (!profile->ok())
        return profile->error();
    if (auto saved = (*profile)->save(profileFile.toStdString()); !saved.ok())
        return service::serviceError(500, "io-error",
                                     "the demo profile cannot be saved to " + profileFile.toStdString() +
                                         ": " + saved.error().detail);
    return service::Nothing{};
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
