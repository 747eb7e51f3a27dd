// The desktop client as a person uses it, against the real twinseal-homenet on loopback: the
// whole first run (profile, passphrase, sample avatar, sign and register) by clicking the real
// QML controls found by objectName, then My Twin, lock / unlock with a wrong and a right
// passphrase, state kept across a restart, a registration interrupted by a killed client
// reconciled with the home network on the next start, and a copy of another subscriber's avatar
// refused with its reason. Any QML warning fails the test.
#include <QDirIterator>
#include <QQmlApplicationEngine>
#include <QQuickItem>
#include <QQuickWindow>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <optional>
#include <vector>

#include <twinseal/security/subscriber.h>
#include <twinseal/viewmodels/twin_controller.h>

#include "embedded_homenet.h"
#include "gui_client.h"
#include "homenet_fixture.h"
#include "kill_helper.h"
#include "test_macros.h"
#include "testmain.h"

namespace {
namespace test_onboarding {

using namespace twinseal;
using namespace twinseal::test;
using viewmodels::TwinController;

namespace {

const auto& killPassphrase() {
    static const QString value = QStringLiteral("killed client passphrase");
    return value;
}

// The subscriber's DTs as the home network lists them, asked through `c`'s client.
std::vector<netclient::DtRecord> dtsOf(Client& c) {
    auto dts = await<std::vector<netclient::DtRecord>>(
        [&](netclient::ClientCallback<std::vector<netclient::DtRecord>> done) { c.controller->client()->listDts(std::move(done)); });
    return dts.ok() ? *dts : std::vector<netclient::DtRecord>{};
}

std::optional<netclient::DtRecord> activeDtOf(Client& c) {
    for (const auto& d : dtsOf(c))
        if (d.state == "active")
            return d;
    return std::nullopt;
}

QString fileIn(const QTemporaryDir& dir, const char* name) { return dir.filePath(QString::fromLatin1(name)); }

} // namespace


class OnboardingTest : public QObject {
    Q_OBJECT

    std::unique_ptr<HomenetServer> m_server;
    QString m_profile;

    // A new subscriber called `name`; its profile's path (saved as `profileName`), or empty.
    QString newSubscriber(const char* profileName, const char* supi, const char* name) {
        QString profile = m_server->scratch(QString::fromLatin1(profileName));
        if (!m_server->addSubscriber(QString::fromLatin1(supi), profile,
                                     {QStringLiteral("--name"), QString::fromUtf8(name)}))
            return {};
        return profile;
    }

    // Every file under `dir` read whole: those holding the operator profile's K or OPc raw, in
    // hex (either case) or in base64 (standard or URL-safe, at any of the three alignments).
    static QStringList filesHoldingUsimSecrets(const QString& dir, const QString& operatorProfile) {
        auto usim = security::UsimProfileData::load(operatorProfile.toStdString());
        if (!usim.ok() || !usim->hasSecrets())
            return {QStringLiteral("(the operator's profile cannot be read)")};
        QList<QByteArray> spellings;
        for (const security::SecureBytes* secret : {&usim->k, &usim->opc}) {
            const QByteArray raw(reinterpret_cast<const char*>(secret->data()), qsizetype(secret->size()));
            spellings << raw << raw.toHex() << raw.toHex().toUpper();
            for (int shift = 0; shift < 3; ++shift) {
                // The characters that depend on the secret's bytes alone.
                const QByteArray b64 = (QByteArray(shift, '\0') + raw).toBase64().mid(shift ? 4 : 0, 16);
                spellings << b64 << QByteArray(b64).replace('+', '-').replace('/', '_');
            }
        }
        QStringList found;
        QDirIterator it(dir, QDir::Files | QDir::Hidden | QDir::System, QDirIterator::Subdirectories);
        while (it.hasNext()) {
            QFile f(it.next());
            if (!f.open(QIODevice::ReadOnly)) {
                found << f.fileName() + QStringLiteral(" (unreadable)");
                continue;
            }
            const QByteArray bytes = f.readAll();
            if (std::any_of(spellings.begin(), spellings.end(), [&](const QByteArray& x) { return bytes.contains(x); }))
                found << f.fileName();
        }
        return found;
    }

