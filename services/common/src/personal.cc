#include "renkei/common/personal.h"

#include <unordered_map>
#include <unordered_set>

#include "renkei/v1/common.pb.h"
#include "renkei/v1/options.pb.h"

namespace renkei::common {
namespace {

using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using google::protobuf::Reflection;

void CollectAll(const Message& m, std::vector<std::string>* out);

void CollectValue(const Message& m, const FieldDescriptor* f, int index,
                  std::vector<std::string>* out) {
  const Reflection* r = m.GetReflection();
  if (f->cpp_type() == FieldDescriptor::CPPTYPE_STRING) {
    std::string v = index < 0 ? r->GetString(m, f) : r->GetRepeatedString(m, f, index);
    if (!v.empty()) out->push_back(std::move(v));
  } else if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
    const Message& sub = index < 0 ? r->GetMessage(m, f) : r->GetRepeatedMessage(m, f, index);
    if (const auto* date = dynamic_cast<const v1::Date*>(&sub)) {
      if (date->year() != 0) {
        char buf[16];
        std::snprintf(buf, sizeof buf, "%04d-%02d-%02d", date->year(), date->month(), date->day());
        out->push_back(buf);
      }
      return;
    }
    CollectAll(sub, out);
  }
}

// Every string under a personal field (all of its contents count).
void CollectAll(const Message& m, std::vector<std::string>* out) {
  const Reflection* r = m.GetReflection();
  std::vector<const FieldDescriptor*> fields;
  r->ListFields(m, &fields);
  for (const auto* f : fields) {
    if (f->is_repeated()) {
      for (int i = 0; i < r->FieldSize(m, f); ++i) CollectValue(m, f, i, out);
    } else {
      CollectValue(m, f, -1, out);
    }
  }
}

void CollectPersonal(const Message& m, std::vector<std::string>* out) {
  const Reflection* r = m.GetReflection();
  std::vector<const FieldDescriptor*> fields;
  r->ListFields(m, &fields);
  for (const auto* f : fields) {
    const bool personal = IsPersonal(f);
    const int n = f->is_repeated() ? r->FieldSize(m, f) : 1;
    for (int i = 0; i < n; ++i) {
      const int index = f->is_repeated() ? i : -1;
      if (personal) {
        CollectValue(m, f, index, out);
      } else if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE) {
        CollectPersonal(index < 0 ? r->GetMessage(m, f) : r->GetRepeatedMessage(m, f, index), out);
      }
    }
  }
}

// Whether a personal field is reachable from `d` through types not seen yet in this search. A
// type on the current path counts as "no" only there: its other fields are still explored by the
// frame that is visiting it, so the answer for the search's root is exact.
bool ReachesPersonal(const google::protobuf::Descriptor* d,
                     std::unordered_set<const google::protobuf::Descriptor*>* seen) {
  if (!seen->insert(d).second) return false;
  for (int i = 0; i < d->field_count(); ++i) {
    const FieldDescriptor* f = d->field(i);
    if (IsPersonal(f)) return true;
    if (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE &&
        ReachesPersonal(f->message_type(), seen))
      return true;
  }
  return false;
}

// A map field whose values may hold personal data moves as a whole: its entries have no stable
// order to keep two copies in step.
bool MovesWhole(const FieldDescriptor* f) {
  if (IsPersonal(f)) return true;
  return f->is_map() && MayHoldPersonal(f->message_type());
}

}  // namespace

bool IsPersonal(const FieldDescriptor* field) {
  return field->options().GetExtension(v1::personal);
}

bool MayHoldPersonal(const google::protobuf::Descriptor* type) {
  // Per thread: asked for every field of every record sealed, so no lock on the way.
  thread_local std::unordered_map<const google::protobuf::Descriptor*, bool> cache;
  auto it = cache.find(type);
  if (it != cache.end()) return it->second;
  std::unordered_set<const google::protobuf::Descriptor*> seen;
  const bool result = ReachesPersonal(type, &seen);
  cache.emplace(type, result);
  return result;
}

