#include "renkei/common/mail_queue.h"

#include <algorithm>
#include <chrono>
#include <utility>

#include "renkei/common/log.h"
#include "renkei/common/status_macros.h"

namespace renkei::common {
namespace {

constexpr int64_t kMinute = 60LL * 1000 * 1000;
constexpr int64_t kGiveUpAfter = int64_t{3} * 24 * 60 * kMinute;

// The wait before attempt `attempts + 1`.
int64_t Backoff(int attempts) {
  static constexpr int64_t kSteps[] = {1 * kMinute, 5 * kMinute, 30 * kMinute, 120 * kMinute};
  if (attempts <= 0) return 0;
  if (attempts <= 4) return kSteps[attempts - 1];
  return 360 * kMinute;
}

}  // namespace

MailQueue::MailQueue(Store* store, const RecordSealer* sealer, Mailer* mailer, const Clock* clock)
    : store_(store),
      mailer_(mailer),
      clock_(clock),
      queue_(store, sealer, kFamily, {"送信待ちメール", "queued mail"}) {}

MailQueue::~MailQueue() {
  stop_sending_ = true;
  {
    std::lock_guard<std::mutex> lock(mu_);
    stopping_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

bool MailQueue::Enqueue(CommandBatch* cmd, std::string_view key, const MailMessage& message,
                        std::string_view kind) {
  if (mailer_ == nullptr) return false;
  v1::QueuedMail m;
  m.set_id(std::string(key));
  m.set_to(message.to);
  m.set_subject(message.subject);
  m.set_body(message.body);
  *m.mutable_queued_at() = clock_->NowTimestamp();
  *m.mutable_next_attempt_at() = m.queued_at();
  m.set_kind(std::string(kind));
  queue_.Put(&cmd->batch(), key, m);
  cmd->OnCommitted([this] { Wake(); });
  return true;
}

absl::Status MailQueue::Drop(CommandBatch* cmd, std::string_view prefix) {
  std::vector<std::string> keys;
  RETURN_IF_ERROR(queue_.ForEach(prefix, [&](std::string_view key, const v1::QueuedMail&) {
    keys.emplace_back(key);
    return true;
  }));
  for (const auto& key : keys) queue_.Delete(&cmd->batch(), key);
  return absl::OkStatus();
}

void MailQueue::Start() {
  if (mailer_ == nullptr || thread_.joinable()) return;
  thread_ = std::thread([this] { Run(); });
}

void MailQueue::Wake() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    woken_ = true;
  }
  cv_.notify_all();
}

void MailQueue::Run() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stopping_) {
    lock.unlock();
    absl::StatusOr<int> sent = SendDue();
    if (!sent.ok()) {
      LogLine(LogLevel::kWarning, "mail queue unreadable").Field("error", sent.status().ToString());
    }
    lock.lock();
    // Retries are minutes apart: a 30-second tick finds them soon enough.
    cv_.wait_for(lock, std::chrono::seconds(30), [this] { return woken_ || stopping_; });
    woken_ = false;
  }
}

absl::StatusOr<int> MailQueue::SendDue() {
  if (mailer_ == nullptr) return 0;
  std::lock_guard<std::mutex> sending(send_mu_);
  const int64_t now = clock_->NowMicros();
  std::vector<v1::QueuedMail> due;
  RETURN_IF_ERROR(queue_.ForEach("", [&](std::string_view, const v1::QueuedMail& m) {
    if (MicrosFromTimestamp(m.next_attempt_at()) <= now) due.push_back(m);
    return true;
  }));
  int sent = 0;
  for (v1::QueuedMail& m : due) {
    if (stop_sending_) break;
    const absl::Status s = mailer_->Send({m.to(), m.subject(), m.body()});
    Batch batch;
    if (s.ok()) {
      queue_.Delete(&batch, m.id());
      ++sent;
    } else if (absl::IsInvalidArgument(s) ||
               now - MicrosFromTimestamp(m.queued_at()) >= kGiveUpAfter) {
      queue_.Delete(&batch, m.id());
      LogLine(LogLevel::kError, "mail dropped")
          .Field("kind", m.kind())
          .Field("attempts", static_cast<int64_t>(m.attempts()) + 1);
    } else {
      // Dropped meanwhile (its recipient left the list): not written back.
      ASSIGN_OR_RETURN(auto still, queue_.Find(m.id()));
      if (!still) break;
      m.set_attempts(m.attempts() + 1);
      *m.mutable_next_attempt_at() = TimestampFromMicros(now + Backoff(m.attempts()));
      queue_.Put(&batch, m.id(), m);
      LogLine(LogLevel::kWarning, "mail not accepted, will retry")
          .Field("kind", m.kind())
          .Field("attempts", static_cast<int64_t>(m.attempts()))
          .Field("error", std::string(s.message()));
    }
    RETURN_IF_ERROR(store_->Write(batch));
    if (!s.ok()) break;  // the server is down or refusing: the rest wait for the next round
  }
  return sent;
}

absl::StatusOr<int> MailQueue::Pending() const {
  int n = 0;
  RETURN_IF_ERROR(queue_.ForEach("", [&](std::string_view, const v1::QueuedMail&) {
    ++n;
    return true;
  }));
  return n;
}

}  // namespace renkei::common
