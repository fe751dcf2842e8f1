// `renkeictl indicator ...` against the real renkei-indicators service (in this process) of the
// national instance (a real nats-server, RocksDB in a temp dir; the nation governs every
// jurisdiction): a ratio and a count are defined from the command line, Inagi (132250) and Chofu
// (132080) in Tokyo and Kumagaya (112020) in Saitama report, the series draws a sparkline, the
// comparison ranks Tokyo's municipalities with the median and quartiles, the roll-up adds
// numerators and denominators, a correction keeps the history, the CSV export withholds a small
// count and an unsuppressed export imports back unchanged; unknown indicators, periods off the
// frequency, a zero denominator, bad import rows, missing indicators and an unreachable service
// each end with the exit code scripts rely on (cli.h) and a message naming the field.
//
// The tests share one instance; each defines its own indicator codes.
#include <fstream>

#include "gmock/gmock.h"
#include "google/protobuf/util/json_util.h"
#include "gtest/gtest.h"
#include "harness.h"
#include "renkei/v1/indicators.pb.h"

namespace renkei::testing {
namespace {

using ::testing::AllOf;
using ::testing::ContainsRegex;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::StartsWith;

constexpr char kBom[] = "\xEF\xBB\xBF";
constexpr char kIssue[] = "iss_01JBX000000000000000000001";

// The number of code points in UTF-8 text.
size_t CodePoints(const std::string& s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

class RenkeictlIndicatorTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    tmp_ = new TempDir();
    auto nats = NatsServer::Start(tmp_->Sub("nats"));
    ASSERT_TRUE(nats.ok()) << nats.status();
    nats_ = nats->release();
    InstanceSpec spec;
    spec.code = "";  // the national instance has no code (config.cc)
    spec.national = true;
    spec.in_process = true;
    procs_ = new InstanceProcesses(tmp_->Sub("national"), nats_->url(), spec);
    absl::Status started = procs_->Start("indicators");
    ASSERT_TRUE(started.ok()) << started;
  }
  static void TearDownTestSuite() {
    procs_->Stop("indicators");
    delete procs_;
    delete nats_;
    delete tmp_;
  }

  // Runs the real renkeictl in the temp dir (the indicators address from RENKEI_INDICATORS, as a
  // coordinator's shell would set it); its stdout, stderr and exit code.
  static CliResult Run(const std::vector<std::string>& args) {
    return RunRenkeictl(args,
                        {{"RENKEI_INDICATORS", procs_->address("indicators")},
                         {"RENKEI_TOKEN", procs_->DefaultToken()}},
                        tmp_->path(), tmp_->path());
  }

  // A monthly ratio, higher is better, with baseline 0.2 (2026-09) and target 0.4.
  static void DefineRatio(const std::string& code) {
    CliResult r = Run({"indicator",
                       "define",
                       code,
                       "--name",
                       "在宅看取り率",
                       "--description",
                       "亡くなった人のうち自宅で亡くなった人の割合",
                       "--kind",
                       "ratio",
                       "--method",
                       "system,survey",
                       "--frequency",
                       "monthly",
                       "--direction",
                       "higher",
                       "--baseline",
                       "0.2",
                       "--baseline-period",
                       "2026-09",
                       "--target",
                       "0.4",
                       "--origin",
                       "national"});
    ASSERT_EQ(r.exit_code, 0) << r;
    EXPECT_EQ(r.out, "指標 " + code + " を定義しました (版 1、国の指標)\n");
  }

  // A monthly count of consultations, without baseline or target.
  static void DefineCount(const std::string& code) {
    CliResult r =
        Run({"indicator", "define", code, "--name", "相談件数", "--unit", "件", "--kind", "count",
             "--method", "system", "--frequency", "monthly", "--direction", "higher"});
    ASSERT_EQ(r.exit_code, 0) << r;
    EXPECT_EQ(r.out, "指標 " + code + " を定義しました (版 1、独自の指標)\n");
  }

