#include "renkei/common/requests.h"

#include <sodium.h>

#include <atomic>
#include <thread>

#include "gmock/gmock.h"
#include "google/protobuf/io/coded_stream.h"
#include "google/protobuf/io/zero_copy_stream_impl_lite.h"
#include "google/rpc/error_details.pb.h"
#include "gtest/gtest.h"
#include "renkei/common/at_rest.h"
#include "renkei/common/keys.h"
#include "renkei/common/outbox.h"
#include "renkei/common/table.h"
#include "renkei/common/validation.h"
#include "renkei/v1/intake.pb.h"
#include "renkei/v1/options.pb.h"
#include "renkei/v1/storage.pb.h"
#include "testing.h"

namespace renkei::common {
namespace {

using ::testing::HasSubstr;
using testing::StatusIs;
using testing::StoreEntriesContaining;
using testing::TempDir;
using testing::TestSealer;

// A store with the outbox and the ledger, and a command that creates a consultation the way a
// service does: one CommandBatch, its answer handed to the batch.
class RequestLedgerTest : public ::testing::Test {
 protected:
  RequestLedgerTest() : sealer_(tmp_.Sub("keys")), clock_(1'800'000'000'000'000) {
    std::vector<std::string> cfs = OutboxColumnFamilies();
    for (const auto& cf : RequestLedger::ColumnFamilies()) cfs.push_back(cf);
    cfs.push_back("things");
    cfs.push_back("consultations");
    store_ = std::move(*Store::Open({.path = tmp_.Sub("db"), .column_families = cfs}));
    outbox_ = std::make_unique<Outbox>(store_.get());
    RequestLedgerOptions options;
    options.window_micros = 3600LL * 1000000;
    ledger_ = std::make_unique<RequestLedger>(store_.get(), sealer_.get(), options, &clock_);
    consultations_ = std::make_unique<Table<v1::Consultation>>(
        store_.get(), sealer_.get(), "consultations", RecordName{"相談", "consultation"});
  }

  // Like Run, but the command stores the consultation and answers with the stored record
  // (Table::PutAnswer) — the way the services' creates do.
  absl::Status RunStored(const v1::CreateConsultationRequest& r, v1::Consultation* out) {
    return ledger_->Run("c", r, out, [&](google::protobuf::Message* response) {
      const int n = ++executions_;
      v1::Consultation c;
      c.set_id("con_" + std::to_string(n));
      *c.mutable_person() = r.person();
      c.set_version(1);
      CommandBatch cmd(store_.get(), outbox_.get());
      consultations_->PutAnswer(&cmd, c.id(), c);
      if (absl::Status s = cmd.Commit(); !s.ok()) return s;
      response->CopyFrom(c);
      return absl::OkStatus();
    });
  }

  // The stored value of the only request record.
  std::string OnlyRecordValue() {
    std::vector<std::string> values;
    auto it = store_->NewIterator(store_->Cf("requests"));
    for (it->SeekToFirst(); it->Valid(); it->Next()) values.emplace_back(it->value());
    EXPECT_EQ(values.size(), 1u);
    return values.empty() ? "" : values[0];
  }

  static v1::CreateConsultationRequest Request(const std::string& id, const std::string& name) {
    v1::CreateConsultationRequest r;
    r.set_request_id(id);
    r.set_channel(v1::CHANNEL_PHONE);
    r.mutable_person()->set_name(name);
    return r;
  }

  // Runs the request; the command writes one "things" key per execution and answers a
  // consultation carrying a sequence number (so that two executions answer differently).
  absl::Status Run(const std::string& caller, const v1::CreateConsultationRequest& r,
                   v1::Consultation* out, bool set_answer = true) {
    return ledger_->Run(caller, r, out, [&](google::protobuf::Message* response) {
      const int n = ++executions_;
      v1::Consultation c;
      c.set_id("con_" + std::to_string(n));
      *c.mutable_person() = r.person();
      c.set_version(n);
      CommandBatch cmd(store_.get(), outbox_.get());
      cmd.batch().Put(store_->Cf("things"), c.id(), "x");
      if (set_answer) cmd.SetAnswer(c);
      if (absl::Status s = cmd.Commit(); !s.ok()) return s;
      response->CopyFrom(c);
      return absl::OkStatus();
    });
  }

  int Things() {
    int n = 0;
    auto it = store_->NewIterator(store_->Cf("things"));
    for (it->SeekToFirst(); it->Valid(); it->Next()) ++n;
    return n;
  }

