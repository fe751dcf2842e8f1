#include "at_rest_scan.h"

#include <filesystem>
#include <iostream>
#include <set>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "renkei/common/personal.h"
#include "renkei/common/store.h"

namespace renkei::testing {
namespace {

using ::testing::Contains;
using ::testing::EndsWith;
using ::testing::IsEmpty;
using ::testing::Not;

struct Totals {
  int files = 0;
  uintmax_t bytes = 0;
};

Totals Count(const std::string& dir) {
  Totals t;
  std::error_code ec;
  for (const auto& e : std::filesystem::recursive_directory_iterator(dir, ec)) {
    if (!e.is_regular_file(ec)) continue;
    ++t.files;
    t.bytes += e.file_size(ec);
  }
  return t;
}

// One scan of `dir`: no personal string anywhere, every control under its service's directory
// (in a file ending with `control_suffix` when given). Returns where the controls were found.
std::vector<std::string> Scan(const std::string& dir, const std::string& phase,
                              const std::vector<std::string>& personal,
                              const std::vector<AtRestControl>& all_controls, bool compacted) {
  const std::string control_suffix = compacted ? ".sst" : "";
  std::vector<AtRestControl> controls;
  for (const auto& c : all_controls) {
    if (compacted || !c.after_compaction_only) controls.push_back(c);
  }
  std::vector<std::string> needles = personal;
  for (const auto& c : controls) needles.push_back(c.text);
  auto found = FilesContaining(dir, needles);
  for (const auto& p : personal) {
    EXPECT_THAT(found[p], IsEmpty()) << phase << ": personal string '" << p << "' stored";
  }
  std::vector<std::string> where;
  for (const auto& c : controls) {
    std::vector<std::string> in_service;
    for (const auto& f : found[c.text]) {
      const bool suffix_ok =
          control_suffix.empty() ||
          (f.size() >= control_suffix.size() &&
           f.compare(f.size() - control_suffix.size(), control_suffix.size(), control_suffix) == 0);
      if (f.rfind(c.service + "/", 0) == 0 && suffix_ok) {
        in_service.push_back(f);
      }
    }
    EXPECT_THAT(in_service, Not(IsEmpty()))
        << phase << ": control '" << c.text << "' not found under " << c.service
        << "/ — the scan cannot see stored text";
    for (const auto& f : in_service) where.push_back(c.text + " -> " + f);
  }
  const Totals t = Count(dir);
  std::cout << "[at rest] " << phase << ": " << t.files << " files, " << t.bytes
            << " bytes scanned for " << personal.size() << " personal strings, " << controls.size()
            << " controls\n";
  for (const auto& w : where) std::cout << "[at rest]   control " << w << "\n";
  return where;
}

}  // namespace

void ExpectNothingPersonalAtRest(InstanceProcesses& instance,
                                 const std::vector<std::string>& services,
                                 const std::vector<std::string>& personal,
                                 const std::vector<AtRestControl>& controls) {
  ASSERT_FALSE(personal.empty());
  ASSERT_FALSE(controls.empty());
  for (const auto& s : services) instance.Stop(s);
  const std::string data_root = instance.data_dir() + "/data";

  // 1. As the services left them: WAL files hold every write since the last flush, uncompressed.
  Scan(data_root, "as left by the services", personal, controls, false);

  // 2. Every live record rewritten into uncompressed table files.
  for (const auto& s : services) {
    auto store = common::Store::Open(
        {.path = absl::StrCat(data_root, "/", s), .column_families = {}, .compress = false});
    ASSERT_TRUE(store.ok()) << store.status();
    ASSERT_TRUE((*store)->CompactAll().ok());
  }
  Scan(data_root, "compacted without compression", personal, controls, true);

  // The services' logs.
  for (const auto& s : services) {
    const std::string log = ReadFile(instance.log_path(s));
    EXPECT_FALSE(log.empty()) << s;
    for (const auto& p : personal) {
      EXPECT_EQ(log.find(p), std::string::npos) << "'" << p << "' in the " << s << " log";
    }
  }
}

void ExpectNothingPersonalInJetStreamFiles(NatsServer& nats, const std::string& nats_dir,
                                           const std::vector<std::string>& personal,
                                           const std::string& control) {
  nats.Stop();
  auto found = FilesContaining(nats_dir + "/store", [&] {
    std::vector<std::string> needles = personal;
    needles.push_back(control);
    return needles;
  }());
  for (const auto& p : personal) {
    EXPECT_THAT(found[p], IsEmpty()) << "personal string '" << p << "' in the JetStream store";
  }
  EXPECT_THAT(found[control], Contains(EndsWith(".blk")))
      << "control '" << control << "' not found in the JetStream store";
  const Totals t = Count(nats_dir + "/store");
  std::cout << "[at rest] JetStream store: " << t.files << " files, " << t.bytes
            << " bytes scanned; control in " << found[control].size() << " file(s)\n";
}

std::vector<std::string> PersonalStringsOf(
    const std::vector<const google::protobuf::Message*>& requests) {
  std::vector<std::string> out;
  std::set<std::string> seen;
  for (const auto* r : requests) {
    for (auto& s : common::PersonalStrings(*r)) {
      if (seen.insert(s).second) out.push_back(std::move(s));
    }
  }
  return out;
}

}  // namespace renkei::testing
