// MILENAGE: the 3GPP example algorithm set for the authentication and key generation functions
// f1, f1*, f2, f3, f4, f5 and f5* (TS 35.205 general, TS 35.206 algorithm specification; test
// data in TS 35.207 and TS 35.208).
//
// The kernel is AES-128 (Rijndael with a 128-bit block) and the constants are the TS 35.206
// defaults: r1 = 64, r2 = 0, r3 = 32, r4 = 64, r5 = 96 (bit rotations) and c1 = 0, c2 = 1,
// c3 = 2, c4 = 4, c5 = 8 (128-bit values, the set bit in the last octet).
//
// Byte order: every value is a big-endian octet string exactly as printed in the 3GPP test
// data (bit 0 of the specification is the most significant bit of octet 0).
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>
#include <memory>

#include "twinseal/security/bytes.h"

namespace twinseal::security {

inline constexpr std::size_t kMilenageKeySize = 16;  // K, OP, OPc
inline constexpr std::size_t kAkaRandSize = 16;      // RAND
inline constexpr std::size_t kAkaSqnSize = 6;        // SQN (48 bits)
inline constexpr std::size_t kAkaAmfSize = 2;        // AMF (16 bits)
inline constexpr std::size_t kAkaMacSize = 8;        // MAC-A / MAC-S (64 bits)
inline constexpr std::size_t kAkaResSize = 8;        // RES (64 bits, the MILENAGE f2 length)
inline constexpr std::size_t kAkaAkSize = 6;         // AK / AK* (48 bits)
inline constexpr std::size_t kAkaCipherKeySize = 16; // CK, IK

using AkaMac = std::array<std::uint8_t, kAkaMacSize>;
using AkaAk = std::array<std::uint8_t, kAkaAkSize>;

// f2, f3, f4, f5 computed together (they share the first AES call, TEMP = E_K(RAND xor OPc)).
struct MilenageF2345 {
    SecureBytes res; // f2, 8 bytes
    SecureBytes ck;  // f3, 16 bytes
    SecureBytes ik;  // f4, 16 bytes
    SecureBytes ak;  // f5, 6 bytes
};

// One subscriber's MILENAGE instance: holds OPc and an AES-128 key schedule for K (one
// EVP_CIPHER_CTX, reused for every block). K itself is not retained; OPc and the key schedule
// are cleansed on destruction. Not thread-safe (the cipher context is shared by all calls);
// move-only.
class Milenage {
  public:
    ~Milenage();
    Milenage(Milenage&&) noexcept;
    Milenage& operator=(Milenage&&) noexcept;
    Milenage(const Milenage&) = delete;
    Milenage& operator=(const Milenage&) = delete;

    // From K and OPc (16 bytes each). Wrong lengths are ErrorCode::InvalidArgument.
    [[nodiscard]] static Result<Milenage> create(ByteView k, ByteView opc);
    // From K and the operator variant OP (OPc is derived with computeOpc).
    [[nodiscard]] static Result<Milenage> createFromOp(ByteView k, ByteView op);
    // OPc = OP xor E_K(OP) (TS 35.206 clause 4.1).
    [[nodiscard]] static Result<SecureBytes> computeOpc(ByteView k, ByteView op);

    // f1: network authentication code MAC-A from RAND (16), SQN (6) and AMF (2).
    [[nodiscard]] Result<AkaMac> f1(ByteView rand, ByteView sqn, ByteView amf);
    // f1*: resynchronisation authentication code MAC-S (same inputs).
    [[nodiscard]] Result<AkaMac> f1Star(ByteView rand, ByteView sqn, ByteView amf);
    // f2: RES (8 bytes).
    [[nodiscard]] Result<SecureBytes> f2(ByteView rand);
    // f3: cipher key CK (16 bytes).
    [[nodiscard]] Result<SecureBytes> f3(ByteView rand);
    // f4: integrity key IK (16 bytes).
    [[nodiscard]] Result<SecureBytes> f4(ByteView rand);
    // f5: anonymity key AK (6 bytes).
    [[nodiscard]] Result<AkaAk> f5(ByteView rand);
    // f5*: anonymity key AK* for resynchronisation (6 bytes).
    [[nodiscard]] Result<AkaAk> f5Star(ByteView rand);
    // f2..f5 at once (one TEMP computation).
    [[nodiscard]] Result<MilenageF2345> f2345(ByteView rand);

  private:
    struct Impl;
    explicit Milenage(std::unique_ptr<Impl> impl);
    std::unique_ptr<Impl> m_impl;
};

} // namespace twinseal::security
