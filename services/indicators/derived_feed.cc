#include "derived_feed.h"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <set>
#include <thread>

#include "absl/strings/str_cat.h"
#include "derived.h"
#include "grpcpp/client_context.h"
#include "renkei/common/dates.h"
#include "renkei/common/errors.h"
#include "renkei/common/events.h"
#include "renkei/common/federation.h"
#include "renkei/common/grpc_status.h"
#include "renkei/common/log.h"
#include "renkei/common/status_macros.h"
#include "renkei/v1/admin.grpc.pb.h"

namespace renkei::indicators {
namespace {

std::string DurableOf(uint32_t generation) {
  return generation == 0 ? std::string("indicators_derived")
                         : "indicators_derived_g" + std::to_string(generation);
}

std::string FigureKey(const v1::EventCount& c) {
  return c.code() + "\n" + c.jurisdiction() + "\n" + c.period();
}

bool SameSums(const v1::EventCount& a, const v1::EventCount& b) {
  auto eq = [](double x, double y) { return std::fabs(x - y) < 1e-9; };
  return eq(a.value(), b.value()) && eq(a.numerator(), b.numerator()) &&
         eq(a.denominator(), b.denominator());
}

// "2026-11" of a timestamp, in Tokyo.
std::string MonthOf(const google::protobuf::Timestamp& t) {
  const v1::Date d = common::TokyoDate(common::MicrosFromTimestamp(t));
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02d", d.year(), d.month());
  return buf;
}

std::string Describe(const v1::StreamHistory& h) {
  std::string s = h.service() + ": ";
  bool first = true;
  for (const auto& g : h.gaps()) {
    if (!first) s += "; ";
    first = false;
    s += g.events_lost() > 0 ? std::to_string(g.events_lost()) + " 件以上の" : "件数不明の";
    s += "イベントがありません / events missing (" + g.cause() + ")";
  }
  return s;
}

}  // namespace

template <typename Response, typename Request>
absl::StatusOr<std::vector<Response>> DerivedFeed::AskEach(
    const Request& request,
    grpc::Status (v1::AdminService::Stub::*rpc)(grpc::ClientContext*, const Request&, Response*),
    const char* what) const {
  std::vector<Response> out;
  for (const auto& [name, channel] : options_.sources) {
    auto stub = v1::AdminService::NewStub(channel);
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() +
                     std::chrono::milliseconds(options_.call_timeout_ms));
    // A service restarted a moment ago: wait for its channel to connect (within the deadline)
    // rather than fail at once.
    ctx.set_wait_for_ready(true);
    Response r;
    grpc::Status s = ((*stub).*rpc)(&ctx, request, &r);
    if (!s.ok()) {
      return absl::UnavailableError(absl::StrCat(name, " に問い合わせできません: ", what,
                                                 " / cannot ask ", name, ": ", s.error_message()));
    }
    out.push_back(std::move(r));
  }
  return out;
}

DerivedFeed::DerivedFeed(Indicators* domain, common::Store* store, common::Outbox* outbox,
                         common::NatsBus* bus, common::Metrics* metrics, DerivedFeedOptions options)
    : domain_(domain),
      store_(store),
      outbox_(outbox),
      bus_(bus),
      metrics_(metrics),
      options_(std::move(options)) {}

DerivedFeed::~DerivedFeed() { Stop(); }

std::string DerivedFeed::durable() const {
  std::lock_guard<std::mutex> lock(mu_);
  return durable_;
}

absl::Status DerivedFeed::Apply(const v1::EventEnvelope& event, common::CommandBatch* cmd) {
  // Held until the consumer has committed this event's batch.
  cmd->Hold(std::make_shared<std::shared_lock<std::shared_mutex>>(apply_mu_));
  return domain_->ApplyDerived(event, cmd);
}

absl::Status DerivedFeed::StartConsumersLocked(const std::string& durable) {
  auto start = [&](const std::string& stream, const std::string& name, const std::string& filter) {
    common::ConsumerOptions o;
    o.consumer.stream = stream;
    o.consumer.durable = name;
    o.consumer.filter_subject = filter;
    // Whether an event counts depends only on the event (derived.h).
    o.skip_inbox_for_no_ops = true;
    auto consumer = std::make_unique<common::DurableConsumer>(
        store_, outbox_, bus_, o,
        [this](const v1::EventEnvelope& e, common::CommandBatch* cmd) { return Apply(e, cmd); },
        common::SystemClock::Get(), metrics_);
    consumer->Start();
    consumers_.push_back(std::move(consumer));
  };
  // The filters are those of the durables already stored: equal to them, character for character.
  start(options_.stream, durable, common::InstanceStreamSubjects(options_.instance_id).front());
  if (!options_.children_stream.empty()) {
    start(options_.children_stream, durable + "_children", common::kEveryEvent);
  }
  durable_ = durable;
  return absl::OkStatus();
}

void DerivedFeed::StopConsumersLocked() {
  for (auto& c : consumers_) c->Stop();
  consumers_.clear();
}

