// MILENAGE (TS 35.206) over OpenSSL's AES-128-ECB (see milenage.h).
//
//   TEMP = E_K(RAND xor OPc)
//   OUT1 = E_K(TEMP xor rot(IN1 xor OPc, r1) xor c1) xor OPc, IN1 = SQN || AMF || SQN || AMF
//   OUTi = E_K(rot(TEMP xor OPc, ri) xor ci) xor OPc,        i = 2..5
//   f1 = OUT1[0..63], f1* = OUT1[64..127], f5 = OUT2[0..47], f2 = OUT2[64..127],
//   f3 = OUT3, f4 = OUT4, f5* = OUT5[0..47].
#include "twinseal/security/milenage.h"

#include <algorithm>
#include <cstring>

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>

namespace twinseal::security {

namespace {

using Block = std::array<std::uint8_t, 16>;

// Rotation amounts in bits (multiples of 8 in MILENAGE) and the last octet of c1..c5.
constexpr unsigned kR1 = 64, kR2 = 0, kR3 = 32, kR4 = 64, kR5 = 96;
constexpr std::uint8_t kC1 = 0x00, kC2 = 0x01, kC3 = 0x02, kC4 = 0x04, kC5 = 0x08;

// A block that is cleansed when it goes out of scope (TEMP, OUTn and their inputs are
// key-dependent).
struct SecretBlock {
    Block b{};
    SecretBlock() = default;
    SecretBlock(const SecretBlock&) = delete;
    SecretBlock& operator=(const SecretBlock&) = delete;
    ~SecretBlock() { cleanse(b.data(), b.size()); }
};

// rot(x, r): cyclic left rotation by r bits (r a multiple of 8).
void rotate(const Block& in, unsigned bits, Block& out) noexcept {
    const std::size_t bytes = (bits / 8) % 16;
    for (std::size_t i = 0; i < 16; ++i)
        out[i] = in[(i + bytes) % 16];
}

Status checkLength(ByteView v, std::size_t n, const char* what) {
    if (v.size() != n)
        return makeError(ErrorCode::InvalidArgument, std::string("MILENAGE: ") + what +
                                                         " must be " + std::to_string(n) +
                                                         " bytes, got " + std::to_string(v.size()));
    return {};
}

struct CipherCtxDeleter {
    void operator()(EVP_CIPHER_CTX* c) const noexcept { EVP_CIPHER_CTX_free(c); }
};
using CipherCtxPtr = std::unique_ptr<EVP_CIPHER_CTX, CipherCtxDeleter>;

// An AES-128-ECB encryption context keyed once; EVP_CIPHER_CTX_free cleanses the schedule.
Result<CipherCtxPtr> makeAesContext(ByteView key) {
    TWINSEAL_TRY(checkLength(key, kMilenageKeySize, "K"));
    CipherCtxPtr ctx(EVP_CIPHER_CTX_new());
    if (!ctx)
        return opensslError(ErrorCode::CryptoFailure, "EVP_CIPHER_CTX_new");
    if (EVP_EncryptInit_ex(ctx.get(), EVP_aes_128_ecb(), nullptr, key.data(), nullptr) != 1 ||
        EVP_CIPHER_CTX_set_padding(ctx.get(), 0) != 1)
        return opensslError(ErrorCode::CryptoFailure, "AES-128-ECB init");
    return ctx;
}

// One AES-128 block. With ECB and padding off, EncryptUpdate on exactly one block emits it at
// once and keeps no state, so the context can be reused for every call.
Status encryptBlock(EVP_CIPHER_CTX* ctx, const Block& in, Block& out) {
    int len = 0;
    if (EVP_EncryptUpdate(ctx, out.data(), &len, in.data(), int(in.size())) != 1 ||
        len != int(out.size()))
        return opensslError(ErrorCode::CryptoFailure, "AES-128-ECB block");
    return {};
}

} // namespace

struct Milenage::Impl {
    CipherCtxPtr aes;
    Block opc{};
    ~Impl() { cleanse(opc.data(), opc.size()); }

    // TEMP = E_K(RAND xor OPc)
    Status temp(ByteView rand, Block& out) {
        TWINSEAL_TRY(checkLength(rand, kAkaRandSize, "RAND"));
        SecretBlock in;
        for (std::size_t i = 0; i < 16; ++i)
            in.b[i] = rand[i] ^ opc[i];
        return encryptBlock(aes.get(), in.b, out);
    }

    // OUT1 (f1 and f1*).
    Status out1(ByteView rand, ByteView sqn, ByteView amf, Block& out) {
        TWINSEAL_TRY(checkLength(sqn, kAkaSqnSize, "SQN"));
        TWINSEAL_TRY(checkLength(amf, kAkaAmfSize, "AMF"));
        SecretBlock t;
        TWINSEAL_TRY(temp(rand, t.b));
        SecretBlock in1;
        std::copy(sqn.begin(), sqn.end(), in1.b.begin());
        std::copy(amf.begin(), amf.end(), in1.b.begin() + 6);
        std::copy(sqn.begin(), sqn.end(), in1.b.begin() + 8);
        std::copy(amf.begin(), amf.end(), in1.b.begin() + 14);
        for (std::size_t i = 0; i < 16; ++i)
            in1.b[i] ^= opc[i];
        SecretBlock rotated;
        rotate(in1.b, kR1, rotated.b);
        for (std::size_t i = 0; i < 16; ++i)
            rotated.b[i] ^= t.b[i];
        rotated.b[15] ^= kC1;
        TWINSEAL_TRY(encryptBlock(aes.get(), rotated.b, out));
        for (std::size_t i = 0; i < 16; ++i)
            out[i] ^= opc[i];
        return {};
    }