  TempDir tmp_;
  TestSealer sealer_;
  FakeClock clock_;
  std::unique_ptr<Store> store_;
  std::unique_ptr<Outbox> outbox_;
  std::unique_ptr<RequestLedger> ledger_;
  std::unique_ptr<Table<v1::Consultation>> consultations_;
  std::atomic<int> executions_{0};
};

TEST_F(RequestLedgerTest, SameIdSameRequestAnswersTheFirstAnswerAndAppliesOnce) {
  v1::Consultation first, second;
  ASSERT_TRUE(Run("coordinator-1", Request("req-0001-aaaa", "稲城 太郎"), &first).ok());
  ASSERT_TRUE(Run("coordinator-1", Request("req-0001-aaaa", "稲城 太郎"), &second).ok());
  EXPECT_EQ(executions_, 1);
  EXPECT_EQ(Things(), 1);
  EXPECT_EQ(first.SerializeAsString(), second.SerializeAsString());
  EXPECT_EQ(second.person().name(), "稲城 太郎");
  EXPECT_EQ(ledger_->replays(), 1u);
}

TEST_F(RequestLedgerTest, SameIdOtherRequestIsRefusedNamingRequestId) {
  v1::Consultation out;
  ASSERT_TRUE(Run("coordinator-1", Request("req-0002-aaaa", "稲城 太郎"), &out).ok());
  absl::Status s = Run("coordinator-1", Request("req-0002-aaaa", "稲城 花子"), &out);
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_THAT(std::string(s.message()), HasSubstr("request_id"));
  auto payload = s.GetPayload("type.googleapis.com/google.rpc.PreconditionFailure");
  ASSERT_TRUE(payload.has_value());
  google::rpc::PreconditionFailure detail;
  ASSERT_TRUE(detail.ParseFromString(std::string(*payload)));
  ASSERT_EQ(detail.violations_size(), 1);
  EXPECT_EQ(detail.violations(0).type(), "REQUEST_ID_REUSED");
  EXPECT_EQ(detail.violations(0).subject(), "request_id");
  EXPECT_EQ(executions_, 1);
}

TEST_F(RequestLedgerTest, IdsAreTheCallersOwn) {
  v1::Consultation a, b;
  ASSERT_TRUE(Run("coordinator-1", Request("req-0003-aaaa", "稲城 太郎"), &a).ok());
  ASSERT_TRUE(Run("coordinator-2", Request("req-0003-aaaa", "稲城 太郎"), &b).ok());
  EXPECT_EQ(executions_, 2);
  EXPECT_NE(a.id(), b.id());
}

TEST_F(RequestLedgerTest, WithoutIdEveryCallApplies) {
  v1::Consultation out;
  ASSERT_TRUE(Run("coordinator-1", Request("", "稲城 太郎"), &out).ok());
  ASSERT_TRUE(Run("coordinator-1", Request("", "稲城 太郎"), &out).ok());
  EXPECT_EQ(executions_, 2);
}

TEST_F(RequestLedgerTest, MalformedIdIsInvalidArgumentNamingTheField) {
  v1::Consultation out;
  for (const std::string& id :
       std::vector<std::string>{"short", std::string(65, 'a'), "has space 123", "日本語のIDです"}) {
    absl::Status s = Run("coordinator-1", Request(id, "稲城 太郎"), &out);
    EXPECT_THAT(s, StatusIs(absl::StatusCode::kInvalidArgument)) << id;
    auto violations = FieldViolationsOf(s);
    ASSERT_EQ(violations.size(), 1u) << id;
    EXPECT_EQ(violations[0].first, "request_id") << id;
  }
  EXPECT_EQ(executions_, 0);
  EXPECT_TRUE(IsWellFormedRequestId("0c1f4a7e-8b7d-4d2e-9d55-2a1b3c4d5e6f"));
  EXPECT_TRUE(IsWellFormedRequestId("req_01JB8Z3N7Q9XK4M2P5R6S7T8V9"));
}

TEST_F(RequestLedgerTest, ACommandThatFailedLeavesNoRecordAndRunsAgain) {
  v1::Consultation out;
  absl::Status s =
      ledger_->Run("c", Request("req-0004-aaaa", "x"), &out,
                   [](google::protobuf::Message*) { return absl::InvalidArgumentError("bad"); });
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kInvalidArgument));
  ASSERT_TRUE(Run("c", Request("req-0004-aaaa", "x"), &out).ok());
  EXPECT_EQ(executions_, 1);
}

