#include "intake.h"

#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/escaping.h"
#include "digest.h"
#include "intake_rules.h"
#include "renkei/common/dates.h"
#include "renkei/common/errors.h"
#include "renkei/common/ids.h"
#include "renkei/common/jurisdiction.h"
#include "renkei/common/status_macros.h"
#include "renkei/common/table.h"
#include "renkei/common/text.h"

namespace renkei::intake {
namespace {

using common::FieldViolations;

constexpr int64_t kClockSkewMicros = 5LL * 60 * 1000000;

absl::Status CheckId(const std::string& prefix, const std::string& id, const std::string& field) {
  if (!common::IsWellFormedId(prefix, id)) {
    return common::InvalidField(field,
                                "IDの形式が不正です (" + prefix + "_ + 26文字) / malformed id");
  }
  return absl::OkStatus();
}

// Default period for lists and seeds: everything.
int64_t FromMicros(const v1::Date& d) {
  return d.year() == 0 ? INT64_MIN / 2 : common::TokyoStartOfDay(d);
}
int64_t ToMicrosExclusive(const v1::Date& d) {
  if (d.year() == 0) return INT64_MAX / 2;
  return common::TokyoStartOfDay(d) + 86400LL * 1000000;
}

// `from_field` and `to_field` name the dates in the request ("raised_from", "from").
void CheckPeriod(const v1::Date& from, const v1::Date& to, bool required,
                 const std::string& from_field, const std::string& to_field, FieldViolations* v) {
  v->CheckDate(from_field, from.year(), from.month(), from.day(), required);
  v->CheckDate(to_field, to.year(), to.month(), to.day(), required);
  if (v->empty() && from.year() != 0 && to.year() != 0 &&
      common::DateNumber(to) < common::DateNumber(from)) {
    v->Add(to_field, from_field + " より前です / before " + from_field);
  }
}

v1::ConsultationSummary Summarize(const v1::Consultation& c) {
  v1::ConsultationSummary s;
  s.set_id(c.id());
  *s.mutable_received_at() = c.received_at();
  s.set_source_type(c.source_type());
  s.set_status(c.status());
  for (const auto& n : c.needs()) s.add_need_capabilities(n.capability());
  s.set_referrals(c.referrals_size());
  int open = 0;
  for (const auto& f : c.follow_ups()) open += !f.done();
  s.set_open_follow_ups(open);
  s.set_version(c.version());
  return s;
}

// When a consultation that has ended ended: its last move into its current status.
int64_t EndedAtMicros(const v1::Consultation& c) {
  for (int i = c.history_size() - 1; i >= 0; --i) {
    if (c.history(i).to() == c.status()) return common::MicrosFromTimestamp(c.history(i).at());
  }
  return common::MicrosFromTimestamp(c.updated_at());
}

}  // namespace

Intake::Intake(common::Store* store, common::Outbox* outbox, const common::RecordSealer* sealer,
               common::EventSource events, const directory::CapabilityVocabulary* vocabulary,
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
  auto e = NewEvent(c);
  auto* p = e.mutable_need_recorded();
  p->set_consultation_id(consultation_id);
  p->set_need_id(need.id());
  p->set_capability(need.capability());
  *p->mutable_also_requires() = need.also_requires();
  p->set_kind(need.kind());
  p->set_area_preference(need.area_preference());
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

  v1::Consultation c;
  c.set_id(common::NewId("con", *clock_));
  c.set_municipality_code(options_.municipality_code);
  *c.mutable_received_at() = common::TimestampFromMicros(received);
  c.set_channel(r.channel());
  c.set_source_type(r.source_type());
  *c.mutable_requester() = r.requester();
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
  if (expected_version < 1)
    return common::InvalidField("expected_version", "1 以上です / must be ≥ 1");
  auto guard = locks_.Lock(id);
  ASSIGN_OR_RETURN(v1::Consultation previous,
                   common::LoadForChange(
                       store_.consultations(), id, expected_version,
                       {.id_field = "id", .state = [allow_closed](const v1::Consultation& c) {
                          return allow_closed || IsOpen(c.status())
                                     ? absl::OkStatus()
                                     : common::NotAllowedNow(
                                           "id", "相談は" + std::string(StatusLabel(c.status())) +
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
    v.Add("received_to", "received_from より前です / before received_from");
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
  return Mutate(
      r.id(), r.expected_version(), /*allow_closed=*/false, [&](v1::Consultation* c, Events*) {
        if (r.has_requester()) *c->mutable_requester() = r.requester();
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
                        "status", std::string(StatusLabel(c->status())) + " から " +
                                      std::string(StatusLabel(r.status())) +
                                      " へは変更できません / transition not allowed: " +
                                      v1::ConsultationStatus_Name(c->status()) + " -> " +
                                      v1::ConsultationStatus_Name(r.status()));
                  }
                  if (r.status() == v1::CONSULTATION_STATUS_MATCHED &&
                      std::none_of(c->needs().begin(), c->needs().end(),
                                   [](const v1::Need& n) { return n.candidates_size() > 0; })) {
                    return common::InvalidField(
                        "status",
                        "資源候補のあるニーズがありません (MatchResources を先に) / no need "
                        "has candidates yet");
                  }
                  if (r.status() == v1::CONSULTATION_STATUS_REFERRED && c->referrals_size() == 0) {
                    return common::InvalidField(
                        "status", "紹介がありません (Refer を先に) / no referral yet");
                  }
                  SetStatus(c, r.status(), std::string(common::TrimSpaces(r.reason())), events);
                  return absl::OkStatus();
                });
}

absl::StatusOr<v1::Consultation> Intake::AddNeed(const v1::AddNeedRequest& r) {
  FieldViolations v;
  if (!r.has_need()) v.Add("need", "必須です / required");
  ValidateNeed(r.need(), "need", *vocabulary_, &v);
  RETURN_IF_ERROR(v.ToStatus());
  return Mutate(r.id(), r.expected_version(), false, [&](v1::Consultation* c, Events* events) {
    if (c->needs_size() >= static_cast<int>(kMaxNeeds)) {
      return common::InvalidField("need", "ニーズは20件までです / at most 20 needs");
    }
    *c->add_needs() = MakeNeed(r.need(), c->id(), events, *c);
    return absl::OkStatus();
  });
}

absl::StatusOr<v1::MatchResourcesResponse> Intake::Match(const v1::MatchResourcesRequest& r) {
  if (r.candidates_per_need() < 0 || r.candidates_per_need() > 50) {
    return common::InvalidField("candidates_per_need", "1〜50 です / must be 1..50");
  }
  const int per_need =
      r.candidates_per_need() == 0 ? options_.default_candidates : r.candidates_per_need();
  const auto* municipality =
      common::Jurisdictions::Get().FindMunicipality(options_.municipality_code);
  auto to_candidate = [](const v1::SearchHit& h) {
    v1::Candidate c;
    c.set_resource_id(h.resource().id());
    c.set_name(h.resource().name());
    c.set_kind(h.resource().kind());
    c.set_municipality_code(h.resource().municipality_code());
    c.set_relation(h.relation());
    if (h.has_distance_km()) c.set_distance_km(h.distance_km());
    c.set_distance_approximate(h.distance_approximate());
    *c.mutable_reasons() = h.reasons();
    return c;
  };
  auto result = Mutate(
      r.id(), r.expected_version(), false,
      [&](v1::Consultation* c, Events* events) {
        if (c->needs_size() == 0) {
          return common::InvalidField(
              "id", "ニーズが登録されていません (AddNeed を先に) / the consultation has no needs");
        }
        bool any_candidates = false;
        for (auto& need : *c->mutable_needs()) {
          v1::SearchResourcesRequest q;
          q.add_capabilities(need.capability());
          for (const auto& extra : need.also_requires()) q.add_capabilities(extra);
          if (need.kind() != v1::RESOURCE_KIND_UNSPECIFIED) q.add_kinds(need.kind());
          need.clear_candidates();
          std::set<std::string> seen;
          int inside = 0, inside_total = 0;
          if (need.area_preference() != v1::AREA_PREFERENCE_ANYWHERE_REACHABLE) {
            // Inside first: located in or serving the municipality, nearest to its office first.
            q.set_municipality_code(c->municipality_code());
            q.set_outside_fallback(v1::OUTSIDE_FALLBACK_NONE);
            q.set_page_size(per_need);
            ASSIGN_OR_RETURN(auto in, finder_->Search(q));
            for (const auto& h : in.hits()) {
              *need.add_candidates() = to_candidate(h);
              seen.insert(h.resource().id());
            }
            inside = in.hits_size();
            inside_total = in.total_matches();
            q.clear_municipality_code();
            q.clear_outside_fallback();
          }
          // Then the nearest ones elsewhere, with their distance from the municipal office.
          q.set_near_municipality_code(c->municipality_code());
          // Inside ones can be among the nearest: ask for enough to skip all of them.
          q.set_page_size(std::min(200, per_need + inside_total));
          ASSIGN_OR_RETURN(auto near, finder_->Search(q));
          int outside = 0;
          for (const auto& h : near.hits()) {
            if (outside >= per_need) break;
            if (seen.count(h.resource().id())) continue;
            bool elsewhere =
                h.resource().municipality_code() != c->municipality_code() &&
                std::find(h.resource().service_area().begin(), h.resource().service_area().end(),
                          c->municipality_code()) == h.resource().service_area().end();
            if (!elsewhere) continue;  // inside ones are listed first already
            v1::Candidate cand = to_candidate(h);
            cand.set_relation(v1::AREA_RELATION_OUTSIDE);
            cand.add_reasons("outside_nearest");
            *need.add_candidates() = std::move(cand);
            ++outside;
          }
          need.set_resource_gap(inside == 0 &&
                                need.area_preference() != v1::AREA_PREFERENCE_ANYWHERE_REACHABLE);
          *need.mutable_matched_at() = clock_->NowTimestamp();
          any_candidates = any_candidates || need.candidates_size() > 0;

          auto e = NewEvent(*c);
          if (need.resource_gap()) {
            auto* p = e.mutable_resource_gap_found();
            p->set_consultation_id(c->id());
            p->set_need_id(need.id());
            p->set_municipality_code(c->municipality_code());
            p->set_capability(need.capability());
            *p->mutable_also_requires() = need.also_requires();
            if (need.candidates_size() > 0) {
              p->set_nearest_outside_resource_id(need.candidates(0).resource_id());
              p->set_nearest_outside_km(need.candidates(0).distance_km());
            }
          } else {
            auto* p = e.mutable_match_found();
            p->set_consultation_id(c->id());
            p->set_need_id(need.id());
            p->set_capability(need.capability());
            p->set_inside(inside);
            p->set_outside(outside);
            for (const auto& cand : need.candidates()) p->add_resource_ids(cand.resource_id());
          }
          events->push_back(std::move(e));

          // A gap is a seed of a regional issue: raise one, once per capability and consultation.
          if (need.resource_gap()) {
            bool already =
                std::any_of(c->seeds().begin(), c->seeds().end(), [&](const v1::IssueSeed& s) {
                  return s.automatic() && s.capability() == need.capability();
                });
            if (!already) {
              v1::IssueSeed seed;
              seed.set_id(common::NewId("seed", *clock_));
              seed.set_consultation_id(c->id());
              const int cap = vocabulary_->IndexOf(need.capability());
              std::string label = cap >= 0 ? vocabulary_->at(cap).label_ja() : need.capability();
              seed.set_theme((municipality ? municipality->name : c->municipality_code()) +
                             "内に「" + label + "」に対応できる資源がない");
              seed.add_tags("resource_gap");
              seed.add_tags(need.capability());
              seed.set_capability(need.capability());
              seed.set_automatic(true);
              *seed.mutable_raised_at() = clock_->NowTimestamp();
              seed.set_municipality_code(c->municipality_code());
              auto se = NewEvent(*c);
              auto* sp = se.mutable_issue_seed_raised();
              sp->set_seed_id(seed.id());
              sp->set_consultation_id(c->id());
              sp->set_municipality_code(seed.municipality_code());
              *sp->mutable_tags() = seed.tags();
              sp->set_capability(seed.capability());
              sp->set_automatic(true);
              events->push_back(std::move(se));
              *c->add_seeds() = std::move(seed);
            }
          }
        }
        if (any_candidates && (c->status() == v1::CONSULTATION_STATUS_RECEIVED ||
                               c->status() == v1::CONSULTATION_STATUS_ASSESSING)) {
          SetStatus(c, v1::CONSULTATION_STATUS_MATCHED, "", events);
        }
        return absl::OkStatus();
      },
      [](const v1::Consultation& next) {
        auto out = std::make_unique<v1::MatchResourcesResponse>();
        *out->mutable_consultation() = next;
        return out;
      });
  if (!result.ok()) return result.status();
  v1::MatchResourcesResponse out;
  *out.mutable_consultation() = std::move(*result);
  return out;
}

absl::StatusOr<v1::Consultation> Intake::Refer(const v1::ReferRequest& r) {
  FieldViolations v;
  if (!common::IsWellFormedId("need", r.need_id()))
    v.Add("need_id", "IDの形式が不正です / malformed id");
  if (!common::IsWellFormedId("res", r.resource_id()))
    v.Add("resource_id", "資源IDの形式が不正です / malformed id");
  v.CheckDate("response_due", r.response_due().year(), r.response_due().month(),
              r.response_due().day(), true);
  if (v.empty() && common::DateNumber(r.response_due()) < common::DateNumber(Today())) {
    v.Add("response_due", "過去の日付です / in the past");
  }
  RETURN_IF_ERROR(v.ToStatus());
  // The directory must know the resource (checked before taking the consultation's lock).
  auto resource = finder_->Get(r.resource_id());
  if (!resource.ok()) {
    if (absl::IsNotFound(resource.status())) {
      return common::InvalidField(
          "resource_id", "資源ディレクトリにない資源です / no such resource: " + r.resource_id());
    }
    return resource.status();
  }
  return Mutate(r.id(), r.expected_version(), false, [&](v1::Consultation* c, Events* events) {
    auto need = std::find_if(c->needs().begin(), c->needs().end(),
                             [&](const v1::Need& n) { return n.id() == r.need_id(); });
    if (need == c->needs().end()) {
      return common::InvalidField("need_id",
                                  "この相談にないニーズです / no such need in this consultation");
    }
    v1::Referral ref;
    ref.set_id(common::NewId("ref", *clock_));
    ref.set_need_id(r.need_id());
    ref.set_resource_id(resource->id());
    ref.set_resource_name(resource->name());
    ref.set_resource_municipality_code(resource->municipality_code());
    ref.set_outside_municipality(resource->municipality_code() != c->municipality_code());
    *ref.mutable_referred_at() = clock_->NowTimestamp();
    *ref.mutable_response_due() = r.response_due();
    auto e = NewEvent(*c);
    auto* p = e.mutable_referral_made();
    p->set_consultation_id(c->id());
    p->set_referral_id(ref.id());
    p->set_need_id(ref.need_id());
    p->set_resource_id(ref.resource_id());
    p->set_resource_municipality_code(ref.resource_municipality_code());
    p->set_outside_municipality(ref.outside_municipality());
    events->push_back(std::move(e));
    *c->add_referrals() = std::move(ref);
    if (c->status() != v1::CONSULTATION_STATUS_REFERRED) {
      if (!TransitionAllowed(c->status(), v1::CONSULTATION_STATUS_REFERRED)) {
        return common::InvalidField("status", "この状態からは紹介できません / cannot refer from " +
                                                  v1::ConsultationStatus_Name(c->status()));
      }
      SetStatus(c, v1::CONSULTATION_STATUS_REFERRED, "", events);
    }
    return absl::OkStatus();
  });
}

absl::StatusOr<v1::Consultation> Intake::RecordOutcome(const v1::RecordReferralOutcomeRequest& r) {
  FieldViolations v;
  if (!common::IsWellFormedId("ref", r.referral_id()))
    v.Add("referral_id", "IDの形式が不正です / malformed id");
  v.CheckEnum("outcome", r.outcome(), v1::ReferralOutcome_IsValid, false);
  v.CheckEnum("decline_reason", r.decline_reason(), v1::DeclineReason_IsValid, true);
  if (r.outcome() == v1::REFERRAL_OUTCOME_DECLINED &&
      r.decline_reason() == v1::DECLINE_REASON_UNSPECIFIED) {
    v.Add("decline_reason", "辞退の理由を指定してください / required when declined");
  }
  if (r.outcome() != v1::REFERRAL_OUTCOME_DECLINED &&
      r.decline_reason() != v1::DECLINE_REASON_UNSPECIFIED) {
    v.Add("decline_reason", "辞退のときだけ指定します / only for a declined referral");
  }
  v.CheckText("note", r.note(), {.max_chars = 1000, .single_line = false});
  RETURN_IF_ERROR(v.ToStatus());
  const v1::Date today = Today();
  return Mutate(r.id(), r.expected_version(), false, [&](v1::Consultation* c, Events* events) {
    auto* refs = c->mutable_referrals();
    auto ref = std::find_if(refs->begin(), refs->end(),
                            [&](const v1::Referral& x) { return x.id() == r.referral_id(); });
    if (ref == refs->end()) {
      return common::InvalidField("referral_id",
                                  "この相談にない紹介です / no such referral in this consultation");
    }
    if (ref->outcome() != v1::REFERRAL_OUTCOME_UNSPECIFIED) {
      return common::NotAllowedNow("referral_id", "結果は記録済みです / outcome already recorded");
    }
    if (r.outcome() == v1::REFERRAL_OUTCOME_NO_RESPONSE &&
        common::DateNumber(today) <= common::DateNumber(ref->response_due())) {
      return common::InvalidField("outcome",
                                  "回答期限 (" + common::FormatDate(ref->response_due()) +
                                      ") が過ぎていません / the response is not due yet");
    }
    ref->set_outcome(r.outcome());
    ref->set_decline_reason(r.decline_reason());
    ref->set_outcome_note(std::string(common::TrimSpaces(r.note())));
    *ref->mutable_outcome_at() = clock_->NowTimestamp();
    auto e = NewEvent(*c);
    auto* p = e.mutable_referral_outcome_recorded();
    p->set_consultation_id(c->id());
    p->set_referral_id(ref->id());
    p->set_outcome(ref->outcome());
    p->set_decline_reason(ref->decline_reason());
    p->set_outside_municipality(ref->outside_municipality());
    events->push_back(std::move(e));
    return absl::OkStatus();
  });
}

absl::StatusOr<v1::Consultation> Intake::AddFollowUp(const v1::AddFollowUpRequest& r) {
  FieldViolations v;
  v.CheckText("task", r.task(), {.required = true, .max_chars = 500, .single_line = false});
  v.CheckText("owner", r.owner(), {.max_chars = 100});
  v.CheckDate("due", r.due().year(), r.due().month(), r.due().day(), true);
  RETURN_IF_ERROR(v.ToStatus());
  return Mutate(r.id(), r.expected_version(), false, [&](v1::Consultation* c, Events*) {
    if (c->follow_ups_size() >= 100)
      return common::InvalidField("id", "フォローアップは100件までです / at most 100");
    auto* f = c->add_follow_ups();
    f->set_id(common::NewId("fu", *clock_));
    f->set_task(std::string(common::TrimSpaces(r.task())));
    f->set_owner(std::string(common::TrimSpaces(r.owner())));
    *f->mutable_due() = r.due();
    *f->mutable_created_at() = clock_->NowTimestamp();
    return absl::OkStatus();
  });
}

absl::StatusOr<v1::Consultation> Intake::CompleteFollowUp(const v1::CompleteFollowUpRequest& r) {
  if (!common::IsWellFormedId("fu", r.follow_up_id())) {
    return common::InvalidField("follow_up_id", "IDの形式が不正です / malformed id");
  }
  // Follow-ups can still be completed after the consultation ended.
  return Mutate(r.id(), r.expected_version(), true, [&](v1::Consultation* c, Events*) {
    for (auto& f : *c->mutable_follow_ups()) {
      if (f.id() != r.follow_up_id()) continue;
      if (f.done()) return common::NotAllowedNow("follow_up_id", "完了済みです / already done");
      f.set_done(true);
      *f.mutable_done_at() = clock_->NowTimestamp();
      return absl::OkStatus();
    }
    return common::InvalidField("follow_up_id",
                                "この相談にないフォローアップです / no such follow-up");
  });
}

absl::StatusOr<v1::ListOverdueFollowUpsResponse> Intake::Overdue(
    const v1::ListOverdueFollowUpsRequest& r) const {
  FieldViolations v;
  v.CheckDate("as_of", r.as_of().year(), r.as_of().month(), r.as_of().day());
  RETURN_IF_ERROR(v.ToStatus());
  const v1::Date as_of = r.as_of().year() == 0 ? Today() : r.as_of();
  v1::ListOverdueFollowUpsResponse out;
  absl::Status inner;
  RETURN_IF_ERROR(store_.ForEachOpenFollowUpDueBefore(
      common::DateNumber(as_of),
      [&](const std::string& consultation_id, const std::string& follow_up_id) {
        auto c = store_.Get(consultation_id);
        if (!c.ok()) {
          inner = c.status();
          return false;
        }
        for (const auto& f : c->follow_ups()) {
          if (f.id() != follow_up_id || f.done()) continue;
          auto* o = out.add_follow_ups();
          o->set_consultation_id(consultation_id);
          *o->mutable_follow_up() = f;
          o->set_days_overdue(common::DaysBetween(f.due(), as_of));
        }
        return out.follow_ups_size() < 1000;
      }));
  RETURN_IF_ERROR(inner);
  return out;
}

absl::StatusOr<v1::Consultation> Intake::RaiseSeed(const v1::RaiseIssueSeedRequest& r) {
  FieldViolations v;
  v.CheckText("theme", r.theme(), {.required = true, .max_chars = 200});
  v.CheckCount("tags", r.tags_size(), kMaxTags);
  for (int i = 0; i < r.tags_size() && i < static_cast<int>(kMaxTags); ++i) {
    v.CheckText("tags[" + std::to_string(i) + "]", r.tags(i),
                {.required = true, .max_chars = kMaxTagChars});
  }
  if (!r.capability().empty() &&
      (!common::IsValidUtf8(r.capability()) || !vocabulary_->Contains(r.capability()))) {
    v.Add("capability", "未定義の対応内容です / unknown capability");
  }
  if (r.tags_size() == 0 && r.capability().empty()) {
    v.Add("tags",
          "タグか対応内容を1つ以上指定してください (地域課題の集約に使います) / give at least one "
          "tag or a capability");
  }
  RETURN_IF_ERROR(v.ToStatus());
  // Seeds can be raised after a consultation ended: the theme outlives the case.
  return Mutate(r.id(), r.expected_version(), true, [&](v1::Consultation* c, Events* events) {
    v1::IssueSeed seed;
    seed.set_id(common::NewId("seed", *clock_));
    seed.set_consultation_id(c->id());
    seed.set_theme(std::string(common::TrimSpaces(r.theme())));
    for (auto& t : NormalizeTags(r.tags())) seed.add_tags(t);
    seed.set_capability(r.capability());
    *seed.mutable_raised_at() = clock_->NowTimestamp();
    seed.set_municipality_code(c->municipality_code());
    auto e = NewEvent(*c);
    auto* p = e.mutable_issue_seed_raised();
    p->set_seed_id(seed.id());
    p->set_consultation_id(c->id());
    p->set_municipality_code(seed.municipality_code());
    *p->mutable_tags() = seed.tags();
    p->set_capability(seed.capability());
    events->push_back(std::move(e));
    *c->add_seeds() = std::move(seed);
    return absl::OkStatus();
  });
}

absl::StatusOr<v1::ListIssueSeedsResponse> Intake::Seeds(const v1::ListIssueSeedsRequest& r) const {
  FieldViolations v;
  CheckPeriod(r.raised_from(), r.raised_to(), false, "raised_from", "raised_to", &v);
  RETURN_IF_ERROR(v.ToStatus());
  v1::ListIssueSeedsResponse out;
  absl::Status inner;
  RETURN_IF_ERROR(
      store_.ForEachSeedRaised(FromMicros(r.raised_from()), ToMicrosExclusive(r.raised_to()),
                               [&](const std::string& consultation_id, const std::string& seed_id) {
                                 auto c = store_.Get(consultation_id);
                                 if (!c.ok()) {
                                   inner = c.status();
                                   return false;
                                 }
                                 for (const auto& s : c->seeds()) {
                                   if (s.id() == seed_id) *out.add_seeds() = s;
                                 }
                                 return out.seeds_size() < 10000;
                               }));
  RETURN_IF_ERROR(inner);
  return out;
}

absl::StatusOr<v1::Digest> Intake::Digest(const v1::GetDigestRequest& r) const {
  FieldViolations v;
  CheckPeriod(r.from(), r.to(), true, "from", "to", &v);
  if (v.empty() && common::DaysBetween(r.from(), r.to()) > 366)
    v.Add("to", "期間は1年以内です / at most 366 days");
  RETURN_IF_ERROR(v.ToStatus());
  std::vector<v1::Consultation> consultations;
  RETURN_IF_ERROR(store_.ForEachReceived(FromMicros(r.from()), ToMicrosExclusive(r.to()), "",
                                         [&](const std::string&, const v1::Consultation& c) {
                                           consultations.push_back(c);
                                           return true;
                                         }));
  v1::ListIssueSeedsRequest seeds_request;
  *seeds_request.mutable_raised_from() = r.from();
  *seeds_request.mutable_raised_to() = r.to();
  ASSIGN_OR_RETURN(auto seeds, Seeds(seeds_request));
  ASSIGN_OR_RETURN(auto overdue, Overdue({}));
  return BuildDigest(options_.municipality_code, r.from(), r.to(), consultations, seeds, overdue,
                     *vocabulary_);
}

absl::StatusOr<int> Intake::ErasePersonalData(uint32_t retention_days, size_t batch_size) {
  if (retention_days == 0) return 0;
  const int64_t now = clock_->NowMicros();
  const int64_t cutoff = now - int64_t{retention_days} * 86400 * 1000000;
  auto due = [cutoff](const v1::Consultation& c) {
    return !IsOpen(c.status()) && EndedAtMicros(c) <= cutoff;
  };
  std::vector<std::string> ids;
  RETURN_IF_ERROR(store_.ForEachWithPersonal([&](const v1::Consultation& c) {
    if (due(c)) ids.push_back(c.id());
    return true;
  }));
  int erased = 0;
  for (size_t begin = 0; begin < ids.size(); begin += batch_size) {
    std::vector<std::string> batch(ids.begin() + begin,
                                   ids.begin() + std::min(ids.size(), begin + batch_size));
    // A command that read a consultation before its erasure must not write its personal fields
    // back: the batch holds the consultations' locks, and `due` is checked again under them.
    auto guard = locks_.LockAll(batch);
    ASSIGN_OR_RETURN(int n, store_.ErasePersonal(batch, due, now));
    erased += n;
  }
  if (erased > 0) RETURN_IF_ERROR(store_.CompactConsultations());
  return erased;
}

}  // namespace renkei::intake
