#include "app/admin.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "app/credentials_file.h"
#include "core/crypto.h"
#include "core/encoding.h"
#include "core/ids.h"
#include "core/log.h"
#include "core/seal.h"

namespace portcullis::app {

namespace {

std::string file_path(const std::string& dir) { return dir + "/admin-credentials"; }

// The operator's choice, as other emulators accept it ("test", "FOOBARKEY"): 1–128 letters and
// digits. Keys Portcullis makes itself stay AWS-shaped (20 characters, AKIA…).
bool valid_key_id(std::string_view id) {
  if (id.empty() || id.size() > 128) return false;
  for (char c : id)
    if (!((c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z'))) return false;
  return true;
}

// 1–128 printable ASCII characters; not starting or ending with a space, which a credentials
// file would lose.
bool valid_secret(std::string_view secret) {
  if (secret.empty() || secret.size() > 128 || secret.front() == ' ' || secret.back() == ' ')
    return false;
  for (char c : secret)
    if (c < 0x20 || c > 0x7e) return false;
  return true;
}

constexpr size_t kAwsKeyIdLength = 20;
constexpr size_t kAwsSecretLength = 40;

std::optional<AdminCredentials> read_file(const std::string& path) {
  auto profile = read_profile(path, kAdminProfile);
  if (!profile) return std::nullopt;
  AdminCredentials c;
  c.access_key_id = (*profile)["aws_access_key_id"];
  c.secret_access_key = (*profile)["aws_secret_access_key"];
  c.user_id = (*profile)["portcullis_user_id"];
  if (c.access_key_id.empty() || c.secret_access_key.empty() || c.user_id.empty())
    return std::nullopt;
  return c;
}

// Written to a temporary file then renamed, so a crash never leaves half a file.
Status write_file(const std::string& path, const AdminCredentials& c) {
  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0)
    return fail(ErrorCode::kInternal, "cannot write " + tmp + ": " + std::strerror(errno));
  std::ostringstream s;
  s << "# The Portcullis administrator. Use with:\n"
    << "#   AWS_SHARED_CREDENTIALS_FILE=" << path << " aws --profile " << kAdminProfile << " ...\n"
    << "[" << kAdminProfile << "]\n"
    << "aws_access_key_id = " << c.access_key_id << "\n"
    << "aws_secret_access_key = " << c.secret_access_key << "\n"
    << "portcullis_user_id = " << c.user_id << "\n";
  std::string text = s.str();
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
            ::fsync(fd) == 0;
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0)
    return fail(ErrorCode::kInternal, "cannot write " + path + ": " + std::strerror(errno));
  return {};
}

}  // namespace

Status ensure_state_dir(const std::string& dir) {
  struct stat st;
  if (::stat(dir.c_str(), &st) == 0) {
    if (!S_ISDIR(st.st_mode)) return fail(ErrorCode::kValidationError, dir + " is not a directory");
    return {};
  }
  if (::mkdir(dir.c_str(), 0700) != 0)
    return fail(ErrorCode::kInternal, "cannot create " + dir + ": " + std::strerror(errno));
  return {};
}

Result<std::string> load_or_create_master_key(const std::string& dir) {
  if (const char* env = std::getenv("PORTCULLIS_MASTER_KEY")) {
    auto key = base64_decode(env);
    if (!key || key->size() != crypto::kSealKeyBytes)
      return fail(ErrorCode::kValidationError,
                  "PORTCULLIS_MASTER_KEY must be the base64 encoding of 32 bytes");
    return *key;
  }
  const std::string path = dir + "/master.key";
  std::ifstream in(path);
  if (in) {
    std::string text;
    std::getline(in, text);
    auto key = base64_decode(text);
    if (!key || key->size() != crypto::kSealKeyBytes)
      return fail(ErrorCode::kValidationError, path + " is not a valid master key");
    return *key;
  }
  std::string key = crypto::random_bytes(crypto::kSealKeyBytes);
  std::string tmp = path + ".tmp";
  int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd < 0)
    return fail(ErrorCode::kInternal, "cannot write " + tmp + ": " + std::strerror(errno));
  std::string text = base64_encode(key) + "\n";
  bool ok = ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
            ::fsync(fd) == 0;
  ::close(fd);
  if (!ok || ::rename(tmp.c_str(), path.c_str()) != 0)
    return fail(ErrorCode::kInternal, "cannot write " + path + ": " + std::strerror(errno));
  return key;
}

Result<AdminCredentials> load_or_create_admin(const std::string& dir) {
  const std::string path = file_path(dir);
  std::optional<AdminCredentials> existing = read_file(path);
  const char* env_id = std::getenv("PORTCULLIS_ADMIN_ACCESS_KEY_ID");
  const char* env_secret = std::getenv("PORTCULLIS_ADMIN_SECRET_ACCESS_KEY");
  if ((env_id == nullptr) != (env_secret == nullptr))
    return fail(ErrorCode::kValidationError,
                "set both PORTCULLIS_ADMIN_ACCESS_KEY_ID and PORTCULLIS_ADMIN_SECRET_ACCESS_KEY, "
                "or neither");
  AdminCredentials c;
  if (env_id) {
    if (!valid_key_id(env_id))
      return fail(ErrorCode::kValidationError,
                  "PORTCULLIS_ADMIN_ACCESS_KEY_ID must be 1 to 128 letters and digits");
    // ASIA… ids are temporary credentials, which come with a session token.
    if (std::string_view(env_id).starts_with("ASIA"))
      return fail(ErrorCode::kValidationError,
                  "PORTCULLIS_ADMIN_ACCESS_KEY_ID must not start with ASIA, which names "
                  "temporary credentials");
    if (!valid_secret(env_secret))
      return fail(ErrorCode::kValidationError,
                  "PORTCULLIS_ADMIN_SECRET_ACCESS_KEY must be 1 to 128 printable characters, "
                  "not starting or ending with a space");
    if (std::strlen(env_id) < kAwsKeyIdLength || std::strlen(env_secret) < kAwsSecretLength)
      log::warn("the configured administrator key is shorter than the keys AWS issues (" +
                std::to_string(kAwsKeyIdLength) + "-character ids, " +
                std::to_string(kAwsSecretLength) +
                "-character secrets): fine for local development, weak anywhere else");
    c.access_key_id = env_id;
    c.secret_access_key = env_secret;
    c.user_id = existing ? existing->user_id : ids::unique_id("AIDA");
    if (existing && existing->access_key_id == c.access_key_id &&
        existing->secret_access_key == c.secret_access_key)
      return c;
    if (existing) c.replaced_access_key_id = existing->access_key_id;
  } else if (existing) {
    return *existing;
  } else {
    c.access_key_id = ids::access_key_id("AKIA");
    c.secret_access_key = ids::secret_access_key();
    c.user_id = ids::unique_id("AIDA");
    c.generated = true;
  }
  PC_CHECK(write_file(path, c));
  return c;
}

}  // namespace portcullis::app
