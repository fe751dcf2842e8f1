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

template <typename T>
bool Parse(std::string_view value, T* out) {
  return out->ParseFromArray(value.data(), static_cast<int>(value.size()));
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
      definitions_(store->Cf(kDefinitions)),
      observations_(store->Cf(kObservations)),
      by_period_(store->Cf(kByPeriod)),
      history_(store->Cf(kHistory)),
      meta_(store->Cf(kMeta)) {}

absl::StatusOr<std::optional<v1::IndicatorDefinition>> IndicatorStore::GetDefinition(
    const std::string& code) const {
  auto value = store_->Get(definitions_, code);
  if (absl::IsNotFound(value.status())) return std::optional<v1::IndicatorDefinition>();
  if (!value.ok()) return value.status();
  v1::IndicatorDefinition d;
  if (!Parse(*value, &d)) return absl::DataLossError("corrupt definition " + code);
  return std::optional<v1::IndicatorDefinition>(std::move(d));
}

void IndicatorStore::PutDefinition(common::Batch* batch, const v1::IndicatorDefinition& d) const {
  batch->Put(definitions_, d.spec().code(), d.SerializeAsString());
}

absl::Status IndicatorStore::ForEachDefinition(
    const std::function<bool(const v1::IndicatorDefinition&)>& fn) const {
  absl::Status inner;
  RETURN_IF_ERROR(store_->ScanPrefix(definitions_, "", [&](std::string_view k, std::string_view v) {
    v1::IndicatorDefinition d;
    if (!Parse(v, &d)) {
      inner = absl::DataLossError("corrupt definition " + std::string(k));
      return false;
    }
    return fn(d);
  }));
  return inner;
}

absl::StatusOr<std::optional<v1::Observation>> IndicatorStore::GetObservation(
    const std::string& code, const std::string& jurisdiction, const Period& period) const {
  auto value = store_->Get(observations_, SeriesKey(code, jurisdiction, period));
  if (absl::IsNotFound(value.status())) return std::optional<v1::Observation>();
  if (!value.ok()) return value.status();
  v1::Observation o;
  if (!Parse(*value, &o)) return absl::DataLossError("corrupt observation");
  return std::optional<v1::Observation>(std::move(o));
}

void IndicatorStore::PutObservation(common::Batch* batch, const v1::Observation& o,
                                    const Period& period, const v1::Observation* previous) const {
  batch->Put(observations_, SeriesKey(o.indicator_code(), o.jurisdiction_code(), period),
             o.SerializeAsString());
  v1::Observation cell;
  cell.set_jurisdiction_code(o.jurisdiction_code());
  cell.set_value(o.value());
  if (o.has_numerator()) cell.set_numerator(o.numerator());
  if (o.has_denominator()) cell.set_denominator(o.denominator());
  batch->Put(by_period_,
             PeriodPrefix(o.indicator_code(), o.period(), LevelOf(o.jurisdiction_code())) +
                 o.jurisdiction_code(),
             cell.SerializeAsString());
  if (previous != nullptr) {
    batch->Put(history_,
               common::KeyBuilder()
                   .Str(o.indicator_code())
                   .Str(o.jurisdiction_code())
                   .Str(o.period())
                   .I64(previous->version())
                   .Release(),
               previous->SerializeAsString());
  }
}

absl::Status IndicatorStore::ForEachInSeries(
    const std::string& code, const std::string& jurisdiction,
    const std::function<bool(const v1::Observation&)>& fn) const {
  absl::Status inner;
  RETURN_IF_ERROR(store_->ScanPrefix(observations_, SeriesPrefix(code, jurisdiction),
                                     [&](std::string_view, std::string_view v) {
                                       v1::Observation o;
                                       if (!Parse(v, &o)) {
                                         inner = absl::DataLossError("corrupt observation");
                                         return false;
                                       }
                                       return fn(o);
                                     }));
  return inner;
}

absl::Status IndicatorStore::ForEachInPeriod(
    const std::string& code, const std::string& period, char level, const std::string& code_prefix,
    const std::function<bool(const v1::Observation&)>& fn) const {
  absl::Status inner;
  RETURN_IF_ERROR(store_->ScanPrefix(by_period_, PeriodPrefix(code, period, level) + code_prefix,
                                     [&](std::string_view, std::string_view v) {
                                       v1::Observation o;
                                       if (!Parse(v, &o)) {
                                         inner = absl::DataLossError("corrupt observation");
                                         return false;
                                       }
                                       return fn(o);
                                     }));
  return inner;
}

absl::StatusOr<std::vector<v1::Observation>> IndicatorStore::History(
    const std::string& code, const std::string& jurisdiction, const std::string& period) const {
  std::vector<v1::Observation> out;
  absl::Status inner;
  RETURN_IF_ERROR(store_->ScanPrefix(history_, HistoryPrefix(code, jurisdiction, period),
                                     [&](std::string_view, std::string_view v) {
                                       v1::Observation o;
                                       if (!Parse(v, &o)) {
                                         inner = absl::DataLossError("corrupt history");
                                         return false;
                                       }
                                       out.push_back(std::move(o));
                                       return true;
                                     }));
  RETURN_IF_ERROR(inner);
  return out;
}

void IndicatorStore::DeleteObservationsOf(common::Batch* batch, const std::string& code) const {
  const std::string prefix = common::KeyBuilder().Str(code).Release();
  const std::string end = common::PrefixSuccessor(prefix);
  for (auto cf : {observations_, by_period_, history_}) batch->DeleteRange(cf, prefix, end);
}

absl::StatusOr<uint32_t> IndicatorStore::DerivedGeneration() const {
  auto value = store_->Get(meta_, "derived_generation");
  if (absl::IsNotFound(value.status())) return 0u;
  if (!value.ok()) return value.status();
  return static_cast<uint32_t>(std::strtoul(value->c_str(), nullptr, 10));
}

void IndicatorStore::PutDerivedGeneration(common::Batch* batch, uint32_t generation) const {
  batch->Put(meta_, "derived_generation", std::to_string(generation));
}

}  // namespace renkei::indicators
