// renkeictl's word tables hold words only: every word's label is its enum value's
// (renkei.v1.label), in help texts (Choices) and in output (LabelOf), and no word stands for an
// UNSPECIFIED value. The tables of the headers shared by several command files are checked here;
// the command files' own are checked in use by the integration tests (RunRenkeictl).
#include "words.h"

#include <set>
#include <string>

#include "audience_words.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "indicator_words.h"
#include "issue_parts.h"
#include "renkei/v1/labels.pb.h"
#include "training_parts.h"

namespace renkei::cli {
namespace {

using ::testing::HasSubstr;

// `omitted`: how many values besides UNSPECIFIED the table leaves out on purpose (a value
// renkeictl never takes as input), so a value added to the proto and forgotten here fails.
template <typename E, size_t N>
void ExpectLabelledFromTheProto(const Word<E> (&table)[N], int omitted = 0) {
  const google::protobuf::EnumDescriptor* type = google::protobuf::GetEnumDescriptor<E>();
  SCOPED_TRACE(type->full_name());
  EXPECT_EQ(static_cast<int>(N), type->value_count() - 1 - omitted) << "values without a word";
  std::set<std::string> words;
  const std::string choices = Choices(table);
  for (const Word<E>& w : table) {
    const google::protobuf::EnumValueDescriptor* v = type->FindValueByNumber(w.value);
    ASSERT_NE(v, nullptr) << w.word;
    EXPECT_NE(v->number(), 0) << w.word << " stands for " << v->name();
    const std::string& ja = v->options().GetExtension(v1::label).ja();
    EXPECT_FALSE(ja.empty()) << v->name();
    EXPECT_EQ(LabelOf(table, w.value), ja);
    EXPECT_THAT(choices, HasSubstr(std::string(w.word) + "=" + ja));
    EXPECT_TRUE(words.insert(w.word).second) << "word twice: " << w.word;
  }
}

TEST(WordsTest, EveryWordOfTheSharedTablesIsLabelledFromTheProto) {
  ExpectLabelledFromTheProto(kAudiences);
  ExpectLabelledFromTheProto(kIndicatorKinds);
  ExpectLabelledFromTheProto(kMethods);
  ExpectLabelledFromTheProto(kFrequencies);
  ExpectLabelledFromTheProto(kDirections);
  ExpectLabelledFromTheProto(issue_commands::kCandidateStatuses);
  ExpectLabelledFromTheProto(issue_commands::kScopes);
  ExpectLabelledFromTheProto(issue_commands::kIssueStatuses);
  ExpectLabelledFromTheProto(issue_commands::kEvidenceKinds);
  ExpectLabelledFromTheProto(issue_commands::kCountermeasureStatuses);
  ExpectLabelledFromTheProto(issue_commands::kWorksheetFormats);
  ExpectLabelledFromTheProto(issue_commands::kBodies);
  ExpectLabelledFromTheProto(issue_commands::kWeights);
  ExpectLabelledFromTheProto(training_commands::kSkillLevels);
  ExpectLabelledFromTheProto(training_commands::kSkillGroups);
  ExpectLabelledFromTheProto(training_commands::kOrganizerLevels);
  ExpectLabelledFromTheProto(training_commands::kTrainingStatuses);
  ExpectLabelledFromTheProto(training_commands::kRegistrationStatuses);
  ExpectLabelledFromTheProto(training_commands::kSurveyKinds);
}

TEST(WordsTest, LabelsAndNotesInHelpTexts) {
  constexpr Word<v1::IndicatorOrigin> kOrigins[] = {
      {"local", v1::INDICATOR_ORIGIN_LOCAL, "このインスタンスで追加"},
      {"derived", v1::INDICATOR_ORIGIN_DERIVED},
  };
  EXPECT_EQ(Choices(kOrigins), "local=独自の指標 (このインスタンスで追加), derived=システム集計");
  EXPECT_EQ(LabelOf(kOrigins, v1::INDICATOR_ORIGIN_NATIONAL), "");
  google::protobuf::RepeatedField<int> roles;
  roles.Add(v1::AUDIENCE_ROLE_CARE_MANAGERS);
  roles.Add(v1::AUDIENCE_ROLE_VISITING_NURSES);
  EXPECT_EQ(AudienceText(roles), "ケアマネジャー、訪問看護師");
}

}  // namespace
}  // namespace renkei::cli
