#include "renkei/common/text.h"

namespace renkei::common {
namespace {

// Decodes one code point at s[i]; returns its length, or 0 when the bytes are not valid UTF-8.
size_t DecodeOne(std::string_view s, size_t i, char32_t* cp) {
  unsigned char c = static_cast<unsigned char>(s[i]);
  if (c < 0x80) {
    *cp = c;
    return 1;
  }
  size_t len;
  char32_t v;
  char32_t min;
  if ((c & 0xE0) == 0xC0) {
    len = 2, v = c & 0x1F, min = 0x80;
  } else if ((c & 0xF0) == 0xE0) {
    len = 3, v = c & 0x0F, min = 0x800;
  } else if ((c & 0xF8) == 0xF0) {
    len = 4, v = c & 0x07, min = 0x10000;
  } else {
    return 0;
  }
  if (i + len > s.size()) return 0;
  for (size_t k = 1; k < len; ++k) {
    unsigned char cc = static_cast<unsigned char>(s[i + k]);
    if ((cc & 0xC0) != 0x80) return 0;
    v = (v << 6) | (cc & 0x3F);
  }
  if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) return 0;
  *cp = v;
  return len;
}

// Half-width katakana U+FF61..U+FF9D -> full-width.
constexpr char16_t kHalfKana[] = {
    0x3002, 0x300C, 0x300D, 0x3001, 0x30FB, 0x30F2, 0x30A1, 0x30A3, 0x30A5, 0x30A7, 0x30A9,
    0x30E3, 0x30E5, 0x30E7, 0x30C3, 0x30FC, 0x30A2, 0x30A4, 0x30A6, 0x30A8, 0x30AA, 0x30AB,
    0x30AD, 0x30AF, 0x30B1, 0x30B3, 0x30B5, 0x30B7, 0x30B9, 0x30BB, 0x30BD, 0x30BF, 0x30C1,
    0x30C4, 0x30C6, 0x30C8, 0x30CA, 0x30CB, 0x30CC, 0x30CD, 0x30CE, 0x30CF, 0x30D2, 0x30D5,
    0x30D8, 0x30DB, 0x30DE, 0x30DF, 0x30E0, 0x30E1, 0x30E2, 0x30E4, 0x30E6, 0x30E8, 0x30E9,
    0x30EA, 0x30EB, 0x30EC, 0x30ED, 0x30EF, 0x30F3};

constexpr char32_t kDakuten = 0x3099;
constexpr char32_t kHandakuten = 0x309A;

// Katakana + voiced mark -> composed katakana, or 0.
char32_t Compose(char32_t base, char32_t mark) {
  if (mark == kDakuten) {
    if (base >= 0x30AB && base <= 0x30C2 && (base - 0x30AB) % 2 == 0) return base + 1;  // カ..チ
    if (base == 0x30C4 || base == 0x30C6 || base == 0x30C8) return base + 1;            // ツテト
    if (base >= 0x30CF && base <= 0x30DB && (base - 0x30CF) % 3 == 0) return base + 1;  // ハ行
    if (base == 0x30A6) return 0x30F4;                                                  // ヴ
    if (base == 0x30EF) return 0x30F7;                                                  // ヷ
    if (base == 0x30F2) return 0x30FA;                                                  // ヺ
    if (base == 0x30FD) return 0x30FE;                                                  // ヾ
  } else if (mark == kHandakuten) {
    if (base >= 0x30CF && base <= 0x30DB && (base - 0x30CF) % 3 == 0) return base + 2;  // パ行
  }
  return 0;
}

char32_t Itaiji(char32_t cp) {
  switch (cp) {
    case 0x6AAE:
      return 0x68BC;  // 檮 -> 梼
    case 0xFA11:      // 﨑
    case 0x5D5C:      // 嵜
      return 0x5D0E;  // -> 崎
    case 0x9AD9:
      return 0x9AD8;  // 髙 -> 高
    case 0x908A:      // 邊
    case 0x9089:      // 邉
      return 0x8FBA;  // -> 辺
    case 0x6FA4:
      return 0x6CA2;  // 澤 -> 沢
    case 0x9F4B:
      return 0x658E;  // 齋 -> 斎
    case 0x6FF5:      // 濵
    case 0x6FF1:      // 濱
      return 0x6D5C;  // -> 浜
    case 0x570B:
      return 0x56FD;  // 國 -> 国
    case 0x6AFB:
      return 0x685C;  // 櫻 -> 桜
    case 0x7028:
      return 0x702C;  // 瀨 -> 瀬
    case 0x5FB7:
      return 0x5FB3;  // 德 -> 徳
    case 0x771E:
      return 0x771F;  // 眞 -> 真
    case 0xFA10:
      return 0x585A;  // 塚 (compatibility) -> 塚
    case 0x5D8B:
      return 0x5CF6;  // 嶋 -> 島
    default:
      return cp;
  }
}

bool IsSpace(char32_t cp) {
  return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == 0x3000 || cp == 0x00A0;
}

bool IsWide(char32_t cp) {
  return (cp >= 0x1100 && cp <= 0x115F) || (cp >= 0x2E80 && cp <= 0x303E) ||
         (cp >= 0x3041 && cp <= 0x33FF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
         (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0xA000 && cp <= 0xA4CF) ||
         (cp >= 0xAC00 && cp <= 0xD7A3) || (cp >= 0xF900 && cp <= 0xFAFF) ||
         (cp >= 0xFE30 && cp <= 0xFE4F) || (cp >= 0xFF00 && cp <= 0xFF60) ||
         (cp >= 0xFFE0 && cp <= 0xFFE6) || (cp >= 0x1F300 && cp <= 0x1F64F) ||
         (cp >= 0x20000 && cp <= 0x3FFFD);
}

}  // namespace

bool IsValidUtf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    char32_t cp;
    size_t n = DecodeOne(s, i, &cp);
    if (n == 0) return false;
    i += n;
  }
  return true;
}

