// `renkeictl training ...` against the real renkei-training service (in this process) of Tokyo's
// prefectural instance (130001; a real nats-server, RocksDB in a temp dir): a training with two
// sessions and a survey is created from the command line, Inagi (132250) sees it, registrations
// past capacity wait and a cancellation promotes the first, attendance and surveys give the
// results' mean, the calendar is written; bad sessions, unknown skills, bad words, stale versions,
// missing ids and an unreachable service each end with the exit code scripts rely on (cli.h) and a
// message naming the problem.
//
// Sessions are placed days ahead of the real clock (the service closes registration at the first
// session's start), each test on its own days and venues so that no two double-book a room.
#include <sys/wait.h>

#include <fstream>
#include <regex>

#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "harness.h"
#include "renkei/common/clock.h"
#include "renkei/common/dates.h"
#include "renkei/v1/training.pb.h"

namespace renkei::testing {
namespace {

using ::testing::AllOf;
using ::testing::ContainsRegex;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::StartsWith;

// Every match of `pattern` in `text`, in order.
std::vector<std::string> FindAll(const std::string& text, const std::string& pattern) {
  std::vector<std::string> out;
  const std::regex re(pattern);
  for (auto it = std::sregex_iterator(text.begin(), text.end(), re); it != std::sregex_iterator();
       ++it) {
    out.push_back(it->str());
  }
  return out;
}

// iCalendar text with its folded lines (RFC 5545 3.1) joined again.
std::string Unfold(std::string ics) {
  for (size_t at; (at = ics.find("\r\n ")) != std::string::npos;) ics.erase(at, 3);
  return ics;
}

// "YYYY-MM-DD", the Tokyo date `days` from now.
std::string DayFromNow(int days) {
  const int64_t now = common::SystemClock::Get()->NowMicros();
  return common::FormatDate(common::TokyoDate(now + days * 86400LL * 1000000));
}

class RenkeictlTrainingTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    tmp_ = new TempDir();
    auto nats = NatsServer::Start(tmp_->Sub("nats"));
    ASSERT_TRUE(nats.ok()) << nats.status();
    nats_ = nats->release();
    InstanceSpec spec;
    spec.code = "130001";
    spec.prefecture = true;
    spec.in_process = true;
    procs_ = new InstanceProcesses(tmp_->Sub("tokyo"), nats_->url(), spec);
    absl::Status started = procs_->Start("training");
    ASSERT_TRUE(started.ok()) << started;
  }
  static void TearDownTestSuite() {
    procs_->Stop("training");
    delete procs_;
    delete nats_;
    delete tmp_;
  }

  // Runs the real renkeictl in the temp dir (the training address from RENKEI_TRAINING, as a
  // coordinator's shell would set it); its stdout, stderr and exit code.
  static CliResult Run(const std::vector<std::string>& args) {
    return RunRenkeictl(args,
                        {{"RENKEI_TRAINING", procs_->address("training")},
                         {"RENKEI_TOKEN", procs_->DefaultToken()}},
                        tmp_->path(), tmp_->path());
  }

  // Creates a one-course online training of one session on `day` (14:00–16:00) with `capacity`
  // seats; its id.
  static std::string CreateOnline(const std::string& title, const std::string& day, int capacity) {
    CliResult r = Run({"training", "create", "--title", title, "--audience", "coordinators",
                       "--one-course", "--session",
                       "start=" + day + " 14:00,end=16:00,online=https://meet.example.jp/" + day +
                           ",capacity=" + std::to_string(capacity)});
    EXPECT_EQ(r.exit_code, 0) << r;
    return FindFirst(r.out, "trn_[0-9A-Z]{26}");
  }

  static std::string Register(const std::string& training_id, const std::string& participant,
                              const std::string& municipality = "132250") {
    CliResult r = Run({"training", "register", training_id, "--participant", participant, "--name",
                       "コーディネーター " + participant, "--municipality", municipality, "--role",
                       "coordinators", "--consent"});
    EXPECT_EQ(r.exit_code, 0) << r;
    return FindFirst(r.out, "reg_[0-9A-Z]{26}");
  }

