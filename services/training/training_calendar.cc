// Trainings: the calendar export and the training network (peers).
#include <algorithm>
#include <cctype>

#include "ical.h"
#include "renkei/common/dates.h"
#include "renkei/common/errors.h"
#include "renkei/common/ids.h"
#include "renkei/common/jurisdiction.h"
#include "renkei/common/status_macros.h"
#include "renkei/common/table.h"
#include "renkei/common/text.h"
#include "renkei/common/validation.h"
#include "training.h"
#include "training_parts.h"

namespace renkei::training {

// --- calendar and network -------------------------------------------------------------------

absl::StatusOr<v1::Calendar> Trainings::ExportCalendar(const v1::ExportCalendarRequest& r) const {
  std::vector<v1::Training> trainings;
  std::vector<CalendarEntry> entries;
  std::string name, file;
  switch (r.scope_case()) {
    case v1::ExportCalendarRequest::kTrainingId: {
      RETURN_IF_ERROR(CheckId("trn", r.training_id(), "training_id"));
      ASSIGN_OR_RETURN(v1::Training t, store_.GetTraining(r.training_id()));
      trainings.push_back(std::move(t));
      name = trainings[0].title();
      file = trainings[0].id() + ".ics";
      entries.reserve(trainings[0].sessions_size());
      for (const auto& s : trainings[0].sessions())
        entries.push_back({trainings.data(), &s, "", false});
      break;
    }
    case v1::ExportCalendarRequest::kParticipantId: {
      if (!IsParticipantId(r.participant_id())) {
        return common::InvalidField("participant_id",
                                    "英数字と _ - . の1〜64文字です / [A-Za-z0-9_.-]{1,64}");
      }
      ASSIGN_OR_RETURN(auto ids, store_.RegistrationsOf(r.participant_id()));
      ASSIGN_OR_RETURN(auto regs, store_.GetRegistrations(ids));
      std::vector<v1::Registration> active;
      for (auto& reg : regs) {
        if (reg.status() == v1::REGISTRATION_STATUS_CANCELLED) continue;
        ASSIGN_OR_RETURN(v1::Training t, store_.GetTraining(reg.training_id()));
        if (reg.status() == v1::REGISTRATION_STATUS_WAITLISTED) {
          ASSIGN_OR_RETURN(auto ledger, store_.GetLedger(reg.training_id()));
          reg.set_waitlist_position(WaitlistPosition(ledger, reg.id()));
        }
        trainings.push_back(std::move(t));
        active.push_back(std::move(reg));
      }
      for (size_t i = 0; i < trainings.size(); ++i) {
        const auto& reg = active[i];
        for (const auto& s : trainings[i].sessions()) {
          if (std::find(reg.session_ids().begin(), reg.session_ids().end(), s.id()) ==
              reg.session_ids().end()) {
            continue;
          }
          const bool waiting = reg.status() == v1::REGISTRATION_STATUS_WAITLISTED;
          entries.push_back(
              {&trainings[i], &s,
               waiting ? "（キャンセル待ち " + std::to_string(reg.waitlist_position()) + "番）"
                       : "",
               waiting});
        }
      }
      name = "研修の申込";
      file = "registrations-" + r.participant_id() + ".ics";
      break;
    }
    case v1::ExportCalendarRequest::kMunicipalityCode: {
      FieldViolations v;
      v.CheckMunicipalityCode("municipality_code", r.municipality_code());
      RETURN_IF_ERROR(v.ToStatus());
      std::vector<std::string> ids;
      {
        std::shared_lock lock(index_mu_);
        const int municipality = std::atoi(r.municipality_code().c_str());
        for (const Entry& e : list_) {
          if (!e.cancelled && VisibleTo(e, municipality)) ids.push_back(e.id);
        }
      }
      trainings.reserve(ids.size());
      for (const auto& id : ids) {
        ASSIGN_OR_RETURN(v1::Training t, store_.GetTraining(id));
        trainings.push_back(std::move(t));
      }
      for (const auto& t : trainings) {
        for (const auto& s : t.sessions()) entries.push_back({&t, &s, "", false});
      }
      const auto* m = common::Jurisdictions::Get().FindMunicipality(r.municipality_code());
      name = (m ? m->name : r.municipality_code()) + "の研修";
      file = "trainings-" + r.municipality_code() + ".ics";
      break;
    }
    default:
      return common::InvalidField("scope",
                                  "研修、参加者、市区町村のどれかを指定してください / "
                                  "one of training_id, participant_id, "
                                  "municipality_code");
  }
  v1::Calendar out;
  out.set_content_type("text/calendar; charset=utf-8");
  out.set_file_name(file);
  out.set_content(RenderCalendar(name, entries, clock_->NowMicros()));
  out.set_event_count(static_cast<int32_t>(entries.size()));
  return out;
}

absl::StatusOr<v1::ListPeersResponse> Trainings::ListPeers(const v1::ListPeersRequest& r) const {
  FieldViolations v;
  for (int i = 0; i < r.roles_size() && i < 20; ++i) {
    v.CheckEnum("roles[" + std::to_string(i) + "]", r.roles(i), v1::AudienceRole_IsValid, false);
  }
  v.CheckCount("roles", r.roles_size(), 20);
  std::vector<std::string> training_ids;
  std::string self;
  switch (r.scope_case()) {
    case v1::ListPeersRequest::kTrainingId:
      if (!common::IsWellFormedId("trn", r.training_id())) {
        v.Add("training_id", "IDの形式が不正です (trn_ + 26文字) / malformed id");
      }
      training_ids.push_back(r.training_id());
      break;
    case v1::ListPeersRequest::kParticipantId:
      if (!IsParticipantId(r.participant_id())) {
        v.Add("participant_id", "英数字と _ - . の1〜64文字です / [A-Za-z0-9_.-]{1,64}");
      }
      self = r.participant_id();
      break;
    default:
      v.Add("scope",
            "研修か参加者を指定してください / training_id or "
            "participant_id");
  }
  RETURN_IF_ERROR(v.ToStatus());
  if (!self.empty()) {
    ASSIGN_OR_RETURN(auto ids, store_.RegistrationsOf(self));
    ASSIGN_OR_RETURN(auto regs, store_.GetRegistrations(ids));
    for (const auto& reg : regs) {
      if (reg.status() == v1::REGISTRATION_STATUS_CONFIRMED && Attended(reg))
        training_ids.push_back(reg.training_id());
    }
  } else {
    RETURN_IF_ERROR(store_.GetTraining(training_ids[0]).status());
  }
  std::vector<int> roles(r.roles().begin(), r.roles().end());
  if (roles.empty()) roles.push_back(v1::AUDIENCE_ROLE_COORDINATORS);
  std::map<std::string, v1::Peer> peers;
  for (const auto& training_id : training_ids) {
    v1::TrainingLedger ledger;
    ASSIGN_OR_RETURN(auto regs, RegistrationsOfTraining(training_id, &ledger));
    for (const auto& reg : regs) {
      if (reg.status() != v1::REGISTRATION_STATUS_CONFIRMED || !Attended(reg)) continue;
      if (reg.participant_id() == self) continue;
      if (std::find(roles.begin(), roles.end(), reg.role()) == roles.end()) continue;
      v1::Peer& p = peers[reg.participant_id()];
      p.set_participant_id(reg.participant_id());
      if (reg.network_consent()) p.set_name(reg.participant_name());
      p.set_municipality_code(reg.municipality_code());
      p.set_role(reg.role());
      if (!reg.directory_resource_id().empty())
        p.set_directory_resource_id(reg.directory_resource_id());
      p.add_training_ids(training_id);
    }
  }
  v1::ListPeersResponse out;
  std::vector<v1::Peer> list;
  list.reserve(peers.size());
  for (auto& [id, p] : peers) list.push_back(std::move(p));
  std::sort(list.begin(), list.end(), [](const v1::Peer& a, const v1::Peer& b) {
    return a.municipality_code() != b.municipality_code()
               ? a.municipality_code() < b.municipality_code()
               : a.participant_id() < b.participant_id();
  });
  for (auto& p : list) *out.add_peers() = std::move(p);
  return out;
}

}  // namespace renkei::training
