// renkeictl network: the coordinator network — profiles (profile, profiles), peer requests
// (ask, inbox, sent, requests, show) and their steps (take, ask-back, reply, answer, decline,
// withdraw), the practice library (publish, practices, practice, withdraw-practice, annotate).
// docs/network.md.
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <memory>
#include <string>
#include <tuple>
#include <vector>

#include "CLI/CLI.hpp"
#include "cli.h"
#include "renkei/v1/network.grpc.pb.h"
#include "words.h"

namespace renkei::cli {
namespace {

inline constexpr Word<v1::NetworkRole> kRoles[] = {
    {"coordinator", v1::NETWORK_ROLE_COORDINATOR},
    {"lead", v1::NETWORK_ROLE_LEAD_COORDINATOR},
};

inline constexpr Word<v1::ShareLevel> kShareLevels[] = {
    {"local", v1::SHARE_LEVEL_LOCAL},
    {"pref", v1::SHARE_LEVEL_PREFECTURE},
    {"national", v1::SHARE_LEVEL_NATIONAL},
};

inline constexpr Word<v1::PeerRequestStatus> kStatuses[] = {
    {"sent", v1::PEER_REQUEST_STATUS_SENT},
    {"taken", v1::PEER_REQUEST_STATUS_TAKEN},
    {"asked_back", v1::PEER_REQUEST_STATUS_ASKED_BACK},
    {"answered", v1::PEER_REQUEST_STATUS_ANSWERED},
    {"declined", v1::PEER_REQUEST_STATUS_DECLINED},
    {"withdrawn", v1::PEER_REQUEST_STATUS_WITHDRAWN},
};

inline constexpr Word<v1::PeerStepKind> kSteps[] = {
    {"asked", v1::PEER_STEP_KIND_ASKED},         {"take", v1::PEER_STEP_KIND_TAKEN},
    {"ask-back", v1::PEER_STEP_KIND_ASKED_BACK}, {"reply", v1::PEER_STEP_KIND_REPLIED},
    {"answer", v1::PEER_STEP_KIND_ANSWERED},     {"decline", v1::PEER_STEP_KIND_DECLINED},
    {"withdraw", v1::PEER_STEP_KIND_WITHDRAWN},
};

inline constexpr Word<v1::PeerUrgency> kUrgencies[] = {
    {"normal", v1::PEER_URGENCY_NORMAL},
    {"urgent", v1::PEER_URGENCY_URGENT},
};

inline constexpr Word<v1::PeerRecipientKind> kRecipientKinds[] = {
    {"coordinator", v1::PEER_RECIPIENT_KIND_COORDINATOR},
    {"leads", v1::PEER_RECIPIENT_KIND_PREFECTURE_LEADS},
    {"network", v1::PEER_RECIPIENT_KIND_NATIONAL_NETWORK},
};

std::unique_ptr<v1::NetworkService::Stub> Stub() {
  return v1::NetworkService::NewStub(Channel(Options().network_address));
}

// "稲城 花子 (東京都稲城市)", or the jurisdiction alone when the name is not shared.
std::string PartyText(const v1::PeerParty& p) {
  const std::string where = JurisdictionName(p.jurisdiction_code());
  return p.name().empty() ? where : p.name() + " (" + where + ")";
}

std::string RecipientText(const v1::PeerRequest& r) {
  const auto& to = r.recipient();
  switch (to.kind()) {
    case v1::PEER_RECIPIENT_KIND_COORDINATOR:
      return (r.recipient_name().empty() ? to.profile_id() : r.recipient_name()) + " (" +
             JurisdictionName(to.jurisdiction_code()) + ")";
    case v1::PEER_RECIPIENT_KIND_PREFECTURE_LEADS:
      return JurisdictionName(to.prefecture_code()) + "の統括コーディネーター";
    default:
      return LabelOf(kRecipientKinds, to.kind()) +
             (to.expertise().empty() ? "" : " (" + CapabilitiesText(to.expertise()) + ")");
  }
}

std::string StatusText(const v1::PeerRequest& r) {
  std::string s = LabelOf(kStatuses, r.status());
  if (!r.taken_by().profile_id().empty() && r.status() != v1::PEER_REQUEST_STATUS_WITHDRAWN) {
    s += " (" + PartyText(r.taken_by()) + ")";
  }
  return r.overdue() ? s + " 【回答期限超過】" : s;
}

void PrintProfile(const v1::CoordinatorProfile& p) {
  Field("ID", p.id());
  Field("氏名", p.name());
  Field("所属", p.affiliation());
  Field("地域", JurisdictionName(p.jurisdiction_code()) + " (" + p.jurisdiction_code() + ")");
  Field("役割", LabelOf(kRoles, p.role()));
  Field("専門", CapabilitiesText(p.expertise()));
  Field("相談の受付", p.takes_peer_consultations() ? "受け付ける" : "受け付けない");
  Field("連絡先 (仕事)", p.work_contact());
  Field("ログイン", p.account());
  std::string shared = LabelOf(kShareLevels, p.sharing().level() == v1::SHARE_LEVEL_UNSPECIFIED
                                                 ? v1::SHARE_LEVEL_LOCAL
                                                 : p.sharing().level());
  std::string fields;
  auto add = [&](bool on, const char* name) {
    if (on) fields += (fields.empty() ? "" : "・") + std::string(name);
  };
  add(p.sharing().name(), "氏名");
  add(p.sharing().affiliation(), "所属");
  add(p.sharing().expertise(), "専門");
  add(p.sharing().work_contact(), "連絡先");
  if (!fields.empty()) shared += " (" + fields + ")";
  Field("共有", shared);
  Field("版", std::to_string(p.version()));
}

void PrintRequest(const v1::PeerRequest& r) {
  Field("ID", r.id());
  Field("テーマ", r.theme());
  Field("依頼した人", PartyText(r.asker()));
  Field("宛先", RecipientText(r));
  Field("状態", StatusText(r));
  Field("緊急度", LabelOf(kUrgencies, r.urgency()));
  Field("回答期限", FormatDateOrEmpty(r.answer_by()));
  Field("相談", r.consultation_id());
  Field("質問", r.question());
  Field("背景", r.context());
  std::printf("\n経過 / steps\n");
  for (const auto& s : r.steps()) {
    Field("  " + FormatTokyo(s.at()),
          LabelOf(kSteps, s.kind()) + " — " + PartyText(s.by()) +
              (s.pending() ? " 【送信中: 依頼元の確認待ち】" : "") +
              (s.text().empty() ? "" : "\n" + s.text()),
          0, 20);
  }
  Field("版", std::to_string(r.version()));
}

void PrintRequests(const v1::ListPeerRequestsResponse& resp) {
  if (resp.requests_size() == 0) {
    std::printf("相談依頼はありません / no requests\n");
    return;
  }
  Table t({"依頼日時", "テーマ", "依頼した人", "宛先", "状態", "回答期限", "ID"});
  for (const auto& r : resp.requests()) {
    t.Add({FormatTokyo(r.asked_at()), r.theme(), PartyText(r.asker()), RecipientText(r),
           StatusText(r), FormatDateOrEmpty(r.answer_by()), r.id()});
  }
  t.Print({16, 30, 24, 30, 30, 10, 30});
  std::printf("\n%d 件 / requests\n", resp.requests_size());
}

void PrintPractice(const v1::Practice& p) {
  Field("ID", p.id());
  Field("テーマ", p.theme());
  Field("公開", JurisdictionName(p.jurisdiction_code()) + " (" +
                    LabelOf(kShareLevels, p.share_level()) + ")");
  Field("到達ステップ",
        std::to_string(p.step_reached()) + " / 7 (第" + std::to_string(p.cycle()) + "サイクル)");
  Field("タグ", Join(p.tags(), "、"));
  Field("対応内容", CapabilitiesText(p.capabilities()));
  Field("目指す姿", p.target_state());
  Field("現状", p.current_state());
  Field("課題", p.chosen_issue());
  std::string causes;
  for (const auto& c : p.causes()) {
    causes += (causes.empty() ? "" : "\n") + std::string(c.main() ? "【主】" : "・") + c.text();
  }
  Field("原因", causes);
  std::string measures;
  for (const auto& m : p.countermeasures()) {
    measures += (measures.empty() ? "" : "\n") + m.label() + " " + m.content();
  }
  Field("対策", measures);
  for (const auto& e : p.expected_changes()) {
    std::string values;
    for (const auto& v : e.values()) {
      values +=
          (values.empty() ? "" : ", ") + v.period() + " " + FormatNumber(v.value()) + e.unit();
    }
    Field("期待される変化 " + e.label(),
          e.description() + (e.indicator_name().empty() ? "" : "\n指標: " + e.indicator_name()) +
              (values.empty() ? "" : "\n評価値: " + values));
  }
  Field("連絡先",
        PartyText(p.contact()) + (p.contact_detail().empty() ? "" : " " + p.contact_detail()));
  for (const auto& n : p.notes()) {
    Field("注記", PartyText(n.by()) + (n.featured() ? " 【注目】" : "") +
                      (n.text().empty() ? "" : "\n" + n.text()));
  }
  Field("更新", FormatTokyo(p.updated_at()));
  Field("版", std::to_string(p.version()));
}

struct ProfileArgs {
  std::string id, name, affiliation, role = "coordinator", contact, account, share = "local";
  std::vector<std::string> expertise, share_fields;
  bool takes = false;
  int64_t version = 0;
};

int RunPutProfile(const ProfileArgs& a) {
  v1::PutProfileRequest req;
  auto* p = req.mutable_profile();
  p->set_id(a.id);
  p->set_name(a.name);
  p->set_affiliation(a.affiliation);
  p->set_role(FromWord(kRoles, a.role, v1::NETWORK_ROLE_UNSPECIFIED));
  for (const auto& e : a.expertise) p->add_expertise(e);
  p->set_takes_peer_consultations(a.takes);
  p->set_work_contact(a.contact);
  p->set_account(a.account);
  auto* s = p->mutable_sharing();
  s->set_level(FromWord(kShareLevels, a.share, v1::SHARE_LEVEL_UNSPECIFIED));
  for (const auto& f : a.share_fields) {
    if (f == "name") s->set_name(true);
    if (f == "affiliation") s->set_affiliation(true);
    if (f == "expertise") s->set_expertise(true);
    if (f == "contact") s->set_work_contact(true);
  }
  req.set_expected_version(a.version);
  auto stub = Stub();
  return CallAndPrint(*stub, &v1::NetworkService::Stub::PutProfile, req, PrintProfile);
}

struct AskArgs {
  std::string as, to, leads, theme, question, context, answer_by, consultation;
  std::vector<std::string> expertise;
  bool network = false, urgent = false;
};

int RunAsk(const AskArgs& a) {
  v1::AskPeerRequest req;
  req.set_asker_profile_id(a.as);
  auto* to = req.mutable_recipient();
  const int given = !a.to.empty() + !a.leads.empty() + a.network;
  if (given != 1) {
    std::fprintf(stderr,
                 "宛先を --to, --to-leads, --to-network のどれか一つで指定してください / give "
                 "exactly one of --to, --to-leads, --to-network\n");
    return kUsage;
  }
  if (!a.to.empty()) {
    to->set_kind(v1::PEER_RECIPIENT_KIND_COORDINATOR);
    to->set_profile_id(a.to);
  } else if (!a.leads.empty()) {
    to->set_kind(v1::PEER_RECIPIENT_KIND_PREFECTURE_LEADS);
    to->set_prefecture_code(a.leads);
  } else {
    to->set_kind(v1::PEER_RECIPIENT_KIND_NATIONAL_NETWORK);
  }
  for (const auto& e : a.expertise) to->add_expertise(e);
  req.set_theme(a.theme);
  req.set_question(a.question);
  req.set_context(a.context);
  req.set_urgency(a.urgent ? v1::PEER_URGENCY_URGENT : v1::PEER_URGENCY_NORMAL);
  if (!a.answer_by.empty()) ParseDate(a.answer_by, req.mutable_answer_by());
  req.set_consultation_id(a.consultation);
  auto stub = Stub();
  return CallAndPrint(*stub, &v1::NetworkService::Stub::AskPeer, req, PrintRequest);
}

int RunList(v1::PeerBox box, const std::string& as, const std::string& consultation,
            const std::string& status, bool overdue) {
  v1::ListPeerRequestsRequest req;
  req.set_box(box);
  req.set_profile_id(as);
  req.set_consultation_id(consultation);
  req.set_status(FromWord(kStatuses, status, v1::PEER_REQUEST_STATUS_UNSPECIFIED));
  req.set_overdue_only(overdue);
  auto stub = Stub();
  return CallAndPrint(*stub, &v1::NetworkService::Stub::ListPeerRequests, req, PrintRequests);
}

}  // namespace

void AddNetworkCommands(CLI::App& app, std::function<int()>* run) {
  auto* net = app.add_subcommand(
      "network",
      "コーディネーターのネットワーク (プロフィール・相談依頼) / the coordinator network");
  net->require_subcommand(1);

  auto pa = std::make_shared<ProfileArgs>();
  auto* profile = net->add_subcommand(
      "profile", "コーディネーターのプロフィールを登録・更新 / create or change a profile");
  profile->add_option("--id", pa->id, "更新するプロフィール (coo_...; 省略で新規)");
  profile->add_option("--version", pa->version, "更新: 読み込んだ版");
  profile->add_option("--name", pa->name, "氏名")->required();
  profile->add_option("--affiliation", pa->affiliation,
                      "所属 (例: 在宅医療・介護連携支援センター)");
  profile->add_option("--role", pa->role, "役割: " + Choices(kRoles))
      ->check(WordCheck(kRoles, "役割"))
      ->capture_default_str();
  profile->add_option("--expertise", pa->expertise, "専門 (対応内容・スキルのコード、カンマ区切り)")
      ->delimiter(',');
  profile->add_flag("--takes-requests", pa->takes, "ほかのコーディネーターからの相談を受け付ける");
  profile->add_option("--contact", pa->contact, "仕事の連絡先 (電話・メール)");
  profile->add_option("--account", pa->account, "このインスタンスのログイン名 (受信箱の持ち主)");
  profile->add_option("--share", pa->share, "共有の範囲: " + Choices(kShareLevels))
      ->check(WordCheck(kShareLevels, "共有の範囲"))
      ->capture_default_str();
  profile
      ->add_option("--share-fields", pa->share_fields,
                   "共有する項目 (name, affiliation, expertise, contact; カンマ区切り)")
      ->delimiter(',')
      ->check(CLI::IsMember({"name", "affiliation", "expertise", "contact"}));
  profile->callback([=] { *run = [=] { return RunPutProfile(*pa); }; });

  auto query = std::make_shared<v1::ListProfilesRequest>();
  auto role = std::make_shared<std::string>();
  auto expertise = std::make_shared<std::vector<std::string>>();
  auto* profiles = net->add_subcommand(
      "profiles",
      "コーディネーターを探す (このインスタンスと共有されたプロフィール) / find coordinators");
  profiles->add_option("--text", *query->mutable_text(), "氏名・所属・専門の語");
  profiles->add_option("--role", *role, "役割: " + Choices(kRoles))
      ->check(WordCheck(kRoles, "役割"));
  profiles->add_option("--expertise", *expertise, "専門 (すべてを満たす; カンマ区切り)")
      ->delimiter(',');
  profiles->add_option("--jurisdiction", *query->mutable_jurisdiction_code(),
                       "市区町村・都道府県のコード (都道府県は管内を含む)");
  profiles->add_flag(
      "--takes-requests", [query](int64_t n) { query->set_takes_peer_consultations_only(n > 0); },
      "相談を受け付ける人だけ");
  profiles->callback([=] {
    *run = [=] {
      v1::ListProfilesRequest req = *query;
      req.set_role(FromWord(kRoles, *role, v1::NETWORK_ROLE_UNSPECIFIED));
      for (const auto& e : *expertise) req.add_expertise(e);
      auto stub = Stub();
      return CallAndPrint(*stub, &v1::NetworkService::Stub::ListProfiles, req,
                          [](const v1::ListProfilesResponse& resp) {
                            Table t({"氏名", "地域", "役割", "専門", "相談", "ID"});
                            for (const auto& p : resp.profiles()) {
                              t.Add({p.name(), JurisdictionName(p.jurisdiction_code()),
                                     LabelOf(kRoles, p.role()), CapabilitiesText(p.expertise()),
                                     p.takes_peer_consultations() ? "受付" : "—", p.id()});
                            }
                            t.Print({20, 20, 20, 40, 4, 30});
                            std::printf("\n%d 人 / profiles\n", resp.profiles_size());
                          });
    };
  });

  auto aa = std::make_shared<AskArgs>();
  auto* ask = net->add_subcommand(
      "ask", "コーディネーターに相談する (利用者の個人情報は書かないでください) / ask a peer");
  ask->add_option("--as", aa->as, "依頼する自分のプロフィール (coo_...)")->required();
  ask->add_option("--to", aa->to, "指名するコーディネーター (coo_...)");
  ask->add_option("--to-leads", aa->leads,
                  "都道府県の統括コーディネーター (都道府県コード 130001 など)");
  ask->add_flag("--to-network", aa->network, "全国の統括コーディネーターのネットワーク");
  ask->add_option("--expertise", aa->expertise, "求める専門 (カンマ区切り)")->delimiter(',');
  ask->add_option("--theme", aa->theme, "テーマ")->required();
  ask->add_option("--question", aa->question, "質問")->required();
  ask->add_option("--context", aa->context, "背景 (個人を特定する情報は書かない)");
  ask->add_flag("--urgent", aa->urgent, "至急");
  ask->add_option("--answer-by", aa->answer_by, "回答期限 (YYYY-MM-DD)")->check(DateCheck());
  ask->add_option("--consultation", aa->consultation,
                  "関係する相談 (con_...; このインスタンスに残ります)");
  ask->callback([=] { *run = [=] { return RunAsk(*aa); }; });

  auto as = std::make_shared<std::string>();
  auto status = std::make_shared<std::string>();
  auto overdue = std::make_shared<bool>(false);
  for (const auto& [name, box, help] :
       {std::tuple<const char*, v1::PeerBox, const char*>{"inbox", v1::PEER_BOX_INBOX,
                                                          "受信した相談依頼 / a profile's inbox"},
        {"sent", v1::PEER_BOX_SENT, "送った相談依頼 / what a profile asked"}}) {
    auto* list = net->add_subcommand(name, help);
    list->add_option("--as", *as, "自分のプロフィール (coo_...)")->required();
    list->add_option("--status", *status, "状態: " + Choices(kStatuses))
        ->check(WordCheck(kStatuses, "状態"));
    list->add_flag("--overdue", *overdue, "回答期限を過ぎたものだけ");
    const v1::PeerBox which = box;
    list->callback([=] { *run = [=] { return RunList(which, *as, "", *status, *overdue); }; });
  }
  auto consultation = std::make_shared<std::string>();
  auto* of =
      net->add_subcommand("requests", "相談に関わる相談依頼 / the requests of a consultation");
  of->add_option("--consultation", *consultation, "相談 (con_...)")->required();
  of->callback([=] {
    *run = [=] { return RunList(v1::PEER_BOX_UNSPECIFIED, "", *consultation, "", false); };
  });

  auto id = std::make_shared<std::string>();
  auto* show = net->add_subcommand("show", "相談依頼を開く / show a request");
  show->add_option("id", *id, "相談依頼 (preq_...)")->required();
  show->callback([=] {
    *run = [=] {
      v1::GetPeerRequestRequest req;
      req.set_id(*id);
      auto stub = Stub();
      return CallAndPrint(*stub, &v1::NetworkService::Stub::GetPeerRequest, req, PrintRequest);
    };
  });

  // The practice library.
  auto publish_issue = std::make_shared<std::string>();
  auto publish_share = std::make_shared<std::string>("pref");
  auto* publish = net->add_subcommand(
      "publish",
      "地域課題を取組事例として公開 (ワークシートの写し; 個人情報は除かれます) / publish "
      "an issue as a practice");
  publish->add_option("--issue", *publish_issue, "地域課題 (iss_...)")->required();
  publish->add_option("--share", *publish_share, "公開の範囲: pref または national")
      ->check(CLI::IsMember({"pref", "national"}))
      ->capture_default_str();
  publish->add_option("--as", *as, "連絡先になる自分のプロフィール (coo_...)")->required();
  publish->callback([=] {
    *run = [=] {
      v1::PublishPracticeRequest req;
      req.set_issue_id(*publish_issue);
      req.set_share_level(FromWord(kShareLevels, *publish_share, v1::SHARE_LEVEL_UNSPECIFIED));
      req.set_contact_profile_id(*as);
      auto stub = Stub();
      return CallAndPrint(*stub, &v1::NetworkService::Stub::PublishPractice, req, PrintPractice);
    };
  });
  auto search = std::make_shared<v1::SearchPracticesRequest>();
  auto* practices =
      net->add_subcommand("practices", "取組事例を探す / search the practice library");
  practices->add_option("--text", *search->mutable_text(), "テーマ・現状・課題・原因・対策の語");
  practices->add_option("--tag", *search->mutable_tag(), "タグ (例: 看取り)");
  practices->add_option("--capability", *search->mutable_capability(), "対応内容のコード");
  practices->add_option(
      "--min-step",
      [search](const std::vector<std::string>& v) {
        search->set_min_step(std::atoi(v[0].c_str()));
        return true;
      },
      "到達したステップ (1〜7) 以上");
  practices->add_option("--prefecture", *search->mutable_prefecture_code(), "都道府県コード");
  practices->add_flag(
      "--featured", [search](int64_t n) { search->set_featured_only(n > 0); }, "注目の取組だけ");
  practices->callback([=] {
    *run = [=] {
      auto stub = Stub();
      return CallAndPrint(*stub, &v1::NetworkService::Stub::SearchPractices, *search,
                          [](const v1::SearchPracticesResponse& resp) {
                            Table t({"テーマ", "公開", "ステップ", "タグ", "注目", "ID"});
                            for (const auto& p : resp.practices()) {
                              t.Add({p.theme(), JurisdictionName(p.jurisdiction_code()),
                                     std::to_string(p.step_reached()), Join(p.tags(), "、"),
                                     p.featured() ? "★" : "", p.id()});
                            }
                            t.Print({40, 20, 4, 30, 2, 30});
                            std::printf("\n%d 件 (該当 %d 件)\n", resp.practices_size(),
                                        resp.total());
                          });
    };
  });
  auto* practice = net->add_subcommand("practice", "取組事例を開く / show a practice");
  practice->add_option("id", *id, "取組事例 (prac_...)")->required();
  practice->callback([=] {
    *run = [=] {
      v1::GetPracticeRequest req;
      req.set_id(*id);
      auto stub = Stub();
      return CallAndPrint(*stub, &v1::NetworkService::Stub::GetPractice, req, PrintPractice);
    };
  });
  auto* withdraw = net->add_subcommand("withdraw-practice",
                                       "取組事例の公開をやめる (すべてのインスタンスから消えます)");
  withdraw->add_option("id", *id, "取組事例 (prac_...)")->required();
  withdraw->callback([=] {
    *run = [=] {
      v1::WithdrawPracticeRequest req;
      req.set_id(*id);
      auto stub = Stub();
      return CallAndPrint(*stub, &v1::NetworkService::Stub::WithdrawPractice, req,
                          [](const v1::Practice& p) {
                            std::printf("取組事例 %s の公開をやめました\n", p.id().c_str());
                          });
    };
  });
  auto note_text = std::make_shared<std::string>();
  auto featured = std::make_shared<bool>(false);
  auto* annotate = net->add_subcommand("annotate", "取組事例に注記する (統括コーディネーター)");
  annotate->add_option("id", *id, "取組事例 (prac_...)")->required();
  annotate->add_option("--as", *as, "自分のプロフィール (coo_...)")->required();
  annotate->add_option("--text", *note_text, "注記");
  annotate->add_flag("--feature", *featured, "注目の取組にする");
  annotate->callback([=] {
    *run = [=] {
      v1::AnnotatePracticeRequest req;
      req.set_id(*id);
      req.set_profile_id(*as);
      req.set_text(*note_text);
      req.set_featured(*featured);
      auto stub = Stub();
      return CallAndPrint(*stub, &v1::NetworkService::Stub::AnnotatePractice, req, PrintPractice);
    };
  });

  auto text = std::make_shared<std::string>();
  for (const auto& w : kSteps) {
    if (w.value == v1::PEER_STEP_KIND_ASKED) continue;
    auto* step = net->add_subcommand(
        w.word, std::string("相談依頼: ") + std::string(LabelOf(kSteps, w.value)));
    step->add_option("id", *id, "相談依頼 (preq_...)")->required();
    step->add_option("--as", *as, "自分のプロフィール (coo_...)")->required();
    step->add_option("--text", *text, "本文 (確認の質問・返答・回答・お断りの理由)");
    const v1::PeerStepKind kind = w.value;
    step->callback([=] {
      *run = [=] {
        v1::RespondToPeerRequestRequest req;
        req.set_id(*id);
        req.set_profile_id(*as);
        req.set_kind(kind);
        req.set_text(*text);
        auto stub = Stub();
        return CallAndPrint(*stub, &v1::NetworkService::Stub::RespondToPeerRequest, req,
                            PrintRequest);
      };
    });
  }
}

}  // namespace renkei::cli