  static v1::Training ShowJson(const std::string& id) {
    CliResult r = Run({"-o", "json", "training", "show", id});
    EXPECT_EQ(r.exit_code, 0) << r;
    v1::Training out;
    EXPECT_TRUE(google::protobuf::util::JsonStringToMessage(r.out, &out).ok()) << r;
    return out;
  }

  static TempDir* tmp_;
  static NatsServer* nats_;
  static InstanceProcesses* procs_;
};

TempDir* RenkeictlTrainingTest::tmp_ = nullptr;
NatsServer* RenkeictlTrainingTest::nats_ = nullptr;
InstanceProcesses* RenkeictlTrainingTest::procs_ = nullptr;

// The prefecture's training for the M3 countermeasure of worked example 2, from creation to the
// survey results and the calendar, typed by the prefecture's staff and the coordinators.
TEST_F(RenkeictlTrainingTest, RunsATrainingFromCreationThroughWaitlistAttendanceAndSurvey) {
  const std::string day1 = DayFromNow(20), day2 = DayFromNow(27);
  const std::string title = "看取りの過程を家族に説明する研修";
  const std::string survey_q1 =
      "q1:likert:家族に看取りの過程を説明する自信がある:explain_dying_process:required";
  CliResult r = Run({"training",
                     "create",
                     "--title",
                     title,
                     "--audience",
                     "coordinators,care_managers",
                     "--audience",
                     "visiting_nurses",
                     "--skill",
                     "explain_dying_process:practitioner",
                     "--one-course",
                     "--session",
                     "start=" + day1 +
                         " 14:00,end=16:00,venue=東京都庁 第一会議室,capacity=2,"
                         "lecturer=山田花子@稲城市立病院",
                     "--session",
                     "start=" + day2 + " 14:00,end=" + day2 +
                         " 16:30,venue=東京都庁 第一会議室,online=https://meet.example.jp/"
                         "mitori,capacity=20,lecturer=山田花子@稲城市立病院,lecturer=佐藤一郎",
                     "--deadline",
                     DayFromNow(15) + " 17:00",
                     "--quota",
                     "3",
                     "--countermeasure",
                     "iss_01JBX000000000000000000001:cm_01JBX000000000000000000001:M3",
                     "--survey-item",
                     survey_q1,
                     "--survey-item",
                     "q2:likert:研修は業務に役立つ",
                     "--survey-item",
                     "q3:text:感想",
                     "--material",
                     "看取りパンフレット|mitori_pamphlet.pdf"});
  ASSERT_EQ(r.exit_code, 0) << r;
  const std::string id = FindFirst(r.out, "trn_[0-9A-Z]{26}");
  ASSERT_FALSE(id.empty()) << r;
  const std::vector<std::string> sessions = FindAll(r.out, "ses_[0-9A-Z]{26}");
  ASSERT_EQ(sessions.size(), 2u) << r;
  EXPECT_THAT(r.out, StartsWith("研修 " + id + " を登録しました (版 1)\n"));
  EXPECT_THAT(r.out, HasSubstr("  回 " + sessions[0] + "  " + day1 +
                               " 14:00–16:00  東京都庁 第一会議室  参加確定 0/2\n"));
  EXPECT_THAT(r.out, HasSubstr("  回 " + sessions[1] + "  " + day2 +
                               " 14:00–16:30  東京都庁 第一会議室 + オンライン  参加確定 0/20\n"));

  // Inagi sees the prefecture's training; Osaka does not.
  r = Run({"training", "list", "--municipality", "132250"});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(r.out,
              ContainsRegex(day1 + " 14:00 +" + title + " +都道府県 \\(東京都\\) +2 +0/2 +0 +" +
                            DayFromNow(15) + " 17:00 +開催予定 +1 +" + id));
  r = Run({"training", "list", "--municipality", "271004"});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(r.out, Not(HasSubstr(id)));

  r = Run({"training", "show", id});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(
      r.out,
      AllOf(HasSubstr("主催           都道府県 (東京都)\n"),
            HasSubstr("対象           コーディネーター、ケアマネジャー、訪問看護師"),
            HasSubstr("目標スキル     看取りの過程の説明 (explain_dying_process) (実践者)"),
            HasSubstr("対策           M3 (iss_01JBX000000000000000000001, "
                      "cm_01JBX000000000000000000001)"),
            HasSubstr("市区町村枠     3 名まで"), HasSubstr("山田花子 (稲城市立病院)、佐藤一郎"),
            HasSubstr("q1 [5段階] 家族に看取りの過程を説明する自信がある  "
                      "スキル: 看取りの過程の説明 (explain_dying_process)  必須"),
            HasSubstr("q3 [自由記述] 感想"),
            HasSubstr("看取りパンフレット (mitori_pamphlet.pdf)")));

  // Two seats in the first session: the third and fourth coordinators wait, in order.
  const std::string a = Register(id, "coord-a");
  const std::string b = Register(id, "coord-b");
  r = Run({"training", "register", id, "--participant", "coord-c", "--name", "町田 花子",
           "--municipality", "132098", "--role", "coordinators", "--consent"});
  ASSERT_EQ(r.exit_code, 0) << r;
  const std::string c = FindFirst(r.out, "reg_[0-9A-Z]{26}");
  EXPECT_EQ(r.out, "申込 " + c + " を受け付けました: キャンセル待ち 1番\n");
  r = Run({"training", "register", id, "--participant", "coord-d", "--name", "稲城 次郎",
           "--municipality", "132250", "--role", "coordinators"});
  ASSERT_EQ(r.exit_code, 0) << r;
  const std::string d = FindFirst(r.out, "reg_[0-9A-Z]{26}");
  EXPECT_EQ(r.out, "申込 " + d + " を受け付けました: キャンセル待ち 2番\n");

  v1::Training shown = ShowJson(id);
  ASSERT_EQ(shown.sessions_size(), 2);
  EXPECT_EQ(shown.sessions(0).confirmed(), 2);
  EXPECT_EQ(shown.sessions(0).capacity(), 2);
  EXPECT_EQ(shown.sessions(0).waitlisted(), 2);

  // The first cancels: the first in line takes the seat.
  r = Run({"training", "unregister", a, "--reason", "業務の都合"});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(r.out, "申込 " + a + " を取り消しました (" + id + ")\n");
  r = Run({"training", "registration", c});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(r.out, AllOf(HasSubstr("状態           参加確定"),
                           HasSubstr("市区町村       東京都町田市 (132098)")));
  r = Run({"training", "registration", d});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(r.out, HasSubstr("状態           キャンセル待ち 1番"));

  r = Run({"training", "registrations", "--training", id, "--status", "confirmed"});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(r.out, AllOf(HasSubstr(b), HasSubstr(c), Not(HasSubstr(a)), Not(HasSubstr(d)),
                           HasSubstr("2 件 / registrations")));

  // Attendance of the first session: b attended, c was absent; c then turns out to have come.
  r = Run({"training", "attend", id, "--session", sessions[0], b, c + ":no"});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(r.out, "出席を記録しました: 2 件 (回 " + sessions[0] + " の出席 1 名)\n");
  r = Run({"training", "survey", c, "--answer", "q1=5"});
  EXPECT_EQ(r.exit_code, 3) << r;
  EXPECT_THAT(r.err, HasSubstr("  - registration_id: 出席の記録がない申込です"));
  r = Run({"training", "attend", id, "--session", sessions[0], c});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(r.out, "出席を記録しました: 1 件 (回 " + sessions[0] + " の出席 2 名)\n");

  r = Run({"training", "survey", b, "--answer", "q1=4", "--answer", "q2=3", "--answer",
           "q3=体重が減っていく経過を、家族にどう伝えるかがわかった"});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(r.out, "アンケートを受け付けました (申込 " + b + "、3 項目)\n");
  r = Run({"training", "survey", c, "--answer", "q1=5", "--answer", "q2=4"});
  ASSERT_EQ(r.exit_code, 0) << r;
  r = Run({"training", "survey", c, "--answer", "q1=5"});
  EXPECT_EQ(r.exit_code, 5) << r;
  EXPECT_THAT(r.err, HasSubstr("アンケートは提出済みです"));

  r = Run({"training", "results", id, "--free-text"});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(
      r.out,
      AllOf(HasSubstr("全体: 参加確定 2 名、出席 2 名、回答 2 件\n"),
            ContainsRegex("q1 +家族に看取りの過程を説明する自信がある +"
                          "看取りの過程の説明 \\(explain_dying_process\\) +2 +4\\.50 +0 +0 +0 "
                          "+1 +1\n"),
            ContainsRegex("q2 +研修は業務に役立つ +2 +3\\.50 +0 +0 +1 +1 +0\n"),
            HasSubstr("東京都町田市 (132098): 参加確定 1 名、出席 1 名、回答 1 件"),
            HasSubstr("東京都稲城市 (132250): 参加確定 1 名、出席 1 名、回答 1 件"),
            HasSubstr("  - 体重が減っていく経過を、家族にどう伝えるかがわかった\n")));

  // The calendar: the service's file name in the current directory, or a file given.
  r = Run({"training", "ics", "--training", id});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(r.out, "カレンダー (予定 2 件) を " + id + ".ics に書き出しました (" +
                       std::to_string(ReadFile(tmp_->Sub(id + ".ics")).size()) + " バイト)\n");
  const std::string ics = Unfold(ReadFile(tmp_->Sub(id + ".ics")));
  EXPECT_THAT(ics, AllOf(StartsWith("BEGIN:VCALENDAR"), HasSubstr("SUMMARY:" + title)));
  const std::string waiting = tmp_->Sub("coord-d.ics");
  r = Run({"training", "ics", "--participant", "coord-d", "-f", waiting});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(r.out, StartsWith("カレンダー (予定 2 件) を " + waiting + " に書き出しました"));
  EXPECT_THAT(Unfold(ReadFile(waiting)),
              AllOf(StartsWith("BEGIN:VCALENDAR"),
                    HasSubstr("SUMMARY:" + title + "（キャンセル待ち 1番）")));

  // Who attended together: names only with consent (coord-c consented).
  r = Run({"training", "peers", "--participant", "coord-b"});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(r.out, AllOf(ContainsRegex("東京都町田市 +町田 花子 +コーディネーター +coord-c"),
                           Not(HasSubstr("coord-b ")), HasSubstr("1 名 / peers")));
}

