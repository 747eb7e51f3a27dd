// The call set-up as a state machine, in process with a fixed clock: scripted transcripts of
// what the room host answers, to whom and in which order, for the normal course and for the
// awkward ones (glare, an answer from the wrong recipient, an answer after the ring timed out,
// out-of-order messages, a duplicate join, a dropped connection rejoining in its grace period
// and one whose grace period ends). Time is the transcript's own: tick(now) runs the timers.
#include <QUrl>
#include <QtTest>

#include <twinseal/proto/codec.h>
#include <twinseal/security/assertion.h>
#include <twinseal/security/credential.h>

#include "service_fixture.h"
#include "test_macros.h"
#include "testmain.h"

namespace {
namespace test_call_rooms {

using namespace twinseal;
using namespace twinseal::security;
using namespace twinseal::test;
using service::CallConnectionId;

namespace {

// Every message the room host sends, as "<connection> <kind> [detail]".
class TranscriptOutbox final : public service::CallOutbox {
  public:
    void send(CallConnectionId to, const proto::CallMessage& m) override { record(to, m); }
    void sendEncoded(CallConnectionId to, const QByteArray& bytes) override {
        proto::CallMessage m;
        if (!proto::parseMessage(ByteView(reinterpret_cast<const std::uint8_t*>(bytes.constData()),
                                          std::size_t(bytes.size())),
                                 m))
            qFatal("the room host sent an unreadable message");
        record(to, m);
    }
    QStringList take() { return std::exchange(m_lines, {}); }
    std::vector<proto::CallMessage> messages;

  private:
    void record(CallConnectionId to, const proto::CallMessage& m) {
        messages.push_back(m);
        QString line = QStringLiteral("%1 ").arg(to);
        switch (m.body_case()) {
        case proto::CallMessage::kRoomCreated: line += QStringLiteral("room_created"); break;
        case proto::CallMessage::kRoomJoined:
            line += QStringLiteral("room_joined #%1").arg(m.room_joined().participant_id());
            break;
        case proto::CallMessage::kParticipantJoined:
            line += QStringLiteral("participant_joined #%1")
                        .arg(m.participant_joined().participant().participant_id());
            break;
        case proto::CallMessage::kParticipantLeft:
            line += QStringLiteral("participant_left #%1 %2")
                        .arg(m.participant_left().participant_id())
                        .arg(QString::fromStdString(m.participant_left().reason()));
            break;
        case proto::CallMessage::kListening: line += QStringLiteral("listening"); break;
        case proto::CallMessage::kRinging: line += QStringLiteral("ringing"); break;
        case proto::CallMessage::kInviteOutcome:
            line += QStringLiteral("invite_outcome ") +
                    QString::fromStdString(m.invite_outcome().outcome());
            break;
        case proto::CallMessage::kFrame:
            line += QStringLiteral("frame from #%1").arg(m.frame().from());
            break;
        case proto::CallMessage::kError:
            line += QStringLiteral("error ") + QString::fromStdString(m.error().code());
            break;
        default: line += QStringLiteral("other"); break;
        }
        m_lines << line;
    }
    QStringList m_lines;
};

struct Twin {
    SigningKey holder;
    Credential credential;
    std::string handle;
};

} // namespace

class CallRoomsTest : public QObject {
    Q_OBJECT

    std::unique_ptr<InProcessHomenet> m_net;
    std::vector<Twin> m_twins;
    TranscriptOutbox m_out;
    qint64 m_t = 0; // the transcript's monotonic milliseconds

    proto::Evidence evidence(const Twin& t, const std::string& dest) {
        auto claims = claimsForCall(t.credential, {dest}, Bytes(32, 9), m_net->clock().now(),
                                    SystemRandom::instance());
        auto a = createAssertion(*claims, t.holder);
        proto::Evidence e;
        e.set_assertion(a->compact);
        e.set_credential(std::string(t.credential.encoded.begin(), t.credential.encoded.end()));
        return e;
    }
    std::string hostUri() const {
        return "urn:twinseal:room-host:" +
               QUrl::toPercentEncoding(QStringLiteral("In-Process Test Operator")).toStdString();
    }
    QStringList step(CallConnectionId from, const proto::CallMessage& m) {
        m_net->service().calls().receive(from, m, m_t);
        return m_out.take();
    }
    QStringList tick(qint64 t) {
        m_t = t;
        m_net->service().calls().tick(m_t);
        return m_out.take();
    }

