// The home-network protocol's security pieces: AKMA request authentication (HMAC over the
// request), the holder-signed registration (proof of possession, replay window), the USIM
// profile file, the AKMA session both ends derive, TLS server certificates with SANs and the
// in-memory PKCS#8 export for the TLS stack.
#include <QDir>
#include <QFile>
#include <QFileInfo>
#include <QSslCertificate>
#include <QSslKey>
#include <QTemporaryDir>
#include <QtTest>

#include <sys/stat.h>

#include <limits>

#include <nlohmann/json.hpp>

#include <twinseal/proto/homenet.pb.h>
#include <twinseal/security/inspect.h>
#include <twinseal/security/registration.h>
#include <twinseal/security/request_auth.h>
#include <twinseal/security/signed.h>
#include <twinseal/security/subscriber.h>
#include <twinseal/security/transfer.h>

#include "fixtures.h"
#include "testmain.h"

namespace {
namespace test_homenet_protocol {

using namespace twinseal::security;
using namespace twinseal::test;

namespace {

class CountingRandom final : public Random {
public:
    Status fill(std::uint8_t* out, std::size_t size) override {
        for (std::size_t i = 0; i < size; ++i)
            out[i] = static_cast<std::uint8_t>(m_next++);
        return {};
    }

private:
    std::uint8_t m_next = 1;
};

const auto& testKaf() {
    static const SecureBytes value(32, 0x5a);
    return value;
}
constexpr std::int64_t kMinTime = std::numeric_limits<std::int64_t>::min();
constexpr std::int64_t kMaxTime = std::numeric_limits<std::int64_t>::max();
constexpr const char* kAkid = "AAAA@rid0.akma.5gc.mnc001.mcc001.3gppnetwork.org";

UsimProfileData sampleProfile() {
    UsimProfileData p;
    p.supi = take(Supi::parse("imsi-001010000000001", 2), "supi");
    p.k = SecureBytes(16, 0x01);
    p.opc = SecureBytes(16, 0x02);
    p.sqn.accept(makeSqn(77, 3));
    p.sqn.accept(makeSqn(70, 30));
    p.routingIndicator = "12";
    p.hnKeyId = 3;
    p.hnPublicKey = Bytes(32, 0x09);
    p.serviceUrl = "https://localhost:8443";
    Issuer issuer = Issuer::make();
    p.tlsCaPem = issuer.root.pem();
    p.trustListPem = issuer.root.pem();
    p.logKey = issuer.issuerKey.publicKey();
    p.statusListKey = issuer.issuerKey.publicKey();
    p.operatorName = "Test Operator";
    return p;
}

} // namespace

class HomenetProtocolTest : public QObject {
    Q_OBJECT

    Issuer m_issuer = Issuer::make();

    AkmaAuthorization authorized(const std::string& method, const std::string& path,
                                 const std::string& body, std::int64_t at = kNow) {
        CountingRandom rng;
        return take(authorizeRequest(testKaf(), kAkid, method, path, view(body), at, rng), "authorize");
    }

private slots:
    // The MAC input is exactly the documented string.
    void requestAuthInputLayout() {
        const Digest body = sha256(view("hello"));
        const Bytes input = requestAuthInput("POST", "/v1/dt/register?x=1", 1700000000, "bm9uY2U",
                                             "kid@realm", body);
        QCOMPARE(QByteArray::fromStdString(toString(input)),
                 QByteArray("TwinSeal-AKMA-v1\nPOST\n/v1/dt/register?x=1\n1700000000\nbm9uY2U\n"
                            "kid@realm\n") +
                     QByteArray::fromStdString(toHex(body)));
        // and the MAC is HMAC-SHA256(K_AF, input)
        auto auth = authorized("POST", "/v1/dt/register", "body");
        const Bytes expected = take(
            hmacSha256(testKaf(), requestAuthInput("POST", "/v1/dt/register", kNow, auth.nonce, kAkid,
                                              sha256(view("body")))),
            "hmac");
        QVERIFY(auth.mac == expected);
    }