    // The client of `data` runs `op` (kill_helper's operation and its argument) and is killed
    // for real at `point`: the pending journal is left in `data`.
    void killAt(const QTemporaryDir& data, const QString& profile, const char* point, const QStringList& op) {
        QString why;
        QVERIFY2(killedAt(QString::fromLatin1(point), QStringList{data.path(), profile, killPassphrase()} + op, &why),
                 qPrintable(why));
        QVERIFY(QFile::exists(fileIn(data, "pending.json")));
    }

private slots:
    void initTestCase() {
        m_server = std::make_unique<HomenetServer>();
        QVERIFY(m_server->start());
        m_profile = m_server->scratch(QStringLiteral("ada.usim"));
        QVERIFY(m_server->addSubscriber(QStringLiteral("imsi-001010000000042"), m_profile,
                                        {QStringLiteral("--name"), QStringLiteral("Dr. Ada Moreau"),
                                         QStringLiteral("--role"), QStringLiteral("surgeon")}));
    }
    void init() {
        // QML warnings (binding loops, type errors, missing properties) fail the test.
        QTest::failOnWarning(QRegularExpression(QStringLiteral(".*(qml|QML|\\.js|Binding loop).*")));
    }

    void firstRunToMyTwinThenLockAndRestart() {
        QTemporaryDir data;
        {
            Client c(data.path(), m_profile);
            QVERIFY(c.window);
            QVERIFY(QTest::qWaitForWindowExposed(c.window));
            QCOMPARE(c.controller->stage(), Stage::Profile);
            QVERIFY(c.item("onboardingPage"));

            c.screenshot("onboarding");
            // 1. profile
            QVERIFY(click(c.window, c.item("useDemoProfileButton")));
            QTRY_COMPARE(c.controller->stage(), Stage::Passphrase);
            QVERIFY(c.controller->operatorName().size() > 0);

            // 2. passphrase: one under 12 characters is refused with its reason (the hint
            // under the field says so while typing), a mismatch too, then a good one.
            QVERIFY(type(c.window, c.item("passphraseField"), QStringLiteral("eleven char")));
            QTRY_VERIFY(c.item("passphraseStrength")->isVisible());
            QVERIFY(c.item("passphraseStrength")->property("text").toString().startsWith(QStringLiteral("Too short")));
            QCOMPARE(c.controller->passphraseStrength(QStringLiteral("eleven char")), QStringLiteral("too-short"));
            QCOMPARE(c.controller->passphraseStrength(QStringLiteral("aaaaaaaaaaaaaaaa")), QStringLiteral("weak"));
            QCOMPARE(c.controller->passphraseStrength(QStringLiteral("correct horse battery")), QStringLiteral("strong"));
            QVERIFY(type(c.window, c.item("passphraseRepeatField"), QStringLiteral("eleven char")));
            QVERIFY(click(c.window, c.item("createKeyButton")));
            QTRY_COMPARE(c.controller->errorCode(), QStringLiteral("passphrase-too-short"));
            QCOMPARE(c.controller->stage(), Stage::Passphrase);
            QVERIFY(!QFile::exists(c.controller->dataFile(QStringLiteral("holder.key"))));
            QVERIFY(click(c.window, c.item("dismissErrorButton")));
            QTRY_VERIFY(!c.item("errorBanner")->isVisible());
            // A mismatch:
            QVERIFY(type(c.window, c.item("passphraseField"), QStringLiteral("correct horse battery")));
            QVERIFY(type(c.window, c.item("passphraseRepeatField"), QStringLiteral("correct horse batterx")));
            QVERIFY(click(c.window, c.item("createKeyButton")));
            QTRY_COMPARE(c.controller->errorCode(), QStringLiteral("passphrases-differ"));
            QTRY_VERIFY(c.item("errorBanner")->isVisible());
            QVERIFY(click(c.window, c.item("dismissErrorButton")));
            QTRY_VERIFY(!c.item("errorBanner")->isVisible());
            QVERIFY(type(c.window, c.item("passphraseField"), QStringLiteral("correct horse battery")));
            QVERIFY(type(c.window, c.item("passphraseRepeatField"), QStringLiteral("correct horse battery")));
            QVERIFY(click(c.window, c.item("createKeyButton")));
            QTRY_COMPARE_WITH_TIMEOUT(c.controller->stage(), Stage::Avatar, 20000);

            // 3. avatar, sign and register (hashing and network off the UI thread).
            QVERIFY(!c.item("registerButton")->isEnabled());
            QVERIFY(click(c.window, c.item("useSampleAvatarButton")));
            QTRY_VERIFY(c.item("registerButton")->isEnabled());
            QVERIFY(click(c.window, c.item("registerButton")));
            QTRY_COMPARE_WITH_TIMEOUT(c.controller->stage(), Stage::Ready, 30000);
            QTRY_VERIFY_WITH_TIMEOUT(!c.controller->busy(), 30000);
            QCOMPARE(c.controller->errorCode(), QString());

            // My Twin shows the credential in words, status and log inclusion checked.
            QTRY_VERIFY(c.item("myTwinPage"));
            QVERIFY(c.controller->avatarId().startsWith(QStringLiteral("urn:twinseal:avatar:")));
            QTRY_COMPARE_WITH_TIMEOUT(c.controller->twinStatus(), QStringLiteral("active"), 15000);
            auto* facts = c.controller->credentialModel();
            QVERIFY(facts->rowCount() >= 8);
            QCOMPARE(facts->valueOf(QStringLiteral("Avatar-ID")), c.controller->avatarId());
            QTRY_VERIFY_WITH_TIMEOUT(
                [&] {
                    for (const auto& f : facts->facts())
                        if (f.label == QLatin1String("Transparency log"))
                            return f.state == QLatin1String("passed");
                    return false;
                }(),
                15000);
            QVERIFY(c.controller->manifestModel()->rowCount() >= 4); // root + 3 files
            QVERIFY(c.item("avatarPreview"));
            c.screenshot("my-twin");

            // Lock, a wrong passphrase, then the right one.
            QVERIFY(click(c.window, c.item("lockButton")));
            QTRY_VERIFY(c.controller->locked());
            QTRY_VERIFY(c.item("unlockPane")->isVisible());
            QVERIFY(type(c.window, c.item("unlockField"), QStringLiteral("wrong passphrase!")));
            QVERIFY(click(c.window, c.item("unlockButton")));
            QTRY_COMPARE_WITH_TIMEOUT(c.controller->errorCode(), QStringLiteral("wrong-passphrase"), 15000);
            QVERIFY(c.controller->locked());
            QVERIFY(type(c.window, c.item("unlockField"), QStringLiteral("correct horse battery")));
            QVERIFY(click(c.window, c.item("unlockButton")));
            QTRY_VERIFY_WITH_TIMEOUT(!c.controller->locked(), 15000);
        }
        // After the onboarding and an authentication (the registration), no file of the data
        // directory holds K or OPc in any spelling: the profile keeps them sealed.
        const QStringList holding = filesHoldingUsimSecrets(data.path(), m_profile);
        QVERIFY2(holding.isEmpty(), qPrintable(holding.join(QStringLiteral(", "))));
        QVERIFY(QFile::exists(fileIn(data, "profile.usim")));
        QVERIFY(security::UsimProfileData::load(fileIn(data, "profile.usim").toStdString())->sealed());
        // A restart lands on My Twin, locked, with the same twin.
        Client again(data.path(), m_profile);
        QVERIFY(again.window);
        QCOMPARE(again.controller->stage(), Stage::Ready);
        QVERIFY(again.controller->locked());
        QVERIFY(again.controller->avatarId().startsWith(QStringLiteral("urn:twinseal:avatar:")));
        QTRY_VERIFY(again.item("unlockPane") && again.item("unlockPane")->isVisible());
    }

