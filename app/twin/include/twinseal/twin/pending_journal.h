// The pending-operation journal: written before an operation that changes the credential
// (registration, re-certification, pseudonym rotation) is sent, removed once its result is
// stored. Found at start-up it means the client stopped in between; reconcile() decides, from
// what the home network holds for this device's key, whether the operation completed.
#pragma once

#include <QString>

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <twinseal/netclient/client_types.h>
#include <twinseal/security/keys.h>

namespace twinseal::twin {

enum class PendingOp { Register, Recertify, RotatePseudonym };
[[nodiscard]] QString pendingOpName(PendingOp op);            // "register", ...
[[nodiscard]] std::optional<PendingOp> pendingOpFromName(const QString& name);

struct PendingJournal {
    PendingOp op = PendingOp::Register;
    std::uint32_t generation = 0; // the credential generation held when the journal was written
    std::int64_t at = 0;          // Unix seconds
    QString folder;               // the avatar folder of a re-certification

    [[nodiscard]] QByteArray encode() const; // JSON
    // Missing fields take their defaults (an old or torn journal still reconciles as a
    // registration); MalformedInput when it is not a JSON object.
    [[nodiscard]] static security::Result<PendingJournal> decode(const QByteArray& json);
};

// What start-up does with a journal, given the DTs the home network lists for the subscriber.
struct Reconciliation {
    // The active DT whose credential's holder key is this device's key, if any.
    std::optional<netclient::DtRecord> held;
    // The operation completed: `held` was issued after the journal was written (adopt it).
    bool completed = false;
    // The owner should be told the outcome (completed or not; a failed re-certification or
    // rotation of a twin the network no longer holds for this key says nothing).
    bool tell = false;
};
[[nodiscard]] Reconciliation reconcile(const PendingJournal& journal,
                                       const std::vector<netclient::DtRecord>& dts,
                                       const security::PublicKey& holderKey);

} // namespace twinseal::twin
