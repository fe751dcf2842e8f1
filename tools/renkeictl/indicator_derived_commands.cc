// renkeictl indicator recompute|reconcile: the derived indicators (counted from the other
// services' events) recounted from the stream's history, and compared with what each service
// counts, repaired on request.
#include <cstdio>
#include <functional>
#include <memory>
#include <string>

#include "CLI/CLI.hpp"
#include "cli.h"
#include "indicator_parts.h"
#include "renkei/v1/admin.pb.h"
#include "renkei/v1/indicators.grpc.pb.h"

namespace renkei::cli::indicator_commands {

void AddDerivedCommands(CLI::App* indicator, std::function<int()>* run) {
  auto accept_gap = std::make_shared<bool>(false);
  auto* recompute = indicator->add_subcommand(
      "recompute",
      "システム集計の指標をストリームの履歴から数え直す (履歴に欠けがあれば断る) / recompute the "
      "derived indicators from the stream");
  recompute->add_flag("--accept-history-gap", *accept_gap,
                      "履歴の欠けを承知で数え直す (件数は減る。あとで reconcile --repair) / "
                      "recompute although events are missing from the stream");
  recompute->callback([=] {
    *run = [=] {
      v1::RecomputeDerivedRequest req;
      req.set_accept_history_gap(*accept_gap);
      return CallAndPrint(
          *Stub(), &v1::IndicatorsService::Stub::RecomputeDerived, req,
          [](const v1::RecomputeDerivedResponse& r) {
            std::printf("数え直しを始めました (第 %u 世代) / recomputing\n", r.generation());
            for (const auto& h : r.histories()) {
              std::printf(
                  "  %s: %s\n", h.service().c_str(),
                  h.complete() ? "履歴に欠けなし (complete)" : "履歴に欠けあり (gap accepted)");
            }
          });
    };
  });

  auto repair = std::make_shared<bool>(false);
  auto* reconcile = indicator->add_subcommand(
      "reconcile",
      "システム集計の指標を各サービスの記録の件数と照合し、--repair で直す / compare the derived "
      "indicators with what each service counts, and repair them");
  reconcile->add_flag("--repair", *repair, "違う値をサービスの件数に直す / set them to the counts");
  reconcile->callback([=] {
    *run = [=] {
      v1::ReconcileDerivedRequest req;
      req.set_repair(*repair);
      v1::ReconcileDerivedResponse resp;
      grpc::Status s =
          CallWithRetry(req, [&](const google::protobuf::Message& sent, grpc::ClientContext* ctx) {
            return Stub()->ReconcileDerived(
                ctx, static_cast<const v1::ReconcileDerivedRequest&>(sent), &resp);
          });
      if (!s.ok()) return ReportError(s);
      if (JsonOutput()) {
        PrintJson(resp);
      } else {
        std::printf("照合した値 %d、違い %d%s\n", resp.compared(), resp.differences_size(),
                    resp.repaired() ? " (直しました / repaired)" : "");
        Table table({"指標", "団体", "期間", "サービス", "指標の値", "サービスの件数"});
        auto shown = [](const v1::EventCount& c) {
          return c.denominator() != 0 || c.numerator() != 0
                     ? FormatNumber(c.numerator()) + " / " + FormatNumber(c.denominator())
                     : FormatNumber(c.value());
        };
        for (const auto& d : resp.differences()) {
          table.Add({d.code(), JurisdictionName(d.jurisdiction()), d.period(), d.service(),
                     shown(d.held()), shown(d.counted())});
        }
        if (!table.empty()) table.Print();
        if (resp.skipped_periods_size() > 0) {
          std::printf("  件数を記録する前の期間は照合していません / not compared: %s\n",
                      Join(resp.skipped_periods()).c_str());
        }
      }
      if (resp.differences_size() == 0 || resp.repaired()) return static_cast<int>(kOk);
      return static_cast<int>(kConflict);
    };
  });
}

}  // namespace renkei::cli::indicator_commands
