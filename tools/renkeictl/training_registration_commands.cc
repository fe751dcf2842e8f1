// renkeictl training register|unregister|registration|registrations: registrations for a
// training, confirmed within capacity and the municipality's quota or waitlisted, cancelled (the
// seat goes to the head of the waitlist), shown and listed per training or per participant.
#include <algorithm>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "audience_words.h"
#include "cli.h"
#include "renkei/v1/training.grpc.pb.h"
#include "training_parts.h"
#include "words.h"

namespace renkei::cli::training_commands {
namespace {

// "参加確定", "キャンセル待ち 2番" or "取消".
std::string StatusText(const v1::Registration& r) {
  if (r.status() == v1::REGISTRATION_STATUS_WAITLISTED && r.waitlist_position() > 0) {
    return "キャンセル待ち " + std::to_string(r.waitlist_position()) + "番";
  }
  return LabelOf(kRegistrationStatuses, r.status());
}

// ---- output ----

void PrintRegistration(const v1::Registration& r) {
  Field("ID", r.id());
  Field("研修", r.training_id());
  Field("参加者ID", r.participant_id());
  Field("氏名", r.participant_name());
  Field("連絡先", r.participant_contact());
  Field("市区町村", MunicipalityLabel(r.municipality_code()) + " (" + r.municipality_code() + ")");
  Field("役割", LabelOf(kAudiences, r.role()));
  Field("名簿ID", r.directory_resource_id());
  Field("名前の公開", r.network_consent() ? "同意あり (同じ研修の参加者に表示)" : "同意なし");
  Field("状態", StatusText(r));
  if (!r.organizer_reason().empty()) Field("主催者の説明", JapaneseHalf(r.organizer_reason()));
  Field("回", Join(r.session_ids(), "\n"));
  std::string attendance;
  for (const auto& a : r.attendance()) {
    attendance +=
        (attendance.empty() ? "" : "\n") + a.session_id() + " " + (a.attended() ? "出席" : "欠席");
  }
  Field("出席", attendance.empty() ? "未記録" : attendance);
  Field("アンケート", r.survey_submitted() ? "提出済み" : "未提出");
  Field("申込日時", FormatTokyo(r.registered_at()));
  Field("確定日時", FormatTokyo(r.confirmed_at()));
  Field("取消日時", FormatTokyo(r.cancelled_at()));
  Field("版", std::to_string(r.version()));
}

// ---- registrations ----
struct RegisterArgs {
  std::string training_id, participant, name, contact, municipality, role, resource;
  bool consent = false;
  std::vector<std::string> sessions;
};

int RunRegister(const RegisterArgs& a) {
  v1::RegisterRequest req;
  auto* r = req.mutable_registration();
  r->set_training_id(a.training_id);
  r->set_participant_id(a.participant);
  r->set_participant_name(a.name);
  r->set_participant_contact(a.contact);
  r->set_municipality_code(a.municipality);
  r->set_role(FromWord(kAudiences, a.role, v1::AUDIENCE_ROLE_UNSPECIFIED));
  r->set_directory_resource_id(a.resource);
  r->set_network_consent(a.consent);
  for (const auto& s : a.sessions) r->add_session_ids(s);
  return Mutate(&v1::TrainingService::Stub::Register, req, [](const v1::Registration& out) {
    return "申込 " + out.id() + " を受け付けました: " + StatusText(out);
  });
}

int RunRegistrations(const std::string& training_id, const std::string& participant,
                     const std::string& status) {
  v1::ListRegistrationsRequest req;
  req.set_training_id(training_id);
  req.set_participant_id(participant);
  if (!status.empty()) {
    req.set_status(FromWord(kRegistrationStatuses, status, v1::REGISTRATION_STATUS_UNSPECIFIED));
  }
  const bool by_training = !training_id.empty();
  return CallAndPrint(
      *Stub(), &v1::TrainingService::Stub::ListRegistrations, req,
      [by_training](const v1::ListRegistrationsResponse& resp) {
        if (resp.registrations_size() == 0) {
          std::printf("該当する申込はありません / no registrations\n");
          return;
        }
        Table t({by_training ? "参加者ID" : "研修", "氏名", "市区町村", "役割", "状態", "出席",
                 "アンケート", "申込日時", "ID"});
        for (const auto& r : resp.registrations()) {
          const int attended = static_cast<int>(
              std::count_if(r.attendance().begin(), r.attendance().end(),
                            [](const v1::SessionAttendance& x) { return x.attended(); }));
          t.Add({by_training ? r.participant_id() : r.training_id(), r.participant_name(),
                 MunicipalityLabel(r.municipality_code()), LabelOf(kAudiences, r.role()),
                 StatusText(r),
                 r.attendance().empty()
                     ? "-"
                     : std::to_string(attended) + "/" + std::to_string(r.session_ids_size()),
                 r.survey_submitted() ? "提出済み" : "", FormatTokyo(r.registered_at()), r.id()});
        }
        t.Print({30, 20, 20, 16, 20, 6, 10, 16, 30});
        std::printf("\n%d 件 / registrations\n", resp.registrations_size());
      });
}

}  // namespace

void AddRegistrationCommands(CLI::App* training, std::function<int()>* run) {
  auto ra = std::make_shared<RegisterArgs>();
  auto* reg = training->add_subcommand(
      "register", "研修に申し込む (定員を超えるとキャンセル待ち) / register for a training");
  reg->add_option("id", ra->training_id, "研修ID (trn_...)")->required();
  reg->add_option("--participant", ra->participant,
                  "参加者ID (名簿の res_... や職員番号など、英数字と _ - .)")
      ->required();
  reg->add_option("--name", ra->name, "氏名")->required();
  reg->add_option("--contact", ra->contact, "連絡先 (メールか電話)");
  reg->add_option("--municipality", ra->municipality, "所属する市区町村の団体コード (6桁)")
      ->required();
  reg->add_option("--role", ra->role, "役割: " + Choices(kAudiences))
      ->required()
      ->check(WordCheck(kAudiences, "役割"));
  reg->add_option("--resource", ra->resource, "名簿 (directory) の ID (res_...)");
  reg->add_flag("--consent", ra->consent,
                "同じ研修に出席した人に名前を表示してよい (ネットワーク)");
  reg->add_option("--session", ra->sessions,
                  "参加する回 (ses_...、回を選んで申込む研修のとき、繰り返し指定可)")
      ->allow_extra_args(false);
  reg->callback([=] { *run = [=] { return RunRegister(*ra); }; });

  auto reg_id = std::make_shared<std::string>();
  auto reason = std::make_shared<std::string>();
  auto* unregister = training->add_subcommand(
      "unregister", "申込を取り消す (空いた席はキャンセル待ちの先頭へ) / cancel a registration");
  unregister->add_option("id", *reg_id, "申込ID (reg_...)")->required();
  unregister->add_option("--reason", *reason, "取り消す理由");
  unregister->callback([=] {
    *run = [=] {
      v1::CancelRegistrationRequest req;
      req.set_id(*reg_id);
      req.set_reason(*reason);
      return Mutate(&v1::TrainingService::Stub::CancelRegistration, req,
                    [](const v1::Registration& r) {
                      return "申込 " + r.id() + " を取り消しました (" + r.training_id() + ")";
                    });
    };
  });

  auto* registration = training->add_subcommand("registration", "申込を表示 / show a registration");
  registration->add_option("id", *reg_id, "申込ID (reg_...)")->required();
  registration->callback([=] {
    *run = [=] {
      v1::GetRegistrationRequest req;
      req.set_id(*reg_id);
      return CallAndPrint(*Stub(), &v1::TrainingService::Stub::GetRegistration, req,
                          PrintRegistration);
    };
  });

  auto scope = std::make_shared<ScopeArgs>();
  auto status = std::make_shared<std::string>();
  auto* registrations = training->add_subcommand(
      "registrations",
      "申込の一覧 (研修ごと: 確定順・キャンセル待ち順、参加者ごと: 新しい順) / list registrations");
  auto* reg_training =
      registrations->add_option("--training", scope->training_id, "この研修の申込 (trn_...)");
  registrations->add_option("--participant", scope->participant, "この参加者の申込")
      ->excludes(reg_training);
  registrations->add_option("--status", *status, "状態: " + Choices(kRegistrationStatuses))
      ->check(WordCheck(kRegistrationStatuses, "状態"));
  registrations->callback([=] {
    *run = [=] {
      if (ScopeCount(*scope) != 1) {
        std::fprintf(stderr,
                     "--training か --participant のどちらか一つを指定してください / give exactly "
                     "one of --training, --participant\n");
        return static_cast<int>(kUsage);
      }
      return RunRegistrations(scope->training_id, scope->participant, *status);
    };
  });
}

}  // namespace renkei::cli::training_commands
