#include "renkei/common/personal.h"

#include <mutex>
#include <unordered_map>

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

// Whether a message type has a personal field anywhere below it (computed once per type).
bool MayHoldPersonal(const google::protobuf::Descriptor* d) {
  static std::mutex mu;
  static auto* cache = new std::unordered_map<const google::protobuf::Descriptor*, bool>();
  {
    std::lock_guard<std::mutex> lock(mu);
    auto it = cache->find(d);
    if (it != cache->end()) return it->second;
    (*cache)[d] = false;  // provisional: breaks cycles in recursive types
  }
  bool result = false;
  for (int i = 0; i < d->field_count() && !result; ++i) {
    const FieldDescriptor* f = d->field(i);
    result = IsPersonal(f) || (f->cpp_type() == FieldDescriptor::CPPTYPE_MESSAGE &&
                               MayHoldPersonal(f->message_type()));
  }
  std::lock_guard<std::mutex> lock(mu);
  (*cache)[d] = result;
  return result;
}

}  // namespace

bool IsPersonal(const FieldDescriptor* field) {
  return field->options().GetExtension(v1::personal);
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
