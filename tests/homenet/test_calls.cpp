// Call rooms on the real twinseal-homenet over TLS (/v1/ws): creating a room (the creator's
// evidence addressed to the room host), joining by room code or invitation, leaving, each
// refusal with its own reason (wrong code, not invited, handle not proven, a required role not
// proven by an enterprise's role credential for the holder key, an invalid enterprise root, stale,
// replayed or misaddressed evidence, duplicate join), invitations (offline, ringing, accepted,
// declined, timeout, answered by the wrong recipient, glare), a dropped connection rejoining
// within its grace period and refused after it, and a revocation pushed to the room.
#include <QtTest>

#include <twinseal/netclient/service_client.h>
#include <twinseal/security/assertion.h>
#include <twinseal/security/clock.h>
#include <twinseal/security/role_credential.h>

#include "call_test_util.h"
#include "call_ws_client.h"
#include "homenet_fixture.h"
#include "test_macros.h"
#include "testmain.h"

namespace {
namespace test_calls {

using namespace twinseal;
using namespace twinseal::test;
using Kind = proto::CallMessage::BodyCase;

namespace {

// Creates a room with `policy` as `creator` on `ws`; the RoomInfo (with its code).
std::optional<proto::RoomInfo> createRoom(CallWsClient& ws, const CallParticipant& creator,
                                          const proto::RoomPolicy& policy) {
    auto answer = ws.request(createRoomMessage(policy, creator.evidence(roomHostUri())),
                             Kind::kRoomCreated);
    if (!answer || !answer->has_room_created()) {
        qWarning("create room: %s", answer ? answer->ShortDebugString().c_str() : "no answer");
        return std::nullopt;
    }
    return answer->room_created();
}

// `p` joins `room` on `ws` with fresh evidence for it (and the room code, and a rejoin token,
// when given): the host's answer, RoomJoined or a CallError.
std::optional<proto::CallMessage> join(CallWsClient& ws, const CallParticipant& p,
                                       const proto::RoomInfo& room, const std::string& code = {},
                                       const std::string& rejoinToken = {}) {
    return ws.request(joinMessage(room, p.evidence(room.room_uri()), code, {}, rejoinToken),
                      Kind::kRoomJoined);
}

// Creates a room with `policy` as `creator` on `ws` and joins it; the RoomInfo.
std::optional<proto::RoomInfo> createAndJoin(CallWsClient& ws, const CallParticipant& creator,
                                             const proto::RoomPolicy& policy) {
    auto room = createRoom(ws, creator, policy);
    if (!room)
        return std::nullopt;
    auto joined = join(ws, creator, *room);
    if (!joined || !joined->has_room_joined()) {
        qWarning("join own room: %s", joined ? joined->ShortDebugString().c_str() : "no answer");
        return std::nullopt;
    }
    return room;
}


template <typename T> T take(security::Result<T> r, const char* what) {
    if (!r.ok())
        qFatal("%s: %s", what, r.error().message().c_str());
    return std::move(*r);
}

// An enterprise (a hospital) vouching for roles: its root, which a room names for a required
// role, and the issuing key and certificate that sign its role credentials.
struct Enterprise {
    std::string name;
    security::SigningKey rootKey;
    security::Certificate root;
    security::SigningKey issuingKey;
    security::Certificate issuingCert;

    explicit Enterprise(const std::string& enterprise) : name(enterprise) {
        using namespace twinseal::security;
        const std::int64_t now = SystemClock::instance().now();
        rootKey = take(SigningKey::generate(KeyAlgorithm::Ed25519), "enterprise root key");
        root = take(createRootCertificate(rootKey, {name + " Root", name, now - 86400,
                                                    now + 365L * 86400, true}),
                    "enterprise root");
        issuingKey = take(SigningKey::generate(KeyAlgorithm::Ed25519), "enterprise issuing key");
        issuingCert = take(issueCertificate(rootKey, root, issuingKey.publicKey(),
                                            {name + " Role Issuer", name, now - 86400,
                                             now + 30L * 86400, false}),
                           "enterprise issuing certificate");
    }

