// Unit tests of the gateway's parts that need no server: the router, the request building from
// parameters and JSON, the error body, the accounts file, the configuration check.
#include <cmath>
#include <regex>
#include <set>

#include "absl/strings/str_split.h"
#include "gateway/accounts.h"
#include "gateway/gateway.h"
#include "gateway/routes.h"
#include "gateway/totp.h"
#include "gateway/transcode.h"
#include "gmock/gmock.h"
#include "google/protobuf/descriptor.h"
#include "google/protobuf/util/json_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "gtest/gtest.h"
#include "renkei/common/validation.h"
#include "renkei/v1/directory.pb.h"
#include "renkei/v1/intake.pb.h"
#include "renkei/v1/storage.pb.h"
#include "renkei/v1/training.pb.h"
#include "testing.h"

namespace renkei::gateway {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

std::vector<std::string> FieldsOf(const absl::Status& s) {
  std::vector<std::string> out;
  for (const auto& [field, description] : common::FieldViolationsOf(s)) out.push_back(field);
  return out;
}

TEST(GatewayConfig, EveryBadFieldIsNamed) {
  v1::InstanceConfig c;
  c.mutable_gateway()->set_listen_address("0.0.0.0");  // no port
  c.mutable_gateway()->set_public_origin("renkei.example.jp");
  c.mutable_gateway()->set_session_minutes(24 * 60 + 1);
  c.mutable_gateway()->set_threads(257);
  EXPECT_THAT(FieldsOf(PrepareGatewayConfig(&c)),
              ElementsAre("gateway.listen_address", "gateway.public_origin", "security.key_dir",
                          "gateway.key_id", "gateway.session_minutes", "gateway.threads"));

  v1::InstanceConfig open;
  open.mutable_security()->set_unauthenticated_loopback(true);
  open.mutable_gateway()->set_listen_address("192.0.2.10:8080");
  open.mutable_gateway()->set_public_origin("https://renkei.example.jp/");
  EXPECT_THAT(FieldsOf(PrepareGatewayConfig(&open)),
              ElementsAre("gateway.listen_address", "gateway.public_origin"));

  v1::InstanceConfig missing;
  EXPECT_THAT(FieldsOf(PrepareGatewayConfig(&missing)),
              ElementsAre("gateway.listen_address", "security.key_dir", "gateway.key_id"));
}

TEST(GatewayConfig, AGoodConfigurationGetsItsDefaults) {
  v1::InstanceConfig c;
  c.mutable_security()->set_key_dir("/etc/renkei/keys");
  c.mutable_security()->set_service_key_id("k1");
  c.mutable_gateway()->set_listen_address("127.0.0.1:8080");
  c.mutable_gateway()->set_public_origin("https://renkei.example.jp");
  ASSERT_TRUE(PrepareGatewayConfig(&c).ok());
  EXPECT_EQ(c.gateway().key_id(), "k1");  // the services' key unless its own is named
  EXPECT_EQ(c.gateway().session_minutes(), 480);
  EXPECT_EQ(c.gateway().max_body_bytes(), 1 << 20);
  EXPECT_EQ(c.gateway().threads(), 32);
  EXPECT_EQ(c.gateway().deadline_ms(), 10000);
  // The public map's tiles: 地理院タイル with its attribution.
  EXPECT_EQ(c.gateway().public_map().tile_url(),
            "https://cyberjapandata.gsi.go.jp/xyz/std/{z}/{x}/{y}.png");
  EXPECT_EQ(c.gateway().public_map().attribution(), "地理院タイル");
  EXPECT_EQ(c.gateway().public_map().max_zoom(), 18);
}

TEST(GatewayConfig, ThePublicMapsTilesNeedATemplateAFixedHostAndAnAttribution) {
  auto fields = [](const std::string& url, const std::string& attribution, uint32_t zoom) {
    v1::InstanceConfig c;
    c.mutable_security()->set_unauthenticated_loopback(true);
    c.mutable_gateway()->set_listen_address("127.0.0.1:8080");
    c.mutable_gateway()->mutable_public_map()->set_tile_url(url);
    c.mutable_gateway()->mutable_public_map()->set_attribution(attribution);
    c.mutable_gateway()->mutable_public_map()->set_max_zoom(zoom);
    return FieldsOf(PrepareGatewayConfig(&c));
  };
  EXPECT_THAT(fields("https://tiles.example.jp/{z}/{x}/{y}.png", "© 例", 19), ElementsAre());
  EXPECT_THAT(fields("https://{s}.tile.example.jp/{z}/{x}/{y}.png", "© 例", 0),
              ElementsAre("gateway.public_map.tile_url"));
  EXPECT_THAT(fields("ftp://tiles.example.jp/{z}/{x}.png", "", 23),
              ElementsAre("gateway.public_map.tile_url", "gateway.public_map.tile_url",
                          "gateway.public_map.attribution", "gateway.public_map.max_zoom"));
  EXPECT_THAT(fields("", "© 例", 0), ElementsAre("gateway.public_map.attribution"));
  EXPECT_EQ(TileOrigin("http://127.0.0.1:8081/tiles/{z}/{x}/{y}.png"), "http://127.0.0.1:8081");
  EXPECT_EQ(TileOrigin("https://cyberjapandata.gsi.go.jp/xyz/std/{z}/{x}/{y}.png"),
            "https://cyberjapandata.gsi.go.jp");
  EXPECT_EQ(TileOrigin("https://a.example; script-src *"), "");
  EXPECT_EQ(TileOrigin("javascript:alert(1)"), "");
  EXPECT_EQ(TileOrigin("https://a.example\t*/x"), "");
  EXPECT_EQ(TileOrigin("https://user@a.example/x"), "");
  EXPECT_EQ(TileOrigin("http://[::1]:8080/{z}"), "http://[::1]:8080");
}

TEST(Routes, EveryRouteNamesARealUnaryMethodAndPathParametersAreItsFields) {
  const auto* pool = google::protobuf::DescriptorPool::generated_pool();
  std::set<std::pair<std::string, std::string>> seen;
  for (const auto& r : Routes()) {
    SCOPED_TRACE(r.path);
    const auto* method = pool->FindMethodByName(r.rpc);
    ASSERT_NE(method, nullptr) << r.rpc;
    EXPECT_FALSE(method->client_streaming() || method->server_streaming());
    EXPECT_TRUE(seen.emplace(r.method, r.path).second) << "duplicate route";
    const std::vector<Route> one = {r};
    Router router(one);
    const std::string concrete = ConcretePath(r, "x1");
    RouteMatch m = router.Match(r.method, concrete);
    ASSERT_EQ(m.route, one.data());
    std::unique_ptr<google::protobuf::Message> req(
        google::protobuf::MessageFactory::generated_factory()
            ->GetPrototype(method->input_type())
            ->New());
    EXPECT_TRUE(FillFromParams(m.path_params, req.get()).ok()) << "path parameter not a field";
  }
}

TEST(Routes, DocsGatewayMdListsExactlyTheTable) {
  const std::string doc = testing::ReadFile(testing::SourceDir() + "/docs/gateway.md");
  EXPECT_THAT(doc, HasSubstr(RoutesMarkdown()))
      << "docs/gateway.md is stale: renkei-gateway --routes-markdown prints its route table";
}

TEST(Routes, TheGatewaysOwnRoutesNameRealMessagesAndAreUnique) {
  const auto* pool = google::protobuf::DescriptorPool::generated_pool();
  std::set<std::string> seen;
  for (const auto& r : OwnRoutes()) {
    EXPECT_TRUE(seen.insert(std::string(r.method) + " " + r.path).second) << r.path;
    for (const char* message : {r.request, r.response}) {
      if (*message != '\0') {
        EXPECT_NE(pool->FindMessageTypeByName(message), nullptr) << message;
      }
    }
    EXPECT_THAT(std::string(r.caller),
                ::testing::AnyOf("public", "pending", "session", "accounts"));
  }
}

// RFC 4226 appendix D (HOTP, the 20-byte ASCII secret "12345678901234567890") and RFC 6238
// appendix B (TOTP with SHA-1, 8 digits, 30 s steps).
TEST(Totp, MatchesTheRfcVectors) {
  const std::string key = "12345678901234567890";
  const char* hotp[] = {"755224", "287082", "359152", "969429", "338314",
                        "254676", "287922", "162583", "399871", "520489"};
  for (uint64_t counter = 0; counter < 10; ++counter) {
    EXPECT_EQ(Hotp(key, counter), hotp[counter]) << counter;
  }
  const std::pair<int64_t, const char*> totp[] = {
      {59, "94287082"},         {1111111109, "07081804"}, {1111111111, "14050471"},
      {1234567890, "89005924"}, {2000000000, "69279037"}, {20000000000, "65353130"}};
  for (const auto& [time, code] : totp) {
    EXPECT_EQ(Hotp(key, static_cast<uint64_t>(TotpStep(time)), 8), code) << time;
  }
  EXPECT_EQ(Base32Encode(key), "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
  EXPECT_EQ(*Base32Decode("gezd gnbv gy3t qojq gezd gnbv gy3t qojq"), key);
  EXPECT_FALSE(Base32Decode("not base32!").ok());
}

TEST(Totp, ACodeMatchesItsStepOrOneEitherSideAndOnlyAfterTheLastUsed) {
  const std::string secret = NewTotpSecret();
  EXPECT_EQ(Base32Decode(secret)->size(), 20u);
  const std::string key = *Base32Decode(secret);
  const int64_t now = 1800000000;
  const int64_t step = TotpStep(now);
  EXPECT_EQ(MatchTotp(secret, Hotp(key, step), now, 0), step);
  EXPECT_EQ(MatchTotp(secret, Hotp(key, step - 1), now, 0), step - 1);
  EXPECT_EQ(MatchTotp(secret, Hotp(key, step + 1), now, 0), step + 1);
  EXPECT_EQ(MatchTotp(secret, Hotp(key, step - 2), now, 0), std::nullopt) << "too old";
  EXPECT_EQ(MatchTotp(secret, Hotp(key, step), now, step), std::nullopt) << "used already";
  EXPECT_EQ(MatchTotp(secret, Hotp(key, step - 1), now, step - 1), std::nullopt);
  EXPECT_EQ(MatchTotp(secret, "12345", now, 0), std::nullopt);
  EXPECT_THAT(OtpauthUri("連携 稲城市", "inagi-staff", secret),
              ::testing::MatchesRegex("otpauth://totp/%E9%80%A3%E6%90%BA%20%E7%A8%B2%E5%9F%8E%E5%"
                                      "B8%82:inagi-staff\\?secret=[A-Z2-7]{32}&issuer=.*&"
                                      "algorithm=SHA1&digits=6&period=30"));
}

TEST(Totp, RecoveryCodesAreTenDistinctAndHashedWithoutTheirLayout) {
  const auto codes = NewRecoveryCodes();
  ASSERT_EQ(codes.size(), 10u);
  EXPECT_EQ(std::set<std::string>(codes.begin(), codes.end()).size(), 10u);
  for (const auto& c : codes) EXPECT_THAT(c, ::testing::MatchesRegex("[a-z2-7]{5}-[a-z2-7]{5}"));
  EXPECT_EQ(RecoveryCodeHash("abcde-fghij"), RecoveryCodeHash("ABCDE FGHIJ"));
  EXPECT_NE(RecoveryCodeHash("abcde-fghij"), RecoveryCodeHash("abcde-fghik"));
  EXPECT_EQ(RecoveryCodeHash("x").size(), 64u);
}

TEST(Router, PrefersLiteralSegmentsAndTellsAnotherMethodFromNoRoute) {
  Router router(Routes());
  RouteMatch m = router.Match("GET", "/api/v1/consultations/c-1");
  ASSERT_NE(m.route, nullptr);
  EXPECT_STREQ(m.route->rpc, "renkei.v1.IntakeService.GetConsultation");
  EXPECT_THAT(m.path_params, ElementsAre(Pair("id", "c-1")));

  m = router.Match("GET", "/api/v1/follow-ups/overdue");
  ASSERT_NE(m.route, nullptr);
  EXPECT_STREQ(m.route->rpc, "renkei.v1.IntakeService.ListOverdueFollowUps");

  m = router.Match("POST", "/api/v1/consultations/c-1/referrals/r-2/outcome");
  ASSERT_NE(m.route, nullptr);
  EXPECT_THAT(m.path_params, ElementsAre(Pair("id", "c-1"), Pair("referral_id", "r-2")));

  m = router.Match("DELETE", "/api/v1/consultations/c-1");
  EXPECT_EQ(m.route, nullptr);
  EXPECT_TRUE(m.path_known);  // 405, not 404
  m = router.Match("GET", "/api/v1/nothing");
  EXPECT_EQ(m.route, nullptr);
  EXPECT_FALSE(m.path_known);
  EXPECT_EQ(router.Match("GET", "/api/v1/consultations//").route, nullptr);
}

TEST(FillFromParams, RepeatedEnumsDatesDottedNamesAndFullWidthDigits) {
  v1::SearchResourcesRequest search;
  ASSERT_TRUE(FillFromParams({{"capabilities", "parkinsons"},
                              {"capabilities", "home_visit_medical"},
                              {"municipalityCode", "１３２２５０"},
                              {"near.latitude", "35.6"},
                              {"accepting_only", "true"},
                              {"page_size", "２０"}},
                             &search)
                  .ok());
  EXPECT_THAT(search.capabilities(), ElementsAre("parkinsons", "home_visit_medical"));
  EXPECT_EQ(search.municipality_code(), "132250");
  EXPECT_DOUBLE_EQ(search.near().latitude(), 35.6);
  EXPECT_TRUE(search.accepting_only());
  EXPECT_EQ(search.page_size(), 20);

  v1::ListTrainingsRequest trainings;
  ASSERT_TRUE(FillFromParams({{"from", "2026-04-01"}}, &trainings).ok());
  EXPECT_EQ(trainings.from().year(), 2026);
  EXPECT_EQ(trainings.from().month(), 4);

  v1::ListConsultationsRequest list;
  ASSERT_TRUE(FillFromParams({{"status", "CONSULTATION_STATUS_RECEIVED"}}, &list).ok());
  EXPECT_EQ(list.status(), v1::CONSULTATION_STATUS_RECEIVED);
}

TEST(FillFromParams, NamesEveryParameterItCannotUse) {
  v1::SearchResourcesRequest search;
  absl::Status s = FillFromParams({{"page_size", "many"},
                                   {"no_such", "1"},
                                   {"kinds", "NOT_A_KIND"},
                                   {"accepting_only", "yes"},
                                   {"near", "35,139"}},
                                  &search);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(FieldsOf(s), ElementsAre("page_size", "no_such", "kinds", "accepting_only", "near"));

  v1::ListTrainingsRequest trainings;
  EXPECT_THAT(FieldsOf(FillFromParams({{"to", "2026-02-30"}}, &trainings)), ElementsAre("to"));
}

TEST(ParseJsonBody, NamesTheFieldWhereTheParserStopped) {
  v1::CreateConsultationRequest create;
  ASSERT_TRUE(
      ParseJsonBody(R"({"channel":"CHANNEL_PHONE","needs":[{"capability":"parkinsons"}]})", &create)
          .ok());
  EXPECT_EQ(create.channel(), v1::CHANNEL_PHONE);
  ASSERT_TRUE(ParseJsonBody("  ", &create).ok());  // an empty body: an empty message

  absl::Status s = ParseJsonBody(R"({"channel":"CHANNEL_CARRIER_PIGEON"})", &create);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(FieldsOf(s), ElementsAre("channel"));

  s = ParseJsonBody(R"({"person":{"nickname":"x"}})", &create);
  EXPECT_THAT(FieldsOf(s), ElementsAre("person.nickname"));

  s = ParseJsonBody(R"({"needs":[{"capability": 12}]})", &create);
  EXPECT_THAT(FieldsOf(s), ElementsAre("needs[0].capability"));

  s = ParseJsonBody("{not json", &create);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(FieldsOf(s).size(), 1u);
}

TEST(ErrorJson, CarriesCodeMessageAndFieldViolations) {
  common::FieldViolations v;
  v.Add("person.birth_date", "未来の日付です / in the future");
  const std::string json = ErrorJson(v.ToStatus());
  EXPECT_THAT(json, HasSubstr(R"("code":"INVALID_ARGUMENT")"));
  EXPECT_THAT(json, HasSubstr(R"("field":"person.birth_date")"));
  EXPECT_THAT(json, HasSubstr("未来の日付です"));
  EXPECT_EQ(HttpStatusOf(absl::StatusCode::kPermissionDenied), 403);
  EXPECT_EQ(HttpStatusOf(absl::StatusCode::kAborted), 409);
  EXPECT_EQ(HttpStatusOf(absl::StatusCode::kUnauthenticated), 401);
}

// The keys of a JSON text ("name": occurrences), sorted.
std::multiset<std::string> KeysOf(const std::string& json) {
  std::multiset<std::string> keys;
  static const std::regex key("\"([A-Za-z0-9_]+)\":");
  for (std::sregex_iterator it(json.begin(), json.end(), key), end; it != end; ++it) {
    keys.insert((*it)[1]);
  }
  return keys;
}

// The writer against the library's printer (always_print_primitive_fields): the same keys (the
// library orders set message fields last; order means nothing in JSON), the same text where
// numbers print alike, and the same message read back everywhere.
void ExpectSameJson(const google::protobuf::Message& m, bool exact) {
  google::protobuf::util::JsonPrintOptions options;
  options.always_print_primitive_fields = true;
  std::string library;
  ASSERT_TRUE(google::protobuf::util::MessageToJsonString(m, &library, options).ok());
  const std::string ours = ToJson(m);
  EXPECT_EQ(KeysOf(ours), KeysOf(library)) << ours << "\n" << library;
  if (exact) {
    EXPECT_EQ(ours.size(), library.size()) << ours << "\n" << library;
  }
  std::unique_ptr<google::protobuf::Message> back(m.New());
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(ours, back.get()).ok()) << ours;
  EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(m, *back)) << ours;
}

