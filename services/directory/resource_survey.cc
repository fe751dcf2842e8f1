#include "resource_survey.h"

#include <sodium.h>

#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/escaping.h"
#include "renkei/common/dates.h"
#include "renkei/common/errors.h"
#include "renkei/common/ids.h"
#include "renkei/common/jurisdiction.h"
#include "renkei/common/labels.h"
#include "renkei/common/log.h"
#include "renkei/common/qr.h"
#include "renkei/common/requests.h"
#include "renkei/common/status_macros.h"
#include "renkei/common/text.h"
#include "renkei/common/validation.h"
#include "resource_rules.h"
#include "vocabulary.h"

namespace renkei::directory {
namespace {

using common::FieldViolations;

constexpr char kCampaigns[] = "survey_campaigns";
constexpr char kSecrets[] = "survey_secrets";
constexpr char kInvitations[] = "survey_invitations";
constexpr char kService[] = "/renkei.v1.ResourceSurveyService/";
constexpr size_t kMaxTargets = 5000;
constexpr size_t kMacChars = 22;  // base64url of 16 bytes, unpadded

constexpr char kLinkInvalid[] = "SURVEY_LINK_INVALID";
constexpr char kLinkExpired[] = "SURVEY_LINK_EXPIRED";
constexpr char kAlreadySubmitted[] = "SURVEY_ALREADY_SUBMITTED";

bool IsOpen(v1::ResourceSurveyState s) {
  return s == v1::RESOURCE_SURVEY_STATE_NOT_ANSWERED || s == v1::RESOURCE_SURVEY_STATE_DRAFT;
}
bool IsSubmitted(v1::ResourceSurveyState s) {
  return s == v1::RESOURCE_SURVEY_STATE_SUBMITTED || s == v1::RESOURCE_SURVEY_STATE_ACCEPTED ||
         s == v1::RESOURCE_SURVEY_STATE_REJECTED;
}

absl::Status LinkRefused(std::string_view reason, std::string_view message) {
  return common::WithErrorReason(absl::UnauthenticatedError(std::string(message)), reason);
}

std::string MunicipalityName(const std::string& code) {
  const auto* m = common::Jurisdictions::Get().FindMunicipality(code);
  return m != nullptr ? m->name : code;
}

std::string JapaneseDate(const v1::Date& d) {
  return std::to_string(d.year()) + "年" + std::to_string(d.month()) + "月" +
         std::to_string(d.day()) + "日";
}

std::string Joined(const std::vector<std::string>& items) {
  if (items.empty()) return "（なし）";
  std::string out;
  for (const auto& i : items) out += (out.empty() ? "" : "、") + i;
  return out;
}

std::string LiaisonText(const v1::LiaisonContact& l) {
  std::vector<std::string> parts;
  if (!l.department().empty()) parts.push_back(l.department());
  if (!l.phone().empty()) parts.push_back("電話 " + l.phone());
  if (!l.fax().empty()) parts.push_back("FAX " + l.fax());
  if (!l.email().empty()) parts.push_back(l.email());
  if (parts.empty()) return "（なし）";
  std::string out = Joined(parts);
  if (l.internal()) out += "（関係者のみ）";
  return out;
}

}  // namespace

std::vector<std::string> ResourceSurveys::ColumnFamilies() {
  return {kCampaigns, kSecrets, kInvitations};
}

ResourceSurveys::ResourceSurveys(Directory* directory, common::Outbox* outbox,
                                 const common::RecordSealer* sealer, common::EventSource events,
                                 common::AuditLog* audit, common::Mailer* mailer,
                                 SurveyOptions options, const common::Clock* clock)
    : directory_(directory),
      outbox_(outbox),
      events_(std::move(events)),
      audit_(audit),
      mailer_(mailer),
      options_(std::move(options)),
      clock_(clock),
      campaigns_(directory->store(), sealer, kCampaigns, {"資源調査", "resource survey"}),
      secrets_(directory->store(), sealer, kSecrets, {"資源調査の鍵", "resource survey secret"}),
      invitations_(directory->store(), sealer, kInvitations,
                   {"資源調査の依頼", "resource survey invitation"}) {}

v1::Date ResourceSurveys::Today() const { return common::TokyoDate(clock_->NowMicros()); }

// ---------------------------------------------------------------------------------------------
// Links.

absl::StatusOr<std::string> ResourceSurveys::Token(
    const v1::ResourceSurveyInvitation& invitation) const {
  ASSIGN_OR_RETURN(auto secret, secrets_.Get(invitation.campaign_id()));
  if (secret.value().size() != crypto_auth_hmacsha256_KEYBYTES) {
    return absl::DataLossError("survey secret has the wrong size");
  }
  const std::string message = invitation.id() + ":" + std::to_string(invitation.link_generation());
  unsigned char mac[crypto_auth_hmacsha256_BYTES];
  crypto_auth_hmacsha256(mac, reinterpret_cast<const unsigned char*>(message.data()),
                         message.size(),
                         reinterpret_cast<const unsigned char*>(secret.value().data()));
  std::string encoded =
      absl::WebSafeBase64Escape(std::string(reinterpret_cast<const char*>(mac), 16));
  return invitation.id() + "." + encoded.substr(0, kMacChars);
}

absl::StatusOr<std::string> ResourceSurveys::LinkOf(
    const v1::ResourceSurveyInvitation& invitation) const {
  ASSIGN_OR_RETURN(std::string token, Token(invitation));
  // The token travels in the fragment: browsers never send it to a server or in a Referer.
  return options_.link_origin + "/survey/#t=" + token;
}

absl::StatusOr<ResourceSurveys::Loaded> ResourceSurveys::Authenticate(
    const std::string& token) const {
  const std::string_view invalid =
      "回答用リンクが正しくありません。お手元の依頼状のリンクか QR コードから開いてください";
  const size_t dot = token.find('.');
  if (token.size() > 100 || dot == std::string::npos ||
      !common::IsWellFormedId("rsi", std::string_view(token).substr(0, dot)) ||
      token.size() - dot - 1 != kMacChars) {
    // Not a link this service issues at all (a cut-off copy, a typo): the field is wrong.
    return common::WithErrorReason(common::InvalidField("token", invalid), kLinkInvalid);
  }
  Loaded out;
  auto invitation = invitations_.Find(token.substr(0, dot));
  if (!invitation.ok()) return invitation.status();
  if (!invitation->has_value()) return LinkRefused(kLinkInvalid, invalid);
  out.invitation = std::move(**invitation);
  ASSIGN_OR_RETURN(std::string expected, Token(out.invitation));
  if (sodium_memcmp(expected.data(), token.data(), expected.size()) != 0 ||
      expected.size() != token.size()) {
    return LinkRefused(kLinkInvalid, invalid);
  }
  if (out.invitation.state() == v1::RESOURCE_SURVEY_STATE_REVOKED) {
    return LinkRefused(kLinkInvalid,
                       "この回答用リンクは無効になりました。調査の担当窓口にお問い合わせください");
  }
  if (common::DateNumber(Today()) > common::DateNumber(out.invitation.links_expire_on())) {
    return LinkRefused(kLinkExpired, "この回答用リンクの有効期限 (" +
                                         JapaneseDate(out.invitation.links_expire_on()) +
                                         ") が過ぎました。調査の担当窓口にお問い合わせください");
  }
  ASSIGN_OR_RETURN(out.campaign, campaigns_.Get(out.invitation.campaign_id()));
  return out;
}

// ---------------------------------------------------------------------------------------------
// Records, events, audit.

void ResourceSurveys::Audit(common::CommandBatch* cmd, std::string_view rpc,
                            std::string_view record_type, std::string_view record_id) const {
  if (audit_ == nullptr) return;
  v1::AuditEntry e;
  e.set_subject(std::string(common::CurrentCallerSubject()));
  e.set_rpc(std::string(kService) + std::string(rpc));
  e.set_record_type(std::string(record_type));
  e.set_record_id(std::string(record_id));
  e.set_action(v1::AUDIT_ACTION_CHANGE);
  audit_->JournalInto(&cmd->batch(), std::move(e));
}

absl::StatusOr<v1::ResourceSurveyInvitation> ResourceSurveys::CommitInvitation(
    common::CommandBatch* cmd, const v1::ResourceSurveyInvitation& invitation,
    const v1::EventEnvelope& event, std::string_view rpc) const {
  invitations_.Put(&cmd->batch(), invitation.id(), invitation);
  cmd->AddEvent(event);
  Audit(cmd, rpc, "renkei.v1.ResourceSurveyInvitation", invitation.id());
  cmd->SetAnswer(invitation);
  RETURN_IF_ERROR(cmd->Commit());
  return invitation;
}

v1::EventEnvelope ResourceSurveys::SurveyEvent(const std::string& campaign_id,
                                               int64_t version) const {
  return common::NewEvent(events_, "resource_survey", campaign_id, version, v1::SHARE_LEVEL_LOCAL,
                          options_.municipality_code);
}

absl::StatusOr<v1::ResourceSurveyInvitation> ResourceSurveys::LoadInvitation(
    const std::string& id, int64_t expected_version) const {
  RETURN_IF_ERROR(common::CheckId("rsi", id, "invitation_id"));
  RETURN_IF_ERROR(common::CheckExpectedVersion(expected_version));
  return common::LoadForChange(invitations_, id, expected_version,
                               {.id_field = "invitation_id", .owner = nullptr, .state = nullptr});
}

absl::StatusOr<v1::ResourceSurveyCampaign> ResourceSurveys::LoadCampaign(
    const std::string& id, std::string_view field) const {
  RETURN_IF_ERROR(common::CheckId("rsv", id, field));
  return campaigns_.Get(id);
}

absl::StatusOr<std::vector<v1::ResourceSurveyInvitation>> ResourceSurveys::InvitationsOf(
    const std::string& campaign_id) const {
  std::vector<v1::ResourceSurveyInvitation> out;
  RETURN_IF_ERROR(
      invitations_.ForEach("", [&](std::string_view, const v1::ResourceSurveyInvitation& i) {
        if (i.campaign_id() == campaign_id) out.push_back(i);
        return true;
      }));
  std::stable_sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return a.resource_name() < b.resource_name();
  });
  return out;
}

