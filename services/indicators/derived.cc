#include "derived.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <map>

#include "periods.h"
#include "renkei/common/clock.h"
#include "renkei/common/dates.h"
#include "renkei/common/event_counts.h"
#include "renkei/common/labels.h"
#include "renkei/common/vocabulary.h"

namespace renkei::indicators {
namespace {

v1::IndicatorDefinition Make(const std::string& code, const std::string& name,
                             const std::string& description, const std::string& unit,
                             v1::IndicatorKind kind, v1::Direction direction) {
  v1::IndicatorDefinition d;
  auto* s = d.mutable_spec();
  s->set_code(code);
  s->set_name_ja(name);
  s->set_description(description);
  s->set_unit(unit);
  s->set_kind(kind);
  s->add_methods(v1::MEASUREMENT_METHOD_SYSTEM_DERIVED);
  s->set_frequency(v1::MEASUREMENT_FREQUENCY_MONTHLY);
  s->set_direction(direction);
  d.set_origin(v1::INDICATOR_ORIGIN_DERIVED);
  d.set_owner_jurisdiction("000000");
  return d;
}

// The name of a derived indicator (or family, ending in ".") as common's vocabulary declares it.
std::string Name(const std::string& code) {
  const common::VocabularyEntry* e = common::FindVocabulary(common::kIndicatorSet, code);
  return e ? e->ja : code;
}

}  // namespace

std::optional<v1::IndicatorDefinition> DerivedDefinition(const std::string& code) {
  using K = v1::IndicatorKind;
  const auto higher = v1::DIRECTION_HIGHER_IS_BETTER;
  const auto lower = v1::DIRECTION_LOWER_IS_BETTER;
  auto starts = [&](const std::string& p) {
    return code.rfind(p, 0) == 0 && code.size() > p.size();
  };
  if (code == "derived.consultations") {
    return Make(code, Name(code), "受け付けた相談の件数 (受付月)", "件", K::INDICATOR_KIND_COUNT,
                higher);
  }
  if (starts("derived.consultations.src.")) {
    const std::string word = code.substr(strlen("derived.consultations.src."));
    std::string label = word;
    for (int t = v1::SourceType_MIN + 1; t <= v1::SourceType_MAX; ++t) {
      if (common::SourceWord(static_cast<v1::SourceType>(t)) == word)
        label = std::string(common::Label(static_cast<v1::SourceType>(t)));
    }
    return Make(code, Name("derived.consultations") + " (" + label + ")",
                "相談者の種別ごとの相談件数 (受付月)", "件", K::INDICATOR_KIND_COUNT, higher);
  }
  if (starts("derived.consultations.institution.")) {
    const std::string where = code.substr(strlen("derived.consultations.institution."));
    if (where != "inside" && where != "outside") return std::nullopt;
    return Make(code,
                Name("derived.consultations") + " (相談者の機関が市区町村" +
                    (where == "inside" ? "内" : "外") + ")",
                "相談者を名簿の機関 (病院の地域連携室など) に結び付けた相談の件数、機関の所在地別 "
                "(受付月)",
                "件", K::INDICATOR_KIND_COUNT, higher);
  }
  if (code == "derived.needs_matched_inside") {
    return Make(code, Name(code),
                "資源照合で市区町村内 (または市区町村を対象区域とする) 候補が1件以上あったニーズ / "
                "照合したニーズ",
                "割合", K::INDICATOR_KIND_RATIO, higher);
  }
  if (code == "derived.resource_gaps") {
    return Make(code, Name(code), "市区町村内に候補がなかったニーズの件数", "件",
                K::INDICATOR_KIND_COUNT, lower);
  }
  if (starts("derived.resource_gaps.cap.")) {
    return Make(code,
                Name("derived.resource_gaps") + " (" +
                    common::TagLabel(code.substr(strlen("derived.resource_gaps.cap."))) + ")",
                "機能ごとの資源の空白の件数", "件", K::INDICATOR_KIND_COUNT, lower);
  }
  if (code == "derived.referrals_outside") {
    return Make(code, Name(code), "市区町村外の資源への紹介 / 紹介", "割合",
                K::INDICATOR_KIND_RATIO, lower);
  }
  if (code == "derived.issue_seeds") {
    return Make(code, Name(code), "相談から挙がった地域課題のタネの件数", "件",
                K::INDICATOR_KIND_COUNT, higher);
  }
  if (code == "derived.issues_opened") {
    return Make(code, Name(code), "取り上げた地域課題の件数", "件", K::INDICATOR_KIND_COUNT,
                higher);
  }
  if (starts("derived.issue_steps_completed.")) {
    const std::string step = code.substr(strlen("derived.issue_steps_completed."));
    if (step.size() != 1 || step[0] < '1' || step[0] > '7') return std::nullopt;
    return Make(code,
                Name("derived.issue_steps_completed.") + " (ステップ" + step + "「" +
                    common::StepName(step[0] - '0') + "」)",
                "ステップ" + step + "を完了した件数", "件", K::INDICATOR_KIND_COUNT, higher);
  }
  if (code == "derived.trainings_scheduled") {
    return Make(code, Name(code), "主催した研修の件数 (登録月)", "件", K::INDICATOR_KIND_COUNT,
                higher);
  }
  if (code == "derived.registrations") {
    return Make(code, Name(code), "研修への申込の件数 (申込者の市区町村)", "件",
                K::INDICATOR_KIND_COUNT, higher);
  }
  if (code == "derived.attendance_rate") {
    return Make(code, Name(code), "出席 / 出欠を記録した回", "割合", K::INDICATOR_KIND_RATIO,
                higher);
  }
  if (code == "derived.resident_events_held") {
    return Make(code, Name(code), "住民向け公開イベントの開催回数 (出欠を記録した回)", "回",
                K::INDICATOR_KIND_COUNT, higher);
  }
  if (code == "derived.resident_participants") {
    return Make(code, Name(code), "住民向け公開イベントに出席した人数 (申込の人数)", "人",
                K::INDICATOR_KIND_COUNT, higher);
  }
  if (starts("derived.awareness.")) {
    // derived.awareness.<item>.<before|after>: the municipality names its items.
    const std::string rest = code.substr(strlen("derived.awareness."));
    const size_t dot = rest.rfind('.');
    if (dot == std::string::npos || dot == 0) return std::nullopt;
    const std::string phase = rest.substr(dot + 1);
    if (phase != "before" && phase != "after") return std::nullopt;
    // The item's statement names it once its first answer arrives (DefineDerived); the code
    // alone holds only the municipality's id of the item, which nobody reads.
    return Make(code, Name("derived.awareness.") + (phase == "before" ? " (参加前)" : " (参加後)"),
                "意識調査の項目に「そう思う」「とてもそう思う」と答えた割合", "割合",
                K::INDICATOR_KIND_RATIO, higher);
  }
  if (starts("derived.survey_score.")) {
    // A built-in skill by its name; a skill the instance added to its framework by its code,
    // which the instance chose.
    const std::string skill = code.substr(strlen("derived.survey_score."));
    const common::VocabularyEntry* e = common::FindVocabulary(common::kSkillSet, skill);
    return Make(code, Name("derived.survey_score.") + " (" + (e ? e->ja : skill) + ")",
                "このスキルを測る項目の回答 (1〜5) の平均", "点", K::INDICATOR_KIND_SURVEY_SCORE,
                higher);
  }
  return std::nullopt;
}

}  // namespace renkei::indicators
