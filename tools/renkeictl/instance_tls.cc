#include "instance_tls.h"

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <utility>

namespace renkei::cli {
namespace {

template <typename T, void (*Free)(T*)>
struct Deleter {
  void operator()(T* p) const { Free(p); }
};
using Key = std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY, EVP_PKEY_free>>;
using Request = std::unique_ptr<X509_REQ, Deleter<X509_REQ, X509_REQ_free>>;
using Cert = std::unique_ptr<X509, Deleter<X509, X509_free>>;
using Bio = std::unique_ptr<BIO, Deleter<BIO, BIO_free_all>>;
using Number = std::unique_ptr<BIGNUM, Deleter<BIGNUM, BN_free>>;
using Extension = std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION, X509_EXTENSION_free>>;

constexpr long kValidDays = 825;  // as tools/dev-ca.sh

// The OpenSSL error queue as text, emptied.
absl::Status OpenSslError(const std::string& what) {
  std::string detail;
  while (unsigned long e = ERR_get_error()) {
    char buf[256];
    ERR_error_string_n(e, buf, sizeof buf);
    detail += detail.empty() ? "" : "; ";
    detail += buf;
  }
  return absl::InternalError("OpenSSL: " + what + (detail.empty() ? "" : ": " + detail));
}

std::string BioText(BIO* bio) {
  char* data = nullptr;
  const long n = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<size_t>(n));
}

absl::StatusOr<std::string> ReadText(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::NotFoundError(path);
  std::stringstream buf;
  buf << in.rdbuf();
  return buf.str();
}

std::string AltNames(const TlsSubject& s) {
  std::string out;
  for (const auto& d : s.dns_names) out += (out.empty() ? "" : ",") + ("DNS:" + d);
  for (const auto& ip : s.ip_addresses) out += (out.empty() ? "" : ",") + ("IP:" + ip);
  return out;
}

// One extension made from its configuration text (as in an openssl .cnf), e.g.
// (NID_key_usage, "critical,digitalSignature").
absl::StatusOr<Extension> MakeExtension(X509V3_CTX* ctx, int nid, const std::string& value) {
  Extension ext(X509V3_EXT_nconf_nid(nullptr, ctx, nid, value.c_str()));
  if (!ext) return OpenSslError("extension " + std::string(OBJ_nid2sn(nid)) + "=" + value);
  return ext;
}

absl::StatusOr<Request> MakeRequest(EVP_PKEY* key, const TlsSubject& subject) {
  Request req(X509_REQ_new());
  if (!req || X509_REQ_set_version(req.get(), 0) != 1) return OpenSslError("new request");
  X509_NAME* name = X509_REQ_get_subject_name(req.get());
  const auto* o = reinterpret_cast<const unsigned char*>("Renkei");
  const auto* cn = reinterpret_cast<const unsigned char*>(subject.common_name.c_str());
  if (X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8, o, -1, -1, 0) != 1 ||
      X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8, cn, -1, -1, 0) != 1) {
    return OpenSslError("subject");
  }
  if (X509_REQ_set_pubkey(req.get(), key) != 1) return OpenSslError("request key");
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, nullptr, nullptr, req.get(), nullptr, 0);
  STACK_OF(X509_EXTENSION)* exts = sk_X509_EXTENSION_new_null();
  for (const auto& [nid, value] :
       std::vector<std::pair<int, std::string>>{{NID_subject_alt_name, AltNames(subject)},
                                                {NID_ext_key_usage, "serverAuth,clientAuth"}}) {
    auto ext = MakeExtension(&ctx, nid, value);
    if (!ext.ok()) {
      sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
      return ext.status();
    }
    sk_X509_EXTENSION_push(exts, ext->release());
  }
  const int added = X509_REQ_add_extensions(req.get(), exts);
  sk_X509_EXTENSION_pop_free(exts, X509_EXTENSION_free);
  if (added != 1) return OpenSslError("request extensions");
  if (X509_REQ_sign(req.get(), key, EVP_sha256()) <= 0) return OpenSslError("sign request");
  return req;
}

