#include "consultation_store.h"

#include <limits>

#include "renkei/common/clock.h"
#include "renkei/common/dates.h"
#include "renkei/common/errors.h"
#include "renkei/common/keys.h"
#include "renkei/common/status_macros.h"

namespace renkei::intake {
namespace {

std::string ReceivedKey(const v1::Consultation& c) {
  // Newest first: the key counts down from the largest time.
  uint64_t micros = static_cast<uint64_t>(common::MicrosFromTimestamp(c.received_at()));
  return common::KeyBuilder()
      .U64(std::numeric_limits<uint64_t>::max() - micros)
      .Str(c.id())
      .Release();
}

std::string FollowUpKey(const std::string& consultation_id, const v1::FollowUp& f) {
  return common::KeyBuilder()
      .U64(static_cast<uint64_t>(common::DateNumber(f.due())))
      .Str(consultation_id)
      .Str(f.id())
      .Release();
}

std::string SeedKey(const v1::IssueSeed& s) {
  return common::KeyBuilder().I64(common::MicrosFromTimestamp(s.raised_at())).Str(s.id()).Release();
}

}  // namespace

std::vector<std::string> ConsultationStore::ColumnFamilies() {
  std::vector<std::string> cfs = {kConsultations, "consultations_by_received", "open_follow_ups",
                                  "seeds_by_raised"};
  for (auto& c : common::OutboxColumnFamilies()) cfs.push_back(c);
  return cfs;
}

ConsultationStore::ConsultationStore(common::Store* store, common::Outbox* outbox,
                                     const common::RecordSealer* sealer)
    : store_(store),
      outbox_(outbox),
      consultations_(store, sealer, kConsultations, {"相談", "consultation"}),
      by_received_(store->Cf("consultations_by_received")),
      open_follow_ups_(store->Cf("open_follow_ups")),
      seeds_(store->Cf("seeds_by_raised")) {}

absl::StatusOr<v1::Consultation> ConsultationStore::Get(const std::string& id) const {
  return consultations_.Get(id);
}

absl::Status ConsultationStore::Commit(const std::optional<v1::Consultation>& previous,
                                       const v1::Consultation& next,
                                       const std::vector<v1::EventEnvelope>& events,
                                       const google::protobuf::Message* answer) {
  common::CommandBatch cmd(store_, outbox_);
  auto& b = cmd.batch();
  if (answer == nullptr) {
    consultations_.PutAnswer(&cmd, next.id(), next);
  } else {
    consultations_.Put(&b, next.id(), next);
    cmd.SetAnswer(*answer);
  }
  if (!previous) b.Put(by_received_, ReceivedKey(next), "");
  // Open follow-ups: drop what is done or gone, (re)write what is open.
  if (previous) {
    for (const auto& f : previous->follow_ups()) {
      if (!f.done()) b.Delete(open_follow_ups_, FollowUpKey(next.id(), f));
    }
  }
  for (const auto& f : next.follow_ups()) {
    if (!f.done()) b.Put(open_follow_ups_, FollowUpKey(next.id(), f), "");
  }
  // Seeds are only ever added.
  const int known = previous ? previous->seeds_size() : 0;
  for (int i = known; i < next.seeds_size(); ++i) b.Put(seeds_, SeedKey(next.seeds(i)), next.id());
  for (const auto& e : events) cmd.AddEvent(e);
  return cmd.Commit();
}

absl::Status ConsultationStore::ForEachReceived(
    int64_t from_micros, int64_t to_micros, const std::string& resume_after,
    const std::function<bool(const std::string&, const v1::Consultation&)>& fn) const {
  auto it = store_->NewIterator(by_received_);
  // Newest first: start at the key of the latest instant before to_micros.
  uint64_t start = std::numeric_limits<uint64_t>::max() - static_cast<uint64_t>(to_micros - 1);
  std::string first = common::KeyBuilder().U64(start).Release();
  if (!resume_after.empty() && resume_after > first) first = resume_after;
  for (it->Seek(first); it->Valid(); it->Next()) {
    if (!resume_after.empty() && it->key() == resume_after) continue;
    common::KeyReader r(it->key());
    uint64_t inverted = 0;
    std::string id;
    if (!r.U64(&inverted) || !r.Str(&id)) continue;
    int64_t micros = static_cast<int64_t>(std::numeric_limits<uint64_t>::max() - inverted);
    if (micros < from_micros) break;
    auto c = Get(id);
    if (!c.ok()) return c.status();
    if (!fn(std::string(it->key()), *c)) break;
  }
  return it->status();
}

absl::Status ConsultationStore::ForEachOpenFollowUpDueBefore(
    int32_t date_number,
    const std::function<bool(const std::string&, const std::string&)>& fn) const {
  auto it = store_->NewIterator(open_follow_ups_);
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    common::KeyReader r(it->key());
    uint64_t due = 0;
    std::string consultation, follow_up;
    if (!r.U64(&due) || !r.Str(&consultation) || !r.Str(&follow_up)) continue;
    if (static_cast<int32_t>(due) >= date_number) break;
    if (!fn(consultation, follow_up)) break;
  }
  return it->status();
}

absl::Status ConsultationStore::ForEachWithPersonal(
    const std::function<bool(const v1::Consultation&)>& fn) const {
  using Kind = common::RecordSealer::Inspection::Kind;
  absl::Status inner;
  RETURN_IF_ERROR(
      store_->ScanPrefix(consultations_.cf(), "", [&](std::string_view, std::string_view value) {
        const Kind kind = common::RecordSealer::Inspect(value).kind;
        if (kind != Kind::kSealed && kind != Kind::kPlain) return true;
        v1::Consultation clear;
        inner = common::RecordSealer::OpenClear(value, &clear);
        if (!inner.ok()) return false;
        return fn(clear);
      }));
  return inner;
}

absl::StatusOr<int> ConsultationStore::ErasePersonal(
    const std::vector<std::string>& ids,
    const std::function<bool(const v1::Consultation&)>& still_due, int64_t now_micros) {
  common::Batch batch;
  int erased = 0;
  for (const auto& id : ids) {
    auto raw = store_->Get(consultations_.cf(), id);
    if (absl::IsNotFound(raw.status())) continue;
    if (!raw.ok()) return raw.status();
    v1::Consultation clear;
    RETURN_IF_ERROR(common::RecordSealer::OpenClear(*raw, &clear));
    if (!still_due(clear)) continue;
    ASSIGN_OR_RETURN(auto value, common::RecordSealer::ErasePersonal(
                                     *raw, v1::Consultation::default_instance(), now_micros));
    if (!value) continue;
    batch.Put(consultations_.cf(), id, *value);
    ++erased;
  }
  RETURN_IF_ERROR(store_->Write(batch, common::Durability::kSync));
  return erased;
}

absl::Status ConsultationStore::CompactConsultations() {
  return store_->Compact(consultations_.cf());
}

absl::Status ConsultationStore::ForEachSeedRaised(
    int64_t from_micros, int64_t to_micros,
    const std::function<bool(const std::string&, const std::string&)>& fn) const {
  auto it = store_->NewIterator(seeds_);
  for (it->Seek(common::KeyBuilder().I64(from_micros).Release()); it->Valid(); it->Next()) {
    common::KeyReader r(it->key());
    int64_t micros = 0;
    std::string seed;
    if (!r.I64(&micros) || !r.Str(&seed)) continue;
    if (micros >= to_micros) break;
    if (!fn(std::string(it->value()), seed)) break;
  }
  return it->status();
}

}  // namespace renkei::intake
