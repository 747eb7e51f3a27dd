// What the GUI tests share: one client instance (TwinController + the real QML window), ways to
// operate its controls as a person does, and the scene-graph flush every test class runs last.
#pragma once

#include <QQmlApplicationEngine>
#include <QQuickItem>
#include <QQuickWindow>
#include <QString>

#include <memory>

#include <twinseal/viewmodels/twin_controller.h>

namespace twinseal::test {

// A running client: `dataDir` is its data directory; `demoProfile` is offered on the first page
// when not empty (as with --local-homenet).
struct Client {
    std::unique_ptr<viewmodels::TwinController> controller;
    std::unique_ptr<QQmlApplicationEngine> engine;
    QQuickWindow* window = nullptr;

    Client(const QString& dataDir, const QString& demoProfile);
    ~Client();
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;

    // The visible-or-not item with this objectName, or nullptr.
    [[nodiscard]] QQuickItem* item(const char* name) const;
    // Clicks the navigation rail's entry of `page` ("myTwin", "ownership", "privacy", "audit",
    // "settings"); true when that page is then shown.
    [[nodiscard]] bool openPage(const char* page) const;
    // When TWINSEAL_SCREENSHOT_DIR is set, saves the window as <dir>/<name>.png (README pictures).
    void screenshot(const char* name) const;
};

// Clicks the centre of `item` if it is visible and enabled.
[[nodiscard]] bool click(QQuickWindow* window, QQuickItem* item);
// Clicks `field`, types `text` key by key, and checks the field shows it.
[[nodiscard]] bool type(QQuickWindow* window, QQuickItem* field, const QString& text);
// Qt Quick's software renderer frees the textures of destroyed images at the next frame of any
// window: render one more frame so nothing of the clients above is left (LeakSanitizer).
[[nodiscard]] bool flushSceneGraph();

} // namespace twinseal::test
