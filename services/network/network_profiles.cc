// Network: coordinators' profiles — kept here, shared as their coordinators agree, listed.
#include <algorithm>
#include <memory>

#include "network.h"
#include "network_rules.h"
#include "renkei/common/errors.h"
#include "renkei/common/ids.h"
#include "renkei/common/status_macros.h"
#include "renkei/common/text.h"
#include "renkei/common/vocabulary.h"

namespace renkei::network {
namespace {

v1::ShareLevel LevelOf(const v1::CoordinatorProfile& p) {
  return p.sharing().level() == v1::SHARE_LEVEL_UNSPECIFIED ? v1::SHARE_LEVEL_LOCAL
                                                            : p.sharing().level();
}

// Name, affiliation and the labels of the expertise, normalized for search.
std::string SearchText(const v1::CoordinatorProfile& p) {
  std::string text = p.name() + " " + p.affiliation();
  for (const auto& code : p.expertise()) {
    const common::VocabularyEntry* e = common::FindVocabulary(common::kCapabilitySet, code);
    if (e == nullptr) e = common::FindVocabulary(common::kSkillSet, code);
    text += " " + code + " " + (e ? e->ja : "");
  }
  return common::NormalizeForSearch(text);
}

}  // namespace

absl::StatusOr<v1::CoordinatorProfile> Network::PutProfile(const v1::PutProfileRequest& r) {
  const bool creating = r.profile().id().empty();
  common::FieldViolations v;
  ValidateProfile(r.profile(), "profile", &v);
  if (!r.profile().jurisdiction_code().empty()) {
    v.CheckOwnCode("profile.jurisdiction_code", r.profile().jurisdiction_code(),
                   options_.jurisdiction_code);
  }
  if (!creating) common::CheckExpectedVersion(r.expected_version(), &v);
  RETURN_IF_ERROR(v.ToStatus());

  v1::CoordinatorProfile next = r.profile();
  std::optional<v1::CoordinatorProfile> previous;
  std::shared_ptr<common::StripedLocks::Guard> guard;  // held until the batch is committed
  if (creating) {
    next.set_id(common::NewId("coo", *clock_));
    next.set_version(1);
    *next.mutable_updated_at() = clock_->NowTimestamp();
  } else {
    RETURN_IF_ERROR(common::CheckId("coo", next.id(), "profile.id"));
    guard = locks_.LockShared(next.id());
    ASSIGN_OR_RETURN(
        v1::CoordinatorProfile loaded,
        common::LoadForChange(
            store_.profiles(), next.id(), r.expected_version(),
            {.id_field = "profile.id", .owner = [this](const v1::CoordinatorProfile& p) {
               return KeptHere(p) ? absl::OkStatus()
                                  : common::NotAllowedNow("profile.id",
                                                          "ほかのインスタンスのプロフィールです / "
                                                          "another instance keeps this profile");
             }}));
    next.set_version(loaded.version());
    common::NextVersion(&next, *clock_);
    previous = std::move(loaded);
  }
  next.set_jurisdiction_code(options_.jurisdiction_code);
  next.set_home_instance(events_.origin_instance);
  next.set_name(std::string(common::TrimSpaces(next.name())));

  common::CommandBatch cmd(raw_store_, outbox_);
  store_.profiles().PutAnswer(&cmd, next.id(), next);
  // Where it was shared and no longer is (or less far): the copies there are withdrawn. The
  // withdrawal names the level it is still shared at, so the instances that keep receiving it
  // keep their copy.
  const v1::ShareLevel before = previous ? LevelOf(*previous) : v1::SHARE_LEVEL_LOCAL;
  const v1::ShareLevel now = LevelOf(next);
  if (before > now && before != v1::SHARE_LEVEL_LOCAL) {
    auto e = common::NewEvent(events_, "network", next.id(), next.version(), before,
                              options_.jurisdiction_code);
    auto* p = e.mutable_profile_shared();
    p->mutable_profile()->set_id(next.id());
    p->mutable_profile()->set_jurisdiction_code(next.jurisdiction_code());
    p->mutable_profile()->set_home_instance(next.home_instance());
    p->mutable_profile()->set_version(next.version());
    p->mutable_profile()->mutable_sharing()->set_level(now);
    p->set_withdrawn(true);
    cmd.AddEvent(e);
  }
  if (now != v1::SHARE_LEVEL_LOCAL) {
    auto e = common::NewEvent(events_, "network", next.id(), next.version(), now,
                              options_.jurisdiction_code);
    *e.mutable_profile_shared()->mutable_profile() = SharedView(next);
    cmd.AddEvent(e);
  }
  RETURN_IF_ERROR(cmd.Commit());
  return next;
}

absl::StatusOr<v1::CoordinatorProfile> Network::GetProfile(const v1::GetProfileRequest& r) const {
  RETURN_IF_ERROR(common::CheckId("coo", r.id(), "id"));
  return store_.profiles().Get(r.id());
}

absl::StatusOr<v1::ListProfilesResponse> Network::ListProfiles(
    const v1::ListProfilesRequest& r) const {
  common::FieldViolations v;
  v.CheckEnum("role", r.role(), v1::NetworkRole_IsValid, true);
  v.CheckText("text", r.text(), {.max_chars = 200});
  v.CheckCount("expertise", static_cast<size_t>(r.expertise_size()), kMaxWantedExpertise);
  if (!r.jurisdiction_code().empty() && r.jurisdiction_code().size() != 6) {
    v.Add("jurisdiction_code", "6桁のコードです / a 6-digit code");
  }
  RETURN_IF_ERROR(v.ToStatus());
  const std::string text = common::NormalizeForSearch(r.text());
  const std::string& where = r.jurisdiction_code();
  // A prefecture's code ("130001") covers its municipalities.
  const bool prefecture = IsPrefectureCode(where);
  v1::ListProfilesResponse out;
  RETURN_IF_ERROR(store_.ForEachProfile([&](const v1::CoordinatorProfile& p) {
    if (r.role() != v1::NETWORK_ROLE_UNSPECIFIED && p.role() != r.role()) return true;
    if (r.takes_peer_consultations_only() && !p.takes_peer_consultations()) return true;
    if (!r.account().empty() && (p.account() != r.account() || !KeptHere(p))) return true;
    if (!where.empty() && p.jurisdiction_code() != where &&
        !(prefecture && PrefectureOf(p.jurisdiction_code()) == PrefectureOf(where))) {
      return true;
    }
    for (const auto& wanted : r.expertise()) {
      if (std::find(p.expertise().begin(), p.expertise().end(), wanted) == p.expertise().end())
        return true;
    }
    if (!text.empty() && SearchText(p).find(text) == std::string::npos) return true;
    *out.add_profiles() = KeptHere(p) ? p : SharedView(p);
    return true;
  }));
  std::sort(out.mutable_profiles()->begin(), out.mutable_profiles()->end(),
            [](const v1::CoordinatorProfile& a, const v1::CoordinatorProfile& b) {
              return a.jurisdiction_code() != b.jurisdiction_code()
                         ? a.jurisdiction_code() < b.jurisdiction_code()
                         : a.id() < b.id();
            });
  return out;
}

}  // namespace renkei::network