    enum class Validity { Current, Expired, NotYet };
    // A role credential for the holder key of `p`: valid for a day from an hour ago, or
    // expired an hour ago, or valid only from an hour from now.
    std::string issue(const CallParticipant& p, const std::string& role = "surgeon",
                      Validity validity = Validity::Current) const {
        using namespace twinseal::security;
        const std::int64_t now = SystemClock::instance().now();
        RoleClaims c;
        c.enterprise = name;
        c.role = role;
        c.organisation = name;
        c.holderThumbprint = p.subscriber.holder.publicKey().thumbprint();
        const bool expired = validity == Validity::Expired;
        c.notBefore = validity == Validity::NotYet ? now + 3600 : expired ? now - 7200 : now - 3600;
        c.notAfter = expired ? now - 3600 : now + 86400;
        c.issuedAt = c.notBefore;
        const RoleCredential rc = take(
            issueRoleCredential(c, issuingKey, {issuingCert}, SystemRandom::instance()),
            "issue role credential");
        return std::string(rc.encoded.begin(), rc.encoded.end());
    }
};

// `p`'s evidence for `room` with the role credentials `roles`.
proto::Evidence withRoles(const CallParticipant& p, const proto::RoomInfo& room,
                          std::initializer_list<std::string> roles) {
    proto::Evidence e = p.evidence(room.room_uri());
    for (const std::string& rc : roles)
        e.add_role_credentials(rc);
    return e;
}

} // namespace

class CallRoomsTest : public QObject {
    Q_OBJECT

private slots:
    void createJoinLeaveByRoomCode() {
        HomenetServer server;
        QVERIFY(server.start());
        CallParticipant alice = makeParticipant(server, QStringLiteral("alice"), 1);
        CallParticipant bob = makeParticipant(server, QStringLiteral("bob"), 2);
        CallWsClient a(server), b(server);
        QVERIFY(a.open());
        QVERIFY(b.open());

        // The creator's evidence must be addressed to this room host.
        auto misaddressed = a.request(
            createRoomMessage(policyOf(proto::ROOM_CODE), alice.evidence("urn:twinseal:room:x")),
            Kind::kRoomCreated);
        EXPECT_CALL_ERROR(misaddressed, "wrong-destination");
        QCOMPARE(QString::fromStdString(misaddressed->error().in_reply_to()),
                 QStringLiteral("create_room"));

        auto room = createRoom(a, alice, policyOf(proto::ROOM_CODE));
        QVERIFY(room);
        QVERIFY(!room->room_code().empty());
        QCOMPARE(QString::fromStdString(room->room_uri()),
                 QStringLiteral("urn:twinseal:room:TwinSeal%20Demo%20Operator:") +
                     QString::fromStdString(room->room_id()));
        QCOMPARE(room->policy().max_participants(), 16u);
        QCOMPARE(room->policy().rekey_seconds(), 600u);

        auto joined = join(a, alice, *room);
        REQUIRE_KIND(joined, Kind::kRoomJoined);
        QCOMPARE(joined->room_joined().participants_size(), 0);
        QVERIFY(joined->room_joined().room().room_code().empty()); // only the creator sees it
        QVERIFY(!joined->room_joined().rejoin_token().empty());
        const quint32 aliceId = joined->room_joined().participant_id();

        // Refusals, each with its own reason; none of them changes the room.
        EXPECT_CALL_ERROR(b.request(joinMessage(*room, bob.evidence(room->room_uri()), "WRONG"),
                                    Kind::kRoomJoined),
                          "room-code-wrong");
        proto::RoomInfo nowhere = *room;
        nowhere.set_room_id("rm-nowhere");
        EXPECT_CALL_ERROR(b.request(joinMessage(nowhere, bob.evidence(room->room_uri()),
                                                room->room_code()),
                                    Kind::kRoomJoined),
                          "room-not-found");
        EXPECT_CALL_ERROR(b.request(joinMessage(*room, bob.evidence("urn:twinseal:room:other"),
                                                room->room_code()),
                                    Kind::kRoomJoined),
                          "wrong-destination");
        {
            // A stale assertion (issued two minutes ago).
            auto claims = security::claimsForCall(bob.registration.credential,
                                                  {room->room_uri()}, security::Bytes(32, 1),
                                                  security::SystemClock::instance().now() - 120,
                                                  security::SystemRandom::instance());
            auto stale = security::createAssertion(*claims, bob.subscriber.holder);
            proto::Evidence e = bob.evidence(room->room_uri());
            e.set_assertion(stale->compact);
            EXPECT_CALL_ERROR(b.request(joinMessage(*room, e, room->room_code()),
                                        Kind::kRoomJoined),
                              "assertion-stale");
        }
        {
            // Another twin's credential under bob's assertion.
            proto::Evidence e = bob.evidence(room->room_uri());
            e.set_credential(alice.evidence(room->room_uri()).credential());
            QVERIFY(!errorCode(b.request(joinMessage(*room, e, room->room_code()),
                                         Kind::kRoomJoined))
                         .isEmpty());
        }

        const proto::Evidence bobEvidence = bob.evidence(room->room_uri());
        auto bobJoined =
            b.request(joinMessage(*room, bobEvidence, room->room_code()), Kind::kRoomJoined);
        REQUIRE_KIND(bobJoined, Kind::kRoomJoined);
        const quint32 bobId = bobJoined->room_joined().participant_id();
        QVERIFY(bobId != aliceId);
        QCOMPARE(bobJoined->room_joined().participants_size(), 1);
        QCOMPARE(bobJoined->room_joined().participants(0).participant_id(), aliceId);
        QCOMPARE(bobJoined->room_joined().participants(0).evidence().credential(),
                 alice.evidence(room->room_uri()).credential());
        auto news = a.expect(Kind::kParticipantJoined);
        REQUIRE_KIND(news, Kind::kParticipantJoined);
        QCOMPARE(news->participant_joined().participant().participant_id(), bobId);
        QCOMPARE(news->participant_joined().participant().evidence().assertion(),
                 bobEvidence.assertion());

        // Joining twice: on the same connection, then from another connection.
        EXPECT_CALL_ERROR(join(b, bob, *room, room->room_code()),
                          "already-joined");
        CallWsClient b2(server);
        QVERIFY(b2.open());
        EXPECT_CALL_ERROR(join(b2, bob, *room, room->room_code()),
                          "duplicate-participant");
        // The same assertion presented again: a replay.
        EXPECT_CALL_ERROR(b2.request(joinMessage(*room, bobEvidence, room->room_code()),
                                     Kind::kRoomJoined),
                          "assertion-replayed");

        // Leaving: everyone (the one leaving too) hears it.
        proto::CallMessage leave;
        leave.mutable_leave()->set_room_id(room->room_id());
        b.send(leave);
        auto leftA = a.expect(Kind::kParticipantLeft);
        auto leftB = b.expect(Kind::kParticipantLeft);
        REQUIRE_KIND(leftA, Kind::kParticipantLeft);
        REQUIRE_KIND(leftB, Kind::kParticipantLeft);
        QCOMPARE(leftA->participant_left().participant_id(), bobId);
        QCOMPARE(QString::fromStdString(leftA->participant_left().reason()), QStringLiteral("left"));
        EXPECT_CALL_ERROR(b.request(leave, Kind::kParticipantLeft), "not-in-room");
        // Frames of a connection that is not in the room are refused.
        EXPECT_CALL_ERROR(b.request(frameMessage(room->room_id(), "x"), Kind::kFrame),
                          "not-in-room");
        QVERIFY(a.connected());
        QVERIFY(b.connected());
    }

