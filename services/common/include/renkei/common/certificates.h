// What operators need to know about the certificate files an instance uses: when they expire
// (renkei_certificate_expiry_timestamp_seconds, and the alert on it in deploy/prometheus/).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "renkei/v1/config.pb.h"

namespace renkei::common {

// The end of the validity (notAfter) of the first certificate in a PEM file, in seconds since
// the epoch. NOT_FOUND when the file is missing, INVALID_ARGUMENT when it holds no certificate.
absl::StatusOr<int64_t> CertificateExpiry(const std::string& pem_file);

// Every certificate file the instance file names for a service process (its gRPC TLS, NATS TLS
// and federation TLS certificates and their CAs), without repeats.
std::vector<std::string> CertificateFiles(const v1::InstanceConfig& config);

}  // namespace renkei::common
