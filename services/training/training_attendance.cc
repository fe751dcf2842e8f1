// Trainings: attendance and surveys.
#include <algorithm>
#include <cctype>

#include "ical.h"
#include "renkei/common/dates.h"
#include "renkei/common/errors.h"
#include "renkei/common/ids.h"
#include "renkei/common/jurisdiction.h"
#include "renkei/common/status_macros.h"
#include "renkei/common/table.h"
#include "renkei/common/text.h"
#include "renkei/common/validation.h"
#include "training.h"
#include "training_parts.h"

namespace renkei::training {

// --- attendance and surveys -----------------------------------------------------------------

absl::StatusOr<v1::RecordAttendanceResponse> Trainings::RecordAttendance(
    const v1::RecordAttendanceRequest& r) {
  FieldViolations v;
  if (!common::IsWellFormedId("trn", r.training_id()))
    v.Add("training_id", "IDの形式が不正です (trn_ + 26文字) / malformed id");
  if (!common::IsWellFormedId("ses", r.session_id()))
    v.Add("session_id", "IDの形式が不正です (ses_ + 26文字) / malformed id");
  if (r.entries().empty()) v.Add("entries", "1件以上指定してください / at least one entry");
  v.CheckCount("entries", r.entries_size(), kMaxCapacity);
  for (int i = 0; i < r.entries_size() && i < kMaxCapacity; ++i) {
    if (!common::IsWellFormedId("reg", r.entries(i).registration_id())) {
      v.Add("entries[" + std::to_string(i) + "].registration_id",
            "IDの形式が不正です (reg_ + 26文字) / malformed id");
    }
  }
  RETURN_IF_ERROR(v.ToStatus());
  auto guard = locks_.Lock(r.training_id());
  ASSIGN_OR_RETURN(v1::Training t, store_.GetTraining(r.training_id()));
  const v1::Session* session = FindSession(t, r.session_id());
  if (session == nullptr) {
    return common::NotFoundError("renkei.v1.Session", r.session_id(),
                                 "回が見つかりません / no such session");
  }
  if (t.status() == v1::TRAINING_STATUS_CANCELLED) {
    return common::NotAllowedNow("training_id", "中止された研修です / the training is cancelled");
  }
  if (session->cancelled()) {
    return common::NotAllowedNow("session_id", "中止された回です / the session is cancelled");
  }
  std::vector<std::string> ids;
  for (const auto& entry : r.entries()) ids.push_back(entry.registration_id());
  std::vector<v1::Registration> regs;
  {
    auto loaded = store_.GetRegistrations(ids);
    if (!loaded.ok() && !absl::IsNotFound(loaded.status())) return loaded.status();
    for (size_t i = 0; i < ids.size(); ++i) {
      const std::string field = "entries[" + std::to_string(i) + "].registration_id";
      if (!loaded.ok()) {
        auto one = store_.GetRegistration(ids[i]);
        if (!one.ok())
          return common::InvalidField(field, "申込が見つかりません / no such registration");
        regs.push_back(*one);
      } else {
        regs.push_back((*loaded)[i]);
      }
      const auto& reg = regs.back();
      if (reg.training_id() != t.id())
        return common::InvalidField(field, "この研修の申込ではありません / another training's");
      if (reg.status() != v1::REGISTRATION_STATUS_CONFIRMED)
        return common::InvalidField(field, "参加確定ではありません / not confirmed");
      if (std::find(reg.session_ids().begin(), reg.session_ids().end(), session->id()) ==
          reg.session_ids().end()) {
        return common::InvalidField(field,
                                    "この回の申込ではありません / does not take this session");
      }
      for (size_t j = 0; j < i; ++j) {
        if (ids[j] == ids[i]) return common::InvalidField(field, "重複しています / duplicate");
      }
    }
  }
  common::CommandBatch cmd(raw_store_, outbox_);
  for (size_t i = 0; i < regs.size(); ++i) {
    auto& reg = regs[i];
    const bool attended = r.entries(static_cast<int>(i)).attended();  // regs[i] is entries(i)'s
    bool found = false, was_attended = false;
    for (auto& a : *reg.mutable_attendance()) {
      if (a.session_id() == session->id()) {
        was_attended = a.attended();
        a.set_attended(attended);
        found = true;
      }
    }
    if (!found) {
      auto* a = reg.add_attendance();
      a->set_session_id(session->id());
      a->set_attended(attended);
    }
    reg.set_version(reg.version() + 1);
    store_.PutRegistration(&cmd.batch(), reg);
    auto e = NewEvent(t, "registration", reg.id(), reg.version());
    auto* p = e.mutable_attendance_recorded();
    p->set_registration_id(reg.id());
    p->set_training_id(t.id());
    p->set_session_id(session->id());
    p->set_municipality_code(reg.municipality_code());
    p->set_role(reg.role());
    p->set_attended(attended);
    p->set_party_size(SeatsOf(reg));
    p->set_public_event(t.public_event());
    p->set_previously_recorded(found);
    p->set_previously_attended(was_attended);
    cmd.AddEvent(e);
  }
  // The session's attendance once this batch is in: the stored registrations (unchanged under
  // the training's lock) with this call's changes.
  v1::TrainingLedger ledger;
  ASSIGN_OR_RETURN(auto all, RegistrationsOfTraining(t.id(), &ledger));
  std::map<std::string, const v1::Registration*> changed;
  for (const auto& reg : regs) changed[reg.id()] = &reg;
  v1::RecordAttendanceResponse out;
  out.set_recorded(static_cast<int32_t>(regs.size()));
  int attended = 0;
  for (const auto& stored : all) {
    auto it = changed.find(stored.id());
    const v1::Registration& reg = it == changed.end() ? stored : *it->second;
    for (const auto& a : reg.attendance()) {
      if (a.session_id() == session->id() && a.attended()) ++attended;
    }
  }
  out.set_attended(attended);
  if (!session->held()) {
    // The first attendance recorded for the session: it was held.
    auto e = NewEvent(t, "training", t.id(), t.version());
    auto* held = e.mutable_session_held();
    held->set_training_id(t.id());
    held->set_session_id(session->id());
    held->set_organizer_code(t.organizer_code());
    held->set_public_event(t.public_event());
    *held->mutable_theme_tags() = t.theme_tags();
    cmd.AddEvent(e);
    v1::Training marked = t;
    for (auto& s : *marked.mutable_sessions()) {
      if (s.id() == session->id()) s.set_held(true);
    }
    StageTraining(marked, ledger, &cmd);
  }
  cmd.SetAnswer(out);
  RETURN_IF_ERROR(cmd.Commit());
  return out;
}

absl::StatusOr<v1::SurveyResponse> Trainings::SubmitSurvey(const v1::SubmitSurveyRequest& r) {
  RETURN_IF_ERROR(CheckId("reg", r.registration_id(), "registration_id"));
  FieldViolations v;
  v.CheckCount("answers", r.answers_size(), kMaxSurveyItems);
  RETURN_IF_ERROR(v.ToStatus());
  ASSIGN_OR_RETURN(v1::Registration first, store_.GetRegistration(r.registration_id()));
  auto guard = locks_.Lock(first.training_id());
  ASSIGN_OR_RETURN(v1::Registration reg, store_.GetRegistration(r.registration_id()));
  ASSIGN_OR_RETURN(v1::Training t, store_.GetTraining(reg.training_id()));
  if (reg.status() != v1::REGISTRATION_STATUS_CONFIRMED || !Attended(reg)) {
    return common::InvalidField("registration_id",
                                "出席の記録がない申込です / no attendance recorded");
  }
  if (reg.survey_submitted()) {
    return absl::AlreadyExistsError("アンケートは提出済みです / survey already submitted");
  }
  std::vector<const v1::SurveyItem*> items;
  for (int i = 0; i < r.answers_size(); ++i) {
    const auto& a = r.answers(i);
    const std::string p = "answers[" + std::to_string(i) + "]";
    auto it = std::find_if(t.survey_items().begin(), t.survey_items().end(),
                           [&](const v1::SurveyItem& item) { return item.id() == a.item_id(); });
    if (it == t.survey_items().end()) {
      v.Add(p + ".item_id", "この研修のアンケートにない項目です / unknown item");
      items.push_back(nullptr);
      continue;
    }
    items.push_back(&*it);
    for (int j = 0; j < i; ++j) {
      if (r.answers(j).item_id() == a.item_id())
        v.Add(p + ".item_id", "重複しています / duplicate");
    }
    if (it->kind() == v1::SURVEY_ITEM_KIND_LIKERT) {
      if (a.likert() < 1 || a.likert() > 5) v.Add(p + ".likert", "1〜5 で答えてください / 1..5");
      if (!a.text().empty()) v.Add(p + ".text", "選択式の項目です / a Likert item");
    } else {
      if (a.likert() != 0) v.Add(p + ".likert", "自由記述の項目です / a free-text item");
      v.CheckText(p + ".text", a.text(), {.max_chars = 2000, .single_line = false});
    }
  }
  for (const auto& item : t.survey_items()) {
    if (!item.required()) continue;
    const bool answered =
        std::any_of(r.answers().begin(), r.answers().end(), [&](const v1::SurveyAnswer& a) {
          return a.item_id() == item.id() && (a.likert() != 0 || !a.text().empty());
        });
    if (!answered)
      v.Add("answers", "必須項目 " + item.id() + " が未回答です / required item missing");
  }
  RETURN_IF_ERROR(v.ToStatus());

  v1::SurveyResponse survey;
  survey.set_registration_id(reg.id());
  survey.set_training_id(t.id());
  survey.set_municipality_code(reg.municipality_code());
  survey.set_role(reg.role());
  *survey.mutable_answers() = r.answers();
  *survey.mutable_submitted_at() = clock_->NowTimestamp();
  ASSIGN_OR_RETURN(v1::TrainingLedger ledger, store_.GetLedger(t.id()));
  ledger.set_surveys(ledger.surveys() + 1);
  reg.set_survey_submitted(true);
  reg.set_version(reg.version() + 1);
  common::CommandBatch cmd(raw_store_, outbox_);
  store_.PutSurvey(&cmd.batch(), survey);
  store_.PutRegistration(&cmd.batch(), reg);
  store_.PutLedger(&cmd.batch(), ledger);
  auto e = NewEvent(t, "registration", reg.id(), reg.version());
  auto* p = e.mutable_survey_submitted();
  p->set_registration_id(reg.id());
  p->set_training_id(t.id());
  p->set_municipality_code(reg.municipality_code());
  p->set_role(reg.role());
  for (size_t i = 0; i < items.size(); ++i) {
    if (items[i]->kind() != v1::SURVEY_ITEM_KIND_LIKERT) continue;  // free text stays here
    auto* a = p->add_answers();
    a->set_item_id(r.answers(static_cast<int>(i)).item_id());
    a->set_likert(r.answers(static_cast<int>(i)).likert());
    p->add_skill_codes(items[i]->skill_code());
  }
  cmd.AddEvent(e);
  cmd.SetAnswer(survey);
  RETURN_IF_ERROR(cmd.Commit());
  return survey;
}

absl::StatusOr<v1::SurveyResults> Trainings::GetSurveyResults(
    const v1::GetSurveyResultsRequest& r) const {
  RETURN_IF_ERROR(CheckId("trn", r.training_id(), "training_id"));
  ASSIGN_OR_RETURN(v1::Training t, store_.GetTraining(r.training_id()));
  v1::TrainingLedger ledger;
  ASSIGN_OR_RETURN(auto regs, RegistrationsOfTraining(t.id(), &ledger));

  struct Tally {
    int registered = 0, attended = 0, responses = 0;
    std::map<std::string, std::array<int, 5>> counts;  // item -> distribution
  };
  Tally overall;
  std::map<std::string, Tally> by_muni;
  v1::SurveyResults out;
  out.set_training_id(t.id());
  for (const auto& reg : regs) {
    if (reg.status() != v1::REGISTRATION_STATUS_CONFIRMED) continue;
    Tally& m = by_muni[reg.municipality_code()];
    ++overall.registered;
    ++m.registered;
    if (Attended(reg)) {
      ++overall.attended;
      ++m.attended;
    }
    if (!reg.survey_submitted()) continue;
    ASSIGN_OR_RETURN(auto survey, store_.GetSurvey(reg.id()));
    if (!survey) continue;
    ++overall.responses;
    ++m.responses;
    for (const auto& a : survey->answers()) {
      if (a.likert() >= 1 && a.likert() <= 5) {
        overall.counts[a.item_id()][a.likert() - 1]++;
        m.counts[a.item_id()][a.likert() - 1]++;
      } else if (r.include_free_text() && !a.text().empty()) {
        out.add_free_text(a.text());
      }
    }
  }
  auto fill = [&](const Tally& tally, const std::string& code, v1::SurveyGroupResults* g) {
    g->set_municipality_code(code);
    g->set_registered(tally.registered);
    g->set_attended(tally.attended);
    g->set_responses(tally.responses);
    for (const auto& item : t.survey_items()) {
      if (item.kind() != v1::SURVEY_ITEM_KIND_LIKERT) continue;
      auto* s = g->add_items();
      s->set_item_id(item.id());
      s->set_question(item.question());
      s->set_skill_code(item.skill_code());
      auto it = tally.counts.find(item.id());
      int n = 0, sum = 0;
      for (int k = 0; k < 5; ++k) {
        const int c = it == tally.counts.end() ? 0 : it->second[k];
        s->add_distribution(c);
        n += c;
        sum += c * (k + 1);
      }
      s->set_responses(n);
      s->set_mean(n ? static_cast<double>(sum) / n : 0);
    }
  };
  fill(overall, "", out.mutable_overall());
  for (const auto& [code, tally] : by_muni) fill(tally, code, out.add_by_municipality());
  return out;
}

}  // namespace renkei::training
