// The search index's own helpers, shared by the files it is split into (search_index.cc: adding,
// replacing and compacting documents; search_index_query.cc: answering queries): the keys of the
// text and grid posting lists and of the name order. Inline: they run for every indexed
// character and every candidate. Not part of the index's interface.
#pragma once

#include <cmath>
#include <cstdint>
#include <string_view>

namespace renkei::directory {

// Text keys (code points are < 2^21): a character is its code point; a pair is (a << 32) | b;
// a triple sets the top bit above three 21-bit fields. The three spaces never overlap.
inline uint64_t GramKey(char32_t a) { return a; }
inline uint64_t GramKey(char32_t a, char32_t b) { return (static_cast<uint64_t>(a) << 32) | b; }
inline uint64_t GramKey(char32_t a, char32_t b, char32_t c) {
  return (1ULL << 63) | (static_cast<uint64_t>(a) << 42) | (static_cast<uint64_t>(b) << 21) | c;
}

// Grid cells of 0.05° (about 5.5 km north-south, 4.5 km east-west in Japan).
inline constexpr double kCellDegrees = 0.05;
inline uint32_t CellKey(int lat_index, int lon_index) {
  return (static_cast<uint32_t>(lat_index) << 16) | static_cast<uint32_t>(lon_index & 0xFFFF);
}
inline int CellIndex(double degrees, double origin) {
  return static_cast<int>(std::floor((degrees - origin) / kCellDegrees));
}

// The first 8 bytes of `s` as one number, zeros past its end (the name order, the name's head).
inline uint64_t PrefixKey(std::string_view s) {
  uint64_t k = 0;
  for (size_t i = 0; i < 8; ++i) {
    k = (k << 8) | (i < s.size() ? static_cast<unsigned char>(s[i]) : 0);
  }
  return k;
}

}  // namespace renkei::directory
