// Tags on instance profiles and identity providers, with the same validation, condition keys
// and messages as the tags on users and roles.
#include "iam/api/resource_tags.h"

namespace portcullis::iam::api {

Status tag_resource(Call& c, TaggedLookup lookup) {
  Tags tags = PC_TRY(tags_param(c.params));
  if (tags.empty())
    return fail(ErrorCode::kValidationError,
                "1 validation error detected: Value null at 'tags' failed to satisfy "
                "constraint: Member must not be null");
  add_request_tags(c.context, tags);
  Tagged t = PC_TRY(lookup(c));
  c.has_result = false;
  PC_CHECK(merge_tags(t.doc, tags));
  return save(c.txn, t.table, t.key, t.doc);
}

Status untag_resource(Call& c, TaggedLookup lookup) {
  std::vector<std::string> keys = list_param(c.params, "TagKeys");
  if (keys.empty())
    return fail(ErrorCode::kValidationError,
                "1 validation error detected: Value null at 'tagKeys' failed to satisfy "
                "constraint: Member must not be null");
  for (size_t i = 0; i < keys.size(); ++i)
    PC_CHECK(check(keys[i], kTagKey, "tagKeys." + std::to_string(i + 1) + ".member"));
  c.context.set_list("aws:TagKeys", keys);
  Tagged t = PC_TRY(lookup(c));
  c.has_result = false;
  json::value& tags = t.doc["Tags"];
  if (!tags.is_array()) tags.emplace_array();
  for (const std::string& key : keys)
    erase_where(tags.get_array(), [&](const json::value& v) {
      const json::object* o = v.if_object();
      return o && lower(str(*o, "Key")) == lower(key);
    });
  return save(c.txn, t.table, t.key, t.doc);
}

Status list_resource_tags(Call& c, TaggedLookup lookup) {
  Page page = PC_TRY(page_param(c.params));
  Tagged t = PC_TRY(lookup(c));
  std::vector<json::object> items;
  if (auto it = t.doc.find("Tags"); it != t.doc.end() && it->value().is_array())
    for (const json::value& v : it->value().get_array())
      if (const json::object* o = v.if_object()) items.push_back(*o);
  write_page(c.out, "Tags", page, items, nullptr, [&](const json::object& d) {
    write_fields(c.out, d, {"Key", "Value"});
  });
  return {};
}

}  // namespace portcullis::iam::api
