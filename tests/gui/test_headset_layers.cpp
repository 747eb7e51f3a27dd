// The headset's own layers in a real call, on Qt's xcb platform with OpenGL under Xvfb, against
// the real twinseal-homenet room host on loopback and the in-tree OpenXR test runtime, which
// reads back every layer the client submits: the owner chooses a security image on the Settings
// card; in the headset, the trusted verification layer is the last (topmost) layer, head-locked,
// framed by that image's pixels, with the verified badge of a participant, then the failed badge
// and the alert when that participant presents a forged credential; the participant panel is a
// world-locked quad showing the participant list; the input requests (toggle the panel, show a
// report, leave) act on the call; and nothing a peer receives in the call carries the image.
#include <QDir>
#include <QFileInfo>
#include <QImage>
#include <QQuickItem>
#include <QQuickWindow>
#include <QTemporaryDir>
#include <QtQuickTest/quicktest.h>
#include <QtTest>

#include <algorithm>

#include <openxr/openxr.h>

#include <memory>

#include <twinseal/headset_layers/headset_layers.h>
#include <twinseal/headset_layers/trusted_layer_painter.h>
#include <twinseal/twin/data_layout.h>
#include <twinseal/viewmodels/calls_controller.h>
#include <twinseal/viewmodels/participant_list_model.h>
#include <twinseal/viewmodels/security_image.h>
#include <twinseal/viewmodels/settings_controller.h>
#include <twinseal/viewmodels/xr_status_controller.h>

#include "call_participants.h"
#include "call_test_util.h"
#include "call_ws_client.h"
#include "gui_client.h"
#include "homenet_fixture.h"
#include "runtime_control.h"
#include "test_macros.h"
#include "testmain.h"
#include "xr_mode.h"

namespace {
namespace test_headset_layers {

using namespace twinseal;
using namespace twinseal::test;
using namespace twinseal::viewmodels;
using Kind = proto::CallMessage::BodyCase;
using RuntimeLayer = xr::test::RuntimeControl::Layer;

namespace {

const auto& testPassphrase() {
    static const QString value = QStringLiteral("headset layers passphrase");
    return value;
}
QString hex(std::uint32_t rgba) { return QString("%1").arg(rgba, 8, 16, QChar('0')); }

// Colours as read back (0xRRGGBBAA) against an expected QRgb, each channel within `tolerance`.
bool near(std::uint32_t rgba, QRgb expected, int tolerance = 3) {
    const int got[] = {int(rgba >> 24), int((rgba >> 16) & 0xFF), int((rgba >> 8) & 0xFF)};
    const int want[] = {qRed(expected), qGreen(expected), qBlue(expected)};
    for (int i = 0; i < 3; ++i)
        if (std::abs(got[i] - want[i]) > tolerance)
            return false;
    return true;
}

// The pixel at (x, y) of a read-back quad, counted from the top-left as in the painted picture.
std::uint32_t at(const RuntimeLayer& l, int x, int y) {
    return l.rgba(std::uint32_t(x), l.layer.height - 1 - std::uint32_t(y));
}

// The last layer the runtime got, once it is the trusted quad and `ready` holds for it.
bool trustedLayerShows(const std::function<bool(const RuntimeLayer&)>& ready, RuntimeLayer& out) {
    xr::test::RuntimeControl rt;
    return QTest::qWaitFor([&] {
        const auto layers = rt.submittedLayers();
        if (layers.size() < 2)
            return false;
        out = layers.back();
        return out.layer.type == XR_TYPE_COMPOSITION_LAYER_QUAD && !out.pixels.empty() && ready(out);
    }, 30000);
}

// The item called `name` under `parent` (its visual children, as delegates are), or null.
QQuickItem* findItem(QQuickItem* parent, const QString& name) {
    if (parent == nullptr)
        return nullptr;
    for (QQuickItem* child : parent->childItems()) {
        if (child->objectName() == name)
            return child;
        if (QQuickItem* inner = findItem(child, name))
            return inner;
    }
    return nullptr;
}

bool containsBytes(const std::string& haystack, const QByteArray& needle) {
    return !needle.isEmpty() && haystack.find(needle.toStdString()) != std::string::npos;
}

} // namespace

class HeadsetLayersTest : public QObject {
    Q_OBJECT

