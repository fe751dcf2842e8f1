// Candidate issues from seeds: issue_seed_raised and resource_gap_found events are grouped by
// cluster key — "tag:<normalized tag>" for each theme tag of a seed, "capability:<capability>"
// for the capability of a seed or a resource gap — and a key whose distinct consultations within
// the window reach the threshold proposes a candidate issue listing them as evidence.
//
// Counting is by consultation: a second seed, or the gap behind an automatic seed, from a
// consultation already counted adds nothing. Keys that reach the threshold in the same event, or
// whose evidence overlaps a candidate still proposed, join that candidate instead of proposing
// another. The time of an event is its occurred_at, so replaying events gives the same result
// whenever it happens. Exactly-once: the consumer's inbox drops a redelivered event, and an event
// that does arrive twice (e.g. under another consumer name) finds its consultation already
// counted.
#pragma once

#include <string>

#include "absl/status/status.h"
#include "issue_store.h"
#include "renkei/common/clock.h"
#include "renkei/common/events.h"
#include "renkei/common/outbox.h"

namespace renkei::issues {

struct ClusteringOptions {
  std::string municipality_code;  // seeds of other municipalities are ignored
  int threshold = 3;              // distinct consultations
  int window_days = 90;
};

// The cluster keys of a seed or gap event (empty for other events), normalized and deduplicated;
// the automatic "resource_gap" tag is not a theme.
std::vector<std::string> ClusterKeysOf(const v1::EventEnvelope& event);

class SeedClusterer {
 public:
  SeedClusterer(const IssueStore* store, common::EventSource events, ClusteringOptions options);

  // Adds the event's effect to `cmd`. The caller serializes calls and holds its lock until the
  // batch is committed (cluster and candidate records are read here and written there).
  absl::Status Apply(const v1::EventEnvelope& event, common::CommandBatch* cmd);

  const ClusteringOptions& options() const { return options_; }

 private:
  const IssueStore* store_;
  common::EventSource events_;
  ClusteringOptions options_;
};

}  // namespace renkei::issues
