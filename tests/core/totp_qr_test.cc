// TOTP against RFC 6238's own test vectors (Appendix B), base32 against RFC 4648's (section 10),
// and the structure of QR codes and PNG files as the encoders write them.
#include <gtest/gtest.h>
#include <unistd.h>
#include <zlib.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "core/png.h"
#include "core/qr_code.h"
#include "core/totp.h"

namespace portcullis {
namespace {

using namespace std::chrono;

TEST(Totp, Rfc6238AppendixBSha1Vectors) {
  const std::string seed = "12345678901234567890";  // the SHA-1 key of Appendix B
  struct Vector {
    int64_t time;
    const char* code;
  };
  const Vector vectors[] = {{59, "94287082"},
                            {1111111109, "07081804"},
                            {1111111111, "14050471"},
                            {1234567890, "89005924"},
                            {2000000000, "69279037"}};
  for (const Vector& v : vectors) {
    int64_t step = totp::step_of(SystemTime(seconds(v.time)));
    EXPECT_EQ(step, v.time / 30);
    EXPECT_EQ(totp::code(seed, step, 8), v.code) << v.time;
  }
  // Past what system_clock holds in nanoseconds, the step itself.
  EXPECT_EQ(totp::code(seed, 20000000000 / 30, 8), "65353130");
  // Six digits are the last six of the eight.
  EXPECT_EQ(totp::code(seed, 1, 6), "287082");
}

TEST(Totp, MatchFindsTheStepWithinTheWindowOnly) {
  const std::string seed = "12345678901234567890";
  const int64_t now = 1000;
  EXPECT_EQ(totp::match(seed, totp::code(seed, now), now, 2), now);
  EXPECT_EQ(totp::match(seed, totp::code(seed, now - 2), now, 2), now - 2);
  EXPECT_EQ(totp::match(seed, totp::code(seed, now + 2), now, 2), now + 2);
  EXPECT_EQ(totp::match(seed, totp::code(seed, now + 3), now, 2), std::nullopt);
  EXPECT_EQ(totp::match(seed, "12345", now, 2), std::nullopt);
}

TEST(Base32, Rfc4648Vectors) {
  const std::pair<const char*, const char*> vectors[] = {{"", ""},
                                                         {"f", "MY"},
                                                         {"fo", "MZXQ"},
                                                         {"foo", "MZXW6"},
                                                         {"foob", "MZXW6YQ"},
                                                         {"fooba", "MZXW6YTB"},
                                                         {"foobar", "MZXW6YTBOI"}};
  for (const auto& [plain, encoded] : vectors) {
    EXPECT_EQ(totp::base32_encode(plain), encoded);
    EXPECT_EQ(totp::base32_decode(encoded), plain);
  }
  EXPECT_EQ(totp::base32_decode("mzxw6ytboi======"), "foobar");
  EXPECT_EQ(totp::base32_decode("MZXW6YTB0I"), std::nullopt);  // 0 is not in the alphabet
  // A 20-byte seed is 32 characters, without padding.
  EXPECT_EQ(totp::base32_encode(std::string(20, '\xff')).size(), 32u);
}

TEST(Qr, CapacitiesOfTheStandard) {
  EXPECT_EQ(qr::data_codewords(1, qr::Ecc::kMedium), 16);
  EXPECT_EQ(qr::data_codewords(1, qr::Ecc::kLow), 19);
  EXPECT_EQ(qr::data_codewords(5, qr::Ecc::kMedium), 86);
  EXPECT_EQ(qr::data_codewords(10, qr::Ecc::kMedium), 216);
  EXPECT_EQ(qr::data_codewords(40, qr::Ecc::kMedium), 2334);
  EXPECT_EQ(qr::data_codewords(40, qr::Ecc::kLow), 2956);
}

TEST(Qr, ReedSolomonOfTheIsoExample) {
  // ISO/IEC 18004, annex I: "01234567" in version 1-M.
  std::vector<unsigned char> data = {0x10, 0x20, 0x0C, 0x56, 0x61, 0x80, 0xEC, 0x11,
                                     0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11, 0xEC, 0x11};
  std::vector<unsigned char> expected = {0xA5, 0x24, 0xD4, 0xC1, 0xED,
                                         0x36, 0xC7, 0x87, 0x2C, 0x55};
  EXPECT_EQ(qr::reed_solomon(data, 10), expected);
}

TEST(Qr, FormatBits) {
  EXPECT_EQ(qr::format_bits(qr::Ecc::kMedium, 0), 0b101010000010010);
  EXPECT_EQ(qr::format_bits(qr::Ecc::kLow, 0), 0b111011111000100);
  EXPECT_EQ(qr::format_bits(qr::Ecc::kMedium, 5), 0b100000011001110);
}

// Reads the 15 format bits of one of the two copies.
int read_format(const qr::Code& c, bool second) {
  int bits = 0;
  auto put = [&](int i, bool d) { bits |= (d ? 1 : 0) << i; };
  if (!second) {
    for (int i = 0; i <= 5; ++i) put(i, c.dark(8, i));
    put(6, c.dark(8, 7));
    put(7, c.dark(8, 8));
    put(8, c.dark(7, 8));
    for (int i = 9; i < 15; ++i) put(i, c.dark(14 - i, 8));
  } else {
    for (int i = 0; i < 8; ++i) put(i, c.dark(c.size - 1 - i, 8));
    for (int i = 8; i < 15; ++i) put(i, c.dark(8, c.size - 15 + i));
  }
  return bits;
}

void expect_finder(const qr::Code& c, int x0, int y0) {
  for (int dy = 0; dy < 7; ++dy)
    for (int dx = 0; dx < 7; ++dx) {
      int ring = std::max(std::abs(dx - 3), std::abs(dy - 3));
      EXPECT_EQ(c.dark(x0 + dx, y0 + dy), ring != 2) << x0 << "," << y0 << " +" << dx << "," << dy;
    }
}

TEST(Qr, StructureOfASmallAndALargeCode) {
  for (size_t length : {10u, 100u, 300u}) {
    auto c = qr::encode(std::string(length, 'a'));
    ASSERT_TRUE(c);
    EXPECT_EQ(c->size, 17 + 4 * c->version);
    EXPECT_EQ(c->modules.size(), static_cast<size_t>(c->size * c->size));
    expect_finder(*c, 0, 0);
    expect_finder(*c, c->size - 7, 0);
    expect_finder(*c, 0, c->size - 7);
    for (int i = 8; i < c->size - 8; ++i) {
      EXPECT_EQ(c->dark(i, 6), i % 2 == 0);
      EXPECT_EQ(c->dark(6, i), i % 2 == 0);
    }
    EXPECT_TRUE(c->dark(8, c->size - 8));
    EXPECT_EQ(read_format(*c, false), qr::format_bits(qr::Ecc::kMedium, c->mask));
    EXPECT_EQ(read_format(*c, true), qr::format_bits(qr::Ecc::kMedium, c->mask));
  }
  EXPECT_EQ(qr::encode(std::string(10, 'a'))->version, 1);
  EXPECT_EQ(qr::encode(std::string(14, 'a'))->version, 1);  // 16 codewords: 2 + 14
  EXPECT_EQ(qr::encode(std::string(15, 'a'))->version, 2);
  EXPECT_FALSE(qr::encode(std::string(2332, 'a')));
}

// Decodes a PNG with zbarimg (Debian's zbar-tools, installed by scripts/bootstrap).
std::string zbar_decode(const std::string& png) {
  auto path = std::filesystem::temp_directory_path() /
              ("portcullis-qr-" + std::to_string(::getpid()) + ".png");
  std::ofstream(path, std::ios::binary) << png;
  std::string cmd = "zbarimg --quiet --raw '" + path.string() + "' 2>/dev/null";
  std::string out;
  if (FILE* p = ::popen(cmd.c_str(), "r")) {
    char buf[4096];
    size_t n;
    while ((n = std::fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
    ::pclose(p);
  }
  std::filesystem::remove(path);
  while (!out.empty() && out.back() == '\n') out.pop_back();
  return out;
}

TEST(Qr, ZbarDecodesEveryVersionAtBothLevels) {
  if (std::system("command -v zbarimg >/dev/null 2>&1") != 0)
    GTEST_FAIL() << "zbarimg is missing: run scripts/bootstrap (zbar-tools)";
  for (qr::Ecc ecc : {qr::Ecc::kLow, qr::Ecc::kMedium}) {
    int last_version = 0;
    for (size_t n = 1; n <= 2900; n = n * 5 / 4 + 1) {
      std::string text;
      for (size_t i = 0; i < n; ++i) text.push_back(static_cast<char>('!' + (i * 37 + n) % 90));
      auto c = qr::encode(text, ecc);
      if (!c) break;
      last_version = c->version;
      EXPECT_EQ(zbar_decode(png::of_qr(*c, 2, 4)), text) << n << " bytes, version " << c->version;
    }
    EXPECT_GE(last_version, 38);
  }
}

uint32_t be32(const std::string& s, size_t at) {
  return static_cast<uint32_t>(static_cast<unsigned char>(s[at])) << 24 |
         static_cast<uint32_t>(static_cast<unsigned char>(s[at + 1])) << 16 |
         static_cast<uint32_t>(static_cast<unsigned char>(s[at + 2])) << 8 |
         static_cast<unsigned char>(s[at + 3]);
}

TEST(Png, ChunksAndCrcs) {
  EXPECT_EQ(png::crc32("IEND"), 0xAE426082u);  // the CRC every PNG ends with
  auto c = qr::encode("otpauth://totp/x@000000000000?secret=AAAA");
  ASSERT_TRUE(c);
  std::string file = png::of_qr(*c, 4, 4);
  ASSERT_GT(file.size(), 8u + 25u + 12u + 12u);
  EXPECT_EQ(file.substr(0, 8), std::string("\x89PNG\r\n\x1a\n"));
  // Walk the chunks: each CRC covers type and data.
  size_t at = 8;
  std::vector<std::string> types;
  std::string idat;
  while (at < file.size()) {
    uint32_t len = be32(file, at);
    std::string type = file.substr(at + 4, 4);
    std::string data = file.substr(at + 8, len);
    EXPECT_EQ(be32(file, at + 8 + len), png::crc32(type + data)) << type;
    if (type == "IHDR") {
      ASSERT_EQ(len, 13u);
      const uint32_t side = static_cast<uint32_t>((c->size + 8) * 4);
      EXPECT_EQ(be32(data, 0), side);
      EXPECT_EQ(be32(data, 4), side);
      EXPECT_EQ(data.substr(8), std::string("\x08\x00\x00\x00\x00", 5));
    }
    if (type == "IDAT") idat += data;
    types.push_back(type);
    at += 12 + len;
  }
  EXPECT_EQ(at, file.size());
  EXPECT_EQ(types, (std::vector<std::string>{"IHDR", "IDAT", "IEND"}));
  // The scanlines: a filter byte then one byte per pixel; the quiet zone is white, the top-left
  // finder's corner black.
  const size_t side = static_cast<size_t>((c->size + 8) * 4);
  std::string raw(side * (side + 1), '\0');
  uLongf raw_len = raw.size();
  ASSERT_EQ(uncompress(reinterpret_cast<Bytef*>(raw.data()), &raw_len,
                       reinterpret_cast<const Bytef*>(idat.data()), idat.size()),
            Z_OK);
  ASSERT_EQ(raw_len, raw.size());
  EXPECT_EQ(raw[0], '\0');
  EXPECT_EQ(static_cast<unsigned char>(raw[1]), 255);
  const size_t corner = 16 * (side + 1) + 1 + 16;
  EXPECT_EQ(static_cast<unsigned char>(raw[corner]), 0);
}

}  // namespace
}  // namespace portcullis
