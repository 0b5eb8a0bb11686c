// Virtual MFA devices: a random seed sealed in the store and shown once (base32, QR code), enabled
// for a user with two consecutive TOTP codes, resynchronised, deactivated, tagged and deleted.
#include "core/crypto.h"
#include "core/encoding.h"
#include "core/png.h"
#include "core/qr_code.h"
#include "core/totp.h"
#include "iam/api/entity.h"
#include "iam/api/resource_tags.h"
#include "iam/credentials.h"

namespace portcullis::iam::api {

namespace {

bool serial_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("_+=/:,.@-").find(c) != std::string_view::npos;
}
bool name_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         std::string_view("_+=,.@-").find(c) != std::string_view::npos;
}
bool digit(char c) { return c >= '0' && c <= '9'; }
const Constraint kSerial{9, 256, "[\\w+=/:,.@-]+", serial_char};
// The model sets no maximum; 226 keeps the serial number (arn:aws:iam::<12 digits>:mfa/…)
// within its 256 characters.
const Constraint kDeviceName{1, 226, "[\\w+=,.@-]+", name_char};
const Constraint kExistingUserName{1, 128, "[\\w+=,.@-]+", name_char};
const Constraint kCode{6, 6, "[\\d]+", digit};
constexpr size_t kDevicesPerUser = 8;
constexpr int kResyncWindow = 20;  // ten minutes either side

struct Device {
  std::string serial, key;
  std::optional<json::object> doc;
};

Error no_device(std::string_view serial) {
  return Error{ErrorCode::kNoSuchEntity,
               "VirtualMFADevice with serial number " + std::string(serial) + " does not exist."};
}

// The device named by SerialNumber, authorized on its ARN, existing.
// A device by its exact serial. Devices are kept under the lower-case serial, so that names
// differing only in case clash, but are addressed exactly: policies match ARNs case-sensitively.
Result<std::optional<json::object>> load_device(store::Transaction& txn, std::string_view serial) {
  auto doc = PC_TRY(load(txn, kMfaDevices, mfa_key(serial)));
  if (doc && str(*doc, "SerialNumber") != serial) doc.reset();
  return doc;
}

Result<Device> existing_device(Call& c) {
  Device d;
  d.serial = PC_TRY(required(c.params, "SerialNumber", kSerial));
  d.key = mfa_key(d.serial);
  d.doc = PC_TRY(load_device(c.txn, d.serial));
  if (d.doc) add_resource_tags(c.context, *d.doc);
  PC_CHECK(c.authorize(d.serial));
  if (!d.doc) return std::unexpected(no_device(d.serial));
  return d;
}

// The user named by UserName (or the caller when `own` allows it), authorized and existing.
Result<json::object> device_user(Call& c, bool own) {
  std::string name;
  if (auto given = c.params.get("UserName")) {
    name = *given;
    PC_CHECK(check(name, kExistingUserName, "userName"));
  } else if (own && c.caller.principal->type == PrincipalType::kUser) {
    name = c.caller.principal->name;
  } else if (own) {
    return fail(ErrorCode::kValidationError,
                "Must specify userName when calling with non-User credentials");
  } else {
    name = PC_TRY(required(c.params, "UserName", kExistingUserName));
  }
  auto doc = PC_TRY(load(c.txn, kUsers, lower(name)));
  PC_CHECK(c.authorize(doc ? std::string(str(*doc, "Arn"))
                           : entity_arn(c.account(), "user", "/", name)));
  if (!doc)
    return fail(ErrorCode::kNoSuchEntity, "The user with name " + name + " cannot be found.");
  return std::move(*doc);
}

bool assigned_to(const json::object& device, const json::object& user) {
  std::string_view owner = str(device, "UserName");
  return !owner.empty() && lower(owner) == lower(str(user, "UserName"));
}

// The two codes of EnableMFADevice and ResyncMFADevice, checked against the device's seed.
Result<int64_t> two_codes(Call& c, const json::object& device, int window, int64_t drift) {
  std::string code1 = PC_TRY(required(c.params, "AuthenticationCode1", kCode));
  std::string code2 = PC_TRY(required(c.params, "AuthenticationCode2", kCode));
  std::string seed = PC_TRY(open_mfa_seed(c.service.master_key(), device));
  auto step = consecutive_codes(seed, code1, code2, totp::step_of(c.now) + drift, window);
  crypto::secure_zero(seed.data(), seed.size());
  if (!step)
    return fail(ErrorCode::kInvalidAuthenticationCode,
                "Authentication code for device is not valid.");
  return *step;
}

