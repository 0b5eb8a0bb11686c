#include "http/message.h"

#include "core/encoding.h"

namespace portcullis::http {

std::string_view Request::path() const {
  std::string_view t = target();
  return t.substr(0, t.find('?'));
}

std::string_view Request::query() const {
  std::string_view t = target();
  size_t q = t.find('?');
  return q == std::string_view::npos ? std::string_view() : t.substr(q + 1);
}

std::optional<std::string_view> Request::header(std::string_view name) const {
  for (const Field& f : fields_)
    if (iequals(view(f.name), name)) return view(f.value);
  return std::nullopt;
}

size_t Request::header_count(std::string_view name) const {
  size_t n = 0;
  for (const Field& f : fields_)
    if (iequals(view(f.name), name)) ++n;
  return n;
}

Request Request::make(std::string_view method, std::string_view target,
                      const std::vector<std::pair<std::string, std::string>>& fields,
                      std::string body) {
  Request r;
  auto add = [&r](std::string_view s) {
    Span span{static_cast<uint32_t>(r.head_.size()), static_cast<uint32_t>(s.size())};
    r.head_ += s;
    return span;
  };
  r.method_ = add(method);
  r.target_ = add(target);
  for (const auto& [name, value] : fields) {
    Field f;
    f.name = add(name);
    f.value = add(value);
    r.fields_.push_back(f);
  }
  r.body = std::move(body);
  return r;
}

void Response::set_header(std::string name, std::string value) {
  for (auto& [n, v] : headers) {
    if (iequals(n, name)) {
      v = std::move(value);
      return;
    }
  }
  headers.emplace_back(std::move(name), std::move(value));
}

const std::string* Response::find_header(std::string_view name) const {
  for (const auto& [n, v] : headers)
    if (iequals(n, name)) return &v;
  return nullptr;
}

std::string_view reason_phrase(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 202:
      return "Accepted";
    case 204:
      return "No Content";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 304:
      return "Not Modified";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 408:
      return "Request Timeout";
    case 409:
      return "Conflict";
    case 411:
      return "Length Required";
    case 413:
      return "Payload Too Large";
    case 415:
      return "Unsupported Media Type";
    case 429:
      return "Too Many Requests";
    case 431:
      return "Request Header Fields Too Large";
    case 500:
      return "Internal Server Error";
    case 501:
      return "Not Implemented";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    default:
      return "Unknown";
  }
}

}  // namespace portcullis::http