  private slots:
    void initTestCase() {
        m_net = std::make_unique<InProcessHomenet>();
        UsimProfileData first;
        QVERIFY(m_net->open(&first));
        m_net->service().calls().setOutbox(&m_out);
        for (int i = 1; i <= 3; ++i) {
            auto profile = i == 1 ? std::optional<UsimProfileData>(first)
                                  : m_net->addSubscriber(
                                        QStringLiteral("imsi-00101000000000%1").arg(i));
            QVERIFY(profile);
            auto akma = m_net->login(*profile);
            QVERIFY(akma);
            Twin t{std::move(SigningKey::generate(KeyAlgorithm::Ed25519)).value(), {}, {}};
            // Each twin with an avatar of its own: one media root has one active holder.
            const QByteArray body = m_net->registration(
                *akma, t.holder, RegistrationPurpose::Register, {}, m_net->avatarVariant(i));
            auto caller = m_net->callerOf(*akma, "POST", "/v1/dt/register", body);
            REQUIRE_OK(caller);
            auto reg = m_net->service().registerDt(*caller, body);
            REQUIRE_OK(reg);
            t.credential = std::move(parseCredential(view(reg->credential()))).value();
            auto me = m_net->service().me(*caller);
            REQUIRE_OK(me);
            t.handle = me->transfer_handle();
            m_twins.push_back(std::move(t));
        }
    }

    void cleanupTestCase() { m_net->service().calls().setOutbox(nullptr); }