TEST(ToJson, MatchesProtobufsJsonMappingOnRealMessages) {
  v1::SearchResourcesResponse search;
  auto* hit = search.add_hits();
  hit->mutable_resource()->set_id("res_1");
  hit->mutable_resource()->set_name("稲城ひまわりクリニック \"本院\"\n");
  hit->mutable_resource()->add_capabilities("parkinsons");
  hit->mutable_resource()->set_kind(v1::ResourceKind(1));
  hit->set_distance_km(12.25);
  search.set_total_matches(1);
  search.add_hits();  // an empty hit: its defaults
  ExpectSameJson(search, true);

  v1::Consultation c;
  ASSERT_TRUE(google::protobuf::util::JsonStringToMessage(
                  R"({"id":"c1","version":"3","receivedAt":"2026-11-24T01:02:03Z",
                      "channel":"CHANNEL_PHONE","person":{"name":"稲城 一郎",
                      "birthDate":{"year":1948,"month":3,"day":12}},
                      "needs":[{"capability":"parkinsons","alsoRequires":["home_visit_medical"]}]})",
                  &c)
                  .ok());
  ExpectSameJson(c, true);

  v1::TrainingLedger counts;  // maps
  (*counts.mutable_confirmed_by_session())["s1"] = 3;
  (*counts.mutable_confirmed_by_session())["s2"] = 0;
  ExpectSameJson(counts, false);

  v1::SearchHit odd;
  odd.set_distance_km(0.1 + 0.2);  // a double without a short decimal form
  ExpectSameJson(odd, false);

  v1::SearchHit nan;
  nan.set_distance_km(std::nan(""));
  EXPECT_THAT(ToJson(nan), HasSubstr(R"("distanceKm":"NaN")"));
  v1::SearchHit unknown_enum;
  unknown_enum.set_relation(static_cast<v1::AreaRelation>(77));  // a newer server's value
  EXPECT_THAT(ToJson(unknown_enum), HasSubstr(R"("relation":77)"));
  ExpectSameJson(unknown_enum, true);

  // A Timestamp out of range has no JSON form: an error, never half a document.
  v1::Consultation bad_time;
  bad_time.mutable_received_at()->set_seconds(int64_t{1} << 62);
  std::string out;
  EXPECT_EQ(WriteJson(bad_time, &out).code(), absl::StatusCode::kInternal);
  EXPECT_TRUE(out.empty());
}

