// renkeictl training add-session|update-session: a training's sessions — the --session spec
// (also read by `create`), their times, places and lecturers as shown, adding one and changing
// one.
#include <algorithm>
#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "cli.h"
#include "renkei/v1/training.grpc.pb.h"
#include "training_parts.h"

namespace renkei::cli::training_commands {
namespace {

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

}  // namespace

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

// ---- output ----

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

namespace {

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

void AddSessionCommands(CLI::App* training, std::function<int()>* run) {
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
}

}  // namespace renkei::cli::training_commands
