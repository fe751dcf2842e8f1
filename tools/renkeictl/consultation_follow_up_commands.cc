// renkeictl consultation followup add|done|overdue|seed|seeds|digest: a consultation's
// follow-ups and the overdue ones across all, the seeds of regional issues it raised and their
// list, and the digest for the regular meeting.
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "cli.h"
#include "consultation_parts.h"
#include "renkei/v1/intake.grpc.pb.h"

namespace renkei::cli::consultation_commands {
namespace {

// ---- overdue ----
int RunOverdue(const std::string& as_of) {
  v1::ListOverdueFollowUpsRequest req;
  if (!as_of.empty() && !OptionalDate(as_of, "--as-of", req.mutable_as_of())) return kUsage;
  return CallAndPrint(
      *Stub(), &v1::IntakeService::Stub::ListOverdueFollowUps, req,
      [](const v1::ListOverdueFollowUpsResponse& resp) {
        if (resp.follow_ups_size() == 0) {
          std::printf("期限切れのフォローアップはありません / nothing overdue\n");
          return;
        }
        Table t({"相談ID", "内容", "担当", "期限", "超過日数", "フォローアップID"});
        for (const auto& o : resp.follow_ups()) {
          const auto& f = o.follow_up();
          t.Add({o.consultation_id(), f.task(), f.owner(), FormatDateOrEmpty(f.due()),
                 std::to_string(o.days_overdue()), f.id()});
        }
        t.Print({30, 50, 16, 10, 8, 30});
        std::printf("\n%d 件 / overdue follow-ups\n", resp.follow_ups_size());
      });
}

// ---- seeds ----
int RunSeeds(const std::string& from, const std::string& to) {
  v1::ListIssueSeedsRequest req;
  if (!from.empty() && !OptionalDate(from, "--from", req.mutable_raised_from())) return kUsage;
  if (!to.empty() && !OptionalDate(to, "--to", req.mutable_raised_to())) return kUsage;
  return CallAndPrint(
      *Stub(), &v1::IntakeService::Stub::ListIssueSeeds, req,
      [](const v1::ListIssueSeedsResponse& resp) {
        if (resp.seeds_size() == 0) {
          std::printf("地域課題のタネはありません / no issue seeds\n");
          return;
        }
        Table t({"日時", "テーマ", "タグ", "対応内容", "記録", "相談ID", "ID"});
        for (const auto& seed : resp.seeds()) {
          t.Add({FormatTokyo(seed.raised_at()), seed.theme(), TagsText(seed.tags()),
                 CapabilityLabel(seed.capability()), seed.automatic() ? "自動" : "手動",
                 seed.consultation_id(), seed.id()});
        }
        t.Print({16, 50, 30, 36, 4, 30, 32});
        std::printf("\n%d 件 / issue seeds\n", resp.seeds_size());
      });
}

// ---- digest ----
int RunDigest(const std::string& from, const std::string& to, bool markdown) {
  v1::GetDigestRequest req;
  if (!OptionalDate(from, "--from", req.mutable_from()) ||
      !OptionalDate(to, "--to", req.mutable_to())) {
    return kUsage;
  }
  v1::Digest digest;
  auto ctx = NewContext();
  grpc::Status s = Stub()->GetDigest(ctx.get(), req, &digest);
  if (!s.ok()) return ReportError(s);
  if (JsonOutput() && !markdown) {
    PrintJson(digest);
    return kOk;
  }
  const std::string& md = digest.markdown();
  std::fwrite(md.data(), 1, md.size(), stdout);
  if (md.empty() || md.back() != '\n') std::fputc('\n', stdout);
  return kOk;
}

}  // namespace

void AddFollowUpCommands(CLI::App* consultation, std::function<int()>* run) {
  auto id = std::make_shared<std::string>();
  auto version = std::make_shared<int64_t>(0);
  auto due = std::make_shared<std::string>();

  auto* followup = consultation->add_subcommand("followup", "フォローアップ / follow-ups");
  followup->require_subcommand(1);
  auto task = std::make_shared<std::string>();
  auto owner = std::make_shared<std::string>();
  auto* fu_add = followup->add_subcommand("add", "フォローアップを追加 / add a follow-up");
  AddTarget(fu_add, id.get(), version.get());
  fu_add->add_option("--task", *task, "やること")->required();
  fu_add->add_option("--owner", *owner, "担当者");
  fu_add->add_option("--due", *due, "期限")->required()->check(DateCheck());
  fu_add->callback([=] {
    *run = [=] {
      v1::AddFollowUpRequest req;
      req.set_id(*id);
      req.set_expected_version(*version);
      req.set_task(*task);
      req.set_owner(*owner);
      if (!OptionalDate(*due, "--due", req.mutable_due())) return static_cast<int>(kUsage);
      return Mutate(&v1::IntakeService::Stub::AddFollowUp, req, [](const v1::Consultation& c) {
        if (c.follow_ups_size() > 0) {
          std::printf("フォローアップID: %s\n", c.follow_ups(c.follow_ups_size() - 1).id().c_str());
        }
      });
    };
  });

  auto follow_up_id = std::make_shared<std::string>();
  auto* fu_done = followup->add_subcommand("done", "フォローアップを完了 / complete a follow-up");
  AddTarget(fu_done, id.get(), version.get());
  fu_done->add_option("--followup", *follow_up_id, "フォローアップID (fu_...)")->required();
  fu_done->callback([=] {
    *run = [=] {
      v1::CompleteFollowUpRequest req;
      req.set_id(*id);
      req.set_expected_version(*version);
      req.set_follow_up_id(*follow_up_id);
      return Mutate(&v1::IntakeService::Stub::CompleteFollowUp, req);
    };
  });

  auto as_of = std::make_shared<std::string>();
  auto* overdue = consultation->add_subcommand(
      "overdue", "期限切れのフォローアップ (全相談) / overdue follow-ups");
  overdue->add_option("--as-of", *as_of, "基準日 (既定: 今日)")->check(DateCheck());
  overdue->callback([=] { *run = [=] { return RunOverdue(*as_of); }; });

  auto theme = std::make_shared<std::string>();
  auto tags = std::make_shared<std::vector<std::string>>();
  auto seed_capability = std::make_shared<std::string>();
  auto* seed = consultation->add_subcommand(
      "seed", "地域課題のタネを記録 / raise an issue seed (the theme, not a report)");
  AddTarget(seed, id.get(), version.get());
  seed->add_option("--theme", *theme, "テーマ (例: 在宅医が専門医に相談しやすい仕組み)")
      ->required();
  seed->add_option("--tag", *tags, "タグ (繰り返し指定可、例: --tag parkinsons --tag 専門医連携)")
      ->allow_extra_args(false);
  seed->add_option("--capability", *seed_capability, "関係する対応内容コード");
  seed->callback([=] {
    *run = [=] {
      v1::RaiseIssueSeedRequest req;
      req.set_id(*id);
      req.set_expected_version(*version);
      req.set_theme(*theme);
      for (const auto& t : *tags) req.add_tags(t);
      req.set_capability(*seed_capability);
      return Mutate(&v1::IntakeService::Stub::RaiseIssueSeed, req, [](const v1::Consultation& c) {
        if (c.seeds_size() > 0) {
          std::printf("タネID: %s\n", c.seeds(c.seeds_size() - 1).id().c_str());
        }
      });
    };
  });

  auto from = std::make_shared<std::string>();
  auto until = std::make_shared<std::string>();
  auto* seeds = consultation->add_subcommand("seeds", "地域課題のタネの一覧 / list issue seeds");
  seeds->add_option("--from", *from, "記録日 (この日から)")->check(DateCheck());
  seeds->add_option("--to", *until, "記録日 (この日まで)")->check(DateCheck());
  seeds->callback([=] { *run = [=] { return RunSeeds(*from, *until); }; });

  auto markdown = std::make_shared<bool>(false);
  auto* digest = consultation->add_subcommand(
      "digest", "定例ミーティング用のまとめ (Markdown) / the brief for the regular meeting");
  digest->add_option("--from", *from, "期間の初日")->required()->check(DateCheck());
  digest->add_option("--to", *until, "期間の末日 (初日から366日以内)")
      ->required()
      ->check(DateCheck());
  digest->add_flag("--markdown", *markdown,
                   "Markdown で出力 (既定。-o json と併用しても Markdown)");
  digest->callback([=] { *run = [=] { return RunDigest(*from, *until, *markdown); }; });
}

}  // namespace renkei::cli::consultation_commands
