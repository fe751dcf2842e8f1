// Bad input into every RPC of every service, from one table (issue 16, acceptance 4), against the
// real service binaries of a municipal instance (Inagi, 132250) on a real nats-server, and the
// real renkei-training of a national instance for the one RPC only the nation answers OK.
//
// A row is an RPC, its request (protobuf text format with ${placeholders} filled from the
// fixture, or raw bytes), the role that calls, the status code expected and its machine-readable
// detail:
//   INVALID_ARGUMENT     google.rpc.BadRequest field paths, in request terms ("person.name")
//   FAILED_PRECONDITION  google.rpc.PreconditionFailure subject (the field naming the record)
//   NOT_FOUND            google.rpc.ResourceInfo resource_name (the id)
//   ABORTED              google.rpc.ErrorInfo STALE_VERSION, metadata expected/actual_version
// Every RPC of every service needs a bad-input row and a row answered OK, so a new RPC without
// rows fails EveryRpcHasABadInputRowAndAValidRow. A command's OK row (its request has
// request_id) is sent again with the same request id (the same answer byte for byte, nothing
// applied twice), with the same id and another body (FAILED_PRECONDITION naming request_id) and
// with malformed ids (INVALID_ARGUMENT naming request_id).
#include <chrono>
#include <cstdio>
#include <cstring>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/io/tokenizer.h"
#include "google/protobuf/message.h"
#include "google/protobuf/text_format.h"
#include "google/rpc/error_details.pb.h"
#include "google/rpc/status.pb.h"
#include "grpcpp/generic/generic_stub.h"
#include "gtest/gtest.h"
#include "harness.h"
#include "renkei/common/auth.h"
#include "renkei/common/clock.h"
#include "renkei/common/dates.h"
#include "renkei/common/ids.h"
#include "renkei/v1/admin.pb.h"
#include "renkei/v1/directory.pb.h"
#include "renkei/v1/indicators.pb.h"
#include "renkei/v1/intake.pb.h"
#include "renkei/v1/issues.pb.h"
#include "renkei/v1/resource_survey.pb.h"
#include "renkei/v1/training.pb.h"

namespace renkei::testing {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using Code = grpc::StatusCode;

constexpr char kInagi[] = "132250";
constexpr v1::Role kStaff = v1::ROLE_MUNICIPAL_STAFF;

// --- raw protobuf bytes ---------------------------------------------------------------------

std::string Varint(uint64_t v) {
  std::string out;
  while (v >= 0x80) {
    out.push_back(static_cast<char>((v & 0x7F) | 0x80));
    v >>= 7;
  }
  out.push_back(static_cast<char>(v));
  return out;
}
std::string Tag(int field, int wire_type) {
  return Varint((static_cast<uint64_t>(field) << 3) | static_cast<uint64_t>(wire_type));
}
std::string BytesField(int field, const std::string& value) {
  return Tag(field, 2) + Varint(value.size()) + value;
}
std::string VarintField(int field, uint64_t value) { return Tag(field, 0) + Varint(value); }
// `depth` start-group tags of the unused field 9 (wire type 3: 0x4B), then their end-group tags.
std::string NestedGroups(int depth) {
  return std::string(depth, '\x4B') + std::string(depth, '\x4C');
}
// A length prefix promising more bytes than follow: no message parses from it.
const char kTruncated[] =
    "\x0A\x05"
    "ab";

// --- fixture values -------------------------------------------------------------------------

class Values {
 public:
  void Set(const std::string& name, std::string value) { values_[name] = std::move(value); }
  std::string Get(const std::string& name) const {
    auto it = values_.find(name);
    if (it == values_.end()) {
      ADD_FAILURE() << "no fixture value ${" << name << "}";
      return "";
    }
    return it->second;
  }
  // `text` with every ${name} replaced by its value.
  std::string Resolve(const std::string& text) const {
    std::string out;
    size_t pos = 0;
    for (;;) {
      size_t open = text.find("${", pos);
      if (open == std::string::npos) break;
      size_t close = text.find('}', open);
      if (close == std::string::npos) break;
      out += text.substr(pos, open - pos) + Get(text.substr(open + 2, close - open - 2));
      pos = close + 1;
    }
    return out + text.substr(pos);
  }

 private:
  std::map<std::string, std::string> values_;
};

std::string DateText(const v1::Date& d) {
  return "year: " + std::to_string(d.year()) + " month: " + std::to_string(d.month()) +
         " day: " + std::to_string(d.day());
}
// The request fields naming a consultation, issue, ... and the version read.
template <typename T>
std::string Ref(const T& record) {
  return "id: \"" + record.id() + "\" expected_version: " + std::to_string(record.version());
}

// --- calls ----------------------------------------------------------------------------------

struct Answer {
  grpc::Status status;
  std::vector<std::string> responses;  // every response message, as received
  std::string Bytes() const {
    std::string out;
    for (const auto& r : responses) out += Varint(r.size()) + r;
    return out;
  }
};

// What an error carries besides its code and message.
struct Details {
  std::vector<std::string> fields;     // BadRequest field violations
  std::vector<std::string> subjects;   // PreconditionFailure violations
  std::vector<std::string> resources;  // ResourceInfo resource_name
  std::string reason;                  // ErrorInfo
  std::map<std::string, std::string> metadata;
};

Details DetailsOf(const grpc::Status& status) {
  Details out;
  google::rpc::Status detail;
  if (status.error_details().empty() || !detail.ParseFromString(status.error_details())) return out;
  for (const auto& any : detail.details()) {
    auto is = [&](const char* type) {
      const std::string suffix = std::string("/") + type;
      return any.type_url().size() >= suffix.size() &&
             any.type_url().compare(any.type_url().size() - suffix.size(), suffix.size(), suffix) ==
                 0;
    };
    if (is("google.rpc.BadRequest")) {
      google::rpc::BadRequest bad;
      if (bad.ParseFromString(any.value())) {
        for (const auto& v : bad.field_violations()) out.fields.push_back(v.field());
      }
    } else if (is("google.rpc.PreconditionFailure")) {
      google::rpc::PreconditionFailure failure;
      if (failure.ParseFromString(any.value())) {
        for (const auto& v : failure.violations()) out.subjects.push_back(v.subject());
      }
    } else if (is("google.rpc.ResourceInfo")) {
      google::rpc::ResourceInfo info;
      if (info.ParseFromString(any.value())) out.resources.push_back(info.resource_name());
    } else if (is("google.rpc.ErrorInfo")) {
      google::rpc::ErrorInfo info;
      if (info.ParseFromString(any.value())) {
        out.reason = info.reason();
        out.metadata = {info.metadata().begin(), info.metadata().end()};
      }
    }
  }
  return out;
}

std::string Describe(const Answer& a) {
  const Details d = DetailsOf(a.status);
  std::string out =
      "answered " + std::to_string(a.status.error_code()) + " \"" + a.status.error_message() + "\"";
  for (const auto& f : d.fields) out += " [field " + f + "]";
  for (const auto& s : d.subjects) out += " [subject " + s + "]";
  for (const auto& r : d.resources) out += " [resource " + r + "]";
  if (!d.reason.empty()) out += " [reason " + d.reason + "]";
  for (const auto& [k, v] : d.metadata) absl::StrAppend(&out, " [", k, "=", v, "]");
  return out;
}

std::string ToString(const grpc::ByteBuffer& buffer) {
  std::vector<grpc::Slice> slices;
  if (!buffer.Dump(&slices).ok()) return "";
  std::string out;
  for (const auto& s : slices) out.append(reinterpret_cast<const char*>(s.begin()), s.size());
  return out;
}

// Calls any method, unary or streaming, with `requests` as the request messages' bytes.
Answer Call(const std::shared_ptr<grpc::Channel>& channel, const std::string& method,
            const std::vector<std::string>& requests) {
  grpc::GenericStub stub(channel);
  grpc::CompletionQueue cq;
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  auto call = stub.PrepareCall(&ctx, method, &cq);
  void* tag = nullptr;
  bool ok = false;
  call->StartCall(reinterpret_cast<void*>(1));
  cq.Next(&tag, &ok);
  for (const auto& r : requests) {
    grpc::Slice slice(r);
    grpc::ByteBuffer buffer(&slice, 1);
    call->Write(buffer, reinterpret_cast<void*>(2));
    cq.Next(&tag, &ok);
    if (!ok) break;  // the server has finished the call
  }
  call->WritesDone(reinterpret_cast<void*>(3));
  cq.Next(&tag, &ok);
  Answer answer;
  for (;;) {
    grpc::ByteBuffer response;
    call->Read(&response, reinterpret_cast<void*>(4));
    cq.Next(&tag, &ok);
    if (!ok) break;
    answer.responses.push_back(ToString(response));
  }
  call->Finish(&answer.status, reinterpret_cast<void*>(5));
  cq.Next(&tag, &ok);
  cq.Shutdown();
  while (cq.Next(&tag, &ok)) {
  }
  return answer;
}

const google::protobuf::MethodDescriptor* MethodOf(const std::string& path) {
  // "/renkei.v1.IntakeService/CreateConsultation" -> "renkei.v1.IntakeService.CreateConsultation"
  if (path.size() < 2) return nullptr;
  std::string name = path.substr(1);
  const size_t slash = name.find('/');
  if (slash == std::string::npos) return nullptr;
  name[slash] = '.';
  return google::protobuf::DescriptorPool::generated_pool()->FindMethodByName(name);
}

bool IsCommand(const google::protobuf::MethodDescriptor& m) {
  return !m.client_streaming() && m.input_type()->FindFieldByName("request_id") != nullptr;
}

class ParseErrors : public google::protobuf::io::ErrorCollector {
 public:
  void AddError(int line, google::protobuf::io::ColumnNumber column,
                const std::string& message) override {
    text += std::to_string(line + 1) + ":" + std::to_string(column + 1) + ": " + message + "; ";
  }
  std::string text;
};

// The request message of `method` from text format, with `request_id` set when given.
absl::StatusOr<std::string> Serialize(const google::protobuf::MethodDescriptor& method,
                                      const std::string& text, const std::string& request_id) {
  std::unique_ptr<google::protobuf::Message> message(
      google::protobuf::MessageFactory::generated_factory()
          ->GetPrototype(method.input_type())
          ->New());
  google::protobuf::TextFormat::Parser parser;
  ParseErrors errors;
  parser.RecordErrorsTo(&errors);
  if (!parser.ParseFromString(text, message.get())) {
    return absl::InvalidArgumentError("text format of " + method.input_type()->full_name() + ": " +
                                      errors.text + " in: " + text);
  }
  if (!request_id.empty()) {
    const auto* field = method.input_type()->FindFieldByName("request_id");
    if (field == nullptr) return absl::InvalidArgumentError("no request_id field");
    message->GetReflection()->SetString(message.get(), field, request_id);
  }
  return message->SerializeAsString();
}

// --- the environment: processes, channels, fixture ------------------------------------------

enum class At { kInagi, kNation };

class Env {
 public:
  void Start();
  void Build();

  std::shared_ptr<grpc::Channel> Channel(At at, const std::string& service, v1::Role role) {
    const std::string key = std::to_string(static_cast<int>(at)) + "/" + service + "/" +
                            std::to_string(static_cast<int>(role));
    auto& channel = channels_[key];
    if (!channel) channel = (at == At::kInagi ? inagi : nation)->channel(service, role);
    return channel;
  }

  // Calls `method` ("IntakeService/CreateConsultation") with `text` (placeholders resolved) and
  // expects OK; the first response.
  template <typename T>
  T Do(const std::string& method, const std::string& text, v1::Role role = kStaff,
       At at = At::kInagi) {
    const std::string path = "/renkei.v1." + method;
    const auto* m = MethodOf(path);
    T out;
    if (m == nullptr) {
      ADD_FAILURE() << "no method " << path;
      return out;
    }
    auto request = Serialize(*m, values.Resolve(text), "");
    if (!request.ok()) {
      ADD_FAILURE() << request.status();
      return out;
    }
    Answer a = Call(Channel(at, ServiceOf(method), role), path, {*request});
    if (!a.status.ok() || a.responses.empty() || !out.ParseFromString(a.responses[0])) {
      ADD_FAILURE() << "fixture: " << method << " " << text << ": " << Describe(a);
    }
    return out;
  }

  // The binary that serves a service's RPCs (the AdminService: intake, unless a row says).
  static std::string ServiceOf(const std::string& method) {
    static const std::map<std::string, std::string> services = {
        {"DirectoryService", "directory"},
        {"IntakeService", "intake"},
        {"IssuesService", "issues"},
        {"TrainingService", "training"},
        {"IndicatorsService", "indicators"},
        {"NetworkService", "network"},
        {"ResourceSurveyService", "directory"},
        {"ResourceMapService", "directory"},
        {"SharingService", "network"},
        {"AdminService", "intake"}};
    auto it = services.find(method.substr(0, method.find('/')));
    return it == services.end() ? "" : it->second;
  }

  // A fresh municipal issue taken to `step` (8: step 7 completed, EVALUATED); its target state is
  // always written, so that step 1 can be completed.
  v1::RegionalIssue IssueAt(int step);

  Values values;
  std::unique_ptr<TempDir> tmp;
  std::unique_ptr<NatsServer> nats;
  std::unique_ptr<InstanceProcesses> inagi;
  std::unique_ptr<InstanceProcesses> nation;
  std::unique_ptr<SmtpServer> smtp;  // the subscribers' and residents' mail

  // The token after `marker` in the newest mail to `to` that has it (waits for the mail).
  std::string TokenInMail(const std::string& to, const std::string& marker) const;

