#include "twinseal/security/passphrase_policy.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <set>

namespace twinseal::security {

namespace {

// Decodes one UTF-8 code point (invalid bytes count as one character each).
std::uint32_t nextCodePoint(std::string_view s, std::size_t& i) noexcept {
    const auto b = static_cast<unsigned char>(s[i]);
    std::size_t extra = b >= 0xF0 ? 3 : b >= 0xE0 ? 2 : b >= 0xC0 ? 1 : 0;
    std::uint32_t cp = extra == 3 ? (b & 0x07u) : extra == 2 ? (b & 0x0Fu) : extra == 1 ? (b & 0x1Fu) : b;
    ++i;
    while (extra-- > 0 && i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80)
        cp = (cp << 6) | (static_cast<unsigned char>(s[i++]) & 0x3Fu);
    return cp;
}

} // namespace

PassphraseAssessment assessPassphrase(std::string_view utf8) noexcept {
    PassphraseAssessment a;
    bool lower = false, upper = false, digit = false, space = false, symbol = false, other = false;
    std::set<std::uint32_t> distinct;
    double bitsPerChar = 0;
    std::uint32_t previous = 0, previousStep = 0;
    std::size_t patterned = 0; // characters that repeat or continue a run (aaaa, 1234, abcd)
    for (std::size_t i = 0; i < utf8.size();) {
        const std::uint32_t cp = nextCodePoint(utf8, i);
        if (cp >= 'a' && cp <= 'z')
            lower = true;
        else if (cp >= 'A' && cp <= 'Z')
            upper = true;
        else if (cp >= '0' && cp <= '9')
            digit = true;
        else if (cp == ' ')
            space = true;
        else if (cp < 0x80)
            symbol = true;
        else
            other = true;
        if (a.length > 0) {
            const std::uint32_t step = cp - previous;
            if (step == 0 || (a.length > 1 && step == previousStep && (step == 1 || step == 0xFFFFFFFFu)))
                ++patterned;
            previousStep = step;
        }
        previous = cp;
        distinct.insert(cp);
        ++a.length;
    }
    const int pool = (lower ? 26 : 0) + (upper ? 26 : 0) + (digit ? 10 : 0) + (space ? 1 : 0) +
                     (symbol ? 32 : 0) + (other ? 100 : 0);
    if (pool > 0)
        bitsPerChar = std::log2(static_cast<double>(pool));
    // Characters that only repeat or continue a run add little; so does a small alphabet.
    const double effective = static_cast<double>(a.length - patterned);
    const double diversity = a.length == 0 ? 0 : std::min(1.0, static_cast<double>(distinct.size()) / 6.0);
    a.estimatedBits = effective * bitsPerChar * diversity;
    if (a.length < kMinPassphraseLength)
        a.strength = PassphraseStrength::TooShort;
    else if (a.estimatedBits < 50)
        a.strength = PassphraseStrength::Weak;
    else if (a.estimatedBits < 75)
        a.strength = PassphraseStrength::Fair;
    else
        a.strength = PassphraseStrength::Strong;
    return a;
}

std::string_view passphraseStrengthName(PassphraseStrength s) noexcept {
    switch (s) {
    case PassphraseStrength::TooShort: return "too-short";
    case PassphraseStrength::Weak: return "weak";
    case PassphraseStrength::Fair: return "fair";
    case PassphraseStrength::Strong: return "strong";
    }
    return "too-short";
}

std::string_view passphraseHint(PassphraseStrength s) noexcept {
    switch (s) {
    case PassphraseStrength::TooShort:
        return "Too short: use at least 12 characters, e.g. four or five unrelated words.";
    case PassphraseStrength::Weak:
        return "Weak: it repeats characters or follows a run; add unrelated words.";
    case PassphraseStrength::Fair:
        return "Fair: another unrelated word would make it much harder to guess.";
    case PassphraseStrength::Strong:
        return "Strong.";
    }
    return "";
}

} // namespace twinseal::security
