#include "renkei/common/keys.h"

namespace renkei::common {

KeyBuilder& KeyBuilder::Str(std::string_view s) {
  for (char c : s) {
    key_.push_back(c);
    if (c == '\0') key_.push_back('\xFF');
  }
  key_.push_back('\0');
  key_.push_back('\x01');
  return *this;
}

KeyBuilder& KeyBuilder::U64(uint64_t v) {
  for (int shift = 56; shift >= 0; shift -= 8) key_.push_back(static_cast<char>(v >> shift));
  return *this;
}

KeyBuilder& KeyBuilder::I64(int64_t v) { return U64(static_cast<uint64_t>(v) ^ (1ULL << 63)); }

bool KeyReader::Str(std::string* out) {
  std::string s;
  for (size_t i = 0; i < rest_.size(); ++i) {
    char c = rest_[i];
    if (c != '\0') {
      s.push_back(c);
      continue;
    }
    if (i + 1 >= rest_.size()) return false;
    char next = rest_[i + 1];
    if (next == '\x01') {
      rest_.remove_prefix(i + 2);
      *out = std::move(s);
      return true;
    }
    if (next != '\xFF') return false;
    s.push_back('\0');
    ++i;
  }
  return false;
}

bool KeyReader::U64(uint64_t* out) {
  if (rest_.size() < 8) return false;
  uint64_t v = 0;
  for (int i = 0; i < 8; ++i) v = (v << 8) | static_cast<unsigned char>(rest_[i]);
  rest_.remove_prefix(8);
  *out = v;
  return true;
}

bool KeyReader::I64(int64_t* out) {
  uint64_t v;
  if (!U64(&v)) return false;
  *out = static_cast<int64_t>(v ^ (1ULL << 63));
  return true;
}

std::string PrefixSuccessor(std::string_view prefix) {
  std::string s(prefix);
  while (!s.empty()) {
    unsigned char last = static_cast<unsigned char>(s.back());
    if (last != 0xFF) {
      s.back() = static_cast<char>(last + 1);
      return s;
    }
    s.pop_back();
  }
  return s;
}

}  // namespace renkei::common
