// The room host's relay on the real twinseal-homenet over TLS (/v1/ws): SFrame frames forwarded
// byte for byte to every other participant (never back to the sender) with `from` set by the
// host; announcements and key updates to one participant or to everyone; a receiver that never
// reads dropped while the others keep receiving; bad input (malformed, oversized, text, a
// host-only message, a flood) answered with its own CallError and that connection closed, the
// room unaffected; and a subscriber of another operator joining when the room host trusts its
// operator's root, refused with the reason when it does not.
#include <QFile>
#include <QtTest>

#include <random>

#include "call_test_util.h"
#include "call_ws_client.h"
#include "homenet_fixture.h"
#include "test_macros.h"
#include "testmain.h"

namespace {
namespace test_call_relay {

using namespace twinseal;
using namespace twinseal::test;
using Kind = proto::CallMessage::BodyCase;

namespace {

std::string randomBytes(std::mt19937& rng, std::size_t n) {
    std::string s(n, '\0');
    for (auto& c : s)
        c = static_cast<char>(rng() & 0xff);
    return s;
}

// A room of `n` participants of `server` created by the first; their connections are open.
struct Room {
    proto::RoomInfo info;
    std::vector<CallParticipant> people;
    std::vector<std::unique_ptr<CallWsClient>> ws;
    std::vector<quint32> ids;
};

bool makeRoom(HomenetServer& server, int n, Room* room, int firstNumber = 1) {
    for (int i = 0; i < n; ++i) {
        room->people.push_back(
            makeParticipant(server, QStringLiteral("p%1").arg(firstNumber + i), firstNumber + i));
        room->ws.push_back(std::make_unique<CallWsClient>(server));
        if (!room->ws.back()->open())
            return false;
    }
    auto created = room->ws[0]->request(
        createRoomMessage(policyOf(proto::ROOM_CODE), room->people[0].evidence(roomHostUri())),
        Kind::kRoomCreated);
    if (!created || !created->has_room_created())
        return false;
    room->info = created->room_created();
    for (int i = 0; i < n; ++i) {
        auto joined = room->ws[i]->request(
            joinMessage(room->info, room->people[i].evidence(room->info.room_uri()),
                        room->info.room_code()),
            Kind::kRoomJoined);
        if (!joined || !joined->has_room_joined())
            return false;
        room->ids.push_back(joined->room_joined().participant_id());
    }
    // Everyone has heard of everyone who joined after them.
    for (int i = 0; i < n; ++i)
        if (!room->ws[i]->waitFor(Kind::kParticipantJoined, std::size_t(n - 1 - i)))
            return false;
    for (auto& ws : room->ws)
        ws->inbox().clear();
    return true;
}

// The room still relays: participant `from` sends a frame, every other one in `to` gets it.
bool stillRelays(Room& room, std::size_t from, const std::vector<std::size_t>& to,
                 const std::string& marker) {
    room.ws[from]->send(frameMessage(room.info.room_id(), marker));
    for (std::size_t i : to) {
        for (;;) {
            auto f = room.ws[i]->expect(Kind::kFrame);
            if (!f || !f->has_frame())
                return false;
            if (f->frame().sframe() == marker)
                break;
        }
    }
    return true;
}

} // namespace

class CallRelayTest : public QObject {
    Q_OBJECT

private slots:
    void framesForwardedUntouched() {
        HomenetServer server;
        QVERIFY(server.start());
        Room room;
        QVERIFY(makeRoom(server, 3, &room));
        // NOLINTNEXTLINE(cert-msc32-c,cert-msc51-cpp): a fixed seed: reproducible input
        std::mt19937 rng(20261206);
        std::vector<std::string> sent;
        for (int i = 0; i < 60; ++i) {
            sent.push_back(randomBytes(rng, 20 + (i * 37) % 400));
            room.ws[0]->send(frameMessage(room.info.room_id(), sent.back()));
        }
        for (std::size_t r : {std::size_t{1}, std::size_t{2}}) {
            QVERIFY(room.ws[r]->waitFor(Kind::kFrame, sent.size()));
            std::size_t i = 0;
            for (const auto& m : room.ws[r]->inbox()) {
                if (!m.has_frame())
                    continue;
                QCOMPARE(m.frame().from(), room.ids[0]);
                QCOMPARE(m.frame().room_id(), room.info.room_id());
                QVERIFY2(m.frame().sframe() == sent[i], "a frame was altered by the relay");
                ++i;
            }
            QCOMPARE(i, sent.size());
            room.ws[r]->inbox().clear();
        }
        // Not back to the sender: anything echoed would have reached it before this frame.
        room.ws[1]->send(frameMessage(room.info.room_id(), "barrier"));
        QVERIFY(room.ws[0]->waitUntil([&] {
            for (const auto& m : room.ws[0]->inbox())
                if (m.has_frame() && m.frame().sframe() == "barrier")
                    return true;
            return false;
        }));
        QCOMPARE(room.ws[0]->count(Kind::kFrame), std::size_t{1});
        room.ws[0]->inbox().clear();
        room.ws[2]->inbox().clear();
        // A `from` forged by the sender is replaced by the host.
        proto::CallMessage forged = frameMessage(room.info.room_id(), "forged");
        forged.mutable_frame()->set_from(room.ids[2]);
        room.ws[1]->send(forged);
        auto got = room.ws[0]->expect(Kind::kFrame);
        REQUIRE_KIND(got, Kind::kFrame);
        QCOMPARE(got->frame().from(), room.ids[1]);

        // Announce to one participant, then to everyone; key updates likewise.
        proto::CallMessage announce;
        announce.mutable_announce()->set_room_id(room.info.room_id());
        announce.mutable_announce()->set_to(room.ids[2]);
        *announce.mutable_announce()->mutable_evidence() =
            room.people[0].evidence(room.info.room_uri());
        room.ws[0]->send(announce);
        auto a2 = room.ws[2]->expect(Kind::kAnnounce);
        REQUIRE_KIND(a2, Kind::kAnnounce);
        QCOMPARE(a2->announce().from(), room.ids[0]);
        QCOMPARE(a2->announce().evidence().assertion(),
                 announce.announce().evidence().assertion());
        announce.mutable_announce()->set_to(0);
        room.ws[0]->send(announce);
        REQUIRE_KIND(room.ws[1]->expect(Kind::kAnnounce), Kind::kAnnounce);
        REQUIRE_KIND(room.ws[2]->expect(Kind::kAnnounce), Kind::kAnnounce);
        QCOMPARE(room.ws[1]->count(Kind::kAnnounce), std::size_t{0}); // only the broadcast
        proto::CallMessage key;
        key.mutable_key_update()->set_room_id(room.info.room_id());
        key.mutable_key_update()->set_to(room.ids[1]);
        key.mutable_key_update()->set_epoch(7);
        key.mutable_key_update()->set_wrapped_key(randomBytes(rng, 48));
        room.ws[2]->send(key);
        auto k1 = room.ws[1]->expect(Kind::kKeyUpdate);
        REQUIRE_KIND(k1, Kind::kKeyUpdate);
        QCOMPARE(k1->key_update().from(), room.ids[2]);
        QCOMPARE(k1->key_update().epoch(), quint64{7});
        QCOMPARE(k1->key_update().wrapped_key(), key.key_update().wrapped_key());
        key.mutable_key_update()->set_to(99);
        EXPECT_CALL_ERROR(room.ws[2]->request(key, Kind::kKeyUpdate), "participant-unknown");
        QVERIFY(stillRelays(room, 2, {0, 1}, "after the key update"));
        QCOMPARE(room.ws[0]->count(Kind::kKeyUpdate), std::size_t{0});
    }