size_t Utf8Length(std::string_view s) {
  size_t n = 0;
  for (unsigned char c : s) n += (c & 0xC0) != 0x80;
  return n;
}

std::vector<char32_t> DecodeUtf8(std::string_view s) {
  std::vector<char32_t> out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size();) {
    char32_t cp;
    size_t n = DecodeOne(s, i, &cp);
    if (n == 0) {
      out.push_back(0xFFFD);
      ++i;
    } else {
      out.push_back(cp);
      i += n;
    }
  }
  return out;
}

void AppendUtf8(char32_t cp, std::string* out) {
  if (cp < 0x80) {
    out->push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out->push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out->push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out->push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out->push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

std::string NormalizeForSearch(std::string_view s) {
  std::vector<char32_t> cps;
  cps.reserve(s.size());
  for (char32_t cp : DecodeUtf8(s)) {
    // Width: full-width ASCII and half-width katakana.
    if (cp >= 0xFF01 && cp <= 0xFF5E) cp = cp - 0xFF01 + 0x21;
    if (cp >= 0xFF61 && cp <= 0xFF9D) cp = kHalfKana[cp - 0xFF61];
    if (cp == 0xFF9E || cp == 0x309B) cp = kDakuten;
    if (cp == 0xFF9F || cp == 0x309C) cp = kHandakuten;
    // Hiragana -> katakana (ゝゞ too).
    if ((cp >= 0x3041 && cp <= 0x3096) || cp == 0x309D || cp == 0x309E) cp += 0x60;
    // Small ヵ ヶ as used in place names (龍ヶ崎 / 龍ケ崎).
    if (cp == 0x30F6) cp = 0x30B1;
    if (cp == 0x30F5) cp = 0x30AB;
    if (cp >= 'A' && cp <= 'Z') cp = cp - 'A' + 'a';
    if ((cp >= 0x2010 && cp <= 0x2015) || cp == 0x2212 || cp == 0xFE63) cp = '-';
    cp = Itaiji(cp);
    if (IsSpace(cp)) continue;
    if ((cp == kDakuten || cp == kHandakuten) && !cps.empty()) {
      char32_t composed = Compose(cps.back(), cp);
      if (composed != 0) {
        cps.back() = composed;
        continue;
      }
    }
    if (cp == 0x3231) {  // ㈱
      for (char32_t c : {U'(', U'株', U')'}) cps.push_back(c);
      continue;
    }
    if (cp == 0x3232) {  // ㈲
      for (char32_t c : {U'(', U'有', U')'}) cps.push_back(c);
      continue;
    }
    cps.push_back(cp);
  }
  std::string out;
  out.reserve(s.size());
  for (char32_t cp : cps) AppendUtf8(cp, &out);
  return out;
}

int DisplayWidth(std::string_view s) {
  int w = 0;
  for (char32_t cp : DecodeUtf8(s)) {
    if (cp == kDakuten || cp == kHandakuten) continue;
    w += IsWide(cp) ? 2 : 1;
  }
  return w;
}

std::string TruncateToWidth(std::string_view s, int width) {
  if (DisplayWidth(s) <= width) return std::string(s);
  std::string out;
  int w = 0;
  for (char32_t cp : DecodeUtf8(s)) {
    int cw = IsWide(cp) ? 2 : 1;
    if (w + cw > width - 1) break;
    AppendUtf8(cp, &out);
    w += cw;
  }
  out += "…";
  return out;
}

std::string_view TrimSpaces(std::string_view s) {
  auto starts_with_space = [](std::string_view v, size_t* n) {
    if (v.empty()) return false;
    if (v[0] == ' ' || v[0] == '\t' || v[0] == '\r' || v[0] == '\n') return *n = 1, true;
    if (v.substr(0, 3) == "\xE3\x80\x80") return *n = 3, true;
    return false;
  };
  size_t n;
  while (starts_with_space(s, &n)) s.remove_prefix(n);
  while (!s.empty()) {
    char c = s.back();
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
      s.remove_suffix(1);
    } else if (s.size() >= 3 && s.substr(s.size() - 3) == "\xE3\x80\x80") {
      s.remove_suffix(3);
    } else {
      break;
    }
  }
  return s;
}

std::string EscapeMarkup(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

}  // namespace renkei::common
