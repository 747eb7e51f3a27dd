// X.509 certificates for issuers, built and validated with OpenSSL 3.
#include "twinseal/security/x509.h"

#include "pkey_util.h"

#include <climits>
#include <cstdint>
#include <ctime>
#include <limits>
#include <optional>
#include <string>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

namespace twinseal::security {

namespace {

struct X509Free {
    void operator()(X509* p) const noexcept { X509_free(p); }
};
struct BioFree {
    void operator()(BIO* p) const noexcept { BIO_free(p); }
};
struct BnFree {
    void operator()(BIGNUM* p) const noexcept { BN_free(p); }
};
struct PkeyFree {
    void operator()(EVP_PKEY* p) const noexcept { EVP_PKEY_free(p); }
};
struct ExtFree {
    void operator()(X509_EXTENSION* p) const noexcept { X509_EXTENSION_free(p); }
};
struct StoreFree {
    void operator()(X509_STORE* p) const noexcept { X509_STORE_free(p); }
};
struct StoreCtxFree {
    void operator()(X509_STORE_CTX* p) const noexcept { X509_STORE_CTX_free(p); }
};
struct StackFree {
    // Only the stack: the certificates belong to the caller's Certificate objects.
    void operator()(STACK_OF(X509)* p) const noexcept { sk_X509_free(p); }
};

using X509Ptr = std::unique_ptr<X509, X509Free>;
using BioPtr = std::unique_ptr<BIO, BioFree>;
using BnPtr = std::unique_ptr<BIGNUM, BnFree>;
using PkeyPtr = std::unique_ptr<EVP_PKEY, PkeyFree>;
using ExtPtr = std::unique_ptr<X509_EXTENSION, ExtFree>;
using StorePtr = std::unique_ptr<X509_STORE, StoreFree>;
using StoreCtxPtr = std::unique_ptr<X509_STORE_CTX, StoreCtxFree>;
using StackPtr = std::unique_ptr<STACK_OF(X509), StackFree>;

X509* handleOf(const Certificate& c) noexcept { return static_cast<X509*>(c.nativeHandle()); }

// A read-only memory BIO over `data` (no copy).
BioPtr memoryBio(std::string_view data) {
    if (data.size() > static_cast<std::size_t>(INT_MAX))
        return nullptr;
    return BioPtr(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
}

std::string bioContents(BIO* bio) {
    char* data = nullptr;
    const long n = BIO_get_mem_data(bio, &data);
    if (n <= 0 || data == nullptr)
        return {};
    return std::string(data, static_cast<std::size_t>(n));
}

std::string nameToString(const X509_NAME* name) {
    if (name == nullptr)
        return {};
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio || X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253) < 0) {
        ERR_clear_error();
        return {};
    }
    return bioContents(bio.get());
}

std::string subjectOf(const X509* x) { return x ? nameToString(X509_get_subject_name(x)) : ""; }

// Unix seconds of an ASN1_TIME; nullopt when it cannot be parsed.
std::optional<std::int64_t> unixSeconds(const ASN1_TIME* t) {
    if (t == nullptr)
        return std::nullopt;
    std::tm tm{};
    if (ASN1_TIME_to_tm(t, &tm) != 1) {
        ERR_clear_error();
        return std::nullopt;
    }
    return static_cast<std::int64_t>(timegm(&tm));
}

bool fitsTimeT(std::int64_t v) {
    return v >= static_cast<std::int64_t>(std::numeric_limits<std::time_t>::min()) &&
           v <= static_cast<std::int64_t>(std::numeric_limits<std::time_t>::max());
}

Status validateRequest(const CertificateRequest& request) {
    if (request.commonName.empty())
        return makeError(ErrorCode::InvalidArgument, "certificate request has no common name");
    if (request.notAfter <= request.notBefore)
        return makeError(ErrorCode::InvalidArgument,
                         "certificate request: notAfter must be later than notBefore");
    if (!fitsTimeT(request.notBefore) || !fitsTimeT(request.notAfter))
        return makeError(ErrorCode::InvalidArgument, "certificate request: validity out of range");
    return {};
}

// The digest to pass to X509_sign for `pkey`: none for Ed25519 (PureEdDSA), SHA-256 for P-256.
Result<const EVP_MD*> signingDigest(EVP_PKEY* pkey) {
    switch (EVP_PKEY_get_base_id(pkey)) {
    case EVP_PKEY_ED25519: return static_cast<const EVP_MD*>(nullptr);
    case EVP_PKEY_EC: return EVP_sha256();
    default:
        return makeError(ErrorCode::UnsupportedAlgorithm,
                         "certificate signing supports Ed25519 and ECDSA P-256 keys only");
    }
}

Result<EVP_PKEY*> signingHandle(const SigningKey& key) {
    auto* pkey = static_cast<EVP_PKEY*>(key.valid() ? key.nativeHandle() : nullptr);
    if (pkey == nullptr)
        return makeError(ErrorCode::InvalidArgument, "signing key is empty");
    return pkey;
}

// A new v3 certificate with a random 128-bit positive serial, `request`'s subject and validity,
// and `subjectKey` as its public key. The issuer name and extensions are set by the caller.
Result<X509Ptr> newCertificate(const CertificateRequest& request, EVP_PKEY* subjectKey) {
    X509Ptr x(X509_new());
    if (!x)
        return opensslError(ErrorCode::Internal, "X509_new failed");
    if (X509_set_version(x.get(), X509_VERSION_3) != 1)
        return opensslError(ErrorCode::Internal, "X509_set_version failed");

    unsigned char serial[16];
    BnPtr bn;
    do {
        if (RAND_bytes(serial, sizeof serial) != 1)
            return opensslError(ErrorCode::CryptoFailure, "RAND_bytes failed for the serial");
        bn.reset(BN_bin2bn(serial, sizeof serial, nullptr));
        if (!bn)
            return opensslError(ErrorCode::Internal, "BN_bin2bn failed");
    } while (BN_is_zero(bn.get())); // serial numbers are positive (RFC 5280 4.1.2.2)
    if (BN_to_ASN1_INTEGER(bn.get(), X509_get_serialNumber(x.get())) == nullptr)
        return opensslError(ErrorCode::Internal, "BN_to_ASN1_INTEGER failed");

    X509_NAME* name = X509_get_subject_name(x.get());
    auto addEntry = [name](const char* field, const std::string& value) {
        return X509_NAME_add_entry_by_txt(name, field, MBSTRING_UTF8,
                                          reinterpret_cast<const unsigned char*>(value.data()),
                                          static_cast<int>(value.size()), -1, 0) == 1;
    };
    if (!request.organisation.empty() && !addEntry("O", request.organisation))
        return opensslError(ErrorCode::InvalidArgument, "invalid organisation name");
    if (!addEntry("CN", request.commonName))
        return opensslError(ErrorCode::InvalidArgument, "invalid common name");

    if (ASN1_TIME_set(X509_getm_notBefore(x.get()), static_cast<std::time_t>(request.notBefore)) ==
            nullptr ||
        ASN1_TIME_set(X509_getm_notAfter(x.get()), static_cast<std::time_t>(request.notAfter)) ==
            nullptr)
        return opensslError(ErrorCode::InvalidArgument, "validity cannot be encoded");

    if (X509_set_pubkey(x.get(), subjectKey) != 1)
        return opensslError(ErrorCode::InvalidArgument, "cannot set the subject public key");
    return x;
}

Status addExtension(X509* x, X509V3_CTX* ctx, int nid, const char* value) {
    ExtPtr ext(X509V3_EXT_conf_nid(nullptr, ctx, nid, value));
    if (!ext)
        return opensslError(ErrorCode::Internal,
                            std::string("cannot build extension ") + OBJ_nid2sn(nid) + "=" + value);
    if (X509_add_ext(x, ext.get(), -1) != 1)
        return opensslError(ErrorCode::Internal,
                            std::string("cannot add extension ") + OBJ_nid2sn(nid));
    return {};
}

// Signs `x` with `pkey` and returns it as a parsed Certificate (DER round trip, so the object is
// exactly what a verifier will see).
Result<Certificate> signAndWrap(X509* x, EVP_PKEY* pkey) {
    auto md = signingDigest(pkey);
    if (!md)
        return md.error();
    if (X509_sign(x, pkey, *md) <= 0)
        return opensslError(ErrorCode::CryptoFailure, "X509_sign failed");
    unsigned char* der = nullptr;
    const int len = i2d_X509(x, &der);
    if (len <= 0)
        return opensslError(ErrorCode::Internal, "i2d_X509 failed");
    auto cert = Certificate::fromDer(ByteView(der, static_cast<std::size_t>(len)));
    OPENSSL_free(der);
    return cert;
}

std::string describeCert(const std::vector<Certificate>& chain, std::size_t depth) {
    std::string s = "depth " + std::to_string(depth);
    if (depth < chain.size())
        s += " (" + subjectOf(handleOf(chain[depth])) + ")";
    return s;
}

// The checks a chain must pass on its own, without any trust anchor: every member valid at `at`
// and, for each i, chain[i] issued (names, key identifiers, key usage) and signed by chain[i+1],
// which must be a CA within its path length. Returns an empty string when the chain is sound.
std::string internalChainProblem(const std::vector<Certificate>& chain, std::time_t at) {
    for (std::size_t i = 0; i < chain.size(); ++i) {
        X509* c = handleOf(chain[i]);
        const int nb = X509_cmp_time(X509_get0_notBefore(c), &at);
        const int na = X509_cmp_time(X509_get0_notAfter(c), &at);
        if (nb == 0 || na == 0)
            return "unparseable validity at " + describeCert(chain, i);
        if (nb > 0)
            return "certificate is not yet valid at " + describeCert(chain, i);
        if (na < 0)
            return "certificate has expired at " + describeCert(chain, i);
        if (i + 1 == chain.size())
            break;
        X509* issuer = handleOf(chain[i + 1]);
        const int issued = X509_check_issued(issuer, c);
        if (issued != X509_V_OK)
            return std::string(X509_verify_cert_error_string(issued)) + " between " +
                   describeCert(chain, i) + " and " + describeCert(chain, i + 1);
        if (X509_check_ca(issuer) != 1)
            return "issuing certificate is not a CA at " + describeCert(chain, i + 1);
        const long pathlen = X509_get_pathlen(issuer);
        if (pathlen >= 0 && static_cast<long>(i) > pathlen)
            return "path length constraint exceeded at " + describeCert(chain, i + 1);
        EVP_PKEY* key = X509_get0_pubkey(issuer);
        if (key == nullptr || X509_verify(c, key) != 1)
            return "signature of " + describeCert(chain, i) + " does not verify with the key of " +
                   describeCert(chain, i + 1);
    }
    return {};
}

bool isNoTrustedRootError(int err) {
    switch (err) {
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
        return true;
    default:
        return false;
    }
}

} // namespace

