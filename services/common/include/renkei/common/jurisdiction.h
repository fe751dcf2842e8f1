// Local government codes (全国地方公共団体コード) and the jurisdictions they name.
//
// A code is 6 digits: 5 identify the body, the 6th is a check digit — digits 1..5 weighted
// 6,5,4,3,2, sum S, check = (11 - S mod 11) mod 10. The registry knows every municipality,
// special ward, designated-city ward and designated city, and every prefecture, from a copy of
// the reference data compiled into the binary.
//
// Thread safety: the registry is immutable after first use; all functions are thread-safe.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace renkei::common {

enum class MunicipalityKind { kMunicipality, kSpecialWard, kWard };

struct Municipality {
  std::string code;             // 6 digits, e.g. "132250"
  std::string prefecture_code;  // 2 digits, e.g. "13"
  std::string prefecture_name;  // 東京都
  std::string name;             // 稲城市
  std::string kana;             // いなぎし
  MunicipalityKind kind = MunicipalityKind::kMunicipality;
  std::string parent_code;  // designated city of a ward, else empty
  double office_lat = 0;    // city/ward office
  double office_lon = 0;
};

struct Prefecture {
  std::string code;             // 6 digits, e.g. "130001"
  std::string prefecture_code;  // 2 digits, e.g. "13"
  std::string name;             // 東京都
  std::string kana;
  std::string name_en;
  double office_lat = 0;
  double office_lon = 0;
};

enum class CodeCheck {
  kOk,
  kMalformed,      // not exactly 6 ASCII digits
  kBadCheckDigit,  // the 6th digit does not match
  kUnknown,        // well-formed but names no municipality in the registry
};

// The check digit rule alone.
bool HasValidCheckDigit(std::string_view code);

class Jurisdictions {
 public:
  // The registry built from the embedded data.
  static const Jurisdictions& Get();

  CodeCheck CheckMunicipalityCode(std::string_view code) const;
  // nullptr when unknown.
  const Municipality* FindMunicipality(std::string_view code) const;
  // By 2-digit ("13") or 6-digit ("130001") code; nullptr when unknown.
  const Prefecture* FindPrefecture(std::string_view code) const;
  const std::vector<Municipality>& municipalities() const { return municipalities_; }
  const std::vector<Prefecture>& prefectures() const { return prefectures_; }
  std::vector<const Municipality*> MunicipalitiesOf(std::string_view prefecture_code) const;

  // Kilometres from the point to the nearest municipality office of the prefecture.
  double DistanceToPrefectureKm(std::string_view prefecture_code, double lat, double lon) const;

  // Whether coordinates can belong to the prefecture. There are no boundary polygons in the
  // reference data, so the rule works from municipal offices (measured on the 32,847 real
  // facilities with coordinates, docs/directory.md): implausible when the nearest office of the
  // prefecture is more than 40 km away, or more than 20 km away while another prefecture's
  // office is within a quarter of that distance (the point lies well inside a neighbour).
  bool PlausiblyInPrefecture(std::string_view prefecture_code, double lat, double lon) const;

 private:
  Jurisdictions();
  std::vector<Municipality> municipalities_;
  std::vector<Prefecture> prefectures_;
};

// Great-circle distance in kilometres (haversine, mean Earth radius).
double HaversineKm(double lat1, double lon1, double lat2, double lon2);

}  // namespace renkei::common
