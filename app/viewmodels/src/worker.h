// What view-models share to keep slow work (scrypt, hashing, whole-file sealing) off the UI
// thread, and passphrases out of long-lived QStrings.
#pragma once

#include <QMetaObject>
#include <QObject>
#include <QPointer>
#include <QString>
#include <QThreadPool>

#include <memory>
#include <string>

#include <twinseal/security/bytes.h>

namespace twinseal::viewmodels {

// Runs `work` on the thread pool and `done` with its result back on `owner`'s thread (not at
// all when `owner` is gone by then).
template <typename R, typename Work, typename Done>
void offThread(QObject* owner, Work work, Done done) {
    QPointer<QObject> guard(owner);
    QThreadPool::globalInstance()->start([guard, work = std::move(work), done = std::move(done)]() mutable {
        auto result = std::make_shared<R>(work());
        if (!guard)
            return;
        QMetaObject::invokeMethod(
            guard.data(),
            [guard, result, done = std::move(done)]() mutable {
                if (guard)
                    done(std::move(*result));
            },
            Qt::QueuedConnection);
    });
}

// A passphrase copied out of the UI's QString, cleansed when done.
struct Secret {
    std::string text;
    explicit Secret(const QString& s) : text(s.toStdString()) {}
    ~Secret() { security::cleanse(text.data(), text.size()); }
    Secret(const Secret&) = delete;
    Secret& operator=(const Secret&) = delete;
};

} // namespace twinseal::viewmodels