    void invitedOnly() {
        HomenetServer server;
        QVERIFY(server.start());
        CallParticipant alice = makeParticipant(server, QStringLiteral("alice"), 1);
        CallParticipant bob = makeParticipant(server, QStringLiteral("bob"), 2);
        CallParticipant carol = makeParticipant(server, QStringLiteral("carol"), 3);
        CallWsClient a(server), b(server), c(server);
        QVERIFY(a.open());
        QVERIFY(b.open());
        QVERIFY(c.open());

        auto room = createRoom(a, alice, policyOf(proto::INVITED_ONLY, {carol.handle}));
        QVERIFY(room);
        QVERIFY(room->room_code().empty());
        REQUIRE_KIND(join(a, alice, *room),
                     Kind::kRoomJoined);
        // Not invited; a code does not help in an invited-only room.
        EXPECT_CALL_ERROR(b.request(joinMessage(*room, bob.evidence(room->room_uri()), "ANY"),
                                    Kind::kRoomJoined),
                          "not-invited");
        // Bob claims carol's invited handle: he has not proved it is his.
        EXPECT_CALL_ERROR(b.request(joinMessage(*room, bob.evidence(room->room_uri()), {},
                                                carol.handle),
                                    Kind::kRoomJoined),
                          "handle-not-proven");
        // Nor can he prove it: it is another subscriber's handle.
        proto::CallMessage steal;
        steal.mutable_listen()->set_handle(carol.handle);
        *steal.mutable_listen()->mutable_evidence() =
            bob.evidence("urn:twinseal:handle:" + carol.handle);
        EXPECT_CALL_ERROR(b.request(steal, Kind::kListening), "not-handle-owner");
        // Carol proves her handle and joins.
        REQUIRE_KIND(c.request(listenMessage(carol), Kind::kListening), Kind::kListening);
        REQUIRE_KIND(c.request(joinMessage(*room, carol.evidence(room->room_uri()), {},
                                           carol.handle),
                               Kind::kRoomJoined),
                     Kind::kRoomJoined);

        // A policy beyond the host's limits.
        proto::RoomPolicy huge = policyOf(proto::ROOM_CODE);
        huge.set_max_participants(100);
        EXPECT_CALL_ERROR(a.request(createRoomMessage(huge, alice.evidence(roomHostUri())),
                                    Kind::kRoomCreated),
                          "policy-invalid");
    }

