#include "indicators.h"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <map>
#include <set>

#include "derived.h"
#include "google/protobuf/util/json_util.h"
#include "renkei/common/csv.h"
#include "renkei/common/errors.h"
#include "renkei/common/ids.h"
#include "renkei/common/jurisdiction.h"
#include "renkei/common/status_macros.h"
#include "renkei/common/text.h"
#include "renkei/common/validation.h"

namespace renkei::indicators {
namespace {

// Bad rows named in an import's INVALID_ARGUMENT (the rest are counted in its message).
constexpr int kRowErrorsInStatus = 20;

using common::FieldViolations;

constexpr char kNation[] = "000000";
const char* const kCsvHeader[] = {"indicator_code",
                                  "indicator_name",
                                  "jurisdiction_code",
                                  "jurisdiction_name",
                                  "period",
                                  "value",
                                  "numerator",
                                  "denominator",
                                  "unit",
                                  "source",
                                  "note"};

bool IsIndicatorCode(std::string_view s) {
  if (s.empty() || s.size() > 64) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '.' || c == '-';
  });
}

bool IsPrefectureCode(std::string_view code) {
  const auto* p = common::Jurisdictions::Get().FindPrefecture(code);
  return code.size() == 6 && p != nullptr && p->code == code;
}

bool IsKnownJurisdiction(const std::string& code) {
  return code == kNation || IsPrefectureCode(code) ||
         common::Jurisdictions::Get().CheckMunicipalityCode(code) == common::CodeCheck::kOk;
}

std::string JurisdictionName(const std::string& code) {
  if (code == kNation) return "全国";
  const auto& j = common::Jurisdictions::Get();
  if (const auto* m = j.FindMunicipality(code)) return m->prefecture_name + m->name;
  if (const auto* p = j.FindPrefecture(code)) return p->name;
  return code;
}

// Municipalities that report (not the wards of designated cities: their city reports).
int MunicipalitiesIn(const std::string& prefecture2) {
  int n = 0;
  for (const auto* m : common::Jurisdictions::Get().MunicipalitiesOf(prefecture2)) {
    if (m->kind != common::MunicipalityKind::kWard) ++n;
  }
  return n;
}

Cell CellOfObservation(const v1::Observation& o) {
  Cell c;
  c.value = o.value();
  if (o.has_numerator()) c.numerator = o.numerator();
  if (o.has_denominator()) c.denominator = o.denominator();
  return c;
}

std::string Number(double v) {
  if (std::isfinite(v) && v == std::floor(v) && std::fabs(v) < 1e15) {
    return std::to_string(static_cast<long long>(v));
  }
  char buf[32];
  snprintf(buf, sizeof buf, "%.10g", v);
  return buf;
}

bool ParseNumber(const std::string& s, double* out) {
  std::string t(common::TrimSpaces(s));
  if (t.empty()) return false;
  char* end = nullptr;
  *out = std::strtod(t.c_str(), &end);
  return end == t.c_str() + t.size() && std::isfinite(*out);
}

void ValidateSpec(const v1::IndicatorSpec& s, const std::string& path, FieldViolations* v) {
  if (!IsIndicatorCode(s.code()))
    v->Add(path + ".code", "英数字と _ . - の1〜64文字です / [A-Za-z0-9_.-]{1,64}");
  v->CheckText(path + ".name_ja", s.name_ja(), {.required = true, .max_chars = 100});
  v->CheckText(path + ".description", s.description(), {.max_chars = 1000, .single_line = false});
  v->CheckText(path + ".unit", s.unit(), {.max_chars = 20});
  v->CheckEnum(path + ".kind", s.kind(), v1::IndicatorKind_IsValid, false);
  if (s.methods().empty())
    v->Add(path + ".methods", "測定方法を1つ以上指定してください / at least one");
  for (int i = 0; i < s.methods_size() && i < 10; ++i) {
    v->CheckEnum(path + ".methods[" + std::to_string(i) + "]", s.methods(i),
                 v1::MeasurementMethod_IsValid, false);
  }
  v->CheckEnum(path + ".frequency", s.frequency(), v1::MeasurementFrequency_IsValid, false);
  v->CheckEnum(path + ".direction", s.direction(), v1::Direction_IsValid, false);
  if (s.has_baseline() && !std::isfinite(s.baseline()))
    v->Add(path + ".baseline", "数値です / finite");
  if (s.has_target() && !std::isfinite(s.target())) v->Add(path + ".target", "数値です / finite");
  if (!s.baseline_period().empty()) {
    auto p = ParsePeriod(s.baseline_period());
    if (!p || !MatchesFrequency(*p, s.frequency())) {
      v->Add(path + ".baseline_period",
             "期間は" + std::string(ExpectedPeriodForm(s.frequency())) + "の形です / bad period");
    }
  }
}

}  // namespace

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
    v.Add("definition.spec.code", "derived. で始まるコードは自動集計の指標用です / reserved");
  }
  if (in.origin() == v1::INDICATOR_ORIGIN_DERIVED) {
    v.Add("definition.origin",
          "自動集計の指標はサービスが定義します / derived indicators are built in");
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
          "自動集計の指標です (イベントから計算されます) / derived from events, not recorded");
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