 private:
  std::map<std::string, std::shared_ptr<grpc::Channel>> channels_;
};

void Env::Start() {
  tmp = std::make_unique<TempDir>();
  auto n = NatsServer::Start(tmp->Sub("nats"));
  ASSERT_TRUE(n.ok()) << n.status();
  nats = std::move(*n);
  InstanceSpec spec;
  spec.code = kInagi;
  // Every seed proposes a candidate: the fixture needs several.
  spec.issues_json = "\"candidate_threshold\": 1";
  spec.services = {"directory", "intake", "issues", "training", "indicators", "network"};
  auto smtp_server = SmtpServer::Start(tmp->Sub("smtp"));
  ASSERT_TRUE(smtp_server.ok()) << smtp_server.status();
  smtp = std::move(*smtp_server);
  spec.extra_json = smtp->MailJson();
  inagi = std::make_unique<InstanceProcesses>(tmp->Sub("inagi"), nats->url(), spec);
  for (const char* s : {"directory", "intake", "issues", "training", "indicators", "network"}) {
    absl::Status st = inagi->Start(s);
    ASSERT_TRUE(st.ok()) << st;
  }
  InstanceSpec national;
  national.national = true;
  national.code = "";
  national.stream = "RENKEI_NATION";
  national.services = {"training"};
  nation = std::make_unique<InstanceProcesses>(tmp->Sub("nation"), nats->url(), national);
  absl::Status st = nation->Start("training");
  ASSERT_TRUE(st.ok()) << st;
}

std::string Env::TokenInMail(const std::string& to, const std::string& marker) const {
  std::string token;
  WaitFor(
      [&] {
        for (const auto& m : smtp->Messages()) {
          if (m.find("To: " + to) == std::string::npos) continue;
          const size_t at = m.find(marker);
          if (at == std::string::npos) continue;
          const size_t start = at + marker.size();
          token = m.substr(start, m.find_first_of("\r\n ", start) - start);
        }
        return !token.empty();
      },
      std::chrono::seconds(20));
  EXPECT_FALSE(token.empty()) << "no mail to " << to << " with " << marker;
  return token;
}

v1::RegionalIssue Env::IssueAt(int step) {
  auto issue = Do<v1::RegionalIssue>("IssuesService/CreateIssue", R"(theme: "入力検査の地域課題")");
  auto change = [&](const std::string& method, const std::string& body) {
    issue = Do<v1::RegionalIssue>("IssuesService/" + method, Ref(issue) + " " + body);
  };
  change("UpdateIssue", R"(target_state: "望む場所で最期まで暮らせる")");
  if (step >= 2) change("AdvanceStep", "");
  if (step >= 3) {
    change("UpdateIssue", R"(current_state: "自宅での看取りが少ない" replace_evidence: true
                             evidence { kind: EVIDENCE_KIND_DATA summary: "在宅看取り率 12%" })");
    change("AdvanceStep", "");
  }
  if (step >= 4) {
    change("UpdateIssue", R"(chosen_issue: "急変時に救急搬送が選ばれる")");
    change("AdvanceStep", "");
  }
  if (step >= 5) {
    change("UpdateIssue",
           R"(replace_causes: true causes { text: "家族が看取りを知らない" main: true }
                             root_cause: "看取りの過程が家族に説明されていない")");
    change("AdvanceStep", "");
  }
  if (step >= 6) {
    change("AddCountermeasure", R"(countermeasure { audiences: AUDIENCE_ROLE_CARE_MANAGERS
                                   content: "看取りの説明の研修" })");
    change("AdvanceStep", "");
  }
  if (step >= 7) {
    change("UpdateCountermeasure", "countermeasure_id: \"" + issue.countermeasures(0).id() +
                                       "\" status: COUNTERMEASURE_STATUS_IN_PROGRESS");
    change("AdvanceStep", "");
  }
  if (step >= 8) {
    change("AddExpectedChange", "expected_change { ${expected_change} }");
    change("AdvanceStep", "");
  }
  return issue;
}

void Env::Build() {
  Values& v = values;
  const int64_t now = common::SystemClock::Get()->NowMicros();
  v.Set("today", DateText(common::TokyoDate(now)));
  v.Set("due", DateText(common::TokyoDate(now + 14LL * 86400 * 1000000)));
  // Sessions 40 days ahead, on the hour, online (no venue or lecturer to double-book).
  const int64_t start = (now / 1000000 / 3600 + int64_t{40} * 24) * 3600;
  const std::string times = "starts_at { seconds: " + std::to_string(start) +
                            " } ends_at { seconds: " + std::to_string(start + 7200) + " }";
  v.Set("session_times", times);
  v.Set("session", times + " online: true capacity: 20");
  v.Set("course",
        R"(audiences: AUDIENCE_ROLE_COORDINATORS sessions_are_one_course: true
           survey_items { id: "q1" kind: SURVEY_ITEM_KIND_LIKERT question: "役に立ちましたか" })");
  v.Set("meeting", "date { " + v.Get("today") + " } body: MEETING_BODY_COUNCIL");
  v.Set("expected_change",
        R"(description: "家族が看取りの過程を説明できる"
           indicator { name_ja: "説明できる家族の割合" kind: INDICATOR_KIND_COUNT
                       methods: MEASUREMENT_METHOD_SURVEY frequency: MEASUREMENT_FREQUENCY_YEARLY
                       direction: DIRECTION_HIGHER_IS_BETTER baseline: 10
                       baseline_period: "FY2025" })");
  v.Set("skills", R"(skills { code: "bi_explain" group: SKILL_GROUP_EXPLAINING name: "説明する力"
                             levels { level: SKILL_LEVEL_BEGINNER description: "説明できる" } })");
  v.Set("ckpt", tmp->Sub("checkpoint-intake"));
  // Well-formed ids of records that do not exist.
  for (const char* prefix : {"res", "con", "need", "iss", "cand", "mtg", "cm", "exp", "trn", "ses",
                             "reg", "coo", "preq", "prac"}) {
    v.Set(std::string(prefix) + "_missing", std::string(prefix) + "_7ZZZZZZZZZZZZZZZZZZZZZZZZZ");
  }

  // Directory: a clinic for matching and referrals, one to delete, the export of both.
  const std::string clinic =
      R"(kind: RESOURCE_KIND_CLINIC name: "入力検査在宅クリニック" address: "稲城市東長沼2111"
         capabilities: "home_visit_medical" accepting_new_patients: ACCEPTANCE_ACCEPTING)";
  v.Set("clinic", clinic);
  v.Set("res",
        Do<v1::UpsertResourceResponse>("DirectoryService/UpsertResource",
                                       "resource { " + clinic + " municipality_code: \"132250\" }")
            .resource()
            .id());
  v.Set("res_del", Do<v1::UpsertResourceResponse>(
                       "DirectoryService/UpsertResource",
                       R"(resource { kind: RESOURCE_KIND_PHARMACY name: "閉店する薬局"
                                     municipality_code: "132250" })")
                       .resource()
                       .id());
  {
    const std::string path = "/renkei.v1.DirectoryService/ExportResources";
    auto request = Serialize(*MethodOf(path), "format: EXPORT_FORMAT_PROJECT_CSV", "");
    Answer a = Call(Channel(At::kInagi, "directory", kStaff), path, {*request});
    ASSERT_TRUE(a.status.ok()) << Describe(a);
    std::string csv;
    for (const auto& r : a.responses) {
      v1::ExportResourcesChunk chunk;
      ASSERT_TRUE(chunk.ParseFromString(r));
      csv += chunk.data();
    }
    v.Set("export_csv", csv);
  }
  // Resource surveys of that clinic: a (the form, then the review), b (revoked), c (reissued),
  // d (drafts and reminders); each campaign's id, its invitation and the link's token.
  for (const char* name : {"a", "b", "c", "d"}) {
    const std::string campaign =
        Do<v1::ResourceSurveyCampaign>(
            "ResourceSurveyService/StartResourceSurvey",
            R"(name: "入力検査の調査" deadline { ${today} } targets { resource_ids: "${res}" }
               questions { capabilities: "home_visit_medical" liaison: true })")
            .id();
    v.Set(std::string("survey_") + name, campaign);
    const auto letters = Do<v1::ResourceSurveyLetters>(
        "ResourceSurveyService/RenderResourceSurveyLetters", "campaign_id: \"" + campaign + "\"");
    const std::string& html = letters.html();
    const size_t at = html.find("#t=");
    ASSERT_NE(at, std::string::npos) << html;
    const std::string token = html.substr(at + 3, html.find_first_of("\"<", at) - at - 3);
    v.Set(std::string("token_") + name, token);
    v.Set(std::string("inv_") + name, token.substr(0, token.find('.')));
  }
  Do<v1::ResourceSurveyForm>("ResourceSurveyService/SaveResourceSurveyAnswer",
                             R"(token: "${token_a}" answer { capabilities: "home_visit_medical" }
                                submit: true)",
                             v1::ROLE_SERVICE);

  // Intake: consultations, each in the state one row needs.
  auto consultation = [&](bool need) {
    return Do<v1::Consultation>(
        "IntakeService/CreateConsultation",
        std::string(R"(channel: CHANNEL_PHONE source_type: SOURCE_TYPE_CARE_MANAGER_SUPPORT_CENTER
                       person { name: "入力 検査" })") +
            (need ? R"( needs { capability: "home_visit_medical" })" : ""));
  };
  auto refer = [&](const v1::Consultation& c) {
    return Do<v1::Consultation>("IntakeService/Refer", Ref(c) + " need_id: \"" + c.needs(0).id() +
                                                           "\" resource_id: \"${res}\" "
                                                           "response_due { ${due} }");
  };
  auto follow_up = [&](const v1::Consultation& c) {
    return Do<v1::Consultation>("IntakeService/AddFollowUp",
                                Ref(c) + R"( task: "ケアマネジャーに確認する" due { ${due} })");
  };
  auto c = consultation(true);
  v.Set("con", c.id());
  v.Set("con_upd", consultation(false).id());
  v.Set("con_status", consultation(false).id());
  v.Set("con_addneed", consultation(false).id());
  v.Set("con_match", consultation(true).id());
  c = consultation(true);
  v.Set("con_refer", c.id());
  v.Set("con_refer_need", c.needs(0).id());
  c = refer(consultation(true));
  v.Set("con_outcome", c.id());
  v.Set("con_outcome_ref", c.referrals(0).id());
  c = refer(consultation(true));
  c = Do<v1::Consultation>(
      "IntakeService/RecordReferralOutcome",
      Ref(c) + " referral_id: \"" + c.referrals(0).id() + "\" outcome: REFERRAL_OUTCOME_ACCEPTED");
  v.Set("con_outcome_done", c.id());
  v.Set("con_outcome_done_ref", c.referrals(0).id());
  v.Set("con_fu", consultation(false).id());
  c = follow_up(consultation(false));
  v.Set("con_fudone", c.id());
  v.Set("con_fudone_fu", c.follow_ups(0).id());
  c = follow_up(consultation(false));
  c = Do<v1::Consultation>("IntakeService/CompleteFollowUp",
                           Ref(c) + " follow_up_id: \"" + c.follow_ups(0).id() + "\"");
  v.Set("con_fudone2", c.id());
  v.Set("con_fudone2_fu", c.follow_ups(0).id());
  v.Set("con_seed", consultation(false).id());
  c = consultation(false);
  c = Do<v1::Consultation>("IntakeService/ChangeStatus",
                           Ref(c) + " status: CONSULTATION_STATUS_ASSESSING");
  c = Do<v1::Consultation>("IntakeService/ChangeStatus",
                           Ref(c) + " status: CONSULTATION_STATUS_CLOSED");
  v.Set("con_closed", c.id());
  ASSERT_EQ(c.version(), 3);

  // Candidates: one seed each (threshold 1), told apart by their consultation.
  std::map<std::string, std::string> seeded;  // consultation id -> placeholder
  for (const char* name :
       {"cand_accept", "cand_merge", "cand_dismiss", "cand_done", "cand_spare"}) {
    c = consultation(false);
    Do<v1::Consultation>(
        "IntakeService/RaiseIssueSeed",
        Ref(c) + R"( theme: "入力検査のタネ" tags: ")" + std::string(name) + "-tag\"");
    seeded[c.id()] = name;
  }
  std::map<std::string, v1::IssueCandidate> candidates;
  ASSERT_TRUE(WaitFor(
      [&] {
        const std::string path = "/renkei.v1.IssuesService/ListCandidates";
        Answer a = Call(Channel(At::kInagi, "issues", kStaff), path, {""});
        v1::ListCandidatesResponse list;
        if (!a.status.ok() || !list.ParseFromString(a.responses.at(0))) return false;
        for (const auto& cand : list.candidates()) {
          for (const auto& e : cand.evidence()) {
            auto it = seeded.find(e.consultation_id());
            if (it != seeded.end()) candidates[it->second] = cand;
          }
        }
        return candidates.size() == seeded.size();
      },
      std::chrono::seconds(20)))
      << "candidates proposed: " << candidates.size();
  for (const auto& [name, cand] : candidates) {
    v.Set(name, cand.id());
    v.Set(name + "_v", std::to_string(cand.version()));
  }
  Do<v1::RegionalIssue>(
      "IssuesService/AcceptCandidate",
      R"(candidate_id: "${cand_done}" expected_version: ${cand_done_v} theme: "入力検査")");
  v.Set("cand_done_v2", std::to_string(candidates["cand_done"].version() + 1));

  // Issues at the steps the rows need.
  auto keep = [&](const std::string& name, const v1::RegionalIssue& issue) {
    v.Set(name, issue.id());
    v.Set(name + "_v", std::to_string(issue.version()));
  };
  auto create = [&](const std::string& extra) {
    return Do<v1::RegionalIssue>("IssuesService/CreateIssue",
                                 R"(theme: "入力検査の地域課題" )" + extra);
  };
  keep("iss", create(""));
  keep("iss_upd", create(""));
  keep("iss_merge_into", create(""));
  keep("iss_wide", create(R"(scope: ISSUE_SCOPE_WIDE_AREA related_municipality_codes: "132080")"));
  keep("iss_adv", IssueAt(1));
  keep("iss_ret", IssueAt(2));
  keep("iss_s5", IssueAt(5));  // never changed by a row
  keep("iss_cm_add", IssueAt(5));
  keep("iss_ec_add", IssueAt(5));
  auto issue = IssueAt(5);
  issue = Do<v1::RegionalIssue>(
      "IssuesService/AddCountermeasure",
      Ref(issue) +
          R"( countermeasure { audiences: AUDIENCE_ROLE_PHYSICIANS content: "症例検討" })");
  keep("iss_cm", issue);
  v.Set("cm", issue.countermeasures(0).id());
  issue = IssueAt(5);
  issue = Do<v1::RegionalIssue>("IssuesService/AddExpectedChange",
                                Ref(issue) + " expected_change { ${expected_change} }");
  keep("iss_ec", issue);
  v.Set("exp", issue.expected_changes(0).id());
  const auto evaluated = IssueAt(8);
  ASSERT_EQ(evaluated.status(), v1::ISSUE_STATUS_EVALUATED);
  keep("iss_eval", evaluated);

  // Meetings.
  const std::string meeting = R"(meeting { ${meeting} title: "在宅医療・介護連携推進協議会" })";
  v.Set("mtg", Do<v1::Meeting>("IssuesService/RecordMeeting", meeting).id());
  v.Set("mtg_upd", Do<v1::Meeting>("IssuesService/RecordMeeting", meeting).id());

  // Trainings and registrations.
  auto training = [&]() {
    return Do<v1::Training>(
        "TrainingService/CreateTraining",
        R"(training { title: "入力検査の研修" ${course} sessions { ${session} } })");
  };
  auto registration = [&](const std::string& training_id, const std::string& participant) {
    return Do<v1::Registration>("TrainingService/Register",
                                "registration { training_id: \"" + training_id +
                                    "\" participant_id: \"" + participant +
                                    R"(" participant_name: "入力 検査" municipality_code: "132250"
                role: AUDIENCE_ROLE_COORDINATORS })");
  };
  auto t = training();
  v.Set("trn", t.id());
  v.Set("ses", t.sessions(0).id());
  v.Set("reg", registration(t.id(), "p-main").id());
  v.Set("reg_cancel", registration(t.id(), "p-cancel").id());
  v.Set("reg_attend", registration(t.id(), "p-attend").id());
  v.Set("reg_survey", registration(t.id(), "p-survey").id());
  Do<v1::RecordAttendanceResponse>("TrainingService/RecordAttendance",
                                   R"(training_id: "${trn}" session_id: "${ses}"
         entries { registration_id: "${reg_survey}" attended: true })");
  v.Set("trn_upd", training().id());
  v.Set("trn_addses", training().id());
  t = training();
  v.Set("trn_updses", t.id());
  v.Set("ses_upd", t.sessions(0).id());
  v.Set("trn_cancel", training().id());
  t = training();
  v.Set("reg_of_cancelled", registration(t.id(), "p-late").id());
  t = Do<v1::Training>("TrainingService/CancelTraining", Ref(t) + R"( reason: "講師の都合")");
  v.Set("trn_cancelled", t.id());
  v.Set("ses_cancelled", t.sessions(0).id());
  ASSERT_EQ(t.version(), 2);

  // Indicators: a monthly count with one value.
  Do<v1::IndicatorDefinition>(
      "IndicatorsService/DefineIndicator",
      R"(definition { spec { code: "bi.count" name_ja: "入力検査の件数" unit: "件"
                             kind: INDICATOR_KIND_COUNT methods: MEASUREMENT_METHOD_SURVEY
                             frequency: MEASUREMENT_FREQUENCY_MONTHLY
                             direction: DIRECTION_HIGHER_IS_BETTER } })");
  Do<v1::Observation>("IndicatorsService/RecordObservation",
                      R"(observation { indicator_code: "bi.count" jurisdiction_code: "132250"
                                       period: "2026-09" value: 4 })");

  // The coordinator network: a lead and a colleague, a request between them and a settled one,
  // two practices (one to withdraw).
  const std::string profile =
      R"(takes_peer_consultations: true sharing { level: SHARE_LEVEL_LOCAL })";
  v.Set("coo",
        Do<v1::CoordinatorProfile>(
            "NetworkService/PutProfile",
            R"(profile { name: "入力 統括" role: NETWORK_ROLE_LEAD_COORDINATOR )" + profile + " }")
            .id());
  v.Set("coo_peer",
        Do<v1::CoordinatorProfile>(
            "NetworkService/PutProfile",
            R"(profile { name: "入力 同僚" role: NETWORK_ROLE_COORDINATOR )" + profile + " }")
            .id());
  const std::string ask =
      R"(asker_profile_id: "${coo}" recipient { kind: PEER_RECIPIENT_KIND_COORDINATOR
         profile_id: "${coo_peer}" } theme: "入力検査" question: "質問です")";
  v.Set("preq", Do<v1::PeerRequest>("NetworkService/AskPeer", ask).id());
  v.Set("preq_done", Do<v1::PeerRequest>("NetworkService/AskPeer", ask).id());
  Do<v1::PeerRequest>("NetworkService/RespondToPeerRequest",
                      R"(id: "${preq_done}" profile_id: "${coo_peer}"
                         kind: PEER_STEP_KIND_ANSWERED text: "回答です")");
  const std::string publish =
      R"(share_level: SHARE_LEVEL_NATIONAL contact_profile_id: "${coo}" issue_id: )";
  v.Set("prac",
        Do<v1::Practice>("NetworkService/PublishPractice", publish + "\"${iss_adv}\"").id());
  v.Set("prac_w",
        Do<v1::Practice>("NetworkService/PublishPractice", publish + "\"${iss_ret}\"").id());

  // Information sharing: a document (and one to withdraw), a notice to withdraw, subscribers
  // confirmed by the links of their mails.
  const std::string document =
      R"(document { title: "入力検査の様式" kind: DOCUMENT_KIND_FORM public: true }
         file_name: "sheet.csv" content: "name,phone\n")";
  v.Set("doc", Do<v1::SharedDocument>("SharingService/PublishDocument", document).id());
  v.Set("doc_w", Do<v1::SharedDocument>("SharingService/PublishDocument", document).id());
  const std::string notice = R"(notice { title: "入力検査のお知らせ" body: "本文" public: true })";
  v.Set("ntc_w", Do<v1::Notice>("SharingService/PublishNotice", notice).id());
  for (const char* who : {"confirm", "leave", "remove"}) {
    const std::string email = std::string(who) + "@bad-input.example.jp";
    Do<v1::SubscriptionAnswer>("SharingService/Subscribe", "email: \"" + email + "\"");
    v.Set(std::string("sub_token_") + who, TokenInMail(email, "#confirm="));
  }
  for (const char* who : {"leave", "remove"}) {
    Do<v1::SubscriptionAnswer>("SharingService/ConfirmSubscription",
                               std::string("token: \"${sub_token_") + who + "}\"",
                               v1::ROLE_SERVICE);
  }
  // Asking again for a confirmed address mails its unsubscribe link.
  Do<v1::SubscriptionAnswer>("SharingService/Subscribe", R"(email: "leave@bad-input.example.jp")");
  v.Set("unsub_token", TokenInMail("leave@bad-input.example.jp", "#unsubscribe="));
  const auto subscribers = Do<v1::ListSubscribersResponse>("SharingService/ListSubscribers", "");
  for (const auto& s : subscribers.subscribers()) {
    if (s.email() == "remove@bad-input.example.jp") v.Set("sub_remove", s.id());
  }

  // A public event for residents, with a questionnaire; two residents' registrations.
  const int64_t event_start = common::SystemClock::Get()->NowMicros() / 1000000 + 14LL * 24 * 3600;
  v.Set("trn_pub",
        Do<v1::Training>(
            "TrainingService/CreateTraining",
            R"(training { title: "入力検査の住民向け講演会" audiences: AUDIENCE_ROLE_RESIDENTS
                          public_event: true theme_tags: "ACP" sessions_are_one_course: true
                          awareness_items { id: "acp_known" statement: "人生会議を知っている" }
                          sessions { venue: "入力検査ホール" capacity: 50 starts_at { seconds: )" +
                std::to_string(event_start) +
                " } ends_at { seconds: " + std::to_string(event_start + 7200) + " } } }")
            .id());
  for (const char* who : {"look", "cancel"}) {
    const auto receipt = Do<v1::PublicRegistration>(
        "TrainingService/RegisterForPublicEvent",
        R"(training_id: "${trn_pub}" name: "入力 住民" contact: "042-000-0000" party_size: 1)",
        v1::ROLE_SERVICE);
    v.Set(std::string("pub_token_") + who, receipt.token());
  }
}

