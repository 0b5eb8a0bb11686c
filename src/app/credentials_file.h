// Reads one profile of an INI file in the aws CLI's credentials-file format.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>

namespace portcullis::app {

// The key = value pairs of section [profile], or nothing when the file or section is missing.
std::optional<std::map<std::string, std::string>> read_profile(const std::string& path,
                                                               std::string_view profile);

}  // namespace portcullis::app