// The answer is durable with the command, not with its delivery: a command whose caller never
// got the answer (the process died after the commit, the connection dropped) is answered from
// the record, also by a new process over the same store.
TEST_F(RequestLedgerTest, CommittedCommandIsAnsweredAfterTheAnswerWasLostAndAfterAReopen) {
  v1::Consultation lost;
  absl::Status s = ledger_->Run("c", Request("req-0005-aaaa", "稲城 太郎"), &lost,
                                [&](google::protobuf::Message*) {
                                  v1::Consultation c;
                                  c.set_id("con_committed");
                                  c.mutable_person()->set_name("稲城 太郎");
                                  CommandBatch cmd(store_.get(), outbox_.get());
                                  cmd.batch().Put(store_->Cf("things"), c.id(), "x");
                                  cmd.SetAnswer(c);
                                  if (absl::Status w = cmd.Commit(); !w.ok()) return w;
                                  return absl::UnavailableError("connection dropped");
                                });
  EXPECT_THAT(s, StatusIs(absl::StatusCode::kUnavailable));
  ledger_.reset();
  outbox_.reset();
  const std::string path = store_->path();
  store_.reset();
  std::vector<std::string> cfs = OutboxColumnFamilies();
  for (const auto& cf : RequestLedger::ColumnFamilies()) cfs.push_back(cf);
  cfs.push_back("things");
  store_ = std::move(*Store::Open({.path = path, .column_families = cfs}));
  outbox_ = std::make_unique<Outbox>(store_.get());
  ledger_ =
      std::make_unique<RequestLedger>(store_.get(), sealer_.get(), RequestLedgerOptions{}, &clock_);
  v1::Consultation answer;
  ASSERT_TRUE(Run("c", Request("req-0005-aaaa", "稲城 太郎"), &answer).ok());
  EXPECT_EQ(executions_, 0);
  EXPECT_EQ(answer.id(), "con_committed");
  EXPECT_EQ(answer.person().name(), "稲城 太郎");
}

TEST_F(RequestLedgerTest, AnswersAreSealedAtRest) {
  v1::Consultation out;
  ASSERT_TRUE(Run("c", Request("req-0006-aaaa", "稲城 秘密太郎"), &out).ok());
  EXPECT_THAT(StoreEntriesContaining(*store_, "秘密太郎"), ::testing::IsEmpty());
}

TEST_F(RequestLedgerTest, ConcurrentRetriesWithOneIdApplyOnce) {
  std::vector<std::thread> threads;
  threads.reserve(8);
  std::vector<v1::Consultation> answers(8);
  std::vector<absl::Status> statuses(8);
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back(
        [&, i] { statuses[i] = Run("c", Request("req-0007-aaaa", "稲城 太郎"), &answers[i]); });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(executions_, 1);
  for (int i = 0; i < 8; ++i) {
    EXPECT_TRUE(statuses[i].ok()) << statuses[i];
    EXPECT_EQ(answers[i].SerializeAsString(), answers[0].SerializeAsString());
  }
}

