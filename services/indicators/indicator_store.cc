#include "indicator_store.h"

#include "renkei/common/consumer.h"
#include "renkei/common/keys.h"
#include "renkei/common/outbox.h"
#include "renkei/common/status_macros.h"

namespace renkei::indicators {
namespace {

constexpr char kDefinitions[] = "definitions";
constexpr char kObservations[] = "observations";
constexpr char kByPeriod[] = "by_period";
constexpr char kHistory[] = "observation_history";
constexpr char kMeta[] = "indicators_meta";

std::string SeriesPrefix(const std::string& code, const std::string& jurisdiction) {
  return common::KeyBuilder().Str(code).Str(jurisdiction).Release();
}

std::string SeriesKey(const std::string& code, const std::string& jurisdiction, const Period& p) {
  return common::KeyBuilder()
      .Str(code)
      .Str(jurisdiction)
      .U64(static_cast<uint64_t>(p.kind))
      .I64(p.SortKey())
      .Release();
}

std::string PeriodPrefix(const std::string& code, const std::string& period, char level) {
  std::string k = common::KeyBuilder().Str(code).Str(period).Release();
  k.push_back(level);
  return k;
}

std::string HistoryPrefix(const std::string& code, const std::string& jurisdiction,
                          const std::string& period) {
  return common::KeyBuilder().Str(code).Str(jurisdiction).Str(period).Release();
}

}  // namespace

char LevelOf(std::string_view code) {
  if (code == "000000") return 'n';
  if (code.size() == 6 && code.substr(2, 3) == "000") return 'p';
  return 'm';
}

std::vector<std::string> IndicatorStore::ColumnFamilies() {
  std::vector<std::string> cfs = {kDefinitions, kObservations, kByPeriod, kHistory, kMeta};
  for (auto& cf : common::OutboxColumnFamilies()) cfs.push_back(cf);
  for (auto& cf : common::InboxColumnFamilies()) cfs.push_back(cf);
  return cfs;
}

IndicatorStore::IndicatorStore(common::Store* store)
    : store_(store),
      definitions_(store, nullptr, kDefinitions, {"指標", "indicator"}),
      observations_(store, nullptr, kObservations, {"観測値", "observation"}),
      by_period_(store, nullptr, kByPeriod, {"観測値", "observation"}),
      history_(store, nullptr, kHistory, {"観測値の履歴", "observation history"}),
      meta_(store->Cf(kMeta)) {}

absl::StatusOr<std::optional<v1::IndicatorDefinition>> IndicatorStore::GetDefinition(
    const std::string& code) const {
  return definitions_.Find(code);
}

void IndicatorStore::PutDefinition(common::Batch* batch, const v1::IndicatorDefinition& d) const {
  definitions_.Put(batch, d.spec().code(), d);
}

absl::Status IndicatorStore::ForEachDefinition(
    const std::function<bool(const v1::IndicatorDefinition&)>& fn) const {
  return definitions_.ForEach(
      "", [&](std::string_view, const v1::IndicatorDefinition& d) { return fn(d); });
}

absl::StatusOr<std::optional<v1::Observation>> IndicatorStore::GetObservation(
    const std::string& code, const std::string& jurisdiction, const Period& period) const {
  return observations_.Find(SeriesKey(code, jurisdiction, period));
}

void IndicatorStore::PutObservation(common::Batch* batch, const v1::Observation& o,
                                    const Period& period, const v1::Observation* previous) const {
  observations_.Put(batch, SeriesKey(o.indicator_code(), o.jurisdiction_code(), period), o);
  v1::Observation cell;
  cell.set_jurisdiction_code(o.jurisdiction_code());
  cell.set_value(o.value());
  if (o.has_numerator()) cell.set_numerator(o.numerator());
  if (o.has_denominator()) cell.set_denominator(o.denominator());
  by_period_.Put(batch,
                 PeriodPrefix(o.indicator_code(), o.period(), LevelOf(o.jurisdiction_code())) +
                     o.jurisdiction_code(),
                 cell);
  if (previous != nullptr) {
    history_.Put(batch,
                 common::KeyBuilder()
                     .Str(o.indicator_code())
                     .Str(o.jurisdiction_code())
                     .Str(o.period())
                     .I64(previous->version())
                     .Release(),
                 *previous);
  }
}

absl::Status IndicatorStore::ForEachInSeries(
    const std::string& code, const std::string& jurisdiction,
    const std::function<bool(const v1::Observation&)>& fn) const {
  return observations_.ForEach(SeriesPrefix(code, jurisdiction),
                               [&](std::string_view, const v1::Observation& o) { return fn(o); });
}

absl::Status IndicatorStore::ForEachInPeriod(
    const std::string& code, const std::string& period, char level, const std::string& code_prefix,
    const std::function<bool(const v1::Observation&)>& fn) const {
  return by_period_.ForEach(PeriodPrefix(code, period, level) + code_prefix,
                            [&](std::string_view, const v1::Observation& o) { return fn(o); });
}

absl::StatusOr<std::vector<v1::Observation>> IndicatorStore::History(
    const std::string& code, const std::string& jurisdiction, const std::string& period) const {
  std::vector<v1::Observation> out;
  RETURN_IF_ERROR(history_.ForEach(HistoryPrefix(code, jurisdiction, period),
                                   [&](std::string_view, const v1::Observation& o) {
                                     out.push_back(o);
                                     return true;
                                   }));
  return out;
}

void IndicatorStore::DeleteObservationsOf(common::Batch* batch, const std::string& code) const {
  const std::string prefix = common::KeyBuilder().Str(code).Release();
  const std::string end = common::PrefixSuccessor(prefix);
  for (auto cf : {observations_.cf(), by_period_.cf(), history_.cf()}) {
    batch->DeleteRange(cf, prefix, end);
  }
}

absl::StatusOr<uint32_t> IndicatorStore::DerivedGeneration() const {
  auto value = store_->Get(meta_, "derived_generation");
  if (absl::IsNotFound(value.status())) return 0u;
  if (!value.ok()) return value.status();
  return static_cast<uint32_t>(std::strtoul(value->c_str(), nullptr, 10));
}

void IndicatorStore::PutIssueLink(common::Batch* batch,
                                  const v1::ExpectedChangeDefined& link) const {
  batch->Put(meta_, "link/" + link.issue_id() + "/" + link.indicator().code(),
             link.SerializeAsString());
}

absl::Status IndicatorStore::ForEachIssueLink(
    const std::string& issue_id,
    const std::function<bool(const v1::ExpectedChangeDefined&)>& fn) const {
  absl::Status parsed;
  absl::Status s = store_->ScanPrefix(
      meta_, "link/" + issue_id + "/", [&](std::string_view, std::string_view value) {
        v1::ExpectedChangeDefined link;
        if (!link.ParseFromArray(value.data(), static_cast<int>(value.size()))) {
          parsed = absl::DataLossError("unreadable issue link");
          return false;
        }
        return fn(link);
      });
  return s.ok() ? parsed : s;
}

void IndicatorStore::PutDerivedGeneration(common::Batch* batch, uint32_t generation) const {
  batch->Put(meta_, "derived_generation", std::to_string(generation));
}

}  // namespace renkei::indicators
