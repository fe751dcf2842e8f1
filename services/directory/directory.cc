#include "directory.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <mutex>

#include "absl/strings/escaping.h"
#include "directory_parts.h"
#include "fhir_export.h"
#include "renkei/common/dates.h"
#include "renkei/common/encoding.h"
#include "renkei/common/errors.h"
#include "renkei/common/ids.h"
#include "renkei/common/jurisdiction.h"
#include "renkei/common/log.h"
#include "renkei/common/status_macros.h"
#include "renkei/common/table.h"
#include "renkei/common/text.h"
#include "renkei/common/validation.h"
#include "resource_rules.h"

namespace renkei::directory {

Directory::Directory(common::Store* store, common::Outbox* outbox, common::EventSource events,
                     const CapabilityVocabulary* vocabulary, DirectoryOptions options,
                     const common::Clock* clock)
    : store_(store),
      vocabulary_(vocabulary),
      options_(std::move(options)),
      clock_(clock),
      resources_(store, outbox, std::move(events)),
      index_(vocabulary) {}

Directory::~Directory() = default;

absl::Status Directory::LoadIndex() {
  std::unique_lock<std::shared_mutex> lock(index_mu_);
  return resources_.ForEach([&](const v1::Resource& r) {
    index_.Upsert(r);
    return true;
  });
}

size_t Directory::size() const {
  std::shared_lock<std::shared_mutex> lock(index_mu_);
  return index_.size();
}

void Directory::IndexChanges(const std::vector<ResourceChange>& changes) {
  std::unique_lock<std::shared_mutex> lock(index_mu_);
  for (const auto& c : changes) {
    if (c.type == ResourceChange::Type::kUpsert) {
      index_.Upsert(c.resource);
    } else {
      index_.Remove(c.resource.id());
    }
  }
}

absl::StatusOr<v1::UpsertResourceResponse> Directory::Upsert(
    const v1::UpsertResourceRequest& request) {
  v1::Resource r = request.resource();
  Canonicalize(&r);
  FieldViolations v;
  if (!request.has_resource()) v.Add("resource", "必須です / required");
  ValidateResource(r, *vocabulary_, "resource", &v);
  if (request.expected_version() < 0) {
    v.Add("expected_version", "0 以上です / must be ≥ 0");
  }
  RETURN_IF_ERROR(v.ToStatus());

  if (r.id().empty()) r.set_id(NewResourceId(r, *clock_));
  auto guard = locks_.Lock(r.id());
  auto existing = resources_.Get(r.id());
  if (!existing.ok() && !absl::IsNotFound(existing.status())) return existing.status();
  ResourceChange change;
  if (existing.ok()) {
    if (request.expected_version() != existing->version()) {
      return common::StaleVersion(*existing, request.expected_version());
    }
    change.previous = *existing;
  } else if (request.expected_version() != 0) {
    return common::NotFoundError(
        "renkei.v1.Resource", r.id(),
        "資源が見つかりません (新しく登録するときは版を 0 に) / resource not found "
        "(expected_version must be 0 to create)");
  }
  const std::string key = SourceKey(r);
  if (!key.empty()) {
    auto owner = resources_.IdForSource(key);
    if (owner.ok() && *owner != r.id()) {
      return absl::AlreadyExistsError(
          "この出典IDは別の資源が使っています / source id already used by " + *owner);
    }
  }
  FillProvenance(existing.ok() ? &*existing : nullptr, common::TokyoDate(clock_->NowMicros()), &r);
  r.set_version(existing.ok() ? existing->version() + 1 : 1);
  *r.mutable_updated_at() = clock_->NowTimestamp();
  change.resource = r;
  v1::UpsertResourceResponse response;
  *response.mutable_resource() = r;
  response.set_created(!existing.ok());
  RETURN_IF_ERROR(resources_.Commit({change}, &response));
  IndexChanges({change});
  return response;
}

absl::StatusOr<v1::Resource> Directory::StageChange(const std::string& id,
                                                    const std::function<void(v1::Resource*)>& edit,
                                                    std::string_view path,
                                                    common::CommandBatch* cmd) {
  auto guard = locks_.LockShared(id);
  cmd->Hold(guard);
  ASSIGN_OR_RETURN(v1::Resource stored, resources_.Get(id));
  v1::Resource r = stored;
  edit(&r);
  Canonicalize(&r);
  FieldViolations v;
  ValidateResource(r, *vocabulary_, path, &v);
  RETURN_IF_ERROR(v.ToStatus());
  FillProvenance(&stored, common::TokyoDate(clock_->NowMicros()), &r);
  r.set_version(stored.version() + 1);
  *r.mutable_updated_at() = clock_->NowTimestamp();
  ResourceChange change;
  change.previous = stored;
  change.resource = r;
  resources_.AddChange(change, cmd);
  cmd->OnCommitted([this, change] { IndexChanges({change}); });
  return r;
}

absl::StatusOr<std::vector<v1::Resource>> Directory::ResourcesOf(
    const std::string& municipality_code, const std::vector<int>& kinds,
    bool include_serving) const {
  std::vector<v1::Resource> out;
  RETURN_IF_ERROR(resources_.ForEach([&](const v1::Resource& r) {
    if (!kinds.empty() && std::find(kinds.begin(), kinds.end(), r.kind()) == kinds.end()) {
      return true;
    }
    const bool located = r.municipality_code() == municipality_code;
    const bool serving =
        include_serving && std::find(r.service_area().begin(), r.service_area().end(),
                                     municipality_code) != r.service_area().end();
    if (located || serving) out.push_back(r);
    return true;
  }));
  return out;
}

absl::Status Directory::ApplyFederatedEvent(const v1::EventEnvelope& event,
                                            common::CommandBatch* cmd) {
  if (event.origin_instance() == options_.instance_id) return absl::OkStatus();
  std::string id;
  if (event.has_resource_upserted()) {
    id = event.resource_upserted().resource().id();
  } else if (event.has_resource_removed()) {
    id = event.resource_removed().resource_id();
  } else {
    return absl::OkStatus();
  }
  if (!common::IsWellFormedId("res", id)) {
    return absl::InvalidArgumentError("federated resource event with a malformed id");
  }
  auto guard = locks_.LockShared(id);
  cmd->Hold(guard);
  auto existing = resources_.Get(id);
  if (!existing.ok() && !absl::IsNotFound(existing.status())) return existing.status();
  const bool own = existing.ok() && !options_.own_municipality_code.empty() &&
                   existing->municipality_code() == options_.own_municipality_code;
  if (own) return absl::OkStatus();
  ResourceChange change;
  if (existing.ok()) change.previous = *existing;
  if (event.has_resource_upserted()) {
    const v1::Resource& r = event.resource_upserted().resource();
    if (!options_.own_municipality_code.empty() &&
        r.municipality_code() == options_.own_municipality_code) {
      return absl::OkStatus();
    }
    if (existing.ok() && existing->version() >= r.version()) return absl::OkStatus();
    change.resource = r;
  } else {
    if (!existing.ok()) return absl::OkStatus();
    change.type = ResourceChange::Type::kRemove;
    change.resource = *existing;
  }
  resources_.AddReplica(change, cmd);
  cmd->OnCommitted([this, change] { IndexChanges({change}); });
  return absl::OkStatus();
}

absl::StatusOr<v1::Resource> Directory::Get(const std::string& id) const {
  if (!common::IsWellFormedId("res", id)) {
    return common::InvalidField("id", "資源IDの形式が不正です / malformed id");
  }
  return resources_.Get(id);
}

absl::Status Directory::Delete(const v1::DeleteResourceRequest& request) {
  if (!common::IsWellFormedId("res", request.id())) {
    return common::InvalidField("id", "資源IDの形式が不正です / malformed id");
  }
  auto guard = locks_.Lock(request.id());
  ASSIGN_OR_RETURN(v1::Resource existing, common::LoadForChange(resources_.table(), request.id(),
                                                                request.expected_version(), {}));
  ResourceChange change;
  change.type = ResourceChange::Type::kRemove;
  change.resource = existing;
  change.previous = existing;
  const v1::DeleteResourceResponse answer;
  RETURN_IF_ERROR(resources_.Commit({change}, &answer));
  IndexChanges({change});
  return absl::OkStatus();
}

absl::Status Directory::ValidateSearch(const v1::SearchResourcesRequest& r, int* offset) const {
  FieldViolations v;
  v.CheckCount("capabilities", r.capabilities_size(), kMaxCapabilities);
  for (int i = 0; i < r.capabilities_size() && i < static_cast<int>(kMaxCapabilities); ++i) {
    if (!common::IsValidUtf8(r.capabilities(i)) || !vocabulary_->Contains(r.capabilities(i))) {
      std::string shown = common::IsValidUtf8(r.capabilities(i)) ? r.capabilities(i) : "(invalid)";
      v.Add("capabilities[" + std::to_string(i) + "]",
            "未定義の対応内容です: " + shown + " / unknown capability");
    }
  }
  v.CheckCount("kinds", r.kinds_size(), 64);
  for (int i = 0; i < r.kinds_size() && i < 64; ++i) {
    v.CheckEnum("kinds[" + std::to_string(i) + "]", r.kinds(i), v1::ResourceKind_IsValid, false);
  }
  v.CheckMunicipalityCode("municipality_code", r.municipality_code(), /*required=*/false);
  v.CheckEnum("area_match", r.area_match(), v1::AreaMatch_IsValid, true);
  v.CheckEnum("outside_fallback", r.outside_fallback(), v1::OutsideFallback_IsValid, true);
  v.CheckPrefectureCode("prefecture_code", r.prefecture_code(), /*required=*/false);
  if (r.has_near()) v.CheckLatLng("near", r.near().latitude(), r.near().longitude());
  v.CheckMunicipalityCode("near_municipality_code", r.near_municipality_code(), false);
  if (!std::isfinite(r.max_distance_km()) || r.max_distance_km() < 0 ||
      r.max_distance_km() > 3000) {
    v.Add("max_distance_km", "0〜3000 km です / must be 0..3000");
  } else if (r.max_distance_km() > 0 && !r.has_near() && r.near_municipality_code().empty() &&
             r.municipality_code().empty()) {
    v.Add("max_distance_km",
          "基準地点 (near / near_municipality_code / municipality_code) が必要です / "
          "needs a reference point");
  }
  v.CheckText("text", r.text(), {.max_chars = kMaxSearchTextChars});
  if (r.not_verified_within_months() < 0 || r.not_verified_within_months() > 120) {
    v.Add("not_verified_within_months", "0〜120 (か月) です / must be 0..120");
  }
  if (r.page_size() < 0 || r.page_size() > kMaxPageSize) {
    v.Add("page_size", "1〜200 です / must be 1..200");
  }
  *offset = 0;
  if (!r.page_token().empty()) {
    uint64_t fp = 0;
    if (!DecodePageToken(r.page_token(), offset, &fp) || fp != Fingerprint(r)) {
      v.Add("page_token",
            "ページトークンが不正か、条件が変わっています / invalid page token or "
            "changed query");
    }
  }
  return v.ToStatus();
}

absl::StatusOr<v1::SearchResourcesResponse> Directory::Search(
    const v1::SearchResourcesRequest& request) const {
  int offset = 0;
  RETURN_IF_ERROR(ValidateSearch(request, &offset));
  const int limit = request.page_size() == 0 ? kDefaultPageSize : request.page_size();
  const auto& jur = common::Jurisdictions::Get();

  SearchQuery q;
  for (const auto& c : request.capabilities()) q.capabilities.push_back(vocabulary_->IndexOf(c));
  for (int k : request.kinds()) q.kinds.push_back(k);
  q.municipality =
      request.municipality_code().empty() ? 0 : MunicipalityNumber(request.municipality_code());
  q.include_serving = request.area_match() != v1::AREA_MATCH_LOCATED_IN;
  q.prefecture = request.prefecture_code().empty() ? 0 : std::stoi(request.prefecture_code());
  q.accepting_only = request.accepting_only();
  q.max_distance_km = request.max_distance_km();
  q.text = common::NormalizeForSearch(request.text());
  if (request.not_verified_within_months() > 0) {
    q.verified_before = common::DateNumber(common::MonthsBefore(
        common::TokyoDate(clock_->NowMicros()), request.not_verified_within_months()));
  }
  if (request.has_near()) {
    q.reference = std::make_pair(request.near().latitude(), request.near().longitude());
  } else {
    const std::string& ref_code = !request.near_municipality_code().empty()
                                      ? request.near_municipality_code()
                                      : request.municipality_code();
    if (!ref_code.empty()) {
      const auto* m = jur.FindMunicipality(ref_code);
      if (m != nullptr && (m->office_lat != 0 || m->office_lon != 0)) {
        q.reference = std::make_pair(m->office_lat, m->office_lon);
      }
    }
  }

  const auto started = std::chrono::steady_clock::now();
  IndexPage page;
  bool fallback = false;
  {
    std::shared_lock<std::shared_mutex> lock(index_mu_);
    page = index_.Search(q, offset, limit);
    if (page.total == 0 && q.municipality != 0 &&
        request.outside_fallback() != v1::OUTSIDE_FALLBACK_NONE) {
      SearchQuery outside = q;
      outside.exclude_municipality = q.municipality;
      outside.municipality = 0;
      page = index_.Search(outside, offset, limit);
      fallback = true;
    }
  }

  const auto indexed = std::chrono::steady_clock::now();
  v1::SearchResourcesResponse response;
  std::vector<std::string> ids;
  for (const auto& h : page.hits) ids.push_back(h.id);
  ASSIGN_OR_RETURN(auto loaded, resources_.GetMany(ids));
  const auto fetched = std::chrono::steady_clock::now();
  auto ms = [](auto a, auto b) { return std::chrono::duration<double, std::milli>(b - a).count(); };
  if (ms(started, fetched) > options_.slow_search_ms) {
    // Shape and cost only: never the text itself.
    common::LogLine(common::LogLevel::kInfo, "slow search")
        .Field("index_ms", ms(started, indexed))
        .Field("fetch_ms", ms(indexed, fetched))
        .Field("matches", page.total)
        .Field("text_chars", static_cast<int64_t>(common::Utf8Length(request.text())))
        .Field("capabilities", request.capabilities_size())
        .Field("area", !request.municipality_code().empty())
        .Field("outside_fallback", fallback);
  }
  for (size_t i = 0; i < page.hits.size(); ++i) {
    if (!loaded[i]) continue;  // removed since the index was read
    const IndexHit& h = page.hits[i];
    auto* hit = response.add_hits();
    *hit->mutable_resource() = std::move(*loaded[i]);
    hit->set_relation(h.relation);
    if (h.distance_km) hit->set_distance_km(std::round(*h.distance_km * 100) / 100);
    hit->set_distance_approximate(h.distance_approximate);
    hit->set_verified(h.verified);
    for (const auto& reason : h.reasons) hit->add_reasons(reason);
  }
  response.set_total_matches(page.total);
  response.set_outside_fallback(fallback);
  if (q.reference) {
    response.mutable_reference_point()->set_latitude(q.reference->first);
    response.mutable_reference_point()->set_longitude(q.reference->second);
  }
  if (offset + limit < page.total) {
    response.set_next_page_token(EncodePageToken(offset + limit, Fingerprint(request)));
  }
  return response;
}

absl::StatusOr<v1::GapReport> Directory::GapReport(const v1::GetGapReportRequest& request) const {
  FieldViolations v;
  v.CheckMunicipalityCode("municipality_code", request.municipality_code(), /*required=*/true);
  auto check_code = [&](const std::string& field, const std::string& code) {
    if (!common::IsValidUtf8(code) || !vocabulary_->Contains(code)) {
      v.Add(field, "未定義の対応内容です / unknown capability");
    }
  };
  for (int i = 0; i < request.capabilities_size(); ++i) {
    check_code("capabilities[" + std::to_string(i) + "]", request.capabilities(i));
  }
  v.CheckCount("combinations", request.combinations_size(), kMaxGapCombinations);
  for (int i = 0; i < request.combinations_size() && i < kMaxGapCombinations; ++i) {
    const auto& combination = request.combinations(i).capabilities();
    const std::string path = "combinations[" + std::to_string(i) + "].capabilities";
    if (combination.empty() || combination.size() > kMaxCombinationSize) {
      v.Add(path, "1〜6 個の対応内容です / 1..6 capabilities");
    }
    for (int j = 0; j < combination.size(); ++j) {
      check_code(path + "[" + std::to_string(j) + "]", combination[j]);
    }
  }
  RETURN_IF_ERROR(v.ToStatus());
  const auto* m = common::Jurisdictions::Get().FindMunicipality(request.municipality_code());
  const uint32_t muni = MunicipalityNumber(request.municipality_code());
  std::vector<std::vector<int>> singles;
  if (request.capabilities_size() == 0 && request.combinations_size() == 0) {
    for (size_t i = 0; i < vocabulary_->size(); ++i) singles.push_back({static_cast<int>(i)});
  } else {
    for (const auto& c : request.capabilities()) singles.push_back({vocabulary_->IndexOf(c)});
  }
  v1::GapReport report;
  report.set_municipality_code(request.municipality_code());
  report.set_municipality_name(m->name);
  std::vector<std::pair<v1::CapabilityCoverage*, std::string>> nearest_ids;
  // Coverage of one capability or combination, under the index's lock.
  auto cover = [&](const std::vector<int>& caps, v1::CapabilityCoverage* cov) {
    std::string codes, labels;
    for (int c : caps) {
      codes += (codes.empty() ? "" : "+") + vocabulary_->at(c).code();
      labels += (labels.empty() ? "" : "＋") + vocabulary_->at(c).label_ja();
    }
    cov->set_capability(codes);
    cov->set_label_ja(labels);
    cov->set_located_in(index_.CountLocated(muni, caps));
    cov->set_serving(index_.CountServingOnly(muni, caps));
    cov->set_gap(cov->located_in() + cov->serving() == 0);
    if (!cov->gap()) return;
    if (auto n = index_.NearestOutside(caps, muni, m->office_lat, m->office_lon)) {
      auto* near = cov->mutable_nearest_outside();
      near->set_resource_id(n->id);
      if (n->distance_km) near->set_distance_km(std::round(*n->distance_km * 100) / 100);
      near->set_distance_approximate(n->distance_approximate);
      nearest_ids.emplace_back(cov, n->id);
    }
  };
  {
    std::shared_lock<std::shared_mutex> lock(index_mu_);
    for (const auto& caps : singles) {
      auto* cov = report.add_coverage();
      cover(caps, cov);
      if (cov->gap()) report.add_gaps(cov->capability());
    }
    for (const auto& combination : request.combinations()) {
      std::vector<int> caps;
      auto* cov = report.add_combinations();
      for (const auto& code : combination.capabilities()) {
        int c = vocabulary_->IndexOf(code);
        if (std::find(caps.begin(), caps.end(), c) != caps.end()) continue;
        caps.push_back(c);
        cov->add_combination(code);
      }
      cover(caps, cov);
    }
  }
  for (auto& [cov, id] : nearest_ids) {
    auto r = resources_.Get(id);
    if (r.ok()) {
      cov->mutable_nearest_outside()->set_name(r->name());
      cov->mutable_nearest_outside()->set_municipality_code(r->municipality_code());
    }
  }
  return report;
}

v1::ListCapabilitiesResponse Directory::ListCapabilities() const {
  v1::ListCapabilitiesResponse out;
  for (const auto& c : vocabulary_->all()) *out.add_capabilities() = c;
  return out;
}

absl::Status Directory::Export(
    const v1::ExportResourcesRequest& request,
    const std::function<bool(const std::string& chunk, int64_t rows)>& sink) const {
  FieldViolations v;
  v.CheckEnum("format", request.format(), v1::ExportFormat_IsValid, true);
  v.CheckMunicipalityCode("municipality_code", request.municipality_code(), false);
  v.CheckPrefectureCode("prefecture_code", request.prefecture_code(), false);
  for (int i = 0; i < request.kinds_size(); ++i) {
    v.CheckEnum("kinds[" + std::to_string(i) + "]", request.kinds(i), v1::ResourceKind_IsValid,
                false);
  }
  RETURN_IF_ERROR(v.ToStatus());
  const bool fhir = request.format() == v1::EXPORT_FORMAT_FHIR_R4_NDJSON;
  std::string chunk;
  int64_t rows = 0;
  bool stopped = false;
  if (!fhir) {
    chunk = "\xEF\xBB\xBF";  // BOM: Excel opens UTF-8 correctly
    common::AppendCsvRow(ProjectCsvHeader(), &chunk);
  }
  RETURN_IF_ERROR(resources_.ForEach([&](const v1::Resource& r) {
    if (!request.municipality_code().empty() &&
        r.municipality_code() != request.municipality_code()) {
      return true;
    }
    if (!request.prefecture_code().empty() &&
        r.municipality_code().compare(0, 2, request.prefecture_code()) != 0) {
      return true;
    }
    if (request.kinds_size() > 0 && std::find(request.kinds().begin(), request.kinds().end(),
                                              r.kind()) == request.kinds().end()) {
      return true;
    }
    if (fhir) {
      AppendFhirResources(r, *vocabulary_, &chunk);
    } else {
      common::AppendCsvRow(ProjectCsvRow(r), &chunk);
    }
    ++rows;
    if (chunk.size() >= kExportChunkBytes) {
      if (!sink(chunk, rows)) {
        stopped = true;
        return false;
      }
      chunk.clear();
      rows = 0;
    }
    return true;
  }));
  if (!stopped && (!chunk.empty() || rows > 0)) sink(chunk, rows);
  return absl::OkStatus();
}

absl::StatusOr<std::unique_ptr<ImportSession>> Directory::StartImport(
    const v1::ImportOptions& options) {
  FieldViolations v;
  v.CheckEnum("options.format", options.format(), v1::ImportFormat_IsValid, true);
  v.CheckEnum("options.encoding", options.encoding(), v1::TextEncoding_IsValid, true);
  v.CheckText("options.file_name", options.file_name(), {.max_chars = 200});
  v.CheckCount("options.only_municipalities", options.only_municipalities_size(), 100);
  for (int i = 0; i < options.only_municipalities_size() && i < 100; ++i) {
    v.CheckMunicipalityCode("options.only_municipalities[" + std::to_string(i) + "]",
                            options.only_municipalities(i));
  }
  RETURN_IF_ERROR(v.ToStatus());
  return std::unique_ptr<ImportSession>(new ImportSession(this, options));
}

absl::StatusOr<Directory::ApplyResult> Directory::ApplyImported(std::vector<ImportRow> rows) {
  ApplyResult result;
  // Resolve ids: the row's own (project format), the id already holding the source key, or the
  // deterministic id of the key.
  for (auto& row : rows) {
    v1::Resource& r = row.resource;
    const std::string key = SourceKey(r);
    if (!key.empty()) {
      auto owner = resources_.IdForSource(key);
      if (owner.ok()) {
        if (!r.id().empty() && r.id() != *owner) {
          v1::RowError e;
          e.set_line(row.line);
          e.set_column("source_id");
          e.set_reason(v1::ROW_ERROR_REASON_BAD_VALUE);
          e.set_message("この出典IDは別の資源 (" + *owner +
                        ") が使っています / source id used by "
                        "another resource");
          result.errors.push_back(e);
          r.set_id("");
          row.line = -1;  // dropped below
          continue;
        }
        r.set_id(*owner);
      }
    }
    if (r.id().empty()) r.set_id(NewResourceId(r, *clock_));
  }
  rows.erase(
      std::remove_if(rows.begin(), rows.end(), [](const ImportRow& r) { return r.line < 0; }),
      rows.end());
  std::vector<std::string> ids;
  ids.reserve(rows.size());
  for (const auto& row : rows) ids.push_back(row.resource.id());
  auto guard = locks_.LockAll(ids);
  ASSIGN_OR_RETURN(auto existing, resources_.GetMany(ids));
  std::vector<ResourceChange> changes;
  const auto now = clock_->NowTimestamp();
  for (size_t i = 0; i < rows.size(); ++i) {
    v1::Resource& r = rows[i].resource;
    if (existing[i]) {
      if (SameContent(r, *existing[i])) {
        ++result.unchanged;
        continue;
      }
      r.set_version(existing[i]->version() + 1);
      ++result.updated;
    } else {
      r.set_version(1);
      ++result.inserted;
    }
    *r.mutable_updated_at() = now;
    ResourceChange c;
    c.resource = r;
    c.previous = existing[i];
    changes.push_back(std::move(c));
  }
  if (!changes.empty()) {
    RETURN_IF_ERROR(resources_.Commit(changes));
    IndexChanges(changes);
  }
  return result;
}

}  // namespace renkei::directory