TEST_F(RequestLedgerTest, ACommandThatChangedNothingStillTakesItsId) {
  auto noop = [&](const v1::CreateConsultationRequest& r, v1::Consultation* out) {
    return ledger_->Run("c", r, out, [&](google::protobuf::Message* response) {
      ++executions_;
      static_cast<v1::Consultation*>(response)->set_id("con_unchanged");
      return absl::OkStatus();
    });
  };
  v1::Consultation first, again, other;
  ASSERT_TRUE(noop(Request("req-0010-aaaa", "x"), &first).ok());
  ASSERT_TRUE(noop(Request("req-0010-aaaa", "x"), &again).ok());
  EXPECT_EQ(executions_, 1);
  EXPECT_EQ(again.id(), "con_unchanged");
  EXPECT_THAT(noop(Request("req-0010-aaaa", "y"), &other),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_EQ(executions_, 1);
}

TEST_F(RequestLedgerTest, AnAnswerNotHandedToTheBatchIsStillRecordedAfterwards) {
  v1::Consultation first, second;
  ASSERT_TRUE(Run("c", Request("req-0008-aaaa", "x"), &first, /*set_answer=*/false).ok());
  ASSERT_TRUE(Run("c", Request("req-0008-aaaa", "x"), &second).ok());
  EXPECT_EQ(executions_, 1);
  EXPECT_EQ(first.SerializeAsString(), second.SerializeAsString());
}

TEST_F(RequestLedgerTest, RecordsExpireAfterTheWindowAndArePruned) {
  v1::Consultation out;
  ASSERT_TRUE(Run("c", Request("req-0009-aaaa", "x"), &out).ok());
  clock_.AdvanceMicros(3599LL * 1000000);
  ASSERT_TRUE(Run("c", Request("req-0009-aaaa", "x"), &out).ok());
  EXPECT_EQ(executions_, 1);
  auto pruned = ledger_->Prune();
  ASSERT_TRUE(pruned.ok());
  EXPECT_EQ(*pruned, 0);
  clock_.AdvanceMicros(2LL * 1000000);
  pruned = ledger_->Prune();
  ASSERT_TRUE(pruned.ok());
  EXPECT_EQ(*pruned, 1);
  int left = 0;
  auto it = store_->NewIterator(store_->Cf("requests"));
  for (it->SeekToFirst(); it->Valid(); it->Next()) ++left;
  EXPECT_EQ(left, 0);
  ASSERT_TRUE(Run("c", Request("req-0009-aaaa", "x"), &out).ok());
  EXPECT_EQ(executions_, 2);
}

// An answer that is the stored record is not copied into the request's record: a retry reads the
// record (as it is then); a deleted one answers ALREADY_EXISTS, not a second execution.
TEST_F(RequestLedgerTest, AStoredAnswerIsNamedNotCopied) {
  const std::string narrative(2000, 'n');
  auto r = Request("req-0010-aaaa", "稲城 太郎");
  r.set_narrative(narrative);
  v1::Consultation first, second;
  ASSERT_TRUE(RunStored(r, &first).ok());
  // The request's record holds its fingerprint and the record's name: far smaller than the
  // answer, and nothing personal, so stored plain.
  const std::string stored = OnlyRecordValue();
  EXPECT_LT(stored.size(), 200u);
  EXPECT_EQ(RecordSealer::Inspect(stored).kind, RecordSealer::Inspection::Kind::kPlain);
  v1::RequestRecord record;
  ASSERT_TRUE(record.ParseFromString(stored));
  EXPECT_TRUE(record.request_hash().empty());
  EXPECT_TRUE(record.answer().empty());
  EXPECT_EQ(record.answer_family(), "consultations");
  EXPECT_EQ(record.answer_key(), first.id());
  EXPECT_GT(record.at_micros(), 0);
  EXPECT_EQ(record.fingerprint_key_id(), sealer_.keys().newest_id());
  // The fingerprint is keyed: the plain hash of the request is not it.
  ASSERT_EQ(record.request_fingerprint().size(), 32u);
  EXPECT_EQ(record.request_fingerprint(),
            sealer_.get()
                ->FingerprintOf({v1::CreateConsultationRequest::descriptor()->full_name(),
                                 [&] {
                                   std::string body;
                                   google::protobuf::io::StringOutputStream out(&body);
                                   google::protobuf::io::CodedOutputStream coded(&out);
                                   coded.SetSerializationDeterministic(true);
                                   r.SerializeToCodedStream(&coded);
                                   coded.Trim();
                                   return body;
                                 }()})
                .digest);
  ASSERT_TRUE(RunStored(r, &second).ok());
  EXPECT_EQ(executions_, 1);
  EXPECT_EQ(first.SerializeAsString(), second.SerializeAsString());
  EXPECT_EQ(second.person().name(), "稲城 太郎");

  // Changed since: the retry is answered with the record as it is now.
  v1::Consultation changed = first;
  changed.set_version(2);
  Batch b;
  consultations_->Put(&b, changed.id(), changed);
  ASSERT_TRUE(store_->Write(b, Durability::kSync).ok());
  v1::Consultation third;
  ASSERT_TRUE(RunStored(r, &third).ok());
  EXPECT_EQ(third.version(), 2);
  EXPECT_EQ(executions_, 1);

  // Gone since: already applied, not applied again.
  Batch d;
  consultations_->Delete(&d, changed.id());
  ASSERT_TRUE(store_->Write(d, Durability::kSync).ok());
  v1::Consultation fourth;
  EXPECT_THAT(RunStored(r, &fourth), StatusIs(absl::StatusCode::kAlreadyExists));
  EXPECT_EQ(executions_, 1);

  // Another request under the same id is still refused.
  auto other = Request("req-0010-aaaa", "稲城 花子");
  EXPECT_THAT(RunStored(other, &fourth), StatusIs(absl::StatusCode::kFailedPrecondition));
}

// Records of earlier versions hold a sealed plain hash of the request instead of a fingerprint:
// a retry within the window is still answered, another request under the id still refused.
TEST_F(RequestLedgerTest, RecordsOfEarlierVersionsStillAnswer) {
  auto r = Request("req-0012-aaaa", "稲城 太郎");
  std::string body;
  {
    google::protobuf::io::StringOutputStream out(&body);
    google::protobuf::io::CodedOutputStream coded(&out);
    coded.SetSerializationDeterministic(true);
    r.SerializeToCodedStream(&coded);
  }
  std::string hash(crypto_generichash_BYTES, '\0');
  const std::string input =
      v1::CreateConsultationRequest::descriptor()->full_name() + std::string(1, '\0') + body;
  crypto_generichash(reinterpret_cast<unsigned char*>(hash.data()), hash.size(),
                     reinterpret_cast<const unsigned char*>(input.data()), input.size(), nullptr,
                     0);
  v1::Consultation answer;
  answer.set_id("con_earlier");
  answer.mutable_person()->set_name("稲城 太郎");
  v1::RequestRecord clear, personal;
  clear.set_at_micros(clock_.NowMicros());
  clear.set_answered(true);
  personal.set_request_hash(hash);
  personal.set_answer(answer.SerializeAsString());
  const std::string key = KeyBuilder().Str("r").Str("c").Str(r.request_id()).Release();
  Batch b;
  b.Put(store_->Cf("requests"), key, sealer_.get()->SealSplit("requests", key, clear, personal));
  ASSERT_TRUE(store_->Write(b, Durability::kSync).ok());
  ledger_ =
      std::make_unique<RequestLedger>(store_.get(), sealer_.get(), RequestLedgerOptions{}, &clock_);

  v1::Consultation out;
  ASSERT_TRUE(Run("c", r, &out).ok());
  EXPECT_EQ(executions_, 0);
  EXPECT_EQ(out.id(), "con_earlier");
  EXPECT_THAT(Run("c", Request("req-0012-aaaa", "稲城 花子"), &out),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_EQ(executions_, 0);
}

// A record fingerprinted under a key that is no longer the newest (keys were rotated since) is
// compared under its own key.
TEST_F(RequestLedgerTest, RecordsFingerprintedUnderAnOlderKeyStillAnswer) {
  v1::Consultation first, second;
  ASSERT_TRUE(Run("c", Request("req-0013-aaaa", "稲城 太郎"), &first).ok());
  const std::string dir = tmp_.Sub("keys");
  ASSERT_TRUE(DataKeys::Create(dir, "dk99991231T000000000000Z-00000000").ok());
  auto keys = DataKeys::Load(dir, /*create_if_empty=*/false);
  ASSERT_TRUE(keys.ok());
  ASSERT_EQ((*keys)->newest_id(), "dk99991231T000000000000Z-00000000");
  RecordSealer rotated(keys->get());
  ledger_ =
      std::make_unique<RequestLedger>(store_.get(), &rotated, RequestLedgerOptions{}, &clock_);
  ASSERT_TRUE(Run("c", Request("req-0013-aaaa", "稲城 太郎"), &second).ok());
  EXPECT_EQ(executions_, 1);
  EXPECT_EQ(first.SerializeAsString(), second.SerializeAsString());
  EXPECT_THAT(Run("c", Request("req-0013-aaaa", "稲城 花子"), &second),
              StatusIs(absl::StatusCode::kFailedPrecondition));
  EXPECT_EQ(executions_, 1);
  ledger_.reset();
}

// Stores written by earlier versions hold a time key per record: pruning removes them.
TEST_F(RequestLedgerTest, PruningRemovesTheTimeKeysOfEarlierVersions) {
  Batch b;
  b.Put(store_->Cf("requests"), KeyBuilder().Str("t").I64(1).Str("c").Str("req-old-1").Release(),
        "");
  ASSERT_TRUE(store_->Write(b, Durability::kSync).ok());
  v1::Consultation out;
  ASSERT_TRUE(Run("c", Request("req-0011-aaaa", "x"), &out).ok());
  ASSERT_TRUE(ledger_->Prune().ok());
  int left = 0;
  auto it = store_->NewIterator(store_->Cf("requests"));
  for (it->SeekToFirst(); it->Valid(); it->Next()) ++left;
  EXPECT_EQ(left, 1);  // the new record only
}

// The ledger splits its records by hand (requests.cc, RecordValue): the fields it treats as
// personal must be exactly those storage.proto marks (the hash is only read, from records of
// earlier versions).
TEST(RequestRecordFields, ThePersonalOnesAreTheHashAndTheAnswer) {
  std::vector<std::string> personal;
  const auto* d = v1::RequestRecord::descriptor();
  for (int i = 0; i < d->field_count(); ++i) {
    if (d->field(i)->options().GetExtension(v1::personal)) personal.push_back(d->field(i)->name());
  }
  EXPECT_THAT(personal, ::testing::ElementsAre("request_hash", "answer"));
}

TEST(UndeclaredCommands, EveryRpcReadsOrTakesARequestId) {
  EXPECT_THAT(UndeclaredCommands(), ::testing::IsEmpty());
}

}  // namespace
}  // namespace renkei::common
