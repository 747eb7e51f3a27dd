#include "gui_client.h"

#include <QtTest>

namespace twinseal::test {

Client::Client(const QString& dataDir, const QString& demoProfile) {
    viewmodels::TwinController::Options o;
    o.dataDir = dataDir;
    o.sampleAvatarDir = QStringLiteral(TWINSEAL_SOURCE_DIR "/resources/avatar");
    o.demoProfilePath = demoProfile;
    controller = std::make_unique<viewmodels::TwinController>(o);
    engine = std::make_unique<QQmlApplicationEngine>();
    engine->setInitialProperties({{QStringLiteral("controller"), QVariant::fromValue(controller.get())}});
    engine->load(QUrl(QStringLiteral("qrc:/qt/qml/TwinSeal/UI/AppWindow.qml")));
    if (!engine->rootObjects().isEmpty())
        window = qobject_cast<QQuickWindow*>(engine->rootObjects().first());
}

Client::~Client() {
    engine.reset();
    controller.reset();
}

QQuickItem* Client::item(const char* name) const {
    return window ? window->findChild<QQuickItem*>(QLatin1String(name)) : nullptr;
}

bool Client::openPage(const char* page) const {
    const QByteArray nav = QByteArray("nav_") + page;
    if (!click(window, item(nav.constData())))
        return false;
    const QByteArray pageName = QByteArray(page) + "Page";
    // My Twin shows onboarding until the twin is registered.
    if (QByteArray(page) == "myTwin" && controller->stage() != QLatin1String("ready"))
        return QTest::qWaitFor([&] { return item("onboardingPage") != nullptr; }, 2000);
    return QTest::qWaitFor(
        [&] {
            auto* p = item(pageName.constData());
            return p && p->isVisible();
        },
        2000);
}

bool click(QQuickWindow* window, QQuickItem* item) {
    if (!window || !item || !item->isVisible() || !item->isEnabled())
        return false;
    const QPointF centre = item->mapToScene(QPointF(item->width() / 2, item->height() / 2));
    QTest::mouseClick(window, Qt::LeftButton, Qt::NoModifier, centre.toPoint());
    return true;
}

bool type(QQuickWindow* window, QQuickItem* field, const QString& text) {
    if (!click(window, field))
        return false;
    field->forceActiveFocus();
    for (const QChar ch : text)
        QTest::keyClick(window, ch.toLatin1());
    return field->property("text").toString() == text;
}

bool flushSceneGraph() {
    QQuickWindow last;
    last.resize(16, 16);
    last.show();
    if (!QTest::qWaitForWindowExposed(&last))
        return false;
    (void)last.grabWindow();
    return true;
}

} // namespace twinseal::test
