#include "protocol/query.h"

#include "core/encoding.h"

namespace portcullis::protocol {

void QueryParams::add_form(std::string_view form, bool plus_is_space) {
  for_each_param(form, [&](std::string_view name, std::string_view value) {
    params_.emplace_back(percent_decode(name, plus_is_space), percent_decode(value, plus_is_space));
  });
}

QueryParams QueryParams::parse(std::string_view form) {
  QueryParams p;
  p.add_form(form, true);
  return p;
}

QueryParams QueryParams::from_request(const http::Request& r) {
  QueryParams p;
  // In the URL a '+' is itself, as SigV4 canonicalizes it (so it is covered by the signature);
  // in a form body it is a space.
  p.add_form(r.query(), false);
  auto ct = r.header("content-type");
  if (ct && to_lower(ct->substr(0, 33)) == "application/x-www-form-urlencoded")
    p.add_form(r.body, true);
  return p;
}

std::optional<std::string_view> QueryParams::get(std::string_view name) const {
  for (const auto& [n, v] : params_)
    if (n == name) return v;
  return std::nullopt;
}

}  // namespace portcullis::protocol
