// The coordinator network's domain, independent of gRPC (network_service.h is the edge):
// profiles (network_profiles.cc), peer requests asked and answered (network_requests.cc), the
// practice library (network_practices.cc), and what other instances' network events change here
// (network_events.cc). docs/network.md.
//
// A profile or request kept here is changed by commands; a copy (another instance's) only by
// that instance's events. A step taken on a copy is kept pending on it and sent to the owner,
// which applies it, or not when another step came first, and publishes the request again. Every
// command and every event applied is one synced batch with its events (consumers: inbox).
// Commands on one record are serialized by striped locks.
#pragma once

#include <mutex>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "network_store.h"
#include "practice_index.h"
#include "renkei/common/clock.h"
#include "renkei/common/events.h"
#include "renkei/common/locks.h"
#include "renkei/common/outbox.h"
#include "worksheets.h"

namespace renkei::network {

struct NetworkOptions {
  v1::InstanceLevel level = v1::INSTANCE_LEVEL_MUNICIPALITY;
  // The instance's jurisdiction: "132250", "130001", or "000000" for the nation.
  std::string jurisdiction_code;
  // The instance's regional issues, for publishing practices; none: not published here.
  Worksheets* worksheets = nullptr;
};

class Network {
 public:
  Network(common::Store* store, common::Outbox* outbox, const common::RecordSealer* sealer,
          common::EventSource events, NetworkOptions options,
          const common::Clock* clock = common::SystemClock::Get());

  absl::StatusOr<v1::CoordinatorProfile> PutProfile(const v1::PutProfileRequest& request);
  absl::StatusOr<v1::CoordinatorProfile> GetProfile(const v1::GetProfileRequest& request) const;
  absl::StatusOr<v1::ListProfilesResponse> ListProfiles(
      const v1::ListProfilesRequest& request) const;

  absl::StatusOr<v1::PeerRequest> Ask(const v1::AskPeerRequest& request);
  absl::StatusOr<v1::PeerRequest> GetRequest(const v1::GetPeerRequestRequest& request) const;
  absl::StatusOr<v1::ListPeerRequestsResponse> ListRequests(
      const v1::ListPeerRequestsRequest& request) const;
  absl::StatusOr<v1::PeerRequest> Respond(const v1::RespondToPeerRequestRequest& request);

  // Builds the practice library's index from the store. Call once before serving.
  absl::Status Load();
  absl::StatusOr<v1::Practice> PublishPractice(const v1::PublishPracticeRequest& request);
  absl::StatusOr<v1::Practice> WithdrawPractice(const v1::WithdrawPracticeRequest& request);
  absl::StatusOr<v1::Practice> GetPractice(const v1::GetPracticeRequest& request) const;
  absl::StatusOr<v1::SearchPracticesResponse> SearchPractices(
      const v1::SearchPracticesRequest& request) const;
  absl::StatusOr<v1::Practice> AnnotatePractice(const v1::AnnotatePracticeRequest& request);
  // The instance's own issue and observation events: a practice published here follows its
  // issue (steps, countermeasures, evaluation values) and is published again when it changed.
  absl::Status FollowIssue(const v1::EventEnvelope& event, common::CommandBatch* cmd);

  // A network event of another instance (aggregate "network", from the parent's or the
  // children's streams): a shared profile, a request addressed here, a reply to a request
  // asked here, a practice or a note on one. Others' events that concern nothing here change
  // nothing. A prefecture passes its municipalities' `pref` events on as its own (so they come
  // down to the other municipalities), the nation every child's `national` ones, in the same
  // batch and with an id derived from the original's: exactly once.
  absl::Status ApplyEvent(const v1::EventEnvelope& event, common::CommandBatch* cmd);

 private:
  // A profile kept here (not a copy); `field` names it in the error.
  absl::StatusOr<v1::CoordinatorProfile> OwnProfile(const std::string& id,
                                                    std::string_view field) const;
  bool KeptHere(const v1::CoordinatorProfile& p) const;
  bool KeptHere(const v1::PeerRequest& r) const;
  // Someone as a request, a step or a practice names them: the name only when their profile
  // shares it.
  v1::PeerParty PartyOf(const v1::CoordinatorProfile& p) const;
  // How far a request travels to reach its recipients (a recipient elsewhere in the prefecture:
  // the prefecture; in another prefecture, or the national network: every instance).
  v1::ShareLevel ShareOf(const v1::PeerRequest& r) const;
  // The owner's request published again (its copies follow it).
  void Publish(const v1::PeerRequest& r, common::CommandBatch* cmd) const;
  // The request as a caller here sees it: overdue and copy computed.
  v1::PeerRequest View(v1::PeerRequest r) const;
  // Whether any coordinator kept here receives the request.
  absl::StatusOr<bool> AddressedHere(const v1::PeerRequest& r) const;

  // Whether `author` (the instance a payload names as its own) stands behind the event: it sent
  // it, or an instance above this one passed it on.
  bool Vouched(const v1::EventEnvelope& event, const std::string& author) const;
  // The event passed on down as this instance's own, when this instance relays it.
  void Relay(const v1::EventEnvelope& event, common::CommandBatch* cmd) const;
  absl::Status ApplyProfile(const v1::EventEnvelope& event, common::CommandBatch* cmd);
  absl::Status ApplyPublished(const v1::EventEnvelope& event, common::CommandBatch* cmd);
  absl::Status ApplyReply(const v1::EventEnvelope& event, common::CommandBatch* cmd);
  absl::Status ApplyPractice(const v1::EventEnvelope& event, common::CommandBatch* cmd);
  absl::Status ApplyAnnotation(const v1::EventEnvelope& event, common::CommandBatch* cmd);

  // The issue's worksheet as a practice (no id, contact or version yet).
  absl::StatusOr<v1::Practice> Snapshot(const std::string& issue_id) const;
  // The practice published here for the issue, if any.
  absl::StatusOr<std::optional<v1::Practice>> PracticeOfIssue(const std::string& issue_id) const;
  // Puts the practice (the index follows after the commit), and publishes it when kept here.
  void StagePractice(const v1::Practice& p, common::CommandBatch* cmd);

  NetworkStore store_;
  common::Store* raw_store_;
  common::Outbox* outbox_;
  common::EventSource events_;
  NetworkOptions options_;
  const common::Clock* clock_;
  common::StripedLocks locks_;
  PracticeIndex index_;
  // Every change of a practice here (published, followed, withdrawn, annotated, received), held
  // until its batch commits: a withdrawal cannot be undone by a refresh in flight, a note cannot
  // be lost to one. Practices change rarely.
  std::mutex practices_mu_;
};

}  // namespace renkei::network