  static void RecordRatio(const std::string& code, const std::string& jurisdiction,
                          const std::string& period, int numerator, int denominator) {
    CliResult r =
        Run({"indicator", "record", code, "--jurisdiction", jurisdiction, "--period", period,
             "--numerator", std::to_string(numerator), "--denominator", std::to_string(denominator),
             "--source", "人口動態調査", "--by", "coord-inagi"});
    ASSERT_EQ(r.exit_code, 0) << r;
    EXPECT_THAT(r.out, HasSubstr(" を記録しました: "));
  }

  static void RecordCount(const std::string& code, const std::string& jurisdiction,
                          const std::string& period, int value) {
    CliResult r = Run({"indicator", "record", code, "--jurisdiction", jurisdiction, "--period",
                       period, "--value", std::to_string(value)});
    ASSERT_EQ(r.exit_code, 0) << r;
  }

  static TempDir* tmp_;
  static NatsServer* nats_;
  static InstanceProcesses* procs_;
};

TempDir* RenkeictlIndicatorTest::tmp_ = nullptr;
NatsServer* RenkeictlIndicatorTest::nats_ = nullptr;
InstanceProcesses* RenkeictlIndicatorTest::procs_ = nullptr;

TEST_F(RenkeictlIndicatorTest, DefinesARatioAndACountAndShowsThem) {
  DefineRatio("def_home_death_rate");
  DefineCount("def_consultations");

  CliResult r = Run({"indicator", "get", "def_home_death_rate"});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(r.out,
              AllOf(StartsWith("コード         def_home_death_rate\n"),
                    HasSubstr("名前           在宅看取り率\n"), HasSubstr("種類           割合\n"),
                    HasSubstr("測定方法       システム集計・アンケート調査\n"),
                    HasSubstr("頻度           毎月\n"), HasSubstr("方向           高いほど良い\n"),
                    HasSubstr("ベースライン   0.2 (2026-09)\n"), HasSubstr("目標           0.4\n"),
                    HasSubstr("由来           国の指標\n"), HasSubstr("版             1\n")));

  r = Run({"indicator", "list", "--origin", "local"});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(r.out,
              AllOf(ContainsRegex("def_consultations +相談件数 +件数 +毎月 +件 +高いほど良い "
                                  "+独自の指標 +1\n"),
                    Not(HasSubstr("def_home_death_rate"))));

  // An update changes the parts given at the version read; a stale one changes nothing.
  r = Run({"indicator", "define", "def_home_death_rate", "--version", "1", "--target", "0.5"});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(r.out, "指標 def_home_death_rate を更新しました (版 2、国の指標)\n");
  r = Run({"indicator", "define", "def_home_death_rate", "--version", "1", "--target", "0.6"});
  EXPECT_EQ(r.exit_code, 5) << r;
  EXPECT_THAT(r.err, HasSubstr("他の人が先に更新しました"));
  r = Run({"indicator", "define", "def_home_death_rate", "--name", "二度目", "--kind", "ratio",
           "--method", "survey", "--frequency", "monthly", "--direction", "higher"});
  EXPECT_EQ(r.exit_code, 5) << r;
  EXPECT_THAT(r.err, HasSubstr("定義済みです (版 2)"));

  r = Run({"-o", "json", "indicator", "get", "def_home_death_rate"});
  ASSERT_EQ(r.exit_code, 0) << r;
  v1::IndicatorDefinition d;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(r.out, &d).ok()) << r;
  EXPECT_EQ(d.version(), 2);
  EXPECT_EQ(d.origin(), v1::INDICATOR_ORIGIN_NATIONAL);
  EXPECT_EQ(d.spec().kind(), v1::INDICATOR_KIND_RATIO);
  ASSERT_EQ(d.spec().methods_size(), 2);
  EXPECT_EQ(d.spec().methods(0), v1::MEASUREMENT_METHOD_SYSTEM_DERIVED);
  EXPECT_EQ(d.spec().methods(1), v1::MEASUREMENT_METHOD_SURVEY);
  EXPECT_DOUBLE_EQ(d.spec().baseline(), 0.2);
  EXPECT_EQ(d.spec().baseline_period(), "2026-09");
  EXPECT_DOUBLE_EQ(d.spec().target(), 0.5);
  EXPECT_EQ(d.spec().description(), "亡くなった人のうち自宅で亡くなった人の割合");
}