    void requestAuthRoundTrip() {
        auto auth = authorized("POST", "/v1/dt/register", "body");
        const std::string header = auth.format();
        QVERIFY(header.rfind("TwinSeal-AKMA kid=\"", 0) == 0);
        auto parsed = take(AkmaAuthorization::parse(header), "parse");
        QCOMPARE(QString::fromStdString(parsed.aKid), QString::fromLatin1(kAkid));
        QCOMPARE(parsed.timestamp, kNow);
        QVERIFY(parsed.mac == auth.mac);
        QVERIFY(verifyRequestAuthorization(parsed, testKaf(), "POST", "/v1/dt/register",
                                           sha256(view("body")), kNow)
                    .ok());
    }

    // Any change to what the MAC covers, or the wrong key, is RequestAuthInvalid.
    void requestAuthDetectsChanges() {
        auto auth = authorized("POST", "/v1/dt/register", "body");
        const Digest body = sha256(view("body"));
        auto check = [&](const AkmaAuthorization& a, ByteView kaf, const char* method,
                         const char* path, const Digest& d) {
            return verifyRequestAuthorization(a, kaf, method, path, d, kNow).code();
        };
        QCOMPARE(check(auth, testKaf(), "PUT", "/v1/dt/register", body), ErrorCode::RequestAuthInvalid);
        QCOMPARE(check(auth, testKaf(), "POST", "/v1/dt/recertify", body), ErrorCode::RequestAuthInvalid);
        QCOMPARE(check(auth, testKaf(), "POST", "/v1/dt/register", sha256(view("bodz"))),
                 ErrorCode::RequestAuthInvalid);
        QCOMPARE(check(auth, SecureBytes(32, 0x5b), "POST", "/v1/dt/register", body),
                 ErrorCode::RequestAuthInvalid);
        auto other = auth;
        other.timestamp += 1;
        QCOMPARE(check(other, testKaf(), "POST", "/v1/dt/register", body), ErrorCode::RequestAuthInvalid);
        other = auth;
        other.nonce[0] = other.nonce[0] == 'A' ? 'B' : 'A';
        QCOMPARE(check(other, testKaf(), "POST", "/v1/dt/register", body), ErrorCode::RequestAuthInvalid);
        other = auth;
        other.aKid = "BBBB@rid0.akma.5gc.mnc001.mcc001.3gppnetwork.org";
        QCOMPARE(check(other, testKaf(), "POST", "/v1/dt/register", body), ErrorCode::RequestAuthInvalid);
        for (std::size_t i = 0; i < auth.mac.size(); ++i) {
            other = auth;
            other.mac[i] ^= 0x01;
            QCOMPARE(check(other, testKaf(), "POST", "/v1/dt/register", body),
                     ErrorCode::RequestAuthInvalid);
        }
    }

    void requestAuthWindow() {
        const Digest body = sha256(view("b"));
        for (std::int64_t skew : {-60, 0, 60}) {
            auto a = authorized("GET", "/v1/dt", "b", kNow + skew);
            QVERIFY(verifyRequestAuthorization(a, testKaf(), "GET", "/v1/dt", body, kNow).ok());
        }
        for (std::int64_t skew : {-61, 61, 3600}) {
            auto a = authorized("GET", "/v1/dt", "b", kNow + skew);
            QCOMPARE(verifyRequestAuthorization(a, testKaf(), "GET", "/v1/dt", body, kNow).code(),
                     ErrorCode::RequestAuthStale);
        }
        // An attacker's timestamp at the ends of the int64 range (checked arithmetic, no wrap).
        for (std::int64_t ts : {kMinTime, kMaxTime}) {
            auto a = authorized("GET", "/v1/dt", "b", ts);
            QCOMPARE(verifyRequestAuthorization(a, testKaf(), "GET", "/v1/dt", body, kNow).code(),
                     ErrorCode::RequestAuthStale);
            QCOMPARE(checkTransferTime(ts, kNow).code(), ErrorCode::RequestAuthStale);
            QCOMPARE(checkTransferTime(kNow, ts).code(), ErrorCode::RequestAuthStale);
        }
        QVERIFY(checkTransferTime(kNow - 60, kNow).ok());
    }

