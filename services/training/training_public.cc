// Trainings: events for residents (普及啓発, docs/outreach.md) — the public page's reads, a
// resident's registration and cancellation by link, their mails, the awareness questionnaire and
// the retention of residents' names and contacts.
#include <algorithm>
#include <map>
#include <set>

#include "ical.h"
#include "renkei/common/dates.h"
#include "renkei/common/errors.h"
#include "renkei/common/ids.h"
#include "renkei/common/labels.h"
#include "renkei/common/log.h"
#include "renkei/common/status_macros.h"
#include "renkei/common/text.h"
#include "renkei/common/validation.h"
#include "training.h"
#include "training_parts.h"

namespace renkei::training {
namespace {

constexpr char kCancelPurpose[] = "cancel";
constexpr int64_t kDayMicros = 24LL * 3600 * 1000 * 1000;

constexpr std::string_view kNoSuchEvent = "イベントが見つかりません / no such event";
constexpr std::string_view kBadLink =
    "このリンクは使えません。申込完了のメールか画面にあるリンクをそのまま開いてください";

std::string SessionLine(const v1::Session& s) {
  std::string line = FormatSessionTime(Micros(s.starts_at()), Micros(s.ends_at()));
  if (!s.venue().empty()) line += " " + s.venue();
  if (s.online()) line += s.venue().empty() ? " オンライン" : " (オンライン併用)";
  if (s.cancelled()) line += " 【中止】";
  return line;
}

int SessionSeats(const v1::TrainingLedger& ledger, const std::string& id) {
  auto it = ledger.confirmed_by_session().find(id);
  return it == ledger.confirmed_by_session().end() ? 0 : it->second;
}

v1::LikertSummary Summarize(const std::vector<int>& answers) {
  v1::LikertSummary out;
  std::vector<int> counts(5, 0);
  double sum = 0;
  for (int a : answers) {
    ++counts[a - 1];
    sum += a;
  }
  out.set_responses(static_cast<int>(answers.size()));
  out.set_mean(answers.empty() ? 0 : sum / static_cast<double>(answers.size()));
  for (int c : counts) out.add_distribution(c);
  return out;
}

double AgreeShare(const v1::LikertSummary& s) {
  if (s.responses() == 0) return 0;
  return static_cast<double>(s.distribution(3) + s.distribution(4)) / s.responses();
}

}  // namespace

std::string Trainings::CancellationLink(const v1::Registration& reg) const {
  return options_.link_origin + "/events/#cancel=" + links_->Token(reg.id(), 0, kCancelPurpose);
}

v1::PublicEvent Trainings::PublicView(const v1::Training& t,
                                      const v1::TrainingLedger& ledger) const {
  v1::PublicEvent e;
  e.set_id(t.id());
  e.set_organizer_level(t.organizer_level());
  e.set_organizer_code(t.organizer_code());
  e.set_organizer_name(options_.jurisdiction_name);
  e.set_title(t.title());
  e.set_description(t.description());
  *e.mutable_theme_tags() = t.theme_tags();
  *e.mutable_audiences() = t.audiences();
  for (const auto& s : t.sessions()) {
    auto* p = e.add_sessions();
    p->set_session_id(s.id());
    *p->mutable_starts_at() = s.starts_at();
    *p->mutable_ends_at() = s.ends_at();
    p->set_venue(s.venue());
    p->set_online(s.online());
    p->set_capacity(s.capacity());
    p->set_seats_left(std::max(0, s.capacity() - SessionSeats(ledger, s.id())));
    auto w = ledger.waiting_by_session().find(s.id());
    p->set_waiting(w == ledger.waiting_by_session().end() ? 0 : w->second);
    p->set_cancelled(s.cancelled());
  }
  e.set_sessions_are_one_course(t.sessions_are_one_course());
  if (t.has_registration_deadline()) *e.mutable_registration_deadline() = t.registration_deadline();
  e.set_registration_open(t.status() == v1::TRAINING_STATUS_SCHEDULED &&
                          clock_->NowMicros() < ClosesAt(t));
  e.set_status(t.status());
  e.set_cancellation_reason(t.cancellation_reason());
  *e.mutable_awareness_items() = t.awareness_items();
  return e;
}

absl::StatusOr<v1::ListPublicEventsResponse> Trainings::ListPublicEvents(
    const v1::ListPublicEventsRequest& r) const {
  FieldViolations v;
  if (r.has_from() && r.from().year() != 0) {
    v.CheckDate("from", r.from().year(), r.from().month(), r.from().day());
  }
  v.CheckText("theme_tag", r.theme_tag(), {.max_chars = 20});
  RETURN_IF_ERROR(v.ToStatus());
  const v1::Date from =
      r.has_from() && r.from().year() != 0 ? r.from() : common::TokyoDate(clock_->NowMicros());
  const int64_t from_us = common::TokyoStartOfDay(from);
  std::vector<v1::Training> found;
  RETURN_IF_ERROR(store_.ForEachTraining([&](const v1::Training& t) {
    if (!t.public_event() || !OrganizedHere(t) || LastEnd(t) < from_us) return true;
    if (!r.theme_tag().empty() && std::find(t.theme_tags().begin(), t.theme_tags().end(),
                                            r.theme_tag()) == t.theme_tags().end()) {
      return true;
    }
    found.push_back(t);
    return true;
  }));
  std::sort(found.begin(), found.end(), [](const v1::Training& a, const v1::Training& b) {
    return std::make_pair(FirstStart(a), a.id()) < std::make_pair(FirstStart(b), b.id());
  });
  v1::ListPublicEventsResponse out;
  out.set_jurisdiction_name(options_.jurisdiction_name);
  for (const auto& t : found) {
    ASSIGN_OR_RETURN(v1::TrainingLedger ledger, store_.GetLedger(t.id()));
    *out.add_events() = PublicView(t, ledger);
  }
  return out;
}

absl::StatusOr<v1::PublicEvent> Trainings::GetPublicEvent(
    const v1::GetPublicEventRequest& r) const {
  RETURN_IF_ERROR(CheckId("trn", r.id(), "id"));
  ASSIGN_OR_RETURN(std::optional<v1::Training> t, store_.trainings().Find(r.id()));
  if (!t || !t->public_event() || !OrganizedHere(*t)) {
    return common::NotFoundError("renkei.v1.PublicEvent", r.id(), kNoSuchEvent);
  }
  ASSIGN_OR_RETURN(v1::TrainingLedger ledger, store_.GetLedger(t->id()));
  return PublicView(*t, ledger);
}

absl::StatusOr<v1::Calendar> Trainings::ExportPublicCalendar() const {
  ASSIGN_OR_RETURN(v1::ListPublicEventsResponse listed, ListPublicEvents({}));
  // What the calendar shows residents: no lecturer, no online URL, no materials.
  std::vector<v1::Training> trainings;
  trainings.reserve(listed.events_size());
  for (const auto& e : listed.events()) {
    ASSIGN_OR_RETURN(v1::Training t, store_.GetTraining(e.id()));
    t.clear_materials();
    for (auto& s : *t.mutable_sessions()) {
      s.clear_lecturers();
      s.clear_online_url();
    }
    trainings.push_back(std::move(t));
  }
  std::vector<CalendarEntry> entries;
  for (const auto& t : trainings) {
    for (const auto& s : t.sessions()) entries.push_back({&t, &s, "", false});
  }
  v1::Calendar out;
  out.set_content_type("text/calendar; charset=utf-8");
  out.set_file_name("events-" + options_.jurisdiction_code + ".ics");
  out.set_content(RenderCalendar(options_.jurisdiction_name + " 住民向けイベント", entries,
                                 clock_->NowMicros()));
  out.set_event_count(static_cast<int>(entries.size()));
  return out;
}

bool Trainings::QueueResidentMail(const v1::Training& t, const v1::Registration& reg,
                                  std::string_view kind, common::CommandBatch* cmd) const {
  if (options_.mail == nullptr || !options_.mail->enabled() ||
      !common::LooksLikeEmail(reg.participant_contact())) {
    return false;
  }
  std::string headline, subject;
  if (kind == "confirmed") {
    subject = "お申し込みを受け付けました";
    headline = "お申し込みを受け付けました。当日お待ちしています。";
  } else if (kind == "waitlisted") {
    subject = "キャンセル待ちで受け付けました";
    headline = "定員に達しているため、キャンセル待ち (" + std::to_string(reg.waitlist_position()) +
               " 番目) で受け付けました。参加できることになったら、メールでお知らせします。";
  } else if (kind == "promoted") {
    subject = "参加が確定しました";
    headline = "キャンセルが出たため、キャンセル待ちから参加が確定しました。当日お待ちしています。";
  } else {
    subject = "お申し込みを取り消しました";
    headline = "お申し込みを取り消しました。またのご参加をお待ちしています。";
  }
  common::MailMessage m;
  m.to = reg.participant_contact();
  m.subject = "【" + options_.jurisdiction_name + "】" + t.title() + " " + subject;
  m.body = reg.participant_name() + " 様\n\n" + headline + "\n\n" + t.title() + "\n";
  for (const auto& s : t.sessions()) {
    if (std::find(reg.session_ids().begin(), reg.session_ids().end(), s.id()) !=
        reg.session_ids().end()) {
      m.body += "  " + SessionLine(s) + "\n";
    }
  }
  m.body += "  人数: " + std::to_string(SeatsOf(reg)) + " 名\n";
  if (kind != "cancelled") {
    m.body += "\n参加できなくなったときは、次のリンクから取り消してください。\n" +
              CancellationLink(reg) + "\n";
  }
  m.body += "\nお名前とご連絡先は、イベントの終了後 " +
            std::to_string(options_.resident_retention_days) + " 日で消去します。\n" + "--\n" +
            options_.jurisdiction_name + "\n";
  return options_.mail->Enqueue(
      cmd, reg.id() + "/" + std::string(kind) + "/" + std::to_string(reg.version()), m,
      "registration_" + std::string(kind));
}

absl::Status Trainings::CheckPartyFits(
    const v1::Training& t, const google::protobuf::RepeatedPtrField<std::string>& sessions,
    int seats, std::string_view field) const {
  for (const auto& id : sessions) {
    const v1::Session* s = FindSession(t, id);
    if (s != nullptr && seats > s->capacity()) {
      return common::InvalidField(field, "定員 (" + std::to_string(s->capacity()) +
                                             " 名) を超える人数です / more than the capacity");
    }
  }
  return absl::OkStatus();
}

v1::PublicRegistration Trainings::Receipt(const v1::Training& t, const v1::TrainingLedger& ledger,
                                          const v1::Registration& reg, bool with_token) const {
  v1::PublicRegistration out;
  out.set_registration_id(reg.id());
  out.set_status(reg.status());
  out.set_waitlist_position(
      reg.status() == v1::REGISTRATION_STATUS_WAITLISTED ? WaitlistPosition(ledger, reg.id()) : 0);
  out.set_party_size(SeatsOf(reg));
  *out.mutable_session_ids() = reg.session_ids();
  *out.mutable_event() = PublicView(t, ledger);
  if (with_token) out.set_token(links_->Token(reg.id(), 0, kCancelPurpose));
  switch (reg.status()) {
    case v1::REGISTRATION_STATUS_CONFIRMED:
      out.set_message("参加が確定しています。");
      break;
    case v1::REGISTRATION_STATUS_WAITLISTED:
      out.set_message("キャンセル待ち " + std::to_string(out.waitlist_position()) +
                      " 番目です。参加できることになったらお知らせします。");
      break;
    case v1::REGISTRATION_STATUS_CANCELLED:
      out.set_message("このお申し込みは取り消されています。");
      break;
    default:
      break;
  }
  return out;
}

absl::StatusOr<v1::PublicRegistration> Trainings::RegisterForPublicEvent(
    const v1::RegisterForPublicEventRequest& r) {
  FieldViolations v;
  if (!common::IsWellFormedId("trn", r.training_id())) {
    v.Add("training_id", "IDの形式が不正です (trn_ + 26文字) / malformed id");
  }
  v.CheckText("name", r.name(), {.required = true, .max_chars = 100});
  const std::string contact(common::TrimSpaces(r.contact()));
  v.CheckText("contact", contact, {.required = true, .max_chars = 200});
  if (!contact.empty() && contact.size() <= 200 && !common::LooksLikeEmail(contact) &&
      !common::LooksLikePhone(contact)) {
    v.Add("contact", "メールアドレスか電話番号を入力してください (例: inagi@example.jp)");
  }
  if (r.party_size() < 0 || r.party_size() > kMaxPartySize) {
    v.Add("party_size", "人数は 1〜10 名です");
  }
  v.CheckCount("session_ids", r.session_ids_size(), kMaxSessions);
  RETURN_IF_ERROR(v.ToStatus());

  auto guard = locks_.Lock(r.training_id());
  ASSIGN_OR_RETURN(std::optional<v1::Training> found, store_.trainings().Find(r.training_id()));
  if (!found || !found->public_event() || !OrganizedHere(*found)) {
    return common::NotFoundError("renkei.v1.PublicEvent", r.training_id(), kNoSuchEvent);
  }
  const v1::Training& t = *found;
  if (t.status() == v1::TRAINING_STATUS_CANCELLED) {
    return common::NotAllowedNow("training_id", "このイベントは中止になりました");
  }
  const int64_t now = clock_->NowMicros();
  if (now >= ClosesAt(t)) return common::NotAllowedNow("training_id", "申込は締め切りました");
  ASSIGN_OR_RETURN(auto sessions, ResolveSessions(t, r.session_ids(), "session_ids"));
  RETURN_IF_ERROR(CheckPartyFits(t, sessions, std::max(1, r.party_size()), "party_size"));
  ASSIGN_OR_RETURN(v1::TrainingLedger ledger, store_.GetLedger(t.id()));
  v1::Registration reg;
  reg.set_id(common::NewId("reg", *clock_));
  reg.set_training_id(t.id());
  reg.set_participant_id("resident-" + reg.id());
  reg.set_participant_name(std::string(common::TrimSpaces(r.name())));
  reg.set_participant_contact(contact);
  reg.set_municipality_code(t.organizer_code());
  reg.set_role(v1::AUDIENCE_ROLE_RESIDENTS);
  reg.set_party_size(std::max(1, r.party_size()));
  reg.set_public_registration(true);
  common::CommandBatch cmd(raw_store_, outbox_);
  reg = StageNewRegistration(t, &ledger, std::move(reg), sessions, now, &cmd);
  reg.set_waitlist_position(WaitlistPosition(ledger, reg.id()));
  const bool mailed = QueueResidentMail(
      t, reg, reg.status() == v1::REGISTRATION_STATUS_CONFIRMED ? "confirmed" : "waitlisted", &cmd);
  v1::PublicRegistration out = Receipt(t, ledger, reg, true);
  out.set_mail_queued(mailed);
  cmd.SetAnswer(out);
  RETURN_IF_ERROR(cmd.Commit());
  return out;
}

absl::StatusOr<std::pair<v1::Registration, v1::Training>> Trainings::RegistrationOfToken(
    const std::string& token) const {
  const std::optional<std::string> id = common::LinkSigner::IdOf(token, "reg");
  if (!id) return common::InvalidField("token", kBadLink);
  ASSIGN_OR_RETURN(std::optional<v1::Registration> reg, store_.FindRegistration(*id));
  if (!reg || !reg->public_registration() ||
      !links_->Matches(token, reg->id(), 0, kCancelPurpose)) {
    return absl::UnauthenticatedError(std::string(kBadLink));
  }
  ASSIGN_OR_RETURN(v1::Training t, store_.GetTraining(reg->training_id()));
  return std::make_pair(std::move(*reg), std::move(t));
}

absl::StatusOr<v1::PublicRegistration> Trainings::GetPublicRegistration(
    const v1::GetPublicRegistrationRequest& r) const {
  ASSIGN_OR_RETURN(auto found, RegistrationOfToken(r.token()));
  ASSIGN_OR_RETURN(v1::TrainingLedger ledger, store_.GetLedger(found.second.id()));
  return Receipt(found.second, ledger, found.first, true);
}

absl::StatusOr<v1::PublicRegistration> Trainings::CancelPublicRegistration(
    const v1::PublicRegistrationTokenRequest& r) {
  ASSIGN_OR_RETURN(auto first, RegistrationOfToken(r.token()));
  auto guard = locks_.Lock(first.second.id());
  ASSIGN_OR_RETURN(auto found, RegistrationOfToken(r.token()));
  v1::Registration& reg = found.first;
  const v1::Training& t = found.second;
  ASSIGN_OR_RETURN(v1::TrainingLedger ledger, store_.GetLedger(t.id()));
  if (reg.status() == v1::REGISTRATION_STATUS_CANCELLED) return Receipt(t, ledger, reg, false);
  if (clock_->NowMicros() >= FirstStart(t)) {
    return common::NotAllowedNow("token",
                                 "イベントが始まったため、ここからは取り消せません。"
                                 "主催者にご連絡ください");
  }
  common::CommandBatch cmd(raw_store_, outbox_);
  RETURN_IF_ERROR(StageCancel(t, &ledger, &reg, &cmd));
  QueueResidentMail(t, reg, "cancelled", &cmd);
  v1::PublicRegistration out = Receipt(t, ledger, reg, false);
  cmd.SetAnswer(out);
  RETURN_IF_ERROR(cmd.Commit());
  return out;
}

absl::StatusOr<v1::AwarenessReceipt> Trainings::SubmitAwarenessAnswers(
    const v1::SubmitAwarenessAnswersRequest& r) {
  FieldViolations v;
  if (!common::IsWellFormedId("trn", r.training_id())) {
    v.Add("training_id", "IDの形式が不正です (trn_ + 26文字) / malformed id");
  }
  v.CheckEnum("phase", r.phase(), v1::AwarenessPhase_IsValid, false);
  if (r.answers().empty()) v.Add("answers", "1 問以上答えてください");
  v.CheckCount("answers", r.answers_size(), kMaxAwarenessItems);
  for (int i = 0; i < r.answers_size() && i < kMaxAwarenessItems; ++i) {
    if (r.answers(i).likert() < 1 || r.answers(i).likert() > 5) {
      v.Add("answers[" + std::to_string(i) + "].likert", "1〜5 から選んでください");
    }
  }
  RETURN_IF_ERROR(v.ToStatus());
  auto guard = locks_.Lock(r.training_id());
  ASSIGN_OR_RETURN(std::optional<v1::Training> t, store_.trainings().Find(r.training_id()));
  if (!t || !OrganizedHere(*t) || !t->public_event() || t->awareness_items().empty()) {
    return common::NotFoundError(
        "renkei.v1.PublicEvent", r.training_id(),
        "アンケートのあるイベントが見つかりません / no such questionnaire");
  }
  std::set<std::string> seen;
  for (int i = 0; i < r.answers_size(); ++i) {
    const std::string& item = r.answers(i).item_id();
    const bool known = std::any_of(t->awareness_items().begin(), t->awareness_items().end(),
                                   [&](const v1::AwarenessItem& a) { return a.id() == item; });
    const std::string field = "answers[" + std::to_string(i) + "].item_id";
    if (!known) return common::InvalidField(field, "この調査にない質問です / unknown item");
    if (!seen.insert(item).second) return common::InvalidField(field, "重複しています / duplicate");
  }
  // More sheets than twice the seats (and a margin for walk-ins) is not an audience answering.
  int seats = 0;
  for (const auto& s : t->sessions()) seats += s.capacity();
  int sheets = 0;
  RETURN_IF_ERROR(store_.awareness().ForEach(
      t->id() + "/", [&](std::string_view, const v1::SubmitAwarenessAnswersRequest& sheet) {
        if (sheet.phase() == r.phase()) ++sheets;
        return true;
      }));
  if (sheets >= 2 * seats + 20) {
    return absl::ResourceExhaustedError("このアンケートの回答数が上限に達しました");
  }
  v1::SubmitAwarenessAnswersRequest sheet;
  sheet.set_training_id(t->id());
  sheet.set_phase(r.phase());
  *sheet.mutable_answers() = r.answers();
  common::CommandBatch cmd(raw_store_, outbox_);
  store_.awareness().Put(&cmd.batch(), t->id() + "/" + common::NewId("aws", *clock_), sheet);
  auto e = NewEvent(*t, "training", t->id(), t->version());
  auto* p = e.mutable_awareness_answered();
  p->set_training_id(t->id());
  p->set_organizer_code(t->organizer_code());
  p->set_phase(r.phase());
  *p->mutable_answers() = r.answers();
  for (const auto& a : r.answers()) {
    for (const auto& item : t->awareness_items()) {
      if (item.id() == a.item_id()) p->add_statements(item.statement());
    }
  }
  cmd.AddEvent(e);
  v1::AwarenessReceipt out;
  out.set_training_id(t->id());
  out.set_phase(r.phase());
  out.set_answers(r.answers_size());
  cmd.SetAnswer(out);
  RETURN_IF_ERROR(cmd.Commit());
  return out;
}

absl::StatusOr<v1::AwarenessResults> Trainings::GetAwarenessResults(
    const v1::GetAwarenessResultsRequest& r) const {
  RETURN_IF_ERROR(CheckId("trn", r.training_id(), "training_id"));
  ASSIGN_OR_RETURN(v1::Training t, store_.GetTraining(r.training_id()));
  std::map<std::string, std::vector<int>> before, after;
  v1::AwarenessResults out;
  out.set_training_id(t.id());
  RETURN_IF_ERROR(store_.awareness().ForEach(
      t.id() + "/", [&](std::string_view, const v1::SubmitAwarenessAnswersRequest& sheet) {
        const bool is_before = sheet.phase() == v1::AWARENESS_PHASE_BEFORE;
        if (is_before) {
          out.set_before_sheets(out.before_sheets() + 1);
        } else {
          out.set_after_sheets(out.after_sheets() + 1);
        }
        for (const auto& a : sheet.answers()) {
          if (a.likert() >= 1 && a.likert() <= 5) {
            (is_before ? before : after)[a.item_id()].push_back(a.likert());
          }
        }
        return true;
      }));
  for (const auto& item : t.awareness_items()) {
    auto* x = out.add_items();
    x->set_item_id(item.id());
    x->set_statement(item.statement());
    *x->mutable_before() = Summarize(before[item.id()]);
    *x->mutable_after() = Summarize(after[item.id()]);
    for (auto* s : {x->mutable_before(), x->mutable_after()}) {
      s->set_item_id(item.id());
      s->set_question(item.statement());
    }
    x->set_before_agree(AgreeShare(x->before()));
    x->set_after_agree(AgreeShare(x->after()));
    x->set_change(x->after_agree() - x->before_agree());
  }
  for (const auto& s : t.sessions()) {
    if (s.held()) out.set_sessions_held(out.sessions_held() + 1);
  }
  ASSIGN_OR_RETURN(auto ids, store_.RegistrationIdsOf(t.id()));
  ASSIGN_OR_RETURN(auto regs, store_.GetRegistrations(ids));
  for (const auto& reg : regs) {
    if (Attended(reg)) out.set_participants(out.participants() + SeatsOf(reg));
  }
  return out;
}

absl::StatusOr<int> Trainings::EraseResidentData() {
  const int64_t cutoff = clock_->NowMicros() - options_.resident_retention_days * kDayMicros;
  // Every training organized here that ended long enough ago, public event or not now: a
  // resident's registration is erased by what it is, whatever became of the training's flag.
  std::vector<std::string> ended;
  RETURN_IF_ERROR(store_.ForEachTraining([&](const v1::Training& t) {
    if (OrganizedHere(t) && LastEnd(t) < cutoff) ended.push_back(t.id());
    return true;
  }));
  int erased = 0;
  for (const auto& id : ended) {
    auto guard = locks_.Lock(id);
    ASSIGN_OR_RETURN(auto ids, store_.RegistrationIdsOf(id));
    ASSIGN_OR_RETURN(auto regs, store_.GetRegistrations(ids));
    common::CommandBatch cmd(raw_store_, outbox_);
    int here = 0;
    for (auto& reg : regs) {
      const bool resident = reg.public_registration() ||
                            reg.role() == v1::AUDIENCE_ROLE_RESIDENTS ||
                            reg.role() == v1::AUDIENCE_ROLE_PERSON_AND_FAMILY;
      if (!resident || reg.personal_erased()) continue;
      reg.clear_participant_name();
      reg.clear_participant_contact();
      reg.set_personal_erased(true);
      store_.PutRegistration(&cmd.batch(), reg);
      ++here;
    }
    if (here == 0) continue;
    RETURN_IF_ERROR(cmd.Commit());
    erased += here;
  }
  if (erased > 0) {
    common::LogLine(common::LogLevel::kInfo, "residents' personal data erased")
        .Field("registrations", static_cast<int64_t>(erased));
  }
  return erased;
}

}  // namespace renkei::training