v1::ResourceSurveyProgress ResourceSurveys::Progress(
    const std::vector<v1::ResourceSurveyInvitation>& invitations) const {
  v1::ResourceSurveyProgress p;
  std::map<std::string, v1::ResourceSurveyRate> by_kind, by_area;
  for (const auto& i : invitations) {
    const bool answered = IsSubmitted(i.state());
    p.set_invited(p.invited() + 1);
    if (answered) p.set_answered(p.answered() + 1);
    switch (i.state()) {
      case v1::RESOURCE_SURVEY_STATE_DRAFT:
        p.set_drafts(p.drafts() + 1);
        break;
      case v1::RESOURCE_SURVEY_STATE_SUBMITTED:
        p.set_awaiting_review(p.awaiting_review() + 1);
        break;
      case v1::RESOURCE_SURVEY_STATE_ACCEPTED:
        p.set_accepted(p.accepted() + 1);
        break;
      case v1::RESOURCE_SURVEY_STATE_REJECTED:
        p.set_rejected(p.rejected() + 1);
        break;
      case v1::RESOURCE_SURVEY_STATE_REVOKED:
        p.set_revoked(p.revoked() + 1);
        break;
      default:
        break;
    }
    auto count = [&](std::map<std::string, v1::ResourceSurveyRate>& rates, const std::string& key,
                     const std::string& label) {
      auto& r = rates[key];
      r.set_key(key);
      r.set_label(label);
      r.set_invited(r.invited() + 1);
      if (answered) r.set_answered(r.answered() + 1);
    };
    count(by_kind, KindCode(i.resource_kind()), std::string(common::Label(i.resource_kind())));
    count(by_area, i.resource_municipality_code(),
          MunicipalityName(i.resource_municipality_code()));
  }
  auto rate = [](int answered, int invited) {
    return invited == 0 ? 0.0 : static_cast<double>(answered) / invited;
  };
  p.set_response_rate(rate(p.answered(), p.invited()));
  for (auto* rates : {&by_kind, &by_area}) {
    for (auto& [key, r] : *rates) {
      r.set_rate(rate(r.answered(), r.invited()));
      *(rates == &by_kind ? p.add_by_kind() : p.add_by_area()) = r;
    }
  }
  return p;
}

// ---------------------------------------------------------------------------------------------
// Campaigns.

