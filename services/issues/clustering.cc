#include "clustering.h"

#include <algorithm>
#include <set>

#include "renkei/common/ids.h"
#include "renkei/common/status_macros.h"
#include "renkei/common/text.h"
#include "renkei/common/vocabulary.h"

namespace renkei::issues {
namespace {

constexpr int kMaxCandidateEvidence = 500;

bool HasConsultation(const google::protobuf::RepeatedPtrField<v1::SeedEvidence>& evidence,
                     const std::string& consultation_id) {
  return std::any_of(evidence.begin(), evidence.end(), [&](const v1::SeedEvidence& e) {
    return e.consultation_id() == consultation_id;
  });
}

// Adds the consultation's evidence once; a seed following its consultation's gap adds the
// requester institution's municipality the gap did not know.
void AddEvidence(const v1::SeedEvidence& e, v1::IssueCandidate* c) {
  for (auto& had : *c->mutable_evidence()) {
    if (had.consultation_id() != e.consultation_id()) continue;
    if (had.requester_municipality_code().empty()) {
      had.set_requester_municipality_code(e.requester_municipality_code());
    }
    return;
  }
  if (c->evidence_size() < kMaxCandidateEvidence) *c->add_evidence() = e;
}

int64_t Micros(const google::protobuf::Timestamp& t) { return common::MicrosFromTimestamp(t); }

// Wide-area when the evidence involves requester institutions in other municipalities (listed,
// in code order); municipal otherwise.
void ProposeScope(v1::IssueCandidate* c) {
  std::set<std::string> others;
  for (const auto& e : c->evidence()) {
    const std::string& code = e.requester_municipality_code();
    if (!code.empty() && code != c->municipality_code()) others.insert(code);
  }
  c->set_proposed_scope(others.empty() ? v1::ISSUE_SCOPE_MUNICIPAL : v1::ISSUE_SCOPE_WIDE_AREA);
  c->clear_proposed_related_municipality_codes();
  for (const auto& code : others) c->add_proposed_related_municipality_codes(code);
}

}  // namespace

std::vector<std::string> ClusterKeysOf(const v1::EventEnvelope& event) {
  std::vector<std::string> keys;
  auto add = [&](std::string key) {
    if (std::find(keys.begin(), keys.end(), key) == keys.end()) keys.push_back(std::move(key));
  };
  const std::string gap_tag = common::NormalizeForSearch(common::kResourceGapTag);
  if (event.has_issue_seed_raised()) {
    for (const auto& tag : event.issue_seed_raised().tags()) {
      std::string t = common::NormalizeForSearch(tag);
      if (!t.empty() && t != gap_tag) add("tag:" + t);
    }
    if (!event.issue_seed_raised().capability().empty()) {
      add("capability:" + event.issue_seed_raised().capability());
    }
  } else if (event.has_resource_gap_found() && !event.resource_gap_found().capability().empty()) {
    add("capability:" + event.resource_gap_found().capability());
  }
  return keys;
}

SeedClusterer::SeedClusterer(const IssueStore* store, common::EventSource events,
                             ClusteringOptions options)
    : store_(store), events_(std::move(events)), options_(std::move(options)) {}

absl::Status SeedClusterer::Apply(const v1::EventEnvelope& event, common::CommandBatch* cmd) {
  v1::SeedEvidence seen;
  std::string municipality;
  if (event.has_issue_seed_raised()) {
    const auto& p = event.issue_seed_raised();
    seen.set_seed_id(p.seed_id());
    seen.set_consultation_id(p.consultation_id());
    *seen.mutable_tags() = p.tags();
    seen.set_capability(p.capability());
    seen.set_requester_municipality_code(p.requester_municipality_code());
    municipality = p.municipality_code();
  } else if (event.has_resource_gap_found()) {
    const auto& p = event.resource_gap_found();
    seen.set_consultation_id(p.consultation_id());
    seen.set_capability(p.capability());
    seen.set_resource_gap(true);
    municipality = p.municipality_code();
  } else {
    return absl::OkStatus();
  }
  if (municipality != options_.municipality_code) return absl::OkStatus();
  if (!common::IsWellFormedId("con", seen.consultation_id())) {
    return absl::InvalidArgumentError("seed event without a consultation id");
  }
  const std::vector<std::string> keys = ClusterKeysOf(event);
  if (keys.empty()) return absl::OkStatus();
  *seen.mutable_raised_at() = event.occurred_at();
  seen.set_event_id(event.id());
  const int64_t at = Micros(event.occurred_at());
  const int64_t window_start = at - int64_t{options_.window_days} * 86400 * 1000000;

  std::vector<v1::IssueCandidate> open;
  RETURN_IF_ERROR(store_->ForEachCandidate([&](const v1::IssueCandidate& c) {
    if (c.status() == v1::CANDIDATE_STATUS_PROPOSED) open.push_back(c);
    return true;
  }));
  std::vector<bool> changed(open.size(), false);
  const size_t existing = open.size();
  auto find_open = [&](const std::string& id) -> int {
    for (size_t i = 0; i < open.size(); ++i) {
      if (open[i].id() == id) return static_cast<int>(i);
    }
    return -1;
  };

  for (const std::string& key : keys) {
    ASSIGN_OR_RETURN(std::optional<v1::ClusterState> loaded, store_->GetCluster(key));
    v1::ClusterState state = loaded ? std::move(*loaded) : v1::ClusterState();
    state.set_key(key);
    auto* ev = state.mutable_evidence();
    ev->erase(std::remove_if(
                  ev->begin(), ev->end(),
                  [&](const v1::SeedEvidence& e) { return Micros(e.raised_at()) < window_start; }),
              ev->end());
    auto same = std::find_if(ev->begin(), ev->end(), [&](const v1::SeedEvidence& e) {
      return e.consultation_id() == seen.consultation_id();
    });
    if (same == ev->end()) {
      *state.add_evidence() = seen;
    } else if (same->seed_id().empty() && !seen.seed_id().empty()) {
      // The gap came first; the seed raised for it names the seed.
      same->set_seed_id(seen.seed_id());
      *same->mutable_tags() = seen.tags();
      same->set_requester_municipality_code(seen.requester_municipality_code());
    }

    int target = state.candidate_id().empty() ? -1 : find_open(state.candidate_id());
    if (target < 0) state.clear_candidate_id();
    if (target >= 0) {
      AddEvidence(seen, &open[target]);
      changed[target] = true;
    } else {
      const int64_t reset = state.has_reset_at() ? Micros(state.reset_at()) : INT64_MIN;
      std::vector<const v1::SeedEvidence*> counting;
      for (const auto& e : state.evidence()) {
        if (Micros(e.raised_at()) > reset) counting.push_back(&e);
      }
      if (static_cast<int>(counting.size()) >= options_.threshold) {
        for (size_t i = 0; i < open.size() && target < 0; ++i) {
          for (const auto* e : counting) {
            if (HasConsultation(open[i].evidence(), e->consultation_id())) {
              target = static_cast<int>(i);
              break;
            }
          }
        }
        if (target < 0) {
          v1::IssueCandidate c;
          c.set_id(common::NewId("cand", *events_.clock));
          c.set_municipality_code(options_.municipality_code);
          c.set_status(v1::CANDIDATE_STATUS_PROPOSED);
          *c.mutable_proposed_at() = event.occurred_at();
          open.push_back(std::move(c));
          changed.push_back(true);
          target = static_cast<int>(open.size()) - 1;
        }
        auto& c = open[target];
        if (std::find(c.cluster_keys().begin(), c.cluster_keys().end(), key) ==
            c.cluster_keys().end()) {
          c.add_cluster_keys(key);
        }
        for (const auto* e : counting) AddEvidence(*e, &c);
        changed[target] = true;
        state.set_candidate_id(c.id());
      }
    }
    store_->PutCluster(&cmd->batch(), state);
  }

  for (size_t i = 0; i < open.size(); ++i) {
    if (!changed[i]) continue;
    auto& c = open[i];
    ProposeScope(&c);
    c.set_version(c.version() + 1);
    store_->PutCandidate(&cmd->batch(), c);
    if (i >= existing) {
      auto e = common::NewEvent(events_, "candidate", c.id(), c.version(),
                                v1::SHARE_LEVEL_PREFECTURE, c.municipality_code());
      auto* p = e.mutable_issue_candidate_proposed();
      p->set_candidate_id(c.id());
      p->set_municipality_code(c.municipality_code());
      *p->mutable_cluster_keys() = c.cluster_keys();
      p->set_evidence_count(c.evidence_size());
      cmd->AddEvent(e);
    }
  }
  return absl::OkStatus();
}

}  // namespace renkei::issues