    std::unique_ptr<HomenetServer> m_server;
    QTemporaryDir m_data;
    std::unique_ptr<Client> m_gui;

private slots:
    void initTestCase() {
        if (QGuiApplication::platformName() != QLatin1String("xcb"))
            QSKIP("needs Qt's xcb platform with OpenGL (run under xvfb-run with QT_QPA_PLATFORM=xcb)");
        qputenv("XR_RUNTIME_JSON", TWINSEAL_XR_TEST_RUNTIME_JSON);
        qputenv("TWINSEAL_TEST_RUNTIME_SYSTEM", "1");
        m_server = std::make_unique<HomenetServer>();
        QVERIFY(m_server->start(noRateLimit()));
        m_gui = std::make_unique<Client>(m_data.path(), QString());
        QVERIFY(m_gui->window);
        QVERIFY(activeTwin(*m_gui, *m_server, QStringLiteral("gui.usim"), QStringLiteral("imsi-001010000004601"),
                           testPassphrase()));
    }

    void securityImageChosenInSettings() {
        SettingsController* settings = m_gui->controller->settings();
        QVERIFY(settings->securityImage().isEmpty());
        QVERIFY(settings->securityImageChoices().contains(QStringLiteral("harbour")));
        QVERIFY(m_gui->openPage("settings"));
        QQuickItem* choice = m_gui->item("securityImageChoice_harbour");
        QVERIFY(choice);
        QTRY_VERIFY(choice->isVisible());
        scrollIntoView(choice);
        QVERIFY(QQuickTest::qWaitForPolish(m_gui->window));
        QVERIFY(click(m_gui->window, choice));
        QTRY_VERIFY(!settings->securityImage().isEmpty());
        // Kept in the data directory, as a normalised PNG of the bundled picture.
        const QString stored = settings->securityImagePath();
        QCOMPARE(QFileInfo(stored).absolutePath(), QDir(m_data.path()).absolutePath());
        const QImage image(stored);
        QCOMPARE(image.size(), QImage(QStringLiteral(":/twinseal/security-images/harbour.png")).size());
        QCOMPARE(image.convertToFormat(QImage::Format_RGB32),
                 QImage(QStringLiteral(":/twinseal/security-images/harbour.png")).convertToFormat(QImage::Format_RGB32));
        QQuickItem* preview = m_gui->item("securityImagePreview");
        QVERIFY(preview);
        QTRY_VERIFY(preview->isVisible());
        QCOMPARE(preview->property("source").toUrl(), settings->securityImage());
        // Not one of the twin's files (which go to a new owner on transfer), not in the avatar.
        for (const char* f : twin::layout::kTwinFiles)
            QVERIFY(QString::fromLatin1(f) != QFileInfo(stored).fileName());
        QVERIFY(!stored.startsWith(m_gui->controller->avatarDir() + QLatin1Char('/')) ||
                m_gui->controller->avatarDir().isEmpty());

        // A file that is not a picture is refused with its reason; the choice stays.
        QTemporaryDir scratch;
        const QString bogus = scratch.filePath(QStringLiteral("not-a-picture.png"));
        QFile f(bogus);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write("this is text");
        f.close();
        QVERIFY(!settings->chooseSecurityImageFile(QUrl::fromLocalFile(bogus)));
        QCOMPARE(settings->operation()->errorCode(), QStringLiteral("security-image-unreadable"));
        QCOMPARE(QImage(stored).convertToFormat(QImage::Format_RGB32), image.convertToFormat(QImage::Format_RGB32));
        m_gui->screenshot("settings-security-image");
    }

