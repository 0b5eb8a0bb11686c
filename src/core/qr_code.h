// QR codes (ISO/IEC 18004) for short texts: byte mode, error correction level L or M, the
// smallest version 1–40 that holds the text, and the mask of lowest penalty.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

namespace portcullis::qr {

enum class Ecc { kLow, kMedium };

struct Code {
  int version = 0;
  int size = 0;  // modules per side: 17 + 4 * version
  int mask = 0;
  std::vector<bool> modules;  // row-major, true = dark
  bool dark(int x, int y) const { return modules[static_cast<size_t>(y * size + x)]; }
};

// nullopt when the text does not fit in version 40.
std::optional<Code> encode(std::string_view bytes, Ecc ecc = Ecc::kMedium);

// Internals, for tests.
int data_codewords(int version, Ecc ecc);
std::vector<unsigned char> reed_solomon(const std::vector<unsigned char>& data, int ecc_len);
int format_bits(Ecc ecc, int mask);  // 15 bits, masked with 0x5412

}  // namespace portcullis::qr
