// Logging: one JSON object per line on stderr (or a file), for the server's own messages and
// for the access log. Callers never pass secrets here.
#pragma once

#include <string>
#include <string_view>

namespace portcullis::log {

enum class Level { kDebug, kInfo, kWarn, kError, kOff };

bool parse_level(std::string_view name, Level& out);
void set_level(Level level);
Level level();
// Where lines go; stderr when never called. Returns false when the file cannot be opened.
bool set_output(const std::string& path);

void write(Level level, std::string_view message);
inline void debug(std::string_view m) { write(Level::kDebug, m); }
inline void info(std::string_view m) { write(Level::kInfo, m); }
inline void warn(std::string_view m) { write(Level::kWarn, m); }
inline void error(std::string_view m) { write(Level::kError, m); }

// Writes a complete JSON object (without the trailing newline) as one line, whatever the level.
void write_line(std::string_view json_object);

// Appends s to out as a JSON string literal, quotes included.
void append_json_string(std::string& out, std::string_view s);

}  // namespace portcullis::log
