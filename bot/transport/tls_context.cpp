#include "bot/transport/tls_context.hpp"

#include <openssl/ssl.h>

#include <cstdlib>

namespace itpm::bot {

namespace ssl = boost::asio::ssl;

std::unique_ptr<ssl::context> make_client_tls_context() {
  auto ctx = std::make_unique<ssl::context>(ssl::context::tls_client);
  SSL_CTX_set_min_proto_version(ctx->native_handle(), TLS1_2_VERSION);
  ctx->set_default_verify_paths();
  if (const char* extra = std::getenv("SSL_CERT_FILE"); extra != nullptr && *extra != '\0') {
    ctx->load_verify_file(extra);
  }
  ctx->set_verify_mode(ssl::verify_peer);
  return ctx;
}

}  // namespace itpm::bot
