#include "twinseal/twin/pending_journal.h"

#include <QJsonDocument>
#include <QJsonObject>

#include <twinseal/security/credential.h>

namespace twinseal::twin {

using namespace twinseal::security;

QString pendingOpName(PendingOp op) {
    switch (op) {
    case PendingOp::Register: return QStringLiteral("register");
    case PendingOp::Recertify: return QStringLiteral("recertify");
    case PendingOp::RotatePseudonym: return QStringLiteral("rotate-pseudonym");
    }
    return QStringLiteral("register");
}

std::optional<PendingOp> pendingOpFromName(const QString& name) {
    for (PendingOp op : {PendingOp::Register, PendingOp::Recertify, PendingOp::RotatePseudonym})
        if (pendingOpName(op) == name)
            return op;
    return std::nullopt;
}

QByteArray PendingJournal::encode() const {
    QJsonObject o{{QStringLiteral("op"), pendingOpName(op)},
                  {QStringLiteral("generation"), static_cast<qint64>(generation)},
                  {QStringLiteral("at"), static_cast<qint64>(at)}};
    if (!folder.isEmpty())
        o.insert(QStringLiteral("folder"), folder);
    return QJsonDocument(o).toJson();
}

Result<PendingJournal> PendingJournal::decode(const QByteArray& json) {
    QJsonParseError error{};
    const QJsonDocument doc = QJsonDocument::fromJson(json, &error);
    if (error.error != QJsonParseError::NoError || !doc.isObject())
        return makeError(ErrorCode::MalformedInput, "the pending-operation journal is not a JSON object");
    const QJsonObject o = doc.object();
    PendingJournal j;
    j.op = pendingOpFromName(o.value(QStringLiteral("op")).toString()).value_or(PendingOp::Register);
    j.generation = static_cast<std::uint32_t>(o.value(QStringLiteral("generation")).toInteger());
    j.at = o.value(QStringLiteral("at")).toInteger();
    j.folder = o.value(QStringLiteral("folder")).toString();
    return j;
}

Reconciliation reconcile(const PendingJournal& journal, const std::vector<netclient::DtRecord>& dts,
                         const PublicKey& holderKey) {
    Reconciliation r;
    for (const auto& d : dts) {
        auto c = parseCredential(d.credential);
        if (d.state == "active" && c.ok() && c->claims.holderKey == holderKey)
            r.held = d;
    }
    // Registered, or re-issued after the journal was written: the operation completed.
    r.completed = r.held && r.held->generation > journal.generation;
    r.tell = r.completed || r.held || journal.op == PendingOp::Register;
    return r;
}

} // namespace twinseal::twin