    // A room requiring "surgeon" vouched for by St. Mary's: only a participant presenting St.
    // Mary's role credential for its own holder key joins; every other one is refused with the
    // reason, the message naming the role.
    void requiredRoles() {
        HomenetServer server;
        QVERIFY(server.start());
        CallParticipant alice = makeParticipant(server, QStringLiteral("alice"), 1);
        CallParticipant bob = makeParticipant(server, QStringLiteral("bob"), 2);
        CallWsClient a(server), b(server);
        QVERIFY(a.open());
        QVERIFY(b.open());
        const Enterprise stMarys("St. Mary's");
        const Enterprise elsewhere("St. Elsewhere");

        // The policy is checked when the room is created.
        proto::RoomPolicy badRoot = policyOf(proto::ROOM_CODE);
        proto::RoleRequirement* bad = badRoot.add_required_roles();
        bad->set_role("surgeon");
        bad->add_enterprise_roots_pem("-----BEGIN CERTIFICATE-----\nnot base64\n");
        EXPECT_CALL_ERROR(a.request(createRoomMessage(badRoot, alice.evidence(roomHostUri())),
                                    Kind::kRoomCreated),
                          "enterprise-root-invalid");
        proto::RoomPolicy noRoot = policyOf(proto::ROOM_CODE);
        noRoot.add_required_roles()->set_role("surgeon");
        EXPECT_CALL_ERROR(a.request(createRoomMessage(noRoot, alice.evidence(roomHostUri())),
                                    Kind::kRoomCreated),
                          "policy-invalid");

        proto::RoomPolicy surgeons = policyOf(proto::ROOM_CODE);
        proto::RoleRequirement* surgeon = surgeons.add_required_roles();
        surgeon->set_role("surgeon");
        surgeon->add_enterprise_roots_pem(stMarys.root.pem());
        auto room = createRoom(a, alice, surgeons);
        QVERIFY(room);
        QCOMPARE(room->policy().required_roles_size(), 1);
        const std::string aliceSurgeon = stMarys.issue(alice);

        // The creator proves the role like everyone else.
        EXPECT_CALL_ERROR(join(a, alice, *room),
                          "role-missing");
        REQUIRE_KIND(a.request(joinMessage(*room, withRoles(alice, *room, {aliceSurgeon})),
                               Kind::kRoomJoined),
                     Kind::kRoomJoined);

        const auto refusal = [&](const proto::Evidence& e) {
            return b.request(joinMessage(*room, e, room->room_code()), Kind::kRoomJoined);
        };
        // No role credential at all.
        auto missing = refusal(bob.evidence(room->room_uri()));
        EXPECT_CALL_ERROR(missing, "role-missing");
        QVERIFY2(missing->error().message().find("surgeon") != std::string::npos,
                 missing->error().message().c_str());
        // A role credential for another role only.
        EXPECT_CALL_ERROR(refusal(withRoles(bob, *room, {stMarys.issue(bob, "nurse")})),
                          "role-missing");
        // "Surgeon" vouched for by an enterprise the room does not trust for it.
        auto untrusted = refusal(withRoles(bob, *room, {elsewhere.issue(bob)}));
        EXPECT_CALL_ERROR(untrusted, "role-untrusted-issuer");
        QVERIFY2(untrusted->error().message().find("surgeon") != std::string::npos,
                 untrusted->error().message().c_str());
        // Alice's role credential, presented by bob: issued for another holder key.
        auto borrowed = refusal(withRoles(bob, *room, {aliceSurgeon}));
        EXPECT_CALL_ERROR(borrowed, "role-holder-mismatch");
        QVERIFY2(borrowed->error().message().find("surgeon") != std::string::npos,
                 borrowed->error().message().c_str());
        // Bob's own, but past its validity.
        EXPECT_CALL_ERROR(refusal(withRoles(bob, *room, {stMarys.issue(bob, "surgeon",
                                                                       Enterprise::Validity::Expired)})),
                          "role-expired");
        // Bob's own, not valid yet.
        auto early = refusal(withRoles(bob, *room, {stMarys.issue(bob, "surgeon",
                                                                  Enterprise::Validity::NotYet)}));
        EXPECT_CALL_ERROR(early, "role-not-yet-valid");
        QVERIFY2(early->error().message().find("valid now") != std::string::npos,
                 early->error().message().c_str());
        // Bytes that are no role credential.
        EXPECT_CALL_ERROR(refusal(withRoles(bob, *room, {std::string("not a credential")})),
                          "third-party-credential-invalid");
        // None of the refusals took a seat: bob joins with his own St. Mary's credential.
        auto joined = refusal(withRoles(bob, *room, {elsewhere.issue(bob), stMarys.issue(bob)}));
        REQUIRE_KIND(joined, Kind::kRoomJoined);
    }

