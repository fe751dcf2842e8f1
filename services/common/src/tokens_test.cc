#include "renkei/common/tokens.h"

#include <sys/stat.h>

#include <filesystem>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "testing.h"

namespace renkei::common {
namespace {

using ::testing::HasSubstr;

constexpr int64_t kNow = 1795500000;  // 2026-11-24

v1::TokenClaims Claims() {
  v1::TokenClaims c;
  c.set_iss("m132250");
  c.set_aud("m132250");
  c.set_sub("staff-0042");
  c.set_role(v1::ROLE_COORDINATOR);
  c.set_jur("132250");
  c.set_iat(kNow);
  c.set_exp(kNow + 3600);
  return c;
}

class TokensTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(GenerateKeyPair(dir_.path(), "k2026a").ok());
    ASSERT_TRUE(GenerateKeyPair(dir_.path(), "k2026b").ok());
    key_a_ = *LoadSigningKey(dir_.path(), "k2026a");
    key_b_ = *LoadSigningKey(dir_.path(), "k2026b");
    ring_ = *LoadKeyRing(dir_.path());
  }
  absl::StatusOr<v1::TokenClaims> Verify(const std::string& token, int64_t now = kNow,
                                         const std::string& aud = "m132250") {
    return VerifyToken(ring_, token, now, aud);
  }
  testing::TempDir dir_;
  SigningKey key_a_, key_b_;
  KeyRing ring_;
};

TEST_F(TokensTest, AnIssuedTokenVerifiesWithItsClaims) {
  auto token = IssueToken(key_a_, Claims());
  ASSERT_TRUE(token.ok()) << token.status();
  EXPECT_EQ(std::count(token->begin(), token->end(), '.'), 2);  // a JWT
  auto claims = Verify(*token);
  ASSERT_TRUE(claims.ok()) << claims.status();
  EXPECT_EQ(claims->sub(), "staff-0042");
  EXPECT_EQ(claims->role(), v1::ROLE_COORDINATOR);
  EXPECT_EQ(claims->jur(), "132250");
  EXPECT_EQ(ring_.size(), 2u);
  // The secret is readable by its owner only.
  struct stat st {};
  ASSERT_EQ(stat((dir_.path() + "/k2026a.key").c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  EXPECT_FALSE(GenerateKeyPair(dir_.path(), "k2026a").ok());  // never overwritten
}

TEST_F(TokensTest, ExpiredTamperedWrongKeyAndWrongInstanceTokensAreRejected) {
  const std::string token = *IssueToken(key_a_, Claims());
  auto expect_rejected = [&](const absl::StatusOr<v1::TokenClaims>& r, const std::string& why) {
    ASSERT_FALSE(r.ok()) << why;
    EXPECT_EQ(r.status().code(), absl::StatusCode::kUnauthenticated) << why;
    EXPECT_THAT(std::string(r.status().message()), HasSubstr(why));
    EXPECT_THAT(std::string(r.status().message()), ::testing::Not(HasSubstr(token)));
  };
  expect_rejected(Verify(token, kNow + 3600 + 31), "expired");
  EXPECT_TRUE(Verify(token, kNow + 3600 + 29).ok());  // within the clock-skew leeway
  expect_rejected(Verify(token, kNow - 3600), "not valid yet");
  expect_rejected(Verify(token, kNow, "m132080"), "another instance");

  // Tampered: the claims changed to another municipality, the signature kept.
  v1::TokenClaims other = Claims();
  other.set_jur("132080");
  const std::string forged_claims = *IssueToken(key_a_, other);
  const size_t d1 = token.find('.'), d2 = token.rfind('.');
  const size_t f1 = forged_claims.find('.'), f2 = forged_claims.rfind('.');
  const std::string tampered =
      token.substr(0, d1) + forged_claims.substr(f1, f2 - f1) + token.substr(d2);
  expect_rejected(Verify(tampered), "bad signature");
  std::string flipped = token;
  flipped[d1 + 5] = flipped[d1 + 5] == 'A' ? 'B' : 'A';
  EXPECT_FALSE(Verify(flipped).ok());

  // Wrong key: signed with key b's secret but naming key a.
  SigningKey wrong = key_b_;
  wrong.key_id = "k2026a";
  expect_rejected(Verify(*IssueToken(wrong, Claims())), "bad signature");
  // A key this instance does not know.
  testing::TempDir elsewhere;
  ASSERT_TRUE(GenerateKeyPair(elsewhere.path(), "k-other").ok());
  expect_rejected(Verify(*IssueToken(*LoadSigningKey(elsewhere.path(), "k-other"), Claims())),
                  "unknown key id");
  expect_rejected(Verify("not.a.token"), "malformed");
  expect_rejected(Verify("abc"), "malformed");
}

TEST_F(TokensTest, RotationRetiresAKeyByRemovingItsPublicFile) {
  const std::string old_token = *IssueToken(key_a_, Claims());
  const std::string new_token = *IssueToken(key_b_, Claims());
  EXPECT_TRUE(Verify(old_token).ok());
  EXPECT_TRUE(Verify(new_token).ok());
  std::filesystem::remove(dir_.path() + "/k2026a.pub");
  ring_ = *LoadKeyRing(dir_.path());
  EXPECT_FALSE(Verify(old_token).ok());
  EXPECT_TRUE(Verify(new_token).ok());
}

}  // namespace
}  // namespace renkei::common