Status create_device(Call& c) {
  std::string name = PC_TRY(required(c.params, "VirtualMFADeviceName", kDeviceName));
  std::string path = PC_TRY(optional(c.params, "Path", kPath)).value_or("/");
  Tags tags = PC_TRY(tags_param(c.params));
  const std::string serial = "arn:aws:iam::" + c.account() + ":mfa" + path + name;
  if (serial.size() > kSerial.max)
    return fail(ErrorCode::kInvalidInput,
                "The serial number of the MFA device would be longer "
                "than 256 characters.");
  // A path may hold characters a serial number may not; such a device could never be named again.
  PC_CHECK(check(serial, kSerial, "path"));
  if (!tags.empty()) add_request_tags(c.context, tags);
  PC_CHECK(c.authorize(serial));
  if (!tags.empty()) PC_CHECK(c.authorize_also("iam:TagMFADevice", serial));
  const std::string key = mfa_key(serial);
  if (PC_TRY(load(c.txn, kMfaDevices, key)))
    return fail(ErrorCode::kEntityAlreadyExists,
                "MFADevice entity at the same path and name already exists.");
  std::string seed = crypto::random_bytes(20);
  std::string base32 = totp::base32_encode(seed);
  json::object doc{{"SerialNumber", serial},
                   {"Path", path},
                   {"VirtualMFADeviceName", name},
                   {"CreateDate", iso_now(c)},
                   {"SeedSealed", seal_mfa_seed(c.service.master_key(), key, seed)}};
  crypto::secure_zero(seed.data(), seed.size());
  if (!tags.empty()) doc["Tags"] = tags_json(tags);
  PC_CHECK(save(c.txn, kMfaDevices, key, doc));
  // No user is assigned yet, so the account name is the account id (the model's rule).
  std::string uri = "otpauth://totp/" + uri_encode(name) + "@" + c.account() + "?secret=" + base32 +
                    "&issuer=Portcullis";
  auto code = qr::encode(uri, qr::Ecc::kMedium);
  if (!code) return fail(ErrorCode::kInternal, "the MFA QR code does not fit");
  c.out.open("VirtualMFADevice");
  c.out.element("SerialNumber", serial);
  c.out.element("Base32StringSeed", base64_encode(base32));
  c.out.element("QRCodePNG", base64_encode(png::of_qr(*code)));
  write_fields(c.out, doc, {"Tags"});
  c.out.close();
  crypto::secure_zero(base32.data(), base32.size());
  crypto::secure_zero(uri.data(), uri.size());
  return {};
}

Status enable_device(Call& c) {
  PC_CHECK(required(c.params, "AuthenticationCode1", kCode));
  PC_CHECK(required(c.params, "AuthenticationCode2", kCode));
  std::string serial = PC_TRY(required(c.params, "SerialNumber", kSerial));
  json::object user = PC_TRY(device_user(c, false));
  c.has_result = false;
  auto device = PC_TRY(load_device(c.txn, serial));
  if (!device) return std::unexpected(no_device(serial));
  if (!str(*device, "UserName").empty())
    return fail(ErrorCode::kEntityAlreadyExists, "MFA Device is already in use.");
  size_t count = 0;
  for (const json::object& d : PC_TRY(rows_of(c.txn, kMfaDevices))) count += assigned_to(d, user);
  if (count >= kDevicesPerUser)
    return fail(ErrorCode::kLimitExceeded,
                "Cannot exceed quota for MFADevicesPerUser: " + std::to_string(kDevicesPerUser));
  int64_t step = PC_TRY(two_codes(c, *device, kMfaWindow, 0));
  (*device)["UserName"] = str(user, "UserName");
  (*device)["EnableDate"] = iso_now(c);
  (*device)["LastStep"] = step;
  (*device)["Drift"] = 0;
  return save(c.txn, kMfaDevices, mfa_key(serial), *device);
}

// The device named by SerialNumber, which must be enabled for the user named by UserName.
Result<Device> users_device(Call& c) {
  std::string serial = PC_TRY(required(c.params, "SerialNumber", kSerial));
  json::object user = PC_TRY(device_user(c, false));
  Device d{serial, mfa_key(serial), PC_TRY(load_device(c.txn, serial))};
  if (!d.doc) return std::unexpected(no_device(serial));
  if (!assigned_to(*d.doc, user))
    return fail(ErrorCode::kNoSuchEntity, "MFA Device invalid for user.");
  return d;
}

Status deactivate_device(Call& c) {
  Device d = PC_TRY(users_device(c));
  c.has_result = false;
  for (std::string_view f : {"UserName", "EnableDate", "LastStep", "Drift"}) d.doc->erase(f);
  return save(c.txn, kMfaDevices, d.key, *d.doc);
}

