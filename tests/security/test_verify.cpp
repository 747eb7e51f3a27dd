// Peer verification: the report's overall state and the reason for each kind of failure.
#include <QDir>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <latch>
#include <limits>
#include <thread>
#include <vector>

#include <twinseal/security/signed.h>

#include "fixtures.h"
#include "testmain.h"
#include "twinseal/proto/twinseal.pb.h"

namespace {
namespace test_verify {

using namespace twinseal::security;
using namespace twinseal::test;

namespace {

bool copyDir(const QString& from, const QString& to) {
    QDir().mkpath(to);
    for (const QString& f : QDir(from).entryList(QDir::Files))
        if (!QFile::copy(from + "/" + f, to + "/" + f))
            return false;
    return true;
}

class Revoked final : public RevocationChecker {
public:
    Status check(const Credential&, std::int64_t) const override {
        return makeError(ErrorCode::CredentialRevoked, "status list index 17 is set");
    }
};
class NotRevoked final : public RevocationChecker {
public:
    Status check(const Credential&, std::int64_t) const override { return {}; }
};
class Included final : public InclusionChecker {
public:
    Status check(const Credential&) const override { return {}; }
};

} // namespace

class VerifyTest : public QObject {
    Q_OBJECT
    Issuer m_issuer;
    Holder m_holder;
    QTemporaryDir m_dir;
    QString m_package; // a private copy of the sample avatar, so tests may damage it
    FixedClock m_clock{kNow};

    std::string m_assertion; // owns the text the inputs' string_view points at
    // Every check's evidence is at hand unless a test takes it away.
    NotRevoked m_notRevoked;
    Included m_included;
    MemoryPinStore m_noPins;

    VerificationInputs inputs(std::string assertion, ReplayCache* cache) {
        m_assertion = std::move(assertion);
        VerificationInputs in;
        in.assertion = m_assertion;
        in.credential = m_holder.credential.encoded;
        in.media.manifest = m_holder.manifestView();
        in.media.packagePath = m_package.toStdString();
        in.trust = &m_issuer.trust;
        in.clock = &m_clock;
        in.replayCache = cache;
        in.expectedDestination = kDest;
        in.revocation = &m_notRevoked;
        in.inclusion = &m_included;
        in.pins = &m_noPins;
        return in;
    }

    static QByteArray explain(const VerificationReport& r) {
        return QByteArray::fromStdString(r.toJson());
    }

    // A credential for the sample holder over `m`'s media, certifying `media` (nothing: a
    // credential issued before media descriptions were certified).
    Credential certify(const Manifest& m, std::optional<MediaDescription> media) const {
        CredentialClaims c = m_holder.credential.claims;
        c.mediaRoot = m.packageRoot;
        c.media = std::move(media);
        return take(issueCredential(c, m_issuer.issuerKey, {m_issuer.issuerCert}), "credential");
    }
    std::string assertionFor(const Credential& credential) const {
        auto claims = take(claimsForCall(credential, {kDest}, Bytes(32, 0x11), kNow,
                                         SystemRandom::instance()),
                           "claims");
        return take(createAssertion(claims, m_holder.key), "assertion").compact;
    }
    // The holder's signature over a manifest body written field by field, without the rules
    // signManifest applies (what a hostile holder can send).
    Bytes signRaw(const Manifest& m) const {
        twinseal::proto::ManifestBody body;
        body.set_version(1);
        body.set_chunk_size(m.chunkSize);
        body.set_hash_algorithm("sha-256");
        for (const ManifestFile& f : m.files) {
            auto* mf = body.add_files();
            mf->set_path(f.path);
            mf->set_size(f.size);
            mf->set_media_type(f.mediaType);
            mf->set_root(std::string(f.root.begin(), f.root.end()));
            for (const Digest& d : f.chunkHashes)
                mf->add_chunk_hashes(std::string(d.begin(), d.end()));
        }
        body.set_package_root(std::string(m.packageRoot.begin(), m.packageRoot.end()));
        body.set_model_path(m.modelPath);
        body.set_metadata_path(m.metadataPath);
        body.mutable_metadata()->set_name(m.metadata.name);
        body.mutable_metadata()->set_licence(m.metadata.licence);
        const PublicKey key = m_holder.key.publicKey();
        body.mutable_holder_key()->set_algorithm(twinseal::proto::ED25519);
        body.mutable_holder_key()->set_raw(std::string(key.raw().begin(), key.raw().end()));
        return take(signEnvelope(kManifestType, view(body.SerializeAsString()), m_holder.key),
                    "sign");
    }

private slots:
    void initTestCase() {
        m_issuer = Issuer::make();
        m_package = m_dir.filePath("avatar");
        QVERIFY(copyDir(sampleAvatarDir(), m_package));
        m_holder = Holder::make(m_issuer, m_package);
    }
    void init() { m_clock.set(kNow); }