TEST_F(RenkeictlIndicatorTest, SeriesPrintsOneBlockPerPeriodOnTheScaleOfBaselineAndTarget) {
  DefineRatio("ser_home_death_rate");
  RecordRatio("ser_home_death_rate", "132250", "2026-09", 4, 20);
  RecordRatio("ser_home_death_rate", "132250", "2026-10", 5, 20);
  RecordRatio("ser_home_death_rate", "132250", "2026-11", 7, 20);
  RecordRatio("ser_home_death_rate", "132250", "2026-12", 8, 20);

  CliResult r = Run({"indicator", "series", "ser_home_death_rate", "--jurisdiction", "132250"});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(r.out, AllOf(StartsWith("在宅看取り率 (ser_home_death_rate) — 東京都稲城市 "
                                      "(132250)\n"),
                           ContainsRegex("2026-09 +0\\.2 +4 +20\n"),
                           ContainsRegex("2026-11 +0\\.35 +7 +20\n")));
  // 0.2 .. 0.4 over eight blocks: 0.2 ▁, 0.25 ▃, 0.35 ▆, 0.4 █; the baseline at the bottom and
  // the target at the top.
  const std::string spark = FindFirst(r.out, "\n推移 ([^ ]+)  ");
  EXPECT_EQ(CodePoints(spark), 4u) << r;
  EXPECT_THAT(r.out, HasSubstr("\n推移 ▁▃▆█  最小 0.2 〜 最大 0.4  基準 0.2 (2026-09) ▁  "
                               "目標 0.4 █\n"));

  r = Run({"indicator", "series", "ser_home_death_rate", "--jurisdiction", "132250", "--from",
           "2026-10", "--to", "2026-11"});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(CodePoints(FindFirst(r.out, "\n推移 ([^ ]+)  ")), 2u) << r;
  EXPECT_THAT(r.out, AllOf(Not(HasSubstr("\n2026-09 ")),
                           HasSubstr("\n推移 ▃▆  最小 0.25 〜 最大 0.35  基準 0.2 (2026-09) ▁")));

  // Tokyo's series is rolled up from the municipalities that reported.
  r = Run({"indicator", "series", "ser_home_death_rate", "--jurisdiction", "130001"});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(r.out, AllOf(HasSubstr("東京都 (130001) (下の団体の値から集計)"),
                           ContainsRegex("2026-11 +0\\.35 +7 +20 +1/[0-9]+\n")));
  EXPECT_EQ(CodePoints(FindFirst(r.out, "\n推移 ([^ ]+)  ")), 4u) << r;

  r = Run({"indicator", "series", "ser_home_death_rate", "--jurisdiction", "112020"});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(r.out, AllOf(HasSubstr("値がありません"), Not(HasSubstr("推移"))));
}

