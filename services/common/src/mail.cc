#include "renkei/common/mail.h"

#include <curl/curl.h>

#include <ctime>
#include <fstream>
#include <mutex>
#include <sstream>

#include "absl/strings/escaping.h"
#include "renkei/common/ids.h"
#include "renkei/common/validation.h"

namespace renkei::common {
namespace {

// Base64 lines of at most 76 characters (RFC 2045).
std::string WrappedBase64(const std::string& bytes) {
  std::string b64 = absl::Base64Escape(bytes);
  std::string out;
  for (size_t i = 0; i < b64.size(); i += 76) out += b64.substr(i, 76) + "\r\n";
  return out;
}

bool HasLineBreak(const std::string& s) {
  return s.find('\r') != std::string::npos || s.find('\n') != std::string::npos;
}

class SmtpMailer final : public Mailer {
 public:
  SmtpMailer(v1::MailConfig config, std::string credentials)
      : config_(std::move(config)), credentials_(std::move(credentials)) {
    static std::once_flag once;
    std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
  }

  absl::Status Send(const MailMessage& m) override {
    if (HasLineBreak(m.to) || HasLineBreak(m.subject)) {
      return absl::InvalidArgumentError("宛先か件名に改行があります / line break in a header");
    }
    const std::string wire = FormatMail(m, config_.from_address(),
                                        static_cast<int64_t>(std::time(nullptr)), NewId("mail"));
    CURL* curl = curl_easy_init();
    if (curl == nullptr) return absl::UnavailableError("libcurl could not start");
    struct Reader {
      const std::string* data;
      size_t at = 0;
    } reader{&wire};
    auto read = +[](char* buf, size_t size, size_t n, void* user) -> size_t {
      auto* r = static_cast<Reader*>(user);
      size_t want = std::min(size * n, r->data->size() - r->at);
      r->data->copy(buf, want, r->at);
      r->at += want;
      return want;
    };
    const std::string from = "<" + config_.from_address() + ">";
    const std::string to = "<" + m.to + ">";
    curl_slist* rcpt = curl_slist_append(nullptr, to.c_str());
    curl_easy_setopt(curl, CURLOPT_URL, config_.smtp_url().c_str());
    curl_easy_setopt(curl, CURLOPT_MAIL_FROM, from.c_str());
    curl_easy_setopt(curl, CURLOPT_MAIL_RCPT, rcpt);
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, read);
    curl_easy_setopt(curl, CURLOPT_READDATA, &reader);
    curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);
    curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS,
                     static_cast<long>(config_.timeout_ms() > 0 ? config_.timeout_ms() : 10000));
    if (!credentials_.empty()) {
      curl_easy_setopt(curl, CURLOPT_USERPWD, credentials_.c_str());
      // Credentials only over TLS (smtps://, or STARTTLS required for smtp://).
      curl_easy_setopt(curl, CURLOPT_USE_SSL, static_cast<long>(CURLUSESSL_ALL));
    }
    char error[CURL_ERROR_SIZE] = {0};
    curl_easy_setopt(curl, CURLOPT_ERRORBUFFER, error);
    CURLcode rc = curl_easy_perform(curl);
    curl_slist_free_all(rcpt);
    curl_easy_cleanup(curl);
    if (rc != CURLE_OK) {
      return absl::UnavailableError(std::string("メールを送れませんでした / mail not sent: ") +
                                    (error[0] != 0 ? error : curl_easy_strerror(rc)));
    }
    return absl::OkStatus();
  }

 private:
  v1::MailConfig config_;
  std::string credentials_;
};

}  // namespace

void ValidateMailConfig(const v1::MailConfig& c, FieldViolations* v) {
  if (c.smtp_url().empty()) {
    if (!c.from_address().empty() || !c.credentials_file().empty()) {
      v->Add("mail.smtp_url",
             "送信元や認証情報には SMTP サーバーの指定が必要です / required "
             "with from_address or credentials_file");
    }
    return;
  }
  if (c.smtp_url().rfind("smtp://", 0) != 0 && c.smtp_url().rfind("smtps://", 0) != 0) {
    v->Add("mail.smtp_url", "smtp:// か smtps:// で始まる URL です / an smtp:// or smtps:// URL");
  }
  const std::string& from = c.from_address();
  if (from.empty() || from.find('@') == std::string::npos || HasLineBreak(from) ||
      from.find(' ') != std::string::npos) {
    v->Add("mail.from_address", "送信元のメールアドレスが必要です / a sender address is required");
  }
  if (c.timeout_ms() > 600000) v->Add("mail.timeout_ms", "600000 以下 / at most 600000");
}

absl::StatusOr<std::unique_ptr<Mailer>> NewSmtpMailer(const v1::MailConfig& config) {
  if (config.smtp_url().empty()) return std::unique_ptr<Mailer>();
  std::string credentials;
  if (!config.credentials_file().empty()) {
    std::ifstream in(config.credentials_file());
    if (!in) {
      return absl::FailedPreconditionError("mail.credentials_file を読めません / unreadable: " +
                                           config.credentials_file());
    }
    std::getline(in, credentials);
    if (credentials.find(':') == std::string::npos) {
      return absl::FailedPreconditionError(
          "mail.credentials_file は user:password の1行です / one line, user:password");
    }
  }
  return std::unique_ptr<Mailer>(std::make_unique<SmtpMailer>(config, std::move(credentials)));
}

std::string FormatMail(const MailMessage& m, const std::string& from, int64_t now_seconds,
                       const std::string& id) {
  char date[64];
  time_t t = static_cast<time_t>(now_seconds);
  std::tm tm;
  gmtime_r(&t, &tm);
  std::strftime(date, sizeof date, "%a, %d %b %Y %H:%M:%S +0000", &tm);
  std::string body;
  for (char c : m.body) {
    if (c == '\n') body += '\r';
    body += c;
  }
  const std::string domain = from.substr(from.find('@') + 1);
  std::ostringstream out;
  out << "Date: " << date << "\r\n"
      << "From: " << from << "\r\n"
      << "To: " << m.to << "\r\n"
      << "Message-ID: <" << id << "@" << domain << ">\r\n"
      << "Subject: =?UTF-8?B?" << absl::Base64Escape(m.subject) << "?=\r\n"
      << "MIME-Version: 1.0\r\n"
      << "Content-Type: text/plain; charset=UTF-8\r\n"
      << "Content-Transfer-Encoding: base64\r\n"
      << "\r\n"
      << WrappedBase64(body);
  return out.str();
}

}  // namespace renkei::common