// --- queries --------------------------------------------------------------------------------

absl::StatusOr<std::optional<Cell>> Indicators::CellOf(const v1::IndicatorDefinition& d,
                                                       const std::string& j,
                                                       const std::string& period, int* reporting,
                                                       int* expected) const {
  const std::string& code = d.spec().code();
  *reporting = 0;
  *expected = 1;
  auto p = ParsePeriod(period);
  if (!p) return std::optional<Cell>();
  ASSIGN_OR_RETURN(auto stored, store_.GetObservation(code, j, *p));
  if (stored) {
    *reporting = 1;
    return std::optional<Cell>(CellOfObservation(*stored));
  }
  const char level = LevelOf(j);
  if (level == 'm') return std::optional<Cell>();
  if (level == 'p') {
    const std::string pref = j.substr(0, 2);
    std::vector<Cell> cells;
    RETURN_IF_ERROR(store_.ForEachInPeriod(code, period, 'm', pref, [&](const v1::Observation& o) {
      cells.push_back(CellOfObservation(o));
      return true;
    }));
    *reporting = static_cast<int>(cells.size());
    *expected = MunicipalitiesIn(pref);
    return Combine(cells, d.spec().kind());
  }
  // The nation: each prefecture's own value, or its municipalities' roll-up.
  std::map<std::string, std::vector<Cell>> by_pref;
  RETURN_IF_ERROR(store_.ForEachInPeriod(code, period, 'm', "", [&](const v1::Observation& o) {
    by_pref[o.jurisdiction_code().substr(0, 2)].push_back(CellOfObservation(o));
    return true;
  }));
  std::map<std::string, Cell> pref_cells;
  RETURN_IF_ERROR(store_.ForEachInPeriod(code, period, 'p', "", [&](const v1::Observation& o) {
    pref_cells[o.jurisdiction_code().substr(0, 2)] = CellOfObservation(o);
    return true;
  }));
  for (auto& [pref, cells] : by_pref) {
    if (pref_cells.count(pref)) continue;
    auto c = Combine(cells, d.spec().kind());
    if (c) pref_cells[pref] = *c;
  }
  std::vector<Cell> cells;
  for (auto& [pref, c] : pref_cells) cells.push_back(c);
  *reporting = static_cast<int>(cells.size());
  *expected = static_cast<int>(common::Jurisdictions::Get().prefectures().size());
  return Combine(cells, d.spec().kind());
}

absl::StatusOr<v1::Series> Indicators::GetSeries(const v1::GetSeriesRequest& r) const {
  ASSIGN_OR_RETURN(auto d, Definition(r.indicator_code(), "indicator_code"));
  FieldViolations v;
  if (!IsKnownJurisdiction(r.jurisdiction_code()))
    v.Add("jurisdiction_code", "不明な団体コードです / unknown jurisdiction");
  std::optional<Period> from, to;
  if (!r.from_period().empty() && !(from = ParsePeriod(r.from_period())))
    v.Add("from_period", "期間の形式が不正です / malformed period");
  if (!r.to_period().empty() && !(to = ParsePeriod(r.to_period())))
    v.Add("to_period", "期間の形式が不正です / malformed period");
  if (from && to && to->LastDay() < from->FirstDay())
    v.Add("to_period", "from_period より前です / before from_period");
  RETURN_IF_ERROR(v.ToStatus());
  auto within = [&](const Period& p) {
    return (!from || p.FirstDay() >= from->FirstDay()) && (!to || p.LastDay() <= to->LastDay());
  };
  v1::Series out;
  *out.mutable_definition() = d;
  out.set_jurisdiction_code(r.jurisdiction_code());
  const auto kind = d.spec().kind();
  RETURN_IF_ERROR(
      store_.ForEachInSeries(d.spec().code(), r.jurisdiction_code(), [&](const v1::Observation& o) {
        auto p = ParsePeriod(o.period());
        if (!p || !within(*p)) return true;
        auto* pt = out.add_points();
        pt->set_period(o.period());
        pt->set_reporting(1);
        pt->set_expected(1);
        if (Withheld(CellOfObservation(o), kind, r.jurisdiction_code())) {
          pt->set_suppressed(true);
          return true;
        }
        pt->set_value(o.value());
        if (o.has_numerator()) pt->set_numerator(o.numerator());
        if (o.has_denominator()) pt->set_denominator(o.denominator());
        return true;
      }));
  if (out.points().empty() && LevelOf(r.jurisdiction_code()) != 'm') {
    // A roll-up over the periods any municipality below reported.
    const std::string prefix =
        LevelOf(r.jurisdiction_code()) == 'p' ? r.jurisdiction_code().substr(0, 2) : "";
    std::map<int64_t, std::string> periods;  // by first day
    for (const auto& m : common::Jurisdictions::Get().municipalities()) {
      if (!prefix.empty() && m.prefecture_code != prefix) continue;
      RETURN_IF_ERROR(
          store_.ForEachInSeries(d.spec().code(), m.code, [&](const v1::Observation& o) {
            auto p = ParsePeriod(o.period());
            if (p && within(*p))
              periods[p->FirstDay() * 10 + static_cast<int>(p->kind)] = o.period();
            return true;
          }));
    }
    out.set_rolled_up(true);
    for (const auto& [key, period] : periods) {
      int reporting = 0, expected = 0;
      ASSIGN_OR_RETURN(auto cell, CellOf(d, r.jurisdiction_code(), period, &reporting, &expected));
      if (!cell) continue;
      auto* pt = out.add_points();
      pt->set_period(period);
      pt->set_reporting(reporting);
      pt->set_expected(expected);
      if (Withheld(*cell, kind, r.jurisdiction_code())) {
        pt->set_suppressed(true);
        continue;
      }
      pt->set_value(cell->value);
      if (cell->numerator) pt->set_numerator(*cell->numerator);
      if (cell->denominator) pt->set_denominator(*cell->denominator);
    }
  }
  return out;
}

