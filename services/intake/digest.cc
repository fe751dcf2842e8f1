#include "digest.h"

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "intake_parts.h"
#include "intake_rules.h"
#include "renkei/common/dates.h"
#include "renkei/common/jurisdiction.h"
#include "renkei/common/labels.h"
#include "renkei/common/vocabulary.h"

namespace renkei::intake {
namespace {

// Rows by count, largest first (ties by key); with `keep_order`, in the given key order.
void AddCounts(const std::map<std::string, std::pair<std::string, int>>& counts,
               google::protobuf::RepeatedPtrField<v1::CountByKey>* out,
               const std::vector<std::string>& keep_order = {}) {
  if (!keep_order.empty()) {
    for (const auto& key : keep_order) {
      auto it = counts.find(key);
      if (it == counts.end()) continue;
      auto* c = out->Add();
      c->set_key(key);
      c->set_label(it->second.first);
      c->set_count(it->second.second);
    }
    return;
  }
  std::vector<v1::CountByKey> rows;
  for (const auto& [key, value] : counts) {
    v1::CountByKey c;
    c.set_key(key);
    c.set_label(value.first);
    c.set_count(value.second);
    rows.push_back(std::move(c));
  }
  std::stable_sort(rows.begin(), rows.end(), [](const v1::CountByKey& a, const v1::CountByKey& b) {
    return a.count() > b.count();
  });
  for (auto& r : rows) *out->Add() = std::move(r);
}

std::string CapabilityLabel(const std::string& code, const common::CapabilityVocabulary& vocab) {
  int i = vocab.IndexOf(code);
  return i >= 0 ? vocab.at(i).label_ja() : code;
}

std::string Km(double km) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f km", km);
  return buf;
}

}  // namespace

v1::Digest BuildDigest(const std::string& municipality_code, const v1::Date& from,
                       const v1::Date& to, const std::vector<v1::Consultation>& consultations,
                       const v1::ListIssueSeedsResponse& seeds,
                       const v1::ListOverdueFollowUpsResponse& overdue,
                       const common::CapabilityVocabulary& vocab) {
  v1::Digest d;
  d.set_municipality_code(municipality_code);
  if (const auto* m = common::Jurisdictions::Get().FindMunicipality(municipality_code)) {
    d.set_municipality_name(m->name);
  }
  *d.mutable_from() = from;
  *d.mutable_to() = to;
  d.set_consultations(static_cast<int32_t>(consultations.size()));

  std::map<std::string, std::pair<std::string, int>> by_source, by_capability, by_outcome,
      by_status;
  struct Gap {
    std::string capability;  // the need's main capability
    int consultations = 0;
    std::string nearest_name;
    double nearest_km = -1;
  };
  std::map<std::string, Gap> gaps;
  // Every source type is listed, even at zero and always in the same order: the meeting
  // compares them.
  std::vector<std::string> source_order;
  for (auto t : {v1::SOURCE_TYPE_PATIENT_FAMILY, v1::SOURCE_TYPE_CARE_MANAGER_SUPPORT_CENTER,
                 v1::SOURCE_TYPE_MEDICAL_CARE_PROFESSIONAL, v1::SOURCE_TYPE_COORDINATOR}) {
    by_source[v1::SourceType_Name(t)] = {std::string(common::Label(t)), 0};
    source_order.push_back(v1::SourceType_Name(t));
  }
  for (const auto& c : consultations) {
    ++by_source[v1::SourceType_Name(c.source_type())].second;
    auto& st = by_status[v1::ConsultationStatus_Name(c.status())];
    st.first = std::string(common::Label(c.status()));
    ++st.second;
    std::set<std::string> gap_needs;  // combinations, each counted once per consultation
    for (const auto& n : c.needs()) {
      // Advice needs (a coordinator's advice, not a service) count apart from the resources asked.
      auto& bc = by_capability[n.advice() ? "advice:" + n.capability() : n.capability()];
      bc.first = CapabilityLabel(n.capability(), vocab) + (n.advice() ? " (助言)" : "");
      ++bc.second;
      // Gaps by the combination asked for ("パーキンソン病＋訪問診療"), not the main capability.
      const std::string combination = NeedLabel(n, vocab);
      if (n.resource_gap()) {
        gap_needs.insert(combination);
        Gap& g = gaps[combination];
        g.capability = n.capability();
      }
      if (n.resource_gap() && n.candidates_size() > 0) {
        Gap& g = gaps[combination];
        const auto& nearest = n.candidates(0);
        if (g.nearest_km < 0 || nearest.distance_km() < g.nearest_km) {
          g.nearest_km = nearest.distance_km();
          g.nearest_name = nearest.name();
        }
      }
    }
    for (const auto& combination : gap_needs) ++gaps[combination].consultations;
    for (const auto& r : c.referrals()) {
      auto& bo = by_outcome[v1::ReferralOutcome_Name(r.outcome())];
      bo.first = std::string(common::Label(r.outcome(), "回答待ち"));
      ++bo.second;
      if (r.outside_municipality()) {
        auto* o = d.add_referrals_outside();
        o->set_consultation_id(c.id());
        o->set_resource_name(r.resource_name());
        o->set_resource_municipality_code(r.resource_municipality_code());
        o->set_outcome(r.outcome());
      }
    }
  }
  AddCounts(by_source, d.mutable_by_source_type(), source_order);
  AddCounts(by_capability, d.mutable_by_capability());
  AddCounts(by_outcome, d.mutable_by_outcome());
  AddCounts(by_status, d.mutable_by_status());
  for (const auto& [label, g] : gaps) {
    auto* out = d.add_resource_gaps();
    out->set_capability(g.capability);
    out->set_label(label);
    out->set_consultations(g.consultations);
    out->set_nearest_outside_name(g.nearest_name);
    out->set_nearest_outside_km(std::max(0.0, g.nearest_km));
  }
  for (const auto& o : overdue.follow_ups()) *d.add_overdue_follow_ups() = o;
  for (const auto& s : seeds.seeds()) *d.add_seeds() = s;
  d.set_markdown(DigestMarkdown(d));
  return d;
}

