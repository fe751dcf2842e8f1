// Network: the practice library (取組事例) — a regional issue published as a de-identified
// snapshot of its worksheet, kept current by its municipality, searched everywhere it reaches,
// annotated and featured by lead coordinators, withdrawn.
#include <algorithm>
#include <cstring>
#include <memory>
#include <mutex>

#include "network.h"
#include "network_rules.h"
#include "renkei/common/errors.h"
#include "renkei/common/ids.h"
#include "renkei/common/personal.h"
#include "renkei/common/status_macros.h"
#include "renkei/common/vocabulary.h"

namespace renkei::network {
namespace {

constexpr char kTagPrefix[] = "tag:";
constexpr char kCapabilityPrefix[] = "capability:";

// The issue's id in an observation event's indicator code ("iss_....E1"), or "".
std::string IssueOfIndicator(const std::string& code) {
  if (code.rfind("iss_", 0) != 0) return "";
  return code.substr(0, code.find('.'));
}

// Whether a lead featured it: any note that does.
void Recount(v1::Practice* p) {
  p->set_featured(std::any_of(p->notes().begin(), p->notes().end(),
                              [](const v1::PracticeNote& n) { return n.featured(); }));
}

// One note per lead coordinator: a newer one replaces theirs.
void AddNote(v1::Practice* p, const v1::PracticeNote& note) {
  auto* notes = p->mutable_notes();
  notes->erase(std::remove_if(notes->begin(), notes->end(),
                              [&](const v1::PracticeNote& n) {
                                return n.by().profile_id() == note.by().profile_id();
                              }),
               notes->end());
  *notes->Add() = note;
  Recount(p);
}

// The same worksheet content (what a refresh compares; notes, times and versions aside).
bool SameContent(v1::Practice a, v1::Practice b) {
  for (auto* p : {&a, &b}) {
    p->clear_notes();
    p->clear_featured();
    p->clear_version();
    p->clear_updated_at();
    p->clear_published_at();
  }
  return a.SerializeAsString() == b.SerializeAsString();
}

}  // namespace

absl::Status Network::Load() {
  return store_.ForEachPractice([&](const v1::Practice& p) {
    index_.Put(p);
    return true;
  });
}

absl::StatusOr<v1::Practice> Network::Snapshot(const std::string& issue_id) const {
  if (options_.worksheets == nullptr) {
    return absl::FailedPreconditionError(
        "このインスタンスでは取組事例を公開できません (network.issues_address が未設定) / "
        "practices cannot be published here: network.issues_address is not set");
  }
  absl::StatusOr<v1::RegionalIssue> issue = options_.worksheets->Issue(issue_id);
  if (absl::IsNotFound(issue.status())) {
    return common::InvalidField("issue_id", "地域課題が見つかりません / no such issue");
  }
  RETURN_IF_ERROR(issue.status());
  common::StripPersonal(&*issue);
  ASSIGN_OR_RETURN(v1::IssueProgress progress, options_.worksheets->Progress(issue_id));
  v1::Practice p;
  p.set_issue_id(issue->id());
  p.set_jurisdiction_code(options_.jurisdiction_code);
  p.set_home_instance(events_.origin_instance);
  p.set_theme(issue->theme());
  p.set_target_state(issue->target_state());
  p.set_current_state(issue->current_state());
  p.set_chosen_issue(issue->chosen_issue());
  for (const auto& c : issue->causes()) {
    auto* cause = p.add_causes();
    cause->set_text(c.text());
    cause->set_main(c.main());
  }
  p.set_root_cause(issue->root_cause());
  for (const auto& m : issue->countermeasures()) {
    auto* cm = p.add_countermeasures();
    cm->set_label(m.label());
    cm->set_content(m.content());
    *cm->mutable_audiences() = m.audiences();
    cm->set_status(m.status());
  }
  for (const auto& e : issue->expected_changes()) {
    auto* change = p.add_expected_changes();
    change->set_label(e.label());
    change->set_description(e.description());
    change->set_indicator_name(e.indicator().name_ja());
    change->set_unit(e.indicator().unit());
    if (e.indicator().has_baseline()) change->set_baseline(e.indicator().baseline());
    if (e.indicator().has_target()) change->set_target(e.indicator().target());
    const std::string code =
        e.indicator().code().empty() ? issue->id() + "." + e.label() : e.indicator().code();
    for (const auto& measured : progress.indicators()) {
      if (measured.definition().spec().code() != code) continue;
      for (const auto& point : measured.points()) {
        // The baseline is an observation of its period too; it shows as the baseline, not as
        // an evaluation value.
        if (e.indicator().has_baseline() && point.period() == e.indicator().baseline_period()) {
          continue;
        }
        auto* v = change->add_values();
        v->set_period(point.period());
        v->set_value(point.value());
      }
    }
  }
  for (const auto& key : issue->theme_tags()) {
    if (key.rfind(kTagPrefix, 0) == 0) {
      p.add_tags(key.substr(strlen(kTagPrefix)));
    } else if (key.rfind(kCapabilityPrefix, 0) == 0) {
      p.add_capabilities(key.substr(strlen(kCapabilityPrefix)));
    } else {
      p.add_tags(key);
    }
  }
  const bool evaluated = issue->status() != v1::ISSUE_STATUS_OPEN;
  p.set_step_reached(evaluated ? 7 : issue->current_step());
  p.set_cycle(issue->cycle());
  return p;
}

absl::StatusOr<std::optional<v1::Practice>> Network::PracticeOfIssue(
    const std::string& issue_id) const {
  // The index names it (in memory: every issue event of the instance asks); the store has the
  // record as committed.
  std::optional<v1::Practice> indexed = index_.FindByIssue(events_.origin_instance, issue_id);
  if (!indexed) return std::nullopt;
  return store_.practices().Find(indexed->id());
}

void Network::StagePractice(const v1::Practice& p, common::CommandBatch* cmd) {
  store_.practices().Put(&cmd->batch(), p.id(), p);
  cmd->OnCommitted([this, p] { index_.Put(p); });
  if (p.home_instance() != events_.origin_instance) return;
  auto e = common::NewEvent(events_, "network", p.id(), p.version(), p.share_level(),
                            options_.jurisdiction_code);
  *e.mutable_practice_published()->mutable_practice() = p;
  cmd->AddEvent(e);
}

absl::StatusOr<v1::Practice> Network::PublishPractice(const v1::PublishPracticeRequest& r) {
  common::FieldViolations v;
  if (!common::IsWellFormedId("iss", r.issue_id())) {
    v.Add("issue_id", "地域課題の ID (iss_...) を指定してください / required (iss_...)");
  }
  if (r.share_level() != v1::SHARE_LEVEL_PREFECTURE &&
      r.share_level() != v1::SHARE_LEVEL_NATIONAL) {
    v.Add("share_level", "都道府県までか全国を選んでください / PREFECTURE or NATIONAL");
  }
  RETURN_IF_ERROR(v.ToStatus());
  ASSIGN_OR_RETURN(v1::CoordinatorProfile contact,
                   OwnProfile(r.contact_profile_id(), "contact_profile_id"));
  auto guard = std::make_shared<std::unique_lock<std::mutex>>(practices_mu_);
  ASSIGN_OR_RETURN(v1::Practice p, Snapshot(r.issue_id()));
  ASSIGN_OR_RETURN(std::optional<v1::Practice> earlier, PracticeOfIssue(r.issue_id()));
  const auto now = clock_->NowTimestamp();
  if (earlier) {
    p.set_id(earlier->id());
    *p.mutable_notes() = earlier->notes();
    *p.mutable_published_at() = earlier->published_at();
    p.set_version(earlier->version() + 1);
  } else {
    p.set_id(common::NewId("prac", *clock_));
    *p.mutable_published_at() = now;
    p.set_version(1);
  }
  Recount(&p);
  p.set_share_level(r.share_level());
  *p.mutable_contact() = PartyOf(contact);
  // The work contact travels when the coordinator shares it beyond the instance.
  if (contact.sharing().work_contact() && contact.sharing().level() != v1::SHARE_LEVEL_LOCAL &&
      contact.sharing().level() != v1::SHARE_LEVEL_UNSPECIFIED) {
    p.set_contact_detail(contact.work_contact());
  }
  *p.mutable_updated_at() = now;
  common::CommandBatch cmd(raw_store_, outbox_);
  cmd.Hold(guard);
  StagePractice(p, &cmd);
  // A narrower share than before: the instances that no longer receive it drop their copy.
  if (earlier && earlier->share_level() == v1::SHARE_LEVEL_NATIONAL &&
      p.share_level() == v1::SHARE_LEVEL_PREFECTURE) {
    auto e = common::NewEvent(events_, "network", p.id(), p.version(), v1::SHARE_LEVEL_NATIONAL,
                              options_.jurisdiction_code);
    auto* gone = e.mutable_practice_published()->mutable_practice();
    gone->set_id(p.id());
    gone->set_home_instance(p.home_instance());
    gone->set_jurisdiction_code(p.jurisdiction_code());
    gone->set_share_level(v1::SHARE_LEVEL_PREFECTURE);
    gone->set_version(p.version());
    gone->set_withdrawn(true);
    cmd.AddEvent(e);
  }
  cmd.SetAnswer(p);
  RETURN_IF_ERROR(cmd.Commit());
  return p;
}

absl::StatusOr<v1::Practice> Network::WithdrawPractice(const v1::WithdrawPracticeRequest& r) {
  RETURN_IF_ERROR(common::CheckId("prac", r.id(), "id"));
  auto guard = std::make_shared<std::unique_lock<std::mutex>>(practices_mu_);
  ASSIGN_OR_RETURN(v1::Practice p, store_.practices().Get(r.id()));
  if (p.home_instance() != events_.origin_instance) {
    return common::NotAllowedNow("id",
                                 "ほかのインスタンスの取組事例です / another instance "
                                 "published this practice");
  }
  v1::Practice gone;
  gone.set_id(p.id());
  gone.set_issue_id(p.issue_id());
  gone.set_home_instance(p.home_instance());
  gone.set_jurisdiction_code(p.jurisdiction_code());
  gone.set_share_level(v1::SHARE_LEVEL_LOCAL);  // shared nowhere any more
  gone.set_version(p.version() + 1);
  gone.set_withdrawn(true);
  *gone.mutable_updated_at() = clock_->NowTimestamp();
  common::CommandBatch cmd(raw_store_, outbox_);
  cmd.Hold(guard);
  store_.practices().Delete(&cmd.batch(), p.id());
  cmd.OnCommitted([this, id = p.id()] { index_.Remove(id); });
  auto e = common::NewEvent(events_, "network", p.id(), gone.version(), p.share_level(),
                            options_.jurisdiction_code);
  *e.mutable_practice_published()->mutable_practice() = gone;
  cmd.AddEvent(e);
  cmd.SetAnswer(gone);
  RETURN_IF_ERROR(cmd.Commit());
  return gone;
}

absl::StatusOr<v1::Practice> Network::GetPractice(const v1::GetPracticeRequest& r) const {
  RETURN_IF_ERROR(common::CheckId("prac", r.id(), "id"));
  return store_.practices().Get(r.id());
}

absl::StatusOr<v1::SearchPracticesResponse> Network::SearchPractices(
    const v1::SearchPracticesRequest& r) const {
  common::FieldViolations v;
  v.CheckText("text", r.text(), {.max_chars = 200});
  v.CheckText("tag", r.tag(), {.max_chars = 30});
  if (!r.capability().empty() &&
      common::FindVocabulary(common::kCapabilitySet, r.capability()) == nullptr) {
    v.Add("capability", "対応内容のコードではありません / not a capability code");
  }
  if (r.min_step() < 0 || r.min_step() > 7) v.Add("min_step", "0〜7 です / 0..7");
  const std::string& pref = r.prefecture_code();
  if (!pref.empty() && !IsPrefectureCode(pref)) {
    v.Add("prefecture_code", "都道府県のコードです (例: 11 または 110001) / a prefecture code");
  }
  if (r.page_size() < 0 || r.page_size() > 100) v.Add("page_size", "1〜100 です / 1..100");
  RETURN_IF_ERROR(v.ToStatus());
  return index_.Search(r);
}

absl::StatusOr<v1::Practice> Network::AnnotatePractice(const v1::AnnotatePracticeRequest& r) {
  common::FieldViolations v;
  v.CheckText("text", r.text(),
              {.required = !r.featured(), .max_chars = 1000, .single_line = false});
  RETURN_IF_ERROR(v.ToStatus());
  RETURN_IF_ERROR(common::CheckId("prac", r.id(), "id"));
  ASSIGN_OR_RETURN(v1::CoordinatorProfile lead, OwnProfile(r.profile_id(), "profile_id"));
  if (lead.role() != v1::NETWORK_ROLE_LEAD_COORDINATOR) {
    return common::InvalidField("profile_id",
                                "統括コーディネーターだけが注記できます / only a lead coordinator "
                                "annotates practices");
  }
  auto guard = std::make_shared<std::unique_lock<std::mutex>>(practices_mu_);
  ASSIGN_OR_RETURN(v1::Practice p, store_.practices().Get(r.id()));
  v1::PracticeNote note;
  note.set_id(common::NewId("pnote", *clock_));
  *note.mutable_by() = PartyOf(lead);
  note.set_text(r.text());
  note.set_featured(r.featured());
  *note.mutable_at() = clock_->NowTimestamp();
  AddNote(&p, note);
  common::CommandBatch cmd(raw_store_, outbox_);
  cmd.Hold(guard);
  store_.practices().Put(&cmd.batch(), p.id(), p);
  cmd.OnCommitted([this, p] { index_.Put(p); });
  auto e = common::NewEvent(events_, "network", p.id(), p.version(), p.share_level(),
                            options_.jurisdiction_code);
  auto* a = e.mutable_practice_annotated();
  a->set_practice_id(p.id());
  *a->mutable_note() = note;
  cmd.AddEvent(e);
  cmd.SetAnswer(p);
  RETURN_IF_ERROR(cmd.Commit());
  return p;
}

absl::Status Network::FollowIssue(const v1::EventEnvelope& event, common::CommandBatch* cmd) {
  std::string issue_id;
  if (event.aggregate_type() == "issue") {
    issue_id = event.aggregate_id();
  } else if (event.has_observation_recorded()) {
    issue_id = IssueOfIndicator(event.observation_recorded().indicator_code());
  }
  if (issue_id.empty()) return absl::OkStatus();
  cmd->Hold(std::make_shared<std::unique_lock<std::mutex>>(practices_mu_));
  ASSIGN_OR_RETURN(std::optional<v1::Practice> published, PracticeOfIssue(issue_id));
  if (!published) return absl::OkStatus();
  ASSIGN_OR_RETURN(v1::Practice now, Snapshot(issue_id));
  if (SameContent(now, *published)) return absl::OkStatus();
  now.set_id(published->id());
  now.set_share_level(published->share_level());
  *now.mutable_contact() = published->contact();
  now.set_contact_detail(published->contact_detail());
  *now.mutable_notes() = published->notes();
  Recount(&now);
  *now.mutable_published_at() = published->published_at();
  *now.mutable_updated_at() = clock_->NowTimestamp();
  now.set_version(published->version() + 1);
  StagePractice(now, cmd);
  return absl::OkStatus();
}

absl::Status Network::ApplyPractice(const v1::EventEnvelope& event, common::CommandBatch* cmd) {
  v1::Practice p = event.practice_published().practice();
  if (!common::IsWellFormedId("prac", p.id()) || !Vouched(event, p.home_instance())) {
    return absl::InvalidArgumentError("practice event without id or from another instance");
  }
  if (p.home_instance() == events_.origin_instance) return absl::OkStatus();  // relayed back
  cmd->Hold(std::make_shared<std::unique_lock<std::mutex>>(practices_mu_));
  ASSIGN_OR_RETURN(std::optional<v1::Practice> stored, store_.practices().Find(p.id()));
  if (stored && stored->home_instance() != p.home_instance()) {
    return absl::InvalidArgumentError("practice id of another instance's practice");
  }
  if (stored && stored->version() > p.version()) return absl::OkStatus();
  if (p.withdrawn()) {
    // A withdrawal names the level the practice is still shared at: narrowed to its
    // prefecture, the instances of that prefecture keep their copy.
    const bool same_prefecture =
        options_.level != v1::INSTANCE_LEVEL_NATIONAL &&
        PrefectureOf(p.jurisdiction_code()) == PrefectureOf(options_.jurisdiction_code);
    if (p.share_level() == v1::SHARE_LEVEL_PREFECTURE && same_prefecture) {
      return absl::OkStatus();
    }
    if (stored) {
      store_.practices().Delete(&cmd->batch(), p.id());
      cmd->OnCommitted([this, id = p.id()] { index_.Remove(id); });
    }
    return absl::OkStatus();
  }
  // Notes that reached this copy before the snapshot that includes them stay.
  if (stored) {
    for (const auto& n : stored->notes()) {
      const bool has = std::any_of(p.notes().begin(), p.notes().end(),
                                   [&](const v1::PracticeNote& x) { return x.id() == n.id(); });
      if (!has) AddNote(&p, n);
    }
  }
  Recount(&p);
  StagePractice(p, cmd);
  return absl::OkStatus();
}

absl::Status Network::ApplyAnnotation(const v1::EventEnvelope& event, common::CommandBatch* cmd) {
  const auto& a = event.practice_annotated();
  if (!Vouched(event, a.note().by().instance()) ||
      !common::IsWellFormedId("pnote", a.note().id())) {
    return absl::InvalidArgumentError("practice note from another instance than its author's");
  }
  cmd->Hold(std::make_shared<std::unique_lock<std::mutex>>(practices_mu_));
  ASSIGN_OR_RETURN(std::optional<v1::Practice> stored, store_.practices().Find(a.practice_id()));
  if (!stored) return absl::OkStatus();
  for (const auto& n : stored->notes()) {
    if (n.id() == a.note().id()) return absl::OkStatus();
  }
  AddNote(&*stored, a.note());
  store_.practices().Put(&cmd->batch(), stored->id(), *stored);
  cmd->OnCommitted([this, p = *stored] { index_.Put(p); });
  return absl::OkStatus();
}

}  // namespace renkei::network
