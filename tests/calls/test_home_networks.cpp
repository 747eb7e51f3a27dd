// The home networks a device knows: one name for one network whatever the URL's spelling, and
// the configuration file read back exactly, every wrong field refused with what is wrong.
#include <QFile>
#include <QTemporaryDir>
#include <QtTest>

#include "testmain.h"

#include <twinseal/calls/home_networks.h>
#include <twinseal/security/clock.h>
#include <twinseal/security/x509.h>

namespace twinseal::test::calls {

using namespace twinseal::calls;
using namespace twinseal::security;

namespace {

HomeNetworkEntry sampleEntry(const std::string& url) {
    HomeNetworkEntry e;
    e.url = url;
    e.operatorName = "Operator B";
    auto caKey = SigningKey::generate(KeyAlgorithm::EcdsaP256);
    const std::int64_t now = SystemClock::instance().now();
    e.tlsCaPem = createRootCertificate(*caKey, {"B TLS CA", "B", now - 10, now + 3600, true, {}})->pem();
    e.statusListKey = SigningKey::generate(KeyAlgorithm::Ed25519)->publicKey();
    e.logKey = SigningKey::generate(KeyAlgorithm::Ed25519)->publicKey();
    return e;
}

void write(const QString& path, const QByteArray& text) {
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    f.write(text);
}

} // namespace

class HomeNetworksTest : public QObject {
    Q_OBJECT

private slots:
    void urlsNameOneNetwork() {
        QCOMPARE(normalizeHomeNetworkUrl("https://Home.Example:443/"), std::string("https://home.example"));
        QCOMPARE(normalizeHomeNetworkUrl("https://home.example:8443"), std::string("https://home.example:8443"));
        QCOMPARE(normalizeHomeNetworkUrl("http://home.example"), std::string());
        QCOMPARE(normalizeHomeNetworkUrl("https://user@home.example"), std::string());
        QCOMPARE(normalizeHomeNetworkUrl("not a url"), std::string());
        HomeNetworkDirectory d;
        d.add(sampleEntry("https://home.example:8443/"));
        QVERIFY(d.find("https://HOME.example:8443") != nullptr);
        QVERIFY(d.find("https://home.example") == nullptr);
        QVERIFY(d.find("") == nullptr);
        d.add(sampleEntry("https://home.example:8443")); // replaces, does not duplicate
        QCOMPARE(d.entries().size(), std::size_t(1));
    }

    void fileRoundTrip() {
        QTemporaryDir dir;
        const QString file = dir.filePath(QStringLiteral("home-networks.json"));
        HomeNetworkDirectory d;
        d.add(sampleEntry("https://a.example:8443"));
        d.add(sampleEntry("https://b.example"));
        QVERIFY(saveHomeNetworks(d, file).ok());
        auto back = loadHomeNetworks(file);
        QVERIFY2(back.ok(), back.ok() ? "" : back.error().detail.c_str());
        QCOMPARE(back->entries().size(), std::size_t(2));
        for (std::size_t i = 0; i < 2; ++i) {
            const auto& a = d.entries()[i];
            const auto& b = back->entries()[i];
            QCOMPARE(b.url, a.url);
            QCOMPARE(b.operatorName, a.operatorName);
            QCOMPARE(b.tlsCaPem, a.tlsCaPem);
            QVERIFY(b.statusListKey == a.statusListKey);
            QVERIFY(b.logKey == a.logKey);
        }
    }

    void fileErrorsSayWhatIsWrong() {
        QTemporaryDir dir;
        const QString file = dir.filePath(QStringLiteral("home-networks.json"));
        QCOMPARE(loadHomeNetworks(file).code(), ErrorCode::IoError);
        write(file, "[]");
        QCOMPARE(loadHomeNetworks(file).code(), ErrorCode::MalformedInput);
        write(file, R"({"version": 2, "home_networks": []})");
        QCOMPARE(loadHomeNetworks(file).code(), ErrorCode::UnsupportedVersion);

        HomeNetworkDirectory d;
        d.add(sampleEntry("https://a.example"));
        QVERIFY(saveHomeNetworks(d, file).ok());
        QFile f(file);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray good = f.readAll();
        f.close();
        const struct {
            QByteArray from, to;
            const char* field;
        } breaks[] = {
            {"https://a.example", "http://a.example", "\"url\""},
            {"BEGIN CERTIFICATE", "BEGIN NOTHING", "\"tls_ca_pem\""},
            {"\"status_list_key\": {", "\"status_list_key\": {\"kty\": \"RSA\"}, \"ignored\": {", "\"status_list_key\""},
            {"\"log_key\": {", "\"log_key\": 7, \"ignored\": {", "\"log_key\""},
        };
        for (const auto& b : breaks) {
            QByteArray text = good;
            QVERIFY2(text.contains(b.from), b.from.constData());
            text.replace(b.from, b.to);
            write(file, text);
            auto r = loadHomeNetworks(file);
            QVERIFY2(!r.ok(), b.field);
            QCOMPARE(r.code(), ErrorCode::MalformedInput);
            QVERIFY2(r.error().detail.find(b.field) != std::string::npos, r.error().detail.c_str());
            QVERIFY2(r.error().detail.find("home network 1") != std::string::npos, r.error().detail.c_str());
        }
    }
};

} // namespace twinseal::test::calls

using twinseal::test::calls::HomeNetworksTest;
TWINSEAL_TEST(HomeNetworksTest, "home-networks")
#include "test_home_networks.moc"
