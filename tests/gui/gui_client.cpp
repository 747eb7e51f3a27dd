#include "gui_client.h"

#include <QDir>
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

namespace {

// Items made by a Repeater or a view have no QObject parent in the window: walk the item tree.
QQuickItem* findItem(QQuickItem* root, const QString& name) {
    if (!root)
        return nullptr;
    if (root->objectName() == name)
        return root;
    for (QQuickItem* child : root->childItems())
        if (QQuickItem* found = findItem(child, name))
            return found;
    return nullptr;
}

} // namespace

QQuickItem* Client::item(const char* name) const {
    if (!window)
        return nullptr;
    const QString n = QLatin1String(name);
    if (auto* found = window->findChild<QQuickItem*>(n))
        return found;
    return findItem(window->contentItem(), n);
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

void Client::screenshot(const char* name) const {
    const QString dir = qEnvironmentVariable("TWINSEAL_SCREENSHOT_DIR");
    if (dir.isEmpty() || !window)
        return;
    QTest::qWait(1500); // let the 3D preview and fades settle
    window->grabWindow().save(QDir(dir).filePath(QString::fromLatin1(name) + QStringLiteral(".png")));
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
