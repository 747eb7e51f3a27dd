#include "twinseal/viewmodels/audit_trail.h"

#include <twinseal/twin/data_layout.h>

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>

#include <twinseal/security/audit.h>
#include <twinseal/security/keys.h>
#include <twinseal/security/clock.h>
#include <twinseal/twin/audit_mirror.h>
#include <twinseal/twin/twin_session.h>

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

namespace {

std::optional<PublicKey> keyFilePublic(const std::string& path, bool* exists) {
    *exists = QFileInfo::exists(QString::fromStdString(path));
    auto file = readFile(path);
    if (!file.ok())
        return std::nullopt;
    auto key = SigningKey::peekPublicKey(*file);
    if (!key.ok())
        return std::nullopt;
    return std::move(key).value();
}

// audit.key's label. A key labelled kAnchorsSealedLabel belongs to a data directory whose anchors
// are sealed: an unsealed anchor beside it is refused. The label is authenticated with the key's
// ciphertext, so changing it makes audit.key fail to open; only an older copy of audit.key itself
// (from before its anchors were sealed) carries the older label.
// (Older TwinSeals labelled it "TwinSeal audit key".)
constexpr std::string_view kAnchorsSealedLabel = "TwinSeal audit key (sealed anchors)";

bool anchorsSealed(const std::string& keyPath) {
    auto file = readFile(keyPath);
    if (!file.ok())
        return false;
    auto label = SigningKey::peekLabel(*file);
    return label.ok() && *label == kAnchorsSealedLabel;
}

// What the data directory holds, read without the passphrase. A file that is there but does not
// read is an error of its own (an unreadable anchor is audit-anchor-invalid).
// An anchor written by a TwinSeal before anchors were sealed (a bare checkpoint envelope) is
// taken as it is (its checkpoint is signed by audit.key) and sealed at the next unlock: *legacy.
// Once a directory's anchors are sealed (audit.key says so), an unsealed one is refused: it
// would let a writer of the directory put back any older checkpoint of the log as its anchor.
// *anchorBytes (when given) gets the anchor file as read, for checking its seal.
Status readDirectory(const QString& logPath, const QString& keyPath, const QString& anchorPath,
                     AuditDirectory& dir, bool* legacy = nullptr, Bytes* anchorBytes = nullptr) {
    dir.logExists = QFileInfo::exists(logPath);
    bool keyExists = false;
    dir.keyFile = keyFilePublic(keyPath.toStdString(), &keyExists);
    if (keyExists && !dir.keyFile)
        return makeError(ErrorCode::KeyFileCorrupt,
                         "audit.key is there but does not read as a TwinSeal key file: restore it "
                         "from a backup");
    if (QFileInfo::exists(anchorPath)) {
        auto bytes = readFile(anchorPath.toStdString());
        if (!bytes.ok())
            return bytes.error();
        if (anchorBytes)
            *anchorBytes = *bytes;
        if (auto type = envelopeType(*bytes); type.ok() && *type == kAuditCheckpointType && dir.keyFile) {
            if (anchorsSealed(keyPath.toStdString()))
                return makeError(ErrorCode::AuditAnchorInvalid,
                                 "the activity log's anchor is an unsealed one, but this device "
                                 "seals its anchors: an older checkpoint was put in its place");
            auto cp = parseAuditCheckpoint(*bytes, *dir.keyFile);
            if (!cp.ok())
                return makeError(ErrorCode::AuditAnchorInvalid,
                                 "the activity log's anchor (an older, unsealed one) does not verify "
                                 "with audit.key: " + cp.error().message());
            dir.anchor = AuditAnchor::of(cp->logId, *dir.keyFile, *bytes, cp->number + 1, cp->timestamp);
            if (legacy)
                *legacy = true;
            return {};
        }
        auto anchor = readAuditAnchor(*bytes);
        if (!anchor.ok())
            return anchor.error();
        dir.anchor = std::move(anchor).value();
    }
    return {};
}

} // namespace

