// renkeictl training ics|peers: the calendar of a training's, a participant's or a
// municipality's sessions (iCalendar), and the network of coordinators who attended the same
// trainings (names only of those who consented).
#include <algorithm>
#include <cstdio>
#include <fstream>
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

int RunCalendar(const ScopeArgs& a, const std::string& file) {
  v1::ExportCalendarRequest req;
  if (!a.training_id.empty()) req.set_training_id(a.training_id);
  if (!a.participant.empty()) req.set_participant_id(a.participant);
  if (!a.municipality.empty()) req.set_municipality_code(a.municipality);
  v1::Calendar c;
  auto ctx = NewContext();
  grpc::Status s = Stub()->ExportCalendar(ctx.get(), req, &c);
  if (!s.ok()) return ReportError(s);
  if (file == "-") {
    if (JsonOutput()) {
      PrintJson(c);
    } else {
      std::fwrite(c.content().data(), 1, c.content().size(), stdout);
    }
    return kOk;
  }
  const std::string path = file.empty() ? c.file_name() : file;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(c.content().data(), static_cast<std::streamsize>(c.content().size()));
  out.close();
  if (!out) {
    std::fprintf(stderr, "ファイルに書き込めません / cannot write %s\n", path.c_str());
    return kFailure;
  }
  std::printf("カレンダー (予定 %d 件) を %s に書き出しました (%zu バイト)\n", c.event_count(),
              path.c_str(), c.content().size());
  return kOk;
}

int RunPeers(const ScopeArgs& a, const std::vector<std::string>& roles) {
  v1::ListPeersRequest req;
  if (!a.training_id.empty()) req.set_training_id(a.training_id);
  if (!a.participant.empty()) req.set_participant_id(a.participant);
  for (const auto& w : roles) req.add_roles(FromWord(kAudiences, w, v1::AUDIENCE_ROLE_UNSPECIFIED));
  return CallAndPrint(
      *Stub(), &v1::TrainingService::Stub::ListPeers, req, [](const v1::ListPeersResponse& resp) {
        if (resp.peers_size() == 0) {
          std::printf("同じ研修に出席した人はいません / no peers\n");
          return;
        }
        Table t({"市区町村", "氏名", "役割", "参加者ID", "名簿ID", "共通の研修"});
        for (const auto& p : resp.peers()) {
          t.Add({MunicipalityLabel(p.municipality_code()), p.name().empty() ? "(非公開)" : p.name(),
                 LabelOf(kAudiences, p.role()), p.participant_id(), p.directory_resource_id(),
                 Join(p.training_ids(), ", ")});
        }
        t.Print({20, 20, 16, 30, 30, 70});
        std::printf("\n%d 名 / peers\n", resp.peers_size());
      });
}

}  // namespace

void AddCalendarCommands(CLI::App* training, std::function<int()>* run) {
  auto ics_scope = std::make_shared<ScopeArgs>();
  auto ics_file = std::make_shared<std::string>();
  auto* ics = training->add_subcommand("ics", "iCalendar (.ics) を書き出す / export a calendar");
  auto* ics_training = ics->add_option("--training", ics_scope->training_id, "この研修の回");
  auto* ics_participant =
      ics->add_option("--participant", ics_scope->participant, "この参加者が申し込んだ回")
          ->excludes(ics_training);
  ics->add_option("--municipality", ics_scope->municipality,
                  "この市区町村が参加できる研修すべて (団体コード6桁)")
      ->excludes(ics_training)
      ->excludes(ics_participant);
  ics->add_option("-f,--file", *ics_file,
                  "書き出すファイル (省略時はサービスが付ける名前でカレントディレクトリに、"
                  "'-' で標準出力)");
  ics->callback([=] {
    *run = [=] {
      if (ScopeCount(*ics_scope) != 1) {
        std::fprintf(stderr,
                     "--training, --participant, --municipality のどれか一つを指定してください / "
                     "give exactly one of --training, --participant, --municipality\n");
        return static_cast<int>(kUsage);
      }
      return RunCalendar(*ics_scope, *ics_file);
    };
  });

  auto peers_scope = std::make_shared<ScopeArgs>();
  auto peer_roles = std::make_shared<std::vector<std::string>>();
  auto* peers = training->add_subcommand(
      "peers", "同じ研修に出席したコーディネーター (名前は同意した人だけ) / who attended together");
  auto* peers_training =
      peers->add_option("--training", peers_scope->training_id, "この研修に出席した人");
  peers->add_option("--participant", peers_scope->participant, "この参加者と同じ研修に出席した人")
      ->excludes(peers_training);
  peers
      ->add_option("--role", *peer_roles,
                   "役割 (カンマ区切り・繰り返し指定可、既定 coordinators): " + Choices(kAudiences))
      ->allow_extra_args(false)
      ->delimiter(',')
      ->check(WordCheck(kAudiences, "役割"));
  peers->callback([=] {
    *run = [=] {
      if (ScopeCount(*peers_scope) != 1) {
        std::fprintf(stderr,
                     "--training か --participant のどちらか一つを指定してください / give exactly "
                     "one of --training, --participant\n");
        return static_cast<int>(kUsage);
      }
      return RunPeers(*peers_scope, *peer_roles);
    };
  });
}

}  // namespace renkei::cli::training_commands
