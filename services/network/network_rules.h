// The network's rules, free of storage: what a profile must hold and what of it travels, who
// receives a peer request, and which steps a request's state allows (docs/network.md).
#pragma once

#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "renkei/common/validation.h"
#include "renkei/v1/network.pb.h"

namespace renkei::network {

inline constexpr size_t kMaxExpertise = 20;
inline constexpr size_t kMaxWantedExpertise = 5;
inline constexpr size_t kMaxText = 4000;

// A capability code of the directory vocabulary or a skill code of the national framework.
bool KnownExpertise(std::string_view code);
// The fields of a profile kept here (`path`: "profile").
void ValidateProfile(const v1::CoordinatorProfile& p, std::string_view path,
                     common::FieldViolations* v);
// The profile as it travels: only the fields its coordinator agreed to share; never the log-in.
v1::CoordinatorProfile SharedView(const v1::CoordinatorProfile& p);

// "13" for "132250", "270008" or "13".
std::string PrefectureOf(std::string_view jurisdiction_code);
// A prefecture's code: 2 digits ("27") or its 6-digit local government code ("270008").
bool IsPrefectureCode(std::string_view code);
// The instance that serves a jurisdiction: "m132250", "p27", "national" ("000000").
std::string InstanceOfJurisdiction(std::string_view jurisdiction_code);

// Whether `profile` finds `request` in its inbox: the named coordinator, a lead coordinator of
// the prefecture asked, or a lead coordinator with an expertise wanted (any, when none is).
bool Receives(const v1::CoordinatorProfile& profile, const v1::PeerRequest& request);

// Answered, declined or withdrawn: nothing more happens.
bool Settled(v1::PeerRequestStatus status);
// Whether `by` may take a `kind` step on `request` as it stands: the asker replies or
// withdraws; a recipient takes, asks back, answers or declines, unless another took it.
absl::Status CheckStep(const v1::PeerRequest& request, const v1::PeerParty& by,
                       v1::PeerStepKind kind);
// The request after the step (status, who took it), the step added to its history.
void ApplyStep(v1::PeerRequest* request, const v1::PeerStep& step);

}  // namespace renkei::network
