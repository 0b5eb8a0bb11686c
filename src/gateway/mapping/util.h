// `$util` of mapping templates, and the string functions behind it (exposed for tests and for
// the invoke path). Java strings are UTF-16; these functions read our UTF-8 as Java would have
// decoded it (an invalid byte sequence stands for U+FFFD).
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "core/result.h"
#include "vtl/value.h"

namespace portcullis::gateway::mapping {

// Apache Commons Lang 2.x StringEscapeUtils.escapeJavaScript: ' " \ / escaped with a backslash,
// \b \n \t \f \r, other controls and everything past 0x7F as \uXXXX (upper-case hex, one per
// UTF-16 code unit, so an astral character is a surrogate pair). No surrounding quotes.
std::string escape_javascript(std::string_view s);

// java.net.URLEncoder.encode(s, "UTF-8"): A-Z a-z 0-9 . - * _ kept, space → '+', every other
// byte %XX with upper-case hex.
std::string url_encode(std::string_view s);

// java.net.URLDecoder.decode(s, "UTF-8"): '+' → space, %XX → byte, the bytes read as UTF-8. A
// '%' not followed by two hex digits is an Error, as Java throws.
Result<std::string> url_decode(std::string_view s);

// Standard Base64 (with padding) of the UTF-8 bytes.
std::string base64_encode_text(std::string_view s);
// Standard Base64, padding optional (java.util.Base64's basic decoder); the bytes read as UTF-8.
// Anything else (whitespace included) is an Error.
Result<std::string> base64_decode_text(std::string_view s);

// `s` with every invalid UTF-8 sequence replaced by U+FFFD, as Java's decoder does.
std::string sanitize_utf8(std::string_view s);

// The `$util` host object.
std::shared_ptr<vtl::Object> make_util();

}  // namespace portcullis::gateway::mapping
