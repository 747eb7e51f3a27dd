// The rows of the service's tables, as the store reads and writes them.
#pragma once

#include <QByteArray>
#include <QString>
#include <QStringList>

namespace twinseal::service {

struct SubscriberRecord {
    QString supi;
    int mncLength = 2;
    QByteArray sealedSecrets; // AES-256-GCM under the storage key: K || OPc
    quint64 sqn = 0;          // the highest SQN the network has issued
    QString name, role, organisation, licenceId;
    qint64 createdAt = 0;
};

struct AuthSessionRecord {
    QString authId;
    QString supi;
    QByteArray rand;
    QByteArray xresDigest;  // SHA-256(XRES*): compared with SHA-256(RES*) in constant time
    QByteArray sealedKausf; // under the storage key
    qint64 expiresAt = 0;
    QString state; // "pending", "used", "failed", "resynced"
    int attempts = 0;
    QString routingIndicator; // as the SUCI carried it: part of the A-KID
};

struct AkmaKeyRecord {
    QString aKid;
    QString supi;
    QByteArray sealedKaf;
    qint64 expiresAt = 0;
};

struct DtRecord {
    QString dtId;
    QString supi;
    QString avatarId;
    QString state;        // "active", "revoked"
    QByteArray holderKey; // serialized twinseal.proto.PublicKey
    QByteArray credential;
    QByteArray credentialDigest;
    QByteArray signedManifest;
    QByteArray mediaRoot;
    quint64 statusIndex = 0;
    quint64 logIndex = 0;
    int generation = 1;
    qint64 createdAt = 0;
    qint64 updatedAt = 0;
    QString revocationReason;
};

// An ownership-transfer offer and what became of it.
struct TransferOfferRecord {
    QString transferId;
    QString dtId;
    QString avatarId;
    QString fromSupi;
    QString fromHandle;
    QString toSupi;      // empty for a code-based offer until it is accepted
    QString toHandle;    // likewise
    QByteArray codeHash; // SHA-256 of the normalised transfer code; empty: offered by handle
    QByteArray offer;    // the owner-signed offer envelope
    QByteArray offerDigest;
    QByteArray credentialDigest; // the credential the offer is for
    QByteArray mediaRoot;
    QString state; // "pending", "accepted", "declined", "cancelled", "expired"
    qint64 createdAt = 0;
    qint64 expiresAt = 0;
    qint64 finishedAt = 0;
    qint64 logIndex = -1;  // the transfer's log entry once accepted
    QByteArray acceptance; // the recipient-signed acceptance envelope once accepted
    [[nodiscard]] bool codeBased() const { return !codeHash.isEmpty(); }
};

struct AvatarFileRecord {
    QByteArray mediaRoot;
    int fileIndex = 0;
    QString path;
    quint64 size = 0;
    quint64 chunks = 0;
    quint64 chunksStored = 0;
};

// A lawful disclosure the operator recorded (schema version 3). `supi` is the DT's owner at the
// time: only that subscriber sees the record.
struct LawfulDisclosureRecord {
    QString disclosureId;
    QString dtId;
    QString supi;
    QString authority;
    QString caseRef;
    QString legalBasis;
    QStringList attributes;
    qint64 disclosedAt = 0;
    // Its commitment in the transparency log (schema version 4; none for disclosures recorded
    // before): the serialized statement as committed to, the entry's index, and from when the
    // owner is shown it.
    QByteArray statement;
    quint64 logIndex = 0;
    qint64 visibleAt = 0;
    [[nodiscard]] bool logged() const { return !statement.isEmpty(); }
};

} // namespace twinseal::service