absl::StatusOr<v1::ResourceSurveyCampaign> ResourceSurveys::Start(
    const v1::StartResourceSurveyRequest& r) {
  if (options_.municipality_code.empty()) {
    return common::NotAllowedNow("",
                                 "資源調査は市区町村のインスタンスで行います / resource "
                                 "surveys run on a municipality's instance");
  }
  const v1::Date today = Today();
  FieldViolations v;
  v.CheckText("name", r.name(), {.required = true, .max_chars = 100});
  v.CheckText("contact_text", r.contact_text(), {.max_chars = 300, .single_line = false});
  const size_t before = v.violations().size();
  v.CheckDate("deadline", r.deadline().year(), r.deadline().month(), r.deadline().day(),
              /*required=*/true);
  v.CheckDate("links_expire_on", r.links_expire_on().year(), r.links_expire_on().month(),
              r.links_expire_on().day());
  v1::Date expires =
      r.links_expire_on().year() != 0 ? r.links_expire_on() : common::AddDays(r.deadline(), 14);
  if (v.violations().size() == before) {
    if (common::DateNumber(r.deadline()) < common::DateNumber(today)) {
      v.Add("deadline", "回答期限は今日以降の日付です / today or later");
    }
    if (common::DateNumber(expires) < common::DateNumber(r.deadline())) {
      v.Add("links_expire_on", "回答期限より後の日付です / on or after the deadline");
    } else if (common::DaysBetween(today, expires) > 366) {
      v.Add("links_expire_on", "1年以内の日付です / within a year");
    }
  }
  const auto& t = r.targets();
  v.CheckCount("targets.resource_ids", static_cast<size_t>(t.resource_ids_size()), kMaxTargets);
  if (t.resource_ids_size() > 0 && (t.kinds_size() > 0 || t.include_serving())) {
    v.Add("targets.resource_ids",
          "資源の一覧を指定するときは種別・対応地域は指定しません / a list of resources, or kinds "
          "and area, not both");
  }
  for (int i = 0; i < t.kinds_size(); ++i) {
    v.CheckEnum("targets.kinds[" + std::to_string(i) + "]", t.kinds(i), v1::ResourceKind_IsValid,
                /*allow_unspecified=*/false);
  }
  for (int i = 0; i < r.questions().capabilities_size(); ++i) {
    if (!directory_->vocabulary().Contains(r.questions().capabilities(i))) {
      v.Add("questions.capabilities[" + std::to_string(i) + "]",
            "未定義の対応内容です / unknown capability");
    }
  }
  RETURN_IF_ERROR(v.ToStatus());

  // The resources surveyed.
  std::vector<v1::Resource> targets;
  if (t.resource_ids_size() > 0) {
    std::set<std::string> seen;
    for (int i = 0; i < t.resource_ids_size() && i < static_cast<int>(kMaxTargets); ++i) {
      const std::string field = "targets.resource_ids[" + std::to_string(i) + "]";
      if (!seen.insert(t.resource_ids(i)).second) continue;
      auto res = directory_->Get(t.resource_ids(i));
      if (absl::IsNotFound(res.status()) || absl::IsInvalidArgument(res.status())) {
        v.Add(field, "資源が見つかりません / no such resource");
        continue;
      }
      if (!res.ok()) return res.status();
      targets.push_back(std::move(*res));
    }
  } else {
    std::vector<int> kinds(t.kinds().begin(), t.kinds().end());
    ASSIGN_OR_RETURN(
        targets, directory_->ResourcesOf(options_.municipality_code, kinds, t.include_serving()));
    if (targets.empty()) v.Add("targets", "対象になる資源がありません / no resource matches");
  }
  RETURN_IF_ERROR(v.ToStatus());

  v1::ResourceSurveyCampaign campaign;
  campaign.set_id(common::NewId("rsv", *clock_));
  campaign.set_name(std::string(common::TrimSpaces(r.name())));
  campaign.set_municipality_code(options_.municipality_code);
  *campaign.mutable_deadline() = r.deadline();
  *campaign.mutable_links_expire_on() = expires;
  *campaign.mutable_targets() = t;
  *campaign.mutable_questions() = r.questions();
  campaign.set_contact_text(r.contact_text());
  *campaign.mutable_started_at() = clock_->NowTimestamp();
  campaign.set_started_by(std::string(common::CurrentCallerSubject()));
  campaign.set_version(1);
  *campaign.mutable_updated_at() = campaign.started_at();

  std::string secret(crypto_auth_hmacsha256_KEYBYTES, '\0');
  randombytes_buf(secret.data(), secret.size());
  google::protobuf::BytesValue stored_secret;
  stored_secret.set_value(secret);
  sodium_memzero(secret.data(), secret.size());

  common::CommandBatch cmd(directory_->store(), outbox_);
  campaigns_.Put(&cmd.batch(), campaign.id(), campaign);
  secrets_.Put(&cmd.batch(), campaign.id(), stored_secret);
  std::vector<v1::ResourceSurveyInvitation> invitations;
  for (const auto& res : targets) {
    v1::ResourceSurveyInvitation i;
    i.set_id(common::DeterministicId("rsi", campaign.id() + ":" + res.id()));
    i.set_campaign_id(campaign.id());
    i.set_resource_id(res.id());
    i.set_resource_name(res.name());
    i.set_resource_kind(res.kind());
    i.set_resource_municipality_code(res.municipality_code());
    i.set_state(v1::RESOURCE_SURVEY_STATE_NOT_ANSWERED);
    *i.mutable_links_expire_on() = expires;
    i.set_version(1);
    *i.mutable_updated_at() = campaign.started_at();
    invitations_.Put(&cmd.batch(), i.id(), i);
    invitations.push_back(std::move(i));
  }
  auto e = SurveyEvent(campaign.id(), 1);
  auto* p = e.mutable_resource_survey_started();
  p->set_campaign_id(campaign.id());
  p->set_municipality_code(options_.municipality_code);
  p->set_invited(static_cast<int32_t>(invitations.size()));
  cmd.AddEvent(e);
  Audit(&cmd, "StartResourceSurvey", "renkei.v1.ResourceSurveyCampaign", campaign.id());
  v1::ResourceSurveyCampaign answer = campaign;
  *answer.mutable_progress() = Progress(invitations);
  cmd.SetAnswer(answer);
  RETURN_IF_ERROR(cmd.Commit());
  return answer;
}