TEST_F(RenkeictlTrainingTest, ASessionEndingBeforeItStartsAndAnUnknownSkillNameTheirFields) {
  const std::string day = DayFromNow(30);
  CliResult r = Run({"training", "create", "--title", "終了が開始より前の研修", "--audience",
                     "coordinators", "--skill", "unknown_skill:lead", "--session",
                     "start=" + day + " 14:00,end=13:00,venue=東京都庁 第二会議室,capacity=10"});
  EXPECT_EQ(r.exit_code, 3) << r;
  EXPECT_THAT(r.out, IsEmpty());
  EXPECT_THAT(r.err, AllOf(HasSubstr("  - training.sessions[0].ends_at: 終了は開始より後にしてく"
                                     "ださい"),
                           HasSubstr("  - training.target_skills[0].skill_code: "
                                     "スキル枠組み(第1版)にないスキルです: unknown_skill")));

  r = Run({"training", "create", "--title", "定員のない研修", "--audience", "coordinators",
           "--session", "start=" + day + " 14:00,end=16:00,venue=東京都庁 第二会議室"});
  EXPECT_EQ(r.exit_code, 3) << r;
  EXPECT_THAT(r.err, HasSubstr("  - training.sessions[0].capacity: 定員は1〜10000人です"));

  r = Run({"training", "list", "--all"});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(r.out,
              AllOf(Not(HasSubstr("終了が開始より前の研修")), Not(HasSubstr("定員のない研修"))));
}

