// Persistence of the indicators service. Callers build one CommandBatch per command from the
// Put* calls (with the events) and commit it; reads go straight to RocksDB.
//
// Column families:
//   "definitions"   code -> IndicatorDefinition
//   "observations"  (code, jurisdiction, period kind, period sort key) -> Observation (latest):
//                   a jurisdiction's series is one prefix scan, in time order
//   "by_period"     (code, period, level, jurisdiction) -> Observation (value, numerator,
//                   denominator only): a period's municipalities of one prefecture, or of the
//                   nation, are one prefix scan
//   "observation_history"  (code, jurisdiction, period, version) -> Observation (superseded)
//   "indicators_meta"  "derived_generation" -> decimal number
// plus the outbox's and the inbox's. Thread-safe.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "periods.h"
#include "renkei/common/store.h"
#include "renkei/common/table.h"
#include "renkei/v1/indicators.pb.h"
#include "renkei/v1/issues.pb.h"

namespace renkei::indicators {

// 'm' municipality, 'p' prefecture, 'n' the nation: the level part of by_period keys.
char LevelOf(std::string_view jurisdiction_code);

class IndicatorStore {
 public:
  static std::vector<std::string> ColumnFamilies();
  explicit IndicatorStore(common::Store* store);

  absl::StatusOr<std::optional<v1::IndicatorDefinition>> GetDefinition(
      const std::string& code) const;
  void PutDefinition(common::Batch* batch, const v1::IndicatorDefinition& d) const;
  absl::Status ForEachDefinition(
      const std::function<bool(const v1::IndicatorDefinition&)>& fn) const;

  absl::StatusOr<std::optional<v1::Observation>> GetObservation(const std::string& code,
                                                                const std::string& jurisdiction,
                                                                const Period& period) const;
  // Writes the latest value (both indexes); `previous`, when given, goes to the history.
  void PutObservation(common::Batch* batch, const v1::Observation& o, const Period& period,
                      const v1::Observation* previous) const;
  // A jurisdiction's observations of one indicator in time order (per period kind).
  absl::Status ForEachInSeries(const std::string& code, const std::string& jurisdiction,
                               const std::function<bool(const v1::Observation&)>& fn) const;
  // One period's observations of jurisdictions of `level` whose code starts with
  // `code_prefix` (e.g. 'm' and "13": Tokyo's municipalities), by code.
  absl::Status ForEachInPeriod(const std::string& code, const std::string& period, char level,
                               const std::string& code_prefix,
                               const std::function<bool(const v1::Observation&)>& fn) const;
  // Superseded versions, oldest first.
  absl::StatusOr<std::vector<v1::Observation>> History(const std::string& code,
                                                       const std::string& jurisdiction,
                                                       const std::string& period) const;

  // Removes every observation of the indicator (latest values and history) in the batch.
  void DeleteObservationsOf(common::Batch* batch, const std::string& code) const;

  // The generation of the derived indicators' figures (0 when never recomputed).
  absl::StatusOr<uint32_t> DerivedGeneration() const;
  void PutDerivedGeneration(common::Batch* batch, uint32_t generation) const;

  // An expected change that names an indicator another origin defines (a derived figure, a
  // national indicator): kept so that the issue's progress follows that indicator.
  void PutIssueLink(common::Batch* batch, const v1::ExpectedChangeDefined& link) const;
  absl::Status ForEachIssueLink(
      const std::string& issue_id,
      const std::function<bool(const v1::ExpectedChangeDefined&)>& fn) const;

  common::Store* store() const { return store_; }

 private:
  common::Store* store_;
  // Indicators are aggregate figures: no personal data, tables stored plain.
  common::Table<v1::IndicatorDefinition> definitions_;
  common::Table<v1::Observation> observations_;  // by series key
  common::Table<v1::Observation> by_period_;     // cells: value, numerator, denominator
  common::Table<v1::Observation> history_;       // earlier versions
  common::ColumnFamily meta_;
};

}  // namespace renkei::indicators
