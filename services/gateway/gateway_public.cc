// The public routes (docs/gateway.md, "Public pages"): what a provider answering a resource survey
// and anyone reading the public resource map reach without an account. No session and no CSRF
// (nothing rides on a cookie): the request is authorized by what it carries (the answer link's
// token) and sent to the service with the gateway's own service identity; every client address gets
// a limited number of requests.
#include <httplib.h>

#include <chrono>
#include <memory>
#include <string>

#include "gateway_parts.h"
#include "json_writer.h"
#include "renkei/common/log.h"
#include "renkei/common/tokens.h"

namespace renkei::gateway {
namespace {

using google::protobuf::Message;

constexpr int64_t kPublicWindowSeconds = 600;
// A provider saving drafts of a long form, or a resident trying filters on the map, stays below.
constexpr size_t kPublicPerWindow = 120;
constexpr size_t kMaxPublicClients = 10000;
constexpr int64_t kServiceTokenSeconds = 600;

int64_t NowSeconds() {
  return std::chrono::duration_cast<std::chrono::seconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

}  // namespace

bool Gateway::Impl::PublicAllowed(const std::string& address) {
  const int64_t now = NowSeconds();
  std::lock_guard<std::mutex> lock(public_mu_);
  if (public_requests_.size() >= kMaxPublicClients && !public_requests_.count(address)) {
    for (auto it = public_requests_.begin(); it != public_requests_.end();) {
      it = it->second.empty() || it->second.back() <= now - kPublicWindowSeconds
               ? public_requests_.erase(it)
               : std::next(it);
    }
    if (public_requests_.size() >= kMaxPublicClients) return false;
  }
  auto& times = public_requests_[address];
  while (!times.empty() && times.front() <= now - kPublicWindowSeconds) times.pop_front();
  if (times.size() >= kPublicPerWindow) return false;
  times.push_back(now);
  return true;
}

std::string Gateway::Impl::ServiceToken() {
  if (!signing_key_) return "";
  const int64_t now = NowSeconds();
  std::lock_guard<std::mutex> lock(service_token_mu_);
  if (service_token_.empty() || service_token_exp_ - now < kServiceTokenSeconds / 2) {
    v1::TokenClaims claims;
    claims.set_iss(instance_id_);
    claims.set_aud(instance_id_);
    claims.set_sub("service:gateway-public");
    claims.set_role(v1::ROLE_SERVICE);
    claims.set_jur(config_.instance().code().empty() ? "000000" : config_.instance().code());
    claims.set_iat(static_cast<uint32_t>(now));
    claims.set_exp(static_cast<uint32_t>(now + kServiceTokenSeconds));
    auto token = common::IssueToken(*signing_key_, claims);
    if (!token.ok()) return "";
    service_token_ = *token;
    service_token_exp_ = now + kServiceTokenSeconds;
  }
  return service_token_;
}

bool Gateway::Impl::PublicAllowedOrFail(const httplib::Request& req, std::string_view route,
                                        httplib::Response& res) {
  // The map and the survey's form count apart: people browsing the map never lock a provider
  // out of its answer (behind one proxy address they would share a window otherwise).
  const bool map = route.rfind("/public/v1/map", 0) == 0;
  if (PublicAllowed(map ? "map " + req.remote_addr : req.remote_addr)) return true;
  res.set_header("Retry-After", std::to_string(kPublicWindowSeconds / 10));
  common::LogLine(common::LogLevel::kInfo, "public request limited").Field("route", route);
  Fail(res,
       absl::ResourceExhaustedError("短い時間に多くの送信がありました。しばらくしてから"
                                    "もう一度お試しください / too many requests"),
       429);
  return false;
}

void Gateway::Impl::HandleMapSettings(const httplib::Request& req, httplib::Response& res) {
  if (!PublicAllowedOrFail(req, "/public/v1/map/settings", res)) return;
  std::string json;
  AppendJson(config_.gateway().public_map(), &json);
  res.set_content(json, kJson);
}

void Gateway::Impl::HandlePublic(const httplib::Request& req, httplib::Response& res) {
  const auto started = std::chrono::steady_clock::now();
  const RouteMatch match = public_router_.Match(req.method, req.path);
  if (match.route == nullptr) {
    return Fail(res, absl::NotFoundError("見つかりません / not found"), 404);
  }
  if (!PublicAllowedOrFail(req, match.route->path, res)) return;
  const Endpoint& endpoint = endpoints_.at(match.route);
  if (endpoint.stub == nullptr) {
    return Fail(res, absl::UnavailableError(
                         "このインスタンスでは使えません / the instance has no such service"));
  }
  const std::string token = ServiceToken();
  if (token.empty() && !config_.security().unauthenticated_loopback()) {
    return Fail(res, absl::InternalError("内部エラー / cannot issue the gateway's token"));
  }
  std::unique_ptr<Message> request(endpoint.request_prototype->New());
  if (!ReadRequest(match, req, res, request.get())) return;
  Relay(endpoint, token, *request, req, res, started);
}

}  // namespace renkei::gateway