TEST_F(RenkeictlTrainingTest, MalformedValuesAreUsageErrorsNamingTheOption) {
  const std::string day = DayFromNow(31);
  const std::string session = "start=" + day + " 14:00,end=16:00,online,capacity=5";
  struct Case {
    std::vector<std::string> args;
    std::string message;
  } cases[] = {
      {{"--session", "start=" + day + " 14:00,online,capacity=5"}, "--session"},
      {{"--session", "start=" + day + " 25:00,end=16:00,online,capacity=5"}, "--session"},
      {{"--session", session, "--skill", "explain_dying_process:expert"},
       "beginner, practitioner, lead"},
      {{"--session", session, "--survey-item", "q1:stars:自信がある"}, "likert, text"},
      {{"--session", session, "--deadline", "2026/12/01"}, "YYYY-MM-DD HH:MM"},
  };
  for (const auto& c : cases) {
    std::vector<std::string> args = {"training",         "create",     "--title",
                                     "不正な指定の研修", "--audience", "coordinators"};
    args.insert(args.end(), c.args.begin(), c.args.end());
    CliResult r = Run(args);
    EXPECT_EQ(r.exit_code, 2) << r;
    EXPECT_THAT(r.out, IsEmpty());
    EXPECT_THAT(r.err, HasSubstr(c.message)) << r;
  }

  CliResult r = Run({"training", "create", "--title", "不正な指定の研修", "--audience",
                     "coordinators,doctors", "--session", session});
  EXPECT_EQ(r.exit_code, 2) << r;
  EXPECT_THAT(r.err, AllOf(HasSubstr("doctors"), HasSubstr("care_managers, visiting_nurses")));

  r = Run({"training", "create", "--title", "回のない研修"});
  EXPECT_EQ(r.exit_code, 2) << r;
  EXPECT_THAT(r.err, HasSubstr("--audience --session"));

  r = Run({"training", "registrations"});
  EXPECT_EQ(r.exit_code, 2) << r;
  EXPECT_THAT(r.err, HasSubstr("--training か --participant"));

  // The id is the service's to check: a likert answer that is not a number is the CLI's.
  const std::string id = CreateOnline("回答の形を確かめる研修", day, 5);
  const std::string reg = Register(id, "coord-survey");
  r = Run({"training", "attend", id, "--session", ShowJson(id).sessions(0).id(), reg});
  ASSERT_EQ(r.exit_code, 0) << r;
  r = Run({"training", "survey", reg, "--answer", "q1"});
  EXPECT_EQ(r.exit_code, 2) << r;
  EXPECT_THAT(r.err, HasSubstr("ITEM=VALUE"));
  r = Run({"training", "survey", reg, "--answer", "q9=とても良い"});
  EXPECT_EQ(r.exit_code, 3) << r;
  EXPECT_THAT(r.err, HasSubstr("  - answers[0].item_id: この研修のアンケートにない項目です"));
}

