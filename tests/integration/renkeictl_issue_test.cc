// `renkeictl issue ...` against the real renkei-issues service (in this process) (a real
// nats-server, RocksDB in a temp dir): the worked example 2 worksheet is built step by step from
// the command line, and bad words, a fifth cause, stale versions, missing ids and an unreachable
// service each end with the exit code scripts rely on (cli.h) and a message naming the problem.
#include <sys/wait.h>

#include <regex>

#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "harness.h"
#include "renkei/v1/issues.pb.h"

namespace renkei::testing {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::StartsWith;

// The new version in a confirmation line: "... (版 4, ステップ5「対策立案」)".
std::string VersionIn(const CliResult& r) { return FindFirst(r.out, "\\(版 ([0-9]+)[,)]"); }

class RenkeictlIssueTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    tmp_ = new TempDir();
    auto nats = NatsServer::Start(tmp_->Sub("nats"));
    ASSERT_TRUE(nats.ok()) << nats.status();
    nats_ = nats->release();
    procs_ = new InstanceProcesses(tmp_->Sub("inagi"), nats_->url(), InProcess());
    absl::Status started = procs_->Start("issues");
    ASSERT_TRUE(started.ok()) << started;
  }
  static void TearDownTestSuite() {
    procs_->Stop("issues");
    delete procs_;
    delete nats_;
    delete tmp_;
  }

  // Runs the real renkeictl (the issues address from RENKEI_ISSUES, as a coordinator's shell
  // would set it); its stdout, stderr and exit code.
  static CliResult Run(const std::vector<std::string>& args) {
    return RunRenkeictl(
        args,
        {{"RENKEI_ISSUES", procs_->address("issues")}, {"RENKEI_TOKEN", procs_->DefaultToken()}},
        tmp_->path());
  }

  // Opens an issue with `theme`; its id.
  static std::string Create(const std::string& theme) {
    CliResult r = Run({"issue", "create", "--theme", theme});
    EXPECT_EQ(r.exit_code, 0) << r;
    return FindFirst(r.out, "iss_[0-9A-Z]{26}");
  }

  static v1::IssueWithHistory GetJson(const std::string& id) {
    CliResult r = Run({"-o", "json", "issue", "get", id});
    EXPECT_EQ(r.exit_code, 0) << r;
    v1::IssueWithHistory out;
    EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(r.out, &out).ok()) << r;
    return out;
  }

  static TempDir* tmp_;
  static NatsServer* nats_;
  static InstanceProcesses* procs_;
};

TempDir* RenkeictlIssueTest::tmp_ = nullptr;
NatsServer* RenkeictlIssueTest::nats_ = nullptr;
InstanceProcesses* RenkeictlIssueTest::procs_ = nullptr;