    void requestAuthMalformedHeaders() {
        const std::string good = authorized("GET", "/v1/dt", "").format();
        QVERIFY(AkmaAuthorization::parse(good).ok());
        const std::string mac = good.substr(good.find("mac=\""));
        const std::string nonceMac = good.substr(good.find("nonce=\""));
        const std::vector<std::string> bad = {
            "",
            "Bearer abc",
            "TwinSeal-AKMA",
            "TwinSeal-AKMAkid=\"x\"",
            "TwinSeal-AKMA kid=\"x\", ts=\"1\", " + nonceMac.substr(0, nonceMac.find(',')), // no mac
            "TwinSeal-AKMA kid=x, ts=\"1\", " + nonceMac,                                 // unquoted
            "TwinSeal-AKMA kid=\"x\", kid=\"y\", ts=\"1\", " + nonceMac,                  // repeated
            "TwinSeal-AKMA kid=\"x\", ts=\"1a\", " + nonceMac,                            // ts
            "TwinSeal-AKMA kid=\"\", ts=\"1\", " + nonceMac,                              // empty kid
            "TwinSeal-AKMA kid=\"x\", ts=\"1\", nonce=\"AAAA\", " + mac,                  // short nonce
            "TwinSeal-AKMA kid=\"x\", ts=\"1\", " + nonceMac.substr(0, nonceMac.find(',')) +
                ", mac=\"AAAA\"",                                                        // short mac
            "TwinSeal-AKMA kid=\"x\", ts=\"1\", extra=\"1\", " + nonceMac,                // unknown
            "TwinSeal-AKMA kid=\"x\"y\", ts=\"1\", " + nonceMac,                          // stray quote
            "TwinSeal-AKMA kid=\"" + std::string(2000, 'a') + "\", ts=\"1\", " + nonceMac, // long
        };
        for (const auto& h : bad) {
            auto r = AkmaAuthorization::parse(h);
            QVERIFY2(!r.ok(), h.c_str());
            QCOMPARE(r.code(), ErrorCode::MalformedInput);
        }
    }

