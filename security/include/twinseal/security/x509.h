// X.509 for issuers: a development issuer (operator root + issuer certificate) and chain
// validation against a trust list of roots, all done by OpenSSL.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "twinseal/security/keys.h"

namespace twinseal::security {

class Certificate {
public:
    Certificate();
    ~Certificate();
    Certificate(const Certificate&);
    Certificate& operator=(const Certificate&);
    Certificate(Certificate&&) noexcept;
    Certificate& operator=(Certificate&&) noexcept;

    [[nodiscard]] static Result<Certificate> fromDer(ByteView der);
    [[nodiscard]] static Result<Certificate> fromPem(std::string_view pem);
    // All certificates in a PEM bundle.
    [[nodiscard]] static Result<std::vector<Certificate>> bundleFromPem(std::string_view pem);

    [[nodiscard]] Bytes der() const;
    [[nodiscard]] std::string pem() const;
    [[nodiscard]] std::string subject() const;  // RFC 2253 one-line form
    [[nodiscard]] std::string issuer() const;
    [[nodiscard]] std::int64_t notBefore() const;
    [[nodiscard]] std::int64_t notAfter() const;
    [[nodiscard]] Result<PublicKey> publicKey() const;
    [[nodiscard]] Digest fingerprint() const; // SHA-256 of the DER
    [[nodiscard]] void* nativeHandle() const noexcept; // X509*, security/ internals only

private:
    struct Impl;
    std::unique_ptr<Impl> m_impl;
};

// A set of trusted operator (or enterprise) roots.
class TrustList {
public:
    void add(Certificate root) { m_roots.push_back(std::move(root)); }
    [[nodiscard]] const std::vector<Certificate>& roots() const noexcept { return m_roots; }
    [[nodiscard]] bool empty() const noexcept { return m_roots.empty(); }
    [[nodiscard]] static Result<TrustList> fromPem(std::string_view pem);
    [[nodiscard]] static Result<TrustList> load(const std::string& path);

private:
    std::vector<Certificate> m_roots;
};

struct CertificateRequest {
    std::string commonName;
    std::string organisation;
    std::int64_t notBefore = 0;
    std::int64_t notAfter = 0;
    bool isCa = false;
    // End-entity TLS server certificates: subjectAltName entries such as "DNS:localhost" or
    // "IP:127.0.0.1"; when present the certificate also gets extendedKeyUsage serverAuth.
    std::vector<std::string> subjectAltNames{};
};

// Self-signed CA certificate (basicConstraints CA:TRUE, keyCertSign|cRLSign).
[[nodiscard]] Result<Certificate> createRootCertificate(const SigningKey& key,
                                                        const CertificateRequest& request);
// Certificate for `subjectKey` signed by `caKey`/`caCert` (end entity: digitalSignature).
[[nodiscard]] Result<Certificate> issueCertificate(const SigningKey& caKey,
                                                   const Certificate& caCert,
                                                   const PublicKey& subjectKey,
                                                   const CertificateRequest& request);

enum class ChainStatus { Trusted, Untrusted };

struct ChainResult {
    ChainStatus status = ChainStatus::Untrusted;
    std::string detail; // OpenSSL's verification error when untrusted
    std::string rootSubject;
};

// Validates `chain` (leaf first, intermediates after) at time `at` with OpenSSL's X509_verify_cert.
// Returns Trusted when it chains to a root in `trust`; Untrusted (with the reason) when the chain
// is well-formed but does not reach a trusted root; an Error (CertificateInvalid) when the chain
// itself is broken: unparseable, expired at `at`, bad signature between its own members.
[[nodiscard]] Result<ChainResult> validateChain(const std::vector<Certificate>& chain,
                                                const TrustList& trust, std::int64_t at);

} // namespace twinseal::security