// ---- Certificate -------------------------------------------------------------------------------

struct Certificate::Impl {
    explicit Impl(X509* cert) noexcept : x(cert) {}
    ~Impl() { X509_free(x); }
    Impl(const Impl&) = delete;
    Impl& operator=(const Impl&) = delete;
    X509* x = nullptr;
};

Certificate::Certificate() = default;
Certificate::~Certificate() = default;
Certificate::Certificate(Certificate&&) noexcept = default;
Certificate& Certificate::operator=(Certificate&&) noexcept = default;

Certificate::Certificate(const Certificate& other) {
    if (other.m_impl && other.m_impl->x && X509_up_ref(other.m_impl->x) == 1)
        m_impl = std::make_unique<Impl>(other.m_impl->x);
}

Certificate& Certificate::operator=(const Certificate& other) {
    if (this != &other) {
        Certificate copy(other);
        *this = std::move(copy);
    }
    return *this;
}

Result<Certificate> Certificate::fromDer(ByteView der) {
    if (der.empty())
        return makeError(ErrorCode::MalformedInput, "empty certificate");
    if (der.size() > static_cast<std::size_t>(LONG_MAX))
        return makeError(ErrorCode::MalformedInput, "certificate too large");
    const unsigned char* p = der.data();
    X509Ptr x(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
    if (!x)
        return opensslError(ErrorCode::MalformedInput, "not a DER X.509 certificate");
    if (p != der.data() + der.size())
        return makeError(ErrorCode::MalformedInput,
                         "trailing bytes after the DER certificate (" +
                             std::to_string(der.data() + der.size() - p) + " bytes)");
    Certificate c;
    c.m_impl = std::make_unique<Impl>(x.release());
    return c;
}

Result<Certificate> Certificate::fromPem(std::string_view pem) {
    BioPtr bio = memoryBio(pem);
    if (!bio)
        return opensslError(ErrorCode::MalformedInput, "cannot read PEM text");
    X509Ptr x(PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr));
    if (!x)
        return opensslError(ErrorCode::MalformedInput, "no PEM certificate found");
    Certificate c;
    c.m_impl = std::make_unique<Impl>(x.release());
    return c;
}

