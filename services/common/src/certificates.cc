#include "renkei/common/certificates.h"

#include <algorithm>
#include <cstdio>
#include <ctime>
#include <filesystem>
#include <memory>

#include "openssl/asn1.h"
#include "openssl/pem.h"
#include "openssl/x509.h"

namespace renkei::common {

absl::StatusOr<int64_t> CertificateExpiry(const std::string& pem_file) {
  std::unique_ptr<FILE, int (*)(FILE*)> file(std::fopen(pem_file.c_str(), "r"), &std::fclose);
  if (file == nullptr) return absl::NotFoundError("cannot open " + pem_file);
  std::unique_ptr<X509, void (*)(X509*)> cert(PEM_read_X509(file.get(), nullptr, nullptr, nullptr),
                                              &X509_free);
  if (cert == nullptr) return absl::InvalidArgumentError(pem_file + " holds no PEM certificate");
  std::tm tm{};
  if (ASN1_TIME_to_tm(X509_get0_notAfter(cert.get()), &tm) != 1) {
    return absl::InvalidArgumentError(pem_file + ": unreadable notAfter");
  }
  return static_cast<int64_t>(timegm(&tm));
}

std::vector<std::string> CertificateFiles(const v1::InstanceConfig& config) {
  std::vector<std::string> files;
  auto add = [&files](const std::string& f) {
    if (!f.empty() && std::find(files.begin(), files.end(), f) == files.end()) files.push_back(f);
  };
  const auto& grpc = config.security().grpc_tls();
  add(grpc.cert_file());
  add(grpc.ca_file());
  add(config.nats().tls().cert_file());
  add(config.nats().tls().ca_file());
  add(config.federation().tls().cert_file());
  add(config.federation().tls().ca_file());
  return files;
}

}  // namespace renkei::common
