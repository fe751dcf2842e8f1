#include "renkei/common/encoding.h"

#include <iconv.h>

#include <cerrno>

#include "absl/status/status.h"

namespace renkei::common {

absl::StatusOr<std::string> ShiftJisToUtf8(std::string_view sjis) {
  iconv_t cd = iconv_open("UTF-8", "CP932");
  // NOLINTNEXTLINE(performance-no-int-to-ptr): (iconv_t)-1 is iconv_open's failure value.
  if (cd == reinterpret_cast<iconv_t>(-1)) {
    return absl::InternalError("iconv: CP932 converter unavailable");
  }
  std::string out(sjis.size() * 3 / 2 + 16, '\0');
  char* in_ptr = const_cast<char*>(sjis.data());
  size_t in_left = sjis.size();
  size_t used = 0;
  absl::Status status;
  while (in_left > 0) {
    char* out_ptr = out.data() + used;
    size_t out_left = out.size() - used;
    size_t r = iconv(cd, &in_ptr, &in_left, &out_ptr, &out_left);
    used = out.size() - out_left;
    if (r != static_cast<size_t>(-1)) break;
    if (errno == E2BIG) {
      out.resize(out.size() * 2);
      continue;
    }
    status = absl::InvalidArgumentError(
        "Shift_JIS として読めないバイトがあります / not valid Shift_JIS at byte " +
        std::to_string(sjis.size() - in_left));
    break;
  }
  iconv_close(cd);
  if (!status.ok()) return status;
  out.resize(used);
  return out;
}

size_t ShiftJisCompletePrefix(std::string_view s) {
  size_t i = 0, last_complete = 0;
  while (i < s.size()) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    bool lead = (c >= 0x81 && c <= 0x9F) || (c >= 0xE0 && c <= 0xFC);
    if (lead) {
      if (i + 1 >= s.size()) break;
      i += 2;
    } else {
      i += 1;
    }
    last_complete = i;
  }
  return last_complete;
}

size_t Utf8CompletePrefix(std::string_view s) {
  // Walk back over at most 3 continuation bytes to the last lead byte.
  size_t n = s.size();
  size_t back = 0;
  while (back < 4 && back < n && (static_cast<unsigned char>(s[n - 1 - back]) & 0xC0) == 0x80) {
    ++back;
  }
  if (back == n) return n;  // only continuation bytes: let validation reject them
  unsigned char lead = static_cast<unsigned char>(s[n - 1 - back]);
  size_t need = lead < 0x80             ? 1
                : (lead & 0xE0) == 0xC0 ? 2
                : (lead & 0xF0) == 0xE0 ? 3
                : (lead & 0xF8) == 0xF0 ? 4
                                        : 1;
  if (back + 1 < need) return n - 1 - back;
  return n;
}

}  // namespace renkei::common
