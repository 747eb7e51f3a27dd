// The Roles card of My Twin: the enterprise role credentials ("surgeon, St. Mary's") this twin
// holds, to present in rooms that require a role. A credential file is imported (file dialog,
// drag and drop or a path), checked (a role credential, signed by the enterprise certificate it
// carries, issued for this twin's holder key, not expired; each refusal with its own reason code
// and a message saying what to do), kept in the data directory (twin::RoleCredentialStore), listed
// with its validity, and removed. Imports and removals go to the activity log.
//
// The Calls page presents the valid ones (CallsController reads the same store).
#pragma once

#include <QtQml/qqmlregistration.h>

#include <QString>

#include <optional>

#include <twinseal/security/crypto.h>

#include "twinseal/viewmodels/page_model.h"
#include "twinseal/viewmodels/role_list_model.h"

namespace twinseal::security {
class Clock;
}

namespace twinseal::viewmodels {

// Event types of the activity log for role credentials.
namespace role_event {
inline constexpr const char* kImport = "role.import";
inline constexpr const char* kRemove = "role.remove";
} // namespace role_event

class RolesController : public twinseal::viewmodels::PageModel {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("RolesController is created by the client, not by QML")
    Q_PROPERTY(twinseal::viewmodels::RoleListModel* roles READ roles CONSTANT)
    // A holder key to bind role credentials to is known (a twin registered or received).
    Q_PROPERTY(bool canImport READ canImport NOTIFY rolesChanged)

public:
    RolesController(twin::TwinStore& store, AuditTrail& audit, QObject* parent = nullptr);

    [[nodiscard]] RoleListModel* roles() noexcept { return &m_roles; }
    [[nodiscard]] bool canImport() const { return holderThumbprint().has_value(); }
    // For tests: the time the validity is judged at (null: the system clock).
    void setClock(const security::Clock* clock);

    // Imports the role credential in `fileOrUrl` (a path or a file: URL). True when it is held
    // now; otherwise the failure is shown with its reason code.
    Q_INVOKABLE bool importFile(const QString& fileOrUrl);
    // Removes the credential `id` (the list's roleId); the view asks for confirmation first.
    Q_INVOKABLE bool remove(const QString& id);
    // Reads the store again (the twin or its credential changed).
    Q_INVOKABLE void reload();

    // The holder key's thumbprint role credentials must be issued for: the held credential's
    // holder key, else the public part of the encrypted holder key file; none before either.
    [[nodiscard]] std::optional<security::Digest> holderThumbprint() const;

signals:
    void rolesChanged();

private:
    [[nodiscard]] std::int64_t now() const;
    void refuse(const QString& code, const QString& message, const QString& fileName);

    RoleListModel m_roles;
    const security::Clock* m_clock = nullptr;
};

} // namespace twinseal::viewmodels
