// Order-preserving key encoding for RocksDB: the byte order of encoded keys equals the order of
// the tuples they encode, so range scans over a prefix visit records in tuple order.
//
//   strings:  bytes with 0x00 escaped as 0x00 0xFF, terminated by 0x00 0x01
//   uint64:   8 bytes big-endian
//   int64:    sign bit flipped, then big-endian
//
//   std::string k = KeyBuilder().Str("132250").U64(seq).Build();
//   KeyReader r(k); std::string code; uint64_t seq; r.Str(&code) && r.U64(&seq);
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace renkei::common {

class KeyBuilder {
 public:
  KeyBuilder& Str(std::string_view s);
  KeyBuilder& U64(uint64_t v);
  KeyBuilder& I64(int64_t v);
  const std::string& Build() const { return key_; }
  std::string Release() { return std::move(key_); }

 private:
  std::string key_;
};

// Reads components back in the order they were written. Each call returns false (and consumes
// nothing further) on malformed input.
class KeyReader {
 public:
  explicit KeyReader(std::string_view key) : rest_(key) {}
  bool Str(std::string* out);
  bool U64(uint64_t* out);
  bool I64(int64_t* out);
  bool AtEnd() const { return rest_.empty(); }

 private:
  std::string_view rest_;
};

// The smallest key greater than every key starting with `prefix` ("" when none exists).
std::string PrefixSuccessor(std::string_view prefix);

}  // namespace renkei::common
