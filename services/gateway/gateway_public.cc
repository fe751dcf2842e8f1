// The public routes (docs/gateway.md, "Public pages"): what a provider answering a resource survey
// and anyone reading the public resource map reach without an account. No session and no CSRF
// (nothing rides on a cookie): the request is authorized by what it carries (the answer link's
// token) and sent to the service with the gateway's own service identity; every client address gets
// a limited number of requests.
#include <httplib.h>
#include <sodium.h>

#include <chrono>
#include <memory>
#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_split.h"
#include "gateway_parts.h"
#include "json_writer.h"
#include "renkei/common/errors.h"
#include "renkei/common/log.h"
#include "renkei/common/tokens.h"
#include "renkei/common/validation.h"

namespace renkei::gateway {
namespace {

using google::protobuf::Message;

constexpr int64_t kPublicWindowSeconds = 600;
// A provider saving drafts of a long form, or a resident trying filters on the map, stays below.
constexpr size_t kPublicPerWindow = 120;
constexpr size_t kMaxPublicClients = 10000;
constexpr int64_t kServiceTokenSeconds = 600;
// A public form's challenge is good for an hour; a client address sends at most this many forms
// in the window (a family registering twice, a typo corrected, never a flood).
constexpr int64_t kChallengeSeconds = 3600;
constexpr size_t kFormsPerWindow = 20;
constexpr size_t kMaxUsedProofs = 100000;
constexpr char kProofHeader[] = "Renkei-Proof";

// The window a public route counts in: people reading the map or the events never lock a
// provider out of its survey answer, nor a resident out of the professionals' page.
std::string BucketOf(std::string_view route) {
  const std::string_view rest = route.substr(std::string_view("/public/v1/").size());
  const std::string_view first = rest.substr(0, rest.find_first_of("/."));
  if (first == "map") return "map ";
  if (first == "challenge") return "challenge ";
  if (first == "events") return "events ";
  if (first == "board" || first == "subscriptions" || first == "documents" || first == "notices") {
    return "sharing ";
  }
  return "";
}

std::string Mac(const std::string& key, const std::string& text) {
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  unsigned char k[crypto_auth_hmacsha256_KEYBYTES] = {};
  for (size_t i = 0; i < sizeof k && i < key.size(); ++i) k[i] = static_cast<unsigned char>(key[i]);
  crypto_auth_hmacsha256(mac, reinterpret_cast<const unsigned char*>(text.data()), text.size(), k);
  return absl::BytesToHexString(absl::string_view(reinterpret_cast<const char*>(mac), 16));
}

int LeadingZeroBits(const std::string& text) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, reinterpret_cast<const unsigned char*>(text.data()), text.size());
  int bits = 0;
  for (unsigned char byte : digest) {
    if (byte == 0) {
      bits += 8;
      continue;
    }
    for (int b = 7; b >= 0 && (byte & (1 << b)) == 0; --b) ++bits;
    break;
  }
  return bits;
}

// RFC 5987 / 6266: the UTF-8 name percent-encoded, and an ASCII fallback.
std::string Disposition(const std::string& name) {
  std::string encoded, ascii;
  for (unsigned char c : name) {
    const bool plain = std::isalnum(c) || c == '.' || c == '-' || c == '_';
    if (plain) {
      encoded += static_cast<char>(c);
    } else {
      static constexpr char kHex[] = "0123456789ABCDEF";
      encoded += '%';
      encoded += kHex[c >> 4];
      encoded += kHex[c & 15];
    }
    ascii += plain ? static_cast<char>(c) : '_';
  }
  return "attachment; filename=\"" + ascii + "\"; filename*=UTF-8''" + encoded;
}

}  // namespace