// Worked example 2 (the Inagi 看取り worksheet), typed by the coordinator step by step.
TEST_F(RenkeictlIssueTest, CarriesTheInagiWorksheetThroughTheStepsToAnEvaluatedIssue) {
  CliResult r = Run({"issue", "create", "--theme",
                     "人生の最終段階で本人の希望がかなえられず、家族が病院を選ぶことがある",
                     "--tag", "看取り"});
  ASSERT_EQ(r.exit_code, 0) << r;
  const std::string id = FindFirst(r.out, "iss_[0-9A-Z]{26}");
  ASSERT_FALSE(id.empty()) << r;
  EXPECT_EQ(r.out, "課題 " + id + " を登録しました (版 1, ステップ1「目指す姿の設定」)\n");

  r = Run({"issue", "update", id, "--version", "1", "--target-state",
           "人生の最終段階でも在宅サービスを使いながら、本人の望む暮らしを自宅で続けられる"});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(r.out, "課題 " + id + " を更新しました (版 2, ステップ1「目指す姿の設定」)\n");

  r = Run({"issue", "advance", id, "--version", "2"});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(r.out,
            "課題 " + id +
                " のステップ1「目指す姿の設定」を完了しました (版 3, ステップ2「現状把握」)\n");

  // Step 2 cannot be completed without evidence: the gate names "step".
  r = Run({"issue", "update", id, "--version", "3", "--current-state",
           "本人が弱ると家族の不安が高まり、救急車を呼んで病院で亡くなることが多い"});
  ASSERT_EQ(r.exit_code, 0) << r;
  r = Run({"issue", "advance", id, "--version", "4"});
  EXPECT_EQ(r.exit_code, 3) << r;
  EXPECT_THAT(r.err, HasSubstr("  - step: ステップ2「現状把握」を完了できません"));

  r = Run({"issue", "update", id, "--version", "4", "--evidence",
           "survey:自宅で亡くなった人の割合 15%:稲城市在宅医療調査 2025", "--evidence",
           "hearing:ケアマネジャー連絡会で、家族が救急車を呼んだ例が複数挙がった"});
  ASSERT_EQ(r.exit_code, 0) << r;
  r = Run({"issue", "advance", id, "--version", "5"});
  ASSERT_EQ(r.exit_code, 0) << r;
  r = Run({"issue", "update", id, "--version", "6", "--option", "本人の意向が確認されていない",
           "--option", "家族が看取りの経過を知らず不安になる", "--chosen",
           "家族が看取りの経過を知らず不安になる"});
  ASSERT_EQ(r.exit_code, 0) << r;
  r = Run({"issue", "advance", id, "--version", "7"});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(r.out, HasSubstr("(版 8, ステップ4「要因分析」)"));

  r = Run({"issue", "update", id, "--version", "8",  //
           "--cause", "本人の意向が具体的に確認されていない", "--cause",
           "本人が弱っていくにつれて家族の不安が高まる", "--cause",
           "看取りの経験が少ないケアマネジャーも不安になる", "--cause",
           "不安から在宅医ではなく救急車を呼んでしまう",  //
           "--main-cause", "2", "--root-cause",
           "専門職が看取りまでの経過を十分に説明しておらず、家族の不安が高まる"});
  ASSERT_EQ(r.exit_code, 0) << r;
  const v1::RegionalIssue before = GetJson(id).issue();
  ASSERT_EQ(before.causes_size(), 4);

  // Rewording the fourth cause keeps the ids (and the main mark) of the three unchanged ones.
  r = Run({"issue", "update", id, "--version", "9",  //
           "--cause", "本人の意向が具体的に確認されていない", "--cause",
           "本人が弱っていくにつれて家族の不安が高まる", "--cause",
           "看取りの経験が少ないケアマネジャーも不安になる", "--cause",
           "不安になると、在宅医ではなく救急車を呼んでしまう"});
  ASSERT_EQ(r.exit_code, 0) << r;
  const v1::RegionalIssue after = GetJson(id).issue();
  ASSERT_EQ(after.causes_size(), 4);
  for (int k = 0; k < 3; ++k) EXPECT_EQ(after.causes(k).id(), before.causes(k).id()) << k;
  EXPECT_NE(after.causes(3).id(), before.causes(3).id());
  EXPECT_EQ(after.causes(3).text(), "不安になると、在宅医ではなく救急車を呼んでしまう");
  EXPECT_TRUE(after.causes(1).main());
  EXPECT_FALSE(after.causes(0).main() || after.causes(2).main() || after.causes(3).main());

  r = Run({"issue", "advance", id, "--version", "10"});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(r.out, HasSubstr("(版 11, ステップ5「対策立案」)"));

  r = Run({"issue", "countermeasure", "add", id, "--version", "11", "--audience", "family",
           "--content", "看取りまでの経過を学び、自宅での看取りに備える"});
  ASSERT_EQ(r.exit_code, 0) << r;
  r = Run({"issue", "countermeasure", "add", id, "--version", "12",  //
           "--audience", "care_managers,visiting_nurses",            //
           "--content", "家族に看取りまでの経過 (体重の減少など) を説明するスキルを身につける",
           "--owner", "在宅医療・介護連携支援センター", "--due", "2027-03-31"});
  ASSERT_EQ(r.exit_code, 0) << r;
  const std::string cm = FindFirst(r.out, "cm_[0-9A-Z]{26}");
  EXPECT_THAT(r.out, AllOf(StartsWith("課題 " + id + " に対策 M2 (" + cm + ") を追加しました"),
                           HasSubstr("(版 13, ステップ5「対策立案」)")));

  r = Run({"issue",
           "expect",
           "add",
           id,
           "--version",
           "13",  //
           "--description",
           "家族への説明スキルが上がる",  //
           "--indicator",
           "看取りの経過の説明スキル",  //
           "--measure",
           "研修後のスキル調査とテストの平均点",
           "--unit",
           "点",  //
           "--kind",
           "survey_score",
           "--method",
           "survey,test",
           "--frequency",
           "yearly",
           "--direction",
           "higher",
           "--baseline",
           "2.8",
           "--baseline-period",
           "FY2026",
           "--target",
           "3.5"});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(r.out, AllOf(HasSubstr("に期待値 E1 (exp_"), HasSubstr("指標 " + id + ".E1"),
                           HasSubstr("(版 14, ステップ5「対策立案」)")));

  r = Run({"issue", "worksheet", id});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(r.out, HasSubstr("| 対策2 (M2) | ケアマネジャー、訪問看護師 | 家族に看取りまでの経過 "
                               "(体重の減少など) を説明するスキルを身につける | "
                               "在宅医療・介護連携支援センター | 計画 | 2027-03-31 |\n"));
  EXPECT_THAT(r.out, HasSubstr("| 期待値1 (E1) | 家族への説明スキルが上がる | "
                               "看取りの経過の説明スキル: 研修後のスキル調査とテストの平均点 | "
                               "アンケート調査・テスト | 年度ごと | 2.8点 (FY2026) | 3.5点 |\n"));
  EXPECT_THAT(r.out,
              HasSubstr("| 原因2 | 本人が弱っていくにつれて家族の不安が高まる | ◎ 主たる原因 |"));

  const std::string csv = tmp_->Sub("worksheet.csv");
  r = Run({"issue", "worksheet", id, "--format", "csv", "--out", csv});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(r.out, StartsWith("ワークシートを " + csv + " に書き出しました"));
  const std::string written = ReadFile(csv);
  EXPECT_THAT(written, StartsWith("\xEF\xBB\xBF"));
  EXPECT_THAT(written, HasSubstr("ケアマネジャー、訪問看護師"));

  r = Run({"issue", "list", "--step", "5", "--text", "家族が病院"});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(r.out, AllOf(HasSubstr(id), HasSubstr("ステップ5「対策立案」"),
                           HasSubstr("1 件を表示 (該当 1 件)")));

  // Steps 6 and 7: a countermeasure under way, then the evaluation with the baseline.
  r = Run({"issue", "countermeasure", "update", id, "--version", "14", "--countermeasure", cm,
           "--status", "in_progress"});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(r.out, "課題 " + id +
                       " の対策 M2 を更新しました (状況: 実施中) (版 15, ステップ5「対策立案」)\n");
  for (const char* v : {"15", "16", "17"}) {
    r = Run({"issue", "advance", id, "--version", v});
    ASSERT_EQ(r.exit_code, 0) << r;
  }
  EXPECT_EQ(r.out, "課題 " + id + " のステップ7「効果確認」を完了しました (版 18, 効果確認済み)\n");

  r = Run({"issue", "get", id, "--history"});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(r.out, AllOf(HasSubstr("状態           効果確認済み"),
                           HasSubstr("2. 本人が弱っていくにつれて家族の不安が高まる  ◎ 主たる原因"),
                           HasSubstr("誰に           ケアマネジャー、訪問看護師"),
                           HasSubstr("ベースライン   2.8点 (FY2026)"),
                           HasSubstr("ステップ7 完了 (効果確認済み)"),
                           HasSubstr("countermeasure_status_changed")));

  r = Run({"issue", "new-cycle", id, "--version", "18"});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(r.out,
            "課題 " + id +
                " の第2サイクルを始めました (版 19, 第2サイクル ステップ1「目指す姿の設定」)\n");
}

