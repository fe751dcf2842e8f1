#include "issue_index.h"

#include <random>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "renkei/common/clock.h"
#include "renkei/common/ids.h"
#include "renkei/common/text.h"

namespace renkei::issues {
namespace {

// The index against a brute-force oracle: random issues, random updates (some out of order),
// random queries, every page.
TEST(IssueIndexTest, PagesAndTotalsMatchABruteForceOracle) {
  std::mt19937 rng(7);
  const char* themes[] = {"看取りの意向確認", "退院支援の連携", "認知症の救急搬送",
                          "夜間の訪問看護"};
  const char* tags[] = {"tag:看取リ", "tag:退院支援", "tag:認知症", "capability:end_of_life_care"};
  std::map<std::string, v1::RegionalIssue> truth;
  IssueIndex index;
  std::vector<std::string> ids;
  ids.reserve(400);
  for (int i = 0; i < 400; ++i) ids.push_back(common::DeterministicId("iss", std::to_string(i)));
  for (int round = 0; round < 3000; ++round) {
    const std::string& id = ids[rng() % ids.size()];
    v1::RegionalIssue issue = truth.count(id) ? truth[id] : v1::RegionalIssue();
    issue.set_id(id);
    issue.set_version(issue.version() + 1);
    issue.set_theme(themes[rng() % 4]);
    issue.clear_theme_tags();
    issue.add_theme_tags(tags[rng() % 4]);
    if (rng() % 3 == 0) issue.add_theme_tags(tags[rng() % 4]);
    issue.set_status(static_cast<v1::IssueStatus>(1 + rng() % 2));
    issue.set_current_step(static_cast<int32_t>(1 + rng() % 7));
    issue.set_scope(static_cast<v1::IssueScope>(1 + rng() % 2));
    // Coarse times: many ties, broken by id.
    *issue.mutable_updated_at() = common::TimestampFromMicros(int64_t(rng() % 50) * 1000000);
    index.Put(issue);
    truth[id] = issue;
    if (rng() % 5 == 0) {  // a stale update arriving late is ignored
      v1::RegionalIssue older = issue;
      older.set_version(issue.version() - 1);
      older.set_current_step(1);
      index.Put(older);
    }
  }
  ASSERT_EQ(index.size(), truth.size());
  for (int qn = 0; qn < 200; ++qn) {
    IssueIndex::Query q;
    if (rng() % 2) q.status = static_cast<v1::IssueStatus>(1 + rng() % 2);
    if (rng() % 2) q.step = static_cast<int>(1 + rng() % 7);
    if (rng() % 3 == 0) q.scope = static_cast<v1::IssueScope>(1 + rng() % 2);
    if (rng() % 2) q.theme_tag = tags[rng() % 4];
    if (rng() % 3 == 0)
      q.normalized_text = common::NormalizeForSearch(rng() % 2 ? "看取り" : "連携");
    q.limit = static_cast<int>(1 + rng() % 30);
    std::vector<const v1::RegionalIssue*> expected;
    for (const auto& [id, i] : truth) {
      if (q.status && i.status() != q.status) continue;
      if (q.step && i.current_step() != q.step) continue;
      if (q.scope && i.scope() != q.scope) continue;
      if (!q.theme_tag.empty() && std::find(i.theme_tags().begin(), i.theme_tags().end(),
                                            q.theme_tag) == i.theme_tags().end()) {
        continue;
      }
      if (!q.normalized_text.empty() &&
          common::NormalizeForSearch(i.theme()).find(q.normalized_text) == std::string::npos) {
        continue;
      }
      expected.push_back(&i);
    }
    std::sort(expected.begin(), expected.end(), [](auto* a, auto* b) {
      int64_t ta = common::MicrosFromTimestamp(a->updated_at()),
              tb = common::MicrosFromTimestamp(b->updated_at());
      return ta != tb ? ta > tb : a->id() < b->id();
    });
    std::vector<std::string> got;
    do {
      auto page = index.List(q);
      ASSERT_TRUE(page.ok()) << page.status();
      ASSERT_EQ(page->total(), static_cast<int>(expected.size()));
      ASSERT_LE(page->issues_size(), q.limit);
      for (const auto& s : page->issues()) {
        got.push_back(s.id());
        EXPECT_EQ(s.current_step(), truth[s.id()].current_step());
        EXPECT_EQ(s.version(), truth[s.id()].version());
      }
      q.page_token = page->next_page_token();
    } while (!q.page_token.empty());
    std::vector<std::string> want;
    want.reserve(expected.size());
    for (auto* i : expected) want.push_back(i->id());
    ASSERT_EQ(got, want) << "query " << qn;
  }
}

}  // namespace
}  // namespace renkei::issues