absl::StatusOr<v1::Comparison> Indicators::Compare(const v1::CompareRequest& r) const {
  ASSIGN_OR_RETURN(auto d, Definition(r.indicator_code(), "indicator_code"));
  FieldViolations v;
  auto period = ParsePeriod(r.period());
  if (!period) v.Add("period", "期間の形式が不正です / malformed period");
  std::string pref;
  if (r.scope() == kNation) {
  } else if (r.scope().size() == 2 || IsPrefectureCode(r.scope())) {
    pref = r.scope().substr(0, 2);
    if (common::Jurisdictions::Get().FindPrefecture(pref) == nullptr)
      v.Add("scope", "不明な都道府県です / unknown prefecture");
  } else {
    v.Add("scope", "都道府県コード (13, 130001) か 000000 (全国) です / a prefecture or 000000");
  }
  RETURN_IF_ERROR(v.ToStatus());
  const std::string p = period->ToString();
  struct Row {
    std::string code;
    Cell cell;
  };
  std::vector<Row> rows;
  int expected = 0;
  if (!pref.empty()) {
    RETURN_IF_ERROR(
        store_.ForEachInPeriod(d.spec().code(), p, 'm', pref, [&](const v1::Observation& o) {
          rows.push_back({o.jurisdiction_code(), CellOfObservation(o)});
          return true;
        }));
    expected = MunicipalitiesIn(pref);
  } else {
    for (const auto& pr : common::Jurisdictions::Get().prefectures()) {
      int reporting = 0, exp = 0;
      ASSIGN_OR_RETURN(auto cell, CellOf(d, pr.code, p, &reporting, &exp));
      if (cell) rows.push_back({pr.code, *cell});
    }
    expected = static_cast<int>(common::Jurisdictions::Get().prefectures().size());
  }
  std::vector<double> values;
  for (const auto& row : rows) values.push_back(row.cell.value);
  const auto ranks = Ranks(values, d.spec().direction());
  std::vector<size_t> order(rows.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    return ranks[a] != ranks[b] ? ranks[a] < ranks[b] : rows[a].code < rows[b].code;
  });
  v1::Comparison out;
  *out.mutable_definition() = d;
  out.set_period(p);
  for (size_t i : order) {
    auto* row = out.add_rows();
    row->set_jurisdiction_code(rows[i].code);
    row->set_name(JurisdictionName(rows[i].code));
    row->set_rank(ranks[i]);
    if (Withheld(rows[i].cell, d.spec().kind(), rows[i].code)) {
      row->set_suppressed(true);
      continue;
    }
    row->set_value(rows[i].cell.value);
    if (rows[i].cell.numerator) row->set_numerator(*rows[i].cell.numerator);
    if (rows[i].cell.denominator) row->set_denominator(*rows[i].cell.denominator);
  }
  out.set_reporting(static_cast<int32_t>(rows.size()));
  out.set_expected(expected);
  out.set_median(Quantile(values, 0.5));
  out.set_q1(Quantile(values, 0.25));
  out.set_q3(Quantile(values, 0.75));
  return out;
}

absl::StatusOr<v1::RollUpValue> Indicators::RollUp(const v1::RollUpRequest& r) const {
  ASSIGN_OR_RETURN(auto d, Definition(r.indicator_code(), "indicator_code"));
  FieldViolations v;
  auto period = ParsePeriod(r.period());
  if (!period) v.Add("period", "期間の形式が不正です / malformed period");
  if (r.jurisdiction_code() != kNation && !IsPrefectureCode(r.jurisdiction_code()))
    v.Add("jurisdiction_code",
          "都道府県 (130001 など) か 000000 (全国) です / a prefecture or 000000");
  RETURN_IF_ERROR(v.ToStatus());
  int reporting = 0, expected = 0;
  v1::RollUpValue out;
  out.set_jurisdiction_code(r.jurisdiction_code());
  out.set_period(period->ToString());
  ASSIGN_OR_RETURN(auto cell,
                   CellOf(d, r.jurisdiction_code(), period->ToString(), &reporting, &expected));
  out.set_reporting(reporting);
  out.set_expected(expected);
  if (cell && Withheld(*cell, d.spec().kind(), r.jurisdiction_code())) {
    out.set_suppressed(true);
  } else if (cell) {
    out.set_value(cell->value);
    if (cell->numerator) out.set_numerator(*cell->numerator);
    if (cell->denominator) out.set_denominator(*cell->denominator);
  }
  return out;
}