TEST_F(RenkeictlTrainingTest, EditsSessionsPromotesOnALargerCapacityAndCancels) {
  const std::string day = DayFromNow(40);
  const std::string id = CreateOnline("回を編集する研修", day, 1);
  ASSERT_FALSE(Register(id, "edit-a").empty());
  const std::string second = Register(id, "edit-b");
  ASSERT_FALSE(second.empty());

  CliResult r = Run({"training", "update", id, "--version", "1", "--title", "回を編集する研修 (改)",
                     "--skill", "peer_support:lead", "--survey-item", "q1:likert:相談し合える"});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(r.out, StartsWith("研修 " + id + " を更新しました (版 2)\n"));

  // A stale version changes nothing.
  r = Run({"training", "update", id, "--version", "1", "--title", "後から書いたテーマ"});
  EXPECT_EQ(r.exit_code, 5) << r;
  EXPECT_THAT(r.err, HasSubstr("他の人が先に更新しました"));

  r = Run({"training", "add-session", id, "--version", "2", "--start", DayFromNow(41) + " 10:00",
           "--end", "12:00", "--venue", "稲城市役所 会議室", "--capacity", "2", "--lecturer",
           "山田花子@稲城市立病院"});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(r.out, AllOf(StartsWith("研修 " + id + " に回を追加しました (版 3)\n"),
                           HasSubstr(DayFromNow(41) + " 10:00–12:00  稲城市役所 会議室")));

  // The same lecturer cannot be in two places at once: the field and the other session named.
  const std::string other = CreateOnline("講師の重なりを確かめる研修", DayFromNow(42), 5);
  r = Run({"training", "add-session", other, "--version", "1", "--start", DayFromNow(41) + " 11:00",
           "--end", "13:00", "--online", "--capacity", "5", "--lecturer", "山田花子"});
  EXPECT_EQ(r.exit_code, 3) << r;
  EXPECT_THAT(r.err, HasSubstr("  - session.lecturers[0].name: 講師「山田花子」は研修「回を編集"
                               "する研修 (改)」の回 "));

  v1::Training t = ShowJson(id);
  ASSERT_EQ(t.sessions_size(), 2);
  EXPECT_EQ(t.version(), 3);
  EXPECT_EQ(t.title(), "回を編集する研修 (改)");
  EXPECT_EQ(t.sessions(1).venue(), "稲城市役所 会議室");
  r = Run({"training", "registration", second});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(r.out, HasSubstr("状態           キャンセル待ち 1番"));

  // A second seat in the first session lets the waiting registration in (it takes the added
  // session too, which has room for two: a one-course registration takes every session).
  r = Run({"training", "update-session", id, "--version", "3", "--session-id", t.sessions(0).id(),
           "--capacity", "2"});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(r.out, AllOf(StartsWith("研修 " + id + " の回 " + t.sessions(0).id() +
                                      " を更新しました (版 4)\n"),
                           HasSubstr("参加確定 2/2")));
  r = Run({"training", "registration", second});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(r.out, HasSubstr("状態           参加確定"));

  r = Run({"training", "cancel", id, "--version", "4", "--reason", "講師の都合"});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(r.out, "研修 " + id + " を中止しました (版 5)\n");
  r = Run({"training", "show", id});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(r.out, HasSubstr("状態           中止"));
  r = Run({"training", "register", id, "--participant", "edit-c", "--name", "遅れて申込",
           "--municipality", "132250", "--role", "coordinators"});
  EXPECT_EQ(r.exit_code, 5) << r;  // the training's state: FAILED_PRECONDITION, a conflict
  EXPECT_THAT(r.err, HasSubstr("  - registration.training_id: 中止された研修です"));
  r = Run({"training", "list", "--from", day, "--to", day});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(r.out, Not(HasSubstr(id)));
}

