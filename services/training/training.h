// The training service's domain logic, independent of gRPC (training_service.h is the edge).
//
// Every command validates its request first (INVALID_ARGUMENT naming each bad field), then takes
// the training's lock, reads what it changes, checks versions and rules, and writes everything —
// the training, its ledger of seats, the registrations and the events — as one synced batch;
// nothing is written when a check fails.
//
// Seats. The ledger (storage.proto TrainingLedger) counts confirmed registrations per session and
// holds the waitlist in order. Register, CancelRegistration and a capacity change run under the
// training's lock, so capacity holds however many callers race: a registration is confirmed when
// every session it takes has a free seat, else it waits; freed seats promote the first waiting
// registrations whose sessions all have room, in line order.
//
// Scheduling. Creating a training or adding/changing a session holds one scheduling mutex while
// it checks every session of the instance for a double-booked venue or lecturer and commits, so
// two concurrent requests cannot both take the same room.
//
// Lists of trainings are answered from an in-memory index (by first session start) built at
// start-up and updated after each commit.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <shared_mutex>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "renkei/common/clock.h"
#include "renkei/common/events.h"
#include "renkei/common/links.h"
#include "renkei/common/locks.h"
#include "renkei/common/mail_queue.h"
#include "renkei/common/outbox.h"
#include "training_rules.h"
#include "training_store.h"

namespace renkei::training {

struct TrainingOptions {
  v1::InstanceLevel level = v1::INSTANCE_LEVEL_MUNICIPALITY;
  // The instance's jurisdiction: "000000", a prefecture's "130001", a municipality's "132250".
  std::string jurisdiction_code;
  std::string jurisdiction_name;  // "稲城市": the organizer residents see
  // Where residents' cancellation links point: "https://renkei.city.example.lg.jp".
  std::string link_origin;
  // Days after a public event's last session when its residents' names and contacts are erased.
  int resident_retention_days = 30;
  // Residents' confirmation mails; null or disabled: none (the page shows the link instead).
  common::MailQueue* mail = nullptr;
};

class Trainings {
 public:
  Trainings(common::Store* store, common::Outbox* outbox, const common::RecordSealer* sealer,
            common::EventSource events, TrainingOptions options,
            const common::Clock* clock = common::SystemClock::Get());

  // Builds the list and schedule indexes and loads the skill framework. Call once before serving.
  absl::Status Load();

  absl::StatusOr<v1::SkillFramework> GetSkillFramework(
      const v1::GetSkillFrameworkRequest& request) const;
  absl::StatusOr<v1::SkillFramework> PublishSkillFramework(
      const v1::PublishSkillFrameworkRequest& request);

  absl::StatusOr<v1::Training> CreateTraining(const v1::CreateTrainingRequest& request);
  absl::StatusOr<v1::Training> GetTraining(const v1::GetTrainingRequest& request) const;
  absl::StatusOr<v1::ListTrainingsResponse> ListTrainings(
      const v1::ListTrainingsRequest& request) const;
  absl::StatusOr<v1::Training> UpdateTraining(const v1::UpdateTrainingRequest& request);
  absl::StatusOr<v1::Training> AddSession(const v1::AddSessionRequest& request);
  absl::StatusOr<v1::Training> UpdateSession(const v1::UpdateSessionRequest& request);
  absl::StatusOr<v1::Training> CancelTraining(const v1::CancelTrainingRequest& request);

  absl::StatusOr<v1::Registration> Register(const v1::RegisterRequest& request);
  absl::StatusOr<v1::Registration> CancelRegistration(const v1::CancelRegistrationRequest& request);
  absl::StatusOr<v1::Registration> GetRegistration(const v1::GetRegistrationRequest& request) const;
  absl::StatusOr<v1::ListRegistrationsResponse> ListRegistrations(
      const v1::ListRegistrationsRequest& request) const;

  absl::StatusOr<v1::RecordAttendanceResponse> RecordAttendance(
      const v1::RecordAttendanceRequest& request);
  absl::StatusOr<v1::SurveyResponse> SubmitSurvey(const v1::SubmitSurveyRequest& request);
  absl::StatusOr<v1::SurveyResults> GetSurveyResults(
      const v1::GetSurveyResultsRequest& request) const;

  absl::StatusOr<v1::Calendar> ExportCalendar(const v1::ExportCalendarRequest& request) const;
  absl::StatusOr<v1::ListPeersResponse> ListPeers(const v1::ListPeersRequest& request) const;

