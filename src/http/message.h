// HTTP/1.1 messages as the server hands them to handlers: a parsed request whose head is kept
// as one buffer with offsets into it, and a response the handler fills.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace portcullis::http {

class Request {
 public:
  struct Span {
    uint32_t pos = 0, len = 0;
  };
  struct Field {
    Span name, value;
  };

  std::string_view method() const { return view(method_); }
  std::string_view target() const { return view(target_); }  // raw, as on the request line
  std::string_view path() const;                             // raw, before '?'
  std::string_view query() const;                            // raw, after '?', may be empty
  int minor_version() const { return minor_version_; }

  size_t field_count() const { return fields_.size(); }
  std::string_view field_name(size_t i) const { return view(fields_[i].name); }
  std::string_view field_value(size_t i) const { return view(fields_[i].value); }
  // First field with this name (case-insensitive), if any.
  std::optional<std::string_view> header(std::string_view name) const;
  size_t header_count(std::string_view name) const;

  std::string body;
  std::string remote_address;
  std::string request_id;

  // Builds a request from parts, for tests and internal callers; fields are not validated.
  static Request make(std::string_view method, std::string_view target,
                      const std::vector<std::pair<std::string, std::string>>& fields,
                      std::string body = {});

 private:
  friend class RequestParser;
  std::string_view view(Span s) const { return std::string_view(head_).substr(s.pos, s.len); }
  std::string head_;
  Span method_, target_;
  int minor_version_ = 1;
  std::vector<Field> fields_;
};

struct Response {
  int status = 200;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // Not sent: who made the request, for the access log.
  std::string log_principal;

  void set_header(std::string name, std::string value);
  const std::string* find_header(std::string_view name) const;
};

std::string_view reason_phrase(int status);

}  // namespace portcullis::http
