#include "protocol/query.h"

#include "core/encoding.h"

namespace portcullis::protocol {

void QueryParams::add_form(std::string_view form) {
  size_t pos = 0;
  while (pos < form.size()) {
    size_t amp = form.find('&', pos);
    std::string_view item = form.substr(pos, amp == form.npos ? form.npos : amp - pos);
    pos = amp == form.npos ? form.size() : amp + 1;
    if (item.empty()) continue;
    size_t eq = item.find('=');
    params_.emplace_back(
        percent_decode(item.substr(0, eq), true),
        eq == item.npos ? std::string() : percent_decode(item.substr(eq + 1), true));
  }
}

QueryParams QueryParams::parse(std::string_view form) {
  QueryParams p;
  p.add_form(form);
  return p;
}

QueryParams QueryParams::from_request(const http::Request& r) {
  QueryParams p;
  p.add_form(r.query());
  auto ct = r.header("content-type");
  if (ct && ct->substr(0, 33) == "application/x-www-form-urlencoded") p.add_form(r.body);
  return p;
}

std::optional<std::string_view> QueryParams::get(std::string_view name) const {
  for (const auto& [n, v] : params_)
    if (n == name) return v;
  return std::nullopt;
}

}  // namespace portcullis::protocol
