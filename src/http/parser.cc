#include "http/parser.h"

#include "core/encoding.h"

namespace portcullis::http {

namespace {

bool is_tchar(unsigned char c) {
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
  switch (c) {
    case '!':
    case '#':
    case '$':
    case '%':
    case '&':
    case '\'':
    case '*':
    case '+':
    case '-':
    case '.':
    case '^':
    case '_':
    case '`':
    case '|':
    case '~':
      return true;
    default:
      return false;
  }
}

bool is_value_char(unsigned char c) { return c == '\t' || (c >= 0x20 && c != 0x7f); }
bool is_target_char(unsigned char c) { return c > 0x20 && c != 0x7f; }
// A URI authority without userinfo (RFC 3986 §3.2: an IP literal in brackets or a reg-name,
// then an optional port of digits); RFC 9110 §4.2.4 asks recipients to refuse userinfo in http
// URIs.
bool valid_authority(std::string_view a) {
  auto reg_name_char = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           std::string_view("-._~%!$&'()*+,;=").find(c) != std::string_view::npos;
  };
  size_t host_end;
  if (!a.empty() && a.front() == '[') {
    host_end = a.find(']');
    if (host_end == std::string_view::npos || host_end < 2) return false;
    for (char c : a.substr(1, host_end - 1))
      if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F') ||
            c == ':' || c == '.'))
        return false;
    ++host_end;
  } else {
    host_end = a.find(':');
    if (host_end == std::string_view::npos) host_end = a.size();
    if (host_end == 0) return false;
    for (char c : a.substr(0, host_end))
      if (!reg_name_char(c)) return false;
  }
  if (host_end == a.size()) return true;
  std::string_view port = a.substr(host_end);
  if (port.size() < 2 || port.size() > 6 || port.front() != ':') return false;
  for (char c : port.substr(1))
    if (c < '0' || c > '9') return false;
  return true;
}

struct AbsoluteForm {
  std::string_view authority;  // a view into the target
};
// "http://authority/path?query" (either scheme, in any case), or nothing for other forms.
std::optional<AbsoluteForm> absolute_form(std::string_view target) {
  size_t scheme = 0;
  if (target.size() >= 7 && iequals(target.substr(0, 7), "http://"))
    scheme = 7;
  else if (target.size() >= 8 && iequals(target.substr(0, 8), "https://"))
    scheme = 8;
  else
    return std::nullopt;
  std::string_view rest = target.substr(scheme);
  return AbsoluteForm{rest.substr(0, rest.find_first_of("/?"))};
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

bool contains_token(std::string_view list, std::string_view token) {
  size_t pos = 0;
  while (pos <= list.size()) {
    size_t comma = list.find(',', pos);
    std::string_view item =
        list.substr(pos, comma == std::string_view::npos ? list.npos : comma - pos);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    if (iequals(item, token)) return true;
    if (comma == std::string_view::npos) break;
    pos = comma + 1;
  }
  return false;
}

}  // namespace

void RequestParser::reset() {
  request_ = Request();
  phase_ = Phase::kHead;
  started_ = false;
  keep_alive_ = true;
  scanned_ = 0;
  pending_cr_ = false;
  body_left_ = 0;
  chunk_size_ = 0;
  chunk_digits_ = 0;
  error_status_ = 0;
  error_message_.clear();
}

RequestParser::State RequestParser::fail(int status, std::string message) {
  error_status_ = status;
  error_message_ = std::move(message);
  keep_alive_ = false;
  return State::kError;
}

RequestParser::State RequestParser::feed(std::string_view data, size_t& consumed) {
  consumed = 0;
  if (error_status_ != 0) return State::kError;
  if (!data.empty()) started_ = true;
  if (phase_ == Phase::kHead) {
    std::string& head = request_.head_;
    // Empty lines before a request are tolerated (RFC 9112 §2.2), even split across reads.
    while (head.empty() && consumed < data.size()) {
      char c = data[consumed];
      if (c == '\r' && !pending_cr_) {
        pending_cr_ = true;
      } else if (c == '\n' && pending_cr_) {
        pending_cr_ = false;
      } else {
        break;
      }
      ++consumed;
    }
    if (pending_cr_ && consumed < data.size()) return fail(400, "Bare CR in request head");
    if (consumed == data.size()) return State::kNeedMore;
    size_t room = limits_.max_header_bytes + 4 - head.size();
    std::string_view take = data.substr(consumed, std::min(room, data.size() - consumed));
    head.append(take);
    // Find the end of the head, checking every line ending on the way.
    size_t end = std::string::npos;
    size_t i = scanned_;
    for (; i < head.size(); ++i) {
      char c = head[i];
      if (c == '\r') {
        if (i + 1 == head.size()) break;  // resume here once the next byte arrives
        if (head[i + 1] != '\n') return fail(400, "Bare CR in request head");
      } else if (c == '\n') {
        if (i == 0 || head[i - 1] != '\r') return fail(400, "Bare LF in request head");
        if (i >= 3 && head[i - 2] == '\n' && head[i - 3] == '\r') {
          end = i + 1;
          break;
        }
      }
    }
    scanned_ = i;
    if (end == std::string::npos) {
      if (head.size() > limits_.max_header_bytes) return fail(431, "Request header too large");
      consumed += take.size();
      return State::kNeedMore;
    }
    if (end - 4 > limits_.max_header_bytes) return fail(431, "Request header too large");
    // Give back what follows the head.
    consumed += take.size() - (head.size() - end);
    head.resize(end);
    State s = parse_head();
    if (s != State::kNeedMore) return s;
  }
  std::string_view rest = data.substr(consumed);
  if (phase_ == Phase::kBody) {
    size_t n = static_cast<size_t>(std::min<uint64_t>(body_left_, rest.size()));
    request_.body.append(rest.substr(0, n));
    consumed += n;
    body_left_ -= n;
    if (body_left_ == 0) phase_ = Phase::kDone;
  } else if (phase_ != Phase::kDone) {
    size_t used = 0;
    State s = feed_chunked(rest, used);
    consumed += used;
    if (s == State::kError) return s;
  }
  return phase_ == Phase::kDone ? State::kDone : State::kNeedMore;
}

