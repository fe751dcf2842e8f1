#include "derived.h"

#include <algorithm>
#include <cctype>
#include <cstring>
#include <map>

#include "intake/intake_rules.h"
#include "periods.h"
#include "renkei/common/clock.h"
#include "renkei/common/dates.h"

namespace renkei::indicators {
namespace {

std::string MonthOf(const google::protobuf::Timestamp& t) {
  const v1::Date d = common::TokyoDate(common::MicrosFromTimestamp(t));
  return PeriodOf(d, v1::MEASUREMENT_FREQUENCY_MONTHLY).ToString();
}

// "SOURCE_TYPE_PATIENT_FAMILY" -> "patient_family".
std::string SourceWord(v1::SourceType t) {
  std::string name = v1::SourceType_Name(t);
  const std::string prefix = "SOURCE_TYPE_";
  if (name.rfind(prefix, 0) == 0) name = name.substr(prefix.size());
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return name;
}

Increment Count(const std::string& code, const std::string& j, const std::string& period) {
  Increment i;
  i.code = code;
  i.jurisdiction = j;
  i.period = period;
  i.value = 1;
  return i;
}

Increment Fraction(const std::string& code, const std::string& j, const std::string& period,
                   double numerator, double denominator) {
  Increment i;
  i.code = code;
  i.jurisdiction = j;
  i.period = period;
  i.numerator = numerator;
  i.denominator = denominator;
  return i;
}

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

}  // namespace

std::vector<Increment> IncrementsOf(const v1::EventEnvelope& e) {
  std::vector<Increment> out;
  const std::string month = MonthOf(e.occurred_at());
  const std::string& j = e.jurisdiction_code();
  switch (e.payload_case()) {
    case v1::EventEnvelope::kConsultationReceived: {
      const auto& p = e.consultation_received();
      const std::string m = MonthOf(p.received_at());
      out.push_back(Count("derived.consultations", p.municipality_code(), m));
      out.push_back(Count("derived.consultations.src." + SourceWord(p.source_type()),
                          p.municipality_code(), m));
      break;
    }
    case v1::EventEnvelope::kMatchFound:
      out.push_back(Fraction("derived.needs_matched_inside", j, month,
                             e.match_found().inside() > 0 ? 1 : 0, 1));
      break;
    case v1::EventEnvelope::kResourceGapFound: {
      const auto& p = e.resource_gap_found();
      out.push_back(Count("derived.resource_gaps", p.municipality_code(), month));
      if (!p.capability().empty()) {
        out.push_back(
            Count("derived.resource_gaps.cap." + p.capability(), p.municipality_code(), month));
      }
      break;
    }
    case v1::EventEnvelope::kReferralMade:
      out.push_back(Fraction("derived.referrals_outside", j, month,
                             e.referral_made().outside_municipality() ? 1 : 0, 1));
      break;
    case v1::EventEnvelope::kIssueSeedRaised:
      out.push_back(Count("derived.issue_seeds", e.issue_seed_raised().municipality_code(), month));
      break;
    case v1::EventEnvelope::kIssueOpened:
      out.push_back(Count("derived.issues_opened", e.issue_opened().municipality_code(), month));
      break;
    case v1::EventEnvelope::kIssueStepCompleted: {
      const auto& p = e.issue_step_completed();
      if (p.step() >= 1 && p.step() <= 7) {
        out.push_back(Count("derived.issue_steps_completed." + std::to_string(p.step()),
                            p.municipality_code(), month));
      }
      break;
    }
    case v1::EventEnvelope::kTrainingScheduled:
      // Published again on edits: only the first version counts.
      if (e.aggregate_version() == 1) {
        out.push_back(
            Count("derived.trainings_scheduled", e.training_scheduled().organizer_code(), month));
      }
      break;
    case v1::EventEnvelope::kRegistrationConfirmed:
      if (!e.registration_confirmed().promoted_from_waitlist()) {
        out.push_back(
            Count("derived.registrations", e.registration_confirmed().municipality_code(), month));
      }
      break;
    case v1::EventEnvelope::kRegistrationWaitlisted:
      out.push_back(
          Count("derived.registrations", e.registration_waitlisted().municipality_code(), month));
      break;
    case v1::EventEnvelope::kAttendanceRecorded: {
      const auto& p = e.attendance_recorded();
      out.push_back(Fraction("derived.attendance_rate", p.municipality_code(), month,
                             p.attended() ? 1 : 0, 1));
      break;
    }
    case v1::EventEnvelope::kSurveySubmitted: {
      const auto& p = e.survey_submitted();
      std::map<std::string, std::pair<double, double>> by_skill;
      for (int i = 0; i < p.answers_size() && i < p.skill_codes_size(); ++i) {
        if (p.skill_codes(i).empty() || p.answers(i).likert() < 1) continue;
        auto& [sum, n] = by_skill[p.skill_codes(i)];
        sum += p.answers(i).likert();
        n += 1;
      }
      for (const auto& [skill, sn] : by_skill) {
        out.push_back(Fraction("derived.survey_score." + skill, p.municipality_code(), month,
                               sn.first, sn.second));
      }
      break;
    }
    default:
      break;
  }
  return out;
}

std::optional<v1::IndicatorDefinition> DerivedDefinition(const std::string& code) {
  using K = v1::IndicatorKind;
  const auto higher = v1::DIRECTION_HIGHER_IS_BETTER;
  const auto lower = v1::DIRECTION_LOWER_IS_BETTER;
  auto starts = [&](const std::string& p) {
    return code.rfind(p, 0) == 0 && code.size() > p.size();
  };
  if (code == "derived.consultations") {
    return Make(code, "相談件数", "受け付けた相談の件数 (受付月)", "件", K::INDICATOR_KIND_COUNT,
                higher);
  }
  if (starts("derived.consultations.src.")) {
    const std::string word = code.substr(strlen("derived.consultations.src."));
    std::string label = word;
    for (int t = v1::SourceType_MIN + 1; t <= v1::SourceType_MAX; ++t) {
      if (SourceWord(static_cast<v1::SourceType>(t)) == word)
        label = std::string(intake::SourceTypeLabel(static_cast<v1::SourceType>(t)));
    }
    return Make(code, "相談件数 (" + label + ")", "相談者の種別ごとの相談件数 (受付月)", "件",
                K::INDICATOR_KIND_COUNT, higher);
  }
  if (code == "derived.needs_matched_inside") {
    return Make(code, "市区町村内で対応できる資源があった必要の割合",
                "資源照合で市区町村内 (または市区町村を対象区域とする) 候補が1件以上あった必要 / "
                "照合した必要",
                "割合", K::INDICATOR_KIND_RATIO, higher);
  }
  if (code == "derived.resource_gaps") {
    return Make(code, "資源の空白", "市区町村内に候補がなかった必要の件数", "件",
                K::INDICATOR_KIND_COUNT, lower);
  }
  if (starts("derived.resource_gaps.cap.")) {
    return Make(code, "資源の空白 (" + code.substr(strlen("derived.resource_gaps.cap.")) + ")",
                "機能ごとの資源の空白の件数", "件", K::INDICATOR_KIND_COUNT, lower);
  }
  if (code == "derived.referrals_outside") {
    return Make(code, "市区町村外への紹介の割合", "市区町村外の資源への紹介 / 紹介", "割合",
                K::INDICATOR_KIND_RATIO, lower);
  }
  if (code == "derived.issue_seeds") {
    return Make(code, "地域課題のタネ", "相談から挙がった地域課題のタネの件数", "件",
                K::INDICATOR_KIND_COUNT, higher);
  }
  if (code == "derived.issues_opened") {
    return Make(code, "地域課題", "取り上げた地域課題の件数", "件", K::INDICATOR_KIND_COUNT,
                higher);
  }
  if (starts("derived.issue_steps_completed.")) {
    const std::string step = code.substr(strlen("derived.issue_steps_completed."));
    if (step.size() != 1 || step[0] < '1' || step[0] > '7') return std::nullopt;
    return Make(code, "PDCA ステップ" + step + " を完了した地域課題",
                "ステップ" + step + "を完了した件数", "件", K::INDICATOR_KIND_COUNT, higher);
  }
  if (code == "derived.trainings_scheduled") {
    return Make(code, "研修の開催", "主催した研修の件数 (登録月)", "件", K::INDICATOR_KIND_COUNT,
                higher);
  }
  if (code == "derived.registrations") {
    return Make(code, "研修の申込", "研修への申込の件数 (申込者の市区町村)", "件",
                K::INDICATOR_KIND_COUNT, higher);
  }
  if (code == "derived.attendance_rate") {
    return Make(code, "研修の出席率", "出席 / 出欠を記録した回", "割合", K::INDICATOR_KIND_RATIO,
                higher);
  }
  if (starts("derived.survey_score.")) {
    return Make(code, "研修アンケートの得点 (" + code.substr(strlen("derived.survey_score.")) + ")",
                "このスキルを測る項目の回答 (1〜5) の平均", "点", K::INDICATOR_KIND_SURVEY_SCORE,
                higher);
  }
  return std::nullopt;
}

}  // namespace renkei::indicators
