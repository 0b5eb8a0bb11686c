// Time-based one-time passwords (RFC 6238 over RFC 4226's HOTP: HMAC-SHA1, 6 digits, 30-second
// steps) and the base32 alphabet (RFC 4648) their seeds travel in.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "core/clock.h"

namespace portcullis::totp {

inline constexpr int64_t kStepSeconds = 30;

// RFC 4648 base32, upper case, without padding (as authenticator apps expect it).
std::string base32_encode(std::string_view bytes);
// Accepts either case and optional '=' padding; nullopt for any other character.
std::optional<std::string> base32_decode(std::string_view text);

// The time step of `t`: floor(unix seconds / 30).
int64_t step_of(SystemTime t);
// HOTP(seed, counter) truncated to `digits` decimal digits, zero-padded.
std::string code(std::string_view seed, int64_t counter, int digits = 6);

// The step within [now - window, now + window] steps whose code is `code`, compared in
// constant time; nullopt when none matches.
std::optional<int64_t> match(std::string_view seed, std::string_view code, int64_t now_step,
                             int window);

}  // namespace portcullis::totp