bool HasPersonal(const Message& m) {
  if (!MayHoldPersonal(m.GetDescriptor())) return false;
  const Reflection* r = m.GetReflection();
  std::vector<const FieldDescriptor*> fields;
  r->ListFields(m, &fields);
  for (const auto* f : fields) {
    if (MovesWhole(f)) return true;
    if (f->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) continue;
    const int n = f->is_repeated() ? r->FieldSize(m, f) : 1;
    for (int i = 0; i < n; ++i) {
      if (HasPersonal(f->is_repeated() ? r->GetRepeatedMessage(m, f, i) : r->GetMessage(m, f)))
        return true;
    }
  }
  return false;
}

void SplitPersonal(Message* record, Message* personal) {
  if (!MayHoldPersonal(record->GetDescriptor())) return;
  const Reflection* r = record->GetReflection();
  std::vector<const FieldDescriptor*> fields;
  r->ListFields(*record, &fields);
  for (const auto* f : fields) {
    if (MovesWhole(f)) {
      r->SwapFields(record, personal, {f});
      continue;
    }
    if (f->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE || !MayHoldPersonal(f->message_type()))
      continue;
    if (f->is_repeated()) {
      for (int i = 0; i < r->FieldSize(*record, f); ++i) {
        SplitPersonal(r->MutableRepeatedMessage(record, f, i), r->AddMessage(personal, f));
      }
    } else {
      SplitPersonal(r->MutableMessage(record, f), r->MutableMessage(personal, f));
    }
  }
}

// Works from what `personal` holds rather than from today's marks, so records sealed before a
// field's mark changed still open: a field the record lacks moved whole; a message field both
// hold was split and is merged element by element.
absl::Status MergePersonal(Message* record, Message* personal) {
  const Reflection* r = record->GetReflection();
  std::vector<const FieldDescriptor*> fields;
  r->ListFields(*personal, &fields);
  for (const auto* f : fields) {
    const bool message = f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE;
    if (message && f->is_repeated() && r->FieldSize(*record, f) != 0) {
      const int n = r->FieldSize(*personal, f);
      if (r->FieldSize(*record, f) != n) {
        return absl::DataLossError("sealed part out of step with the record at " + f->full_name());
      }
      for (int i = 0; i < n; ++i) {
        auto s = MergePersonal(r->MutableRepeatedMessage(record, f, i),
                               r->MutableRepeatedMessage(personal, f, i));
        if (!s.ok()) return s;
      }
    } else if (message && !f->is_repeated() && r->HasField(*record, f)) {
      auto s = MergePersonal(r->MutableMessage(record, f), r->MutableMessage(personal, f));
      if (!s.ok()) return s;
    } else {
      r->ClearField(record, f);
      r->SwapFields(record, personal, {f});
    }
  }
  return absl::OkStatus();
}

void StripPersonal(Message* message) {
  if (!MayHoldPersonal(message->GetDescriptor())) return;
  const Reflection* r = message->GetReflection();
  std::vector<const FieldDescriptor*> fields;
  r->ListFields(*message, &fields);
  for (const auto* f : fields) {
    if (IsPersonal(f)) {
      r->ClearField(message, f);
      continue;
    }
    if (f->cpp_type() != FieldDescriptor::CPPTYPE_MESSAGE) continue;
    if (f->is_repeated()) {
      for (int i = 0; i < r->FieldSize(*message, f); ++i) {
        StripPersonal(r->MutableRepeatedMessage(message, f, i));
      }
    } else {
      StripPersonal(r->MutableMessage(message, f));
    }
  }
}

std::vector<std::string> PersonalStrings(const Message& message) {
  std::vector<std::string> out;
  CollectPersonal(message, &out);
  return out;
}

}  // namespace renkei::common