    // Killed after sending the registration but before storing the answer: the next start asks
    // the home network and adopts the registered twin instead of losing it.
    void interruptedRegistrationIsReconciled() {
        QTemporaryDir data;
        const QString profile = newSubscriber("bob.usim", "imsi-001010000000043", "Bob Kent");
        QVERIFY(!profile.isEmpty());
        QString avatarId;
        {
            Client c(data.path(), profile);
            QVERIFY(c.window);
            QVERIFY(registerTwin(c, profile, QStringLiteral("another passphrase")));
            avatarId = c.controller->avatarId();
        }
        // What a kill between the service's answer and the local write leaves behind.
        for (const char* lost : {"credential.tsc", "receipt.tslr", "manifest.tsm", "disclosures.json"})
            QVERIFY(QFile::remove(QDir(data.path()).filePath(QString::fromLatin1(lost))));
        QFile pending(QDir(data.path()).filePath(QStringLiteral("pending.json")));
        QVERIFY(pending.open(QIODevice::WriteOnly));
        pending.write("{\"op\":\"register\"}");
        pending.close();

        Client restarted(data.path(), profile);
        QCOMPARE(restarted.controller->stage(), Stage::Avatar);
        // Asking the home network needs the profile's K and OPc, sealed under the passphrase:
        // the journal waits for the unlock, which also rebuilds the lost signed manifest.
        QTest::qWait(200);
        QCOMPARE(restarted.controller->stage(), Stage::Avatar);
        QVERIFY(QFile::exists(pending.fileName()));
        QStringList shown; // every notice: the avatar's upload follows the outcome at once
        QObject::connect(restarted.controller.get(), &TwinController::noticeChanged, restarted.controller.get(),
                         [&] { shown << restarted.controller->notice(); });
        restarted.controller->unlock(QStringLiteral("another passphrase"));
        QTRY_COMPARE_WITH_TIMEOUT(restarted.controller->stage(), Stage::Ready, 30000);
        QCOMPARE(restarted.controller->avatarId(), avatarId);
        QTRY_VERIFY_WITH_TIMEOUT(!restarted.controller->busy(), 30000);
        QVERIFY(!QFile::exists(pending.fileName()));
        QVERIFY(shown.join(QLatin1Char('\n')).contains(QStringLiteral("restored")));
        // Its disclosures were lost with the kill (the home network does not keep them): the
        // credential view says so and how to get new ones.
        bool warned = false;
        for (const auto& f : restarted.controller->credentialModel()->facts())
            if (f.label.startsWith(QStringLiteral("Identity attributes")))
                warned = f.state == QLatin1String("warning") && f.detail.contains(QStringLiteral("rotate"));
        QVERIFY(warned);
        // The signed manifest was lost too: it is rebuilt from the avatar folder, checked to be
        // the certified media, signed and the avatar stored with the home network.
        QTRY_VERIFY_WITH_TIMEOUT(restarted.controller->manifestModel()->rowCount() >= 4, 20000);
        QTRY_VERIFY_WITH_TIMEOUT(restarted.controller->notice().contains(QStringLiteral("avatar is stored")), 30000);
        QVERIFY(restarted.controller->errorCode().isEmpty());
        QVERIFY(QFile::exists(QDir(data.path()).filePath(QStringLiteral("manifest.tsm"))));
    }

