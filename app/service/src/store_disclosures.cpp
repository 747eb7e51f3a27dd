#include "twinseal/service/store_disclosures.h"

namespace twinseal::service {

StoreStatus DisclosureTable::insertLawfulDisclosure(const LawfulDisclosureRecord& d) {
    TWINSEAL_TRY(m_db.exec(
        "INSERT INTO lawful_disclosures (disclosure_id, dt_id, supi, authority,"
        " case_ref, legal_basis, attributes, disclosed_at)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        {d.disclosureId, d.dtId, d.supi, sql::text(d.authority), sql::text(d.caseRef),
         sql::text(d.legalBasis), d.attributes.join(QLatin1Char(',')), d.disclosedAt}));
    if (!d.logged())
        return {};
    return m_db.exec("INSERT INTO lawful_disclosure_log (disclosure_id, statement, log_index,"
                     " visible_at) VALUES (?, ?, ?, ?)",
                     {d.disclosureId, d.statement, sql::u64(d.logIndex), d.visibleAt});
}

StoreResult<std::vector<LawfulDisclosureRecord>>
DisclosureTable::lawfulDisclosuresOf(const QString& supi, qint64 now) {
    return m_db.all(
        "SELECT d.disclosure_id, d.dt_id, d.supi, d.authority, d.case_ref, d.legal_basis,"
        " d.attributes, d.disclosed_at, l.statement, l.log_index, l.visible_at"
        " FROM lawful_disclosures d LEFT JOIN lawful_disclosure_log l"
        " ON l.disclosure_id = d.disclosure_id"
        " WHERE d.supi = ? AND (l.visible_at IS NULL OR l.visible_at <= ?)"
        " ORDER BY d.disclosed_at DESC, d.disclosure_id",
        {supi, now}, [](const Row& r) {
            LawfulDisclosureRecord d;
            d.disclosureId = r.text(0);
            d.dtId = r.text(1);
            d.supi = r.text(2);
            d.authority = r.text(3);
            d.caseRef = r.text(4);
            d.legalBasis = r.text(5);
            d.attributes = r.text(6).split(QLatin1Char(','), Qt::SkipEmptyParts);
            d.disclosedAt = r.i64(7);
            if (!r.isNull(8)) {
                d.statement = r.blob(8);
                d.logIndex = r.u64(9);
                d.visibleAt = r.i64(10);
            }
            return d;
        });
}

} // namespace twinseal::service
