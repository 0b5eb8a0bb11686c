// Byte encodings used across the wire: hex, base64, and percent-encoding as SigV4 and
// form bodies define it.
#pragma once

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace portcullis {

std::string hex_encode(std::span<const unsigned char> bytes);
inline std::string hex_encode(std::string_view s) {
  return hex_encode({reinterpret_cast<const unsigned char*>(s.data()), s.size()});
}

// Decodes exactly out.size() bytes of hex (either case); false on any other input.
bool hex_decode(std::string_view hex, std::span<unsigned char> out);

std::string base64_encode(std::string_view bytes);
std::optional<std::string> base64_decode(std::string_view text);

// RFC 3986 percent-encoding as SigV4 wants it: every byte but A-Z a-z 0-9 - _ . ~ is
// encoded as %XX with upper-case hex; '/' is kept when keep_slash is set.
std::string uri_encode(std::string_view s, bool keep_slash = false);
void uri_encode_append(std::string& out, std::string_view s, bool keep_slash = false);

// Decodes %XX sequences; a '%' not followed by two hex digits is kept as is.
// With plus_is_space (application/x-www-form-urlencoded), '+' decodes to a space.
std::string percent_decode(std::string_view s, bool plus_is_space = false);

// Calls f(name, value) for each "name=value" of an application/x-www-form-urlencoded or URL
// query string, raw (still encoded); empty items are skipped, a missing '=' gives an empty value.
template <typename F>
void for_each_param(std::string_view query, F&& f) {
  size_t pos = 0;
  while (pos < query.size()) {
    size_t amp = query.find('&', pos);
    std::string_view item = query.substr(pos, amp == query.npos ? query.npos : amp - pos);
    pos = amp == query.npos ? query.size() : amp + 1;
    if (item.empty()) continue;
    size_t eq = item.find('=');
    f(item.substr(0, eq), eq == item.npos ? std::string_view() : item.substr(eq + 1));
  }
}

bool iequals(std::string_view a, std::string_view b);
std::string to_lower(std::string_view s);
std::string to_upper(std::string_view s);  // ASCII letters only
// The items of a comma-separated list, with spaces around them removed and empty ones dropped.
std::vector<std::string> split_list(std::string_view list);

}  // namespace portcullis