    // A participant that never reads: the relay drops it when it falls more than the queue
    // bound behind; the sender and the other receivers carry on and lose nothing.
    void nonReadingReceiverDropped() {
        HomenetServer server;
        QVERIFY(server.start({QStringLiteral("--call-max-queue-bytes"), QStringLiteral("262144"),
                              QStringLiteral("--call-frame-rate"), QStringLiteral("0"),
                              QStringLiteral("--call-rejoin-grace"), QStringLiteral("1")}));
        Room room;
        QVERIFY(makeRoom(server, 2, &room));
        CallParticipant slow = makeParticipant(server, QStringLiteral("slow"), 9);
        NonReadingCallClient stuck(server);
        QVERIFY(stuck.open());
        stuck.send(joinMessage(room.info, slow.evidence(room.info.room_uri()),
                               room.info.room_code()));
        auto joined = room.ws[0]->expect(Kind::kParticipantJoined);
        REQUIRE_KIND(joined, Kind::kParticipantJoined);
        const quint32 slowId = joined->participant_joined().participant().participant_id();
        room.ws[1]->inbox().clear();

        // NOLINTNEXTLINE(cert-msc32-c,cert-msc51-cpp): a fixed seed: reproducible input
        std::mt19937 rng(7);
        const std::string payload = randomBytes(rng, 16UL * 1024);
        std::size_t sent = 0;
        bool dropped = false;
        // Batches of 128 KiB, each read by the other receiver before the next: it never falls
        // more than the bound (256 KiB) behind; the one that does not read does.
        for (int batch = 0; batch < 2000 && !dropped; ++batch) {
            for (int i = 0; i < 8; ++i, ++sent)
                room.ws[0]->send(frameMessage(room.info.room_id(), payload));
            QVERIFY(room.ws[1]->waitFor(Kind::kFrame, sent));
            room.ws[1]->inbox().erase(
                std::remove_if(room.ws[1]->inbox().begin(), room.ws[1]->inbox().end(),
                               [](const proto::CallMessage& m) { return m.has_frame(); }),
                room.ws[1]->inbox().end());
            sent = 0;
            dropped = room.ws[0]->count(Kind::kParticipantLeft) > 0;
        }
        QVERIFY2(dropped || room.ws[0]->waitFor(Kind::kParticipantLeft, 1),
                 "the receiver that does not read was never dropped");
        auto left = room.ws[0]->expect(Kind::kParticipantLeft);
        REQUIRE_KIND(left, Kind::kParticipantLeft);
        QCOMPARE(left->participant_left().participant_id(), slowId);
        QCOMPARE(QString::fromStdString(left->participant_left().reason()),
                 QStringLiteral("dropped"));
        QVERIFY(server.pollLog().contains("send-queue-full"));
        QVERIFY(room.ws[0]->connected());
        QVERIFY(room.ws[1]->connected());
        QVERIFY(stillRelays(room, 0, {1}, "after the drop"));
        QVERIFY(stillRelays(room, 1, {0}, "and back"));
    }