Result<std::vector<Certificate>> Certificate::bundleFromPem(std::string_view pem) {
    BioPtr bio = memoryBio(pem);
    if (!bio)
        return opensslError(ErrorCode::MalformedInput, "cannot read PEM text");
    std::vector<Certificate> certs;
    while (X509* raw = PEM_read_bio_X509(bio.get(), nullptr, nullptr, nullptr)) {
        Certificate c;
        c.m_impl = std::make_unique<Impl>(raw);
        certs.push_back(std::move(c));
    }
    // The loop ends with "no start line" at the end of the text; anything else is a broken block.
    const unsigned long e = ERR_peek_last_error();
    if (e != 0 && !(ERR_GET_LIB(e) == ERR_LIB_PEM && ERR_GET_REASON(e) == PEM_R_NO_START_LINE))
        return opensslError(ErrorCode::MalformedInput,
                            "malformed PEM certificate after " + std::to_string(certs.size()) +
                                " good one(s)");
    ERR_clear_error();
    if (certs.empty())
        return makeError(ErrorCode::MalformedInput, "no PEM certificate found");
    return certs;
}

Bytes Certificate::der() const {
    X509* x = handleOf(*this);
    if (x == nullptr)
        return {};
    const int len = i2d_X509(x, nullptr);
    if (len <= 0) {
        ERR_clear_error();
        return {};
    }
    Bytes out(static_cast<std::size_t>(len));
    unsigned char* p = out.data();
    if (i2d_X509(x, &p) != len) {
        ERR_clear_error();
        return {};
    }
    return out;
}

