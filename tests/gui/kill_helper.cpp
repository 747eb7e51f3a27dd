// twinseal-test-kill-helper: the desktop client's real view-models (no window), run over a data
// directory against the real home network, doing one operation that the test has killed for
// real at a named point (TWINSEAL_TEST_KILL_AT, see app/viewmodels/src/kill_point.h).
//
//   twinseal-test-kill-helper DATA-DIR PROFILE PASSPHRASE register
//   twinseal-test-kill-helper DATA-DIR PROFILE PASSPHRASE recertify AVATAR-FOLDER
//   twinseal-test-kill-helper DATA-DIR PROFILE PASSPHRASE rotate-pseudonym
//   twinseal-test-kill-helper DATA-DIR PROFILE PASSPHRASE accept-transfer TRANSFER-ID
//
// It first gets the holder key ready (imports the profile and creates the key, or unlocks it),
// then starts the operation. Exit 0: the operation finished (it was not killed); 2: it failed
// (the reason code and message on stderr); 3: bad arguments.
#include <QCoreApplication>
#include <QTimer>
#include <QUrl>

#include <cstdio>

#include <twinseal/viewmodels/operation_state.h>
#include <twinseal/viewmodels/ownership_controller.h>
#include <twinseal/viewmodels/privacy_controller.h>
#include <twinseal/viewmodels/twin_controller.h>

using twinseal::viewmodels::TwinController;
using twinseal::viewmodels::OperationState;

int main(int argc, char** argv) {
    QCoreApplication app(argc, argv);
    const QStringList args = QCoreApplication::arguments();
    if (args.size() < 5)
        return 3;
    const QString& profile = args.at(2);
    const QString& passphrase = args.at(3);
    const QString& op = args.at(4);
    const QString arg = args.size() > 5 ? args.at(5) : QString();
    TwinController::Options options;
    options.dataDir = args.at(1);
    options.sampleAvatarDir = QStringLiteral(TWINSEAL_SOURCE_DIR "/resources/avatar");
    TwinController twin(options);

    // The twin's state and the pages' (a rotation is the Privacy page's, an acceptance the
    // Ownership page's).
    const OperationState* states[] = {twin.operation(), twin.ownership()->operation(), twin.privacy()->operation()};
    auto failed = [&] {
        for (const OperationState* s : states)
            if (!s->errorCode().isEmpty())
                return s;
        return static_cast<const OperationState*>(nullptr);
    };
    auto busy = [&] {
        for (const OperationState* s : states)
            if (s->busy())
                return true;
        return false;
    };
    for (const OperationState* s : states)
        QObject::connect(s, &OperationState::errorChanged, &app, [&] {
            const OperationState* f = failed();
            if (!f)
                return;
            (void)std::fprintf(stderr, "%s: %s\n", qPrintable(f->errorCode()), qPrintable(f->errorMessage()));
            QCoreApplication::exit(2);
        });
    bool started = false;
    // One step at a time, each when the previous one is done (nothing is busy).
    auto step = [&] {
        if (busy() || failed())
            return;
        if (started)
            return QCoreApplication::exit(0); // finished without being killed
        if (twin.stage() == TwinController::Stage::Profile)
            return twin.importProfile(QUrl::fromLocalFile(profile)); // synchronous: no busy change
        if (twin.stage() == TwinController::Stage::Passphrase)
            return twin.choosePassphrase(passphrase, passphrase);
        if (twin.locked())
            return twin.unlock(passphrase);
        started = true;
        if (op == QLatin1String("register")) {
            twin.useSampleAvatar();
            twin.registerTwin();
        } else if (op == QLatin1String("recertify")) {
            twin.recertify(QUrl::fromLocalFile(arg));
        } else if (op == QLatin1String("rotate-pseudonym")) {
            twin.privacy()->rotatePseudonym();
        } else if (op == QLatin1String("accept-transfer")) {
            twin.ownership()->accept(arg);
        } else {
            (void)std::fprintf(stderr, "unknown operation %s\n", qPrintable(op));
            QCoreApplication::exit(3);
        }
    };
    for (const OperationState* s : states)
        QObject::connect(s, &OperationState::busyChanged, &app, step, Qt::QueuedConnection);
    QObject::connect(&twin, &TwinController::stageChanged, &app, step, Qt::QueuedConnection);
    QTimer::singleShot(0, &app, step);
    return QCoreApplication::exec();
}