std::vector<v1::NeedGap> NeedGapDemand(const std::vector<v1::Consultation>& consultations,
                                       const common::CapabilityVocabulary& vocab) {
  // How a consultation's needs for one combination were matched, best first.
  enum Match { kInside = 0, kOutside = 1, kNone = 2 };
  std::map<std::vector<std::string>, v1::NeedGap> gaps;
  for (const auto& c : consultations) {
    std::map<std::vector<std::string>, Match> best;
    for (const auto& n : c.needs()) {
      if (n.advice()) continue;
      std::vector<std::string> rest(n.also_requires().begin(), n.also_requires().end());
      std::sort(rest.begin(), rest.end());
      rest.erase(std::unique(rest.begin(), rest.end()), rest.end());
      rest.erase(std::remove(rest.begin(), rest.end(), n.capability()), rest.end());
      std::vector<std::string> codes = {n.capability()};
      codes.insert(codes.end(), rest.begin(), rest.end());
      Match m = kNone;
      for (const auto& candidate : n.candidates()) {
        if (candidate.relation() == v1::AREA_RELATION_LOCATED_IN ||
            candidate.relation() == v1::AREA_RELATION_SERVES) {
          m = kInside;
        } else if (m == kNone) {
          m = kOutside;
        }
      }
      auto [it, inserted] = best.emplace(codes, m);
      if (!inserted) it->second = std::min(it->second, m);
    }
    for (const auto& [codes, m] : best) {
      v1::NeedGap& g = gaps[codes];
      if (g.capabilities().empty()) {
        std::string label;
        for (const auto& code : codes) {
          g.add_capabilities(code);
          label += (label.empty() ? "" : "＋") + CapabilityLabel(code, vocab);
        }
        g.set_label(label);
      }
      g.set_consultations(g.consultations() + 1);
      if (m == kInside) g.set_matched_inside(g.matched_inside() + 1);
      if (m == kOutside) g.set_matched_outside(g.matched_outside() + 1);
      if (m == kNone) g.set_unmatched(g.unmatched() + 1);
    }
  }
  std::vector<v1::NeedGap> out;
  out.reserve(gaps.size());
  for (auto& [codes, g] : gaps) out.push_back(std::move(g));
  std::stable_sort(out.begin(), out.end(), [](const v1::NeedGap& a, const v1::NeedGap& b) {
    if (a.consultations() != b.consultations()) return a.consultations() > b.consultations();
    return a.label() < b.label();
  });
  return out;
}