// The certificate the CA in `dir` (ca.crt, ca.key) issues for the request: the profile of
// tools/dev-ca.sh (server and client use, not a CA, 825 days).
absl::StatusOr<std::pair<std::string, std::string>> SignWithCa(const std::string& dir,
                                                               X509_REQ* req,
                                                               const TlsSubject& subject) {
  const std::string ca_cert_path = dir + "/ca.crt", ca_key_path = dir + "/ca.key";
  auto ca_pem = ReadText(ca_cert_path);
  auto ca_key_pem = ReadText(ca_key_path);
  if (!ca_pem.ok() || !ca_key_pem.ok()) {
    return absl::NotFoundError("開発用 CA がありません (tools/dev-ca.sh " + dir +
                               " <名前> で作ります) / no development " + "CA in " + dir +
                               ": ca.crt and ca.key are needed (tools/dev-ca.sh makes them)");
  }
  Bio cert_in(BIO_new_mem_buf(ca_pem->data(), static_cast<int>(ca_pem->size())));
  Cert ca(PEM_read_bio_X509(cert_in.get(), nullptr, nullptr, nullptr));
  Bio key_in(BIO_new_mem_buf(ca_key_pem->data(), static_cast<int>(ca_key_pem->size())));
  Key ca_key(PEM_read_bio_PrivateKey(key_in.get(), nullptr, nullptr, nullptr));
  if (!ca || !ca_key) return OpenSslError("read " + ca_cert_path + " / " + ca_key_path);
  if (X509_check_private_key(ca.get(), ca_key.get()) != 1) {
    return absl::InvalidArgumentError(ca_key_path + " is not the key of " + ca_cert_path);
  }

  Cert cert(X509_new());
  Key pub(X509_REQ_get_pubkey(req));
  Number serial(BN_new());
  if (!cert || !pub || !serial || X509_set_version(cert.get(), 2) != 1 ||
      BN_rand(serial.get(), 127, BN_RAND_TOP_ANY, BN_RAND_BOTTOM_ANY) != 1 ||
      BN_to_ASN1_INTEGER(serial.get(), X509_get_serialNumber(cert.get())) == nullptr ||
      X509_set_issuer_name(cert.get(), X509_get_subject_name(ca.get())) != 1 ||
      X509_set_subject_name(cert.get(), X509_REQ_get_subject_name(req)) != 1 ||
      X509_gmtime_adj(X509_getm_notBefore(cert.get()), 0) == nullptr ||
      X509_gmtime_adj(X509_getm_notAfter(cert.get()), kValidDays * 86400) == nullptr ||
      X509_set_pubkey(cert.get(), pub.get()) != 1) {
    return OpenSslError("new certificate");
  }
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, ca.get(), cert.get(), nullptr, nullptr, 0);
  for (const auto& [nid, value] : std::vector<std::pair<int, std::string>>{
           {NID_basic_constraints, "critical,CA:FALSE"},
           {NID_key_usage, "critical,digitalSignature,keyAgreement"},
           {NID_ext_key_usage, "serverAuth,clientAuth"},
           {NID_subject_alt_name, AltNames(subject)},
           {NID_subject_key_identifier, "hash"},
           {NID_authority_key_identifier, "keyid"}}) {
    auto ext = MakeExtension(&ctx, nid, value);
    if (!ext.ok()) return ext.status();
    if (X509_add_ext(cert.get(), ext->get(), -1) != 1) return OpenSslError("add extension");
  }
  if (X509_sign(cert.get(), ca_key.get(), EVP_sha256()) <= 0) return OpenSslError("sign");
  Bio out(BIO_new(BIO_s_mem()));
  if (PEM_write_bio_X509(out.get(), cert.get()) != 1) return OpenSslError("write certificate");
  return std::make_pair(BioText(out.get()), *ca_pem);
}

}  // namespace

bool IsDnsName(const std::string& name) {
  if (name.empty() || name.size() > 253 || name.front() == '.' || name.front() == '-') {
    return false;
  }
  for (char c : name) {
    const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                    c == '.' || c == '-';
    if (!ok) return false;
  }
  return true;
}

absl::StatusOr<TlsMaterial> MakeTlsMaterial(const TlsSubject& subject,
                                            const std::string& dev_ca_dir) {
  for (const auto& d : subject.dns_names) {
    if (!IsDnsName(d)) {
      return absl::InvalidArgumentError("ホスト名が不正です: " + d + " / not a host name");
    }
  }
  Key key(EVP_EC_gen("P-256"));
  if (!key) return OpenSslError("new key");
  TlsMaterial out;
  {
    Bio bio(BIO_new(BIO_s_mem()));
    if (PEM_write_bio_PrivateKey(bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) !=
        1) {
      return OpenSslError("write key");
    }
    out.key_pem = BioText(bio.get());
  }
  auto req = MakeRequest(key.get(), subject);
  if (!req.ok()) return req.status();
  {
    Bio bio(BIO_new(BIO_s_mem()));
    if (PEM_write_bio_X509_REQ(bio.get(), req->get()) != 1) return OpenSslError("write request");
    out.csr_pem = BioText(bio.get());
  }
  if (!dev_ca_dir.empty()) {
    auto signed_cert = SignWithCa(dev_ca_dir, req->get(), subject);
    if (!signed_cert.ok()) return signed_cert.status();
    out.cert_pem = std::move(signed_cert->first);
    out.ca_pem = std::move(signed_cert->second);
  }
  return out;
}

}  // namespace renkei::cli