absl::StatusOr<v1::ResourceSurveyCampaign> ResourceSurveys::Get(
    const v1::GetResourceSurveyRequest& r) const {
  ASSIGN_OR_RETURN(auto campaign, LoadCampaign(r.id(), "id"));
  ASSIGN_OR_RETURN(auto invitations, InvitationsOf(campaign.id()));
  *campaign.mutable_progress() = Progress(invitations);
  return campaign;
}

absl::StatusOr<v1::ListResourceSurveysResponse> ResourceSurveys::List() const {
  std::vector<v1::ResourceSurveyCampaign> campaigns;
  RETURN_IF_ERROR(campaigns_.ForEach("", [&](std::string_view, const auto& c) {
    campaigns.push_back(c);
    return true;
  }));
  std::map<std::string, std::vector<v1::ResourceSurveyInvitation>> by_campaign;
  RETURN_IF_ERROR(
      invitations_.ForEach("", [&](std::string_view, const v1::ResourceSurveyInvitation& i) {
        by_campaign[i.campaign_id()].push_back(i);
        return true;
      }));
  v1::ListResourceSurveysResponse out;
  for (auto it = campaigns.rbegin(); it != campaigns.rend(); ++it) {  // ids are time-ordered
    auto* c = out.add_campaigns();
    *c = *it;
    *c->mutable_progress() = Progress(by_campaign[c->id()]);
  }
  return out;
}

