#include "iam/identity.h"

namespace portcullis::iam {

void KeyDirectory::add(AccessKey key) {
  std::string id = key.access_key_id;
  keys_[std::move(id)] = std::move(key);
}

const AccessKey* KeyDirectory::find(std::string_view access_key_id) const {
  auto it = keys_.find(std::string(access_key_id));
  return it == keys_.end() ? nullptr : &it->second;
}

std::string user_arn(std::string_view account_id, std::string_view path, std::string_view name) {
  std::string arn = "arn:aws:iam::";
  arn += account_id;
  arn += ":user";
  arn += path.empty() ? std::string_view("/") : path;
  arn += name;
  return arn;
}

}  // namespace portcullis::iam
