// TwinStore: the one owner of the data directory. Every file name is declared once
// (data_layout.h); writes are atomic (temporary file, fsync, rename); the credential is parsed
// once when read or stored and then kept in memory; the pending journal, the trusted roots, the
// identity pins and the replay cache of the peers verified here live under it.
//
// Not thread-safe except where noted: use it from the thread that owns the twin. The pin and
// replay files it hands out may be used from a worker thread.
#pragma once

#include <QString>

#include <optional>
#include <string>
#include <vector>

#include <twinseal/security/credential.h>
#include <twinseal/security/x509.h>
#include <twinseal/twin/data_layout.h>
#include <twinseal/twin/pending_journal.h>
#include <twinseal/twin/pin_file.h>
#include <twinseal/twin/replay_file.h>
#include <twinseal/twin/tree_head_witness.h>

namespace twinseal::netclient {
struct Registration;
}

namespace twinseal::twin {

class TwinStore {
public:
    explicit TwinStore(QString dataDir);

    [[nodiscard]] const QString& dataDir() const noexcept { return m_dir; }
    // The path of one of the layout's files (layout::k...).
    [[nodiscard]] QString path(const char* name) const;
    [[nodiscard]] bool exists(const char* name) const;
    [[nodiscard]] security::Result<security::Bytes> read(const char* name) const;
    // Atomic; `secret` files are created readable by the owner only.
    [[nodiscard]] security::Status write(const char* name, security::ByteView data,
                                         bool secret = false) const;
    [[nodiscard]] security::Status write(const char* name, const QByteArray& data,
                                         bool secret = false) const;
    // OK when the file is gone (or was never there).
    [[nodiscard]] security::Status remove(const char* name) const;

    // ---- the credential, parsed once --------------------------------------------------------

    // Reads and parses the credential file once (later calls keep what is in memory). IoError
    // when there is none; the parser's error when it does not parse.
    [[nodiscard]] security::Status loadCredential();
    // The credential in memory (after loadCredential or storeCredential), or null.
    [[nodiscard]] const security::Credential* credential() const noexcept {
        return m_credential ? &*m_credential : nullptr;
    }
    [[nodiscard]] const security::Bytes& credentialBytes() const noexcept { return m_credentialBytes; }
    // Parses `encoded`, writes it atomically and keeps it; nothing changes when it does not parse.
    [[nodiscard]] security::Status storeCredential(security::Bytes encoded);
    // Removes the credential file and forgets it.
    [[nodiscard]] security::Status forgetCredential();
    // Forgets the credential in memory only (its files were moved away or replaced).
    void unloadCredential() noexcept;
    // Stores what the home network issued: the credential (kept in memory), its receipt, the
    // signed manifest when given and the disclosures, each file atomically.
    [[nodiscard]] security::Status storeIssued(const netclient::Registration& issued,
                                               const security::Bytes* signedManifest);

    // ---- attribute disclosures (disclosures.json, owner-only) ----------------------------------

    struct Disclosure {
        std::string name;    // the attribute ("name", "role", ...)
        std::string encoded; // the SD-JWT disclosure string
    };
    // None when the file is missing or unreadable.
    [[nodiscard]] std::vector<Disclosure> disclosures() const;
    [[nodiscard]] security::Status storeDisclosures(const std::vector<std::string>& encoded) const;
    [[nodiscard]] static QByteArray encodeDisclosures(const std::vector<std::string>& encoded);

    // ---- the pending journal ----------------------------------------------------------------

    [[nodiscard]] bool hasPending() const { return exists(layout::kPending); }
    // The journal, or nullopt when there is none; a torn journal reads as a registration.
    [[nodiscard]] std::optional<PendingJournal> pending() const;
    // Written before the operation is sent; the generation is the credential's in memory.
    [[nodiscard]] security::Status writePending(PendingOp op, const QString& folder,
                                                std::int64_t now) const;
    [[nodiscard]] security::Status clearPending() const { return remove(layout::kPending); }

    // ---- trust: the profile's roots and those the owner added ------------------------------

    [[nodiscard]] QString trustDir() const { return path(layout::kTrustDir); }
    // The profile's PEM followed by every trust/*.pem (in name order).
    [[nodiscard]] std::string trustedRootsPem(const std::string& profileTrustPem) const;
    [[nodiscard]] security::Result<security::TrustList>
    trustList(const std::string& profileTrustPem) const;

    // ---- peers verified on this device -----------------------------------------------------

    [[nodiscard]] QString pinsPath() const { return path(layout::kPins); }
    [[nodiscard]] ReplayFile replayFile() const { return ReplayFile(path(layout::kReplay)); }

    // ---- the home network's transparency log: the last verified tree head per log --------------

    [[nodiscard]] TreeHeadWitness treeHeadWitness() const {
        return TreeHeadWitness(path(layout::kLogHeadsDir));
    }

private:
    QString m_dir;
    std::optional<security::Credential> m_credential;
    security::Bytes m_credentialBytes;
};

} // namespace twinseal::twin