TEST_F(RenkeictlIndicatorTest, CompareRanksTokyoWithMedianAndRollUpAddsNumeratorsAndDenominators) {
  DefineRatio("cmp_home_death_rate");
  RecordRatio("cmp_home_death_rate", "132250", "2026-11", 7, 20);   // Inagi 0.35
  RecordRatio("cmp_home_death_rate", "132080", "2026-11", 12, 30);  // Chofu 0.4
  RecordRatio("cmp_home_death_rate", "112020", "2026-11", 10, 40);  // Kumagaya 0.25

  CliResult r =
      Run({"indicator", "compare", "cmp_home_death_rate", "--period", "2026-11", "--scope", "13"});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(r.out, AllOf(ContainsRegex("^在宅看取り率 \\(cmp_home_death_rate\\) 2026-11 — "
                                         "東京都の市区町村 \\(報告 2/[0-9]+\\)\n"),
                           ContainsRegex("\n1 +132080 +東京都調布市 +0\\.4 +12 +30\n"
                                         "2 +132250 +東京都稲城市 +0\\.35 +7 +20\n"),
                           Not(HasSubstr("熊谷市")),
                           HasSubstr("\n中央値 0.375  第1四分位 0.3625  第3四分位 0.3875  "
                                     "(高いほど良い)\n")));

  // All prefectures: Tokyo's roll-up (19/50) above Saitama's (10/40).
  r = Run(
      {"indicator", "compare", "cmp_home_death_rate", "--period", "2026-11", "--scope", "000000"});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(r.out, AllOf(HasSubstr("全国の都道府県 (報告 2/47)"),
                           ContainsRegex("\n1 +130001 +東京都 +0\\.38 +19 +50\n"
                                         "2 +110001 +埼玉県 +0\\.25 +10 +40\n")));

  // Tokyo: Σ numerators / Σ denominators = 19/50 (not the mean of 0.35 and 0.4).
  r = Run({"indicator", "rollup", "cmp_home_death_rate", "--period", "2026-11", "--jurisdiction",
           "130001"});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(
      r.out,
      AllOf(HasSubstr("団体           東京都 (130001)\n"), HasSubstr("値             0.38\n"),
            HasSubstr("分子/分母      19 / 50\n"), ContainsRegex("報告 +2/[0-9]+\n")));
  const int tokyo = std::stoi(FindFirst(r.out, "報告 +2/([0-9]+)"));
  EXPECT_GT(tokyo, 2);

  r = Run({"indicator", "rollup", "cmp_home_death_rate", "--period", "2026-11", "--jurisdiction",
           "000000"});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(r.out,
              AllOf(HasSubstr("団体           全国 (000000)\n"),
                    HasSubstr("分子/分母      29 / 90\n"), HasSubstr("報告           2/47\n")));

  r = Run({"-o", "json", "indicator", "rollup", "cmp_home_death_rate", "--period", "2026-11",
           "--jurisdiction", "130001"});
  ASSERT_EQ(r.exit_code, 0) << r;
  v1::RollUpValue rolled;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(r.out, &rolled).ok()) << r;
  EXPECT_DOUBLE_EQ(rolled.value(), 0.38);
  EXPECT_DOUBLE_EQ(rolled.numerator(), 19);
  EXPECT_DOUBLE_EQ(rolled.denominator(), 50);
  EXPECT_EQ(rolled.reporting(), 2);
  EXPECT_EQ(rolled.expected(), tokyo);

  // A small count is withheld in the comparison, its rank kept.
  DefineCount("cmp_consultations");
  RecordCount("cmp_consultations", "132250", "2026-11", 42);
  RecordCount("cmp_consultations", "132080", "2026-11", 5);
  r = Run(
      {"indicator", "compare", "cmp_consultations", "--period", "2026-11", "--scope", "130001"});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(r.out, AllOf(ContainsRegex("\n1 +132250 +東京都稲城市 +42\n"
                                         "2 +132080 +東京都調布市 +秘匿\n"),
                           Not(ContainsRegex("調布市 +5"))));
}

