// Indicators: queries (series, comparisons, roll-ups, an issue's progress).
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
  cells.reserve(pref_cells.size());
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
  CheckPeriodRange(r.from_period(), r.to_period(), &from, &to, &v);
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
  values.reserve(rows.size());
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
  // Expected changes that name another origin's indicator: that indicator, with the expected
  // change's baseline and target.
  std::vector<v1::ExpectedChangeDefined> links;
  RETURN_IF_ERROR(store_.ForEachIssueLink(r.issue_id(), [&](const v1::ExpectedChangeDefined& l) {
    links.push_back(l);
    return true;
  }));
  for (const auto& l : links) {
    ASSIGN_OR_RETURN(auto stored, store_.GetDefinition(l.indicator().code()));
    std::optional<v1::IndicatorDefinition> d =
        stored ? stored : DerivedDefinition(l.indicator().code());
    if (!d) continue;
    d->set_issue_id(l.issue_id());
    d->set_expected_change_id(l.expected_change_id());
    auto* spec = d->mutable_spec();
    // Until its first figure names it, the expected change's own name.
    if (!stored) spec->set_name_ja(l.indicator().name_ja());
    if (l.indicator().has_baseline()) spec->set_baseline(l.indicator().baseline());
    if (!l.indicator().baseline_period().empty()) {
      spec->set_baseline_period(l.indicator().baseline_period());
    }
    if (l.indicator().has_target()) spec->set_target(l.indicator().target());
    defs.push_back(std::move(*d));
  }
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

}  // namespace renkei::indicators
