#include "renkei/common/config.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace renkei::common {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST(ConfigTest, FillsDefaultsAndNamesTheInstance) {
  auto c = ParseInstanceConfig(R"({
    "instance": {"level": "INSTANCE_LEVEL_MUNICIPALITY", "code": "132250"},
    "nats": {"url": "nats://127.0.0.1:4222"},
    "directory": {"server": {"listen_address": "127.0.0.1:7101"}}
  })");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->instance().name(), "稲城市");
  EXPECT_EQ(c->nats().stream(), "RENKEI_EVENTS");
  EXPECT_EQ(c->outbox().retention_seconds(), 300u);
  v1::ServerConfig server = c->directory().server();
  FieldViolations v;
  PrepareServerConfig(*c, "directory", "directory.server", &server, &v);
  EXPECT_TRUE(v.empty());
  EXPECT_EQ(server.data_dir(), "./data/directory");
}

TEST(ConfigTest, RejectsUnknownKeysNamingThem) {
  auto c = ParseInstanceConfig(R"({"instance": {"level": "INSTANCE_LEVEL_MUNICIPALITY",
      "code": "132250", "colour": "blue"}, "nats": {"url": "x"}})");
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(std::string(c.status().message()), HasSubstr("colour"));
}

TEST(ConfigTest, SettingsOfANewerVersionAreRefusedByTheirPathsWhereverTheyAre) {
  // Keys a newer version might add: in a section, in a service's server section and in an
  // element of a list (federation.children), all named at once with what to do.
  auto c = ParseInstanceConfig(R"({"instance": {"level": "INSTANCE_LEVEL_PREFECTURE",
      "code": "130001"}, "nats": {"url": "x", "cluster_routes": ["a"]},
      "directory": {"server": {"listen_address": "127.0.0.1:1", "io_threads": 4}},
      "federation": {"children": [{"level": "INSTANCE_LEVEL_MUNICIPALITY", "code": "132250",
                                   "leafUser": "m", "weight": 2}]}})");
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().code(), absl::StatusCode::kInvalidArgument);
  const std::string message(c.status().message());
  EXPECT_THAT(message, HasSubstr("unknown settings: directory.server.io_threads, "
                                 "federation.children.weight, nats.cluster_routes."));
  EXPECT_THAT(message, HasSubstr("newer version"));
  EXPECT_THAT(message, HasSubstr("が知らない設定があります"));
  EXPECT_THAT(message, Not(HasSubstr("leafUser")));  // the JSON name of a known field is known
}

TEST(ConfigTest, NamesEveryBadValue) {
  auto c = ParseInstanceConfig(R"({"instance": {"level": "INSTANCE_LEVEL_MUNICIPALITY",
      "code": "132251"}, "nats": {"duplicate_window_seconds": 10}})");
  ASSERT_FALSE(c.ok());
  std::string msg(c.status().message());
  EXPECT_THAT(msg, HasSubstr("instance.code"));
  EXPECT_THAT(msg, HasSubstr("nats.url"));
  EXPECT_THAT(msg, HasSubstr("nats.duplicate_window_seconds"));
}

TEST(ConfigTest, DataKeysDefaultBesideTheDataAndNeverInsideIt) {
  constexpr char kBase[] = R"({"instance": {"level": "INSTANCE_LEVEL_MUNICIPALITY",
      "code": "132250"}, "nats": {"url": "nats://127.0.0.1:4222"}, "data_root": "/srv/renkei/data")";
  auto c = ParseInstanceConfig(std::string(kBase) + "}");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->security().data_key_dir(), "/srv/renkei/keys/data");

  for (const char* inside :
       {"/srv/renkei/data", "/srv/renkei/data/keys", "/srv/renkei/x/../data/k"}) {
    auto bad = ParseInstanceConfig(std::string(kBase) + R"(, "security": {"data_key_dir": ")" +
                                   inside + "\"}}");
    ASSERT_FALSE(bad.ok()) << inside;
    EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(std::string(bad.status().message()), HasSubstr("security.data_key_dir")) << inside;
  }
  auto in_backups = ParseInstanceConfig(
      std::string(kBase) +
      R"(, "backup": {"dir": "/srv/backups"}, "security": {"data_key_dir": "/srv/backups/k"}})");
  ASSERT_FALSE(in_backups.ok());
  EXPECT_THAT(std::string(in_backups.status().message()), HasSubstr("security.data_key_dir"));
  auto elsewhere = ParseInstanceConfig(std::string(kBase) +
                                       R"(, "security": {"data_key_dir": "/etc/renkei/dkeys"}})");
  ASSERT_TRUE(elsewhere.ok()) << elsewhere.status();
  EXPECT_EQ(elsewhere->security().data_key_dir(), "/etc/renkei/dkeys");
}

TEST(ConfigTest, ServerSectionNeedsAnAddress) {
  v1::InstanceConfig inst;
  v1::ServerConfig server;
  server.set_listen_address("nowhere");
  FieldViolations v;
  PrepareServerConfig(inst, "directory", "directory.server", &server, &v);
  ASSERT_EQ(v.violations().size(), 1u);
  EXPECT_EQ(v.violations()[0].first, "directory.server.listen_address");
}

TEST(ConfigTest, BackupDefaultsBesideTheDataRoot) {
  auto c = ParseInstanceConfig(R"({
    "instance": {"level": "INSTANCE_LEVEL_MUNICIPALITY", "code": "132250"},
    "nats": {"url": "nats://127.0.0.1:4222"},
    "data_root": "/var/lib/renkei/data"
  })");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->backup().dir(), "/var/lib/renkei/backups");
  EXPECT_EQ(c->backup().generations(), 7u);

  auto relative = ParseInstanceConfig(R"({
    "instance": {"level": "INSTANCE_LEVEL_MUNICIPALITY", "code": "132250"},
    "nats": {"url": "nats://127.0.0.1:4222"},
    "data_root": "data/local",
    "backup": {"dir": "/mnt/backup/inagi", "generations": 14}
  })");
  ASSERT_TRUE(relative.ok()) << relative.status();
  EXPECT_EQ(relative->backup().dir(), "/mnt/backup/inagi");
  EXPECT_EQ(relative->backup().generations(), 14u);
}

TEST(ConfigTest, RejectsABackupInTheDataRootAndTooManyGenerations) {
  auto c = ParseInstanceConfig(R"({
    "instance": {"level": "INSTANCE_LEVEL_MUNICIPALITY", "code": "132250"},
    "nats": {"url": "nats://127.0.0.1:4222"},
    "data_root": "/srv/renkei/data",
    "backup": {"dir": "/srv/renkei/data/", "generations": 5000}
  })");
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(FieldViolationsOf(c.status()),
              ::testing::UnorderedElementsAre(
                  ::testing::Pair("backup.dir", HasSubstr("data_root")),
                  ::testing::Pair("backup.generations", "1〜1000 です / 1..1000")));
}

}  // namespace
}  // namespace renkei::common