    // `twinseal --local-homenet`: the embedded home network lives on its own thread (its HTTPS
    // front end, and so every request it handles, is not on the GUI thread), and the first run
    // with its demo profile completes through it.
    void embeddedHomenetRunsOffTheGuiThread() {
        QTemporaryDir data;
        client::EmbeddedHomenet homenet;
        client::EmbeddedHomenet::Settings config;
        config.dataDir = QDir(data.path()).filePath(QStringLiteral("homenet"));
        config.port = 0;
        config.rateLimit = 0;
        auto port = homenet.start(config, "embedded home network passphrase", QStringLiteral("Local Home Network"));
        QVERIFY2(port.ok(), port.ok() ? "" : port.error().message.c_str());
        QVERIFY(homenet.serviceThread() != nullptr);
        QVERIFY(homenet.serviceThread() != QThread::currentThread());
        QCOMPARE(homenet.frontendThread(), homenet.serviceThread());
        const QString demo = QDir(data.path()).filePath(QStringLiteral("demo-subscription.usim"));
        auto created = homenet.ensureDemoSubscription(demo);
        QVERIFY2(created.ok(), created.ok() ? "" : created.error().message.c_str());
        QVERIFY(QFile::exists(demo));
        {
            Client c(data.path(), demo);
            QVERIFY(c.window);
            QVERIFY(click(c.window, c.item("useDemoProfileButton")));
            QTRY_COMPARE(c.controller->stage(), Stage::Passphrase);
            QCOMPARE(c.controller->operatorName(), QStringLiteral("Local Home Network"));
            c.controller->choosePassphrase(QStringLiteral("embedded passphrase"), QStringLiteral("embedded passphrase"));
            QTRY_COMPARE_WITH_TIMEOUT(c.controller->stage(), Stage::Avatar, 20000);
            QVERIFY(click(c.window, c.item("useSampleAvatarButton")));
            QTRY_VERIFY(c.item("registerButton")->isEnabled());
            QVERIFY(click(c.window, c.item("registerButton")));
            QTRY_COMPARE_WITH_TIMEOUT(c.controller->stage(), Stage::Ready, 30000);
            QTRY_VERIFY_WITH_TIMEOUT(!c.controller->busy(), 30000);
            QCOMPARE(c.controller->errorCode(), QString());
            QTRY_COMPARE_WITH_TIMEOUT(c.controller->twinStatus(), QStringLiteral("active"), 15000);
        }
        homenet.stop();
        QCOMPARE(homenet.serviceThread(), nullptr);
        QCOMPARE(homenet.frontendThread(), nullptr);
    }

