// Mail sent because of a command (a resident's confirmation, a notice to subscribers), queued in
// the command's own batch and sent after the commit by one sender thread per service: a crash,
// an SMTP outage or a restart loses no mail, and a command applied once queues its mails once.
//
// Storage: column family "mail_queue" (key: the caller's mail key -> QueuedMail, sealed at rest:
// the address and the body are personal). A mail leaves the queue once the SMTP server accepted
// it (the delete is a synced write); a crash between the server's acceptance and that write
// sends it again on restart — the one window in which a recipient can receive a mail twice.
// A refused or unreachable server is retried after 1, 5, 30 and 120 minutes, then every 6 hours,
// for 3 days; then the mail is dropped and logged (without address or body).
//
// Thread-safe. Enqueue is called while building a batch; the sender wakes after its commit.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "absl/status/statusor.h"
#include "renkei/common/at_rest.h"
#include "renkei/common/clock.h"
#include "renkei/common/mail.h"
#include "renkei/common/outbox.h"
#include "renkei/common/store.h"
#include "renkei/common/table.h"
#include "renkei/v1/storage.pb.h"

namespace renkei::common {

class MailQueue {
 public:
  static constexpr char kFamily[] = "mail_queue";

  // `mailer` may be null (no SMTP server configured): nothing is queued, Enqueue answers false.
  MailQueue(Store* store, const RecordSealer* sealer, Mailer* mailer,
            const Clock* clock = SystemClock::Get());
  ~MailQueue();
  MailQueue(const MailQueue&) = delete;
  MailQueue& operator=(const MailQueue&) = delete;

  bool enabled() const { return mailer_ != nullptr; }

  // Queues `message` under `key` in the command's batch (a key already queued is replaced, so a
  // deterministic key — "<notice id>/<subscriber id>" — queues a mail once however often the
  // batch is built). `kind` names what it is in logs. False when mail is not configured.
  bool Enqueue(CommandBatch* cmd, std::string_view key, const MailMessage& message,
               std::string_view kind);

  // Deletes, in the command's batch, every mail whose key starts with `prefix` (a subscriber who
  // left: "<subscriber id>/"); a mail being sent at that moment may still go.
  absl::Status Drop(CommandBatch* cmd, std::string_view prefix);

  // Starts the sender thread (sends what is due now, then after every commit that queued mail,
  // and at the next retry time).
  void Start();

  // Sends every mail due now, in key order; the number accepted by the server. A mail the server
  // does not take ends the round (the rest wait for the next one: an unreachable server is not
  // tried once per mail). For tests and the sender thread.
  absl::StatusOr<int> SendDue();

  // Mails waiting (for /metrics and tests).
  absl::StatusOr<int> Pending() const;

 private:
  void Run();
  void Wake();

  Store* store_;
  Mailer* mailer_;
  const Clock* clock_;
  Table<v1::QueuedMail> queue_;
  std::mutex mu_;
  std::condition_variable cv_;
  bool woken_ = false;
  bool stopping_ = false;
  std::atomic<bool> stop_sending_{false};  // checked between mails
  std::mutex send_mu_;                     // one SendDue at a time
  std::thread thread_;
};

}  // namespace renkei::common