    // Bad input closes only the connection that sent it, after a CallError with its reason.
    void badInputClosesOnlyThatConnection() {
        HomenetServer server;
        QVERIFY(server.start({QStringLiteral("--call-signal-rate"), QStringLiteral("5")}));
        Room room;
        QVERIFY(makeRoom(server, 2, &room));
        CallParticipant mallory = makeParticipant(server, QStringLiteral("mallory"), 7);

        struct Case {
            const char* code;
            std::function<void(CallWsClient&)> send;
            QWebSocketProtocol::CloseCode close;
        };
        const std::vector<Case> cases = {
            {"message-malformed",
             [](CallWsClient& c) { c.sendBinary(QByteArray("\xff\xff\xff\xff garbage", 12)); },
             QWebSocketProtocol::CloseCodePolicyViolated},
            {"message-empty", [](CallWsClient& c) { c.sendBinary(QByteArray("\x08\x01", 2)); },
             QWebSocketProtocol::CloseCodePolicyViolated},
            {"text-not-supported",
             [](CallWsClient& c) { c.sendText(QStringLiteral("{\"join\":\"room\"}")); },
             QWebSocketProtocol::CloseCodePolicyViolated},
            {"message-unexpected",
             [](CallWsClient& c) {
                 proto::CallMessage m;
                 m.mutable_room_joined()->set_participant_id(1);
                 c.send(m);
             },
             QWebSocketProtocol::CloseCodePolicyViolated},
            {"message-too-large",
             [&](CallWsClient& c) {
                 c.send(frameMessage(room.info.room_id(), std::string(70UL * 1024, 'x')));
             },
             QWebSocketProtocol::CloseCodeTooMuchData},
            {"rate-limited",
             [&](CallWsClient& c) {
                 // Requests that change nothing (another room), far faster than allowed.
                 proto::CallMessage leave;
                 leave.mutable_leave()->set_room_id("rm-elsewhere");
                 for (int i = 0; i < 200; ++i)
                     c.send(leave);
             },
             QWebSocketProtocol::CloseCodePolicyViolated},
        };
        int n = 0;
        for (const Case& k : cases) {
            CallWsClient bad(server);
            QVERIFY(bad.open());
            // Mallory is in the room when the bad message comes, so the room hears it go.
            auto joined = bad.request(joinMessage(room.info,
                                                  mallory.evidence(room.info.room_uri()),
                                                  room.info.room_code()),
                                      Kind::kRoomJoined);
            REQUIRE_KIND(joined, Kind::kRoomJoined);
            k.send(bad);
            // (A flood's first messages are answered before the limit is reached.)
            std::optional<proto::CallMessage> error;
            do
                error = bad.expect(Kind::kError);
            while (error && error->has_error() &&
                   error->error().code() != k.code && std::string(k.code) == "rate-limited");
            QVERIFY2(error && error->has_error(), k.code);
            QCOMPARE(QString::fromStdString(error->error().code()), QString::fromLatin1(k.code));
            QVERIFY(!error->error().message().empty());
            QVERIFY2(bad.waitClosed(), k.code);
            QCOMPARE(bad.closeCode(), k.close);
            QVERIFY(stillRelays(room, 0, {1}, std::string("after ") + k.code));
            QVERIFY(room.ws[0]->connected() && room.ws[1]->connected());
            ++n;
            // Free mallory's seat for the next case: rejoin with the token and leave.
            CallWsClient again(server);
            QVERIFY(again.open());
            auto rejoined = again.request(
                joinMessage(room.info, mallory.evidence(room.info.room_uri()),
                            room.info.room_code(), {}, joined->room_joined().rejoin_token()),
                Kind::kRoomJoined);
            if (!rejoined || !rejoined->has_room_joined())
                qWarning("%s", server.pollLog().constData());
            REQUIRE_KIND(rejoined, Kind::kRoomJoined);
            proto::CallMessage leave;
            leave.mutable_leave()->set_room_id(room.info.room_id());
            REQUIRE_KIND(again.request(leave, Kind::kParticipantLeft), Kind::kParticipantLeft);
        }
        QCOMPARE(n, int(cases.size()));

        // Far beyond what the host buffers of one message: Qt cuts the connection (1009) before
        // reading it; the room carries on.
        CallWsClient huge(server);
        QVERIFY(huge.open());
        huge.sendBinary(QByteArray(2LL * 1024 * 1024, 'x'));
        QVERIFY(huge.waitClosed());
        QCOMPARE(huge.closeCode(), QWebSocketProtocol::CloseCodeTooMuchData);
        QVERIFY(stillRelays(room, 1, {0}, "after the huge message"));
        QVERIFY(server.running());
    }

