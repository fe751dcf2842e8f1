// renkeictl training skills|publish-skills|create|list|show|update|add-session|update-session|
// cancel|register|unregister|registration|registrations|attend|survey|results|ics|peers:
// trainings (研修) at the national, prefectural and municipal level — the skill framework,
// sessions, registrations with capacity and waitlist, attendance, surveys, calendars and the
// network of coordinators who attended together — over renkei.v1.TrainingService.
//
// This file registers `training`, holds the skill framework's commands and what the other parts
// share (training_parts.h); the other commands are in training_catalogue_commands.cc,
// training_session_commands.cc, training_registration_commands.cc,
// training_attendance_commands.cc and training_calendar_commands.cc.
//
// Times on the command line and in the output are Asia/Tokyo. Each command makes one call, except
// `update` and `update-session` (they read the training, change the parts given and write it
// back at the version the user read) and `survey` (it reads the registration and its training to
// know which items are Likert and which free text).
#include <algorithm>
#include <cstdio>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "cli.h"
#include "renkei/common/vocabulary.h"
#include "renkei/v1/training.grpc.pb.h"
#include "training/training_rules.h"
#include "training_parts.h"
#include "words.h"

namespace renkei::cli {

namespace training_commands {

std::unique_ptr<v1::TrainingService::Stub> Stub() {
  return v1::TrainingService::NewStub(Channel(Options().training_address));
}

bool AllDigits(const std::string& s) {
  return !s.empty() && s.size() <= 9 &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string SkillLabel(const std::string& code) {
  const common::VocabularyEntry* e = common::FindVocabulary(common::kSkillSet, code);
  return e ? e->ja + " (" + code + ")" : code;
}

// Reads a training for an edit; a failed call is reported and its exit code returned.
int ReadTraining(v1::TrainingService::Stub& stub, const std::string& id, v1::Training* out) {
  v1::GetTrainingRequest get;
  get.set_id(id);
  auto ctx = NewContext();
  return ReportError(stub.GetTraining(ctx.get(), get, out));
}

// How many of the scope options were given.
int ScopeCount(const ScopeArgs& a) {
  return !a.training_id.empty() + !a.participant.empty() + !a.municipality.empty();
}

namespace {

// ---- skill framework ----
int RunSkills(int version) {
  v1::GetSkillFrameworkRequest req;
  req.set_version(version);
  return CallAndPrint(
      *Stub(), &v1::TrainingService::Stub::GetSkillFramework, req, [](const v1::SkillFramework& f) {
        std::printf("スキル枠組み 第%d版 (公開 %s)\n", f.version(),
                    FormatTokyo(f.published_at()).c_str());
        for (const auto& g : kSkillGroups) {
          bool heading = false;
          for (const auto& s : f.skills()) {
            if (s.group() != g.value) continue;
            if (!heading) {
              std::printf("\n【%s】 (%s)\n", LabelOf(kSkillGroups, g.value).c_str(), g.word);
              heading = true;
            }
            std::printf("  %s  %s\n", s.code().c_str(), s.name().c_str());
            if (!s.description().empty()) std::printf("    %s\n", s.description().c_str());
            for (const auto& l : s.levels()) {
              std::printf("    %s (%s): %s\n", LabelOf(kSkillLevels, l.level()).c_str(),
                          WordOf(kSkillLevels, l.level()).c_str(), l.description().c_str());
            }
          }
        }
        std::printf("\n%d スキル / skills\n", f.skills_size());
      });
}

int RunPublishSkills(const std::string& path, int version) {
  std::string json;
  if (!ReadWholeFile(path, &json)) return kUsage;
  // The file is a framework as `-o json training skills` prints it; its version and time are the
  // service's to set.
  v1::SkillFramework f;
  if (!ParseJson(path, json, &f)) return kUsage;
  v1::PublishSkillFrameworkRequest req;
  *req.mutable_skills() = f.skills();
  req.set_expected_version(version);
  return Mutate(&v1::TrainingService::Stub::PublishSkillFramework, req,
                [](const v1::SkillFramework& out) {
                  return "スキル枠組み 第" + std::to_string(out.version()) + "版を公開しました (" +
                         std::to_string(out.skills_size()) + " スキル)";
                });
}

// Registers `skills` and `publish-skills`.
void AddSkillCommands(CLI::App* training, std::function<int()>* run) {
  auto skills_version = std::make_shared<int>(0);
  auto* skills = training->add_subcommand(
      "skills", "国のスキル枠組み (段階別: 初任者・実践者・指導者) / the skill framework");
  skills->add_option("--version", *skills_version, "版 (省略時は最新)")
      ->check(CLI::NonNegativeNumber);
  skills->callback([=] { *run = [=] { return RunSkills(*skills_version); }; });

  auto publish_file = std::make_shared<std::string>();
  auto publish_version = std::make_shared<int>(0);
  auto* publish = training->add_subcommand(
      "publish-skills",
      "スキル枠組みの新しい版を公開 (国のインスタンスのみ) / publish a framework");
  publish
      ->add_option("--from-json", *publish_file,
                   "スキル枠組みの JSON (`-o json training skills` の形式)")
      ->required()
      ->check(CLI::ExistingFile);
  publish->add_option("--version", *publish_version, "読み込んだ最新の版 / the version you read")
      ->required();
  publish->callback(
      [=] { *run = [=] { return RunPublishSkills(*publish_file, *publish_version); }; });
}

}  // namespace
}  // namespace training_commands

// Registers `training ...` on the app; the chosen command stores its runner in *run.
void AddTrainingCommands(CLI::App& app, std::function<int()>* run) {
  auto* training = app.add_subcommand(
      "training",
      "研修 (training): スキル枠組み、研修と回、申込・キャンセル待ち、出席、アンケート");
  training->require_subcommand(1);

  // In the order the help lists them.
  training_commands::AddSkillCommands(training, run);
  training_commands::AddCreateCommands(training, run);
  training_commands::AddSessionCommands(training, run);
  training_commands::AddCatalogueCommands(training, run);
  training_commands::AddRegistrationCommands(training, run);
  training_commands::AddAttendanceCommands(training, run);
  training_commands::AddCalendarCommands(training, run);
  training_commands::AddPublicEventCommands(training, run);
}

}  // namespace renkei::cli