    void registrationProofOfPossession() {
        Holder holder = Holder::make(m_issuer, sampleAvatarDir());
        RegistrationRequest req;
        req.aKid = kAkid;
        req.timestamp = kNow;
        req.nonce = Bytes(16, 0x33);
        req.holderKey = holder.key.publicKey();
        req.signedManifest = toBytes(holder.manifest.toStdString());
        const Bytes env = take(signRegistration(req, holder.key), "sign");
        auto parsed = take(parseRegistration(env, kNow + 60), "parse");
        QCOMPARE(QString::fromStdString(parsed.request.aKid), QString::fromLatin1(kAkid));
        QVERIFY(parsed.request.holderKey == holder.key.publicKey());
        QVERIFY(parsed.manifest.manifest.packageRoot == holder.parsed.packageRoot);
        QVERIFY(parsed.request.purpose == RegistrationPurpose::Register);

        // The window: 60 s either side.
        QCOMPARE(parseRegistration(env, kNow + 61).code(), ErrorCode::RequestAuthStale);
        QCOMPARE(parseRegistration(env, kNow - 61).code(), ErrorCode::RequestAuthStale);
        for (std::int64_t ts : {kMinTime, kMaxTime}) {
            RegistrationRequest extreme = req;
            extreme.timestamp = ts;
            QCOMPARE(parseRegistration(take(signRegistration(extreme, holder.key), "s"), kNow).code(),
                     ErrorCode::RequestAuthStale);
            QCOMPARE(parseRegistration(env, ts).code(), ErrorCode::RequestAuthStale);
        }

        // Every byte matters.
        for (std::size_t i = 0; i < env.size(); i += 7) {
            Bytes t = env;
            t[i] ^= 0x20;
            QVERIFY2(!parseRegistration(t, kNow).ok(), std::to_string(i).c_str());
        }

        // Naming one key and signing with another: the proof of possession fails.
        auto envelope = take(parseEnvelope(env, kRegistrationType), "envelope");
        auto other = take(SigningKey::generate(KeyAlgorithm::Ed25519), "other key");
        const Bytes forged = take(signEnvelope(kRegistrationType, envelope.body, other), "forge");
        QCOMPARE(parseRegistration(forged, kNow).code(), ErrorCode::BadSignature);
        // signRegistration refuses to sign for a key it does not hold.
        QCOMPARE(signRegistration(req, other).code(), ErrorCode::KeyMismatch);

        // A manifest signed by someone else cannot be registered under this holder key.
        Holder stranger = Holder::make(m_issuer, sampleAvatarDir());
        RegistrationRequest mixed = req;
        mixed.signedManifest = toBytes(stranger.manifest.toStdString());
        const Bytes mixedEnv = take(signRegistration(mixed, holder.key), "sign mixed");
        QCOMPARE(parseRegistration(mixedEnv, kNow).code(), ErrorCode::KeyMismatch);

        // Purpose and DT id go together.
        RegistrationRequest recert = req;
        recert.purpose = RegistrationPurpose::Recertify;
        QCOMPARE(parseRegistration(take(signRegistration(recert, holder.key), "s"), kNow).code(),
                 ErrorCode::MalformedInput);
        recert.dtId = "dt-1";
        auto ok = take(parseRegistration(take(signRegistration(recert, holder.key), "s"), kNow), "p");
        QVERIFY(ok.request.purpose == RegistrationPurpose::Recertify);
        // A pseudonym rotation names its DT too, and keeps its purpose.
        RegistrationRequest rotation = req;
        rotation.purpose = RegistrationPurpose::RotatePseudonym;
        QCOMPARE(parseRegistration(take(signRegistration(rotation, holder.key), "s"), kNow).code(),
                 ErrorCode::MalformedInput);
        rotation.dtId = "dt-1";
        auto rotated =
            take(parseRegistration(take(signRegistration(rotation, holder.key), "s"), kNow), "p");
        QVERIFY(rotated.request.purpose == RegistrationPurpose::RotatePseudonym);
        RegistrationRequest named = req;
        named.dtId = "dt-1";
        QCOMPARE(parseRegistration(take(signRegistration(named, holder.key), "s"), kNow).code(),
                 ErrorCode::MalformedInput);
        // Another object type is refused as such.
        QCOMPARE(parseRegistration(holder.credential.encoded, kNow).code(),
                 ErrorCode::WrongObjectType);
    }