bool Gateway::Impl::PublicAllowed(const std::string& address, size_t per_window) {
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
  if (times.size() >= per_window) return false;
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
  if (PublicAllowed(BucketOf(route) + req.remote_addr, kPublicPerWindow)) return true;
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

void Gateway::Impl::HandleChallenge(const httplib::Request& req, httplib::Response& res) {
  if (!PublicAllowedOrFail(req, "/public/v1/challenge", res)) return;
  const std::string issued = std::to_string(NowSeconds()) + "." + RandomHex(8);
  const std::string challenge = issued + "." + Mac(challenge_key_, issued);
  res.set_content("{\"challenge\":\"" + challenge + "\",\"bits\":" +
                      std::to_string(config_.gateway().public_forms().proof_of_work_bits()) + "}",
                  kJson);
}

bool Gateway::Impl::ProofOk(const httplib::Request& req, httplib::Response& res) {
  const auto refuse = [&](std::string_view message) {
    Fail(res,
         common::WithErrorReason(common::InvalidField("proof", message), "PROOF_OF_WORK_FAILED"),
         400);
    return false;
  };
  constexpr std::string_view kReload =
      "送信を確認できませんでした。ページを読み込み直して、もう一度送信してください / the form's "
      "check failed: reload the page and send again";
  const std::string header = req.get_header_value(kProofHeader);
  const std::vector<std::string> parts = absl::StrSplit(header, ' ');
  if (header.size() > 200 || parts.size() != 2 || parts[1].empty() || parts[1].size() > 32) {
    return refuse(kReload);
  }
  const std::string& challenge = parts[0];
  const std::vector<std::string> fields = absl::StrSplit(challenge, '.');
  int64_t issued = 0;
  if (fields.size() != 3 || !absl::SimpleAtoi(fields[0], &issued)) return refuse(kReload);
  const std::string mac = Mac(challenge_key_, fields[0] + "." + fields[1]);
  if (mac.size() != fields[2].size() ||
      sodium_memcmp(mac.data(), fields[2].data(), mac.size()) != 0) {
    return refuse(kReload);
  }
  const int64_t now = NowSeconds();
  if (now - issued > kChallengeSeconds) return refuse(kReload);
  if (now - issued < config_.gateway().public_forms().min_fill_seconds()) {
    return refuse(
        "入力を確かめてから、もう一度送信してください / sent too quickly: check the form and "
        "send again");
  }
  if (LeadingZeroBits(challenge + ":" + parts[1]) <
      static_cast<int>(config_.gateway().public_forms().proof_of_work_bits())) {
    return refuse(kReload);
  }
  std::lock_guard<std::mutex> lock(proofs_mu_);
  for (auto it = used_proofs_.begin(); it != used_proofs_.end();) {
    it = it->second <= now - kChallengeSeconds ? used_proofs_.erase(it) : std::next(it);
  }
  if (used_proofs_.size() >= kMaxUsedProofs || !used_proofs_.emplace(challenge, issued).second) {
    return refuse(kReload);
  }
  return true;
}

std::string Gateway::Impl::OriginOf(const httplib::Request& req) const {
  if (!config_.gateway().public_origin().empty()) return config_.gateway().public_origin();
  return "http://" + req.get_header_value("Host");
}

void Gateway::Impl::WriteFile(const Message& response, httplib::Response& res) {
  const auto* d = response.GetDescriptor();
  const auto* r = response.GetReflection();
  const auto* content = d->FindFieldByName("content");
  const auto* type = d->FindFieldByName("content_type");
  const auto* name = d->FindFieldByName("file_name");
  if (content == nullptr || type == nullptr) {
    return Fail(res, absl::InternalError("内部エラー / not a file answer"));
  }
  res.set_content(r->GetString(response, content), r->GetString(response, type));
  // A file is data, never a page of this origin (a PDF or a feed opened in place runs nothing).
  res.set_header("Content-Security-Policy", "sandbox; default-src 'none'");
  if (name != nullptr && !r->GetString(response, name).empty()) {
    res.set_header("Content-Disposition", Disposition(r->GetString(response, name)));
  }
}

void Gateway::Impl::HandlePublic(const httplib::Request& req, httplib::Response& res) {
  const auto started = std::chrono::steady_clock::now();
  const RouteMatch match = public_router_.Match(req.method, req.path);
  if (match.route == nullptr) {
    return Fail(res, absl::NotFoundError("見つかりません / not found"), 404);
  }
  if (!PublicAllowedOrFail(req, match.route->path, res)) return;
  if (match.route->proof_of_work) {
    if (!PublicAllowed("forms " + req.remote_addr, kFormsPerWindow)) {
      res.set_header("Retry-After", std::to_string(kPublicWindowSeconds / 10));
      return Fail(res,
                  absl::ResourceExhaustedError("短い時間に多くの送信がありました。しばらくしてから"
                                               "もう一度お試しください / too many forms sent"),
                  429);
    }
    if (!ProofOk(req, res)) return;
  }
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
  // What only the gateway decides for a public caller: public documents only, and the feed's
  // own addresses.
  const auto* d = request->GetDescriptor();
  const auto* r = request->GetReflection();
  if (const auto* f = d->FindFieldByName("public_only")) r->SetBool(request.get(), f, true);
  if (const auto* f = d->FindFieldByName("feed_url")) {
    r->SetString(request.get(), f, OriginOf(req) + "/public/v1/notices.atom");
  }
  if (const auto* f = d->FindFieldByName("page_url")) {
    r->SetString(request.get(), f, OriginOf(req) + "/board/");
  }
  Relay(endpoint, token, *request, req, res, started);
}

}  // namespace renkei::gateway
