#include "training_rules.h"

#include <algorithm>
#include <cctype>
#include <set>

#include "absl/strings/str_cat.h"
#include "renkei/common/clock.h"
#include "renkei/common/dates.h"
#include "renkei/common/ids.h"
#include "renkei/common/text.h"
#include "renkei/common/vocabulary.h"

namespace renkei::training {
namespace {

using common::FieldViolations;

std::string Path(std::string_view path, std::string_view field) {
  return path.empty() ? std::string(field) : std::string(path) + "." + std::string(field);
}

std::string Indexed(std::string_view path, std::string_view field, int i) {
  return Path(path, field) + "[" + std::to_string(i) + "]";
}

bool IsSkillCode(std::string_view s) {
  if (s.size() < 2 || s.size() > 40) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

bool IsItemId(std::string_view s) {
  if (s.empty() || s.size() > 40) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
}

void CheckUrl(std::string_view field, std::string_view url, FieldViolations* v) {
  if (url.empty()) return;
  v->CheckText(field, url, {.max_chars = 500});
  if (url.rfind("https://", 0) != 0 && url.rfind("http://", 0) != 0) {
    v->Add(std::string(field), "http:// か https:// で始まるURLです / must be an http(s) URL");
  }
}

// Timestamps a training may use: 2000-01-01 .. 2999-12-31.
bool PlausibleTime(const google::protobuf::Timestamp& t) {
  return t.seconds() >= 946684800LL && t.seconds() < 32503680000LL && t.nanos() >= 0 &&
         t.nanos() < 1000000000;
}

// A built-in skill: its name from common's vocabulary (the "skill" set of vocabulary.csv), which
// also names the indicators that measure it.
v1::Skill MakeSkill(const char* code, v1::SkillGroup group, const char* description,
                    const char* what) {
  v1::Skill s;
  s.set_code(code);
  s.set_group(group);
  const common::VocabularyEntry* name = common::FindVocabulary(common::kSkillSet, code);
  s.set_name(name ? name->ja : code);
  s.set_description(description);
  const std::string w = what;
  auto add = [&](v1::SkillLevel level, const std::string& text) {
    auto* l = s.add_levels();
    l->set_level(level);
    l->set_description(text);
  };
  add(v1::SKILL_LEVEL_BEGINNER, "助言を受けながら" + w + "ことができる");
  add(v1::SKILL_LEVEL_PRACTITIONER, "自ら" + w + "ことができる");
  add(v1::SKILL_LEVEL_LEAD, "他のコーディネーターが" + w + "ことを指導・支援できる");
  return s;
}

}  // namespace

v1::SkillFramework BuiltInSkillFramework() {
  v1::SkillFramework f;
  f.set_version(1);
  *f.add_skills() = MakeSkill("plan_training", v1::SKILL_GROUP_TRAINING_PLANNING,
                              "地域課題と対象者に合わせて研修のテーマ・形式・講師を決める",
                              "地域課題に合った研修を企画する");
  *f.add_skills() = MakeSkill("run_training", v1::SKILL_GROUP_TRAINING_PLANNING,
                              "研修を案内・運営し、アンケートで振り返る", "研修を運営し振り返る");
  *f.add_skills() =
      MakeSkill("collect_data", v1::SKILL_GROUP_DATA_ANALYSIS,
                "相談記録・既存統計・地域の声から必要なデータを集める", "必要なデータを集める");
  *f.add_skills() =
      MakeSkill("analyse_data", v1::SKILL_GROUP_DATA_ANALYSIS,
                "集めたデータから現状と要因を読み取る", "データから現状と要因を読み取る");
  *f.add_skills() =
      MakeSkill("design_survey", v1::SKILL_GROUP_SURVEY_DESIGN,
                "目的に合ったアンケート・ヒアリングを設計する", "目的に合った調査を設計する");
  *f.add_skills() =
      MakeSkill("explain_to_stakeholders", v1::SKILL_GROUP_EXPLAINING,
                "事業の目的や地域課題を関係者にわかりやすく説明する", "関係者に説明する");
  *f.add_skills() = MakeSkill("explain_dying_process", v1::SKILL_GROUP_EXPLAINING,
                              "最期までの身体の変化（体重減少など）を本人・家族に説明する",
                              "看取りの過程を家族に説明する");
  *f.add_skills() =
      MakeSkill("convey_issue_seeds", v1::SKILL_GROUP_CONVEYING_SEEDS,
                "相談から見えた地域課題のタネを市町村・協議会に伝える", "地域課題のタネを伝える");
  *f.add_skills() = MakeSkill("peer_support", v1::SKILL_GROUP_PEER_SUPPORT,
                              "他市町村のコーディネーターと相談し合い、経験を共有する",
                              "コーディネーター同士で相談し合う");
  *f.mutable_published_at() = common::TimestampFromMicros(1767225600000000LL);  // 2026-01-01Z
  return f;
}

void ValidateSkills(const google::protobuf::RepeatedPtrField<v1::Skill>& skills,
                    FieldViolations* v) {
  if (skills.empty()) v->Add("skills", "1つ以上のスキルが必要です / at least one skill");
  v->CheckCount("skills", skills.size(), 200);
  std::set<std::string> codes;
  for (int i = 0; i < skills.size() && i < 200; ++i) {
    const auto& s = skills[i];
    const std::string p = Indexed("", "skills", i);
    if (!IsSkillCode(s.code())) {
      v->Add(p + ".code", "英小文字・数字・_ の2〜40文字です / [a-z0-9_]{2,40}");
    } else if (!codes.insert(s.code()).second) {
      v->Add(p + ".code", "コードが重複しています / duplicate code");
    }
    v->CheckEnum(p + ".group", s.group(), v1::SkillGroup_IsValid, false);
    v->CheckText(p + ".name", s.name(), {.required = true, .max_chars = 100});
    v->CheckText(p + ".description", s.description(), {.max_chars = 1000, .single_line = false});
    if (s.levels().empty()) v->Add(p + ".levels", "1つ以上の段階が必要です / at least one level");
    std::set<int> levels;
    for (int j = 0; j < s.levels_size() && j < 10; ++j) {
      const std::string lp = p + ".levels[" + std::to_string(j) + "]";
      v->CheckEnum(lp + ".level", s.levels(j).level(), v1::SkillLevel_IsValid, false);
      if (!levels.insert(s.levels(j).level()).second)
        v->Add(lp + ".level", "段階が重複しています / duplicate level");
      v->CheckText(lp + ".description", s.levels(j).description(),
                   {.max_chars = 500, .single_line = false});
    }
  }
}

bool DefinesSkillLevel(const v1::SkillFramework& framework, std::string_view code,
                       v1::SkillLevel level, bool* known_skill) {
  *known_skill = false;
  for (const auto& s : framework.skills()) {
    if (s.code() != code) continue;
    *known_skill = true;
    for (const auto& l : s.levels()) {
      if (l.level() == level) return true;
    }
    return false;
  }
  return false;
}

void ValidateTrainingContent(const v1::Training& t, const v1::SkillFramework& framework,
                             std::string_view path, FieldViolations* v) {
  v->CheckText(Path(path, "title"), t.title(), {.required = true, .max_chars = 200});
  v->CheckText(Path(path, "description"), t.description(),
               {.max_chars = 4000, .single_line = false});
  if (t.audiences().empty()) {
    v->Add(Path(path, "audiences"), "対象者を1つ以上指定してください / at least one audience");
  }
  v->CheckCount(Path(path, "audiences"), t.audiences_size(), 20);
  std::set<int> audiences;
  for (int i = 0; i < t.audiences_size() && i < 20; ++i) {
    const std::string p = Indexed(path, "audiences", i);
    v->CheckEnum(p, t.audiences(i), v1::AudienceRole_IsValid, false);
    if (!audiences.insert(t.audiences(i)).second) v->Add(p, "重複しています / duplicate");
  }
  v->CheckCount(Path(path, "target_skills"), t.target_skills_size(), 20);
  for (int i = 0; i < t.target_skills_size() && i < 20; ++i) {
    const auto& target = t.target_skills(i);
    const std::string p = Indexed(path, "target_skills", i);
    bool known = false;
    const bool defined = DefinesSkillLevel(framework, target.skill_code(), target.level(), &known);
    if (!known) {
      v->Add(p + ".skill_code", "スキル枠組み(第" + std::to_string(framework.version()) +
                                    "版)にないスキルです: " + target.skill_code() +
                                    " / unknown skill");
    } else if (!defined) {
      v->Add(p + ".level", "このスキルにない段階です / the skill has no such level");
    }
  }
  const auto& cm = t.countermeasure();
  if (!cm.issue_id().empty() || !cm.countermeasure_id().empty() || !cm.label().empty()) {
    if (!common::IsWellFormedId("iss", cm.issue_id()))
      v->Add(Path(path, "countermeasure.issue_id"),
             "IDの形式が不正です (iss_ + 26文字) / malformed id");
    if (!cm.countermeasure_id().empty() && !common::IsWellFormedId("cm", cm.countermeasure_id())) {
      v->Add(Path(path, "countermeasure.countermeasure_id"),
             "IDの形式が不正です (cm_ + 26文字) / malformed id");
    }
    v->CheckText(Path(path, "countermeasure.label"), cm.label(), {.max_chars = 20});
  }
  v->CheckCount(Path(path, "materials"), t.materials_size(), 50);
  for (int i = 0; i < t.materials_size() && i < 50; ++i) {
    const std::string p = Indexed(path, "materials", i);
    v->CheckText(p + ".title", t.materials(i).title(), {.required = true, .max_chars = 200});
    v->CheckText(p + ".reference", t.materials(i).reference(), {.max_chars = 500});
  }
  if (t.has_registration_deadline() && !PlausibleTime(t.registration_deadline())) {
    v->Add(Path(path, "registration_deadline"), "日時が範囲外です / out of range");
  }
  if (t.quota_per_municipality() < 0 || t.quota_per_municipality() > kMaxCapacity) {
    v->Add(Path(path, "quota_per_municipality"), "0〜10000 です (0: 制限なし) / 0..10000");
  }
  v->CheckCount(Path(path, "survey_items"), t.survey_items_size(), kMaxSurveyItems);
  std::set<std::string> items;
  for (int i = 0; i < t.survey_items_size() && i < kMaxSurveyItems; ++i) {
    const auto& item = t.survey_items(i);
    const std::string p = Indexed(path, "survey_items", i);
    if (!IsItemId(item.id())) {
      v->Add(p + ".id", "英小文字・数字・_ の1〜40文字です / [a-z0-9_]{1,40}");
    } else if (!items.insert(item.id()).second) {
      v->Add(p + ".id", "IDが重複しています / duplicate id");
    }
    v->CheckEnum(p + ".kind", item.kind(), v1::SurveyItemKind_IsValid, false);
    v->CheckText(p + ".question", item.question(), {.required = true, .max_chars = 300});
    if (!item.skill_code().empty()) {
      bool known = false;
      DefinesSkillLevel(framework, item.skill_code(), v1::SKILL_LEVEL_UNSPECIFIED, &known);
      if (!known) v->Add(p + ".skill_code", "スキル枠組みにないスキルです / unknown skill");
    }
  }
  if (t.public_event()) {
    const bool for_residents = std::any_of(t.audiences().begin(), t.audiences().end(), [](int a) {
      return a == v1::AUDIENCE_ROLE_RESIDENTS || a == v1::AUDIENCE_ROLE_PERSON_AND_FAMILY;
    });
    if (!for_residents) {
      v->Add(Path(path, "public_event"),
             "住民向けの公開イベントには、対象に「地域住民」か「本人・家族」を含めてください / "
             "a public event is for residents or the person and family");
    }
  }
  v->CheckCount(Path(path, "theme_tags"), t.theme_tags_size(), kMaxThemeTags);
  std::set<std::string> tags;
  for (int i = 0; i < t.theme_tags_size() && i < kMaxThemeTags; ++i) {
    const std::string p = Indexed(path, "theme_tags", i);
    v->CheckText(p, t.theme_tags(i), {.required = true, .max_chars = 20});
    if (!tags.insert(t.theme_tags(i)).second) v->Add(p, "重複しています / duplicate");
  }
  v->CheckCount(Path(path, "awareness_items"), t.awareness_items_size(), kMaxAwarenessItems);
  std::set<std::string> awareness;
  for (int i = 0; i < t.awareness_items_size() && i < kMaxAwarenessItems; ++i) {
    const auto& item = t.awareness_items(i);
    const std::string p = Indexed(path, "awareness_items", i);
    // (32 at most: the item's indicator code, derived.awareness.<id>.before, stays within 64.)
    if (!IsItemId(item.id()) || item.id().size() > 32) {
      v->Add(p + ".id", "英小文字・数字・_ の1〜32文字です / [a-z0-9_]{1,32}");
    } else if (!awareness.insert(item.id()).second) {
      v->Add(p + ".id", "IDが重複しています / duplicate id");
    }
    v->CheckText(p + ".statement", item.statement(), {.required = true, .max_chars = 200});
  }
}

void ValidateSession(const v1::Session& s, std::string_view path, FieldViolations* v) {
  if (!s.has_starts_at()) {
    v->Add(Path(path, "starts_at"), "開始日時は必須です / required");
  } else if (!PlausibleTime(s.starts_at())) {
    v->Add(Path(path, "starts_at"), "日時が範囲外です / out of range");
  }
  if (!s.has_ends_at()) {
    v->Add(Path(path, "ends_at"), "終了日時は必須です / required");
  } else if (!PlausibleTime(s.ends_at())) {
    v->Add(Path(path, "ends_at"), "日時が範囲外です / out of range");
  } else if (s.has_starts_at() && common::MicrosFromTimestamp(s.ends_at()) <=
                                      common::MicrosFromTimestamp(s.starts_at())) {
    v->Add(Path(path, "ends_at"), "終了は開始より後にしてください / must be after starts_at");
  } else if (s.has_starts_at() &&
             s.ends_at().seconds() - s.starts_at().seconds() > int64_t{14} * 86400) {
    v->Add(Path(path, "ends_at"), "1回の開催は14日以内です / a session lasts at most 14 days");
  }
  v->CheckText(Path(path, "venue"), s.venue(), {.max_chars = 200});
  if (common::TrimSpaces(s.venue()).empty() && !s.online()) {
    v->Add(Path(path, "venue"), "会場かオンラインを指定してください / a venue or online");
  }
  CheckUrl(Path(path, "online_url"), s.online_url(), v);
  if (s.capacity() < 1 || s.capacity() > kMaxCapacity) {
    v->Add(Path(path, "capacity"), "定員は1〜10000人です / 1..10000");
  }
  v->CheckCount(Path(path, "lecturers"), s.lecturers_size(), 20);
  for (int i = 0; i < s.lecturers_size() && i < 20; ++i) {
    const std::string p = Indexed(path, "lecturers", i);
    v->CheckText(p + ".name", s.lecturers(i).name(), {.required = true, .max_chars = 100});
    v->CheckText(p + ".affiliation", s.lecturers(i).affiliation(), {.max_chars = 100});
  }
}

ScheduledSession ToScheduled(const v1::Training& t, const v1::Session& s) {
  ScheduledSession out;
  out.training_id = t.id();
  out.training_title = t.title();
  out.session_id = s.id();
  out.starts_us = common::MicrosFromTimestamp(s.starts_at());
  out.ends_us = common::MicrosFromTimestamp(s.ends_at());
  out.venue_key = common::NormalizeForSearch(s.venue());
  for (const auto& l : s.lecturers()) {
    std::string key = common::NormalizeForSearch(l.name());
    if (!key.empty()) out.lecturer_keys.push_back(std::move(key));
  }
  return out;
}

void CheckCollisions(const ScheduledSession& c, const v1::Session& session,
                     const std::vector<const ScheduledSession*>& others, std::string_view path,
                     FieldViolations* v) {
  for (const ScheduledSession* o : others) {
    if (!c.session_id.empty() && o->session_id == c.session_id) continue;
    if (!(c.starts_us < o->ends_us && o->starts_us < c.ends_us)) continue;
    const std::string where =
        "研修「" + o->training_title + "」の回 " +
        (o->session_id.empty() ? std::string("(同じ申請内)") : o->session_id) + " (" +
        FormatSessionTime(o->starts_us, o->ends_us) + ")";
    const std::string where_en =
        " / overlaps session " +
        (o->session_id.empty() ? std::string("in this request") : o->session_id) + " of training " +
        (o->training_id.empty() ? std::string("(this one)") : o->training_id);
    if (!c.venue_key.empty() && c.venue_key == o->venue_key) {
      v->Add(Path(path, "venue"),
             absl::StrCat("会場「", session.venue(), "」は", where, "と重なっています", where_en));
    }
    for (size_t i = 0; i < c.lecturer_keys.size(); ++i) {
      if (std::find(o->lecturer_keys.begin(), o->lecturer_keys.end(), c.lecturer_keys[i]) ==
          o->lecturer_keys.end()) {
        continue;
      }
      const int index = static_cast<int>(i);
      const std::string name =
          index < session.lecturers_size() ? session.lecturers(index).name() : "";
      v->Add(Indexed(path, "lecturers", index) + ".name",
             absl::StrCat("講師「", name, "」は", where, "と重なっています", where_en));
    }
  }
}

std::string FormatSessionTime(int64_t starts_us, int64_t ends_us) {
  auto hm = [](int64_t us) {
    const int64_t local_min = ((us / 1000000 + int64_t{9} * 3600) / 60) % (int64_t{24} * 60);
    char buf[8];
    snprintf(buf, sizeof buf, "%02d:%02d", static_cast<int>(local_min / 60),
             static_cast<int>(local_min % 60));
    return std::string(buf);
  };
  const v1::Date d = common::TokyoDate(starts_us);
  char buf[16];
  snprintf(buf, sizeof buf, "%04d/%02d/%02d ", d.year(), d.month(), d.day());
  return buf + hm(starts_us) + "–" + hm(ends_us);
}

}  // namespace renkei::training
