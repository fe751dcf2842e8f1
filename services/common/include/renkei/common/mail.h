// Outgoing e-mail through the instance's SMTP server (config `mail`, docs/operations.md): plain
// text in Japanese, UTF-8, one message per recipient. Used for resource survey reminders.
#pragma once

#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "renkei/common/validation.h"
#include "renkei/v1/config.pb.h"

namespace renkei::common {

struct MailMessage {
  std::string to;       // one address
  std::string subject;  // UTF-8
  std::string body;     // UTF-8 plain text, "\n" line ends
};

class Mailer {
 public:
  virtual ~Mailer() = default;
  // OK once the server accepted the message; UNAVAILABLE when it could not be reached or refused
  // it (the message says why, without the body).
  virtual absl::Status Send(const MailMessage& message) = 0;
};

// Checks the mail section (errors name "mail.<field>").
void ValidateMailConfig(const v1::MailConfig& config, FieldViolations* v);

// A mailer for the config, or null when no SMTP server is configured. Reads credentials_file.
absl::StatusOr<std::unique_ptr<Mailer>> NewSmtpMailer(const v1::MailConfig& config);

// The message as it goes on the wire (RFC 5322 with MIME: the subject RFC 2047-encoded, the body
// base64), for `from`; Date and Message-ID from `now_seconds` and `id`.
std::string FormatMail(const MailMessage& message, const std::string& from, int64_t now_seconds,
                       const std::string& id);

}  // namespace renkei::common
