// Indicators: observations (recorded one by one, with their history).
#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <set>

#include "derived.h"
#include "google/protobuf/util/json_util.h"
#include "indicators.h"
#include "indicators_parts.h"
#include "renkei/common/csv.h"
#include "renkei/common/errors.h"
#include "renkei/common/ids.h"
#include "renkei/common/jurisdiction.h"
#include "renkei/common/status_macros.h"
#include "renkei/common/text.h"
#include "renkei/common/validation.h"

namespace renkei::indicators {

// --- observations ---------------------------------------------------------------------------

absl::StatusOr<Indicators::Prepared> Indicators::Prepare(const v1::Observation& o,
                                                         const std::string& path) const {
  ASSIGN_OR_RETURN(v1::IndicatorDefinition d,
                   Definition(o.indicator_code(), path + ".indicator_code"));
  FieldViolations v;
  const std::string& j = o.jurisdiction_code();
  if (!IsKnownJurisdiction(j)) {
    v.Add(path + ".jurisdiction_code", "不明な団体コードです: " + j + " / unknown jurisdiction");
  } else if (!Governs(j)) {
    v.Add(path + ".jurisdiction_code", JurisdictionName(j) + " はこのインスタンス (" +
                                           JurisdictionName(options_.jurisdiction_code) +
                                           ") の管轄外です / not under this instance");
  }
  auto period = ParsePeriod(o.period());
  if (!period) {
    v.Add(path + ".period",
          "期間の形式が不正です (例 2026-11, 2026-Q3, FY2026) / malformed period");
  } else if (!MatchesFrequency(*period, d.spec().frequency())) {
    v.Add(path + ".period", "この指標の期間は" +
                                std::string(ExpectedPeriodForm(d.spec().frequency())) +
                                "です / period does not match the frequency");
  }
  if (d.origin() == v1::INDICATOR_ORIGIN_DERIVED) {
    v.Add(path + ".indicator_code",
          "システム集計の指標です (イベントから計算されます) / derived from events, not recorded");
  }
  Prepared p;
  p.observation = o;
  p.definition = d;
  const auto kind = d.spec().kind();
  if (kind == v1::INDICATOR_KIND_RATIO) {
    if (!o.has_numerator()) v.Add(path + ".numerator", "割合の指標には分子が必要です / required");
    if (!o.has_denominator()) {
      v.Add(path + ".denominator", "割合の指標には分母が必要です / required");
    } else if (!(o.denominator() > 0) || !std::isfinite(o.denominator())) {
      v.Add(path + ".denominator", "分母は0より大きい数です / must be > 0");
    }
    if (o.has_numerator() && (!std::isfinite(o.numerator()) || o.numerator() < 0))
      v.Add(path + ".numerator", "0 以上の数です / must be ≥ 0");
    if (o.has_numerator() && o.has_denominator() && o.denominator() > 0)
      p.observation.set_value(o.numerator() / o.denominator());
  } else {
    if (!std::isfinite(o.value())) v.Add(path + ".value", "数値です / finite");
    if (kind == v1::INDICATOR_KIND_COUNT && (o.value() < 0 || o.value() != std::floor(o.value()))) {
      v.Add(path + ".value", "件数は0以上の整数です / a count is a whole number ≥ 0");
    }
    if (o.has_denominator() && (!(o.denominator() > 0) || !std::isfinite(o.denominator())))
      v.Add(path + ".denominator", "回答数は0より大きい数です / must be > 0");
    if (kind == v1::INDICATOR_KIND_COUNT && o.has_numerator())
      v.Add(path + ".numerator", "件数の指標に分子はありません / counts have no numerator");
  }
  v.CheckText(path + ".source", o.source(), {.max_chars = 200});
  v.CheckText(path + ".note", o.note(), {.max_chars = 1000, .single_line = false});
  v.CheckText(path + ".recorded_by", o.recorded_by(), {.max_chars = 100});
  RETURN_IF_ERROR(v.ToStatus());
  p.period = *period;
  p.observation.set_period(period->ToString());
  return p;
}

absl::StatusOr<bool> Indicators::Stage(Prepared* p, int64_t expected_version, bool upsert,
                                       common::CommandBatch* cmd) {
  auto& o = p->observation;
  ASSIGN_OR_RETURN(auto stored,
                   store_.GetObservation(o.indicator_code(), o.jurisdiction_code(), p->period));
  if (stored && !upsert) {
    if (expected_version == 0) {
      return common::StaleVersion(*stored, expected_version,
                                  "この期間の値は記録済みです (版 " +
                                      std::to_string(stored->version()) +
                                      ")。訂正するには読み込んだ版を指定してください / already "
                                      "recorded: give expected_version to correct it");
    }
    if (stored->version() != expected_version)
      return common::StaleVersion(*stored, expected_version);
  } else if (!stored && expected_version > 0) {
    return common::NotFoundError(
        "renkei.v1.Observation",
        o.indicator_code() + "/" + o.jurisdiction_code() + "/" + o.period(),
        "訂正する値がありません / nothing recorded for this period");
  }
  if (stored && stored->value() == o.value() && stored->has_numerator() == o.has_numerator() &&
      stored->numerator() == o.numerator() && stored->has_denominator() == o.has_denominator() &&
      stored->denominator() == o.denominator() && stored->source() == o.source() &&
      stored->note() == o.note()) {
    o = *stored;
    return false;
  }
  o.set_version(stored ? stored->version() + 1 : 1);
  *o.mutable_recorded_at() = clock_->NowTimestamp();
  store_.PutObservation(&cmd->batch(), o, p->period, stored ? &*stored : nullptr);
  auto e =
      NewEvent("observation", o.indicator_code() + "/" + o.jurisdiction_code() + "/" + o.period(),
               o.version(), o.jurisdiction_code());
  auto* payload = e.mutable_observation_recorded();
  payload->set_indicator_code(o.indicator_code());
  payload->set_jurisdiction_code(o.jurisdiction_code());
  payload->set_period(o.period());
  payload->set_value(o.value());
  if (o.has_numerator()) payload->set_numerator(o.numerator());
  if (o.has_denominator()) payload->set_denominator(o.denominator());
  payload->set_version(o.version());
  cmd->AddEvent(e);
  return true;
}

absl::StatusOr<v1::Observation> Indicators::RecordObservation(
    const v1::RecordObservationRequest& r) {
  if (r.expected_version() < 0)
    return common::InvalidField("expected_version", "0 以上です / must be ≥ 0");
  ASSIGN_OR_RETURN(Prepared p, Prepare(r.observation(), "observation"));
  const auto& o = p.observation;
  auto guard = locks_.Lock(o.indicator_code() + "/" + o.jurisdiction_code() + "/" + o.period());
  common::CommandBatch cmd(raw_store_, outbox_);
  ASSIGN_OR_RETURN(bool changed, Stage(&p, r.expected_version(), false, &cmd));
  if (changed) {
    cmd.SetAnswer(p.observation);
    RETURN_IF_ERROR(cmd.Commit());
  }
  return p.observation;
}

absl::StatusOr<v1::ObservationHistory> Indicators::GetObservationHistory(
    const v1::GetObservationHistoryRequest& r) const {
  ASSIGN_OR_RETURN(auto d, Definition(r.indicator_code(), "indicator_code"));
  auto period = ParsePeriod(r.period());
  if (!period) return common::InvalidField("period", "期間の形式が不正です / malformed period");
  ASSIGN_OR_RETURN(auto latest,
                   store_.GetObservation(d.spec().code(), r.jurisdiction_code(), *period));
  v1::ObservationHistory out;
  ASSIGN_OR_RETURN(auto older, store_.History(d.spec().code(), r.jurisdiction_code(), r.period()));
  for (auto& o : older) *out.add_versions() = std::move(o);
  if (latest) *out.add_versions() = *latest;
  return out;
}

}  // namespace renkei::indicators
