// Sharing: the subscriber list (double opt-in) and the notice mails.
#include <algorithm>
#include <memory>

#include "absl/strings/ascii.h"
#include "renkei/common/errors.h"
#include "renkei/common/ids.h"
#include "renkei/common/labels.h"
#include "renkei/common/status_macros.h"
#include "renkei/common/text.h"
#include "renkei/common/validation.h"
#include "sharing.h"
#include "sharing_rules.h"

namespace renkei::network {
namespace {

constexpr char kConfirm[] = "confirm";
constexpr char kUnsubscribe[] = "unsubscribe";
// A pending address is sent a new confirmation link at most this often.
constexpr int64_t kResendMicros = 10LL * 60 * 1000 * 1000;

constexpr char kPendingMessage[] =
    "確認のメールを送りました。メールにあるリンクを開くと登録が完了します。"
    "届かないときは、アドレスを確かめてもう一度お申し込みください。";

std::string AudienceWords(const google::protobuf::RepeatedField<int>& audiences) {
  if (audiences.empty()) return "医療・介護関係者のみなさま";
  std::string out;
  for (int a : audiences) {
    if (!out.empty()) out += "、";
    out += std::string(common::Label(static_cast<v1::AudienceRole>(a)));
  }
  return out;
}

}  // namespace

std::string Sharing::ConfirmLink(const v1::Subscriber& s) const {
  return options_.link_origin +
         "/board/#confirm=" + links_->Token(s.id(), s.link_generation(), kConfirm);
}

std::string Sharing::UnsubscribeLink(const v1::Subscriber& s) const {
  return options_.link_origin +
         "/board/#unsubscribe=" + links_->Token(s.id(), s.link_generation(), kUnsubscribe);
}

void Sharing::StageSubscriber(const v1::Subscriber& s, common::CommandBatch* cmd) const {
  subscribers_.Put(&cmd->batch(), s.id(), s);
  auto e = common::NewEvent(events_, "sharing", s.id(), s.version(), v1::SHARE_LEVEL_LOCAL,
                            options_.jurisdiction_code);
  e.mutable_subscriber_changed()->set_subscriber_id(s.id());
  e.mutable_subscriber_changed()->set_state(s.state());
  cmd->AddEvent(e);
}

absl::StatusOr<int> Sharing::QueueNoticeMails(const v1::Notice& n,
                                              common::CommandBatch* cmd) const {
  if (mail_ == nullptr || !mail_->enabled()) return 0;
  // Held until the batch commits: an address leaving meanwhile waits, then drops these mails.
  cmd->Hold(std::make_shared<std::unique_lock<std::mutex>>(subscribers_mu_));
  const std::string issuer = IssuerName(n.issuer_code());
  std::string body = n.title() + "\n\n" + "発信: " + issuer + "\n" +
                     "対象: " + AudienceWords(n.audiences()) + "\n\n" + n.body() + "\n";
  for (const auto& l : n.links()) {
    body += "\n" + std::string(common::Label(l.kind())) + ": " +
            (l.title().empty() ? l.target() : l.title());
    if (l.kind() == v1::NOTICE_LINK_KIND_WEB) {
      body += " " + l.target();
    } else if (l.kind() == v1::NOTICE_LINK_KIND_DOCUMENT) {
      body += " " + options_.link_origin + "/board/#" + l.target();
    }
  }
  body += "\n\n" + options_.link_origin + "/board/#" + n.id() + "\n";
  int queued = 0;
  RETURN_IF_ERROR(subscribers_.ForEach("", [&](std::string_view, const v1::Subscriber& s) {
    if (s.state() != v1::SUBSCRIBER_STATE_ACTIVE || !Reaches(n.audiences(), s.audiences())) {
      return true;
    }
    common::MailMessage m;
    m.to = s.email();
    m.subject = "【" + options_.jurisdiction_name + "】" + n.title();
    m.body = body + "\n--\n" + options_.jurisdiction_name +
             " 医療・介護関係者向けお知らせ\n配信の停止: " + UnsubscribeLink(s) + "\n";
    // Keyed by subscriber first: leaving drops every mail still queued for the address.
    mail_->Enqueue(cmd, s.id() + "/" + n.id() + "/" + std::to_string(n.version()), m, "notice");
    ++queued;
    return true;
  }));
  return queued;
}

absl::StatusOr<v1::SubscriptionAnswer> Sharing::Subscribe(const v1::SubscribeRequest& r) {
  common::FieldViolations v;
  const std::string email = absl::AsciiStrToLower(std::string(common::TrimSpaces(r.email())));
  v.CheckText("email", email, {.required = true, .max_chars = 254});
  if (!email.empty() && email.size() <= 254 && !common::LooksLikeEmail(email)) {
    v.Add("email", "メールアドレスの形式ではありません (例: renkei@example.jp)");
  }
  v.CheckCount("audiences", r.audiences_size(), 14);
  for (int i = 0; i < r.audiences_size(); ++i) {
    v.CheckEnum("audiences[" + std::to_string(i) + "]", r.audiences(i), v1::AudienceRole_IsValid,
                false);
  }
  RETURN_IF_ERROR(v.ToStatus());
  if (mail_ == nullptr || !mail_->enabled()) {
    // Not a passing outage: this instance cannot confirm addresses at all (retrying is no use).
    return absl::FailedPreconditionError(
        "メールの送信先 (mail.smtp_url) が設定されていないため登録できません / no SMTP server");
  }
  std::lock_guard<std::mutex> lock(subscribers_mu_);
  const std::string id = links_->KeyedId("sub", email);
  ASSIGN_OR_RETURN(std::optional<v1::Subscriber> stored, subscribers_.Find(id));
  const auto now = clock_->NowTimestamp();
  v1::SubscriptionAnswer answer;
  answer.set_state(v1::SUBSCRIBER_STATE_PENDING);
  answer.set_message(kPendingMessage);
  common::CommandBatch cmd(store_, outbox_);
  common::MailMessage m;
  m.to = email;
  if (stored && stored->state() == v1::SUBSCRIBER_STATE_ACTIVE) {
    // Already on the list: the page says the same as for anyone; the address's owner learns it
    // by mail, with the way out.
    m.subject = "【" + options_.jurisdiction_name + "】お知らせメールはすでに登録されています";
    m.body = "このアドレスは" + options_.jurisdiction_name +
             "の医療・介護関係者向けお知らせメールにすでに登録されています。\n"
             "配信先の種別を変えるには、いったん配信を停止してから登録し直してください。\n\n"
             "配信の停止: " +
             UnsubscribeLink(*stored) +
             "\n\n心当たりがない場合は、このメールを破棄してください。\n";
    mail_->Enqueue(&cmd, id + "/already/" + std::to_string(stored->version()), m, "subscription");
    cmd.SetAnswer(answer);
    RETURN_IF_ERROR(cmd.Commit());
    return answer;
  }
  if (stored && stored->state() == v1::SUBSCRIBER_STATE_PENDING &&
      common::MicrosFromTimestamp(now) - common::MicrosFromTimestamp(stored->requested_at()) <
          kResendMicros) {
    // The link sent a moment ago still works; a second one within minutes only floods the box.
    cmd.SetAnswer(answer);
    RETURN_IF_ERROR(cmd.Commit());
    return answer;
  }
  v1::Subscriber s = stored.value_or(v1::Subscriber());
  s.set_id(id);
  s.set_email(email);
  *s.mutable_audiences() = r.audiences();
  s.set_state(v1::SUBSCRIBER_STATE_PENDING);
  *s.mutable_requested_at() = now;
  s.clear_confirmed_at();
  s.clear_removed_at();
  s.set_link_generation(s.link_generation() + 1);
  s.set_version(s.version() + 1);
  m.subject = "【" + options_.jurisdiction_name + "】お知らせメールの登録確認";
  m.body = options_.jurisdiction_name +
           "の医療・介護関係者向けお知らせメールへの登録のお申し込みを受け付けました。\n"
           "次のリンクを開くと登録が完了します (お申し込みから 7 日間有効です)。\n\n" +
           ConfirmLink(s) +
           "\n\n心当たりがない場合は、このメールを破棄してください。登録はされません。\n";
  mail_->Enqueue(&cmd, id + "/confirm/" + std::to_string(s.link_generation()), m, "subscription");
  StageSubscriber(s, &cmd);
  cmd.SetAnswer(answer);
  RETURN_IF_ERROR(cmd.Commit());
  return answer;
}

absl::StatusOr<v1::Subscriber> Sharing::SubscriberOfToken(const std::string& token,
                                                          std::string_view purpose,
                                                          bool previous) const {
  const std::optional<std::string> id = common::LinkSigner::IdOf(token, "sub");
  const std::string_view invalid =
      "リンクが正しくありません。メールにあるリンクをそのまま開いてください";
  if (!id) return common::InvalidField("token", invalid);
  ASSIGN_OR_RETURN(std::optional<v1::Subscriber> s, subscribers_.Find(*id));
  const bool matches =
      s && (links_->Matches(token, s->id(), s->link_generation(), purpose) ||
            (previous && links_->Matches(token, s->id(), s->link_generation() - 1, purpose)));
  if (!matches) {
    return absl::UnauthenticatedError(
        "このリンクは使えません (新しいリンクが送られたか、配信が停止されています)");
  }
  return *s;
}

absl::StatusOr<v1::SubscriptionAnswer> Sharing::Confirm(const v1::SubscriptionTokenRequest& r) {
  std::lock_guard<std::mutex> lock(subscribers_mu_);
  ASSIGN_OR_RETURN(v1::Subscriber s, SubscriberOfToken(r.token(), kConfirm, false));
  v1::SubscriptionAnswer answer;
  answer.set_state(v1::SUBSCRIBER_STATE_ACTIVE);
  answer.set_message("登録が完了しました。" + options_.jurisdiction_name +
                     "からのお知らせをこのアドレスにお送りします。");
  if (s.state() == v1::SUBSCRIBER_STATE_ACTIVE) return answer;  // the link opened twice
  if (s.state() != v1::SUBSCRIBER_STATE_PENDING ||
      common::MicrosFromTimestamp(clock_->NowTimestamp()) -
              common::MicrosFromTimestamp(s.requested_at()) >
          7LL * 24 * 3600 * 1000 * 1000) {
    return absl::UnauthenticatedError(
        "このリンクの有効期限が過ぎました。もう一度お申し込みください");
  }
  s.set_state(v1::SUBSCRIBER_STATE_ACTIVE);
  *s.mutable_confirmed_at() = clock_->NowTimestamp();
  s.set_version(s.version() + 1);
  common::CommandBatch cmd(store_, outbox_);
  StageSubscriber(s, &cmd);
  cmd.SetAnswer(answer);
  RETURN_IF_ERROR(cmd.Commit());
  return answer;
}

absl::StatusOr<v1::SubscriptionAnswer> Sharing::Unsubscribe(const v1::SubscriptionTokenRequest& r) {
  std::lock_guard<std::mutex> lock(subscribers_mu_);
  // An unsubscribe link from before the last change (a re-subscription) still stops the mail.
  ASSIGN_OR_RETURN(v1::Subscriber s, SubscriberOfToken(r.token(), kUnsubscribe, true));
  v1::SubscriptionAnswer answer;
  answer.set_state(v1::SUBSCRIBER_STATE_REMOVED);
  answer.set_message("配信を停止しました。このアドレスの記録は消去しました。");
  if (s.state() == v1::SUBSCRIBER_STATE_REMOVED) return answer;
  s.set_state(v1::SUBSCRIBER_STATE_REMOVED);
  s.clear_email();  // nothing kept of an address that left the list
  s.clear_audiences();
  *s.mutable_removed_at() = clock_->NowTimestamp();
  s.set_link_generation(s.link_generation() + 1);
  s.set_version(s.version() + 1);
  common::CommandBatch cmd(store_, outbox_);
  if (mail_ != nullptr) RETURN_IF_ERROR(mail_->Drop(&cmd, s.id() + "/"));
  StageSubscriber(s, &cmd);
  cmd.SetAnswer(answer);
  RETURN_IF_ERROR(cmd.Commit());
  return answer;
}

absl::StatusOr<v1::ListSubscribersResponse> Sharing::ListSubscribers(
    const v1::ListSubscribersRequest& r) const {
  common::FieldViolations v;
  v.CheckEnum("state", r.state(), v1::SubscriberState_IsValid, true);
  RETURN_IF_ERROR(v.ToStatus());
  v1::ListSubscribersResponse out;
  RETURN_IF_ERROR(subscribers_.ForEach("", [&](std::string_view, const v1::Subscriber& s) {
    if (s.state() == v1::SUBSCRIBER_STATE_ACTIVE) out.set_active(out.active() + 1);
    if (s.state() == v1::SUBSCRIBER_STATE_PENDING) out.set_pending(out.pending() + 1);
    const bool wanted = r.state() == v1::SUBSCRIBER_STATE_UNSPECIFIED
                            ? s.state() != v1::SUBSCRIBER_STATE_REMOVED
                            : s.state() == r.state();
    if (wanted) *out.add_subscribers() = s;
    return true;
  }));
  std::sort(out.mutable_subscribers()->begin(), out.mutable_subscribers()->end(),
            [](const v1::Subscriber& a, const v1::Subscriber& b) { return a.email() < b.email(); });
  return out;
}

absl::StatusOr<v1::Subscriber> Sharing::RemoveSubscriber(const v1::RemoveSubscriberRequest& r) {
  RETURN_IF_ERROR(common::CheckId("sub", r.id(), "id"));
  std::lock_guard<std::mutex> lock(subscribers_mu_);
  ASSIGN_OR_RETURN(v1::Subscriber s, subscribers_.Get(r.id()));
  if (s.state() == v1::SUBSCRIBER_STATE_REMOVED) return s;
  s.set_state(v1::SUBSCRIBER_STATE_REMOVED);
  s.clear_email();
  s.clear_audiences();
  *s.mutable_removed_at() = clock_->NowTimestamp();
  s.set_link_generation(s.link_generation() + 1);
  s.set_version(s.version() + 1);
  common::CommandBatch cmd(store_, outbox_);
  if (mail_ != nullptr) RETURN_IF_ERROR(mail_->Drop(&cmd, s.id() + "/"));
  StageSubscriber(s, &cmd);
  cmd.SetAnswer(s);
  RETURN_IF_ERROR(cmd.Commit());
  return s;
}

}  // namespace renkei::network