    void invitations() {
        HomenetServer server;
        QVERIFY(server.start({QStringLiteral("--call-ring-timeout"), QStringLiteral("1")}));
        CallParticipant alice = makeParticipant(server, QStringLiteral("alice"), 1);
        CallParticipant bob = makeParticipant(server, QStringLiteral("bob"), 2);
        CallParticipant carol = makeParticipant(server, QStringLiteral("carol"), 3);
        CallWsClient a(server), b(server), c(server);
        QVERIFY(a.open());
        QVERIFY(b.open());
        QVERIFY(c.open());
        auto room = createAndJoin(a, alice, policyOf(proto::INVITED_ONLY));
        QVERIFY(room);
        proto::CallMessage inviteBob;
        inviteBob.mutable_invite()->set_room_id(room->room_id());
        inviteBob.mutable_invite()->set_handle(bob.handle);

        // Only a participant may invite.
        EXPECT_CALL_ERROR(b.request(inviteBob, Kind::kInviteOutcome), "not-in-room");
        // Bob is not listening: offline.
        auto offline = a.request(inviteBob, Kind::kInviteOutcome);
        REQUIRE_KIND(offline, Kind::kInviteOutcome);
        QCOMPARE(QString::fromStdString(offline->invite_outcome().outcome()),
                 QStringLiteral("offline"));

        REQUIRE_KIND(b.request(listenMessage(bob), Kind::kListening), Kind::kListening);
        REQUIRE_KIND(c.request(listenMessage(carol), Kind::kListening), Kind::kListening);

        // Ringing, then declined.
        auto ringing = a.request(inviteBob, Kind::kInviteOutcome);
        REQUIRE_KIND(ringing, Kind::kInviteOutcome);
        QCOMPARE(QString::fromStdString(ringing->invite_outcome().outcome()),
                 QStringLiteral("ringing"));
        auto ring = b.expect(Kind::kRinging);
        REQUIRE_KIND(ring, Kind::kRinging);
        QCOMPARE(ring->ringing().room().room_id(), room->room_id());
        QCOMPARE(ring->ringing().invite_id(), ringing->invite_outcome().invite_id());
        QVERIFY(ring->ringing().expires_at() > 0);
        QCOMPARE(c.count(Kind::kRinging), std::size_t{0});
        // Glare: a second invitation to the same handle while the first rings.
        EXPECT_CALL_ERROR(a.request(inviteBob, Kind::kInviteOutcome), "invite-pending");
        // Wrong recipient, unknown invitation.
        proto::CallMessage answer;
        answer.mutable_answer_invite()->set_room_id(room->room_id());
        answer.mutable_answer_invite()->set_invite_id(ring->ringing().invite_id());
        answer.mutable_answer_invite()->set_accept(true);
        EXPECT_CALL_ERROR(c.request(answer, Kind::kInviteOutcome), "not-invitee");
        proto::CallMessage unknown = answer;
        unknown.mutable_answer_invite()->set_invite_id("inv-nope");
        EXPECT_CALL_ERROR(b.request(unknown, Kind::kInviteOutcome), "invite-unknown");
        answer.mutable_answer_invite()->set_accept(false);
        b.send(answer);
        auto declined = a.expect(Kind::kInviteOutcome);
        REQUIRE_KIND(declined, Kind::kInviteOutcome);
        QCOMPARE(QString::fromStdString(declined->invite_outcome().outcome()),
                 QStringLiteral("declined"));
        QCOMPARE(declined->invite_outcome().handle(), bob.handle);
        // Answering again: the invitation is gone.
        EXPECT_CALL_ERROR(b.request(answer, Kind::kInviteOutcome), "invite-unknown");

        // Ringing again, accepted, and bob joins with his invited handle.
        REQUIRE_KIND(a.request(inviteBob, Kind::kInviteOutcome), Kind::kInviteOutcome);
        auto ring2 = b.expect(Kind::kRinging);
        REQUIRE_KIND(ring2, Kind::kRinging);
        answer.mutable_answer_invite()->set_invite_id(ring2->ringing().invite_id());
        answer.mutable_answer_invite()->set_accept(true);
        b.send(answer);
        auto accepted = a.expect(Kind::kInviteOutcome);
        REQUIRE_KIND(accepted, Kind::kInviteOutcome);
        QCOMPARE(QString::fromStdString(accepted->invite_outcome().outcome()),
                 QStringLiteral("accepted"));
        REQUIRE_KIND(b.request(joinMessage(*room, bob.evidence(room->room_uri()), {}, bob.handle),
                               Kind::kRoomJoined),
                     Kind::kRoomJoined);

        // Carol does not answer: the invitation times out (ring timeout 1 s), both sides hear.
        proto::CallMessage inviteCarol = inviteBob;
        inviteCarol.mutable_invite()->set_handle(carol.handle);
        auto ringingCarol = a.request(inviteCarol, Kind::kInviteOutcome);
        REQUIRE_KIND(ringingCarol, Kind::kInviteOutcome);
        QCOMPARE(QString::fromStdString(ringingCarol->invite_outcome().outcome()),
                 QStringLiteral("ringing"));
        auto timeout = a.expect(Kind::kInviteOutcome);
        REQUIRE_KIND(timeout, Kind::kInviteOutcome);
        QCOMPARE(QString::fromStdString(timeout->invite_outcome().outcome()),
                 QStringLiteral("timeout"));
        REQUIRE_KIND(c.expect(Kind::kRinging), Kind::kRinging);
        auto timeoutCarol = c.expect(Kind::kInviteOutcome);
        REQUIRE_KIND(timeoutCarol, Kind::kInviteOutcome);
        QCOMPARE(QString::fromStdString(timeoutCarol->invite_outcome().outcome()),
                 QStringLiteral("timeout"));
        answer.mutable_answer_invite()->set_invite_id(timeout->invite_outcome().invite_id());
        EXPECT_CALL_ERROR(c.request(answer, Kind::kInviteOutcome), "invite-unknown");
    }

