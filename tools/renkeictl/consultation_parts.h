// What the files of `renkeictl consultation` share (consultation_commands.cc and its parts:
// matching and referrals, follow-ups and seeds): the stub, the status as shown, a need as shown,
// dates on the command line and the options of the commands that change a consultation. Not part
// of renkeictl's interface.
#pragma once

#include <cstdint>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>

#include "CLI/CLI.hpp"
#include "cli.h"
#include "renkei/v1/intake.grpc.pb.h"
#include "words.h"

namespace renkei::cli {

namespace consultation_commands {

std::unique_ptr<v1::IntakeService::Stub> Stub();

// The status's label and its word: "<label> (matched)".
std::string StatusText(v1::ConsultationStatus s);
// Parses a date already checked by DateCheck (an empty string leaves `out` unset); says so on
// stderr, naming `flag`, when it is not one.
bool OptionalDate(const std::string& s, const char* flag, v1::Date* out);

// "[1] <the need>  <id>", with its conditions and notes when `with_details`, then its candidates.
// In consultation_matching_commands.cc.
void PrintNeed(int index, const v1::Need& n, bool with_details);

// Calls a method that returns the changed consultation and reports the new version; `then`
// prints what else the user needs (e.g. the id of what was added), before the version line.
template <typename Request>
using ConsultationMethod = grpc::Status (v1::IntakeService::Stub::*)(grpc::ClientContext*,
                                                                     const Request&,
                                                                     v1::Consultation*);

template <typename Request>
int Mutate(ConsultationMethod<Request> method, const Request& req,
           const std::function<void(const v1::Consultation&)>& then = nullptr) {
  return CallAndPrint(*Stub(), method, req, [&then](const v1::Consultation& c) {
    std::printf("更新しました: %s (版 %lld)\n", c.id().c_str(),
                static_cast<long long>(c.version()));
    if (then) then(c);
  });
}

// The consultation id and the version read, of the consultation a command changes.
void AddTarget(CLI::App* cmd, std::string* id, int64_t* version);

// ---- the commands ----
// Each registers some subcommands of `consultation`; the chosen one stores its runner in *run.
// AddConsultationCommands (consultation_commands.cc) registers create, get, list and status, then
// these, in the order `renkeictl consultation --help` lists.

// consultation_matching_commands.cc: need, match, refer, outcome.
void AddMatchingCommands(CLI::App* consultation, std::function<int()>* run);
// consultation_follow_up_commands.cc: followup add|done, overdue, seed, seeds, digest.
void AddFollowUpCommands(CLI::App* consultation, std::function<int()>* run);

}  // namespace consultation_commands
}  // namespace renkei::cli
