// A participant's device in the call tests (the shared CallTwin: a registered twin with its
// avatar on its home network, its data directory and unlocked session, the evidence builder and
// a peer verifier that knows its own home network and, when asked, other operators'), and small
// checks on CallClient's signals.
#pragma once

#include <QSignalSpy>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "call_twin.h"
#include "homenet_fixture.h"

#include <twinseal/calls/animation_frame.h>
#include <twinseal/calls/call_client.h>
#include <twinseal/calls/evidence_builder.h>
#include <twinseal/calls/peer_evidence_verifier.h>
#include <twinseal/security/subscriber.h>
#include <twinseal/twin/twin_session.h>
#include <twinseal/twin/twin_store.h>

namespace twinseal::test::calls {

// subscriber, dtId, store, session, builder, verifier (and avatarId, mediaRoot): the shared
// test support's registered twin (tests/support/call_twin.h).
using Device = twinseal::test::CallTwin;

// Subscriber `number` of `server` with a registered twin (its avatar uploaded); its verifier
// also trusts the operators of `otherHomes` (each one's root added to the device's trust
// directory, its home network to the directory). Null when a step failed.
std::unique_ptr<Device> makeDevice(HomenetServer& server, const QString& name, int number,
                                   const std::vector<security::UsimProfileData>& otherHomes = {});

// A CallClient of `server`'s room host, with its own handle; revocation re-checked only on a
// host's notice unless `revocationRecheckMs` is set.
twinseal::calls::CallClientOptions clientOptions(const HomenetServer& server, const std::string& handle,
                                                 int revocationRecheckMs = 0);

QString verifiedName();
QString codeName(security::ErrorCode c);
// Whether `reports` (CallClient::peerReport) holds a Verified report for `id`.
bool reportedVerified(const QSignalSpy& reports, quint32 id);
// Whether `reports` holds a report for `id` in `state` whose summary or JSON names `code`.
bool reportedWith(const QSignalSpy& reports, quint32 id, const QString& state, const QString& code);
// Whether `animations` (CallClient::animationReceived) holds `expected` from `from`.
bool received(const QSignalSpy& animations, quint32 from, const twinseal::calls::AnimationFrame& expected);
twinseal::calls::AnimationFrame pose(float yaw);
QString dumpReports(const QSignalSpy& reports);

} // namespace twinseal::test::calls