    // The client is killed for real (SIGKILL, a process of its own) after the home network
    // registered its twin and before anything of the answer was stored. The next start finds the
    // journal, asks the home network and adopts the registered twin: one twin at the service, the
    // same one here; unlocking signs its manifest again and stores its avatar.
    void registrationKilledAfterTheAnswerIsAdopted() {
        QTemporaryDir data;
        const QString profile = newSubscriber("kai.usim", "imsi-001010000000044", "Kai Berg");
        QVERIFY(!profile.isEmpty());
        killAt(data, profile, "register:answered", {QStringLiteral("register")});
        if (QTest::currentTestFailed())
            return;
        QVERIFY(!QFile::exists(fileIn(data, "credential.tsc")));

        Client restarted(data.path(), {});
        QVERIFY(restarted.window);
        // The journal waits for the passphrase (the authentication needs the profile's K and OPc).
        QVERIFY(QFile::exists(fileIn(data, "pending.json")));
        restarted.controller->unlock(killPassphrase());
        QTRY_COMPARE_WITH_TIMEOUT(restarted.controller->stage(), Stage::Ready, 30000);
        QTRY_VERIFY_WITH_TIMEOUT(!QFile::exists(fileIn(data, "pending.json")), 30000);
        QCOMPARE(restarted.controller->errorCode(), QString());
        QTRY_VERIFY_WITH_TIMEOUT(restarted.controller->notice().contains(QStringLiteral("registration had completed")) ||
                                     restarted.controller->notice().contains(QStringLiteral("avatar is stored")),
                                 30000);
        const auto dts = dtsOf(restarted);
        QCOMPARE(dts.size(), std::size_t{1});
        QCOMPARE(QString::fromStdString(dts.front().dtId), restarted.controller->dtId());
        QCOMPARE(QString::fromStdString(dts.front().state), QStringLiteral("active"));
        QVERIFY(restarted.item("myTwinPage"));
        QTRY_VERIFY_WITH_TIMEOUT(restarted.controller->notice().contains(QStringLiteral("avatar is stored")), 30000);
        QVERIFY(restarted.controller->manifestModel()->rowCount() >= 4);
        QCOMPARE(restarted.controller->errorCode(), QString());
    }

