// The gateway's Prometheus metrics, served at GET /metrics on the gateway's own port to loopback
// clients and to bearer tokens of gateway.metrics_roles (default: operators):
//   renkei_gateway_requests_total{route,method,status}   requests answered, by route pattern
//   renkei_gateway_request_seconds{route}                time to answer (histogram)
//   renkei_gateway_logins_total{result}                  log-in steps: success, wrong_password,
//                                                        wrong_second_factor, disabled, locked
//   renkei_gateway_sessions_revoked_total                sessions ended before they expired
//   renkei_gateway_pending_logins                        log-ins waiting for a step
//   renkei_build_info{version}                           this build (always 1)
//   renkei_certificate_expiry_timestamp_seconds{file}    notAfter of each certificate it uses
// Route labels are the table's patterns ("/api/v1/consultations/{id}"), never a path with ids.
#include <httplib.h>

#include <chrono>
#include <sstream>

#include "absl/strings/match.h"
#include "gateway_parts.h"
#include "prometheus/counter.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"
#include "prometheus/text_serializer.h"
#include "renkei/common/certificates.h"
#include "renkei/common/version.h"

namespace renkei::gateway {

struct GatewayMetrics::Impl {
  Impl()
      : registry(std::make_shared<prometheus::Registry>()),
        requests(
            prometheus::BuildCounter()
                .Name("renkei_gateway_requests_total")
                .Help("HTTP requests the gateway answered, by route pattern, method and status")
                .Labels({{"service", "gateway"}})
                .Register(*registry)),
        seconds(prometheus::BuildHistogram()
                    .Name("renkei_gateway_request_seconds")
                    .Help("Time from a request's arrival to its answer, by route pattern")
                    .Labels({{"service", "gateway"}})
                    .Register(*registry)),
        logins(prometheus::BuildCounter()
                   .Name("renkei_gateway_logins_total")
                   .Help("Console log-in steps by result")
                   .Labels({{"service", "gateway"}})
                   .Register(*registry)),
        revoked(prometheus::BuildCounter()
                    .Name("renkei_gateway_sessions_revoked_total")
                    .Help("Console sessions ended before they expired (their tokens revoked)")
                    .Labels({{"service", "gateway"}})
                    .Register(*registry)
                    .Add({})),
        pending(prometheus::BuildGauge()
                    .Name("renkei_gateway_pending_logins")
                    .Help("Log-ins waiting for a second factor, a new password or an enrollment")
                    .Labels({{"service", "gateway"}})
                    .Register(*registry)
                    .Add({})),
        certificates(prometheus::BuildGauge()
                         .Name("renkei_certificate_expiry_timestamp_seconds")
                         .Help("When the certificate expires (notAfter, unix seconds)")
                         .Labels({{"service", "gateway"}})
                         .Register(*registry)) {
    prometheus::BuildGauge()
        .Name("renkei_build_info")
        .Help("The version of this build (always 1)")
        .Labels({{"service", "gateway"}})
        .Register(*registry)
        .Add({{"version", std::string(common::RenkeiVersion())}})
        .Set(1);
  }

  std::shared_ptr<prometheus::Registry> registry;
  prometheus::Family<prometheus::Counter>& requests;
  prometheus::Family<prometheus::Histogram>& seconds;
  prometheus::Family<prometheus::Counter>& logins;
  prometheus::Counter& revoked;
  prometheus::Gauge& pending;
  prometheus::Family<prometheus::Gauge>& certificates;
  std::vector<std::string> certificate_files;  // set before serving
};

namespace {

const prometheus::Histogram::BucketBoundaries& Buckets() {
  static const prometheus::Histogram::BucketBoundaries buckets = {
      0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
  return buckets;
}

// When the request being answered on this thread arrived (set before routing; httplib answers a
// request on one thread from its arrival to its answer).
thread_local std::chrono::steady_clock::time_point request_started;

}  // namespace

GatewayMetrics::GatewayMetrics() : impl_(std::make_unique<Impl>()) {}
GatewayMetrics::~GatewayMetrics() = default;

void GatewayMetrics::Login(const std::string& result) {
  impl_->logins.Add({{"result", result}}).Increment();
}

void GatewayMetrics::Revoked() { impl_->revoked.Increment(); }

void GatewayMetrics::Request(const std::string& route, const std::string& method, int status,
                             double seconds) {
  impl_->requests.Add({{"route", route}, {"method", method}, {"status", std::to_string(status)}})
      .Increment();
  impl_->seconds.Add({{"route", route}}, Buckets()).Observe(seconds);
}

void GatewayMetrics::SetPending(size_t n) { impl_->pending.Set(static_cast<double>(n)); }

void GatewayMetrics::WatchCertificates(std::vector<std::string> files) {
  impl_->certificate_files = std::move(files);
}

std::string GatewayMetrics::Text() const {
  for (const std::string& file : impl_->certificate_files) {
    auto expiry = common::CertificateExpiry(file);
    if (expiry.ok()) {
      impl_->certificates.Add({{"file", file}}).Set(static_cast<double>(*expiry));
    }
  }
  std::ostringstream out;
  prometheus::TextSerializer().Serialize(out, impl_->registry->Collect());
  return out.str();
}

void Gateway::Impl::RequestArrived() { request_started = std::chrono::steady_clock::now(); }

void Gateway::Impl::CountRequest(const httplib::Request& req, const httplib::Response& res) {
  metrics_->Request(
      RouteLabel(req), req.method, res.status,
      std::chrono::duration<double>(std::chrono::steady_clock::now() - request_started).count());
}

std::string Gateway::Impl::RouteLabel(const httplib::Request& req) const {
  if (req.path == "/metrics") return "/metrics";
  if (absl::StartsWith(req.path, "/api/")) {
    const RouteMatch own = own_router_.Match(req.method, req.path);
    if (own.route != nullptr) return own.route->path;
    const RouteMatch match = router_.Match(req.method, req.path);
    return match.route != nullptr ? match.route->path : "/api/(unknown)";
  }
  if (absl::StartsWith(req.path, "/public/")) {
    const RouteMatch match = public_router_.Match(req.method, req.path);
    return match.route != nullptr ? match.route->path : "/public/(other)";
  }
  return "(console files)";
}

void Gateway::Impl::HandleMetrics(const httplib::Request& req, httplib::Response& res) {
  // Loopback (a Prometheus beside the gateway) or an allowed role's bearer token. Behind a
  // reverse proxy (public_origin set) every client may come from loopback: the token then.
  const bool trusted_address = config_.gateway().public_origin().empty() &&
                               common::IsLoopbackAddress(req.remote_addr + ":0");
  if (!trusted_address) {
    const std::string authorization = req.get_header_value("Authorization");
    auto claims =
        absl::StartsWithIgnoreCase(authorization, "Bearer ")
            ? common::VerifyToken(keys_, authorization.substr(7), NowSeconds(), instance_id_)
            : absl::StatusOr<v1::TokenClaims>(absl::UnauthenticatedError("no token"));
    bool allowed = false;
    if (claims.ok() && !revoked_->IsRevoked(claims->jti())) {
      for (int role : config_.gateway().metrics_roles()) allowed |= role == claims->role();
    }
    if (!allowed) {
      return Fail(res, absl::NotFoundError("見つかりません / not found"), 404);
    }
  }
  {
    std::lock_guard<std::mutex> lock(pending_mu_);
    metrics_->SetPending(pending_.size());
  }
  res.set_content(metrics_->Text(), "text/plain; version=0.0.4; charset=utf-8");
}

}  // namespace renkei::gateway
