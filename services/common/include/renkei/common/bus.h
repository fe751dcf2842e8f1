// NATS JetStream behind a small API (the one place cnats is used).
//
// The connection is made in the background and retried forever: a service starts and answers
// commands while nats-server is down; its outbox grows and drains once the server is back.
// NATS errors are translated here: UNAVAILABLE is retryable (not connected, timeout), other codes
// are permanent (bad stream config, permissions).
//
// Thread safety: NatsBus is thread-safe. A PullSubscription belongs to one thread.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

struct __natsConnection;
struct __natsSubscription;
struct __jsCtx;
struct __natsMsg;

namespace renkei::common {

struct NatsOptions {
  std::string url = "nats://127.0.0.1:4222";  // comma-separated list allowed
  std::string client_name;
  // JetStream domain of the server the instance talks to (empty: none).
  std::string jetstream_domain;
  int reconnect_wait_ms = 250;
  int connect_timeout_ms = 2000;
  int api_timeout_ms = 5000;
  // TLS with a client certificate (all three PEM files, or none). Without them only loopback
  // URLs are accepted unless allow_plaintext is set.
  std::string tls_cert_file;
  std::string tls_key_file;
  std::string tls_ca_file;
  bool allow_plaintext = false;
};

// A stream another stream copies from (JetStream `sources`), possibly in another instance's
// JetStream domain reached over a leaf node.
struct StreamSourceSpec {
  std::string name;            // the source stream
  std::string filter_subject;  // empty: every subject of the source
  std::string domain;          // the source's JetStream domain; empty: this server's
};

struct StreamSpec {
  std::string name;
  std::vector<std::string> subjects;  // may be empty for a stream fed only by sources
  std::vector<StreamSourceSpec> sources;
  int64_t duplicate_window_seconds = 3600;
  int64_t max_age_seconds = 0;  // 0: keep forever
};

struct OutgoingMessage {
  std::string subject;
  std::string msg_id;  // sent as Nats-Msg-Id; the stream's duplicate window drops repeats
  std::string data;
};

struct PublishResult {
  absl::Status status;  // OK when the stream acknowledged the message
  uint64_t stream_sequence = 0;
  bool duplicate = false;  // the stream already had this Nats-Msg-Id
};

// One message delivered by a pull consumer.
class InboundMessage {
 public:
  ~InboundMessage();
  InboundMessage(InboundMessage&&) noexcept;
  InboundMessage(const InboundMessage&) = delete;

  const std::string& subject() const { return subject_; }
  const std::string& data() const { return data_; }
  const std::string& msg_id() const { return msg_id_; }
  uint64_t stream_sequence() const { return stream_sequence_; }
  uint64_t num_delivered() const { return num_delivered_; }
  // When the stream stored the message (ns since the epoch, the server's clock).
  int64_t stored_at_ns() const { return stored_at_ns_; }

  // Acknowledges processing (synchronously: the server confirmed it when OK).
  absl::Status Ack();
  // Asks for redelivery after `delay_ms`.
  absl::Status Nak(int64_t delay_ms);

 private:
  friend class PullSubscription;
  explicit InboundMessage(__natsMsg* msg);
  __natsMsg* msg_ = nullptr;
  std::string subject_, data_, msg_id_;
  uint64_t stream_sequence_ = 0, num_delivered_ = 0;
  int64_t stored_at_ns_ = 0;
};

class PullSubscription {
 public:
  ~PullSubscription();
  // Up to `batch` messages, waiting at most timeout_ms. An empty vector on timeout.
  absl::StatusOr<std::vector<InboundMessage>> Fetch(int batch, int timeout_ms);

