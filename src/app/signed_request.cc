#include "app/signed_request.h"

namespace portcullis::app {

Result<SignedCaller> authenticate_signed(const http::Request& req, const sigv4::VerifyOptions& opt,
                                         const iam::Snapshot& snapshot, iam::IamService& iam,
                                         const sts::StsService& sts, SystemTime now) {
  sigv4::ParsedAuth parsed = PC_TRY(sigv4::parse(req, opt, now));
  std::shared_ptr<const iam::PrincipalEntry> caller;
  std::string secret;
  if (parsed.access_key_id.starts_with("ASIA")) {
    // Temporary credentials: the session token is the session.
    if (parsed.session_token.empty()) return fail(ErrorCode::kInvalidClientTokenId, "");
    auto session = PC_TRY(sts.session_caller(parsed.access_key_id, parsed.session_token, snapshot));
    caller = std::move(session.entry);
    secret = std::move(session.secret_access_key);
    // Credentials from GetSessionToken without MFA cannot call IAM, as on AWS.
    if (caller->session->from_session_token && !caller->session->mfa_authenticated &&
        opt.service == "iam")
      return fail(ErrorCode::kInvalidClientTokenId, "");
  } else {
    const iam::KeyEntry* key = snapshot.find_key(parsed.access_key_id);
    // A long-term key never comes with a session token.
    if (!key || !key->active || !parsed.session_token.empty())
      return fail(ErrorCode::kInvalidClientTokenId, "");
    // Shares ownership with the snapshot, which the caller keeps alive for the request.
    caller = std::shared_ptr<const iam::PrincipalEntry>(key->owner);
    secret = key->secret;
  }
  std::string covered = PC_TRY(sigv4::verify(req, parsed, secret, opt));
  if (!caller->session) iam.note_key_use(parsed.access_key_id, opt.service, parsed.region);
  return SignedCaller{std::move(caller), std::move(parsed.region), std::move(parsed.access_key_id),
                      std::move(covered)};
}

}  // namespace portcullis::app