    void verified() {
        ReplayCache cache;
        MemoryPinStore pins;
        NotRevoked notRevoked;
        const std::string a = m_holder.assertion().compact;
        auto in = inputs(a, &cache);
        in.pins = &pins;
        in.revocation = &notRevoked;
        in.disclosures = {m_holder.disclosures[1].encoded()}; // role only
        auto r = verifyPeer(in);
        QVERIFY2(r.state == OverallState::Verified, explain(r));
        QCOMPARE(r.avatarId, m_holder.credential.claims.avatarId);
        QCOMPARE(r.pseudonym, std::string("Quiet Heron"));
        QCOMPARE(r.disclosedAttributes.size(), 1u);
        QCOMPARE(r.disclosedAttributes[0].second, std::string("surgeon"));
        for (CheckId id : {CheckId::AssertionSignature, CheckId::IssuerTrust, CheckId::MediaContent,
                           CheckId::Freshness, CheckId::Replay, CheckId::Revocation,
                           CheckId::Disclosures, CheckId::PinnedKey})
            QCOMPARE(r.find(id)->state, CheckState::Passed);
        QCOMPARE(r.find(CheckId::LogInclusion)->state, CheckState::Passed);
        QVERIFY(r.missing().empty());
        QVERIFY(r.summary().rfind("Verified", 0) == 0);
        QCOMPARE(cache.size(), 1u);
    }

    // Every check the design lists is required unless the context opts out of it: evidence that
    // is not at hand makes the report Incomplete, never Verified.
    void skippedRequiredCheckIsIncomplete_data() {
        QTest::addColumn<int>("check");
        QTest::newRow("revocation") << int(CheckId::Revocation);
        QTest::newRow("log-inclusion") << int(CheckId::LogInclusion);
        QTest::newRow("replay") << int(CheckId::Replay);
        QTest::newRow("media-content") << int(CheckId::MediaContent);
        QTest::newRow("pinned-key") << int(CheckId::PinnedKey);
    }
    void skippedRequiredCheckIsIncomplete() {
        QFETCH(int, check);
        const auto id = static_cast<CheckId>(check);
        ReplayCache cache;
        auto in = inputs(m_holder.assertion().compact, &cache);
        switch (id) {
        case CheckId::Revocation: in.revocation = nullptr; break;
        case CheckId::LogInclusion: in.inclusion = nullptr; break;
        case CheckId::Replay: in.replayCache = nullptr; break;
        case CheckId::MediaContent: in.media.packagePath.clear(); break;
        case CheckId::PinnedKey: in.pins = nullptr; break;
        default: QFAIL("not an optional check");
        }
        auto r = verifyPeer(in);
        QVERIFY2(r.state == OverallState::Incomplete, explain(r));
        QCOMPARE(overallStateName(r.state), std::string_view("incomplete"));
        QCOMPARE(r.find(id)->state, CheckState::Skipped);
        QVERIFY(r.find(id)->required);
        QCOMPARE(r.missing().size(), 1u);
        QCOMPARE(r.missing().front()->id, id);
        QCOMPARE(r.reason, ErrorCode::Ok);
        const std::string name(checkIdName(id));
        QVERIFY2(r.summary().rfind("Incomplete", 0) == 0, r.summary().c_str());
        QVERIFY2(r.summary().find(name + " (" + r.find(id)->detail + ")") != std::string::npos,
                 r.summary().c_str());
        const std::string j = r.toJson();
        QVERIFY(j.find("\"state\": \"incomplete\"") != std::string::npos);
        QVERIFY2(j.find("\"notChecked\"") != std::string::npos, j.c_str());
        QVERIFY(j.find("\"check\": \"" + name + "\"") != std::string::npos);
        QVERIFY(j.find("\"required\": true") != std::string::npos);

        // The same context opting that check out by name: Verified, the skip still reported.
        const auto optional =
            std::find_if(optionalChecks().begin(), optionalChecks().end(),
                         [&](const OptionalCheck& o) { return o.id == id; });
        QVERIFY(optional != optionalChecks().end());
        auto names = parseOptOut(optional->name);
        QVERIFY(names.ok());
        in.optOut(*names);
        in.replayCache = id == CheckId::Replay ? nullptr : &cache;
        auto again = inputs(m_holder.assertion(kNow + 1).compact, in.replayCache);
        again.revocation = in.revocation;
        again.inclusion = in.inclusion;
        again.media = in.media;
        again.pins = in.pins;
        again.required = in.required;
        auto opted = verifyPeer(again);
        QVERIFY2(opted.state == OverallState::Verified, explain(opted));
        QCOMPARE(opted.find(id)->state, CheckState::Skipped);
        QVERIFY(!opted.find(id)->required);
        QVERIFY(opted.toJson().find("\"required\": false") != std::string::npos);
    }