 private:
  friend class NatsBus;
  PullSubscription() = default;
  __natsSubscription* sub_ = nullptr;
};

struct ConsumerSpec {
  std::string stream;
  std::string durable;         // durable name: survives restarts
  std::string filter_subject;  // empty: all subjects of the stream
  int64_t ack_wait_ms = 30000;
  int64_t max_ack_pending = 1000;
};

struct StreamState {
  uint64_t messages = 0;
  uint64_t first_sequence = 0;
  uint64_t last_sequence = 0;
};

// Where a durable consumer stands.
struct ConsumerState {
  uint64_t num_pending = 0;                // messages of its filter not yet delivered
  int64_t num_ack_pending = 0;             // delivered, not yet acknowledged
  uint64_t ack_floor_stream_sequence = 0;  // every message up to it is acknowledged
};

// How far behind one source of a stream is (the filter is not reported: see StreamInfo).
struct StreamSourceState {
  std::string name;
  std::string domain;
  uint64_t lag = 0;        // messages of the source not yet copied
  int64_t active_ms = -1;  // since the source was last heard from; -1: never
};

// A stream's configuration as the server kept it (read back: nats-server silently drops settings
// it does not know) and its state.
struct StreamInfo {
  StreamState state;
  // When this stream was created (ns since the epoch): a stream deleted and created again under
  // the same name has another.
  int64_t created_ns = 0;
  // The time of its first message (ns since the epoch; 0 when empty) and its max_age (ns; 0:
  // unlimited).
  int64_t first_time_ns = 0;
  int64_t max_age_ns = 0;
  std::vector<std::string> subjects;
  std::vector<StreamSourceSpec> configured_sources;
  std::vector<StreamSourceState> sources;
};

class NatsBus {
 public:
  // Starts connecting (in the background when the server is not reachable yet). Fails only on
  // bad options.
  static absl::StatusOr<std::unique_ptr<NatsBus>> Connect(const NatsOptions& options);
  ~NatsBus();

  bool IsConnected() const;
  // Increases every time the connection is (re)established.
  uint64_t connection_generation() const { return generation_.load(); }
  // Blocks until connected or timeout; true when connected.
  bool WaitConnected(int timeout_ms) const;

  // Creates the stream, or updates it to the spec when it exists.
  absl::Status EnsureStream(const StreamSpec& spec);
  absl::StatusOr<StreamState> GetStreamState(const std::string& stream);
  // Configuration and state, sources included.
  absl::StatusOr<StreamInfo> GetStreamInfo(const std::string& stream);
  // Removes a stream and its messages (operators; tests).
  absl::Status DeleteStream(const std::string& stream);

  // Publishes asynchronously and waits (≤ timeout_ms) for every acknowledgement. One result per
  // message, in order; messages without an ack in time are UNAVAILABLE (safe to resend: the
  // Nats-Msg-Id deduplicates).
  std::vector<PublishResult> PublishBatch(const std::vector<OutgoingMessage>& messages,
                                          int timeout_ms);

  // A durable pull consumer (created when missing).
  absl::StatusOr<std::unique_ptr<PullSubscription>> PullSubscribe(const ConsumerSpec& spec);

  // NOT_FOUND when the consumer does not exist.
  absl::StatusOr<ConsumerState> GetConsumerState(const std::string& stream,
                                                 const std::string& durable);
  // Removes a durable consumer (its position is lost: a new one starts from the beginning).
  absl::Status DeleteConsumer(const std::string& stream, const std::string& durable);

  // Core NATS publish without JetStream (tests, notifications).
  absl::Status PublishCore(const std::string& subject, const std::string& data);

 private:
  NatsBus() = default;
  friend struct NatsCallbacks;

  NatsOptions options_;
  __natsConnection* conn_ = nullptr;
  __jsCtx* js_ = nullptr;
  std::atomic<uint64_t> generation_{0};
  std::atomic<bool> connected_{false};

  // The batch being published (one at a time).
  std::mutex publish_mu_;
  struct PendingBatch;
  std::mutex ack_mu_;
  PendingBatch* pending_ = nullptr;  // guarded by ack_mu_
  mutable std::mutex state_mu_;
  mutable std::condition_variable state_cv_;
  // Set by cnats' closed callback, the last it makes: the destructor waits for it so that no
  // callback (disconnected, closed) runs on a destroyed bus.
  bool closed_ = false;
};

}  // namespace renkei::common
