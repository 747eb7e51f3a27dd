// Small builders and checks shared by the call tests (rooms and relay).
#pragma once

#include <QtTest>

#include <optional>
#include <string>

#include <twinseal/proto/call.pb.h>

#include "call_ws_client.h"

namespace twinseal::test {

inline proto::CallMessage createRoomMessage(const proto::RoomPolicy& policy,
                                            const proto::Evidence& creator) {
    proto::CallMessage m;
    *m.mutable_create_room()->mutable_policy() = policy;
    *m.mutable_create_room()->mutable_creator() = creator;
    return m;
}

inline proto::CallMessage joinMessage(const proto::RoomInfo& room, const proto::Evidence& e,
                                      const std::string& code = {},
                                      const std::string& handle = {},
                                      const std::string& rejoinToken = {}) {
    proto::CallMessage m;
    proto::JoinRoom* j = m.mutable_join_room();
    j->set_room_id(room.room_id());
    j->set_room_code(code);
    j->set_handle(handle);
    *j->mutable_evidence() = e;
    j->set_rejoin_token(rejoinToken);
    return m;
}

inline proto::CallMessage frameMessage(const std::string& roomId, const std::string& sframe) {
    proto::CallMessage m;
    m.mutable_frame()->set_room_id(roomId);
    m.mutable_frame()->set_sframe(sframe);
    return m;
}

inline proto::CallMessage listenMessage(const CallParticipant& p) {
    proto::CallMessage m;
    m.mutable_listen()->set_handle(p.handle);
    *m.mutable_listen()->mutable_evidence() = p.evidence("urn:twinseal:handle:" + p.handle);
    return m;
}

inline proto::RoomPolicy policyOf(proto::Admission admission,
                                  std::initializer_list<std::string> invited = {}) {
    proto::RoomPolicy p;
    p.set_title("Theatre 3");
    p.set_admission(admission);
    p.set_protection(proto::CONFIDENTIAL);
    for (const auto& h : invited)
        p.add_invited_handles(h);
    return p;
}

// The error code of an answer that is a CallError ("" otherwise, or "no answer").
inline QString errorCode(const std::optional<proto::CallMessage>& m) {
    if (!m)
        return QStringLiteral("no answer");
    return m->has_error() ? QString::fromStdString(m->error().code()) : QString();
}

} // namespace twinseal::test

// Fails unless `answer` (an optional CallMessage) is of `kind` (not a CallError). Evaluates
// `answer` once.
#define REQUIRE_KIND(answer, kind)                                                                \
    do {                                                                                           \
        const std::optional<::twinseal::proto::CallMessage>& require_kind_ = (answer);             \
        QVERIFY2(require_kind_.has_value(), "no answer from the room host");                      \
        QVERIFY2(require_kind_->body_case() == (kind),                                             \
                 qPrintable(QStringLiteral("unexpected answer: ") +                                \
                            QString::fromStdString(require_kind_->ShortDebugString())));           \
    } while (0)

// Fails unless `answer` is a CallError with `code`.
#define EXPECT_CALL_ERROR(answer, code)                                                            \
    QCOMPARE(::twinseal::test::errorCode(answer), QStringLiteral(code))
