// 5G-AKA-style authentication, TS 33.501 / TS 33.535 key derivations (see aka.h).
#include "twinseal/security/aka.h"

#include <algorithm>

#include "twinseal/security/crypto.h"

namespace twinseal::security {

namespace {

constexpr std::size_t kMaxKdfParam = 0xffff;
constexpr std::size_t kMaxFqdn = 253;
constexpr std::uint8_t kSeparationBit = 0x80; // AMF bit 0 (the MSB of the first octet)
constexpr std::array<std::uint8_t, kAkaAmfSize> kResyncAmf = {0x00, 0x00};

Error invalid(std::string detail) {
    return makeError(ErrorCode::InvalidArgument, std::move(detail));
}

Status checkLength(ByteView v, std::size_t n, const char* what) {
    if (v.size() != n)
        return invalid(std::string("AKA: ") + what + " must be " + std::to_string(n) +
                       " bytes, got " + std::to_string(v.size()));
    return {};
}

bool allDigits(std::string_view s) {
    return std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

Status checkPlmn(std::string_view mcc, std::string_view mnc) {
    if (mcc.size() != 3 || !allDigits(mcc))
        return invalid("PLMN: MCC must be 3 digits");
    if ((mnc.size() != 2 && mnc.size() != 3) || !allDigits(mnc))
        return invalid("PLMN: MNC must be 2 or 3 digits");
    return {};
}

Status checkSnName(std::string_view sn) {
    if (sn.empty() || sn.size() > kMaxKdfParam)
        return invalid("AKA: serving network name must be 1..65535 bytes");
    return {};
}

SecureBytes concat(ByteView a, ByteView b) {
    SecureBytes out;
    out.reserve(a.size() + b.size());
    out.insert(out.end(), a.begin(), a.end());
    out.insert(out.end(), b.begin(), b.end());
    return out;
}

// CK || IK, the key of KAUSF and RES* derivations.
Result<SecureBytes> ckIk(ByteView ck, ByteView ik) {
    TWINSEAL_TRY(checkLength(ck, kAkaCipherKeySize, "CK"));
    TWINSEAL_TRY(checkLength(ik, kAkaCipherKeySize, "IK"));
    return concat(ck, ik);
}

bool ctEqual(ByteView a, ByteView b) {
    return constantTimeEqual(a, b);
}

} // namespace

// ---- KDF ----------------------------------------------------------------------------------------

Result<SecureBytes> kdf(ByteView key, std::uint8_t fc, std::span<const ByteView> params) {
    std::size_t total = 1;
    for (const ByteView& p : params) {
        if (p.size() > kMaxKdfParam)
            return invalid("KDF: a parameter is longer than 65535 bytes");
        total += p.size() + 2;
    }
    SecureBytes s;
    s.reserve(total);
    s.push_back(fc);
    for (const ByteView& p : params) {
        s.insert(s.end(), p.begin(), p.end());
        s.push_back(static_cast<std::uint8_t>(p.size() >> 8));
        s.push_back(static_cast<std::uint8_t>(p.size() & 0xff));
    }
    auto mac = hmacSha256(key, s);
    if (!mac)
        return mac.error();
    SecureBytes out(mac->begin(), mac->end());
    cleanse(mac->data(), mac->size());
    return out;
}

Result<SecureBytes> kdf(ByteView key, std::uint8_t fc, std::initializer_list<ByteView> params) {
    return kdf(key, fc, std::span<const ByteView>(params.begin(), params.size()));
}

// ---- SQN and names -----------------------------------------------------------------------------

AkaSqnBytes sqnToBytes(std::uint64_t sqn) noexcept {
    AkaSqnBytes out{};
    for (std::size_t i = 0; i < kAkaSqnSize; ++i)
        out[i] = static_cast<std::uint8_t>(sqn >> (8 * (kAkaSqnSize - 1 - i)));
    return out;
}

Result<std::uint64_t> sqnFromBytes(ByteView sqn) {
    TWINSEAL_TRY(checkLength(sqn, kAkaSqnSize, "SQN"));
    std::uint64_t v = 0;
    for (std::uint8_t b : sqn)
        v = v << 8 | b;
    return v;
}

Result<std::string> servingNetworkName(std::string_view mcc, std::string_view mnc) {
    TWINSEAL_TRY(checkPlmn(mcc, mnc));
    return "5G:mnc" + std::string(3 - mnc.size(), '0') + std::string(mnc) + ".mcc" +
           std::string(mcc) + ".3gppnetwork.org";
}

Result<std::string> homeNetworkDomain(std::string_view mcc, std::string_view mnc) {
    TWINSEAL_TRY(checkPlmn(mcc, mnc));
    return "5gc.mnc" + std::string(3 - mnc.size(), '0') + std::string(mnc) + ".mcc" +
           std::string(mcc) + ".3gppnetwork.org";
}

// ---- TS 33.501 Annex A ------------------------------------------------------------------------

Result<SecureBytes> deriveKausf(ByteView ck, ByteView ik, std::string_view snName,
                                ByteView sqnXorAk) {
    TWINSEAL_TRY(checkSnName(snName));
    TWINSEAL_TRY(checkLength(sqnXorAk, kAkaSqnSize, "SQN xor AK"));
    auto key = ckIk(ck, ik);
    if (!key)
        return key.error();
    return kdf(*key, kFcKausf, {view(snName), sqnXorAk});
}

Result<SecureBytes> deriveResStar(ByteView ck, ByteView ik, std::string_view snName, ByteView rand,
                                  ByteView res) {
    TWINSEAL_TRY(checkSnName(snName));
    TWINSEAL_TRY(checkLength(rand, kAkaRandSize, "RAND"));
    if (res.size() < 4 || res.size() > 16) // TS 33.102: RES is 32 to 128 bits
        return invalid("AKA: RES must be 4..16 bytes");
    auto key = ckIk(ck, ik);
    if (!key)
        return key.error();
    auto full = kdf(*key, kFcResStar, {view(snName), rand, res});
    if (!full)
        return full.error();
    return SecureBytes(full->end() - kAkaResStarSize, full->end());
}

Bytes deriveHresStar(ByteView rand, ByteView resStar) {
    Sha256 h;
    h.update(rand);
    h.update(resStar);
    const Digest d = h.finish();
    return Bytes(d.end() - 16, d.end());
}

Result<SecureBytes> deriveKseaf(ByteView kausf, std::string_view snName) {
    TWINSEAL_TRY(checkSnName(snName));
    TWINSEAL_TRY(checkLength(kausf, kAkaKeySize, "KAUSF"));
    return kdf(kausf, kFcKseaf, {view(snName)});
}

// ---- Home network
// --------------------------------------------------------------------------------

Result<AkaAuthVector> generateAuthVector(Milenage& milenage, ByteView rand, std::uint64_t sqn,
                                         ByteView amf, std::string_view snName) {
    TWINSEAL_TRY(checkLength(rand, kAkaRandSize, "RAND"));
    TWINSEAL_TRY(checkLength(amf, kAkaAmfSize, "AMF"));
    TWINSEAL_TRY(checkSnName(snName));
    if (sqn > kAkaSqnMax)
        return invalid("AKA: SQN exceeds 48 bits");
    const AkaSqnBytes sqnBytes = sqnToBytes(sqn);
    auto macA = milenage.f1(rand, sqnBytes, amf);
    if (!macA)
        return macA.error();
    auto f = milenage.f2345(rand);
    if (!f)
        return f.error();

    AkaAuthVector v;
    std::copy(rand.begin(), rand.end(), v.rand.begin());
    v.sqn = sqn;
    for (std::size_t i = 0; i < kAkaSqnSize; ++i)
        v.autn[i] = sqnBytes[i] ^ f->ak[i];
    std::copy(amf.begin(), amf.end(), v.autn.begin() + kAkaSqnSize);
    std::copy(macA->begin(), macA->end(), v.autn.begin() + kAkaSqnSize + kAkaAmfSize);

    auto xresStar = deriveResStar(f->ck, f->ik, snName, rand, f->res);
    if (!xresStar)
        return xresStar.error();
    auto kausf = deriveKausf(f->ck, f->ik, snName, ByteView(v.autn).first(kAkaSqnSize));
    if (!kausf)
        return kausf.error();
    v.hxresStar = deriveHresStar(rand, *xresStar);
    v.xresStar = std::move(*xresStar);
    v.kausf = std::move(*kausf);
    return v;
}

Result<AkaAuthVector> generateAuthVector(Milenage& milenage, Random& rng, std::uint64_t sqn,
                                         ByteView amf, std::string_view snName) {
    AkaRand rand{};
    TWINSEAL_TRY(rng.fill(rand.data(), rand.size()));
    return generateAuthVector(milenage, rand, sqn, amf, snName);
}

Status verifyResStar(const AkaAuthVector& vector, ByteView resStar) {
    if (vector.xresStar.size() != kAkaResStarSize)
        return invalid("AKA: the vector has no XRES*");
    if (!ctEqual(vector.xresStar, resStar))
        return makeError(ErrorCode::AkaResMismatch, "AKA: RES* does not match XRES*");
    return {};
}

Result<std::uint64_t> recoverSqnFromAuts(Milenage& milenage, ByteView rand, ByteView auts) {
    TWINSEAL_TRY(checkLength(rand, kAkaRandSize, "RAND"));
    TWINSEAL_TRY(checkLength(auts, kAkaAutsSize, "AUTS"));
    auto akStar = milenage.f5Star(rand);
    if (!akStar)
        return akStar.error();
    AkaSqnBytes sqnMs{};
    for (std::size_t i = 0; i < kAkaSqnSize; ++i)
        sqnMs[i] = auts[i] ^ (*akStar)[i];
    auto macS = milenage.f1Star(rand, sqnMs, kResyncAmf);
    if (!macS)
        return macS.error();
    if (!ctEqual(*macS, auts.subspan(kAkaSqnSize)))
        return makeError(ErrorCode::AkaMacFailure, "AKA: AUTS's MAC-S does not verify");
    return sqnFromBytes(sqnMs);
}

// ---- SQN = SEQ || IND -----------------------------------------------------------------------------

Result<std::uint64_t> nextHomeSqn(std::uint64_t sqnHe) {
    const std::uint64_t seq = sqnSeq(sqnHe);
    if (seq >= kAkaSeqMax)
        return invalid("AKA: SEQ is used up (2^43 - 1 reached)");
    return makeSqn(seq + 1, sqnInd(sqnHe) + 1);
}

std::uint64_t resyncHomeSqn(std::uint64_t sqnHe, std::uint64_t sqnMs) noexcept {
    const std::uint64_t seqMs = sqnSeq(sqnMs);
    const std::uint64_t nextSeq = sqnSeq(sqnHe) + 1;
    if (nextSeq > seqMs && nextSeq - seqMs <= kAkaSeqDelta)
        return sqnHe & kAkaSqnMax;
    return sqnMs & kAkaSqnMax;
}

std::uint64_t UsimSqnArray::sqnMs() const noexcept {
    unsigned best = 0;
    for (unsigned i = 1; i < kAkaIndCount; ++i)
        if (seqMs[i] > seqMs[best])
            best = i;
    return makeSqn(seqMs[best], best);
}

void UsimSqnArray::accept(std::uint64_t sqn) noexcept {
    seqMs[sqnInd(sqn)] = sqnSeq(sqn);
}

UsimSqnArray UsimSqnArray::fromHighest(std::uint64_t highestSqn) noexcept {
    UsimSqnArray a;
    a.seqMs.fill(sqnSeq(highestSqn));
    return a;
}

// ---- USIM
// ----------------------------------------------------------------------------------------

Result<AkaAuts> computeAuts(Milenage& milenage, ByteView rand, std::uint64_t sqnMs) {
    TWINSEAL_TRY(checkLength(rand, kAkaRandSize, "RAND"));
    if (sqnMs > kAkaSqnMax)
        return invalid("AKA: SQN_MS exceeds 48 bits");
    const AkaSqnBytes sqnBytes = sqnToBytes(sqnMs);
    auto akStar = milenage.f5Star(rand);
    if (!akStar)
        return akStar.error();
    auto macS = milenage.f1Star(rand, sqnBytes, kResyncAmf);
    if (!macS)
        return macS.error();
    AkaAuts auts{};
    for (std::size_t i = 0; i < kAkaSqnSize; ++i)
        auts[i] = sqnBytes[i] ^ (*akStar)[i];
    std::copy(macS->begin(), macS->end(), auts.begin() + kAkaSqnSize);
    return auts;
}

namespace {

// Why a MAC-verified SQN is not fresh; empty when it is.
using SqnFreshness = std::string (*)(std::uint64_t sqn, const void* state,
                                     const UsimSqnPolicy& policy);

std::string freshAgainstHighest(std::uint64_t sqn, const void* state,
                                const UsimSqnPolicy& policy) {
    const std::uint64_t highest = *static_cast<const std::uint64_t*>(state);
    if (sqn <= highest || sqn - highest > policy.delta)
        return "SQN " + std::to_string(sqn) + " is not fresh (highest accepted " +
               std::to_string(highest) + ")";
    return {};
}

// TS 33.102 Annex C.2.1 and C.2.2.
std::string freshAgainstArray(std::uint64_t sqn, const void* state, const UsimSqnPolicy& policy) {
    const auto& a = *static_cast<const UsimSqnArray*>(state);
    const std::uint64_t seq = sqnSeq(sqn);
    const unsigned ind = sqnInd(sqn);
    const std::uint64_t seqMs = sqnSeq(a.sqnMs());
    if (seq > seqMs && seq - seqMs > policy.delta)
        return "SEQ " + std::to_string(seq) + " jumps more than delta ahead of SEQ_MS " +
               std::to_string(seqMs);
    if (policy.ageLimit != 0 && seq < seqMs && seqMs - seq >= policy.ageLimit)
        return "SEQ " + std::to_string(seq) + " is older than the age limit (SEQ_MS " +
               std::to_string(seqMs) + ")";
    if (seq <= a.seqMs[ind])
        return "SEQ " + std::to_string(seq) + " with IND " + std::to_string(ind) +
               " is not fresh (SEQ_MS(" + std::to_string(ind) + ") is " +
               std::to_string(a.seqMs[ind]) + ")";
    return {};
}

Result<UsimChallengeResponse> checkChallenge(Milenage& milenage, ByteView rand, ByteView autn,
                                             SqnFreshness fresh, const void* sqnState,
                                             std::string_view snName, const UsimSqnPolicy& policy,
                                             bool& syncFailure) {
    syncFailure = false;
    TWINSEAL_TRY(checkLength(rand, kAkaRandSize, "RAND"));
    TWINSEAL_TRY(checkLength(autn, kAkaAutnSize, "AUTN"));
    TWINSEAL_TRY(checkSnName(snName));
    const ByteView amf = autn.subspan(kAkaSqnSize, kAkaAmfSize);
    const ByteView mac = autn.subspan(kAkaSqnSize + kAkaAmfSize);

    if (policy.requireSeparationBit && (amf[0] & kSeparationBit) == 0)
        return makeError(ErrorCode::AkaNon5gAuthentication,
                         "AKA: AUTN's AMF separation bit is 0 (not a 5G authentication vector)");

    auto ak = milenage.f5(rand);
    if (!ak)
        return ak.error();
    AkaSqnBytes sqnBytes{};
    for (std::size_t i = 0; i < kAkaSqnSize; ++i)
        sqnBytes[i] = autn[i] ^ (*ak)[i];
    auto xmac = milenage.f1(rand, sqnBytes, amf);
    if (!xmac)
        return xmac.error();
    if (!ctEqual(*xmac, mac))
        return makeError(ErrorCode::AkaMacFailure, "AKA: AUTN's MAC-A does not verify");

    auto sqn = sqnFromBytes(sqnBytes);
    if (!sqn)
        return sqn.error();
    if (std::string stale = fresh(*sqn, sqnState, policy); !stale.empty()) {
        syncFailure = true;
        return makeError(ErrorCode::AkaSyncFailure, "AKA: " + stale);
    }

    auto f = milenage.f2345(rand);
    if (!f)
        return f.error();
    auto resStar = deriveResStar(f->ck, f->ik, snName, rand, f->res);
    if (!resStar)
        return resStar.error();
    auto kausf = deriveKausf(f->ck, f->ik, snName, autn.first(kAkaSqnSize));
    if (!kausf)
        return kausf.error();
    UsimChallengeResponse r;
    r.resStar = std::move(*resStar);
    r.kausf = std::move(*kausf);
    r.res = std::move(f->res);
    r.ck = std::move(f->ck);
    r.ik = std::move(f->ik);
    r.sqn = *sqn;
    return r;
}

} // namespace

UsimChallengeOutcome verifyChallenge(Milenage& milenage, ByteView rand, ByteView autn,
                                     std::uint64_t highestAcceptedSqn, std::string_view snName,
                                     const UsimSqnPolicy& policy) {
    if (highestAcceptedSqn > kAkaSqnMax)
        return {invalid("AKA: highest accepted SQN exceeds 48 bits"), std::nullopt};
    bool syncFailure = false;
    UsimChallengeOutcome out{checkChallenge(milenage, rand, autn, &freshAgainstHighest,
                                            &highestAcceptedSqn, snName, policy, syncFailure),
                             std::nullopt};
    if (syncFailure) {
        auto auts = computeAuts(milenage, rand, highestAcceptedSqn);
        if (!auts)
            out.result = auts.error();
        else
            out.auts = *auts;
    }
    return out;
}

UsimChallengeOutcome verifyChallenge(Milenage& milenage, ByteView rand, ByteView autn,
                                     const UsimSqnArray& sqnState, std::string_view snName,
                                     const UsimSqnPolicy& policy) {
    for (std::uint64_t seq : sqnState.seqMs)
        if (seq > kAkaSeqMax)
            return {invalid("AKA: a SEQ_MS exceeds 43 bits"), std::nullopt};
    bool syncFailure = false;
    UsimChallengeOutcome out{checkChallenge(milenage, rand, autn, &freshAgainstArray, &sqnState,
                                            snName, policy, syncFailure),
                             std::nullopt};
    if (syncFailure) {
        auto auts = computeAuts(milenage, rand, sqnState.sqnMs());
        if (!auts)
            out.result = auts.error();
        else
            out.auts = *auts;
    }
    return out;
}

// ---- AKMA
// ----------------------------------------------------------------------------------------

Result<std::string> supiKdfParameter(std::string_view supi) {
    constexpr std::string_view imsi = "imsi-", nai = "nai-";
    if (supi.substr(0, imsi.size()) == imsi) {
        const std::string_view digits = supi.substr(imsi.size());
        if (digits.size() < 6 || digits.size() > 15 || !allDigits(digits))
            return invalid("AKMA: an IMSI SUPI needs 6 to 15 digits");
        return std::string(digits);
    }
    if (supi.substr(0, nai.size()) == nai) {
        const std::string_view n = supi.substr(nai.size());
        if (n.empty() || n.size() > kMaxKdfParam)
            return invalid("AKMA: empty or oversized NAI SUPI");
        return std::string(n);
    }
    return invalid("AKMA: SUPI must be \"imsi-<digits>\" or \"nai-<nai>\"");
}

Result<SecureBytes> deriveKakma(ByteView kausf, std::string_view supi) {
    TWINSEAL_TRY(checkLength(kausf, kAkaKeySize, "KAUSF"));
    auto p = supiKdfParameter(supi);
    if (!p)
        return p.error();
    return kdf(kausf, kFcKakma, {view("AKMA"), view(*p)});
}

Result<Bytes> deriveAtid(ByteView kausf, std::string_view supi) {
    TWINSEAL_TRY(checkLength(kausf, kAkaKeySize, "KAUSF"));
    auto p = supiKdfParameter(supi);
    if (!p)
        return p.error();
    auto t = kdf(kausf, kFcAtid, {view("A-TID"), view(*p)});
    if (!t)
        return t.error();
    return Bytes(t->begin(), t->end());
}

Result<std::string> akmaKeyIdentifier(ByteView aTid, std::string_view routingIndicator,
                                      std::string_view homeNetworkDomain) {
    if (aTid.empty())
        return invalid("AKMA: empty A-TID");
    if (routingIndicator.empty() || routingIndicator.size() > 4 || !allDigits(routingIndicator))
        return invalid("AKMA: routing indicator must be 1 to 4 digits");
    if (homeNetworkDomain.empty() || homeNetworkDomain.size() > kMaxFqdn ||
        homeNetworkDomain.find('@') != std::string_view::npos)
        return invalid("AKMA: bad home network domain");
    return base64UrlEncode(aTid) + "@rid" + std::string(routingIndicator) + ".akma." +
           std::string(homeNetworkDomain);
}

Result<Bytes> akmaAfId(std::string_view afFqdn, const UaProtocolId& protocol) {
    if (afFqdn.empty() || afFqdn.size() > kMaxFqdn)
        return invalid("AKMA: AF FQDN must be 1..253 characters");
    Bytes id(afFqdn.begin(), afFqdn.end());
    id.insert(id.end(), protocol.begin(), protocol.end());
    return id;
}

Result<SecureBytes> deriveKaf(ByteView kakma, ByteView afId) {
    TWINSEAL_TRY(checkLength(kakma, kAkaKeySize, "K_AKMA"));
    if (afId.size() <= std::tuple_size_v<UaProtocolId> || afId.size() > kMaxKdfParam)
        return invalid("AKMA: AF_ID must be an FQDN followed by a 5-octet protocol identifier");
    return kdf(kakma, kFcKaf, {afId});
}

} // namespace twinseal::security