TEST_F(RenkeictlIndicatorTest, ACorrectionAtTheVersionReadKeepsTheHistory) {
  DefineRatio("cor_home_death_rate");
  RecordRatio("cor_home_death_rate", "132250", "2026-11", 6, 20);

  // Recorded already: a second value needs the version read.
  CliResult r = Run({"indicator", "record", "cor_home_death_rate", "--jurisdiction", "132250",
                     "--period", "2026-11", "--numerator", "7", "--denominator", "20"});
  EXPECT_EQ(r.exit_code, 5) << r;
  EXPECT_THAT(r.err, HasSubstr("この期間の値は記録済みです (版 1)"));

  r = Run({"indicator", "record", "cor_home_death_rate", "--jurisdiction", "132250", "--period",
           "2026-11", "--numerator", "7", "--denominator", "20", "--note", "集計漏れを訂正", "--by",
           "coord-inagi", "--version", "1"});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(r.out,
            "cor_home_death_rate 東京都稲城市 (132250) 2026-11 を訂正しました: 0.35 (7/20) "
            "(版 2)\n");

  r = Run({"indicator", "record", "cor_home_death_rate", "--jurisdiction", "132250", "--period",
           "2026-11", "--numerator", "8", "--denominator", "20", "--version", "1"});
  EXPECT_EQ(r.exit_code, 5) << r;
  EXPECT_THAT(r.err, HasSubstr("他の人が先に更新しました"));

  r = Run({"indicator", "history", "cor_home_death_rate", "--jurisdiction", "132250", "--period",
           "2026-11"});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(r.out,
              AllOf(StartsWith("cor_home_death_rate 東京都稲城市 (132250) 2026-11 の履歴 (2 版、"
                               "最後が現在の値)\n"),
                    ContainsRegex("\n1 +0\\.3 +6 +20 +人口動態調査 +coord-inagi +[-0-9]+ "
                                  "[0-9:]+ +訂正前\n"),
                    ContainsRegex("\n2 +0\\.35 +7 +20 +集計漏れを訂正 +coord-inagi +[-0-9]+ "
                                  "[0-9:]+ +現在\n")));

  r = Run({"-o", "json", "indicator", "history", "cor_home_death_rate", "--jurisdiction", "132250",
           "--period", "2026-11"});
  ASSERT_EQ(r.exit_code, 0) << r;
  v1::ObservationHistory h;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(r.out, &h).ok()) << r;
  ASSERT_EQ(h.versions_size(), 2);
  EXPECT_DOUBLE_EQ(h.versions(0).value(), 0.3);
  EXPECT_EQ(h.versions(0).version(), 1);
  EXPECT_DOUBLE_EQ(h.versions(1).value(), 0.35);
  EXPECT_EQ(h.versions(1).version(), 2);

  // Queries see the correction.
  r = Run({"indicator", "series", "cor_home_death_rate", "--jurisdiction", "132250"});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(r.out, AllOf(ContainsRegex("2026-11 +0\\.35 +7 +20\n"), Not(HasSubstr("0.3 "))));
}