// --- the table ------------------------------------------------------------------------------

struct Row {
  using Raw = std::function<std::vector<std::string>(Env&)>;
  using Check = std::function<void(Env&, const Answer&)>;
  using Observer = std::function<std::string(Env&)>;

  std::string method;  // "IntakeService/CreateConsultation"
  std::string text;    // the request in text format, with ${placeholders}
  Raw raw;             // or the request messages' bytes
  Code code = Code::OK;
  // INVALID_ARGUMENT: field paths; FAILED_PRECONDITION: the subject; NOT_FOUND: the resource
  // name; ABORTED: expected and actual version.
  std::vector<std::string> detail;
  v1::Role role = kStaff;
  At at = At::kInagi;
  Check check;       // more about an OK answer
  Observer observe;  // what applying a command twice would change

  Row& As(v1::Role r) {
    role = r;
    return *this;
  }
  Row& AtNation() {
    at = At::kNation;
    return *this;
  }
  Row& Then(Check c) {
    check = std::move(c);
    return *this;
  }
  Row& Observe(Observer o) {
    observe = std::move(o);
    return *this;
  }
};

Row Ok(std::string method, std::string text) {
  Row r;
  r.method = std::move(method);
  r.text = std::move(text);
  return r;
}
Row Bad(std::string method, std::string text, std::vector<std::string> fields) {
  Row r = Ok(std::move(method), std::move(text));
  r.code = Code::INVALID_ARGUMENT;
  r.detail = std::move(fields);
  return r;
}
Row BadBytes(std::string method, Row::Raw raw, std::vector<std::string> fields) {
  Row r = Bad(std::move(method), "", std::move(fields));
  r.raw = std::move(raw);
  return r;
}
Row Unparseable(std::string method, const std::string& bytes) {
  return BadBytes(std::move(method), [bytes](Env&) { return std::vector<std::string>{bytes}; },
                  {""});
}
Row Closed(std::string method, std::string text, std::string subject) {
  Row r = Ok(std::move(method), std::move(text));
  r.code = Code::FAILED_PRECONDITION;
  r.detail = {std::move(subject)};
  return r;
}
Row Missing(std::string method, std::string text, std::string resource_name) {
  Row r = Ok(std::move(method), std::move(text));
  r.code = Code::NOT_FOUND;
  r.detail = {std::move(resource_name)};
  return r;
}
// Another code; `says` is part of its message.
Row Answers(std::string method, Row::Raw raw, Code code, std::string says) {
  Row r = Ok(std::move(method), "");
  r.raw = std::move(raw);
  r.code = code;
  r.detail = {std::move(says)};
  return r;
}
Row Stale(std::string method, std::string text, std::string expected, std::string actual) {
  Row r = Ok(std::move(method), std::move(text));
  r.code = Code::ABORTED;
  r.detail = {std::move(expected), std::move(actual)};
  return r;
}
Row Stale(std::string method, std::string text, int expected, int actual) {
  return Stale(std::move(method), std::move(text), std::to_string(expected),
               std::to_string(actual));
}

template <typename T>
T First(const Answer& a) {
  T out;
  EXPECT_TRUE(!a.responses.empty() && out.ParseFromString(a.responses[0]));
  return out;
}

std::vector<std::string> ImportRequests(const std::string& csv) {
  v1::ImportResourcesRequest options, chunk;
  options.mutable_options()->set_format(v1::IMPORT_FORMAT_PROJECT_CSV);
  options.mutable_options()->set_file_name("export.csv");
  chunk.set_chunk(csv);
  return {options.SerializeAsString(), chunk.SerializeAsString()};
}

