// search_index_bench: the directory's in-memory search index alone (no gRPC, no RocksDB), with
// the real facilities of reference-data/ plus synthetic ones up to 500,000 documents.
//
//   build/bin/search_index_bench [--benchmark_filter=...]
//
// Shows where query time goes; directory_bench measures the same shapes end to end.
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "benchmark/benchmark.h"
#include "directory/csv_formats.h"
#include "directory/resource_rules.h"
#include "directory/search_index.h"
#include "renkei/common/ids.h"
#include "renkei/common/jurisdiction.h"
#include "renkei/common/text.h"
#include "testing.h"

namespace renkei::directory {
namespace {

std::string DataDir() { return testing::SourceDir() + "/reference-data"; }

void LoadFile(const std::string& path, SearchIndex* index, const CapabilityVocabulary& vocab) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  std::string text = ss.str();
  std::string_view view = text;
  common::StripUtf8Bom(&view);
  common::CsvReader reader;
  reader.Feed(view);
  reader.Finish();
  common::CsvRecord rec;
  reader.Next(&rec);
  auto format = DetectFormat(rec.fields);
  auto parser = RowParser::ForHeader(*format, rec.fields);
  while (reader.Next(&rec)) {
    ParsedRow row = parser->Parse(rec);
    if (!row.errors.empty()) continue;
    Canonicalize(&row.resource);
    common::FieldViolations v;
    ValidateResource(row.resource, vocab, "", &v);
    if (!v.empty()) continue;
    row.resource.set_id(common::DeterministicId("res", SourceKey(row.resource)));
    index->Upsert(row.resource);
  }
}

struct World {
  CapabilityVocabulary vocab;
  SearchIndex index{&vocab};
  World() {
    std::string data = DataDir();
    for (const auto& e : std::filesystem::directory_iterator(data + "/mhlw-kaigo-opendata")) {
      LoadFile(e.path(), &index, vocab);
    }
    LoadFile(data + "/visiting_nursing_stations.csv", &index, vocab);
    LoadFile(data + "/medical_institutions_ika.csv", &index, vocab);
    std::mt19937_64 rng(7);
    std::vector<const common::Municipality*> munis;
    for (const auto& m : common::Jurisdictions::Get().municipalities()) {
      if (m.office_lat != 0 && m.kind == common::MunicipalityKind::kMunicipality)
        munis.push_back(&m);
    }
    static const char* kTokens[] = {"さくら",   "みどり", "あおば",     "ひかり", "中央",
                                    "駅前",     "在宅",   "ファミリー", "ホーム", "やまなみ",
                                    "すずらん", "こころ", "ひだまり"};
    static const char* kSuffix[] = {"クリニック", "医院", "訪問看護ステーション", "診療所",
                                    "ケアセンター"};
    std::uniform_real_distribution<double> jitter(-0.02, 0.02);
    for (int64_t i = 0; index.size() < 500000; ++i) {
      const auto* m = munis[rng() % munis.size()];
      v1::Resource r;
      r.set_id(common::DeterministicId("res", "synthetic:" + std::to_string(i)));
      r.set_kind(rng() % 2 ? v1::RESOURCE_KIND_CLINIC : v1::RESOURCE_KIND_VISITING_NURSE_STATION);
      r.set_name(std::string(kTokens[rng() % 13]) + kTokens[rng() % 13] + kSuffix[rng() % 5] +
                 std::to_string(i));
      r.set_address(m->name + "1-" + std::to_string(i));
      r.set_municipality_code(m->code);
      r.mutable_location()->set_latitude(m->office_lat + jitter(rng));
      r.mutable_location()->set_longitude(m->office_lon + jitter(rng));
      r.set_location_precision(v1::LOCATION_PRECISION_EXACT);
      if (rng() % 4 == 0) r.add_capabilities("dementia");
      if (rng() % 6 == 0) r.add_capabilities("home_visit_medical");
      if (rng() % 6 == 0) r.add_capabilities("end_of_life_care");
      // Provenance as directory_bench draws it: per capability 40% a survey answer, 30%
      // inferred from the name, 30% the file's own.
      for (const auto& c : r.capabilities()) {
        auto* p = r.add_capability_provenance();
        p->set_capability(c);
        const uint64_t draw = rng() % 10;
        p->set_source(draw < 4   ? v1::CAPABILITY_SOURCE_SURVEY
                      : draw < 7 ? v1::CAPABILITY_SOURCE_NAME
                                 : v1::CAPABILITY_SOURCE_CURATED_FILE);
      }
      index.Upsert(r);
    }
  }
};

World& TheWorld() {
  static World* world = new World();
  return *world;
}

// Runs one query (first page of 20) for the benchmark's iterations; reports its match count.
void RunQuery(benchmark::State& state, const SearchQuery& q) {
  World& w = TheWorld();
  int total = 0;
  for (auto _ : state) {
    IndexPage page = w.index.Search(q, 0, 20);
    total = page.total;
    benchmark::DoNotOptimize(page);
  }
  state.counters["matches"] = total;
}

void RunText(benchmark::State& state, const char* text) {
  SearchQuery q;
  q.text = common::NormalizeForSearch(text);
  RunQuery(state, q);
}

void BM_TextCommonFragment(benchmark::State& s) { RunText(s, "クリニ"); }
void BM_TextOneKana(benchmark::State& s) { RunText(s, " あ"); }
void BM_TextCommonFourChars(benchmark::State& s) { RunText(s, "クリニッ"); }
void BM_TextOneKanji(benchmark::State& s) { RunText(s, "稲"); }
void BM_TextRareName(benchmark::State& s) { RunText(s, "稲城在宅療養"); }

void BM_Distance10km(benchmark::State& state) {
  SearchQuery q;
  q.kinds = {v1::RESOURCE_KIND_CLINIC, v1::RESOURCE_KIND_VISITING_NURSE_STATION};
  q.reference = std::make_pair(35.681, 139.767);  // Tokyo station: the densest area
  q.max_distance_km = 10;
  RunQuery(state, q);
}

void BM_NearestUnbounded(benchmark::State& state) {
  SearchQuery q;
  q.kinds = {v1::RESOURCE_KIND_CLINIC};
  q.reference = std::make_pair(35.638, 139.505);
  RunQuery(state, q);
}

void BM_CapabilityMunicipality(benchmark::State& state) {
  SearchQuery q;
  q.capabilities = {TheWorld().vocab.IndexOf("home_visit_medical")};
  q.municipality = 131016;  // Chiyoda
  q.reference = std::make_pair(35.694, 139.753);
  RunQuery(state, q);
}

void BM_TwoCapabilitiesInAWard(benchmark::State& state) {
  SearchQuery q;
  q.capabilities = {TheWorld().vocab.IndexOf("end_of_life_care"),
                    TheWorld().vocab.IndexOf("home_visit_medical")};
  q.municipality = 131130;  // Shibuya
  q.reference = std::make_pair(35.6640, 139.6982);
  RunQuery(state, q);
}

// What Directory::Search asks next when nothing matches inside: the nearest outside.
void BM_OutsideFallbackTwoCapabilities(benchmark::State& state) {
  SearchQuery q;
  q.capabilities = {TheWorld().vocab.IndexOf("end_of_life_care"),
                    TheWorld().vocab.IndexOf("home_visit_medical")};
  q.exclude_municipality = 131130;
  q.reference = std::make_pair(35.6640, 139.6982);
  RunQuery(state, q);
}

// The same in a dense city (Kobe, Higashinada ward), where verified matches of the pair are a
// small share of the documents around.
void BM_OutsideFallbackTwoCapabilitiesKobe(benchmark::State& state) {
  SearchQuery q;
  q.capabilities = {TheWorld().vocab.IndexOf("end_of_life_care"),
                    TheWorld().vocab.IndexOf("dementia")};
  q.exclude_municipality = 281051;
  q.reference = std::make_pair(34.7200, 135.2633);
  RunQuery(state, q);
}

void BM_ListAll(benchmark::State& state) { RunQuery(state, SearchQuery()); }

BENCHMARK(BM_TextCommonFragment)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_TextOneKana)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_TextCommonFourChars)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_TextOneKanji)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_TextRareName)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Distance10km)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_NearestUnbounded)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_CapabilityMunicipality)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_TwoCapabilitiesInAWard)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_OutsideFallbackTwoCapabilities)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_OutsideFallbackTwoCapabilitiesKobe)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_ListAll)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace renkei::directory

BENCHMARK_MAIN();
