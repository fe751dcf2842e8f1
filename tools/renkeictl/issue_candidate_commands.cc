// renkeictl issue candidates|accept|merge|dismiss: the candidate issues proposed from the
// consultations' seeds, accepted as issues, merged into others or dismissed.
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "cli.h"
#include "issue_parts.h"
#include "renkei/v1/issues.grpc.pb.h"
#include "words.h"

namespace renkei::cli::issue_commands {
namespace {

// "市区町村" or "広域 (埼玉県深谷市, ...)": the scope the service proposes from the evidence.
std::string ProposedScopeText(const v1::IssueCandidate& c) {
  std::string out = LabelOf(kScopes, c.proposed_scope());
  if (c.proposed_related_municipality_codes_size() == 0) return out;
  std::string names;
  for (const auto& code : c.proposed_related_municipality_codes()) {
    names += (names.empty() ? "" : ", ") + MunicipalityLabel(code);
  }
  return out + " (" + names + ")";
}

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
        Table t({"ID", "提案日", "クラスタ", "根拠", "提案する範囲", "状態", "版"});
        for (const auto& c : resp.candidates()) {
          t.Add({c.id(), FormatTokyoDate(c.proposed_at()), TagsText(c.cluster_keys()),
                 std::to_string(c.evidence_size()), ProposedScopeText(c),
                 LabelOf(kCandidateStatuses, c.status()), std::to_string(c.version())});
        }
        t.Print({32, 10, 40, 4, 30, 8, 6});
        std::printf("\n%d 件 / candidates\n", resp.candidates_size());
      });
}

}  // namespace

void AddCandidateCommands(CLI::App* issue, std::function<int()>* run) {
  // The candidate and the version read (accept, merge, dismiss); the accepted issue's theme and
  // scope.
  auto id = std::make_shared<std::string>();
  auto version = std::make_shared<int64_t>(0);
  auto related = std::make_shared<std::vector<std::string>>();
  auto scope = std::make_shared<std::string>();
  auto theme = std::make_shared<std::string>();

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
  AddTarget(accept, id.get(), version.get(), "課題候補ID (cand_...)");
  accept->add_option("--theme", *theme, "協議会がつけるテーマ")->required();
  AddScope(accept, scope.get(), related.get());
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
  AddTarget(merge, id.get(), version.get(), "課題候補ID (cand_...)");
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
  AddTarget(dismiss, id.get(), version.get(), "課題候補ID (cand_...)");
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
}

}  // namespace renkei::cli::issue_commands