std::string Certificate::pem() const {
    X509* x = handleOf(*this);
    if (x == nullptr)
        return {};
    BioPtr bio(BIO_new(BIO_s_mem()));
    if (!bio || PEM_write_bio_X509(bio.get(), x) != 1) {
        ERR_clear_error();
        return {};
    }
    return bioContents(bio.get());
}

std::string Certificate::subject() const { return subjectOf(handleOf(*this)); }

std::string Certificate::issuer() const {
    X509* x = handleOf(*this);
    return x ? nameToString(X509_get_issuer_name(x)) : "";
}

// An unparseable time fails closed: notBefore in the far future, notAfter in the far past.
std::int64_t Certificate::notBefore() const {
    X509* x = handleOf(*this);
    return (x ? unixSeconds(X509_get0_notBefore(x)) : std::nullopt)
        .value_or(std::numeric_limits<std::int64_t>::max());
}

std::int64_t Certificate::notAfter() const {
    X509* x = handleOf(*this);
    return (x ? unixSeconds(X509_get0_notAfter(x)) : std::nullopt)
        .value_or(std::numeric_limits<std::int64_t>::min());
}

Result<PublicKey> Certificate::publicKey() const {
    X509* x = handleOf(*this);
    if (x == nullptr)
        return makeError(ErrorCode::InvalidArgument, "empty certificate");
    const EVP_PKEY* pkey = X509_get0_pubkey(x);
    if (pkey == nullptr)
        return opensslError(ErrorCode::MalformedInput, "certificate has no usable public key");
    return detail::publicKeyOf(pkey);
}

Digest Certificate::fingerprint() const {
    Digest d{};
    X509* x = handleOf(*this);
    unsigned int len = 0;
    if (x == nullptr || X509_digest(x, EVP_sha256(), d.data(), &len) != 1 || len != d.size()) {
        ERR_clear_error();
        return Digest{};
    }
    return d;
}

void* Certificate::nativeHandle() const noexcept { return m_impl ? m_impl->x : nullptr; }

// ---- TrustList ---------------------------------------------------------------------------------

Result<TrustList> TrustList::fromPem(std::string_view pem) {
    auto certs = Certificate::bundleFromPem(pem);
    if (!certs)
        return makeError(ErrorCode::MalformedInput, "trust list: " + certs.error().detail);
    TrustList list;
    for (auto& c : *certs)
        list.add(std::move(c));
    return list;
}

Result<TrustList> TrustList::load(const std::string& path) {
    auto bytes = readFile(path);
    if (!bytes)
        return bytes.error();
    auto list = fromPem(toString(*bytes));
    if (!list)
        return makeError(ErrorCode::MalformedInput,
                         "trust list file '" + path + "': " + list.error().detail);
    return list;
}

