// The indicators service's domain logic, independent of gRPC (indicators_service.h is the edge).
//
// Definitions: national ones (defined on the national instance, shared with every instance),
// local ones, ones created from regional issues' expected changes (expected_change_defined
// events), and derived ones (computed from events). Observations: indicator × jurisdiction ×
// period → value; a correction keeps the superseded version in the history and queries see the
// latest. Every command is one synced batch with its events; nothing is written when a check
// fails.
//
// Roll-ups are computed when asked, from the stored cells of the jurisdictions below
// (stats.h Combine: numerators and denominators, never an average of ratios), and say how many
// jurisdictions reported of how many exist.
#pragma once

#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "indicator_store.h"
#include "renkei/common/clock.h"
#include "renkei/common/events.h"
#include "renkei/common/locks.h"
#include "renkei/common/outbox.h"
#include "renkei/v1/admin.pb.h"
#include "stats.h"

namespace renkei::indicators {

struct IndicatorsOptions {
  v1::InstanceLevel level = v1::INSTANCE_LEVEL_MUNICIPALITY;
  std::string jurisdiction_code;  // "000000", a prefecture's or a municipality's code
  SuppressionRule suppression;
  // Rows per committed batch when importing.
  int import_batch_rows = 1000;
};

class Indicators {
 public:
  Indicators(common::Store* store, common::Outbox* outbox, common::EventSource events,
             IndicatorsOptions options, const common::Clock* clock = common::SystemClock::Get());

  absl::StatusOr<v1::IndicatorDefinition> DefineIndicator(const v1::DefineIndicatorRequest& r);
  absl::StatusOr<v1::IndicatorDefinition> GetIndicator(const v1::GetIndicatorRequest& r) const;
  absl::StatusOr<v1::ListIndicatorsResponse> ListIndicators(
      const v1::ListIndicatorsRequest& r) const;

  absl::StatusOr<v1::Observation> RecordObservation(const v1::RecordObservationRequest& r);
  absl::StatusOr<v1::ObservationHistory> GetObservationHistory(
      const v1::GetObservationHistoryRequest& r) const;

  absl::StatusOr<v1::Series> GetSeries(const v1::GetSeriesRequest& r) const;
  absl::StatusOr<v1::Comparison> Compare(const v1::CompareRequest& r) const;
  absl::StatusOr<v1::RollUpValue> RollUp(const v1::RollUpRequest& r) const;
  absl::StatusOr<v1::IssueProgress> GetIssueProgress(const v1::GetIssueProgressRequest& r) const;

  absl::StatusOr<v1::ExportedFile> ExportObservations(const v1::ExportObservationsRequest& r) const;
  absl::StatusOr<v1::ImportObservationsResponse> ImportObservations(
      const v1::ImportObservationsRequest& r);

  // expected_change_defined (issues service) -> a definition of origin EXPECTED_CHANGE, and its
  // baseline as an observation when the spec gives the baseline's period.
  absl::Status ApplyExpectedChange(const v1::EventEnvelope& event, common::CommandBatch* cmd);

  // Derived definitions stored under an earlier wording (name, description, unit) are rewritten
  // as the built-in ones read now, each as a new version with its indicator_defined event: run at
  // start-up, so a relabelled vocabulary reaches stored definitions and the instances above.
  absl::Status RefreshDerivedDefinitions();

  // Any event of the instance -> the derived indicators it counts (derived.h). Events of
  // jurisdictions this instance does not govern are ignored.
  absl::Status ApplyDerived(const v1::EventEnvelope& event, common::CommandBatch* cmd);

  // Federation: an indicator_defined or observation_recorded event of another instance (sourced
  // from the children, or from the parent for definitions). A definition is kept as it was
  // defined (national definitions reach every instance this way); an observation of a
  // jurisdiction this instance governs is stored as that jurisdiction's value when newer than
  // what is stored, so roll-ups at the prefecture and the nation are computed from the values
  // the municipalities recorded. Nothing is published again (the owner did). An observation
  // whose definition has not arrived yet is retried.
  absl::Status ApplyFederated(const v1::EventEnvelope& event, common::CommandBatch* cmd);

  // Before the derived consumer starts: when `generation` is above the stored one, clears every
  // derived figure and stores the new generation (one synced batch recording `answer`, when
  // given, for the call's request id), so the consumer of that generation recomputes them from
  // the stream's history. Returns the consumer's durable name.
  absl::StatusOr<std::string> PrepareDerivedGeneration(
      uint32_t generation, const google::protobuf::Message* answer = nullptr);
  // The generation of the derived figures now (0 before any recompute).
  absl::StatusOr<uint32_t> DerivedGeneration() const { return store_.DerivedGeneration(); }

  // Every derived figure this instance holds for a jurisdiction it governs, as the sums the
  // events added (value for counts; numerator and denominator otherwise).
  absl::StatusOr<std::vector<v1::EventCount>> HeldDerivedFigures() const;
  // Sets each figure of `figures` to the given sums (defining the derived indicator when it is
  // not yet), in one synced batch recording `answer` for the call's request id. The caller
  // keeps every derived event from being applied meanwhile.
  absl::Status SetDerivedFigures(const std::vector<v1::EventCount>& figures,
                                 const google::protobuf::Message& answer);
  // Whether this instance may hold values of the jurisdiction.
  bool Governs(const std::string& jurisdiction_code) const;

  const IndicatorsOptions& options() const { return options_; }

 private:
  // A validated observation ready to write.
  struct Prepared {
    v1::Observation observation;
    Period period;
    v1::IndicatorDefinition definition;
  };
  // Checks an observation (paths under `path`) against its definition and this instance's
  // jurisdiction; fills value from numerator/denominator for ratios.
  absl::StatusOr<Prepared> Prepare(const v1::Observation& o, const std::string& path) const;
  // Writes it (a correction when a value exists at expected_version) into the batch.
  // Returns false when the stored value is identical (nothing to write).
  absl::StatusOr<bool> Stage(Prepared* p, int64_t expected_version, bool upsert,
                             common::CommandBatch* cmd);
  absl::StatusOr<v1::IndicatorDefinition> Definition(const std::string& code,
                                                     const std::string& field) const;
  // The stored definition of a derived indicator; when none is stored, the built-in one, written
  // into `cmd` with its indicator_defined event (once per code in `defined`). nullopt when `code`
  // is not a derived indicator. `name`, when given, names a new definition (an awareness item's
  // statement, which its code does not hold).
  absl::StatusOr<std::optional<v1::IndicatorDefinition>> DefineDerived(
      const std::string& code, common::CommandBatch* cmd, std::set<std::string>* defined,
      const std::string& name = "");
  // Whether a cell of `jurisdiction` is withheld from this caller: small, and not this
  // instance's own jurisdiction.
  bool Withheld(const Cell& cell, v1::IndicatorKind kind, const std::string& jurisdiction) const;
  // The cell of `jurisdiction` for a period: stored, or rolled up from below.
  absl::StatusOr<std::optional<Cell>> CellOf(const v1::IndicatorDefinition& d,
                                             const std::string& jurisdiction,
                                             const std::string& period, int* reporting,
                                             int* expected) const;
  v1::EventEnvelope NewEvent(std::string_view type, std::string_view id, int64_t version,
                             const std::string& jurisdiction) const;

  IndicatorsOptions options_;
  const common::Clock* clock_;
  common::EventSource events_;
  IndicatorStore store_;
  common::Store* raw_store_;
  common::Outbox* outbox_;
  common::StripedLocks locks_;
};

}  // namespace renkei::indicators
