// The QR code of a survey letter's answer link, drawn as SVG (libqrencode computes the modules).
#include <qrencode.h>

#include <memory>
#include <string>

#include "resource_survey.h"

namespace renkei::directory {

std::string QrSvg(const std::string& text, int size_mm) {
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
  const std::string mm = std::to_string(size_mm) + "mm";
  return "<svg xmlns=\"http://www.w3.org/2000/svg\" role=\"img\" aria-label=\"回答用リンクの QR "
         "コード\" width=\"" +
         mm + "\" height=\"" + mm + "\" viewBox=\"0 0 " + std::to_string(total) + " " +
         std::to_string(total) +
         "\" shape-rendering=\"crispEdges\"><rect width=\"100%\" height=\"100%\" fill=\"#fff\"/>"
         "<path fill=\"#000\" d=\"" +
         path + "\"/></svg>";
}

}  // namespace renkei::directory