void RequestParser::use_authority(Request::Span authority, bool empty_path) {
  std::string& head = request_.head_;
  auto append = [&head](std::string_view text) {
    Request::Span s{static_cast<uint32_t>(head.size()), static_cast<uint32_t>(text.size())};
    head += text;
    return s;
  };
  if (empty_path) {
    // "http://host" and "http://host?q" ask for "/" and "/?q".
    std::string origin = "/" + std::string(request_.target());
    request_.target_ = append(origin);
  }
  for (Request::Field& f : request_.fields_)
    if (iequals(request_.view(f.name), "host")) {
      f.value = authority;
      return;
    }
  // HTTP/1.0 without Host: the authority is the only host there is.
  Request::Field f;
  f.name = append("Host");
  f.value = authority;
  request_.fields_.push_back(f);
}

RequestParser::State RequestParser::parse_head() {
  const std::string& head = request_.head_;
  auto span = [](size_t pos, size_t len) {
    return Request::Span{static_cast<uint32_t>(pos), static_cast<uint32_t>(len)};
  };
  // Request line: method SP target SP HTTP/1.x CRLF
  size_t line_end = head.find("\r\n");
  std::string_view line(head.data(), line_end);
  size_t sp1 = line.find(' ');
  if (sp1 == 0 || sp1 == std::string_view::npos) return fail(400, "Malformed request line");
  for (size_t i = 0; i < sp1; ++i)
    if (!is_tchar(static_cast<unsigned char>(line[i]))) return fail(400, "Malformed method");
  size_t sp2 = line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || sp2 == sp1 + 1) return fail(400, "Malformed request line");
  for (size_t i = sp1 + 1; i < sp2; ++i)
    if (!is_target_char(static_cast<unsigned char>(line[i])))
      return fail(400, "Malformed request target");
  std::string_view version = line.substr(sp2 + 1);
  if (version == "HTTP/1.1") {
    request_.minor_version_ = 1;
  } else if (version == "HTTP/1.0") {
    request_.minor_version_ = 0;
  } else {
    return fail(400, "Unsupported HTTP version");
  }
  request_.method_ = span(0, sp1);
  request_.target_ = span(sp1 + 1, sp2 - sp1 - 1);
  // The absolute form (RFC 9112 §3.2.2), which clients send through a proxy setting: its
  // authority takes the place of Host, and the handlers see the origin form that follows it.
  std::optional<Request::Span> authority;
  bool empty_path = false;
  if (auto form = absolute_form(line.substr(sp1 + 1, sp2 - sp1 - 1))) {
    if (!valid_authority(form->authority)) return fail(400, "Malformed request target");
    size_t at = static_cast<size_t>(form->authority.data() - head.data());
    authority = span(at, form->authority.size());
    size_t rest = at + form->authority.size();
    request_.target_ = span(rest, sp2 - rest);
    empty_path = rest == sp2 || line[rest] == '?';
  } else if (line[sp1 + 1] != '/' && !(sp2 - sp1 == 2 && line[sp1 + 1] == '*')) {
    return fail(400, "Malformed request target");
  }

  // Header fields.
  size_t pos = line_end + 2;
  while (pos < head.size() - 2) {
    size_t eol = head.find("\r\n", pos);
    std::string_view f(head.data() + pos, eol - pos);
    if (f.front() == ' ' || f.front() == '\t') return fail(400, "Obsolete line folding");
    size_t colon = f.find(':');
    if (colon == 0 || colon == std::string_view::npos) return fail(400, "Malformed header field");
    for (size_t i = 0; i < colon; ++i)
      if (!is_tchar(static_cast<unsigned char>(f[i])))
        return fail(400, "Invalid character in header name");
    size_t vb = colon + 1, ve = f.size();
    while (vb < ve && (f[vb] == ' ' || f[vb] == '\t')) ++vb;
    while (ve > vb && (f[ve - 1] == ' ' || f[ve - 1] == '\t')) --ve;
    for (size_t i = vb; i < ve; ++i)
      if (!is_value_char(static_cast<unsigned char>(f[i])))
        return fail(400, "Invalid character in header value");
    if (request_.fields_.size() == limits_.max_headers) return fail(400, "Too many header fields");
    request_.fields_.push_back({span(pos, colon), span(pos + vb, ve - vb)});
    pos = eol + 2;
  }

  // Framing.
  const bool http11 = request_.minor_version_ == 1;
  if (http11 && request_.header_count("host") != 1)
    return fail(400, "Exactly one Host header is required");
  if (request_.header_count("host") > 1) return fail(400, "Multiple Host headers");
  if (authority) use_authority(*authority, empty_path);
  if (auto up = request_.header("upgrade"); up && contains_token(*up, "h2c"))
    return fail(400, "Upgrade to h2c is not supported");
  size_t te_count = request_.header_count("transfer-encoding");
  size_t cl_count = request_.header_count("content-length");
  if (te_count > 0 && cl_count > 0)
    return fail(400, "Both Content-Length and Transfer-Encoding are present");
  if (cl_count > 1) return fail(400, "Multiple Content-Length headers");
  if (auto conn = request_.header("connection")) {
    if (contains_token(*conn, "close"))
      keep_alive_ = false;
    else if (!http11 && contains_token(*conn, "keep-alive"))
      keep_alive_ = true;
    else
      keep_alive_ = http11;
  } else {
    keep_alive_ = http11;
  }
  if (te_count > 0) {
    if (!http11) return fail(400, "Transfer-Encoding is not allowed in HTTP/1.0");
    if (te_count > 1 || !iequals(*request_.header("transfer-encoding"), "chunked"))
      return fail(400, "Unsupported Transfer-Encoding");
    phase_ = Phase::kChunkSize;
    return State::kNeedMore;
  }
  if (cl_count == 1) {
    std::string_view cl = *request_.header("content-length");
    if (cl.empty() || cl.size() > 15) return fail(400, "Malformed Content-Length");
    uint64_t n = 0;
    for (char c : cl) {
      if (c < '0' || c > '9') return fail(400, "Malformed Content-Length");
      n = n * 10 + static_cast<uint64_t>(c - '0');
    }
    if (n > limits_.max_body_bytes) return fail(413, "Request body too large");
    body_left_ = n;
    request_.body.reserve(static_cast<size_t>(n));
    phase_ = n == 0 ? Phase::kDone : Phase::kBody;
    return phase_ == Phase::kDone ? State::kDone : State::kNeedMore;
  }
  phase_ = Phase::kDone;
  return State::kDone;
}