absl::Status DerivedFeed::Start() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    ASSIGN_OR_RETURN(uint32_t generation, domain_->DerivedGeneration());
    RETURN_IF_ERROR(StartConsumersLocked(DurableOf(generation)));
  }
  if (options_.reconcile_interval_ms > 0 &&
      domain_->options().level == v1::INSTANCE_LEVEL_MUNICIPALITY) {
    schedule_ = std::thread([this] {
      std::unique_lock<std::mutex> lock(schedule_mu_);
      while (!schedule_cv_.wait_for(lock, std::chrono::milliseconds(options_.reconcile_interval_ms),
                                    [&] { return stopping_; })) {
        lock.unlock();
        auto report = Reconcile(v1::ReconcileDerivedRequest());
        if (report.ok()) {
          if (metrics_ != nullptr) {
            metrics_->SetGauge("renkei_derived_differences",
                               "Derived indicator figures that differ from what the owning "
                               "services count (scheduled reconcile; 0: none)",
                               report->differences_size());
          }
          if (report->differences_size() > 0) {
            common::LogLine(common::LogLevel::kWarning,
                            "derived indicators differ from the owners' counts; see renkeictl "
                            "indicator reconcile")
                .Field("figures", report->differences_size());
          }
        } else {
          common::LogLine(common::LogLevel::kInfo, "scheduled reconcile skipped")
              .Field("reason", report.status().ToString());
        }
        lock.lock();
      }
    });
  }
  return absl::OkStatus();
}

void DerivedFeed::Stop() {
  stopping_requested_ = true;  // a comparison waiting for a quiet moment gives up
  {
    std::lock_guard<std::mutex> lock(schedule_mu_);
    stopping_ = true;
  }
  schedule_cv_.notify_all();
  if (schedule_.joinable()) schedule_.join();
  std::lock_guard<std::mutex> lock(mu_);
  StopConsumersLocked();
}

absl::StatusOr<std::vector<v1::StreamHistory>> DerivedFeed::Histories() const {
  return AskEach<v1::StreamHistory>(v1::GetStreamHistoryRequest(),
                                    &v1::AdminService::Stub::GetStreamHistory,
                                    "ストリームの履歴 / its stream history");
}

absl::StatusOr<std::vector<v1::EventCounts>> DerivedFeed::Counts() const {
  return AskEach<v1::EventCounts>(v1::CountEventsRequest(), &v1::AdminService::Stub::CountEvents,
                                  "件数 / its event counts");
}

absl::StatusOr<v1::RecomputeDerivedResponse> DerivedFeed::Recompute(
    const v1::RecomputeDerivedRequest& r) {
  std::lock_guard<std::mutex> lock(mu_);
  v1::RecomputeDerivedResponse out;
  ASSIGN_OR_RETURN(auto histories, Histories());
  std::string gaps;
  for (const auto& h : histories) {
    if (!h.complete()) gaps += (gaps.empty() ? "" : " | ") + Describe(h);
    *out.add_histories() = h;
  }
  if (!gaps.empty() && !r.accept_history_gap()) {
    return common::NotAllowedNow(
        "accept_history_gap",
        "ストリームに履歴の欠けがあるため再計算すると件数が減ります。整合の修復 (renkeictl "
        "indicator reconcile) を行うか、欠けを承知のうえで再計算してください / the stream lacks "
        "events, a recompute would undercount (accept_history_gap): " +
            gaps);
  }
  ASSIGN_OR_RETURN(uint32_t generation, domain_->DerivedGeneration());
  out.set_generation(generation + 1);
  const std::string old = durable_;
  StopConsumersLocked();
  auto next = domain_->PrepareDerivedGeneration(generation + 1, &out);
  if (!next.ok()) {
    // The figures were not cleared: carry on with the generation there was.
    RETURN_IF_ERROR(StartConsumersLocked(old));
    return next.status();
  }
  // The previous generation's positions on the stream are not needed again.
  if (absl::Status s = bus_->DeleteConsumer(options_.stream, old); !s.ok()) {
    common::LogLine(common::LogLevel::kWarning, "old derived consumer not removed")
        .Field("consumer", old)
        .Field("reason", s.ToString());
  }
  if (!options_.children_stream.empty()) {
    (void)bus_->DeleteConsumer(options_.children_stream, old + "_children");
  }
  RETURN_IF_ERROR(StartConsumersLocked(*next));
  common::LogLine(common::LogLevel::kInfo, "derived indicators recomputing from the stream")
      .Field("generation", static_cast<int64_t>(generation) + 1)
      .Field("history_gaps_accepted", !gaps.empty());
  return out;
}

