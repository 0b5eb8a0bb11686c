// The QR encoder: byte-mode codewords, Reed-Solomon over GF(256) in interleaved blocks, function
// patterns, zigzag placement, and the mask of least penalty (ISO/IEC 18004, section 7.8.3).
#include "core/qr_code.h"

#include <algorithm>
#include <cstdlib>

namespace portcullis::qr {

namespace {

// Error correction codewords per block, and blocks, by level and version (ISO/IEC 18004,
// table 9). Index 0 is unused.
constexpr int kEccPerBlock[2][41] = {
    {-1, 7,  10, 15, 20, 26, 18, 20, 24, 30, 18, 20, 24, 26, 30, 22, 24, 28, 30, 28, 28,
     28, 28, 30, 30, 26, 28, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30, 30},
    {-1, 10, 16, 26, 18, 24, 16, 18, 22, 22, 26, 30, 22, 22, 24, 24, 28, 28, 26, 26, 26,
     26, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28, 28},
};
constexpr int kBlocks[2][41] = {
    {-1, 1, 1, 1,  1,  1,  2,  2,  2,  2,  4,  4,  4,  4,  4,  6,  6,  6,  6,  7, 8,
     8,  9, 9, 10, 12, 12, 12, 13, 14, 15, 16, 17, 18, 19, 19, 20, 21, 22, 24, 25},
    {-1, 1,  1,  1,  2,  2,  4,  4,  4,  5,  5,  5,  8,  9,  9,  10, 10, 11, 13, 14, 16,
     17, 17, 18, 20, 21, 23, 25, 26, 28, 29, 31, 33, 35, 37, 38, 40, 43, 45, 47, 49},
};

int level(Ecc e) { return e == Ecc::kLow ? 0 : 1; }

// Modules left for data and error correction once the function patterns are drawn.
int raw_modules(int version) {
  int n = (16 * version + 128) * version + 64;
  if (version >= 2) {
    int align = version / 7 + 2;
    n -= (25 * align - 10) * align - 55;
    if (version >= 7) n -= 36;
  }
  return n;
}

unsigned char gf_mul(unsigned char x, unsigned char y) {
  int z = 0;
  for (int i = 7; i >= 0; --i) {
    z = (z << 1) ^ ((z >> 7) * 0x11D);
    z ^= ((y >> i) & 1) * x;
  }
  return static_cast<unsigned char>(z);
}

std::vector<int> alignment_positions(int version) {
  if (version == 1) return {};
  int count = version / 7 + 2;
  int size = 17 + 4 * version;
  int step = (version * 8 + count * 3 + 5) / (count * 4 - 4) * 2;
  std::vector<int> out(static_cast<size_t>(count));
  out[0] = 6;
  for (int i = count - 1, pos = size - 7; i >= 1; --i, pos -= step)
    out[static_cast<size_t>(i)] = pos;
  return out;
}

struct Grid {
  int size;
  std::vector<bool> dark, function;
  explicit Grid(int s)
      : size(s), dark(static_cast<size_t>(s * s)), function(static_cast<size_t>(s * s)) {}
  size_t at(int x, int y) const { return static_cast<size_t>(y * size + x); }
  void set_function(int x, int y, bool d) {
    dark[at(x, y)] = d;
    function[at(x, y)] = true;
  }
};

void draw_finder(Grid& g, int cx, int cy) {
  for (int dy = -4; dy <= 4; ++dy)
    for (int dx = -4; dx <= 4; ++dx) {
      int x = cx + dx, y = cy + dy;
      if (x < 0 || y < 0 || x >= g.size || y >= g.size) continue;
      int dist = std::max(std::abs(dx), std::abs(dy));
      g.set_function(x, y, dist != 2 && dist != 4);
    }
}

void draw_format(Grid& g, int bits) {
  auto bit = [&](int i) { return ((bits >> i) & 1) != 0; };
  const int n = g.size;
  for (int i = 0; i <= 5; ++i) g.set_function(8, i, bit(i));
  g.set_function(8, 7, bit(6));
  g.set_function(8, 8, bit(7));
  g.set_function(7, 8, bit(8));
  for (int i = 9; i < 15; ++i) g.set_function(14 - i, 8, bit(i));
  for (int i = 0; i < 8; ++i) g.set_function(n - 1 - i, 8, bit(i));
  for (int i = 8; i < 15; ++i) g.set_function(8, n - 15 + i, bit(i));
  g.set_function(8, n - 8, true);  // the dark module
}

void draw_function_patterns(Grid& g, int version) {
  const int n = g.size;
  for (int i = 0; i < n; ++i) {
    g.set_function(6, i, i % 2 == 0);
    g.set_function(i, 6, i % 2 == 0);
  }
  draw_finder(g, 3, 3);
  draw_finder(g, n - 4, 3);
  draw_finder(g, 3, n - 4);
  std::vector<int> pos = alignment_positions(version);
  const size_t last = pos.empty() ? 0 : pos.size() - 1;
  for (size_t i = 0; i < pos.size(); ++i)
    for (size_t j = 0; j < pos.size(); ++j) {
      if ((i == 0 && j == 0) || (i == 0 && j == last) || (i == last && j == 0)) continue;
      for (int dy = -2; dy <= 2; ++dy)
        for (int dx = -2; dx <= 2; ++dx)
          g.set_function(pos[i] + dx, pos[j] + dy, std::max(std::abs(dx), std::abs(dy)) != 1);
    }
  draw_format(g, 0);  // reserves the area; drawn for real once the mask is chosen
  if (version >= 7) {
    int rem = version;
    for (int i = 0; i < 12; ++i) rem = (rem << 1) ^ ((rem >> 11) * 0x1F25);
    long bits = static_cast<long>(version) << 12 | rem;
    for (int i = 0; i < 18; ++i) {
      bool d = ((bits >> i) & 1) != 0;
      int a = n - 11 + i % 3, b = i / 3;
      g.set_function(a, b, d);
      g.set_function(b, a, d);
    }
  }
}

void draw_codewords(Grid& g, const std::vector<unsigned char>& data) {
  size_t i = 0;
  const int n = g.size;
  for (int right = n - 1; right >= 1; right -= 2) {
    if (right == 6) right = 5;  // the vertical timing pattern
    for (int vert = 0; vert < n; ++vert)
      for (int j = 0; j < 2; ++j) {
        int x = right - j;
        bool upward = ((right + 1) & 2) == 0;
        int y = upward ? n - 1 - vert : vert;
        if (!g.function[g.at(x, y)] && i < data.size() * 8) {
          g.dark[g.at(x, y)] = ((data[i >> 3] >> (7 - (i & 7))) & 1) != 0;
          ++i;
        }
      }
  }
}

bool mask_bit(int mask, int x, int y) {
  switch (mask) {
    case 0:
      return (x + y) % 2 == 0;
    case 1:
      return y % 2 == 0;
    case 2:
      return x % 3 == 0;
    case 3:
      return (x + y) % 3 == 0;
    case 4:
      return (x / 3 + y / 2) % 2 == 0;
    case 5:
      return x * y % 2 + x * y % 3 == 0;
    case 6:
      return (x * y % 2 + x * y % 3) % 2 == 0;
    default:
      return ((x + y) % 2 + x * y % 3) % 2 == 0;
  }
}

void apply_mask(Grid& g, int mask) {
  for (int y = 0; y < g.size; ++y)
    for (int x = 0; x < g.size; ++x)
      if (!g.function[g.at(x, y)] && mask_bit(mask, x, y)) g.dark[g.at(x, y)] = !g.dark[g.at(x, y)];
}

// The four penalty rules: runs, 2×2 blocks, finder-like patterns, and the dark/light balance.
long penalty(const Grid& g) {
  const int n = g.size;
  long score = 0;
  auto module = [&](int x, int y, bool by_row) {
    return by_row ? g.dark[g.at(x, y)] : g.dark[g.at(y, x)];
  };
  for (int by_row = 0; by_row < 2; ++by_row)
    for (int line = 0; line < n; ++line) {
      int run = 1;
      for (int i = 1; i <= n; ++i) {
        if (i < n && module(i, line, by_row) == module(i - 1, line, by_row)) {
          ++run;
          continue;
        }
        if (run >= 5) score += 3 + (run - 5);
        run = 1;
      }
      // 1:1:3:1:1 with four light modules on one side (outside the symbol counts as light).
      auto light = [&](int i) { return i < 0 || i >= n || !module(i, line, by_row); };
      static constexpr bool kPattern[7] = {true, false, true, true, true, false, true};
      for (int i = 0; i + 7 <= n; ++i) {
        bool ok = true;
        for (int k = 0; k < 7 && ok; ++k) ok = module(i + k, line, by_row) == kPattern[k];
        if (!ok) continue;
        bool before = light(i - 1) && light(i - 2) && light(i - 3) && light(i - 4);
        bool after = light(i + 7) && light(i + 8) && light(i + 9) && light(i + 10);
        if (before || after) score += 40;
      }
    }
  for (int y = 0; y + 1 < n; ++y)
    for (int x = 0; x + 1 < n; ++x) {
      bool c = g.dark[g.at(x, y)];
      if (c == g.dark[g.at(x + 1, y)] && c == g.dark[g.at(x, y + 1)] &&
          c == g.dark[g.at(x + 1, y + 1)])
        score += 3;
    }
  long dark = std::count(g.dark.begin(), g.dark.end(), true);
  long total = static_cast<long>(n) * n;
  long deviation = std::abs(dark * 100 - total * 50);  // in hundredths of a percent × total
  score += 10 * (deviation / (total * 5));
  return score;
}

}  // namespace

int data_codewords(int version, Ecc ecc) {
  return raw_modules(version) / 8 -
         kEccPerBlock[level(ecc)][version] * kBlocks[level(ecc)][version];
}

std::vector<unsigned char> reed_solomon(const std::vector<unsigned char>& data, int ecc_len) {
  const size_t degree = static_cast<size_t>(ecc_len);
  std::vector<unsigned char> divisor(degree, 0);
  divisor[degree - 1] = 1;
  unsigned char root = 1;
  for (size_t i = 0; i < degree; ++i) {
    for (size_t j = 0; j < degree; ++j) {
      divisor[j] = gf_mul(divisor[j], root);
      if (j + 1 < degree) divisor[j] ^= divisor[j + 1];
    }
    root = gf_mul(root, 0x02);
  }
  std::vector<unsigned char> rem(degree, 0);
  for (unsigned char b : data) {
    unsigned char factor = b ^ rem[0];
    rem.erase(rem.begin());
    rem.push_back(0);
    for (size_t i = 0; i < degree; ++i) rem[i] ^= gf_mul(divisor[i], factor);
  }
  return rem;
}

int format_bits(Ecc ecc, int mask) {
  int data = (ecc == Ecc::kLow ? 1 : 0) << 3 | mask;
  int rem = data;
  for (int i = 0; i < 10; ++i) rem = (rem << 1) ^ ((rem >> 9) * 0x537);
  return (data << 10 | rem) ^ 0x5412;
}

std::optional<Code> encode(std::string_view text, Ecc ecc) {
  int version = 0;
  for (int v = 1; v <= 40 && !version; ++v) {
    int count_bits = v <= 9 ? 8 : 16;
    if (text.size() < (1u << count_bits) &&
        4 + count_bits + 8 * static_cast<long>(text.size()) <= data_codewords(v, ecc) * 8L)
      version = v;
  }
  if (!version) return std::nullopt;

  // The bit stream: mode, count, bytes, terminator, padding to the capacity.
  std::vector<bool> bits;
  auto put = [&](unsigned long value, int n) {
    for (int i = n - 1; i >= 0; --i) bits.push_back(((value >> i) & 1) != 0);
  };
  put(0x4, 4);
  put(text.size(), version <= 9 ? 8 : 16);
  for (unsigned char c : text) put(c, 8);
  const size_t capacity = static_cast<size_t>(data_codewords(version, ecc)) * 8;
  put(0, static_cast<int>(std::min<size_t>(4, capacity - bits.size())));
  put(0, static_cast<int>((8 - bits.size() % 8) % 8));
  for (unsigned char pad = 0xEC; bits.size() < capacity; pad ^= 0xEC ^ 0x11) put(pad, 8);
  std::vector<unsigned char> data(bits.size() / 8, 0);
  for (size_t i = 0; i < bits.size(); ++i)
    if (bits[i]) data[i >> 3] |= static_cast<unsigned char>(1 << (7 - (i & 7)));

  // Blocks (the short ones first), each with its error correction, interleaved.
  const int blocks = kBlocks[level(ecc)][version];
  const int ecc_len = kEccPerBlock[level(ecc)][version];
  const int raw = raw_modules(version) / 8;
  const int short_blocks = blocks - raw % blocks;
  const int short_len = raw / blocks;
  std::vector<std::vector<unsigned char>> parts;
  size_t k = 0;
  for (int i = 0; i < blocks; ++i) {
    size_t len = static_cast<size_t>(short_len - ecc_len + (i < short_blocks ? 0 : 1));
    std::vector<unsigned char> block(data.begin() + static_cast<long>(k),
                                     data.begin() + static_cast<long>(k + len));
    k += len;
    std::vector<unsigned char> check = reed_solomon(block, ecc_len);
    if (i < short_blocks) block.push_back(0);  // a placeholder, skipped when interleaving
    block.insert(block.end(), check.begin(), check.end());
    parts.push_back(std::move(block));
  }
  std::vector<unsigned char> stream;
  for (size_t i = 0; i < parts[0].size(); ++i)
    for (size_t j = 0; j < parts.size(); ++j)
      if (i != static_cast<size_t>(short_len - ecc_len) || j >= static_cast<size_t>(short_blocks))
        stream.push_back(parts[j][i]);

  Grid base(17 + 4 * version);
  draw_function_patterns(base, version);
  draw_codewords(base, stream);
  int best_mask = 0;
  long best = -1;
  for (int mask = 0; mask < 8; ++mask) {
    Grid g = base;
    apply_mask(g, mask);
    draw_format(g, format_bits(ecc, mask));
    long p = penalty(g);
    if (best < 0 || p < best) {
      best = p;
      best_mask = mask;
    }
  }
  Grid g = base;
  apply_mask(g, best_mask);
  draw_format(g, format_bits(ecc, best_mask));
  Code out;
  out.version = version;
  out.size = g.size;
  out.mask = best_mask;
  out.modules = std::move(g.dark);
  return out;
}

}  // namespace portcullis::qr
