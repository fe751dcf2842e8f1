#include "network.h"

#include "network_rules.h"
#include "renkei/common/dates.h"
#include "renkei/common/errors.h"
#include "renkei/common/status_macros.h"

namespace renkei::network {

Network::Network(common::Store* store, common::Outbox* outbox, const common::RecordSealer* sealer,
                 common::EventSource events, NetworkOptions options, const common::Clock* clock)
    : store_(store, sealer),
      raw_store_(store),
      outbox_(outbox),
      events_(std::move(events)),
      options_(std::move(options)),
      clock_(clock) {
  events_.clock = clock;
}

bool Network::KeptHere(const v1::CoordinatorProfile& p) const {
  return p.home_instance() == events_.origin_instance;
}

bool Network::KeptHere(const v1::PeerRequest& r) const {
  return r.asker().instance() == events_.origin_instance;
}

absl::StatusOr<v1::CoordinatorProfile> Network::OwnProfile(const std::string& id,
                                                           std::string_view field) const {
  RETURN_IF_ERROR(common::CheckId("coo", id, field));
  ASSIGN_OR_RETURN(std::optional<v1::CoordinatorProfile> p, store_.profiles().Find(id));
  if (!p || !KeptHere(*p)) {
    return common::InvalidField(field,
                                "このインスタンスのコーディネーターではありません / not a "
                                "coordinator of this instance");
  }
  return *std::move(p);
}

v1::PeerParty Network::PartyOf(const v1::CoordinatorProfile& p) const {
  v1::PeerParty party;
  party.set_profile_id(p.id());
  // The name travels with a request, a step or a practice only when the coordinator shares it.
  if (p.sharing().name()) party.set_name(p.name());
  party.set_jurisdiction_code(p.jurisdiction_code());
  party.set_instance(p.home_instance());
  return party;
}

v1::ShareLevel Network::ShareOf(const v1::PeerRequest& r) const {
  const auto& to = r.recipient();
  std::string where;
  switch (to.kind()) {
    case v1::PEER_RECIPIENT_KIND_COORDINATOR:
      where = to.jurisdiction_code();
      if (where == options_.jurisdiction_code) return v1::SHARE_LEVEL_LOCAL;
      break;
    case v1::PEER_RECIPIENT_KIND_PREFECTURE_LEADS:
      where = to.prefecture_code();
      break;
    default:
      return v1::SHARE_LEVEL_NATIONAL;
  }
  return options_.level != v1::INSTANCE_LEVEL_NATIONAL &&
                 PrefectureOf(where) == PrefectureOf(options_.jurisdiction_code)
             ? v1::SHARE_LEVEL_PREFECTURE
             : v1::SHARE_LEVEL_NATIONAL;
}

void Network::Publish(const v1::PeerRequest& r, common::CommandBatch* cmd) const {
  auto e = common::NewEvent(events_, "network", r.id(), r.version(), ShareOf(r),
                            options_.jurisdiction_code);
  v1::PeerRequest travelling = r;
  travelling.clear_consultation_id();  // stays with the asker
  travelling.clear_overdue();
  travelling.clear_copy();
  *e.mutable_peer_request_published()->mutable_request() = std::move(travelling);
  cmd->AddEvent(e);
}

v1::PeerRequest Network::View(v1::PeerRequest r) const {
  r.set_copy(!KeptHere(r));
  const bool late =
      r.answer_by().year() != 0 && common::DateNumber(r.answer_by()) <
                                       common::DateNumber(common::TokyoDate(clock_->NowMicros()));
  r.set_overdue(late && !Settled(r.status()));
  return r;
}

absl::StatusOr<bool> Network::AddressedHere(const v1::PeerRequest& r) const {
  bool found = false;
  RETURN_IF_ERROR(store_.ForEachProfile([&](const v1::CoordinatorProfile& p) {
    found = KeptHere(p) && Receives(p, r);
    return !found;
  }));
  return found;
}

}  // namespace renkei::network
