#include "network_rules.h"

#include <algorithm>

#include "renkei/common/errors.h"
#include "renkei/common/jurisdiction.h"
#include "renkei/common/labels.h"
#include "renkei/common/vocabulary.h"

namespace renkei::network {

bool KnownExpertise(std::string_view code) {
  return common::FindVocabulary(common::kCapabilitySet, code) != nullptr ||
         common::FindVocabulary(common::kSkillSet, code) != nullptr;
}

void ValidateProfile(const v1::CoordinatorProfile& p, std::string_view path,
                     common::FieldViolations* v) {
  const std::string at(path);
  v->CheckText(at + ".name", p.name(), {.required = true, .max_chars = 100});
  v->CheckText(at + ".affiliation", p.affiliation(), {.max_chars = 200});
  v->CheckEnum(at + ".role", p.role(), v1::NetworkRole_IsValid, false);
  v->CheckCount(at + ".expertise", static_cast<size_t>(p.expertise_size()), kMaxExpertise);
  for (int i = 0; i < p.expertise_size(); ++i) {
    if (!KnownExpertise(p.expertise(i))) {
      v->Add(at + ".expertise[" + std::to_string(i) + "]",
             "対応内容かスキルのコードではありません / not a capability or skill code");
    }
  }
  v->CheckText(at + ".work_contact", p.work_contact(), {.max_chars = 200});
  v->CheckText(at + ".account", p.account(), {.max_chars = 100});
  v->CheckEnum(at + ".sharing.level", p.sharing().level(), v1::ShareLevel_IsValid, true);
}

v1::CoordinatorProfile SharedView(const v1::CoordinatorProfile& p) {
  v1::CoordinatorProfile out = p;
  const auto& s = p.sharing();
  if (!s.name()) out.clear_name();
  if (!s.affiliation()) out.clear_affiliation();
  if (!s.expertise()) out.clear_expertise();
  if (!s.work_contact()) out.clear_work_contact();
  out.clear_account();
  return out;
}

std::string PrefectureOf(std::string_view jurisdiction_code) {
  return std::string(jurisdiction_code.substr(0, 2));
}

bool IsPrefectureCode(std::string_view code) {
  const auto& j = common::Jurisdictions::Get();
  return (code.size() == 2 || code.size() == 6) && j.FindMunicipality(code) == nullptr &&
         j.FindPrefecture(code) != nullptr;
}

std::string InstanceOfJurisdiction(std::string_view code) {
  if (code == "000000") return "national";
  if (IsPrefectureCode(code)) return "p" + PrefectureOf(code);
  return "m" + std::string(code);
}

bool Receives(const v1::CoordinatorProfile& profile, const v1::PeerRequest& request) {
  if (profile.id() == request.asker().profile_id()) return false;
  const auto& to = request.recipient();
  const bool lead = profile.role() == v1::NETWORK_ROLE_LEAD_COORDINATOR;
  switch (to.kind()) {
    case v1::PEER_RECIPIENT_KIND_COORDINATOR:
      return profile.id() == to.profile_id();
    case v1::PEER_RECIPIENT_KIND_PREFECTURE_LEADS:
      return lead &&
             PrefectureOf(profile.jurisdiction_code()) == PrefectureOf(to.prefecture_code());
    case v1::PEER_RECIPIENT_KIND_NATIONAL_NETWORK:
      return lead &&
             (to.expertise().empty() ||
              std::any_of(to.expertise().begin(), to.expertise().end(),
                          [&](const std::string& wanted) {
                            return std::find(profile.expertise().begin(), profile.expertise().end(),
                                             wanted) != profile.expertise().end();
                          }));
    default:
      return false;
  }
}

bool Settled(v1::PeerRequestStatus status) {
  return status == v1::PEER_REQUEST_STATUS_ANSWERED || status == v1::PEER_REQUEST_STATUS_DECLINED ||
         status == v1::PEER_REQUEST_STATUS_WITHDRAWN;
}

absl::Status CheckStep(const v1::PeerRequest& request, const v1::PeerParty& by,
                       v1::PeerStepKind kind) {
  if (Settled(request.status())) {
    return common::NotAllowedNow("id", "この相談依頼は" +
                                           std::string(common::Label(request.status())) +
                                           "です / the request is settled");
  }
  const bool asker = by.profile_id() == request.asker().profile_id() &&
                     by.instance() == request.asker().instance();
  if (kind == v1::PEER_STEP_KIND_REPLIED || kind == v1::PEER_STEP_KIND_WITHDRAWN) {
    if (!asker) {
      return common::InvalidField("profile_id",
                                  "依頼した本人だけができます / only the asker can do this");
    }
    if (kind == v1::PEER_STEP_KIND_REPLIED &&
        request.status() != v1::PEER_REQUEST_STATUS_ASKED_BACK) {
      return common::NotAllowedNow("kind", "確認の質問はありません / nothing was asked back");
    }
    return absl::OkStatus();
  }
  const auto& to = request.recipient();
  bool recipient = false;
  switch (to.kind()) {
    case v1::PEER_RECIPIENT_KIND_COORDINATOR:
      recipient = by.profile_id() == to.profile_id() &&
                  (to.instance().empty() || by.instance() == to.instance());
      break;
    case v1::PEER_RECIPIENT_KIND_PREFECTURE_LEADS:
      recipient = PrefectureOf(by.jurisdiction_code()) == PrefectureOf(to.prefecture_code());
      break;
    case v1::PEER_RECIPIENT_KIND_NATIONAL_NETWORK:
      recipient = !asker;
      break;
    default:
      break;
  }
  if (!recipient) {
    return common::InvalidField(
        "profile_id", "この相談依頼の宛先ではありません / not a recipient of the request");
  }
  const auto& taken = request.taken_by();
  if (!taken.profile_id().empty() && taken.profile_id() != by.profile_id()) {
    return common::NotAllowedNow("id", "ほかのコーディネーター" +
                                           (taken.name().empty() ? "" : " (" + taken.name() + ")") +
                                           "が対応しています / another coordinator took it");
  }
  if (kind == v1::PEER_STEP_KIND_TAKEN && !taken.profile_id().empty()) {
    return common::NotAllowedNow("kind", "すでに引き受けています / already taken");
  }
  return absl::OkStatus();
}

void ApplyStep(v1::PeerRequest* request, const v1::PeerStep& step) {
  const bool named = request->recipient().kind() == v1::PEER_RECIPIENT_KIND_COORDINATOR;
  auto take = [&] {
    if (request->taken_by().profile_id().empty()) *request->mutable_taken_by() = step.by();
  };
  switch (step.kind()) {
    case v1::PEER_STEP_KIND_TAKEN:
      take();
      request->set_status(v1::PEER_REQUEST_STATUS_TAKEN);
      break;
    case v1::PEER_STEP_KIND_ASKED_BACK:
      take();
      request->set_status(v1::PEER_REQUEST_STATUS_ASKED_BACK);
      break;
    case v1::PEER_STEP_KIND_REPLIED:
      request->set_status(v1::PEER_REQUEST_STATUS_TAKEN);
      break;
    case v1::PEER_STEP_KIND_ANSWERED:
      take();
      request->set_status(v1::PEER_REQUEST_STATUS_ANSWERED);
      break;
    case v1::PEER_STEP_KIND_DECLINED:
      // A named coordinator's decline, or the decline of the one who took it, ends the request;
      // a lead who passes on an open request leaves it to the others.
      if (named || request->taken_by().profile_id() == step.by().profile_id()) {
        request->set_status(v1::PEER_REQUEST_STATUS_DECLINED);
      }
      break;
    case v1::PEER_STEP_KIND_WITHDRAWN:
      request->set_status(v1::PEER_REQUEST_STATUS_WITHDRAWN);
      break;
    default:
      break;
  }
  v1::PeerStep applied = step;
  applied.set_pending(false);
  *request->add_steps() = std::move(applied);
}

}  // namespace renkei::network