TEST_F(RenkeictlIssueTest, AnUnknownAudienceWordIsAUsageErrorListingTheValidWords) {
  const std::string id = Create("対象の語を確かめる課題");
  CliResult r = Run({"issue", "countermeasure", "add", id, "--version", "1", "--audience",
                     "care_managers,doctors", "--content", "研修"});
  EXPECT_EQ(r.exit_code, 2) << r;
  EXPECT_THAT(r.out, IsEmpty());
  EXPECT_THAT(r.err, AllOf(HasSubstr("--audience"), HasSubstr("doctors"),
                           HasSubstr("family, residents, care_managers, visiting_nurses, "
                                     "physicians, specialists, hospital_staff, care_workers, "
                                     "pharmacists, dentists, coordinators, municipal_staff, "
                                     "support_center_staff, emergency_services")));
  EXPECT_EQ(GetJson(id).issue().version(), 1);
}

TEST_F(RenkeictlIssueTest, AFifthCauseIsInvalidInputNamingTheFieldCauses) {
  const std::string id = Create("要因の数を確かめる課題");
  CliResult r = Run({"issue", "update", id, "--version", "1", "--cause", "一", "--cause", "二",
                     "--cause", "三", "--cause", "四", "--cause", "五"});
  EXPECT_EQ(r.exit_code, 3) << r;
  EXPECT_THAT(r.err, HasSubstr("  - causes: 要因は4つまでです (5つ)"));
  EXPECT_EQ(GetJson(id).issue().causes_size(), 0);
}

