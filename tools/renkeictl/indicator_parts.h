// What the files of `renkeictl indicator` share (indicator_commands.cc and its parts:
// observations, queries, files, the derived indicators): the stub, how jurisdictions and
// indicators are named in the output, and the checks of numbers and periods. Not part of
// renkeictl's interface.
#pragma once

#include <functional>
#include <memory>
#include <optional>
#include <string>

#include "CLI/CLI.hpp"
#include "renkei/v1/indicators.grpc.pb.h"

namespace renkei::cli::indicator_commands {

std::unique_ptr<v1::IndicatorsService::Stub> Stub();

// How periods are written, for help texts.
inline constexpr char kPeriodHelp[] = " (2026-11 / 2026-Q3 / FY2026 / 2026-11-24)";

// "東京都稲城市 (132250)".
std::string JurisdictionText(const std::string& code);
// "在宅看取り率 (home_death_rate)".
std::string IndicatorText(const v1::IndicatorDefinition& d);

// Rejects a value that is not a period (a usage error, exit 2).
CLI::Validator PeriodCheck();
// Adds the option `name` to `cmd`, filling *out with a finite number when given (a usage error,
// exit 2, for anything else).
CLI::Option* AddNumber(CLI::App* cmd, const std::string& name, std::optional<double>* out,
                       const std::string& help);

// ---- the commands ----
// Each registers some subcommands of `indicator`; the chosen one stores its runner in *run.
// AddIndicatorCommands (indicator_commands.cc) calls them in the order `renkeictl indicator
// --help` lists.

// indicator_observation_commands.cc: record, history.
void AddObservationCommands(CLI::App* indicator, std::function<int()>* run);
// indicator_query_commands.cc: series, compare, rollup, progress.
void AddQueryCommands(CLI::App* indicator, std::function<int()>* run);
// indicator_file_commands.cc: export, import.
void AddFileCommands(CLI::App* indicator, std::function<int()>* run);
// indicator_derived_commands.cc: recompute, reconcile.
void AddDerivedCommands(CLI::App* indicator, std::function<int()>* run);

}  // namespace renkei::cli::indicator_commands