std::vector<Row> Table() {
  const std::string bad_codes[] = {"132251", "132997", "１３２２５０", "131016"};
  std::vector<Row> rows;
  auto add = [&](std::vector<Row> more) {
    for (auto& r : more) rows.push_back(std::move(r));
  };

  // --- DirectoryService ---
  const std::string new_clinic =
      R"(resource { kind: RESOURCE_KIND_CLINIC name: "入力検査の新しい診療所"
                    capabilities: "home_visit_medical" )";
  add({
      Ok("DirectoryService/UpsertResource", new_clinic + R"(municipality_code: "132250" })")
          .Observe([](Env& e) {
            return std::to_string(
                e.Do<v1::SearchResourcesResponse>("DirectoryService/SearchResources",
                                                  R"(text: "入力検査の新しい診療所")")
                    .total_matches());
          }),
      Bad("DirectoryService/UpsertResource", new_clinic + R"(municipality_code: "132251" })",
          {"resource.municipality_code"}),
      Bad("DirectoryService/UpsertResource", new_clinic + R"(municipality_code: "１３２２５０" })",
          {"resource.municipality_code"}),
      Bad("DirectoryService/UpsertResource",
          R"(resource { kind: RESOURCE_KIND_CLINIC name: "x" municipality_code: "132250"
                        capabilities: "no_such_capability" })",
          {"resource.capabilities[0]"}),
      BadBytes("DirectoryService/UpsertResource",
               [](Env&) {
                 return std::vector<std::string>{BytesField(
                     1, VarintField(2, 2) + BytesField(3, "\xff\xfe") + BytesField(6, kInagi))};
               },
               {"resource.name"}),
      Stale("DirectoryService/UpsertResource",
            R"(resource { id: "${res}" ${clinic} municipality_code: "132250" }
               expected_version: 3)",
            3, 1),
      Missing("DirectoryService/UpsertResource",
              R"(resource { id: "${res_missing}" ${clinic} municipality_code: "132250" }
                 expected_version: 2)",
              "${res_missing}"),
      Ok("DirectoryService/GetResource", R"(id: "${res}")"),
      Bad("DirectoryService/GetResource", R"(id: "res_1")", {"id"}),
      Missing("DirectoryService/GetResource", R"(id: "${res_missing}")", "${res_missing}"),
      Ok("DirectoryService/DeleteResource", R"(id: "${res_del}" expected_version: 1)"),
      Bad("DirectoryService/DeleteResource", R"(id: "薬局" expected_version: 1)", {"id"}),
      Stale("DirectoryService/DeleteResource", R"(id: "${res}" expected_version: 2)", 2, 1),
      Missing("DirectoryService/DeleteResource", R"(id: "${res_missing}" expected_version: 1)",
              "${res_missing}"),
      Ok("DirectoryService/SearchResources",
         R"(capabilities: "home_visit_medical" municipality_code: "132250")"),
      Bad("DirectoryService/SearchResources", R"(municipality_code: "132997")",
          {"municipality_code"}),
      Bad("DirectoryService/SearchResources", R"(page_size: 500 kinds: 999)",
          {"page_size", "kinds[0]"}),
  });
  {
    Row ok = Ok("DirectoryService/ImportResources", "");
    ok.raw = [](Env& e) { return ImportRequests(e.values.Get("export_csv")); };
    ok.check = [](Env&, const Answer& a) {
      ASSERT_FALSE(a.responses.empty());
      v1::ImportResourcesResponse last;
      ASSERT_TRUE(last.ParseFromString(a.responses.back()));
      EXPECT_TRUE(last.summary().committed());
      EXPECT_EQ(last.summary().rejected(), 0);
    };
    rows.push_back(ok);
  }
  add({
      // A bad row without allow_partial: nothing imported, the row named.
      BadBytes("DirectoryService/ImportResources",
               [](Env& e) {
                 std::string csv = e.values.Get("export_csv");
                 for (size_t p = csv.find('\n'); (p = csv.find("132250", p)) != std::string::npos;)
                   csv.replace(p, 6, "132251");
                 return ImportRequests(csv);
               },
               {"line 2 (municipality_code)"}),
      BadBytes("DirectoryService/ImportResources",
               [](Env&) {
                 v1::ImportResourcesRequest chunk;
                 chunk.set_chunk("id,kind,name\n");
                 return std::vector<std::string>{chunk.SerializeAsString()};
               },
               {"options"}),
      BadBytes("DirectoryService/ImportResources",
               [](Env&) {
                 v1::ImportResourcesRequest options;
                 options.mutable_options()->add_only_municipalities("132251");
                 return std::vector<std::string>{options.SerializeAsString()};
               },
               {"options.only_municipalities[0]"}),
      Ok("DirectoryService/ExportResources",
         R"(format: EXPORT_FORMAT_PROJECT_CSV municipality_code: "132250")"),
      Bad("DirectoryService/ExportResources", R"(prefecture_code: "48")", {"prefecture_code"}),
      Bad("DirectoryService/ExportResources", R"(municipality_code: "１３２２５０")",
          {"municipality_code"}),
      Ok("DirectoryService/GetGapReport", R"(municipality_code: "132250")"),
      Bad("DirectoryService/GetGapReport", "", {"municipality_code"}),
      Bad("DirectoryService/GetGapReport",
          R"(municipality_code: "132250" capabilities: "no_such_capability")", {"capabilities[0]"}),
      Ok("DirectoryService/ListCapabilities", ""),
      Unparseable("DirectoryService/ListCapabilities", NestedGroups(100000)),
  });

  // --- ResourceMapService ---
  add({
      Ok("ResourceMapService/GetResourceMap", ""),
      Ok("ResourceMapService/GetResourceMap",
         R"(municipality_code: "132250" capabilities: "home_visit_medical" include_serving: true)"),
      Bad("ResourceMapService/GetResourceMap", R"(municipality_code: "99999x")",
          {"municipality_code"}),
      Bad("ResourceMapService/GetResourceMap", R"(near { latitude: 123 longitude: 0 })", {"near"}),
      Bad("ResourceMapService/GetResourceMap", R"(near_address: "存在しない町名")",
          {"near_address"}),
      Bad("ResourceMapService/GetResourceMap", R"(capabilities: "no_such_capability")",
          {"capabilities[0]"}),
      Bad("ResourceMapService/GetResourceMap", R"(kinds: 999)", {"kinds[0]"}),
      Bad("ResourceMapService/GetResourceMap", "text: \"" + std::string(101, 'x') + "\"", {"text"}),
      Unparseable("ResourceMapService/GetResourceMap", NestedGroups(100000)),
  });

  // --- ResourceSurveyService ---
  add({
      Ok("ResourceSurveyService/StartResourceSurvey",
         R"(name: "入力検査の調査 2" deadline { ${today} } targets { resource_ids: "${res}" })"),
      Bad("ResourceSurveyService/StartResourceSurvey",
          R"(deadline { year: 2020 month: 1 day: 1 } targets { resource_ids: "${res}" })",
          {"name", "deadline"}),
      Bad("ResourceSurveyService/StartResourceSurvey",
          R"(name: "x" deadline { ${today} } targets { resource_ids: "${res_missing}" })",
          {"targets.resource_ids[0]"}),
      Ok("ResourceSurveyService/GetResourceSurvey", R"(id: "${survey_a}")"),
      Bad("ResourceSurveyService/GetResourceSurvey", R"(id: "x")", {"id"}),
      Ok("ResourceSurveyService/ListResourceSurveys", ""),
      Unparseable("ResourceSurveyService/ListResourceSurveys", NestedGroups(100000)),
      Ok("ResourceSurveyService/ListResourceSurveyInvitations", R"(campaign_id: "${survey_a}")"),
      Bad("ResourceSurveyService/ListResourceSurveyInvitations", R"(campaign_id: "x")",
          {"campaign_id"}),
      Ok("ResourceSurveyService/RenderResourceSurveyLetters", R"(campaign_id: "${survey_d}")"),
      Bad("ResourceSurveyService/RenderResourceSurveyLetters",
          R"(campaign_id: "${survey_d}" invitation_ids: "rsi_7ZZZZZZZZZZZZZZZZZZZZZZZZZ")",
          {"invitation_ids[0]"}),
      Ok("ResourceSurveyService/RevokeResourceSurveyLink",
         R"(invitation_id: "${inv_b}" expected_version: 1)"),
      Bad("ResourceSurveyService/RevokeResourceSurveyLink",
          R"(invitation_id: "x" expected_version: 1)", {"invitation_id"}),
      Ok("ResourceSurveyService/ReissueResourceSurveyLink",
         R"(invitation_id: "${inv_c}" expected_version: 1)"),
      Bad("ResourceSurveyService/ReissueResourceSurveyLink",
          R"(invitation_id: "${inv_c}" expected_version: 1 expires_on { year: 2020 month: 1 day: 1 })",
          {"expires_on"}),
      Ok("ResourceSurveyService/ReviewResourceSurveyAnswer",
         R"(invitation_id: "${inv_a}" expected_version: 2
            decision: RESOURCE_SURVEY_DECISION_REJECT note: "入力検査")"),
      Bad("ResourceSurveyService/ReviewResourceSurveyAnswer",
          R"(invitation_id: "${inv_a}" expected_version: 2
             decision: RESOURCE_SURVEY_DECISION_REJECT)",
          {"note"}),
      Ok("ResourceSurveyService/RemindResourceSurvey", R"(campaign_id: "${survey_d}")"),
      Bad("ResourceSurveyService/RemindResourceSurvey", R"(campaign_id: "x")", {"campaign_id"}),
      Ok("ResourceSurveyService/OpenResourceSurveyForm", R"(token: "${token_a}")")
          .As(v1::ROLE_SERVICE),
      Bad("ResourceSurveyService/OpenResourceSurveyForm", R"(token: "rsi_x")", {"token"})
          .As(v1::ROLE_SERVICE),
      Ok("ResourceSurveyService/SaveResourceSurveyAnswer",
         R"(token: "${token_d}" answer { capabilities: "home_visit_medical" })")
          .As(v1::ROLE_SERVICE),
      Bad("ResourceSurveyService/SaveResourceSurveyAnswer",
          R"(token: "${token_d}" answer { liaison { email: "renkei at example" } })",
          {"answer.liaison.email"})
          .As(v1::ROLE_SERVICE),
  });

  // --- IntakeService ---
  const std::string call = "channel: CHANNEL_PHONE source_type: SOURCE_TYPE_PATIENT_FAMILY ";
  auto consultations = [](Env& e) {
    return std::to_string(
        e.Do<v1::ListConsultationsResponse>("IntakeService/ListConsultations", "page_size: 200")
            .consultations_size());
  };
  add({
      Ok("IntakeService/CreateConsultation",
         call + R"(person { name: "入力 検査" birth_date { year: 1940 month: 2 day: 29 } }
                   needs { capability: "home_visit_medical" })")
          .Observe(consultations),
      Bad("IntakeService/CreateConsultation",
          call + "person { birth_date { year: 1947 month: 2 day: 29 } }", {"person.birth_date"}),
      Bad("IntakeService/CreateConsultation", "source_type: SOURCE_TYPE_PATIENT_FAMILY",
          {"channel"}),
      Bad("IntakeService/CreateConsultation", "channel: CHANNEL_PHONE source_type: 99",
          {"source_type"}),
      Bad("IntakeService/CreateConsultation", call + R"(needs { capability: "no_such" })",
          {"needs[0].capability"}),
      // Invalid UTF-8 in a nested string: named by its path in the request.
      BadBytes("IntakeService/CreateConsultation",
               [](Env&) {
                 return std::vector<std::string>{VarintField(2, 1) + VarintField(3, 1) +
                                                 BytesField(5, BytesField(1, "\xff\xfe"))};
               },
               {"person.name"}),
      // 100,000 nested groups: INVALID_ARGUMENT, not INTERNAL with an empty message.
      Unparseable("IntakeService/CreateConsultation", NestedGroups(100000)),
      // Over the request size limit (server.max_message_bytes, 4 MiB by default).
      Answers(
          "IntakeService/CreateConsultation",
          [](Env&) {
            return std::vector<std::string>{VarintField(2, 1) + VarintField(3, 1) +
                                            BytesField(6, std::string(5 << 20, 'a'))};
          },
          Code::RESOURCE_EXHAUSTED, "larger than max"),
      Bad("IntakeService/CreateConsultation", call + R"(request_id: "short")", {"request_id"}),
      Bad("IntakeService/CreateConsultation", call + R"(request_id: "has a space")",
          {"request_id"}),
      Ok("IntakeService/GetConsultation", R"(id: "${con}")"),
      Bad("IntakeService/GetConsultation", R"(id: "con_123")", {"id"}),
      Missing("IntakeService/GetConsultation", R"(id: "${con_missing}")", "${con_missing}"),
      Ok("IntakeService/ListConsultations", "status: CONSULTATION_STATUS_RECEIVED"),
      Bad("IntakeService/ListConsultations",
          R"(received_from { year: 2026 month: 11 day: 24 }
             received_to { year: 2026 month: 11 day: 1 })",
          {"received_to"}),
      Bad("IntakeService/ListConsultations", "page_size: 500", {"page_size"}),
      Ok("IntakeService/UpdateConsultation",
         R"(id: "${con_upd}" expected_version: 1 narrative: "退院日が決まった")"),
      Bad("IntakeService/UpdateConsultation",
          R"(id: "${con}" expected_version: 1 person { birth_date { year: 2999 month: 1 day: 1 } })",
          {"person.birth_date"}),
      Stale("IntakeService/UpdateConsultation",
            R"(id: "${con}" expected_version: 9 narrative: "x")", 9, 1),
      Missing("IntakeService/UpdateConsultation",
              R"(id: "${con_missing}" expected_version: 1 narrative: "x")", "${con_missing}"),
      Closed("IntakeService/UpdateConsultation",
             R"(id: "${con_closed}" expected_version: 3 narrative: "x")", "id"),
      Ok("IntakeService/ChangeStatus",
         R"(id: "${con_status}" expected_version: 1 status: CONSULTATION_STATUS_ASSESSING)"),
      Bad("IntakeService/ChangeStatus", R"(id: "${con}" expected_version: 1 status: 99)",
          {"status"}),
      Bad("IntakeService/ChangeStatus",
          R"(id: "${con}" expected_version: 1 status: CONSULTATION_STATUS_CLOSED)", {"status"}),
      Closed("IntakeService/ChangeStatus",
             R"(id: "${con_closed}" expected_version: 3 status: CONSULTATION_STATUS_ASSESSING)",
             "id"),
      Ok("IntakeService/AddNeed",
         R"(id: "${con_addneed}" expected_version: 1 need { capability: "home_visit_medical" })")
          .Observe([](Env& e) {
            return std::to_string(
                e.Do<v1::Consultation>("IntakeService/GetConsultation", R"(id: "${con_addneed}")")
                    .needs_size());
          }),
      Bad("IntakeService/AddNeed",
          R"(id: "${con}" expected_version: 1
             need { capability: "home_visit_medical" also_requires: "home_visit_medical" })",
          {"need.also_requires[0]"}),
      Bad("IntakeService/AddNeed", R"(id: "${con}" expected_version: 1)", {"need"}),
      Bad("IntakeService/AddNeed",
          R"(id: "${con}" expected_version: 1
             need { capability: "end_of_life_care" advice: true kind: RESOURCE_KIND_CLINIC })",
          {"need.kind"}),
      Bad("IntakeService/AddNeed",
          R"(id: "${con}" expected_version: 1
             need { capability: "end_of_life_care" advice: true also_requires: "parkinsons"
                    also_requires: "dementia" also_requires: "neurology"
                    also_requires: "home_visit_medical" also_requires: "response_24h" })",
          {"need.also_requires"}),
      Closed("IntakeService/AddNeed",
             R"(id: "${con_closed}" expected_version: 3 need { capability: "home_visit_medical" })",
             "id"),
      Ok("IntakeService/MatchResources", R"(id: "${con_match}" expected_version: 1)"),
      Bad("IntakeService/MatchResources",
          R"(id: "${con}" expected_version: 1 candidates_per_need: 51)", {"candidates_per_need"}),
      Stale("IntakeService/MatchResources", R"(id: "${con}" expected_version: 2)", 2, 1),
      Closed("IntakeService/MatchResources", R"(id: "${con_closed}" expected_version: 3)", "id"),
      Ok("IntakeService/Refer", R"(id: "${con_refer}" expected_version: 1
                                   need_id: "${con_refer_need}" resource_id: "${res}"
                                   response_due { ${due} })"),
      Bad("IntakeService/Refer", R"(id: "${con}" expected_version: 1 need_id: "${need_missing}"
                                    resource_id: "${res}"
                                    response_due { year: 2020 month: 1 day: 1 })",
          {"response_due"}),
      Bad("IntakeService/Refer", R"(id: "${con}" expected_version: 1 need_id: "${need_missing}"
                                    resource_id: "${res}" response_due { ${due} })",
          {"need_id"}),
      Bad("IntakeService/Refer", R"(id: "${con}" expected_version: 1 need_id: "${need_missing}"
                                    resource_id: "${res_missing}" response_due { ${due} })",
          {"resource_id"}),
      Ok("IntakeService/RecordReferralOutcome",
         R"(id: "${con_outcome}" expected_version: 2 referral_id: "${con_outcome_ref}"
            outcome: REFERRAL_OUTCOME_ACCEPTED)"),
      Bad("IntakeService/RecordReferralOutcome",
          R"(id: "${con_outcome}" expected_version: 2 referral_id: "${con_outcome_ref}"
             outcome: REFERRAL_OUTCOME_DECLINED)",
          {"decline_reason"}),
      // Twice: the outcome is recorded already.
      Closed("IntakeService/RecordReferralOutcome",
             R"(id: "${con_outcome_done}" expected_version: 3
                referral_id: "${con_outcome_done_ref}" outcome: REFERRAL_OUTCOME_DECLINED
                decline_reason: DECLINE_REASON_NO_CAPACITY)",
             "referral_id"),
      Ok("IntakeService/AddFollowUp",
         R"(id: "${con_fu}" expected_version: 1 task: "訪問看護に確認する" due { ${due} })"),
      Bad("IntakeService/AddFollowUp",
          R"(id: "${con}" expected_version: 1 task: " " due { year: 2026 month: 4 day: 31 })",
          {"task", "due"}),
      Closed("IntakeService/AddFollowUp",
             R"(id: "${con_closed}" expected_version: 3 task: "x" due { ${due} })", "id"),
      Ok("IntakeService/CompleteFollowUp",
         R"(id: "${con_fudone}" expected_version: 2 follow_up_id: "${con_fudone_fu}")"),
      Bad("IntakeService/CompleteFollowUp",
          R"(id: "${con_fudone}" expected_version: 2 follow_up_id: "fu_1")", {"follow_up_id"}),
      // Twice: done already.
      Closed("IntakeService/CompleteFollowUp",
             R"(id: "${con_fudone2}" expected_version: 3 follow_up_id: "${con_fudone2_fu}")",
             "follow_up_id"),
      Ok("IntakeService/ListOverdueFollowUps", "as_of { ${today} }"),
      Bad("IntakeService/ListOverdueFollowUps", "as_of { year: 2026 month: 2 day: 30 }", {"as_of"}),
      Ok("IntakeService/RaiseIssueSeed",
         R"(id: "${con_seed}" expected_version: 1 theme: "夜間の訪問診療が足りない"
            tags: "夜間対応")"),
      Bad("IntakeService/RaiseIssueSeed", R"(id: "${con}" expected_version: 1 theme: "x")",
          {"tags"}),
      Bad("IntakeService/RaiseIssueSeed",
          R"(id: "${con}" expected_version: 1 theme: "x" tags: "t" capability: "no_such")",
          {"capability"}),
      Ok("IntakeService/ListIssueSeeds", "raised_from { ${today} } raised_to { ${today} }"),
      Bad("IntakeService/ListIssueSeeds",
          R"(raised_from { year: 2026 month: 11 day: 24 }
             raised_to { year: 2026 month: 11 day: 1 })",
          {"raised_to"}),
      Bad("IntakeService/ListIssueSeeds", "raised_from { year: 2026 month: 13 day: 1 }",
          {"raised_from"}),
      Ok("IntakeService/GetDigest", "from { ${today} } to { ${today} }"),
      // The inverted range GetDigest refused before ListConsultations did.
      Bad("IntakeService/GetDigest",
          R"(from { year: 2026 month: 11 day: 24 } to { year: 2026 month: 11 day: 1 })", {"to"}),
      Bad("IntakeService/GetDigest", "", {"from", "to"}),
      Ok("IntakeService/GetNeedGaps", ""),
      Bad("IntakeService/GetNeedGaps", "fiscal_year: 1999", {"fiscal_year"}),
  });

  // --- IssuesService ---
  const std::string meeting_title = R"(title: "在宅医療・介護連携推進協議会")";
  add({
      Ok("IssuesService/ListCandidates", "status: CANDIDATE_STATUS_PROPOSED"),
      Bad("IssuesService/ListCandidates", "status: 99", {"status"}),
      Ok("IssuesService/AcceptCandidate",
         R"(candidate_id: "${cand_accept}" expected_version: ${cand_accept_v}
            theme: "看取りの支援")"),
      Bad("IssuesService/AcceptCandidate",
          R"(candidate_id: "${cand_spare}" expected_version: ${cand_spare_v} theme: ""
             scope: ISSUE_SCOPE_WIDE_AREA)",
          {"theme", "related_municipality_codes"}),
      // Twice: handled already.
      Closed("IssuesService/AcceptCandidate",
             R"(candidate_id: "${cand_done}" expected_version: ${cand_done_v2} theme: "x")",
             "candidate_id"),
      Stale("IssuesService/AcceptCandidate",
            R"(candidate_id: "${cand_spare}" expected_version: 7 theme: "x")", "7",
            "${cand_spare_v}"),
      Missing("IssuesService/AcceptCandidate",
              R"(candidate_id: "${cand_missing}" expected_version: 1 theme: "x")",
              "${cand_missing}"),
      Ok("IssuesService/MergeCandidate",
         R"(candidate_id: "${cand_merge}" expected_version: ${cand_merge_v}
            issue_id_into: "${iss_merge_into}")"),
      Bad("IssuesService/MergeCandidate",
          R"(candidate_id: "${cand_spare}" expected_version: ${cand_spare_v})", {"into"}),
      Closed("IssuesService/MergeCandidate",
             R"(candidate_id: "${cand_done}" expected_version: ${cand_done_v2}
                issue_id_into: "${iss}")",
             "candidate_id"),
      Ok("IssuesService/DismissCandidate",
         R"(candidate_id: "${cand_dismiss}" expected_version: ${cand_dismiss_v}
            reason: "既存の課題と同じ")"),
      Bad("IssuesService/DismissCandidate",
          R"(candidate_id: "${cand_spare}" expected_version: ${cand_spare_v} reason: " ")",
          {"reason"}),
      Ok("IssuesService/CreateIssue", R"(theme: "入退院支援" theme_tags: "tag:入退院")")
          .Observe([](Env& e) {
            return std::to_string(
                e.Do<v1::ListIssuesResponse>("IssuesService/ListIssues", "page_size: 200").total());
          }),
      Bad("IssuesService/CreateIssue",
          R"(theme: "x" scope: ISSUE_SCOPE_WIDE_AREA related_municipality_codes: "132251")",
          {"related_municipality_codes[0]"}),
      Bad("IssuesService/CreateIssue", R"(theme: "x" scope: ISSUE_SCOPE_WIDE_AREA)",
          {"related_municipality_codes"}),
      Ok("IssuesService/GetIssue", R"(id: "${iss}")"),
      Bad("IssuesService/GetIssue", R"(id: "iss_1")", {"id"}),
      Missing("IssuesService/GetIssue", R"(id: "${iss_missing}")", "${iss_missing}"),
      Ok("IssuesService/ListIssues", "status: ISSUE_STATUS_OPEN"),
      Bad("IssuesService/ListIssues", "step: 9", {"step"}),
      Ok("IssuesService/UpdateIssue",
         R"(id: "${iss_upd}" expected_version: 1 target_state: "本人の望む場所で暮らせる")"),
      Bad("IssuesService/UpdateIssue", R"(id: "${iss}" expected_version: 1)", {"update"}),
      Bad("IssuesService/UpdateIssue",
          R"(id: "${iss}" expected_version: 1 replace_causes: true
             causes { text: "a" main: true } causes { text: "b" main: true })",
          {"causes"}),
      Stale("IssuesService/UpdateIssue", R"(id: "${iss}" expected_version: 7 theme: "x")", 7, 1),
      Missing("IssuesService/UpdateIssue", R"(id: "${iss_missing}" expected_version: 1 theme: "x")",
              "${iss_missing}"),
      Ok("IssuesService/AddCountermeasure",
         R"(id: "${iss_cm_add}" expected_version: ${iss_cm_add_v}
            countermeasure { audiences: AUDIENCE_ROLE_VISITING_NURSES content: "同行訪問" })"),
      Bad("IssuesService/AddCountermeasure",
          R"(id: "${iss_cm_add}" expected_version: ${iss_cm_add_v}
             countermeasure { content: "x" })",
          {"countermeasure.audiences"}),
      // Step gate: no countermeasure before step 5.
      Bad("IssuesService/AddCountermeasure",
          R"(id: "${iss}" expected_version: 1
             countermeasure { audiences: AUDIENCE_ROLE_PHYSICIANS content: "x" })",
          {"countermeasure"}),
      Ok("IssuesService/UpdateCountermeasure",
         R"(id: "${iss_cm}" expected_version: ${iss_cm_v} countermeasure_id: "${cm}"
            status: COUNTERMEASURE_STATUS_IN_PROGRESS)"),
      Bad("IssuesService/UpdateCountermeasure",
          R"(id: "${iss_cm}" expected_version: ${iss_cm_v} countermeasure_id: "cm_1"
             status: 42)",
          {"countermeasure_id", "status"}),
      Missing("IssuesService/UpdateCountermeasure",
              R"(id: "${iss_s5}" expected_version: ${iss_s5_v} countermeasure_id: "${cm_missing}"
                 status: COUNTERMEASURE_STATUS_DONE)",
              "${cm_missing}"),
      Ok("IssuesService/AddExpectedChange",
         R"(id: "${iss_ec_add}" expected_version: ${iss_ec_add_v}
            expected_change { ${expected_change} })"),
      Bad("IssuesService/AddExpectedChange",
          R"(id: "${iss_ec_add}" expected_version: ${iss_ec_add_v}
             expected_change { description: "x" indicator { name_ja: "y"
                               frequency: MEASUREMENT_FREQUENCY_YEARLY } })",
          {"expected_change.indicator.methods"}),
      Ok("IssuesService/UpdateExpectedChange",
         R"(id: "${iss_ec}" expected_version: ${iss_ec_v} expected_change_id: "${exp}"
            baseline: 12 target: 40)"),
      Bad("IssuesService/UpdateExpectedChange",
          R"(id: "${iss_ec}" expected_version: ${iss_ec_v} expected_change_id: "${exp}")",
          {"update"}),
      Missing("IssuesService/UpdateExpectedChange",
              R"(id: "${iss_s5}" expected_version: ${iss_s5_v}
                 expected_change_id: "${exp_missing}" target: 1)",
              "${exp_missing}"),
      Ok("IssuesService/AdvanceStep", R"(id: "${iss_adv}" expected_version: ${iss_adv_v})"),
      // Step 1's gate: no target state written.
      Bad("IssuesService/AdvanceStep", R"(id: "${iss}" expected_version: 1)", {"step"}),
      Stale("IssuesService/AdvanceStep", R"(id: "${iss}" expected_version: 3)", 3, 1),
      Ok("IssuesService/ReturnToStep", R"(id: "${iss_ret}" expected_version: ${iss_ret_v}
                                          step: 1 reason: "目指す姿を見直す")"),
      Bad("IssuesService/ReturnToStep",
          R"(id: "${iss_ret}" expected_version: ${iss_ret_v} step: 0 reason: "")",
          {"step", "reason"}),
      Ok("IssuesService/StartNewCycle", R"(id: "${iss_eval}" expected_version: ${iss_eval_v})"),
      Bad("IssuesService/StartNewCycle", R"(id: "${iss}" expected_version: 0)",
          {"expected_version"}),
      Ok("IssuesService/EscalateIssue", R"(id: "${iss_wide}" expected_version: ${iss_wide_v}
                                           note: "近隣市と共通の課題")"),
      // Only wide-area issues go to the prefecture.
      Bad("IssuesService/EscalateIssue", R"(id: "${iss}" expected_version: 1)", {"scope"}),
      Ok("IssuesService/ExportWorksheet", R"(id: "${iss}" format: WORKSHEET_FORMAT_CSV)"),
      Bad("IssuesService/ExportWorksheet", R"(id: "${iss}" format: 9)", {"format"}),
      Missing("IssuesService/ExportWorksheet", R"(id: "${iss_missing}")", "${iss_missing}"),
      // A municipality lists the prefecture's wide-area issues: none here.
      Ok("IssuesService/ListWideAreaIssues", "").Then([](Env&, const Answer& a) {
        EXPECT_EQ(First<v1::ListWideAreaIssuesResponse>(a).issues_size(), 0);
      }),
      Unparseable("IssuesService/ListWideAreaIssues", kTruncated),
      // An empty code means the instance's own (documented): stored as 132250.
      Ok("IssuesService/RecordMeeting", "meeting { ${meeting} " + meeting_title + " }")
          .Then([](Env& e, const Answer& a) {
            const auto m = First<v1::Meeting>(a);
            EXPECT_EQ(m.municipality_code(), kInagi);
            EXPECT_EQ(e.Do<v1::Meeting>("IssuesService/GetMeeting", "id: \"" + m.id() + "\"")
                          .municipality_code(),
                      kInagi);
          })
          .Observe([](Env& e) {
            return std::to_string(
                e.Do<v1::ListMeetingsResponse>("IssuesService/ListMeetings", "").meetings_size());
          }),
      Ok("IssuesService/RecordMeeting",
         "meeting { ${meeting} municipality_code: \"132250\" " + meeting_title + " }"),
  });
  for (const auto& code : bad_codes) {
    rows.push_back(Bad("IssuesService/RecordMeeting",
                       absl::StrCat("meeting { ${meeting} municipality_code: \"", code, "\" ",
                                    meeting_title, " }"),
                       {"meeting.municipality_code"}));
  }
  add({
      Bad("IssuesService/RecordMeeting",
          R"(meeting { body: MEETING_BODY_COUNCIL title: "x" issue_ids: "${iss_missing}" })",
          {"meeting.date", "meeting.issue_ids[0]"}),
      BadBytes("IssuesService/RecordMeeting",
               [](Env&) {
                 return std::vector<std::string>{
                     BytesField(1, BytesField(5, "x") + BytesField(6, "\xff\xfe"))};
               },
               {"meeting.agenda[*]"}),
      Ok("IssuesService/UpdateMeeting",
         R"(meeting { id: "${mtg_upd}" version: 1 ${meeting} title: "協議会 第2回" })"),
      Bad("IssuesService/UpdateMeeting",
          R"(meeting { id: "${mtg}" version: 1 ${meeting} title: "x"
                       municipality_code: "132251" })",
          {"meeting.municipality_code"}),
      Stale("IssuesService/UpdateMeeting",
            R"(meeting { id: "${mtg}" version: 4 ${meeting} title: "x" })", 4, 1),
      Missing("IssuesService/UpdateMeeting",
              R"(meeting { id: "${mtg_missing}" version: 1 ${meeting} title: "x" })",
              "${mtg_missing}"),
      Ok("IssuesService/GetMeeting", R"(id: "${mtg}")"),
      Bad("IssuesService/GetMeeting", R"(id: "mtg_1")", {"id"}),
      Missing("IssuesService/GetMeeting", R"(id: "${mtg_missing}")", "${mtg_missing}"),
      Ok("IssuesService/ListMeetings", "from { ${today} } to { ${today} }"),
      Bad("IssuesService/ListMeetings",
          R"(from { year: 2026 month: 11 day: 24 } to { year: 2026 month: 11 day: 1 })", {"to"}),
      Bad("IssuesService/ListMeetings", R"(issue_id: "iss_1")", {"issue_id"}),
  });

  // --- TrainingService ---
  const std::string training = R"(title: "入力検査の研修" ${course} sessions { ${session} } )";
  add({
      Ok("TrainingService/GetSkillFramework", ""),
      Bad("TrainingService/GetSkillFramework", "version: -1", {"version"}),
      Missing("TrainingService/GetSkillFramework", "version: 7", "7"),
      // Only the national instance publishes the framework; a municipal one refuses.
      Ok("TrainingService/PublishSkillFramework", "${skills} expected_version: 1")
          .As(v1::ROLE_NATIONAL_STAFF)
          .AtNation()
          .Then(
              [](Env&, const Answer& a) { EXPECT_EQ(First<v1::SkillFramework>(a).version(), 2); }),
      Closed("TrainingService/PublishSkillFramework", "${skills} expected_version: 1", "skills")
          .As(v1::ROLE_NATIONAL_STAFF),
      Bad("TrainingService/PublishSkillFramework", "expected_version: 1", {"skills"})
          .As(v1::ROLE_NATIONAL_STAFF),
      // An empty organizer code means the instance's own (documented): stored as 132250.
      Ok("TrainingService/CreateTraining", "training { " + training + "}")
          .Then([](Env&, const Answer& a) {
            const auto t = First<v1::Training>(a);
            EXPECT_EQ(t.organizer_code(), kInagi);
            EXPECT_EQ(t.organizer_level(), v1::ORGANIZER_LEVEL_MUNICIPAL);
          })
          .Observe([](Env& e) {
            return std::to_string(
                e.Do<v1::ListTrainingsResponse>("TrainingService/ListTrainings", "").total());
          }),
      Ok("TrainingService/CreateTraining",
         "training { " + training +
             R"(organizer_code: "132250" organizer_level: ORGANIZER_LEVEL_MUNICIPAL })"),
      Bad("TrainingService/CreateTraining", "training { " + training + "organizer_level: 99 }",
          {"training.organizer_level"}),
      Bad("TrainingService/CreateTraining",
          "training { " + training + "organizer_level: ORGANIZER_LEVEL_NATIONAL }",
          {"training.organizer_level"}),
  });
  for (const auto& code : bad_codes) {
    rows.push_back(Bad("TrainingService/CreateTraining",
                       absl::StrCat("training { ", training, "organizer_code: \"", code, "\" }"),
                       {"training.organizer_code"}));
  }
  add({
      Bad("TrainingService/CreateTraining",
          R"(training { title: "x" ${course}
                        sessions { ${session_times} online: true capacity: 0 } })",
          {"training.sessions[0].capacity"}),
      Ok("TrainingService/GetTraining", R"(id: "${trn}")"),
      Bad("TrainingService/GetTraining", R"(id: "trn_1")", {"id"}),
      Missing("TrainingService/GetTraining", R"(id: "${trn_missing}")", "${trn_missing}"),
      Ok("TrainingService/ListTrainings", R"(municipality_code: "132250")"),
      Bad("TrainingService/ListTrainings",
          R"(from { year: 2026 month: 11 day: 24 } to { year: 2026 month: 11 day: 1 })", {"to"}),
      Bad("TrainingService/ListTrainings", R"(municipality_code: "132251")", {"municipality_code"}),
      Ok("TrainingService/UpdateTraining",
         R"(training { id: "${trn_upd}" version: 1 title: "入力検査の研修 改訂"
                       ${course} })"),
      Bad("TrainingService/UpdateTraining",
          R"(training { id: "${trn_upd}" version: 2 title: "x" ${course}
                        organizer_code: "132251" })",
          {"training.organizer_code"}),
      Stale("TrainingService/UpdateTraining",
            R"(training { id: "${trn}" version: 9 title: "x" ${course} })", 9, 1),
      Missing("TrainingService/UpdateTraining",
              R"(training { id: "${trn_missing}" version: 1 title: "x" ${course} })",
              "${trn_missing}"),
      // A cancelled training cannot change.
      Closed("TrainingService/UpdateTraining",
             R"(training { id: "${trn_cancelled}" version: 2 title: "x" ${course} })",
             "training.id"),
      Ok("TrainingService/AddSession",
         R"(training_id: "${trn_addses}" expected_version: 1 session { ${session} })"),
      Bad("TrainingService/AddSession",
          R"(training_id: "${trn}" expected_version: 1
             session { starts_at { seconds: 1900000000 } ends_at { seconds: 1899990000 }
                       online: true capacity: 10 })",
          {"session.ends_at"}),
      Closed("TrainingService/AddSession",
             R"(training_id: "${trn_cancelled}" expected_version: 2 session { ${session} })",
             "training_id"),
      Ok("TrainingService/UpdateSession",
         R"(training_id: "${trn_updses}" expected_version: 1
            session { id: "${ses_upd}" ${session_times} online: true capacity: 40 })"),
      Bad("TrainingService/UpdateSession",
          R"(training_id: "${trn}" expected_version: 1
             session { id: "ses_1" ${session_times} online: true capacity: 40 })",
          {"session.id"}),
      Missing("TrainingService/UpdateSession",
              R"(training_id: "${trn}" expected_version: 1
                 session { id: "${ses_missing}" ${session_times} online: true capacity: 40 })",
              "${ses_missing}"),
      Ok("TrainingService/CancelTraining",
         R"(id: "${trn_cancel}" expected_version: 1 reason: "台風のため")"),
      Bad("TrainingService/CancelTraining", R"(id: "${trn}" expected_version: 1 reason: "a\001b")",
          {"reason"}),
      Closed("TrainingService/CancelTraining", R"(id: "${trn_cancelled}" expected_version: 2)",
             "id"),
      Ok("TrainingService/Register",
         R"(registration { training_id: "${trn}" participant_id: "p-new"
                           participant_name: "入力 検査" municipality_code: "132250"
                           role: AUDIENCE_ROLE_COORDINATORS })")
          .Observe([](Env& e) {
            return std::to_string(
                e.Do<v1::ListRegistrationsResponse>("TrainingService/ListRegistrations",
                                                    R"(training_id: "${trn}")")
                    .registrations_size());
          }),
      Bad("TrainingService/Register",
          R"(registration { training_id: "${trn}" participant_id: "p bad"
                            participant_name: "x" municipality_code: "132251"
                            role: AUDIENCE_ROLE_COORDINATORS })",
          {"registration.participant_id", "registration.municipality_code"}),
      Closed("TrainingService/Register",
             R"(registration { training_id: "${trn_cancelled}" participant_id: "p-x"
                               participant_name: "x" municipality_code: "132250"
                               role: AUDIENCE_ROLE_COORDINATORS })",
             "registration.training_id"),
      Missing("TrainingService/Register",
              R"(registration { training_id: "${trn_missing}" participant_id: "p-x"
                                participant_name: "x" municipality_code: "132250"
                                role: AUDIENCE_ROLE_COORDINATORS })",
              "${trn_missing}"),
      Ok("TrainingService/CancelRegistration", R"(id: "${reg_cancel}" reason: "都合により")"),
      Bad("TrainingService/CancelRegistration", R"(id: "reg_1")", {"id"}),
      Missing("TrainingService/CancelRegistration", R"(id: "${reg_missing}")", "${reg_missing}"),
      Ok("TrainingService/GetRegistration", R"(id: "${reg}")"),
      Bad("TrainingService/GetRegistration", R"(id: "reg_1")", {"id"}),
      Missing("TrainingService/GetRegistration", R"(id: "${reg_missing}")", "${reg_missing}"),
      Ok("TrainingService/ListRegistrations", R"(participant_id: "p-main")"),
      Bad("TrainingService/ListRegistrations", "", {"training_id"}),
      Bad("TrainingService/ListRegistrations", R"(training_id: "${trn}" status: 9)", {"status"}),
      Ok("TrainingService/RecordAttendance",
         R"(training_id: "${trn}" session_id: "${ses}"
            entries { registration_id: "${reg_attend}" attended: true })"),
      Bad("TrainingService/RecordAttendance", R"(training_id: "${trn}" session_id: "${ses}")",
          {"entries"}),
      Missing("TrainingService/RecordAttendance",
              R"(training_id: "${trn}" session_id: "${ses_missing}"
                 entries { registration_id: "${reg_attend}" attended: true })",
              "${ses_missing}"),
      // Attendance of a cancelled training.
      Closed("TrainingService/RecordAttendance",
             R"(training_id: "${trn_cancelled}" session_id: "${ses_cancelled}"
                entries { registration_id: "${reg_of_cancelled}" attended: true })",
             "training_id"),
      // (Before the valid row: a registration answers one survey.)
      Bad("TrainingService/SubmitSurvey",
          R"(registration_id: "${reg_survey}" answers { item_id: "q1" likert: 9 })",
          {"answers[0].likert"}),
      Ok("TrainingService/SubmitSurvey",
         R"(registration_id: "${reg_survey}" answers { item_id: "q1" likert: 4 })"),
      Missing("TrainingService/SubmitSurvey",
              R"(registration_id: "${reg_missing}" answers { item_id: "q1" likert: 4 })",
              "${reg_missing}"),
      Ok("TrainingService/GetSurveyResults", R"(training_id: "${trn}")"),
      Bad("TrainingService/GetSurveyResults", R"(training_id: "trn_1")", {"training_id"}),
      Missing("TrainingService/GetSurveyResults", R"(training_id: "${trn_missing}")",
              "${trn_missing}"),
      Ok("TrainingService/ExportCalendar", R"(training_id: "${trn}")"),
      Bad("TrainingService/ExportCalendar", "", {"scope"}),
      Bad("TrainingService/ExportCalendar", R"(municipality_code: "132997")",
          {"municipality_code"}),
      Ok("TrainingService/ListPeers", R"(training_id: "${trn}")"),
      Bad("TrainingService/ListPeers", R"(training_id: "${trn}" roles: 99)", {"roles[0]"}),
      Bad("TrainingService/ListPeers", "", {"scope"}),
  });

  // --- IndicatorsService ---
  const std::string spec =
      R"(name_ja: "新しい指標" unit: "件" kind: INDICATOR_KIND_COUNT
         methods: MEASUREMENT_METHOD_HEARING frequency: MEASUREMENT_FREQUENCY_QUARTERLY
         direction: DIRECTION_HIGHER_IS_BETTER)";
  const std::string csv_header = R"(indicator_code,jurisdiction_code,period,value\n)";
  add({
      Ok("IndicatorsService/DefineIndicator",
         R"(definition { spec { code: "bi.new" )" + spec + " } }")
          .Observe([](Env& e) {
            return std::to_string(
                e.Do<v1::ListIndicatorsResponse>("IndicatorsService/ListIndicators", "")
                    .definitions_size());
          }),
      Bad("IndicatorsService/DefineIndicator",
          R"(definition { spec { code: "derived.mine" name_ja: "x" } })",
          {"definition.spec.code", "definition.spec.kind", "definition.spec.methods"}),
      Stale("IndicatorsService/DefineIndicator",
            R"(definition { spec { code: "bi.count" )" + spec + " } } expected_version: 4", 4, 1),
      Missing("IndicatorsService/DefineIndicator",
              R"(definition { spec { code: "bi.missing" )" + spec + " } } expected_version: 1",
              "bi.missing"),
      Ok("IndicatorsService/GetIndicator", R"(code: "bi.count")"),
      Bad("IndicatorsService/GetIndicator", R"(code: "bad code")", {"code"}),
      Missing("IndicatorsService/GetIndicator", R"(code: "bi.missing")", "bi.missing"),
      Ok("IndicatorsService/ListIndicators", "origin: INDICATOR_ORIGIN_LOCAL"),
      Bad("IndicatorsService/ListIndicators", "origin: 99", {"origin"}),
      Ok("IndicatorsService/RecordObservation",
         R"(observation { indicator_code: "bi.count" jurisdiction_code: "132250"
                          period: "2026-10" value: 7 })"),
      Bad("IndicatorsService/RecordObservation",
          R"(observation { indicator_code: "bi.count" jurisdiction_code: "131016"
                           period: "2026-13" value: 7 })",
          {"observation.jurisdiction_code", "observation.period"}),
      // Recorded already: a correction names the version it read.
      Stale("IndicatorsService/RecordObservation",
            R"(observation { indicator_code: "bi.count" jurisdiction_code: "132250"
                             period: "2026-09" value: 5 })",
            0, 1),
      Missing("IndicatorsService/RecordObservation",
              R"(observation { indicator_code: "bi.count" jurisdiction_code: "132250"
                               period: "2026-08" value: 5 } expected_version: 1)",
              "bi.count/132250/2026-08"),
      Ok("IndicatorsService/GetObservationHistory",
         R"(indicator_code: "bi.count" jurisdiction_code: "132250" period: "2026-09")"),
      Bad("IndicatorsService/GetObservationHistory",
          R"(indicator_code: "bi.count" jurisdiction_code: "132250" period: "x")", {"period"}),
      Ok("IndicatorsService/GetSeries", R"(indicator_code: "bi.count" jurisdiction_code: "132250"
                                           from_period: "2026-01" to_period: "2026-12")"),
      Bad("IndicatorsService/GetSeries", R"(indicator_code: "bi.count" jurisdiction_code: "132250"
                                            from_period: "2026-12" to_period: "2026-01")",
          {"to_period"}),
      Bad("IndicatorsService/GetSeries",
          R"(indicator_code: "bi.missing" jurisdiction_code: "132250")", {"indicator_code"}),
      Ok("IndicatorsService/Compare",
         R"(indicator_code: "bi.count" period: "2026-09" scope: "13")"),
      Bad("IndicatorsService/Compare",
          R"(indicator_code: "bi.count" period: "2026-09" scope: "99")", {"scope"}),
      Ok("IndicatorsService/RollUp",
         R"(indicator_code: "bi.count" period: "2026-09" jurisdiction_code: "130001")"),
      Bad("IndicatorsService/RollUp",
          R"(indicator_code: "bi.count" period: "2026-09" jurisdiction_code: "132250")",
          {"jurisdiction_code"}),
      Ok("IndicatorsService/GetIssueProgress", R"(issue_id: "${iss}")"),
      Bad("IndicatorsService/GetIssueProgress", R"(issue_id: "iss_1")", {"issue_id"}),
      Ok("IndicatorsService/ExportObservations", "format: OBSERVATION_FORMAT_CSV"),
      Bad("IndicatorsService/ExportObservations", "", {"format"}),
      Bad("IndicatorsService/ExportObservations",
          R"(format: OBSERVATION_FORMAT_CSV from_period: "2026-12" to_period: "2026-01")",
          {"to_period"}),
      Ok("IndicatorsService/ImportObservations",
         R"(format: OBSERVATION_FORMAT_CSV recorded_by: "入力検査"
            content: ")" +
             csv_header + R"(bi.count,132250,2026-07,3\n")")
          .Then([](Env&, const Answer& a) {
            EXPECT_EQ(First<v1::ImportObservationsResponse>(a).recorded(), 1);
          })
          .Observe([](Env& e) {
            return std::to_string(e.Do<v1::ObservationHistory>(
                                       "IndicatorsService/GetObservationHistory",
                                       R"(indicator_code: "bi.count" jurisdiction_code: "132250"
                                          period: "2026-07")")
                                      .versions_size());
          }),
      // Bad rows without allow_partial: nothing written, each row named.
      Bad("IndicatorsService/ImportObservations",
          R"(format: OBSERVATION_FORMAT_CSV content: ")" + csv_header +
              R"(bi.count,132250,2026-13,3\nbi.count,132250,2026-06,abc\n")",
          {"row 1 (period)", "row 2 (value)"}),
      Ok("IndicatorsService/ImportObservations",
         R"(format: OBSERVATION_FORMAT_CSV allow_partial: true content: ")" + csv_header +
             R"(bi.count,132250,2026-13,3\nbi.count,132250,2026-05,2\n")")
          .Then([](Env&, const Answer& a) {
            const auto r = First<v1::ImportObservationsResponse>(a);
            EXPECT_EQ(r.recorded(), 1);
            ASSERT_EQ(r.errors_size(), 1);
            EXPECT_EQ(r.errors(0).field(), "period");
          }),
      Ok("IndicatorsService/ReconcileDerived", "repair: false"),
      Bad("IndicatorsService/ReconcileDerived", R"(repair: true request_id: "short")",
          {"request_id"}),
      Ok("IndicatorsService/RecomputeDerived", "").As(v1::ROLE_OPERATOR),
      Bad("IndicatorsService/RecomputeDerived", R"(request_id: "has a space")", {"request_id"})
          .As(v1::ROLE_OPERATOR),
      Unparseable("IndicatorsService/RecomputeDerived", kTruncated).As(v1::ROLE_OPERATOR),
  });

  // --- NetworkService ---
  add({
      Ok("NetworkService/PutProfile",
         R"(profile { name: "入力 新人" role: NETWORK_ROLE_COORDINATOR })"),
      Bad("NetworkService/PutProfile",
          R"(profile { role: NETWORK_ROLE_COORDINATOR expertise: "no_such_thing" })",
          {"profile.name", "profile.expertise[0]"}),
      Stale("NetworkService/PutProfile",
            R"(profile { id: "${coo_peer}" name: "入力 同僚" role: NETWORK_ROLE_COORDINATOR }
               expected_version: 4)",
            4, 1),
      Ok("NetworkService/GetProfile", R"(id: "${coo}")"),
      Bad("NetworkService/GetProfile", R"(id: "coo_1")", {"id"}),
      Missing("NetworkService/GetProfile", R"(id: "${coo_missing}")", "${coo_missing}"),
      Ok("NetworkService/ListProfiles", R"(text: "入力")"),
      Bad("NetworkService/ListProfiles", "role: 99", {"role"}),
      Ok("NetworkService/AskPeer",
         R"(asker_profile_id: "${coo}" recipient { kind: PEER_RECIPIENT_KIND_NATIONAL_NETWORK }
            theme: "入力検査" question: "全国への質問")"),
      Bad("NetworkService/AskPeer", R"(asker_profile_id: "${coo}")",
          {"theme", "question", "recipient.kind"}),
      Ok("NetworkService/GetPeerRequest", R"(id: "${preq}")"),
      Bad("NetworkService/GetPeerRequest", R"(id: "preq_1")", {"id"}),
      Missing("NetworkService/GetPeerRequest", R"(id: "${preq_missing}")", "${preq_missing}"),
      Ok("NetworkService/ListPeerRequests", R"(box: PEER_BOX_INBOX profile_id: "${coo_peer}")"),
      Bad("NetworkService/ListPeerRequests", "", {"box"}),
      Ok("NetworkService/RespondToPeerRequest",
         R"(id: "${preq}" profile_id: "${coo_peer}" kind: PEER_STEP_KIND_TAKEN)"),
      Bad("NetworkService/RespondToPeerRequest",
          R"(id: "${preq}" profile_id: "${coo_peer}" kind: PEER_STEP_KIND_ANSWERED)", {"text"}),
      Closed("NetworkService/RespondToPeerRequest",
             R"(id: "${preq_done}" profile_id: "${coo_peer}" kind: PEER_STEP_KIND_TAKEN)", "id"),
      Ok("NetworkService/PublishPractice",
         R"(issue_id: "${iss_s5}" share_level: SHARE_LEVEL_PREFECTURE
            contact_profile_id: "${coo}")"),
      Bad("NetworkService/PublishPractice", R"(issue_id: "iss_1" contact_profile_id: "${coo}")",
          {"issue_id", "share_level"}),
      Ok("NetworkService/WithdrawPractice", R"(id: "${prac_w}")"),
      Bad("NetworkService/WithdrawPractice", R"(id: "prac_1")", {"id"}),
      Missing("NetworkService/WithdrawPractice", R"(id: "${prac_missing}")", "${prac_missing}"),
      Ok("NetworkService/GetPractice", R"(id: "${prac}")"),
      Bad("NetworkService/GetPractice", R"(id: "prac_1")", {"id"}),
      Ok("NetworkService/SearchPractices", R"(text: "入力検査")"),
      Bad("NetworkService/SearchPractices", "min_step: 9 page_size: 500",
          {"min_step", "page_size"}),
      Ok("NetworkService/AnnotatePractice",
         R"(id: "${prac}" profile_id: "${coo}" text: "参考になります" featured: true)")
          .As(v1::ROLE_COORDINATOR),
      Bad("NetworkService/AnnotatePractice", R"(id: "${prac}" profile_id: "${coo}")", {"text"})
          .As(v1::ROLE_COORDINATOR),
  });

  // --- SharingService ---
  const std::string csv_document =
      R"(document { title: "入力検査の様式" kind: DOCUMENT_KIND_FORM } file_name: "s.csv" )";
  add({
      Ok("SharingService/PublishDocument", csv_document + R"(content: "a,b\n")"),
      Bad("SharingService/PublishDocument",
          R"(document { title: "入力検査" kind: DOCUMENT_KIND_FORM } file_name: "s.pdf"
             content: "a,b\n")",
          {"content"}),
      Bad("SharingService/PublishDocument",
          R"(document { title: "入力検査" kind: DOCUMENT_KIND_FORM } file_name: "../s.csv"
             content: "a,b\n")",
          {"file_name"}),
      Ok("SharingService/WithdrawDocument", R"(id: "${doc_w}" expected_version: 1)"),
      Bad("SharingService/WithdrawDocument", R"(id: "${doc}")", {"expected_version"}),
      Ok("SharingService/GetDocument", R"(id: "${doc}")"),
      Bad("SharingService/GetDocument", R"(id: "doc_1")", {"id"}),
      Ok("SharingService/ListDocuments", "kind: DOCUMENT_KIND_FORM"),
      Bad("SharingService/ListDocuments", "kind: 99", {"kind"}),
      Ok("SharingService/GetDocumentFile", R"(document_id: "${doc}")"),
      Bad("SharingService/GetDocumentFile", R"(document_id: "x")", {"document_id"}),
      Ok("SharingService/PublishNotice",
         R"(notice { title: "入力検査のお知らせ" body: "本文" public: true })"),
      Bad("SharingService/PublishNotice", R"(notice { body: "本文" })", {"notice.title"}),
      Ok("SharingService/WithdrawNotice", R"(id: "${ntc_w}" expected_version: 1)"),
      Bad("SharingService/WithdrawNotice", R"(id: "${ntc_w}")", {"expected_version"}),
      Ok("SharingService/ListNotices", "limit: 10"),
      Bad("SharingService/ListNotices", "limit: 501", {"limit"}),
      Ok("SharingService/GetProfessionalsBoard", "").As(v1::ROLE_SERVICE),
      Unparseable("SharingService/GetProfessionalsBoard", NestedGroups(100000))
          .As(v1::ROLE_SERVICE),
      Ok("SharingService/RenderNoticeFeed",
         R"(feed_url: "https://x.example.jp/public/v1/notices.atom"
            page_url: "https://x.example.jp/board/")"),
      Bad("SharingService/RenderNoticeFeed", R"(page_url: "https://x.example.jp/board/")",
          {"feed_url"}),
      Ok("SharingService/Subscribe", R"(email: "row@bad-input.example.jp")"),
      Bad("SharingService/Subscribe", R"(email: "not an address")", {"email"}),
      Ok("SharingService/ConfirmSubscription", R"(token: "${sub_token_confirm}")")
          .As(v1::ROLE_SERVICE),
      Bad("SharingService/ConfirmSubscription", R"(token: "sub_x")", {"token"})
          .As(v1::ROLE_SERVICE),
      Ok("SharingService/Unsubscribe", R"(token: "${unsub_token}")").As(v1::ROLE_SERVICE),
      Bad("SharingService/Unsubscribe", R"(token: "x")", {"token"}).As(v1::ROLE_SERVICE),
      Ok("SharingService/ListSubscribers", "state: SUBSCRIBER_STATE_ACTIVE"),
      Bad("SharingService/ListSubscribers", "state: 9", {"state"}),
      Ok("SharingService/RemoveSubscriber", R"(id: "${sub_remove}")"),
      Bad("SharingService/RemoveSubscriber", R"(id: "sub_1")", {"id"}),
      Ok("ResourceSurveyService/ExportLiaisonContacts", "include_internal: true"),
      Unparseable("ResourceSurveyService/ExportLiaisonContacts", NestedGroups(100000)),
  });

  // --- TrainingService: events for residents ---
  add({
      Ok("TrainingService/ListPublicEvents", R"(theme_tag: "ACP")").As(v1::ROLE_SERVICE),
      Bad("TrainingService/ListPublicEvents", "from { year: 2026 month: 2 day: 30 }", {"from"})
          .As(v1::ROLE_SERVICE),
      Ok("TrainingService/GetPublicEvent", R"(id: "${trn_pub}")").As(v1::ROLE_SERVICE),
      Bad("TrainingService/GetPublicEvent", R"(id: "trn_1")", {"id"}).As(v1::ROLE_SERVICE),
      Ok("TrainingService/ExportPublicCalendar", "").As(v1::ROLE_SERVICE),
      Unparseable("TrainingService/ExportPublicCalendar", NestedGroups(100000))
          .As(v1::ROLE_SERVICE),
      Ok("TrainingService/RegisterForPublicEvent",
         R"(training_id: "${trn_pub}" name: "入力 住民" contact: "042-000-0001" party_size: 2)")
          .As(v1::ROLE_SERVICE),
      Bad("TrainingService/RegisterForPublicEvent",
          R"(training_id: "${trn_pub}" name: "入力 住民" contact: "どこか" party_size: 1)",
          {"contact"})
          .As(v1::ROLE_SERVICE),
      Bad("TrainingService/RegisterForPublicEvent",
          R"(training_id: "${trn_pub}" name: "入力 住民" contact: "042-000-0001" party_size: 11)",
          {"party_size"})
          .As(v1::ROLE_SERVICE),
      Ok("TrainingService/GetPublicRegistration", R"(token: "${pub_token_look}")")
          .As(v1::ROLE_SERVICE),
      Bad("TrainingService/GetPublicRegistration", R"(token: "reg_x")", {"token"})
          .As(v1::ROLE_SERVICE),
      Ok("TrainingService/CancelPublicRegistration", R"(token: "${pub_token_cancel}")")
          .As(v1::ROLE_SERVICE),
      Bad("TrainingService/CancelPublicRegistration", R"(token: "x")", {"token"})
          .As(v1::ROLE_SERVICE),
      Ok("TrainingService/SubmitAwarenessAnswers",
         R"(training_id: "${trn_pub}" phase: AWARENESS_PHASE_BEFORE
            answers { item_id: "acp_known" likert: 4 })")
          .As(v1::ROLE_SERVICE),
      Bad("TrainingService/SubmitAwarenessAnswers",
          R"(training_id: "${trn_pub}" phase: AWARENESS_PHASE_AFTER
             answers { item_id: "acp_known" likert: 9 })",
          {"answers[0].likert"})
          .As(v1::ROLE_SERVICE),
      Ok("TrainingService/GetAwarenessResults", R"(training_id: "${trn_pub}")"),
      Bad("TrainingService/GetAwarenessResults", R"(training_id: "x")", {"training_id"}),
  });

  // --- AdminService (served by every binary; asked of intake's) ---
  add({
      Ok("AdminService/Checkpoint", R"(target_dir: "${ckpt}")").As(v1::ROLE_OPERATOR),
      Bad("AdminService/Checkpoint", R"(target_dir: "backups/intake")", {"target_dir"})
          .As(v1::ROLE_OPERATOR),
      Ok("AdminService/GetStreamHistory", "").As(v1::ROLE_OPERATOR),
      Unparseable("AdminService/GetStreamHistory", NestedGroups(100000)).As(v1::ROLE_OPERATOR),
      Ok("AdminService/AcceptStreamHistoryGap", "").As(v1::ROLE_OPERATOR),
      Bad("AdminService/AcceptStreamHistoryGap", R"(request_id: "short")", {"request_id"})
          .As(v1::ROLE_OPERATOR),
      Ok("AdminService/CountEvents", "").As(v1::ROLE_OPERATOR),
      Unparseable("AdminService/CountEvents", kTruncated).As(v1::ROLE_OPERATOR),
  });
  return rows;
}

