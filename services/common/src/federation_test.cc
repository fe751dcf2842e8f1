#include "renkei/common/federation.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "renkei/common/config.h"

namespace renkei::common {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kInagi[] = R"({
  "instance": {"level": "INSTANCE_LEVEL_MUNICIPALITY", "code": "132250"},
  "nats": {"url": "nats://127.0.0.1:14222"},
  "federation": {"parent": {"level": "INSTANCE_LEVEL_PREFECTURE", "code": "130001",
    "leafnode_url": "nats-leaf://127.0.0.1:17422", "leaf_user": "m132250",
    "leaf_password": "secret-inagi"}}
})";

constexpr char kTokyo[] = R"({
  "instance": {"level": "INSTANCE_LEVEL_PREFECTURE", "code": "130001"},
  "nats": {"url": "nats://127.0.0.1:14230"},
  "federation": {
    "parent": {"level": "INSTANCE_LEVEL_NATIONAL", "leafnode_url": "nats-leaf://127.0.0.1:17400",
      "leaf_user": "p13", "leaf_password": "secret-tokyo"},
    "leafnode_listen": "127.0.0.1:17422",
    "children": [
      {"level": "INSTANCE_LEVEL_MUNICIPALITY", "code": "132250", "leaf_user": "m132250",
       "leaf_password": "secret-inagi"},
      {"level": "INSTANCE_LEVEL_MUNICIPALITY", "code": "132080", "leaf_user": "m132080",
       "leaf_password": "secret-chofu"}]}
})";

std::string Names(const std::vector<StreamSpec>& streams) {
  std::string out;
  for (const auto& s : streams) out += s.name + " ";
  return out;
}

TEST(FederationTest, AStandaloneInstanceHasNoFederationStreams) {
  auto c = ParseInstanceConfig(
      R"({"instance": {"level": "INSTANCE_LEVEL_MUNICIPALITY", "code": "132250"},
          "nats": {"url": "nats://127.0.0.1:4222"}})");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_FALSE(IsFederated(*c));
  EXPECT_TRUE(FederationStreams(*c).empty());
}

TEST(FederationTest, AMunicipalitySharesByLevelAndReadsWhatComesDown) {
  auto c = ParseInstanceConfig(kInagi);
  ASSERT_TRUE(c.ok()) << c.status();
  auto streams = FederationStreams(*c);
  EXPECT_EQ(Names(streams), "RENKEI_SHARE_PREF RENKEI_SHARE_NATIONAL RENKEI_PARENT ");
  ASSERT_EQ(streams[0].sources.size(), 1u);
  EXPECT_EQ(streams[0].sources[0].name, "RENKEI_EVENTS");
  EXPECT_EQ(streams[0].sources[0].filter_subject, "renkei.pref.m132250.*.*");
  EXPECT_EQ(streams[1].sources[0].filter_subject, "renkei.national.m132250.*.*");
  ASSERT_EQ(streams[2].sources.size(), 1u);
  EXPECT_EQ(streams[2].sources[0].name, "RENKEI_DOWN");
  EXPECT_EQ(streams[2].sources[0].domain, "p13");
  EXPECT_EQ(OwnDomain(*c), "m132250");
}

TEST(FederationTest, APrefectureSourcesEachChildsShareStreamsOnce) {
  auto c = ParseInstanceConfig(kTokyo);
  ASSERT_TRUE(c.ok()) << c.status();
  auto streams = FederationStreams(*c);
  EXPECT_EQ(Names(streams),
            "RENKEI_SHARE_PREF RENKEI_CHILDREN RENKEI_SHARE_NATIONAL RENKEI_PARENT RENKEI_DOWN ");
  const auto& children = streams[1].sources;
  ASSERT_EQ(children.size(), 4u);
  EXPECT_EQ(children[0].name, "RENKEI_SHARE_PREF");
  EXPECT_EQ(children[0].domain, "m132250");
  EXPECT_EQ(children[3].name, "RENKEI_SHARE_NATIONAL");
  EXPECT_EQ(children[3].domain, "m132080");
  // The nation sources one stream per prefecture: its own and its municipalities' national
  // events.
  const auto& national = streams[2].sources;
  ASSERT_EQ(national.size(), 2u);
  EXPECT_EQ(national[1].name, "RENKEI_CHILDREN");
  EXPECT_EQ(national[1].filter_subject, "renkei.national.>");
  // Down: own pref events, own national events, the municipalities' resources, the nation's.
  const auto& down = streams[4].sources;
  ASSERT_EQ(down.size(), 4u);
  EXPECT_EQ(down[2].filter_subject, "renkei.*.*.resource.*");
  EXPECT_EQ(down[3].name, "RENKEI_PARENT");
  // No source stream appears twice with different filters (nats-server 2.9 keeps only one).
  for (const auto& s : streams) {
    std::set<std::string> keys;
    for (const auto& src : s.sources) {
      EXPECT_TRUE(keys.insert(src.name + "@" + src.domain).second) << s.name << " " << src.name;
    }
  }
}