absl::StatusOr<v1::IssueProgress> Indicators::GetIssueProgress(
    const v1::GetIssueProgressRequest& r) const {
  if (!common::IsWellFormedId("iss", r.issue_id()))
    return common::InvalidField("issue_id", "IDの形式が不正です (iss_ + 26文字) / malformed id");
  const std::string j =
      r.jurisdiction_code().empty() ? options_.jurisdiction_code : r.jurisdiction_code();
  if (!IsKnownJurisdiction(j))
    return common::InvalidField("jurisdiction_code", "不明な団体コードです / unknown");
  std::vector<v1::IndicatorDefinition> defs;
  RETURN_IF_ERROR(store_.ForEachDefinition([&](const v1::IndicatorDefinition& d) {
    if (d.issue_id() == r.issue_id()) defs.push_back(d);
    return true;
  }));
  std::sort(defs.begin(), defs.end(), [](const auto& a, const auto& b) {
    return a.expected_change_label() != b.expected_change_label()
               ? a.expected_change_label() < b.expected_change_label()
               : a.spec().code() < b.spec().code();
  });
  v1::IssueProgress out;
  out.set_issue_id(r.issue_id());
  for (const auto& d : defs) {
    auto* ip = out.add_indicators();
    *ip->mutable_definition() = d;
    v1::GetSeriesRequest sr;
    sr.set_indicator_code(d.spec().code());
    sr.set_jurisdiction_code(j);
    ASSIGN_OR_RETURN(auto series, GetSeries(sr));
    *ip->mutable_points() = series.points();
    std::optional<double> baseline;
    if (d.spec().has_baseline()) baseline = d.spec().baseline();
    for (const auto& pt : series.points()) {
      if (!baseline && pt.period() == d.spec().baseline_period()) baseline = pt.value();
    }
    if (baseline) ip->set_baseline(*baseline);
    if (d.spec().has_target()) ip->set_target(d.spec().target());
    if (!series.points().empty()) {
      const auto& last = series.points(series.points_size() - 1);
      ip->set_latest(last.value());
      ip->set_latest_period(last.period());
    }
    if (baseline && d.spec().has_target() && ip->has_latest() && d.spec().target() != *baseline) {
      ip->set_progress((ip->latest() - *baseline) / (d.spec().target() - *baseline));
    }
    if (d.spec().has_target() && ip->has_latest()) {
      ip->set_target_reached(d.spec().direction() == v1::DIRECTION_LOWER_IS_BETTER
                                 ? ip->latest() <= d.spec().target()
                                 : ip->latest() >= d.spec().target());
    }
  }
  return out;
}

// --- export and import ----------------------------------------------------------------------

absl::StatusOr<v1::ExportedFile> Indicators::ExportObservations(
    const v1::ExportObservationsRequest& r) const {
  FieldViolations v;
  v.CheckEnum("format", r.format(), v1::ObservationFormat_IsValid, false);
  std::optional<Period> from, to;
  if (!r.from_period().empty() && !(from = ParsePeriod(r.from_period())))
    v.Add("from_period", "期間の形式が不正です / malformed period");
  if (!r.to_period().empty() && !(to = ParsePeriod(r.to_period())))
    v.Add("to_period", "期間の形式が不正です / malformed period");
  if (from && to && to->LastDay() < from->FirstDay())
    v.Add("to_period", "from_period より前です / before from_period");
  for (int i = 0; i < r.indicator_codes_size(); ++i) {
    auto d = store_.GetDefinition(r.indicator_codes(i));
    if (!d.ok()) return d.status();
    if (!*d)
      v.Add("indicator_codes[" + std::to_string(i) + "]",
            "定義されていない指標です / unknown indicator");
  }
  RETURN_IF_ERROR(v.ToStatus());
  std::vector<v1::IndicatorDefinition> defs;
  RETURN_IF_ERROR(store_.ForEachDefinition([&](const v1::IndicatorDefinition& d) {
    if (r.indicator_codes().empty() ||
        std::find(r.indicator_codes().begin(), r.indicator_codes().end(), d.spec().code()) !=
            r.indicator_codes().end()) {
      defs.push_back(d);
    }
    return true;
  }));
  v1::ExportedFile out;
  std::string csv = "\xEF\xBB\xBF";
  common::AppendCsvRow(std::vector<std::string>(std::begin(kCsvHeader), std::end(kCsvHeader)),
                       &csv);
  v1::DataValueSet set;
  int rows = 0, suppressed = 0;
  std::vector<std::string> jurisdictions;
  if (options_.level == v1::INSTANCE_LEVEL_MUNICIPALITY) {
    jurisdictions.push_back(options_.jurisdiction_code);
  } else {
    if (options_.level == v1::INSTANCE_LEVEL_NATIONAL) jurisdictions.push_back(kNation);
    for (const auto& p : common::Jurisdictions::Get().prefectures()) {
      if (Governs(p.code)) jurisdictions.push_back(p.code);
    }
    for (const auto& m : common::Jurisdictions::Get().municipalities()) {
      if (Governs(m.code)) jurisdictions.push_back(m.code);
    }
  }
  for (const auto& d : defs) {
    for (const auto& j : jurisdictions) {
      RETURN_IF_ERROR(store_.ForEachInSeries(d.spec().code(), j, [&](const v1::Observation& o) {
        auto p = ParsePeriod(o.period());
        if (!p) return true;
        if ((from && p->FirstDay() < from->FirstDay()) || (to && p->LastDay() > to->LastDay()))
          return true;
        ++rows;
        const bool hide = !r.unsuppressed() &&
                          Suppressed(CellOfObservation(o), d.spec().kind(), options_.suppression);
        suppressed += hide;
        const std::string value = hide ? "" : Number(o.value());
        const std::string num = hide || !o.has_numerator() ? "" : Number(o.numerator());
        const std::string den = hide || !o.has_denominator() ? "" : Number(o.denominator());
        if (r.format() == v1::OBSERVATION_FORMAT_CSV) {
          common::AppendCsvRow({d.spec().code(), d.spec().name_ja(), j, JurisdictionName(j),
                                o.period(), value, num, den, d.spec().unit(), o.source(),
                                hide ? "秘匿 (少数のため) / suppressed" : o.note()},
                               &csv);
        } else {
          auto* dv = set.add_data_values();
          dv->set_data_element(d.spec().code());
          dv->set_org_unit(j);
          dv->set_period(ToDataValuePeriod(*p));
          dv->set_value(value);
          dv->set_comment(hide ? "" : o.note());
          dv->set_numerator(num);
          dv->set_denominator(den);
          dv->set_suppressed(hide);
        }
        return true;
      }));
    }
  }
  out.set_rows(rows);
  out.set_suppressed(suppressed);
  if (r.format() == v1::OBSERVATION_FORMAT_CSV) {
    out.set_content_type("text/csv; charset=utf-8");
    out.set_file_name("indicators-" + options_.jurisdiction_code + ".csv");
    out.set_content(csv);
  } else {
    std::string json;
    google::protobuf::util::JsonPrintOptions o;
    o.add_whitespace = true;
    if (auto st = google::protobuf::util::MessageToJsonString(set, &json, o); !st.ok())
      return absl::InternalError(st.ToString());
    out.set_content_type("application/json");
    out.set_file_name("indicators-" + options_.jurisdiction_code + ".json");
    out.set_content(json);
  }
  return out;
}

