// Event envelopes and their NATS subjects. The subject is built here and nowhere else:
//   renkei.<share>.<origin_instance>.<aggregate_type>.<event_type>
// where <share> is local | pref | national, <aggregate_type> the envelope's (resource, issue,
// training, ...) and <event_type> the payload field's name. The aggregate token lets one
// subject filter take every event of a kind (renkei.*.*.resource.*), which federation needs:
// nats-server 2.9 allows one filter per stream source.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "renkei/common/clock.h"
#include "renkei/v1/config.pb.h"
#include "renkei/v1/events.pb.h"

namespace renkei::common {

// The name of the payload field that is set ("" when none is).
std::string_view EventTypeOf(const v1::EventEnvelope& event);

std::string_view ShareToken(v1::ShareLevel level);

std::string EventSubject(const v1::EventEnvelope& event);

// "m132250" for a municipality, "p13" for a prefecture, "national" for the nation.
std::string InstanceId(const v1::InstanceIdentity& instance);
// "municipality", "prefecture", "national" ("unknown" otherwise).
std::string InstanceLevelWord(v1::InstanceLevel level);

// The subjects an instance's own event stream captures: every share level, this origin.
std::vector<std::string> InstanceStreamSubjects(std::string_view instance_id);

// Where events are born: the instance that produces them, and the clock that stamps them.
struct EventSource {
  std::string origin_instance;
  const Clock* clock = SystemClock::Get();
};

// A new envelope with id, time and origin set; the caller sets the payload.
v1::EventEnvelope NewEvent(const EventSource& source, std::string_view aggregate_type,
                           std::string_view aggregate_id, int64_t aggregate_version,
                           v1::ShareLevel share, std::string_view jurisdiction_code);

}  // namespace renkei::common