TEST(FederationTest, RejectsAParentOrChildOutsideTheHierarchy) {
  auto c = ParseInstanceConfig(R"({
    "instance": {"level": "INSTANCE_LEVEL_MUNICIPALITY", "code": "132250"},
    "nats": {"url": "nats://127.0.0.1:14222"},
    "federation": {"parent": {"level": "INSTANCE_LEVEL_PREFECTURE", "code": "110001",
      "leafnode_url": "127.0.0.1:17422"}}})");
  ASSERT_FALSE(c.ok());
  std::string msg(c.status().message());
  EXPECT_THAT(msg, HasSubstr("federation.parent:"));
  EXPECT_THAT(msg, HasSubstr("federation.parent.leafnode_url"));

  auto p = ParseInstanceConfig(R"({
    "instance": {"level": "INSTANCE_LEVEL_PREFECTURE", "code": "130001"},
    "nats": {"url": "nats://127.0.0.1:14230"},
    "federation": {"leafnode_listen": "127.0.0.1:17422", "children": [
      {"level": "INSTANCE_LEVEL_MUNICIPALITY", "code": "112020", "leaf_user": "m112020"},
      {"level": "INSTANCE_LEVEL_MUNICIPALITY", "code": "132250"},
      {"level": "INSTANCE_LEVEL_MUNICIPALITY", "code": "132250", "leaf_user": "x"}]}})");
  ASSERT_FALSE(p.ok());
  msg = std::string(p.status().message());
  EXPECT_THAT(msg, HasSubstr("federation.children[0]"));  // Kumagaya is not in Tokyo
  EXPECT_THAT(msg, HasSubstr("federation.children[1].leaf_user"));
  EXPECT_THAT(msg, HasSubstr("federation.children[2].jetstream_domain"));
}

TEST(FederationTest, RendersTheLeafLinkWithTheShareLevelProtections) {
  auto c = ParseInstanceConfig(kTokyo);
  ASSERT_TRUE(c.ok()) << c.status();
  auto conf = RenderNatsServerConfig(*c, {.store_dir = "/var/lib/renkei/nats"});
  ASSERT_TRUE(conf.ok()) << conf.status();
  EXPECT_THAT(*conf, HasSubstr("domain: \"p13\""));
  EXPECT_THAT(*conf, HasSubstr("listen: \"127.0.0.1:17422\""));
  EXPECT_THAT(*conf, HasSubstr("{ user: \"m132080\", password: \"secret-chofu\" }"));
  EXPECT_THAT(*conf, HasSubstr("url: \"nats-leaf://p13:secret-tokyo@127.0.0.1:17400\""));
  EXPECT_THAT(*conf, HasSubstr("\"renkei.local.>\""));
  EXPECT_THAT(*conf, HasSubstr("\"$JS.p13.API.CONSUMER.CREATE.RENKEI_EVENTS\""));
  EXPECT_THAT(*conf, HasSubstr("\"$JS.p13.API.CONSUMER.CREATE.RENKEI_CHILDREN\""));
  EXPECT_THAT(*conf, HasSubstr("\"$JS.p13.API.STREAM.DELETE.>\""));
  // The nation may source the prefecture's national share.
  EXPECT_THAT(*conf, Not(HasSubstr("CONSUMER.CREATE.RENKEI_SHARE_NATIONAL\"")));
}

TEST(FederationTest, RefusesPlaintextOutsideLoopback) {
  auto c = ParseInstanceConfig(R"({
    "instance": {"level": "INSTANCE_LEVEL_MUNICIPALITY", "code": "132250"},
    "nats": {"url": "nats://10.0.0.5:4222"},
    "federation": {"parent": {"level": "INSTANCE_LEVEL_PREFECTURE", "code": "130001",
      "leafnode_url": "nats-leaf://pref13.example.jp:7422", "leaf_user": "m132250"}}})");
  ASSERT_TRUE(c.ok()) << c.status();
  auto conf = RenderNatsServerConfig(*c, {});
  ASSERT_FALSE(conf.ok());
  EXPECT_THAT(std::string(conf.status().message()), HasSubstr("federation.tls"));
  c->mutable_federation()->mutable_tls()->set_cert_file("/etc/renkei/tls/m132250.crt");
  c->mutable_federation()->mutable_tls()->set_key_file("/etc/renkei/tls/m132250.key");
  c->mutable_federation()->mutable_tls()->set_ca_file("/etc/renkei/tls/ca.crt");
  c->mutable_federation()->mutable_tls()->set_verify_clients(true);
  conf = RenderNatsServerConfig(*c, {});
  ASSERT_TRUE(conf.ok()) << conf.status();
  EXPECT_THAT(*conf, HasSubstr("cert_file: \"/etc/renkei/tls/m132250.crt\""));
  EXPECT_THAT(*conf, HasSubstr("verify: true"));
}

}  // namespace
}  // namespace renkei::common