    void trustedLayerAndPanelInACall() {
        CallsController* calls = m_gui->controller->calls();
        SettingsController* settings = m_gui->controller->settings();
        QVERIFY(!settings->securityImage().isEmpty());  // chosen by the test before
        XrStatusController status;
        client::XrMode mode(status);
        mode.setCallViews(calls, settings);
        mode.start(xr::BackendPreference::OpenXR, m_gui->window);
        QVERIFY2(status.mode() == QStringLiteral("openxr"), qPrintable(status.noticeText()));
        headset_layers::HeadsetLayers* layers = mode.headsetLayers();
        QVERIFY(layers);
        QVERIFY2(layers->panel(), qPrintable(layers->panelError()));

        // A room with Dave in it (a raw participant of the call channel: what he receives is
        // exactly what the client sent into the call).
        auto dave = makeCallDevice(*m_server, QStringLiteral("dave"), 2);
        QVERIFY(dave);
        QVERIFY(m_gui->openPage("calls"));
        QQuickItem* field = m_gui->item("roomTitleField");
        QVERIFY(type(m_gui->window, field, QStringLiteral("Theatre 5")));
        QVERIFY(click(m_gui->window, m_gui->item("createRoomButton")));
        QTRY_VERIFY_WITH_TIMEOUT(calls->inRoom() && !calls->roomCode().isEmpty(), 60000);
        const std::string roomUri = calls->roomUri().toStdString();
        const std::string roomId = calls->roomUri().section(QLatin1Char(':'), -1).toStdString();
        auto joinedWith = evidenceFor(*dave->builder, roomUri);
        QVERIFY(joinedWith);
        CallWsClient ws(*m_server);
        QVERIFY(ws.open());
        proto::RoomInfo room;
        room.set_room_id(roomId);
        auto joined = ws.request(joinMessage(room, joinedWith->evidence, calls->roomCode().toStdString()),
                                 Kind::kRoomJoined);
        REQUIRE_KIND(joined, Kind::kRoomJoined);
        const quint32 daveId = joined->room_joined().participant_id();
        auto row = [&] { return calls->participants()->find(daveId); };
        QTRY_VERIFY_WITH_TIMEOUT(row() && row()->state == QLatin1String("verified"), 60000);
        int daveRow = -1;
        for (int i = 0; i < calls->participants()->rows().size(); ++i)
            if (calls->participants()->rows()[i].id == daveId)
                daveRow = i;
        QVERIFY(daveRow >= 0);

        // The trusted layer: the last layer, head-locked, opaque; Dave's badge in the verified
        // colour; the frame made of the security image's pixels.
        const headset_layers::TrustedLayerLayout layout(headset_layers::TrustedLayer::kPixels);
        const QRect badge = layout.badge(daveRow);
        const QPoint badgeSample(badge.center().x(), badge.top() + 3);  // clear of the mark
        RuntimeLayer trusted;
        QVERIFY2(trustedLayerShows([&](const RuntimeLayer& l) {
                     return near(at(l, badgeSample.x(), badgeSample.y()),
                                 headset_layers::trustedStateColour(QStringLiteral("verified")));
                 }, trusted),
                 qPrintable(trusted.pixels.empty() ? QStringLiteral("no trusted layer")
                                                   : hex(at(trusted, badgeSample.x(), badgeSample.y()))));
        QCOMPARE(trusted.layer.space, std::int32_t(XR_REFERENCE_SPACE_TYPE_VIEW));
        QCOMPARE(trusted.layer.width, std::uint32_t(headset_layers::TrustedLayer::kPixels.width()));
        {
            xr::test::RuntimeControl rt;
            const auto all = rt.submittedLayers();
            QCOMPARE(all.front().layer.type, std::int32_t(XR_TYPE_COMPOSITION_LAYER_PROJECTION));
        }
        // The frame: the security image scaled to tiles of twice the frame's width, from the
        // top-left corner (sampled in the middle of tiles, away from scaling seams).
        const int tile = 2 * layout.frame;
        const QImage expected = QImage(settings->securityImagePath())
                                    .scaled(tile, tile, Qt::KeepAspectRatioByExpanding, Qt::SmoothTransformation)
                                    .convertToFormat(QImage::Format_RGB32);
        int framePixels = 0;
        for (const QPoint p : {QPoint(tile / 2 + 1, layout.frame / 2), QPoint(tile + tile / 3, layout.frame / 3),
                               QPoint(layout.frame / 2, tile + tile / 4),
                               QPoint(static_cast<int>(trusted.layer.width) - tile / 2,
                                      static_cast<int>(trusted.layer.height) - layout.frame / 2)}) {
            const QRgb want = expected.pixel(p.x() % tile, p.y() % tile);
            QVERIFY2(near(at(trusted, p.x(), p.y()), want, 6),
                     qPrintable(QStringLiteral("frame at %1,%2: %3, image %4")
                                    .arg(p.x()).arg(p.y()).arg(hex(at(trusted, p.x(), p.y())))
                                    .arg(want, 8, 16)));
            ++framePixels;
        }
        QCOMPARE(framePixels, 4);
        for (std::size_t i = 3; i < trusted.pixels.size(); i += 4)
            QCOMPARE(int(trusted.pixels[i]), 255);  // opaque: nothing below shows through it

        // The participant panel, toggled on: a world-locked quad with the participant list.
        QCOMPARE(layers->panel()->shown(), false);
        layers->toggleParticipantPanel();
        QVERIFY(layers->panel()->shown());
        QQuickItem* daveItem = nullptr;
        QTRY_VERIFY((daveItem = findItem(layers->panel()->root(),
                                         QStringLiteral("headsetParticipant_%1").arg(daveId))) != nullptr);
        QVERIFY(daveItem->isVisible());
        RuntimeLayer panel;
        {
            xr::test::RuntimeControl rt;
            QVERIFY(QTest::qWaitFor([&] {
                const auto all = rt.submittedLayers();
                if (all.size() != 3)
                    return false;
                panel = all[1];
                return panel.layer.type == XR_TYPE_COMPOSITION_LAYER_QUAD &&
                       panel.layer.space == XR_REFERENCE_SPACE_TYPE_LOCAL &&
                       all[2].layer.space == XR_REFERENCE_SPACE_TYPE_VIEW;  // the trusted layer still on top
            }, 30000));
        }
        QCOMPARE(panel.layer.width, std::uint32_t(headset_layers::HeadsetPanel::kPixels.width()));
        QVERIFY(panel.layer.size[0] > 0.3f && panel.layer.position[2] < -0.5f);
        // Dave's row: its badge's verified border (Theme.verified, light theme) at its left edge.
        const QPointF edge = daveItem->mapToItem(layers->panel()->root(), QPointF(1, daveItem->height() / 2));
        {
            xr::test::RuntimeControl rt;
            QVERIFY2(QTest::qWaitFor([&] {
                         return rt.submittedLayer(1, panel) && !panel.pixels.empty() &&
                                near(at(panel, int(edge.x()), int(edge.y())), qRgb(0x1e, 0x7a, 0x46), 12);
                     }, 30000),
                     qPrintable(panel.pixels.empty() ? QStringLiteral("no pixels")
                                                     : hex(at(panel, int(edge.x()), int(edge.y())))));
        }

        // Dave presents a forged credential: the trusted layer shows his badge failed and the alert.
        auto forged = evidenceFor(*dave->builder, roomUri);
        QVERIFY(forged);
        std::string credential = forged->evidence.credential();
        credential[credential.size() - 1] = static_cast<char>(credential.back() ^ 0x01);
        forged->evidence.set_credential(credential);
        proto::CallMessage announce;
        announce.mutable_announce()->set_room_id(roomId);
        *announce.mutable_announce()->mutable_evidence() = forged->evidence;
        ws.send(announce);
        QTRY_VERIFY_WITH_TIMEOUT(row()->state == QLatin1String("failed"), 60000);
        const QRect alert = layout.alert(0);
        QVERIFY(trustedLayerShows([&](const RuntimeLayer& l) {
            return near(at(l, badgeSample.x(), badgeSample.y()),
                        headset_layers::trustedStateColour(QStringLiteral("failed"))) &&
                   near(at(l, alert.left() + 3, alert.center().y()), headset_layers::trustedAlertColour());
        }, trusted));

        // The input's requests: a participant's report shows on the panel; leave ends the call.
        layers->showParticipantReport(int(daveId));
        QTRY_COMPARE(calls->reportParticipant(), int(daveId));
        QQuickItem* report = findItem(layers->panel()->root(), QStringLiteral("headsetReport"));
        QVERIFY(report);
        QTRY_VERIFY(report->isVisible());

        // Nothing Dave received in the call carries the security image (neither its file nor its
        // pixels): the evidence, announcements and frames the client sent are all in his inbox.
        QVERIFY(ws.waitUntil([&] { return !ws.inbox().empty(); }));
        QFile storedFile(settings->securityImagePath());
        QVERIFY(storedFile.open(QIODevice::ReadOnly));
        const QByteArray png = storedFile.readAll();
        const QImage pixels = QImage(settings->securityImagePath()).convertToFormat(QImage::Format_RGB888);
        const QByteArray firstRow(reinterpret_cast<const char*>(pixels.constScanLine(0)), 48);
        std::size_t inspected = 0;
        for (const proto::CallMessage& m : ws.inbox()) {
            const std::string bytes = m.SerializeAsString();
            QVERIFY(!containsBytes(bytes, png.mid(png.size() / 2, 32)));
            QVERIFY(!containsBytes(bytes, firstRow));
            ++inspected;
        }
        QVERIFY(inspected > 0);

        layers->leaveCall();
        QTRY_VERIFY_WITH_TIMEOUT(!calls->inRoom(), 30000);
        mode.stop();
    }

    void cleanupTestCase() {
        m_gui.reset();
        QVERIFY(flushSceneGraph());
    }
};

TWINSEAL_TEST(HeadsetLayersTest, "headset-layers")
} // namespace test_headset_layers
} // namespace

#include "test_headset_layers.moc"