std::string DigestMarkdown(const v1::Digest& d) {
  std::string md;
  auto line = [&](const std::string& s) { md += s + "\n"; };
  line("# 定例ミーティング資料 — " + d.municipality_name() + " (" + d.municipality_code() + ")");
  line("");
  line("期間: " + common::FormatDate(d.from()) + " 〜 " + common::FormatDate(d.to()) +
       "　相談件数: " + std::to_string(d.consultations()) + " 件");
  line("");
  auto table = [&](const std::string& title,
                   const google::protobuf::RepeatedPtrField<v1::CountByKey>& rows) {
    line("## " + title);
    line("");
    if (rows.empty()) {
      line("（なし）");
      line("");
      return;
    }
    line("| 区分 | 件数 |");
    line("|---|---|");
    for (const auto& r : rows) line("| " + r.label() + " | " + std::to_string(r.count()) + " |");
    line("");
  };
  table("相談元別", d.by_source_type());
  table("ニーズ (対応内容) 別", d.by_capability());
  table("紹介の結果", d.by_outcome());
  table("相談の状態", d.by_status());
  line("## 市区町村内にない資源 (資源の空白)");
  line("");
  if (d.resource_gaps().empty()) {
    line("（なし）");
  } else {
    for (const auto& g : d.resource_gaps()) {
      std::string near =
          g.nearest_outside_name().empty()
              ? "市区町村外にも見つかりません"
              : "最寄り: " + g.nearest_outside_name() + " (" + Km(g.nearest_outside_km()) + ")";
      line("- " + g.label() + " — 相談 " + std::to_string(g.consultations()) + " 件。" + near);
    }
  }
  line("");
  line("## 市区町村外への紹介");
  line("");
  if (d.referrals_outside().empty()) {
    line("（なし）");
  } else {
    for (const auto& r : d.referrals_outside()) {
      const auto* m = common::Jurisdictions::Get().FindMunicipality(r.resource_municipality_code());
      line("- " + r.resource_name() + " (" +
           (m ? m->prefecture_name + m->name : r.resource_municipality_code()) + ") — " +
           std::string(common::Label(r.outcome(), "回答待ち")));
    }
  }
  line("");
  line("## 期限を過ぎたフォローアップ");
  line("");
  if (d.overdue_follow_ups().empty()) {
    line("（なし）");
  } else {
    for (const auto& o : d.overdue_follow_ups()) {
      line("- " + o.follow_up().task() +
           (o.follow_up().owner().empty() ? "" : "（担当: " + o.follow_up().owner() + "）") +
           " — 期限 " + common::FormatDate(o.follow_up().due()) + "、" +
           std::to_string(o.days_overdue()) + " 日超過");
    }
  }
  line("");
  line("## 相談から見えてきた地域課題のタネ");
  line("");
  if (d.seeds().empty()) {
    line("（なし）");
  } else {
    for (const auto& s : d.seeds()) {
      // The system's resource_gap tag is said by （資源の空白から自動）.
      std::vector<std::string> named;
      for (const auto& t : s.tags()) {
        if (t != common::kResourceGapTag) named.push_back(t);
      }
      std::string tags;
      for (const auto& label : common::TagLabels(named)) tags += (tags.empty() ? "" : "、") + label;
      line("- " + s.theme() + (tags.empty() ? "" : "　[" + tags + "]") +
           (s.automatic() ? "（資源の空白から自動）" : ""));
    }
  }
  return md;
}

}  // namespace renkei::intake
