#pragma once

#include <string>

namespace itpm::sim {

struct CertAndKey {
  std::string cert_pem;
  std::string key_pem;
};

// A fresh self-signed P-256 certificate for localhost and 127.0.0.1, valid for two days.
// Throws std::runtime_error if OpenSSL fails.
CertAndKey make_self_signed_cert();

}  // namespace itpm::sim