    // Killed for real after the journal was written, before the registration left the client:
    // the next start learns that the home network has no twin for it, says so, and registering
    // through the page then works (no duplicate).
    void registrationKilledBeforeSendingIsDropped() {
        QTemporaryDir data;
        const QString profile = newSubscriber("lea.usim", "imsi-001010000000045", "Lea Voss");
        QVERIFY(!profile.isEmpty());
        killAt(data, profile, "register:journaled", {QStringLiteral("register")});
        if (QTest::currentTestFailed())
            return;

        Client restarted(data.path(), {});
        QVERIFY(restarted.window);
        QVERIFY(QTest::qWaitForWindowExposed(restarted.window));
        QVERIFY(QFile::exists(fileIn(data, "pending.json"))); // until the passphrase is entered
        restarted.controller->unlock(killPassphrase());
        QTRY_VERIFY_WITH_TIMEOUT(!restarted.controller->locked(), 15000);
        QTRY_VERIFY_WITH_TIMEOUT(!QFile::exists(fileIn(data, "pending.json")), 30000);
        QTRY_VERIFY_WITH_TIMEOUT(!restarted.controller->busy(), 30000);
        QCOMPARE(restarted.controller->stage(), Stage::Avatar);
        QVERIFY(restarted.controller->notice().contains(QStringLiteral("did not reach")));
        QVERIFY(dtsOf(restarted).empty());
        QTRY_VERIFY(restarted.item("registerButton") && restarted.item("registerButton")->isEnabled());
        QVERIFY(click(restarted.window, restarted.item("registerButton")));
        QTRY_COMPARE_WITH_TIMEOUT(restarted.controller->stage(), Stage::Ready, 30000);
        QTRY_VERIFY_WITH_TIMEOUT(!restarted.controller->busy(), 30000);
        QCOMPARE(restarted.controller->errorCode(), QString());
        QCOMPARE(dtsOf(restarted).size(), std::size_t{1});
    }

    // Killed for real after the home network re-certified the twin with a new avatar, before the
    // new credential was stored: the next start adopts the new credential with the new avatar
    // folder (the old manifest, of the old media, is dropped); unlocking builds and signs the new
    // manifest, checks it against the certified media root and uploads the new avatar.
    void recertificationKilledAfterTheAnswerIsAdopted() {
        QTemporaryDir data;
        const QString profile = newSubscriber("max.usim", "imsi-001010000000046", "Max Ode");
        QVERIFY(!profile.isEmpty());
        QString dtId, oldAvatarDir;
        {
            Client c(data.path(), {});
            QVERIFY(c.window);
            QVERIFY(registerTwin(c, profile, killPassphrase()));
            dtId = c.controller->dtId();
            oldAvatarDir = c.controller->avatarDir();
        }
        const QString newAvatar = avatarCopy(m_server->scratch(QStringLiteral("max-avatar")), 1);
        killAt(data, profile, "recertify:answered", {QStringLiteral("recertify"), newAvatar});
        if (QTest::currentTestFailed())
            return;

        Client restarted(data.path(), {});
        QVERIFY(restarted.window);
        QVERIFY(QFile::exists(fileIn(data, "pending.json"))); // until the passphrase is entered
        restarted.controller->unlock(killPassphrase());
        // Every notice since the start: the avatar's upload follows the outcome at once.
        QTRY_VERIFY2_WITH_TIMEOUT(restarted.noticesShown().contains(QStringLiteral("re-certification had completed")),
                                  qPrintable(restarted.noticesShown()), 30000);
        QCOMPARE(restarted.controller->errorCode(), QString());
        QVERIFY(!QFile::exists(fileIn(data, "pending.json")));
        QCOMPARE(restarted.controller->dtId(), dtId);
        QCOMPARE(restarted.controller->avatarDir(), QDir(newAvatar).absolutePath());
        QCOMPARE(restarted.controller->credentialModel()->valueOf(QStringLiteral("Generation")), QStringLiteral("2"));
        const auto active = activeDtOf(restarted);
        QVERIFY(active.has_value());
        QCOMPARE(active->generation, 2u);
        QTRY_VERIFY_WITH_TIMEOUT(restarted.controller->notice().contains(QStringLiteral("avatar is stored")), 30000);
        QCOMPARE(restarted.controller->errorCode(), QString());
        QVERIFY(restarted.controller->manifestModel()->rowCount() >= 4);
        // The manifest signed now is of the media the new credential certifies.
        QCOMPARE(restarted.controller->manifestModel()->facts().front().value,
                 restarted.controller->credentialModel()->valueOf(QStringLiteral("Certified media root")));
        QVERIFY(restarted.controller->avatarDir() != oldAvatarDir);
    }

