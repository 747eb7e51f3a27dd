#include "http_routes.h"

#include <QCryptographicHash>

#include <memory>
#include <optional>

#include "chunk_device.h"

namespace twinseal::service::http {

namespace {

// A strong entity tag of a representation: its SHA-256, 128 bits of it.
QByteArray entityTag(const QByteArray& body) {
    return '"' + QCryptographicHash::hash(body, QCryptographicHash::Sha256).left(16).toHex() + '"';
}

// Whether an If-None-Match header names `tag` (a list of tags, weak or strong, or "*").
bool ifNoneMatchHits(const QByteArray& header, const QByteArray& tag) {
    for (QByteArray candidate : header.split(',')) {
        candidate = candidate.trimmed();
        if (candidate.startsWith("W/"))
            candidate = candidate.mid(2);
        if (candidate == "*" || candidate == tag)
            return true;
    }
    return false;
}

// How long the answer to an AKA step is kept for a retry, beyond the challenge's lifetime.
constexpr qint64 kAnswerGraceSeconds = 600;

bool parseU64(const QString& s, quint64* out) {
    bool ok = false;
    *out = s.toULongLong(&ok);
    return ok && !s.isEmpty() && s.size() <= 20;
}

// A file index in an avatar path; else refused with 400.
std::optional<int> fileIndex(Exchange& x, const QString& segment) {
    bool ok = false;
    const int file = segment.toInt(&ok);
    if (ok)
        return file;
    x.refuse(400, "malformed-request", "file index must be a number");
    return std::nullopt;
}

// A signed binary envelope (registration, transfer offer) is never JSON.
bool needsSignedEnvelope(Exchange& x, const char* what) {
    if (x.contentType == kProtobuf)
        return true;
    x.refuse(415, "unsupported-content-type",
             std::string(what) + " is a signed binary envelope: send it as application/x-protobuf");
    return false;
}

// A route that needs an authenticated caller and nothing else.
template <typename F> Routes::Handler withCaller(F call) {
    return [call](Exchange& x, const QStringList& captures) {
        Caller caller;
        if (x.authenticated(&caller))
            x.answer(call(x.service, caller, captures));
    };
}

// A route whose body is one Protobuf request, from an authenticated caller.
template <typename Request, typename F> Routes::Handler withCallerAndBody(F call) {
    return [call](Exchange& x, const QStringList& captures) {
        Request r;
        Caller caller;
        if (x.needsBody(kProtobuf) && x.authenticated(&caller) && x.decode(&r))
            x.answer(call(x.service, caller, r, captures));
    };
}

// A route whose body is one Protobuf request, before authentication (AKA).
template <typename Request, typename F> Routes::Handler withBody(F call) {
    return [call](Exchange& x, const QStringList&) {
        Request r;
        if (x.needsBody(kProtobuf) && x.decode(&r))
            x.answer(call(x.service, r));
    };
}

// A route whose body is one Protobuf request before authentication, run at most once per body
// (request_outcomes.h): the same body again gets the first answer.
template <typename Request, typename F> Routes::Handler answeredOnce(const char* what, F call) {
    return [what, call](Exchange& x, const QStringList&) {
        Request r;
        if (!x.needsBody(kProtobuf) || !x.decode(&r))
            return;
        const QByteArray key =
            QCryptographicHash::hash(QByteArray(what) + '|' + x.body, QCryptographicHash::Sha256);
        if (x.once(key, key, x.service.now() + x.service.config().challengeTtl + kAnswerGraceSeconds))
            x.answer(call(x.service, r));
    };
}

void addAuthRoutes(Routes& routes) {
    // Every authentication step is a POST: another method is refused with 405, whatever the step.
    routes.reserve("POST", QStringLiteral("/v1/auth/{step}"));
    routes.add("POST", QStringLiteral("/v1/auth/start"),
               [](Exchange& x, const QStringList&) {
                   proto::AuthStartRequest r;
                   if (x.needsBody(kProtobuf) && x.decode(&r))
                       x.answer(x.service.authStart(r, x.source));
               });
    // An answer to a challenge is answered once: a retry of the same answer (its response lost
    // to a dropped connection) gets the same result, not aka-response-replayed.
    routes.add("POST", QStringLiteral("/v1/auth/resync"),
               answeredOnce<proto::AuthResyncRequest>(
                   "auth-resync", [](HomenetService& s, const auto& r) { return s.authResync(r); }));
    routes.add("POST", QStringLiteral("/v1/auth/finish"),
               answeredOnce<proto::AuthFinishRequest>(
                   "auth-finish", [](HomenetService& s, const auto& r) { return s.authFinish(r); }));
}

void addTwinRoutes(Routes& routes) {
    routes.add("GET", QStringLiteral("/v1/dt"),
               withCaller([](HomenetService& s, const Caller& c, const QStringList&) {
                   return s.listDts(c);
               }));
    using Issue = ServiceResult<proto::RegistrationResponse> (HomenetService::*)(const Caller&,
                                                                                 const QByteArray&);
    const std::pair<const char*, Issue> issuing[] = {
        {"/v1/dt/register", &HomenetService::registerDt},
        {"/v1/dt/recertify", &HomenetService::recertify},
        {"/v1/dt/rotate-pseudonym", &HomenetService::rotatePseudonym}};
    for (const auto& [path, issue] : issuing) {
        routes.add("POST", QString::fromLatin1(path),
                   [issue = issue](Exchange& x, const QStringList&) {
                       Caller caller;
                       if (needsSignedEnvelope(x, "a registration") && x.authenticated(&caller))
                           x.answer((x.service.*issue)(caller, x.body));
                   });
    }
    routes.add("POST", QStringLiteral("/v1/dt/revoke"),
               withCallerAndBody<proto::RevokeRequest>(
                   [](HomenetService& s, const Caller& c, const auto& r, const QStringList&) {
                       return s.revoke(c, r);
                   }));
    routes.add("GET", QStringLiteral("/v1/dt/{id}/history"),
               withCaller([](HomenetService& s, const Caller& c, const QStringList& id) {
                   return s.dtHistory(c, id[0]);
               }));
    // Lawful disclosures of the caller's DTs (DESIGN §7): the owner only.
    routes.add("GET", QStringLiteral("/v1/disclosures"),
               withCaller([](HomenetService& s, const Caller& c, const QStringList&) {
                   return s.lawfulDisclosures(c);
               }));
    // The activity logs' anchor mirror: the highest checkpoint per log, never going back.
    routes.add("PUT", QStringLiteral("/v1/audit/anchors/{log}"),
               withCallerAndBody<proto::AuditAnchorMirror>(
                   [](HomenetService& s, const Caller& c, const auto& r, const QStringList& log) {
                       return s.putAuditAnchor(c, log[0], r);
                   }));
    routes.add("GET", QStringLiteral("/v1/audit/anchors/{log}"),
               withCaller([](HomenetService& s, const Caller& c, const QStringList& log) {
                   return s.auditAnchor(c, log[0]);
               }));
    routes.add(
        "GET", QStringLiteral("/v1/me"),
        withCaller([](HomenetService& s, const Caller& c, const QStringList&) { return s.me(c); }));
}

void addTransferRoutes(Routes& routes) {
    routes.add("GET", QStringLiteral("/v1/transfers"),
               withCaller([](HomenetService& s, const Caller& c, const QStringList&) {
                   return s.listTransfers(c);
               }));
    routes.add("POST", QStringLiteral("/v1/transfers"), [](Exchange& x, const QStringList&) {
        Caller caller;
        if (needsSignedEnvelope(x, "a transfer offer") && x.authenticated(&caller))
            x.answer(x.service.offerTransfer(caller, x.body));
    });
    routes.add("POST", QStringLiteral("/v1/transfers/by-code"),
               withCallerAndBody<proto::TransferCodeRequest>(
                   [](HomenetService& s, const Caller& c, const auto& r, const QStringList&) {
                       return s.transferByCode(c, r);
                   }));
    routes.add("GET", QStringLiteral("/v1/transfers/{id}"),
               withCaller([](HomenetService& s, const Caller& c, const QStringList& id) {
                   return s.transferInfo(c, id[0]);
               }));
    routes.add("GET", QStringLiteral("/v1/transfers/{id}/receipt"),
               withCaller([](HomenetService& s, const Caller& c, const QStringList& id) {
                   return s.transferReceipt(c, id[0]);
               }));
    routes.add("POST", QStringLiteral("/v1/transfers/{id}/accept"),
               withCallerAndBody<proto::TransferAcceptRequest>(
                   [](HomenetService& s, const Caller& c, const auto& r, const QStringList& id) {
                       return s.acceptTransfer(c, id[0], r);
                   }));
    // The body (the code of a code-based offer) may be empty.
    routes.add("POST", QStringLiteral("/v1/transfers/{id}/decline"),
               [](Exchange& x, const QStringList& id) {
                   proto::TransferCodeRequest r;
                   Caller caller;
                   const bool empty = x.body.isEmpty();
                   if ((empty || x.needsBody(kProtobuf)) && x.authenticated(&caller) &&
                       (empty || x.decode(&r)))
                       x.answer(x.service.declineTransfer(caller, id[0], r));
               });
    routes.add("POST", QStringLiteral("/v1/transfers/{id}/cancel"),
               withCaller([](HomenetService& s, const Caller& c, const QStringList& id) {
                   return s.cancelTransfer(c, id[0]);
               }));
}

void addPublicRoutes(Routes& routes) {
    // The log is read only: another method than GET is refused with 405 on any /v1/log/{name}.
    routes.reserve("GET", QStringLiteral("/v1/log/{name}"));
    routes.add("GET", QStringLiteral("/v1/status"), [](Exchange& x, const QStringList&) {
        x.reply = signedReply(x.service.statusList(), x.json);
        if (x.reply.status != 200)
            return;
        // Public and signed: caches may keep it until verifiers are due to refresh it.
        x.reply.cacheControl =
            "public, max-age=" + QByteArray::number(x.service.statusListMaxAge());
        // A verifier polling during a call asks conditionally: while this publication is the
        // one it holds, the answer is 304 without a body. A revocation publishes a new list at
        // once (a new tag).
        x.reply.etag = entityTag(x.reply.body);
        if (ifNoneMatchHits(x.ifNoneMatch, x.reply.etag)) {
            x.reply.status = 304;
            x.reply.body.clear();
        }
    });
    routes.add("GET", QStringLiteral("/v1/info"),
               [](Exchange& x, const QStringList&) { x.answer(x.service.info()); });
    routes.add("GET", QStringLiteral("/v1/log/head"), [](Exchange& x, const QStringList&) {
        x.reply = signedReply(x.service.treeHead(), x.json);
    });
    routes.add("GET", QStringLiteral("/v1/log/inclusion"), [](Exchange& x, const QStringList&) {
        quint64 index = 0, size = 0;
        if (!parseU64(x.query.queryItemValue(QStringLiteral("index")), &index) ||
            (x.query.hasQueryItem(QStringLiteral("size")) &&
             !parseU64(x.query.queryItemValue(QStringLiteral("size")), &size)))
            x.refuse(400, "malformed-request", "use /v1/log/inclusion?index=I&size=N");
        else if (x.query.hasQueryItem(QStringLiteral("size")) && size == 0)
            x.refuse(400, "tree-size-invalid",
                     "size=0 names an empty tree, which includes nothing; leave size out for "
                     "the current tree");
        else
            x.answer(x.service.inclusion(index, size));
    });
    routes.add("GET", QStringLiteral("/v1/log/inclusion-by-credential"),
               [](Exchange& x, const QStringList&) {
                   const QByteArray digest = QByteArray::fromHex(
                       x.query.queryItemValue(QStringLiteral("digest")).toLatin1());
                   quint64 size = 0;
                   if (x.query.hasQueryItem(QStringLiteral("size")) &&
                       !parseU64(x.query.queryItemValue(QStringLiteral("size")), &size))
                       x.refuse(400, "malformed-request", "size must be a number");
                   else if (x.query.hasQueryItem(QStringLiteral("size")) && size == 0)
                       x.refuse(400, "tree-size-invalid",
                                "size=0 names an empty tree, which includes nothing; leave size "
                                "out for the current tree");
                   else
                       x.answer(x.service.inclusionByCredential(digest, size));
               });
    routes.add("GET", QStringLiteral("/v1/log/consistency"), [](Exchange& x, const QStringList&) {
        quint64 first = 0, second = 0;
        if (!parseU64(x.query.queryItemValue(QStringLiteral("first")), &first) ||
            (x.query.hasQueryItem(QStringLiteral("second")) &&
             !parseU64(x.query.queryItemValue(QStringLiteral("second")), &second)))
            x.refuse(400, "malformed-request", "use /v1/log/consistency?first=M&second=N");
        else
            x.answer(x.service.consistency(first, second));
    });
}

void addAvatarRoutes(Routes& routes) {
    routes.add("GET", QStringLiteral("/v1/avatars/by-root/{root}"),
               withCaller([](HomenetService& s, const Caller& c, const QStringList& root) {
                   return s.avatarInfoByRoot(c, QByteArray::fromHex(root[0].toLatin1()));
               }));
    routes.add("GET", QStringLiteral("/v1/avatars/{id}"),
               withCaller([](HomenetService& s, const Caller& c, const QStringList& id) {
                   return s.avatarInfo(c, id[0]);
               }));
    routes.add("POST", QStringLiteral("/v1/avatars/{id}/grants"),
               withCallerAndBody<proto::GrantRequest>(
                   [](HomenetService& s, const Caller& c, const auto& r, const QStringList& id) {
                       return s.createGrant(c, id[0], r);
                   }));
    // A file index that is not a number is refused first, whatever the method or the rest.
    routes.check(QStringLiteral("/v1/avatars/{id}/files/{file}"),
                 [](Exchange& x, const QStringList& p) { return fileIndex(x, p[1]).has_value(); });
    routes.add("PUT", QStringLiteral("/v1/avatars/{id}/files/{file}/chunks/{chunk}"),
               [](Exchange& x, const QStringList& p) {
                   const auto file = fileIndex(x, p[1]);
                   quint64 chunk = 0;
                   Caller caller;
                   if (!file)
                       return;
                   if (!parseU64(p[2], &chunk))
                       x.refuse(400, "malformed-request", "chunk index must be a number");
                   else if (x.needsBody(kOctets) && x.authenticated(&caller))
                       x.answer(x.service.putChunk(caller, p[0], *file, chunk, x.body));
               });
    routes.add("GET", QStringLiteral("/v1/avatars/{id}/files/{file}"),
               [](Exchange& x, const QStringList& p) {
                   const auto file = fileIndex(x, p[1]);
                   Caller caller;
                   if (!file || !x.authenticated(&caller))
                       return;
                   auto f = x.service.openFile(caller, p[0], *file);
                   if (!f.ok()) {
                       x.reply = refuse(f.error(), x.json);
                       return;
                   }
                   auto dev = std::make_unique<ChunkDevice>(x.service.avatars(), *f);
                   ServiceError e;
                   if (!dev->prime(&e)) {
                       x.reply = refuse(e, x.json);
                       return;
                   }
                   x.reply.contentType = kOctets;
                   x.reply.stream = std::move(dev);
               });
}

} // namespace

void addRoutes(Routes& routes) {
    addAuthRoutes(routes);
    addTwinRoutes(routes);
    addTransferRoutes(routes);
    addPublicRoutes(routes);
    addAvatarRoutes(routes);
}

} // namespace twinseal::service::http
