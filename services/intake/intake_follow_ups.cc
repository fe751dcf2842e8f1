// Intake: follow-ups, issue seeds, the digest and the erasure of personal data after retention.
#include <algorithm>
#include <map>
#include <set>

#include "absl/strings/escaping.h"
#include "digest.h"
#include "intake.h"
#include "intake_parts.h"
#include "intake_rules.h"
#include "renkei/common/dates.h"
#include "renkei/common/errors.h"
#include "renkei/common/ids.h"
#include "renkei/common/jurisdiction.h"
#include "renkei/common/status_macros.h"
#include "renkei/common/table.h"
#include "renkei/common/text.h"

namespace renkei::intake {

absl::StatusOr<v1::Consultation> Intake::AddFollowUp(const v1::AddFollowUpRequest& r) {
  FieldViolations v;
  v.CheckText("task", r.task(), {.required = true, .max_chars = 500, .single_line = false});
  v.CheckText("owner", r.owner(), {.max_chars = 100});
  v.CheckDate("due", r.due().year(), r.due().month(), r.due().day(), true);
  RETURN_IF_ERROR(v.ToStatus());
  return Mutate(r.id(), r.expected_version(), false, [&](v1::Consultation* c, Events*) {
    if (c->follow_ups_size() >= 100)
      return common::InvalidField("id", "フォローアップは100件までです / at most 100");
    auto* f = c->add_follow_ups();
    f->set_id(common::NewId("fu", *clock_));
    f->set_task(std::string(common::TrimSpaces(r.task())));
    f->set_owner(std::string(common::TrimSpaces(r.owner())));
    *f->mutable_due() = r.due();
    *f->mutable_created_at() = clock_->NowTimestamp();
    return absl::OkStatus();
  });
}

absl::StatusOr<v1::Consultation> Intake::CompleteFollowUp(const v1::CompleteFollowUpRequest& r) {
  if (!common::IsWellFormedId("fu", r.follow_up_id())) {
    return common::InvalidField("follow_up_id", "IDの形式が不正です / malformed id");
  }
  // Follow-ups can still be completed after the consultation ended.
  return Mutate(r.id(), r.expected_version(), true, [&](v1::Consultation* c, Events*) {
    for (auto& f : *c->mutable_follow_ups()) {
      if (f.id() != r.follow_up_id()) continue;
      if (f.done()) return common::NotAllowedNow("follow_up_id", "完了済みです / already done");
      f.set_done(true);
      *f.mutable_done_at() = clock_->NowTimestamp();
      return absl::OkStatus();
    }
    return common::InvalidField("follow_up_id",
                                "この相談にないフォローアップです / no such follow-up");
  });
}

absl::StatusOr<v1::ListOverdueFollowUpsResponse> Intake::Overdue(
    const v1::ListOverdueFollowUpsRequest& r) const {
  FieldViolations v;
  v.CheckDate("as_of", r.as_of().year(), r.as_of().month(), r.as_of().day());
  RETURN_IF_ERROR(v.ToStatus());
  const v1::Date as_of = r.as_of().year() == 0 ? Today() : r.as_of();
  v1::ListOverdueFollowUpsResponse out;
  absl::Status inner;
  RETURN_IF_ERROR(store_.ForEachOpenFollowUpDueBefore(
      common::DateNumber(as_of),
      [&](const std::string& consultation_id, const std::string& follow_up_id) {
        auto c = store_.Get(consultation_id);
        if (!c.ok()) {
          inner = c.status();
          return false;
        }
        for (const auto& f : c->follow_ups()) {
          if (f.id() != follow_up_id || f.done()) continue;
          auto* o = out.add_follow_ups();
          o->set_consultation_id(consultation_id);
          *o->mutable_follow_up() = f;
          o->set_days_overdue(common::DaysBetween(f.due(), as_of));
        }
        return out.follow_ups_size() < 1000;
      }));
  RETURN_IF_ERROR(inner);
  return out;
}

absl::StatusOr<v1::Consultation> Intake::RaiseSeed(const v1::RaiseIssueSeedRequest& r) {
  FieldViolations v;
  v.CheckText("theme", r.theme(), {.required = true, .max_chars = 200});
  v.CheckCount("tags", r.tags_size(), kMaxTags);
  for (int i = 0; i < r.tags_size() && i < static_cast<int>(kMaxTags); ++i) {
    v.CheckText("tags[" + std::to_string(i) + "]", r.tags(i),
                {.required = true, .max_chars = kMaxTagChars});
  }
  if (!r.capability().empty() &&
      (!common::IsValidUtf8(r.capability()) || !vocabulary_->Contains(r.capability()))) {
    v.Add("capability", "未定義の対応内容です / unknown capability");
  }
  if (r.tags_size() == 0 && r.capability().empty()) {
    v.Add("tags",
          "タグか対応内容を1つ以上指定してください (地域課題の集約に使います) / give at least one "
          "tag or a capability");
  }
  RETURN_IF_ERROR(v.ToStatus());
  // Seeds can be raised after a consultation ended: the theme outlives the case.
  return Mutate(r.id(), r.expected_version(), true, [&](v1::Consultation* c, Events* events) {
    v1::IssueSeed seed;
    seed.set_id(common::NewId("seed", *clock_));
    seed.set_consultation_id(c->id());
    seed.set_theme(std::string(common::TrimSpaces(r.theme())));
    for (auto& t : NormalizeTags(r.tags())) seed.add_tags(t);
    seed.set_capability(r.capability());
    *seed.mutable_raised_at() = clock_->NowTimestamp();
    seed.set_municipality_code(c->municipality_code());
    events->push_back(SeedRaised(*c, seed));
    *c->add_seeds() = std::move(seed);
    return absl::OkStatus();
  });
}

absl::StatusOr<v1::ListIssueSeedsResponse> Intake::Seeds(const v1::ListIssueSeedsRequest& r) const {
  FieldViolations v;
  CheckPeriod(r.raised_from(), r.raised_to(), false, "raised_from", "raised_to", &v);
  RETURN_IF_ERROR(v.ToStatus());
  v1::ListIssueSeedsResponse out;
  absl::Status inner;
  RETURN_IF_ERROR(
      store_.ForEachSeedRaised(FromMicros(r.raised_from()), ToMicrosExclusive(r.raised_to()),
                               [&](const std::string& consultation_id, const std::string& seed_id) {
                                 auto c = store_.Get(consultation_id);
                                 if (!c.ok()) {
                                   inner = c.status();
                                   return false;
                                 }
                                 for (const auto& s : c->seeds()) {
                                   if (s.id() == seed_id) *out.add_seeds() = s;
                                 }
                                 return out.seeds_size() < 10000;
                               }));
  RETURN_IF_ERROR(inner);
  return out;
}

absl::StatusOr<v1::Digest> Intake::Digest(const v1::GetDigestRequest& r) const {
  FieldViolations v;
  CheckPeriod(r.from(), r.to(), true, "from", "to", &v);
  if (v.empty() && common::DaysBetween(r.from(), r.to()) > 366)
    v.Add("to", "期間は1年以内です / at most 366 days");
  RETURN_IF_ERROR(v.ToStatus());
  std::vector<v1::Consultation> consultations;
  RETURN_IF_ERROR(store_.ForEachReceived(FromMicros(r.from()), ToMicrosExclusive(r.to()), "",
                                         [&](const std::string&, const v1::Consultation& c) {
                                           consultations.push_back(c);
                                           return true;
                                         }));
  v1::ListIssueSeedsRequest seeds_request;
  *seeds_request.mutable_raised_from() = r.from();
  *seeds_request.mutable_raised_to() = r.to();
  ASSIGN_OR_RETURN(auto seeds, Seeds(seeds_request));
  ASSIGN_OR_RETURN(auto overdue, Overdue({}));
  return BuildDigest(options_.municipality_code, r.from(), r.to(), consultations, seeds, overdue,
                     *vocabulary_);
}

absl::StatusOr<v1::NeedGapReport> Intake::NeedGaps(const v1::GetNeedGapsRequest& r) const {
  const v1::Date today = common::TokyoDate(clock_->NowMicros());
  const int year = r.fiscal_year() == 0 ? common::FiscalYear(today) : r.fiscal_year();
  if (year < 2000 || year > common::FiscalYear(today)) {
    return common::InvalidField("fiscal_year",
                                "2000 年度から今年度までの年度です (0 は今年度) / 2000 up to the "
                                "current fiscal year (0: the current one)");
  }
  v1::NeedGapReport report;
  report.set_municipality_code(options_.municipality_code);
  if (const auto* m = common::Jurisdictions::Get().FindMunicipality(options_.municipality_code)) {
    report.set_municipality_name(m->name);
  }
  report.set_fiscal_year(year);
  *report.mutable_from() = common::DateFromNumber(year * 10000 + 401);
  const v1::Date end = common::DateFromNumber((year + 1) * 10000 + 331);
  *report.mutable_to() = common::DateNumber(end) < common::DateNumber(today) ? end : today;
  std::vector<v1::Consultation> consultations;
  RETURN_IF_ERROR(store_.ForEachReceived(FromMicros(report.from()), ToMicrosExclusive(report.to()),
                                         "", [&](const std::string&, const v1::Consultation& c) {
                                           consultations.push_back(c);
                                           return true;
                                         }));
  std::vector<v1::NeedGap> gaps = NeedGapDemand(consultations, *vocabulary_);
  // Supply from the directory, 100 combinations per call.
  for (size_t begin = 0; begin < gaps.size() && !report.supply_unavailable(); begin += 100) {
    v1::GetGapReportRequest q;
    q.set_municipality_code(options_.municipality_code);
    const size_t end_index = std::min(gaps.size(), begin + 100);
    for (size_t i = begin; i < end_index; ++i) {
      *q.add_combinations()->mutable_capabilities() = gaps[i].capabilities();
    }
    auto supply = finder_->GapReport(q);
    if (!supply.ok() || supply->combinations_size() != static_cast<int>(end_index - begin)) {
      report.set_supply_unavailable(true);
      break;
    }
    for (size_t i = begin; i < end_index; ++i) {
      const auto& cov = supply->combinations(static_cast<int>(i - begin));
      gaps[i].set_located_in(cov.located_in());
      gaps[i].set_serving(cov.serving());
      gaps[i].set_supply_gap(cov.gap());
      if (cov.has_nearest_outside()) *gaps[i].mutable_nearest_outside() = cov.nearest_outside();
    }
  }
  if (report.supply_unavailable()) {
    for (auto& g : gaps) {
      g.clear_located_in();
      g.clear_serving();
      g.clear_supply_gap();
      g.clear_nearest_outside();
    }
  }
  std::stable_sort(gaps.begin(), gaps.end(), [](const v1::NeedGap& a, const v1::NeedGap& b) {
    return a.supply_gap() > b.supply_gap();
  });
  for (auto& g : gaps) *report.add_gaps() = std::move(g);
  return report;
}

absl::StatusOr<int> Intake::ErasePersonalData(uint32_t retention_days, size_t batch_size) {
  if (retention_days == 0) return 0;
  const int64_t now = clock_->NowMicros();
  const int64_t cutoff = now - int64_t{retention_days} * 86400 * 1000000;
  auto due = [cutoff](const v1::Consultation& c) {
    return !IsOpen(c.status()) && EndedAtMicros(c) <= cutoff;
  };
  std::vector<std::string> ids;
  RETURN_IF_ERROR(store_.ForEachWithPersonal([&](const v1::Consultation& c) {
    if (due(c)) ids.push_back(c.id());
    return true;
  }));
  int erased = 0;
  for (size_t begin = 0; begin < ids.size(); begin += batch_size) {
    const size_t end = std::min(ids.size(), begin + batch_size);
    const std::vector<std::string> batch(ids.data() + begin, ids.data() + end);
    // A command that read a consultation before its erasure must not write its personal fields
    // back: the batch holds the consultations' locks, and `due` is checked again under them.
    auto guard = locks_.LockAll(batch);
    ASSIGN_OR_RETURN(int n, store_.ErasePersonal(batch, due, now));
    erased += n;
  }
  if (erased > 0) RETURN_IF_ERROR(store_.CompactConsultations());
  return erased;
}

}  // namespace renkei::intake
