#include "renkei/common/ids.h"

#include <array>
#include <random>

namespace renkei::common {
namespace {

constexpr char kCrockford[] = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

// 128 bits (hi, lo) -> 26 base32 characters (the first carries 3 bits).
std::string Encode128(uint64_t hi, uint64_t lo) {
  std::string out(26, '0');
  for (int i = 25; i >= 0; --i) {
    out[i] = kCrockford[lo & 31];
    lo = (lo >> 5) | (hi << 59);
    hi >>= 5;
  }
  return out;
}

uint64_t Fnv1a64(std::string_view s, uint64_t seed) {
  uint64_t h = 14695981039346656037ULL ^ seed;
  for (unsigned char c : s) {
    h ^= c;
    h *= 1099511628211ULL;
  }
  // Final avalanche (splitmix64) so nearby keys spread over the whole range.
  h ^= h >> 30;
  h *= 0xbf58476d1ce4e5b9ULL;
  h ^= h >> 27;
  h *= 0x94d049bb133111ebULL;
  h ^= h >> 31;
  return h;
}

}  // namespace

std::string NewId(std::string_view prefix, const Clock& clock) {
  thread_local std::mt19937_64 rng{std::random_device{}()};
  uint64_t ms = static_cast<uint64_t>(clock.NowMillis()) & ((1ULL << 48) - 1);
  uint64_t r1 = rng();
  uint64_t r2 = rng();
  uint64_t hi = (ms << 16) | (r1 & 0xFFFF);
  uint64_t lo = r2;
  return std::string(prefix) + "_" + Encode128(hi, lo);
}

std::string DeterministicId(std::string_view prefix, std::string_view natural_key) {
  return std::string(prefix) + "_" +
         Encode128(Fnv1a64(natural_key, 0x5bd1e995), Fnv1a64(natural_key, 0x9e3779b97f4a7c15ULL));
}

bool IsWellFormedId(std::string_view prefix, std::string_view id) {
  if (id.size() != prefix.size() + 1 + 26) return false;
  if (id.substr(0, prefix.size()) != prefix || id[prefix.size()] != '_') return false;
  for (char c : id.substr(prefix.size() + 1)) {
    bool ok = (c >= '0' && c <= '9') ||
              (c >= 'A' && c <= 'Z' && c != 'I' && c != 'L' && c != 'O' && c != 'U');
    if (!ok) return false;
  }
  return true;
}

}  // namespace renkei::common