TEST_F(RenkeictlIndicatorTest, ExportWritesTheCsvWithItsBomWithholdingASmallCount) {
  DefineCount("exp_consultations");
  RecordCount("exp_consultations", "132250", "2026-11", 42);
  RecordCount("exp_consultations", "132080", "2026-11", 5);
  RecordCount("exp_consultations", "112020", "2026-11", 30);

  const std::string file = tmp_->Sub("exp_consultations.csv");
  CliResult r = Run({"indicator", "export", "--code", "exp_consultations", "-f", file});
  ASSERT_EQ(r.exit_code, 0) << r;
  const std::string csv = ReadFile(file);
  EXPECT_EQ(r.out, "CSV (UTF-8, BOM 付き) を " + file + " に書き出しました (3 行、秘匿 1 行、" +
                       std::to_string(csv.size()) + " バイト)\n");
  EXPECT_THAT(csv, AllOf(StartsWith(std::string(kBom) + "indicator_code,indicator_name,"
                                                        "jurisdiction_code,"),
                         HasSubstr("exp_consultations,相談件数,132250,東京都稲城市,2026-11,42,"),
                         HasSubstr("exp_consultations,相談件数,112020,埼玉県熊谷市,2026-11,30,"),
                         HasSubstr("exp_consultations,相談件数,132080,東京都調布市,2026-11,,,,件,"
                                   ",秘匿"),
                         Not(HasSubstr(",2026-11,5,"))));

  // The owner's own copy holds the small count; imported back, every value is unchanged.
  const std::string full = tmp_->Sub("exp_consultations_full.csv");
  r = Run({"indicator", "export", "--code", "exp_consultations", "--unsuppressed", "-f", full});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(r.out, HasSubstr("(3 行、秘匿 0 行、"));
  EXPECT_THAT(ReadFile(full),
              AllOf(StartsWith(kBom), HasSubstr(",132080,東京都調布市,2026-11,5,")));
  r = Run({"indicator", "import", full, "--by", "coord-inagi"});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(r.out, full + " (CSV (UTF-8, BOM 付き)): 3 行、記録 0、変更なし 3、エラー 0\n");

  // The data value set, to standard output.
  r = Run({"indicator", "export", "--code", "exp_consultations", "--format", "json", "-f", "-"});
  ASSERT_EQ(r.exit_code, 0) << r;
  v1::DataValueSet set;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(r.out, &set).ok()) << r;
  ASSERT_EQ(set.data_values_size(), 3);
  int withheld = 0;
  for (const auto& dv : set.data_values()) {
    EXPECT_EQ(dv.period(), "202611");
    if (dv.org_unit() == "132080") {
      withheld += dv.suppressed();
      EXPECT_THAT(dv.value(), IsEmpty());
    }
  }
  EXPECT_EQ(withheld, 1);

  // Without -f: the service's file name in the current directory.
  r = Run({"indicator", "export", "--code", "exp_consultations"});
  ASSERT_EQ(r.exit_code, 0) << r;
  const std::string name = FindFirst(r.out, " を (indicators-[^ ]*\\.csv) に書き出しました");
  ASSERT_FALSE(name.empty()) << r;
  EXPECT_EQ(ReadFile(tmp_->Sub(name)), csv);
}

// Disabled: the service imports a withheld row of its own default export (an empty value, the
// note "秘匿 (少数のため) / suppressed") as the value 0, replacing the real count. Enable once the
// service skips or rejects withheld rows.
TEST_F(RenkeictlIndicatorTest, ReimportingTheDefaultExportLeavesTheWithheldCountAlone) {
  DefineCount("rim_consultations");
  RecordCount("rim_consultations", "132250", "2026-11", 42);
  RecordCount("rim_consultations", "132080", "2026-11", 5);
  const std::string file = tmp_->Sub("rim_consultations.csv");
  CliResult r = Run({"indicator", "export", "--code", "rim_consultations", "-f", file});
  ASSERT_EQ(r.exit_code, 0) << r;
  r = Run({"indicator", "import", file});
  EXPECT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(r.out, HasSubstr("2 行、記録 0、変更なし 1、エラー 0"));
  EXPECT_THAT(r.out, HasSubstr("秘匿されたセル 1 行は取り込みませんでした"));
  r = Run({"-o", "json", "indicator", "history", "rim_consultations", "--jurisdiction", "132080",
           "--period", "2026-11"});
  ASSERT_EQ(r.exit_code, 0) << r;
  v1::ObservationHistory h;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(r.out, &h).ok()) << r;
  ASSERT_EQ(h.versions_size(), 1);
  EXPECT_DOUBLE_EQ(h.versions(0).value(), 5);
}

