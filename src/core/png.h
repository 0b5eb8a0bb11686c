// A minimal PNG writer (8-bit grayscale, one zlib-compressed IDAT), enough for the QR codes of
// virtual MFA devices.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "core/qr_code.h"

namespace portcullis::png {

// `pixels` is width × height bytes, row-major, 0 = black, 255 = white.
std::string grayscale(uint32_t width, uint32_t height, const std::vector<unsigned char>& pixels);

// The code, `scale` pixels per module, inside a quiet zone of `border` modules.
std::string of_qr(const qr::Code& code, int scale = 4, int border = 4);

uint32_t crc32(std::string_view bytes);

}  // namespace portcullis::png
