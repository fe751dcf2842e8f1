// renkeictl training attend|survey|results: attendance per session, the survey a participant who
// attended submits after the training, and its results (overall and per municipality, each
// item's mean and distribution, free text without who wrote it).
#include <algorithm>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "CLI/CLI.hpp"
#include "cli.h"
#include "renkei/common/vocabulary.h"
#include "renkei/v1/training.grpc.pb.h"
#include "training_parts.h"

namespace renkei::cli::training_commands {
namespace {

// ---- structured values on the command line ----

// "reg_...", "reg_...:no" (absent) or "reg_...:yes".
bool ParseAttendance(const std::string& spec, v1::AttendanceEntry* out) {
  const size_t colon = spec.find(':');
  const std::string id = Trim(spec.substr(0, colon));
  const std::string mark = colon == std::string::npos ? "yes" : Trim(spec.substr(colon + 1));
  if (id.empty() || (mark != "yes" && mark != "no")) return false;
  out->set_registration_id(id);
  out->set_attended(mark == "yes");
  return true;
}

// "q1=4", "q3=自由記述…": the item and what was answered (checked against the item's kind later).
bool ParseAnswer(const std::string& spec, std::pair<std::string, std::string>* out) {
  const size_t eq = spec.find('=');
  if (eq == std::string::npos || Trim(spec.substr(0, eq)).empty()) return false;
  *out = {Trim(spec.substr(0, eq)), spec.substr(eq + 1)};
  return true;
}

// ---- output ----

std::string Mean(const v1::LikertSummary& s) {
  if (s.responses() == 0) return "-";
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.2f", s.mean());
  return buf;
}

void PrintGroup(const v1::SurveyGroupResults& g, const std::string& heading) {
  std::printf("%s: 参加確定 %d 名、出席 %d 名、回答 %d 件\n", heading.c_str(), g.registered(),
              g.attended(), g.responses());
  if (g.items_size() == 0) return;
  Table t({"項目", "質問", "スキル", "回答", "平均", "1", "2", "3", "4", "5"});
  for (const auto& item : g.items()) {
    std::vector<std::string> row = {item.item_id(), item.question(), SkillLabel(item.skill_code()),
                                    std::to_string(item.responses()), Mean(item)};
    for (int k = 0; k < 5; ++k) {
      row.push_back(k < item.distribution_size() ? std::to_string(item.distribution(k)) : "0");
    }
    t.Add(std::move(row));
  }
  t.Print({10, 40, 44, 4, 5, 4, 4, 4, 4, 4});
}

// ---- attendance and surveys ----
int RunAttend(const std::string& training_id, const std::string& session_id,
              const std::vector<std::string>& entries) {
  v1::RecordAttendanceRequest req;
  req.set_training_id(training_id);
  req.set_session_id(session_id);
  for (const auto& e : entries) ParseAttendance(e, req.add_entries());
  return Mutate(&v1::TrainingService::Stub::RecordAttendance, req,
                [session_id](const v1::RecordAttendanceResponse& r) {
                  return "出席を記録しました: " + std::to_string(r.recorded()) + " 件 (回 " +
                         session_id + " の出席 " + std::to_string(r.attended()) + " 名)";
                });
}

int RunSurvey(const std::string& registration_id, const std::vector<std::string>& answers) {
  auto stub = Stub();
  v1::GetRegistrationRequest get;
  get.set_id(registration_id);
  v1::Registration reg;
  {
    auto ctx = NewContext();
    if (int code = ReportError(stub->GetRegistration(ctx.get(), get, &reg)); code != kOk) {
      return code;
    }
  }
  v1::Training t;
  if (int code = ReadTraining(*stub, reg.training_id(), &t); code != kOk) return code;
  v1::SubmitSurveyRequest req;
  req.set_registration_id(registration_id);
  for (const auto& spec : answers) {
    std::pair<std::string, std::string> answer;
    ParseAnswer(spec, &answer);
    auto* a = req.add_answers();
    a->set_item_id(answer.first);
    auto item = std::find_if(t.survey_items().begin(), t.survey_items().end(),
                             [&](const v1::SurveyItem& i) { return i.id() == answer.first; });
    if (item != t.survey_items().end() && item->kind() == v1::SURVEY_ITEM_KIND_LIKERT) {
      const std::string value = Trim(answer.second);
      if (!AllDigits(value)) {
        std::fprintf(stderr,
                     "--answer %s: 5段階の項目です。1〜5 の数字で答えてください / a Likert item "
                     "takes 1..5: %s\n",
                     answer.first.c_str(), answer.second.c_str());
        return kUsage;
      }
      a->set_likert(std::stoi(value));
    } else {
      // Free text, or an item the training does not have (the service names it).
      a->set_text(answer.second);
    }
  }
  return CallAndPrint(*stub, &v1::TrainingService::Stub::SubmitSurvey, req,
                      [](const v1::SurveyResponse& r) {
                        std::printf("アンケートを受け付けました (申込 %s、%d 項目)\n",
                                    r.registration_id().c_str(), r.answers_size());
                      });
}

int RunResults(const std::string& training_id, bool free_text) {
  v1::GetSurveyResultsRequest req;
  req.set_training_id(training_id);
  req.set_include_free_text(free_text);
  return CallAndPrint(*Stub(), &v1::TrainingService::Stub::GetSurveyResults, req,
                      [free_text](const v1::SurveyResults& r) {
                        std::printf("研修 %s のアンケート結果 (1: %s 〜 5: %s)\n\n",
                                    r.training_id().c_str(),
                                    common::FindVocabulary(common::kLikertSet, "1")->ja.c_str(),
                                    common::FindVocabulary(common::kLikertSet, "5")->ja.c_str());
                        PrintGroup(r.overall(), "全体");
                        for (const auto& g : r.by_municipality()) {
                          std::printf("\n");
                          PrintGroup(g, MunicipalityLabel(g.municipality_code()) + " (" +
                                            g.municipality_code() + ")");
                        }
                        if (!free_text) return;
                        std::printf("\n自由記述 / comments (書いた人は表示しません)\n");
                        if (r.free_text_size() == 0) std::printf("(なし)\n");
                        for (const auto& text : r.free_text()) {
                          const auto lines = Split(text, '\n');
                          std::printf("  - %s\n", lines[0].c_str());
                          for (size_t k = 1; k < lines.size(); ++k) {
                            std::printf("    %s\n", lines[k].c_str());
                          }
                        }
                      });
}

}  // namespace

void AddAttendanceCommands(CLI::App* training, std::function<int()>* run) {
  auto reg_id = std::make_shared<std::string>();

  auto attend_training = std::make_shared<std::string>();
  auto attend_session = std::make_shared<std::string>();
  auto attend_entries = std::make_shared<std::vector<std::string>>();
  auto* attend = training->add_subcommand(
      "attend", "回の出席を記録 (既定は出席、REG_ID:no で欠席) / record attendance");
  attend->add_option("id", *attend_training, "研修ID (trn_...)")->required();
  attend->add_option("--session", *attend_session, "回ID (ses_...)")->required();
  attend
      ->add_option("registrations", *attend_entries, "申込ID (reg_...、欠席は reg_...:no、複数可)")
      ->required()
      ->check(SpecCheck(&ParseAttendance, "REG_ID[:yes|:no]",
                        "出席は REG_ID か REG_ID:no (欠席) で指定してください"));
  attend->callback([=] {
    *run = [=] { return RunAttend(*attend_training, *attend_session, *attend_entries); };
  });

  auto survey_answers = std::make_shared<std::vector<std::string>>();
  auto* survey = training->add_subcommand(
      "survey", "研修後のアンケートを提出 (出席した申込) / submit a survey");
  survey->add_option("id", *reg_id, "申込ID (reg_...)")->required();
  survey
      ->add_option("--answer", *survey_answers,
                   "回答 ITEM=VALUE (5段階は 1〜5、自由記述は文章。例: --answer q1=4 --answer "
                   "q3=説明の流れがわかった。繰り返し指定)")
      ->required()
      ->allow_extra_args(false)
      ->check(ParseCheck(&ParseAnswer, "回答は ITEM=VALUE で指定してください / use ITEM=VALUE: ",
                         "ITEM=VALUE", "ITEM=VALUE"));
  survey->callback([=] { *run = [=] { return RunSurvey(*reg_id, *survey_answers); }; });

  auto results_id = std::make_shared<std::string>();
  auto free_text = std::make_shared<bool>(false);
  auto* results = training->add_subcommand(
      "results", "アンケート結果 (全体と市区町村別、項目ごとの平均と分布) / survey results");
  results->add_option("id", *results_id, "研修ID (trn_...)")->required();
  results->add_flag("--free-text", *free_text, "自由記述も表示 (書いた人は表示しません)");
  results->callback([=] { *run = [=] { return RunResults(*results_id, *free_text); }; });
}

}  // namespace renkei::cli::training_commands