    // `twinsealctl inspect` on a USIM profile: its public parts (SUPI with the MSIN masked, the
    // home network key id, service URL, operator), never K or OPc in any spelling.
    void inspectUsimProfileShowsPublicPartsOnly() {
        UsimProfileData p = sampleProfile();
        p.k = SecureBytes{0x4b, 0x31, 0xa7, 0x09, 0x5e, 0xc2, 0x88, 0x13,
                          0xf0, 0x6d, 0x24, 0x9a, 0x77, 0x3c, 0xb5, 0xe1};
        p.opc = SecureBytes{0x0c, 0xd9, 0x62, 0x15, 0xae, 0x40, 0x7b, 0xf3,
                            0x91, 0x28, 0x5d, 0xc6, 0x03, 0xe7, 0x4a, 0xb8};
        p.operatorName = "Example Operator";
        const SecureBytes enc = take(p.encode(), "encode");
        const std::string out = take(describeObject(ByteView(enc.data(), enc.size())), "inspect");
        const auto j = nlohmann::json::parse(out);
        QCOMPARE(QString::fromStdString(j.at("kind").get<std::string>()),
                 QStringLiteral("usim-profile"));
        QCOMPARE(QString::fromStdString(j.at("supi").get<std::string>()),
                 QStringLiteral("imsi-00101******0001"));
        QCOMPARE(j.at("hnKeyId").get<int>(), 3);
        QCOMPARE(QString::fromStdString(j.at("serviceUrl").get<std::string>()),
                 QStringLiteral("https://localhost:8443"));
        QCOMPARE(QString::fromStdString(j.at("operator").get<std::string>()),
                 QStringLiteral("Example Operator"));
        const QByteArray text = QByteArray::fromStdString(out);
        for (const SecureBytes* secret : {&p.k, &p.opc}) {
            const QByteArray raw(reinterpret_cast<const char*>(secret->data()),
                                 qsizetype(secret->size()));
            for (const QByteArray& spelling :
                 {raw.toHex(), raw.toHex().toUpper(), raw.toBase64(),
                  raw.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals),
                  raw.toHex().left(8)})
                QVERIFY2(!text.contains(spelling), spelling.constData());
        }
        QVERIFY(!text.contains("000000001"));
    }

    void usimProfileRoundTrip() {
        const UsimProfileData p = sampleProfile();
        const SecureBytes enc = take(p.encode(), "encode");
        auto back = take(UsimProfileData::decode(enc), "decode");
        QCOMPARE(QString::fromStdString(back.supi.toString()), QStringLiteral("imsi-001010000000001"));
        QVERIFY(back.k == p.k);
        QVERIFY(back.opc == p.opc);
        QVERIFY(back.sqn == p.sqn);
        QCOMPARE(back.sqn.sqnMs(), makeSqn(77, 3));
        QCOMPARE(QString::fromStdString(back.routingIndicator), QStringLiteral("12"));
        QCOMPARE(back.hnKeyId, std::uint8_t{3});
        QVERIFY(back.logKey == p.logKey);
        QCOMPARE(QString::fromStdString(take(back.servingNetworkName(), "snn")),
                 QStringLiteral("5G:mnc001.mcc001.3gppnetwork.org"));

        QTemporaryDir dir;
        const std::string path = dir.filePath(QStringLiteral("ue.profile")).toStdString();
        QVERIFY(p.save(path).ok());
        struct stat st {};
        QCOMPARE(::stat(path.c_str(), &st), 0);
        QCOMPARE(st.st_mode & 0777, 0600u);
        QVERIFY(take(UsimProfileData::load(path), "load").k == p.k);
    }

    void usimProfileRefusesBrokenFiles() {
        UsimProfileData p = sampleProfile();
        const SecureBytes enc = take(p.encode(), "encode");
        // Truncations are refused (never crash, never half-load).
        for (std::size_t n = 0; n < enc.size(); n += 11)
            QCOMPARE(UsimProfileData::decode(ByteView(enc).first(n)).code(),
                     ErrorCode::UsimProfileInvalid);
        QCOMPARE(UsimProfileData::decode(view("not a profile")).code(), ErrorCode::UsimProfileInvalid);
        auto broken = [](auto mutate) {
            UsimProfileData q = sampleProfile();
            mutate(q);
            auto e = q.encode();
            return e.ok() ? UsimProfileData::decode(*e).code() : e.code();
        };
        QCOMPARE(broken([](UsimProfileData& q) { q.hnPublicKey.resize(31); }),
                 ErrorCode::UsimProfileInvalid);
        QCOMPARE(broken([](UsimProfileData& q) { q.serviceUrl = "http://insecure"; }),
                 ErrorCode::UsimProfileInvalid);
        QCOMPARE(broken([](UsimProfileData& q) { q.tlsCaPem.clear(); }),
                 ErrorCode::UsimProfileInvalid);
        QCOMPARE(broken([](UsimProfileData& q) { q.trustListPem.clear(); }),
                 ErrorCode::UsimProfileInvalid);
        QCOMPARE(broken([](UsimProfileData& q) { q.routingIndicator = "12345"; }),
                 ErrorCode::UsimProfileInvalid);
        QCOMPARE(broken([](UsimProfileData& q) { q.amf = {0x80}; }), ErrorCode::UsimProfileInvalid);
        QCOMPARE(broken([](UsimProfileData& q) { q.logKey = PublicKey(); }),
                 ErrorCode::UsimProfileInvalid);
        QCOMPARE(broken([](UsimProfileData& q) { q.k.resize(15); }), ErrorCode::InvalidArgument);
    }

