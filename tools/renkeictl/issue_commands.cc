// renkeictl issue candidates|accept|merge|dismiss|create|get|list|update|countermeasure add|
// update|expect add|update|advance|back|new-cycle|escalate|worksheet|meeting record|update|get|
// list: the municipality's and the coordinator's work on regional issues (地域課題) through the
// seven PDCA steps, over renkei.v1.IssuesService.
//
// Each command makes one call, except `update` with causes (it reads the issue first to keep the
// ids of unchanged causes) and `meeting update` (it reads the meeting, changes the parts given and
// writes it back).
#include <algorithm>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <functional>

#include "CLI/CLI.hpp"
#include "audience_words.h"
#include "cli.h"
#include "indicator_words.h"
#include "issues/issue_rules.h"
#include "renkei/common/jurisdiction.h"
#include "renkei/common/text.h"
#include "renkei/v1/issues.grpc.pb.h"
#include "words.h"

namespace renkei::cli {

// The labels of these words come from issue_rules.h.
template <>
std::string RulesLabel(v1::AudienceRole v) {
  return std::string(issues::AudienceLabel(v));
}
template <>
std::string RulesLabel(v1::MeasurementMethod v) {
  return std::string(issues::MethodLabel(v));
}
template <>
std::string RulesLabel(v1::MeasurementFrequency v) {
  return std::string(issues::FrequencyLabel(v));
}
template <>
std::string RulesLabel(v1::CountermeasureStatus v) {
  return std::string(issues::CountermeasureStatusLabel(v));
}

namespace {

std::unique_ptr<v1::IssuesService::Stub> Stub() {
  return v1::IssuesService::NewStub(Channel(Options().issues_address));
}

// ---- words on the command line, and the labels coordinators see ----

constexpr Word<v1::CandidateStatus> kCandidateStatuses[] = {
    {"proposed", v1::CANDIDATE_STATUS_PROPOSED, "提案中"},
    {"accepted", v1::CANDIDATE_STATUS_ACCEPTED, "採用"},
    {"merged", v1::CANDIDATE_STATUS_MERGED, "統合済み"},
    {"dismissed", v1::CANDIDATE_STATUS_DISMISSED, "見送り"},
};

constexpr Word<v1::IssueScope> kScopes[] = {
    {"municipal", v1::ISSUE_SCOPE_MUNICIPAL, "市町村"},
    {"wide_area", v1::ISSUE_SCOPE_WIDE_AREA, "広域"},
};

constexpr Word<v1::IssueStatus> kIssueStatuses[] = {
    {"open", v1::ISSUE_STATUS_OPEN, "取り組み中"},
    {"evaluated", v1::ISSUE_STATUS_EVALUATED, "効果確認済み"},
    {"closed", v1::ISSUE_STATUS_CLOSED, "終了"},
};

constexpr Word<v1::EvidenceKind> kEvidenceKinds[] = {
    {"data", v1::EVIDENCE_KIND_DATA, "既存データ"},
    {"survey", v1::EVIDENCE_KIND_SURVEY, "調査結果"},
    {"hearing", v1::EVIDENCE_KIND_HEARING, "ヒアリング"},
    {"seed", v1::EVIDENCE_KIND_SEED, "地域課題のタネ"},
    {"consultation", v1::EVIDENCE_KIND_CONSULTATION, "相談"},
};

constexpr Word<v1::CountermeasureStatus> kCountermeasureStatuses[] = {
    {"planned", v1::COUNTERMEASURE_STATUS_PLANNED, nullptr},
    {"in_progress", v1::COUNTERMEASURE_STATUS_IN_PROGRESS, nullptr},
    {"done", v1::COUNTERMEASURE_STATUS_DONE, nullptr},
    {"cancelled", v1::COUNTERMEASURE_STATUS_CANCELLED, nullptr},
};

constexpr Word<v1::WorksheetFormat> kWorksheetFormats[] = {
    {"md", v1::WORKSHEET_FORMAT_MARKDOWN, "Markdown"},
    {"csv", v1::WORKSHEET_FORMAT_CSV, "CSV (UTF-8, BOM 付き)"},
};

constexpr Word<v1::MeetingBody> kBodies[] = {
    {"council", v1::MEETING_BODY_COUNCIL, "協議会"},
    {"working_group", v1::MEETING_BODY_WORKING_GROUP, "作業部会"},
    {"regular", v1::MEETING_BODY_REGULAR_MEETING, "定例ミーティング"},
    {"wide_area", v1::MEETING_BODY_WIDE_AREA, "関係市町村会議"},
};

constexpr Word<v1::OpinionWeight> kWeights[] = {
    {"majority", v1::OPINION_WEIGHT_MAJORITY, "多数意見"},
    {"minority", v1::OPINION_WEIGHT_MINORITY, "少数意見"},
    {"individual", v1::OPINION_WEIGHT_INDIVIDUAL, "個別の意見"},
};

std::string Trim(const std::string& s) { return std::string(common::TrimSpaces(s)); }

// A municipality's or a prefecture's name (a prefecture's instance keeps issues too); the code
// itself when it is neither.
std::string JurisdictionLabel(const std::string& code) {
  const auto& j = common::Jurisdictions::Get();
  if (const auto* m = j.FindMunicipality(code)) return m->prefecture_name + m->name;
  if (const auto* p = j.FindPrefecture(code)) return p->name;
  return code;
}

std::string Number(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

// ---- structured values on the command line ----

// "survey:在宅看取り率 12%:稲城市調査 2025". The summary holds no ASCII ':' (a full-width '：' is
// fine); the reference may (a URL).
bool ParseEvidence(const std::string& spec, v1::Evidence* out) {
  const size_t kind_end = spec.find(':');
  if (kind_end == std::string::npos || !IsWord(kEvidenceKinds, spec.substr(0, kind_end))) {
    return false;
  }
  const std::string rest = spec.substr(kind_end + 1);
  const size_t summary_end = rest.find(':');
  const std::string summary = Trim(rest.substr(0, summary_end));
  if (summary.empty()) return false;
  out->set_kind(FromWord(kEvidenceKinds, spec.substr(0, kind_end), v1::EVIDENCE_KIND_UNSPECIFIED));
  out->set_summary(summary);
  if (summary_end != std::string::npos) out->set_reference(Trim(rest.substr(summary_end + 1)));
  return true;
}

// "majority:一般の訪問診療医で対応できる:physicians,visiting_nurses". The roles are the part
// after the last ':' when every word of it is a role; otherwise the whole rest is the text.
bool ParseOpinion(const std::string& spec, v1::Opinion* out) {
  const size_t weight_end = spec.find(':');
  if (weight_end == std::string::npos || !IsWord(kWeights, spec.substr(0, weight_end))) {
    return false;
  }
  std::string text = spec.substr(weight_end + 1);
  std::vector<v1::AudienceRole> roles;
  const size_t last = text.rfind(':');
  if (last != std::string::npos) {
    const auto words = Split(text.substr(last + 1), ',');
    if (std::all_of(words.begin(), words.end(),
                    [](const std::string& w) { return IsWord(kAudiences, w); })) {
      for (const auto& w : words) {
        roles.push_back(FromWord(kAudiences, w, v1::AUDIENCE_ROLE_UNSPECIFIED));
      }
      text = text.substr(0, last);
    }
  }
  text = Trim(text);
  if (text.empty()) return false;
  out->set_weight(FromWord(kWeights, spec.substr(0, weight_end), v1::OPINION_WEIGHT_UNSPECIFIED));
  out->set_summary(text);
  for (auto r : roles) out->add_from_roles(r);
  return true;
}

// "家族向け資料の作成|連携支援センター|2026-12-20": the owner and the due date may be left out.
bool ParseAction(const std::string& spec, v1::ActionItem* out) {
  const auto parts = Split(spec, '|');
  if (parts.size() > 3 || Trim(parts[0]).empty()) return false;
  out->set_task(Trim(parts[0]));
  if (parts.size() > 1) out->set_owner(Trim(parts[1]));
  if (parts.size() > 2 && !Trim(parts[2]).empty() && !ParseDate(Trim(parts[2]), out->mutable_due()))
    return false;
  return true;
}

// "看取りパンフレット案|pamphlet_v2.pdf": the reference may be left out.
bool ParseMaterial(const std::string& spec, v1::Material* out) {
  const size_t bar = spec.find('|');
  const std::string title = Trim(spec.substr(0, bar));
  if (title.empty()) return false;
  out->set_title(title);
  if (bar != std::string::npos) out->set_reference(Trim(spec.substr(bar + 1)));
  return true;
}

template <typename Message>
CLI::Validator SpecCheck(bool (*parse)(const std::string&, Message*), const char* format,
                         const std::string& help) {
  return ParseCheck(parse, help + " / use " + format + ": ", format, format);
}

// An option whose absence differs from an empty value (the optional fields of the requests).
struct MaybeText {
  bool given = false;
  std::string value;
};
struct MaybeNumber {
  bool given = false;
  double value = 0;
};

CLI::Option* AddMaybe(CLI::App* cmd, const std::string& name, MaybeText* out,
                      const std::string& help) {
  return cmd->add_option_function<std::string>(
      name,
      [out](const std::string& v) {
        out->given = true;
        out->value = v;
      },
      help);
}

CLI::Option* AddMaybe(CLI::App* cmd, const std::string& name, MaybeNumber* out,
                      const std::string& help) {
  return cmd
      ->add_option_function<double>(
          name,
          [out](const double& v) {
            out->given = true;
            out->value = v;
          },
          help)
      ->check(CLI::Validator(
          [](std::string& s) -> std::string {
            try {
              size_t used = 0;
              double d = std::stod(s, &used);
              if (used == s.size() && std::isfinite(d)) return "";
            } catch (...) {
              // std::stod throws on text that is not a number; reported below.
            }
            return "数値を指定してください / not a number: " + s;
          },
          "NUMBER", "number"));
}

// ---- output ----

// "label  value" with the label padded to a display width of `width` after `indent` spaces; the
// further lines of a multi-line value are aligned under its first.
void Field(const std::string& label, const std::string& value, int indent = 0, int width = 14) {
  if (value.empty()) return;
  const int pad = std::max(1, width - common::DisplayWidth(label));
  const auto lines = Split(value, '\n');
  std::printf("%s%s%s %s\n", std::string(indent, ' ').c_str(), label.c_str(),
              std::string(pad, ' ').c_str(), lines[0].c_str());
  const std::string under(indent + common::DisplayWidth(label) + pad + 1, ' ');
  for (size_t k = 1; k < lines.size(); ++k) {
    std::printf("%s%s\n", under.c_str(), lines[k].c_str());
  }
}

// Multi-line text, each line indented; "(未記入)" when empty.
void Block(const std::string& text, int indent = 4) {
  const std::string pad(indent, ' ');
  if (Trim(text).empty()) {
    std::printf("%s(未記入)\n", pad.c_str());
    return;
  }
  for (const auto& line : Split(text, '\n')) std::printf("%s%s\n", pad.c_str(), line.c_str());
}

// "ステップ5「対策立案」", "効果確認済み" or "終了"; the cycle when past the first.
std::string StateText(const v1::RegionalIssue& i) {
  std::string out = i.cycle() > 1 ? "第" + std::to_string(i.cycle()) + "サイクル " : "";
  if (i.status() == v1::ISSUE_STATUS_EVALUATED) return out + "効果確認済み";
  if (i.status() == v1::ISSUE_STATUS_CLOSED) return out + "終了";
  return out + "ステップ" + std::to_string(i.current_step()) + "「" +
         std::string(issues::StepName(i.current_step())) + "」";
}

std::string StateText(const v1::IssueSummary& s) {
  v1::RegionalIssue i;
  i.set_status(s.status());
  i.set_current_step(s.current_step());
  i.set_cycle(s.cycle());
  return StateText(i);
}

// The confirmation line of a changed issue: "<what> (版 4, ステップ5「対策立案」)".
std::string IssueLine(const v1::RegionalIssue& i, const std::string& what) {
  return what + " (版 " + std::to_string(i.version()) + ", " + StateText(i) + ")";
}

std::string ScopeText(v1::IssueScope scope,
                      const google::protobuf::RepeatedPtrField<std::string>& related) {
  if (scope != v1::ISSUE_SCOPE_WIDE_AREA) return "市町村";
  std::string out;
  for (const auto& code : related) out += (out.empty() ? "" : "、") + JurisdictionLabel(code);
  return out.empty() ? "広域" : "広域 (" + out + ")";
}

void StepHeading(const v1::RegionalIssue& i, int from, int to, const std::string& name) {
  const bool current =
      i.status() == v1::ISSUE_STATUS_OPEN && i.current_step() >= from && i.current_step() <= to;
  const std::string steps =
      from == to ? std::to_string(from) : std::to_string(from) + "・" + std::to_string(to);
  std::printf("\n【ステップ%s】%s%s\n", steps.c_str(), name.c_str(), current ? "  ← 現在" : "");
}

std::string TransitionText(const v1::StepTransition& t) {
  if (t.back()) {
    return "ステップ" + std::to_string(t.from_step()) + " → ステップ" +
           std::to_string(t.to_step()) + " (戻り)";
  }
  if (t.from_step() == issues::kSteps && t.to_step() == issues::kSteps) {
    return "ステップ" + std::to_string(issues::kSteps) + " 完了 (効果確認済み)";
  }
  if (t.from_step() == issues::kSteps && t.to_step() == 1) {
    return "第" + std::to_string(t.cycle()) + "サイクル開始";
  }
  return "ステップ" + std::to_string(t.from_step()) + " → ステップ" + std::to_string(t.to_step());
}

// The table form (CallAndPrint prints JSON).
void PrintIssue(const v1::IssueWithHistory& with_history, bool history) {
  const auto& i = with_history.issue();
  Field("ID", i.id());
  Field("自治体", JurisdictionLabel(i.municipality_code()) + " (" + i.municipality_code() + ")");
  Field("テーマ", i.theme());
  Field("範囲", ScopeText(i.scope(), i.related_municipality_codes()));
  Field("タグ", Join(i.theme_tags(), ", "));
  Field("状態", LabelOf(kIssueStatuses, i.status()));
  Field("ステップ", std::to_string(i.current_step()) + "「" +
                        std::string(issues::StepName(i.current_step())) + "」");
  Field("サイクル", "第" + std::to_string(i.cycle()) + "サイクル");
  Field("版", std::to_string(i.version()));
  Field("課題候補", i.candidate_id());
  if (!i.origin_issue_id().empty()) {
    Field("上げた自治体",
          JurisdictionLabel(i.origin_municipality_code()) + " (" + i.origin_issue_id() + ")");
  }
  Field("上げた日時", FormatTokyo(i.escalated_at()));
  if (!i.wide_area().prefecture_issue_id().empty()) {
    const auto& w = i.wide_area();
    Field("広域課題の状況", JurisdictionLabel(w.prefecture_code()) + " " + w.prefecture_issue_id() +
                                ": ステップ" + std::to_string(w.current_step()) + "「" +
                                std::string(issues::StepName(w.current_step())) + "」 (" +
                                FormatTokyo(w.updated_at()) + ")");
  }
  Field("登録日時", FormatTokyo(i.created_at()));
  Field("更新日時", FormatTokyo(i.updated_at()));

  StepHeading(i, 1, 1, "目指す姿");
  Block(i.target_state());

  StepHeading(i, 2, 2, "現状把握");
  std::printf("  現状\n");
  Block(i.current_state());
  std::printf("  根拠\n");
  if (i.evidence_size() == 0) std::printf("    (なし)\n");
  for (const auto& e : i.evidence()) {
    std::printf("    - [%s] %s%s\n", LabelOf(kEvidenceKinds, e.kind()).c_str(), e.summary().c_str(),
                e.reference().empty() ? "" : (" (" + e.reference() + ")").c_str());
  }

  StepHeading(i, 3, 3, "課題の選定");
  if (i.issue_options_size() > 0) {
    std::printf("  課題案\n");
    for (int k = 0; k < i.issue_options_size(); ++k) {
      std::printf("    %d. %s\n", k + 1, i.issue_options(k).c_str());
    }
  }
  std::printf("  課題\n");
  Block(i.chosen_issue());

  StepHeading(i, 4, 4, "要因分析");
  std::printf("  要因 (最大4つ)\n");
  if (i.causes_size() == 0) std::printf("    (なし)\n");
  for (int k = 0; k < i.causes_size(); ++k) {
    std::printf("    %d. %s%s\n", k + 1, i.causes(k).text().c_str(),
                i.causes(k).main() ? "  ◎ 主たる原因" : "");
  }
  std::printf("  根本原因\n");
  Block(i.root_cause());

  StepHeading(i, 5, 6, "対策立案・実行");
  if (i.countermeasures_size() == 0) std::printf("    (なし)\n");
  for (const auto& c : i.countermeasures()) {
    std::printf("  %s  (%s)\n", c.label().c_str(), c.id().c_str());
    Field("誰に", AudienceText(c.audiences()), 4);
    Field("内容", c.content(), 4);
    Field("担当", c.owner(), 4);
    Field("状況", LabelOf(kCountermeasureStatuses, c.status()), 4);
    Field("期限", FormatDateOrEmpty(c.due()), 4);
    Field("研修", c.training_id(), 4);
  }

  StepHeading(i, 7, 7, "効果確認 (期待値と指標)");
  if (i.expected_changes_size() == 0) std::printf("    (なし)\n");
  for (const auto& e : i.expected_changes()) {
    const auto& ind = e.indicator();
    std::printf("  %s  %s  (%s)\n", e.label().c_str(), e.description().c_str(), e.id().c_str());
    Field("指標", ind.name_ja() + (ind.code().empty() ? "" : " (" + ind.code() + ")"), 4);
    Field("測るもの", ind.description(), 4);
    Field("種類", LabelOf(kIndicatorKinds, ind.kind()), 4);
    Field("測定方法", MethodsText(ind.methods()), 4);
    Field("頻度", LabelOf(kFrequencies, ind.frequency()), 4);
    Field("方向", LabelOf(kDirections, ind.direction()), 4);
    std::string baseline = "未測定";
    if (ind.has_baseline()) {
      baseline = Number(ind.baseline()) + ind.unit() +
                 (ind.baseline_period().empty() ? "" : " (" + ind.baseline_period() + ")");
    }
    Field("ベースライン", baseline, 4);
    Field("目標", ind.has_target() ? Number(ind.target()) + ind.unit() : "", 4);
  }

  std::printf("\nステップの経過 / transitions\n");
  if (i.transitions_size() == 0) {
    std::printf("(なし)\n");
  } else {
    Table t({"日時", "サイクル", "変更", "理由"});
    for (const auto& tr : i.transitions()) {
      t.Add({FormatTokyo(tr.at()), std::to_string(tr.cycle()), TransitionText(tr), tr.reason()});
    }
    t.Print({16, 8, 40, 60});
  }

  if (history) {
    std::printf("\n履歴 / history\n");
    if (with_history.history_size() == 0) {
      std::printf("(なし)\n");
    } else {
      Table t({"版", "日時", "操作", "内容"});
      for (const auto& h : with_history.history()) {
        t.Add({std::to_string(h.version()), FormatTokyo(h.at()), h.action(), h.detail()});
      }
      t.Print({6, 16, 30, 100});
    }
  }
}

// The table form (CallAndPrint prints JSON).
void PrintMeeting(const v1::Meeting& m) {
  Field("ID", m.id());
  Field("自治体", JurisdictionLabel(m.municipality_code()) + " (" + m.municipality_code() + ")");
  Field("日付", FormatDateOrEmpty(m.date()));
  Field("会議体", LabelOf(kBodies, m.body()));
  Field("件名", m.title());
  Field("版", std::to_string(m.version()));
  Field("更新日時", FormatTokyo(m.updated_at()));

  std::printf("\n議題 / agenda\n");
  if (m.agenda_size() == 0) std::printf("(なし)\n");
  for (int k = 0; k < m.agenda_size(); ++k) std::printf("  %d. %s\n", k + 1, m.agenda(k).c_str());

  std::printf("\n関係する課題 / issues\n");
  if (m.issue_ids_size() == 0) std::printf("(なし)\n");
  for (const auto& id : m.issue_ids()) std::printf("  %s\n", id.c_str());

  std::printf("\n事前メモ / pre-meeting notes\n");
  Block(m.pre_meeting_notes(), 2);

  std::printf("\n資料 / materials\n");
  if (m.materials_size() == 0) std::printf("(なし)\n");
  for (const auto& x : m.materials()) {
    std::printf("  - %s%s\n", x.title().c_str(),
                x.reference().empty() ? "" : (" (" + x.reference() + ")").c_str());
  }

  std::printf("\n議事録 / minutes\n");
  Block(m.minutes(), 2);

  std::printf("\n意見 / opinions\n");
  if (m.opinions_size() == 0) std::printf("(なし)\n");
  for (const auto& o : m.opinions()) {
    const std::string roles = AudienceText(o.from_roles());
    std::printf("  - [%s] %s%s\n", LabelOf(kWeights, o.weight()).c_str(), o.summary().c_str(),
                roles.empty() ? "" : ("  (" + roles + ")").c_str());
  }

  std::printf("\n決定事項 / decisions\n");
  if (m.decisions_size() == 0) std::printf("(なし)\n");
  for (const auto& d : m.decisions()) std::printf("  - %s\n", d.c_str());

  std::printf("\n対応事項 / action items\n");
  if (m.action_items_size() == 0) {
    std::printf("(なし)\n");
  } else {
    Table t({"内容", "担当", "期限", "状態", "ID"});
    for (const auto& a : m.action_items()) {
      t.Add(
          {a.task(), a.owner(), FormatDateOrEmpty(a.due()), a.done() ? "完了" : "未完了", a.id()});
    }
    t.Print({50, 20, 10, 6, 32});
  }
}

// Calls a method that changes something; prints the response as JSON with -o json, or else the
// line `say` makes of it.
template <typename Request, typename Response>
using IssuesMethod = grpc::Status (v1::IssuesService::Stub::*)(grpc::ClientContext*, const Request&,
                                                               Response*);

template <typename Request, typename Response, typename Say>
int Mutate(IssuesMethod<Request, Response> method, const Request& req, Say say) {
  return CallAndPrint(*Stub(), method, req,
                      [&say](const Response& r) { std::printf("%s\n", say(r).c_str()); });
}

// ---- candidates ----
int RunCandidates(const std::string& status) {
  v1::ListCandidatesRequest req;
  if (!status.empty()) {
    req.set_status(FromWord(kCandidateStatuses, status, v1::CANDIDATE_STATUS_UNSPECIFIED));
  }
  return CallAndPrint(
      *Stub(), &v1::IssuesService::Stub::ListCandidates, req,
      [](const v1::ListCandidatesResponse& resp) {
        if (resp.candidates_size() == 0) {
          std::printf("課題候補はありません / no candidates\n");
          return;
        }
        Table t({"ID", "提案日", "クラスタ", "根拠", "状態", "版"});
        for (const auto& c : resp.candidates()) {
          t.Add({c.id(), FormatTokyoDate(c.proposed_at()), Join(c.cluster_keys(), ", "),
                 std::to_string(c.evidence_size()), LabelOf(kCandidateStatuses, c.status()),
                 std::to_string(c.version())});
        }
        t.Print({32, 10, 60, 4, 8, 6});
        std::printf("\n%d 件 / candidates\n", resp.candidates_size());
      });
}

// The prefecture's wide-area issues that concern this municipality (federation).
int RunWideArea() {
  v1::ListWideAreaIssuesRequest req;
  return CallAndPrint(*Stub(), &v1::IssuesService::Stub::ListWideAreaIssues, req,
                      [](const v1::ListWideAreaIssuesResponse& resp) {
                        if (resp.issues_size() == 0) {
                          std::printf("関係する広域課題はありません / no wide-area issues\n");
                          return;
                        }
                        Table t({"都道府県の課題ID", "都道府県", "ステップ", "状態", "関係市区町村",
                                 "当市の課題", "更新日"});
                        for (const auto& w : resp.issues()) {
                          std::vector<std::string> related;
                          for (const auto& m : w.related_municipality_codes())
                            related.push_back(MunicipalityLabel(m));
                          std::string joined;
                          for (const auto& r : related) joined += (joined.empty() ? "" : ", ") + r;
                          t.Add({w.prefecture_issue_id(), JurisdictionLabel(w.prefecture_code()),
                                 std::to_string(w.current_step()) + "「" +
                                     std::string(issues::StepName(w.current_step())) + "」",
                                 LabelOf(kIssueStatuses, w.status()), joined, w.origin_issue_id(),
                                 FormatTokyoDate(w.updated_at())});
                        }
                        t.Print({32, 10, 24, 8, 40, 32, 10});
                      });
}

// ---- list ----
struct ListArgs {
  std::string status, scope, tag, text, page_token;
  int step = 0, page_size = 0;
  bool all = false;
};

int RunList(const ListArgs& a) {
  v1::ListIssuesRequest req;
  if (!a.status.empty()) {
    req.set_status(FromWord(kIssueStatuses, a.status, v1::ISSUE_STATUS_UNSPECIFIED));
  }
  req.set_step(a.step);
  if (!a.scope.empty()) req.set_scope(FromWord(kScopes, a.scope, v1::ISSUE_SCOPE_UNSPECIFIED));
  req.set_theme_tag(a.tag);
  req.set_text(a.text);
  req.set_page_size(a.page_size);
  req.set_page_token(a.page_token);

  auto stub = Stub();
  // With --all, the pages are gathered into one response (one JSON document).
  v1::ListIssuesResponse all;
  v1::ListIssuesResponse resp;
  while (true) {
    auto ctx = NewContext();
    grpc::Status s = stub->ListIssues(ctx.get(), req, &resp);
    if (!s.ok()) return ReportError(s);
    for (const auto& i : resp.issues()) *all.add_issues() = i;
    all.set_total(resp.total());
    all.set_next_page_token(resp.next_page_token());
    if (!a.all || resp.next_page_token().empty()) break;
    req.set_page_token(resp.next_page_token());
  }
  if (JsonOutput()) {
    PrintJson(all);
    return kOk;
  }
  if (all.issues_size() == 0) {
    std::printf("該当する課題はありません / no issues (該当 %d 件)\n", all.total());
    return kOk;
  }
  Table t({"更新日時", "テーマ", "範囲", "状態", "対策", "上げた自治体", "版", "ID"});
  for (const auto& i : all.issues()) {
    t.Add({FormatTokyo(i.updated_at()), i.theme(), LabelOf(kScopes, i.scope()), StateText(i),
           std::to_string(i.countermeasures()),
           i.origin_municipality_code().empty() ? ""
                                                : JurisdictionLabel(i.origin_municipality_code()),
           std::to_string(i.version()), i.id()});
  }
  t.Print({16, 50, 6, 36, 4, 20, 6, 32});
  std::printf(
      "\n%d 件を表示 (該当 %d 件)%s\n", all.issues_size(), all.total(),
      all.next_page_token().empty() ? "" : "  (続き: --page-token で次ページ、--all で全件)");
  if (!all.next_page_token().empty()) {
    std::printf("next page token: %s\n", all.next_page_token().c_str());
  }
  return kOk;
}

// ---- update ----
struct UpdateArgs {
  std::string id, scope;
  int64_t version = 0;
  MaybeText theme, target_state, current_state, chosen, root_cause;
  std::vector<std::string> evidence, options, causes, related;
  bool clear_evidence = false, clear_options = false, clear_related = false;
  int main_cause = 0;
};

int RunUpdate(const UpdateArgs& a) {
  v1::UpdateIssueRequest req;
  req.set_id(a.id);
  req.set_expected_version(a.version);
  if (a.theme.given) req.set_theme(a.theme.value);
  if (a.target_state.given) req.set_target_state(a.target_state.value);
  if (a.current_state.given) req.set_current_state(a.current_state.value);
  if (!a.evidence.empty() || a.clear_evidence) {
    req.set_replace_evidence(true);
    for (const auto& spec : a.evidence) {
      if (!ParseEvidence(spec, req.add_evidence())) return kUsage;  // checked when parsing
    }
  }
  if (!a.options.empty() || a.clear_options) {
    req.set_replace_issue_options(true);
    for (const auto& o : a.options) req.add_issue_options(o);
  }
  if (a.chosen.given) req.set_chosen_issue(a.chosen.value);
  if (a.root_cause.given) req.set_root_cause(a.root_cause.value);
  if (!a.scope.empty()) req.set_scope(FromWord(kScopes, a.scope, v1::ISSUE_SCOPE_UNSPECIFIED));
  if (!a.related.empty() || a.clear_related) {
    req.set_replace_related_municipalities(true);
    for (const auto& code : a.related) req.add_related_municipality_codes(code);
  }

  auto stub = Stub();
  if (!a.causes.empty() || a.main_cause > 0) {
    // The causes are replaced as a whole. A cause whose text is unchanged at the same position
    // keeps its id (and its main mark unless --main-cause is given), so the issue's history
    // reads as edits rather than new causes; --main-cause alone re-marks the existing causes.
    v1::GetIssueRequest get;
    get.set_id(a.id);
    v1::IssueWithHistory current;
    auto ctx = NewContext();
    grpc::Status s = stub->GetIssue(ctx.get(), get, &current);
    if (!s.ok()) return ReportError(s);
    const auto& before = current.issue().causes();
    if (a.causes.empty()) {
      *req.mutable_causes() = before;
    } else {
      for (size_t k = 0; k < a.causes.size(); ++k) {
        auto* c = req.add_causes();
        c->set_text(a.causes[k]);
        if (static_cast<int>(k) < before.size() && before[k].text() == Trim(a.causes[k])) {
          c->set_id(before[k].id());
          c->set_main(before[k].main());
        }
      }
    }
    if (a.main_cause > 0) {
      if (a.main_cause > req.causes_size()) {
        std::fprintf(stderr,
                     "--main-cause: 要因は %d つです。1〜%d で指定してください / there are %d "
                     "causes\n",
                     req.causes_size(), req.causes_size(), req.causes_size());
        return kUsage;
      }
      for (int k = 0; k < req.causes_size(); ++k) {
        req.mutable_causes(k)->set_main(k == a.main_cause - 1);
      }
    }
    req.set_replace_causes(true);
  }

  return CallAndPrint(
      *stub, &v1::IssuesService::Stub::UpdateIssue, req, [](const v1::RegionalIssue& issue) {
        std::printf("%s\n", IssueLine(issue, "課題 " + issue.id() + " を更新しました").c_str());
      });
}

// ---- countermeasures ----
struct CountermeasureArgs {
  std::string id, countermeasure_id, content, label, status, due;
  std::vector<std::string> audiences;
  int64_t version = 0;
  MaybeText owner, training;
};

int RunCountermeasureAdd(const CountermeasureArgs& a) {
  v1::AddCountermeasureRequest req;
  req.set_id(a.id);
  req.set_expected_version(a.version);
  auto* c = req.mutable_countermeasure();
  for (const auto& w : a.audiences) {
    c->add_audiences(FromWord(kAudiences, w, v1::AUDIENCE_ROLE_UNSPECIFIED));
  }
  c->set_content(a.content);
  c->set_label(a.label);
  c->set_owner(a.owner.value);
  if (!a.status.empty()) {
    c->set_status(
        FromWord(kCountermeasureStatuses, a.status, v1::COUNTERMEASURE_STATUS_UNSPECIFIED));
  }
  if (!a.due.empty()) ParseDate(a.due, c->mutable_due());
  c->set_training_id(a.training.value);
  return Mutate(&v1::IssuesService::Stub::AddCountermeasure, req, [](const v1::RegionalIssue& i) {
    const auto& added = i.countermeasures(i.countermeasures_size() - 1);
    return IssueLine(
        i, "課題 " + i.id() + " に対策 " + added.label() + " (" + added.id() + ") を追加しました");
  });
}

int RunCountermeasureUpdate(const CountermeasureArgs& a) {
  v1::UpdateCountermeasureRequest req;
  req.set_id(a.id);
  req.set_expected_version(a.version);
  req.set_countermeasure_id(a.countermeasure_id);
  if (!a.status.empty()) {
    req.set_status(
        FromWord(kCountermeasureStatuses, a.status, v1::COUNTERMEASURE_STATUS_UNSPECIFIED));
  }
  if (a.owner.given) req.set_owner(a.owner.value);
  if (!a.due.empty()) ParseDate(a.due, req.mutable_due());
  if (a.training.given) req.set_training_id(a.training.value);
  const std::string cm_id = a.countermeasure_id;
  return Mutate(
      &v1::IssuesService::Stub::UpdateCountermeasure, req, [cm_id](const v1::RegionalIssue& i) {
        std::string what = "課題 " + i.id() + " の対策 " + cm_id + " を更新しました";
        for (const auto& c : i.countermeasures()) {
          if (c.id() != cm_id) continue;
          what = "課題 " + i.id() + " の対策 " + c.label() +
                 " を更新しました (状況: " + LabelOf(kCountermeasureStatuses, c.status()) + ")";
        }
        return IssueLine(i, what);
      });
}

// ---- expected changes ----
struct ExpectArgs {
  std::string id, expected_change_id, indicator, unit, kind, frequency, direction, code, label;
  std::vector<std::string> methods;
  int64_t version = 0;
  MaybeText description, measure, baseline_period;
  MaybeNumber baseline, target;
};

int RunExpectAdd(const ExpectArgs& a) {
  v1::AddExpectedChangeRequest req;
  req.set_id(a.id);
  req.set_expected_version(a.version);
  auto* e = req.mutable_expected_change();
  e->set_label(a.label);
  e->set_description(a.description.value);
  auto* ind = e->mutable_indicator();
  ind->set_code(a.code);
  ind->set_name_ja(a.indicator);
  ind->set_description(a.measure.value);
  ind->set_unit(a.unit);
  if (!a.kind.empty())
    ind->set_kind(FromWord(kIndicatorKinds, a.kind, v1::INDICATOR_KIND_UNSPECIFIED));
  for (const auto& m : a.methods) {
    ind->add_methods(FromWord(kMethods, m, v1::MEASUREMENT_METHOD_UNSPECIFIED));
  }
  ind->set_frequency(FromWord(kFrequencies, a.frequency, v1::MEASUREMENT_FREQUENCY_UNSPECIFIED));
  if (!a.direction.empty()) {
    ind->set_direction(FromWord(kDirections, a.direction, v1::DIRECTION_UNSPECIFIED));
  }
  if (a.baseline.given) ind->set_baseline(a.baseline.value);
  ind->set_baseline_period(a.baseline_period.value);
  if (a.target.given) ind->set_target(a.target.value);
  return Mutate(&v1::IssuesService::Stub::AddExpectedChange, req, [](const v1::RegionalIssue& i) {
    const auto& added = i.expected_changes(i.expected_changes_size() - 1);
    return IssueLine(i, "課題 " + i.id() + " に期待値 " + added.label() + " (" + added.id() +
                            "、指標 " + added.indicator().code() + ") を追加しました");
  });
}

int RunExpectUpdate(const ExpectArgs& a) {
  v1::UpdateExpectedChangeRequest req;
  req.set_id(a.id);
  req.set_expected_version(a.version);
  req.set_expected_change_id(a.expected_change_id);
  if (a.description.given) req.set_description(a.description.value);
  if (a.baseline.given) req.set_baseline(a.baseline.value);
  if (a.baseline_period.given) req.set_baseline_period(a.baseline_period.value);
  if (a.target.given) req.set_target(a.target.value);
  const std::string exp_id = a.expected_change_id;
  return Mutate(&v1::IssuesService::Stub::UpdateExpectedChange, req,
                [exp_id](const v1::RegionalIssue& i) {
                  std::string label = exp_id;
                  for (const auto& e : i.expected_changes()) {
                    if (e.id() == exp_id) label = e.label();
                  }
                  return IssueLine(i, "課題 " + i.id() + " の期待値 " + label + " を更新しました");
                });
}

// ---- worksheet ----
int RunWorksheet(const std::string& id, const std::string& format, const std::string& out) {
  v1::ExportWorksheetRequest req;
  req.set_id(id);
  req.set_format(format.empty()
                     ? v1::WORKSHEET_FORMAT_MARKDOWN
                     : FromWord(kWorksheetFormats, format, v1::WORKSHEET_FORMAT_UNSPECIFIED));
  v1::Worksheet w;
  auto ctx = NewContext();
  grpc::Status s = Stub()->ExportWorksheet(ctx.get(), req, &w);
  if (!s.ok()) return ReportError(s);
  const std::string& content = w.content();
  if (out.empty()) {
    if (JsonOutput()) {
      PrintJson(w);
    } else {
      std::fwrite(content.data(), 1, content.size(), stdout);
      if (!content.empty() && content.back() != '\n') std::fputc('\n', stdout);
    }
    return kOk;
  }
  std::ofstream file(out, std::ios::binary | std::ios::trunc);
  file.write(content.data(), static_cast<std::streamsize>(content.size()));
  file.close();
  if (!file) {
    std::fprintf(stderr, "ファイルに書き込めません / cannot write %s\n", out.c_str());
    return kFailure;
  }
  std::printf("ワークシートを %s に書き出しました (%zu バイト)\n", out.c_str(), content.size());
  return kOk;
}

// ---- meetings ----
struct MeetingArgs {
  std::string id, date, body, title, notes_file, minutes_file;
  std::vector<std::string> agenda, issues, opinions, decisions, actions, materials, actions_done;
  int64_t version = 0;
};

// Applies the parts given on the command line to `m` (each replaces that part). A replaced
// action item keeps its id and done mark when its task is unchanged at the same position.
bool ApplyMeetingArgs(const MeetingArgs& a, v1::Meeting* m) {
  if (!a.date.empty()) ParseDate(a.date, m->mutable_date());
  if (!a.body.empty()) m->set_body(FromWord(kBodies, a.body, v1::MEETING_BODY_UNSPECIFIED));
  if (!a.title.empty()) m->set_title(a.title);
  if (!a.agenda.empty()) {
    m->clear_agenda();
    for (const auto& x : a.agenda) m->add_agenda(x);
  }
  if (!a.issues.empty()) {
    m->clear_issue_ids();
    for (const auto& x : a.issues) m->add_issue_ids(x);
  }
  if (!a.notes_file.empty() && !ReadWholeFile(a.notes_file, m->mutable_pre_meeting_notes())) {
    return false;
  }
  if (!a.minutes_file.empty() && !ReadWholeFile(a.minutes_file, m->mutable_minutes())) {
    return false;
  }
  if (!a.opinions.empty()) {
    m->clear_opinions();
    for (const auto& x : a.opinions) ParseOpinion(x, m->add_opinions());
  }
  if (!a.decisions.empty()) {
    m->clear_decisions();
    for (const auto& x : a.decisions) m->add_decisions(x);
  }
  if (!a.actions.empty()) {
    const auto before = m->action_items();
    m->clear_action_items();
    for (size_t k = 0; k < a.actions.size(); ++k) {
      auto* item = m->add_action_items();
      ParseAction(a.actions[k], item);
      if (static_cast<int>(k) < before.size() && before[k].task() == item->task()) {
        item->set_id(before[k].id());
        item->set_done(before[k].done());
      }
    }
  }
  if (!a.materials.empty()) {
    m->clear_materials();
    for (const auto& x : a.materials) ParseMaterial(x, m->add_materials());
  }
  return true;
}

int RunMeetingRecord(const MeetingArgs& a) {
  v1::RecordMeetingRequest req;
  if (!ApplyMeetingArgs(a, req.mutable_meeting())) return kUsage;
  return Mutate(&v1::IssuesService::Stub::RecordMeeting, req, [](const v1::Meeting& m) {
    return "会議 " + m.id() + " を記録しました (版 " + std::to_string(m.version()) + ")";
  });
}

int RunMeetingUpdate(const MeetingArgs& a) {
  auto stub = Stub();
  v1::GetMeetingRequest get;
  get.set_id(a.id);
  v1::UpdateMeetingRequest req;
  auto* m = req.mutable_meeting();
  auto ctx = NewContext();
  grpc::Status s = stub->GetMeeting(ctx.get(), get, m);
  if (!s.ok()) return ReportError(s);
  if (!ApplyMeetingArgs(a, m)) return kUsage;
  for (const auto& done : a.actions_done) {
    auto it = std::find_if(m->mutable_action_items()->begin(), m->mutable_action_items()->end(),
                           [&](const v1::ActionItem& x) { return x.id() == done; });
    if (it == m->mutable_action_items()->end()) {
      std::fprintf(stderr, "対応事項が見つかりません / no such action item: %s\n", done.c_str());
      return kNotFound;
    }
    it->set_done(true);
  }
  // The version read is the one the user gives, not the one just fetched: a change made by
  // someone else in between is reported as stale, not overwritten.
  m->set_version(a.version);
  return Mutate(&v1::IssuesService::Stub::UpdateMeeting, req, [](const v1::Meeting& m) {
    return "会議 " + m.id() + " を更新しました (版 " + std::to_string(m.version()) + ")";
  });
}

int RunMeetingList(const std::string& issue_id, const std::string& from, const std::string& to) {
  v1::ListMeetingsRequest req;
  req.set_issue_id(issue_id);
  if (!from.empty()) ParseDate(from, req.mutable_from());
  if (!to.empty()) ParseDate(to, req.mutable_to());
  return CallAndPrint(*Stub(), &v1::IssuesService::Stub::ListMeetings, req,
                      [](const v1::ListMeetingsResponse& resp) {
                        if (resp.meetings_size() == 0) {
                          std::printf("該当する会議はありません / no meetings\n");
                          return;
                        }
                        Table t({"日付", "会議体", "件名", "課題", "未完了の対応事項", "版", "ID"});
                        for (const auto& m : resp.meetings()) {
                          const auto open =
                              std::count_if(m.action_items().begin(), m.action_items().end(),
                                            [](const v1::ActionItem& x) { return !x.done(); });
                          t.Add({FormatDateOrEmpty(m.date()), LabelOf(kBodies, m.body()), m.title(),
                                 std::to_string(m.issue_ids_size()),
                                 std::to_string(open) + "/" + std::to_string(m.action_items_size()),
                                 std::to_string(m.version()), m.id()});
                        }
                        t.Print({10, 16, 50, 4, 16, 6, 32});
                        std::printf("\n%d 件 / meetings\n", resp.meetings_size());
                      });
}

// The meeting options shared by `meeting record` and `meeting update`.
void AddMeetingOptions(CLI::App* cmd, MeetingArgs* a, bool record) {
  auto* date = cmd->add_option("--date", a->date, "開催日")->check(DateCheck());
  auto* body = cmd->add_option("--body", a->body, "会議体: " + Choices(kBodies))
                   ->check(WordCheck(kBodies, "会議体"));
  auto* title = cmd->add_option("--title", a->title, "件名");
  if (record) {
    date->required();
    body->required();
    title->required();
  }
  const std::string replaces = record ? "" : " (指定するとその部分を置き換え)";
  cmd->add_option("--agenda", a->agenda, "議題 (繰り返し指定可)" + replaces)
      ->allow_extra_args(false);
  cmd->add_option("--issue", a->issues, "話し合った課題のID (iss_...、繰り返し指定可)" + replaces)
      ->allow_extra_args(false);
  cmd->add_option("--notes-file", a->notes_file, "事前メモのファイル (UTF-8)")
      ->check(CLI::ExistingFile);
  cmd->add_option("--minutes-file", a->minutes_file, "議事録のファイル (UTF-8)")
      ->check(CLI::ExistingFile);
  cmd->add_option("--opinion", a->opinions,
                  "意見 WEIGHT:TEXT[:ROLE,ROLE] (WEIGHT: " + Choices(kWeights) +
                      "、ROLE は --audience と同じ語、繰り返し指定可)" + replaces)
      ->allow_extra_args(false)
      ->check(SpecCheck(&ParseOpinion, "WEIGHT:TEXT[:ROLE,...]",
                        "意見は WEIGHT:TEXT[:ROLE,ROLE] で指定してください (WEIGHT: " +
                            WordList(kWeights) + ")"));
  cmd->add_option("--decision", a->decisions, "決定事項 (繰り返し指定可)" + replaces)
      ->allow_extra_args(false);
  cmd->add_option("--action", a->actions,
                  "対応事項 TASK|OWNER|YYYY-MM-DD (担当・期限は省略可、繰り返し指定可)" + replaces)
      ->allow_extra_args(false)
      ->check(
          SpecCheck(&ParseAction, "TASK|OWNER|YYYY-MM-DD",
                    "対応事項は TASK|OWNER|YYYY-MM-DD で指定してください (期限は実在する日付)"));
  cmd->add_option(
         "--material", a->materials,
         "資料 TITLE|REFERENCE (REFERENCE はファイル名・URL、省略可、繰り返し指定可)" + replaces)
      ->allow_extra_args(false)
      ->check(SpecCheck(&ParseMaterial, "TITLE|REFERENCE",
                        "資料は TITLE|REFERENCE で指定してください"));
}

}  // namespace

// Registers `issue ...` on the app; the chosen command stores its runner in *run.
void AddIssueCommands(CLI::App& app, std::function<int()>* run) {
  auto* issue = app.add_subcommand(
      "issue", "地域課題 (issues): 課題候補、7つのステップ (PDCA)、対策、期待値、会議");
  issue->require_subcommand(1);

  // The id and the version read, shared by the commands that change an issue or a candidate.
  auto id = std::make_shared<std::string>();
  auto version = std::make_shared<int64_t>(0);
  auto add_target = [&](CLI::App* cmd, const char* what) {
    cmd->add_option("id", *id, what)->required();
    cmd->add_option("--version", *version, "読み込んだ版 / the version you read")->required();
  };
  auto related = std::make_shared<std::vector<std::string>>();
  auto scope = std::make_shared<std::string>();
  auto theme = std::make_shared<std::string>();
  auto add_scope = [&](CLI::App* cmd) {
    cmd->add_option("--scope", *scope, "範囲: " + Choices(kScopes))
        ->check(WordCheck(kScopes, "範囲"));
    cmd->add_option("--related", *related,
                    "関係市町村の団体コード (6桁、広域のとき必須、繰り返し指定可)")
        ->allow_extra_args(false);
  };

  // ---- candidates ----
  auto candidate_status = std::make_shared<std::string>();
  auto* candidates = issue->add_subcommand(
      "candidates", "課題候補の一覧 (相談のタネから提案されたもの) / list candidate issues");
  candidates
      ->add_option("--status", *candidate_status,
                   "状態で絞り込む (既定 proposed): " + Choices(kCandidateStatuses))
      ->check(WordCheck(kCandidateStatuses, "状態"));
  candidates->callback([=] { *run = [=] { return RunCandidates(*candidate_status); }; });

  auto* accept =
      issue->add_subcommand("accept", "課題候補を採用して課題にする / accept a candidate");
  add_target(accept, "課題候補ID (cand_...)");
  accept->add_option("--theme", *theme, "協議会がつけるテーマ")->required();
  add_scope(accept);
  accept->callback([=] {
    *run = [=] {
      v1::AcceptCandidateRequest req;
      req.set_candidate_id(*id);
      req.set_expected_version(*version);
      req.set_theme(*theme);
      if (!scope->empty()) req.set_scope(FromWord(kScopes, *scope, v1::ISSUE_SCOPE_UNSPECIFIED));
      for (const auto& code : *related) req.add_related_municipality_codes(code);
      const std::string cand = *id;
      return Mutate(&v1::IssuesService::Stub::AcceptCandidate, req,
                    [cand](const v1::RegionalIssue& i) {
                      return IssueLine(
                          i, "課題候補 " + cand + " を採用し、課題 " + i.id() + " を登録しました");
                    });
    };
  });

  auto into_candidate = std::make_shared<std::string>();
  auto into_issue = std::make_shared<std::string>();
  auto* merge = issue->add_subcommand(
      "merge", "課題候補を別の候補か既存の課題に統合 / merge a candidate into another or an issue");
  add_target(merge, "課題候補ID (cand_...)");
  auto* into_candidate_opt =
      merge->add_option("--into-candidate", *into_candidate, "統合先の課題候補ID (cand_...)");
  merge->add_option("--into-issue", *into_issue, "統合先の課題ID (iss_...)")
      ->excludes(into_candidate_opt);
  merge->callback([=] {
    *run = [=] {
      if (into_candidate->empty() == into_issue->empty()) {
        std::fprintf(stderr,
                     "統合先を --into-candidate か --into-issue のどちらか一つで指定してください / "
                     "give exactly one of --into-candidate, --into-issue\n");
        return static_cast<int>(kUsage);
      }
      v1::MergeCandidateRequest req;
      req.set_candidate_id(*id);
      req.set_expected_version(*version);
      if (!into_candidate->empty()) req.set_candidate_id_into(*into_candidate);
      if (!into_issue->empty()) req.set_issue_id_into(*into_issue);
      const std::string target = into_issue->empty() ? *into_candidate : *into_issue;
      return Mutate(&v1::IssuesService::Stub::MergeCandidate, req,
                    [target](const v1::IssueCandidate& c) {
                      return "課題候補 " + c.id() + " を " + target + " に統合しました (版 " +
                             std::to_string(c.version()) + ")";
                    });
    };
  });

  auto reason = std::make_shared<std::string>();
  auto* dismiss = issue->add_subcommand("dismiss", "課題候補を見送る / dismiss a candidate");
  add_target(dismiss, "課題候補ID (cand_...)");
  dismiss->add_option("--reason", *reason, "見送る理由")->required();
  dismiss->callback([=] {
    *run = [=] {
      v1::DismissCandidateRequest req;
      req.set_candidate_id(*id);
      req.set_expected_version(*version);
      req.set_reason(*reason);
      return Mutate(&v1::IssuesService::Stub::DismissCandidate, req,
                    [](const v1::IssueCandidate& c) {
                      return "課題候補 " + c.id() + " を見送りました (版 " +
                             std::to_string(c.version()) + ")";
                    });
    };
  });

  // ---- issues ----
  auto tags = std::make_shared<std::vector<std::string>>();
  auto* create = issue->add_subcommand(
      "create", "候補なしで課題を登録 (例: 協議会で挙がったもの) / open an issue");
  create->add_option("--theme", *theme, "テーマ (例: 看取りで本人の希望がかなえられない)")
      ->required();
  create->add_option("--tag", *tags, "タグ (繰り返し指定可、例: --tag 看取り)")
      ->allow_extra_args(false);
  add_scope(create);
  create->callback([=] {
    *run = [=] {
      v1::CreateIssueRequest req;
      req.set_theme(*theme);
      for (const auto& t : *tags) req.add_theme_tags(t);
      if (!scope->empty()) req.set_scope(FromWord(kScopes, *scope, v1::ISSUE_SCOPE_UNSPECIFIED));
      for (const auto& code : *related) req.add_related_municipality_codes(code);
      return Mutate(&v1::IssuesService::Stub::CreateIssue, req, [](const v1::RegionalIssue& i) {
        return IssueLine(i, "課題 " + i.id() + " を登録しました");
      });
    };
  });

  auto history = std::make_shared<bool>(false);
  auto* get = issue->add_subcommand("get", "課題を表示 / show an issue");
  get->add_option("id", *id, "課題ID (iss_...)")->required();
  get->add_flag("--history", *history, "変更の履歴も表示 (版・日時・操作・内容)");
  get->callback([=] {
    *run = [=] {
      v1::GetIssueRequest req;
      req.set_id(*id);
      return CallAndPrint(*Stub(), &v1::IssuesService::Stub::GetIssue, req,
                          [history](const v1::IssueWithHistory& i) { PrintIssue(i, *history); });
    };
  });

  auto la = std::make_shared<ListArgs>();
  auto* list = issue->add_subcommand("list", "課題の一覧 (更新の新しい順) / list issues");
  list->add_option("--status", la->status, "状態で絞り込む: " + Choices(kIssueStatuses))
      ->check(WordCheck(kIssueStatuses, "状態"));
  list->add_option("--step", la->step, "現在のステップ (1-7)")->check(CLI::Range(1, 7));
  list->add_option("--scope", la->scope, "範囲: " + Choices(kScopes))
      ->check(WordCheck(kScopes, "範囲"));
  list->add_option("--tag", la->tag, "テーマのタグ (例: tag:看取り)");
  list->add_option("--text", la->text, "テーマに含む語");
  list->add_option("--page-size", la->page_size, "1ページの件数 (1-200、既定 50)")
      ->check(CLI::Range(1, 200));
  list->add_option("--page-token", la->page_token, "続きのページ");
  list->add_flag("--all", la->all, "全ページを表示");
  list->callback([=] { *run = [=] { return RunList(*la); }; });

  auto ua = std::make_shared<UpdateArgs>();
  auto* update = issue->add_subcommand(
      "update", "ステップの内容を更新 (現在とそれ以前のステップ) / edit the steps' content");
  update->add_option("id", ua->id, "課題ID (iss_...)")->required();
  update->add_option("--version", ua->version, "読み込んだ版 / the version you read")->required();
  AddMaybe(update, "--theme", &ua->theme, "テーマ");
  AddMaybe(update, "--target-state", &ua->target_state, "ステップ1: 目指す姿");
  AddMaybe(update, "--current-state", &ua->current_state, "ステップ2: 現状");
  auto* evidence =
      update
          ->add_option(
              "--evidence", ua->evidence,
              "ステップ2: 根拠 KIND:SUMMARY[:REFERENCE] (KIND: " + Choices(kEvidenceKinds) +
                  "。SUMMARY に半角 ':' は不可。繰り返し指定可、指定すると全体を置き換え)")
          ->allow_extra_args(false)
          ->check(SpecCheck(&ParseEvidence, "KIND:SUMMARY[:REFERENCE]",
                            "根拠は KIND:SUMMARY[:REFERENCE] で指定してください (KIND: " +
                                WordList(kEvidenceKinds) + ")"));
  update->add_flag("--clear-evidence", ua->clear_evidence, "根拠をすべて消す")->excludes(evidence);
  auto* options = update
                      ->add_option("--option", ua->options,
                                   "ステップ3: 課題案 (繰り返し指定可、指定すると全体を置き換え)")
                      ->allow_extra_args(false);
  update->add_flag("--clear-options", ua->clear_options, "課題案をすべて消す")->excludes(options);
  AddMaybe(update, "--chosen", &ua->chosen, "ステップ3: 選んだ課題");
  update
      ->add_option("--cause", ua->causes,
                   "ステップ4: 要因 (最大4つ、繰り返し指定可、指定すると全体を置き換え)")
      ->allow_extra_args(false);
  update
      ->add_option(
          "--main-cause", ua->main_cause,
          "ステップ4: 主たる原因の番号 (1から、--cause の順。--cause なしなら今の要因の順)")
      ->check(CLI::PositiveNumber);
  AddMaybe(update, "--root-cause", &ua->root_cause, "ステップ4: 根本原因");
  update->add_option("--scope", ua->scope, "範囲: " + Choices(kScopes))
      ->check(WordCheck(kScopes, "範囲"));
  auto* related_opt =
      update
          ->add_option("--related", ua->related,
                       "関係市町村の団体コード (繰り返し指定可、指定すると全体を置き換え)")
          ->allow_extra_args(false);
  update->add_flag("--clear-related", ua->clear_related, "関係市町村をすべて消す")
      ->excludes(related_opt);
  update->callback([=] { *run = [=] { return RunUpdate(*ua); }; });

  // ---- countermeasures ----
  auto* countermeasure =
      issue->add_subcommand("countermeasure", "対策 (ステップ5・6) / countermeasures");
  countermeasure->require_subcommand(1);
  auto ca = std::make_shared<CountermeasureArgs>();
  auto add_cm_common = [&](CLI::App* cmd) {
    cmd->add_option("id", ca->id, "課題ID (iss_...)")->required();
    cmd->add_option("--version", ca->version, "読み込んだ版 / the version you read")->required();
    cmd->add_option("--status", ca->status, "状況: " + Choices(kCountermeasureStatuses))
        ->check(WordCheck(kCountermeasureStatuses, "状況"));
    AddMaybe(cmd, "--owner", &ca->owner, "担当 (組織や役割)");
    cmd->add_option("--due", ca->due, "期限")->check(DateCheck());
    AddMaybe(cmd, "--training", &ca->training, "実施する研修のID (trn_...)");
  };
  auto* cm_add = countermeasure->add_subcommand("add", "対策を追加 / add a countermeasure");
  add_cm_common(cm_add);
  cm_add
      ->add_option("--audience", ca->audiences,
                   "誰に (カンマ区切り・繰り返し指定可): " + Choices(kAudiences))
      ->required()
      ->allow_extra_args(false)
      ->delimiter(',')
      ->check(WordCheck(kAudiences, "対象"));
  cm_add->add_option("--content", ca->content, "対策の内容")->required();
  cm_add->add_option("--label", ca->label, "ラベル (既定: M1, M2, ...)");
  cm_add->callback([=] { *run = [=] { return RunCountermeasureAdd(*ca); }; });

  auto* cm_update =
      countermeasure->add_subcommand("update", "対策の状況・担当・期限を更新 / update one");
  add_cm_common(cm_update);
  cm_update->add_option("--countermeasure", ca->countermeasure_id, "対策ID (cm_...)")->required();
  cm_update->callback([=] { *run = [=] { return RunCountermeasureUpdate(*ca); }; });

  // ---- expected changes ----
  auto* expect = issue->add_subcommand(
      "expect", "期待値と指標 (ステップ5から、ステップ7にはベースラインが必要) / expected changes");
  expect->require_subcommand(1);
  auto ea = std::make_shared<ExpectArgs>();
  auto add_expect_common = [&](CLI::App* cmd) {
    cmd->add_option("id", ea->id, "課題ID (iss_...)")->required();
    cmd->add_option("--version", ea->version, "読み込んだ版 / the version you read")->required();
    AddMaybe(cmd, "--baseline", &ea->baseline, "ベースライン値");
    AddMaybe(cmd, "--baseline-period", &ea->baseline_period,
             "ベースラインの測定時期 (例: 2026-11, FY2026)");
    AddMaybe(cmd, "--target", &ea->target, "目標値");
  };
  auto* exp_add = expect->add_subcommand("add", "期待値を追加 / add an expected change");
  add_expect_common(exp_add);
  AddMaybe(exp_add, "--description", &ea->description,
           "期待値: 何がどうなることを期待するか (例: 説明スキルが上がる)")
      ->required();
  exp_add->add_option("--indicator", ea->indicator, "指標の名前 (例: 家族への説明スキル)")
      ->required();
  AddMaybe(exp_add, "--measure", &ea->measure, "測るもの (指標の説明)");
  exp_add->add_option("--unit", ea->unit, "単位 (例: 点, %, 件)");
  exp_add->add_option("--kind", ea->kind, "指標の種類: " + Choices(kIndicatorKinds))
      ->check(WordCheck(kIndicatorKinds, "指標の種類"));
  exp_add
      ->add_option("--method", ea->methods,
                   "測定方法 (カンマ区切り・繰り返し指定可): " + Choices(kMethods))
      ->required()
      ->allow_extra_args(false)
      ->delimiter(',')
      ->check(WordCheck(kMethods, "測定方法"));
  exp_add->add_option("--frequency", ea->frequency, "測定頻度: " + Choices(kFrequencies))
      ->required()
      ->check(WordCheck(kFrequencies, "測定頻度"));
  exp_add->add_option("--direction", ea->direction, "望ましい向き: " + Choices(kDirections))
      ->check(WordCheck(kDirections, "向き"));
  exp_add->add_option("--code", ea->code,
                      "既存の指標コード (省略時は <課題ID>.<ラベル> で新しく定義)");
  exp_add->add_option("--label", ea->label, "ラベル (既定: E1, E2, ...)");
  exp_add->callback([=] { *run = [=] { return RunExpectAdd(*ea); }; });

  auto* exp_update = expect->add_subcommand(
      "update", "期待値の内容・ベースライン・目標を更新 / update an expected change");
  add_expect_common(exp_update);
  exp_update->add_option("--expected-change", ea->expected_change_id, "期待値ID (exp_...)")
      ->required();
  AddMaybe(exp_update, "--description", &ea->description, "期待値");
  exp_update->callback([=] { *run = [=] { return RunExpectUpdate(*ea); }; });

  // ---- steps ----
  auto* advance =
      issue->add_subcommand("advance", "現在のステップを完了して次へ / complete the current step");
  add_target(advance, "課題ID (iss_...)");
  advance->callback([=] {
    *run = [=] {
      v1::AdvanceStepRequest req;
      req.set_id(*id);
      req.set_expected_version(*version);
      return Mutate(&v1::IssuesService::Stub::AdvanceStep, req, [](const v1::RegionalIssue& i) {
        const int done = i.transitions_size() > 0
                             ? i.transitions(i.transitions_size() - 1).from_step()
                             : i.current_step();
        return IssueLine(i, "課題 " + i.id() + " のステップ" + std::to_string(done) + "「" +
                                std::string(issues::StepName(done)) + "」を完了しました");
      });
    };
  });

  auto step = std::make_shared<int>(0);
  auto* back = issue->add_subcommand("back", "前のステップに戻る / return to an earlier step");
  add_target(back, "課題ID (iss_...)");
  back->add_option("--step", *step, "戻り先のステップ (1-7)")->required()->check(CLI::Range(1, 7));
  back->add_option("--reason", *reason, "戻る理由")->required();
  back->callback([=] {
    *run = [=] {
      v1::ReturnToStepRequest req;
      req.set_id(*id);
      req.set_expected_version(*version);
      req.set_step(*step);
      req.set_reason(*reason);
      return Mutate(&v1::IssuesService::Stub::ReturnToStep, req, [](const v1::RegionalIssue& i) {
        return IssueLine(i, "課題 " + i.id() + " をステップ" + std::to_string(i.current_step()) +
                                "に戻しました");
      });
    };
  });

  auto* new_cycle = issue->add_subcommand(
      "new-cycle", "効果確認の後、次のサイクルをステップ1から始める / start the next cycle");
  add_target(new_cycle, "課題ID (iss_...)");
  new_cycle->callback([=] {
    *run = [=] {
      v1::StartNewCycleRequest req;
      req.set_id(*id);
      req.set_expected_version(*version);
      return Mutate(&v1::IssuesService::Stub::StartNewCycle, req, [](const v1::RegionalIssue& i) {
        return IssueLine(
            i, "課題 " + i.id() + " の第" + std::to_string(i.cycle()) + "サイクルを始めました");
      });
    };
  });

  auto note = std::make_shared<std::string>();
  auto* escalate = issue->add_subcommand(
      "escalate", "広域の課題を都道府県に上げる / escalate a wide-area issue to the prefecture");
  add_target(escalate, "課題ID (iss_...)");
  escalate->add_option("--note", *note, "都道府県へのメモ");
  escalate->callback([=] {
    *run = [=] {
      v1::EscalateIssueRequest req;
      req.set_id(*id);
      req.set_expected_version(*version);
      req.set_note(*note);
      return Mutate(&v1::IssuesService::Stub::EscalateIssue, req, [](const v1::RegionalIssue& i) {
        return IssueLine(i, "課題 " + i.id() + " を広域課題として都道府県に上げました");
      });
    };
  });

  auto format = std::make_shared<std::string>();
  auto out = std::make_shared<std::string>();
  auto* worksheet = issue->add_subcommand(
      "worksheet", "ワークシート (問1〜問5) を書き出す / export the worksheet");
  worksheet->add_option("id", *id, "課題ID (iss_...)")->required();
  worksheet->add_option("--format", *format, "形式 (既定 md): " + Choices(kWorksheetFormats))
      ->check(WordCheck(kWorksheetFormats, "形式"));
  worksheet->add_option("--out", *out, "書き出すファイル (省略時は標準出力)");
  worksheet->callback([=] { *run = [=] { return RunWorksheet(*id, *format, *out); }; });

  auto* wide_area = issue->add_subcommand(
      "wide-area",
      "都道府県の広域課題のうち当市に関係するもの / the prefecture's wide-area issues");
  wide_area->callback([=] { *run = [] { return RunWideArea(); }; });

  // ---- meetings ----
  auto* meeting =
      issue->add_subcommand("meeting", "協議会・作業部会・定例ミーティングの記録 / meetings");
  meeting->require_subcommand(1);
  auto ma = std::make_shared<MeetingArgs>();
  auto* record = meeting->add_subcommand("record", "会議を記録 / record a meeting");
  AddMeetingOptions(record, ma.get(), /*record=*/true);
  record->callback([=] { *run = [=] { return RunMeetingRecord(*ma); }; });

  auto* mtg_update = meeting->add_subcommand(
      "update", "会議の記録を更新 (指定した部分を置き換え) / update a meeting");
  mtg_update->add_option("id", ma->id, "会議ID (mtg_...)")->required();
  mtg_update->add_option("--version", ma->version, "読み込んだ版 / the version you read")
      ->required();
  AddMeetingOptions(mtg_update, ma.get(), /*record=*/false);
  mtg_update
      ->add_option("--action-done", ma->actions_done,
                   "完了した対応事項のID (act_...、繰り返し指定可)")
      ->allow_extra_args(false);
  mtg_update->callback([=] { *run = [=] { return RunMeetingUpdate(*ma); }; });

  auto* mtg_get = meeting->add_subcommand("get", "会議を表示 / show a meeting");
  mtg_get->add_option("id", *id, "会議ID (mtg_...)")->required();
  mtg_get->callback([=] {
    *run = [=] {
      v1::GetMeetingRequest req;
      req.set_id(*id);
      return CallAndPrint(*Stub(), &v1::IssuesService::Stub::GetMeeting, req, PrintMeeting);
    };
  });

  auto mtg_issue = std::make_shared<std::string>();
  auto from = std::make_shared<std::string>();
  auto until = std::make_shared<std::string>();
  auto* mtg_list = meeting->add_subcommand("list", "会議の一覧 (新しい順) / list meetings");
  mtg_list->add_option("--issue", *mtg_issue, "この課題を話し合った会議 (iss_...)");
  mtg_list->add_option("--from", *from, "開催日 (この日から)")->check(DateCheck());
  mtg_list->add_option("--to", *until, "開催日 (この日まで)")->check(DateCheck());
  mtg_list->callback([=] { *run = [=] { return RunMeetingList(*mtg_issue, *from, *until); }; });
}

}  // namespace renkei::cli
