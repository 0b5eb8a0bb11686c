#include "app/credentials_file.h"

#include <fstream>

namespace portcullis::app {

namespace {
std::string trim(std::string_view s) {
  size_t b = s.find_first_not_of(" \t\r"), e = s.find_last_not_of(" \t\r");
  return b == std::string_view::npos ? std::string() : std::string(s.substr(b, e - b + 1));
}
}  // namespace

std::optional<std::map<std::string, std::string>> read_profile(const std::string& path,
                                                               std::string_view profile) {
  std::ifstream in(path);
  if (!in) return std::nullopt;
  std::optional<std::map<std::string, std::string>> out;
  bool inside = false;
  std::string line;
  while (std::getline(in, line)) {
    std::string t = trim(line);
    if (t.empty() || t[0] == '#' || t[0] == ';') continue;
    if (t.front() == '[' && t.back() == ']') {
      inside = trim(std::string_view(t).substr(1, t.size() - 2)) == profile;
      if (inside && !out) out.emplace();
      continue;
    }
    size_t eq = t.find('=');
    if (!inside || eq == std::string::npos) continue;
    (*out)[trim(std::string_view(t).substr(0, eq))] = trim(std::string_view(t).substr(eq + 1));
  }
  return out;
}

}  // namespace portcullis::app