absl::StatusOr<v1::ImportObservationsResponse> Indicators::ImportObservations(
    const v1::ImportObservationsRequest& r) {
  FieldViolations v;
  v.CheckEnum("format", r.format(), v1::ObservationFormat_IsValid, false);
  v.CheckText("recorded_by", r.recorded_by(), {.max_chars = 100});
  RETURN_IF_ERROR(v.ToStatus());
  // Rows as observations, with their row numbers.
  std::vector<std::pair<int, v1::Observation>> rows;
  v1::ImportObservationsResponse out;
  auto row_error = [&](int row, const std::string& field, const std::string& d) {
    auto* e = out.add_errors();
    e->set_row(row);
    e->set_field(field);
    e->set_description(d);
  };
  if (r.format() == v1::OBSERVATION_FORMAT_CSV) {
    std::string_view content = r.content();
    common::StripUtf8Bom(&content);
    common::CsvReader reader;
    reader.Feed(content);
    reader.Finish();
    common::CsvRecord rec;
    std::map<std::string, size_t> col;
    if (!reader.Next(&rec)) return common::InvalidField("content", "空のファイルです / empty");
    for (size_t i = 0; i < rec.fields.size(); ++i)
      col[std::string(common::TrimSpaces(rec.fields[i]))] = i;
    for (const char* need : {"indicator_code", "jurisdiction_code", "period"}) {
      if (!col.count(need))
        return common::InvalidField(
            "content", std::string("見出しに ") + need + " がありません / missing column");
    }
    int row = 0;
    while (reader.Next(&rec)) {
      ++row;
      auto get = [&](const char* name) -> std::string {
        auto it = col.find(name);
        return it == col.end() || it->second >= rec.fields.size() ? "" : rec.fields[it->second];
      };
      v1::Observation o;
      o.set_indicator_code(std::string(common::TrimSpaces(get("indicator_code"))));
      o.set_jurisdiction_code(std::string(common::TrimSpaces(get("jurisdiction_code"))));
      o.set_period(std::string(common::TrimSpaces(get("period"))));
      double x;
      bool ok = true;
      for (const char* name : {"value", "numerator", "denominator"}) {
        const std::string s = get(name);
        if (common::TrimSpaces(s).empty()) continue;
        if (!ParseNumber(s, &x)) {
          row_error(row, name, "数値ではありません / not a number");
          ok = false;
        } else if (std::string(name) == "value") {
          o.set_value(x);
        } else if (std::string(name) == "numerator") {
          o.set_numerator(x);
        } else {
          o.set_denominator(x);
        }
      }
      o.set_source(get("source"));
      o.set_note(get("note"));
      const bool empty = common::TrimSpaces(get("value")).empty() &&
                         common::TrimSpaces(get("numerator")).empty() &&
                         common::TrimSpaces(get("denominator")).empty();
      if (empty && get("note").find("秘匿") != std::string::npos) {
        out.set_withheld(out.withheld() + 1);  // a withheld cell of an export
        continue;
      }
      if (empty) {
        row_error(row, "value", "値がありません / no value");
        ok = false;
      }
      if (ok) rows.emplace_back(row, std::move(o));
    }
  } else {
    v1::DataValueSet set;
    google::protobuf::util::JsonParseOptions po;
    po.ignore_unknown_fields = true;
    if (!google::protobuf::util::JsonStringToMessage(r.content(), &set, po).ok())
      return common::InvalidField("content",
                                  "JSON (dataValues) として読めません / not a data value set");
    int row = 0;
    for (const auto& dv : set.data_values()) {
      ++row;
      v1::Observation o;
      o.set_indicator_code(dv.data_element());
      o.set_jurisdiction_code(dv.org_unit());
      auto p = ParseDataValuePeriod(dv.period());
      o.set_period(p ? p->ToString() : dv.period());
      double x;
      bool ok = true;
      if (dv.suppressed()) {
        out.set_withheld(out.withheld() + 1);  // a withheld cell of an export
        continue;
      }
      if (dv.value().empty() && dv.numerator().empty() && dv.denominator().empty()) {
        row_error(row, "value", "値がありません / no value");
        continue;
      }
      if (!dv.value().empty()) {
        if (ParseNumber(dv.value(), &x))
          o.set_value(x);
        else {
          row_error(row, "value", "数値ではありません / not a number");
          ok = false;
        }
      }
      if (!dv.numerator().empty()) {
        if (ParseNumber(dv.numerator(), &x))
          o.set_numerator(x);
        else {
          row_error(row, "numerator", "数値ではありません / not a number");
          ok = false;
        }
      }
      if (!dv.denominator().empty()) {
        if (ParseNumber(dv.denominator(), &x))
          o.set_denominator(x);
        else {
          row_error(row, "denominator", "数値ではありません / not a number");
          ok = false;
        }
      }
      o.set_note(dv.comment());
      if (ok) rows.emplace_back(row, std::move(o));
    }
  }
  out.set_rows(static_cast<int32_t>(rows.size() + out.errors_size() + out.withheld()));
  std::vector<Prepared> prepared;
  for (auto& [row, o] : rows) {
    o.set_recorded_by(r.recorded_by());
    auto p = Prepare(o, "row");
    if (!p.ok()) {
      auto violations = common::FieldViolationsOf(p.status());
      if (violations.empty()) row_error(row, "", std::string(p.status().message()));
      for (const auto& [field, d] : violations) row_error(row, field.substr(4), d);
      continue;
    }
    prepared.push_back(std::move(*p));
  }
  std::stable_sort(
      out.mutable_errors()->begin(), out.mutable_errors()->end(),
      [](const v1::ImportRowError& a, const v1::ImportRowError& b) { return a.row() < b.row(); });
  if (!out.errors().empty() && !r.allow_partial()) {
    // Nothing written, as the directory's import: INVALID_ARGUMENT naming the bad rows.
    FieldViolations bad;
    for (int i = 0; i < out.errors_size() && i < kRowErrorsInStatus; ++i) {
      const auto& e = out.errors(i);
      bad.Add("row " + std::to_string(e.row()) + (e.field().empty() ? "" : " (" + e.field() + ")"),
              e.description());
    }
    absl::Status details = bad.ToStatus();
    absl::Status s = absl::InvalidArgumentError(
        std::to_string(out.errors_size()) +
        " 行に誤りがあるため取り込みませんでした (allow_partial で正しい行のみ取り込めます) / rows "
        "rejected, nothing imported");
    details.ForEachPayload(
        [&](absl::string_view url, const absl::Cord& payload) { s.SetPayload(url, payload); });
    return s;
  }
  // Batches of import_batch_rows, each one synced write with its events. A value already stored
  // identically is unchanged; a different one is corrected (the import is the newer source).
  for (size_t start = 0; start < prepared.size();) {
    const size_t end = std::min(prepared.size(), start + options_.import_batch_rows);
    std::vector<std::string> keys;
    for (size_t i = start; i < end; ++i) {
      const auto& o = prepared[i].observation;
      keys.push_back(o.indicator_code() + "/" + o.jurisdiction_code() + "/" + o.period());
    }
    auto guard = locks_.LockAll(keys);
    common::CommandBatch cmd(raw_store_, outbox_);
    std::set<std::string> seen;
    for (size_t i = start; i < end; ++i) {
      if (!seen.insert(keys[i - start]).second) {
        // The same cell twice in one batch: the later row wins, in a batch of its own.
        continue;
      }
      ASSIGN_OR_RETURN(bool changed, Stage(&prepared[i], 0, true, &cmd));
      if (changed) {
        out.set_recorded(out.recorded() + 1);
      } else {
        out.set_unchanged(out.unchanged() + 1);
      }
    }
    // A retry after a crash between batches finds the committed rows unchanged; its request id
    // is recorded with the last batch, which carries the whole answer.
    if (end < prepared.size()) {
      cmd.DeferAnswer();
    } else {
      cmd.SetAnswer(out);
    }
    RETURN_IF_ERROR(cmd.Commit());
    start = end;
  }
  return out;
}

