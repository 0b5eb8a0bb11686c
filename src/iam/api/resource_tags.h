// Tags on IAM resources that are not users or roles (instance profiles, identity providers):
// Tag…, Untag… and List…Tags written once, for a document found by a per-resource lookup.
#pragma once

#include <string>

#include "iam/api/call.h"

namespace portcullis::iam::api {

// A resource's document, where it is kept, found (and authorized) by a lookup.
struct Tagged {
  std::string table;
  std::string key;
  json::object doc;
};
using TaggedLookup = Result<Tagged> (*)(Call&);

// TagX: Tags.member.N (required, at most 50 in all), aws:RequestTag/* and aws:TagKeys set.
Status tag_resource(Call& c, TaggedLookup lookup);
// UntagX: TagKeys.member.N (required).
Status untag_resource(Call& c, TaggedLookup lookup);
// ListXTags: in the order the tags were added, Marker/MaxItems.
Status list_resource_tags(Call& c, TaggedLookup lookup);

}  // namespace portcullis::iam::api