TEST_F(RenkeictlTrainingTest, SkillsShowsTheFrameworkByGroupAndLevelInJapanese) {
  CliResult r = Run({"training", "skills"});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(r.out, AllOf(StartsWith("スキル枠組み 第1版 (公開 2026-01-01 09:00)\n"),
                           HasSubstr("【説明する力】 (explaining)\n"),
                           HasSubstr("  explain_dying_process  看取りの過程の説明\n"),
                           HasSubstr("    実践者 (practitioner): 自ら看取りの過程を家族に説明する"
                                     "ことができる\n"),
                           HasSubstr("9 スキル / skills")));
  r = Run({"training", "skills", "--version", "7"});
  EXPECT_EQ(r.exit_code, 4) << r;
}

TEST_F(RenkeictlTrainingTest, JsonShowCreatesACopyWithFromJson) {
  const std::string id = CreateOnline("JSON で写す研修", DayFromNow(50), 8);
  CliResult r = Run({"-o", "json", "training", "show", id});
  ASSERT_EQ(r.exit_code, 0) << r;
  v1::Training parsed;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(r.out, &parsed).ok()) << r;
  EXPECT_EQ(parsed.id(), id);
  EXPECT_EQ(parsed.organizer_code(), "130001");
  EXPECT_EQ(parsed.organizer_level(), v1::ORGANIZER_LEVEL_PREFECTURE);

  // The printed training is the start of another: a new id, the title given, the same session.
  const std::string file = tmp_->Sub("copy.json");
  {
    std::ofstream out(file);
    out << r.out;
  }
  r = Run(
      {"-o", "json", "training", "create", "--from-json", file, "--title", "JSON で写した研修"});
  ASSERT_EQ(r.exit_code, 0) << r;
  v1::Training copy;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(r.out, &copy).ok()) << r;
  EXPECT_NE(copy.id(), id);
  EXPECT_EQ(copy.title(), "JSON で写した研修");
  EXPECT_EQ(copy.version(), 1);
  ASSERT_EQ(copy.sessions_size(), 1);
  EXPECT_NE(copy.sessions(0).id(), parsed.sessions(0).id());
  EXPECT_EQ(copy.sessions(0).capacity(), 8);

  r = Run({"-o", "json", "training", "register", copy.id(), "--participant", "json-a", "--name",
           "JSON 太郎", "--municipality", "132250", "--role", "care_managers"});
  ASSERT_EQ(r.exit_code, 0) << r;
  v1::Registration reg;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(r.out, &reg).ok()) << r;
  EXPECT_EQ(reg.status(), v1::REGISTRATION_STATUS_CONFIRMED);
  EXPECT_EQ(reg.role(), v1::AUDIENCE_ROLE_CARE_MANAGERS);
}

