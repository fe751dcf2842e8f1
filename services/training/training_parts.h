// The training service's own helpers, shared by the files its domain is split into (training.cc
// and its parts: catalogue, registrations, federated copies, attendance and surveys, calendar):
// sessions, seat counts, the waitlist and paging. Not part of the service's interface.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "google/protobuf/repeated_ptr_field.h"
#include "google/protobuf/timestamp.pb.h"
#include "renkei/common/table.h"
#include "renkei/common/validation.h"
#include "renkei/v1/storage.pb.h"
#include "renkei/v1/training.pb.h"

namespace renkei::training {

using common::FieldViolations;

inline constexpr int kDefaultPageSize = 50;
inline constexpr int kMaxPageSize = 200;

using common::CheckExpectedVersion;
using common::CheckId;
bool IsParticipantId(std::string_view s);
int64_t Micros(const google::protobuf::Timestamp& t);
void SortSessions(v1::Training* t);
void ClearCounts(v1::Training* t);
const v1::Session* FindSession(const v1::Training& t, const std::string& id);
int64_t FirstStart(const v1::Training& t);
int64_t LastEnd(const v1::Training& t);
int64_t ClosesAt(const v1::Training& t);
v1::SessionInfo InfoOf(const v1::Session& s);
v1::Session SessionOf(const v1::SessionInfo& info);
// The seats a registration takes: its party size (a resident may come with family), at least 1.
int SeatsOf(const v1::Registration& r);
// Whether every session has `seats` free seats.
bool HasRoom(const v1::Training& t, const v1::TrainingLedger& ledger,
             const google::protobuf::RepeatedPtrField<std::string>& session_ids, int seats);
void AddSeats(v1::TrainingLedger* ledger,
              const google::protobuf::RepeatedPtrField<std::string>& session_ids, int delta);
void AddWaiting(v1::TrainingLedger* ledger,
                const google::protobuf::RepeatedPtrField<std::string>& session_ids, int delta);
void RemoveFromWaitlist(v1::TrainingLedger* ledger, const std::string& id);
void ReleaseActive(v1::TrainingLedger* ledger, const v1::Registration& r);
bool Attended(const v1::Registration& r);
void CheckPage(int32_t page_size, const std::string& token, FieldViolations* v);

}  // namespace renkei::training
