// Acceptance 2 of issue 8: after a scenario, none of the personal strings entered is anywhere in
// the raw bytes an instance keeps — RocksDB files of every service (WAL, SST, MANIFEST, OPTIONS,
// info LOG), the service logs, the JetStream store — while non-personal text written by the same
// commands is found by the same scan (the control: a scan that cannot see stored text proves
// nothing).
//
// RocksDB compresses table blocks, which could hide a string from a byte scan. So the data
// directories are scanned twice: as the stopped services left them (the WAL, never compressed,
// holds every write since the last flush), and again after each store was reopened with
// compression off and fully compacted (every live record rewritten into uncompressed table
// files, where the controls must then be found in .sst files).
#pragma once

#include <string>
#include <vector>

#include "harness.h"

namespace renkei::testing {

// Text a service stored that is not personal: must be found under <data_root>/<service>.
struct AtRestControl {
  std::string service;
  std::string text;
  // Only required in the uncompressed scan: a service that flushed it into compressed table
  // files (the directory, after importing ~129,000 rows) may hide it from the first scan.
  bool after_compaction_only = false;
};

// Stops `services` of `instance` (clean shutdown) and scans its data directories and logs.
// Prints the files and bytes scanned and where each control was found.
void ExpectNothingPersonalAtRest(InstanceProcesses& instance,
                                 const std::vector<std::string>& services,
                                 const std::vector<std::string>& personal,
                                 const std::vector<AtRestControl>& controls);

// Stops the nats-server (clean shutdown writes out its buffers) and scans every file of its
// JetStream store (every stream's messages, raw): no personal string; `control` (text of an event
// published) found.
void ExpectNothingPersonalInJetStreamFiles(NatsServer& nats, const std::string& nats_dir,
                                           const std::vector<std::string>& personal,
                                           const std::string& control);

// The personal strings of every request given (common::PersonalStrings), without duplicates.
std::vector<std::string> PersonalStringsOf(
    const std::vector<const google::protobuf::Message*>& requests);

}  // namespace renkei::testing
