// Client certificates: a key pair and a self-signed certificate Portcullis generates, for a
// stage to present to its HTTP backends. The certificate is answered; the private key is kept
// sealed under the master key and never leaves the server.
#include "core/certificate.h"
#include "core/encoding.h"
#include "core/seal.h"
#include "gateway/api/call.h"

namespace portcullis::gateway::api {

namespace {

// {"certificate": ClientCertificate, "keySealed": base64(seal(master key, PEM, id))}
Result<json::object> load_certificate(Call& c, std::string_view id) {
  return load_row(c, kClientCertificates, id, "Invalid client certificate identifier specified");
}

Status generate(Call& c) {
  PC_TRY(opt_str(c.body, "description"));
  auto tags = PC_TRY(opt_tags(c.body));
  std::string id = PC_TRY(unused_id(c, kClientCertificates, 6));
  auto pair = PC_TRY(crypto::self_signed_certificate("Portcullis client certificate " + id, c.now,
                                                     std::chrono::hours(24 * 365)));
  auto epoch = [](SystemTime t) {
    return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
  };
  json::object cert{{"clientCertificateId", id}};
  copy_members(cert, c.body, {"description"});
  cert["pemEncodedCertificate"] = pair.certificate_pem;
  cert["createdDate"] = epoch(pair.not_before);
  cert["expirationDate"] = epoch(pair.not_after);
  if (tags && !tags->empty()) cert["tags"] = *tags;
  json::object stored{
      {"certificate", cert},
      {"keySealed", base64_encode(crypto::seal(c.api.master_key(), pair.private_key_pem, id))}};
  PC_CHECK(c.txn.put(kClientCertificates, id, json::serialize(stored)));
  c.out = std::move(cert);
  return {};
}

Status get(Call& c) {
  c.out = PC_TRY(load_certificate(c, c.label("clientcertificate_id")))["certificate"];
  return {};
}

Status list(Call& c) {
  std::vector<json::value> items;
  for (auto& [id, text] : PC_TRY(c.txn.scan(kClientCertificates)))
    items.push_back(obj(parse_row(text), "certificate"));
  return write_items(c, items);
}

Status update(Call& c) {
  static constexpr PatchRule kRules[] = {{"/description", kReplace, PatchKind::kString}};
  const std::string& id = c.label("clientcertificate_id");
  json::object stored = PC_TRY(load_certificate(c, id));
  json::object& cert = ensure_object(stored["certificate"]);
  PC_CHECK(apply_patch(cert, PC_TRY(patch_operations(c.body)), kRules));
  PC_CHECK(c.txn.put(kClientCertificates, id, json::serialize(stored)));
  c.out = cert;
  return {};
}

Status remove(Call& c) {
  const std::string& id = c.label("clientcertificate_id");
  PC_TRY(load_certificate(c, id));
  // A certificate a stage presents stays until the stage lets it go.
  for (auto& [api, text] : PC_TRY(c.txn.scan(kApis))) {
    json::object doc = parse_row(text);
    for (const auto& kv : section(doc, "stages"))
      if (sv(obj(kv.value()), "clientCertificateId") == id)
        return std::unexpected(bad_request("Client certificate " + id + " is used by stage " +
                                           std::string(kv.key()) + " of REST API " + api));
  }
  return c.txn.erase(kClientCertificates, id);
}

constexpr Op kOps[] = {
    {"GenerateClientCertificate", generate},
    {"GetClientCertificate", get},
    {"GetClientCertificates", list},
    {"UpdateClientCertificate", update},
    {"DeleteClientCertificate", remove},
};

}  // namespace

std::span<const Op> client_cert_ops() { return kOps; }

}  // namespace portcullis::gateway::api