TEST_F(RenkeictlIndicatorTest, ImportListsEveryBadRowWithItsNumberAndField) {
  DefineRatio("imp_home_death_rate");
  const std::string file = tmp_->Sub("imp_rows.csv");
  {
    std::ofstream out(file, std::ios::binary);
    out << kBom
        << "indicator_code,jurisdiction_code,period,value,numerator,denominator\r\n"
           "imp_home_death_rate,132250,2026-11,,3,20\r\n"
           "imp_home_death_rate,132250,2026-Q3,,1,2\r\n"
           "imp_unknown,132250,2026-11,,1,2\r\n"
           "imp_home_death_rate,132080,2026-11,,1,0\r\n"
           "imp_home_death_rate,112020,2026-11,abc,1,2\r\n";
  }
  const std::string rows =
      "  データ 2 行目 [period]: この指標の期間は月 (例 2026-11)です / period does not match the "
      "frequency\n"
      "  データ 3 行目 [indicator_code]: 定義されていない指標です: imp_unknown / unknown "
      "indicator\n"
      "  データ 4 行目 [denominator]: 分母は0より大きい数です / must be > 0\n"
      "  データ 5 行目 [value]: 数値ではありません / not a number\n";
  CliResult r = Run({"indicator", "import", file});
  EXPECT_EQ(r.exit_code, 3) << r;
  EXPECT_EQ(r.out, file +
                       " (CSV (UTF-8, BOM 付き)): エラー 4 行、取り込みませんでした "
                       "(--allow-partial で正しい行のみ取り込めます)\n" +
                       rows);
  r = Run({"indicator", "history", "imp_home_death_rate", "--jurisdiction", "132250", "--period",
           "2026-11"});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(r.out, HasSubstr("記録はありません"));

  r = Run({"indicator", "import", file, "--allow-partial", "--by", "coord-inagi"});
  EXPECT_EQ(r.exit_code, 7) << r;
  EXPECT_EQ(r.out, file + " (CSV (UTF-8, BOM 付き)): 5 行、記録 1、変更なし 0、エラー 4\n" + rows);
  r = Run({"-o", "json", "indicator", "history", "imp_home_death_rate", "--jurisdiction", "132250",
           "--period", "2026-11"});
  ASSERT_EQ(r.exit_code, 0) << r;
  v1::ObservationHistory h;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(r.out, &h).ok()) << r;
  ASSERT_EQ(h.versions_size(), 1);
  EXPECT_DOUBLE_EQ(h.versions(0).value(), 0.15);
  EXPECT_EQ(h.versions(0).recorded_by(), "coord-inagi");
}

TEST_F(RenkeictlIndicatorTest, BadObservationsNameTheirField) {
  DefineRatio("bad_home_death_rate");
  struct Case {
    std::vector<std::string> args;
    std::string field;
  } cases[] = {
      {{"no_such_indicator", "--jurisdiction", "132250", "--period", "2026-11", "--value", "1"},
       "  - observation.indicator_code: 定義されていない指標です: no_such_indicator"},
      {{"bad_home_death_rate", "--jurisdiction", "132250", "--period", "2026-Q3", "--numerator",
        "1", "--denominator", "2"},
       "  - observation.period: この指標の期間は月 (例 2026-11)です"},
      {{"bad_home_death_rate", "--jurisdiction", "132250", "--period", "2026-11", "--numerator",
        "1", "--denominator", "0"},
       "  - observation.denominator: 分母は0より大きい数です"},
  };
  for (const auto& c : cases) {
    std::vector<std::string> args = {"indicator", "record"};
    args.insert(args.end(), c.args.begin(), c.args.end());
    CliResult r = Run(args);
    EXPECT_EQ(r.exit_code, 3) << r;
    EXPECT_THAT(r.out, IsEmpty());
    EXPECT_THAT(r.err, HasSubstr(c.field)) << r;
  }
  CliResult r = Run({"indicator", "history", "bad_home_death_rate", "--jurisdiction", "132250",
                     "--period", "2026-11"});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(r.out, HasSubstr("記録はありません"));

  // What the command line itself can tell: a usage error naming the option.
  struct Usage {
    std::vector<std::string> args;
    std::string message;
  } usages[] = {
      {{"record", "bad_home_death_rate", "--jurisdiction", "132250", "--period", "2026/11",
        "--value", "1"},
       "--period: 期間は 2026-11 (月)、2026-Q3 (四半期)、FY2026 (年度)、2026-11-24 (日)"},
      {{"record", "bad_home_death_rate", "--jurisdiction", "132250", "--period", "2026-11"},
       "--value か --numerator と --denominator"},
      {{"record", "bad_home_death_rate", "--jurisdiction", "132250", "--period", "2026-11",
        "--value", "abc"},
       "数値を指定してください / not a number: abc"},
      {{"define", "bad_new", "--name", "新しい指標", "--kind", "ratio"},
       "--method --frequency --direction"},
      {{"define", "bad_new", "--name", "新しい指標", "--kind", "percent"},
       "count, ratio, mean, survey_score"},
      {{"export", "--format", "xlsx"}, "csv, json"},
  };
  for (const auto& u : usages) {
    std::vector<std::string> args = {"indicator"};
    args.insert(args.end(), u.args.begin(), u.args.end());
    r = Run(args);
    EXPECT_EQ(r.exit_code, 2) << r;
    EXPECT_THAT(r.out, IsEmpty());
    EXPECT_THAT(r.err, HasSubstr(u.message)) << r;
  }
}

