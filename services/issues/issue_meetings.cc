// Issues: meetings of the council and their action items.
#include <algorithm>
#include <cctype>

#include "absl/strings/escaping.h"
#include "issue_rules.h"
#include "issues.h"
#include "issues_parts.h"
#include "renkei/common/dates.h"
#include "renkei/common/errors.h"
#include "renkei/common/ids.h"
#include "renkei/common/jurisdiction.h"
#include "renkei/common/keys.h"
#include "renkei/common/status_macros.h"
#include "renkei/common/table.h"
#include "renkei/common/text.h"
#include "renkei/common/validation.h"
#include "worksheet.h"

namespace renkei::issues {

// --- meetings -------------------------------------------------------------------------------

namespace {

void NormalizeMeeting(v1::Meeting* m, const common::Clock& clock) {
  m->set_title(Trimmed(m->title()));
  for (auto& a : *m->mutable_action_items()) {
    if (a.id().empty()) a.set_id(common::NewId("act", clock));
  }
}

// The meeting's issues: well-formed ids of issues this instance holds (the first 50 checked).
void CheckIssueIds(const v1::Meeting& m, const IssueStore& store, FieldViolations* v) {
  for (int i = 0; i < m.issue_ids_size() && i < 50; ++i) {
    const std::string field = "meeting.issue_ids[" + std::to_string(i) + "]";
    if (!common::IsWellFormedId("iss", m.issue_ids(i))) {
      v->Add(field, "IDの形式が不正です (iss_ + 26文字) / malformed id");
    } else if (!store.GetIssue(m.issue_ids(i)).ok()) {
      v->Add(field, "課題が見つかりません / no such issue");
    }
  }
}

// A recorded or changed meeting, shared with the prefecture: its body, date and issues.
v1::EventEnvelope MeetingRecorded(const common::EventSource& events, const v1::Meeting& m) {
  auto e = common::NewEvent(events, "meeting", m.id(), m.version(), v1::SHARE_LEVEL_PREFECTURE,
                            m.municipality_code());
  auto* p = e.mutable_meeting_recorded();
  p->set_meeting_id(m.id());
  p->set_municipality_code(m.municipality_code());
  p->set_body(m.body());
  *p->mutable_date() = m.date();
  *p->mutable_issue_ids() = m.issue_ids();
  return e;
}

}  // namespace

absl::StatusOr<v1::Meeting> Issues::RecordMeeting(const v1::RecordMeetingRequest& r) {
  FieldViolations v;
  ValidateMeeting(r.meeting(), "meeting", &v);
  v.CheckOwnCode("meeting.municipality_code", r.meeting().municipality_code(),
                 options_.jurisdiction_code);
  if (!r.meeting().id().empty())
    v.Add("meeting.id", "新しい会議にIDは指定しません / assigned by the service");
  CheckIssueIds(r.meeting(), store_, &v);
  RETURN_IF_ERROR(v.ToStatus());
  v1::Meeting m = r.meeting();
  m.set_id(common::NewId("mtg", *clock_));
  m.set_municipality_code(options_.jurisdiction_code);
  m.set_version(1);
  *m.mutable_updated_at() = clock_->NowTimestamp();
  NormalizeMeeting(&m, *clock_);
  common::CommandBatch cmd(raw_store_, outbox_);
  store_.PutMeeting(&cmd.batch(), m);
  cmd.AddEvent(MeetingRecorded(events_, m));
  cmd.SetAnswer(m);
  RETURN_IF_ERROR(cmd.Commit());
  return m;
}

absl::StatusOr<v1::Meeting> Issues::UpdateMeeting(const v1::UpdateMeetingRequest& r) {
  FieldViolations v;
  ValidateMeeting(r.meeting(), "meeting", &v);
  v.CheckOwnCode("meeting.municipality_code", r.meeting().municipality_code(),
                 options_.jurisdiction_code);
  CheckIssueIds(r.meeting(), store_, &v);
  RETURN_IF_ERROR(v.ToStatus());
  RETURN_IF_ERROR(CheckId("mtg", r.meeting().id(), "meeting.id"));
  RETURN_IF_ERROR(CheckExpectedVersion(r.meeting().version(), "meeting.version"));
  auto guard = locks_.Lock(r.meeting().id());
  ASSIGN_OR_RETURN(v1::Meeting stored,
                   common::LoadForChange(store_.meetings(), r.meeting().id(), r.meeting().version(),
                                         {.id_field = "meeting.id"}));
  v1::Meeting m = r.meeting();
  m.set_municipality_code(stored.municipality_code());
  common::NextVersion(&m, *clock_);
  NormalizeMeeting(&m, *clock_);
  common::CommandBatch cmd(raw_store_, outbox_);
  store_.PutMeeting(&cmd.batch(), m);
  cmd.AddEvent(MeetingRecorded(events_, m));
  cmd.SetAnswer(m);
  RETURN_IF_ERROR(cmd.Commit());
  return m;
}

absl::StatusOr<v1::Meeting> Issues::GetMeeting(const v1::GetMeetingRequest& r) const {
  RETURN_IF_ERROR(CheckId("mtg", r.id(), "id"));
  return store_.GetMeeting(r.id());
}

absl::StatusOr<v1::ListMeetingsResponse> Issues::ListMeetings(
    const v1::ListMeetingsRequest& r) const {
  FieldViolations v;
  if (!r.issue_id().empty() && !common::IsWellFormedId("iss", r.issue_id())) {
    v.Add("issue_id", "IDの形式が不正です (iss_ + 26文字) / malformed id");
  }
  v.CheckDate("from", r.from().year(), r.from().month(), r.from().day());
  v.CheckDate("to", r.to().year(), r.to().month(), r.to().day());
  const int32_t from = r.from().year() ? common::DateNumber(r.from()) : 0;
  const int32_t to = r.to().year() ? common::DateNumber(r.to()) : 99999999;
  if (v.empty() && to < from) v.Add("to", "from より前です / before from");
  RETURN_IF_ERROR(v.ToStatus());
  v1::ListMeetingsResponse out;
  RETURN_IF_ERROR(store_.ForEachMeeting([&](const v1::Meeting& m) {
    const int32_t d = common::DateNumber(m.date());
    if (d < from || d > to) return true;
    if (!r.issue_id().empty() && std::find(m.issue_ids().begin(), m.issue_ids().end(),
                                           r.issue_id()) == m.issue_ids().end()) {
      return true;
    }
    *out.add_meetings() = m;
    return true;
  }));
  std::sort(out.mutable_meetings()->begin(), out.mutable_meetings()->end(),
            [](const v1::Meeting& a, const v1::Meeting& b) {
              const int32_t da = common::DateNumber(a.date()), db = common::DateNumber(b.date());
              return da != db ? da > db : a.id() > b.id();
            });
  return out;
}

}  // namespace renkei::issues
