#include "renkei/common/validation.h"

#include "absl/strings/cord.h"
#include "google/rpc/error_details.pb.h"
#include "renkei/common/jurisdiction.h"
#include "renkei/common/text.h"

namespace renkei::common {
namespace {

constexpr char kBadRequestUrl[] = "type.googleapis.com/google.rpc.BadRequest";

}  // namespace

void FieldViolations::Add(std::string field, std::string description) {
  violations_.emplace_back(std::move(field), std::move(description));
}

absl::Status FieldViolations::ToStatus() const {
  if (violations_.empty()) return absl::OkStatus();
  google::rpc::BadRequest bad;
  std::string message = "入力に誤りがあります / invalid request:";
  for (size_t i = 0; i < violations_.size(); ++i) {
    auto* v = bad.add_field_violations();
    v->set_field(violations_[i].first);
    v->set_description(violations_[i].second);
    if (i < 10) message += (i ? "; " : " ") + violations_[i].first + ": " + violations_[i].second;
  }
  if (violations_.size() > 10) {
    message += "; (+" + std::to_string(violations_.size() - 10) + " more)";
  }
  absl::Status status = absl::InvalidArgumentError(message);
  status.SetPayload(kBadRequestUrl, absl::Cord(bad.SerializeAsString()));
  return status;
}

void FieldViolations::CheckText(std::string_view field, std::string_view value,
                                const TextRule& rule) {
  std::string f(field);
  if (!IsValidUtf8(value)) {
    Add(f, "UTF-8 として不正な文字列です / invalid UTF-8");
    return;
  }
  if (rule.required && TrimSpaces(value).empty()) {
    Add(f, "必須です / required");
    return;
  }
  size_t len = Utf8Length(value);
  if (len > rule.max_chars) {
    Add(f, std::to_string(rule.max_chars) + " 文字以内にしてください (" + std::to_string(len) +
               " 文字) / too long: " + std::to_string(len) + " > " +
               std::to_string(rule.max_chars) + " characters");
    return;
  }
  for (unsigned char c : value) {
    bool control = c < 0x20 || c == 0x7F;
    if (!control) continue;
    if (!rule.single_line && (c == '\n' || c == '\r' || c == '\t')) continue;
    Add(f, "制御文字は使えません / control characters are not allowed");
    return;
  }
}

void FieldViolations::CheckMunicipalityCode(std::string_view field, std::string_view code,
                                            bool required) {
  std::string f(field);
  if (code.empty()) {
    if (required) Add(f, "市区町村コードは必須です / municipality code required");
    return;
  }
  std::string shown = IsValidUtf8(code) && code.size() <= 20 ? std::string(code) : "(invalid)";
  switch (Jurisdictions::Get().CheckMunicipalityCode(code)) {
    case CodeCheck::kOk:
      return;
    case CodeCheck::kMalformed:
      Add(f, "市区町村コードは6桁の数字です: " + shown + " / must be 6 digits");
      return;
    case CodeCheck::kBadCheckDigit:
      Add(f, "市区町村コードのチェックディジットが不正です: " + shown + " / bad check digit");
      return;
    case CodeCheck::kUnknown:
      Add(f, "存在しない市区町村コードです: " + shown + " / unknown municipality code");
      return;
  }
}

void FieldViolations::CheckOwnCode(std::string_view field, std::string_view code,
                                   std::string_view own) {
  if (code.empty() || code == own) return;
  const size_t before = violations_.size();
  const bool municipal = !(code.size() == 6 && code.substr(2) == "0001") && code != "000000";
  if (municipal) CheckMunicipalityCode(field, code, /*required=*/true);
  if (violations_.size() == before) {
    Add(std::string(field),
        "このインスタンス (" + std::string(own) +
            ") のコードのみ指定できます (省略可) / only this instance's code (" + std::string(own) +
            ") may be given, or none");
  }
}

void FieldViolations::CheckPrefectureCode(std::string_view field, std::string_view code,
                                          bool required) {
  std::string f(field);
  if (code.empty()) {
    if (required) Add(f, "都道府県コードは必須です / prefecture code required");
    return;
  }
  bool ok = code.size() == 2 && code[0] >= '0' && code[0] <= '4' && code[1] >= '0' &&
            code[1] <= '9' && code != "00" && code <= std::string_view("47");
  if (!ok) Add(f, "都道府県コードは 01〜47 の2桁です / must be 01..47");
}

void FieldViolations::CheckLatLng(std::string_view field, double lat, double lng) {
  if (!InsideJapan(lat, lng)) {
    Add(std::string(field), "座標が日本の範囲外です (" + std::to_string(lat) + ", " +
                                std::to_string(lng) + ") / coordinates outside Japan");
  }
}

void FieldViolations::CheckCount(std::string_view field, size_t count, size_t max) {
  if (count > max) {
    Add(std::string(field),
        std::to_string(max) + " 件以内にしてください / at most " + std::to_string(max) + " items");
  }
}

void FieldViolations::CheckDate(std::string_view field, int year, int month, int day,
                                bool required) {
  if (year == 0 && month == 0 && day == 0) {
    if (required) Add(std::string(field), "日付は必須です / date required");
    return;
  }
  if (!IsValidDate(year, month, day)) {
    Add(std::string(field), "存在しない日付です: " + std::to_string(year) + "-" +
                                std::to_string(month) + "-" + std::to_string(day) +
                                " / not a valid date");
  }
}

bool IsValidDate(int year, int month, int day) {
  if (year < 1900 || year > 2999 || month < 1 || month > 12 || day < 1) return false;
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  int max = kDays[month - 1];
  bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  if (month == 2 && leap) max = 29;
  return day <= max;
}

absl::Status InvalidField(std::string_view field, std::string_view description) {
  FieldViolations v;
  v.Add(std::string(field), std::string(description));
  return v.ToStatus();
}

std::vector<std::pair<std::string, std::string>> FieldViolationsOf(const absl::Status& status) {
  std::vector<std::pair<std::string, std::string>> out;
  auto payload = status.GetPayload(kBadRequestUrl);
  if (!payload) return out;
  google::rpc::BadRequest bad;
  if (!bad.ParseFromString(std::string(*payload))) return out;
  for (const auto& v : bad.field_violations()) out.emplace_back(v.field(), v.description());
  return out;
}

bool InsideJapan(double lat, double lng) {
  return lat >= 20.0 && lat <= 46.0 && lng >= 122.0 && lng <= 154.0;
}

// Digits, hyphens, parentheses, plus and spaces: a phone or fax number as people write it.
bool LooksLikePhone(std::string_view s) {
  int digits = 0;
  for (char c : s) {
    if (c >= '0' && c <= '9') {
      ++digits;
    } else if (c != '-' && c != '(' && c != ')' && c != '+' && c != ' ') {
      return false;
    }
  }
  return digits >= 6;
}

// One "@" with text on both sides and a dot in the domain; no spaces or control characters.
bool LooksLikeEmail(std::string_view s) {
  size_t at = s.find('@');
  if (at == std::string_view::npos || at == 0 || s.find('@', at + 1) != std::string_view::npos) {
    return false;
  }
  std::string_view domain = s.substr(at + 1);
  if (domain.find('.') == std::string_view::npos || domain.front() == '.' || domain.back() == '.') {
    return false;
  }
  for (unsigned char c : s) {
    // No spaces, controls, or what would end or quote the address in a mail header.
    if (c <= ' ' || c == 0x7f ||
        std::string_view("<>,;:\"()[]\\").find(static_cast<char>(c)) != std::string_view::npos) {
      return false;
    }
  }
  return true;
}

}  // namespace renkei::common
