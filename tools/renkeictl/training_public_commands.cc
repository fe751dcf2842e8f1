// renkeictl training events|awareness|answer-sheet: residents' public events (普及啓発) — the
// list the public page shows, the awareness questionnaire's results (before and after), and a
// paper answer sheet entered by staff. docs/outreach.md.
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "cli.h"
#include "renkei/v1/training.grpc.pb.h"
#include "training_parts.h"

namespace renkei::cli::training_commands {
namespace {

// "acp_known=4".
bool ParseLikertAnswer(const std::string& spec, v1::AwarenessAnswer* out) {
  const size_t eq = spec.find('=');
  if (eq == std::string::npos || Trim(spec.substr(0, eq)).empty()) return false;
  const std::string value = Trim(spec.substr(eq + 1));
  if (value.size() != 1 || value[0] < '1' || value[0] > '5') return false;
  out->set_item_id(Trim(spec.substr(0, eq)));
  out->set_likert(value[0] - '0');
  return true;
}

std::string Percent(double share) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.0f%%", share * 100);
  return buf;
}

}  // namespace

void AddPublicEventCommands(CLI::App* training, std::function<int()>* run) {
  auto theme = std::make_shared<std::string>();
  auto* events = training->add_subcommand(
      "events", "住民向けの公開イベント (公開ページと同じ一覧) / residents' public events");
  events->add_option("--theme", *theme, "テーマのタグ (例: ACP)");
  events->callback([=] {
    *run = [=] {
      v1::ListPublicEventsRequest req;
      req.set_theme_tag(*theme);
      return CallAndPrint(
          *Stub(), &v1::TrainingService::Stub::ListPublicEvents, req,
          [](const v1::ListPublicEventsResponse& resp) {
            Table t({"開始", "イベント", "残席", "待ち", "状態", "ID"});
            for (const auto& e : resp.events()) {
              int left = 0, waiting = 0;
              for (const auto& s : e.sessions()) {
                left += s.seats_left();
                waiting += s.waiting();
              }
              t.Add({e.sessions().empty() ? "" : FormatTokyo(e.sessions(0).starts_at()), e.title(),
                     std::to_string(left), std::to_string(waiting),
                     e.status() == v1::TRAINING_STATUS_CANCELLED
                         ? "中止"
                         : (e.registration_open() ? "受付中" : "受付終了"),
                     e.id()});
            }
            t.Print({16, 40, 6, 6, 8, 30});
          });
    };
  });
  auto id = std::make_shared<std::string>();
  auto* awareness = training->add_subcommand(
      "awareness", "意識調査の結果 (参加前・参加後) / the awareness questionnaire's results");
  awareness->add_option("id", *id, "研修ID (trn_...)")->required();
  awareness->callback([=] {
    *run = [=] {
      v1::GetAwarenessResultsRequest req;
      req.set_training_id(*id);
      return CallAndPrint(
          *Stub(), &v1::TrainingService::Stub::GetAwarenessResults, req,
          [](const v1::AwarenessResults& r) {
            std::printf("回答票: 参加前 %d 枚、参加後 %d 枚 / 開催 %d 回、参加 %d 名\n\n",
                        r.before_sheets(), r.after_sheets(), r.sessions_held(), r.participants());
            Table t({"項目", "参加前", "参加後", "変化"});
            for (const auto& i : r.items()) {
              char change[64];
              std::snprintf(change, sizeof change, "%+.0f ポイント", i.change() * 100);
              t.Add({i.statement(), Percent(i.before_agree()), Percent(i.after_agree()), change});
            }
            t.Print({40, 8, 8, 14});
            std::printf("\n(「そう思う」「とてもそう思う」の割合)\n");
          });
    };
  });
  auto phase = std::make_shared<std::string>("after");
  auto answers = std::make_shared<std::vector<std::string>>();
  auto* sheet = training->add_subcommand(
      "answer-sheet", "紙の意識調査の回答票を1枚入力する / enter one paper answer sheet");
  sheet->add_option("id", *id, "研修ID (trn_...)")->required();
  sheet->add_option("--phase", *phase, "before (参加前) または after (参加後)")
      ->check(CLI::IsMember({"before", "after"}))
      ->capture_default_str();
  sheet->add_option("--answer", *answers, "回答 ID=1〜5 (例: acp_known=4、繰り返し指定可)")
      ->required()
      ->check(SpecCheck(&ParseLikertAnswer, "ID=1..5", "回答は ID=1〜5 で指定してください"));
  sheet->callback([=] {
    *run = [=] {
      v1::SubmitAwarenessAnswersRequest req;
      req.set_training_id(*id);
      req.set_phase(*phase == "before" ? v1::AWARENESS_PHASE_BEFORE : v1::AWARENESS_PHASE_AFTER);
      for (const auto& a : *answers) ParseLikertAnswer(a, req.add_answers());
      return CallAndPrint(*Stub(), &v1::TrainingService::Stub::SubmitAwarenessAnswers, req,
                          [](const v1::AwarenessReceipt& r) {
                            std::printf("回答票を記録しました (%d 問)\n", r.answers());
                          });
    };
  });
}

}  // namespace renkei::cli::training_commands
