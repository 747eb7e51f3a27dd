// The session state machine: which transitions are legal, and the paths between states.
#include <QtTest>

#include <twinseal/xr/session_state.h>

#include <set>
#include <utility>

#include "testmain.h"
#include "xrtest.h"

namespace {
namespace test_session_state {

using namespace twinseal::xr;
using S = SessionState;

namespace {

QString str(SessionState s) { return QString::fromLatin1(sessionStateName(s).data(), qsizetype(sessionStateName(s).size())); }

QString path(const std::vector<SessionState>& steps) {
    QStringList out;
    for (auto s : steps)
        out << str(s);
    return out.join(' ');
}

} // namespace

class SessionStateTest : public QObject {
    Q_OBJECT
private slots:
    void transitionTable() {
        // The OpenXR 1.0 session lifecycle, written out pair by pair.
        const std::set<std::pair<S, S>> legal = {
            {S::Idle, S::Ready},
            {S::Idle, S::Exiting},
            {S::Ready, S::Synchronized},
            {S::Synchronized, S::Visible},
            {S::Synchronized, S::Stopping},
            {S::Visible, S::Focused},
            {S::Visible, S::Synchronized},
            {S::Focused, S::Visible},
            {S::Stopping, S::Idle},
            {S::Idle, S::LossPending},
            {S::Ready, S::LossPending},
            {S::Synchronized, S::LossPending},
            {S::Visible, S::LossPending},
            {S::Focused, S::LossPending},
            {S::Stopping, S::LossPending},
            {S::LossPending, S::Exiting},
        };
        int legalCount = 0;
        for (S from : kAllSessionStates) {
            for (S to : kAllSessionStates) {
                const bool expected = legal.count({from, to}) != 0;
                const QByteArray what = (str(from) + " -> " + str(to)).toLatin1();
                QVERIFY2(isLegalTransition(from, to) == expected, what.constData());
                const auto result = transition(from, to);
                QVERIFY2(result.has_value() == expected, what.constData());
                if (result)
                    QCOMPARE(*result, to);
                legalCount += expected;
            }
        }
        QCOMPARE(legalCount, 16);
    }

    void refusesIllegalTransitions() {
        // Skipping states, going backwards, and leaving Exiting are all refused.
        QVERIFY(!transition(S::Idle, S::Focused));
        QVERIFY(!transition(S::Ready, S::Focused));
        QVERIFY(!transition(S::Focused, S::Synchronized));
        QVERIFY(!transition(S::Focused, S::Stopping));
        QVERIFY(!transition(S::Focused, S::Exiting));
        QVERIFY(!transition(S::Stopping, S::Exiting));
        QVERIFY(!transition(S::Ready, S::Idle));
        QVERIFY(!transition(S::Exiting, S::Idle));
        QVERIFY(!transition(S::Exiting, S::LossPending));
        for (S s : kAllSessionStates)
            QVERIFY2(!transition(s, s), qPrintable(str(s)));
        // Values outside the enum are refused, never indexed.
        QVERIFY(!isLegalTransition(static_cast<S>(42), S::Ready));
        QVERIFY(!isLegalTransition(S::Idle, static_cast<S>(200)));
        QVERIFY(stepsBetween(S::Idle, static_cast<S>(9)).empty());
    }

    void stepsBetweenStates() {
        QCOMPARE(path(stepsBetween(S::Idle, S::Focused)), QString("ready synchronized visible focused"));
        QCOMPARE(path(stepsBetween(S::Focused, S::Exiting)),
                 QString("visible synchronized stopping idle exiting"));
        QCOMPARE(path(stepsBetween(S::Ready, S::Exiting)), QString("synchronized stopping idle exiting"));
        QCOMPARE(path(stepsBetween(S::Synchronized, S::Focused)), QString("visible focused"));
        QCOMPARE(path(stepsBetween(S::Focused, S::LossPending)), QString("loss-pending"));
        QCOMPARE(path(stepsBetween(S::LossPending, S::Exiting)), QString("exiting"));
        QVERIFY(stepsBetween(S::Visible, S::Visible).empty());
        QVERIFY(stepsBetween(S::Exiting, S::Idle).empty());
        QVERIFY(stepsBetween(S::LossPending, S::Idle).empty());
        // Every step of every path is itself legal.
        for (S from : kAllSessionStates) {
            for (S to : kAllSessionStates) {
                S at = from;
                for (S step : stepsBetween(from, to)) {
                    QVERIFY(isLegalTransition(at, step));
                    at = step;
                }
            }
        }
    }

    void namesAndRunning() {
        QStringList names;
        for (S s : kAllSessionStates)
            names << str(s);
        QCOMPARE(names.join(','),
                 QString("idle,ready,synchronized,visible,focused,stopping,loss-pending,exiting"));
        QVERIFY(!isRunningState(S::Idle));
        QVERIFY(!isRunningState(S::Ready));
        QVERIFY(isRunningState(S::Synchronized));
        QVERIFY(isRunningState(S::Focused));
        QVERIFY(isRunningState(S::Stopping));
        QVERIFY(!isRunningState(S::LossPending));
        QVERIFY(!isRunningState(S::Exiting));
    }
};

TWINSEAL_TEST(SessionStateTest, "session-state")
} // namespace test_session_state
} // namespace

#include "test_session_state.moc"
