#include "indicators.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <set>

#include "derived.h"
#include "google/protobuf/util/json_util.h"
#include "indicators_parts.h"
#include "renkei/common/csv.h"
#include "renkei/common/errors.h"
#include "renkei/common/ids.h"
#include "renkei/common/jurisdiction.h"
#include "renkei/common/status_macros.h"
#include "renkei/common/text.h"
#include "renkei/common/validation.h"

namespace renkei::indicators {

Indicators::Indicators(common::Store* store, common::Outbox* outbox, common::EventSource events,
                       IndicatorsOptions options, const common::Clock* clock)
    : options_(std::move(options)),
      clock_(clock),
      events_([&] {
        events.clock = clock;
        return events;
      }()),
      store_(store),
      raw_store_(store),
      outbox_(outbox) {}

v1::EventEnvelope Indicators::NewEvent(std::string_view type, std::string_view id, int64_t version,
                                       const std::string& jurisdiction) const {
  return common::NewEvent(events_, type, id, version, v1::SHARE_LEVEL_NATIONAL, jurisdiction);
}

bool Indicators::Withheld(const Cell& cell, v1::IndicatorKind kind,
                          const std::string& jurisdiction) const {
  return jurisdiction != options_.jurisdiction_code && Suppressed(cell, kind, options_.suppression);
}

bool Indicators::Governs(const std::string& code) const {
  switch (options_.level) {
    case v1::INSTANCE_LEVEL_NATIONAL:
      return IsKnownJurisdiction(code);
    case v1::INSTANCE_LEVEL_PREFECTURE: {
      if (code == options_.jurisdiction_code) return true;
      const auto* m = common::Jurisdictions::Get().FindMunicipality(code);
      return m != nullptr && m->prefecture_code == options_.jurisdiction_code.substr(0, 2);
    }
    default:
      return code == options_.jurisdiction_code;
  }
}

absl::StatusOr<v1::IndicatorDefinition> Indicators::Definition(const std::string& code,
                                                               const std::string& field) const {
  if (!IsIndicatorCode(code)) {
    return common::InvalidField(field, "英数字と _ . - の1〜64文字です / malformed code");
  }
  ASSIGN_OR_RETURN(auto d, store_.GetDefinition(code));
  if (!d)
    return common::InvalidField(field,
                                "定義されていない指標です: " + code + " / unknown indicator");
  return *d;
}

// --- definitions ----------------------------------------------------------------------------

absl::StatusOr<v1::IndicatorDefinition> Indicators::DefineIndicator(
    const v1::DefineIndicatorRequest& r) {
  FieldViolations v;
  const auto& in = r.definition();
  ValidateSpec(in.spec(), "definition.spec", &v);
  v.CheckEnum("definition.origin", in.origin(), v1::IndicatorOrigin_IsValid, true);
  if (in.spec().code().rfind(kDerivedPrefix, 0) == 0) {
    v.Add("definition.spec.code", "derived. で始まるコードはシステム集計の指標用です / reserved");
  }
  if (in.origin() == v1::INDICATOR_ORIGIN_DERIVED) {
    v.Add("definition.origin",
          "システム集計の指標はサービスが定義します / derived indicators are built in");
  }
  if (in.origin() == v1::INDICATOR_ORIGIN_NATIONAL &&
      options_.level != v1::INSTANCE_LEVEL_NATIONAL) {
    v.Add("definition.origin",
          "全国共通の指標は国のインスタンスで定義します / national definitions come from the "
          "national instance");
  }
  if (!in.issue_id().empty() && !common::IsWellFormedId("iss", in.issue_id()))
    v.Add("definition.issue_id", "IDの形式が不正です (iss_ + 26文字) / malformed id");
  if (in.origin() == v1::INDICATOR_ORIGIN_EXPECTED_CHANGE && in.issue_id().empty())
    v.Add("definition.issue_id", "期待値の指標には課題IDが必要です / required");
  v.CheckText("definition.expected_change_label", in.expected_change_label(), {.max_chars = 20});
  if (r.expected_version() < 0) v.Add("expected_version", "0 以上です / must be ≥ 0");
  RETURN_IF_ERROR(v.ToStatus());

  auto guard = locks_.Lock("def:" + in.spec().code());
  ASSIGN_OR_RETURN(auto existing, store_.GetDefinition(in.spec().code()));
  if (r.expected_version() == 0 && existing) {
    return absl::AlreadyExistsError("指標 " + in.spec().code() + " は定義済みです (版 " +
                                    std::to_string(existing->version()) + ") / already defined");
  }
  if (r.expected_version() > 0) {
    if (!existing) {
      return common::NotFoundError("renkei.v1.IndicatorDefinition", in.spec().code(),
                                   "指標が見つかりません / no such indicator");
    }
    if (existing->version() != r.expected_version())
      return common::StaleVersion(*existing, r.expected_version());
  }
  v1::IndicatorDefinition d = in;
  if (d.origin() == v1::INDICATOR_ORIGIN_UNSPECIFIED) {
    d.set_origin(d.issue_id().empty() ? v1::INDICATOR_ORIGIN_LOCAL
                                      : v1::INDICATOR_ORIGIN_EXPECTED_CHANGE);
  }
  d.set_owner_jurisdiction(options_.jurisdiction_code);
  d.set_version(existing ? existing->version() + 1 : 1);
  *d.mutable_updated_at() = clock_->NowTimestamp();
  common::CommandBatch cmd(raw_store_, outbox_);
  store_.PutDefinition(&cmd.batch(), d);
  auto e = NewEvent("indicator", d.spec().code(), d.version(), options_.jurisdiction_code);
  *e.mutable_indicator_defined()->mutable_definition() = d;
  cmd.AddEvent(e);
  cmd.SetAnswer(d);
  RETURN_IF_ERROR(cmd.Commit());
  return d;
}

absl::Status Indicators::ApplyFederated(const v1::EventEnvelope& event, common::CommandBatch* cmd) {
  if (event.origin_instance() == events_.origin_instance) return absl::OkStatus();
  if (event.has_indicator_defined()) {
    const auto& d = event.indicator_defined().definition();
    if (!IsIndicatorCode(d.spec().code())) return absl::OkStatus();
    if (d.origin() == v1::INDICATOR_ORIGIN_DERIVED) return absl::OkStatus();  // built in
    auto guard = locks_.LockShared("def:" + d.spec().code());
    cmd->Hold(guard);
    ASSIGN_OR_RETURN(auto existing, store_.GetDefinition(d.spec().code()));
    if (existing && (existing->owner_jurisdiction() != d.owner_jurisdiction() ||
                     existing->version() >= d.version())) {
      return absl::OkStatus();  // ours, or not newer
    }
    store_.PutDefinition(&cmd->batch(), d);
    return absl::OkStatus();
  }
  if (!event.has_observation_recorded()) return absl::OkStatus();
  const auto& x = event.observation_recorded();
  if (!Governs(x.jurisdiction_code()) || x.jurisdiction_code() == options_.jurisdiction_code) {
    return absl::OkStatus();
  }
  auto period = ParsePeriod(x.period());
  if (!period) return absl::InvalidArgumentError("federated observation: bad period");
  const std::string key = x.indicator_code() + "/" + x.jurisdiction_code() + "/" + x.period();
  auto guard = locks_.LockShared(key);
  cmd->Hold(guard);
  ASSIGN_OR_RETURN(auto def, store_.GetDefinition(x.indicator_code()));
  if (!def) {
    // Its indicator_defined travels on another consumer: try again shortly.
    return absl::UnavailableError("definition " + x.indicator_code() + " not received yet");
  }
  ASSIGN_OR_RETURN(auto stored,
                   store_.GetObservation(x.indicator_code(), x.jurisdiction_code(), *period));
  if (stored && stored->version() >= x.version()) return absl::OkStatus();
  v1::Observation o;
  o.set_indicator_code(x.indicator_code());
  o.set_jurisdiction_code(x.jurisdiction_code());
  o.set_period(period->ToString());
  o.set_value(x.value());
  if (x.has_numerator()) o.set_numerator(x.numerator());
  if (x.has_denominator()) o.set_denominator(x.denominator());
  o.set_version(x.version());
  o.set_source("連携: " + event.origin_instance() + " / federation");
  o.set_recorded_by(event.origin_instance());
  *o.mutable_recorded_at() = event.occurred_at();
  store_.PutObservation(&cmd->batch(), o, *period, stored ? &*stored : nullptr);
  return absl::OkStatus();
}

absl::StatusOr<v1::IndicatorDefinition> Indicators::GetIndicator(
    const v1::GetIndicatorRequest& r) const {
  if (!IsIndicatorCode(r.code()))
    return common::InvalidField("code", "不正なコードです / malformed");
  ASSIGN_OR_RETURN(auto d, store_.GetDefinition(r.code()));
  if (!d) {
    return common::NotFoundError("renkei.v1.IndicatorDefinition", r.code(),
                                 "指標が見つかりません / no such indicator");
  }
  return *d;
}

absl::StatusOr<v1::ListIndicatorsResponse> Indicators::ListIndicators(
    const v1::ListIndicatorsRequest& r) const {
  FieldViolations v;
  v.CheckEnum("origin", r.origin(), v1::IndicatorOrigin_IsValid, true);
  if (!r.issue_id().empty() && !common::IsWellFormedId("iss", r.issue_id()))
    v.Add("issue_id", "IDの形式が不正です (iss_ + 26文字) / malformed id");
  RETURN_IF_ERROR(v.ToStatus());
  v1::ListIndicatorsResponse out;
  RETURN_IF_ERROR(store_.ForEachDefinition([&](const v1::IndicatorDefinition& d) {
    if (r.origin() && d.origin() != r.origin()) return true;
    if (!r.issue_id().empty() && d.issue_id() != r.issue_id()) return true;
    *out.add_definitions() = d;
    return true;
  }));
  return out;
}

}  // namespace renkei::indicators
