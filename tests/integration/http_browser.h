// A browser-like HTTP client for the gateway's tests: keeps the cookies the gateway sets and
// echoes the CSRF cookie; the gateway's JSON errors read back.
#pragma once

#include <httplib.h>

#include <map>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "renkei/v1/gateway.pb.h"

namespace renkei::testing {

// A browser-like client: keeps the cookies the gateway sets and echoes the CSRF cookie.
class Browser {
 public:
  explicit Browser(int port) : client_("127.0.0.1", port) { client_.set_read_timeout(30, 0); }
  // The same over HTTPS, trusting `ca_file`.
  Browser(const std::string& host, int port, const std::string& ca_file)
      : client_("https://" + host + ":" + std::to_string(port)) {
    client_.set_read_timeout(30, 0);
    client_.set_ca_cert_path(ca_file);
    client_.enable_server_certificate_verification(true);
  }
  httplib::Result Get(const std::string& path, httplib::Headers extra = {}) {
    return Remember(client_.Get(path, WithCookies(std::move(extra))));
  }
  httplib::Result Send(const std::string& method, const std::string& path, const std::string& body,
                       httplib::Headers extra = {}, bool csrf = true) {
    httplib::Headers h = WithCookies(std::move(extra));
    if (csrf && cookies_.count("renkei_csrf")) h.emplace("X-CSRF-Token", cookies_["renkei_csrf"]);
    if (method == "PATCH") return Remember(client_.Patch(path, h, body, "application/json"));
    if (method == "PUT") return Remember(client_.Put(path, h, body, "application/json"));
    if (method == "DELETE") return Remember(client_.Delete(path, h, body, "application/json"));
    return Remember(client_.Post(path, h, body, "application/json"));
  }
  httplib::Result LogIn(const std::string& login, const std::string& password) {
    if (!cookies_.count("renkei_csrf")) Get("/api/v1/session");
    return Send("POST", "/api/v1/login",
                R"({"login":")" + login + R"(","password":")" + password + R"("})");
  }
  std::map<std::string, std::string>& cookies() { return cookies_; }
  httplib::Client& raw() { return client_; }

 private:
  httplib::Headers WithCookies(httplib::Headers h) {
    std::string cookie;
    for (const auto& [k, v] : cookies_) {
      absl::StrAppend(&cookie, cookie.empty() ? "" : "; ", k, "=", v);
    }
    if (!cookie.empty()) h.emplace("Cookie", cookie);
    return h;
  }
  httplib::Result Remember(httplib::Result r) {
    if (!r) return r;
    for (size_t i = 0; i < r->get_header_value_count("Set-Cookie"); ++i) {
      const std::string c = r->get_header_value("Set-Cookie", i);
      const auto eq = c.find('=');
      const auto semi = c.find(';');
      const std::string name = c.substr(0, eq);
      const std::string value = c.substr(eq + 1, semi - eq - 1);
      if (c.find("Max-Age=0") != std::string::npos || value.empty()) {
        cookies_.erase(name);
      } else {
        cookies_[name] = value;
      }
    }
    return r;
  }
  httplib::Client client_;
  std::map<std::string, std::string> cookies_;
};

inline v1::HttpError ErrorOf(const httplib::Result& r) {
  v1::HttpErrorBody body;
  EXPECT_TRUE(r) << "no answer";
  if (!r) return {};
  auto s = google::protobuf::util::JsonStringToMessage(r->body, &body);
  EXPECT_TRUE(s.ok()) << "not a JSON error: " << r->body;
  return body.error();
}

inline std::vector<std::string> FieldsOf(const v1::HttpError& e) {
  std::vector<std::string> out;
  for (const auto& f : e.fields()) out.push_back(f.field());
  return out;
}

}  // namespace renkei::testing