    // With nothing optional given (the old command line), every optional check is named.
    void everythingSkippedNamesEveryCheck() {
        auto in = inputs(m_holder.assertion().compact, nullptr);
        in.revocation = nullptr;
        in.inclusion = nullptr;
        in.pins = nullptr;
        in.media.packagePath.clear();
        auto r = verifyPeer(in);
        QCOMPARE(r.state, OverallState::Incomplete);
        QCOMPARE(r.missing().size(), optionalChecks().size());
        for (const auto& o : optionalChecks())
            QVERIFY2(r.summary().find(checkIdName(o.id)) != std::string::npos, o.name);
        auto all = parseOptOut("revocation, log-inclusion,media,replay,pins");
        QVERIFY(all.ok());
        QCOMPARE(all->size(), optionalChecks().size());
        in.optOut(*all);
        QVERIFY2(verifyPeer(in).state == OverallState::Verified, explain(verifyPeer(in)));
        // A failure still wins over an incomplete report.
        in.required = {allCheckIds().begin(), allCheckIds().end()};
        in.expectedDestination = "urn:twinseal:room:other";
        QCOMPARE(verifyPeer(in).state, OverallState::Failed);
    }

    void optOutNames() {
        QCOMPARE(parseOptOut("media-content,pinned-key")->size(), 2u);
        QCOMPARE(parseOptOut("replay,replay")->size(), 1u);
        for (const char* bad : {"", "replay,", "signature", "assertion-signature", "media;pins"}) {
            auto r = parseOptOut(bad);
            QVERIFY2(!r.ok(), bad);
            QCOMPARE(r.code(), ErrorCode::InvalidArgument);
            QVERIFY2(r.error().detail.find("revocation") != std::string::npos, bad);
        }
    }

    void untrustedIssuerIsNotVerified() {
        ReplayCache cache;
        auto in = inputs(m_holder.assertion().compact, &cache);
        auto otherRoot = Issuer::make();
        in.trust = &otherRoot.trust;
        auto r = verifyPeer(in);
        QCOMPARE(r.state, OverallState::ValidUntrusted);
        QCOMPARE(r.find(CheckId::IssuerTrust)->code, ErrorCode::UntrustedIssuer);
        TrustList empty;
        in.trust = &empty;
        in.replayCache = nullptr;
        QCOMPARE(verifyPeer(in).state, OverallState::ValidUntrusted);
    }

