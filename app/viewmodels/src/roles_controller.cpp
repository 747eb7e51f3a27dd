#include "twinseal/viewmodels/roles_controller.h"

#include <QDateTime>
#include <QFileInfo>
#include <QUrl>

#include <twinseal/security/clock.h>
#include <twinseal/security/credential.h>
#include <twinseal/security/keys.h>
#include <twinseal/twin/role_store.h>
#include <twinseal/twin/twin_store.h>

#include "twinseal/viewmodels/audit_trail.h"
#include "qt_text.h"

namespace twinseal::viewmodels {

using security::ErrorCode;

namespace {


QString codeName(ErrorCode code) {
    const std::string_view name = security::errorCodeName(code);
    return QString::fromUtf8(name.data(), static_cast<qsizetype>(name.size()));
}

QString day(std::int64_t t) {
    return QDateTime::fromSecsSinceEpoch(t, Qt::UTC).toString(QStringLiteral("yyyy-MM-dd HH:mm 'UTC'"));
}

QString label(const security::RoleClaims& c) {
    return c.organisation.empty() || c.organisation == c.role ? qs(c.role)
                                                              : QStringLiteral("%1, %2").arg(qs(c.role), qs(c.organisation));
}

} // namespace

RolesController::RolesController(twin::TwinStore& store, AuditTrail& audit, QObject* parent)
    : PageModel(store, audit, parent) {
    m_roles.setParent(this);
    connect(this, &PageModel::twinChanged, this, &RolesController::reload);
    connect(this, &PageModel::sessionChanged, this, &RolesController::reload);
    reload();
}

void RolesController::setClock(const security::Clock* clock) {
    m_clock = clock;
    reload();
}

std::int64_t RolesController::now() const {
    return (m_clock ? *m_clock : static_cast<const security::Clock&>(security::SystemClock::instance())).now();
}

std::optional<security::Digest> RolesController::holderThumbprint() const {
    if (const security::Credential* c = m_store.credential())
        return c->claims.holderKey.thumbprint();
    auto file = m_store.read(twin::layout::kHolderKey);
    if (!file.ok())
        return std::nullopt;
    auto key = security::SigningKey::peekPublicKey(*file);
    if (!key.ok())
        return std::nullopt;
    return key->thumbprint();
}

void RolesController::reload() {
    const twin::RoleCredentialStore store(m_store.dataDir());
    const auto holder = holderThumbprint();
    const std::int64_t t = now();
    QVector<RoleListModel::Row> rows;
    for (const twin::HeldRole& held : store.list()) {
        const security::RoleClaims& c = held.credential.claims;
        RoleListModel::Row r;
        r.id = qs(held.id);
        r.role = qs(c.role);
        r.organisation = qs(c.organisation);
        r.enterprise = qs(c.enterprise);
        r.validFrom = day(c.notBefore);
        r.validUntil = day(c.notAfter);
        r.serial = qs(security::toHex(c.serial));
        if (holder && !security::constantTimeEqual(c.holderThumbprint, *holder)) {
            r.state = QStringLiteral("other-key");
            r.shape = QStringLiteral("failed");
            r.stateText = tr("Issued for another twin's key: not presented");
        } else if (held.expiredAt(t)) {
            r.state = QStringLiteral("expired");
            r.shape = QStringLiteral("failed");
            r.stateText = tr("Expired on %1: not presented").arg(r.validUntil);
        } else if (!held.validAt(t)) {
            r.state = QStringLiteral("not-yet-valid");
            r.shape = QStringLiteral("warning");
            r.stateText = tr("Valid only from %1").arg(r.validFrom);
        } else {
            r.state = QStringLiteral("valid");
            r.shape = QStringLiteral("passed");
            r.stateText = tr("Valid until %1: presented in rooms").arg(r.validUntil);
        }
        rows.push_back(std::move(r));
    }
    m_roles.setRows(std::move(rows));
    emit rolesChanged();
}

void RolesController::refuse(const QString& code, const QString& message, const QString& fileName) {
    m_audit.recordFailure(role_event::kImport, code, {{"file", fileName.toStdString()}});
    fail(code, message);
}

bool RolesController::importFile(const QString& fileOrUrl) {
    m_state.dismissError();
    QString path = fileOrUrl.trimmed();
    if (path.startsWith(QLatin1String("file:")))
        path = QUrl(path).toLocalFile();
    const QString fileName = QFileInfo(path).fileName();
    if (path.isEmpty()) {
        fail(QStringLiteral("no-file"), tr("Choose the role credential file your enterprise gave you (e.g. role.tsrc)."));
        return false;
    }
    const auto holder = holderThumbprint();
    if (!holder) {
        refuse(QStringLiteral("no-holder-key"),
               tr("Register your twin (or receive one) first: a role credential is issued for your twin's holder key."),
               fileName);
        return false;
    }
    const twin::RoleCredentialStore store(m_store.dataDir());
    auto held = store.importFile(path, *holder, now());
    if (!held.ok()) {
        const QString code = codeName(held.code());
        const QString detail = qs(held.error().detail);
        QString message;
        switch (held.code()) {
        case ErrorCode::RoleHolderMismatch:
            message = tr("This role credential was issued for another twin's key (%1). Ask the enterprise to issue "
                         "it for your twin: give them your twin's credential file.")
                          .arg(detail);
            break;
        case ErrorCode::RoleExpired:
            message = tr("This role credential has expired (%1). Ask the enterprise for a new one.")
                          .arg(detail);
            break;
        case ErrorCode::ThirdPartyCredentialInvalid:
            message = tr("%1 is not a role credential an enterprise signed, or it was altered after signing (%2). "
                         "Ask the enterprise for the file again.")
                          .arg(fileName, detail);
            break;
        case ErrorCode::WrongObjectType:
            message = tr("%1 is not a role credential: %2. Choose the file the enterprise issued for your role.")
                          .arg(fileName, detail);
            break;
        case ErrorCode::IoError:
            message = tr("The file cannot be read: %1").arg(detail);
            break;
        default:
            message = tr("%1 cannot be used as a role credential: %2").arg(fileName, detail);
            break;
        }
        refuse(code, message, fileName);
        return false;
    }
    const security::RoleClaims& c = held->credential.claims;
    m_audit.record(role_event::kImport, {{"role", c.role},
                                         {"organisation", c.organisation},
                                         {"enterprise", c.enterprise},
                                         {"serial", security::toHex(c.serial)},
                                         {"valid-until", day(c.notAfter).toStdString()}});
    reload();
    m_state.showNotice(tr("Role credential added: %1 (from %2, valid until %3). Rooms that require this role "
                          "admit you with it.")
                           .arg(label(c), qs(c.enterprise), day(c.notAfter)));
    return true;
}

bool RolesController::remove(const QString& id) {
    m_state.dismissError();
    const twin::RoleCredentialStore store(m_store.dataDir());
    QString what;
    std::vector<std::pair<std::string, std::string>> fields;
    for (const twin::HeldRole& held : store.list())
        if (qs(held.id) == id) {
            const security::RoleClaims& c = held.credential.claims;
            what = label(c);
            fields = {{"role", c.role},
                      {"organisation", c.organisation},
                      {"enterprise", c.enterprise},
                      {"serial", security::toHex(c.serial)}};
        }
    auto removed = store.remove(id.toStdString());
    if (!removed.ok()) {
        fail(codeName(removed.code()),
             tr("The role credential cannot be removed: %1").arg(qs(removed.error().detail)));
        return false;
    }
    m_audit.record(role_event::kRemove, std::move(fields));
    reload();
    m_state.showNotice(tr("Role credential removed: %1. It is no longer presented in rooms.").arg(what));
    return true;
}

} // namespace twinseal::viewmodels