    // Operator A hosts the room; a subscriber of operator B joins with its own assertion when A
    // trusts B's root (--trust-root), but cannot listen on its handle at A nor be invited by it
    // (handle-foreign); a subscriber of operator C, whose root A does not trust,
    // is refused with the reason.
    void subscriberOfAnotherOperatorJoins() {
        HomenetServer b, c;
        QVERIFY(b.start());
        QVERIFY(c.start());
        CallParticipant dave = makeParticipant(b, QStringLiteral("dave"), 4);
        CallParticipant erin = makeParticipant(c, QStringLiteral("erin"), 5);
        HomenetServer a;
        const QString bRoot = a.scratch(QStringLiteral("operator-b-root.pem"));
        {
            QFile f(bRoot);
            QVERIFY(f.open(QIODevice::WriteOnly));
            f.write(QByteArray::fromStdString(dave.subscriber.profile.trustListPem));
        }
        QVERIFY(a.start({QStringLiteral("--trust-root"), bRoot}));
        Room room;
        QVERIFY(makeRoom(a, 1, &room));

        CallWsClient d(a), e(a);
        QVERIFY(d.open());
        QVERIFY(e.open());
        auto joined = d.request(joinMessage(room.info, dave.evidence(room.info.room_uri()),
                                            room.info.room_code()),
                                Kind::kRoomJoined);
        REQUIRE_KIND(joined, Kind::kRoomJoined);
        QCOMPARE(joined->room_joined().participants_size(), 1);
        auto news = room.ws[0]->expect(Kind::kParticipantJoined);
        REQUIRE_KIND(news, Kind::kParticipantJoined);
        QCOMPARE(news->participant_joined().participant().evidence().credential(),
                 dave.evidence(room.info.room_uri()).credential());
        d.inbox().clear();
        room.ws[0]->send(frameMessage(room.info.room_id(), "to dave"));
        auto f = d.expect(Kind::kFrame);
        REQUIRE_KIND(f, Kind::kFrame);
        QCOMPARE(QString::fromStdString(f->frame().sframe()), QStringLiteral("to dave"));

        // Invitations do not cross operators: A cannot tell whose a handle of B's is, so Dave
        // cannot listen on his handle at A, and A's participants cannot invite it; each refusal
        // names the reason and the way in (the room code).
        auto listening = d.request(listenMessage(dave), Kind::kListening);
        EXPECT_CALL_ERROR(listening, "handle-foreign");
        QVERIFY2(listening->error().message().find("room code") != std::string::npos,
                 listening->error().message().c_str());
        proto::CallMessage inviteDave;
        inviteDave.mutable_invite()->set_room_id(room.info.room_id());
        inviteDave.mutable_invite()->set_handle(dave.handle);
        EXPECT_CALL_ERROR(room.ws[0]->request(inviteDave, Kind::kInviteOutcome), "handle-foreign");
        QVERIFY(d.connected());
        QVERIFY(room.ws[0]->connected());

        auto refused = e.request(joinMessage(room.info, erin.evidence(room.info.room_uri()),
                                             room.info.room_code()),
                                 Kind::kRoomJoined);
        EXPECT_CALL_ERROR(refused, "untrusted-issuer");
        QVERIFY(refused->error().message().find("--trust-root") != std::string::npos);
        QVERIFY(e.connected());

        // An unreadable trust root stops the service from starting, with its reason.
        HomenetServer broken;
        QVERIFY(!broken.start({QStringLiteral("--trust-root"),
                               broken.scratch(QStringLiteral("missing.pem"))}));
        QVERIFY(broken.log().contains("trust-root-unreadable"));
    }
};

TWINSEAL_TEST(CallRelayTest, "call-relay")
} // namespace test_call_relay
} // namespace

#include "test_call_relay.moc"