    // OUTn for n = 2..5 from a precomputed TEMP.
    Status outN(const Block& t, unsigned r, std::uint8_t c, Block& out) {
        SecretBlock x;
        for (std::size_t i = 0; i < 16; ++i)
            x.b[i] = t[i] ^ opc[i];
        SecretBlock rotated;
        rotate(x.b, r, rotated.b);
        rotated.b[15] ^= c;
        TWINSEAL_TRY(encryptBlock(aes.get(), rotated.b, out));
        for (std::size_t i = 0; i < 16; ++i)
            out[i] ^= opc[i];
        return {};
    }

    Status outNFromRand(ByteView rand, unsigned r, std::uint8_t c, Block& out) {
        SecretBlock t;
        TWINSEAL_TRY(temp(rand, t.b));
        return outN(t.b, r, c, out);
    }
};

Milenage::Milenage(std::unique_ptr<Impl> impl) : m_impl(std::move(impl)) {}
Milenage::~Milenage() = default;
Milenage::Milenage(Milenage&&) noexcept = default;
Milenage& Milenage::operator=(Milenage&&) noexcept = default;

Result<Milenage> Milenage::create(ByteView k, ByteView opc) {
    TWINSEAL_TRY(checkLength(opc, kMilenageKeySize, "OPc"));
    auto ctx = makeAesContext(k);
    if (!ctx)
        return ctx.error();
    auto impl = std::make_unique<Impl>();
    impl->aes = std::move(*ctx);
    std::copy(opc.begin(), opc.end(), impl->opc.begin());
    return Milenage(std::move(impl));
}

Result<SecureBytes> Milenage::computeOpc(ByteView k, ByteView op) {
    TWINSEAL_TRY(checkLength(op, kMilenageKeySize, "OP"));
    auto ctx = makeAesContext(k);
    if (!ctx)
        return ctx.error();
    Block in{};
    std::copy(op.begin(), op.end(), in.begin());
    SecretBlock enc;
    TWINSEAL_TRY(encryptBlock(ctx->get(), in, enc.b));
    SecureBytes opc(kMilenageKeySize);
    for (std::size_t i = 0; i < kMilenageKeySize; ++i)
        opc[i] = enc.b[i] ^ op[i];
    return opc;
}

Result<Milenage> Milenage::createFromOp(ByteView k, ByteView op) {
    auto opc = computeOpc(k, op);
    if (!opc)
        return opc.error();
    return create(k, *opc);
}

Result<AkaMac> Milenage::f1(ByteView rand, ByteView sqn, ByteView amf) {
    SecretBlock out;
    TWINSEAL_TRY(m_impl->out1(rand, sqn, amf, out.b));
    AkaMac mac{};
    std::copy_n(out.b.begin(), kAkaMacSize, mac.begin());
    return mac;
}

Result<AkaMac> Milenage::f1Star(ByteView rand, ByteView sqn, ByteView amf) {
    SecretBlock out;
    TWINSEAL_TRY(m_impl->out1(rand, sqn, amf, out.b));
    AkaMac mac{};
    std::copy_n(out.b.begin() + 8, kAkaMacSize, mac.begin());
    return mac;
}

Result<SecureBytes> Milenage::f2(ByteView rand) {
    SecretBlock out;
    TWINSEAL_TRY(m_impl->outNFromRand(rand, kR2, kC2, out.b));
    return SecureBytes(out.b.begin() + 8, out.b.end());
}

Result<SecureBytes> Milenage::f3(ByteView rand) {
    SecretBlock out;
    TWINSEAL_TRY(m_impl->outNFromRand(rand, kR3, kC3, out.b));
    return SecureBytes(out.b.begin(), out.b.end());
}

Result<SecureBytes> Milenage::f4(ByteView rand) {
    SecretBlock out;
    TWINSEAL_TRY(m_impl->outNFromRand(rand, kR4, kC4, out.b));
    return SecureBytes(out.b.begin(), out.b.end());
}

Result<AkaAk> Milenage::f5(ByteView rand) {
    SecretBlock out;
    TWINSEAL_TRY(m_impl->outNFromRand(rand, kR2, kC2, out.b));
    AkaAk ak{};
    std::copy_n(out.b.begin(), kAkaAkSize, ak.begin());
    return ak;
}

Result<AkaAk> Milenage::f5Star(ByteView rand) {
    SecretBlock out;
    TWINSEAL_TRY(m_impl->outNFromRand(rand, kR5, kC5, out.b));
    AkaAk ak{};
    std::copy_n(out.b.begin(), kAkaAkSize, ak.begin());
    return ak;
}

Result<MilenageF2345> Milenage::f2345(ByteView rand) {
    SecretBlock t, o2, o3, o4;
    TWINSEAL_TRY(m_impl->temp(rand, t.b));
    TWINSEAL_TRY(m_impl->outN(t.b, kR2, kC2, o2.b));
    TWINSEAL_TRY(m_impl->outN(t.b, kR3, kC3, o3.b));
    TWINSEAL_TRY(m_impl->outN(t.b, kR4, kC4, o4.b));
    MilenageF2345 r;
    r.res.assign(o2.b.begin() + 8, o2.b.end());
    r.ck.assign(o3.b.begin(), o3.b.end());
    r.ik.assign(o4.b.begin(), o4.b.end());
    r.ak.assign(o2.b.begin(), o2.b.begin() + kAkaAkSize);
    return r;
}

} // namespace twinseal::security