RequestParser::State RequestParser::feed_chunked(std::string_view data, size_t& used) {
  size_t i = 0;
  while (i < data.size() && phase_ != Phase::kDone) {
    char c = data[i];
    switch (phase_) {
      case Phase::kChunkSize: {
        if (c == '\r') {
          if (chunk_digits_ == 0) return fail(400, "Malformed chunk size");
          phase_ = Phase::kChunkSizeLf;
        } else {
          int d = hex_digit(c);
          if (d < 0)
            return fail(400,
                        c == ';' ? "Chunk extensions are not supported" : "Malformed chunk size");
          if (++chunk_digits_ > 15) return fail(400, "Malformed chunk size");
          chunk_size_ = chunk_size_ * 16 + static_cast<uint64_t>(d);
        }
        ++i;
        break;
      }
      case Phase::kChunkSizeLf:
        if (c != '\n') return fail(400, "Malformed chunk size line");
        ++i;
        if (chunk_size_ == 0) {
          phase_ = Phase::kTrailerCr;
        } else {
          if (request_.body.size() + chunk_size_ > limits_.max_body_bytes)
            return fail(413, "Request body too large");
          body_left_ = chunk_size_;
          phase_ = Phase::kChunkData;
        }
        break;
      case Phase::kChunkData: {
        size_t n = static_cast<size_t>(std::min<uint64_t>(body_left_, data.size() - i));
        request_.body.append(data.substr(i, n));
        i += n;
        body_left_ -= n;
        if (body_left_ == 0) phase_ = Phase::kChunkDataCr;
        break;
      }
      case Phase::kChunkDataCr:
        if (c != '\r') return fail(400, "Malformed chunk data");
        phase_ = Phase::kChunkDataLf;
        ++i;
        break;
      case Phase::kChunkDataLf:
        if (c != '\n') return fail(400, "Malformed chunk data");
        phase_ = Phase::kChunkSize;
        chunk_size_ = 0;
        chunk_digits_ = 0;
        ++i;
        break;
      case Phase::kTrailerCr:
        if (c != '\r') return fail(400, "Chunked trailers are not supported");
        phase_ = Phase::kTrailerLf;
        ++i;
        break;
      case Phase::kTrailerLf:
        if (c != '\n') return fail(400, "Malformed last chunk");
        phase_ = Phase::kDone;
        ++i;
        break;
      default:
        return fail(400, "Parser state error");
    }
  }
  used = i;
  return phase_ == Phase::kDone ? State::kDone : State::kNeedMore;
}

}  // namespace portcullis::http
