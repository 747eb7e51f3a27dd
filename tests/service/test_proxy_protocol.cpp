// The PROXY protocol v2 header as HAProxy's specification lays it out (section 2.2): the
// signature, version 2 with the LOCAL or PROXY command, TCP over IPv4 and IPv6 with the client's
// address and port, TLVs skipped; every malformed or unsupported header refused with its reason,
// and a header that has not fully arrived reported as incomplete at every length. The trusted
// sources: addresses and CIDR subnets.
#include <QtEndian>
#include <QtTest>

#include <twinseal/service/proxy_protocol.h>

#include "testmain.h"

namespace {
namespace test_proxy_protocol {

using namespace twinseal::service;

namespace {

QByteArray signature() {
    return QByteArray("\r\n\r\n\0\r\nQUIT\n", 12);
}

QByteArray be16(int v) {
    QByteArray b(2, '\0');
    qToBigEndian<quint16>(static_cast<quint16>(v), b.data());
    return b;
}

// Version/command byte, family/transport byte, then `rest` (addresses and TLVs).
QByteArray header(int verCmd, int famProto, const QByteArray& rest) {
    return signature() + char(verCmd) + char(famProto) + be16(int(rest.size())) + rest;
}

// 192.0.2.1:56324 -> 198.51.100.2:443, as a balancer would send for that client.
QByteArray tcp4() {
    return QByteArray::fromHex("c0000201" "c6336402") + be16(56324) + be16(443);
}

QByteArray tcp6() {
    QByteArray a = QByteArray::fromHex("20010db8000000000000000000000001");
    QByteArray d = QByteArray::fromHex("20010db8000000000000000000000002");
    return a + d + be16(40000) + be16(443);
}

} // namespace

class ProxyProtocolTest : public QObject {
    Q_OBJECT

  private slots:
    void proxyOverTcp4() {
        // A TLV after the addresses (PP2_TYPE_AUTHORITY, "host"): counted in the length, skipped.
        const QByteArray tlv = QByteArray("\x02", 1) + be16(4) + "host";
        const QByteArray h = header(0x21, 0x11, tcp4() + tlv);
        const QByteArray stream = h + "\x16\x03\x01"; // the TLS ClientHello follows
        const ProxyHeader p = parseProxyHeader(stream);
        QCOMPARE(int(p.state), int(ProxyHeader::State::Complete));
        QCOMPARE(p.length, h.size());
        QVERIFY(p.source.has_value());
        QCOMPARE(*p.source, QHostAddress(QStringLiteral("192.0.2.1")));
        QCOMPARE(p.sourcePort, quint16{56324});
    }

    void proxyOverTcp6() {
        const ProxyHeader p = parseProxyHeader(header(0x21, 0x21, tcp6()));
        QCOMPARE(int(p.state), int(ProxyHeader::State::Complete));
        QCOMPARE(p.length, qsizetype{16 + 36});
        QCOMPARE(*p.source, QHostAddress(QStringLiteral("2001:db8::1")));
        QCOMPARE(p.sourcePort, quint16{40000});
    }

    // LOCAL (the balancer's own health check), UNSPEC and UDP: complete, without a client.
    void noClientToName() {
        for (const QByteArray& h : {header(0x20, 0x00, {}), header(0x20, 0x11, tcp4()),
                                    header(0x21, 0x00, {}), header(0x21, 0x12, tcp4())}) {
            const ProxyHeader p = parseProxyHeader(h);
            QCOMPARE(int(p.state), int(ProxyHeader::State::Complete));
            QCOMPARE(p.length, h.size());
            QVERIFY(!p.source.has_value());
        }
    }

    // Every prefix of a valid header is incomplete, never invalid.
    void incompleteAtEveryLength() {
        const QByteArray h = header(0x21, 0x21, tcp6());
        for (qsizetype n = 0; n < h.size(); ++n)
            QCOMPARE(int(parseProxyHeader(h.left(n)).state), int(ProxyHeader::State::Incomplete));
    }

    void refusals_data() {
        QTest::addColumn<QByteArray>("bytes");
        QTest::addColumn<QString>("reason");
        QTest::newRow("TLS without a header") << QByteArray("\x16\x03\x01\x02\x00", 5)
                                              << "proxy-header-missing";
        QTest::newRow("PROXY v1 text") << QByteArray("PROXY TCP4 192.0.2.1 198.51.100.2 1 2\r\n")
                                       << "proxy-header-missing";
        QTest::newRow("signature altered") << QByteArray("\r\n\r\n\0\r\nQUIX\n", 12)
                                           << "proxy-header-missing";
        QTest::newRow("version 1") << header(0x11, 0x11, tcp4()) << "proxy-header-version";
        QTest::newRow("version 3") << header(0x31, 0x11, tcp4()) << "proxy-header-version";
        QTest::newRow("command 2") << header(0x22, 0x11, tcp4()) << "proxy-header-command";
        QTest::newRow("family 4") << header(0x21, 0x41, tcp4()) << "proxy-header-family";
        QTest::newRow("transport 3") << header(0x21, 0x13, tcp4()) << "proxy-header-family";
        QTest::newRow("IPv4 addresses cut") << header(0x21, 0x11, tcp4().left(8))
                                            << "proxy-header-truncated";
        QTest::newRow("IPv6 addresses cut") << header(0x21, 0x21, tcp6().left(32))
                                            << "proxy-header-truncated";
        QTest::newRow("longer than accepted")
            << (signature() + char(0x21) + char(0x11) + be16(int(kMaxProxyHeader)))
            << "proxy-header-too-long";
    }

    void refusals() {
        QFETCH(QByteArray, bytes);
        QFETCH(QString, reason);
        const ProxyHeader p = parseProxyHeader(bytes);
        QCOMPARE(int(p.state), int(ProxyHeader::State::Invalid));
        QCOMPARE(QString::fromStdString(p.reason), reason);
    }

    void trustedSources() {
        QString error;
        auto s = parseProxySources(QStringLiteral("127.0.0.1, 10.0.0.0/8,::1"), &error);
        QVERIFY(s.has_value());
        QCOMPARE(s->size(), qsizetype{3});
        auto trusted = [&](const char* a) {
            for (const auto& subnet : *s)
                if (QHostAddress(QString::fromLatin1(a)).isInSubnet(subnet))
                    return true;
            return false;
        };
        QVERIFY(trusted("127.0.0.1"));
        QVERIFY(!trusted("127.0.0.2"));
        QVERIFY(trusted("10.200.1.9"));
        QVERIFY(trusted("::1"));
        QVERIFY(!trusted("192.0.2.1"));
        QVERIFY(!parseProxySources(QStringLiteral("127.0.0.1, balancer.example"), &error));
        QVERIFY(error.contains(QStringLiteral("balancer.example")));
        QVERIFY(!parseProxySources(QStringLiteral("10.0.0.0/33"), &error));
    }
};

TWINSEAL_TEST(ProxyProtocolTest, "proxy-protocol")
} // namespace test_proxy_protocol
} // namespace

#include "test_proxy_protocol.moc"
