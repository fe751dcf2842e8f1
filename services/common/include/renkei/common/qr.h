// QR codes drawn as SVG (libqrencode computes the modules): a survey letter's answer link, a
// second factor's enrollment key.
#pragma once

#include <string>

namespace renkei::common {

// `text` as a QR code (error correction M, a quiet zone of 4 modules) in an SVG image `size` wide
// and high (a CSS length: "35mm", "200px"), named `aria_label` for screen readers; "" when the
// text does not fit in a QR code.
std::string QrSvg(const std::string& text, const std::string& size, const std::string& aria_label);

}  // namespace renkei::common