    void freshness_data() {
        QTest::addColumn<int>("skew");
        QTest::addColumn<bool>("fresh");
        QTest::newRow("now") << 0 << true;
        QTest::newRow("60 s old") << 60 << true;
        QTest::newRow("61 s old") << 61 << false;
        QTest::newRow("60 s ahead") << -60 << true;
        QTest::newRow("61 s ahead") << -61 << false;
        QTest::newRow("one day old") << 86400 << false;
    }
    void freshness() {
        QFETCH(int, skew);
        QFETCH(bool, fresh);
        ReplayCache cache;
        const std::string a = m_holder.assertion(kNow - skew).compact;
        auto r = verifyPeer(inputs(a, &cache));
        if (fresh) {
            QVERIFY2(r.state == OverallState::Verified, explain(r));
        } else {
            QCOMPARE(r.state, OverallState::Failed);
            QCOMPARE(r.reason, ErrorCode::AssertionStale);
        }
    }

    // An attacker's iat at the ends of the int64 range: stale, without overflowing the age or
    // the replay cache's expiry (this test runs under UBSan in the sanitizer build).
    void extremeTimestampsAreStale() {
        for (const std::int64_t iat : {std::numeric_limits<std::int64_t>::min(),
                                       std::numeric_limits<std::int64_t>::max()}) {
            ReplayCache cache;
            auto r = verifyPeer(inputs(m_holder.assertion(iat).compact, &cache));
            QCOMPARE(r.state, OverallState::Failed);
            QCOMPARE(r.reason, ErrorCode::AssertionStale);
            for (const auto& [origid, expiry] : cache.entries())
                QVERIFY2(expiry >= kNow, origid.c_str());
        }
    }

    // One assertion verified from several threads at once against one replay cache: the check
    // and the insertion are one step, so exactly one verification succeeds and the others are
    // refused as replays.
    void concurrentReplayPassesOnce() {
        ReplayCache cache;
        const VerificationInputs in = inputs(m_holder.assertion().compact, &cache);
        constexpr int kThreads = 8;
        std::vector<OverallState> states(kThreads);
        std::vector<ErrorCode> reasons(kThreads);
        std::vector<MemoryPinStore> pins(kThreads);
        {
            std::latch ready(kThreads);
            std::vector<std::jthread> threads;
            threads.reserve(kThreads);
            for (int i = 0; i < kThreads; ++i)
                threads.emplace_back([&, i] {
                    VerificationInputs mine = in;
                    mine.pins = &pins[std::size_t(i)];
                    ready.arrive_and_wait();
                    const auto r = verifyPeer(mine);
                    states[std::size_t(i)] = r.state;
                    reasons[std::size_t(i)] = r.reason;
                });
        }
        QCOMPARE(std::count(states.begin(), states.end(), OverallState::Verified), 1);
        for (int i = 0; i < kThreads; ++i)
            if (states[std::size_t(i)] != OverallState::Verified)
                QCOMPARE(reasons[std::size_t(i)], ErrorCode::AssertionReplayed);
    }

    void replayed() {
        ReplayCache cache;
        const std::string a = m_holder.assertion().compact;
        QCOMPARE(verifyPeer(inputs(a, &cache)).state, OverallState::Verified);
        m_clock.advance(5);
        auto r = verifyPeer(inputs(a, &cache));
        QCOMPARE(r.state, OverallState::Failed);
        QCOMPARE(r.reason, ErrorCode::AssertionReplayed);
        // A fresh assertion from the same holder is fine.
        QCOMPARE(verifyPeer(inputs(m_holder.assertion(kNow + 5).compact, &cache)).state,
                 OverallState::Verified);
    }

    void wrongDestination() {
        ReplayCache cache;
        const std::string a = m_holder.assertion(kNow, {"urn:twinseal:room:other"}).compact;
        auto r = verifyPeer(inputs(a, &cache));
        QCOMPARE(r.reason, ErrorCode::WrongDestination);
        auto in = inputs(m_holder.assertion().compact, &cache);
        in.expectedDestination.clear();
        QCOMPARE(verifyPeer(in).state, OverallState::Failed);
    }