TEST_F(RenkeictlIssueTest, AStaleVersionIsAConflictAndChangesNothing) {
  const std::string id = Create("版を確かめる課題");
  CliResult r = Run({"issue", "update", id, "--version", "1", "--target-state", "先に書いた姿"});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(VersionIn(r), "2");

  r = Run({"issue", "update", id, "--version", "1", "--target-state", "後から書いた姿"});
  EXPECT_EQ(r.exit_code, 5) << r;
  EXPECT_THAT(r.err, HasSubstr("他の人が先に更新しました"));
  const v1::RegionalIssue issue = GetJson(id).issue();
  EXPECT_EQ(issue.version(), 2);
  EXPECT_EQ(issue.target_state(), "先に書いた姿");
}

TEST_F(RenkeictlIssueTest, JsonGetParsesAsAnIssueWithItsHistory) {
  const std::string id = Create("JSON で読む課題");
  CliResult r = Run({"-o", "json", "issue", "get", id});
  ASSERT_EQ(r.exit_code, 0) << r;
  v1::IssueWithHistory parsed;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(r.out, &parsed).ok()) << r;
  EXPECT_EQ(parsed.issue().id(), id);
  EXPECT_EQ(parsed.issue().theme(), "JSON で読む課題");
  EXPECT_EQ(parsed.issue().current_step(), 1);
  ASSERT_EQ(parsed.history_size(), 1);
  EXPECT_EQ(parsed.history(0).action(), "opened");

  // A changing command with -o json prints the changed issue.
  r = Run({"-o", "json", "issue", "update", id, "--version", "1", "--target-state", "姿"});
  ASSERT_EQ(r.exit_code, 0) << r;
  v1::RegionalIssue changed;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(r.out, &changed).ok()) << r;
  EXPECT_EQ(changed.version(), 2);
  EXPECT_EQ(changed.target_state(), "姿");
}

TEST_F(RenkeictlIssueTest, RecordsACouncilMeetingAndMarksAnActionItemDone) {
  const std::string id = Create("専門医に相談しやすい仕組み");
  CliResult r = Run({"issue",
                     "meeting",
                     "record",
                     "--date",
                     "2026-11-24",
                     "--body",
                     "council",
                     "--title",
                     "在宅医療・介護連携推進協議会",
                     "--agenda",
                     "パーキンソン病の訪問診療",
                     "--issue",
                     id,
                     "--opinion",
                     "majority:一般の訪問診療医で対応できる:physicians,visiting_nurses",
                     "--decision",
                     "ケアマネジャーに確認する",
                     "--action",
                     "ケアマネジャーへの確認|コーディネーター|2026-12-10",
                     "--material",
                     "相談事例の概要|case_2026-11.pdf"});
  ASSERT_EQ(r.exit_code, 0) << r;
  const std::string mtg = FindFirst(r.out, "mtg_[0-9A-Z]{26}");
  EXPECT_EQ(r.out, "会議 " + mtg + " を記録しました (版 1)\n");

  r = Run({"-o", "json", "issue", "meeting", "get", mtg});
  ASSERT_EQ(r.exit_code, 0) << r;
  v1::Meeting m;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(r.out, &m).ok()) << r;
  ASSERT_EQ(m.action_items_size(), 1);
  ASSERT_EQ(m.opinions_size(), 1);
  EXPECT_EQ(m.opinions(0).summary(), "一般の訪問診療医で対応できる");
  EXPECT_EQ(m.opinions(0).from_roles_size(), 2);

  r = Run({"issue", "meeting", "update", mtg, "--version", "1", "--action-done",
           m.action_items(0).id()});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(r.out, "会議 " + mtg + " を更新しました (版 2)\n");

  r = Run({"issue", "meeting", "get", mtg});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(r.out, AllOf(HasSubstr("会議体         協議会"),
                           HasSubstr("[多数意見] 一般の訪問診療医で対応できる  (医師、訪問看護師)"),
                           HasSubstr("相談事例の概要 (case_2026-11.pdf)"), HasSubstr("完了")));

  r = Run({"issue", "meeting", "list", "--issue", id});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(r.out, AllOf(HasSubstr(mtg), HasSubstr("0/1"), HasSubstr("1 件 / meetings")));
}

TEST_F(RenkeictlIssueTest, MissingIdsAndAnUnreachableServiceHaveTheirOwnExitCodes) {
  CliResult r = Run({"issue", "get", "iss_00000000000000000000000000"});
  EXPECT_EQ(r.exit_code, 4) << r;
  EXPECT_THAT(r.err, HasSubstr("課題が見つかりません"));

  r = Run({"issue", "candidates"});
  EXPECT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(r.out, "課題候補はありません / no candidates\n");

  r = Run(
      {"--issues", "127.0.0.1:" + std::to_string(FreePort()), "--timeout", "5", "issue", "list"});
  EXPECT_EQ(r.exit_code, 6) << r;
  EXPECT_THAT(r.err, HasSubstr("サービスに接続できません"));
}

}  // namespace
}  // namespace renkei::testing
