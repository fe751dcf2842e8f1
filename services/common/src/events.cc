#include "renkei/common/events.h"

#include "renkei/common/ids.h"

namespace renkei::common {

std::string_view EventTypeOf(const v1::EventEnvelope& event) {
  const auto* oneof = v1::EventEnvelope::descriptor()->FindOneofByName("payload");
  const auto* field = v1::EventEnvelope::GetReflection()->GetOneofFieldDescriptor(event, oneof);
  return field == nullptr ? std::string_view() : std::string_view(field->name());
}

std::string_view ShareToken(v1::ShareLevel level) {
  switch (level) {
    case v1::SHARE_LEVEL_PREFECTURE:
      return "pref";
    case v1::SHARE_LEVEL_NATIONAL:
      return "national";
    default:
      // Unspecified is treated as the most restrictive level.
      return "local";
  }
}

std::string EventSubject(const v1::EventEnvelope& event) {
  std::string s = "renkei.";
  s += ShareToken(event.share_level());
  s += '.';
  s += event.origin_instance();
  s += '.';
  s += event.aggregate_type().empty() ? std::string_view("none") : event.aggregate_type();
  s += '.';
  s += EventTypeOf(event);
  return s;
}

std::string InstanceLevelWord(v1::InstanceLevel level) {
  switch (level) {
    case v1::INSTANCE_LEVEL_MUNICIPALITY:
      return "municipality";
    case v1::INSTANCE_LEVEL_PREFECTURE:
      return "prefecture";
    case v1::INSTANCE_LEVEL_NATIONAL:
      return "national";
    default:
      return "unknown";
  }
}

std::string InstanceId(const v1::InstanceIdentity& instance) {
  switch (instance.level()) {
    case v1::INSTANCE_LEVEL_MUNICIPALITY:
      return "m" + instance.code();
    case v1::INSTANCE_LEVEL_PREFECTURE:
      return "p" + instance.code().substr(0, 2);
    case v1::INSTANCE_LEVEL_NATIONAL:
      return "national";
    default:
      return "unknown";
  }
}

std::vector<std::string> InstanceStreamSubjects(std::string_view instance_id) {
  return {"renkei.*." + std::string(instance_id) + ".>"};
}

v1::EventEnvelope NewEvent(const EventSource& source, std::string_view aggregate_type,
                           std::string_view aggregate_id, int64_t aggregate_version,
                           v1::ShareLevel share, std::string_view jurisdiction_code) {
  v1::EventEnvelope e;
  e.set_id(NewId("evt", *source.clock));
  *e.mutable_occurred_at() = source.clock->NowTimestamp();
  e.set_origin_instance(source.origin_instance);
  e.set_aggregate_type(std::string(aggregate_type));
  e.set_aggregate_id(std::string(aggregate_id));
  e.set_aggregate_version(aggregate_version);
  e.set_share_level(share);
  e.set_jurisdiction_code(std::string(jurisdiction_code));
  return e;
}

}  // namespace renkei::common
