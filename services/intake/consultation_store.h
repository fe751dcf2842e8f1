// Persistence of consultations: the consultation records and their indexes, written with the
// events of each change as one synced batch.
//
// Column families: "consultations" (id -> Consultation), "consultations_by_received" (newest
// first), "open_follow_ups" (due date, consultation, follow-up), "seeds_by_raised" (time, seed ->
// consultation), plus the outbox's. Thread-safe; callers serialize changes to one consultation.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "renkei/common/outbox.h"
#include "renkei/common/store.h"
#include "renkei/v1/events.pb.h"
#include "renkei/v1/intake.pb.h"

namespace renkei::intake {

class ConsultationStore {
 public:
  static std::vector<std::string> ColumnFamilies();
  ConsultationStore(common::Store* store, common::Outbox* outbox);

  // NOT_FOUND when absent.
  absl::StatusOr<v1::Consultation> Get(const std::string& id) const;
  // Writes `next` (replacing `previous`, absent for a new consultation), the index changes
  // between them, and the events, as one synced batch.
  absl::Status Commit(const std::optional<v1::Consultation>& previous, const v1::Consultation& next,
                      const std::vector<v1::EventEnvelope>& events);

  // Consultations received in [from_micros, to_micros), newest first, until fn returns false.
  // With `resume_after` (a key fn was given earlier), continues after that consultation.
  absl::Status ForEachReceived(
      int64_t from_micros, int64_t to_micros, const std::string& resume_after,
      const std::function<bool(const std::string& key, const v1::Consultation&)>& fn) const;
  // Open follow-ups due before `date_number` (yyyymmdd), most overdue first.
  absl::Status ForEachOpenFollowUpDueBefore(
      int32_t date_number, const std::function<bool(const std::string& consultation_id,
                                                    const std::string& follow_up_id)>& fn) const;
  // Seeds raised in [from_micros, to_micros), oldest first.
  absl::Status ForEachSeedRaised(int64_t from_micros, int64_t to_micros,
                                 const std::function<bool(const std::string& consultation_id,
                                                          const std::string& seed_id)>& fn) const;

 private:
  common::Store* store_;
  common::Outbox* outbox_;
  common::ColumnFamily consultations_, by_received_, open_follow_ups_, seeds_;
};

}  // namespace renkei::intake
