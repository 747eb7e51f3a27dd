// Every page fits at 1280×800 and at 1920×1080, light and dark: no visible text is elided, wider
// than its own box, outside its parent or past the window's edge (a button squeezed until its
// label is cut, a fixed-width field pushing a row out, an unwrapped sentence running off); and
// every visible control has an objectName and an accessible name. The
// pages are shown with a registered twin, as a person sees them, against the real
// twinseal-homenet on loopback; first-run onboarding with a fresh client.
#include <QAccessible>
#include <QQuickItem>
#include <QQuickWindow>
#include <QTemporaryDir>
#include <QtTest>

#include <twinseal/viewmodels/twin_controller.h>

#include "gui_client.h"
#include "homenet_fixture.h"
#include "testmain.h"

namespace {
namespace test_layout {

using namespace twinseal;
using namespace twinseal::test;

namespace {

const auto& testPassphrase() {
    static const QString value = QStringLiteral("layout passphrase");
    return value;
}

QString describe(QQuickItem* text, const char* problem) {
    QString shown = text->property("text").toString().simplified();
    if (shown.size() > 60)
        shown = shown.left(57) + QStringLiteral("...");
    return QStringLiteral("\"%1\" (%2, %3 px wide, needs %4)")
        .arg(shown, QLatin1String(problem))
        .arg(text->width())
        .arg(text->property("contentWidth").toDouble());
}

// The visible text items under `item` that do not fit horizontally.
void collectMisfits(QQuickItem* item, qreal windowWidth, QStringList* misfits) {
    if (!item->isVisible() || item->opacity() == 0)
        return;
    if (item->inherits("QQuickText") && !item->property("text").toString().isEmpty()) {
        const qreal slack = 1.0;
        const QPointF left = item->mapToScene(QPointF(0, 0));
        if (item->property("truncated").toBool())
            misfits->append(describe(item, "elided"));
        else if (item->property("contentWidth").toDouble() > item->width() + slack)
            misfits->append(describe(item, "wider than its box"));
        else if (QQuickItem* parent = item->parentItem();
                 parent && (item->x() < -slack || item->x() + item->width() > parent->width() + slack))
            misfits->append(describe(item, "outside its parent"));
        else if (left.x() + item->width() > windowWidth + slack)
            misfits->append(describe(item, "past the window's edge"));
    }
    for (QQuickItem* child : item->childItems())
        collectMisfits(child, windowWidth, misfits);
}

// The visible controls under `item` a person can operate (buttons, switches, text fields, boxes)
// that a test cannot find (no objectName) or a screen reader cannot name.
void collectUnnamed(QQuickItem* item, QStringList* unnamed) {
    if (!item->isVisible())
        return;
    const bool control = item->inherits("QQuickAbstractButton") || item->inherits("QQuickTextInput") ||
                         item->inherits("QQuickTextEdit") || item->inherits("QQuickComboBox") ||
                         item->inherits("QQuickSpinBox") || item->inherits("QQuickSlider");
    if (control) {
        QAccessibleInterface* a = QAccessible::queryAccessibleInterface(item);
        QString name = a ? a->text(QAccessible::Name) : QString();
        // A button without an Accessible.name is named by its label once assistive technology
        // is active (Qt Quick Controls do that; the offscreen platform has none to activate).
        if (name.isEmpty() && item->inherits("QQuickAbstractButton"))
            name = item->property("text").toString();
        if (item->objectName().isEmpty() || name.trimmed().isEmpty()) {
            QString in; // where it is: the nearest named ancestors
            for (QQuickItem* p = item->parentItem(); p; p = p->parentItem())
                if (!p->objectName().isEmpty())
                    in += QLatin1Char('/') + p->objectName();
            unnamed->append(QStringLiteral("%1 \"%2\" named \"%3\" in %4")
                                .arg(QLatin1String(item->metaObject()->className()), item->objectName(), name, in));
        }
        return; // its parts (a box's text field, a spin box's buttons) are the control's own
    }
    for (QQuickItem* child : item->childItems())
        collectUnnamed(child, unnamed);
}

// Shows the window at `size` and returns what does not fit on the page shown.
QStringList misfits(const Client& c, QSize size) {
    c.window->resize(size);
    // Compared by the caller; then the layouts follow the new size when the window is drawn.
    (void)QTest::qWaitFor([&] { return c.window->size() == size && c.window->contentItem()->width() == size.width(); },
                          2000);
    for (int frame = 0; frame < 3; ++frame) // nested layouts may need a few polish passes
        (void)c.window->grabWindow();
    QStringList found;
    collectMisfits(c.window->contentItem(), c.window->width(), &found);
    return found;
}

} // namespace

class LayoutTest : public QObject {
    Q_OBJECT

