// The pieces of Signature Version 4 that signer and verifier share: canonical URI, query and
// headers, the canonical request, the string to sign and the signing key.
#pragma once

#include <span>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "core/crypto.h"

namespace portcullis::sigv4 {

inline constexpr std::string_view kAlgorithm = "AWS4-HMAC-SHA256";
inline constexpr std::string_view kTerminator = "aws4_request";
inline constexpr std::string_view kUnsignedPayload = "UNSIGNED-PAYLOAD";
inline constexpr std::string_view kEmptySha256 =
    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

// Removes "." and ".." segments and empty segments, keeping a trailing slash; "" becomes "/".
std::string normalize_path(std::string_view path);
// The canonical URI of a path: URI-encoded (keeping '/'), normalized first when asked. Applied
// to a path as sent on the wire, this is the double encoding non-S3 services use.
std::string canonical_uri(std::string_view path, bool normalize);
// The canonical query string of a raw query: each name and value decoded and re-encoded,
// sorted by name then value. A parameter named `exclude` is left out.
std::string canonical_query(std::string_view raw_query, std::string_view exclude = {});

// A header as the canonical request sees it: lower-case name, raw value.
using HeaderRef = std::pair<std::string_view, std::string_view>;

// "name:value\n" for every signed name (given lower-case, in order), values of repeated
// headers joined by ',' and each trimmed with inner runs of spaces collapsed.
std::string canonical_headers(std::span<const std::string_view> signed_names,
                              std::span<const HeaderRef> headers);

std::string canonical_request(std::string_view method, std::string_view canonical_uri,
                              std::string_view canonical_query, std::string_view canonical_headers,
                              std::string_view signed_headers, std::string_view payload_hash);

void append_canonical_request(std::string& out, std::string_view method,
                              std::string_view canonical_uri, std::string_view canonical_query,
                              std::string_view canonical_headers, std::string_view signed_headers,
                              std::string_view payload_hash);

std::string credential_scope(std::string_view date, std::string_view region,
                             std::string_view service);
std::string string_to_sign(std::string_view amz_date, std::string_view scope,
                           std::string_view canonical_request);

void append_string_to_sign(std::string& out, std::string_view amz_date, std::string_view scope,
                           std::string_view canonical_request);

crypto::Digest signing_key(std::string_view secret, std::string_view date, std::string_view region,
                           std::string_view service);
std::string signature(const crypto::Digest& key, std::string_view string_to_sign);

}  // namespace portcullis::sigv4
