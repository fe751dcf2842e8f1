// renkeictl issue escalate|wide-area: a wide-area issue raised to the prefecture, and the
// prefecture's wide-area issues that concern this municipality (federation).
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "cli.h"
#include "issue_parts.h"
#include "issues/issue_rules.h"
#include "renkei/common/vocabulary.h"
#include "renkei/v1/issues.grpc.pb.h"
#include "words.h"

namespace renkei::cli::issue_commands {
namespace {

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
                                     common::StepName(w.current_step()) + "」",
                                 LabelOf(kIssueStatuses, w.status()), joined, w.origin_issue_id(),
                                 FormatTokyoDate(w.updated_at())});
                        }
                        t.Print({32, 10, 24, 8, 40, 32, 10});
                      });
}

}  // namespace

void AddEscalateCommand(CLI::App* issue, std::function<int()>* run) {
  auto id = std::make_shared<std::string>();
  auto version = std::make_shared<int64_t>(0);

  auto note = std::make_shared<std::string>();
  auto* escalate = issue->add_subcommand(
      "escalate", "広域の課題を都道府県に上げる / escalate a wide-area issue to the prefecture");
  AddTarget(escalate, id.get(), version.get(), "課題ID (iss_...)");
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
}

void AddWideAreaCommand(CLI::App* issue, std::function<int()>* run) {
  auto* wide_area = issue->add_subcommand(
      "wide-area",
      "都道府県の広域課題のうち当市に関係するもの / the prefecture's wide-area issues");
  wide_area->callback([=] { *run = [] { return RunWideArea(); }; });
}

}  // namespace renkei::cli::issue_commands
