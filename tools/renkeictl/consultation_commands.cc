// renkeictl consultation create|get|list|status|need|match|refer|outcome|followup add|done|
// overdue|seed|seeds|digest: the coordinator's daily work over renkei.v1.IntakeService.
//
// This file registers `consultation` with the commands on the consultation itself (create, get,
// list, status) and holds what the other parts share (consultation_parts.h); the other commands
// are in consultation_matching_commands.cc and consultation_follow_up_commands.cc.
//
// This is the coordinator's own tool inside the municipality: `get` shows the personal fields
// (requester, person, narrative, notes) as the service returns them.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "cli.h"
#include "consultation_parts.h"
#include "directory/vocabulary.h"
#include "intake/intake_rules.h"
#include "renkei/common/dates.h"
#include "renkei/common/labels.h"
#include "renkei/common/text.h"
#include "renkei/v1/intake.grpc.pb.h"
#include "words.h"

namespace renkei::cli {

namespace consultation_commands {
namespace {

// ---- words on the command line, and the labels coordinators see ----

constexpr Word<v1::Channel> kChannels[] = {
    {"phone", v1::CHANNEL_PHONE},
    {"visit", v1::CHANNEL_VISIT},
    {"email", v1::CHANNEL_EMAIL},
    {"other", v1::CHANNEL_OTHER},
};

constexpr Word<v1::SourceType> kSources[] = {
    {"family", v1::SOURCE_TYPE_PATIENT_FAMILY},
    {"care_manager", v1::SOURCE_TYPE_CARE_MANAGER_SUPPORT_CENTER},
    {"professional", v1::SOURCE_TYPE_MEDICAL_CARE_PROFESSIONAL},
    {"coordinator", v1::SOURCE_TYPE_COORDINATOR},
};

constexpr Word<v1::ConsultationStatus> kStatuses[] = {
    {"received", v1::CONSULTATION_STATUS_RECEIVED},
    {"assessing", v1::CONSULTATION_STATUS_ASSESSING},
    {"matched", v1::CONSULTATION_STATUS_MATCHED},
    {"referred", v1::CONSULTATION_STATUS_REFERRED},
    {"closed", v1::CONSULTATION_STATUS_CLOSED},
    {"unresolved", v1::CONSULTATION_STATUS_UNRESOLVED},
};

constexpr Word<v1::CareLevel> kCareLevels[] = {
    {"none", v1::CARE_LEVEL_NONE},          {"support1", v1::CARE_LEVEL_SUPPORT_1},
    {"support2", v1::CARE_LEVEL_SUPPORT_2}, {"care1", v1::CARE_LEVEL_CARE_1},
    {"care2", v1::CARE_LEVEL_CARE_2},       {"care3", v1::CARE_LEVEL_CARE_3},
    {"care4", v1::CARE_LEVEL_CARE_4},       {"care5", v1::CARE_LEVEL_CARE_5},
    {"unknown", v1::CARE_LEVEL_UNKNOWN},
};

constexpr Word<v1::ConditionCategory> kConditions[] = {
    {"dementia", v1::CONDITION_CATEGORY_DEMENTIA},
    {"neurological", v1::CONDITION_CATEGORY_NEUROLOGICAL},
    {"cancer", v1::CONDITION_CATEGORY_CANCER},
    {"cerebrovascular", v1::CONDITION_CATEGORY_CEREBROVASCULAR},
    {"cardiac", v1::CONDITION_CATEGORY_CARDIAC},
    {"respiratory", v1::CONDITION_CATEGORY_RESPIRATORY},
    {"frailty", v1::CONDITION_CATEGORY_FRAILTY},
    {"pediatric", v1::CONDITION_CATEGORY_PEDIATRIC},
    {"mental", v1::CONDITION_CATEGORY_MENTAL},
    {"end_of_life", v1::CONDITION_CATEGORY_END_OF_LIFE},
    {"other", v1::CONDITION_CATEGORY_OTHER},
};

constexpr Word<v1::AgeBand> kAgeBands[] = {
    {"under_40", v1::AGE_BAND_UNDER_40}, {"40_64", v1::AGE_BAND_40_64},
    {"65_74", v1::AGE_BAND_65_74},       {"75_84", v1::AGE_BAND_75_84},
    {"85_94", v1::AGE_BAND_85_94},       {"95_and_over", v1::AGE_BAND_95_AND_OVER},
};

}  // namespace

std::unique_ptr<v1::IntakeService::Stub> Stub() {
  return v1::IntakeService::NewStub(Channel(Options().intake_address));
}

std::string StatusText(v1::ConsultationStatus s) {
  return std::string(common::Label(s)) + " (" + WordOf(kStatuses, s) + ")";
}

// Parses a date already checked by DateCheck (an empty string leaves `out` unset).
bool OptionalDate(const std::string& s, const char* flag, v1::Date* out) {
  if (s.empty()) return true;
  if (ParseDate(s, out)) return true;
  std::fprintf(stderr, "%s: 実在する日付を YYYY-MM-DD で指定してください / not a date: %s\n", flag,
               s.c_str());
  return false;
}

void AddTarget(CLI::App* cmd, std::string* id, int64_t* version) {
  cmd->add_option("id", *id, "相談ID (con_...)")->required();
  cmd->add_option("--expected-version", *version, "読み込んだ版 / the version you read")
      ->required();
}

namespace {

std::string OutcomeText(const v1::Referral& r) {
  std::string out(common::Label(r.outcome(), "回答待ち"));
  if (r.outcome() == v1::REFERRAL_OUTCOME_DECLINED &&
      r.decline_reason() != v1::DECLINE_REASON_UNSPECIFIED) {
    out += ": " + std::string(common::Label(r.decline_reason(), ""));
  }
  return out;
}

// ---- dates and times ----

CLI::Validator TimeCheck() {
  return ParseCheck(&ParseTokyoTime,
                    "日時を YYYY-MM-DDTHH:MM (日本時間) で指定してください / not a Tokyo time "
                    "(YYYY-MM-DDTHH:MM): ",
                    "YYYY-MM-DDTHH:MM", "tokyo time");
}

// "parkinsons+home_visit_medical": the capability, then what the same resource must also have.
bool ParseNeedSpec(const std::string& spec, v1::NewNeed* out) {
  const std::vector<std::string> parts = Split(spec, '+');
  if (std::any_of(parts.begin(), parts.end(), [](const std::string& p) { return p.empty(); })) {
    return false;
  }
  out->set_capability(parts[0]);
  for (size_t i = 1; i < parts.size(); ++i) out->add_also_requires(parts[i]);
  return true;
}

CLI::Validator NeedCheck() {
  return ParseCheck(&ParseNeedSpec,
                    "対応内容コードを + でつないで指定してください (例: "
                    "parkinsons+home_visit_medical) / use CAPABILITY[+ALSO_REQUIRED...]: ",
                    "CAPABILITY[+ALSO...]", "need");
}

v1::Date TodayInTokyo() {
  const auto now = std::chrono::system_clock::now().time_since_epoch();
  return common::TokyoDate(std::chrono::duration_cast<std::chrono::microseconds>(now).count());
}

// ---- output ----

// "label  value" with the label padded to a display width of 14.
void Field(const char* label, const std::string& value) {
  if (value.empty()) return;
  const int pad = std::max(1, 14 - common::DisplayWidth(label));
  std::printf("%s%s %s\n", label, std::string(pad, ' ').c_str(), value.c_str());
}

// The table form (CallAndPrint prints JSON).
void PrintConsultation(const v1::Consultation& c) {
  Field("ID", c.id());
  Field("自治体", MunicipalityLabel(c.municipality_code()) + " (" + c.municipality_code() + ")");
  Field("受付日時", FormatTokyo(c.received_at()));
  Field("受付方法", LabelOf(kChannels, c.channel()));
  Field("相談元", std::string(common::Label(c.source_type())));
  Field("状態", StatusText(c.status()));
  Field("版", std::to_string(c.version()));
  Field("更新日時", FormatTokyo(c.updated_at()));

  std::printf("\n相談者 / requester\n");
  Field("  氏名", c.requester().name());
  Field("  所属", c.requester().organization());
  Field("  連絡先", c.requester().contact());
  if (!c.requester().institution_resource_id().empty()) {
    Field("  機関", c.requester().institution_name() + " (" +
                        MunicipalityLabel(c.requester().institution_municipality_code()) + ", " +
                        c.requester().institution_resource_id() + ")");
  }

  const auto& p = c.person();
  std::printf("\n本人 / person concerned\n");
  Field("  氏名", p.name());
  Field("  生年月日", FormatDateOrEmpty(p.birth_date()));
  Field("  年齢層", LabelOf(kAgeBands, c.age_band()));
  Field("  住所", p.address());
  Field("  要介護度", LabelOf(kCareLevels, p.care_level()));
  std::string conditions;
  for (int i = 0; i < p.conditions_size(); ++i) {
    conditions += (conditions.empty() ? "" : "、") + LabelOf(kConditions, p.conditions(i));
  }
  Field("  疾患分類", conditions);
  if (!c.narrative().empty()) std::printf("\n相談内容 / narrative\n%s\n", c.narrative().c_str());

  std::printf("\nニーズ / needs\n");
  if (c.needs_size() == 0) std::printf("(なし)\n");
  std::map<std::string, std::string> need_capability;
  for (int i = 0; i < c.needs_size(); ++i) {
    const auto& n = c.needs(i);
    need_capability[n.id()] = n.capability();
    if (i > 0) std::printf("\n");
    PrintNeed(i + 1, n, true);
  }

  std::printf("\n紹介 / referrals\n");
  if (c.referrals_size() == 0) {
    std::printf("(なし)\n");
  } else {
    Table t({"紹介先", "所在地", "ニーズ", "紹介日時", "回答期限", "結果", "メモ", "ID"});
    for (const auto& r : c.referrals()) {
      t.Add({r.resource_name(),
             MunicipalityLabel(r.resource_municipality_code()) +
                 (r.outside_municipality() ? " (市区町村外)" : ""),
             need_capability.count(r.need_id()) ? need_capability[r.need_id()] : r.need_id(),
             FormatTokyo(r.referred_at()), FormatDateOrEmpty(r.response_due()), OutcomeText(r),
             r.outcome_note(), r.id()});
    }
    t.Print({40, 30, 24, 16, 10, 30, 40, 30});
  }

  std::printf("\nフォローアップ / follow-ups\n");
  if (c.follow_ups_size() == 0) {
    std::printf("(なし)\n");
  } else {
    const int today = common::DateNumber(TodayInTokyo());
    Table t({"内容", "担当", "期限", "状態", "ID"});
    for (const auto& f : c.follow_ups()) {
      std::string state = f.done() ? "完了 " + FormatTokyo(f.done_at())
                          : common::DateNumber(f.due()) < today ? "未完了 (期限切れ)"
                                                                : "未完了";
      t.Add({f.task(), f.owner(), FormatDateOrEmpty(f.due()), state, f.id()});
    }
    t.Print({50, 16, 10, 24, 30});
  }

  std::printf("\n地域課題のタネ / issue seeds\n");
  if (c.seeds_size() == 0) {
    std::printf("(なし)\n");
  } else {
    Table t({"テーマ", "タグ", "対応内容", "記録", "日時", "ID"});
    for (const auto& s : c.seeds()) {
      t.Add({s.theme(), TagsText(s.tags()), CapabilityLabel(s.capability()),
             s.automatic() ? "自動" : "手動", FormatTokyo(s.raised_at()), s.id()});
    }
    t.Print({50, 30, 36, 4, 16, 32});
  }

  std::printf("\n経過 / history\n");
  if (c.history_size() == 0) {
    std::printf("(なし)\n");
  } else {
    Table t({"日時", "変更", "理由"});
    for (const auto& h : c.history()) {
      std::string change =
          h.from() == v1::CONSULTATION_STATUS_UNSPECIFIED
              ? std::string(common::Label(h.to()))
              : std::string(common::Label(h.from())) + " → " + std::string(common::Label(h.to()));
      t.Add({FormatTokyo(h.at()), change, h.reason()});
    }
    t.Print({16, 30, 60});
  }
}

// ---- create ----
struct CreateArgs {
  std::string channel, source, received, requester_name, requester_org, requester_contact;
  std::string requester_institution;
  std::string person_name, birth_date, address, care_level, narrative, from_json;
  std::vector<std::string> conditions, needs;
};

int RunCreate(const CreateArgs& a) {
  v1::CreateConsultationRequest req;
  if (!a.from_json.empty()) {
    std::string json;
    if (!ReadWholeFile(a.from_json, &json) || !ParseJson(a.from_json, json, &req)) return kUsage;
  } else if (a.channel.empty() || a.source.empty()) {
    std::fprintf(stderr,
                 "--channel と --source を指定してください (または --from-json) / --channel and "
                 "--source are required\n");
    return kUsage;
  }
  if (!a.channel.empty()) {
    req.set_channel(FromWord(kChannels, a.channel, v1::CHANNEL_UNSPECIFIED));
  }
  if (!a.source.empty()) {
    req.set_source_type(FromWord(kSources, a.source, v1::SOURCE_TYPE_UNSPECIFIED));
  }
  if (!a.received.empty() && !ParseTokyoTime(a.received, req.mutable_received_at())) {
    std::fprintf(stderr, "--received: 日時を YYYY-MM-DDTHH:MM で指定してください / bad time\n");
    return kUsage;
  }
  if (!a.requester_name.empty()) req.mutable_requester()->set_name(a.requester_name);
  if (!a.requester_org.empty()) req.mutable_requester()->set_organization(a.requester_org);
  if (!a.requester_contact.empty()) req.mutable_requester()->set_contact(a.requester_contact);
  if (!a.requester_institution.empty()) {
    req.mutable_requester()->set_institution_resource_id(a.requester_institution);
  }
  auto* person = req.mutable_person();
  if (!a.person_name.empty()) person->set_name(a.person_name);
  if (!a.birth_date.empty() &&
      !OptionalDate(a.birth_date, "--birth-date", person->mutable_birth_date())) {
    return kUsage;
  }
  if (!a.address.empty()) person->set_address(a.address);
  if (!a.care_level.empty()) {
    person->set_care_level(FromWord(kCareLevels, a.care_level, v1::CARE_LEVEL_UNSPECIFIED));
  }
  for (const auto& c : a.conditions) {
    person->add_conditions(FromWord(kConditions, c, v1::CONDITION_CATEGORY_UNSPECIFIED));
  }
  if (person->ByteSizeLong() == 0) req.clear_person();
  if (!a.narrative.empty()) req.set_narrative(a.narrative);
  for (const auto& spec : a.needs) {
    if (!ParseNeedSpec(spec, req.add_needs())) {
      std::fprintf(stderr, "--need: CAPABILITY[+ALSO_REQUIRED...] で指定してください: %s\n",
                   spec.c_str());
      return kUsage;
    }
  }
  return CallAndPrint(*Stub(), &v1::IntakeService::Stub::CreateConsultation, req,
                      [](const v1::Consultation& c) {
                        std::printf("相談を受け付けました: %s (版 %lld)\n", c.id().c_str(),
                                    static_cast<long long>(c.version()));
                      });
}

// ---- list ----
struct ListArgs {
  std::string status, from, to, page_token;
  int page_size = 0;
  bool all = false;
};

int RunList(const ListArgs& a) {
  v1::ListConsultationsRequest req;
  if (!a.status.empty()) {
    req.set_status(FromWord(kStatuses, a.status, v1::CONSULTATION_STATUS_UNSPECIFIED));
  }
  if (!OptionalDate(a.from, "--from", req.mutable_received_from()) ||
      !OptionalDate(a.to, "--to", req.mutable_received_to())) {
    return kUsage;
  }
  if (a.from.empty()) req.clear_received_from();
  if (a.to.empty()) req.clear_received_to();
  req.set_page_size(a.page_size);
  req.set_page_token(a.page_token);

  auto stub = Stub();
  Table table({"受付日時", "相談元", "状態", "ニーズ", "紹介数", "未完了フォロー", "版", "ID"});
  int shown = 0;
  v1::ListConsultationsResponse resp;
  while (true) {
    auto ctx = NewContext();
    grpc::Status s = stub->ListConsultations(ctx.get(), req, &resp);
    if (!s.ok()) return ReportError(s);
    if (JsonOutput()) {
      PrintJson(resp);
    } else {
      for (const auto& c : resp.consultations()) {
        ++shown;
        table.Add({FormatTokyo(c.received_at()), std::string(common::Label(c.source_type())),
                   std::string(common::Label(c.status())), CapabilitiesText(c.need_capabilities()),
                   std::to_string(c.referrals()), std::to_string(c.open_follow_ups()),
                   std::to_string(c.version()), c.id()});
      }
    }
    if (!a.all || resp.next_page_token().empty()) break;
    req.set_page_token(resp.next_page_token());
  }
  if (!JsonOutput()) {
    if (table.empty()) {
      std::printf("該当する相談はありません / no consultations\n");
    } else {
      table.Print({16, 36, 12, 60, 6, 14, 6, 30});
      std::printf(
          "\n%d 件を表示%s\n", shown,
          resp.next_page_token().empty() ? "" : "  (続き: --page-token で次ページ、--all で全件)");
      if (!resp.next_page_token().empty() && !a.all) {
        std::printf("next page token: %s\n", resp.next_page_token().c_str());
      }
    }
  }
  return kOk;
}

// Registers `create`, `get`, `list` and `status`.
void AddRecordCommands(CLI::App* consultation, std::function<int()>* run) {
  auto id = std::make_shared<std::string>();
  auto version = std::make_shared<int64_t>(0);

  auto ca = std::make_shared<CreateArgs>();
  auto* create = consultation->add_subcommand("create", "相談を受け付ける / record a consultation");
  create->add_option("--channel", ca->channel, "受付方法: " + Choices(kChannels))
      ->check(CLI::IsMember(Words(kChannels)));
  create->add_option("--source", ca->source, "相談元: " + Choices(kSources))
      ->check(CLI::IsMember(Words(kSources)));
  create->add_option("--received", ca->received, "受付日時 (日本時間、既定: 現在)")
      ->check(TimeCheck());
  create->add_option("--requester-name", ca->requester_name, "相談者の氏名");
  create->add_option("--requester-org", ca->requester_org, "相談者の所属 (例: 居宅介護支援事業所)");
  create->add_option("--requester-contact", ca->requester_contact, "相談者の連絡先 (電話・メール)");
  create->add_option(
      "--requester-institution", ca->requester_institution,
      "相談者の機関の名簿 ID (例: 病院の地域連携室 res_...; resource search で探す)");
  create->add_option("--person-name", ca->person_name, "本人の氏名");
  create->add_option("--birth-date", ca->birth_date, "本人の生年月日")->check(DateCheck());
  create->add_option("--address", ca->address, "本人の住所");
  create->add_option("--care-level", ca->care_level, "要介護度: " + Choices(kCareLevels))
      ->check(CLI::IsMember(Words(kCareLevels)));
  create
      ->add_option("--condition", ca->conditions,
                   "疾患分類 (繰り返し指定可): " + Choices(kConditions))
      ->allow_extra_args(false)
      ->check(CLI::IsMember(Words(kConditions)));
  create->add_option("--narrative", ca->narrative, "相談内容");
  create
      ->add_option("--need", ca->needs,
                   "ニーズ: 対応内容コード、同じ資源に必要な他の対応内容を + でつなぐ "
                   "(例: parkinsons+home_visit_medical、繰り返し指定可)")
      ->allow_extra_args(false)
      ->check(NeedCheck());
  create->add_option("--from-json", ca->from_json,
                     "CreateConsultationRequest の JSON ファイルから (他のオプションで上書き)");
  create->callback([=] { *run = [=] { return RunCreate(*ca); }; });

  auto* get = consultation->add_subcommand("get", "相談を表示 / show a consultation");
  get->add_option("id", *id, "相談ID (con_...)")->required();
  get->callback([=] {
    *run = [=] {
      v1::GetConsultationRequest req;
      req.set_id(*id);
      return CallAndPrint(*Stub(), &v1::IntakeService::Stub::GetConsultation, req,
                          PrintConsultation);
    };
  });

  auto la = std::make_shared<ListArgs>();
  auto* list = consultation->add_subcommand("list", "相談の一覧 (新しい順) / list consultations");
  list->add_option("--status", la->status, "状態で絞り込む: " + Choices(kStatuses))
      ->check(CLI::IsMember(Words(kStatuses)));
  list->add_option("--from", la->from, "受付日 (この日から)")->check(DateCheck());
  list->add_option("--to", la->to, "受付日 (この日まで)")->check(DateCheck());
  list->add_option("--page-size", la->page_size, "1ページの件数 (1-200、既定 50)")
      ->check(CLI::Range(1, 200));
  list->add_option("--page-token", la->page_token, "続きのページ");
  list->add_flag("--all", la->all, "全ページを表示");
  list->callback([=] { *run = [=] { return RunList(*la); }; });

  auto to = std::make_shared<std::string>();
  auto reason = std::make_shared<std::string>();
  auto* status = consultation->add_subcommand("status", "状態を変える / change the status");
  AddTarget(status, id.get(), version.get());
  status->add_option("--to", *to, "新しい状態: " + Choices(kStatuses))
      ->required()
      ->check(CLI::IsMember(Words(kStatuses)));
  status->add_option("--reason", *reason, "理由");
  status->callback([=] {
    *run = [=] {
      v1::ChangeStatusRequest req;
      req.set_id(*id);
      req.set_expected_version(*version);
      req.set_status(FromWord(kStatuses, *to, v1::CONSULTATION_STATUS_UNSPECIFIED));
      req.set_reason(*reason);
      return Mutate(&v1::IntakeService::Stub::ChangeStatus, req, [](const v1::Consultation& c) {
        std::printf("状態: %s\n", StatusText(c.status()).c_str());
      });
    };
  });
}

}  // namespace
}  // namespace consultation_commands

// Registers `consultation ...` on the app; the chosen command stores its runner in *run.
void AddConsultationCommands(CLI::App& app, std::function<int()>* run) {
  auto* consultation =
      app.add_subcommand("consultation", "相談への対応 (intake): 受付・照合・紹介・フォローアップ");
  consultation->require_subcommand(1);

  // In the order the help lists them.
  consultation_commands::AddRecordCommands(consultation, run);
  consultation_commands::AddMatchingCommands(consultation, run);
  consultation_commands::AddFollowUpCommands(consultation, run);
}

}  // namespace renkei::cli