    // A dropped connection keeps its seat for the grace period: the participant rejoins with
    // its rejoin token and the same participant id, unnoticed by the others.
    void dropAndRejoinWithinGrace() {
        HomenetServer server;
        QVERIFY(server.start());
        CallParticipant alice = makeParticipant(server, QStringLiteral("alice"), 1);
        CallParticipant bob = makeParticipant(server, QStringLiteral("bob"), 2);
        CallWsClient a(server);
        QVERIFY(a.open());
        auto room = createAndJoin(a, alice, policyOf(proto::ROOM_CODE));
        QVERIFY(room);
        std::string token;
        quint32 bobId = 0;
        {
            CallWsClient b(server);
            QVERIFY(b.open());
            auto joined = join(b, bob, *room, room->room_code());
            REQUIRE_KIND(joined, Kind::kRoomJoined);
            token = joined->room_joined().rejoin_token();
            bobId = joined->room_joined().participant_id();
            REQUIRE_KIND(a.expect(Kind::kParticipantJoined), Kind::kParticipantJoined);
        } // the connection drops (no Leave)

        CallWsClient b(server);
        QVERIFY(b.open());
        // Without the token the seat is not given away, nor taken twice.
        EXPECT_CALL_ERROR(join(b, bob, *room, room->room_code()),
                          "duplicate-participant");
        // Another twin cannot redeem bob's token.
        CallParticipant carol = makeParticipant(server, QStringLiteral("carol"), 3);
        CallWsClient c(server);
        QVERIFY(c.open());
        EXPECT_CALL_ERROR(join(c, carol, *room, room->room_code(), token),
                          "rejoin-token-invalid");
        auto rejoined = join(b, bob, *room, room->room_code(), token);
        REQUIRE_KIND(rejoined, Kind::kRoomJoined);
        QCOMPARE(rejoined->room_joined().participant_id(), bobId);
        QVERIFY(rejoined->room_joined().rejoin_token() != token);
        // Frames flow to the rejoined connection; nobody was told bob left.
        a.send(frameMessage(room->room_id(), "after the rejoin"));
        auto frame = b.expect(Kind::kFrame);
        REQUIRE_KIND(frame, Kind::kFrame);
        QCOMPARE(QString::fromStdString(frame->frame().sframe()), QStringLiteral("after the rejoin"));
        QCOMPARE(a.count(Kind::kParticipantLeft), std::size_t{0});
        // The old token was single-use.
        CallWsClient b3(server);
        QVERIFY(b3.open());
        EXPECT_CALL_ERROR(join(b3, bob, *room, room->room_code(), token),
                          "rejoin-token-invalid");
    }

