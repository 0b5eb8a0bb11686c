// What the operations on a user's signing certificates, SSH public keys and service-specific
// credentials share, and DeleteUser's check that the user holds none of them.
#pragma once

#include <string>
#include <vector>

#include "iam/api/call.h"

namespace portcullis::iam::api {

// Rows of these tables are keyed "{UserId}/{id}": a user's rows are one prefix scan, and they
// stay the user's through a rename (responses name the user as it is now).
std::string user_row_key(const json::object& user, std::string_view id);
// The user named by UserName, or the calling user when the name may be omitted and is;
// authorized on the user's ARN, then required to exist. `max_name`: 128 where the model names
// the user with existingUserNameType (signing certificates), 64 elsewhere.
Result<json::object> credential_owner(Call& c, bool name_optional, size_t max_name = 64);
// The user's rows of `table`, in the order of their ids.
Result<std::vector<json::object>> user_rows(Call& c, std::string_view table,
                                            const json::object& user);
// The Status parameter: Active or Inactive.
Result<std::string> status_param(Call& c);
// A required id parameter (certificate, key or credential id): \w, min..128.
Result<std::string> id_param(Call& c, std::string_view name, size_t min);

// DeleteConflict while the user has signing certificates, SSH public keys or service-specific
// credentials.
Status check_no_user_credentials(Call& c, const json::object& user);

}  // namespace portcullis::iam::api
