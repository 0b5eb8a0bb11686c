// Query-protocol requests (IAM, STS): parameters from the form body and the URL query.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/message.h"

namespace portcullis::protocol {

class QueryParams {
 public:
  static QueryParams from_request(const http::Request& request);
  static QueryParams parse(std::string_view form);  // application/x-www-form-urlencoded

  std::optional<std::string_view> get(std::string_view name) const;
  const std::vector<std::pair<std::string, std::string>>& all() const { return params_; }

 private:
  void add_form(std::string_view form, bool plus_is_space);
  std::vector<std::pair<std::string, std::string>> params_;
};

}  // namespace portcullis::protocol