// --- events ---------------------------------------------------------------------------------

absl::Status Indicators::ApplyExpectedChange(const v1::EventEnvelope& event,
                                             common::CommandBatch* cmd) {
  if (!event.has_expected_change_defined()) return absl::OkStatus();
  const auto& ec = event.expected_change_defined();
  FieldViolations v;
  ValidateSpec(ec.indicator(), "indicator", &v);
  if (!v.empty()) return absl::OkStatus();  // nothing this service can define; skipped
  const std::string& code = ec.indicator().code();
  auto guard = locks_.LockShared("def:" + code);
  cmd->Hold(guard);
  ASSIGN_OR_RETURN(auto existing, store_.GetDefinition(code));
  if (existing && existing->origin() != v1::INDICATOR_ORIGIN_EXPECTED_CHANGE) {
    return absl::OkStatus();  // the expected change links an existing (e.g. national) indicator
  }
  v1::IndicatorDefinition d;
  *d.mutable_spec() = ec.indicator();
  d.set_owner_jurisdiction(ec.municipality_code());
  d.set_origin(v1::INDICATOR_ORIGIN_EXPECTED_CHANGE);
  d.set_issue_id(ec.issue_id());
  d.set_expected_change_id(ec.expected_change_id());
  d.set_expected_change_label(code.substr(code.rfind('.') + 1));
  d.set_version(existing ? existing->version() + 1 : 1);
  *d.mutable_updated_at() = clock_->NowTimestamp();
  if (existing) {
    v1::IndicatorDefinition same = *existing;
    same.set_version(d.version());
    *same.mutable_updated_at() = d.updated_at();
    if (same.SerializeAsString() == d.SerializeAsString()) return absl::OkStatus();
  }
  store_.PutDefinition(&cmd->batch(), d);
  auto e = NewEvent("indicator", code, d.version(), ec.municipality_code());
  *e.mutable_indicator_defined()->mutable_definition() = d;
  cmd->AddEvent(e);
  // The baseline, as the observation of its period.
  if (ec.indicator().has_baseline() && !ec.indicator().baseline_period().empty() &&
      Governs(ec.municipality_code())) {
    v1::Observation o;
    o.set_indicator_code(code);
    o.set_jurisdiction_code(ec.municipality_code());
    o.set_period(ec.indicator().baseline_period());
    o.set_value(ec.indicator().baseline());
    o.set_source("期待値の基準値 / baseline of the expected change");
    o.set_recorded_by("renkei-issues");
    auto period = ParsePeriod(o.period());
    ASSIGN_OR_RETURN(auto stored, store_.GetObservation(code, o.jurisdiction_code(), *period));
    if (!stored || stored->value() != o.value()) {
      o.set_version(stored ? stored->version() + 1 : 1);
      *o.mutable_recorded_at() = clock_->NowTimestamp();
      store_.PutObservation(&cmd->batch(), o, *period, stored ? &*stored : nullptr);
      auto oe = NewEvent("observation", code + "/" + o.jurisdiction_code() + "/" + o.period(),
                         o.version(), o.jurisdiction_code());
      auto* p = oe.mutable_observation_recorded();
      p->set_indicator_code(code);
      p->set_jurisdiction_code(o.jurisdiction_code());
      p->set_period(o.period());
      p->set_value(o.value());
      p->set_version(o.version());
      cmd->AddEvent(oe);
    }
  }
  return absl::OkStatus();
}

