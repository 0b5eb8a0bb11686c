// PNG (RFC 2083): the signature, IHDR, one IDAT holding the zlib stream of unfiltered
// scanlines, and IEND, each chunk with its CRC-32.
#include "core/png.h"

#include <zlib.h>

#include <cstdlib>

namespace portcullis::png {

namespace {

void put32(std::string& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8)
    out.push_back(static_cast<char>((v >> shift) & 0xff));
}

void chunk(std::string& out, std::string_view type, std::string_view data) {
  put32(out, static_cast<uint32_t>(data.size()));
  std::string body(type);
  body += data;
  out += body;
  put32(out, crc32(body));
}

}  // namespace

uint32_t crc32(std::string_view bytes) {
  return static_cast<uint32_t>(::crc32(::crc32(0L, Z_NULL, 0),
                                       reinterpret_cast<const Bytef*>(bytes.data()),
                                       static_cast<uInt>(bytes.size())));
}

std::string grayscale(uint32_t width, uint32_t height, const std::vector<unsigned char>& pixels) {
  std::string raw;
  raw.reserve(static_cast<size_t>(height) * (width + 1));
  for (uint32_t y = 0; y < height; ++y) {
    raw.push_back('\0');  // filter type: none
    raw.append(reinterpret_cast<const char*>(pixels.data()) + static_cast<size_t>(y) * width,
               width);
  }
  uLongf packed_len = compressBound(static_cast<uLong>(raw.size()));
  std::string packed(packed_len, '\0');
  if (compress2(reinterpret_cast<Bytef*>(packed.data()), &packed_len,
                reinterpret_cast<const Bytef*>(raw.data()), static_cast<uLong>(raw.size()),
                Z_BEST_COMPRESSION) != Z_OK)
    std::abort();  // only on a lack of memory
  packed.resize(packed_len);

  std::string out = "\x89PNG\r\n\x1a\n";
  std::string header;
  put32(header, width);
  put32(header, height);
  header += std::string("\x08\x00\x00\x00\x00", 5);  // depth 8, grayscale, deflate, no interlace
  chunk(out, "IHDR", header);
  chunk(out, "IDAT", packed);
  chunk(out, "IEND", "");
  return out;
}

std::string of_qr(const qr::Code& code, int scale, int border) {
  const int side = (code.size + 2 * border) * scale;
  std::vector<unsigned char> pixels(static_cast<size_t>(side) * static_cast<size_t>(side), 255);
  for (int y = 0; y < code.size; ++y)
    for (int x = 0; x < code.size; ++x) {
      if (!code.dark(x, y)) continue;
      for (int dy = 0; dy < scale; ++dy)
        for (int dx = 0; dx < scale; ++dx)
          pixels[static_cast<size_t>((border + y) * scale + dy) * static_cast<size_t>(side) +
                 static_cast<size_t>((border + x) * scale + dx)] = 0;
    }
  return grayscale(static_cast<uint32_t>(side), static_cast<uint32_t>(side), pixels);
}

}  // namespace portcullis::png