    // Registering when the subscription already has a twin (duplicate-dt). On the device whose key
    // holds it (its files were lost without a journal) the twin is adopted. On a second device
    // with the same profile, operated through the page, the refusal says what the owner can do
    // there, with its own reason: the twin is held by another device.
    void duplicateRegistrationIsResolved() {
        QTemporaryDir first, second;
        const QString profile = newSubscriber("nia.usim", "imsi-001010000000047", "Nia Holt");
        QVERIFY(!profile.isEmpty());
        QString dtId;
        {
            Client c(first.path(), profile);
            QVERIFY(c.window);
            QVERIFY(registerTwin(c, profile, killPassphrase()));
            dtId = c.controller->dtId();
        }
        for (const char* lost : {"credential.tsc", "receipt.tslr", "manifest.tsm", "disclosures.json"})
            QVERIFY(QFile::remove(fileIn(first, lost)));
        {
            Client c(first.path(), profile);
            QVERIFY(c.window);
            QCOMPARE(c.controller->stage(), Stage::Avatar);
            c.controller->unlock(killPassphrase());
            QTRY_VERIFY_WITH_TIMEOUT(!c.controller->locked(), 15000);
            QTRY_VERIFY(c.item("registerButton") && c.item("registerButton")->isEnabled());
            QVERIFY(click(c.window, c.item("registerButton")));
            QTRY_COMPARE_WITH_TIMEOUT(c.controller->stage(), Stage::Ready, 30000);
            QTRY_VERIFY_WITH_TIMEOUT(c.controller->notice().contains(QStringLiteral("avatar is stored")), 30000);
            QCOMPARE(c.controller->errorCode(), QString());
            QCOMPARE(c.controller->dtId(), dtId);
            QCOMPARE(dtsOf(c).size(), std::size_t{1});
        }

        Client other(second.path(), profile);
        QVERIFY(other.window);
        QVERIFY(QTest::qWaitForWindowExposed(other.window));
        QVERIFY(click(other.window, other.item("useDemoProfileButton")));
        QTRY_COMPARE(other.controller->stage(), Stage::Passphrase);
        QVERIFY(type(other.window, other.item("passphraseField"), QStringLiteral("second device key")));
        QVERIFY(type(other.window, other.item("passphraseRepeatField"), QStringLiteral("second device key")));
        QVERIFY(click(other.window, other.item("createKeyButton")));
        QTRY_COMPARE_WITH_TIMEOUT(other.controller->stage(), Stage::Avatar, 20000);
        QVERIFY(click(other.window, other.item("useSampleAvatarButton")));
        QTRY_VERIFY(other.item("registerButton")->isEnabled());
        QVERIFY(click(other.window, other.item("registerButton")));
        QTRY_COMPARE_WITH_TIMEOUT(other.controller->errorCode(), QStringLiteral("twin-held-by-another-device"), 30000);
        QTRY_VERIFY(other.item("errorBanner")->isVisible());
        QVERIFY(other.controller->errorMessage().contains(dtId));
        QVERIFY(other.controller->errorMessage().contains(QStringLiteral("that device")));
        QVERIFY(other.controller->errorMessage().contains(QStringLiteral("revoke")));
        QCOMPARE(other.controller->stage(), Stage::Avatar);
        QVERIFY(!other.controller->busy());
        QVERIFY(!QFile::exists(fileIn(second, "credential.tsc")));
    }

