// Writes the seed corpora of the fuzz targets (tests/fuzz/corpus/<target>/): small valid inputs
// made with the real encoders and signers, so each target starts from inputs its parser
// accepts. Usage: twinseal-fuzz-seeds <corpus directory>. The committed corpora were made by it;
// run it again after a wire format changes.
#include <QByteArray>
#include <QCoreApplication>
#include <QFile>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>

#include <twinseal/calls/animation_frame.h>
#include <twinseal/calls/call_codec.h>
#include <twinseal/calls/home_networks.h>
#include <twinseal/proto/codec.h>
#include <twinseal/proto/homenet.pb.h>
#include <twinseal/security/audit_anchor.h>
#include <twinseal/security/audit_log.h>
#include <twinseal/security/request_auth.h>
#include <twinseal/security/role_credential.h>
#include <twinseal/security/sealed_file.h>
#include <twinseal/security/sframe.h>
#include <twinseal/security/signed.h>
#include <twinseal/security/statuslist.h>
#include <twinseal/security/subscriber.h>
#include <twinseal/security/translog.h>

#include <google/protobuf/util/json_util.h>

#include "../security/fixtures.h"
#include "fuzz_support.h"

namespace {

using namespace twinseal;
using namespace twinseal::test;
namespace fs = std::filesystem;

fs::path g_root;

void write(const std::string& target, const std::string& name, security::ByteView bytes) {
    const fs::path dir = g_root / target;
    fs::create_directories(dir);
    std::ofstream out(dir / name, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(bytes.data()), static_cast<std::streamsize>(bytes.size()));
    if (!out.good())
        qFatal("cannot write %s/%s", target.c_str(), name.c_str());
}
void write(const std::string& target, const std::string& name, std::string_view text) {
    write(target, name, security::view(text));
}
// `prefix` then `bytes`: for the targets whose first byte selects what the rest is.
void writeSelected(const std::string& target, const std::string& name, std::uint8_t prefix,
                   security::ByteView bytes) {
    security::Bytes b{prefix};
    b.insert(b.end(), bytes.begin(), bytes.end());
    write(target, name, b);
}
security::Bytes bodyOf(security::ByteView envelope, const char* type) {
    return take(security::parseEnvelope(envelope, type), "parse envelope").body;
}
security::ByteView viewOf(const QByteArray& b) {
    return {reinterpret_cast<const std::uint8_t*>(b.constData()), static_cast<std::size_t>(b.size())};
}
security::Bytes readFile(const fs::path& path) {
    std::ifstream in(path, std::ios::binary);
    return security::Bytes(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

void callMessages(const Holder& holder) {
    proto::CallMessage join;
    join.set_seq(1);
    auto* j = join.mutable_join_room();
    j->set_room_id("r-1");
    j->set_room_code("482913");
    j->mutable_evidence()->set_assertion(holder.assertion().compact);
    j->mutable_evidence()->set_home_network_url("https://home.example:8443");
    proto::CallMessage frame;
    frame.set_seq(2);
    frame.mutable_frame()->set_room_id("r-1");
    frame.mutable_frame()->set_sframe(std::string(40, '\x11'));
    proto::CallMessage key;
    key.set_seq(3);
    key.mutable_key_update()->set_room_id("r-1");
    key.mutable_key_update()->set_epoch(2);
    key.mutable_key_update()->set_wrapped_key(std::string(48, '\x22'));
    proto::CallMessage error;
    error.mutable_error()->set_code("room-not-found");
    error.mutable_error()->set_message("ask the host for a new room code");
    int n = 0;
    for (const auto* m : {&join, &frame, &key, &error}) {
        auto encoded = calls::encodeCallMessage(*m);
        if (!encoded.ok())
            qFatal("seed: encode call message failed: %s", encoded.error().message.c_str());
        const QByteArray& bytes = *encoded;
        write("call_message", "message-" + std::to_string(++n), viewOf(bytes));
        writeSelected("service_messages", "call-message-" + std::to_string(n), 7, viewOf(bytes));
    }
}

void check(const security::Status& s, const char* what) {
    if (!s.ok())
        qFatal("seed: %s failed: %s", what, s.error().message().c_str());
}

void sframes() {
    // The keys and metadata the target's receiving context uses.
    for (std::uint16_t suite : {0x0001, 0x0004}) {
        security::SFrameContext sender(static_cast<security::CipherSuite>(suite));
        for (std::uint64_t kid = 0; kid < 4; ++kid) {
            check(sender.addSendKey(kid, security::Bytes(32, 0x42)), "add send key");
            const std::string m = "pose-stream:participant-" + std::to_string(kid);
            calls::AnimationFrame f;
            f.timestampUs = 1'000'000 * static_cast<std::int64_t>(kid);
            auto payload = take(calls::encodeAnimationFrame(f), "encode frame");
            auto frame = take(sender.protect(kid, security::view(m), payload), "protect");
            write("sframe", "suite-" + std::to_string(suite) + "-kid-" + std::to_string(kid), frame);
        }
    }
    // A header with long KID and CTR fields.
    write("sframe", "long-header",
          security::encodeSFrameHeader({0x0102030405060708ull, 0x1122334455667788ull}));
}

void animationFrames() {
    calls::AnimationFrame still;
    write("animation_frame", "still", take(calls::encodeAnimationFrame(still), "encode"));
    calls::AnimationFrame moving;
    moving.timestampUs = 123'456'789;
    moving.head.position = {0.1f, 1.6f, -0.2f};
    moving.head.rotation = {0.f, 0.383f, 0.f, 0.924f};
    moving.leftHand.position = {-0.3f, 1.1f, -0.4f};
    moving.rightHand.position = {0.3f, 1.1f, -0.4f};
    moving.blendShapes = {0.f, 0.25f, 0.5f, 1.f};
    write("animation_frame", "moving", take(calls::encodeAnimationFrame(moving), "encode"));
}

void credentials(const Issuer& issuer, const Holder& holder) {
    write("assertion", "call-assertion", holder.assertion().compact);
    write("manifest", "signed-manifest", holder.manifestView());
    write("manifest", "manifest-body", bodyOf(holder.manifestView(), security::kManifestType));
    writeSelected("service_messages", "credential", 27, holder.credential.encoded);
    (void)issuer;

    // A role credential of an enterprise with its own root.
    const std::string name = "St. Mary's Hospital";
    auto rootKey = take(security::SigningKey::generate(security::KeyAlgorithm::Ed25519), "root key");
    auto root = take(security::createRootCertificate(
                         rootKey, {name + " Root", name, kNow - 86400, kNow + std::int64_t{3650} * 86400, true}),
                     "enterprise root");
    auto issuingKey = take(security::SigningKey::generate(security::KeyAlgorithm::Ed25519), "key");
    auto issuing = take(security::issueCertificate(rootKey, root, issuingKey.publicKey(),
                                                   {name + " Role Issuer", name, kNow - 86400,
                                                    kNow + std::int64_t{365} * 86400, false}),
                        "issuing certificate");
    security::RoleClaims c;
    c.enterprise = name;
    c.role = "surgeon";
    c.organisation = "St. Mary's";
    c.holderThumbprint = holder.key.publicKey().thumbprint();
    c.notBefore = kNow - 3600;
    c.notAfter = kNow + 86400;
    c.issuedAt = kNow - 3600;
    auto role = take(security::issueRoleCredential(c, issuingKey, {issuing},
                                                   security::SystemRandom::instance()),
                     "role credential");
    write("role_credential", "surgeon", role.encoded);
    write("role_credential", "surgeon-body", bodyOf(role.encoded, security::kRoleCredentialType));
}

security::UsimProfileData profile(const Issuer& issuer) {
    security::UsimProfileData p;
    p.supi = take(security::Supi::parse("imsi-001010000000001", 2), "supi");
    p.k = security::SecureBytes(16, 0x01);
    p.opc = security::SecureBytes(16, 0x02);
    p.sqn.accept(security::makeSqn(77, 3));
    p.routingIndicator = "12";
    p.hnKeyId = 3;
    p.hnPublicKey = security::Bytes(32, 0x09);
    p.serviceUrl = "https://home.example:8443";
    p.tlsCaPem = issuer.root.pem();
    p.trustListPem = issuer.root.pem();
    p.logKey = issuer.issuerKey.publicKey();
    p.statusListKey = issuer.issuerKey.publicKey();
    p.operatorName = "Test Operator";
    return p;
}

void homeNetworks(const security::UsimProfileData& p) {
    auto encoded = take(p.encode(), "encode profile");
    write("usim_profile", "profile", security::ByteView(encoded.data(), encoded.size()));
    // The data directory's form: K and OPc sealed under a passphrase (a small scrypt N keeps
    // the seed cheap; the fuzz target does not open it).
    security::UsimProfileData sealedProfile = p;
    check(sealedProfile.seal("fuzz seed passphrase", {1u << 10, 8, 1}), "seal profile");
    sealedProfile.forgetSecrets();
    auto sealedEncoded = take(sealedProfile.encode(), "encode sealed profile");
    write("usim_profile", "profile-sealed", security::ByteView(sealedEncoded.data(), sealedEncoded.size()));

    calls::HomeNetworkDirectory directory;
    directory.add(calls::HomeNetworkEntry::fromProfile(p));
    calls::HomeNetworkEntry other = calls::HomeNetworkEntry::fromProfile(p, "https://other.example");
    other.operatorName = "Other Operator";
    directory.add(other);
    const fs::path file = g_root / "home-networks.json";
    check(calls::saveHomeNetworks(directory, QString::fromStdString(file.string())), "save");
    write("home_networks", "two-networks", readFile(file));
    fs::remove(file);
}

void statusLists() {
    security::StatusListBuilder builder("Test Operator", "https://home.example/v1/status/1", 1024);
    check(builder.setRevoked(17), "revoke");
    check(builder.setRevoked(1023), "revoke");
    auto list = take(builder.sign(fuzz::fixedKey(), {kNow - 60, kNow + 3600, 300, 4}), "sign list");
    write("status_list", "list", list);
    write("status_list", "list-body", bodyOf(list, security::kStatusListType));
}

void logProofs(const Holder& holder) {
    security::MerkleLog log;
    security::LogEntry entry;
    entry.type = security::LogEntryType::Issuance;
    entry.timestamp = kNow;
    entry.dtId = "dt-0001";
    entry.credentialDigest = holder.credential.digest();
    const security::Bytes entryBytes = entry.encode();
    for (int i = 0; i < 6; ++i)
        log.appendData(security::view("leaf-" + std::to_string(i)));
    log.appendData(entryBytes);
    const std::uint64_t size = log.size();
    auto inclusion = take(log.inclusionProof(size - 1, size), "inclusion proof");
    writeSelected("log_proofs", "inclusion", 0, inclusion.encode());
    auto consistency = take(log.consistencyProof(3, size), "consistency proof");
    writeSelected("log_proofs", "consistency", 1, consistency.encode());
    writeSelected("log_proofs", "entry", 2, entryBytes);
    auto head = take(security::signTreeHead(size, log.root(), kNow,
                                            fuzz::fixedKey()),
                     "tree head");
    writeSelected("log_proofs", "tree-head", 3, head.encoded);
    writeSelected("log_proofs", "tree-head-body", 3, bodyOf(head.encoded, security::kTreeHeadType));
    auto receipt = take(security::makeLogReceipt(head, entryBytes, inclusion), "receipt");
    writeSelected("log_proofs", "receipt", 4, receipt.encode());
}

void activityLog() {
    const fs::path file = g_root / "activity.log";
    fs::remove(file);
    const security::FixedClock clock(kNow);
    auto key = take(security::SigningKey::generate(security::KeyAlgorithm::Ed25519), "audit key");
    {
        auto log = take(security::AuditLog::create(file.string(), "log-1", key.publicKey(), clock),
                        "create log");
        security::AuditEvent ok;
        ok.type = security::audit_event::kCallVerify;
        ok.fields = {{"peer", "Quiet Heron"}, {"room", "urn:twinseal:room:theatre-3"}};
        (void)take(log.appendSigned(ok, key), "append");
        security::AuditEvent failed;
        failed.type = security::audit_event::kDtRegister;
        failed.outcome = security::AuditOutcome::Failed;
        failed.reason = "bad-signature";
        (void)take(log.append(failed), "append");
        write("activity_log", "log-file", readFile(file));
        write("activity_log", "export.json", take(log.exportJson(), "export json"));
        write("activity_log", "export.cbor", take(log.exportCbor(), "export cbor"));
    }
    fs::remove(file);
}

// The activity log's sealed anchor, for the fixed key as the audit key (so the target opens it):
// before the first checkpoint and after one.
void auditAnchors() {
    const fs::path file = g_root / "anchored.log";
    fs::remove(file);
    const security::FixedClock clock(kNow);
    const security::SigningKey& key = fuzz::fixedKey();
    auto anchorKey = take(security::AuditAnchorKey::derive(key), "anchor key");
    auto log = take(security::AuditLog::create(file.string(), "audit-anchored", key.publicKey(), clock),
                    "create log");
    write("audit_anchor", "no-checkpoint",
          take(anchorKey.seal(security::AuditAnchor::of(log.logId(), key.publicKey(), {}, 0, kNow)), "seal"));
    security::AuditEvent event;
    event.type = security::audit_event::kCallVerify;
    event.fields = {{"peer", "Quiet Heron"}};
    (void)take(log.appendSigned(event, key), "append");
    write("audit_anchor", "one-checkpoint",
          take(anchorKey.seal(security::AuditAnchor::of(log.logId(), key.publicKey(),
                                                        log.latestCheckpoint(), 1, kNow)),
               "seal"));
    proto::AuditAnchorMirror mirror;
    mirror.set_log_id(log.logId());
    mirror.set_counter(1);
    const security::Bytes checkpoint = log.latestCheckpoint();
    mirror.set_checkpoint(std::string(checkpoint.begin(), checkpoint.end()));
    writeSelected("service_messages", "audit-anchor-mirror", 23, security::view(mirror.SerializeAsString()));
    fs::remove(file);
}

void serviceMessages(const Holder& holder) {
    proto::AuthStartRequest start;
    start.set_suci("suci-0-001-01-12-1-3-abcdef");
    proto::RevokeRequest revoke;
    revoke.set_dt_id("dt-0001");
    revoke.set_reason("lost device");
    proto::TransferCodeRequest code;
    code.set_code("ABCD-EFGH");
    int n = 0;
    for (std::pair<unsigned, const google::protobuf::Message*> m :
         {std::pair<unsigned, const google::protobuf::Message*>{0, &start}, {3, &revoke}, {4, &code}}) {
        ++n;
        writeSelected("service_messages", "binary-" + std::to_string(n),
                      static_cast<std::uint8_t>(m.first), security::view(m.second->SerializeAsString()));
        std::string json;
        (void)google::protobuf::util::MessageToJsonString(*m.second, &json);
        writeSelected("service_messages", "json-" + std::to_string(n),
                      static_cast<std::uint8_t>(m.first | 0x80u), security::view(json));
    }
    writeSelected("service_messages", "signed", 8, holder.manifestView());
}

void httpRequests() {
    const security::SecureBytes kaf(32, 0x5a);
    auto auth = take(security::authorizeRequest(kaf, "AAAA@rid0.akma.5gc.mnc001.mcc001.3gppnetwork.org",
                                                "POST", "/v1/dt/revoke", security::view("body"),
                                                kNow, security::SystemRandom::instance()),
                     "authorize");
    write("http_request", "revoke", auth.format() + "\n/v1/dt/revoke\nPOST");
    write("http_request", "history", auth.format() + "\n/v1/dt/dt%2D0001/history?since=3\nGET");
    write("http_request", "chunk",
          auth.format() + "\n/v1/avatars/a-1/files/0/chunks/7\nPUT");
}

// PROXY v2 headers as a balancer sends them (the TLS record that follows included): TCP over
// IPv4 with a TLV, TCP over IPv6, and LOCAL.
void proxyHeaders() {
    const std::string sig("\r\n\r\n\0\r\nQUIT\n", 12);
    auto header = [&](char verCmd, char family, const std::string& rest) {
        return sig + verCmd + family + char(rest.size() >> 8) + char(rest.size() & 0xff) + rest;
    };
    const std::string tls("\x16\x03\x01\x00\x05hello", 10);
    const std::string v4 = std::string("\xc0\x00\x02\x01\xc6\x33\x64\x02\xdc\x04\x01\xbb", 12) +
                           std::string("\x02\x00\x04host", 7);
    std::string v6(36, '\0');
    v6[0] = '\x20';
    v6[1] = '\x01';
    v6[15] = '\x01';
    v6[16] = '\x20';
    v6[31] = '\x02';
    v6[33] = '\x40';
    v6[35] = '\x01';
    write("proxy_header", "tcp4", header('\x21', '\x11', v4) + tls);
    write("proxy_header", "tcp6", header('\x21', '\x21', v6) + tls);
    write("proxy_header", "local", header('\x20', '\x00', {}) + tls);
}

// A twin backup's sealed file (cheap scrypt parameters, so opening the seed stays fast), its
// header with a newer version, and a truncated copy.
void sealedFiles() {
    const std::string plain = "twinseal-twin-backup-v1 payload";
    auto sealed = security::sealFile("TWINSEAL-TWIN-BACKUP", security::view(plain),
                                     "fuzz backup passphrase", "fuzz seed", {1u << 10, 8, 1});
    if (!sealed.ok())
        qFatal("cannot seal the seed");
    write("sealed_file", "sealed", *sealed);
    std::string newer(sealed->begin(), sealed->end());
    newer.replace(newer.find(" 1\n"), 3, " 2\n");
    write("sealed_file", "newer", newer);
    write("sealed_file", "truncated", security::ByteView(*sealed).first(sealed->size() - 7));
}

void glb() {
    const security::Bytes model = readFile(fs::path(TWINSEAL_SOURCE_DIR) / "resources/avatar/sample-avatar.glb");
    writeSelected("glb", "sample-avatar", 0, model);
    const std::string gltf = R"({"asset":{"version":"2.0"},"scenes":[{"nodes":[]}]})";
    security::Bytes package{1};
    package.insert(package.end(), gltf.begin(), gltf.end());
    package.push_back(0);
    const security::Bytes meta = readFile(fs::path(TWINSEAL_SOURCE_DIR) / "resources/avatar/avatar.json");
    package.insert(package.end(), meta.begin(), meta.end());
    write("glb", "gltf-package", package);
}

// The validator's seeds: the sample avatar (GLB) and a textured, indexed triangle (.gltf with its
// buffer file mesh.bin).
void gltf() {
    const security::Bytes model = readFile(fs::path(TWINSEAL_SOURCE_DIR) / "resources/avatar/sample-avatar.glb");
    writeSelected("gltf", "sample-avatar", 0, model);
    const std::string triangle =
        R"({"asset":{"version":"2.0"},"scene":0,"scenes":[{"nodes":[0]}],)"
        R"("nodes":[{"mesh":0,"children":[1]},{"name":"child"}],)"
        R"("meshes":[{"primitives":[{"attributes":{"POSITION":0},"indices":1,"material":0}]}],)"
        R"("materials":[{"pbrMetallicRoughness":{"baseColorTexture":{"index":0}}}],)"
        R"("textures":[{"source":0}],"images":[{"uri":"textures/skin.png"}],)"
        R"("accessors":[{"bufferView":0,"componentType":5126,"count":3,"type":"VEC3",)"
        R"("min":[0,0,0],"max":[1,1,0]},{"bufferView":1,"componentType":5123,"count":3,"type":"SCALAR"}],)"
        R"("bufferViews":[{"buffer":0,"byteOffset":0,"byteLength":36,"target":34962},)"
        R"({"buffer":0,"byteOffset":36,"byteLength":6,"target":34963}],)"
        R"("buffers":[{"uri":"mesh.bin","byteLength":44}]})";
    security::Bytes package{1};
    package.insert(package.end(), triangle.begin(), triangle.end());
    package.push_back(0);
    const float positions[9] = {0, 0, 0, 1, 0, 0, 0, 1, 0};
    for (const float f : positions) {
        std::uint32_t v = 0;
        std::memcpy(&v, &f, 4);
        for (int i = 0; i < 4; ++i)
            package.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
    }
    for (const std::uint8_t b : {0, 0, 1, 0, 2, 0, 0, 0}) // indices 0 1 2, padding
        package.push_back(b);
    write("gltf", "triangle", package);
}

} // namespace

int run(int argc, char** argv) {
    QCoreApplication app(argc, argv);
    if (argc != 2) {
        std::cerr << "usage: twinseal-fuzz-seeds <corpus directory>\n";
        return 2;
    }
    g_root = argv[1];
    const Issuer issuer = Issuer::make();
    const Holder holder = Holder::make(issuer, sampleAvatarDir());
    callMessages(holder);
    sframes();
    animationFrames();
    credentials(issuer, holder);
    homeNetworks(profile(issuer));
    statusLists();
    logProofs(holder);
    activityLog();
    auditAnchors();
    serviceMessages(holder);
    httpRequests();
    proxyHeaders();
    sealedFiles();
    glb();
    gltf();
    std::cout << "seed corpora written to " << g_root.string() << "\n";
    return 0;
}

int main(int argc, char** argv) {
    try {
        return run(argc, argv);
    } catch (const std::exception& e) {
        std::cerr << "twinseal-fuzz-seeds: " << e.what() << "\n";
        return 1;
    }
}