    void expiredCredential() {
        ReplayCache cache;
        Holder h = Holder::make(m_issuer, m_package, KeyAlgorithm::Ed25519, kNow - 7200, kNow - 10);
        std::swap(h, m_holder);
        auto r = verifyPeer(inputs(m_holder.assertion().compact, &cache));
        std::swap(h, m_holder);
        QCOMPARE(r.state, OverallState::Failed);
        QCOMPARE(r.reason, ErrorCode::CredentialExpired);
    }

    void revoked() {
        ReplayCache cache;
        Revoked revoked;
        auto in = inputs(m_holder.assertion().compact, &cache);
        in.revocation = &revoked;
        auto r = verifyPeer(in);
        QCOMPARE(r.reason, ErrorCode::CredentialRevoked);
    }

    // The assertion is signed by a key that is not the credential's holder key.
    void keyNotMatchingCredential() {
        ReplayCache cache;
        Holder thief = Holder::make(m_issuer, m_package);
        // The thief presents the victim's credential with its own assertion.
        auto in = inputs(thief.assertion().compact, &cache);
        auto r = verifyPeer(in);
        QCOMPARE(r.state, OverallState::Failed);
        QCOMPARE(r.reason, ErrorCode::BadSignature);
        QCOMPARE(r.find(CheckId::HolderBinding)->code, ErrorCode::KeyMismatch);
        QCOMPARE(r.find(CheckId::CredentialDigest)->code, ErrorCode::CredentialDigestMismatch);
        QCOMPARE(cache.size(), 0u); // a forged assertion does not occupy the replay cache
    }

    void manifestFromAnotherHolder() {
        ReplayCache cache;
        Holder other = Holder::make(m_issuer, m_package);
        auto in = inputs(m_holder.assertion().compact, &cache);
        in.media.manifest = other.manifestView();
        auto r = verifyPeer(in);
        QCOMPARE(r.reason, ErrorCode::KeyMismatch);
        QCOMPARE(r.find(CheckId::ManifestSignature)->code, ErrorCode::KeyMismatch);
        in.media.manifest = {};
        in.replayCache = nullptr; // the same assertion again: only the manifest matters here
        QCOMPARE(verifyPeer(in).reason, ErrorCode::MediaMissingFile);
    }

    // The package root covers the files, not which of them is the model: a package with two
    // models, certified with one, re-signed by its holder naming the other. Refused: a manifest
    // has exactly one model, and the credential certifies which.
    void resignedManifestPointingAtAnotherModel() {
        QTemporaryDir dir;
        const QString pkg = dir.filePath("p");
        QVERIFY(copyDir(m_package, pkg));
        QVERIFY(QFile::copy(pkg + "/sample-avatar.glb", pkg + "/other.glb"));
        Manifest m;
        m.chunkSize = 4096;
        HashOptions opt;
        opt.chunkSize = 4096;
        for (const QString& f : QDir(pkg).entryList(QDir::Files, QDir::Name)) {
            auto file = hashMediaFile((pkg + "/" + f).toStdString(), f.toStdString(), opt);
            QVERIFY(file.ok());
            file->mediaType = f.endsWith(".glb") ? "model/gltf-binary"
                              : f.endsWith(".json") ? "application/json"
                                                    : "text/plain";
            m.files.push_back(std::move(file).value());
        }
        m.packageRoot = computePackageRoot(m.files, m.chunkSize);
        m.modelPath = "sample-avatar.glb";
        m.metadataPath = "avatar.json";
        m.metadata.name = "TwinSeal Sample Avatar";
        m.metadata.licence = "CC0-1.0";
        const Credential cred = certify(m, describeMedia(m));
        m.modelPath = "other.glb";
        const Bytes resigned = signRaw(m);
        QCOMPARE(parseSignedManifest(resigned).code(), ErrorCode::MalformedInput);
        QVERIFY(parseSignedManifest(resigned).error().detail.find("exactly one") != std::string::npos);

        ReplayCache cache;
        const std::string a = assertionFor(cred);
        auto in = inputs(a, &cache);
        in.credential = cred.encoded;
        in.media.manifest = resigned;
        in.media.packagePath = pkg.toStdString();
        auto r = verifyPeer(in);
        QCOMPARE(r.state, OverallState::Failed);
        QCOMPARE(r.find(CheckId::ManifestSignature)->code, ErrorCode::MalformedInput);
        // The credential names the model: a description naming the other one does not match.
        MediaDescription other = describeMedia(m);
        QCOMPARE(checkMediaDescription(m, cred.claims.media).code(),
                 ErrorCode::MediaDescriptionMismatch);
        QVERIFY(checkMediaDescription(m, other).ok());
    }

