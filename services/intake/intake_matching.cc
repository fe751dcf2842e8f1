// Intake: matching a need to resources, referrals and their outcomes.
#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/escaping.h"
#include "digest.h"
#include "intake.h"
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
#include "renkei/common/vocabulary.h"

namespace renkei::intake {

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
          return common::InvalidField("id",
                                      "ニーズが登録されていません (先にニーズを追加してください) / "
                                      "the consultation has no needs");
        }
        bool any_candidates = false;
        for (auto& need : *c->mutable_needs()) {
          if (need.advice()) {
            ASSIGN_OR_RETURN(auto e, ProposeCoordinators(*c, &need, per_need));
            events->push_back(std::move(e));
            any_candidates = any_candidates || need.coordinators_size() > 0;
            continue;
          }
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
              // The combination the need asked for: a gap for Parkinson's with home visits is
              // not a gap for Parkinson's.
              seed.set_theme((municipality ? municipality->name : c->municipality_code()) +
                             "内に「" + NeedLabel(need, *vocabulary_) + "」に対応できる資源がない");
              seed.add_tags(std::string(common::kResourceGapTag));
              seed.add_tags(need.capability());
              seed.set_capability(need.capability());
              seed.set_automatic(true);
              *seed.mutable_raised_at() = clock_->NowTimestamp();
              seed.set_municipality_code(c->municipality_code());
              events->push_back(SeedRaised(*c, seed));
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

absl::StatusOr<v1::EventEnvelope> Intake::ProposeCoordinators(const v1::Consultation& c,
                                                              v1::Need* need, int per_need) const {
  if (options_.coordinators == nullptr) {
    return common::NotAllowedNow(
        "needs",
        "コーディネーターのネットワークが設定されていないため、助言のニーズを照合できません "
        "/ no network service is configured for advice needs");
  }
  v1::ListProfilesRequest q;
  q.add_expertise(need->capability());
  for (const auto& extra : need->also_requires()) q.add_expertise(extra);
  q.set_takes_peer_consultations_only(true);
  ASSIGN_OR_RETURN(auto found, options_.coordinators->ListProfiles(q));
  std::vector<const v1::CoordinatorProfile*> profiles;
  for (const auto& p : found.profiles()) profiles.push_back(&p);
  // The municipality's own coordinators first, then lead coordinators, then the others.
  auto rank = [&](const v1::CoordinatorProfile* p) {
    if (p->jurisdiction_code() == c.municipality_code()) return 0;
    return p->role() == v1::NETWORK_ROLE_LEAD_COORDINATOR ? 1 : 2;
  };
  std::stable_sort(profiles.begin(), profiles.end(),
                   [&](const auto* a, const auto* b) { return rank(a) < rank(b); });
  need->clear_candidates();
  need->clear_coordinators();
  need->set_resource_gap(false);  // advice is not a service: nothing missing in the directory
  for (const auto* p : profiles) {
    if (need->coordinators_size() >= per_need) break;
    auto* cand = need->add_coordinators();
    cand->set_profile_id(p->id());
    cand->set_name(p->name());
    cand->set_affiliation(p->affiliation());
    cand->set_jurisdiction_code(p->jurisdiction_code());
    cand->set_lead_coordinator(p->role() == v1::NETWORK_ROLE_LEAD_COORDINATOR);
    *cand->mutable_expertise() = q.expertise();
  }
  *need->mutable_matched_at() = clock_->NowTimestamp();
  auto e = NewEvent(c);
  auto* p = e.mutable_match_found();
  p->set_consultation_id(c.id());
  p->set_need_id(need->id());
  p->set_capability(need->capability());
  p->set_advice(true);
  for (const auto& cand : need->coordinators()) p->add_coordinator_profile_ids(cand.profile_id());
  return e;
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
    if (need->advice()) {
      return common::InvalidField(
          "need_id",
          "助言のニーズは資源に紹介できません (提案されたコーディネーターに"
          "相談してください) / an advice need is not referred to a resource");
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
        return common::InvalidField("status",
                                    "「" + std::string(common::Label(c->status())) +
                                        "」の相談からは紹介できません / cannot refer from " +
                                        std::string(common::LabelEn(c->status())));
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

}  // namespace renkei::intake
