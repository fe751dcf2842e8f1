// The TLS identity of a new instance (`renkeictl instance init`), made with OpenSSL's C API: an
// ECDSA P-256 key and a certificate signing request for the instance's own PKI, or a certificate
// signed by the development CA of tools/dev-ca.sh (the same profile: server and client use,
// 825 days).
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace renkei::cli {

struct TlsSubject {
  std::string common_name;                // e.g. "m132250"
  std::vector<std::string> dns_names;     // subjectAltName DNS entries
  std::vector<std::string> ip_addresses;  // subjectAltName IP entries ("127.0.0.1", "::1")
};

struct TlsMaterial {
  std::string key_pem;   // PKCS#8 private key
  std::string csr_pem;   // the request (always made: it is what a CA signs)
  std::string cert_pem;  // with a CA only
  std::string ca_pem;    // with a CA only: the CA's certificate, for ca_file
};

// A host name as a DNS subjectAltName takes it: letters, digits, '.', '-', 1..253 characters.
bool IsDnsName(const std::string& name);

// A new key and a CSR for `subject`. With `dev_ca_dir` (holding ca.crt and ca.key), also the
// certificate that CA signs for it. INVALID_ARGUMENT for a bad name, NOT_FOUND when the CA's
// files are missing, INTERNAL when OpenSSL fails.
absl::StatusOr<TlsMaterial> MakeTlsMaterial(const TlsSubject& subject,
                                            const std::string& dev_ca_dir);

}  // namespace renkei::cli
