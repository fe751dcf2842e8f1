// renkeictl resource add|get|delete|search|import|export|gaps|capabilities
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include "CLI/CLI.hpp"
#include "cli.h"
#include "directory/vocabulary.h"
#include "renkei/common/labels.h"
#include "renkei/v1/directory.grpc.pb.h"

namespace renkei::cli {
namespace {

std::unique_ptr<v1::DirectoryService::Stub> Stub() {
  return v1::DirectoryService::NewStub(Channel(Options().directory_address));
}

bool ParseKinds(const std::vector<std::string>& codes, std::vector<v1::ResourceKind>* out) {
  for (const auto& c : codes) {
    auto k = directory::KindFromCode(c);
    if (!k) {
      std::fprintf(stderr,
                   "不明な種別です: %s (例: clinic, visiting_nurse_station) / unknown kind\n",
                   c.c_str());
      return false;
    }
    out->push_back(*k);
  }
  return true;
}

bool ParseLatLng(const std::string& s, v1::LatLng* out) {
  double lat, lng;
  char comma;
  std::istringstream in(s);
  if (!(in >> lat >> comma >> lng) || comma != ',') {
    std::fprintf(stderr, "緯度,経度 の形式で指定してください (例: 35.638,139.504) / use lat,lon\n");
    return false;
  }
  out->set_latitude(lat);
  out->set_longitude(lng);
  return true;
}

// The table form (CallAndPrint prints JSON).
void PrintResource(const v1::Resource& r) {
  auto line = [](const char* label, const std::string& value) {
    if (!value.empty()) std::printf("%-14s %s\n", label, value.c_str());
  };
  line("ID", r.id());
  line("名称", r.name());
  line("カナ", r.name_kana());
  line("種別", std::string(common::Label(r.kind())) + " (" + directory::KindCode(r.kind()) + ")");
  line("所在地", MunicipalityLabel(r.municipality_code()) + " " + r.address());
  if (r.has_location()) {
    char buf[96];
    std::snprintf(buf, sizeof buf, "%.6f, %.6f%s", r.location().latitude(),
                  r.location().longitude(),
                  r.location_precision() == v1::LOCATION_PRECISION_MUNICIPALITY_OFFICE
                      ? " (市区町村役場の位置: 概算)"
                      : "");
    line("座標", buf);
  }
  line("対応内容", Join(r.capabilities()));
  line("対応地域", Join(r.service_area()));
  line("新規受入", r.accepting_new_patients() == v1::ACCEPTANCE_ACCEPTING       ? "可"
                   : r.accepting_new_patients() == v1::ACCEPTANCE_NOT_ACCEPTING ? "不可"
                                                                                : "");
  if (r.capacity() > 0) line("定員", std::to_string(r.capacity()));
  line("電話", r.contact().phone());
  line("FAX", r.contact().fax());
  line("URL", r.contact().url());
  line("法人", r.corporation_name());
  if (!r.source().system().empty())
    line("出典", r.source().system() + ":" + r.source().source_id());
  line("版", std::to_string(r.version()));
}

// ---- add ----
struct AddArgs {
  std::string id, kind, name, kana, address, municipality, near, accepting, phone, url;
  std::string source_system, source_id, from_json;
  std::vector<std::string> capabilities, serves;
  int capacity = 0;
  int64_t expected_version = 0;
};

int RunAdd(const AddArgs& a) {
  v1::UpsertResourceRequest req;
  v1::Resource* r = req.mutable_resource();
  if (!a.from_json.empty()) {
    // Not ReadWholeFile: a file that does not open reads as empty, and is reported as bad JSON.
    std::ifstream in(a.from_json);
    std::stringstream buf;
    buf << in.rdbuf();
    if (!ParseJson(a.from_json, buf.str(), r)) return kUsage;
  }
  if (!a.id.empty()) r->set_id(a.id);
  if (!a.kind.empty()) {
    std::vector<v1::ResourceKind> k;
    if (!ParseKinds({a.kind}, &k)) return kUsage;
    r->set_kind(k[0]);
  }
  if (!a.name.empty()) r->set_name(a.name);
  if (!a.kana.empty()) r->set_name_kana(a.kana);
  if (!a.address.empty()) r->set_address(a.address);
  if (!a.municipality.empty()) r->set_municipality_code(a.municipality);
  if (!a.near.empty() && !ParseLatLng(a.near, r->mutable_location())) return kUsage;
  for (const auto& c : a.capabilities) r->add_capabilities(c);
  for (const auto& s : a.serves) r->add_service_area(s);
  if (a.accepting == "yes") r->set_accepting_new_patients(v1::ACCEPTANCE_ACCEPTING);
  if (a.accepting == "no") r->set_accepting_new_patients(v1::ACCEPTANCE_NOT_ACCEPTING);
  if (a.capacity) r->set_capacity(a.capacity);
  if (!a.phone.empty()) r->mutable_contact()->set_phone(a.phone);
  if (!a.url.empty()) r->mutable_contact()->set_url(a.url);
  if (!a.source_system.empty()) r->mutable_source()->set_system(a.source_system);
  if (!a.source_id.empty()) r->mutable_source()->set_source_id(a.source_id);
  req.set_expected_version(a.expected_version);
  return CallAndPrint(*Stub(), &v1::DirectoryService::Stub::UpsertResource, req,
                      [](const v1::UpsertResourceResponse& resp) {
                        std::printf("%s: %s (版 %lld)\n",
                                    resp.created() ? "登録しました" : "更新しました",
                                    resp.resource().id().c_str(),
                                    static_cast<long long>(resp.resource().version()));
                      });
}

// ---- search ----
struct SearchArgs {
  std::vector<std::string> capabilities, kinds;
  std::string municipality, prefecture, near, near_municipality, text, page_token;
  bool located_only = false, no_fallback = false, accepting = false, all = false;
  double within_km = 0;
  int page_size = 20;
};

int RunSearch(const SearchArgs& a) {
  v1::SearchResourcesRequest req;
  for (const auto& c : a.capabilities) req.add_capabilities(c);
  std::vector<v1::ResourceKind> kinds;
  if (!ParseKinds(a.kinds, &kinds)) return kUsage;
  for (auto k : kinds) req.add_kinds(k);
  req.set_municipality_code(a.municipality);
  if (a.located_only) req.set_area_match(v1::AREA_MATCH_LOCATED_IN);
  if (a.no_fallback) req.set_outside_fallback(v1::OUTSIDE_FALLBACK_NONE);
  req.set_prefecture_code(a.prefecture);
  if (!a.near.empty() && !ParseLatLng(a.near, req.mutable_near())) return kUsage;
  req.set_near_municipality_code(a.near_municipality);
  req.set_max_distance_km(a.within_km);
  req.set_accepting_only(a.accepting);
  req.set_text(a.text);
  req.set_page_size(a.page_size);
  req.set_page_token(a.page_token);

  auto stub = Stub();
  Table table({"#", "名称", "種別", "所在地", "距離km", "区分", "ID"});
  int shown = 0;
  v1::SearchResourcesResponse resp;
  while (true) {
    auto ctx = NewContext();
    grpc::Status s = stub->SearchResources(ctx.get(), req, &resp);
    if (!s.ok()) return ReportError(s);
    if (JsonOutput()) {
      PrintJson(resp);
    } else {
      if (shown == 0 && resp.outside_fallback()) {
        std::printf(
            "%s内に該当する資源はありません。市区町村外の近い順に表示します (市区町村役場から)。\n"
            "No match inside %s; nearest ones outside, measured from the municipal office.\n\n",
            MunicipalityLabel(a.municipality).c_str(), a.municipality.c_str());
      }
      for (const auto& h : resp.hits()) {
        const auto& r = h.resource();
        char dist[32] = "";
        if (h.has_distance_km()) {
          std::snprintf(dist, sizeof dist, "%s%.1f", h.distance_approximate() ? "≈" : "",
                        h.distance_km());
        }
        table.Add({std::to_string(++shown), r.name(), std::string(common::Label(r.kind())),
                   MunicipalityLabel(r.municipality_code()), dist, RelationLabel(h.relation()),
                   r.id()});
      }
    }
    if (!a.all || resp.next_page_token().empty()) break;
    req.set_page_token(resp.next_page_token());
  }
  if (!JsonOutput()) {
    if (table.empty()) {
      std::printf("該当する資源はありません / no matching resources\n");
    } else {
      table.Print({4, 44, 20, 24, 8, 8, 30});
      std::printf(
          "\n%d 件中 %d 件を表示%s\n", resp.total_matches(), shown,
          resp.next_page_token().empty() ? "" : "  (続き: --page-token で次ページ、--all で全件)");
      if (!resp.next_page_token().empty() && !a.all) {
        std::printf("next page token: %s\n", resp.next_page_token().c_str());
      }
    }
  }
  return kOk;
}

// ---- import ----
struct ImportArgs {
  std::string file, format = "auto", encoding = "auto";
  bool allow_partial = false, dry_run = false;
  std::vector<std::string> only_municipalities;
};

class ProgressBar {
 public:
  explicit ProgressBar(int64_t total_bytes) : total_(total_bytes), tty_(isatty(STDERR_FILENO)) {}
  void Update(int64_t bytes_sent, const v1::ImportProgress& p) {
    std::lock_guard<std::mutex> lock(mu_);
    double frac = total_ > 0 ? std::min(1.0, static_cast<double>(bytes_sent) / total_) : 1.0;
    if (tty_) {
      int filled = static_cast<int>(frac * 30);
      std::fprintf(stderr, "\r[%s%s] %3d%%  読込 %lld 行 / 確定 %lld 行",
                   std::string(filled, '#').c_str(), std::string(30 - filled, '.').c_str(),
                   static_cast<int>(frac * 100), static_cast<long long>(p.rows_read()),
                   static_cast<long long>(p.rows_committed()));
      std::fflush(stderr);
    } else if (static_cast<int>(frac * 10) > last_decile_) {
      last_decile_ = static_cast<int>(frac * 10);
      std::fprintf(stderr, "import: %3d%% sent, %lld rows read, %lld committed\n",
                   static_cast<int>(frac * 100), static_cast<long long>(p.rows_read()),
                   static_cast<long long>(p.rows_committed()));
    }
  }
  void Done() const {
    if (tty_) std::fprintf(stderr, "\n");
  }

