// How values print, as Java's toString() prints them: booleans `true`, integers as Long,
// doubles as Double.toString (`1.0`, `1.5E10`), maps `{k=v, k2=v2}`, lists `[a, b]`, and a list
// read from JSON (List::json) as compact JSON, everything inside it JSON too.
#pragma once

#include <string>

#include "vtl/value.h"

namespace portcullis::vtl {

// Java's Double.toString.
std::string java_double(double d);

// Appends the printed form of `v` (null prints `null`, as inside a Java collection). Stops
// and answers false when the text would pass `max_size` bytes or nest deeper than 200
// collections (a map holding itself).
bool append_java(std::string& out, const Value& v, size_t max_size);

// The printed form, unbounded by size (for tests and embedders).
std::string to_java_string(const Value& v);

// Compact JSON text of `v` (maps as objects, lists as arrays, objects as JSON strings).
bool append_json(std::string& out, const Value& v, size_t max_size);

}  // namespace portcullis::vtl
