#include "sigv4/canonical.h"

#include <algorithm>

#include "core/encoding.h"

namespace portcullis::sigv4 {

std::string normalize_path(std::string_view path) {
  std::vector<std::string_view> segments;
  size_t pos = 0;
  while (pos < path.size()) {
    size_t slash = path.find('/', pos);
    std::string_view seg = path.substr(pos, slash == path.npos ? path.npos : slash - pos);
    if (seg == "..") {
      if (!segments.empty()) segments.pop_back();
    } else if (!seg.empty() && seg != ".") {
      segments.push_back(seg);
    }
    if (slash == path.npos) break;
    pos = slash + 1;
  }
  std::string out;
  out.reserve(path.size() + 1);
  for (std::string_view seg : segments) {
    out.push_back('/');
    out.append(seg);
  }
  bool trailing = !path.empty() && path.back() == '/';
  if (out.empty() || trailing) out.push_back('/');
  return out;
}

namespace {
// True when normalize_path would return the path unchanged.
bool already_normal(std::string_view p) {
  if (p.empty() || p[0] != '/') return false;
  if (p.find("//") != p.npos || p.find("/./") != p.npos || p.find("/../") != p.npos) return false;
  return !p.ends_with("/.") && !p.ends_with("/..");
}
}  // namespace

std::string canonical_uri(std::string_view path, bool normalize) {
  if (path.empty()) return "/";
  if (!normalize || already_normal(path)) return uri_encode(path, true);
  return uri_encode(normalize_path(path), true);
}

namespace {
bool plain_query(std::string_view q) {
  for (char c : q) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
              c == '-' || c == '_' || c == '.' || c == '~' || c == '=' || c == '&';
    if (!ok) return false;
  }
  return true;
}
}  // namespace

std::string canonical_query(std::string_view raw_query, std::string_view exclude) {
  if (raw_query.empty()) return {};
  // Parameters made only of unreserved characters are their own canonical form: no copies.
  const bool plain = plain_query(raw_query);
  thread_local std::vector<std::pair<std::string, std::string>> encoded;
  thread_local std::vector<std::pair<std::string_view, std::string_view>> items;
  encoded.clear();
  items.clear();
  for_each_param(raw_query, [&](std::string_view name, std::string_view value) {
    if (plain)
      items.emplace_back(name, value);
    else
      encoded.emplace_back(uri_encode(percent_decode(name)), uri_encode(percent_decode(value)));
  });
  for (const auto& [n, v] : encoded) items.emplace_back(n, v);
  if (!exclude.empty())
    std::erase_if(items, [&](const auto& item) { return item.first == exclude; });
  std::sort(items.begin(), items.end());
  std::string out;
  out.reserve(raw_query.size() + 8);
  for (const auto& [n, v] : items) {
    if (!out.empty()) out.push_back('&');
    out += n;
    out.push_back('=');
    out += v;
  }
  return out;
}

namespace {
void append_trimmed(std::string& out, std::string_view v) {
  size_t b = 0, e = v.size();
  while (b < e && (v[b] == ' ' || v[b] == '\t')) ++b;
  while (e > b && (v[e - 1] == ' ' || v[e - 1] == '\t')) --e;
  std::string_view t = v.substr(b, e - b);
  if (t.find("  ") == t.npos && t.find('\t') == t.npos) {
    out += t;  // nothing to collapse
    return;
  }
  bool space = false;
  for (size_t i = b; i < e; ++i) {
    char c = v[i];
    if (c == ' ' || c == '\t') {
      space = true;
      continue;
    }
    if (space) out.push_back(' ');
    space = false;
    out.push_back(c);
  }
}
}  // namespace

std::string canonical_headers(std::span<const std::string_view> signed_names,
                              std::span<const HeaderRef> headers) {
  std::string out;
  out.reserve(256);
  for (std::string_view name : signed_names) {
    out += name;
    out.push_back(':');
    bool first = true;
    for (const auto& [n, v] : headers) {
      if (!iequals(n, name)) continue;
      if (!first) out.push_back(',');
      first = false;
      append_trimmed(out, v);
    }
    out.push_back('\n');
  }
  return out;
}

void append_canonical_request(std::string& out, std::string_view method,
                              std::string_view canonical_uri, std::string_view canonical_query,
                              std::string_view canonical_headers, std::string_view signed_headers,
                              std::string_view payload_hash) {
  out.reserve(out.size() + method.size() + canonical_uri.size() + canonical_query.size() +
              canonical_headers.size() + signed_headers.size() + payload_hash.size() + 8);
  out += method;
  out += '\n';
  out += canonical_uri;
  out += '\n';
  out += canonical_query;
  out += '\n';
  out += canonical_headers;
  out += '\n';
  out += signed_headers;
  out += '\n';
  out += payload_hash;
}

std::string canonical_request(std::string_view method, std::string_view canonical_uri,
                              std::string_view canonical_query, std::string_view canonical_headers,
                              std::string_view signed_headers, std::string_view payload_hash) {
  std::string out;
  append_canonical_request(out, method, canonical_uri, canonical_query, canonical_headers,
                           signed_headers, payload_hash);
  return out;
}

std::string credential_scope(std::string_view date, std::string_view region,
                             std::string_view service) {
  std::string out;
  out.reserve(date.size() + region.size() + service.size() + kTerminator.size() + 3);
  out += date;
  out += '/';
  out += region;
  out += '/';
  out += service;
  out += '/';
  out += kTerminator;
  return out;
}

void append_string_to_sign(std::string& out, std::string_view amz_date, std::string_view scope,
                           std::string_view canonical_request) {
  out += kAlgorithm;
  out += '\n';
  out += amz_date;
  out += '\n';
  out += scope;
  out += '\n';
  crypto::Digest d = crypto::sha256(canonical_request);
  static constexpr char kHex[] = "0123456789abcdef";
  for (unsigned char c : d) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 0xf]);
  }
}

std::string string_to_sign(std::string_view amz_date, std::string_view scope,
                           std::string_view canonical_request) {
  std::string out;
  append_string_to_sign(out, amz_date, scope, canonical_request);
  return out;
}

crypto::Digest signing_key(std::string_view secret, std::string_view date, std::string_view region,
                           std::string_view service) {
  std::string k = "AWS4";
  k += secret;
  crypto::Digest d = crypto::hmac_sha256(k, date);
  crypto::secure_zero(k.data(), k.size());
  d = crypto::hmac_sha256(d, region);
  d = crypto::hmac_sha256(d, service);
  return crypto::hmac_sha256(d, kTerminator);
}

std::string signature(const crypto::Digest& key, std::string_view string_to_sign) {
  return hex_encode(crypto::hmac_sha256(key, string_to_sign));
}

}  // namespace portcullis::sigv4
