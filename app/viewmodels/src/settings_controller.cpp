#include "twinseal/viewmodels/settings_controller.h"

#include <twinseal/twin/data_layout.h>
#include <twinseal/twin/twin_backup.h>
#include <twinseal/twin/twin_store.h>

#include <QDateTime>
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QJsonDocument>
#include <QJsonObject>
#include <QSettings>

#include <twinseal/security/audit_entry.h>
#include <twinseal/security/passphrase_policy.h>

#include "worker.h"

#include <twinseal/security/bytes.h>
#include <twinseal/security/x509.h>

#include "twinseal/viewmodels/audit_trail.h"
#include "twinseal/viewmodels/security_image.h"

namespace twinseal::viewmodels {

using namespace twinseal::security;

namespace {

QString localPath(const QUrl& url) { return url.isLocalFile() ? url.toLocalFile() : url.toString(); }

QString day(std::int64_t t) {
    return QDateTime::fromSecsSinceEpoch(t, Qt::UTC).toString(QStringLiteral("yyyy-MM-dd"));
}

Fact rootFact(const Certificate& c, const QString& origin) {
    const QString fp = QString::fromStdString(toHex(c.fingerprint()));
    const std::int64_t now = QDateTime::currentSecsSinceEpoch();
    const bool valid = c.notBefore() <= now && now <= c.notAfter();
    return {QString::fromStdString(c.subject()), fp,
            valid ? QStringLiteral("passed") : QStringLiteral("failed"),
            QObject::tr("%1 · valid %2 to %3%4")
                .arg(origin, day(c.notBefore()), day(c.notAfter()),
                     valid ? QString() : QObject::tr(" · expired or not yet valid"))};
}

} // namespace

SettingsController::SettingsController(twin::TwinStore& store, AuditTrail& audit, QObject* parent)
    : PageModel(store, audit, parent) {
    load();
    refreshTrustList();
}

void SettingsController::setProfile(const QString& serviceUrl, const QString& trustListPem) {
    m_profileAddress = serviceUrl;
    m_profileTrustPem = trustListPem;
    refreshTrustList();
    emit changed();
}

void SettingsController::reload() {
    load();
    refreshTrustList();
    emit changed();
    emit securityImageChanged();
}

void SettingsController::backupOutcomeIs(bool failed, const QString& text) {
    m_backupFailed = failed;
    m_backupOutcome = text;
    emit backupChanged();
}

void SettingsController::backUpTwin(const QUrl& file, const QString& passphrase,
                                    const QString& repeated) {
    m_state.dismissError();
    auto refuse = [this](const QString& code, const QString& message) {
        backupOutcomeIs(true, message);
        fail(code, message);
    };
    if (passphrase != repeated)
        return refuse(QStringLiteral("passphrases-differ"),
                      tr("The two backup passphrases are not the same. Type them again."));
    auto secret = std::make_shared<Secret>(passphrase);
    if (security::assessPassphrase(secret->text).strength == security::PassphraseStrength::TooShort)
        return refuse(QStringLiteral("passphrase-too-short"),
                      tr("Use at least %1 characters for the backup passphrase: it is all that "
                         "protects the backup once it leaves this device.")
                          .arg(security::kMinPassphraseLength));
    const QString out = file.isLocalFile() ? file.toLocalFile() : file.toString();
    const QString dataDir = m_store.dataDir();
    // Recorded first, so the backup holds its own entry and the checkpoint the home network
    // mirrors of the log: restored elsewhere, the log is the one the mirror knows (an entry made
    // after the backup would make the restored log look rolled back).
    m_audit.record(security::audit_event::kTwinBackup,
                   {{"file", QFileInfo(out).fileName().toStdString()}});
    m_state.setBusy(true, tr("Backing up your twin…"));
    backupOutcomeIs(false, tr("Backing up…"));
    offThread<security::Result<twin::TwinBackupSummary>>(
        this, [secret, out, dataDir]() { return twin::writeTwinBackup(dataDir, secret->text, out); },
        [this, out, refuse](security::Result<twin::TwinBackupSummary> r) {
            m_state.setBusy(false);
            if (!r.ok()) {
                const QString code = QString::fromUtf8(security::errorCodeName(r.code()).data());
                m_audit.recordFailure(security::audit_event::kTwinBackup, code,
                                      {{"file", QFileInfo(out).fileName().toStdString()}});
                return refuse(code, tr("The backup was not written: %1")
                                        .arg(QString::fromStdString(r.error().detail)));
            }
            const QString done =
                tr("Backed up to %1 (%2 files) at %3. Keep the backup and its passphrase apart: "
                   "with both, anyone holds a copy of your twin's files (its keys stay encrypted "
                   "under your own passphrase).")
                    .arg(out)
                    .arg(r->files)
                    .arg(QDateTime::currentDateTime().toString(QStringLiteral("HH:mm")));
            backupOutcomeIs(false, done);
            m_state.showNotice(done);
        });
}

void SettingsController::load() {
    QFile f(m_store.path(twin::layout::kSettings));
    if (!f.open(QIODevice::ReadOnly))
        return;
    const QJsonObject o = QJsonDocument::fromJson(f.readAll()).object();
    m_address = o.value(QStringLiteral("homeNetworkAddress")).toString();
    const QString theme = o.value(QStringLiteral("theme")).toString();
    if (theme == QLatin1String("dark") || theme == QLatin1String("light"))
        m_theme = theme;
}

void SettingsController::save() {
    const QJsonObject o{{QStringLiteral("homeNetworkAddress"), m_address}, {QStringLiteral("theme"), m_theme}};
    const QByteArray json = QJsonDocument(o).toJson();
    (void)writeFileAtomic(m_store.path(twin::layout::kSettings).toStdString(),
                          ByteView(reinterpret_cast<const std::uint8_t*>(json.constData()),
                                   static_cast<std::size_t>(json.size())));
    emit changed();
}

QString SettingsController::homeNetworkAddress() const {
    return m_address.isEmpty() ? profileAddress() : m_address;
}

void SettingsController::setTheme(const QString& theme) {
    if (theme == m_theme || (theme != QLatin1String("dark") && theme != QLatin1String("light")))
        return;
    m_theme = theme;
    save();
}

bool SettingsController::setHomeNetworkAddress(const QString& url) {
    const QString trimmed = url.trimmed();
    if (!trimmed.isEmpty()) {
        const QUrl u(trimmed, QUrl::StrictMode);
        if (!u.isValid() || u.scheme() != QLatin1String("https") || u.host().isEmpty() ||
            u.hasQuery() || u.hasFragment() || !u.userInfo().isEmpty()) {
            fail(QStringLiteral("address-invalid"),
                                 tr("Enter the home network's address as https://host:port, e.g. "
                                    "https://dt.operator.example:8443 — or leave it empty to use the "
                                    "one in your profile."));
            return false;
        }
    }
    QString normalised = trimmed;
    while (normalised.endsWith(QLatin1Char('/')))
        normalised.chop(1);
    if (normalised == profileAddress())
        normalised.clear();
    if (normalised == m_address)
        return true;
    m_address = normalised;
    save();
    m_audit.record("settings.home-network",
                               {{"address", homeNetworkAddress().toStdString()}});
    emit homeNetworkChanged();
    m_state.showNotice(tr("The home network address is now %1.").arg(homeNetworkAddress()));
    return true;
}

void SettingsController::refreshTrustList() {
    QVector<Fact> facts;
    auto profileRoots = Certificate::bundleFromPem(m_profileTrustPem.toStdString());
    if (profileRoots.ok())
        for (const auto& c : *profileRoots)
            facts.push_back(rootFact(c, tr("from your home network's profile")));
    const QDir dir(m_store.trustDir());
    for (const QString& name : dir.entryList({QStringLiteral("*.pem")}, QDir::Files, QDir::Name)) {
        auto pem = readFile(dir.filePath(name).toStdString());
        auto cert = pem.ok() ? Certificate::fromPem(std::string(pem->begin(), pem->end()))
                             : Result<Certificate>(pem.error());
        if (cert.ok())
            facts.push_back(rootFact(*cert, tr("added by you")));
        else
            facts.push_back({name, tr("cannot be read"), QStringLiteral("failed"),
                             QString::fromStdString(cert.error().detail)});
    }
    m_trust.setFacts(std::move(facts));
}

std::string SettingsController::trustedRootsPem() const {
    std::string pem = m_profileTrustPem.toStdString();
    const QDir dir(m_store.trustDir());
    for (const QString& name : dir.entryList({QStringLiteral("*.pem")}, QDir::Files, QDir::Name)) {
        auto bytes = readFile(dir.filePath(name).toStdString());
        if (bytes.ok())
            pem.append(bytes->begin(), bytes->end());
    }
    return pem;
}

bool SettingsController::addTrustedRoot(const QUrl& pemFile) {
    const QString file = localPath(pemFile);
    auto bytes = readFile(file.toStdString());
    if (!bytes.ok()) {
        fail(QStringLiteral("io-error"), tr("%1 cannot be read.").arg(file));
        return false;
    }
    auto cert = Certificate::fromPem(std::string(bytes->begin(), bytes->end()));
    if (!cert.ok()) {
        fail(QStringLiteral("certificate-invalid"),
                             tr("%1 is not a PEM certificate (%2). Ask the other operator for their "
                                "root certificate.")
                                 .arg(file, QString::fromStdString(cert.error().detail)));
        return false;
    }
    auto key = cert->publicKey();
    if (!key.ok() || cert->subject() != cert->issuer()) {
        fail(QStringLiteral("certificate-not-root"),
                             tr("%1 is not a root certificate (its issuer is %2). Add the operator's "
                                "root, not an issuer or device certificate.")
                                 .arg(file, QString::fromStdString(cert->issuer())));
        return false;
    }
    const QString fp = QString::fromStdString(toHex(cert->fingerprint()));
    QDir().mkpath(m_store.trustDir());
    const std::string pem = cert->pem();
    if (auto st = writeFileAtomic(QDir(m_store.trustDir()).filePath(fp + QStringLiteral(".pem")).toStdString(), view(pem));
        !st.ok()) {
        fail(QStringLiteral("io-error"), QString::fromStdString(st.error().detail));
        return false;
    }
    m_audit.record("settings.trust-add", {{"root", cert->subject()}, {"fingerprint", fp.toStdString()}});
    refreshTrustList();
    m_state.showNotice(tr("Peers certified under %1 are now trusted.").arg(QString::fromStdString(cert->subject())));
    return true;
}

bool SettingsController::removeTrustedRoot(const QString& fingerprint) {
    const QString file = QDir(m_store.trustDir()).filePath(fingerprint + QStringLiteral(".pem"));
    if (fingerprint.contains(QLatin1Char('/')) || !QFile::exists(file)) {
        fail(QStringLiteral("not-removable"),
                             tr("Only roots you added can be removed; your home network's roots come "
                                "with your profile."));
        return false;
    }
    QFile::remove(file);
    m_audit.record("settings.trust-remove", {{"fingerprint", fingerprint.toStdString()}});
    refreshTrustList();
    return true;
}

QString SettingsController::securityImagePath() const {
    return SecurityImageStore(m_store.dataDir()).path();
}

QUrl SettingsController::securityImage() const {
    const SecurityImageStore images(m_store.dataDir());
    if (!images.chosen())
        return {};
    QUrl url = QUrl::fromLocalFile(images.path());
    url.setQuery(QStringLiteral("v=%1").arg(m_securityImageRevision));
    return url;
}

QStringList SettingsController::securityImageChoices() const { return bundledSecurityImages(); }

QUrl SettingsController::securityImageChoiceUrl(const QString& name) const {
    return bundledSecurityImageUrl(name);
}

bool SettingsController::chooseSecurityImage(const QString& name) {
    if (auto error = SecurityImageStore(m_store.dataDir()).chooseBundled(name)) {
        fail(error->code, error->message);
        return false;
    }
    ++m_securityImageRevision;
    m_audit.record("settings.security-image", {{"source", "bundled"}});
    emit securityImageChanged();
    m_state.showNotice(tr("Your security image is set. Look for it around the verification badges in the headset."));
    return true;
}

bool SettingsController::chooseSecurityImageFile(const QUrl& file) {
    if (auto error = SecurityImageStore(m_store.dataDir()).chooseFile(localPath(file))) {
        fail(error->code, error->message);
        return false;
    }
    ++m_securityImageRevision;
    m_audit.record("settings.security-image", {{"source", "file"}});
    emit securityImageChanged();
    m_state.showNotice(tr("Your security image is set. Look for it around the verification badges in the headset."));
    return true;
}

QString SettingsController::dataDir() const { return m_store.dataDir(); }

QString SettingsController::nextDataDir() const {
    const QString next = QSettings().value(defaultDataDirKey()).toString();
    return next.isEmpty() ? m_store.dataDir() : next;
}

bool SettingsController::setNextDataDir(const QUrl& folder) {
    const QString dir = localPath(folder);
    if (!dir.isEmpty() && !QDir().mkpath(dir)) {
        fail(QStringLiteral("io-error"), tr("%1 cannot be created.").arg(dir));
        return false;
    }
    QSettings().setValue(defaultDataDirKey(), dir);
    emit changed();
    m_state.showNotice(dir.isEmpty() ? tr("The next start uses the default data directory.")
                                    : tr("The next start uses %1. Your current data stays in %2.")
                                          .arg(dir, m_store.dataDir()));
    return true;
}

} // namespace twinseal::viewmodels
