// What the GUI tests share: one client instance (TwinController + the real QML window), ways to
// operate its controls as a person does, and the scene-graph flush every test class runs last.
#pragma once

#include <QMimeData>
#include <QQmlApplicationEngine>
#include <QQuickItem>
#include <QQuickWindow>
#include <QString>
#include <QStringList>

#include <memory>

#include <twinseal/viewmodels/twin_controller.h>

namespace twinseal::test {

// Where a client's first run stands (TwinController::Stage), for the tests' comparisons.
using Stage = viewmodels::TwinController::Stage;

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
    // The text the item `name` shows, or empty when it is missing or hidden.
    [[nodiscard]] QString shownText(const char* name) const;
    // The file or folder dialog `dialog` (objectName) of the page item `page`, or nullptr.
    [[nodiscard]] QObject* dialog(const char* page, const char* dialog) const;
    // Clicks the navigation rail's entry of `page` ("myTwin", "ownership", "privacy", "audit",
    // "settings"); true when that page is then shown.
    [[nodiscard]] bool openPage(const char* page) const;
    // When TWINSEAL_SCREENSHOT_DIR is set, saves the window as <dir>/<name>.png (README pictures).
    void screenshot(const char* name) const;
    // Every notice the twin controller has shown since the client started, one a line, then
    // "|" and the error code: a notice may be replaced at once by the next (an outcome by the
    // upload or status refresh that follows it), so a test looks for it here.
    [[nodiscard]] QString noticesShown() const;

private:
    QStringList m_notices;
};

// Scrolls the page's Flickable (a ScrollView's) so that `item` is in view, as a person would.
void scrollIntoView(QQuickItem* item);
// Clicks the centre of `item` if it is visible and enabled.
[[nodiscard]] bool click(QQuickWindow* window, QQuickItem* item);
// Clicks `field`, types `text` key by key, and checks the field shows it.
[[nodiscard]] bool type(QQuickWindow* window, QQuickItem* field, const QString& text);
// What a person does in an opened FileDialog / FolderDialog: picks `file` and presses its accept
// button (the dialog's own widgets are Qt's; the page's reaction to the choice is under test).
[[nodiscard]] bool choose(QQuickWindow* window, QObject* dialog, const QString& file);
// Drags `files` from another application into the window over the centre of `item`: a drag
// enter and move there. Then drop() releases them, or leave() takes them away again.
class FileDrag {
public:
    FileDrag(QQuickWindow* window, QQuickItem* item, const QList<QUrl>& files);
    [[nodiscard]] bool accepted() const { return m_accepted; }
    void drop();
    void leave();

private:
    QQuickWindow* m_window;
    QPoint m_at;
    QMimeData m_mime;
    bool m_accepted = false;
};
// First run through the view-model (the onboarding test covers its controls), for tests of what
// comes after: profile and passphrase, leaving the client on the avatar step; then the sample
// avatar, registration and upload, leaving it on My Twin with no error.
[[nodiscard]] bool toAvatarStep(Client& c, const QString& profile, const QString& passphrase);
[[nodiscard]] bool registerTwin(Client& c, const QString& profile, const QString& passphrase);

class HomenetServer;
// A new subscriber `supi` of `server` (its profile saved as `profileName` in the server's
// scratch folder), and `c` shown, registered with `passphrase` and on My Twin with the twin's
// status checked "active". False (with the step that failed in a warning) otherwise.
[[nodiscard]] bool activeTwin(Client& c, HomenetServer& server, const QString& profileName, const QString& supi,
                              const QString& passphrase);

// How many digital twins the service holds (`twinseal-homenet dt list`), or -1.
[[nodiscard]] int dtCount(HomenetServer& server);

// Qt Quick's software renderer frees the textures of destroyed images at the next frame of any
// window: render one more frame so nothing of the clients above is left (LeakSanitizer).
[[nodiscard]] bool flushSceneGraph();

} // namespace twinseal::test
