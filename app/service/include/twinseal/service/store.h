// The service's state in SQL through Qt SQL: SQLite by default (WAL, one file in the data
// directory), PostgreSQL with the same statements when configured. One class per table (group)
// over one shared Database (connection, schema, transactions, the row-binding helper). Every
// change that must be atomic (a registration: DT, credential, log entry, nonce) happens inside
// one Transaction, and write transactions are serialized (SQLite: BEGIN IMMEDIATE; PostgreSQL:
// an advisory lock), so a killed process leaves either all of a change or none of it.
#pragma once

#include <QString>

#include "twinseal/service/store_audit_anchors.h"
#include "twinseal/service/store_auth.h"
#include "twinseal/service/store_avatars.h"
#include "twinseal/service/store_credentials.h"
#include "twinseal/service/store_database.h"
#include "twinseal/service/store_disclosures.h"
#include "twinseal/service/store_dts.h"
#include "twinseal/service/store_log.h"
#include "twinseal/service/store_meta.h"
#include "twinseal/service/store_outcomes.h"
#include "twinseal/service/store_records.h"
#include "twinseal/service/store_subscribers.h"
#include "twinseal/service/store_transfers.h"

namespace twinseal::service {

class Store {
public:
  using Backend = Database::Backend;
  using Transaction = Database::Transaction;

  Store() = default;
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  // `database` empty: SQLite file `<dataDir>/homenet.sqlite`; else sqlite:PATH or a
  // postgresql:// URL (user, password, host, port, database; host may be a socket directory).
  [[nodiscard]] StoreStatus open(const QString& dataDir, const QString& database,
                                 const QString& sqliteSynchronous = QStringLiteral("FULL"),
                                 const DatabaseTimeouts& timeouts = {}) {
      return m_db.open(dataDir, database, sqliteSynchronous, timeouts);
  }
  void close() { m_db.close(); }
  [[nodiscard]] Backend backend() const noexcept { return m_db.backend(); }
  [[nodiscard]] const Database& database() const noexcept { return m_db; }
  [[nodiscard]] Database& database() noexcept { return m_db; }
  // A transaction (rolled back when destroyed uncommitted); write: serialized against every
  // other writer (other processes included).
  [[nodiscard]] StoreResult<Transaction> begin(bool write = true) { return m_db.begin(write); }

  [[nodiscard]] MetaTable& meta() { return m_meta; }
  [[nodiscard]] SubscriberTable& subscribers() { return m_subscribers; }
  [[nodiscard]] AuthTable& auth() { return m_auth; }
  [[nodiscard]] DtTable& dts() { return m_dts; }
  [[nodiscard]] CredentialTable& credentials() { return m_credentials; }
  [[nodiscard]] LogTable& log() { return m_log; }
  [[nodiscard]] TransferTable& transfers() { return m_transfers; }
  [[nodiscard]] AvatarTable& avatars() { return m_avatars; }
  [[nodiscard]] DisclosureTable& disclosures() { return m_disclosures; }
  [[nodiscard]] AuditAnchorTable& auditAnchors() { return m_auditAnchors; }
  [[nodiscard]] RequestOutcomeTable& outcomes() { return m_outcomes; }
  // A request scope (Database::beginScope): the request's transactions and the record of its
  // outcome commit together at endScope().
  void beginScope() { m_db.beginScope(); }
  [[nodiscard]] bool inScope() const noexcept { return m_db.inScope(); }
  [[nodiscard]] bool scopeChanged() const noexcept { return m_db.scopeChanged(); }
  [[nodiscard]] StoreStatus endScope(bool commit) { return m_db.endScope(commit); }
  [[nodiscard]] quint64 discardedScopes() const noexcept { return m_db.discardedScopes(); }

  // Drops what expired (authentication sessions, AKMA keys, nonces and grants a day after
  // they expired, so a late replay is still named one) and marks pending transfers past
  // their expiry as expired.
  [[nodiscard]] StoreStatus purgeExpired(qint64 now);

private:
  Database m_db;
  MetaTable m_meta{m_db};
  SubscriberTable m_subscribers{m_db};
  AuthTable m_auth{m_db};
  DtTable m_dts{m_db};
  CredentialTable m_credentials{m_db};
  LogTable m_log{m_db};
  TransferTable m_transfers{m_db};
  AvatarTable m_avatars{m_db};
  DisclosureTable m_disclosures{m_db};
  AuditAnchorTable m_auditAnchors{m_db};
  RequestOutcomeTable m_outcomes{m_db};
};

} // namespace twinseal::service
