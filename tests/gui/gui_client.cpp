#include "gui_client.h"

#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QtTest>

#include <algorithm>
#include <QtQuickTest/quicktest.h>

#include "homenet_fixture.h"

namespace twinseal::test {

Client::Client(const QString& dataDir, const QString& demoProfile) {
    viewmodels::TwinController::Options o;
    o.dataDir = dataDir;
    o.sampleAvatarDir = QStringLiteral(TWINSEAL_SOURCE_DIR "/resources/avatar");
    o.demoProfilePath = demoProfile;
    controller = std::make_unique<viewmodels::TwinController>(o);
    QObject::connect(controller.get(), &viewmodels::TwinController::noticeChanged, controller.get(),
                     [this] { m_notices << controller->notice(); });
    engine = std::make_unique<QQmlApplicationEngine>();
    engine->setInitialProperties({{QStringLiteral("controller"), QVariant::fromValue(controller.get())}});
    engine->load(QUrl(QStringLiteral("qrc:/qt/qml/TwinSeal/UI/AppWindow.qml")));
    if (!engine->rootObjects().isEmpty())
        window = qobject_cast<QQuickWindow*>(engine->rootObjects().first());
}

QString Client::noticesShown() const {
    return m_notices.join(QLatin1Char('\n')) + QLatin1Char('|') + controller->errorCode();
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

QString Client::shownText(const char* name) const {
    QQuickItem* t = item(name);
    return t && t->isVisible() ? t->property("text").toString() : QString();
}

QObject* Client::dialog(const char* page, const char* dialog) const {
    QQuickItem* p = item(page);
    return p ? p->findChild<QObject*>(QLatin1String(dialog)) : nullptr;
}

bool Client::openPage(const char* page) const {
    const QByteArray nav = QByteArray("nav_") + page;
    if (!click(window, item(nav.constData())))
        return false;
    const QByteArray pageName = QByteArray(page) + "Page";
    // My Twin shows onboarding until the twin is registered.
    if (QByteArray(page) == "myTwin" && controller->stage() != Stage::Ready)
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
    // A control that has just appeared may not be placed yet: layouts place their children at
    // the next polish, before the next frame. A person sees (and clicks) it only after that.
    if (!QQuickTest::qWaitForPolish(window))
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

namespace {

// Qt Quick's own file and folder dialogs (where the platform has none) keep the selection in
// their implementation, a popup over the window: that is where a person's click lands.
QObject* dialogImplementation(QQuickItem* item) {
    if (!item)
        return nullptr;
    QObject* owner = item->parent();
    if (owner && (owner->inherits("QQuickFileDialogImpl") || owner->inherits("QQuickFolderDialogImpl")) &&
        owner->property("visible").toBool())
        return owner;
    for (QQuickItem* child : item->childItems())
        if (QObject* found = dialogImplementation(child))
            return found;
    return nullptr;
}

} // namespace

void scrollIntoView(QQuickItem* item) {
    for (QQuickItem* p = item ? item->parentItem() : nullptr; p != nullptr; p = p->parentItem()) {
        if (!p->inherits("QQuickFlickable"))
            continue;
        auto* content = qvariant_cast<QQuickItem*>(p->property("contentItem"));
        if (content == nullptr)
            return;
        const QPointF top = item->mapToItem(content, QPointF(0, 0));
        const qreal maxY = std::max<qreal>(0, p->property("contentHeight").toReal() - p->height());
        p->setProperty("contentY", std::clamp<qreal>(top.y() - p->height() / 3, 0, maxY));
        return;
    }
}

bool choose(QQuickWindow* window, QObject* dialog, const QString& file) {
    if (!window || !dialog || !QTest::qWaitFor([&] { return dialog->property("visible").toBool(); }, 2000))
        return false;
    QObject* impl = nullptr;
    if (!QTest::qWaitFor([&] { return (impl = dialogImplementation(window->contentItem())); }, 2000))
        return false;
    const QUrl url = QUrl::fromLocalFile(file);
    const QFileInfo info(file);
    const bool folder = impl->inherits("QQuickFolderDialogImpl");
    // Go to the folder that holds the choice, then select it, as a person does.
    impl->setProperty("currentFolder", QUrl::fromLocalFile(info.absolutePath()));
    const char* property = folder ? "selectedFolder" : "selectedFile";
    if (!impl->setProperty(property, url) ||
        !QTest::qWaitFor([&] { return impl->property(property).toUrl() == url; }, 2000))
        return false;
    return QMetaObject::invokeMethod(dialog, "accept");
}

FileDrag::FileDrag(QQuickWindow* window, QQuickItem* item, const QList<QUrl>& files) : m_window(window) {
    if (!window || !item || !item->isVisible())
        return;
    m_at = item->mapToScene(QPointF(item->width() / 2, item->height() / 2)).toPoint();
    m_mime.setUrls(files);
    QDragEnterEvent enter(m_at, Qt::CopyAction, &m_mime, Qt::LeftButton, Qt::NoModifier);
    QCoreApplication::sendEvent(window, &enter);
    QDragMoveEvent move(m_at, Qt::CopyAction, &m_mime, Qt::LeftButton, Qt::NoModifier);
    QCoreApplication::sendEvent(window, &move);
    m_accepted = enter.isAccepted() && move.isAccepted();
}

void FileDrag::drop() {
    QDropEvent drop(m_at, Qt::CopyAction, &m_mime, Qt::NoButton, Qt::NoModifier);
    QCoreApplication::sendEvent(m_window, &drop);
}

void FileDrag::leave() {
    QDragLeaveEvent leave;
    QCoreApplication::sendEvent(m_window, &leave);
}

bool toAvatarStep(Client& c, const QString& profile, const QString& passphrase) {
    c.controller->importProfile(QUrl::fromLocalFile(profile));
    c.controller->choosePassphrase(passphrase, passphrase);
    return QTest::qWaitFor([&] { return c.controller->stage() == Stage::Avatar; }, 30000);
}

bool registerTwin(Client& c, const QString& profile, const QString& passphrase) {
    if (!toAvatarStep(c, profile, passphrase))
        return false;
    c.controller->useSampleAvatar();
    c.controller->registerTwin();
    return QTest::qWaitFor([&] { return c.controller->stage() == Stage::Ready && !c.controller->busy(); },
                           60000) &&
           c.controller->errorCode().isEmpty();
}

bool activeTwin(Client& c, HomenetServer& server, const QString& profileName, const QString& supi,
                const QString& passphrase) {
    const QString profile = server.scratch(profileName);
    if (!server.addSubscriber(supi, profile)) {
        qWarning("the subscriber %s cannot be added", qPrintable(supi));
        return false;
    }
    if (!c.window || !QTest::qWaitForWindowExposed(c.window)) {
        qWarning("the client's window is not shown");
        return false;
    }
    if (!registerTwin(c, profile, passphrase)) {
        qWarning("the twin cannot be registered: %s %s", qPrintable(c.controller->errorCode()),
                 qPrintable(c.controller->errorMessage()));
        return false;
    }
    if (!QTest::qWaitFor([&] { return c.item("myTwinPage") != nullptr; }, 5000)) {
        qWarning("My Twin is not shown after the registration");
        return false;
    }
    if (!QTest::qWaitFor([&] { return c.controller->twinStatus() == QLatin1String("active"); }, 15000)) {
        qWarning("the twin's status is \"%s\", not \"active\"", qPrintable(c.controller->twinStatus()));
        return false;
    }
    return true;
}

int dtCount(HomenetServer& server) {
    QByteArray out;
    if (server.runTool({QStringLiteral("dt"), QStringLiteral("list"), QStringLiteral("--json")}, &out) != 0)
        return -1;
    const QJsonDocument doc = QJsonDocument::fromJson(out.mid(out.indexOf('['))); // after any log lines
    return doc.isArray() ? static_cast<int>(doc.array().size()) : -1;
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
