// The ground a domain class stands on in its unit tests: a service's store on a real RocksDB in a
// temp directory, its outbox, a sealer with a fresh data key, and the events the domain emitted
// (read back from the outbox). The test builds its domain class over them.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "renkei/common/outbox.h"
#include "renkei/common/store.h"
#include "renkei/v1/events.pb.h"
#include "testing.h"

namespace renkei::testing {

class DomainStore {
 public:
  // The store at `dir` with the service's column families (data keys in `dir`-keys). With
  // `compress` false the files hold every byte as written (for raw scans of personal data).
  DomainStore(const std::string& dir, const std::vector<std::string>& column_families,
              bool compress = true);

  // The events in the outbox, in the order they were added.
  std::vector<v1::EventEnvelope> Events() const;
  // Their types ("training_scheduled", …), same order.
  std::vector<std::string> EventTypes() const;
  size_t EventCount() const;

  TestSealer sealer;
  std::unique_ptr<common::Store> store;
  std::unique_ptr<common::Outbox> outbox;
};

}  // namespace renkei::testing
