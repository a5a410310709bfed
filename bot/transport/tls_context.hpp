#pragma once

#include <boost/asio/ssl/context.hpp>

#include <memory>

namespace itpm::bot {

// A TLS client context: TLS 1.2 or newer, peers verified against the system store plus the
// bundle named by SSL_CERT_FILE, if set. Throws boost::system::system_error if that file
// cannot be loaded.
std::unique_ptr<boost::asio::ssl::context> make_client_tls_context();

}  // namespace itpm::bot
