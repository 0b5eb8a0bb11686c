// Identifiers in AWS's formats: request ids (UUID v4), access key ids, unique ids, secrets.
#pragma once

#include <string>
#include <string_view>

namespace portcullis::ids {

std::string request_id();                            // 8-4-4-4-12 lower-case hex
std::string access_key_id(std::string_view prefix);  // prefix + 16 of [A-Z2-7], e.g. AKIA…
std::string unique_id(std::string_view prefix);      // prefix + 17 of [A-Z2-7], e.g. AIDA…
std::string secret_access_key();                     // 40 characters of [A-Za-z0-9+/]

}  // namespace portcullis::ids