    void dropAfterGrace() {
        HomenetServer server;
        QVERIFY(server.start({QStringLiteral("--call-rejoin-grace"), QStringLiteral("1")}));
        CallParticipant alice = makeParticipant(server, QStringLiteral("alice"), 1);
        CallParticipant bob = makeParticipant(server, QStringLiteral("bob"), 2);
        CallWsClient a(server);
        QVERIFY(a.open());
        auto room = createAndJoin(a, alice, policyOf(proto::ROOM_CODE));
        QVERIFY(room);
        std::string token;
        quint32 bobId = 0;
        {
            CallWsClient b(server);
            QVERIFY(b.open());
            auto joined = join(b, bob, *room, room->room_code());
            REQUIRE_KIND(joined, Kind::kRoomJoined);
            token = joined->room_joined().rejoin_token();
            bobId = joined->room_joined().participant_id();
        }
        auto left = a.expect(Kind::kParticipantLeft);
        REQUIRE_KIND(left, Kind::kParticipantLeft);
        QCOMPARE(left->participant_left().participant_id(), bobId);
        QCOMPARE(QString::fromStdString(left->participant_left().reason()),
                 QStringLiteral("dropped"));
        CallWsClient b(server);
        QVERIFY(b.open());
        EXPECT_CALL_ERROR(join(b, bob, *room, room->room_code(), token),
                          "rejoin-token-invalid");
        // Joining afresh works: a new seat.
        auto fresh = join(b, bob, *room, room->room_code());
        REQUIRE_KIND(fresh, Kind::kRoomJoined);
        QVERIFY(fresh->room_joined().participant_id() != bobId);
    }

