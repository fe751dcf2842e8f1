// indicators_bench's SQLite side: observations(indicator, jurisdiction, prefecture, period,
// value, numerator, denominator) with indexes (indicator, jurisdiction, period) and (indicator,
// period, prefecture), loaded in one transaction, queried with prepared statements; small cells
// withheld by the service's rule, in C++.
#include <sqlite3.h>

#include <cstdio>
#include <string>
#include <vector>

#include "indicators/stats.h"
#include "indicators_bench_parts.h"

namespace renkei::bench {

Sqlite::~Sqlite() {
  for (auto* s : {series_, compare_desc_, compare_asc_, rollup_}) sqlite3_finalize(s);
  if (db_) sqlite3_close(db_);
}

bool Sqlite::Open(const std::string& path) {
  if (sqlite3_open(path.c_str(), &db_) != SQLITE_OK) return Fail("open");
  return Exec("PRAGMA cache_size = -262144") &&  // 256 MiB
         Exec(
             "CREATE TABLE observations(indicator TEXT NOT NULL, jurisdiction TEXT NOT NULL, "
             "prefecture TEXT NOT NULL, period TEXT NOT NULL, value REAL NOT NULL, numerator "
             "REAL, denominator REAL)") &&
         Exec(
             "CREATE INDEX observations_series ON observations(indicator, jurisdiction, "
             "period)") &&
         Exec(
             "CREATE INDEX observations_period ON observations(indicator, period, "
             "prefecture)") &&
         Exec(
             "CREATE TABLE jurisdictions(code TEXT PRIMARY KEY, name TEXT NOT NULL) WITHOUT "
             "ROWID");
}

// Every row in one transaction.
bool Sqlite::Load(const Shape& s) {
  if (!Exec("BEGIN")) return false;
  sqlite3_stmt* place = Prepare("INSERT INTO jurisdictions VALUES (?, ?)");
  for (const auto& p : s.places) {
    sqlite3_bind_text(place, 1, p.code.c_str(), -1, SQLITE_TRANSIENT);
    sqlite3_bind_text(place, 2, p.name.c_str(), -1, SQLITE_TRANSIENT);
    if (sqlite3_step(place) != SQLITE_DONE) return Fail("insert jurisdiction");
    sqlite3_reset(place);
  }
  sqlite3_finalize(place);
  sqlite3_stmt* ins = Prepare("INSERT INTO observations VALUES (?, ?, ?, ?, ?, ?, ?)");
  if (!ins) return false;
  std::vector<std::string> codes, periods;
  for (int k = 0; k < s.indicators; ++k) codes.push_back(IndicatorCode(k));
  for (int p = 0; p < s.periods; ++p) periods.push_back(PeriodName(p));
  for (int64_t r = 0; r < s.rows(); ++r) {
    int k, m, p;
    s.Decode(r, &k, &m, &p);
    const Value v = Generate(k, m, p);
    sqlite3_bind_text(ins, 1, codes[k].c_str(), -1, SQLITE_STATIC);
    sqlite3_bind_text(ins, 2, s.places[m].code.c_str(), -1, SQLITE_STATIC);
    sqlite3_bind_text(ins, 3, s.places[m].prefecture.c_str(), -1, SQLITE_STATIC);
    sqlite3_bind_text(ins, 4, periods[p].c_str(), -1, SQLITE_STATIC);
    sqlite3_bind_double(ins, 5, v.value);
    if (IsRatio(k)) {
      sqlite3_bind_double(ins, 6, static_cast<double>(v.numerator));
      sqlite3_bind_double(ins, 7, static_cast<double>(v.denominator));
    } else {
      sqlite3_bind_null(ins, 6);
      sqlite3_bind_null(ins, 7);
    }
    if (sqlite3_step(ins) != SQLITE_DONE) return Fail("insert");
    sqlite3_reset(ins);
  }
  sqlite3_finalize(ins);
  return Exec("COMMIT") && Exec("ANALYZE");
}

bool Sqlite::PrepareQueries() {
  series_ = Prepare(
      "SELECT period, value, numerator, denominator FROM observations WHERE indicator = ?1 AND "
      "jurisdiction = ?2 ORDER BY period");
  const char* compare =
      "SELECT o.jurisdiction, j.name, o.value, o.numerator, o.denominator, RANK() OVER (ORDER "
      "BY o.value %s) AS r FROM observations o JOIN jurisdictions j ON j.code = o.jurisdiction "
      "WHERE o.indicator = ?1 AND o.period = ?2 AND o.prefecture = ?3 ORDER BY r, "
      "o.jurisdiction";
  char sql[512];
  std::snprintf(sql, sizeof sql, compare, "DESC");
  compare_desc_ = Prepare(sql);
  std::snprintf(sql, sizeof sql, compare, "ASC");
  compare_asc_ = Prepare(sql);
  rollup_ = Prepare(
      "SELECT prefecture, SUM(value), SUM(numerator), SUM(denominator) FROM observations "
      "WHERE indicator = ?1 AND period = ?2 GROUP BY prefecture");
  return series_ && compare_desc_ && compare_asc_ && rollup_;
}

// The same answers as the service's messages (the fields the comparison checks).
// Small cells are withheld as the service does (in C++, per row).
v1::Series Sqlite::GetSeries(const std::string& code, const std::string& jurisdiction, bool ratio) {
  v1::Series out;
  sqlite3_bind_text(series_, 1, code.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(series_, 2, jurisdiction.c_str(), -1, SQLITE_TRANSIENT);
  while (sqlite3_step(series_) == SQLITE_ROW) {
    auto* pt = out.add_points();
    pt->set_period(reinterpret_cast<const char*>(sqlite3_column_text(series_, 0)));
    pt->set_reporting(1);
    pt->set_expected(1);
    const double value = sqlite3_column_double(series_, 1);
    if (Withheld(ratio, value, sqlite3_column_double(series_, 3))) {
      pt->set_suppressed(true);
      continue;
    }
    pt->set_value(value);
    if (sqlite3_column_type(series_, 2) != SQLITE_NULL)
      pt->set_numerator(sqlite3_column_double(series_, 2));
    if (sqlite3_column_type(series_, 3) != SQLITE_NULL)
      pt->set_denominator(sqlite3_column_double(series_, 3));
  }
  sqlite3_reset(series_);
  return out;
}

v1::Comparison Sqlite::Compare(const std::string& code, const std::string& period,
                               const std::string& prefecture, v1::Direction direction, bool ratio) {
  sqlite3_stmt* st = direction == v1::DIRECTION_LOWER_IS_BETTER ? compare_asc_ : compare_desc_;
  v1::Comparison out;
  out.set_period(period);
  sqlite3_bind_text(st, 1, code.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 2, period.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(st, 3, prefecture.c_str(), -1, SQLITE_TRANSIENT);
  std::vector<double> values;
  while (sqlite3_step(st) == SQLITE_ROW) {
    auto* row = out.add_rows();
    row->set_jurisdiction_code(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)));
    row->set_name(reinterpret_cast<const char*>(sqlite3_column_text(st, 1)));
    row->set_rank(sqlite3_column_int(st, 5));
    const double value = sqlite3_column_double(st, 2);
    values.push_back(value);
    if (Withheld(ratio, value, sqlite3_column_double(st, 4))) {
      row->set_suppressed(true);
      continue;
    }
    row->set_value(value);
    if (sqlite3_column_type(st, 3) != SQLITE_NULL) row->set_numerator(sqlite3_column_double(st, 3));
    if (sqlite3_column_type(st, 4) != SQLITE_NULL)
      row->set_denominator(sqlite3_column_double(st, 4));
  }
  sqlite3_reset(st);
  out.set_reporting(out.rows_size());
  out.set_median(indicators::Quantile(values, 0.5));
  out.set_q1(indicators::Quantile(values, 0.25));
  out.set_q3(indicators::Quantile(values, 0.75));
  return out;
}

// Σ by prefecture in SQL, then the nation from the prefectures: a ratio is Σ numerators /
// Σ denominators, a count the sum.
v1::RollUpValue Sqlite::RollUp(const std::string& code, const std::string& period, bool ratio) {
  v1::RollUpValue out;
  out.set_jurisdiction_code("000000");
  out.set_period(period);
  sqlite3_bind_text(rollup_, 1, code.c_str(), -1, SQLITE_TRANSIENT);
  sqlite3_bind_text(rollup_, 2, period.c_str(), -1, SQLITE_TRANSIENT);
  double value = 0, num = 0, den = 0;
  int prefectures = 0;
  while (sqlite3_step(rollup_) == SQLITE_ROW) {
    ++prefectures;
    value += sqlite3_column_double(rollup_, 1);
    num += sqlite3_column_double(rollup_, 2);
    den += sqlite3_column_double(rollup_, 3);
  }
  sqlite3_reset(rollup_);
  out.set_reporting(prefectures);
  if (prefectures == 0) return out;
  if (Withheld(ratio, value, den)) {
    out.set_suppressed(true);
  } else if (ratio) {
    out.set_numerator(num);
    out.set_denominator(den);
    out.set_value(num / den);
  } else {
    out.set_value(value);
  }
  return out;
}

bool Sqlite::Fail(const char* what) {
  std::fprintf(stderr, "sqlite %s: %s\n", what, db_ ? sqlite3_errmsg(db_) : "no database");
  return false;
}
bool Sqlite::Exec(const char* sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::fprintf(stderr, "sqlite: %s: %s\n", sql, err ? err : "?");
    sqlite3_free(err);
    return false;
  }
  return true;
}
sqlite3_stmt* Sqlite::Prepare(const char* sql) {
  sqlite3_stmt* st = nullptr;
  if (sqlite3_prepare_v2(db_, sql, -1, &st, nullptr) != SQLITE_OK) {
    Fail(sql);
    return nullptr;
  }
  return st;
}

}  // namespace renkei::bench
