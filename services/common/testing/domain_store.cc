#include "domain_store.h"

#include "gtest/gtest.h"
#include "renkei/common/events.h"

namespace renkei::testing {

DomainStore::DomainStore(const std::string& dir, const std::vector<std::string>& column_families,
                         bool compress)
    : sealer(dir + "-keys") {
  auto s =
      common::Store::Open({.path = dir, .column_families = column_families, .compress = compress});
  if (!s.ok()) {
    ADD_FAILURE() << "store at " << dir << ": " << s.status();
    std::abort();  // nothing below can run without it
  }
  store = std::move(*s);
  outbox = std::make_unique<common::Outbox>(store.get());
}

std::vector<v1::EventEnvelope> DomainStore::Events() const {
  std::vector<v1::EventEnvelope> out;
  auto it = store->NewIterator(outbox->records_cf());
  for (it->SeekToFirst(); it->Valid(); it->Next()) {
    v1::EventEnvelope e;
    EXPECT_TRUE(common::DecodeOutboxRecord(it->value(), &e));
    out.push_back(e);
  }
  return out;
}

std::vector<std::string> DomainStore::EventTypes() const {
  std::vector<std::string> out;
  for (const auto& e : Events()) out.emplace_back(common::EventTypeOf(e));
  return out;
}

size_t DomainStore::EventCount() const {
  size_t n = 0;
  auto it = store->NewIterator(outbox->records_cf());
  for (it->SeekToFirst(); it->Valid(); it->Next()) ++n;
  return n;
}

}  // namespace renkei::testing