    // A copy of another subscriber's certified avatar folder (the same media root) is refused by
    // the home network while that subscriber's twin is active; the page shows the reason and the
    // home network's message, and the client keeps nothing of it (the home network's side is
    // checked in homenet.flows).
    void copiedAvatarIsRefusedWithItsReason() {
        QTemporaryDir copierData;
        // The owner's twin, registered through the client library with an avatar of its own,
        // hashed in the chunks the desktop client uses (the media root depends on them).
        TestSubscriber owner = addTestSubscriber(*m_server, QStringLiteral("oda.usim"), 1048);
        REQUIRE_OK(authenticate(*owner.client));
        const QString ownerAvatar = avatarCopy(m_server->scratch(QStringLiteral("oda-avatar")), 48);
        REQUIRE_OK(registerDt(owner, signedManifest(ownerAvatar, owner.holder, nullptr,
                                                    security::kDefaultChunkSize)));
        const QString copierProfile = newSubscriber("pia.usim", "imsi-001010000000049", "Pia Rask");
        QVERIFY(!copierProfile.isEmpty());
        const QString copied = copierData.filePath(QStringLiteral("copied-avatar"));
        QVERIFY(QDir().mkpath(copied));
        for (const QString& name : QDir(ownerAvatar).entryList(QDir::Files))
            QVERIFY(QFile::copy(QDir(ownerAvatar).filePath(name), QDir(copied).filePath(name)));

        Client copier(copierData.path(), copierProfile);
        QVERIFY(copier.window);
        QVERIFY(QTest::qWaitForWindowExposed(copier.window));
        QVERIFY(toAvatarStep(copier, copierProfile, killPassphrase()));
        copier.controller->chooseAvatar(QUrl::fromLocalFile(copied));
        QTRY_VERIFY(copier.item("registerButton") && copier.item("registerButton")->isEnabled());
        QVERIFY(click(copier.window, copier.item("registerButton")));
        QTRY_COMPARE_WITH_TIMEOUT(copier.controller->errorCode(),
                                  QStringLiteral("media-root-certified-elsewhere"), 30000);
        QTRY_VERIFY(copier.item("errorBanner")->isVisible());
        QVERIFY2(copier.controller->errorMessage().contains(QStringLiteral("another subscriber")) &&
                     copier.controller->errorMessage().contains(QStringLiteral("avatar of your own")),
                 qPrintable(copier.controller->errorMessage()));
        QVERIFY2(copier.shownText("errorCode").contains(QStringLiteral("media-root-certified-elsewhere")),
                 qPrintable(copier.shownText("errorCode")));
        QVERIFY(copier.shownText("errorMessage").contains(QStringLiteral("avatar of your own")));
        QCOMPARE(copier.controller->stage(), Stage::Avatar);
        QVERIFY(!copier.controller->busy());
        QVERIFY(!QFile::exists(copierData.filePath(QStringLiteral("credential.tsc"))));
        QVERIFY(!QFile::exists(copierData.filePath(QStringLiteral("pending.json"))));
    }

    void wrongProfileFileIsExplained() {
        QTemporaryDir data;
        Client c(data.path(), {});
        QVERIFY(c.window);
        QVERIFY(!c.item("useDemoProfileButton")->isVisible());
        const QString bogus = QDir(data.path()).filePath(QStringLiteral("not-a-profile.usim"));
        QFile f(bogus);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("this is not a profile");
        f.close();
        c.controller->importProfile(QUrl::fromLocalFile(bogus));
        QCOMPARE(c.controller->errorCode(), QStringLiteral("usim-profile-invalid"));
        QVERIFY(c.controller->errorMessage().contains(QStringLiteral("operator")));
        QCOMPARE(c.controller->stage(), Stage::Profile);
        QTRY_VERIFY(c.item("errorBanner")->isVisible());
    }

    void cleanupTestCase() {
        m_server.reset();
        QVERIFY(flushSceneGraph());
    }
};

TWINSEAL_TEST(OnboardingTest, "onboarding")
} // namespace test_onboarding
} // namespace

#include "test_onboarding.moc"
