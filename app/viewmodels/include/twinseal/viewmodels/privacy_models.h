// List models of the Privacy page (DESIGN §7):
//  - DisclosureRuleModel: per room or party, which identity attributes the owner discloses there
//    (everything else stays behind the pseudonym). Roles: target, name, role, organisation,
//    licenceId (bools), summary (the disclosed attributes in words, "Pseudonym only" when none).
//  - LawfulDisclosureModel: disclosures the home network recorded about the owner's DTs. Roles:
//    disclosureId, dtId, authority, caseRef, legalBasis, attributes (in words), disclosedAt
//    (local date and time), disclosedAtSecs, visibleAt (when the owner could first see it, local
//    date and time; empty when not logged), verified (checked against the transparency log),
//    verification (in words: "Verified: …" or "Not verified: …"), verificationCode (the reason
//    code when not verified).
#pragma once

#include <QtQml/qqmlregistration.h>

#include <QAbstractListModel>
#include <QString>
#include <QStringList>
#include <QVector>

#include <cstdint>

namespace twinseal::viewmodels {

// The credential attribute names a rule can disclose (security/credential.h's names).
inline const QStringList& disclosableAttributes() {
    static const QStringList names{QStringLiteral("name"), QStringLiteral("role"),
                                   QStringLiteral("organisation"), QStringLiteral("licence_id")};
    return names;
}
// "licence_id" -> "Licence ID" (unknown names are returned as they are).
[[nodiscard]] QString attributeLabel(const QString& name);

struct DisclosureRule {
    QString target;        // a room ("theatre-3") or a party (a peer's Avatar-ID), as typed
    QStringList attributes; // a subset of disclosableAttributes(), in that order
    bool operator==(const DisclosureRule&) const = default;
};

class DisclosureRuleModel : public QAbstractListModel {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("DisclosureRuleModel is created by the client, not by QML")
    Q_PROPERTY(int count READ rowCount NOTIFY countChanged)
public:
    enum Role {
        TargetRole = Qt::UserRole + 1,
        NameRole,
        RoleRole,
        OrganisationRole,
        LicenceIdRole,
        SummaryRole
    };
    using QAbstractListModel::QAbstractListModel;

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    void setRules(QVector<DisclosureRule> rules);
    // Adds the rule, or replaces the one for the same target (targets compare case-insensitively).
    void upsert(const DisclosureRule& rule);
    // False when there is no rule for `target`.
    bool remove(const QString& target);
    [[nodiscard]] int indexOf(const QString& target) const;
    [[nodiscard]] const QVector<DisclosureRule>& rules() const noexcept { return m_rules; }

signals:
    void countChanged();

private:
    QVector<DisclosureRule> m_rules;
};

struct LawfulDisclosureRow {
    QString disclosureId;
    QString dtId;
    QString authority;
    QString caseRef;
    QString legalBasis;
    QStringList attributes; // credential attribute names, or "pseudonym"
    std::int64_t disclosedAt = 0;
    std::int64_t visibleAt = 0; // 0: not logged
    bool verified = false;
    QString verificationCode;    // empty when verified
    QString verificationMessage; // netclient's words
};

class LawfulDisclosureModel : public QAbstractListModel {
    Q_OBJECT
    QML_ELEMENT
    QML_UNCREATABLE("LawfulDisclosureModel is created by the client, not by QML")
    Q_PROPERTY(int count READ rowCount NOTIFY countChanged)
public:
    enum Role {
        DisclosureIdRole = Qt::UserRole + 1,
        DtIdRole,
        AuthorityRole,
        CaseRefRole,
        LegalBasisRole,
        AttributesRole,
        DisclosedAtRole,
        DisclosedAtSecsRole,
        VisibleAtRole,
        VerifiedRole,
        VerificationRole,
        VerificationCodeRole
    };
    using QAbstractListModel::QAbstractListModel;

    int rowCount(const QModelIndex& parent = {}) const override;
    QVariant data(const QModelIndex& index, int role) const override;
    QHash<int, QByteArray> roleNames() const override;

    void setRows(QVector<LawfulDisclosureRow> rows);
    [[nodiscard]] const QVector<LawfulDisclosureRow>& rows() const noexcept { return m_rows; }

signals:
    void countChanged();

private:
    QVector<LawfulDisclosureRow> m_rows;
};

} // namespace twinseal::viewmodels