TEST(NarrowAscii, FullWidthAsciiAndIdeographicSpaceOnly) {
  EXPECT_EQ(NarrowAscii("１３２２５０"), "132250");
  EXPECT_EQ(NarrowAscii("ＡＢｃ　－１"), "ABc -1");
  EXPECT_EQ(NarrowAscii("稲城市ｲﾅｷﾞ"), "稲城市ｲﾅｷﾞ");
}

TEST(Accounts, SavedPasswordsVerifyAndWrongOnesDoNot) {
  testing::TempDir tmp;
  const std::string path = tmp.path() + "/accounts.json";
  v1::GatewayAccount a;
  a.set_login("inagi-coord");
  a.set_role(v1::ROLE_COORDINATOR);
  a.set_jurisdiction("132250");
  a.set_display_name("稲城 コーディネーター");
  EXPECT_EQ(SaveAccount(path, a, "short").code(), absl::StatusCode::kInvalidArgument);
  ASSERT_TRUE(SaveAccount(path, a, "correct horse battery").ok());
  auto accounts = Accounts::Load(path);
  ASSERT_TRUE(accounts.ok()) << accounts.status();
  ASSERT_EQ(accounts->size(), 1u);
  EXPECT_EQ(accounts->Find("inagi-coord")->password_hash().rfind("$argon2id$", 0), 0u);
  const auto* ok = accounts->Verify("inagi-coord", "correct horse battery");
  ASSERT_NE(ok, nullptr);
  EXPECT_EQ(ok->role(), v1::ROLE_COORDINATOR);
  EXPECT_EQ(accounts->Verify("inagi-coord", "correct horse batterY"), nullptr);
  EXPECT_EQ(accounts->Verify("nobody", "correct horse battery"), nullptr);
  // Saving again replaces the password.
  ASSERT_TRUE(SaveAccount(path, a, "another long password").ok());
  accounts = Accounts::Load(path);
  ASSERT_TRUE(accounts.ok());
  EXPECT_EQ(accounts->size(), 1u);
  EXPECT_EQ(accounts->Verify("inagi-coord", "correct horse battery"), nullptr);
  EXPECT_NE(accounts->Verify("inagi-coord", "another long password"), nullptr);
  EXPECT_FALSE(IsLogin("Inagi"));
  EXPECT_FALSE(IsLogin("a b"));
}

}  // namespace
}  // namespace renkei::gateway
