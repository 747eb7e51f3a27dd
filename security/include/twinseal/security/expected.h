// Expected<T, E>: a value of type T, or an error E. The one result type of TwinSeal's libraries:
// security::Result, xr::Result, netclient::ClientResult and service::ServiceResult are all aliases of
// it, each with its own error struct. None of them throws across its boundary; every fallible
// call returns one of these.
//
// E is a struct with a public `code` member (a stable reason code: an enum, or a string) and a
// message or detail a person can act on. code() gives the error's code, or a value-initialised
// code (ErrorCode::Ok, an empty string) when the result holds a value.
//
// Header-only and dependency-free (target twinseal::expected), so layers that link nothing else of
// security/ (xr/) can use it.
#pragma once

#include <cassert>
#include <type_traits>
#include <utility>
#include <variant>

namespace twinseal {

// The type of E's `code` member.
template <typename E>
using ErrorCodeOf = std::remove_cvref_t<decltype(std::declval<const E&>().code)>;

template <typename T, typename E> class [[nodiscard]] Expected {
  public:
    using value_type = T;
    using error_type = E;
    using code_type = ErrorCodeOf<E>;

    Expected(T value) : m_v(std::in_place_index<0>, std::move(value)) {}
    Expected(E error) : m_v(std::in_place_index<1>, std::move(error)) {}

    [[nodiscard]] bool ok() const noexcept { return m_v.index() == 0; }
    explicit operator bool() const noexcept { return ok(); }

    T& value() & {
        assert(ok());
        return std::get<0>(m_v);
    }
    const T& value() const& {
        assert(ok());
        return std::get<0>(m_v);
    }
    T&& value() && {
        assert(ok());
        return std::get<0>(std::move(m_v));
    }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T&& operator*() && { return std::move(*this).value(); }

    const E& error() const {
        assert(!ok());
        return std::get<1>(m_v);
    }
    code_type code() const noexcept(std::is_nothrow_copy_constructible_v<code_type>) {
        const E* e = std::get_if<1>(&m_v);
        return e == nullptr ? code_type{} : e->code;
    }

  private:
    std::variant<T, E> m_v;
};

// Success without a value, or an error.
template <typename E> class [[nodiscard]] Expected<void, E> {
  public:
    using value_type = void;
    using error_type = E;
    using code_type = ErrorCodeOf<E>;

    Expected() = default;
    Expected(E error) : m_error(std::move(error)), m_ok(false) {}

    [[nodiscard]] bool ok() const noexcept { return m_ok; }
    explicit operator bool() const noexcept { return m_ok; }

    const E& error() const {
        assert(!m_ok);
        return m_error;
    }
    code_type code() const noexcept(std::is_nothrow_copy_constructible_v<code_type>) {
        return m_ok ? code_type{} : m_error.code;
    }

  private:
    E m_error{};
    bool m_ok = true;
};

} // namespace twinseal
