#include "resource_store.h"

#include "renkei/common/consumer.h"
#include "renkei/common/errors.h"
#include "renkei/common/status_macros.h"
#include "resource_rules.h"

namespace renkei::directory {

std::vector<std::string> ResourceStore::ColumnFamilies() {
  std::vector<std::string> cfs = {"resources", "resource_sources"};
  for (auto& c : common::OutboxColumnFamilies()) cfs.push_back(c);
  // Federation: the inbox of the consumers that keep other instances' resources.
  for (auto& c : common::InboxColumnFamilies()) cfs.push_back(c);
  return cfs;
}

ResourceStore::ResourceStore(common::Store* store, common::Outbox* outbox,
                             common::EventSource events)
    : store_(store),
      outbox_(outbox),
      events_(std::move(events)),
      resources_(store, nullptr, "resources", {"資源", "resource"}),
      sources_cf_(store->Cf("resource_sources")) {}

absl::StatusOr<v1::Resource> ResourceStore::Get(const std::string& id) const {
  return resources_.Get(id);
}

absl::StatusOr<std::vector<std::optional<v1::Resource>>> ResourceStore::GetMany(
    const std::vector<std::string>& ids) const {
  return resources_.FindMany(ids);
}

absl::StatusOr<std::string> ResourceStore::IdForSource(const std::string& source_key) const {
  return store_->Get(sources_cf_, source_key);
}

absl::Status ResourceStore::Commit(const std::vector<ResourceChange>& changes,
                                   const google::protobuf::Message* answer) {
  common::CommandBatch cmd(store_, outbox_);
  if (answer != nullptr) cmd.SetAnswer(*answer);
  for (const auto& c : changes) AddChange(c, &cmd);
  return cmd.Commit();
}

void ResourceStore::AddChange(const ResourceChange& c, common::CommandBatch* cmd) {
  AddReplica(c, cmd);
  const v1::Resource& r = c.resource;
  if (c.type == ResourceChange::Type::kUpsert) {
    auto event = common::NewEvent(events_, "resource", r.id(), r.version(),
                                  v1::SHARE_LEVEL_NATIONAL, r.municipality_code());
    auto* payload = event.mutable_resource_upserted();
    *payload->mutable_resource() = r;
    payload->set_created(!c.previous.has_value());
    cmd->AddEvent(event);
  } else {
    auto event = common::NewEvent(events_, "resource", r.id(), r.version() + 1,
                                  v1::SHARE_LEVEL_NATIONAL, r.municipality_code());
    auto* payload = event.mutable_resource_removed();
    payload->set_resource_id(r.id());
    payload->set_municipality_code(r.municipality_code());
    payload->set_kind(r.kind());
    cmd->AddEvent(event);
  }
}

// The records alone (a replica's change, and the first half of an own change).
void ResourceStore::AddReplica(const ResourceChange& c, common::CommandBatch* cmd) {
  const v1::Resource& r = c.resource;
  const std::string old_key = c.previous ? SourceKey(*c.previous) : "";
  const std::string new_key = c.type == ResourceChange::Type::kUpsert ? SourceKey(r) : "";
  if (!old_key.empty() && old_key != new_key) cmd->batch().Delete(sources_cf_, old_key);
  if (c.type == ResourceChange::Type::kUpsert) {
    resources_.Put(&cmd->batch(), r.id(), r);
    if (!new_key.empty()) cmd->batch().Put(sources_cf_, new_key, r.id());
  } else {
    resources_.Delete(&cmd->batch(), r.id());
  }
}

absl::Status ResourceStore::ForEach(const std::function<bool(const v1::Resource&)>& fn) const {
  return resources_.ForEach("", [&](std::string_view, const v1::Resource& r) { return fn(r); });
}

}  // namespace renkei::directory
