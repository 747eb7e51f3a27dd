// twinseal::Expected, the result type every library returns (security::Result is one of them).
#include <QtTest>

#include <memory>
#include <string>
#include <type_traits>

#include <twinseal/security/expected.h>
#include <twinseal/security/result.h>

#include "testmain.h"

namespace {
namespace test_expected {

namespace {

// An error whose code is a string, as the home-network client's and the service's are.
struct NamedError {
    std::string code;
    std::string message;
};

enum class Code { Ok = 0, Broken };
struct EnumError {
    Code code = Code::Broken;
    std::string detail;
};

twinseal::Expected<int, EnumError> half(int n) {
    if (n % 2 != 0)
        return EnumError{Code::Broken, std::to_string(n) + " is odd"};
    return n / 2;
}

twinseal::security::Result<int> halveEven(int n) {
    if (n % 2 != 0)
        return twinseal::security::makeError(twinseal::security::ErrorCode::InvalidArgument,
                                             std::to_string(n) + " is odd");
    return n / 2;
}

twinseal::security::Result<int> quarter(int n) {
    const auto h = halveEven(n);
    TWINSEAL_TRY(h);
    const auto q = halveEven(*h);
    TWINSEAL_TRY(q);
    return *q;
}

} // namespace

class ExpectedTest : public QObject {
    Q_OBJECT
private slots:
    void holdsAValue() {
        const auto r = half(8);
        QVERIFY(r.ok());
        QVERIFY(static_cast<bool>(r));
        QCOMPARE(r.value(), 4);
        QCOMPARE(*r, 4);
        QCOMPARE(r.code(), Code::Ok); // value-initialised code when ok
    }
    void holdsAnError() {
        const auto r = half(7);
        QVERIFY(!r.ok());
        QVERIFY(!static_cast<bool>(r));
        QCOMPARE(r.code(), Code::Broken);
        QCOMPARE(QString::fromStdString(r.error().detail), QString("7 is odd"));
    }
    void stringCodes() {
        const twinseal::Expected<std::string, NamedError> good(std::string("fine"));
        QCOMPARE(QString::fromStdString(good.code()), QString()); // empty when ok
        QCOMPARE(good->size(), std::size_t(4));
        const twinseal::Expected<std::string, NamedError> bad(NamedError{"duplicate-dt", "taken"});
        QCOMPARE(QString::fromStdString(bad.code()), QString("duplicate-dt"));
        QCOMPARE(QString::fromStdString(bad.error().message), QString("taken"));
    }
    void movesOutMoveOnlyValues() {
        twinseal::Expected<std::unique_ptr<int>, EnumError> r(std::make_unique<int>(5));
        std::unique_ptr<int> taken = std::move(r).value();
        QVERIFY(taken);
        QCOMPARE(*taken, 5);
    }
    void voidSpecialisation() {
        const twinseal::Expected<void, NamedError> done;
        QVERIFY(done.ok());
        QCOMPARE(QString::fromStdString(done.code()), QString());
        const twinseal::Expected<void, NamedError> failed(NamedError{"timeout", "no answer"});
        QVERIFY(!failed);
        QCOMPARE(QString::fromStdString(failed.code()), QString("timeout"));
        QCOMPARE(QString::fromStdString(failed.error().message), QString("no answer"));
    }
    void securityAliases() {
        static_assert(std::is_same_v<twinseal::security::Result<int>,
                                     twinseal::Expected<int, twinseal::security::Error>>);
        static_assert(std::is_same_v<twinseal::security::Status,
                                     twinseal::Expected<void, twinseal::security::Error>>);
        QCOMPARE(quarter(12).value(), 3);
        const auto r = quarter(6); // TWINSEAL_TRY passes the first error through
        QCOMPARE(r.code(), twinseal::security::ErrorCode::InvalidArgument);
        QCOMPARE(QString::fromStdString(r.error().message()),
                 QString("invalid-argument: 3 is odd"));
        QCOMPARE(twinseal::security::Status().code(), twinseal::security::ErrorCode::Ok);
    }
};

TWINSEAL_TEST(ExpectedTest, "expected")
} // namespace test_expected
} // namespace

#include "test_expected.moc"
