// What a new passphrase must be, and how strong it looks: one rule for the desktop client's
// first run and twinsealctl's commands that create keys. The passphrase protects keys at rest
// (scrypt, keys.h) against an attacker who copies the files and guesses offline.
#pragma once

#include <cstddef>
#include <string_view>

namespace twinseal::security {

// Characters (Unicode code points), not bytes.
inline constexpr std::size_t kMinPassphraseLength = 12;

enum class PassphraseStrength {
    TooShort, // refused: fewer than kMinPassphraseLength characters
    Weak,     // accepted, but few distinct characters or a repeated/sequential pattern
    Fair,
    Strong,
};

struct PassphraseAssessment {
    PassphraseStrength strength = PassphraseStrength::TooShort;
    std::size_t length = 0;   // in characters
    double estimatedBits = 0; // a rough guessing-entropy estimate (character pool x length,
                              // less for repetition and runs); a hint, not a guarantee
};

// Never logs or keeps the passphrase.
[[nodiscard]] PassphraseAssessment assessPassphrase(std::string_view utf8) noexcept;
// "too-short", "weak", "fair", "strong".
[[nodiscard]] std::string_view passphraseStrengthName(PassphraseStrength s) noexcept;
// One sentence a person can act on (English; the GUI translates its own wording).
[[nodiscard]] std::string_view passphraseHint(PassphraseStrength s) noexcept;

} // namespace twinseal::security