// --- running a row --------------------------------------------------------------------------

void ExpectAnswer(Env& env, const Row& row, const Answer& a) {
  EXPECT_EQ(a.status.error_code(), row.code) << Describe(a);
  if (a.status.error_code() != row.code) return;
  if (row.code == Code::OK) {
    if (row.check) row.check(env, a);
    return;
  }
  EXPECT_FALSE(a.status.error_message().empty());
  Details d = DetailsOf(a.status);
  switch (row.code) {
    case Code::INVALID_ARGUMENT:
      for (const auto& f : row.detail) {
        EXPECT_THAT(d.fields, Contains(env.values.Resolve(f))) << Describe(a);
      }
      break;
    case Code::FAILED_PRECONDITION:
      EXPECT_THAT(d.subjects, Contains(row.detail.at(0))) << Describe(a);
      break;
    case Code::NOT_FOUND:
      EXPECT_THAT(d.resources, Contains(env.values.Resolve(row.detail.at(0)))) << Describe(a);
      break;
    case Code::ABORTED:
      EXPECT_EQ(d.reason, "STALE_VERSION") << Describe(a);
      EXPECT_EQ(d.metadata["expected_version"], env.values.Resolve(row.detail.at(0)))
          << Describe(a);
      EXPECT_EQ(d.metadata["actual_version"], env.values.Resolve(row.detail.at(1))) << Describe(a);
      break;
    default:
      if (!row.detail.empty()) {
        EXPECT_THAT(a.status.error_message(), HasSubstr(row.detail[0]));
      }
      break;
  }
}