 private:
  std::mutex mu_;
  int64_t total_;
  bool tty_;
  int last_decile_ = -1;
};

int RunImport(const ImportArgs& a) {
  std::ifstream in(a.file, std::ios::binary);
  if (!in) {
    std::fprintf(stderr, "ファイルを開けません / cannot open %s\n", a.file.c_str());
    return kUsage;
  }
  struct stat st {};
  stat(a.file.c_str(), &st);
  v1::ImportOptions options;
  static const std::map<std::string, v1::ImportFormat> kFormats = {
      {"auto", v1::IMPORT_FORMAT_UNSPECIFIED},
      {"project", v1::IMPORT_FORMAT_PROJECT_CSV},
      {"mhlw", v1::IMPORT_FORMAT_MHLW_KAIGO_OPEN_DATA},
      {"nursing", v1::IMPORT_FORMAT_VISITING_NURSING_STATIONS},
      {"medical", v1::IMPORT_FORMAT_MEDICAL_INSTITUTION_CODES}};
  static const std::map<std::string, v1::TextEncoding> kEncodings = {
      {"auto", v1::TEXT_ENCODING_UNSPECIFIED},
      {"utf8", v1::TEXT_ENCODING_UTF8},
      {"sjis", v1::TEXT_ENCODING_SHIFT_JIS}};
  options.set_format(kFormats.at(a.format));
  options.set_encoding(kEncodings.at(a.encoding));
  options.set_allow_partial(a.allow_partial);
  options.set_dry_run(a.dry_run);
  for (const auto& m : a.only_municipalities) options.add_only_municipalities(m);
  std::string base = a.file.substr(a.file.find_last_of('/') + 1);
  options.set_file_name(base.substr(0, 200));

  grpc::ClientContext ctx;  // no deadline: a large file takes as long as it takes
  auto stub = Stub();
  auto stream = stub->ImportResources(&ctx);
  ProgressBar bar(st.st_size);
  std::atomic<int64_t> sent{0};
  v1::ImportSummary summary;
  bool have_summary = false;
  std::thread reader([&] {
    v1::ImportResourcesResponse resp;
    while (stream->Read(&resp)) {
      if (resp.has_progress()) bar.Update(sent.load(), resp.progress());
      if (resp.has_summary()) {
        summary = resp.summary();
        have_summary = true;
      }
    }
  });
  v1::ImportResourcesRequest req;
  *req.mutable_options() = options;
  bool ok = stream->Write(req);
  std::vector<char> buf(size_t{256} * 1024);
  while (ok && in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    std::streamsize n = in.gcount();
    if (n <= 0) break;
    req.Clear();
    req.set_chunk(buf.data(), static_cast<size_t>(n));
    ok = stream->Write(req);
    sent += n;
  }
  stream->WritesDone();
  reader.join();
  grpc::Status status = stream->Finish();
  bar.Done();
  if (have_summary) {
    if (JsonOutput()) {
      PrintJson(summary);
    } else {
      std::printf("%s (%s)\n", a.file.c_str(),
                  summary.encoding() == v1::TEXT_ENCODING_SHIFT_JIS ? "Shift_JIS" : "UTF-8");
      std::printf(
          "  行数 rows       %lld\n  新規 inserted   %lld\n  更新 updated    %lld\n"
          "  変更なし unchanged %lld\n  不正 rejected   %lld\n",
          static_cast<long long>(summary.rows_total()), static_cast<long long>(summary.inserted()),
          static_cast<long long>(summary.updated()), static_cast<long long>(summary.unchanged()),
          static_cast<long long>(summary.rejected()));
      if (summary.skipped() > 0) {
        std::printf("  対象外 skipped  %lld\n", static_cast<long long>(summary.skipped()));
      }
      int shown = 0;
      for (const auto& e : summary.errors()) {
        if (++shown > 50) {
          std::printf("  ... (%lld 件中 50 件を表示; -o json で全件)\n",
                      static_cast<long long>(summary.rejected()));
          break;
        }
        std::printf("  %lld 行目%s: %s\n", static_cast<long long>(e.line()),
                    e.column().empty() ? "" : (" [" + e.column() + "]").c_str(),
                    e.message().c_str());
      }
      if (a.dry_run)
        std::printf("  (dry run: 何も書き込んでいません / nothing written)\n");
      else if (!summary.committed())
        std::printf("  取り込みませんでした (--allow-partial で正しい行のみ取り込めます)\n");
    }
  }
  if (!status.ok()) {
    if (have_summary && status.error_code() == grpc::StatusCode::INVALID_ARGUMENT)
      return kInvalidInput;
    return ReportError(status);
  }
  if (summary.rejected() > 0) return a.dry_run || !summary.committed() ? kInvalidInput : kPartial;
  return kOk;
}

// ---- export ----
struct ExportArgs {
  std::string format = "csv", municipality, prefecture, out;
  std::vector<std::string> kinds;
};

int RunExport(const ExportArgs& a) {
  v1::ExportResourcesRequest req;
  req.set_format(a.format == "fhir" ? v1::EXPORT_FORMAT_FHIR_R4_NDJSON
                                    : v1::EXPORT_FORMAT_PROJECT_CSV);
  req.set_municipality_code(a.municipality);
  req.set_prefecture_code(a.prefecture);
  std::vector<v1::ResourceKind> kinds;
  if (!ParseKinds(a.kinds, &kinds)) return kUsage;
  for (auto k : kinds) req.add_kinds(k);
  FILE* out = stdout;
  if (!a.out.empty() && a.out != "-") {
    out = std::fopen(a.out.c_str(), "wb");
    if (!out) {
      std::fprintf(stderr, "書き込めません / cannot write %s\n", a.out.c_str());
      return kUsage;
    }
  }
  grpc::ClientContext ctx;
  auto reader = Stub()->ExportResources(&ctx, req);
  v1::ExportResourcesChunk chunk;
  int64_t rows = 0;
  while (reader->Read(&chunk)) {
    std::fwrite(chunk.data().data(), 1, chunk.data().size(), out);
    rows += chunk.rows();
  }
  grpc::Status s = reader->Finish();
  if (out != stdout) std::fclose(out);
  if (!s.ok()) return ReportError(s);
  std::fprintf(stderr, "%lld 件を出力しました / exported %lld resources\n",
               static_cast<long long>(rows), static_cast<long long>(rows));
  return kOk;
}

// ---- gaps ----
int RunGaps(const std::string& municipality, const std::vector<std::string>& caps) {
  v1::GetGapReportRequest req;
  req.set_municipality_code(municipality);
  for (const auto& c : caps) req.add_capabilities(c);
  return CallAndPrint(*Stub(), &v1::DirectoryService::Stub::GetGapReport, req,
                      [&municipality](const v1::GapReport& report) {
                        std::printf("%s (%s) の資源の空白 / gaps\n\n",
                                    MunicipalityLabel(municipality).c_str(), municipality.c_str());
                        Table t({"対応内容", "コード", "市区町村内", "対応地域", "空白",
                                 "最寄り(市区町村外)", "距離km"});
                        for (const auto& c : report.coverage()) {
                          char dist[32] = "";
                          if (c.gap() && !c.nearest_outside().resource_id().empty()) {
                            std::snprintf(dist, sizeof dist, "%s%.1f",
                                          c.nearest_outside().distance_approximate() ? "≈" : "",
                                          c.nearest_outside().distance_km());
                          }
                          t.Add({c.label_ja(), c.capability(), std::to_string(c.located_in()),
                                 std::to_string(c.serving()), c.gap() ? "空白" : "",
                                 c.gap() ? c.nearest_outside().name() : "", dist});
                        }
                        t.Print({24, 28, 6, 8, 4, 40, 8});
                        std::printf("\n空白 %d 件: %s\n", report.gaps_size(),
                                    CapabilitiesText(report.gaps()).c_str());
                      });
}

int RunCapabilities() {
  return CallAndPrint(
      *Stub(), &v1::DirectoryService::Stub::ListCapabilities, v1::ListCapabilitiesRequest(),
      [](const v1::ListCapabilitiesResponse& resp) {
        Table t({"コード", "対応内容", "English", ""});
        for (const auto& c : resp.capabilities()) {
          t.Add({c.code(), c.label_ja(), c.label_en(), c.built_in() ? "" : "(この自治体で追加)"});
        }
        t.Print();
      });
}

}  // namespace

// Registers `resource ...` on the app; the chosen command stores its runner in *run.
void AddResourceCommands(CLI::App& app, std::function<int()>* run) {
  auto* resource = app.add_subcommand("resource", "医療・介護資源 (resource directory)");
  resource->require_subcommand(1);

  auto add_args = std::make_shared<AddArgs>();
  auto* add = resource->add_subcommand("add", "資源を登録・更新 / create or update a resource");
  add->add_option("--id", add_args->id, "更新する資源ID (新規なら省略)");
  add->add_option("--expected-version", add_args->expected_version,
                  "更新時: 読み込んだ版 (新規は 0)");
  add->add_option("--kind", add_args->kind, "種別コード (例: clinic, visiting_nurse_station)");
  add->add_option("--name", add_args->name, "名称");
  add->add_option("--kana", add_args->kana, "名称カナ");
  add->add_option("--address", add_args->address, "住所");
  add->add_option("--municipality", add_args->municipality, "市区町村コード (6桁)");
  add->add_option("--location", add_args->near, "緯度,経度");
  add->add_option("--capability", add_args->capabilities, "対応内容コード (複数可)");
  add->add_option("--serves", add_args->serves, "対応する他の市区町村コード (複数可)");
  add->add_option("--accepting", add_args->accepting, "新規受入 yes|no")
      ->check(CLI::IsMember({"yes", "no"}));
  add->add_option("--capacity", add_args->capacity, "定員");
  add->add_option("--phone", add_args->phone, "電話番号");
  add->add_option("--url", add_args->url, "URL");
  add->add_option("--source-system", add_args->source_system, "出典システム (例: manual)");
  add->add_option("--source-id", add_args->source_id, "出典ID");
  add->add_option("--from-json", add_args->from_json, "Resource の JSON ファイルから");
  add->callback([=] { *run = [=] { return RunAdd(*add_args); }; });

  auto id = std::make_shared<std::string>();
  auto* get = resource->add_subcommand("get", "資源を表示 / show a resource");
  get->add_option("id", *id, "資源ID")->required();
  get->callback([=] {
    *run = [=] {
      v1::GetResourceRequest req;
      req.set_id(*id);
      return CallAndPrint(*Stub(), &v1::DirectoryService::Stub::GetResource, req, PrintResource);
    };
  });

  auto del_version = std::make_shared<int64_t>(0);
  auto* del = resource->add_subcommand("delete", "資源を削除 / remove a resource");
  del->add_option("id", *id, "資源ID")->required();
  del->add_option("--expected-version", *del_version, "現在の版")->required();
  del->callback([=] {
    *run = [=] {
      v1::DeleteResourceRequest req;
      req.set_id(*id);
      req.set_expected_version(*del_version);
      v1::DeleteResourceResponse resp;
      grpc::Status s =
          CallWithRetry(req, [&](const google::protobuf::Message& sent, grpc::ClientContext* ctx) {
            return Stub()->DeleteResource(ctx, static_cast<const v1::DeleteResourceRequest&>(sent),
                                          &resp);
          });
      if (!s.ok()) return ReportError(s);
      std::printf("削除しました: %s\n", id->c_str());
      return static_cast<int>(kOk);
    };
  });

  auto sa = std::make_shared<SearchArgs>();
  auto* search = resource->add_subcommand("search", "資源を検索 / search resources");
  search->add_option("--capability,-c", sa->capabilities, "対応内容コード (すべてを満たす)");
  search->add_option("--kind,-k", sa->kinds, "種別コード (いずれか)");
  search->add_option("--municipality,-m", sa->municipality,
                     "市区町村コード: 市区町村内または対応地域");
  search->add_flag("--located-only", sa->located_only, "市区町村内に所在するものだけ");
  search->add_flag("--no-fallback", sa->no_fallback, "市区町村内に無いとき市区町村外を表示しない");
  search->add_option("--prefecture", sa->prefecture, "都道府県コード (2桁)");
  search->add_option("--near", sa->near, "基準地点 緯度,経度");
  search->add_option("--near-municipality", sa->near_municipality, "基準地点: 市区町村役場");
  search->add_option("--within", sa->within_km, "基準地点からの距離 (km)");
  search->add_flag("--accepting", sa->accepting, "新規受入可のみ");
  search->add_option("--text,-t", sa->text,
                     "名称・カナ・住所 (全角/半角・ひらがな/カタカナを区別しません)");
  search->add_option("--page-size", sa->page_size, "1ページの件数 (1-200)");
  search->add_option("--page-token", sa->page_token, "続きのページ");
  search->add_flag("--all", sa->all, "全ページを表示");
  search->callback([=] { *run = [=] { return RunSearch(*sa); }; });

  auto ia = std::make_shared<ImportArgs>();
  auto* import_cmd = resource->add_subcommand("import", "CSV を取り込み / import a CSV file");
  import_cmd->add_option("file", ia->file, "CSV ファイル")->required()->check(CLI::ExistingFile);
  import_cmd->add_option("--format", ia->format, "auto|project|mhlw|nursing|medical")
      ->check(CLI::IsMember({"auto", "project", "mhlw", "nursing", "medical"}));
  import_cmd->add_option("--encoding", ia->encoding, "auto|utf8|sjis")
      ->check(CLI::IsMember({"auto", "utf8", "sjis"}));
  import_cmd->add_flag("--allow-partial", ia->allow_partial,
                       "不正な行があっても正しい行は取り込む");
  import_cmd->add_flag("--dry-run", ia->dry_run, "検査のみ (書き込まない)");
  import_cmd->add_option(
      "--only-municipality", ia->only_municipalities,
      "この市区町村の行だけ取り込む (複数可) / only rows of these municipalities");
  import_cmd->callback([=] { *run = [=] { return RunImport(*ia); }; });

  auto ea = std::make_shared<ExportArgs>();
  auto* exp = resource->add_subcommand("export", "資源を出力 / export resources");
  exp->add_option("--format", ea->format,
                  "csv|fhir (fhir: FHIR R4 の NDJSON。資源ごとに Organization, Location, "
                  "HealthcareService の3行)")
      ->check(CLI::IsMember({"csv", "fhir"}));
  exp->add_option("--municipality,-m", ea->municipality, "市区町村コード");
  exp->add_option("--prefecture", ea->prefecture, "都道府県コード (2桁)");
  exp->add_option("--kind,-k", ea->kinds, "種別コード");
  exp->add_option("--out,-f", ea->out, "出力ファイル (既定: 標準出力)");
  exp->callback([=] { *run = [=] { return RunExport(*ea); }; });

  auto gap_muni = std::make_shared<std::string>();
  auto gap_caps = std::make_shared<std::vector<std::string>>();
  auto* gaps = resource->add_subcommand("gaps", "資源の空白 / capabilities nobody covers");
  gaps->add_option("municipality", *gap_muni, "市区町村コード")->required();
  gaps->add_option("--capability,-c", *gap_caps, "対象の対応内容 (既定: すべて)");
  gaps->callback([=] { *run = [=] { return RunGaps(*gap_muni, *gap_caps); }; });

  auto* caps =
      resource->add_subcommand("capabilities", "対応内容の一覧 / the capability vocabulary");
  caps->callback([=] { *run = [] { return RunCapabilities(); }; });
}

}  // namespace renkei::cli
