#include "renkei/common/bus.h"

#include <nats/nats.h>

#include <chrono>
#include <unordered_map>

namespace renkei::common {
namespace {

constexpr char kMsgIdHeader[] = "Nats-Msg-Id";

// NATS -> absl::Status: UNAVAILABLE for what a retry can fix, other codes for permanent errors.
absl::Status FromNats(natsStatus s, std::string_view what,
                      jsErrCode js_err = static_cast<jsErrCode>(0)) {
  if (s == NATS_OK) return absl::OkStatus();
  std::string msg = std::string(what) + ": " + natsStatus_GetText(s);
  if (js_err != 0) msg += " (jetstream error " + std::to_string(js_err) + ")";
  const char* last = nats_GetLastError(nullptr);
  if (last != nullptr && *last != '\0') msg += " — " + std::string(last);
  switch (s) {
    case NATS_TIMEOUT:
    case NATS_CONNECTION_CLOSED:
    case NATS_CONNECTION_DISCONNECTED:
    case NATS_NO_SERVER:
    case NATS_NOT_YET_CONNECTED:
    case NATS_STALE_CONNECTION:
    case NATS_NO_RESPONDERS:
    case NATS_IO_ERROR:
      return absl::UnavailableError(msg);
    case NATS_NOT_FOUND:
      return absl::NotFoundError(msg);
    case NATS_INVALID_ARG:
      return absl::InvalidArgumentError(msg);
    case NATS_NOT_PERMITTED:
      return absl::PermissionDeniedError(msg);
    default:
      return absl::InternalError(msg);
  }
}

}  // namespace

struct NatsBus::PendingBatch {
  std::unordered_map<std::string, size_t> index;  // msg id -> position
  std::vector<PublishResult>* results = nullptr;
};

struct NatsCallbacks {
  static void Connected(natsConnection*, void* closure) {
    auto* bus = static_cast<NatsBus*>(closure);
    {
      std::lock_guard<std::mutex> lock(bus->state_mu_);
      bus->connected_ = true;
      bus->generation_.fetch_add(1);
    }
    bus->state_cv_.notify_all();
  }
  static void Disconnected(natsConnection*, void* closure) {
    auto* bus = static_cast<NatsBus*>(closure);
    std::lock_guard<std::mutex> lock(bus->state_mu_);
    bus->connected_ = false;
  }
  static void Closed(natsConnection*, void* closure) {
    auto* bus = static_cast<NatsBus*>(closure);
    std::lock_guard<std::mutex> lock(bus->state_mu_);
    bus->connected_ = false;
    bus->closed_ = true;
    bus->state_cv_.notify_all();
  }
  static void Ack(jsCtx*, natsMsg* msg, jsPubAck* pa, jsPubAckErr* pae, void* closure) {
    auto* bus = static_cast<NatsBus*>(closure);
    const char* id = nullptr;
    if (natsMsgHeader_Get(msg, kMsgIdHeader, &id) == NATS_OK && id != nullptr) {
      std::lock_guard<std::mutex> lock(bus->ack_mu_);
      if (bus->pending_ != nullptr) {
        auto it = bus->pending_->index.find(id);
        if (it != bus->pending_->index.end()) {
          PublishResult& r = (*bus->pending_->results)[it->second];
          if (pa != nullptr) {
            r.status = absl::OkStatus();
            r.stream_sequence = pa->Sequence;
            r.duplicate = pa->Duplicate;
          } else if (pae != nullptr) {
            r.status = FromNats(pae->Err, "publish", pae->ErrCode);
          }
        }
      }
    }
    natsMsg_Destroy(msg);
  }
};

// ---- InboundMessage ----

InboundMessage::InboundMessage(natsMsg* msg) : msg_(msg) {
  subject_ = natsMsg_GetSubject(msg);
  data_.assign(natsMsg_GetData(msg), natsMsg_GetDataLength(msg));
  const char* id = nullptr;
  if (natsMsgHeader_Get(msg, kMsgIdHeader, &id) == NATS_OK && id != nullptr) msg_id_ = id;
  jsMsgMetaData* meta = nullptr;
  if (natsMsg_GetMetaData(&meta, msg) == NATS_OK) {
    stream_sequence_ = meta->Sequence.Stream;
    num_delivered_ = meta->NumDelivered;
    stored_at_ns_ = meta->Timestamp;
    jsMsgMetaData_Destroy(meta);
  }
}

InboundMessage::~InboundMessage() {
  if (msg_ != nullptr) natsMsg_Destroy(msg_);
}

InboundMessage::InboundMessage(InboundMessage&& o) noexcept
    : msg_(o.msg_),
      subject_(std::move(o.subject_)),
      data_(std::move(o.data_)),
      msg_id_(std::move(o.msg_id_)),
      stream_sequence_(o.stream_sequence_),
      num_delivered_(o.num_delivered_),
      stored_at_ns_(o.stored_at_ns_) {
  o.msg_ = nullptr;
}

absl::Status InboundMessage::Ack() {
  jsErrCode err = static_cast<jsErrCode>(0);
  return FromNats(natsMsg_AckSync(msg_, nullptr, &err), "ack", err);
}

absl::Status InboundMessage::Nak(int64_t delay_ms) {
  return FromNats(natsMsg_NakWithDelay(msg_, delay_ms, nullptr), "nak");
}

// ---- PullSubscription ----

PullSubscription::~PullSubscription() {
  if (sub_ != nullptr) natsSubscription_Destroy(sub_);
}

absl::StatusOr<std::vector<InboundMessage>> PullSubscription::Fetch(int batch, int timeout_ms) {
  natsMsgList list{};
  jsErrCode err = static_cast<jsErrCode>(0);
  natsStatus s = natsSubscription_Fetch(&list, sub_, batch, timeout_ms, &err);
  std::vector<InboundMessage> out;
  if (s == NATS_TIMEOUT) return out;
  if (s != NATS_OK) return FromNats(s, "fetch", err);
  out.reserve(list.Count);
  for (int i = 0; i < list.Count; ++i) {
    out.push_back(InboundMessage(list.Msgs[i]));
    list.Msgs[i] = nullptr;
  }
  natsMsgList_Destroy(&list);
  return out;
}

// ---- NatsBus ----

absl::StatusOr<std::unique_ptr<NatsBus>> NatsBus::Connect(const NatsOptions& options) {
  auto bus = std::unique_ptr<NatsBus>(new NatsBus());
  bus->options_ = options;
  const bool tls = !options.tls_cert_file.empty() || !options.tls_key_file.empty() ||
                   !options.tls_ca_file.empty();
  if (!tls && !options.allow_plaintext) {
    // Every URL of the list must be loopback: personal data never crosses a network in clear.
    std::string urls = options.url;
    size_t start = 0;
    while (start <= urls.size()) {
      size_t comma = urls.find(',', start);
      std::string url =
          urls.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
      std::string host = url;
      if (size_t scheme = host.find("://"); scheme != std::string::npos)
        host = host.substr(scheme + 3);
      if (size_t at = host.rfind('@'); at != std::string::npos) host = host.substr(at + 1);
      if (size_t colon = host.rfind(':'); colon != std::string::npos && host.front() != '[')
        host = host.substr(0, colon);
      if (!(host == "localhost" || host.rfind("127.", 0) == 0 || host == "[::1]")) {
        return absl::InvalidArgumentError(
            "nats.tls: ループバック以外の NATS には TLS が必要です / TLS (cert_file, key_file, "
            "ca_file) is required for " +
            url + " (or nats.allow_plaintext)");
      }
      if (comma == std::string::npos) break;
      start = comma + 1;
    }
  }
  natsOptions* opts = nullptr;
  if (natsOptions_Create(&opts) != NATS_OK) return absl::InternalError("nats: out of memory");
  natsStatus s = natsOptions_SetURL(opts, options.url.c_str());
  if (s == NATS_OK && tls) {
    s = natsOptions_SetSecure(opts, true);
    if (s == NATS_OK) s = natsOptions_LoadCATrustedCertificates(opts, options.tls_ca_file.c_str());
    if (s == NATS_OK) {
      s = natsOptions_LoadCertificatesChain(opts, options.tls_cert_file.c_str(),
                                            options.tls_key_file.c_str());
    }
  }
  if (s == NATS_OK && !options.client_name.empty()) {
    s = natsOptions_SetName(opts, options.client_name.c_str());
  }
  if (s == NATS_OK) s = natsOptions_SetMaxReconnect(opts, -1);
  if (s == NATS_OK) s = natsOptions_SetReconnectWait(opts, options.reconnect_wait_ms);
  if (s == NATS_OK) s = natsOptions_SetTimeout(opts, options.connect_timeout_ms);
  if (s == NATS_OK) s = natsOptions_SetPingInterval(opts, 5000);
  if (s == NATS_OK) s = natsOptions_SetMaxPingsOut(opts, 2);
  if (s == NATS_OK) {
    s = natsOptions_SetRetryOnFailedConnect(opts, true, &NatsCallbacks::Connected, bus.get());
  }
  if (s == NATS_OK) {
    s = natsOptions_SetDisconnectedCB(opts, &NatsCallbacks::Disconnected, bus.get());
  }
  if (s == NATS_OK) s = natsOptions_SetReconnectedCB(opts, &NatsCallbacks::Connected, bus.get());
  if (s == NATS_OK) s = natsOptions_SetClosedCB(opts, &NatsCallbacks::Closed, bus.get());
  if (s != NATS_OK) {
    natsOptions_Destroy(opts);
    return FromNats(s, "nats options (url " + options.url + ")");
  }
  s = natsConnection_Connect(&bus->conn_, opts);
  natsOptions_Destroy(opts);
  if (s == NATS_OK) {
    std::lock_guard<std::mutex> lock(bus->state_mu_);
    bus->connected_ = true;
    bus->generation_.fetch_add(1);
  } else if (s != NATS_NOT_YET_CONNECTED) {
    return FromNats(s, "nats connect " + options.url);
  }

  jsOptions jo;
  jsOptions_Init(&jo);
  jo.Wait = options.api_timeout_ms;
  if (!options.jetstream_domain.empty()) jo.Domain = options.jetstream_domain.c_str();
  jo.PublishAsync.MaxPending = 16384;
  jo.PublishAsync.AckHandler = &NatsCallbacks::Ack;
  jo.PublishAsync.AckHandlerClosure = bus.get();
  s = natsConnection_JetStream(&bus->js_, bus->conn_, &jo);
  if (s != NATS_OK) return FromNats(s, "jetstream context");
  return bus;
}

NatsBus::~NatsBus() {
  if (js_ != nullptr) jsCtx_Destroy(js_);
  if (conn_ != nullptr) {
    natsConnection_Close(conn_);
    {
      std::unique_lock<std::mutex> lock(state_mu_);
      state_cv_.wait_for(lock, std::chrono::seconds(5), [this] { return closed_; });
    }
    natsConnection_Destroy(conn_);
  }
}

bool NatsBus::IsConnected() const {
  std::lock_guard<std::mutex> lock(state_mu_);
  return connected_;
}

bool NatsBus::WaitConnected(int timeout_ms) const {
  std::unique_lock<std::mutex> lock(state_mu_);
  return state_cv_.wait_for(lock, std::chrono::milliseconds(timeout_ms),
                            [&] { return connected_.load(); });
}

absl::Status NatsBus::EnsureStream(const StreamSpec& spec) {
  jsStreamConfig cfg;
  jsStreamConfig_Init(&cfg);
  cfg.Name = spec.name.c_str();
  std::vector<const char*> subjects;
  for (const auto& s : spec.subjects) subjects.push_back(s.c_str());
  cfg.Subjects = subjects.empty() ? nullptr : subjects.data();
  cfg.SubjectsLen = static_cast<int>(subjects.size());
  // Sources: the strings stay owned by `spec` and the vectors below until the call returns.
  const size_t n = spec.sources.size();
  std::vector<jsStreamSource> sources(n);
  std::vector<jsExternalStream> externals(n);
  std::vector<std::string> prefixes(n);
  std::vector<jsStreamSource*> source_ptrs(n);
  for (size_t i = 0; i < n; ++i) {
    const auto& src = spec.sources[i];
    jsStreamSource_Init(&sources[i]);
    sources[i].Name = src.name.c_str();
    if (!src.filter_subject.empty()) sources[i].FilterSubject = src.filter_subject.c_str();
    if (!src.domain.empty()) {
      // cnats 3.4 has no domain field on a source: the domain is the external API prefix, and
      // js_AddStream crashes on a NULL DeliverPrefix.
      jsExternalStream_Init(&externals[i]);
      prefixes[i] = "$JS." + src.domain + ".API";
      externals[i].APIPrefix = prefixes[i].c_str();
      externals[i].DeliverPrefix = "";
      sources[i].External = &externals[i];
    }
    source_ptrs[i] = &sources[i];
  }
  cfg.Sources = n == 0 ? nullptr : source_ptrs.data();
  cfg.SourcesLen = static_cast<int>(n);
  cfg.Storage = js_FileStorage;
  cfg.Duplicates = spec.duplicate_window_seconds * 1000000000LL;
  cfg.MaxAge = spec.max_age_seconds * 1000000000LL;

  jsStreamInfo* si = nullptr;
  jsErrCode err = static_cast<jsErrCode>(0);
  natsStatus s = js_AddStream(&si, js_, &cfg, nullptr, &err);
  if (s != NATS_OK && err == JSStreamNameExistErr) {
    err = static_cast<jsErrCode>(0);
    s = js_UpdateStream(&si, js_, &cfg, nullptr, &err);
  }
  if (si != nullptr) jsStreamInfo_Destroy(si);
  return FromNats(s, "ensure stream " + spec.name, err);
}

absl::StatusOr<StreamState> NatsBus::GetStreamState(const std::string& stream) {
  jsStreamInfo* si = nullptr;
  jsErrCode err = static_cast<jsErrCode>(0);
  natsStatus s = js_GetStreamInfo(&si, js_, stream.c_str(), nullptr, &err);
  if (s != NATS_OK) return FromNats(s, "stream info " + stream, err);
  StreamState st;
  st.messages = si->State.Msgs;
  st.first_sequence = si->State.FirstSeq;
  st.last_sequence = si->State.LastSeq;
  jsStreamInfo_Destroy(si);
  return st;
}

absl::StatusOr<StreamInfo> NatsBus::GetStreamInfo(const std::string& stream) {
  jsStreamInfo* si = nullptr;
  jsErrCode err = static_cast<jsErrCode>(0);
  natsStatus s = js_GetStreamInfo(&si, js_, stream.c_str(), nullptr, &err);
  if (s != NATS_OK) return FromNats(s, "stream info " + stream, err);
  StreamInfo info;
  info.state.messages = si->State.Msgs;
  info.state.first_sequence = si->State.FirstSeq;
  info.state.last_sequence = si->State.LastSeq;
  info.created_ns = si->Created;
  info.first_time_ns = si->State.FirstTime;
  const jsStreamConfig* cfg = si->Config;
  if (cfg != nullptr) {
    info.max_age_ns = cfg->MaxAge;
    for (int i = 0; i < cfg->SubjectsLen; ++i) info.subjects.emplace_back(cfg->Subjects[i]);
  }
  auto domain_of = [](const jsExternalStream* ext) -> std::string {
    if (ext == nullptr || ext->APIPrefix == nullptr) return "";
    std::string_view p = ext->APIPrefix;  // "$JS.<domain>.API"
    if (p.size() > 8 && p.substr(0, 4) == "$JS." && p.substr(p.size() - 4) == ".API") {
      return std::string(p.substr(4, p.size() - 8));
    }
    return std::string(p);
  };
  for (int i = 0; cfg != nullptr && i < cfg->SourcesLen; ++i) {
    const jsStreamSource* src = cfg->Sources[i];
    StreamSourceSpec spec;
    spec.name = src->Name ? src->Name : "";
    spec.filter_subject = src->FilterSubject ? src->FilterSubject : "";
    spec.domain = domain_of(src->External);
    info.configured_sources.push_back(std::move(spec));
  }
  for (int i = 0; i < si->SourcesLen; ++i) {
    const jsStreamSourceInfo* src = si->Sources[i];
    StreamSourceState st;
    st.name = src->Name ? src->Name : "";
    st.domain = domain_of(src->External);
    st.lag = src->Lag;
    st.active_ms = src->Active < 0 ? -1 : src->Active / 1000000;
    info.sources.push_back(std::move(st));
  }
  jsStreamInfo_Destroy(si);
  return info;
}

absl::Status NatsBus::DeleteStream(const std::string& stream) {
  jsErrCode err = static_cast<jsErrCode>(0);
  natsStatus s = js_DeleteStream(js_, stream.c_str(), nullptr, &err);
  return FromNats(s, "delete stream " + stream, err);
}

std::vector<PublishResult> NatsBus::PublishBatch(const std::vector<OutgoingMessage>& messages,
                                                 int timeout_ms) {
  std::lock_guard<std::mutex> publish_lock(publish_mu_);
  std::vector<PublishResult> results(messages.size());
  for (auto& r : results) r.status = absl::UnavailableError("publish: no acknowledgement in time");
  if (messages.empty()) return results;

  PendingBatch batch;
  batch.results = &results;
  for (size_t i = 0; i < messages.size(); ++i) batch.index.emplace(messages[i].msg_id, i);
  {
    std::lock_guard<std::mutex> lock(ack_mu_);
    pending_ = &batch;
  }
  for (size_t i = 0; i < messages.size(); ++i) {
    const auto& m = messages[i];
    natsMsg* msg = nullptr;
    natsStatus s = natsMsg_Create(&msg, m.subject.c_str(), nullptr, m.data.data(),
                                  static_cast<int>(m.data.size()));
    if (s == NATS_OK) s = natsMsgHeader_Set(msg, kMsgIdHeader, m.msg_id.c_str());
    if (s == NATS_OK) s = js_PublishMsgAsync(js_, &msg, nullptr);
    if (s != NATS_OK) {
      std::lock_guard<std::mutex> lock(ack_mu_);
      results[i].status = FromNats(s, "publish " + m.subject);
      batch.index.erase(m.msg_id);
    }
    natsMsg_Destroy(msg);  // no-op when the library took ownership
  }
  jsPubOptions po;
  jsPubOptions_Init(&po);
  po.MaxWait = timeout_ms;
  if (js_PublishAsyncComplete(js_, &po) != NATS_OK) {
    // Give up on what is still in flight: those messages stay in the outbox and are sent again.
    natsMsgList pending{};
    if (js_PublishAsyncGetPendingList(&pending, js_) == NATS_OK) natsMsgList_Destroy(&pending);
  }
  {
    std::lock_guard<std::mutex> lock(ack_mu_);
    pending_ = nullptr;
  }
  return results;
}

absl::StatusOr<std::unique_ptr<PullSubscription>> NatsBus::PullSubscribe(const ConsumerSpec& spec) {
  if (spec.filter_subject.empty()) {
    return absl::InvalidArgumentError("pull subscribe: filter_subject is required");
  }
  jsSubOptions so;
  jsSubOptions_Init(&so);
  so.Stream = spec.stream.c_str();
  so.Config.AckPolicy = js_AckExplicit;
  so.Config.DeliverPolicy = js_DeliverAll;
  so.Config.AckWait = spec.ack_wait_ms * 1000000LL;
  so.Config.MaxAckPending = spec.max_ack_pending;
  natsSubscription* sub = nullptr;
  jsErrCode err = static_cast<jsErrCode>(0);
  natsStatus s = js_PullSubscribe(&sub, js_, spec.filter_subject.c_str(), spec.durable.c_str(),
                                  nullptr, &so, &err);
  if (s != NATS_OK) return FromNats(s, "pull subscribe " + spec.durable, err);
  auto out = std::unique_ptr<PullSubscription>(new PullSubscription());
  out->sub_ = sub;
  return out;
}

absl::StatusOr<ConsumerState> NatsBus::GetConsumerState(const std::string& stream,
                                                        const std::string& durable) {
  jsConsumerInfo* ci = nullptr;
  jsErrCode err = static_cast<jsErrCode>(0);
  natsStatus s = js_GetConsumerInfo(&ci, js_, stream.c_str(), durable.c_str(), nullptr, &err);
  if (s != NATS_OK) return FromNats(s, "consumer info " + durable, err);
  ConsumerState st;
  st.num_pending = ci->NumPending;
  st.num_ack_pending = ci->NumAckPending;
  st.ack_floor_stream_sequence = ci->AckFloor.Stream;
  jsConsumerInfo_Destroy(ci);
  return st;
}

absl::Status NatsBus::DeleteConsumer(const std::string& stream, const std::string& durable) {
  jsErrCode err = static_cast<jsErrCode>(0);
  return FromNats(js_DeleteConsumer(js_, stream.c_str(), durable.c_str(), nullptr, &err),
                  "delete consumer " + durable, err);
}

absl::Status NatsBus::PublishCore(const std::string& subject, const std::string& data) {
  return FromNats(
      natsConnection_Publish(conn_, subject.c_str(), data.data(), static_cast<int>(data.size())),
      "publish " + subject);
}

}  // namespace renkei::common
