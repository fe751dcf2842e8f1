// `renkeictl sharing ...` and the public-event verbs of `renkeictl training` against Inagi's real
// renkei-network and renkei-training (in this process; a real nats-server, RocksDB in temp dirs):
// a rule published and revised from files, the first version's file saved again byte for byte, a
// notice linking it, a file of another type refused by name; a 人生会議 workshop for residents with
// an awareness item, paper answer sheets before and after, and the results' change. Every text
// renkeictl prints is in the one vocabulary (no enum names).
#include <fstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "harness.h"
#include "renkei/common/clock.h"
#include "renkei/common/dates.h"

namespace renkei::testing {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;

std::string DayFromNow(int days) {
  const int64_t now = common::SystemClock::Get()->NowMicros();
  return common::FormatDate(common::TokyoDate(now + days * 86400LL * 1000000));
}

class RenkeictlSharingTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto nats = NatsServer::Start(tmp_.Sub("nats"));
    ASSERT_TRUE(nats.ok()) << nats.status();
    nats_ = std::move(*nats);
    InstanceSpec spec = InProcess();
    spec.services = {"training", "network"};
    procs_ = std::make_unique<InstanceProcesses>(tmp_.Sub("inagi"), nats_->url(), spec);
    for (const char* s : {"training", "network"}) {
      absl::Status started = procs_->Start(s);
      ASSERT_TRUE(started.ok()) << started;
    }
  }

  CliResult Run(const std::vector<std::string>& args) {
    CliResult r = RunRenkeictl(args,
                               {{"RENKEI_TRAINING", procs_->address("training")},
                                {"RENKEI_NETWORK", procs_->address("network")},
                                {"RENKEI_TOKEN", procs_->DefaultToken()}},
                               tmp_.path(), tmp_.path());
    EXPECT_THAT(VocabularyLeaks(r.out), IsEmpty()) << r;
    return r;
  }

  std::string WriteFile(const std::string& name, const std::string& bytes) {
    std::string path = tmp_.Sub(name);
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
  }

  TempDir tmp_;
  std::unique_ptr<NatsServer> nats_;
  std::unique_ptr<InstanceProcesses> procs_;
};

TEST_F(RenkeictlSharingTest, RulesNoticesAndAWorkshopsAwarenessFromTheCommandLine) {
  const std::string v1_bytes = "%PDF-1.7\n稲城市入退院支援ルール 第1版\n%%EOF\n";
  CliResult r = Run({"sharing", "publish", "--file", WriteFile("入退院支援ルール.pdf", v1_bytes),
                     "--title", "入退院支援ルール", "--kind", "rule", "--audience",
                     "hospital_staff", "--public", "--effective", "2027-04-01"});
  ASSERT_EQ(r.exit_code, 0) << r;
  const std::string doc = FindFirst(r.out, "doc_[0-9A-Z]{26}");
  ASSERT_FALSE(doc.empty()) << r;
  EXPECT_THAT(r.out, HasSubstr("第1版 (2027-04-01 施行)"));
  r = Run({"sharing", "publish", "--id", doc, "--version", "1", "--file",
           WriteFile("入退院支援ルール_改定.pdf", "%PDF-1.7\n第2版\n%%EOF\n"), "--title",
           "入退院支援ルール", "--kind", "rule", "--public", "--note",
           "退院前カンファレンスの連絡を 3 日前までに改めました"});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(r.out, HasSubstr("現行版"));
  EXPECT_THAT(r.out, HasSubstr("旧版"));
  r = Run({"sharing", "documents"});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(r.out, HasSubstr("第2版"));
  r = Run({"sharing", "file", doc, "--version", "1", "--out", tmp_.Sub("saved.pdf")});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_EQ(ReadFile(tmp_.Sub("saved.pdf")), v1_bytes);
  // Another type under the name of a PDF: refused, naming the contents.
  r = Run({"sharing", "publish", "--file", WriteFile("偽物.pdf", "MZ\x90 not a pdf"), "--title",
           "偽物", "--kind", "form"});
  EXPECT_EQ(r.exit_code, 3) << r;
  EXPECT_THAT(r.err, HasSubstr("content"));

  r = Run({"sharing", "notify", "--title", "入退院支援ルールを改定しました", "--body",
           "新しい版をご確認ください。", "--audience", "hospital_staff", "--public", "--link",
           "document|" + doc + "|入退院支援ルール"});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(r.out, HasSubstr("ルール・様式"));
  r = Run({"sharing", "notices"});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(r.out, HasSubstr("入退院支援ルールを改定しました"));
  // No SMTP server in this instance: the list cannot confirm addresses, and says so.
  r = Run({"sharing", "subscribe", "cm@kyotaku.example.jp"});
  EXPECT_EQ(r.exit_code, 5) << r;
  EXPECT_THAT(r.err, HasSubstr("mail.smtp_url"));

  const std::string day = DayFromNow(21);
  r = Run({"training", "create", "--title", "人生会議 (ACP) ワークショップ", "--audience",
           "residents", "--one-course", "--public-event", "yes", "--theme", "ACP", "--awareness",
           "acp=人生会議 (ACP) を知っている", "--session",
           "start=" + day + " 14:00,end=16:00,venue=稲城市地域振興プラザ,capacity=30"});
  ASSERT_EQ(r.exit_code, 0) << r;
  const std::string trn = FindFirst(r.out, "trn_[0-9A-Z]{26}");
  r = Run({"training", "events", "--theme", "ACP"});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(r.out, HasSubstr("人生会議 (ACP) ワークショップ"));
  EXPECT_THAT(r.out, HasSubstr("受付中"));
  for (const auto& [phase, likert] :
       std::vector<std::pair<std::string, std::string>>{{"before", "2"}, {"after", "5"}}) {
    r = Run({"training", "answer-sheet", trn, "--phase", phase, "--answer", "acp=" + likert});
    ASSERT_EQ(r.exit_code, 0) << r;
  }
  r = Run({"training", "answer-sheet", trn, "--answer", "acp=9"});
  EXPECT_EQ(r.exit_code, 2) << r;  // a usage error: not 1..5
  r = Run({"training", "awareness", trn});
  ASSERT_EQ(r.exit_code, 0) << r;
  EXPECT_THAT(r.out, HasSubstr("参加前 1 枚、参加後 1 枚"));
  EXPECT_THAT(r.out, HasSubstr("+100 ポイント"));
}

}  // namespace
}  // namespace renkei::testing
