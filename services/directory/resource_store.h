// Persistence of resources: the resource records, the source index (system:source_id -> id) and
// the events of every change, written as one synced batch per command.
//
// Column families: "resources" (id -> Resource), "resource_sources" (source key -> id), plus the
// outbox's. Thread-safe; callers serialize changes to the same id (Directory holds the locks).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "renkei/common/events.h"
#include "renkei/common/outbox.h"
#include "renkei/common/store.h"
#include "renkei/common/table.h"
#include "renkei/v1/directory.pb.h"

namespace renkei::directory {

struct ResourceChange {
  enum class Type { kUpsert, kRemove };
  Type type = Type::kUpsert;
  v1::Resource resource;                 // the new state (upsert) or the removed one
  std::optional<v1::Resource> previous;  // the stored state before, if any
};

class ResourceStore {
 public:
  static std::vector<std::string> ColumnFamilies();

  ResourceStore(common::Store* store, common::Outbox* outbox, common::EventSource events);

  // NotFound when absent.
  absl::StatusOr<v1::Resource> Get(const std::string& id) const;
  // In the order of `ids`, nullopt for an absent one; a read error or an unreadable record fails.
  absl::StatusOr<std::vector<std::optional<v1::Resource>>> GetMany(
      const std::vector<std::string>& ids) const;
  // The id stored for a source key; NotFound when none.
  absl::StatusOr<std::string> IdForSource(const std::string& source_key) const;

  // Writes every change with its source-index updates and its event (resource_upserted /
  // resource_removed, shared nationally) as one synced batch.
  // `answer`: what the command answers (requests.h), if it runs for a request id.
  absl::Status Commit(const std::vector<ResourceChange>& changes,
                      const google::protobuf::Message* answer = nullptr);
  // The same for one change, into a command's batch (a survey answer accepted with its review).
  void AddChange(const ResourceChange& change, common::CommandBatch* cmd);
  // Adds a change that another instance made (a replica sourced through the federation) to a
  // consumer's batch: the same records, no event (the owner published it already).
  void AddReplica(const ResourceChange& change, common::CommandBatch* cmd);

  absl::Status ForEach(const std::function<bool(const v1::Resource&)>& fn) const;

  const common::Table<v1::Resource>& table() const { return resources_; }

 private:
  common::Store* store_;
  common::Outbox* outbox_;
  common::EventSource events_;
  common::Table<v1::Resource> resources_;  // public records: not sealed
  common::ColumnFamily sources_cf_;
};

}  // namespace renkei::directory