    std::unique_ptr<HomenetServer> m_server;
    QTemporaryDir m_data;
    std::unique_ptr<Client> m_twin; // a registered twin, for the pages after the first run

    void verifyFits(const Client& c, const QString& page) {
        for (const QSize size : {QSize(1280, 800), QSize(1920, 1080)}) {
            for (const bool dark : {false, true}) {
                QVERIFY(c.item("themeSwitch"));
                if (c.item("themeSwitch")->property("checked").toBool() != dark)
                    QVERIFY(click(c.window, c.item("themeSwitch")));
                QTRY_COMPARE(c.item("themeSwitch")->property("checked").toBool(), dark);
                const QStringList found = misfits(c, size);
                QCOMPARE(c.window->size(), size);
                const QString where = QStringLiteral("%1 at %2x%3 %4: ")
                                          .arg(page)
                                          .arg(size.width())
                                          .arg(size.height())
                                          .arg(dark ? QStringLiteral("dark") : QStringLiteral("light"));
                QVERIFY2(found.isEmpty(), qPrintable(where + found.join(QStringLiteral("; "))));
            }
        }
        QStringList unnamed;
        collectUnnamed(c.window->contentItem(), &unnamed);
        QVERIFY2(unnamed.isEmpty(), qPrintable(page + QStringLiteral(": ") + unnamed.join(QStringLiteral("; "))));
    }

private slots:
    void initTestCase() {
        m_server = std::make_unique<HomenetServer>();
        QVERIFY(m_server->start());
        const QString profile = m_server->scratch(QStringLiteral("registered.usim"));
        QVERIFY(m_server->addSubscriber(QStringLiteral("imsi-001010000004302"), profile));
        m_twin = std::make_unique<Client>(m_data.path(), QString());
        QVERIFY(m_twin->window);
        QVERIFY(QTest::qWaitForWindowExposed(m_twin->window));
        QVERIFY(registerTwin(*m_twin, profile, testPassphrase()));
        QTRY_COMPARE_WITH_TIMEOUT(m_twin->controller->twinStatus(), QStringLiteral("active"), 15000);
    }

    void firstRunFits() {
        QTemporaryDir data;
        const QString profile = m_server->scratch(QStringLiteral("first.usim"));
        QVERIFY(m_server->addSubscriber(QStringLiteral("imsi-001010000004301"), profile));
        Client c(data.path(), profile);
        QVERIFY(c.window);
        QVERIFY(QTest::qWaitForWindowExposed(c.window));
        verifyFits(c, QStringLiteral("onboarding, profile step"));
        c.controller->importProfile(QUrl::fromLocalFile(profile));
        QTRY_COMPARE(c.controller->stage(), Stage::Passphrase);
        verifyFits(c, QStringLiteral("onboarding, passphrase step"));
        c.controller->choosePassphrase(testPassphrase(), testPassphrase());
        QTRY_COMPARE_WITH_TIMEOUT(c.controller->stage(), Stage::Avatar, 30000);
        c.controller->useSampleAvatar();
        QTRY_VERIFY(c.item("registerButton") && c.item("registerButton")->isEnabled());
        verifyFits(c, QStringLiteral("onboarding, avatar step"));
    }

    void everyPageFits_data() {
        QTest::addColumn<QString>("page");
        for (const char* page : {"myTwin", "ownership", "calls", "privacy", "audit", "settings"})
            QTest::newRow(page) << QString::fromLatin1(page);
    }
    void everyPageFits() {
        QFETCH(QString, page);
        QVERIFY(m_twin);
        QVERIFY(m_twin->openPage(page.toLatin1().constData()));
        QTRY_VERIFY_WITH_TIMEOUT(!m_twin->controller->busy(), 30000);
        verifyFits(*m_twin, page);
    }

    void cleanupTestCase() {
        m_twin.reset();
        m_server.reset();
        QVERIFY(flushSceneGraph());
    }
};

TWINSEAL_TEST(LayoutTest, "layout")
} // namespace test_layout
} // namespace

#include "test_layout.moc"
