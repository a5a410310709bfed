#include "tools/slack_sim/test_cert.hpp"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>
#include <stdexcept>

namespace itpm::sim {
namespace {

template <auto Free>
struct Deleter {
  template <class T>
  void operator()(T* p) const {
    Free(p);
  }
};

std::string bio_string(BIO* bio) {
  char* data = nullptr;
  long n = BIO_get_mem_data(bio, &data);
  return std::string(data, static_cast<std::size_t>(n));
}

void check(int ok, const char* what) {
  if (ok <= 0) throw std::runtime_error(std::string("openssl: ") + what + " failed");
}

}  // namespace

CertAndKey make_self_signed_cert() {
  std::unique_ptr<EVP_PKEY, Deleter<EVP_PKEY_free>> key(EVP_EC_gen("P-256"));
  if (!key) throw std::runtime_error("openssl: EVP_EC_gen failed");
  std::unique_ptr<X509, Deleter<X509_free>> cert(X509_new());
  check(X509_set_version(cert.get(), 2), "X509_set_version");
  check(ASN1_INTEGER_set(X509_get_serialNumber(cert.get()), static_cast<long>(time(nullptr))),
        "serial");
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), 2L * 24 * 3600);
  check(X509_set_pubkey(cert.get(), key.get()), "X509_set_pubkey");
  X509_NAME* name = X509_get_subject_name(cert.get());
  check(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                   reinterpret_cast<const unsigned char*>("itpm slack simulator"),
                                   -1, -1, 0),
        "subject");
  check(X509_set_issuer_name(cert.get(), name), "issuer");
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert.get(), cert.get(), nullptr, nullptr, 0);
  for (auto [nid, value] : {std::pair{NID_subject_alt_name, "DNS:localhost,IP:127.0.0.1"},
                            std::pair{NID_basic_constraints, "critical,CA:TRUE"},
                            std::pair{NID_key_usage, "critical,digitalSignature,keyCertSign"}}) {
    std::unique_ptr<X509_EXTENSION, Deleter<X509_EXTENSION_free>> ext(
        X509V3_EXT_conf_nid(nullptr, &ctx, nid, value));
    if (!ext) throw std::runtime_error("openssl: extension failed");
    check(X509_add_ext(cert.get(), ext.get(), -1), "X509_add_ext");
  }
  check(X509_sign(cert.get(), key.get(), EVP_sha256()), "X509_sign");

  std::unique_ptr<BIO, Deleter<BIO_free>> cert_bio(BIO_new(BIO_s_mem()));
  std::unique_ptr<BIO, Deleter<BIO_free>> key_bio(BIO_new(BIO_s_mem()));
  check(PEM_write_bio_X509(cert_bio.get(), cert.get()), "PEM_write_bio_X509");
  check(PEM_write_bio_PrivateKey(key_bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr),
        "PEM key");
  return {bio_string(cert_bio.get()), bio_string(key_bio.get())};
}

}  // namespace itpm::sim
