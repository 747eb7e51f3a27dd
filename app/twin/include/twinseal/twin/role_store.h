// RoleCredentialStore: the enterprise role credentials ("surgeon, St. Mary's") this twin holds,
// kept in the data directory's roles/ folder, one file per credential named by the SHA-256 of its
// envelope (<hex>.tsrc), each written atomically. They are signed public objects, not secrets:
// what a room requiring a role is shown of the holder.
//
// A credential is checked when it is imported (it parses, its enterprise signature verifies with
// the certificate it carries, it is bound to this twin's holder key and not expired); whether its
// enterprise is trusted for a role is decided by each room (security::proveRoles), not here.
#pragma once

#include <QString>

#include <cstdint>
#include <string>
#include <vector>

#include <twinseal/security/role_credential.h>

namespace twinseal::twin {

// One role credential held in the data directory.
struct HeldRole {
    std::string id; // hex SHA-256 of the envelope: the file's name without ".tsrc"
    security::RoleCredential credential;

    [[nodiscard]] bool expiredAt(std::int64_t now) const { return now >= credential.claims.notAfter; }
    [[nodiscard]] bool validAt(std::int64_t now) const {
        return now >= credential.claims.notBefore && now < credential.claims.notAfter;
    }
};

class RoleCredentialStore {
public:
    // Files larger than this are not role credentials (they are a few kilobytes).
    static constexpr qint64 kMaxFileBytes = qint64{64} * 1024;

    explicit RoleCredentialStore(QString dataDir);

    [[nodiscard]] QString dir() const;

    // Checks `encoded` for the holder key whose thumbprint is `holder` at `now` and keeps it.
    // Refusals, each with its own code (nothing is stored):
    //   not a role credential, malformed or its enterprise signature does not verify
    //                               ThirdPartyCredentialInvalid (WrongObjectType for another
    //                               TwinSeal object, UnsupportedVersion for a newer format)
    //   issued for another key      RoleHolderMismatch
    //   past its validity           RoleExpired
    // One not valid yet is kept (and presented once it is). Importing a credential already held
    // keeps it once.
    [[nodiscard]] security::Result<HeldRole> import(security::ByteView encoded,
                                                    const security::Digest& holder,
                                                    std::int64_t now) const;
    // Reads the file `path` (at most kMaxFileBytes; MalformedInput when larger) and imports it.
    [[nodiscard]] security::Result<HeldRole> importFile(const QString& path,
                                                        const security::Digest& holder,
                                                        std::int64_t now) const;

    // Every role credential held, by role then end of validity. A file that no longer parses
    // (altered on disk) is left out.
    [[nodiscard]] std::vector<HeldRole> list() const;
    // The envelopes to present in a call: those for `holder` valid at `now`, in list() order.
    [[nodiscard]] std::vector<security::Bytes> presentable(const security::Digest& holder,
                                                           std::int64_t now) const;
    // Removes the credential `id`; InvalidArgument when none is held under that id.
    [[nodiscard]] security::Status remove(const std::string& id) const;

private:
    [[nodiscard]] QString fileOf(const std::string& id) const;

    QString m_dataDir;
};

} // namespace twinseal::twin
