#include "renkei/common/csv.h"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace renkei::common {
namespace {

using ::testing::ElementsAre;

std::vector<CsvRecord> ReadAll(CsvReader& r) {
  std::vector<CsvRecord> out;
  CsvRecord rec;
  while (r.Next(&rec)) out.push_back(rec);
  return out;
}

TEST(CsvReaderTest, QuotedFieldsWithCommasQuotesAndLineBreaksKeepTheirStartLine) {
  CsvReader r;
  r.Feed("a,b,c\r\n\"x,1\",\"say \"\"hi\"\"\",\"two\nlines\"\nlast,row,here");
  r.Finish();
  auto recs = ReadAll(r);
  ASSERT_EQ(recs.size(), 3u);
  EXPECT_THAT(recs[0].fields, ElementsAre("a", "b", "c"));
  EXPECT_EQ(recs[0].line, 1);
  EXPECT_THAT(recs[1].fields, ElementsAre("x,1", "say \"hi\"", "two\nlines"));
  EXPECT_EQ(recs[1].line, 2);
  EXPECT_THAT(recs[2].fields, ElementsAre("last", "row", "here"));
  EXPECT_EQ(recs[2].line, 4);  // the quoted line break moved it down one line
}

TEST(CsvReaderTest, RecordsSplitAcrossFeedsAreOnlyReturnedWhenComplete) {
  CsvReader r;
  r.Feed("a,\"b");
  CsvRecord rec;
  EXPECT_FALSE(r.Next(&rec));
  r.Feed("c\"\r");
  EXPECT_FALSE(r.Next(&rec));  // \r may be the first half of \r\n
  r.Feed("\nd,e\n");
  ASSERT_TRUE(r.Next(&rec));
  EXPECT_THAT(rec.fields, ElementsAre("a", "bc"));
  ASSERT_TRUE(r.Next(&rec));
  EXPECT_THAT(rec.fields, ElementsAre("d", "e"));
  EXPECT_EQ(rec.line, 2);
  EXPECT_FALSE(r.Next(&rec));
}

TEST(CsvReaderTest, UnterminatedQuoteAtEndIsMalformed) {
  CsvReader r;
  r.Feed("ok\n\"never closed,x");
  r.Finish();
  auto recs = ReadAll(r);
  ASSERT_EQ(recs.size(), 2u);
  EXPECT_FALSE(recs[0].malformed);
  EXPECT_TRUE(recs[1].malformed);
}

TEST(CsvWriterTest, RoundTripsThroughTheReader) {
  std::vector<std::string> row = {"稲城市", "a,b", "q\"q", "multi\nline", ""};
  std::string out;
  AppendCsvRow(row, &out);
  EXPECT_EQ(out, "稲城市,\"a,b\",\"q\"\"q\",\"multi\nline\",\r\n");
  CsvReader r;
  r.Feed(out);
  r.Finish();
  CsvRecord rec;
  ASSERT_TRUE(r.Next(&rec));
  EXPECT_EQ(rec.fields, row);
}

TEST(CsvTest, StripsBomOnlyWhenPresent) {
  std::string_view with = "\xEF\xBB\xBFhead";
  EXPECT_TRUE(StripUtf8Bom(&with));
  EXPECT_EQ(with, "head");
  EXPECT_FALSE(StripUtf8Bom(&with));
}

}  // namespace
}  // namespace renkei::common
