#include "intake.h"

#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/escaping.h"
#include "digest.h"
#include "intake_parts.h"
#include "intake_rules.h"
#include "renkei/common/dates.h"
#include "renkei/common/errors.h"
#include "renkei/common/ids.h"
#include "renkei/common/jurisdiction.h"
#include "renkei/common/labels.h"
#include "renkei/common/status_macros.h"
#include "renkei/common/table.h"
#include "renkei/common/text.h"

namespace renkei::intake {

Intake::Intake(common::Store* store, common::Outbox* outbox, const common::RecordSealer* sealer,
               common::EventSource events, const common::CapabilityVocabulary* vocabulary,
               ResourceFinder* finder, IntakeOptions options, const common::Clock* clock)
    : vocabulary_(vocabulary),
      finder_(finder),
      options_(std::move(options)),
      clock_(clock),
      events_(std::move(events)),
      store_(store, outbox, sealer) {
  events_.clock = clock;
}

v1::Date Intake::Today() const { return common::TokyoDate(clock_->NowMicros()); }

v1::EventEnvelope Intake::NewEvent(const v1::Consultation& c) const {
  return common::NewEvent(events_, "consultation", c.id(), c.version(), v1::SHARE_LEVEL_PREFECTURE,
                          c.municipality_code());
}

absl::Status Intake::ResolveInstitution(v1::Requester* requester) const {
  requester->clear_institution_name();
  requester->clear_institution_municipality_code();
  if (requester->institution_resource_id().empty()) return absl::OkStatus();
  absl::StatusOr<v1::Resource> institution = finder_->Get(requester->institution_resource_id());
  if (absl::IsNotFound(institution.status())) {
    return common::InvalidField("requester.institution_resource_id",
                                "名簿にない機関です / no such resource in the directory");
  }
  RETURN_IF_ERROR(institution.status());
  requester->set_institution_name(institution->name());
  requester->set_institution_municipality_code(institution->municipality_code());
  return absl::OkStatus();
}

v1::EventEnvelope Intake::SeedRaised(const v1::Consultation& c, const v1::IssueSeed& seed) const {
  auto e = NewEvent(c);
  auto* p = e.mutable_issue_seed_raised();
  p->set_seed_id(seed.id());
  p->set_consultation_id(c.id());
  p->set_municipality_code(seed.municipality_code());
  *p->mutable_tags() = seed.tags();
  p->set_capability(seed.capability());
  p->set_automatic(seed.automatic());
  p->set_requester_municipality_code(c.requester().institution_municipality_code());
  return e;
}

void Intake::SetStatus(v1::Consultation* c, v1::ConsultationStatus to, const std::string& reason,
                       Events* events) const {
  auto* h = c->add_history();
  h->set_from(c->status());
  h->set_to(to);
  *h->mutable_at() = clock_->NowTimestamp();
  h->set_reason(reason);
  c->set_status(to);
  if (!IsOpen(to)) {
    auto e = NewEvent(*c);
    auto* p = e.mutable_consultation_closed();
    p->set_consultation_id(c->id());
    p->set_status(to);
    p->set_source_type(c->source_type());
    p->set_needs(c->needs_size());
    p->set_referrals(c->referrals_size());
    p->set_days_open(common::DaysBetween(
        common::TokyoDate(common::MicrosFromTimestamp(c->received_at())), Today()));
    events->push_back(std::move(e));
  }
}

v1::Need Intake::MakeNeed(const v1::NewNeed& n, const std::string& consultation_id, Events* events,
                          const v1::Consultation& c) const {
  v1::Need need;
  need.set_id(common::NewId("need", *clock_));
  need.set_capability(n.capability());
  *need.mutable_also_requires() = n.also_requires();
  need.set_kind(n.kind());
  need.set_area_preference(n.area_preference());
  need.set_note(std::string(common::TrimSpaces(n.note())));
  need.set_advice(n.advice());
  auto e = NewEvent(c);
  auto* p = e.mutable_need_recorded();
  p->set_consultation_id(consultation_id);
  p->set_need_id(need.id());
  p->set_capability(need.capability());
  *p->mutable_also_requires() = need.also_requires();
  p->set_kind(need.kind());
  p->set_area_preference(need.area_preference());
  p->set_advice(need.advice());
  events->push_back(std::move(e));
  return need;
}

absl::StatusOr<v1::Consultation> Intake::Create(const v1::CreateConsultationRequest& r) {
  FieldViolations v;
  const v1::Date today = Today();
  ValidateCreate(r, *vocabulary_, today, &v);
  const int64_t now = clock_->NowMicros();
  int64_t received = now;
  if (r.has_received_at()) {
    received = common::MicrosFromTimestamp(r.received_at());
    if (received > now + kClockSkewMicros) v.Add("received_at", "未来の日時です / in the future");
    if (received < common::TokyoStartOfDay(common::DateFromNumber(20000101))) {
      v.Add("received_at", "2000年より前です / before 2000");
    }
  }
  RETURN_IF_ERROR(v.ToStatus());
  for (int i = 0; i < r.needs_size(); ++i) {
    RETURN_IF_ERROR(CheckAdviceMatchable(r.needs(i), "needs[" + std::to_string(i) + "]"));
  }
  v1::Requester requester = r.requester();
  RETURN_IF_ERROR(ResolveInstitution(&requester));

  v1::Consultation c;
  c.set_id(common::NewId("con", *clock_));
  c.set_municipality_code(options_.municipality_code);
  *c.mutable_received_at() = common::TimestampFromMicros(received);
  c.set_channel(r.channel());
  c.set_source_type(r.source_type());
  *c.mutable_requester() = std::move(requester);
  *c.mutable_person() = r.person();
  c.set_age_band(AgeBandOf(r.person().birth_date(), common::TokyoDate(received)));
  c.set_narrative(r.narrative());
  c.set_status(v1::CONSULTATION_STATUS_RECEIVED);
  c.set_version(1);
  *c.mutable_updated_at() = clock_->NowTimestamp();
  auto* h = c.add_history();
  h->set_to(v1::CONSULTATION_STATUS_RECEIVED);
  *h->mutable_at() = c.updated_at();

  Events events;
  auto received_event = NewEvent(c);
  auto* p = received_event.mutable_consultation_received();
  p->set_consultation_id(c.id());
  p->set_municipality_code(c.municipality_code());
  *p->mutable_received_at() = c.received_at();
  p->set_channel(c.channel());
  p->set_source_type(c.source_type());
  p->set_age_band(c.age_band());
  p->set_care_level(c.person().care_level());
  *p->mutable_conditions() = c.person().conditions();
  p->set_requester_municipality_code(c.requester().institution_municipality_code());
  events.push_back(std::move(received_event));
  for (const auto& n : r.needs()) *c.add_needs() = MakeNeed(n, c.id(), &events, c);

  auto guard = locks_.Lock(c.id());
  RETURN_IF_ERROR(store_.Commit(std::nullopt, c, events));
  return c;
}

absl::StatusOr<v1::Consultation> Intake::Get(const std::string& id) const {
  RETURN_IF_ERROR(CheckId("con", id, "id"));
  return store_.Get(id);
}

absl::StatusOr<v1::Consultation> Intake::Mutate(
    const std::string& id, int64_t expected_version, bool allow_closed,
    const std::function<absl::Status(v1::Consultation*, Events*)>& change,
    const std::function<std::unique_ptr<google::protobuf::Message>(const v1::Consultation&)>&
        answer_of) {
  RETURN_IF_ERROR(CheckId("con", id, "id"));
  RETURN_IF_ERROR(common::CheckExpectedVersion(expected_version));
  auto guard = locks_.Lock(id);
  ASSIGN_OR_RETURN(v1::Consultation previous,
                   common::LoadForChange(
                       store_.consultations(), id, expected_version,
                       {.id_field = "id", .state = [allow_closed](const v1::Consultation& c) {
                          return allow_closed || IsOpen(c.status())
                                     ? absl::OkStatus()
                                     : common::NotAllowedNow(
                                           "id", "相談は" + std::string(common::Label(c.status())) +
                                                     "です。変更できません / the consultation "
                                                     "has ended");
                        }}));
  v1::Consultation next = previous;
  Events events;
  RETURN_IF_ERROR(change(&next, &events));
  common::NextVersion(&next, *clock_);
  for (auto& e : events) e.set_aggregate_version(next.version());
  std::unique_ptr<google::protobuf::Message> answer;
  if (answer_of) answer = answer_of(next);
  RETURN_IF_ERROR(store_.Commit(previous, next, events, answer.get()));
  return next;
}

absl::StatusOr<v1::ListConsultationsResponse> Intake::List(
    const v1::ListConsultationsRequest& r) const {
  FieldViolations v;
  v.CheckEnum("status", r.status(), v1::ConsultationStatus_IsValid, true);
  v.CheckDate("received_from", r.received_from().year(), r.received_from().month(),
              r.received_from().day());
  v.CheckDate("received_to", r.received_to().year(), r.received_to().month(),
              r.received_to().day());
  if (v.empty() && r.received_from().year() != 0 && r.received_to().year() != 0 &&
      common::DateNumber(r.received_to()) < common::DateNumber(r.received_from())) {
    v.Add("received_to", "受付期間の終わりが始まりより前です / before received_from");
  }
  if (r.page_size() < 0 || r.page_size() > 200) v.Add("page_size", "1〜200 です / must be 1..200");
  std::string resume;
  if (!r.page_token().empty() && !absl::WebSafeBase64Unescape(r.page_token(), &resume)) {
    v.Add("page_token", "ページトークンが不正です / invalid page token");
  }
  RETURN_IF_ERROR(v.ToStatus());
  const int limit = r.page_size() == 0 ? 50 : r.page_size();
  v1::ListConsultationsResponse out;
  std::string last_key;
  bool more = false;
  RETURN_IF_ERROR(store_.ForEachReceived(
      FromMicros(r.received_from()), ToMicrosExclusive(r.received_to()), resume,
      [&](const std::string& key, const v1::Consultation& c) {
        if (r.status() != v1::CONSULTATION_STATUS_UNSPECIFIED && c.status() != r.status())
          return true;
        if (out.consultations_size() == limit) {
          more = true;
          return false;
        }
        *out.add_consultations() = Summarize(c);
        last_key = key;
        return true;
      }));
  if (more) out.set_next_page_token(absl::WebSafeBase64Escape(last_key));
  return out;
}

absl::StatusOr<v1::Consultation> Intake::Update(const v1::UpdateConsultationRequest& r) {
  FieldViolations v;
  if (r.has_requester()) ValidateRequester(r.requester(), "requester", &v);
  if (r.has_person()) ValidatePerson(r.person(), "person", Today(), &v);
  if (r.has_narrative())
    v.CheckText("narrative", r.narrative(), {.max_chars = 4000, .single_line = false});
  v.CheckEnum("channel", r.channel(), v1::Channel_IsValid, true);
  v.CheckEnum("source_type", r.source_type(), v1::SourceType_IsValid, true);
  RETURN_IF_ERROR(v.ToStatus());
  v1::Requester requester = r.requester();
  if (r.has_requester()) RETURN_IF_ERROR(ResolveInstitution(&requester));
  return Mutate(
      r.id(), r.expected_version(), /*allow_closed=*/false, [&](v1::Consultation* c, Events*) {
        if (r.has_requester()) *c->mutable_requester() = requester;
        if (r.has_person()) {
          *c->mutable_person() = r.person();
          c->set_age_band(
              AgeBandOf(r.person().birth_date(),
                        common::TokyoDate(common::MicrosFromTimestamp(c->received_at()))));
        }
        if (r.has_narrative()) c->set_narrative(r.narrative());
        if (r.channel() != v1::CHANNEL_UNSPECIFIED) c->set_channel(r.channel());
        if (r.source_type() != v1::SOURCE_TYPE_UNSPECIFIED) c->set_source_type(r.source_type());
        return absl::OkStatus();
      });
}

absl::StatusOr<v1::Consultation> Intake::ChangeStatus(const v1::ChangeStatusRequest& r) {
  FieldViolations v;
  v.CheckEnum("status", r.status(), v1::ConsultationStatus_IsValid, false);
  v.CheckText("reason", r.reason(), {.max_chars = 500, .single_line = false});
  RETURN_IF_ERROR(v.ToStatus());
  return Mutate(r.id(), r.expected_version(), /*allow_closed=*/true,
                [&](v1::Consultation* c, Events* events) {
                  if (c->status() == v1::CONSULTATION_STATUS_CLOSED) {
                    return common::NotAllowedNow(
                        "id", "相談は終結しています。変更できません / the consultation is closed");
                  }
                  if (!TransitionAllowed(c->status(), r.status())) {
                    return common::InvalidField(
                        "status", std::string(common::Label(c->status())) + " から " +
                                      std::string(common::Label(r.status())) +
                                      " へは変更できません / transition not allowed: " +
                                      std::string(common::LabelEn(c->status())) + " -> " +
                                      std::string(common::LabelEn(r.status())));
                  }
                  if (r.status() == v1::CONSULTATION_STATUS_MATCHED &&
                      std::none_of(c->needs().begin(), c->needs().end(), [](const v1::Need& n) {
                        return n.candidates_size() > 0 || n.coordinators_size() > 0;
                      })) {
                    return common::InvalidField(
                        "status",
                        "候補 (資源またはコーディネーター) のあるニーズがありません "
                        "(先に照合してください) / no need has candidates yet");
                  }
                  if (r.status() == v1::CONSULTATION_STATUS_REFERRED && c->referrals_size() == 0) {
                    return common::InvalidField(
                        "status", "紹介がありません (Refer を先に) / no referral yet");
                  }
                  SetStatus(c, r.status(), std::string(common::TrimSpaces(r.reason())), events);
                  return absl::OkStatus();
                });
}

absl::Status Intake::CheckAdviceMatchable(const v1::NewNeed& need, const std::string& path) const {
  if (!need.advice() || options_.coordinators != nullptr) return absl::OkStatus();
  return common::NotAllowedNow(
      path + ".advice",
      "コーディネーターのネットワークが設定されていないため、助言のニーズは登録できません "
      "/ no network service is configured for advice needs");
}

absl::StatusOr<v1::Consultation> Intake::AddNeed(const v1::AddNeedRequest& r) {
  FieldViolations v;
  if (!r.has_need()) v.Add("need", "必須です / required");
  ValidateNeed(r.need(), "need", *vocabulary_, &v);
  RETURN_IF_ERROR(v.ToStatus());
  RETURN_IF_ERROR(CheckAdviceMatchable(r.need(), "need"));
  return Mutate(r.id(), r.expected_version(), false, [&](v1::Consultation* c, Events* events) {
    if (c->needs_size() >= static_cast<int>(kMaxNeeds)) {
      return common::InvalidField("need", "ニーズは20件までです / at most 20 needs");
    }
    *c->add_needs() = MakeNeed(r.need(), c->id(), events, *c);
    return absl::OkStatus();
  });
}

}  // namespace renkei::intake