Status resync_device(Call& c) {
  PC_CHECK(required(c.params, "AuthenticationCode1", kCode));
  PC_CHECK(required(c.params, "AuthenticationCode2", kCode));
  Device d = PC_TRY(users_device(c));
  c.has_result = false;
  // A wider window than sign-in's, around the server's own time: the device's clock drifted.
  int64_t step = PC_TRY(two_codes(c, *d.doc, kResyncWindow, 0));
  // Never backwards: codes already spent stay spent.
  auto last = d.doc->find("LastStep");
  if (last == d.doc->end() || !last->value().is_int64() || last->value().get_int64() < step)
    (*d.doc)["LastStep"] = step;
  (*d.doc)["Drift"] = step - totp::step_of(c.now);
  return save(c.txn, kMfaDevices, d.key, *d.doc);
}

Status delete_device(Call& c) {
  Device d = PC_TRY(existing_device(c));
  c.has_result = false;
  if (!str(*d.doc, "UserName").empty())
    return fail(ErrorCode::kDeleteConflict, "MFA VirtualDevice in use. Must deactivate first.");
  return c.txn.erase(kMfaDevices, d.key);
}

Status list_mfa_devices(Call& c) {
  Page page = PC_TRY(page_param(c.params));
  json::object user = PC_TRY(device_user(c, true));
  std::vector<json::object> items;
  for (json::object& d : PC_TRY(rows_of(c.txn, kMfaDevices)))
    if (assigned_to(d, user)) items.push_back(std::move(d));
  write_page(
      c.out, "MFADevices", page, items,
      [](const json::object& d) { return std::string(str(d, "SerialNumber")); },
      [&](const json::object& d) {
        write_fields(c.out, d, {"UserName", "SerialNumber", "EnableDate"});
      });
  return {};
}

Status list_virtual_devices(Call& c) {
  auto status = c.params.get("AssignmentStatus");
  if (status && *status != "Assigned" && *status != "Unassigned" && *status != "Any")
    return fail(ErrorCode::kValidationError,
                "1 validation error detected: Value '" + std::string(*status) +
                    "' at 'assignmentStatus' failed to satisfy constraint: Member must satisfy "
                    "enum value set: [Assigned, Unassigned, Any]");
  Page page = PC_TRY(page_param(c.params));
  PC_CHECK(c.authorize("*"));
  std::vector<json::object> items;
  for (json::object& d : PC_TRY(rows_of(c.txn, kMfaDevices))) {
    bool assigned = !str(d, "UserName").empty();
    if (status && ((*status == "Assigned" && !assigned) || (*status == "Unassigned" && assigned)))
      continue;
    items.push_back(std::move(d));
  }
  write_page(
      c.out, "VirtualMFADevices", page, items,
      [](const json::object& d) { return std::string(str(d, "SerialNumber")); },
      [&](const json::object& d) {
        c.out.element("SerialNumber", str(d, "SerialNumber"));
        if (!str(d, "UserName").empty()) {
          auto user = load(c.txn, kUsers, lower(str(d, "UserName")));
          if (user && *user) {
            c.out.open("User");
            write_fields(c.out, **user, {"Path", "UserName", "UserId", "Arn", "CreateDate"});
            c.out.close();
          }
        }
        write_fields(c.out, d, {"EnableDate", "Tags"});
      });
  return {};
}

Result<Tagged> device_tagged(Call& c) {
  Device d = PC_TRY(existing_device(c));
  return Tagged{std::string(kMfaDevices), std::move(d.key), std::move(*d.doc)};
}
Status tag_device(Call& c) { return tag_resource(c, device_tagged); }
Status untag_device(Call& c) { return untag_resource(c, device_tagged); }
Status list_device_tags(Call& c) { return list_resource_tags(c, device_tagged); }

constexpr Op kOps[] = {
    {"CreateVirtualMFADevice", true, create_device},
    {"EnableMFADevice", true, enable_device},
    {"DeactivateMFADevice", true, deactivate_device},
    {"ResyncMFADevice", true, resync_device},
    {"DeleteVirtualMFADevice", true, delete_device},
    {"ListMFADevices", false, list_mfa_devices},
    {"ListVirtualMFADevices", false, list_virtual_devices},
    {"TagMFADevice", true, tag_device},
    {"UntagMFADevice", true, untag_device},
    {"ListMFADeviceTags", false, list_device_tags},
};

}  // namespace

std::span<const Op> mfa_ops() { return kOps; }

}  // namespace portcullis::iam::api
