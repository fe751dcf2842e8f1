// Network: what other instances' network events change here — shared profiles, requests
// addressed here, replies to requests asked here.
#include <algorithm>

#include "network.h"
#include "network_rules.h"
#include "renkei/common/ids.h"
#include "renkei/common/status_macros.h"

namespace renkei::network {

absl::Status Network::ApplyEvent(const v1::EventEnvelope& event, common::CommandBatch* cmd) {
  // Its own events come back down from the parent: already applied.
  if (event.origin_instance() == events_.origin_instance) return absl::OkStatus();
  absl::Status applied = absl::OkStatus();
  if (event.has_profile_shared()) {
    applied = ApplyProfile(event, cmd);
  } else if (event.has_peer_request_published()) {
    applied = ApplyPublished(event, cmd);
  } else if (event.has_peer_reply_sent()) {
    applied = ApplyReply(event, cmd);
  } else if (event.has_practice_published()) {
    applied = ApplyPractice(event, cmd);
  } else if (event.has_practice_annotated()) {
    applied = ApplyAnnotation(event, cmd);
  } else {
    return absl::OkStatus();  // a type this version does not know: neither applied nor relayed
  }
  RETURN_IF_ERROR(applied);
  Relay(event, cmd);
  return absl::OkStatus();
}

bool Network::Vouched(const v1::EventEnvelope& event, const std::string& author) const {
  if (author == event.origin_instance()) return true;
  const std::string& relay = event.origin_instance();
  if (relay == "national") return options_.level != v1::INSTANCE_LEVEL_NATIONAL;
  return options_.level == v1::INSTANCE_LEVEL_MUNICIPALITY &&
         relay == "p" + PrefectureOf(options_.jurisdiction_code);
}

void Network::Relay(const v1::EventEnvelope& event, common::CommandBatch* cmd) const {
  // Only what a child sent itself (not what this instance relayed, which never comes back
  // here, nor what came from above).
  const bool from_child =
      options_.level == v1::INSTANCE_LEVEL_PREFECTURE
          ? event.origin_instance().rfind('m', 0) == 0 &&
                event.origin_instance().substr(1, 2) == PrefectureOf(options_.jurisdiction_code)
          : options_.level == v1::INSTANCE_LEVEL_NATIONAL;
  const v1::ShareLevel relayed = options_.level == v1::INSTANCE_LEVEL_PREFECTURE
                                     ? v1::SHARE_LEVEL_PREFECTURE
                                     : v1::SHARE_LEVEL_NATIONAL;
  if (!from_child || event.share_level() != relayed) return;
  v1::EventEnvelope on = event;
  on.set_id(common::DeterministicId("evt", event.id() + "@" + events_.origin_instance));
  on.set_origin_instance(events_.origin_instance);
  cmd->AddEvent(on);
}

absl::Status Network::ApplyProfile(const v1::EventEnvelope& event, common::CommandBatch* cmd) {
  const auto& shared = event.profile_shared();
  const v1::CoordinatorProfile& p = shared.profile();
  if (!common::IsWellFormedId("coo", p.id()) || p.jurisdiction_code().size() != 6 ||
      !Vouched(event, p.home_instance())) {
    return absl::InvalidArgumentError("profile event without id, jurisdiction or home");
  }
  if (p.home_instance() == events_.origin_instance) return absl::OkStatus();  // relayed back
  if (InstanceOfJurisdiction(p.jurisdiction_code()) != p.home_instance()) {
    return absl::InvalidArgumentError("profile of a jurisdiction its instance does not serve");
  }
  const bool same_prefecture =
      options_.level != v1::INSTANCE_LEVEL_NATIONAL &&
      PrefectureOf(p.jurisdiction_code()) == PrefectureOf(options_.jurisdiction_code);
  // A municipality keeps its prefecture's profiles; a prefecture and the nation everyone's that
  // reach them.
  if (options_.level == v1::INSTANCE_LEVEL_MUNICIPALITY && !same_prefecture) {
    return absl::OkStatus();
  }
  cmd->Hold(locks_.LockShared(p.id()));
  ASSIGN_OR_RETURN(std::optional<v1::CoordinatorProfile> stored, store_.profiles().Find(p.id()));
  if (stored && (KeptHere(*stored) || stored->version() > p.version())) return absl::OkStatus();
  if (stored && stored->home_instance() != p.home_instance()) {
    return absl::InvalidArgumentError("profile id of another instance's profile");
  }
  if (shared.withdrawn()) {
    // Still shared with its prefecture: that prefecture's instances keep their copy (the
    // prefecture's own event keeps it current).
    if (p.sharing().level() == v1::SHARE_LEVEL_PREFECTURE && same_prefecture) {
      return absl::OkStatus();
    }
    if (stored) store_.profiles().Delete(&cmd->batch(), p.id());
    return absl::OkStatus();
  }
  v1::CoordinatorProfile copy = p;
  copy.clear_account();
  store_.profiles().Put(&cmd->batch(), copy.id(), copy);
  return absl::OkStatus();
}

absl::Status Network::ApplyPublished(const v1::EventEnvelope& event, common::CommandBatch* cmd) {
  v1::PeerRequest r = event.peer_request_published().request();
  if (!common::IsWellFormedId("preq", r.id()) || !Vouched(event, r.asker().instance())) {
    return absl::InvalidArgumentError("peer request event without id or asker");
  }
  if (r.asker().instance() == events_.origin_instance) return absl::OkStatus();  // relayed back
  cmd->Hold(locks_.LockShared(r.id()));
  ASSIGN_OR_RETURN(std::optional<v1::PeerRequest> stored, store_.requests().Find(r.id()));
  if (stored && stored->asker().instance() != r.asker().instance()) {
    return absl::InvalidArgumentError("request id of another instance's request");
  }
  if (stored && stored->version() >= r.version()) return absl::OkStatus();
  if (!stored) {
    ASSIGN_OR_RETURN(bool here, AddressedHere(r));
    if (!here) return absl::OkStatus();
  } else {
    // Steps taken here that the owner has not applied yet, and still allows, stay pending.
    for (const auto& step : stored->steps()) {
      if (!step.pending()) continue;
      const bool applied = std::any_of(r.steps().begin(), r.steps().end(),
                                       [&](const v1::PeerStep& s) { return s.id() == step.id(); });
      if (!applied && CheckStep(r, step.by(), step.kind()).ok()) *r.add_steps() = step;
    }
  }
  r.clear_consultation_id();
  store_.requests().Put(&cmd->batch(), r.id(), r);
  return absl::OkStatus();
}

absl::Status Network::ApplyReply(const v1::EventEnvelope& event, common::CommandBatch* cmd) {
  const auto& x = event.peer_reply_sent();
  const v1::PeerStep& step = x.step();
  // A step is taken by a coordinator of the instance that sent it (or passed on from above), of
  // the jurisdiction that instance serves, and is a recipient's: the asker acts at the owner.
  // Checked wherever it passes, so that a relay passes on nothing it did not check.
  const bool recipients_step =
      step.kind() == v1::PEER_STEP_KIND_TAKEN || step.kind() == v1::PEER_STEP_KIND_ASKED_BACK ||
      step.kind() == v1::PEER_STEP_KIND_ANSWERED || step.kind() == v1::PEER_STEP_KIND_DECLINED;
  if (!Vouched(event, step.by().instance()) ||
      InstanceOfJurisdiction(step.by().jurisdiction_code()) != step.by().instance() ||
      !recipients_step || !common::IsWellFormedId("pstep", step.id()) ||
      step.text().size() > 4 * kMaxText) {
    return absl::InvalidArgumentError("peer reply not from a recipient of its own instance");
  }
  if (x.owner_instance() != events_.origin_instance) return absl::OkStatus();
  cmd->Hold(locks_.LockShared(x.request_id()));
  ASSIGN_OR_RETURN(std::optional<v1::PeerRequest> stored, store_.requests().Find(x.request_id()));
  if (!stored || !KeptHere(*stored)) return absl::OkStatus();
  for (const auto& s : stored->steps()) {
    if (s.id() == step.id()) return absl::OkStatus();  // applied already
  }
  // Applied when the request still allows it (another lead may have taken it first); either
  // way the request is published again, so that the replier's copy drops a refused step.
  if (CheckStep(*stored, step.by(), step.kind()).ok()) ApplyStep(&*stored, step);
  stored->set_version(stored->version() + 1);
  store_.requests().Put(&cmd->batch(), stored->id(), *stored);
  Publish(*stored, cmd);
  return absl::OkStatus();
}

}  // namespace renkei::network
