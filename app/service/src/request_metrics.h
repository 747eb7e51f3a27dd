// What the front end counts of every request it answers: requests by endpoint and outcome, their
// latency, refusals by the rate limits, AKA and SUCI failures by reason, registrations,
// revocations and transfers; and the request-level anomaly patterns (replays and status-list
// fetches per source, registration storms).
#pragma once

#include <QByteArray>
#include <QString>

#include <string>

#include "twinseal/service/homenet_service.h"

namespace twinseal::service {

// Declares the request metrics' families (once, before the first request).
void declareRequestMetrics(MetricsRegistry& metrics);

struct AnsweredRequest {
    QByteArray method;
    QString pattern; // the route's pattern; empty when no route matched
    int status = 0;
    std::string code; // the refusal's reason code; empty for a success
    QByteArray source;
    double seconds = 0;
};

void countRequest(HomenetService& service, const AnsweredRequest& r);

} // namespace twinseal::service
