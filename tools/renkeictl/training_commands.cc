// renkeictl training skills|publish-skills|create|list|show|update|add-session|update-session|
// cancel|register|unregister|registration|registrations|attend|survey|results|ics|peers:
// trainings (研修) at the national, prefectural and municipal level — the skill framework,
// sessions, registrations with capacity and waitlist, attendance, surveys, calendars and the
// network of coordinators who attended together — over renkei.v1.TrainingService.
//
// Times on the command line and in the output are Asia/Tokyo. Each command makes one call, except
// `update` and `update-session` (they read the training, change the parts given and write it
// back at the version the user read) and `survey` (it reads the registration and its training to
// know which items are Likert and which free text).
#include <algorithm>
#include <cstdio>
#include <fstream>
#include <functional>
#include <map>

#include "CLI/CLI.hpp"
#include "audience_words.h"
#include "cli.h"
#include "renkei/common/jurisdiction.h"
#include "renkei/common/text.h"
#include "renkei/v1/training.grpc.pb.h"
#include "training/training_rules.h"
#include "words.h"

namespace renkei::cli {

// The labels of these words come from training_rules.h.
template <>
std::string RulesLabel(v1::SkillLevel v) {
  return std::string(training::SkillLevelLabel(v));
}
template <>
std::string RulesLabel(v1::SkillGroup v) {
  return std::string(training::SkillGroupLabel(v));
}
template <>
std::string RulesLabel(v1::OrganizerLevel v) {
  return std::string(training::OrganizerLevelLabel(v));
}
template <>
std::string RulesLabel(v1::RegistrationStatus v) {
  return std::string(training::RegistrationStatusLabel(v));
}

namespace {

std::unique_ptr<v1::TrainingService::Stub> Stub() {
  return v1::TrainingService::NewStub(Channel(Options().training_address));
}

// ---- words on the command line, and the labels people see ----

constexpr Word<v1::SkillLevel> kSkillLevels[] = {
    {"beginner", v1::SKILL_LEVEL_BEGINNER, nullptr},
    {"practitioner", v1::SKILL_LEVEL_PRACTITIONER, nullptr},
    {"lead", v1::SKILL_LEVEL_LEAD, nullptr},
};

constexpr Word<v1::SkillGroup> kSkillGroups[] = {
    {"training_planning", v1::SKILL_GROUP_TRAINING_PLANNING, nullptr},
    {"data_analysis", v1::SKILL_GROUP_DATA_ANALYSIS, nullptr},
    {"survey_design", v1::SKILL_GROUP_SURVEY_DESIGN, nullptr},
    {"explaining", v1::SKILL_GROUP_EXPLAINING, nullptr},
    {"conveying_seeds", v1::SKILL_GROUP_CONVEYING_SEEDS, nullptr},
    {"peer_support", v1::SKILL_GROUP_PEER_SUPPORT, nullptr},
};

constexpr Word<v1::OrganizerLevel> kOrganizerLevels[] = {
    {"national", v1::ORGANIZER_LEVEL_NATIONAL, nullptr},
    {"prefecture", v1::ORGANIZER_LEVEL_PREFECTURE, nullptr},
    {"municipal", v1::ORGANIZER_LEVEL_MUNICIPAL, nullptr},
};

constexpr Word<v1::TrainingStatus> kTrainingStatuses[] = {
    {"scheduled", v1::TRAINING_STATUS_SCHEDULED, "開催予定"},
    {"cancelled", v1::TRAINING_STATUS_CANCELLED, "中止"},
};

constexpr Word<v1::RegistrationStatus> kRegistrationStatuses[] = {
    {"confirmed", v1::REGISTRATION_STATUS_CONFIRMED, nullptr},
    {"waitlisted", v1::REGISTRATION_STATUS_WAITLISTED, nullptr},
    {"cancelled", v1::REGISTRATION_STATUS_CANCELLED, nullptr},
    {"requested", v1::REGISTRATION_STATUS_REQUESTED, nullptr},
};

constexpr Word<v1::SurveyItemKind> kSurveyKinds[] = {
    {"likert", v1::SURVEY_ITEM_KIND_LIKERT, "5段階"},
    {"text", v1::SURVEY_ITEM_KIND_FREE_TEXT, "自由記述"},
};

std::string Trim(const std::string& s) { return std::string(common::TrimSpaces(s)); }

bool AllDigits(const std::string& s) {
  return !s.empty() && s.size() <= 9 &&
         std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// "国", a prefecture's name ("東京都") or a municipality's ("東京都稲城市"); the code itself when
// it is none of them.
std::string OrganizerLabel(const std::string& code) {
  if (code == "000000") return "国";
  const auto& j = common::Jurisdictions::Get();
  if (const auto* m = j.FindMunicipality(code)) return m->prefecture_name + m->name;
  if (const auto* p = j.FindPrefecture(code)) return p->name;
  return code;
}

// "explain_dying_process (実践者)".
std::string SkillsText(const google::protobuf::RepeatedPtrField<v1::SkillTarget>& skills) {
  std::string out;
  for (const auto& s : skills) {
    out +=
        (out.empty() ? "" : "、") + s.skill_code() + " (" + LabelOf(kSkillLevels, s.level()) + ")";
  }
  return out;
}

// "参加確定", "キャンセル待ち 2番" or "取消".
std::string StatusText(const v1::Registration& r) {
  if (r.status() == v1::REGISTRATION_STATUS_WAITLISTED && r.waitlist_position() > 0) {
    return "キャンセル待ち " + std::to_string(r.waitlist_position()) + "番";
  }
  return LabelOf(kRegistrationStatuses, r.status());
}

// "2026-12-05 14:00–16:00", or with the end's date when it ends on another day.
std::string SessionTime(const google::protobuf::Timestamp& start,
                        const google::protobuf::Timestamp& end) {
  const std::string s = FormatTokyo(start), e = FormatTokyo(end);
  if (s.empty() || e.empty()) return s + "–" + e;
  if (s.substr(0, 10) == e.substr(0, 10)) return s + "–" + e.substr(11);
  return s + " – " + e;
}

// "東京都庁 第一会議室", "オンライン" or both; with the URL when `url`.
std::string PlaceText(const v1::Session& s, bool url = false) {
  std::string out = s.venue();
  if (s.online()) out += (out.empty() ? "" : " + ") + std::string("オンライン");
  if (url && !s.online_url().empty()) out += " (" + s.online_url() + ")";
  return out;
}

std::string LecturersText(const v1::Session& s) {
  std::string out;
  for (const auto& l : s.lecturers()) {
    out += (out.empty() ? "" : "、") + l.name() +
           (l.affiliation().empty() ? "" : " (" + l.affiliation() + ")");
  }
  return out;
}

// ---- structured values on the command line ----

// The end of a session: a full time, or "HH:MM" on the day the session starts.
bool ParseEnd(const std::string& s, const google::protobuf::Timestamp& start,
              google::protobuf::Timestamp* out) {
  if (ParseTokyoTime(s, out)) return true;
  const std::string day = FormatTokyoDate(start);
  return s.size() == 5 && !day.empty() && ParseTokyoTime(day + " " + s, out);
}

// "山田花子@稲城市立病院": the affiliation may be left out.
bool ParseLecturer(const std::string& spec, v1::Lecturer* out) {
  const size_t at = spec.find('@');
  const std::string name = Trim(spec.substr(0, at));
  if (name.empty()) return false;
  out->set_name(name);
  if (at != std::string::npos) out->set_affiliation(Trim(spec.substr(at + 1)));
  return true;
}

constexpr const char* kSessionKeys[] = {"start", "end", "venue", "online", "capacity", "lecturer"};

// "start=2026-12-05 14:00,end=16:00,venue=東京都庁 第一会議室,capacity=20,
// lecturer=山田花子@稲城市立病院,online=https://...": start and end are required (end may be
// "HH:MM" on the start's day); `online` alone marks an online session without a URL; lecturer may
// be repeated. A part that does not begin with a key belongs to the value before it (a venue may
// hold a comma).
bool ParseSessionSpec(const std::string& spec, v1::Session* out) {
  std::vector<std::pair<std::string, std::string>> pairs;
  for (const auto& part : Split(spec, ',')) {
    const size_t eq = part.find('=');
    const std::string key = Trim(part.substr(0, eq));
    const bool known = std::any_of(std::begin(kSessionKeys), std::end(kSessionKeys),
                                   [&](const char* k) { return key == k; });
    if (Trim(part) == "online") {
      pairs.emplace_back("online", "");
    } else if (known && eq != std::string::npos) {
      pairs.emplace_back(key, part.substr(eq + 1));
    } else if (!pairs.empty()) {
      pairs.back().second += "," + part;
    } else {
      return false;
    }
  }
  v1::Session s;
  std::string end;
  std::map<std::string, int> seen;
  for (const auto& [key, raw] : pairs) {
    const std::string value = Trim(raw);
    if (key != "lecturer" && ++seen[key] > 1) return false;
    if (key == "start") {
      if (!ParseTokyoTime(value, s.mutable_starts_at())) return false;
    } else if (key == "end") {
      end = value;
    } else if (key == "venue") {
      s.set_venue(value);
    } else if (key == "online") {
      s.set_online(true);
      if (!value.empty() && value != "yes") s.set_online_url(value);
    } else if (key == "capacity") {
      if (!AllDigits(value)) return false;
      s.set_capacity(std::stoi(value));
    } else if (key == "lecturer") {
      if (!ParseLecturer(value, s.add_lecturers())) return false;
    }
  }
  if (!s.has_starts_at() || end.empty() || !ParseEnd(end, s.starts_at(), s.mutable_ends_at())) {
    return false;
  }
  *out = std::move(s);
  return true;
}

// "explain_dying_process:practitioner".
bool ParseSkillTarget(const std::string& spec, v1::SkillTarget* out) {
  const auto parts = Split(spec, ':');
  if (parts.size() != 2 || Trim(parts[0]).empty() || !IsWord(kSkillLevels, Trim(parts[1]))) {
    return false;
  }
  out->set_skill_code(Trim(parts[0]));
  out->set_level(FromWord(kSkillLevels, Trim(parts[1]), v1::SKILL_LEVEL_UNSPECIFIED));
  return true;
}

// "q1:likert:説明に自信がある:explain_dying_process:required": the skill and "required" may be
// left out ("q3:text:感想", "q2:likert:役に立った::required"). The question holds no ASCII ':'.
bool ParseSurveyItem(const std::string& spec, v1::SurveyItem* out) {
  auto parts = Split(spec, ':');
  if (parts.size() < 3 || parts.size() > 5) return false;
  for (auto& p : parts) p = Trim(p);
  bool required = false;
  if (parts.size() >= 4 && parts.back() == "required") {
    required = true;
    parts.pop_back();
  }
  if (parts.size() == 5 || parts[0].empty() || parts[2].empty() ||
      !IsWord(kSurveyKinds, parts[1])) {
    return false;
  }
  out->set_id(parts[0]);
  out->set_kind(FromWord(kSurveyKinds, parts[1], v1::SURVEY_ITEM_KIND_UNSPECIFIED));
  out->set_question(parts[2]);
  if (parts.size() == 4) out->set_skill_code(parts[3]);
  out->set_required(required);
  return true;
}

// "iss_...:cm_...:M3": the countermeasure and its label may be left out.
bool ParseCountermeasure(const std::string& spec, v1::CountermeasureLink* out) {
  const auto parts = Split(spec, ':');
  if (parts.size() > 3 || Trim(parts[0]).empty()) return false;
  out->set_issue_id(Trim(parts[0]));
  if (parts.size() > 1) out->set_countermeasure_id(Trim(parts[1]));
  if (parts.size() > 2) out->set_label(Trim(parts[2]));
  return true;
}

// "研修資料|slides.pdf": the reference may be left out.
bool ParseMaterial(const std::string& spec, v1::Material* out) {
  const size_t bar = spec.find('|');
  const std::string title = Trim(spec.substr(0, bar));
  if (title.empty()) return false;
  out->set_title(title);
  if (bar != std::string::npos) out->set_reference(Trim(spec.substr(bar + 1)));
  return true;
}

// "reg_...", "reg_...:no" (absent) or "reg_...:yes".
bool ParseAttendance(const std::string& spec, v1::AttendanceEntry* out) {
  const size_t colon = spec.find(':');
  const std::string id = Trim(spec.substr(0, colon));
  const std::string mark = colon == std::string::npos ? "yes" : Trim(spec.substr(colon + 1));
  if (id.empty() || (mark != "yes" && mark != "no")) return false;
  out->set_registration_id(id);
  out->set_attended(mark == "yes");
  return true;
}

// "q1=4", "q3=自由記述…": the item and what was answered (checked against the item's kind later).
bool ParseAnswer(const std::string& spec, std::pair<std::string, std::string>* out) {
  const size_t eq = spec.find('=');
  if (eq == std::string::npos || Trim(spec.substr(0, eq)).empty()) return false;
  *out = {Trim(spec.substr(0, eq)), spec.substr(eq + 1)};
  return true;
}

template <typename Message>
CLI::Validator SpecCheck(bool (*parse)(const std::string&, Message*), const char* format,
                         const std::string& help) {
  return ParseCheck(parse, help + " / use " + format + ": ", format, format);
}

// An option whose absence differs from an empty value (the optional fields of an edit).
struct MaybeText {
  bool given = false;
  std::string value;
};

CLI::Option* AddMaybe(CLI::App* cmd, const std::string& name, MaybeText* out,
                      const std::string& help) {
  return cmd->add_option_function<std::string>(
      name,
      [out](const std::string& v) {
        out->given = true;
        out->value = v;
      },
      help);
}

// ---- output ----

// "label  value" with the label padded to a display width of `width` after `indent` spaces; the
// further lines of a multi-line value are aligned under its first.
void Field(const std::string& label, const std::string& value, int indent = 0, int width = 14) {
  if (value.empty()) return;
  const int pad = std::max(1, width - common::DisplayWidth(label));
  const auto lines = Split(value, '\n');
  std::printf("%s%s%s %s\n", std::string(indent, ' ').c_str(), label.c_str(),
              std::string(pad, ' ').c_str(), lines[0].c_str());
  const std::string under(indent + common::DisplayWidth(label) + pad + 1, ' ');
  for (size_t k = 1; k < lines.size(); ++k) {
    std::printf("%s%s\n", under.c_str(), lines[k].c_str());
  }
}

void PrintSessions(const v1::Training& t) {
  Table table({"回", "日時", "会場", "講師", "参加確定/定員", "キャンセル待ち", "状態", "ID"});
  for (int k = 0; k < t.sessions_size(); ++k) {
    const auto& s = t.sessions(k);
    table.Add({std::to_string(k + 1), SessionTime(s.starts_at(), s.ends_at()), PlaceText(s, true),
               LecturersText(s), std::to_string(s.confirmed()) + "/" + std::to_string(s.capacity()),
               std::to_string(s.waitlisted()), s.cancelled() ? "中止" : "", s.id()});
  }
  table.Print({4, 40, 70, 40, 14, 14, 4, 30});
}

// The table form (CallAndPrint prints JSON).
void PrintTraining(const v1::Training& t) {
  Field("ID", t.id());
  Field("テーマ", t.title());
  Field("主催", LabelOf(kOrganizerLevels, t.organizer_level()) + " " +
                    OrganizerLabel(t.organizer_code()) + " (" + t.organizer_code() + ")");
  Field("状態", LabelOf(kTrainingStatuses, t.status()));
  Field("対象", AudienceText(t.audiences()));
  Field("目標スキル", SkillsText(t.target_skills()));
  if (t.skill_framework_version() > 0) {
    Field("スキル枠組み", "第" + std::to_string(t.skill_framework_version()) + "版");
  }
  const auto& cm = t.countermeasure();
  if (!cm.issue_id().empty()) {
    std::string ids =
        cm.issue_id() + (cm.countermeasure_id().empty() ? "" : ", ") + cm.countermeasure_id();
    Field("対策", (cm.label().empty() ? "" : cm.label() + " ") + "(" + ids + ")");
  }
  Field("申込", t.sessions_are_one_course() ? "全回セット (one course)"
                                            : "回を選んで申込 (alternative dates)");
  Field("申込締切", t.has_registration_deadline() ? FormatTokyo(t.registration_deadline())
                                                  : "最初の回の開始まで");
  Field("市区町村枠", t.quota_per_municipality() > 0
                          ? std::to_string(t.quota_per_municipality()) + " 名まで"
                          : "制限なし");
  Field("版", std::to_string(t.version()));
  Field("登録日時", FormatTokyo(t.created_at()));
  Field("更新日時", FormatTokyo(t.updated_at()));
  Field("説明", t.description());

  std::printf("\n回 / sessions\n");
  PrintSessions(t);

  std::printf("\nアンケート / survey\n");
  if (t.survey_items_size() == 0) std::printf("(なし)\n");
  for (const auto& item : t.survey_items()) {
    std::printf("  %s [%s] %s%s%s\n", item.id().c_str(), LabelOf(kSurveyKinds, item.kind()).c_str(),
                item.question().c_str(),
                item.skill_code().empty() ? "" : ("  (" + item.skill_code() + ")").c_str(),
                item.required() ? "  必須" : "");
  }

  std::printf("\n資料 / materials\n");
  if (t.materials_size() == 0) std::printf("(なし)\n");
  for (const auto& m : t.materials()) {
    std::printf("  - %s%s\n", m.title().c_str(),
                m.reference().empty() ? "" : (" (" + m.reference() + ")").c_str());
  }
}

// The confirmation of a changed training: "<what> (版 2)" and its sessions, one line each.
void PrintChanged(const v1::Training& t, const std::string& what) {
  std::printf("%s (版 %lld)\n", what.c_str(), static_cast<long long>(t.version()));
  for (const auto& s : t.sessions()) {
    std::printf(
        "  回 %s  %s  %s  参加確定 %d/%d%s%s\n", s.id().c_str(),
        SessionTime(s.starts_at(), s.ends_at()).c_str(), PlaceText(s).c_str(), s.confirmed(),
        s.capacity(),
        s.waitlisted() > 0 ? ("  キャンセル待ち " + std::to_string(s.waitlisted())).c_str() : "",
        s.cancelled() ? "  中止" : "");
  }
}

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

std::string Mean(const v1::LikertSummary& s) {
  if (s.responses() == 0) return "-";
  char buf[16];
  std::snprintf(buf, sizeof buf, "%.2f", s.mean());
  return buf;
}

void PrintGroup(const v1::SurveyGroupResults& g, const std::string& heading) {
  std::printf("%s: 参加確定 %d 名、出席 %d 名、回答 %d 件\n", heading.c_str(), g.registered(),
              g.attended(), g.responses());
  if (g.items_size() == 0) return;
  Table t({"項目", "質問", "スキル", "回答", "平均", "1", "2", "3", "4", "5"});
  for (const auto& item : g.items()) {
    std::vector<std::string> row = {item.item_id(), item.question(), item.skill_code(),
                                    std::to_string(item.responses()), Mean(item)};
    for (int k = 0; k < 5; ++k) {
      row.push_back(k < item.distribution_size() ? std::to_string(item.distribution(k)) : "0");
    }
    t.Add(std::move(row));
  }
  t.Print({10, 40, 30, 4, 5, 4, 4, 4, 4, 4});
}

// Calls a method that changes something; prints the response as JSON with -o json, or else the
// line `say` makes of it.
template <typename Request, typename Response>
using TrainingMethod = grpc::Status (v1::TrainingService::Stub::*)(grpc::ClientContext*,
                                                                   const Request&, Response*);

template <typename Request, typename Response, typename Say>
int Mutate(TrainingMethod<Request, Response> method, const Request& req, Say say) {
  return CallAndPrint(*Stub(), method, req,
                      [&say](const Response& r) { std::printf("%s\n", say(r).c_str()); });
}

// Reads a training for an edit; a failed call is reported and its exit code returned.
int ReadTraining(v1::TrainingService::Stub& stub, const std::string& id, v1::Training* out) {
  v1::GetTrainingRequest get;
  get.set_id(id);
  auto ctx = NewContext();
  return ReportError(stub.GetTraining(ctx.get(), get, out));
}

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

// ---- create and update ----
struct TrainingArgs {
  std::string id, from_json, title, description_file, deadline;
  int64_t version = 0;
  MaybeText description;
  int quota = -1;  // -1: not given
  bool one_course = false, clear_deadline = false, clear_skills = false, clear_materials = false,
       clear_survey = false, clear_countermeasure = false;
  std::vector<std::string> audiences, skills, sessions, survey_items, materials;
  std::string countermeasure;
};

// Applies the options given to `t`; each given list replaces that part.
bool ApplyTrainingArgs(const TrainingArgs& a, v1::Training* t) {
  if (!a.title.empty()) t->set_title(a.title);
  if (a.description.given) t->set_description(a.description.value);
  if (!a.description_file.empty() && !ReadWholeFile(a.description_file, t->mutable_description())) {
    return false;
  }
  if (!a.audiences.empty()) {
    t->clear_audiences();
    for (const auto& w : a.audiences) {
      t->add_audiences(FromWord(kAudiences, w, v1::AUDIENCE_ROLE_UNSPECIFIED));
    }
  }
  if (!a.skills.empty() || a.clear_skills) {
    t->clear_target_skills();
    for (const auto& s : a.skills) ParseSkillTarget(s, t->add_target_skills());
  }
  if (!a.sessions.empty()) {
    t->clear_sessions();
    for (const auto& s : a.sessions) ParseSessionSpec(s, t->add_sessions());
  }
  if (!a.deadline.empty()) ParseTokyoTime(a.deadline, t->mutable_registration_deadline());
  if (a.clear_deadline) t->clear_registration_deadline();
  if (a.quota >= 0) t->set_quota_per_municipality(a.quota);
  if (a.one_course) t->set_sessions_are_one_course(true);
  if (!a.countermeasure.empty()) {
    t->clear_countermeasure();
    ParseCountermeasure(a.countermeasure, t->mutable_countermeasure());
  }
  if (a.clear_countermeasure) t->clear_countermeasure();
  if (!a.survey_items.empty() || a.clear_survey) {
    t->clear_survey_items();
    for (const auto& s : a.survey_items) ParseSurveyItem(s, t->add_survey_items());
  }
  if (!a.materials.empty() || a.clear_materials) {
    t->clear_materials();
    for (const auto& m : a.materials) ParseMaterial(m, t->add_materials());
  }
  return true;
}

int RunCreate(const TrainingArgs& a) {
  v1::CreateTrainingRequest req;
  v1::Training* t = req.mutable_training();
  if (!a.from_json.empty()) {
    std::string json;
    if (!ReadWholeFile(a.from_json, &json) || !ParseJson(a.from_json, json, t)) return kUsage;
    // A training printed by `-o json training show` may be the start of a new one: what the
    // service assigns is dropped, and so are cancelled sessions.
    for (auto* f : {"id", "organizer_level", "organizer_code", "skill_framework_version", "status",
                    "share_level", "version", "created_at", "updated_at"}) {
      t->GetReflection()->ClearField(t, t->GetDescriptor()->FindFieldByName(f));
    }
    auto* sessions = t->mutable_sessions();
    sessions->erase(std::remove_if(sessions->begin(), sessions->end(),
                                   [](const v1::Session& s) { return s.cancelled(); }),
                    sessions->end());
    for (auto& s : *sessions) {
      s.clear_id();
      s.clear_confirmed();
      s.clear_waitlisted();
    }
  } else {
    std::string missing;
    if (a.title.empty()) missing += " --title";
    if (a.audiences.empty()) missing += " --audience";
    if (a.sessions.empty()) missing += " --session";
    if (!missing.empty()) {
      std::fprintf(stderr,
                   "次の指定が必要です (または --from-json) / required unless --from-json:%s\n",
                   missing.c_str());
      return kUsage;
    }
  }
  if (!ApplyTrainingArgs(a, t)) return kUsage;
  return CallAndPrint(
      *Stub(), &v1::TrainingService::Stub::CreateTraining, req,
      [](const v1::Training& out) { PrintChanged(out, "研修 " + out.id() + " を登録しました"); });
}

int RunUpdate(const TrainingArgs& a) {
  auto stub = Stub();
  v1::UpdateTrainingRequest req;
  v1::Training* t = req.mutable_training();
  if (int code = ReadTraining(*stub, a.id, t); code != kOk) return code;
  if (!ApplyTrainingArgs(a, t)) return kUsage;
  // The version read is the one the user gives, not the one just fetched: a change made by
  // someone else in between is reported as stale, not overwritten.
  t->set_version(a.version);
  return CallAndPrint(
      *stub, &v1::TrainingService::Stub::UpdateTraining, req,
      [](const v1::Training& out) { PrintChanged(out, "研修 " + out.id() + " を更新しました"); });
}

// ---- sessions ----
struct SessionArgs {
  std::string id, session_id, start, end, online_url;
  int64_t version = 0;
  MaybeText venue;
  int capacity = -1;  // -1: not given
  bool online = false, no_online = false, clear_lecturers = false;
  std::vector<std::string> lecturers;
};

// Applies the options given to `s`; --end "HH:MM" is on the (new or current) start's day.
bool ApplySessionArgs(const SessionArgs& a, v1::Session* s) {
  if (!a.start.empty()) ParseTokyoTime(a.start, s->mutable_starts_at());
  if (!a.end.empty() && !ParseEnd(a.end, s->starts_at(), s->mutable_ends_at())) {
    std::fprintf(stderr,
                 "--end: 終了は YYYY-MM-DD HH:MM か、開始と同じ日の HH:MM で指定してください / "
                 "HH:MM needs a start: %s\n",
                 a.end.c_str());
    return false;
  }
  if (a.venue.given) s->set_venue(Trim(a.venue.value));
  if (a.online) s->set_online(true);
  if (!a.online_url.empty()) {
    s->set_online(true);
    s->set_online_url(a.online_url);
  }
  if (a.no_online) {
    s->set_online(false);
    s->clear_online_url();
  }
  if (a.capacity >= 0) s->set_capacity(a.capacity);
  if (!a.lecturers.empty() || a.clear_lecturers) {
    s->clear_lecturers();
    for (const auto& l : a.lecturers) ParseLecturer(l, s->add_lecturers());
  }
  return true;
}

int RunAddSession(const SessionArgs& a) {
  v1::AddSessionRequest req;
  req.set_training_id(a.id);
  req.set_expected_version(a.version);
  if (!ApplySessionArgs(a, req.mutable_session())) return kUsage;
  return CallAndPrint(
      *Stub(), &v1::TrainingService::Stub::AddSession, req,
      [](const v1::Training& t) { PrintChanged(t, "研修 " + t.id() + " に回を追加しました"); });
}

int RunUpdateSession(const SessionArgs& a) {
  auto stub = Stub();
  v1::Training current;
  if (int code = ReadTraining(*stub, a.id, &current); code != kOk) return code;
  v1::UpdateSessionRequest req;
  req.set_training_id(a.id);
  req.set_expected_version(a.version);
  auto it = std::find_if(current.sessions().begin(), current.sessions().end(),
                         [&](const v1::Session& s) { return s.id() == a.session_id; });
  if (it == current.sessions().end()) {
    std::fprintf(stderr, "回が見つかりません / no such session in %s: %s\n", a.id.c_str(),
                 a.session_id.c_str());
    return kNotFound;
  }
  v1::Session* s = req.mutable_session();
  *s = *it;
  s->clear_confirmed();
  s->clear_waitlisted();
  if (!ApplySessionArgs(a, s)) return kUsage;
  const std::string session_id = a.session_id;
  return CallAndPrint(
      *stub, &v1::TrainingService::Stub::UpdateSession, req, [session_id](const v1::Training& t) {
        PrintChanged(t, "研修 " + t.id() + " の回 " + session_id + " を更新しました");
      });
}

// ---- list ----
struct ListArgs {
  std::string municipality, from, to, level, skill, page_token;
  int page_size = 0;
  bool include_cancelled = false, all = false;
};

int RunList(const ListArgs& a) {
  v1::ListTrainingsRequest req;
  req.set_municipality_code(a.municipality);
  if (!a.from.empty()) ParseDate(a.from, req.mutable_from());
  if (!a.to.empty()) ParseDate(a.to, req.mutable_to());
  if (!a.level.empty()) {
    req.set_organizer_level(FromWord(kOrganizerLevels, a.level, v1::ORGANIZER_LEVEL_UNSPECIFIED));
  }
  req.set_skill_code(a.skill);
  req.set_include_cancelled(a.include_cancelled);
  req.set_page_size(a.page_size);
  req.set_page_token(a.page_token);

  auto stub = Stub();
  // With --all, the pages are gathered into one response (one JSON document).
  v1::ListTrainingsResponse all;
  v1::ListTrainingsResponse resp;
  while (true) {
    auto ctx = NewContext();
    grpc::Status s = stub->ListTrainings(ctx.get(), req, &resp);
    if (!s.ok()) return ReportError(s);
    for (const auto& t : resp.trainings()) *all.add_trainings() = t;
    all.set_total(resp.total());
    all.set_next_page_token(resp.next_page_token());
    if (!a.all || resp.next_page_token().empty()) break;
    req.set_page_token(resp.next_page_token());
  }
  if (JsonOutput()) {
    PrintJson(all);
    return kOk;
  }
  if (all.trainings_size() == 0) {
    std::printf("該当する研修はありません / no trainings (該当 %d 件)\n", all.total());
    return kOk;
  }
  Table t({"開始", "テーマ", "主催", "回", "参加確定/定員", "キャンセル待ち", "申込締切", "状態",
           "版", "ID"});
  for (const auto& s : all.trainings()) {
    t.Add(
        {FormatTokyo(s.first_starts_at()), s.title(),
         LabelOf(kOrganizerLevels, s.organizer_level()) + " " + OrganizerLabel(s.organizer_code()),
         std::to_string(s.session_count()),
         std::to_string(s.confirmed()) + "/" + std::to_string(s.capacity()),
         std::to_string(s.waitlisted()),
         FormatTokyo(s.has_registration_deadline() ? s.registration_deadline()
                                                   : s.first_starts_at()),
         LabelOf(kTrainingStatuses, s.status()), std::to_string(s.version()), s.id()});
  }
  t.Print({16, 50, 24, 4, 14, 14, 16, 8, 6, 30});
  std::printf(
      "\n%d 件を表示 (該当 %d 件)%s\n", all.trainings_size(), all.total(),
      all.next_page_token().empty() ? "" : "  (続き: --page-token で次ページ、--all で全件)");
  if (!all.next_page_token().empty()) {
    std::printf("next page token: %s\n", all.next_page_token().c_str());
  }
  return kOk;
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

// ---- attendance and surveys ----
int RunAttend(const std::string& training_id, const std::string& session_id,
              const std::vector<std::string>& entries) {
  v1::RecordAttendanceRequest req;
  req.set_training_id(training_id);
  req.set_session_id(session_id);
  for (const auto& e : entries) ParseAttendance(e, req.add_entries());
  return Mutate(&v1::TrainingService::Stub::RecordAttendance, req,
                [session_id](const v1::RecordAttendanceResponse& r) {
                  return "出席を記録しました: " + std::to_string(r.recorded()) + " 件 (回 " +
                         session_id + " の出席 " + std::to_string(r.attended()) + " 名)";
                });
}

int RunSurvey(const std::string& registration_id, const std::vector<std::string>& answers) {
  auto stub = Stub();
  v1::GetRegistrationRequest get;
  get.set_id(registration_id);
  v1::Registration reg;
  {
    auto ctx = NewContext();
    if (int code = ReportError(stub->GetRegistration(ctx.get(), get, &reg)); code != kOk) {
      return code;
    }
  }
  v1::Training t;
  if (int code = ReadTraining(*stub, reg.training_id(), &t); code != kOk) return code;
  v1::SubmitSurveyRequest req;
  req.set_registration_id(registration_id);
  for (const auto& spec : answers) {
    std::pair<std::string, std::string> answer;
    ParseAnswer(spec, &answer);
    auto* a = req.add_answers();
    a->set_item_id(answer.first);
    auto item = std::find_if(t.survey_items().begin(), t.survey_items().end(),
                             [&](const v1::SurveyItem& i) { return i.id() == answer.first; });
    if (item != t.survey_items().end() && item->kind() == v1::SURVEY_ITEM_KIND_LIKERT) {
      const std::string value = Trim(answer.second);
      if (!AllDigits(value)) {
        std::fprintf(stderr,
                     "--answer %s: 5段階の項目です。1〜5 の数字で答えてください / a Likert item "
                     "takes 1..5: %s\n",
                     answer.first.c_str(), answer.second.c_str());
        return kUsage;
      }
      a->set_likert(std::stoi(value));
    } else {
      // Free text, or an item the training does not have (the service names it).
      a->set_text(answer.second);
    }
  }
  return CallAndPrint(*stub, &v1::TrainingService::Stub::SubmitSurvey, req,
                      [](const v1::SurveyResponse& r) {
                        std::printf("アンケートを受け付けました (申込 %s、%d 項目)\n",
                                    r.registration_id().c_str(), r.answers_size());
                      });
}

int RunResults(const std::string& training_id, bool free_text) {
  v1::GetSurveyResultsRequest req;
  req.set_training_id(training_id);
  req.set_include_free_text(free_text);
  return CallAndPrint(*Stub(), &v1::TrainingService::Stub::GetSurveyResults, req,
                      [free_text](const v1::SurveyResults& r) {
                        std::printf(
                            "研修 %s のアンケート結果 (1: 全くそう思わない 〜 5: "
                            "とてもそう思う)\n\n",
                            r.training_id().c_str());
                        PrintGroup(r.overall(), "全体");
                        for (const auto& g : r.by_municipality()) {
                          std::printf("\n");
                          PrintGroup(g, MunicipalityLabel(g.municipality_code()) + " (" +
                                            g.municipality_code() + ")");
                        }
                        if (!free_text) return;
                        std::printf("\n自由記述 / comments (書いた人は表示しません)\n");
                        if (r.free_text_size() == 0) std::printf("(なし)\n");
                        for (const auto& text : r.free_text()) {
                          const auto lines = Split(text, '\n');
                          std::printf("  - %s\n", lines[0].c_str());
                          for (size_t k = 1; k < lines.size(); ++k) {
                            std::printf("    %s\n", lines[k].c_str());
                          }
                        }
                      });
}

// ---- calendar and network ----
struct ScopeArgs {
  std::string training_id, participant, municipality;
};

// How many of the scope options were given.
int ScopeCount(const ScopeArgs& a) {
  return !a.training_id.empty() + !a.participant.empty() + !a.municipality.empty();
}

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

// The options of `create` and `update` that describe what the training is about.
void AddContentOptions(CLI::App* cmd, TrainingArgs* a, bool create) {
  const std::string replaces = create ? "" : " (指定すると全体を置き換え)";
  cmd->add_option("--title", a->title, "テーマ");
  auto* description = AddMaybe(cmd, "--description", &a->description, "説明");
  cmd->add_option("--description-file", a->description_file, "説明のファイル (UTF-8)")
      ->check(CLI::ExistingFile)
      ->excludes(description);
  cmd->add_option("--audience", a->audiences,
                  "対象者 (カンマ区切り・繰り返し指定可): " + Choices(kAudiences) + replaces)
      ->allow_extra_args(false)
      ->delimiter(',')
      ->check(WordCheck(kAudiences, "対象"));
  auto* skill =
      cmd->add_option("--skill", a->skills,
                      "目標スキル CODE:LEVEL (例: explain_dying_process:practitioner。"
                      "LEVEL: " +
                          Choices(kSkillLevels) +
                          "。CODE は `renkeictl training skills` で確認、繰り返し指定可)" +
                          replaces)
          ->allow_extra_args(false)
          ->check(SpecCheck(&ParseSkillTarget, "CODE:LEVEL",
                            "目標スキルは CODE:LEVEL で指定してください (LEVEL: " +
                                WordList(kSkillLevels) + ")"));
  auto* deadline = cmd->add_option("--deadline", a->deadline,
                                   "申込締切 YYYY-MM-DD HH:MM (東京時間。省略時は最初の回の開始)")
                       ->check(TokyoTimeCheck());
  cmd->add_option("--quota", a->quota, "1市区町村あたりの申込枠 (0: 制限なし)")
      ->check(CLI::Range(0, 10000));
  auto* countermeasure =
      cmd->add_option("--countermeasure", a->countermeasure,
                      "実施する地域課題の対策 ISSUE_ID:COUNTERMEASURE_ID:LABEL (例: "
                      "iss_...:cm_...:M3。対策IDとラベルは省略可)")
          ->check(SpecCheck(&ParseCountermeasure, "ISSUE_ID:COUNTERMEASURE_ID:LABEL",
                            "対策は ISSUE_ID:COUNTERMEASURE_ID:LABEL で指定してください"));
  auto* survey =
      cmd->add_option("--survey-item", a->survey_items,
                      "アンケート項目 ID:KIND:QUESTION[:SKILL][:required] (例: "
                      "q1:likert:説明に自信がある:explain_dying_process:required。KIND: " +
                          Choices(kSurveyKinds) + "。QUESTION に半角 ':' は不可、繰り返し指定可)" +
                          replaces)
          ->allow_extra_args(false)
          ->check(SpecCheck(&ParseSurveyItem, "ID:KIND:QUESTION[:SKILL][:required]",
                            "アンケート項目は ID:KIND:QUESTION[:SKILL][:required] で指定してくださ"
                            "い (KIND: " +
                                WordList(kSurveyKinds) + ")"));
  auto* material =
      cmd->add_option("--material", a->materials,
                      "資料 TITLE|REFERENCE (REFERENCE はファイル名・URL、省略可、繰り返し指定可)" +
                          replaces)
          ->allow_extra_args(false)
          ->check(SpecCheck(&ParseMaterial, "TITLE|REFERENCE",
                            "資料は TITLE|REFERENCE で指定してください"));
  if (create) return;
  cmd->add_flag("--clear-skills", a->clear_skills, "目標スキルをすべて消す")->excludes(skill);
  cmd->add_flag("--clear-deadline", a->clear_deadline, "申込締切を消す (最初の回の開始まで)")
      ->excludes(deadline);
  cmd->add_flag("--clear-countermeasure", a->clear_countermeasure, "対策とのつながりを消す")
      ->excludes(countermeasure);
  cmd->add_flag("--clear-survey-items", a->clear_survey, "アンケート項目をすべて消す")
      ->excludes(survey);
  cmd->add_flag("--clear-materials", a->clear_materials, "資料をすべて消す")->excludes(material);
}

// The options of `add-session` and `update-session`.
void AddSessionOptions(CLI::App* cmd, SessionArgs* a, bool add) {
  auto* start = cmd->add_option("--start", a->start, "開始 YYYY-MM-DD HH:MM (東京時間)")
                    ->check(TokyoTimeCheck());
  auto* end = cmd->add_option("--end", a->end, "終了 YYYY-MM-DD HH:MM、または開始と同じ日の HH:MM");
  AddMaybe(cmd, "--venue", &a->venue, "会場 (例: 東京都庁 第一会議室、空で会場なし)");
  auto* online = cmd->add_flag("--online", a->online, "オンラインで開催 (会場と併用可)");
  cmd->add_option("--online-url", a->online_url, "オンラインのURL (http(s)://...)");
  auto* capacity =
      cmd->add_option("--capacity", a->capacity, "定員 (1-10000)")->check(CLI::Range(1, 10000));
  auto* lecturer =
      cmd->add_option("--lecturer", a->lecturers,
                      "講師 NAME@AFFILIATION (例: 山田花子@稲城市立病院。所属は省略可、繰り返し指定"
                      "可" +
                          std::string(add ? "" : "、指定すると全体を置き換え") + ")")
          ->allow_extra_args(false)
          ->check(SpecCheck(&ParseLecturer, "NAME@AFFILIATION",
                            "講師は NAME@AFFILIATION で指定してください"));
  if (add) {
    start->required();
    end->required();
    capacity->required();
    return;
  }
  cmd->add_flag("--no-online", a->no_online, "オンラインをやめる (会場のみ)")->excludes(online);
  cmd->add_flag("--clear-lecturers", a->clear_lecturers, "講師をすべて消す")->excludes(lecturer);
}

}  // namespace

// Registers `training ...` on the app; the chosen command stores its runner in *run.
void AddTrainingCommands(CLI::App& app, std::function<int()>* run) {
  auto* training = app.add_subcommand(
      "training",
      "研修 (training): スキル枠組み、研修と回、申込・キャンセル待ち、出席、アンケート");
  training->require_subcommand(1);

  // ---- skill framework ----
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

  // ---- trainings ----
  auto ca = std::make_shared<TrainingArgs>();
  auto* create = training->add_subcommand("create", "研修を登録 / create a training");
  AddContentOptions(create, ca.get(), /*create=*/true);
  create
      ->add_option("--session", ca->sessions,
                   "回 'start=YYYY-MM-DD HH:MM,end=HH:MM,venue=会場,capacity=N,"
                   "lecturer=NAME@所属,online=URL' (東京時間。start・end は必須、end は別の日なら "
                   "YYYY-MM-DD HH:MM、online は URL なしでも可、lecturer は複数可。回ごとに繰り返し"
                   "指定)")
      ->allow_extra_args(false)
      ->check(SpecCheck(&ParseSessionSpec,
                        "start=...,end=...[,venue=...][,online[=URL]][,capacity=N][,lecturer=...]",
                        "回は start=YYYY-MM-DD HH:MM,end=HH:MM,... で指定してください (キー: "
                        "start, end, venue, online, capacity, lecturer)"));
  create->add_flag("--one-course", ca->one_course, "全回セットで申込む (省略時は回を選んで申込む)");
  create
      ->add_option("--from-json", ca->from_json,
                   "研修全体の JSON (Training。`-o json training show` の出力も可。他の指定はその"
                   "部分を置き換え)")
      ->check(CLI::ExistingFile);
  create->callback([=] { *run = [=] { return RunCreate(*ca); }; });

  auto ua = std::make_shared<TrainingArgs>();
  auto* update = training->add_subcommand(
      "update", "研修の内容を更新 (回は add-session / update-session) / edit a training");
  update->add_option("id", ua->id, "研修ID (trn_...)")->required();
  update->add_option("--version", ua->version, "読み込んだ版 / the version you read")->required();
  AddContentOptions(update, ua.get(), /*create=*/false);
  update->callback([=] { *run = [=] { return RunUpdate(*ua); }; });

  auto sa = std::make_shared<SessionArgs>();
  auto* add_session = training->add_subcommand("add-session", "回を追加 / add a session");
  add_session->add_option("id", sa->id, "研修ID (trn_...)")->required();
  add_session->add_option("--version", sa->version, "読み込んだ版 / the version you read")
      ->required();
  AddSessionOptions(add_session, sa.get(), /*add=*/true);
  add_session->callback([=] { *run = [=] { return RunAddSession(*sa); }; });

  auto* update_session = training->add_subcommand(
      "update-session", "回の日時・会場・定員・講師を変更 (指定した部分だけ) / change a session");
  update_session->add_option("id", sa->id, "研修ID (trn_...)")->required();
  update_session->add_option("--version", sa->version, "読み込んだ版 / the version you read")
      ->required();
  update_session->add_option("--session-id", sa->session_id, "回ID (ses_...)")->required();
  AddSessionOptions(update_session, sa.get(), /*add=*/false);
  update_session->callback([=] { *run = [=] { return RunUpdateSession(*sa); }; });

  auto cancel_id = std::make_shared<std::string>();
  auto cancel_version = std::make_shared<int64_t>(0);
  auto cancel_reason = std::make_shared<std::string>();
  auto* cancel =
      training->add_subcommand("cancel", "研修を中止 (申込は記録として残る) / cancel a training");
  cancel->add_option("id", *cancel_id, "研修ID (trn_...)")->required();
  cancel->add_option("--version", *cancel_version, "読み込んだ版 / the version you read")
      ->required();
  cancel->add_option("--reason", *cancel_reason, "中止の理由");
  cancel->callback([=] {
    *run = [=] {
      v1::CancelTrainingRequest req;
      req.set_id(*cancel_id);
      req.set_expected_version(*cancel_version);
      req.set_reason(*cancel_reason);
      return Mutate(&v1::TrainingService::Stub::CancelTraining, req, [](const v1::Training& t) {
        return "研修 " + t.id() + " を中止しました (版 " + std::to_string(t.version()) + ")";
      });
    };
  });

  auto show_id = std::make_shared<std::string>();
  auto* show = training->add_subcommand(
      "show", "研修を表示 (回ごとの参加確定/定員とキャンセル待ち) / show a training");
  show->add_option("id", *show_id, "研修ID (trn_...)")->required();
  show->callback([=] {
    *run = [=] {
      v1::GetTrainingRequest req;
      req.set_id(*show_id);
      return CallAndPrint(*Stub(), &v1::TrainingService::Stub::GetTraining, req, PrintTraining);
    };
  });

  auto la = std::make_shared<ListArgs>();
  auto* list = training->add_subcommand("list", "研修の一覧 (最初の回の開始順) / list trainings");
  list->add_option("--municipality", la->municipality,
                   "この市区町村が参加できる研修 (国・その都道府県・その市区町村のもの、団体コード"
                   "6桁)");
  list->add_option("--from", la->from, "この日以降に回があるもの")->check(DateCheck());
  list->add_option("--to", la->to, "この日までに回があるもの")->check(DateCheck());
  list->add_option("--level", la->level, "主催: " + Choices(kOrganizerLevels))
      ->check(WordCheck(kOrganizerLevels, "主催"));
  list->add_option("--skill", la->skill, "目標スキルのコード (例: explain_dying_process)");
  list->add_flag("--include-cancelled", la->include_cancelled, "中止した研修も表示");
  list->add_option("--page-size", la->page_size, "1ページの件数 (1-200、既定 50)")
      ->check(CLI::Range(1, 200));
  list->add_option("--page-token", la->page_token, "続きのページ");
  list->add_flag("--all", la->all, "全ページを表示");
  list->callback([=] { *run = [=] { return RunList(*la); }; });

  // ---- registrations ----
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

  // ---- attendance, surveys, results ----
  auto attend_training = std::make_shared<std::string>();
  auto attend_session = std::make_shared<std::string>();
  auto attend_entries = std::make_shared<std::vector<std::string>>();
  auto* attend = training->add_subcommand(
      "attend", "回の出席を記録 (既定は出席、REG_ID:no で欠席) / record attendance");
  attend->add_option("id", *attend_training, "研修ID (trn_...)")->required();
  attend->add_option("--session", *attend_session, "回ID (ses_...)")->required();
  attend
      ->add_option("registrations", *attend_entries, "申込ID (reg_...、欠席は reg_...:no、複数可)")
      ->required()
      ->check(SpecCheck(&ParseAttendance, "REG_ID[:yes|:no]",
                        "出席は REG_ID か REG_ID:no (欠席) で指定してください"));
  attend->callback([=] {
    *run = [=] { return RunAttend(*attend_training, *attend_session, *attend_entries); };
  });

  auto survey_answers = std::make_shared<std::vector<std::string>>();
  auto* survey = training->add_subcommand(
      "survey", "研修後のアンケートを提出 (出席した申込) / submit a survey");
  survey->add_option("id", *reg_id, "申込ID (reg_...)")->required();
  survey
      ->add_option("--answer", *survey_answers,
                   "回答 ITEM=VALUE (5段階は 1〜5、自由記述は文章。例: --answer q1=4 --answer "
                   "q3=説明の流れがわかった。繰り返し指定)")
      ->required()
      ->allow_extra_args(false)
      ->check(ParseCheck(&ParseAnswer, "回答は ITEM=VALUE で指定してください / use ITEM=VALUE: ",
                         "ITEM=VALUE", "ITEM=VALUE"));
  survey->callback([=] { *run = [=] { return RunSurvey(*reg_id, *survey_answers); }; });

  auto results_id = std::make_shared<std::string>();
  auto free_text = std::make_shared<bool>(false);
  auto* results = training->add_subcommand(
      "results", "アンケート結果 (全体と市区町村別、項目ごとの平均と分布) / survey results");
  results->add_option("id", *results_id, "研修ID (trn_...)")->required();
  results->add_flag("--free-text", *free_text, "自由記述も表示 (書いた人は表示しません)");
  results->callback([=] { *run = [=] { return RunResults(*results_id, *free_text); }; });

  // ---- calendar and network ----
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

}  // namespace renkei::cli
