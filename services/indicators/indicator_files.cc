// Indicators: observations exported to and imported from files.
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
namespace {

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

}  // namespace

// --- export and import ----------------------------------------------------------------------

absl::StatusOr<v1::ExportedFile> Indicators::ExportObservations(
    const v1::ExportObservationsRequest& r) const {
  FieldViolations v;
  v.CheckEnum("format", r.format(), v1::ObservationFormat_IsValid, false);
  std::optional<Period> from, to;
  CheckPeriodRange(r.from_period(), r.to_period(), &from, &to, &v);
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
        " 行に誤りがあるため取り込みませんでした (正しい行だけを取り込む指定もできます) / rows "
        "rejected, nothing imported (allow_partial imports the good rows)");
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

}  // namespace renkei::indicators
