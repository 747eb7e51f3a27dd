// Assertions on results, for any result type with ok() and error() whose error has a string
// `code` (a stable reason code) and `message` (netclient::ClientResult, service::ServiceResult,
// client::EmbeddedHomenetResult...), or a security::Result (REQUIRE_OK only). Each evaluates
// its argument once.
#pragma once

#include <QString>
#include <QtTest>

#include <string>

namespace twinseal::test {

template <typename Result> std::string failureText(const Result& r) {
    if constexpr (requires { r.error().message(); })
        return "unexpected failure: " + r.error().message(); // security::Error: "code: detail"
    else
        return "unexpected failure: " + std::string(r.error().code) + ": " +
               std::string(r.error().message);
}

} // namespace twinseal::test

// Fails the test (with the reason code and message) unless `r` succeeded.
#define REQUIRE_OK(r)                                                                              \
    do {                                                                                           \
        const auto& require_ok_ = (r);                                                             \
        if (!require_ok_.ok())                                                                     \
            QFAIL(::twinseal::test::failureText(require_ok_).c_str());                             \
    } while (0)

// Fails the test unless `r` is a refusal with reason code `reason` (a string literal).
#define EXPECT_CODE(r, reason)                                                                     \
    do {                                                                                           \
        const auto& expect_code_ = (r);                                                            \
        QVERIFY2(!expect_code_.ok(), "expected a refusal: " reason);                               \
        QCOMPARE(QString::fromStdString(expect_code_.error().code), QStringLiteral(reason));       \
    } while (0)