    // Metadata the holder re-signs over the certified root (another name, another licence) is
    // not what the home network certified.
    void resignedManifestWithOtherMetadata() {
        Manifest m = m_holder.parsed;
        m.metadata.licence = "proprietary";
        m.metadata.name = "Someone Else";
        const Bytes resigned = take(signManifest(m, m_holder.key), "sign");
        ReplayCache cache;
        auto in = inputs(m_holder.assertion().compact, &cache);
        in.media.manifest = resigned;
        auto r = verifyPeer(in);
        QVERIFY2(r.state == OverallState::Failed, explain(r));
        QCOMPARE(r.reason, ErrorCode::MediaDescriptionMismatch);
        QCOMPARE(r.find(CheckId::MediaRoot)->code, ErrorCode::MediaDescriptionMismatch);

        // Certified as re-signed, the manifest still does not say what avatar.json says.
        const Credential cred = certify(m, describeMedia(m));
        const std::string a = assertionFor(cred);
        auto again = inputs(a, &cache);
        again.credential = cred.encoded;
        again.media.manifest = resigned;
        r = verifyPeer(again);
        QVERIFY2(r.state == OverallState::Failed, explain(r));
        QCOMPARE(r.find(CheckId::MediaRoot)->state, CheckState::Passed);
        QCOMPARE(r.find(CheckId::MediaContent)->code, ErrorCode::MediaDescriptionMismatch);
        QVERIFY(r.mediaFailure.has_value());
        QCOMPARE(r.mediaFailure->file, std::string("avatar.json"));
    }

    // A credential issued before media descriptions were certified is refused with its own
    // reason (the owner re-certifies).
    void credentialWithoutMediaDescription() {
        const Credential legacy = certify(m_holder.parsed, std::nullopt);
        QVERIFY(!legacy.claims.media.has_value());
        ReplayCache cache;
        const std::string a = assertionFor(legacy);
        auto in = inputs(a, &cache);
        in.credential = legacy.encoded;
        auto r = verifyPeer(in);
        QCOMPARE(r.state, OverallState::Failed);
        QCOMPARE(r.reason, ErrorCode::MediaDescriptionMissing);
        QVERIFY(r.find(CheckId::MediaRoot)->detail.find("re-certify") != std::string::npos);
        // The description survives encoding.
        const auto parsed = parseCredential(m_holder.credential.encoded);
        QVERIFY(parsed.ok());
        QVERIFY(parsed->claims.media == describeMedia(m_holder.parsed));
    }

