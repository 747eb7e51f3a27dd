#include "twinseal/viewmodels/audit_trail.h"

#include <twinseal/twin/data_layout.h>

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <twinseal/security/audit.h>
#include <twinseal/security/keys.h>
#include <twinseal/security/clock.h>

namespace twinseal::viewmodels {

using namespace twinseal::security;

namespace {

const std::vector<AuditEntry> kNoEntries;

QString describe(const Error& e) {
    return QStringLiteral("%1: %2").arg(QString::fromUtf8(errorCodeName(e.code).data()),
                                        QString::fromStdString(e.detail));
}

} // namespace

AuditTrail::AuditTrail(QString dataDir, QObject* parent) : QObject(parent), m_dataDir(std::move(dataDir)) {
    openExisting();
}

AuditTrail::~AuditTrail() = default;

QString AuditTrail::logPath() const { return QDir(m_dataDir).filePath(QString::fromUtf8(twin::layout::kAuditLog)); }
QString AuditTrail::anchorPath() const { return QDir(m_dataDir).filePath(QString::fromUtf8(twin::layout::kAuditAnchor)); }
QString AuditTrail::keyPath() const { return QDir(m_dataDir).filePath(QString::fromUtf8(twin::layout::kAuditKey)); }

bool AuditTrail::isOpen() const { return m_log && m_log->isOpen(); }

const std::vector<AuditEntry>& AuditTrail::entries() const { return m_log ? m_log->entries() : kNoEntries; }

std::uint64_t AuditTrail::unsignedTail() const { return m_log ? m_log->unsignedTail() : 0; }

void AuditTrail::openExisting() {
    if (!QFileInfo::exists(logPath()))
        return;
    auto keyFile = readFile(keyPath().toStdString());
    auto key = keyFile.ok() ? SigningKey::peekPublicKey(*keyFile) : Result<PublicKey>(keyFile.error());
    AuditVerifyOptions options;
    if (key.ok())
        options.auditKey = &*key;
    if (auto anchor = readFile(anchorPath().toStdString()); anchor.ok())
        options.anchor = std::move(anchor).value();
    AuditOpenInfo info;
    auto opened = AuditLog::open(logPath().toStdString(), SystemClock::instance(), options, &info);
    if (opened.ok()) {
        m_log = std::make_unique<AuditLog>(std::move(opened).value());
        if (info.repairedBytes > 0)
            m_problem = tr("The last entry was cut short by a crash (%1 bytes) and has been removed.")
                            .arg(info.repairedBytes);
        return;
    }
    if (opened.code() == ErrorCode::IoError && QFileInfo::exists(logPath())) {
        m_problem = tr("The activity log cannot be opened (%1). Is TwinSeal already running with "
                       "this data directory?")
                        .arg(describe(opened.error()));
        return;
    }
    // Tampered or damaged: keep it as evidence, never write to it again; start a new log when
    // the key is available.
    const QString evidence = logPath() + QStringLiteral(".damaged-") +
                             QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyyMMddTHHmmssZ"));
    QFile::rename(logPath(), evidence);
    QFile::remove(anchorPath());
    m_problem = tr("The activity log failed verification (%1). It was kept as %2 and a new log "
                   "was started.")
                    .arg(describe(opened.error()), QFileInfo(evidence).fileName());
}

std::unique_ptr<SigningKey> AuditTrail::loadOrCreateKey(const QString& dataDir,
                                                        const std::string& passphrase, QString* error) {
    const std::string file = QDir(dataDir).filePath(QString::fromUtf8(twin::layout::kAuditKey)).toStdString();
    if (QFileInfo::exists(QString::fromStdString(file))) {
        // Re-sealed with the current KDF parameters when an older TwinSeal wrote it.
        auto key = SigningKey::loadEncryptedAndUpgrade(file, passphrase);
        if (!key.ok()) {
            *error = describe(key.error());
            return nullptr;
        }
        return std::make_unique<SigningKey>(std::move(key).value());
    }
    auto key = SigningKey::generate(KeyAlgorithm::Ed25519);
    if (!key.ok()) {
        *error = describe(key.error());
        return nullptr;
    }
    if (auto st = key->saveEncrypted(file, passphrase, {}, "TwinSeal audit key"); !st.ok()) {
        *error = describe(st.error());
        return nullptr;
    }
    return std::make_unique<SigningKey>(std::move(key).value());
}

void AuditTrail::createLog() {
    if (!m_key || isOpen() || QFileInfo::exists(logPath()))
        return;
    auto id = newAuditLogId(SystemRandom::instance());
    if (!id.ok())
        return;
    auto created = AuditLog::create(logPath().toStdString(), *id, m_key->publicKey(), SystemClock::instance());
    if (!created.ok()) {
        m_problem = tr("The activity log cannot be created: %1").arg(describe(created.error()));
        return;
    }
    m_log = std::make_unique<AuditLog>(std::move(created).value());
}

void AuditTrail::unlocked(std::unique_ptr<SigningKey> key) {
    m_key = std::move(key);
    if (!m_key)
        return;
    if (!isOpen())
        createLog();
    if (!isOpen())
        return;
    auto pending = std::move(m_pending);
    m_pending.clear();
    for (auto& p : pending)
        write(p.failed, std::move(p.type), std::move(p.reason), std::move(p.fields));
    if (auto cp = m_log->checkpoint(*m_key); cp.ok())
        saveAnchor();
    emit changed();
}

void AuditTrail::locked() {
    m_key.reset(); // cleansed by SigningKey
}

void AuditTrail::record(const char* type, Fields fields) { write(false, type, {}, std::move(fields)); }

void AuditTrail::recordFailure(const char* type, const QString& reason, Fields fields) {
    write(true, type, reason.toStdString(), std::move(fields));
}

void AuditTrail::write(bool failed, std::string type, std::string reason, Fields fields) {
    if (!isOpen()) {
        if (m_pending.size() < 256)
            m_pending.push_back({failed, std::move(type), std::move(reason), std::move(fields)});
        return;
    }
    std::vector<AuditField> f;
    f.reserve(fields.size());
    for (auto& [k, v] : fields)
        f.push_back({std::move(k), std::move(v)});
    const AuditEvent event = failed ? AuditEvent::failed(std::move(type), std::move(reason), std::move(f))
                                    : AuditEvent::ok(std::move(type), std::move(f));
    auto appended = m_key ? m_log->appendSigned(event, *m_key) : m_log->append(event);
    if (!appended.ok()) {
        m_problem = tr("An activity could not be recorded: %1").arg(describe(appended.error()));
    } else if (m_key) {
        saveAnchor();
    }
    emit changed();
}

void AuditTrail::saveAnchor() {
    const Bytes anchor = m_log->latestCheckpoint();
    if (!anchor.empty())
        (void)writeFileAtomic(anchorPath().toStdString(), anchor, true);
}

} // namespace twinseal::viewmodels