TEST_F(RenkeictlTrainingTest, MissingIdsAndAnUnreachableServiceHaveTheirOwnExitCodes) {
  CliResult r = Run({"training", "show", "trn_00000000000000000000000000"});
  EXPECT_EQ(r.exit_code, 4) << r;
  EXPECT_THAT(r.out, IsEmpty());

  r = Run({"training", "unregister", "reg_00000000000000000000000000"});
  EXPECT_EQ(r.exit_code, 4) << r;

  r = Run({"--training", "127.0.0.1:" + std::to_string(FreePort()), "--timeout", "5", "training",
           "list"});
  EXPECT_EQ(r.exit_code, 6) << r;
  EXPECT_THAT(r.err, HasSubstr("サービスに接続できません"));
}

}  // namespace
}  // namespace renkei::testing

namespace renkei::testing {
namespace {

// The nation's trainings name their organizer once ("国", not "国 国"), in the list and the show.
TEST(RenkeictlNationalTrainingTest, TheNationIsNamedOnce) {
  TempDir tmp;
  auto nats = NatsServer::Start(tmp.Sub("nats"));
  ASSERT_TRUE(nats.ok()) << nats.status();
  InstanceSpec spec;
  spec.national = true;
  spec.code = "";  // the nation has none
  spec.in_process = true;
  InstanceProcesses nation(tmp.Sub("nation"), (*nats)->url(), spec);
  absl::Status started = nation.Start("training");
  ASSERT_TRUE(started.ok()) << started;
  auto run = [&](const std::vector<std::string>& args) {
    return RunRenkeictl(
        args,
        {{"RENKEI_TRAINING", nation.address("training")}, {"RENKEI_TOKEN", nation.DefaultToken()}},
        tmp.path(), tmp.path());
  };
  const std::string day = DayFromNow(30);
  CliResult r =
      run({"training", "create", "--title", "全国研修", "--audience", "coordinators",
           "--one-course", "--session",
           "start=" + day + " 14:00,end=16:00,online=https://meet.example.jp/n,capacity=50"});
  ASSERT_EQ(r.exit_code, 0) << r;
  const std::string id = FindFirst(r.out, "trn_[0-9A-Z]{26}");
  r = run({"training", "show", id});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(r.out, HasSubstr("主催           国\n"));
  EXPECT_THAT(r.out, Not(HasSubstr("国 国")));
  r = run({"training", "list"});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(r.out, ContainsRegex("全国研修 +国 +1 "));
  EXPECT_THAT(r.out, Not(HasSubstr("国 国")));
  nation.Stop("training");
}

}  // namespace
}  // namespace renkei::testing