    // This home network revokes a participant's credential: the room is told (RevocationNotice
    // with the credential's digest) and the participant removed; it cannot join again.
    void revocationPushedToTheRoom() {
        HomenetServer server;
        QVERIFY(server.start());
        CallParticipant alice = makeParticipant(server, QStringLiteral("alice"), 1);
        CallParticipant bob = makeParticipant(server, QStringLiteral("bob"), 2);
        CallWsClient a(server), b(server);
        QVERIFY(a.open());
        QVERIFY(b.open());
        auto room = createAndJoin(a, alice, policyOf(proto::ROOM_CODE));
        QVERIFY(room);
        auto joined = join(b, bob, *room, room->room_code());
        REQUIRE_KIND(joined, Kind::kRoomJoined);
        const quint32 bobId = joined->room_joined().participant_id();

        REQUIRE_OK(await<netclient::DtRecord>([&](auto cb) {
            bob.subscriber.client->revoke(bob.registration.credential.claims.dtId, "device lost",
                                          std::move(cb));
        }));
        auto notice = a.expect(Kind::kRevocation);
        REQUIRE_KIND(notice, Kind::kRevocation);
        QCOMPARE(notice->revocation().participant_id(), bobId);
        QCOMPARE(notice->revocation().room_id(), room->room_id());
        const security::Digest digest = bob.registration.credential.digest();
        QCOMPARE(QByteArray::fromStdString(notice->revocation().credential_digest()),
                 QByteArray(reinterpret_cast<const char*>(digest.data()), int(digest.size())));
        REQUIRE_KIND(b.expect(Kind::kRevocation), Kind::kRevocation);
        auto left = a.expect(Kind::kParticipantLeft);
        REQUIRE_KIND(left, Kind::kParticipantLeft);
        QCOMPARE(QString::fromStdString(left->participant_left().reason()),
                 QStringLiteral("revoked"));
        CallWsClient b2(server);
        QVERIFY(b2.open());
        EXPECT_CALL_ERROR(join(b2, bob, *room, room->room_code()),
                          "credential-revoked");
    }
};

TWINSEAL_TEST(CallRoomsTest, "calls")
} // namespace test_calls
} // namespace

#include "test_calls.moc"
