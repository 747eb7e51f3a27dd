#include "twinseal/service/lawful_disclosures.h"

#include <QSet>

#include <optional>

#include <twinseal/security/lawful_disclosure.h>

#include "service_util.h"
#include "twinseal/service/service_log.h"

namespace twinseal::service {

using namespace twinseal::security;
using namespace util;

namespace {

constexpr qsizetype kMaxFieldLength = 512;
constexpr int kMaxDisclosuresListed = 500;

// The attributes a lawful disclosure can name (the credential's attribute names, plus the
// pseudonym). Common spellings are accepted and normalised.
std::optional<QString> normaliseAttribute(QString a) {
    a = a.trimmed().toLower();
    if (a == QLatin1String("licenceid") || a == QLatin1String("licence-id"))
        a = QStringLiteral("licence_id");
    static const QSet<QString> kKnown = {QStringLiteral("name"), QStringLiteral("role"),
                                         QStringLiteral("organisation"),
                                         QStringLiteral("licence_id"), QStringLiteral("pseudonym")};
    if (!kKnown.contains(a))
        return std::nullopt;
    return a;
}

// A required free-text field: present, bounded, without control characters.
std::optional<ServiceError> checkText(const std::string& value, const char* option) {
    const QString v = QString::fromStdString(value).trimmed();
    if (v.isEmpty())
        return badRequest("missing-field", std::string("the ") + option +
                                               " is required: say who, why and on what basis");
    if (v.size() > kMaxFieldLength)
        return badRequest("field-too-long",
                          std::string("the ") + option + " is longer than 512 characters");
    for (QChar c : v)
        if (c.category() == QChar::Other_Control)
            return badRequest("field-invalid",
                              std::string("the ") + option + " contains control characters");
    return std::nullopt;
}

void fillDisclosure(const LawfulDisclosureRecord& r, proto::LawfulDisclosure* out) {
    out->set_disclosure_id(r.disclosureId.toStdString());
    out->set_dt_id(r.dtId.toStdString());
    out->set_authority(r.authority.toStdString());
    out->set_case_ref(r.caseRef.toStdString());
    out->set_legal_basis(r.legalBasis.toStdString());
    for (const QString& a : r.attributes)
        out->add_attributes(a.toStdString());
    out->set_disclosed_at(r.disclosedAt);
    if (r.logged()) {
        out->set_statement(str(r.statement));
        out->set_log_index(r.logIndex);
        out->set_visible_at(r.visibleAt);
    }
}

DisclosureStatement statementOf(const LawfulDisclosureRecord& r) {
    DisclosureStatement s;
    s.disclosureId = r.disclosureId.toStdString();
    s.dtId = r.dtId.toStdString();
    s.supi = r.supi.toStdString();
    s.authority = r.authority.toStdString();
    s.caseRef = r.caseRef.toStdString();
    s.legalBasis = r.legalBasis.toStdString();
    for (const QString& a : r.attributes)
        s.attributes.push_back(a.toStdString());
    s.disclosedAt = r.disclosedAt;
    s.visibleAt = r.visibleAt;
    return s;
}

} // namespace

ServiceResult<proto::LawfulDisclosure>
LawfulDisclosures::record(const proto::LawfulDisclosure& request, std::optional<qint64> delay) {
    const qint64 wait = delay.value_or(m_ctx.config.disclosureDelay);
    if (wait < 0 || wait > kMaxDisclosureDelay)
        return badRequest("disclosure-delay-invalid",
                          "the delay before the owner sees a disclosure (--delay, or "
                          "disclosure-delay in the configuration) must be 0 to " +
                              std::to_string(kMaxDisclosureDelay) + " seconds (366 days)");
    if (request.dt_id().empty())
        return badRequest("missing-field", "the DT is required (--dt-id): see `dt list`");
    if (auto e = checkText(request.authority(), "authority (--authority)"))
        return *e;
    if (auto e = checkText(request.case_ref(), "case reference (--case-ref)"))
        return *e;
    if (auto e = checkText(request.legal_basis(), "legal basis (--legal-basis)"))
        return *e;
    if (request.attributes().empty())
        return badRequest("missing-field",
                          "name the disclosed attributes (--attributes name,role,organisation,"
                          "licence_id,pseudonym)");
    QStringList attributes;
    for (const auto& a : request.attributes()) {
        auto n = normaliseAttribute(QString::fromStdString(a));
        if (!n)
            return badRequest("invalid-attribute",
                              "unknown attribute \"" + a +
                                  "\": use name, role, organisation, licence_id or pseudonym");
        if (!attributes.contains(*n))
            attributes.append(*n);
    }

    auto tx = m_ctx.store.begin(true);
    if (!tx.ok())
        return m_ctx.storageError(tx.error());
    const QString dtId = QString::fromStdString(request.dt_id());
    auto dt = m_ctx.store.dts().dt(dtId);
    if (!dt.ok())
        return m_ctx.storageError(dt.error());
    if (!dt->has_value())
        return serviceError(404, "unknown-dt",
                            "there is no digital twin " + request.dt_id() + ": see `dt list`");
    LawfulDisclosureRecord r;
    r.disclosureId = newId("ld-");
    r.dtId = dtId;
    r.supi = (*dt)->supi; // the owner now: the one who must be able to see it
    r.authority = QString::fromStdString(request.authority()).trimmed();
    r.caseRef = QString::fromStdString(request.case_ref()).trimmed();
    r.legalBasis = QString::fromStdString(request.legal_basis()).trimmed();
    r.attributes = attributes;
    r.disclosedAt = m_ctx.clock.now();
    r.visibleAt = r.disclosedAt + wait;
    // The commitment: salted, so the public entry reveals nothing of the subscriber, the DT,
    // the authority or the case; appended in this transaction, so the disclosure cannot exist
    // without its entry.
    auto statement = DisclosureStatement::salted(statementOf(r), m_ctx.rng);
    if (!statement.ok())
        return fromSecurity(500, statement.error());
    r.statement = qb(statement->encode());
    const Digest commitment = disclosureCommitment(bv(r.statement));
    auto appended = m_log.append(LogEntryType::LawfulDisclosure, QString(),
                                 qb(ByteView(commitment)), {});
    if (!appended.ok())
        return appended.error();
    r.logIndex = appended->index;
    if (auto st = m_ctx.store.disclosures().insertLawfulDisclosure(r); !st.ok())
        return m_ctx.storageError(st.error());
    if (auto st = tx->commit(); !st.ok())
        return m_ctx.storageError(st.error());
    m_log.committed(*appended);
    // Identifiers only: the authority and case are in the database, not in the service log.
    logEvent(LogLevel::Info, "lawful-disclosure-recorded",
             {{QStringLiteral("disclosure_id"), r.disclosureId},
              {QStringLiteral("dt_id"), r.dtId},
              {QStringLiteral("log_index"), static_cast<qint64>(r.logIndex)},
              {QStringLiteral("visible_at"), r.visibleAt}});
    proto::LawfulDisclosure out;
    fillDisclosure(r, &out);
    return out;
}

ServiceResult<proto::LawfulDisclosureList> LawfulDisclosures::of(const Caller& caller) {
    if (!caller.subscriber())
        return serviceError(401, "not-authenticated",
                            "the lawful disclosures are shown to an authenticated subscriber only");
    auto records =
        m_ctx.store.disclosures().lawfulDisclosuresOf(caller.supi, m_ctx.clock.now());
    if (!records.ok())
        return m_ctx.storageError(records.error());
    // Every listed entry was committed with its disclosure, so the log synced after reading them
    // holds them all.
    if (auto st = m_log.sync(); !st.ok())
        return st.error();
    const quint64 size = m_log.size();
    auto head = m_log.signedHead(size);
    if (!head.ok())
        return head.error();
    proto::LawfulDisclosureList out;
    out.set_tree_head(toString(head->encoded));
    for (const auto& r : *records) {
        if (out.disclosures_size() >= kMaxDisclosuresListed)
            break;
        auto* d = out.add_disclosures();
        fillDisclosure(r, d);
        if (!r.logged())
            continue; // recorded before disclosures were logged: the client says so
        if (r.logIndex >= size)
            return serviceError(500, "log-corrupt",
                                "a lawful disclosure's log entry is not in the log");
        if (auto st = m_log.entryAndProof(r.logIndex, size, d->mutable_log_entry(),
                                          d->mutable_proof());
            !st.ok())
            return st.error();
    }
    return out;
}

} // namespace twinseal::service
