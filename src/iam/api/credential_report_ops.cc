// The credential report: generated from the store by GenerateCredentialReport (a new one when
// there is none or it is four hours old, as AWS), read back as AWS's CSV by GetCredentialReport.
#include <algorithm>

#include "core/encoding.h"
#include "iam/api/entity.h"

namespace portcullis::iam::api {

namespace {

constexpr std::string_view kAccount = "iam.account";  // key "credentialreport"
constexpr std::string_view kReportKey = "credentialreport";
// What the other IAM operations keep and the report reads.

constexpr auto kReportLifetime = std::chrono::hours(4);

constexpr std::string_view kHeader =
    "user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,"
    "password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,"
    "access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,"
    "access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,"
    "access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,"
    "cert_1_last_rotated,cert_2_active,cert_2_last_rotated";

// The report writes times as 2014-10-21T15:03:48+00:00.
std::string report_time(std::string_view iso) {
  if (iso.empty()) return "N/A";
  std::string out(iso);
  if (out.ends_with('Z')) out.replace(out.size() - 1, 1, "+00:00");
  return out;
}

// The user a document of another table belongs to ("UserName", or "User": {"UserName"}).
std::string owner_of(const json::object& d) {
  std::string_view name = str(d, "UserName");
  if (name.empty())
    if (auto it = d.find("User"); it != d.end() && it->value().is_object())
      name = str(it->value().get_object(), "UserName");
  return lower(name);
}

std::string_view yes(bool b) { return b ? "true" : "false"; }

Result<std::string> build_report(Call& c) {
  std::vector<json::object> users = PC_TRY(rows_of(c.txn, kUsers));
  std::sort(users.begin(), users.end(), [](const json::object& a, const json::object& b) {
    return lower(str(a, "UserName")) < lower(str(b, "UserName"));
  });
  std::vector<json::object> keys = PC_TRY(rows_of(c.txn, kKeys));
  std::sort(keys.begin(), keys.end(), [](const json::object& a, const json::object& b) {
    return std::pair(str(a, "CreateDate"), str(a, "AccessKeyId")) <
           std::pair(str(b, "CreateDate"), str(b, "AccessKeyId"));
  });
  std::vector<json::object> logins = PC_TRY(rows_of(c.txn, kLoginProfiles));
  std::vector<json::object> devices = PC_TRY(rows_of(c.txn, kMfaDevices));
  std::vector<json::object> certs = PC_TRY(rows_of(c.txn, kSigningCertificates));
  std::sort(certs.begin(), certs.end(), [](const json::object& a, const json::object& b) {
    return str(a, "UploadDate") < str(b, "UploadDate");
  });

  // The account's creation: its first user's (the administrator made on first start).
  std::string created;
  for (const json::object& u : users)
    if (created.empty() || str(u, "CreateDate") < created) created = str(u, "CreateDate");
  if (created.empty()) created = iso_now(c);

  std::string csv(kHeader);
  csv += "\n<root_account>,arn:aws:iam::" + c.account() + ":root," + report_time(created) +
         ",not_supported,N/A,not_supported,not_supported,false,false,N/A,N/A,N/A,N/A,false,N/A,"
         "N/A,N/A,N/A,false,N/A,false,N/A";
  for (const json::object& u : users) {
    const std::string name = lower(str(u, "UserName"));
    const json::object* login = nullptr;
    for (const json::object& l : logins)
      if (owner_of(l) == name) login = &l;
    bool mfa = false;
    for (const json::object& d : devices) mfa = mfa || owner_of(d) == name;
    std::vector<std::string> row = {std::string(str(u, "UserName")), std::string(str(u, "Arn")),
                                    report_time(str(u, "CreateDate"))};
    row.emplace_back(yes(login));
    if (!login) {
      row.insert(row.end(), {"N/A", "N/A", "N/A"});
    } else {
      std::string_view used = str(u, "PasswordLastUsed");
      row.push_back(used.empty() ? "no_information" : report_time(used));
      std::string_view changed = str(*login, "PasswordLastChanged");
      row.push_back(report_time(changed.empty() ? str(*login, "CreateDate") : changed));
      row.push_back("N/A");  // no rotation is ever due: a password policy's age is not applied
    }
    row.emplace_back(yes(mfa));
    size_t n = 0;
    for (const json::object& k : keys) {
      if (lower(str(k, "UserName")) != name || n == 2) continue;
      ++n;
      row.emplace_back(yes(str(k, "Status") == "Active"));
      row.push_back(report_time(str(k, "CreateDate")));
      // The service's own record, which includes uses not yet written to the store.
      if (auto use = c.service.last_use(str(k, "AccessKeyId"))) {
        row.push_back(report_time(format_iso8601(use->when)));
        row.push_back(use->region.empty() ? "N/A" : use->region);
        row.push_back(use->service.empty() ? "N/A" : use->service);
      } else {
        row.insert(row.end(), {"N/A", "N/A", "N/A"});
      }
    }
    for (; n < 2; ++n) row.insert(row.end(), {"false", "N/A", "N/A", "N/A", "N/A"});
    n = 0;
    for (const json::object& cert : certs) {
      // Certificates are kept by the owner's id, which a rename does not change.
      if (str(cert, "UserId") != str(u, "UserId") || n == 2) continue;
      ++n;
      row.emplace_back(yes(str(cert, "Status") == "Active"));
      row.push_back(report_time(str(cert, "UploadDate")));
    }
    for (; n < 2; ++n) row.insert(row.end(), {"false", "N/A"});
    csv += '\n';
    for (size_t i = 0; i < row.size(); ++i) {
      if (i) csv += ',';
      // User names may hold commas (and ARNs with them): such fields are quoted (RFC 4180).
      if (row[i].find_first_of(",\"\n") == std::string::npos) {
        csv += row[i];
        continue;
      }
      csv += '"';
      for (char ch : row[i]) {
        if (ch == '"') csv += '"';
        csv += ch;
      }
      csv += '"';
    }
  }
  return csv;
}

bool expired(const Call& c, const json::object& report) {
  auto generated = parse_iso8601(str(report, "GeneratedTime"));
  return !generated || c.now - *generated >= kReportLifetime;
}

Status generate(Call& c) {
  PC_CHECK(c.authorize("*"));
  auto report = PC_TRY(load(c.txn, kAccount, kReportKey));
  if (report && !expired(c, *report)) {
    c.out.element("State", "COMPLETE");
    return {};
  }
  std::string csv = PC_TRY(build_report(c));
  PC_CHECK(save(c.txn, kAccount, kReportKey,
                json::object{{"GeneratedTime", iso_now(c)}, {"Content", csv}}));
  // The report is complete when this call returns; AWS's first answer is still STARTED.
  c.out.element("State", "STARTED");
  c.out.element("Description", "No report exists. Starting a new report generation task");
  return {};
}

Status get(Call& c) {
  PC_CHECK(c.authorize("*"));
  auto report = PC_TRY(load(c.txn, kAccount, kReportKey));
  // AWS sends these two errors without a message.
  if (!report) return fail(ErrorCode::kReportNotPresent, "");
  if (expired(c, *report)) return fail(ErrorCode::kReportExpired, "");
  c.out.element("Content", base64_encode(str(*report, "Content")));
  c.out.element("ReportFormat", "text/csv");
  c.out.element("GeneratedTime", str(*report, "GeneratedTime"));
  return {};
}

constexpr Op kOps[] = {
    {"GenerateCredentialReport", true, generate},
    {"GetCredentialReport", false, get},
};

}  // namespace

std::span<const Op> credential_report_ops() { return kOps; }

}  // namespace portcullis::iam::api
