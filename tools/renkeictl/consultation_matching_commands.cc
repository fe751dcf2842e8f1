// renkeictl consultation need|match|refer|outcome: a consultation's needs, the resources matched
// to each (inside the municipality first, then the nearest outside) or, for an advice need, the
// coordinators of the network to ask, the referral to a resource and its outcome.
#include <algorithm>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "cli.h"
#include "consultation_parts.h"
#include "directory/vocabulary.h"
#include "intake/intake_rules.h"
#include "renkei/common/labels.h"
#include "renkei/v1/intake.grpc.pb.h"
#include "words.h"

namespace renkei::cli::consultation_commands {
namespace {

constexpr Word<v1::ReferralOutcome> kOutcomes[] = {
    {"accepted", v1::REFERRAL_OUTCOME_ACCEPTED},
    {"declined", v1::REFERRAL_OUTCOME_DECLINED},
    {"no_response", v1::REFERRAL_OUTCOME_NO_RESPONSE},
};

constexpr Word<v1::DeclineReason> kDeclineReasons[] = {
    {"no_capacity", v1::DECLINE_REASON_NO_CAPACITY},
    {"too_far", v1::DECLINE_REASON_TOO_FAR},
    {"expertise", v1::DECLINE_REASON_EXPERTISE},
    {"person_declined", v1::DECLINE_REASON_PERSON_DECLINED},
    {"other", v1::DECLINE_REASON_OTHER},
};

CLI::Validator KindCheck() {
  return CLI::Validator(
      [](std::string& s) -> std::string {
        if (directory::KindFromCode(s)) return "";
        return "不明な種別です (例: clinic, visiting_nurse_station) / unknown kind: " + s;
      },
      "KIND", "kind");
}

// ---- output ----

std::string NeedTitle(const v1::Need& n) {
  std::string out = n.advice() ? "助言: " : "";
  out += CapabilityLabel(n.capability());
  for (const auto& also : n.also_requires()) out += " + " + CapabilityLabel(also);
  return out;
}

void PrintCandidates(const v1::Need& n) {
  if (n.candidates_size() == 0) {
    std::printf("候補はありません / no candidates\n");
    return;
  }
  Table t({"#", "名称", "種別", "所在地", "距離km", "区分", "ID"});
  int i = 0;
  for (const auto& c : n.candidates()) {
    char dist[32] = "";
    if (c.has_distance_km()) {
      std::snprintf(dist, sizeof dist, "%s%.1f", c.distance_approximate() ? "≈" : "",
                    c.distance_km());
    }
    t.Add({std::to_string(++i), c.name(), std::string(common::Label(c.kind())),
           MunicipalityLabel(c.municipality_code()), dist, RelationLabel(c.relation()),
           c.resource_id()});
  }
  t.Print({4, 40, 20, 24, 8, 8, 30});
}

// An advice need's coordinators: whom to ask (renkeictl network ask --to ID).
void PrintCoordinators(const v1::Need& n) {
  if (n.coordinators_size() == 0) {
    std::printf("この専門で相談を受け付けているコーディネーターはいません / no coordinators\n");
    return;
  }
  Table t({"#", "氏名", "所属", "地域", "役割", "ID"});
  int i = 0;
  for (const auto& c : n.coordinators()) {
    t.Add({std::to_string(++i), c.name().empty() ? "(氏名は共有されていません)" : c.name(),
           c.affiliation(), JurisdictionName(c.jurisdiction_code()),
           c.lead_coordinator() ? "統括コーディネーター" : "コーディネーター", c.profile_id()});
  }
  t.Print({4, 24, 36, 20, 20, 30});
  std::printf(
      "相談するには: renkeictl network ask --as <自分のプロフィール> --to <ID> --consultation "
      "<相談ID> --theme ... --question ...\n");
}

}  // namespace

void PrintNeed(int index, const v1::Need& n, bool with_details) {
  std::printf("[%d] %s  %s\n", index, NeedTitle(n).c_str(), n.id().c_str());
  if (with_details) {
    std::string conditions;
    if (n.advice()) {
      conditions = "ほかのコーディネーターの助言を求める (資源ではない)";
    } else if (n.kind() != v1::RESOURCE_KIND_UNSPECIFIED) {
      conditions += "種別: " + std::string(common::Label(n.kind())) + "  ";
    }
    if (!n.advice()) {
      conditions += n.area_preference() == v1::AREA_PREFERENCE_ANYWHERE_REACHABLE
                        ? "地域: 距離の近い順 (市区町村の内外を問わない)"
                        : "地域: 市区町村内を優先";
    }
    std::printf("    %s\n", conditions.c_str());
    if (!n.note().empty()) std::printf("    メモ: %s\n", n.note().c_str());
    if (n.has_matched_at()) {
      std::printf("    照合: %s\n", FormatTokyo(n.matched_at()).c_str());
    } else {
      std::printf("    照合: まだです (consultation match) / not matched yet\n");
      return;
    }
  }
  if (n.advice()) {
    PrintCoordinators(n);
    return;
  }
  if (n.resource_gap()) {
    std::printf("市区町村内に該当なし (資源の空白)。市区町村外の近い順:\n");
  }
  PrintCandidates(n);
}

namespace {

// ---- need ----
struct NeedArgs {
  std::string id, capability, kind, note;
  std::vector<std::string> also;
  bool anywhere = false;
  bool advice = false;
  int64_t expected_version = 0;
};

int RunNeed(const NeedArgs& a) {
  v1::AddNeedRequest req;
  req.set_id(a.id);
  req.set_expected_version(a.expected_version);
  auto* n = req.mutable_need();
  n->set_capability(a.capability);
  for (const auto& c : a.also) n->add_also_requires(c);
  if (!a.kind.empty()) {
    auto kind = directory::KindFromCode(a.kind);
    if (!kind) {
      std::fprintf(stderr, "不明な種別です / unknown kind: %s\n", a.kind.c_str());
      return kUsage;
    }
    n->set_kind(*kind);
  }
  if (a.anywhere) n->set_area_preference(v1::AREA_PREFERENCE_ANYWHERE_REACHABLE);
  n->set_advice(a.advice);
  n->set_note(a.note);
  return Mutate(&v1::IntakeService::Stub::AddNeed, req, [](const v1::Consultation& c) {
    if (c.needs_size() > 0) std::printf("ニーズID: %s\n", c.needs(c.needs_size() - 1).id().c_str());
  });
}

// ---- match ----
int RunMatch(const std::string& id, int64_t expected_version, int candidates) {
  v1::MatchResourcesRequest req;
  req.set_id(id);
  req.set_expected_version(expected_version);
  req.set_candidates_per_need(candidates);
  v1::MatchResourcesResponse resp;
  grpc::Status s = CallWithRetry(req, [&](const google::protobuf::Message& sent,
                                          grpc::ClientContext* ctx) {
    return Stub()->MatchResources(ctx, static_cast<const v1::MatchResourcesRequest&>(sent), &resp);
  });
  if (!s.ok()) return ReportError(s);
  const auto& c = resp.consultation();
  if (JsonOutput()) {
    PrintJson(c);
    return kOk;
  }
  for (int i = 0; i < c.needs_size(); ++i) {
    if (i > 0) std::printf("\n");
    PrintNeed(i + 1, c.needs(i), false);
  }
  std::printf("\n状態: %s\n", StatusText(c.status()).c_str());
  std::printf("更新しました: %s (版 %lld)\n", c.id().c_str(), static_cast<long long>(c.version()));
  return kOk;
}

}  // namespace

void AddMatchingCommands(CLI::App* consultation, std::function<int()>* run) {
  auto id = std::make_shared<std::string>();
  auto version = std::make_shared<int64_t>(0);

  auto na = std::make_shared<NeedArgs>();
  auto* need = consultation->add_subcommand("need", "ニーズを追加 / add a need");
  need->add_option("id", na->id, "相談ID (con_...)")->required();
  need->add_option("--expected-version", na->expected_version,
                   "読み込んだ版 / the version you read")
      ->required();
  need->add_option("--capability", na->capability, "対応内容コード (例: parkinsons)")->required();
  need->add_option("--also", na->also,
                   "同じ資源に必要な他の対応内容 (例: home_visit_medical、繰り返し指定可)")
      ->allow_extra_args(false);
  need->add_option("--kind", na->kind, "種別コード (例: clinic, visiting_nurse_station)")
      ->check(KindCheck());
  need->add_flag("--anywhere", na->anywhere, "市区町村内を優先せず距離の近い順に探す");
  need->add_flag("--advice", na->advice,
                 "資源ではなく、この専門に詳しいコーディネーターの助言を求める "
                 "(照合でコーディネーターを提案)");
  need->add_option("--note", na->note, "メモ");
  need->callback([=] { *run = [=] { return RunNeed(*na); }; });

  auto candidates = std::make_shared<int>(0);
  auto* match = consultation->add_subcommand(
      "match",
      "ニーズごとに資源を照合 (市区町村内を優先、なければ市区町村外の近い順) / match resources");
  AddTarget(match, id.get(), version.get());
  match->add_option("--candidates", *candidates, "ニーズごとの候補数 (1-50、既定 5)")
      ->check(CLI::Range(1, 50));
  match->callback([=] { *run = [=] { return RunMatch(*id, *version, *candidates); }; });

  auto need_id = std::make_shared<std::string>();
  auto resource_id = std::make_shared<std::string>();
  auto due = std::make_shared<std::string>();
  auto* refer = consultation->add_subcommand("refer", "資源に紹介する / refer to a resource");
  AddTarget(refer, id.get(), version.get());
  refer->add_option("--need", *need_id, "ニーズID (need_...)")->required();
  refer->add_option("--resource", *resource_id, "資源ID (res_...)")->required();
  refer->add_option("--due", *due, "回答期限")->required()->check(DateCheck());
  refer->callback([=] {
    *run = [=] {
      v1::ReferRequest req;
      req.set_id(*id);
      req.set_expected_version(*version);
      req.set_need_id(*need_id);
      req.set_resource_id(*resource_id);
      if (!OptionalDate(*due, "--due", req.mutable_response_due())) return static_cast<int>(kUsage);
      return Mutate(&v1::IntakeService::Stub::Refer, req, [](const v1::Consultation& c) {
        if (c.referrals_size() > 0) {
          std::printf("紹介ID: %s\n", c.referrals(c.referrals_size() - 1).id().c_str());
        }
      });
    };
  });

  auto referral_id = std::make_shared<std::string>();
  auto outcome_word = std::make_shared<std::string>();
  auto decline = std::make_shared<std::string>();
  auto note = std::make_shared<std::string>();
  auto* outcome =
      consultation->add_subcommand("outcome", "紹介の結果を記録 / record a referral's outcome");
  AddTarget(outcome, id.get(), version.get());
  outcome->add_option("--referral", *referral_id, "紹介ID (ref_...)")->required();
  outcome->add_option("--outcome", *outcome_word, "結果: " + Choices(kOutcomes))
      ->required()
      ->check(CLI::IsMember(Words(kOutcomes)));
  outcome
      ->add_option("--reason", *decline, "辞退の理由 (辞退のとき必須): " + Choices(kDeclineReasons))
      ->check(CLI::IsMember(Words(kDeclineReasons)));
  outcome->add_option("--note", *note, "メモ");
  outcome->callback([=] {
    *run = [=] {
      v1::RecordReferralOutcomeRequest req;
      req.set_id(*id);
      req.set_expected_version(*version);
      req.set_referral_id(*referral_id);
      req.set_outcome(FromWord(kOutcomes, *outcome_word, v1::REFERRAL_OUTCOME_UNSPECIFIED));
      if (!decline->empty()) {
        req.set_decline_reason(FromWord(kDeclineReasons, *decline, v1::DECLINE_REASON_UNSPECIFIED));
      }
      req.set_note(*note);
      return Mutate(&v1::IntakeService::Stub::RecordReferralOutcome, req);
    };
  });
}

}  // namespace renkei::cli::consultation_commands