// ---- Issuing -----------------------------------------------------------------------------------

Result<Certificate> createRootCertificate(const SigningKey& key, const CertificateRequest& request) {
    TWINSEAL_TRY(validateRequest(request));
    auto pkey = signingHandle(key);
    if (!pkey)
        return pkey.error();
    auto md = signingDigest(*pkey);
    if (!md)
        return md.error();

    auto made = newCertificate(request, *pkey);
    if (!made)
        return made.error();
    X509* x = made->get();
    if (X509_set_issuer_name(x, X509_get_subject_name(x)) != 1)
        return opensslError(ErrorCode::Internal, "cannot set the issuer name");

    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, x, x, nullptr, nullptr, 0);
    if (X509V3_set_issuer_pkey(&ctx, *pkey) != 1)
        return opensslError(ErrorCode::Internal, "X509V3_set_issuer_pkey failed");
    TWINSEAL_TRY(addExtension(x, &ctx, NID_basic_constraints, "critical,CA:TRUE,pathlen:1"));
    TWINSEAL_TRY(addExtension(x, &ctx, NID_key_usage, "critical,keyCertSign,cRLSign"));
    TWINSEAL_TRY(addExtension(x, &ctx, NID_subject_key_identifier, "hash"));
    // "always": OpenSSL otherwise omits the AKI of a self-signed certificate.
    TWINSEAL_TRY(addExtension(x, &ctx, NID_authority_key_identifier, "keyid:always"));
    return signAndWrap(x, *pkey);
}

Result<Certificate> issueCertificate(const SigningKey& caKey, const Certificate& caCert,
                                     const PublicKey& subjectKey,
                                     const CertificateRequest& request) {
    TWINSEAL_TRY(validateRequest(request));
    auto caPkey = signingHandle(caKey);
    if (!caPkey)
        return caPkey.error();
    X509* ca = handleOf(caCert);
    if (ca == nullptr)
        return makeError(ErrorCode::InvalidArgument, "CA certificate is empty");
    if (subjectKey.empty())
        return makeError(ErrorCode::InvalidArgument, "subject public key is empty");
    if (X509_check_private_key(ca, *caPkey) != 1) {
        ERR_clear_error();
        return makeError(ErrorCode::KeyMismatch,
                         "CA key does not match the public key of CA certificate " +
                             caCert.subject());
    }
    auto md = signingDigest(*caPkey);
    if (!md)
        return md.error();

    auto spki = subjectKey.spki();
    if (!spki)
        return spki.error();
    const unsigned char* p = spki->data();
    PkeyPtr subjectPkey(d2i_PUBKEY(nullptr, &p, static_cast<long>(spki->size())));
    if (!subjectPkey)
        return opensslError(ErrorCode::InvalidArgument, "subject public key is not a valid SPKI");

    auto made = newCertificate(request, subjectPkey.get());
    if (!made)
        return made.error();
    X509* x = made->get();
    if (X509_set_issuer_name(x, X509_get_subject_name(ca)) != 1)
        return opensslError(ErrorCode::Internal, "cannot set the issuer name");

    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, ca, x, nullptr, nullptr, 0);
    if (X509V3_set_issuer_pkey(&ctx, *caPkey) != 1)
        return opensslError(ErrorCode::Internal, "X509V3_set_issuer_pkey failed");
    if (request.isCa) {
        TWINSEAL_TRY(addExtension(x, &ctx, NID_basic_constraints, "critical,CA:TRUE,pathlen:0"));
        TWINSEAL_TRY(addExtension(x, &ctx, NID_key_usage,
                                  "critical,digitalSignature,keyCertSign,cRLSign"));
    } else {
        TWINSEAL_TRY(addExtension(x, &ctx, NID_basic_constraints, "critical,CA:FALSE"));
        TWINSEAL_TRY(addExtension(x, &ctx, NID_key_usage, "critical,digitalSignature"));
        if (!request.subjectAltNames.empty()) {
            std::string san;
            for (const auto& name : request.subjectAltNames) {
                if (name.rfind("DNS:", 0) != 0 && name.rfind("IP:", 0) != 0)
                    return makeError(ErrorCode::InvalidArgument,
                                     "subjectAltName must start with DNS: or IP:, got " + name);
                if (name.find(',') != std::string::npos)
                    return makeError(ErrorCode::InvalidArgument,
                                     "subjectAltName must not contain a comma: " + name);
                san += (san.empty() ? "" : ",") + name;
            }
            TWINSEAL_TRY(addExtension(x, &ctx, NID_subject_alt_name, san.c_str()));
            TWINSEAL_TRY(addExtension(x, &ctx, NID_ext_key_usage, "serverAuth"));
        }
    }
    TWINSEAL_TRY(addExtension(x, &ctx, NID_subject_key_identifier, "hash"));
    TWINSEAL_TRY(addExtension(x, &ctx, NID_authority_key_identifier, "keyid:always"));
    return signAndWrap(x, *caPkey);
}

