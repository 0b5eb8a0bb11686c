// Glob matching as IAM does it: '*' matches any run of characters, '?' any one character.
// Matches without allocating; ARN patterns are matched segment by segment.
#pragma once

#include <string_view>

namespace portcullis::iam {

// With `escapes`, a backslash makes the next pattern character literal (used for patterns built
// by substituting policy variables, whose values never act as wildcards).
// Compares two UTF-8 strings regardless of case (simple folding of Latin, Greek, Cyrillic).
bool equals_ignore_case(std::string_view a, std::string_view b);

// '*' and '?' stand for code points, not bytes.
bool wildcard_match(std::string_view pattern, std::string_view text, bool ignore_case = false,
                    bool escapes = false);

// Matches an ARN pattern against an ARN: partition, service, region and account are matched
// each on its own (a '*' there never reaches into the next segment); the resource part, which
// may contain ':' and '/', is matched as a whole. The pattern "*" matches everything.
// With `prefix_ignore_case` (the Resource element), the first five segments are compared
// regardless of case; condition operators compare them exactly.
bool arn_match(std::string_view pattern, std::string_view arn, bool escapes = false,
               bool prefix_ignore_case = true);

}  // namespace portcullis::iam