// Sends the row's request; for a command answered OK, also the request id checks.
void RunRow(Env& env, const Row& row) {
  const std::string path = "/renkei.v1." + row.method;
  const auto* method = MethodOf(path);
  ASSERT_NE(method, nullptr) << "no method " << path;
  const bool command = row.code == Code::OK && !row.raw && IsCommand(*method);
  const std::string text = env.values.Resolve(row.text);
  const std::string request_id = command ? common::NewId("req") : "";
  std::vector<std::string> requests;
  if (row.raw) {
    requests = row.raw(env);
  } else {
    auto r = Serialize(*method, text, request_id);
    ASSERT_TRUE(r.ok()) << r.status();
    requests = {*r};
  }
  auto channel = env.Channel(row.at, Env::ServiceOf(row.method), row.role);
  const Answer first = Call(channel, path, requests);
  ExpectAnswer(env, row, first);
  if (!command || !first.status.ok()) return;

  // The same request with the same id: the first answer, byte for byte; nothing applied twice.
  const std::string applied = row.observe ? row.observe(env) : "";
  const Answer again = Call(channel, path, requests);
  EXPECT_TRUE(again.status.ok()) << "the same request id again: " << Describe(again);
  EXPECT_EQ(again.Bytes(), first.Bytes()) << "a retry with the request id got another answer";
  if (row.observe) {
    EXPECT_EQ(row.observe(env), applied) << "applied twice";
  }

  // The same id with another body (an unknown field 9999 appended): refused, naming request_id.
  const Answer other = Call(channel, path, {requests[0] + VarintField(9999, 1)});
  EXPECT_EQ(other.status.error_code(), Code::FAILED_PRECONDITION)
      << "the same request id with another body: " << Describe(other);
  EXPECT_THAT(other.status.error_message(), HasSubstr("request_id"));
  EXPECT_THAT(DetailsOf(other.status).subjects, Contains("request_id")) << Describe(other);

  // The same id with a known field of the request left out: refused the same way.
  {
    std::unique_ptr<google::protobuf::Message> m(
        google::protobuf::MessageFactory::generated_factory()
            ->GetPrototype(method->input_type())
            ->New());
    ASSERT_TRUE(m->ParseFromString(requests[0]));
    std::vector<const google::protobuf::FieldDescriptor*> set;
    m->GetReflection()->ListFields(*m, &set);
    for (const auto* f : set) {
      if (f->name() == "request_id") continue;
      m->GetReflection()->ClearField(m.get(), f);
      const Answer changed = Call(channel, path, {m->SerializeAsString()});
      EXPECT_EQ(changed.status.error_code(), Code::FAILED_PRECONDITION)
          << "the same request id without " << f->name() << ": " << Describe(changed);
      EXPECT_THAT(DetailsOf(changed.status).subjects, Contains("request_id")) << Describe(changed);
      break;
    }
  }

  // Malformed request ids.
  for (const char* malformed : {"short", "has a space"}) {
    auto r = Serialize(*method, text, malformed);
    ASSERT_TRUE(r.ok()) << r.status();
    const Answer bad = Call(channel, path, {*r});
    EXPECT_EQ(bad.status.error_code(), Code::INVALID_ARGUMENT)
        << "request_id \"" << malformed << "\": " << Describe(bad);
    EXPECT_THAT(DetailsOf(bad.status).fields, Contains("request_id")) << Describe(bad);
  }
}

class BadInputTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    env_ = new Env();
    env_->Start();
    if (::testing::Test::HasFatalFailure()) return;
    const auto start = std::chrono::steady_clock::now();
    env_->Build();
    if (::testing::Test::HasFatalFailure()) return;
    ready_ = true;
    std::printf("[ fixture ] built in %.1f s\n",
                std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  static void TearDownTestSuite() {
    delete env_;
    env_ = nullptr;
  }
  static Env* env_;
  static bool ready_;
};

Env* BadInputTest::env_ = nullptr;
bool BadInputTest::ready_ = false;

// Every method of every Renkei service has at least one bad-input row and one row answered OK.
TEST_F(BadInputTest, EveryRpcHasABadInputRowAndAValidRow) {
  std::map<std::string, int> bad, ok, ok_text;
  for (const auto& row : Table()) {
    const std::string path = "/renkei.v1." + row.method;
    EXPECT_NE(MethodOf(path), nullptr) << "a row for a method that does not exist: " << path;
    (row.code == Code::OK ? ok : bad)[path]++;
    if (row.code == Code::OK && !row.raw) ok_text[path]++;
  }
  std::set<std::string> services;
  int methods = 0;
  common::ForEachRenkeiMethod([&](const google::protobuf::MethodDescriptor& m) {
    const std::string path = "/" + m.service()->full_name() + "/" + m.name();
    services.insert(m.service()->name());
    ++methods;
    EXPECT_GT(bad[path], 0) << path << " has no bad-input row";
    EXPECT_GT(ok[path], 0) << path << " has no row answered OK";
    // The request id checks run on a command's OK rows given in text format.
    if (IsCommand(m)) {
      EXPECT_GT(ok_text[path], 0) << path << " is a command without a text OK row";
    }
  });
  EXPECT_EQ(services, (std::set<std::string>{
                          "AdminService", "DirectoryService", "IntakeService", "IssuesService",
                          "TrainingService", "IndicatorsService", "NetworkService",
                          "ResourceSurveyService", "ResourceMapService", "SharingService"}));
  EXPECT_EQ(methods, static_cast<int>(common::AccessTable::Get().methods().size()));
}

