// Indicators: what events change (expected changes of issues, derived counts) and the
// derived figures' generations.
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
  if ((existing && existing->origin() != v1::INDICATOR_ORIGIN_EXPECTED_CHANGE) ||
      DerivedDefinition(code)) {
    // The expected change links an existing (e.g. national) or a derived indicator (e.g.
    // derived.awareness.acp_known.after, defined when its first figure arrives): its progress
    // follows that indicator.
    store_.PutIssueLink(&cmd->batch(), ec);
    return absl::OkStatus();
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

absl::StatusOr<std::optional<v1::IndicatorDefinition>> Indicators::DefineDerived(
    const std::string& code, common::CommandBatch* cmd, std::set<std::string>* defined,
    const std::string& name) {
  ASSIGN_OR_RETURN(auto def, store_.GetDefinition(code));
  if (def) return def;
  auto made = DerivedDefinition(code);
  if (!made) return std::nullopt;
  if (!name.empty()) made->mutable_spec()->set_name_ja(name);
  if (defined->insert(code).second) {
    made->set_version(1);
    *made->mutable_updated_at() = clock_->NowTimestamp();
    store_.PutDefinition(&cmd->batch(), *made);
    auto e = NewEvent("indicator", code, 1, options_.jurisdiction_code);
    *e.mutable_indicator_defined()->mutable_definition() = *made;
    cmd->AddEvent(e);
  }
  return made;
}

absl::Status Indicators::RefreshDerivedDefinitions() {
  std::vector<v1::IndicatorDefinition> stale;
  RETURN_IF_ERROR(store_.ForEachDefinition([&](const v1::IndicatorDefinition& d) {
    if (d.origin() != v1::INDICATOR_ORIGIN_DERIVED) return true;
    auto made = DerivedDefinition(d.spec().code());
    if (!made) return true;
    // An awareness item's figure keeps the name its first answer gave it (the statement).
    if (d.spec().code().rfind("derived.awareness.", 0) == 0) {
      made->mutable_spec()->set_name_ja(d.spec().name_ja());
    }
    v1::IndicatorDefinition now = d;
    now.clear_version();
    now.clear_updated_at();
    if (now.SerializeAsString() != made->SerializeAsString()) {
      made->set_version(d.version() + 1);
      stale.push_back(*std::move(made));
    }
    return true;
  }));
  if (stale.empty()) return absl::OkStatus();
  common::CommandBatch cmd(raw_store_, outbox_);
  for (auto& d : stale) {
    *d.mutable_updated_at() = clock_->NowTimestamp();
    store_.PutDefinition(&cmd.batch(), d);
    auto e = NewEvent("indicator", d.spec().code(), d.version(), options_.jurisdiction_code);
    *e.mutable_indicator_defined()->mutable_definition() = d;
    cmd.AddEvent(e);
  }
  return cmd.Commit();
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
  // An awareness item's figures are named after its statement: 「人生会議を知っている」 (参加後).
  std::map<std::string, std::string> names;
  if (event.has_awareness_answered()) {
    const auto& a = event.awareness_answered();
    for (int i = 0; i < a.answers_size() && i < a.statements_size(); ++i) {
      std::string statement = a.statements(i);
      if (common::Utf8Length(statement) > 80) statement = common::TruncateToWidth(statement, 160);
      const std::string phase = a.phase() == v1::AWARENESS_PHASE_BEFORE ? "参加前" : "参加後";
      std::string code = "derived.awareness.";
      code += a.answers(i).item_id();
      code += a.phase() == v1::AWARENESS_PHASE_BEFORE ? ".before" : ".after";
      std::string name = "「";
      name += statement;
      name += "」にそう思うと答えた割合 (";
      name += phase;
      name += ")";
      names[code] = std::move(name);
    }
  }
  std::set<std::string> defined;
  for (const auto& [key, inc] : merged) {
    cmd->Hold(locks_.LockShared(key));
    auto name = names.find(inc.code);
    ASSIGN_OR_RETURN(
        auto def, DefineDerived(inc.code, cmd, &defined, name == names.end() ? "" : name->second));
    if (!def) continue;
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
    ASSIGN_OR_RETURN(auto def, DefineDerived(f.code(), &cmd, &defined));
    if (!def) continue;
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