    // The profile in a data directory: K and OPc sealed under the owner's passphrase, never in
    // clear in what is written; the SQN is rewritten without the passphrase; a wrong passphrase
    // is its own reason and changes nothing; damage to the sealed part is refused.
    void usimProfileSealsKAndOpc() {
        const ScryptParams fast{1u << 10, 8, 1};
        UsimProfileData p = sampleProfile();
        p.k = SecureBytes{0x4b, 0x31, 0xa7, 0x09, 0x5e, 0xc2, 0x88, 0x13,
                          0xf0, 0x6d, 0x24, 0x9a, 0x77, 0x3c, 0xb5, 0xe1};
        p.opc = SecureBytes{0x0c, 0xd9, 0x62, 0x15, 0xae, 0x40, 0x7b, 0xf3,
                            0x91, 0x28, 0x5d, 0xc6, 0x03, 0xe7, 0x4a, 0xb8};
        const SecureBytes k = p.k, opc = p.opc;
        const auto holdsSecret = [&](const QByteArray& bytes) {
            for (const SecureBytes* secret : {&k, &opc}) {
                const QByteArray raw(reinterpret_cast<const char*>(secret->data()),
                                     qsizetype(secret->size()));
                for (const QByteArray& spelling :
                     {raw, raw.toHex(), raw.toHex().toUpper(), raw.toBase64(),
                      raw.toBase64(QByteArray::Base64UrlEncoding | QByteArray::OmitTrailingEquals)})
                    if (bytes.contains(spelling))
                        return true;
            }
            return false;
        };
        const auto asBytes = [](const SecureBytes& b) {
            return QByteArray(reinterpret_cast<const char*>(b.data()), qsizetype(b.size()));
        };
        QVERIFY(holdsSecret(asBytes(take(p.encode(), "clear")))); // the check can see them
        QVERIFY(p.seal("correct horse battery staple", fast).ok());
        QVERIFY(p.hasSecrets()); // still in memory
        const SecureBytes enc = take(p.encode(), "sealed");
        QVERIFY(!holdsSecret(asBytes(enc)));

        auto back = take(UsimProfileData::decode(enc), "decode");
        QVERIFY(back.sealed());
        QVERIFY(!back.hasSecrets());
        QVERIFY(back.sqn == p.sqn);
        QCOMPARE(back.unlock("correct horse battery stapler", fast).code(), ErrorCode::WrongPassphrase);
        QVERIFY(!back.hasSecrets());
        QVERIFY(back.sealedSecrets == p.sealedSecrets);
        bool resealed = true;
        QVERIFY(back.unlock("correct horse battery staple", fast, &resealed).ok());
        QVERIFY(!resealed);
        QVERIFY(back.k == k);
        QVERIFY(back.opc == opc);

        // After an authentication only the SQN changes; the sealed bytes are carried over.
        back.sqn.accept(makeSqn(90, 3));
        auto next = take(UsimProfileData::decode(take(back.encode(), "next")), "decode next");
        QVERIFY(next.sealedSecrets == p.sealedSecrets);
        QCOMPARE(next.sqn.sqnMs(), makeSqn(90, 3));
        back.forgetSecrets();
        QVERIFY(!back.hasSecrets());
        QCOMPARE(back.unlock("", fast).code(), ErrorCode::WrongPassphrase);

        // A flipped bit in the sealed part is damage, not a wrong passphrase.
        UsimProfileData damaged = next;
        damaged.sealedSecrets[damaged.sealedSecrets.size() / 2] ^= 0x01;
        QCOMPARE(UsimProfileData::decode(take(damaged.encode(), "damaged")).code(),
                 ErrorCode::UsimProfileInvalid);
        // Sealed and clear at once is refused.
        twinseal::proto::UsimProfile both;
        QVERIFY(both.ParseFromArray(enc.data(), int(enc.size())));
        both.set_k(std::string(16, '\x01'));
        both.set_opc(std::string(16, '\x02'));
        const std::string bothBytes = both.SerializeAsString();
        QCOMPARE(UsimProfileData::decode(view(bothBytes)).code(), ErrorCode::UsimProfileInvalid);
    }