TEST_F(BadInputTest, EveryRowAnswersItsCodeAndDetail) {
  ASSERT_TRUE(ready_) << "the fixture could not be built";
  const std::vector<Row> rows = Table();
  int commands = 0;
  std::set<std::string> methods;
  for (size_t i = 0; i < rows.size(); ++i) {
    const Row& row = rows[i];
    SCOPED_TRACE("row " + std::to_string(i) + ": " + row.method + " " +
                 (row.raw ? std::string("(bytes)") : row.text));
    RunRow(*env_, row);
    methods.insert(row.method);
    const auto* m = MethodOf("/renkei.v1." + row.method);
    commands += row.code == Code::OK && !row.raw && m != nullptr && IsCommand(*m);
  }
  std::printf("[ table ] %zu rows over %zu RPCs; %d commands re-sent with their request ids\n",
              rows.size(), methods.size(), commands);

  // The request ledger logs "program error" when a command's answer was not the one its batch
  // recorded.
  for (const char* s : {"directory", "intake", "issues", "training", "indicators"}) {
    EXPECT_THAT(ReadFile(env_->inagi->log_path(s)), ::testing::Not(HasSubstr("program error")))
        << s;
  }
  EXPECT_THAT(ReadFile(env_->nation->log_path("training")),
              ::testing::Not(HasSubstr("program error")));
}

}  // namespace
}  // namespace renkei::testing