  // Events for residents (training_public.cc): the public page's reads, a resident's
  // registration and cancellation by link, the awareness questionnaire.
  absl::StatusOr<v1::ListPublicEventsResponse> ListPublicEvents(
      const v1::ListPublicEventsRequest& request) const;
  absl::StatusOr<v1::PublicEvent> GetPublicEvent(const v1::GetPublicEventRequest& request) const;
  absl::StatusOr<v1::Calendar> ExportPublicCalendar() const;
  absl::StatusOr<v1::PublicRegistration> RegisterForPublicEvent(
      const v1::RegisterForPublicEventRequest& request);
  absl::StatusOr<v1::PublicRegistration> GetPublicRegistration(
      const v1::GetPublicRegistrationRequest& request) const;
  absl::StatusOr<v1::PublicRegistration> CancelPublicRegistration(
      const v1::PublicRegistrationTokenRequest& request);
  absl::StatusOr<v1::AwarenessReceipt> SubmitAwarenessAnswers(
      const v1::SubmitAwarenessAnswersRequest& request);
  absl::StatusOr<v1::AwarenessResults> GetAwarenessResults(
      const v1::GetAwarenessResultsRequest& request) const;
  // Erases the names and contacts of residents' registrations whose event ended more than
  // resident_retention_days ago; the number erased. Run at start-up and hourly.
  absl::StatusOr<int> EraseResidentData();
  // The cancellation link of a resident's registration (tests).
  std::string CancellationLink(const v1::Registration& reg) const;

  // Federation. Trainings organized above (training_scheduled, session_changed from
  // RENKEI_PARENT) are kept here as read-only copies, listed like the instance's own; a
  // registration for one is kept as requested and sent up (registration_requested); the
  // organizer confirms or waitlists it (from RENKEI_CHILDREN) and the outcome comes back down
  // to the requesting registration.
  absl::Status ApplyFederatedTraining(const v1::EventEnvelope& event, common::CommandBatch* cmd);
  absl::Status ApplyRegistrationRequest(const v1::EventEnvelope& event, common::CommandBatch* cmd);
  absl::Status ApplyRegistrationOutcome(const v1::EventEnvelope& event, common::CommandBatch* cmd);

  const TrainingOptions& options() const { return options_; }

 private:
  // What the list index keeps of a training: what the filters need as plain numbers, and the
  // summary a page returns.
  struct Entry {
    int64_t first_us = 0, last_us = 0;
    std::string id;
    v1::OrganizerLevel level = v1::ORGANIZER_LEVEL_UNSPECIFIED;
    int prefecture = -1;  // the organizer's 2-digit prefecture (-1: national)
    int organizer = -1;   // the organizer's 6-digit code as a number
    bool cancelled = false;
    std::vector<std::string> skills;
    v1::TrainingSummary summary;
  };

  v1::OrganizerLevel organizer_level() const;
  // training.organizer_level and organizer_code, when given, are this instance's.
  void CheckOrganizer(const v1::Training& in, common::FieldViolations* v) const;
  bool OrganizedHere(const v1::Training& t) const {
    return t.organizer_code() == options_.jurisdiction_code;
  }
  // The sessions a registration takes: all of a one-course training's, the only one, or the
  // requested ones (checked).
  // `path` names the request's field in errors.
  absl::StatusOr<google::protobuf::RepeatedPtrField<std::string>> ResolveSessions(
      const v1::Training& t, const google::protobuf::RepeatedPtrField<std::string>& requested,
      std::string_view path = "registration.session_ids") const;
  // Confirms or waitlists a new registration: its records, the ledger and the event go into the
  // batch.
  v1::Registration StageNewRegistration(
      const v1::Training& t, v1::TrainingLedger* ledger, v1::Registration reg,
      const google::protobuf::RepeatedPtrField<std::string>& sessions, int64_t now,
      common::CommandBatch* cmd);
  // Cancels a registration of a training organized here (seats, waitlist, promotions, event).
  absl::Status StageCancel(const v1::Training& t, v1::TrainingLedger* ledger, v1::Registration* reg,
                           common::CommandBatch* cmd);
  // A registration here for a training organized above: kept as requested, sent up.
  absl::StatusOr<v1::Registration> RequestFromAbove(
      const v1::Training& t, const v1::Registration& in,
      const google::protobuf::RepeatedPtrField<std::string>& sessions, int64_t now);
  v1::ShareLevel share_level() const;
  v1::EventEnvelope NewEvent(const v1::Training& training, std::string_view aggregate_type,
                             std::string_view aggregate_id, int64_t version) const;
  v1::EventEnvelope ScheduledEvent(const v1::Training& training) const;
  v1::EventEnvelope SessionEvent(const v1::Training& training, const v1::Session& session,
                                 const char* change) const;
  v1::SkillFramework Framework() const;
  // A mail to a resident about their registration ("confirmed", "waitlisted", "promoted",
  // "cancelled"), queued in the batch when the contact is an e-mail address; whether queued.
  bool QueueResidentMail(const v1::Training& t, const v1::Registration& reg, std::string_view kind,
                         common::CommandBatch* cmd) const;
  // A training as residents see it (nothing personal), with seats from its ledger.
  v1::PublicEvent PublicView(const v1::Training& t, const v1::TrainingLedger& ledger) const;
  // The registration a cancellation token names (the token checked), and its training.
  absl::StatusOr<std::pair<v1::Registration, v1::Training>> RegistrationOfToken(
      const std::string& token) const;
  // A party of `seats` must fit each session it takes, or it would wait forever (INVALID_ARGUMENT
  // naming `field`).
  absl::Status CheckPartyFits(const v1::Training& t,
                              const google::protobuf::RepeatedPtrField<std::string>& sessions,
                              int seats, std::string_view field) const;
  v1::PublicRegistration Receipt(const v1::Training& t, const v1::TrainingLedger& ledger,
                                 const v1::Registration& reg, bool with_token) const;