    // A profile a TwinSeal before sealing wrote in clear is sealed on the next unlock, written
    // back atomically; a wrong passphrase or an unwritable directory leaves the file as it was.
    void usimProfileInClearUpgradedOnUnlock() {
        const ScryptParams weak{1u << 10, 8, 1};
        const ScryptParams fast{1u << 11, 8, 1};
        const UsimProfileData p = sampleProfile();
        QTemporaryDir dir;
        const QString qpath = dir.filePath(QStringLiteral("profile.usim"));
        const std::string path = qpath.toStdString();
        // The old format: exactly what save() wrote before K and OPc were sealed.
        QVERIFY(p.save(path).ok());
        const auto fileBytes = [&] {
            QFile f(qpath);
            return f.open(QIODevice::ReadOnly) ? f.readAll() : QByteArray();
        };
        const QByteArray clear = fileBytes();
        const QByteArray rawK(reinterpret_cast<const char*>(p.k.data()), 16);
        QVERIFY(clear.contains(rawK));

        // Unwritable directory: the upgrade fails, nothing is lost.
        QVERIFY(QFile::setPermissions(dir.path(), QFile::ReadOwner | QFile::ExeOwner));
        const bool rootIgnoresModes = QFileInfo(dir.path()).isWritable();
        if (!rootIgnoresModes) {
            QVERIFY(!UsimProfileData::loadAndUnlock(path, "first passphrase!", weak).ok());
            QCOMPARE(fileBytes(), clear);
        }
        QVERIFY(QFile::setPermissions(dir.path(), QFile::ReadOwner | QFile::WriteOwner | QFile::ExeOwner));

        bool upgraded = false;
        auto opened = take(UsimProfileData::loadAndUnlock(path, "first passphrase!", weak, &upgraded), "upgrade");
        QVERIFY(upgraded);
        QVERIFY(opened.k == p.k && opened.opc == p.opc);
        const QByteArray sealedFile = fileBytes();
        QVERIFY(!sealedFile.contains(rawK));
        QVERIFY(!sealedFile.contains(rawK.toHex()));
        QVERIFY(QDir(dir.path()).entryList(QDir::Files | QDir::Hidden).size() == 1); // no temporary left
        struct stat st {};
        QCOMPARE(::stat(path.c_str(), &st), 0);
        QCOMPARE(st.st_mode & 0777, 0600u);
        auto reread = take(UsimProfileData::load(path), "reload");
        QVERIFY(reread.sealed() && !reread.hasSecrets());
        QVERIFY(reread.sqn == p.sqn);

        // A wrong passphrase: its own reason, the file untouched.
        QCOMPARE(UsimProfileData::loadAndUnlock(path, "second passphrase", weak).code(),
                 ErrorCode::WrongPassphrase);
        QCOMPARE(fileBytes(), sealedFile);
        // The right one with the same parameters: nothing to rewrite.
        QVERIFY(UsimProfileData::loadAndUnlock(path, "first passphrase!", weak, &upgraded).ok());
        QVERIFY(!upgraded);
        QCOMPARE(fileBytes(), sealedFile);
        // Stronger KDF parameters wanted: sealed again with them.
        auto stronger = take(UsimProfileData::loadAndUnlock(path, "first passphrase!", fast, &upgraded), "reseal");
        QVERIFY(upgraded);
        QCOMPARE(take(sealedKdfParams(take(UsimProfileData::load(path), "again").sealedSecrets), "kdf").n,
                 std::uint64_t{1u << 11});
        QVERIFY(stronger.k == p.k);
    }