    // The model of a package whose bytes match its signed manifest is validated before a peer
    // renders it (gltf_validate.h): a broken one fails the media check.
    void brokenModelFailsMediaContent() {
        QTemporaryDir dir;
        const QString pkg = dir.filePath("p");
        QVERIFY(copyDir(m_package, pkg));
        // A glTF whose node is its own child, signed and certified as it is.
        QVERIFY(QFile::remove(pkg + "/sample-avatar.glb"));
        QFile f(pkg + "/model.gltf");
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(R"({"asset":{"version":"2.0"},"nodes":[{"children":[0]}]})");
        f.close();
        Manifest m;
        m.chunkSize = 4096;
        HashOptions opt;
        opt.chunkSize = 4096;
        for (const QString& name : QDir(pkg).entryList(QDir::Files, QDir::Name)) {
            auto file = hashMediaFile((pkg + "/" + name).toStdString(), name.toStdString(), opt);
            QVERIFY(file.ok());
            file->mediaType = name.endsWith(".gltf") ? "model/gltf+json"
                              : name.endsWith(".json") ? "application/json"
                                                       : "text/plain";
            m.files.push_back(std::move(file).value());
        }
        m.packageRoot = computePackageRoot(m.files, m.chunkSize);
        m.modelPath = "model.gltf";
        m.metadataPath = "avatar.json";
        m.metadata = m_holder.parsed.metadata;
        const Bytes manifest = take(signManifest(m, m_holder.key), "sign");
        const Credential cred = certify(m, describeMedia(m));
        ReplayCache cache;
        const std::string a = assertionFor(cred);
        auto in = inputs(a, &cache);
        in.credential = cred.encoded;
        in.media.manifest = manifest;
        in.media.packagePath = pkg.toStdString();
        auto r = verifyPeer(in);
        QVERIFY2(r.state == OverallState::Failed, explain(r));
        QCOMPARE(r.find(CheckId::MediaContent)->code, ErrorCode::GltfNodeGraphInvalid);
        QCOMPARE(r.mediaFailure->file, std::string("model.gltf"));
    }

    void tamperedMediaNamesFileAndChunk() {
        ReplayCache cache;
        QTemporaryDir dir;
        const QString pkg = dir.filePath("p");
        QVERIFY(copyDir(m_package, pkg));
        const QString glb = pkg + "/sample-avatar.glb";
        QFile f(glb);
        QVERIFY(f.open(QIODevice::ReadWrite));
        const qint64 offset = qMin<qint64>(f.size() - 1, 4096 * 2 + 100); // chunk 2 (4 KiB chunks)
        f.seek(offset);
        char c = 0;
        f.getChar(&c);
        f.seek(offset);
        f.putChar(char(c ^ 0x20));
        f.close();
        auto in = inputs(m_holder.assertion().compact, &cache);
        in.media.packagePath = pkg.toStdString();
        auto r = verifyPeer(in);
        QCOMPARE(r.reason, ErrorCode::MediaMismatch);
        QVERIFY(r.mediaFailure.has_value());
        QCOMPARE(r.mediaFailure->file, std::string("sample-avatar.glb"));
        QCOMPARE(*r.mediaFailure->chunkIndex, std::uint64_t(offset / 4096));
    }

    void pinnedKeyChanged() {
        ReplayCache cache;
        MemoryPinStore pins;
        auto someoneElse = SigningKey::generate(KeyAlgorithm::Ed25519);
        pins.pin(m_holder.credential.claims.avatarId, someoneElse->publicKey().thumbprint());
        auto in = inputs(m_holder.assertion().compact, &cache);
        in.pins = &pins;
        const VerificationReport r = verifyPeer(in);
        QCOMPARE(r.reason, ErrorCode::PinnedKeyChanged);
        // The report names the check as a person reads it.
        QCOMPARE(checkIdTitle(CheckId::PinnedKey), std::string_view("Pinned key unchanged"));
        QVERIFY2(r.reasonDetail.rfind("Pinned key unchanged: ", 0) == 0, r.reasonDetail.c_str());
    }

    void disclosureMismatch() {
        ReplayCache cache;
        auto forged = m_holder.disclosures[1];
        forged.value = "chief surgeon";
        auto in = inputs(m_holder.assertion().compact, &cache);
        in.disclosures = {forged.encoded()};
        auto r = verifyPeer(in);
        QCOMPARE(r.reason, ErrorCode::DisclosureMismatch);
        QVERIFY(r.disclosedAttributes.empty());
    }

    void credentialFromAnotherIssuerWithSameName() {
        // A look-alike issuer (same names, different keys) is not trusted.
        ReplayCache cache;
        Issuer fake = Issuer::make();
        Holder h = Holder::make(fake, m_package);
        VerificationInputs in = inputs(h.assertion().compact, &cache);
        in.credential = h.credential.encoded;
        in.media.manifest = h.manifestView();
        QCOMPARE(verifyPeer(in).state, OverallState::ValidUntrusted);
    }

