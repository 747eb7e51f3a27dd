// The call message codec and CallClient's handling of what arrives on the WebSocket: malformed,
// truncated, empty, unknown and oversized messages are refused with their own code (and the
// client reports a protocol error instead of acting on them); random bytes never crash it.
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

#include <random>

#include "testmain.h"

#include <twinseal/calls/call_client.h>
#include <twinseal/calls/call_codec.h>
#include <twinseal/twin/twin_session.h>
#include <twinseal/twin/twin_store.h>

namespace twinseal::test::calls {

using namespace twinseal::calls;

namespace {

proto::CallMessage ringingMessage() {
    proto::CallMessage m;
    m.set_seq(1);
    auto* r = m.mutable_ringing();
    r->set_room_id("r1");
    r->set_invite_id("inv-1");
    r->set_from_handle("tw-alice");
    r->mutable_room()->set_room_id("r1");
    r->mutable_room()->set_room_uri("urn:twinseal:room:opa:r1");
    return m;
}

QByteArray encoded(const proto::CallMessage& m) {
    auto e = encodeCallMessage(m);
    return e.ok() ? *e : QByteArray();
}

} // namespace

class CallCodecTest : public QObject {
    Q_OBJECT

private slots:
    void roundTrip() {
        const QByteArray frame = encoded(ringingMessage());
        QVERIFY(!frame.isEmpty());
        auto back = decodeCallMessage(frame);
        QVERIFY(back.ok());
        QCOMPARE(back->ringing().from_handle(), std::string("tw-alice"));
        QCOMPARE(back->seq(), std::uint64_t(1));
    }

    void refusesMalformedInput() {
        QCOMPARE(QString::fromStdString(decodeCallMessage(QByteArray()).code()), QStringLiteral("empty-body"));
        QCOMPARE(QString::fromStdString(decodeCallMessage(QByteArray(64, '\xff')).code()), QStringLiteral("malformed"));
        const QByteArray frame = encoded(ringingMessage());
        QCOMPARE(QString::fromStdString(decodeCallMessage(frame.left(frame.size() - 3)).code()),
                 QStringLiteral("malformed"));
        // A field this client does not know (number 99, varint): no body it can act on.
        QCOMPARE(QString::fromStdString(decodeCallMessage(QByteArray::fromHex("980601")).code()),
                 QStringLiteral("empty-body"));
        // A text body where a nested message belongs (ringing = field 34, wire type 2).
        QCOMPARE(QString::fromStdString(decodeCallMessage(QByteArray::fromHex("920202ffff")).code()),
                 QStringLiteral("malformed"));
    }

    void refusesOversizedMessages() {
        QCOMPARE(QString::fromStdString(decodeCallMessage(QByteArray(kMaxCallMessageBytes + 1, '\0')).code()),
                 QStringLiteral("oversized"));
        const QByteArray frame = encoded(ringingMessage());
        QCOMPARE(QString::fromStdString(decodeCallMessage(frame, frame.size() - 1).code()),
                 QStringLiteral("oversized"));
        QVERIFY(decodeCallMessage(frame, frame.size()).ok());
        proto::CallMessage big;
        big.mutable_frame()->set_sframe(std::string(kMaxCallMessageBytes, 'x'));
        QCOMPARE(QString::fromStdString(encodeCallMessage(big).code()), QStringLiteral("oversized"));
    }

    void randomBytesNeverCrash() {
        // NOLINTNEXTLINE(cert-msc32-c,cert-msc51-cpp): a fixed seed: reproducible input
        std::mt19937 rng(20261206);
        const QByteArray valid = encoded(ringingMessage());
        const QSet<QString> codes{QStringLiteral("malformed"), QStringLiteral("empty-body")};
        for (int i = 0; i < 3000; ++i) {
            QByteArray frame;
            if (i % 2 == 0) {
                frame.resize(static_cast<qsizetype>(rng() % 300));
                for (auto& c : frame)
                    c = static_cast<char>(rng());
            } else {
                frame = valid; // one flipped byte in a valid message
                const auto flip = static_cast<char>(1 + rng() % 255);
                const auto at = static_cast<qsizetype>(rng() % static_cast<unsigned>(frame.size()));
                frame[at] = static_cast<char>(frame[at] ^ flip);
            }
            auto r = decodeCallMessage(frame);
            if (!r.ok())
                QVERIFY2(codes.contains(QString::fromStdString(r.error().code)), r.error().code.c_str());
        }
    }

    void clientReportsAndIgnoresBadInput() {
        QTemporaryDir dir;
        twin::TwinStore store(dir.filePath(QStringLiteral("data")));
        twin::TwinSession session(security::UsimProfileData{}, QString());
        EvidenceBuilder builder(store, session);
        PeerVerifierConfig vc;
        vc.cacheDir = dir.filePath(QStringLiteral("cache"));
        PeerEvidenceVerifier verifier(vc);
        CallClientOptions options;
        options.url = QUrl(QStringLiteral("ws://localhost:1/v1/ws"));
        options.setup.ownHandle = "tw-bob";
        CallClient client(options, builder, verifier);
        QSignalSpy errors(&client, &CallClient::protocolError);
        QSignalSpy calls(&client, &CallClient::incomingCall);
        QSignalSpy refusals(&client, &CallClient::refused);

        client.connectToHost(); // not TLS: refused before anything is sent
        QCOMPARE(errors.size(), 1);
        QCOMPARE(errors.at(0).at(0).toString(), QStringLiteral("insecure-url"));

        client.receiveBinary(QByteArray(64, '\xff'));
        client.receiveBinary(QByteArray(kMaxCallMessageBytes + 1, '\x01'));
        QCOMPARE(errors.size(), 3);
        QCOMPARE(errors.at(1).at(0).toString(), QStringLiteral("malformed"));
        QCOMPARE(errors.at(2).at(0).toString(), QStringLiteral("oversized"));
        QCOMPARE(client.state(), CallState::Idle);

        // A well-formed invitation rings; the same one again is refused as out of sequence.
        client.receiveBinary(encoded(ringingMessage()));
        QCOMPARE(client.state(), CallState::Ringing);
        QCOMPARE(calls.size(), 1);
        QCOMPARE(calls.at(0).at(0).toString(), QStringLiteral("tw-alice"));
        client.receiveBinary(encoded(ringingMessage()));
        QCOMPARE(refusals.size(), 1);
        QCOMPARE(refusals.at(0).at(0).toString(), QStringLiteral("stale-sequence"));
        QCOMPARE(errors.size(), 3);
    }
};

} // namespace twinseal::test::calls

using twinseal::test::calls::CallCodecTest;
TWINSEAL_TEST(CallCodecTest, "codec")
#include "test_codec.moc"
