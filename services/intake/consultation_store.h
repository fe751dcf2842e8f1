// Persistence of consultations: the consultation records and their indexes, written with the
// events of each change as one synced batch.
//
// Column families: "consultations" (id -> Consultation, its personal fields sealed by
// common::RecordSealer), "consultations_by_received" (newest first), "open_follow_ups" (due date,
// consultation, follow-up), "seeds_by_raised" (time, seed -> consultation), plus the outbox's.
// Index keys and values hold ids, times and dates only, never a personal field.
// Thread-safe; callers serialize changes to one consultation.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "renkei/common/at_rest.h"
#include "renkei/common/outbox.h"
#include "renkei/common/store.h"
#include "renkei/common/table.h"
#include "renkei/v1/events.pb.h"
#include "renkei/v1/intake.pb.h"

namespace renkei::intake {

class ConsultationStore {
 public:
  static constexpr char kConsultations[] = "consultations";
  static std::vector<std::string> ColumnFamilies();
  ConsultationStore(common::Store* store, common::Outbox* outbox,
                    const common::RecordSealer* sealer);

  // NOT_FOUND when absent; FAILED_PRECONDITION or DATA_LOSS when its personal fields cannot be
  // opened (RecordSealer::Open).
  absl::StatusOr<v1::Consultation> Get(const std::string& id) const;
  // Writes `next` (replacing `previous`, absent for a new consultation), the index changes
  // between them, and the events, as one synced batch.
  // `answer` is what the command answers (requests.h); null: `next` itself.
  absl::Status Commit(const std::optional<v1::Consultation>& previous, const v1::Consultation& next,
                      const std::vector<v1::EventEnvelope>& events,
                      const google::protobuf::Message* answer = nullptr);

  const common::Table<v1::Consultation>& consultations() const { return consultations_; }

  // Consultations received in [from_micros, to_micros), newest first, until fn returns false.
  // With `resume_after` (a key fn was given earlier), continues after that consultation.
  absl::Status ForEachReceived(
      int64_t from_micros, int64_t to_micros, const std::string& resume_after,
      const std::function<bool(const std::string& key, const v1::Consultation&)>& fn) const;
  // Open follow-ups due before `date_number` (yyyymmdd), most overdue first.
  absl::Status ForEachOpenFollowUpDueBefore(
      int32_t date_number, const std::function<bool(const std::string& consultation_id,
                                                    const std::string& follow_up_id)>& fn) const;
  // Retention. Calls fn with the clear part (no personal fields, no key needed) of every
  // consultation whose personal fields are still stored, in id order, until fn returns false.
  absl::Status ForEachWithPersonal(const std::function<bool(const v1::Consultation&)>& fn) const;
  // Drops the personal fields of those of `ids` for which `still_due` (given the clear part, read
  // again now) holds, in one synced write; the clear part stays byte for byte. Returns how many
  // were erased. Callers hold the consultations' locks.
  absl::StatusOr<int> ErasePersonal(const std::vector<std::string>& ids,
                                    const std::function<bool(const v1::Consultation&)>& still_due,
                                    int64_t now_micros);
  // Rewrites the consultations' table files (after flushing every family), so erased values are
  // gone from the disk rather than shadowed.
  absl::Status CompactConsultations();

  // Seeds raised in [from_micros, to_micros), oldest first.
  absl::Status ForEachSeedRaised(int64_t from_micros, int64_t to_micros,
                                 const std::function<bool(const std::string& consultation_id,
                                                          const std::string& seed_id)>& fn) const;

 private:
  common::Store* store_;
  common::Outbox* outbox_;
  common::Table<v1::Consultation> consultations_;
  common::ColumnFamily by_received_, open_follow_ups_, seeds_;
};

}  // namespace renkei::intake