    void tamperedCredentialOrAssertionNeverVerifies() {
        const std::string a = m_holder.assertion().compact;
        const Bytes& cred = m_holder.credential.encoded;
        for (std::size_t i = 0; i < cred.size(); i += 7) {
            Bytes c = cred;
            c[i] ^= 0x80;
            ReplayCache cache;
            auto in = inputs(a, &cache);
            in.credential = c;
            in.media.packagePath.clear();
            QVERIFY2(verifyPeer(in).state == OverallState::Failed,
                     qPrintable(QString("credential byte %1").arg(i)));
        }
        for (std::size_t i = 0; i < a.size(); i += 3) {
            std::string t = a;
            t[i] = t[i] == 'x' ? 'y' : 'x';
            ReplayCache cache;
            auto in = inputs(t, &cache);
            in.media.packagePath.clear();
            QVERIFY2(verifyPeer(in).state == OverallState::Failed,
                     qPrintable(QString("assertion char %1").arg(i)));
        }
    }

    // A verifier that caches content-addressed checks gives the same answers as one that does
    // not, and still catches everything that changes.
    void cacheGivesSameAnswers() {
        VerifiedObjectCache cache;
        ReplayCache replay;
        auto in = inputs(m_holder.assertion().compact, &replay);
        in.cache = &cache;
        QCOMPARE(verifyPeer(in).state, OverallState::Verified);
        QCOMPARE(cache.size(), 3u); // credential, chain, manifest
        auto again = inputs(m_holder.assertion().compact, &replay);
        again.cache = &cache;
        auto r = verifyPeer(again);
        QCOMPARE(r.state, OverallState::Verified);
        QVERIFY(r.find(CheckId::CredentialSignature)->detail.find("verified before") != std::string::npos);
        // Untrusted with another trust list even though the chain was cached as trusted.
        auto otherRoot = Issuer::make();
        auto untrusted = inputs(m_holder.assertion().compact, &replay);
        untrusted.cache = &cache;
        untrusted.trust = &otherRoot.trust;
        QCOMPARE(verifyPeer(untrusted).state, OverallState::ValidUntrusted);
        // A tampered credential is a different object: verified afresh and refused.
        Bytes bad = m_holder.credential.encoded;
        bad[bad.size() - 3] ^= 1;
        auto tampered = inputs(m_holder.assertion().compact, &replay);
        tampered.cache = &cache;
        tampered.credential = bad;
        QCOMPARE(verifyPeer(tampered).state, OverallState::Failed);
        // Expiry is checked on every use, cached or not.
        m_clock.set(m_holder.credential.claims.notAfter + 1);
        auto late = inputs(m_holder.assertion(m_holder.credential.claims.notAfter + 1).compact, &replay);
        late.cache = &cache;
        QCOMPARE(verifyPeer(late).reason, ErrorCode::CredentialExpired);
        // Cached replays are still replays.
        const std::string a = m_holder.assertion(m_holder.credential.claims.notAfter - 10).compact;
        m_clock.set(m_holder.credential.claims.notAfter - 10);
        auto first = inputs(a, &replay);
        first.cache = &cache;
        QCOMPARE(verifyPeer(first).state, OverallState::Verified);
        QCOMPARE(verifyPeer(first).reason, ErrorCode::AssertionReplayed);
    }

    void reportJson() {
        ReplayCache cache;
        auto r = verifyPeer(inputs(m_holder.assertion(kNow - 500).compact, &cache));
        const std::string j = r.toJson();
        QVERIFY(j.find("\"state\": \"failed\"") != std::string::npos);
        QVERIFY(j.find("\"reason\": \"assertion-stale\"") != std::string::npos);
        QVERIFY(j.find("\"check\": \"freshness\"") != std::string::npos);
    }
};

TWINSEAL_TEST(VerifyTest, "verify")
} // namespace test_verify
} // namespace

#include "test_verify.moc"
