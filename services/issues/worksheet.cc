#include "worksheet.h"

#include <string>
#include <vector>

#include "issue_rules.h"
#include "renkei/common/csv.h"
#include "renkei/common/dates.h"
#include "renkei/common/jurisdiction.h"
#include "renkei/common/labels.h"
#include "renkei/common/vocabulary.h"

namespace renkei::issues {
namespace {

std::string JurisdictionName(const std::string& code) {
  const auto& j = common::Jurisdictions::Get();
  if (const auto* m = j.FindMunicipality(code)) return m->prefecture_name + m->name;
  if (const auto* p = j.FindPrefecture(code)) return p->name;
  return code;
}

std::string Audiences(const v1::Countermeasure& c) {
  std::string out;
  for (int a : c.audiences()) {
    if (!out.empty()) out += "、";
    out += common::Label(static_cast<v1::AudienceRole>(a));
  }
  return out;
}

std::string Methods(const v1::IndicatorSpec& spec) {
  std::string out;
  for (int m : spec.methods()) {
    if (!out.empty()) out += "・";
    out += common::Label(static_cast<v1::MeasurementMethod>(m), "");
  }
  return out;
}

std::string Number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

std::string Baseline(const v1::IndicatorSpec& spec) {
  if (!spec.has_baseline()) return "未測定";
  std::string out = Number(spec.baseline()) + spec.unit();
  if (!spec.baseline_period().empty()) out += " (" + spec.baseline_period() + ")";
  return out;
}

std::string Target(const v1::IndicatorSpec& spec) {
  return spec.has_target() ? Number(spec.target()) + spec.unit() : "";
}

std::string Label(const std::string& label, const char* fallback_prefix, int index) {
  return label.empty() ? std::string(fallback_prefix) + std::to_string(index + 1) : label;
}

// Markdown table cells: one line, no pipes breaking the table.
std::string Cell(const std::string& s) {
  std::string out;
  for (char ch : s) {
    if (ch == '|')
      out += "\\|";
    else if (ch == '\n')
      out += "<br>";
    else if (ch != '\r')
      out += ch;
  }
  return out;
}

// Paragraphs: keep line breaks as Markdown line breaks.
std::string Para(const std::string& s) {
  if (s.empty()) return "(未記入)\n";
  std::string out;
  for (char ch : s) {
    if (ch == '\n')
      out += "  \n";
    else if (ch != '\r')
      out += ch;
  }
  return out + "\n";
}

std::string ScopeText(const v1::RegionalIssue& issue) {
  if (issue.scope() != v1::ISSUE_SCOPE_WIDE_AREA) {
    return std::string(common::Label(v1::ISSUE_SCOPE_MUNICIPAL));
  }
  std::string out = std::string(common::Label(v1::ISSUE_SCOPE_WIDE_AREA)) + " (";
  for (int i = 0; i < issue.related_municipality_codes_size(); ++i) {
    if (i) out += "、";
    out += JurisdictionName(issue.related_municipality_codes(i));
  }
  return out + ")";
}

std::string StatusText(const v1::RegionalIssue& issue) {
  if (issue.status() != v1::ISSUE_STATUS_OPEN) return std::string(common::Label(issue.status()));
  return "ステップ" + std::to_string(issue.current_step()) + "「" +
         common::StepName(issue.current_step()) + "」";
}

std::string Markdown(const v1::RegionalIssue& issue) {
  std::string md;
  md += "# 地域課題ワークシート\n\n";
  md += "- 課題ID: " + issue.id() + "\n";
  md += "- 地域: " + JurisdictionName(issue.municipality_code()) + " (" +
        issue.municipality_code() + ")\n";
  md += "- 範囲: " + ScopeText(issue) + "\n";
  md += "- 進捗: 第" + std::to_string(issue.cycle()) + "サイクル " + StatusText(issue) + "\n\n";

  md += "## 【問1】取り組みたい具体的なテーマ\n\n" + Para(issue.theme()) + "\n";
  md += "## 【問2】テーマの「目指す姿」\n\n" + Para(issue.target_state()) + "\n";
  if (!issue.current_state().empty() || issue.evidence_size() > 0 ||
      !issue.chosen_issue().empty()) {
    md += "### 現状\n\n" + Para(issue.current_state()) + "\n";
    for (const auto& e : issue.evidence()) {
      md += "- " + Cell(e.summary());
      if (!e.reference().empty()) md += " (" + Cell(e.reference()) + ")";
      md += "\n";
    }
    if (issue.evidence_size() > 0) md += "\n";
    if (!issue.chosen_issue().empty()) md += "### 課題\n\n" + Para(issue.chosen_issue()) + "\n";
  }

  md += "## 【問3】考えられる原因 (最大4つ) と最も大きな原因\n\n";
  if (issue.causes_size() == 0) {
    md += "(未記入)\n\n";
  } else {
    md += "| | 原因 | 主たる原因 |\n|---|---|---|\n";
    for (int i = 0; i < issue.causes_size(); ++i) {
      md += "| 原因" + std::to_string(i + 1) + " | " + Cell(issue.causes(i).text()) + " | " +
            (issue.causes(i).main() ? "◎ 主たる原因" : "") + " |\n";
    }
    md += "\n";
  }
  md += "**根本原因**: " +
        (issue.root_cause().empty() ? std::string("(未記入)") : Cell(issue.root_cause())) + "\n\n";

  md += "## 【問4】対策 (誰に対する対策か・対策の内容)\n\n";
  if (issue.countermeasures_size() == 0) {
    md += "(未記入)\n\n";
  } else {
    md += "| | 誰に | 内容 | 担当 | 状況 | 期限 |\n|---|---|---|---|---|---|\n";
    for (int i = 0; i < issue.countermeasures_size(); ++i) {
      const auto& c = issue.countermeasures(i);
      md += "| 対策" + std::to_string(i + 1) + " (" + Cell(Label(c.label(), "M", i)) + ") | " +
            Cell(Audiences(c)) + " | " + Cell(c.content()) + " | " + Cell(c.owner()) + " | " +
            std::string(common::Label(c.status(), "")) + " | " +
            (c.due().year() ? common::FormatDate(c.due()) : "") + " |\n";
    }
    md += "\n";
  }

  md += "## 【問5】期待すること (期待値) と測る指標\n\n";
  if (issue.expected_changes_size() == 0) {
    md += "(未記入)\n";
  } else {
    md +=
        "| | 何がどうなることを期待するか | 何の指標で測るか | 測定方法 | 頻度 | ベースライン | "
        "目標 |\n"
        "|---|---|---|---|---|---|---|\n";
    for (int i = 0; i < issue.expected_changes_size(); ++i) {
      const auto& e = issue.expected_changes(i);
      const auto& ind = e.indicator();
      std::string measure = ind.name_ja();
      if (!ind.description().empty()) measure += ": " + ind.description();
      md += "| 期待値" + std::to_string(i + 1) + " (" + Cell(Label(e.label(), "E", i)) + ") | " +
            Cell(e.description()) + " | " + Cell(measure) + " | " + Methods(ind) + " | " +
            std::string(common::Label(ind.frequency(), "")) + " | " + Cell(Baseline(ind)) + " | " +
            Cell(Target(ind)) + " |\n";
    }
  }
  return md;
}

std::string Csv(const v1::RegionalIssue& issue) {
  std::string out = "\xEF\xBB\xBF";
  common::AppendCsvRow({"問", "項目", "内容", "誰に・主たる原因", "指標", "測定方法", "頻度",
                        "ベースライン", "目標", "担当", "状況", "期限"},
                       &out);
  auto row = [&](std::vector<std::string> fields) {
    fields.resize(12);
    common::AppendCsvRow(fields, &out);
  };
  row({"問1", "テーマ", issue.theme()});
  row({"問2", "目指す姿", issue.target_state()});
  for (int i = 0; i < issue.causes_size(); ++i) {
    row({"問3", "原因" + std::to_string(i + 1), issue.causes(i).text(),
         issue.causes(i).main() ? "主たる原因" : ""});
  }
  row({"問3", "根本原因", issue.root_cause()});
  for (int i = 0; i < issue.countermeasures_size(); ++i) {
    const auto& c = issue.countermeasures(i);
    row({"問4", "対策" + std::to_string(i + 1) + " (" + Label(c.label(), "M", i) + ")", c.content(),
         Audiences(c), "", "", "", "", "", c.owner(), std::string(common::Label(c.status(), "")),
         c.due().year() ? common::FormatDate(c.due()) : ""});
  }
  for (int i = 0; i < issue.expected_changes_size(); ++i) {
    const auto& e = issue.expected_changes(i);
    const auto& ind = e.indicator();
    std::string measure = ind.name_ja();
    if (!ind.description().empty()) measure += ": " + ind.description();
    row({"問5", "期待値" + std::to_string(i + 1) + " (" + Label(e.label(), "E", i) + ")",
         e.description(), "", measure, Methods(ind),
         std::string(common::Label(ind.frequency(), "")), Baseline(ind), Target(ind)});
  }
  return out;
}

}  // namespace

v1::Worksheet RenderWorksheet(const v1::RegionalIssue& issue, v1::WorksheetFormat format) {
  v1::Worksheet w;
  if (format == v1::WORKSHEET_FORMAT_CSV) {
    w.set_format(v1::WORKSHEET_FORMAT_CSV);
    w.set_content(Csv(issue));
    w.set_file_name("worksheet_" + issue.id() + ".csv");
  } else {
    w.set_format(v1::WORKSHEET_FORMAT_MARKDOWN);
    w.set_content(Markdown(issue));
    w.set_file_name("worksheet_" + issue.id() + ".md");
  }
  return w;
}

}  // namespace renkei::issues