absl::StatusOr<v1::ReconcileDerivedResponse> DerivedFeed::Reconcile(
    const v1::ReconcileDerivedRequest& r) {
  if (domain_->options().level != v1::INSTANCE_LEVEL_MUNICIPALITY) {
    return common::NotAllowedNow(
        "instance",
        "照合は市区町村のインスタンスで行います / reconcile runs at a municipal "
        "instance (a prefecture's figures include its municipalities' events)");
  }
  std::lock_guard<std::mutex> lock(mu_);
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::milliseconds(options_.reconcile_wait_ms);
  std::string busy;
  while (std::chrono::steady_clock::now() < deadline && !stopping_requested_.load()) {
    {
      // No derived event applies while the cut is taken, compared and repaired.
      std::unique_lock<std::shared_mutex> hold(apply_mu_);
      auto before = bus_->GetStreamState(options_.stream);
      auto consumer = bus_->GetConsumerState(options_.stream, durable_);
      if (!before.ok()) return before.status();
      if (absl::IsNotFound(consumer.status())) {
        // Right after a start or a recompute: the consumer is made on its first fetch.
        busy = "集計の準備中です / the derived consumer is starting";
      } else if (!consumer.ok()) {
        return consumer.status();
      } else if (consumer->num_pending > 0 || consumer->num_ack_pending > 0) {
        busy = "未処理のイベントがあります / events not yet applied";
      } else if (auto counted = Counts(); !counted.ok()) {
        if (!absl::IsUnavailable(counted.status())) return counted.status();
        busy = std::string(counted.status().message());
      } else {
        auto& counts = *counted;
        bool unpublished = false;
        for (const auto& c : counts) unpublished = unpublished || c.unpublished() > 0;
        auto after = bus_->GetStreamState(options_.stream);
        if (!after.ok()) return after.status();
        if (unpublished) {
          busy = "未送信のイベントがあります / events not yet published";
        } else if (after->last_sequence != before->last_sequence) {
          busy = "イベントが届き続けています / events keep arriving";
        } else {
          // A consistent cut: every event the owners counted is in the stream and applied.
          v1::ReconcileDerivedResponse out;
          std::map<std::string, v1::EventCount> counted;
          std::map<std::string, std::string> owner;
          std::string skip_until;  // periods up to this month are not compared
          for (const auto& c : counts) {
            if (c.has_counting_since()) {
              const std::string m = MonthOf(c.counting_since());
              if (m > skip_until) skip_until = m;
            }
            for (const auto& e : c.counts()) {
              if (!domain_->Governs(e.jurisdiction()) || !DerivedDefinition(e.code())) continue;
              auto& sum = counted[FigureKey(e)];
              sum.set_code(e.code());
              sum.set_jurisdiction(e.jurisdiction());
              sum.set_period(e.period());
              sum.set_value(sum.value() + e.value());
              sum.set_numerator(sum.numerator() + e.numerator());
              sum.set_denominator(sum.denominator() + e.denominator());
              owner[FigureKey(e)] = c.service();
            }
            v1::EventCounts summary = c;
            summary.clear_counts();
            *out.add_sources() = std::move(summary);
          }
          ASSIGN_OR_RETURN(auto held_list, domain_->HeldDerivedFigures());
          std::map<std::string, v1::EventCount> held;
          for (auto& h : held_list) held[FigureKey(h)] = std::move(h);
          std::set<std::string> keys;
          for (const auto& [k, v] : counted) keys.insert(k);
          for (const auto& [k, v] : held) keys.insert(k);
          std::set<std::string> skipped;
          std::vector<v1::EventCount> repairs;
          for (const auto& k : keys) {
            auto h = held.find(k);
            auto c = counted.find(k);
            const v1::EventCount& any = h != held.end() ? h->second : c->second;
            if (!skip_until.empty() && any.period() <= skip_until) {
              skipped.insert(any.period());
              continue;
            }
            out.set_compared(out.compared() + 1);
            v1::EventCount held_sum = h != held.end() ? h->second : v1::EventCount();
            v1::EventCount counted_sum = c != counted.end() ? c->second : v1::EventCount();
            held_sum.set_code(any.code());
            held_sum.set_jurisdiction(any.jurisdiction());
            held_sum.set_period(any.period());
            counted_sum.set_code(any.code());
            counted_sum.set_jurisdiction(any.jurisdiction());
            counted_sum.set_period(any.period());
            if (SameSums(held_sum, counted_sum)) continue;
            auto* d = out.add_differences();
            d->set_code(any.code());
            d->set_jurisdiction(any.jurisdiction());
            d->set_period(any.period());
            d->set_service(owner.count(k) ? owner[k] : "");
            *d->mutable_held() = held_sum;
            *d->mutable_counted() = counted_sum;
            repairs.push_back(counted_sum);
          }
          for (const auto& p : skipped) out.add_skipped_periods(p);
          if (r.repair() && !repairs.empty()) {
            out.set_repaired(true);
            RETURN_IF_ERROR(domain_->SetDerivedFigures(repairs, out));
            common::LogLine(common::LogLevel::kInfo, "derived figures repaired")
                .Field("figures", static_cast<int64_t>(repairs.size()));
          }
          return out;
        }
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  return absl::UnavailableError(
      "イベントの処理が落ち着かないため照合できません。しばらくしてからやり直してください / no "
      "quiet moment to reconcile (" +
      busy + "); try again later");
}

}  // namespace renkei::indicators