TEST_F(RenkeictlIndicatorTest, ProgressShowsAnIssuesIndicatorAgainstBaselineAndTarget) {
  const std::string code = std::string(kIssue) + ".E1";
  CliResult r = Run({"indicator",
                     "define",
                     code,
                     "--name",
                     "家族への説明スキル",
                     "--unit",
                     "点",
                     "--kind",
                     "survey_score",
                     "--method",
                     "survey,test",
                     "--frequency",
                     "quarterly",
                     "--direction",
                     "higher",
                     "--baseline",
                     "2.5",
                     "--baseline-period",
                     "2026-Q3",
                     "--target",
                     "4",
                     "--origin",
                     "expected_change",
                     "--issue",
                     kIssue,
                     "--label",
                     "E1"});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(r.out, "指標 " + code + " を定義しました (版 1、地域課題の期待値)\n");
  for (const auto& [period, value] :
       std::vector<std::pair<std::string, std::string>>{{"2026-Q3", "2.5"}, {"2026-Q4", "3.1"}}) {
    r = Run({"indicator", "record", code, "--jurisdiction", "132250", "--period", period, "--value",
             value, "--denominator", "12", "--source", "スキル調査"});
    ASSERT_EQ(r.exit_code, 0) << r;
    EXPECT_THAT(r.out, HasSubstr(": " + value + " (回答 12) (版 1)"));
  }

  r = Run({"indicator", "list", "--issue", kIssue});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(r.out, AllOf(ContainsRegex(
                               "家族への説明スキル +調査の得点 +四半期ごと +点 "
                               "+高いほど良い +地域課題の期待値 +E1 iss_01JBX000000000000000000001 "
                               "+1\n"),
                           HasSubstr("1 件 / indicators")));

  // (3.1 − 2.5) / (4 − 2.5) = 40%; on the scale 2.5 .. 4 the values are ▁ and ▄.
  r = Run({"indicator", "progress", kIssue, "--jurisdiction", "132250"});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(r.out,
              AllOf(StartsWith("課題 " + std::string(kIssue) + " の指標 (東京都稲城市 (132250))\n"),
                    ContainsRegex("E1 +家族への説明スキル \\(" + code +
                                  "\\) +2\\.5 +4 +3\\.1 \\(2026-Q4\\) +40% +▁▄\n")));
}

TEST_F(RenkeictlIndicatorTest, MissingIndicatorsAndAnUnreachableServiceHaveTheirOwnExitCodes) {
  CliResult r = Run({"indicator", "get", "missing_indicator"});
  EXPECT_EQ(r.exit_code, 4) << r;
  EXPECT_THAT(r.out, IsEmpty());
  EXPECT_THAT(r.err, HasSubstr("指標が見つかりません"));

  r = Run({"--indicators", "127.0.0.1:" + std::to_string(FreePort()), "--timeout", "5", "indicator",
           "list"});
  EXPECT_EQ(r.exit_code, 6) << r;
  EXPECT_THAT(r.err, HasSubstr("サービスに接続できません"));
}

}  // namespace
}  // namespace renkei::testing