    // Both ends derive the same A-KID and K_AF from KAUSF; a different KAUSF or SUPI gives
    // different ones.
    void akmaSessionDerivation() {
        const Supi supi = take(Supi::parse("imsi-001010000000001", 2), "supi");
        const SecureBytes kausf(32, 0x44);
        auto a = take(deriveAkmaSession(kausf, supi, "0"), "a");
        auto b = take(deriveAkmaSession(kausf, supi, "0"), "b");
        QCOMPARE(QString::fromStdString(a.aKid), QString::fromStdString(b.aKid));
        QVERIFY(a.kaf == b.kaf);
        QCOMPARE(a.kaf.size(), std::size_t{32});
        QVERIFY(QString::fromStdString(a.aKid).endsWith(
            QStringLiteral("@rid0.akma.5gc.mnc001.mcc001.3gppnetwork.org")));
        auto c = take(deriveAkmaSession(SecureBytes(32, 0x45), supi, "0"), "c");
        QVERIFY(c.aKid != a.aKid);
        QVERIFY(c.kaf != a.kaf);
        const Supi other = take(Supi::parse("imsi-001010000000002", 2), "supi2");
        QVERIFY(take(deriveAkmaSession(kausf, other, "0"), "d").kaf != a.kaf);
    }

    void tlsServerCertificate() {
        auto caKey = take(SigningKey::generate(KeyAlgorithm::EcdsaP256), "ca key");
        auto ca = take(createRootCertificate(caKey, {"TLS CA", "Op", kNow - 60, kNow + 86400, true}),
                       "ca");
        auto key = take(SigningKey::generate(KeyAlgorithm::EcdsaP256), "key");
        CertificateRequest req{"localhost", "Op", kNow - 60, kNow + 86400, false,
                               {"DNS:localhost", "IP:127.0.0.1"}};
        auto cert = take(issueCertificate(caKey, ca, key.publicKey(), req), "cert");
        const QSslCertificate q(QByteArray::fromStdString(cert.pem()));
        const auto sans = q.subjectAlternativeNames();
        QVERIFY(sans.values(QSsl::DnsEntry).contains(QStringLiteral("localhost")));
        QVERIFY(sans.values(QSsl::IpAddressEntry).contains(QStringLiteral("127.0.0.1")));
        req.subjectAltNames = {"URI:https://x"};
        QCOMPARE(issueCertificate(caKey, ca, key.publicKey(), req).code(), ErrorCode::InvalidArgument);

        // The key goes to Qt's TLS stack as PKCS#8 PEM, in memory only.
        auto pem = take(key.exportPkcs8PemForTls(), "pkcs8");
        const QByteArray pemBytes(reinterpret_cast<const char*>(pem.data()),
                                  static_cast<qsizetype>(pem.size()));
        QVERIFY(pemBytes.startsWith("-----BEGIN PRIVATE KEY-----"));
        const QSslKey qkey(pemBytes, QSsl::Ec, QSsl::Pem, QSsl::PrivateKey);
        QVERIFY(!qkey.isNull());
        QCOMPARE(qkey.length(), 256);
    }
};

TWINSEAL_TEST(HomenetProtocolTest, "homenet-protocol")
} // namespace test_homenet_protocol
} // namespace

#include "test_homenet_protocol.moc"