  // Loads a training at the expected version for a change (lock held by the caller).
  absl::StatusOr<v1::Training> LoadForChange(const std::string& id, int64_t expected_version,
                                             std::string_view id_field) const;
  // Checks a training's sessions (at `path`.sessions[i]) against each other and the schedule.
  void CheckSchedule(const v1::Training& training, std::string_view path,
                     common::FieldViolations* v) const;
  // One added or changed session of a training against every other active session here (other
  // trainings' and the training's own); violations at "session".
  absl::Status CheckSessionSchedule(const v1::Training& training, const v1::Session& session) const;
  // Writes a changed training into the batch and refreshes the indexes after commit.
  void StageTraining(const v1::Training& training, const v1::TrainingLedger& ledger,
                     common::CommandBatch* cmd);
  // Stages the changed training, then commits the batch with the training and its counts as the
  // command's answer (the events added before), and returns that answer.
  absl::StatusOr<v1::Training> CommitTraining(const v1::Training& training,
                                              const v1::TrainingLedger& ledger,
                                              common::CommandBatch* cmd);
  // Fills output-only counts from the ledger.
  void FillCounts(const v1::TrainingLedger& ledger, v1::Training* training) const;
  // Promotes waiting registrations into free seats, in line order; adds their records and
  // events to the batch and returns how many were promoted.
  absl::StatusOr<int> Promote(const v1::Training& training, v1::TrainingLedger* ledger,
                              common::CommandBatch* cmd);
  // `municipality` as a number (e.g. 132250).
  static bool VisibleTo(const Entry& e, int municipality);
  void IndexPut(const v1::Training& training, const v1::TrainingLedger& ledger);
  int WaitlistPosition(const v1::TrainingLedger& ledger, const std::string& id) const;
  // Registrations of a training in ledger order.
  absl::StatusOr<std::vector<v1::Registration>> RegistrationsOfTraining(
      const std::string& training_id, v1::TrainingLedger* ledger) const;

  TrainingOptions options_;
  const common::Clock* clock_;
  common::EventSource events_;
  TrainingStore store_;
  common::Store* raw_store_;
  const common::RecordSealer* store_sealer_;
  common::Outbox* outbox_;
  common::StripedLocks locks_;               // per training
  std::optional<common::LinkSigner> links_;  // set by Load

  mutable std::shared_mutex framework_mu_;
  v1::SkillFramework framework_;
  std::mutex publish_mu_;

  std::mutex schedule_mu_;  // held by commands that book sessions
  mutable std::shared_mutex index_mu_;
  // Sorted by (first session start, id), contiguous: a list walks it with plain comparisons and
  // stops at the date bound.
  std::vector<Entry> list_;
  std::map<std::string, int64_t> first_of_;  // training id -> its entry's first_us
  std::map<std::string, std::vector<ScheduledSession>> sessions_;  // by training id, active ones
};

}  // namespace renkei::training
