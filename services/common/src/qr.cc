#include "renkei/common/qr.h"

#include <qrencode.h>

#include <memory>

#include "renkei/common/text.h"

namespace renkei::common {

std::string QrSvg(const std::string& text, const std::string& size, const std::string& aria_label) {
  std::unique_ptr<QRcode, void (*)(QRcode*)> code(
      QRcode_encodeString8bit(text.c_str(), 0, QR_ECLEVEL_M), QRcode_free);
  if (code == nullptr) return "";
  const int width = code->width;
  constexpr int kQuiet = 4;
  const int total = width + 2 * kQuiet;
  // One path of unit squares: small, and crisp at any print resolution.
  std::string path;
  for (int y = 0; y < width; ++y) {
    for (int x = 0; x < width; ++x) {
      if ((code->data[y * width + x] & 1) == 0) continue;
      path += "M" + std::to_string(x + kQuiet) + " " + std::to_string(y + kQuiet) + "h1v1h-1z";
    }
  }
  return "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-label=\"" +
         EscapeMarkup(aria_label) + "\" width=\"" + EscapeMarkup(size) + "\" height=\"" +
         EscapeMarkup(size) + "\" viewBox=\"0 0 " + std::to_string(total) + " " +
         std::to_string(total) +
         "\" shape-rendering=\"crispEdges\"><rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>"
         "<path fill=\"#000\" d=\"" +
         path + "\"/></svg>";
}

}  // namespace renkei::common