void AuditTrail::openExisting() {
    AuditDirectory dir;
    if (auto st = readDirectory(logPath(), keyPath(), anchorPath(), dir, &m_legacyAnchor); !st.ok())
        return failClosed(st.error());
    if (!dir.logExists && !dir.anchor)
        return; // nothing yet (or an older install without a log): it starts at the next unlock
    AuditVerifyOptions options;
    if (auto st = checkAuditDirectory(dir, options); !st.ok())
        return failClosed(st.error());
    AuditOpenInfo info;
    auto opened = AuditLog::open(logPath().toStdString(), SystemClock::instance(), options, &info);
    if (opened.ok()) {
        m_log = std::make_unique<AuditLog>(std::move(opened).value());
        m_openedAnchor = std::make_unique<AuditAnchor>(
            dir.anchor ? *dir.anchor
                       : AuditAnchor::of(m_log->logId(), m_log->auditKey(), {}, 0, 0));
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
    failClosed(opened.error());
}

void AuditTrail::failClosed(const Error& error) {
    failClosed(QString::fromUtf8(errorCodeName(error.code).data()), QString::fromStdString(error.detail));
}

void AuditTrail::failClosed(const QString& code, const QString& detail) {
    m_log.reset();
    m_openedAnchor.reset();
    // Kept as evidence, never deleted or written to again: the log and its anchor side by side.
    const QString stamp = QStringLiteral(".damaged-") +
                          QDateTime::currentDateTimeUtc().toString(QStringLiteral("yyyyMMddTHHmmssZ"));
    QStringList kept;
    for (const QString& file : {logPath(), anchorPath()}) {
        if (!QFileInfo::exists(file))
            continue;
        QString evidence = file + stamp;
        for (int n = 2; QFileInfo::exists(evidence); ++n)
            evidence = file + stamp + QLatin1Char('-') + QString::number(n);
        if (QFile::rename(file, evidence))
            kept << QFileInfo(evidence).fileName();
        else
            kept << QFileInfo(file).fileName();
    }
    m_problem = tr("The activity log failed verification (%1: %2). %3 a new log is started at the "
                   "next unlock.")
                    .arg(code, detail,
                         kept.isEmpty() ? tr("Nothing was left to keep;")
                                        : tr("It was kept as evidence (%1);").arg(kept.join(QStringLiteral(", "))));
    Fields fields{{"reason-detail", detail.left(900).toStdString()}};
    if (!kept.isEmpty())
        fields.push_back({"evidence", kept.join(QLatin1Char(',')).toStdString()});
    if (m_pending.size() < 256)
        m_pending.push_back({true, client_event::kAuditIntegrity, code.toStdString(), std::move(fields)});
    emit changed();
}

AuditVerification AuditTrail::verifyOwnLog() const {
    AuditVerification r;
    r.format = AuditFormat::LogFile;
    auto fail = [&](const Error& e) {
        r.code = e.code;
        r.detail = e.detail;
        return r;
    };
    AuditDirectory dir;
    Bytes anchorBytes;
    if (auto st = readDirectory(logPath(), keyPath(), anchorPath(), dir, nullptr, &anchorBytes); !st.ok())
        return fail(st.error());
    if (!dir.logExists && !dir.anchor)
        return fail(makeError(ErrorCode::IoError, "there is no activity log yet"));
    // The seal of the very bytes whose contents are checked below.
    if (m_anchorKey && dir.anchor) {
        if (auto sealed = m_anchorKey->open(anchorBytes); !sealed.ok())
            return fail(sealed.error());
    }
    AuditVerifyOptions options;
    if (auto st = checkAuditDirectory(dir, options); !st.ok())
        return fail(st.error());
    auto data = readFile(logPath().toStdString());
    if (!data.ok())
        return fail(data.error());
    return verifyAuditLog(*data, options);
}

std::unique_ptr<SigningKey> AuditTrail::loadOrCreateKey(const QString& dataDir,
                                                        const std::string& passphrase, QString* error) {
    const QDir dir(dataDir);
    const std::string file = dir.filePath(QString::fromUtf8(twin::layout::kAuditKey)).toStdString();
    if (QFileInfo::exists(QString::fromStdString(file))) {
        // Re-sealed with the current KDF parameters when an older TwinSeal wrote it. Labelled as
        // the key of sealed anchors once the anchor beside it is sealed (an unsealed one is
        // sealed at this unlock, and the key relabelled at the next: a kill in between leaves a
        // sealed anchor and the older label, never the reverse).
        const QString anchor = dir.filePath(QString::fromUtf8(twin::layout::kAuditAnchor));
        bool unsealedAnchor = false;
        if (auto bytes = readFile(anchor.toStdString()); bytes.ok()) {
            auto type = envelopeType(*bytes);
            unsealedAnchor = type.ok() && *type == kAuditCheckpointType;
        }
        auto key = SigningKey::loadEncryptedAndUpgrade(
            file, passphrase, {}, nullptr,
            unsealedAnchor ? std::optional<std::string_view>() : std::optional<std::string_view>(kAnchorsSealedLabel));
        if (!key.ok()) {
            *error = describe(key.error());
            return nullptr;
        }
        return std::make_unique<SigningKey>(std::move(key).value());
    }
    // A missing key is never silently replaced while its log or anchor is there.
    if (QFileInfo::exists(dir.filePath(QString::fromUtf8(twin::layout::kAuditLog))) ||
        QFileInfo::exists(dir.filePath(QString::fromUtf8(twin::layout::kAuditAnchor)))) {
        *error = describe(makeError(ErrorCode::AuditKeyMissing,
                                    "audit.key is gone but the activity log remains; restore it "
                                    "from a backup"));
        return nullptr;
    }
    auto key = SigningKey::generate(KeyAlgorithm::Ed25519);
    if (!key.ok()) {
        *error = describe(key.error());
        return nullptr;
    }
    if (auto st = key->saveEncrypted(file, passphrase, {}, kAnchorsSealedLabel); !st.ok()) {
        *error = describe(st.error());
        return nullptr;
    }
    return std::make_unique<SigningKey>(std::move(key).value());
}

void AuditTrail::createLog() {
    if (!m_key || isOpen() || QFileInfo::exists(logPath()) || QFileInfo::exists(anchorPath()))
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
    m_openedAnchor = std::make_unique<AuditAnchor>(AuditAnchor::of(m_log->logId(), m_log->auditKey(), {}, 0, 0));
    saveAnchor(); // counter 0: from now on the log is never without its anchor
}

void AuditTrail::unlocked(std::unique_ptr<SigningKey> key) {
    m_key = std::move(key);
    if (!m_key)
        return;
    auto anchorKey = AuditAnchorKey::derive(*m_key);
    if (!anchorKey.ok()) {
        m_problem = tr("The activity log's anchor key cannot be derived: %1").arg(describe(anchorKey.error()));
        m_key.reset();
        return;
    }
    m_anchorKey = std::make_unique<AuditAnchorKey>(std::move(anchorKey).value());
    if (isOpen()) {
        // Only now can the anchor's seal be checked: one this device did not seal fails closed.
        if (!(m_log->auditKey() == m_key->publicKey())) {
            failClosed(QString::fromUtf8(errorCodeName(ErrorCode::AuditKeyReplaced).data()),
                       tr("audit.key opened with your passphrase is not the key of the activity "
                          "log %1").arg(QString::fromStdString(m_log->logId())));
        } else if (QFileInfo::exists(anchorPath()) && !m_legacyAnchor) {
            auto bytes = readFile(anchorPath().toStdString());
            auto sealed = bytes.ok() ? m_anchorKey->open(*bytes) : Result<AuditAnchor>(bytes.error());
            if (!sealed.ok())
                failClosed(sealed.error());
            else if (m_openedAnchor && (sealed->counter != m_openedAnchor->counter ||
                                        sealed->checkpoint != m_openedAnchor->checkpoint))
                failClosed(QString::fromUtf8(errorCodeName(ErrorCode::AuditAnchorInvalid).data()),
                           tr("the anchor changed while the log was open"));
        }
    }
    if (!isOpen())
        createLog();
    if (!isOpen())
        return;
    auto pending = std::move(m_pending);
    m_pending.clear();
    for (auto& p : pending)
        write(p.failed, std::move(p.type), std::move(p.reason), std::move(p.fields));
    if (auto cp = m_log->checkpoint(*m_key); cp.ok())
        saveAnchor(); // an older, unsealed anchor is sealed from now on
    m_legacyAnchor = false;
    emit changed();
}

void AuditTrail::confirmWithHomeNetwork(twin::TwinSession& session) {
    m_mirrorSession = &session;
    if (!isOpen() || !m_anchorKey || !m_openedAnchor)
        return;
    const AuditAnchor opened = *m_openedAnchor;
    const std::string logId = m_log->logId();
    QPointer<AuditTrail> self(this);
    QPointer<twin::TwinSession> s(&session);
    session.authenticated([self, s, opened, logId](const netclient::ClientStatus& st) {
        if (!self)
            return;
        if (!st.ok() || !s) {
            self->m_mirrorState = tr("unconfirmed: %1").arg(QString::fromStdString(
                st.ok() ? std::string("the session closed") : st.error().describe()));
            emit self->changed();
            return;
        }
        // Judged against the anchor as opened; the current checkpoint is what is handed over.
        const AuditAnchor current =
            self->isOpen() && self->m_log->logId() == logId
                ? AuditAnchor::of(logId, self->m_log->auditKey(), self->m_log->latestCheckpoint(),
                                  self->m_log->checkpoints().size(), QDateTime::currentSecsSinceEpoch())
                : opened;
        twin::AuditMirror::check(
            s->client(), opened, current,
            [self, logId](const netclient::ClientResult<twin::AuditMirror::Decision>& d) {
                if (!self)
                    return;
                if (d.ok()) {
                    self->m_mirrorState = QStringLiteral("confirmed");
                } else if (d.error().code == errorCodeName(ErrorCode::AuditLogRolledBack) ||
                           d.error().code == errorCodeName(ErrorCode::AuditLogReplaced)) {
                    self->m_mirrorState = QString::fromStdString(d.error().code);
                    if (self->isOpen() && self->m_log->logId() == logId) {
                        self->failClosed(QString::fromStdString(d.error().code),
                                         QString::fromStdString(d.error().message));
                        self->createLog(); // the key is unlocked: the new log starts now
                        if (self->isOpen()) {
                            auto pending = std::move(self->m_pending);
                            self->m_pending.clear();
                            for (auto& p : pending)
                                self->write(p.failed, std::move(p.type), std::move(p.reason),
                                            std::move(p.fields));
                        }
                    }
                } else {
                    self->m_mirrorState = tr("unconfirmed: %1")
                                              .arg(QString::fromStdString(d.error().describe()));
                }
                emit self->changed();
            });
    });
}

void AuditTrail::mirrorCurrent() {
    // While the session is authenticated and the log was confirmed, each new checkpoint goes to
    // the home network too (no new authentication for it; failures are checked at next unlock).
    if (!m_mirrorSession || m_mirrorState != QLatin1String("confirmed") || !isOpen() ||
        !m_mirrorSession->client().isAuthenticated() || m_log->checkpoints().empty())
        return;
    const AuditAnchor current =
        AuditAnchor::of(m_log->logId(), m_log->auditKey(), m_log->latestCheckpoint(),
                        m_log->checkpoints().size(), QDateTime::currentSecsSinceEpoch());
    m_mirrorSession->client().mirrorAuditAnchor(current, [](const netclient::ClientResult<netclient::AuditAnchorMirror>&) {});
}

void AuditTrail::locked() {
    m_key.reset(); // cleansed by SigningKey
    m_anchorKey.reset(); // cleansed by AuditAnchorKey
}

void AuditTrail::reopen() {
    if (!isOpen() && !m_key)
        openExisting();
    emit changed();
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
    if (!m_anchorKey || !isOpen())
        return;
    const AuditAnchor anchor =
        AuditAnchor::of(m_log->logId(), m_log->auditKey(), m_log->latestCheckpoint(),
                        m_log->checkpoints().size(), QDateTime::currentSecsSinceEpoch());
    auto sealed = m_anchorKey->seal(anchor);
    Status st = sealed.ok() ? writeFileAtomic(anchorPath().toStdString(), *sealed, true)
                            : Status(sealed.error());
    if (!st.ok()) {
        m_problem = tr("The activity log's anchor cannot be saved: %1").arg(describe(st.error()));
        return;
    }
    mirrorCurrent();
}

} // namespace twinseal::viewmodels