absl::StatusOr<v1::ListResourceSurveyInvitationsResponse> ResourceSurveys::ListInvitations(
    const v1::ListResourceSurveyInvitationsRequest& r) const {
  FieldViolations v;
  v.CheckEnum("state", r.state(), v1::ResourceSurveyState_IsValid, /*allow_unspecified=*/true);
  RETURN_IF_ERROR(v.ToStatus());
  ASSIGN_OR_RETURN(auto campaign, LoadCampaign(r.campaign_id(), "campaign_id"));
  ASSIGN_OR_RETURN(auto invitations, InvitationsOf(campaign.id()));
  v1::ListResourceSurveyInvitationsResponse out;
  for (auto& i : invitations) {
    if (r.state() != v1::RESOURCE_SURVEY_STATE_UNSPECIFIED && i.state() != r.state()) continue;
    if (i.state() == v1::RESOURCE_SURVEY_STATE_SUBMITTED) {
      auto res = directory_->Get(i.resource_id());
      if (res.ok()) {
        for (auto& c : Compare(i.answer(), campaign.questions(), *res)) {
          *i.add_comparison() = std::move(c);
        }
      }
    }
    *out.add_invitations() = std::move(i);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The provider's form.

v1::ResourceSurveyForm ResourceSurveys::Form(const Loaded& loaded,
                                             const v1::Resource* resource) const {
  const auto& c = loaded.campaign;
  const auto& i = loaded.invitation;
  v1::ResourceSurveyForm form;
  form.set_campaign_name(c.name());
  form.set_municipality_name(MunicipalityName(c.municipality_code()));
  *form.mutable_deadline() = c.deadline();
  *form.mutable_links_expire_on() = i.links_expire_on();
  form.set_state(i.state());
  form.set_contact_text(c.contact_text());
  *form.mutable_questions() = c.questions();
  const auto& vocab = directory_->vocabulary();
  if (c.questions().capabilities_size() == 0) {
    for (const auto& cap : vocab.all()) *form.add_capability_choices() = cap;
  } else {
    for (const auto& code : c.questions().capabilities()) {
      int idx = vocab.IndexOf(code);
      if (idx >= 0) *form.add_capability_choices() = vocab.at(idx);
    }
  }
  if (resource != nullptr) {
    // What the provider may see of its own record: its public fields and its liaison contact.
    v1::Resource& shown = *form.mutable_resource();
    shown.set_id(resource->id());
    shown.set_kind(resource->kind());
    shown.set_name(resource->name());
    shown.set_address(resource->address());
    shown.set_municipality_code(resource->municipality_code());
    *shown.mutable_capabilities() = resource->capabilities();
    shown.set_accepting_new_patients(resource->accepting_new_patients());
    *shown.mutable_service_area() = resource->service_area();
    shown.set_hours(resource->hours());
    if (resource->has_liaison()) *shown.mutable_liaison() = resource->liaison();
  }
  if (i.answer().has_saved_at()) {
    *form.mutable_answer() = i.answer();
  } else if (resource != nullptr) {
    // Pre-filled with what the directory holds.
    auto* a = form.mutable_answer();
    for (const auto& choice : form.capability_choices()) {
      const auto& caps = resource->capabilities();
      if (std::find(caps.begin(), caps.end(), choice.code()) != caps.end()) {
        a->add_capabilities(choice.code());
      }
    }
    a->set_accepting_new_patients(resource->accepting_new_patients());
    *a->mutable_service_area() = resource->service_area();
    a->set_hours(resource->hours());
    if (resource->has_liaison()) *a->mutable_liaison() = resource->liaison();
  }
  return form;
}

absl::StatusOr<v1::ResourceSurveyForm> ResourceSurveys::Open(
    const v1::OpenResourceSurveyFormRequest& r) const {
  ASSIGN_OR_RETURN(Loaded loaded, Authenticate(r.token()));
  auto res = directory_->Get(loaded.invitation.resource_id());
  if (!res.ok() && !absl::IsNotFound(res.status())) return res.status();
  return Form(loaded, res.ok() ? &*res : nullptr);
}

void ResourceSurveys::ValidateAnswer(const v1::ResourceSurveyAnswer& a,
                                     const v1::ResourceSurveyQuestions& q, const std::string& path,
                                     FieldViolations* v) const {
  const auto& vocab = directory_->vocabulary();
  v->CheckCount(path + "capabilities", static_cast<size_t>(a.capabilities_size()),
                kMaxCapabilities);
  for (int i = 0; i < a.capabilities_size() && i < static_cast<int>(kMaxCapabilities); ++i) {
    const std::string& code = a.capabilities(i);
    const bool asked = q.capabilities_size() == 0
                           ? vocab.Contains(code)
                           : std::find(q.capabilities().begin(), q.capabilities().end(), code) !=
                                 q.capabilities().end();
    if (!asked) {
      v->Add(path + "capabilities[" + std::to_string(i) + "]",
             "この調査で尋ねていない対応内容です / not a capability this survey asks about");
    }
  }
  v->CheckEnum(path + "accepting_new_patients", a.accepting_new_patients(), v1::Acceptance_IsValid,
               /*allow_unspecified=*/true);
  v->CheckCount(path + "service_area", static_cast<size_t>(a.service_area_size()), kMaxServiceArea);
  for (int i = 0; i < a.service_area_size() && i < static_cast<int>(kMaxServiceArea); ++i) {
    v->CheckMunicipalityCode(path + "service_area[" + std::to_string(i) + "]", a.service_area(i));
  }
  v->CheckText(path + "hours", a.hours(), {.max_chars = kMaxHoursChars});
  ValidateLiaison(a.liaison(), path + "liaison", v);
  v->CheckText(path + "note", a.note(), {.max_chars = kMaxNoteChars, .single_line = false});
}

absl::StatusOr<v1::ResourceSurveyForm> ResourceSurveys::Save(
    const v1::SaveResourceSurveyAnswerRequest& r) {
  ASSIGN_OR_RETURN(Loaded loaded, Authenticate(r.token()));
  v1::ResourceSurveyAnswer answer = r.answer();
  answer.clear_saved_at();
  answer.clear_submitted_at();
  CanonicalizeLiaison(answer.mutable_liaison());
  answer.set_hours(std::string(common::TrimSpaces(answer.hours())));
  FieldViolations v;
  ValidateAnswer(answer, loaded.campaign.questions(), "answer.", &v);
  RETURN_IF_ERROR(v.ToStatus());
  // Only what the campaign asks is kept.
  const auto& q = loaded.campaign.questions();
  if (!q.accepting_new_patients()) answer.clear_accepting_new_patients();
  if (!q.service_area()) answer.clear_service_area();
  if (!q.hours()) answer.clear_hours();
  if (!q.liaison()) answer.clear_liaison();
  if (!q.note()) answer.clear_note();
  {
    std::vector<std::string> caps(answer.capabilities().begin(), answer.capabilities().end());
    std::sort(caps.begin(), caps.end());
    caps.erase(std::unique(caps.begin(), caps.end()), caps.end());
    answer.clear_capabilities();
    for (auto& c : caps) answer.add_capabilities(std::move(c));
  }
  if (answer.liaison().ByteSizeLong() == 0) answer.clear_liaison();

  auto guard = locks_.LockShared(loaded.invitation.id());
  ASSIGN_OR_RETURN(v1::ResourceSurveyInvitation i, invitations_.Get(loaded.invitation.id()));
  if (IsSubmitted(i.state())) {
    return common::WithErrorReason(
        absl::FailedPreconditionError("この調査への回答はすでに送信されています。内容を変える"
                                      "ときは調査の担当窓口にお問い合わせください"),
        kAlreadySubmitted);
  }
  if (i.link_generation() != loaded.invitation.link_generation() ||
      i.state() == v1::RESOURCE_SURVEY_STATE_REVOKED) {
    return LinkRefused(kLinkInvalid, "この回答用リンクは無効になりました");
  }
  *answer.mutable_saved_at() = clock_->NowTimestamp();
  if (r.submit()) *answer.mutable_submitted_at() = answer.saved_at();
  *i.mutable_answer() = answer;
  i.set_state(r.submit() ? v1::RESOURCE_SURVEY_STATE_SUBMITTED : v1::RESOURCE_SURVEY_STATE_DRAFT);
  i.set_version(i.version() + 1);
  *i.mutable_updated_at() = answer.saved_at();

  common::CommandBatch cmd(directory_->store(), outbox_);
  cmd.Hold(guard);
  invitations_.Put(&cmd.batch(), i.id(), i);
  if (r.submit()) {
    auto e = SurveyEvent(i.campaign_id(), i.version());
    auto* p = e.mutable_resource_survey_answered();
    p->set_campaign_id(i.campaign_id());
    p->set_invitation_id(i.id());
    p->set_resource_id(i.resource_id());
    cmd.AddEvent(e);
  }
  Audit(&cmd, "SaveResourceSurveyAnswer", "renkei.v1.ResourceSurveyInvitation", i.id());
  loaded.invitation = i;
  auto res = directory_->Get(i.resource_id());
  v1::ResourceSurveyForm form = Form(loaded, res.ok() ? &*res : nullptr);
  cmd.SetAnswer(form);
  RETURN_IF_ERROR(cmd.Commit());
  return form;
}

// ---------------------------------------------------------------------------------------------
// Review.

std::vector<v1::ResourceSurveyComparison> ResourceSurveys::Compare(
    const v1::ResourceSurveyAnswer& a, const v1::ResourceSurveyQuestions& q,
    const v1::Resource& r) const {
  const auto& vocab = directory_->vocabulary();
  std::vector<v1::ResourceSurveyComparison> out;
  auto add = [&](const char* field, const char* label, std::string in_directory,
                 std::string answered) {
    v1::ResourceSurveyComparison c;
    c.set_field(field);
    c.set_label(label);
    c.set_differs(in_directory != answered);
    c.set_directory_value(std::move(in_directory));
    c.set_answer_value(std::move(answered));
    out.push_back(std::move(c));
  };
  // The capabilities asked, as the directory has them and as answered.
  std::vector<std::string> asked;
  if (q.capabilities_size() == 0) {
    for (const auto& c : vocab.all()) asked.push_back(c.code());
  } else {
    asked.assign(q.capabilities().begin(), q.capabilities().end());
  }
  std::vector<std::string> held, answered;
  for (const auto& code : asked) {
    const bool in_directory =
        std::find(r.capabilities().begin(), r.capabilities().end(), code) != r.capabilities().end();
    const bool in_answer =
        std::find(a.capabilities().begin(), a.capabilities().end(), code) != a.capabilities().end();
    if (in_directory) held.push_back(vocab.LabelOf(code));
    if (in_answer) answered.push_back(vocab.LabelOf(code));
  }
  add("capabilities", "対応できること", Joined(held), Joined(answered));
  if (q.accepting_new_patients()) {
    add("accepting_new_patients", "新規の受入",
        std::string(common::Label(r.accepting_new_patients(), "未回答")),
        std::string(common::Label(a.accepting_new_patients(), "未回答")));
  }
  auto areas = [](const auto& codes) {
    std::vector<std::string> names;
    for (const auto& c : codes) names.push_back(MunicipalityName(c));
    return Joined(names);
  };
  if (q.service_area())
    add("service_area", "訪問・対応地域", areas(r.service_area()), areas(a.service_area()));
  if (q.hours()) {
    add("hours", "対応時間", r.hours().empty() ? "（なし）" : r.hours(),
        a.hours().empty() ? "（なし）" : a.hours());
  }
  if (q.liaison()) add("liaison", "連携窓口", LiaisonText(r.liaison()), LiaisonText(a.liaison()));
  if (q.note() && !a.note().empty()) add("note", "自由記述", "", a.note());
  return out;
}

absl::StatusOr<v1::ResourceSurveyInvitation> ResourceSurveys::Review(
    const v1::ReviewResourceSurveyAnswerRequest& r) {
  FieldViolations v;
  v.CheckEnum("decision", r.decision(), v1::ResourceSurveyDecision_IsValid,
              /*allow_unspecified=*/false);
  v.CheckText("note", r.note(),
              {.required = r.decision() == v1::RESOURCE_SURVEY_DECISION_REJECT,
               .max_chars = 1000,
               .single_line = false});
  if (r.has_edited() && r.decision() == v1::RESOURCE_SURVEY_DECISION_REJECT) {
    v.Add("edited", "反映しないときは修正値を付けません / no edited values with a rejection");
  }
  RETURN_IF_ERROR(v.ToStatus());
  auto guard = locks_.LockShared(r.invitation_id());
  ASSIGN_OR_RETURN(v1::ResourceSurveyInvitation i,
                   LoadInvitation(r.invitation_id(), r.expected_version()));
  if (i.state() != v1::RESOURCE_SURVEY_STATE_SUBMITTED) {
    return common::NotAllowedNow("invitation_id", "送信された回答だけを確認できます (今は「" +
                                                      std::string(common::Label(i.state())) +
                                                      "」) / only a "
                                                      "submitted answer can be reviewed");
  }
  ASSIGN_OR_RETURN(auto campaign, campaigns_.Get(i.campaign_id()));
  const auto& q = campaign.questions();
  v1::ResourceSurveyAnswer values = r.has_edited() ? r.edited() : i.answer();
  if (r.has_edited()) {
    CanonicalizeLiaison(values.mutable_liaison());
    ValidateAnswer(values, q, "edited.", &v);
    RETURN_IF_ERROR(v.ToStatus());
  }
  const v1::Date answered_on = common::TokyoDate(i.answer().submitted_at().seconds() * 1000000 +
                                                 i.answer().submitted_at().nanos() / 1000);

  common::CommandBatch cmd(directory_->store(), outbox_);
  cmd.Hold(guard);
  if (r.decision() == v1::RESOURCE_SURVEY_DECISION_ACCEPT) {
    std::vector<std::string> asked;
    if (q.capabilities_size() == 0) {
      for (const auto& c : directory_->vocabulary().all()) asked.push_back(c.code());
    } else {
      asked.assign(q.capabilities().begin(), q.capabilities().end());
    }
    auto edit = [&](v1::Resource* res) {
      // Capabilities asked: as answered, from the survey on the answer's date; the rest stay.
      std::vector<std::pair<std::string, v1::CapabilityProvenance>> kept;
      for (int k = 0; k < res->capabilities_size(); ++k) {
        const std::string& code = res->capabilities(k);
        if (std::find(asked.begin(), asked.end(), code) != asked.end()) continue;
        v1::CapabilityProvenance p;
        if (k < res->capability_provenance_size()) p = res->capability_provenance(k);
        kept.emplace_back(code, p);
      }
      res->clear_capabilities();
      res->clear_capability_provenance();
      for (auto& [code, p] : kept) {
        res->add_capabilities(code);
        *res->add_capability_provenance() = p;
      }
      for (const auto& code : values.capabilities()) {
        res->add_capabilities(code);
        auto* p = res->add_capability_provenance();
        p->set_capability(code);
        p->set_source(v1::CAPABILITY_SOURCE_SURVEY);
        *p->mutable_as_of() = answered_on;
      }
      if (q.accepting_new_patients() &&
          values.accepting_new_patients() != v1::ACCEPTANCE_UNSPECIFIED) {
        res->set_accepting_new_patients(values.accepting_new_patients());
      }
      if (q.service_area()) *res->mutable_service_area() = values.service_area();
      if (q.hours()) res->set_hours(values.hours());
      if (q.liaison()) {
        if (values.has_liaison()) {
          *res->mutable_liaison() = values.liaison();
        } else {
          res->clear_liaison();
        }
      }
      *res->mutable_source()->mutable_last_verified() = answered_on;
    };
    ASSIGN_OR_RETURN(v1::Resource updated,
                     directory_->StageChange(i.resource_id(), edit, "edited", &cmd));
    i.set_applied_resource_version(updated.version());
    i.set_state(v1::RESOURCE_SURVEY_STATE_ACCEPTED);
  } else {
    i.set_state(v1::RESOURCE_SURVEY_STATE_REJECTED);
  }
  i.set_reviewed_by(std::string(common::CurrentCallerSubject()));
  *i.mutable_reviewed_at() = clock_->NowTimestamp();
  i.set_review_note(r.note());
  common::NextVersion(&i, *clock_);
  auto e = SurveyEvent(i.campaign_id(), i.version());
  auto* p = e.mutable_resource_survey_reviewed();
  p->set_campaign_id(i.campaign_id());
  p->set_invitation_id(i.id());
  p->set_resource_id(i.resource_id());
  p->set_decision(r.decision());
  p->set_edited(r.has_edited());
  return CommitInvitation(&cmd, i, e, "ReviewResourceSurveyAnswer");
}

// ---------------------------------------------------------------------------------------------
// Links: revoke, reissue.

absl::StatusOr<v1::ResourceSurveyInvitation> ResourceSurveys::Revoke(
    const v1::RevokeResourceSurveyLinkRequest& r) {
  auto guard = locks_.LockShared(r.invitation_id());
  ASSIGN_OR_RETURN(v1::ResourceSurveyInvitation i,
                   LoadInvitation(r.invitation_id(), r.expected_version()));
  if (!IsOpen(i.state())) {
    return common::NotAllowedNow("invitation_id", "回答前のリンクだけを無効にできます (今は「" +
                                                      std::string(common::Label(i.state())) +
                                                      "」)");
  }
  i.set_state(v1::RESOURCE_SURVEY_STATE_REVOKED);
  common::NextVersion(&i, *clock_);
  auto e = SurveyEvent(i.campaign_id(), i.version());
  auto* p = e.mutable_resource_survey_link_changed();
  p->set_campaign_id(i.campaign_id());
  p->set_invitation_id(i.id());
  p->set_revoked(true);
  p->set_link_generation(i.link_generation());
  common::CommandBatch cmd(directory_->store(), outbox_);
  cmd.Hold(guard);
  return CommitInvitation(&cmd, i, e, "RevokeResourceSurveyLink");
}

absl::StatusOr<v1::ResourceSurveyInvitation> ResourceSurveys::Reissue(
    const v1::ReissueResourceSurveyLinkRequest& r) {
  const v1::Date today = Today();
  FieldViolations v;
  v.CheckDate("expires_on", r.expires_on().year(), r.expires_on().month(), r.expires_on().day());
  if (v.empty() && r.expires_on().year() != 0 &&
      (common::DateNumber(r.expires_on()) < common::DateNumber(today) ||
       common::DaysBetween(today, r.expires_on()) > 366)) {
    v.Add("expires_on", "今日から1年以内の日付です / today up to a year from now");
  }
  RETURN_IF_ERROR(v.ToStatus());
  auto guard = locks_.LockShared(r.invitation_id());
  ASSIGN_OR_RETURN(v1::ResourceSurveyInvitation i,
                   LoadInvitation(r.invitation_id(), r.expected_version()));
  if (IsSubmitted(i.state())) {
    return common::NotAllowedNow("invitation_id",
                                 "回答済みの依頼には新しいリンクを出せません / already answered");
  }
  ASSIGN_OR_RETURN(auto campaign, campaigns_.Get(i.campaign_id()));
  v1::Date expires = r.expires_on();
  if (expires.year() == 0) {
    const v1::Date fortnight = common::AddDays(today, 14);
    expires = common::DateNumber(campaign.links_expire_on()) > common::DateNumber(fortnight)
                  ? campaign.links_expire_on()
                  : fortnight;
  }
  *i.mutable_links_expire_on() = expires;
  i.set_link_generation(i.link_generation() + 1);
  i.set_state(i.answer().has_saved_at() ? v1::RESOURCE_SURVEY_STATE_DRAFT
                                        : v1::RESOURCE_SURVEY_STATE_NOT_ANSWERED);
  common::NextVersion(&i, *clock_);
  auto e = SurveyEvent(i.campaign_id(), i.version());
  auto* p = e.mutable_resource_survey_link_changed();
  p->set_campaign_id(i.campaign_id());
  p->set_invitation_id(i.id());
  p->set_link_generation(i.link_generation());
  common::CommandBatch cmd(directory_->store(), outbox_);
  cmd.Hold(guard);
  return CommitInvitation(&cmd, i, e, "ReissueResourceSurveyLink");
}

// ---------------------------------------------------------------------------------------------
// Letters and reminders.

absl::StatusOr<v1::ResourceSurveyLetters> ResourceSurveys::Letters(
    const v1::RenderResourceSurveyLettersRequest& r) const {
  ASSIGN_OR_RETURN(auto campaign, LoadCampaign(r.campaign_id(), "campaign_id"));
  ASSIGN_OR_RETURN(auto invitations, InvitationsOf(campaign.id()));
  std::vector<v1::ResourceSurveyInvitation> chosen;
  if (r.invitation_ids_size() == 0) {
    for (auto& i : invitations) {
      if (IsOpen(i.state())) chosen.push_back(std::move(i));
    }
  } else {
    FieldViolations v;
    for (int k = 0; k < r.invitation_ids_size(); ++k) {
      const std::string field = "invitation_ids[" + std::to_string(k) + "]";
      auto it = std::find_if(invitations.begin(), invitations.end(),
                             [&](const auto& i) { return i.id() == r.invitation_ids(k); });
      if (it == invitations.end()) {
        v.Add(field, "この調査の依頼ではありません / not an invitation of this survey");
      } else if (!IsOpen(it->state())) {
        v.Add(field,
              "回答済みか、リンクが無効です (「" + std::string(common::Label(it->state())) + "」)");
      } else {
        chosen.push_back(*it);
      }
    }
    RETURN_IF_ERROR(v.ToStatus());
  }
  v1::ResourceSurveyLetters out;
  out.set_html(LettersHtml(campaign, chosen, r.reminder()));
  out.set_letters(static_cast<int32_t>(chosen.size()));
  return out;
}

std::string ResourceSurveys::LettersHtml(
    const v1::ResourceSurveyCampaign& campaign,
    const std::vector<v1::ResourceSurveyInvitation>& invitations, bool reminder) const {
  const std::string municipality = MunicipalityName(campaign.municipality_code());
  std::string html =
      "<!DOCTYPE html>\n<html lang=\"ja\"><head><meta charset=\"utf-8\">"
      "<title>" +
      common::EscapeMarkup(campaign.name()) +
      " 依頼状</title><style>"
      "@page{size:A4;margin:20mm}"
      "body{font-family:'Noto Sans CJK JP','Noto Sans JP',sans-serif;font-size:11pt;"
      "line-height:1.7;color:#000;margin:0}"
      "@media screen{body{padding:10mm}}"
      ".letter{page-break-after:always;break-after:page;width:170mm;min-height:250mm}"
      ".letter:last-child{page-break-after:auto;break-after:auto}"
      ".to{font-size:13pt;margin-bottom:8mm}.from{text-align:right;margin-bottom:8mm}"
      "h1{font-size:15pt;text-align:center;margin:6mm 0}"
      ".link{display:flex;gap:8mm;align-items:center;border:1px solid #000;padding:5mm;"
      "margin:6mm 0}.url{word-break:break-all;font-family:monospace;font-size:10pt}"
      "dl{margin:0}dt{font-weight:bold}dd{margin:0 0 2mm 0}"
      "</style></head><body>\n";
  for (const auto& i : invitations) {
    auto link = LinkOf(i);
    if (!link.ok()) continue;
    auto res = directory_->Get(i.resource_id());
    const std::string address = res.ok() ? res->address() : "";
    html += "<section class=\"letter\">\n";
    html += "<div class=\"to\">" + common::EscapeMarkup(address) + "<br>" +
            common::EscapeMarkup(i.resource_name()) + "　御中</div>\n";
    html += "<div class=\"from\">" + JapaneseDate(Today()) + "<br>" +
            common::EscapeMarkup(municipality) + "</div>\n";
    html += "<h1>" + std::string(reminder ? "【再送】" : "") +
            common::EscapeMarkup(campaign.name()) + "<br>ご回答のお願い</h1>\n";
    html += "<p>日頃より在宅医療・介護の連携にご協力いただき、ありがとうございます。</p>\n";
    html += "<p>" + common::EscapeMarkup(municipality) +
            "では、地域の医療・介護資源を把握し、関係者と住民の皆さまに分かりやすくお知らせする"
            "ため、事業所・医療機関の皆さまに対応できる内容をお尋ねしています。";
    if (reminder) html += "まだご回答をいただいていないため、改めてお願い申し上げます。";
    html += "</p>\n";
    html += "<p>下記のリンクまたは QR コードから、<strong>" + JapaneseDate(campaign.deadline()) +
            "</strong>までにご回答ください。回答は途中で保存でき、送信されるまで何度でも直せます。"
            "アカウントは不要です。</p>\n";
    html += "<div class=\"link\">" + common::QrSvg(*link, "35mm", "回答用リンクの QR コード") +
            "<div><dl><dt>回答用リンク (貴事業所専用)"
            "</dt><dd class=\"url\">" +
            common::EscapeMarkup(*link) + "</dd><dt>有効期限</dt><dd>" +
            JapaneseDate(i.links_expire_on()) + "</dd></dl></div></div>\n";
    html += "<p>このリンクは貴事業所専用です。他の方に渡さないでください。</p>\n";
    if (!campaign.contact_text().empty()) {
      html += "<p>お問い合わせ: " + common::EscapeMarkup(campaign.contact_text()) + "</p>\n";
    }
    html += "</section>\n";
  }
  html += "</body></html>\n";
  return html;
}

absl::StatusOr<v1::RemindResourceSurveyResponse> ResourceSurveys::Remind(
    const v1::RemindResourceSurveyRequest& r) {
  ASSIGN_OR_RETURN(auto campaign, LoadCampaign(r.campaign_id(), "campaign_id"));
  ASSIGN_OR_RETURN(auto invitations, InvitationsOf(campaign.id()));
  std::vector<v1::ResourceSurveyInvitation> open;
  for (auto& i : invitations) {
    if (IsOpen(i.state())) open.push_back(std::move(i));
  }
  if (open.empty()) {
    return common::NotAllowedNow("campaign_id",
                                 "未回答の依頼がありません / every invitation is answered or "
                                 "revoked");
  }
  const std::string municipality = MunicipalityName(campaign.municipality_code());
  v1::RemindResourceSurveyResponse out;
  std::vector<v1::ResourceSurveyInvitation> letters;
  // E-mail first (outside the batch: a message sent cannot be unsent); what was sent is recorded
  // below.
  for (auto& i : open) {
    auto res = directory_->Get(i.resource_id());
    std::string to;
    if (res.ok())
      to = !res->liaison().email().empty() ? res->liaison().email() : res->contact().email();
    bool mailed = false;
    if (mailer_ != nullptr && !to.empty()) {
      ASSIGN_OR_RETURN(std::string link, LinkOf(i));
      common::MailMessage m;
      m.to = to;
      m.subject = "【" + municipality + "】" + campaign.name() + " ご回答のお願い (再送)";
      m.body = i.resource_name() + " 御中\n\n";
      m.body += municipality;
      m.body +=
          "です。在宅医療・介護資源調査へのご協力をお願いしております。\n"
          "まだご回答をいただいていないため、改めてご連絡いたします。\n\n回答期限: ";
      m.body += JapaneseDate(campaign.deadline());
      m.body += "\n回答用リンク (貴事業所専用、";
      m.body += JapaneseDate(i.links_expire_on());
      m.body += "まで有効):\n";
      m.body += link;
      m.body += "\n\n回答は途中で保存でき、送信されるまで何度でも直せます。\n";
      if (!campaign.contact_text().empty()) {
        m.body += "お問い合わせ: ";
        m.body += campaign.contact_text();
        m.body += "\n";
      }
      absl::Status sent = mailer_->Send(m);
      if (sent.ok()) {
        mailed = true;
        out.set_emailed(out.emailed() + 1);
      } else {
        out.set_email_failed(out.email_failed() + 1);
        common::LogLine(common::LogLevel::kWarning, "survey reminder not mailed")
            .Field("invitation", i.id())
            .Field("error", std::string(sent.message()));
      }
    }
    if (!mailed) letters.push_back(i);
  }
  out.set_letters(static_cast<int32_t>(letters.size()));
  out.mutable_printable()->set_html(LettersHtml(campaign, letters, /*reminder=*/true));
  out.mutable_printable()->set_letters(static_cast<int32_t>(letters.size()));

  std::vector<std::string> ids;
  ids.reserve(open.size());
  for (const auto& i : open) ids.push_back(i.id());
  auto guard = locks_.LockAll(ids);
  common::CommandBatch cmd(directory_->store(), outbox_);
  for (const auto& stale : open) {
    ASSIGN_OR_RETURN(v1::ResourceSurveyInvitation i, invitations_.Get(stale.id()));
    i.set_reminders(i.reminders() + 1);
    *i.mutable_last_reminded_at() = clock_->NowTimestamp();
    common::NextVersion(&i, *clock_);
    invitations_.Put(&cmd.batch(), i.id(), i);
  }
  auto e = SurveyEvent(campaign.id(), campaign.version());
  auto* p = e.mutable_resource_survey_reminded();
  p->set_campaign_id(campaign.id());
  p->set_emailed(out.emailed());
  p->set_letters(out.letters());
  cmd.AddEvent(e);
  Audit(&cmd, "RemindResourceSurvey", "renkei.v1.ResourceSurveyCampaign", campaign.id());
  cmd.SetAnswer(out);
  RETURN_IF_ERROR(cmd.Commit());
  return out;
}

}  // namespace renkei::directory