    void invitationTranscript() {
        const Twin& alice = m_twins[0];
        const Twin& bob = m_twins[1];
        const Twin& carol = m_twins[2];
        constexpr CallConnectionId A = 11, B = 12, C = 13, B2 = 14;
        m_t = 1000;

        proto::CallMessage create;
        create.mutable_create_room()->mutable_policy()->set_admission(proto::INVITED_ONLY);
        *create.mutable_create_room()->mutable_creator() = evidence(alice, hostUri());
        QCOMPARE(step(A, create), QStringList{"11 room_created"});
        const proto::RoomInfo room = m_out.messages.back().room_created();

        // Out of order: a frame and an invitation before joining.
        proto::CallMessage frame;
        frame.mutable_frame()->set_room_id(room.room_id());
        frame.mutable_frame()->set_sframe("early");
        QCOMPARE(step(A, frame), QStringList{"11 error not-in-room"});
        proto::CallMessage inviteBob;
        inviteBob.mutable_invite()->set_room_id(room.room_id());
        inviteBob.mutable_invite()->set_handle(bob.handle);
        QCOMPARE(step(A, inviteBob), QStringList{"11 error not-in-room"});

        auto join = [&](const Twin& t, const std::string& handle) {
            proto::CallMessage m;
            m.mutable_join_room()->set_room_id(room.room_id());
            m.mutable_join_room()->set_handle(handle);
            *m.mutable_join_room()->mutable_evidence() = evidence(t, room.room_uri());
            return m;
        };
        auto listen = [&](const Twin& t) {
            proto::CallMessage m;
            m.mutable_listen()->set_handle(t.handle);
            *m.mutable_listen()->mutable_evidence() =
                evidence(t, "urn:twinseal:handle:" + t.handle);
            return m;
        };
        QCOMPARE(step(A, join(alice, {})), QStringList{"11 room_joined #1"});
        QCOMPARE(step(B, listen(bob)), QStringList{"12 listening"});
        QCOMPARE(step(C, listen(carol)), QStringList{"13 listening"});

        // Ringing; glare (a second invitation while the first rings); the wrong recipient.
        QCOMPARE(step(A, inviteBob), (QStringList{"12 ringing", "11 invite_outcome ringing"}));
        const std::string inviteId = m_out.messages.back().invite_outcome().invite_id();
        QCOMPARE(step(A, inviteBob), QStringList{"11 error invite-pending"});
        proto::CallMessage accept;
        accept.mutable_answer_invite()->set_room_id(room.room_id());
        accept.mutable_answer_invite()->set_invite_id(inviteId);
        accept.mutable_answer_invite()->set_accept(true);
        QCOMPARE(step(C, accept), QStringList{"13 error not-invitee"});
        // Carol is not invited (only bob's handle is), whatever handle she proved.
        QCOMPARE(step(C, join(carol, carol.handle)), QStringList{"13 error not-invited"});

        // The ring times out exactly at the configured 30 s, not a millisecond earlier.
        QCOMPARE(tick(m_t + 29999), QStringList{});
        QCOMPARE(tick(m_t + 1), (QStringList{"11 invite_outcome timeout", "12 invite_outcome timeout"}));
        // An answer after the timeout is out of date.
        QCOMPARE(step(B, accept), QStringList{"12 error invite-unknown"});

        // Invited again, accepted, joined; everybody hears of it.
        QCOMPARE(step(A, inviteBob), (QStringList{"12 ringing", "11 invite_outcome ringing"}));
        accept.mutable_answer_invite()->set_invite_id(
            m_out.messages.back().invite_outcome().invite_id());
        QCOMPARE(step(B, accept), QStringList{"11 invite_outcome accepted"});
        QCOMPARE(step(B, join(bob, bob.handle)),
                 (QStringList{"12 room_joined #2", "11 participant_joined #2"}));
        const std::string token = m_out.messages[m_out.messages.size() - 2].room_joined().rejoin_token();

        // Duplicate joins: the same connection, the same twin elsewhere.
        QCOMPARE(step(B, join(bob, bob.handle)), QStringList{"12 error already-joined"});
        QCOMPARE(step(B2, join(bob, bob.handle)), QStringList{"14 error duplicate-participant"});

        // Frames: to the others only, `from` set by the host.
        QCOMPARE(step(B, frame), QStringList{"11 frame from #2"});

        // Bob's connection drops; he rejoins on another within the grace period, unnoticed.
        m_net->service().calls().connectionClosed(B, m_t);
        QCOMPARE(step(A, frame), QStringList{});
        QCOMPARE(tick(m_t + 29999), QStringList{});
        proto::CallMessage rejoin = join(bob, bob.handle);
        rejoin.mutable_join_room()->set_rejoin_token(token);
        QCOMPARE(step(B2, rejoin), QStringList{"14 room_joined #2"});
        QCOMPARE(step(A, frame), QStringList{"14 frame from #1"});

        // Dropped again, and this time the grace period ends: the room hears "dropped".
        m_net->service().calls().connectionClosed(B2, m_t);
        QCOMPARE(tick(m_t + 29999), QStringList{});
        QCOMPARE(tick(m_t + 1), QStringList{"11 participant_left #2 dropped"});
        // The same message again is a replayed assertion; fresh evidence with the expired
        // seat's token is refused for the token.
        QCOMPARE(step(B, rejoin), QStringList{"12 error assertion-replayed"});
        rejoin = join(bob, bob.handle);
        rejoin.mutable_join_room()->set_rejoin_token(token);
        QCOMPARE(step(B, rejoin), QStringList{"12 error rejoin-token-invalid"});

        // Alice leaves: she hears it too; the room is empty.
        proto::CallMessage leave;
        leave.mutable_leave()->set_room_id(room.room_id());
        QCOMPARE(step(A, leave), QStringList{"11 participant_left #1 left"});
        QCOMPARE(step(A, leave), QStringList{"11 error not-in-room"});
    }
};

TWINSEAL_TEST(CallRoomsTest, "call-rooms")
} // namespace test_call_rooms
} // namespace

#include "test_call_rooms.moc"