absl::Status Indicators::ApplyDerived(const v1::EventEnvelope& event, common::CommandBatch* cmd) {
  // One figure per (code, jurisdiction, period), merged, in key order.
  std::map<std::string, Increment> merged;
  for (auto& inc : IncrementsOf(event)) {
    if (inc.jurisdiction.empty() || !Governs(inc.jurisdiction)) continue;
    const std::string key = inc.code + "/" + inc.jurisdiction + "/" + inc.period;
    auto [it, fresh] = merged.emplace(key, inc);
    if (!fresh) {
      it->second.value += inc.value;
      it->second.numerator += inc.numerator;
      it->second.denominator += inc.denominator;
    }
  }
  std::set<std::string> defined;
  for (const auto& [key, inc] : merged) {
    cmd->Hold(locks_.LockShared(key));
    ASSIGN_OR_RETURN(auto def, store_.GetDefinition(inc.code));
    if (!def) {
      auto made = DerivedDefinition(inc.code);
      if (!made) continue;
      def = *made;
      if (defined.insert(inc.code).second) {
        def->set_version(1);
        *def->mutable_updated_at() = clock_->NowTimestamp();
        store_.PutDefinition(&cmd->batch(), *def);
        auto e = NewEvent("indicator", inc.code, 1, options_.jurisdiction_code);
        *e.mutable_indicator_defined()->mutable_definition() = *def;
        cmd->AddEvent(e);
      }
    }
    auto period = ParsePeriod(inc.period);
    if (!period) continue;
    ASSIGN_OR_RETURN(auto stored, store_.GetObservation(inc.code, inc.jurisdiction, *period));
    v1::Observation o;
    if (stored) o = *stored;
    o.set_indicator_code(inc.code);
    o.set_jurisdiction_code(inc.jurisdiction);
    o.set_period(inc.period);
    if (def->spec().kind() == v1::INDICATOR_KIND_COUNT) {
      o.set_value(o.value() + inc.value);
    } else {
      o.set_numerator(o.numerator() + inc.numerator);
      o.set_denominator(o.denominator() + inc.denominator);
      o.set_value(o.denominator() > 0 ? o.numerator() / o.denominator() : 0);
    }
    o.set_source("events");
    o.set_recorded_by("renkei-indicators");
    o.set_version(o.version() + 1);
    *o.mutable_recorded_at() = clock_->NowTimestamp();
    // A running figure: no history per event (the event history is its history).
    store_.PutObservation(&cmd->batch(), o, *period, nullptr);
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> Indicators::PrepareDerivedGeneration(
    uint32_t generation, const google::protobuf::Message* answer) {
  ASSIGN_OR_RETURN(uint32_t stored, store_.DerivedGeneration());
  if (generation > stored) {
    // A command's batch: a retry of the recompute with its request id is answered, not run again.
    common::CommandBatch cmd(raw_store_, outbox_);
    RETURN_IF_ERROR(store_.ForEachDefinition([&](const v1::IndicatorDefinition& d) {
      if (d.origin() == v1::INDICATOR_ORIGIN_DERIVED)
        store_.DeleteObservationsOf(&cmd.batch(), d.spec().code());
      return true;
    }));
    store_.PutDerivedGeneration(&cmd.batch(), generation);
    if (answer != nullptr) cmd.SetAnswer(*answer);
    RETURN_IF_ERROR(cmd.Commit());
    stored = generation;
  }
  return stored == 0 ? std::string("indicators_derived")
                     : "indicators_derived_g" + std::to_string(stored);
}

absl::StatusOr<std::vector<v1::EventCount>> Indicators::HeldDerivedFigures() const {
  std::vector<v1::IndicatorDefinition> derived;
  RETURN_IF_ERROR(store_.ForEachDefinition([&](const v1::IndicatorDefinition& d) {
    if (d.origin() == v1::INDICATOR_ORIGIN_DERIVED) derived.push_back(d);
    return true;
  }));
  std::vector<v1::EventCount> out;
  std::vector<std::string> jurisdictions = {options_.jurisdiction_code};
  for (const auto& d : derived) {
    for (const auto& j : jurisdictions) {
      RETURN_IF_ERROR(store_.ForEachInSeries(d.spec().code(), j, [&](const v1::Observation& o) {
        v1::EventCount c;
        c.set_code(o.indicator_code());
        c.set_jurisdiction(o.jurisdiction_code());
        c.set_period(o.period());
        if (d.spec().kind() == v1::INDICATOR_KIND_COUNT) {
          c.set_value(o.value());
        } else {
          c.set_numerator(o.numerator());
          c.set_denominator(o.denominator());
        }
        out.push_back(std::move(c));
        return true;
      }));
    }
  }
  return out;
}

absl::Status Indicators::SetDerivedFigures(const std::vector<v1::EventCount>& figures,
                                           const google::protobuf::Message& answer) {
  common::CommandBatch cmd(raw_store_, outbox_);
  std::set<std::string> defined;
  for (const auto& f : figures) {
    const std::string key = f.code() + "/" + f.jurisdiction() + "/" + f.period();
    cmd.Hold(locks_.LockShared(key));
    ASSIGN_OR_RETURN(auto def, store_.GetDefinition(f.code()));
    if (!def) {
      auto made = DerivedDefinition(f.code());
      if (!made) continue;
      def = *made;
      if (defined.insert(f.code()).second) {
        def->set_version(1);
        *def->mutable_updated_at() = clock_->NowTimestamp();
        store_.PutDefinition(&cmd.batch(), *def);
        auto e = NewEvent("indicator", f.code(), 1, options_.jurisdiction_code);
        *e.mutable_indicator_defined()->mutable_definition() = *def;
        cmd.AddEvent(e);
      }
    }
    auto period = ParsePeriod(f.period());
    if (!period) continue;
    ASSIGN_OR_RETURN(auto stored, store_.GetObservation(f.code(), f.jurisdiction(), *period));
    v1::Observation o;
    if (stored) o = *stored;
    o.set_indicator_code(f.code());
    o.set_jurisdiction_code(f.jurisdiction());
    o.set_period(f.period());
    if (def->spec().kind() == v1::INDICATOR_KIND_COUNT) {
      o.set_value(f.value());
    } else {
      o.set_numerator(f.numerator());
      o.set_denominator(f.denominator());
      o.set_value(f.denominator() > 0 ? f.numerator() / f.denominator() : 0);
    }
    o.set_source("events (reconciled)");
    o.set_recorded_by("renkei-indicators");
    o.set_version(o.version() + 1);
    *o.mutable_recorded_at() = clock_->NowTimestamp();
    store_.PutObservation(&cmd.batch(), o, *period, nullptr);
  }
  cmd.SetAnswer(answer);
  return cmd.Commit();
}

}  // namespace renkei::indicators
