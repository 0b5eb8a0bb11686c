// A strict, incremental HTTP/1.1 request parser. It checks the framing itself (bare CR or LF,
// obs-fold, controls, Content-Length and Transfer-Encoding rules, header and body limits) so
// that nothing ambiguous ever reaches a handler or an upstream.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

#include "http/message.h"

namespace portcullis::http {

struct ParseLimits {
  size_t max_header_bytes = 10240;  // request line + header lines
  size_t max_headers = 100;
  size_t max_body_bytes = 10 * 1024 * 1024;
};

class RequestParser {
 public:
  enum class State { kNeedMore, kDone, kError };

  explicit RequestParser(ParseLimits limits = {}) : limits_(limits) {}

  // Consumes bytes of one request from data; `consumed` tells how many were used (the rest
  // belongs to the next, pipelined, request).
  State feed(std::string_view data, size_t& consumed);

  Request& request() { return request_; }
  bool keep_alive() const { return keep_alive_; }
  bool started() const { return started_; }
  int error_status() const { return error_status_; }
  const std::string& error_message() const { return error_message_; }

  void reset();

 private:
  enum class Phase {
    kHead,
    kBody,
    kChunkSize,
    kChunkSizeLf,
    kChunkData,
    kChunkDataCr,
    kChunkDataLf,
    kTrailerCr,
    kTrailerLf,
    kDone
  };
  State fail(int status, std::string message);
  State parse_head();
  // An absolute-form target's authority becomes the Host (added when absent).
  void use_authority(Request::Span authority, bool empty_path);
  State feed_chunked(std::string_view data, size_t& used);

  ParseLimits limits_;
  Request request_;
  Phase phase_ = Phase::kHead;
  bool started_ = false;
  bool keep_alive_ = true;
  size_t scanned_ = 0;       // bytes of head_ already checked for line endings
  bool pending_cr_ = false;  // a CR of an empty line before the request, awaiting its LF
  uint64_t body_left_ = 0;   // Content-Length bytes or current chunk bytes still expected
  uint64_t chunk_size_ = 0;
  int chunk_digits_ = 0;
  int error_status_ = 0;
  std::string error_message_;
};

}  // namespace portcullis::http
