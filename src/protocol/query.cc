#include "protocol/query.h"

#include "core/encoding.h"

namespace portcullis::protocol {

void QueryParams::add_form(std::string_view form) {
  for_each_param(form, [this](std::string_view name, std::string_view value) {
    params_.emplace_back(percent_decode(name, true), percent_decode(value, true));
  });
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
