// Network: peer requests — asked here, listed in inboxes, answered here or on a copy.
#include <algorithm>
#include <memory>

#include "network.h"
#include "network_rules.h"
#include "renkei/common/dates.h"
#include "renkei/common/errors.h"
#include "renkei/common/ids.h"
#include "renkei/common/status_macros.h"

namespace renkei::network {
namespace {

bool NeedsText(v1::PeerStepKind kind) {
  return kind == v1::PEER_STEP_KIND_ASKED_BACK || kind == v1::PEER_STEP_KIND_REPLIED ||
         kind == v1::PEER_STEP_KIND_ANSWERED || kind == v1::PEER_STEP_KIND_DECLINED;
}

bool RecipientStep(v1::PeerStepKind kind) {
  return kind == v1::PEER_STEP_KIND_TAKEN || kind == v1::PEER_STEP_KIND_ASKED_BACK ||
         kind == v1::PEER_STEP_KIND_ANSWERED || kind == v1::PEER_STEP_KIND_DECLINED;
}

void CheckExpertise(const google::protobuf::RepeatedPtrField<std::string>& codes,
                    const std::string& path, common::FieldViolations* v) {
  v->CheckCount(path, static_cast<size_t>(codes.size()), kMaxWantedExpertise);
  for (int i = 0; i < codes.size(); ++i) {
    if (!KnownExpertise(codes.Get(i))) {
      v->Add(path + "[" + std::to_string(i) + "]",
             "対応内容かスキルのコードではありません / not a capability or skill code");
    }
  }
}

}  // namespace

absl::StatusOr<v1::PeerRequest> Network::Ask(const v1::AskPeerRequest& r) {
  common::FieldViolations v;
  v.CheckText("theme", r.theme(), {.required = true, .max_chars = 200});
  v.CheckText("question", r.question(),
              {.required = true, .max_chars = kMaxText, .single_line = false});
  v.CheckText("context", r.context(), {.max_chars = kMaxText, .single_line = false});
  v.CheckEnum("urgency", r.urgency(), v1::PeerUrgency_IsValid, true);
  const auto& to = r.recipient();
  v.CheckEnum("recipient.kind", to.kind(), v1::PeerRecipientKind_IsValid, false);
  CheckExpertise(to.expertise(), "recipient.expertise", &v);
  if (to.kind() == v1::PEER_RECIPIENT_KIND_COORDINATOR &&
      !common::IsWellFormedId("coo", to.profile_id())) {
    v.Add("recipient.profile_id",
          "依頼するコーディネーターを指定してください / required (coo_...)");
  }
  if (to.kind() == v1::PEER_RECIPIENT_KIND_PREFECTURE_LEADS) {
    if (!IsPrefectureCode(to.prefecture_code())) {
      v.Add("recipient.prefecture_code",
            "都道府県のコードです (例: 130001 または 13) / a prefecture code");
    }
  }
  const auto& by = r.answer_by();
  v.CheckDate("answer_by", by.year(), by.month(), by.day());
  if (v.empty() && by.year() != 0 &&
      common::DateNumber(by) < common::DateNumber(common::TokyoDate(clock_->NowMicros()))) {
    v.Add("answer_by", "過去の日付です / in the past");
  }
  if (!r.consultation_id().empty() && !common::IsWellFormedId("con", r.consultation_id())) {
    v.Add("consultation_id", "相談の ID (con_...) です / a consultation id");
  }
  RETURN_IF_ERROR(v.ToStatus());
  ASSIGN_OR_RETURN(v1::CoordinatorProfile asker,
                   OwnProfile(r.asker_profile_id(), "asker_profile_id"));

  v1::PeerRequest req;
  req.set_id(common::NewId("preq", *clock_));
  *req.mutable_asker() = PartyOf(asker);
  auto* recipient = req.mutable_recipient();
  recipient->set_kind(to.kind());
  *recipient->mutable_expertise() = to.expertise();
  if (to.kind() == v1::PEER_RECIPIENT_KIND_COORDINATOR) {
    ASSIGN_OR_RETURN(std::optional<v1::CoordinatorProfile> named,
                     store_.profiles().Find(to.profile_id()));
    if (!named) {
      return common::InvalidField("recipient.profile_id",
                                  "このコーディネーターは見つかりません / no such coordinator");
    }
    if (named->id() == asker.id()) {
      return common::InvalidField("recipient.profile_id",
                                  "自分には依頼できません / cannot ask oneself");
    }
    if (!named->takes_peer_consultations()) {
      return common::InvalidField(
          "recipient.profile_id",
          "このコーディネーターは相談を受け付けていません / does not take peer consultations");
    }
    recipient->set_profile_id(named->id());
    recipient->set_jurisdiction_code(named->jurisdiction_code());
    recipient->set_instance(named->home_instance());
    if (named->sharing().name()) req.set_recipient_name(named->name());
  } else if (to.kind() == v1::PEER_RECIPIENT_KIND_PREFECTURE_LEADS) {
    recipient->set_prefecture_code(to.prefecture_code());
  }
  req.set_theme(r.theme());
  req.set_question(r.question());
  req.set_context(r.context());
  req.set_urgency(r.urgency() == v1::PEER_URGENCY_UNSPECIFIED ? v1::PEER_URGENCY_NORMAL
                                                              : r.urgency());
  *req.mutable_answer_by() = r.answer_by();
  req.set_status(v1::PEER_REQUEST_STATUS_SENT);
  req.set_consultation_id(r.consultation_id());
  *req.mutable_asked_at() = clock_->NowTimestamp();
  req.set_version(1);
  auto* asked = req.add_steps();
  asked->set_id(common::NewId("pstep", *clock_));
  asked->set_kind(v1::PEER_STEP_KIND_ASKED);
  *asked->mutable_by() = req.asker();
  *asked->mutable_at() = req.asked_at();

  common::CommandBatch cmd(raw_store_, outbox_);
  store_.requests().PutAnswer(&cmd, req.id(), req);
  Publish(req, &cmd);
  RETURN_IF_ERROR(cmd.Commit());
  return View(std::move(req));
}

absl::StatusOr<v1::PeerRequest> Network::GetRequest(const v1::GetPeerRequestRequest& r) const {
  RETURN_IF_ERROR(common::CheckId("preq", r.id(), "id"));
  ASSIGN_OR_RETURN(v1::PeerRequest req, store_.requests().Get(r.id()));
  return View(std::move(req));
}

absl::StatusOr<v1::ListPeerRequestsResponse> Network::ListRequests(
    const v1::ListPeerRequestsRequest& r) const {
  common::FieldViolations v;
  v.CheckEnum("box", r.box(), v1::PeerBox_IsValid, true);
  v.CheckEnum("status", r.status(), v1::PeerRequestStatus_IsValid, true);
  if (r.box() == v1::PEER_BOX_UNSPECIFIED && r.consultation_id().empty()) {
    v.Add("box",
          "受信か送信 (とプロフィール)、または相談を指定してください / give box and "
          "profile_id, or consultation_id");
  }
  if (r.box() != v1::PEER_BOX_UNSPECIFIED && !common::IsWellFormedId("coo", r.profile_id())) {
    v.Add("profile_id", "プロフィールの ID (coo_...) です / required with box");
  }
  if (!r.consultation_id().empty() && !common::IsWellFormedId("con", r.consultation_id())) {
    v.Add("consultation_id", "相談の ID (con_...) です / a consultation id");
  }
  RETURN_IF_ERROR(v.ToStatus());
  std::optional<v1::CoordinatorProfile> profile;
  if (r.box() != v1::PEER_BOX_UNSPECIFIED) {
    ASSIGN_OR_RETURN(profile, OwnProfile(r.profile_id(), "profile_id"));
  }
  v1::ListPeerRequestsResponse out;
  RETURN_IF_ERROR(store_.ForEachRequest([&](const v1::PeerRequest& stored) {
    if (profile) {
      const bool mine = r.box() == v1::PEER_BOX_INBOX
                            ? Receives(*profile, stored)
                            : stored.asker().profile_id() == profile->id();
      if (!mine) return true;
    }
    if (!r.consultation_id().empty() &&
        (!KeptHere(stored) || stored.consultation_id() != r.consultation_id())) {
      return true;
    }
    if (r.status() != v1::PEER_REQUEST_STATUS_UNSPECIFIED && stored.status() != r.status()) {
      return true;
    }
    v1::PeerRequest seen = View(stored);
    if (r.overdue_only() && !seen.overdue()) return true;
    *out.add_requests() = std::move(seen);
    return true;
  }));
  std::sort(out.mutable_requests()->begin(), out.mutable_requests()->end(),
            [](const v1::PeerRequest& a, const v1::PeerRequest& b) {
              const int64_t ta = common::MicrosFromTimestamp(a.asked_at());
              const int64_t tb = common::MicrosFromTimestamp(b.asked_at());
              return ta != tb ? ta > tb : a.id() > b.id();
            });
  return out;
}

absl::StatusOr<v1::PeerRequest> Network::Respond(const v1::RespondToPeerRequestRequest& r) {
  common::FieldViolations v;
  v.CheckEnum("kind", r.kind(), v1::PeerStepKind_IsValid, false);
  if (r.kind() == v1::PEER_STEP_KIND_ASKED) {
    v.Add("kind", "依頼は AskPeer で送ります / a request is asked with AskPeer");
  }
  v.CheckText("text", r.text(),
              {.required = NeedsText(r.kind()), .max_chars = kMaxText, .single_line = false});
  RETURN_IF_ERROR(v.ToStatus());
  RETURN_IF_ERROR(common::CheckId("preq", r.id(), "id"));
  ASSIGN_OR_RETURN(v1::CoordinatorProfile actor, OwnProfile(r.profile_id(), "profile_id"));
  auto guard = locks_.LockShared(r.id());
  ASSIGN_OR_RETURN(v1::PeerRequest req, store_.requests().Get(r.id()));
  const v1::PeerParty by = PartyOf(actor);
  // A lead's role and expertise are known here only: checked before the step goes anywhere.
  if (RecipientStep(r.kind()) && !Receives(actor, req)) {
    return common::InvalidField(
        "profile_id", "この相談依頼の宛先ではありません / not a recipient of the request");
  }
  // On a copy, the steps taken here and not yet applied by the owner count too: who answered
  // here cannot decline next.
  v1::PeerRequest projected = req;
  if (!KeptHere(req)) {
    projected.clear_steps();
    for (const auto& s : req.steps()) {
      if (s.pending()) ApplyStep(&projected, s);
    }
  }
  RETURN_IF_ERROR(CheckStep(projected, by, r.kind()));

  v1::PeerStep step;
  step.set_id(common::NewId("pstep", *clock_));
  step.set_kind(r.kind());
  *step.mutable_by() = by;
  step.set_text(r.text());
  *step.mutable_at() = clock_->NowTimestamp();

  common::CommandBatch cmd(raw_store_, outbox_);
  cmd.Hold(guard);
  if (KeptHere(req)) {
    ApplyStep(&req, step);
    req.set_version(req.version() + 1);
    store_.requests().PutAnswer(&cmd, req.id(), req);
    Publish(req, &cmd);
  } else {
    // A copy: the step waits here until the owner has applied it.
    step.set_pending(true);
    *req.add_steps() = step;
    store_.requests().PutAnswer(&cmd, req.id(), req);
    const bool same_prefecture =
        options_.level != v1::INSTANCE_LEVEL_NATIONAL &&
        PrefectureOf(req.asker().jurisdiction_code()) == PrefectureOf(options_.jurisdiction_code);
    auto e =
        common::NewEvent(events_, "network", req.id(), req.version(),
                         same_prefecture ? v1::SHARE_LEVEL_PREFECTURE : v1::SHARE_LEVEL_NATIONAL,
                         options_.jurisdiction_code);
    auto* p = e.mutable_peer_reply_sent();
    p->set_request_id(req.id());
    p->set_owner_instance(req.asker().instance());
    *p->mutable_step() = step;
    cmd.AddEvent(e);
  }
  RETURN_IF_ERROR(cmd.Commit());
  return View(std::move(req));
}

}  // namespace renkei::network