// ---- Validation --------------------------------------------------------------------------------

Result<ChainResult> validateChain(const std::vector<Certificate>& chain, const TrustList& trust,
                                  std::int64_t at) {
    if (chain.empty())
        return makeError(ErrorCode::CertificateInvalid, "empty certificate chain");
    for (std::size_t i = 0; i < chain.size(); ++i)
        if (handleOf(chain[i]) == nullptr)
            return makeError(ErrorCode::CertificateInvalid,
                             "empty certificate in the chain at depth " + std::to_string(i));
    if (!fitsTimeT(at))
        return makeError(ErrorCode::InvalidArgument, "validation time out of range");
    const auto when = static_cast<std::time_t>(at);

    StorePtr store(X509_STORE_new());
    StackPtr untrusted(sk_X509_new_null());
    StoreCtxPtr ctx(X509_STORE_CTX_new());
    if (!store || !untrusted || !ctx)
        return opensslError(ErrorCode::Internal, "cannot allocate the verification context");
    for (const Certificate& root : trust.roots()) {
        X509* r = handleOf(root);
        if (r != nullptr && X509_STORE_add_cert(store.get(), r) != 1)
            return opensslError(ErrorCode::Internal, "cannot add a trust root");
    }
    for (std::size_t i = 1; i < chain.size(); ++i)
        if (sk_X509_push(untrusted.get(), handleOf(chain[i])) <= 0)
            return opensslError(ErrorCode::Internal, "cannot build the untrusted stack");
    if (X509_STORE_CTX_init(ctx.get(), store.get(), handleOf(chain[0]), untrusted.get()) != 1)
        return opensslError(ErrorCode::Internal, "X509_STORE_CTX_init failed");
    X509_VERIFY_PARAM* param = X509_STORE_CTX_get0_param(ctx.get());
    X509_VERIFY_PARAM_set_time(param, when);
    X509_VERIFY_PARAM_set_flags(param, X509_V_FLAG_X509_STRICT);

    const int rc = X509_verify_cert(ctx.get());
    if (rc == 1) {
        ERR_clear_error();
        STACK_OF(X509)* built = X509_STORE_CTX_get0_chain(ctx.get());
        const int n = built ? sk_X509_num(built) : 0;
        ChainResult result;
        result.status = ChainStatus::Trusted;
        result.rootSubject = n > 0 ? subjectOf(sk_X509_value(built, n - 1)) : "";
        return result;
    }
    const int err = X509_STORE_CTX_get_error(ctx.get());
    if (rc < 0 || err == X509_V_OK)
        return opensslError(ErrorCode::Internal, "X509_verify_cert failed internally");
    ERR_clear_error();

    const std::string reason = X509_verify_cert_error_string(err);
    if (isNoTrustedRootError(err)) {
        const std::string problem = internalChainProblem(chain, when);
        ERR_clear_error();
        if (problem.empty()) {
            ChainResult result;
            result.status = ChainStatus::Untrusted;
            result.detail = reason;
            return result;
        }
        return makeError(ErrorCode::CertificateInvalid,
                         "certificate chain is broken: " + problem + " (and " + reason + ")");
    }
    const int depth = X509_STORE_CTX_get_error_depth(ctx.get());
    std::string where = "depth " + std::to_string(depth);
    if (X509* current = X509_STORE_CTX_get_current_cert(ctx.get()))
        where += " (" + subjectOf(current) + ")";
    return makeError(ErrorCode::CertificateInvalid,
                     "certificate chain invalid: " + reason + " at " + where);
}

} // namespace twinseal::security
